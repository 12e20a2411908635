"""The eval builtin: GNU m4 1.4.19 integer expressions.

SYNOPSIS
    m4_eval(`2**10', 16, 4)           # (as written with -P) -> "0400"
    value = evaluate(ctx, "1 << 3")   # 8, or None after the diagnostic

DESCRIPTION
    The builtin, called with (expression, [radix=10], [width=1]), computes in C int
    arithmetic: every result wraps to 32 bits, / and % truncate toward zero (-2147483648 / -1 is
    -2147483648, % -1 is 0), shift counts are taken modulo 32, >> is
    arithmetic, 0**0 is a division by zero. Numbers are decimal, 0 octal, 0x
    hex, 0b binary or 0rRADIX:DIGITS (radix 1..36; radix 1 counts 1s after
    optional leading 0s); their digits wrap to 32 bits too. The result is
    written in RADIX (digits 0-9a-z; radix 1 writes that many 1s) and padded
    with zeros to WIDTH digits after any '-'. An empty radix is 10, silently.

    The grammar lives in m4compat/grammars/eval.lark. lark builds its LALR(1)
    table, and `make grammar` saves that table as
    m4compat/grammars/eval_table.json (keyed by a checksum of the grammar; a unit
    test checks it is what lark builds today). Runs load the saved table in ~1 ms
    instead of importing lark and building (~60 ms, and sendmail's cf.m4 calls
    eval in every build); when the grammar no longer matches the saved table,
    lark builds it at run time. The table is then run here by a
    small shift-reduce loop over our own tokens, not by lark's parser, because
    GNU's recursive-descent evaluator has error behaviour that a
    parse-then-evaluate design cannot express:

    - It computes while it parses. An operation is done as soon as the token
      after its right operand is seen (that is exactly when LALR reduces), so
      "1/0 2" is a division by zero but "1/0 ?" (bad token) is bad input.
    - A division error inside the right operand of && (left side 0) or of ||
      (left side not 0) is dropped, and parsing goes on right AFTER the failed
      operation, outside the operand: so "0 && 1/0" is 0 but
      "0 && (1/0)" is "excess input" (the ')' is left over). The loop here
      does the same: it pops the stack back to that && / || and pushes the
      short-circuit result.
    - After a complete operand, a token that cannot follow finishes the
      pending operations (errors included) before GNU says "missing right
      parenthesis" or "excess input".

    The lexer copies GNU's: "++", "--" and the C compound assignments ("+=",
    "<<=", ... but not "**=", "~=", "&&=") are an invalid operator, "=" is
    "==" with a warning, any other unknown character is bad input.

DIAGNOSTICS
    ctx.error (plain text; exit status only under -E), where EXPR is the first
    argument: "bad expression in eval: EXPR", "bad expression in eval (bad
    input): EXPR", "... (missing right parenthesis): EXPR", "... (excess
    input): EXPR", "divide by zero in eval: EXPR", "modulo by zero in eval:
    EXPR", "negative exponent in eval: EXPR", "empty string treated as 0 in
    builtin `NAME'", "radix N in builtin `NAME' out of range", "negative width
    to builtin `NAME'" and numeric_arg's messages for radix and width.
    ctx.warn: "recommend ==, not =, for equality operator".
    "invalid operator in eval: EXPR" always makes the exit status 1: it goes to
    ctx.failure() when the context has one, else to ctx.error().
    RuntimeError if the installed lark lays out its parse table differently
    (only when the shipped table does not fit the grammar).

SEE ALSO
    m4compat/grammars/eval.lark, m4compat.builtins.text (numeric_arg),
    GNU m4 manual "Eval".
"""

from __future__ import annotations

import os
import re

from m4compat.builtins import Argv, Context, builtin
from m4compat.builtins.text import numeric_arg, to_int32

TYPE_CHECKING = False  # typing itself costs ~10 ms to import
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

__all__ = ["evaluate", "format_radix"]

_INT_MIN = -(2**31)

# GNU's error kinds, by their message prefix; "invalid operator" is the only
# one that sets the exit status on its own.
_SYNTAX = "bad expression in eval"
_BAD_INPUT = "bad expression in eval (bad input)"
_MISSING_RIGHT = "bad expression in eval (missing right parenthesis)"
_EXCESS = "bad expression in eval (excess input)"
_INVALID_OPERATOR = "invalid operator in eval"
_DIVIDE_ZERO = "divide by zero in eval"
_MODULO_ZERO = "modulo by zero in eval"
_NEGATIVE_EXPONENT = "negative exponent in eval"

_END = "$END"
_ERROR = "ERROR"
_BADOP = "BADOP"
_NUMBER = "NUMBER"

_OPERATORS = {
    "**": "POWER",
    "*": "TIMES",
    "/": "DIVIDE",
    "%": "MODULO",
    "+": "PLUS",
    "-": "MINUS",
    "<<": "LSHIFT",
    ">>": "RSHIFT",
    "<": "LT",
    "<=": "LE",
    ">": "GT",
    ">=": "GE",
    "==": "EQ",
    "!=": "NE",
    "=": "ASSIGN",
    "&": "BAND",
    "^": "BXOR",
    "|": "BOR",
    "&&": "LAND",
    "||": "LOR",
    "~": "TILDE",
    "!": "BANG",
    "(": "LPAREN",
    ")": "RPAREN",
}
# Longest first within each alternative, as GNU's lexer peeks: "**" before
# "*=", "<<=" before "<<" before "<=".
_TOKEN = re.compile(
    r"""[ \t\n\v\f\r]*(?:
        (?P<number>[0-9])
      | (?P<badop>\+\+|--|[-+*/%&|^]=|<<=|>>=)
      | (?P<op>\*\*|&&|\|\||<<|>>|<=|>=|==|!=|[-+*/%<>=&|^~!()])
      | (?P<end>\Z)
    )""",
    re.VERBOSE,
)
_DIGITS = {
    16: re.compile(r"[0-9a-fA-F]*"),
    10: re.compile(r"[0-9]*"),
    8: re.compile(r"[0-7]*"),
    2: re.compile(r"[01]*"),
}
_RADIX_ONE = re.compile(r"0*(1*)")
_RADIX_PREFIX = re.compile(r"([0-9]*):")
_DIGIT_CHARS = "0123456789abcdefghijklmnopqrstuvwxyz"
_DIGIT_VALUE = {c: i for i, c in enumerate(_DIGIT_CHARS)} | {
    c.upper(): i for i, c in enumerate(_DIGIT_CHARS) if c.isalpha()
}

Token = tuple[str, int]


def _lex(text: str) -> list[Token]:
    """Split TEXT into (kind, value) tokens, ending at the first ERROR or $END."""
    tokens: list[Token] = []
    pos = 0
    while True:
        m = _TOKEN.match(text, pos)
        if m is None:
            tokens.append((_ERROR, 0))
            return tokens
        kind = m.lastgroup
        assert kind is not None
        if kind == "end":
            tokens.append((_END, 0))
            return tokens
        if kind == "number":
            token, pos = _lex_number(text, m.start("number"))
            tokens.append(token)
            if token[0] == _ERROR:
                return tokens
            continue
        pos = m.end()
        tokens.append((_BADOP, 0) if kind == "badop" else (_OPERATORS[m.group(kind)], 0))


def _lex_number(text: str, pos: int) -> tuple[Token, int]:
    base = 10
    prefix = text[pos : pos + 2]
    if prefix[:1] == "0" and len(prefix) == 2:
        mark = prefix[1]
        if mark in "xX":
            base, pos = 16, pos + 2
        elif mark in "bB":
            base, pos = 2, pos + 2
        elif mark in "rR":
            m = _RADIX_PREFIX.match(text, pos + 2)
            if m is None or not 1 <= int(m.group(1) or "0") <= 36:
                return (_ERROR, 0), pos
            base, pos = int(m.group(1)), m.end()
        else:
            base = 8
    elif prefix[:1] == "0":
        base = 8
    if base == 1:
        m = _RADIX_ONE.match(text, pos)
        assert m is not None
        return (_NUMBER, to_int32(len(m.group(1)))), m.end()
    pattern = _DIGITS.get(base)
    if pattern is not None:
        m = pattern.match(text, pos)
        assert m is not None
        digits = m.group()
        return (_NUMBER, to_int32(int(digits, base)) if digits else 0), m.end()
    value = 0
    while pos < len(text):
        digit = _DIGIT_VALUE.get(text[pos], 99)
        if digit >= base:
            break
        value = (value * base + digit) & 0xFFFF_FFFF
        pos += 1
    return (_NUMBER, to_int32(value)), pos


# -- the LALR table ---------------------------------------------------------------


class _Rule:
    """One grammar rule as the evaluator needs it (slotted: no dataclasses import)."""

    __slots__ = ("length", "lhs", "operator", "shape")

    def __init__(self, lhs: str, length: int, shape: str, operator: str) -> None:
        self.lhs = lhs
        self.length = length
        # "pass" (X: Y), "number", "paren", "unary" or "binary"
        self.shape = shape
        self.operator = operator


class _Table:
    """The LALR(1) table lark builds from eval.lark, as plain dicts."""

    __slots__ = ("accept", "actions", "and_lhs", "gotos", "or_lhs", "rules", "start")

    def __init__(
        self,
        actions: dict[int, dict[str, int]],
        gotos: dict[int, dict[str, int]],
        rules: tuple[_Rule, ...],
        start: int,
        accept: int,
        and_lhs: str,
        or_lhs: str,
    ) -> None:
        # actions[state][terminal]: >= 0 shift to that state, < 0 reduce rules[~value]
        self.actions = actions
        self.gotos = gotos
        self.rules = rules
        self.start = start
        self.accept = accept
        self.and_lhs = and_lhs
        self.or_lhs = or_lhs


_table_cache: _Table | None = None
# Bump when the layout of the saved table changes.
_TABLE_FORMAT = 1
_GRAMMAR_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "grammars")
SHIPPED_TABLE = os.path.join(_GRAMMAR_DIR, "eval_table.json")


def _table() -> _Table:
    global _table_cache
    if _table_cache is None:
        grammar = _read_grammar()
        table = _load_table(SHIPPED_TABLE, _grammar_key(grammar))
        if table is None:
            # eval.lark was edited and `make grammar` not run: build with lark now.
            table = _build_table(grammar)
        _table_cache = table
    return _table_cache


def _read_grammar() -> str:
    with open(os.path.join(_GRAMMAR_DIR, "eval.lark"), encoding="utf-8") as f:
        return f.read()


def _grammar_key(grammar: str) -> str:
    # CRC-32 (not a cryptographic hash: hashlib's import alone costs more than
    # loading the table) plus the length tells grammar versions apart well.
    import zlib

    data = f"{_TABLE_FORMAT}\n{grammar}".encode()
    return f"{zlib.crc32(data):08x}{len(data):x}"


def _load_table(path: str, key: str) -> _Table | None:
    """The table saved in path for the grammar with this key, or None."""
    import json

    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        if data.get("key") != key:
            return None
        table = _Table(
            actions={
                int(s): {str(t): int(a) for t, a in m.items()} for s, m in data["actions"].items()
            },
            gotos={
                int(s): {str(t): int(a) for t, a in m.items()} for s, m in data["gotos"].items()
            },
            rules=tuple(_Rule(str(a), int(b), str(c), str(d)) for a, b, c, d in data["rules"]),
            start=int(data["start"]),
            accept=int(data["accept"]),
            and_lhs=str(data["and_lhs"]),
            or_lhs=str(data["or_lhs"]),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return table


def _canonical(table: _Table) -> _Table:
    """The same table with states and rules numbered in a fixed order.

    lark numbers LALR states in an order that varies between processes (it follows
    set iteration, and so string hashing); numbering rules by their content and
    states breadth-first from the start state, symbols in sorted order, makes
    equal tables compare equal.
    """
    keys = [(r.lhs, r.length, r.shape, r.operator) for r in table.rules]
    order = sorted(range(len(keys)), key=lambda i: keys[i])
    rule_number = {old: new for new, old in enumerate(order)}
    state_number = {table.start: 0}
    queue = [table.start]
    while queue:
        state = queue.pop(0)
        targets = [a for _, a in sorted(table.actions.get(state, {}).items()) if a >= 0]
        targets += [g for _, g in sorted(table.gotos.get(state, {}).items())]
        for target in targets:
            if target not in state_number:
                state_number[target] = len(state_number)
                queue.append(target)
    for state in sorted(set(table.actions) | set(table.gotos) | {table.accept}):
        state_number.setdefault(state, len(state_number))

    def action(value: int) -> int:
        return state_number[value] if value >= 0 else ~rule_number[~value]

    return _Table(
        actions={
            state_number[s]: {t: action(a) for t, a in sorted(m.items())}
            for s, m in table.actions.items()
        },
        gotos={
            state_number[s]: {t: state_number[g] for t, g in sorted(m.items())}
            for s, m in table.gotos.items()
        },
        rules=tuple(table.rules[i] for i in order),
        start=0,
        accept=state_number[table.accept],
        and_lhs=table.and_lhs,
        or_lhs=table.or_lhs,
    )


def table_json(grammar: str | None = None) -> str:
    """The JSON text of the table lark builds from eval.lark (what `make grammar` ships)."""
    import json

    grammar = _read_grammar() if grammar is None else grammar
    table = _canonical(_build_table(grammar))
    data = {
        "key": _grammar_key(grammar),
        "actions": {str(k): dict(sorted(v.items())) for k, v in sorted(table.actions.items())},
        "gotos": {str(k): dict(sorted(v.items())) for k, v in sorted(table.gotos.items())},
        "rules": [[r.lhs, r.length, r.shape, r.operator] for r in table.rules],
        "start": table.start,
        "accept": table.accept,
        "and_lhs": table.and_lhs,
        "or_lhs": table.or_lhs,
    }
    return json.dumps(data, indent=None, separators=(",", ":")) + "\n"


def write_shipped_table() -> None:
    """Regenerate m4compat/grammars/eval_table.json from eval.lark with lark."""
    with open(SHIPPED_TABLE, "w", encoding="utf-8") as f:
        f.write(table_json())


def _build_table(grammar: str) -> _Table:
    """Have lark build the LALR(1) table of eval.lark and copy it into plain dicts."""
    import lark
    from lark.lexer import Lexer

    class _NoLexer(Lexer):
        # We feed our own tokens; lark only builds the table.
        def __init__(self, conf: Any) -> None:
            pass

        def lex(self, lexer_state: Any, parser_state: Any) -> Any:
            raise NotImplementedError

    parser = lark.Lark(grammar, parser="lalr", lexer=_NoLexer)
    try:
        table = parser.parser.parser._parse_table
        states: dict[int, dict[str, tuple[Any, Any]]] = table.states
        start, accept = table.start_states["start"], table.end_states["start"]
    except (AttributeError, KeyError) as exc:
        raise RuntimeError(f"lark {lark.__version__}: unexpected LALR table layout") from exc
    rule_index: dict[Any, int] = {}
    rules: list[_Rule] = []
    nonterminals = {
        rule.origin.name
        for acts in states.values()
        for kind, rule in acts.values()
        if str(kind) == "Reduce"
    }
    actions: dict[int, dict[str, int]] = {}
    gotos: dict[int, dict[str, int]] = {}
    for state, acts in states.items():
        actions[state], gotos[state] = {}, {}
        for symbol, (kind, arg) in acts.items():
            name = str(symbol)
            if str(kind) == "Shift":
                (gotos if name in nonterminals else actions)[state][name] = int(arg)
                continue
            if arg not in rule_index:
                rule_index[arg] = len(rules)
                rules.append(_make_rule(arg))
            actions[state][name] = ~rule_index[arg]
    and_lhs = next(r.lhs for r in rules if r.operator == "LAND")
    or_lhs = next(r.lhs for r in rules if r.operator == "LOR")
    return _Table(actions, gotos, tuple(rules), start, accept, and_lhs, or_lhs)


def _make_rule(rule: Any) -> _Rule:
    names = [str(s.name) for s in rule.expansion]
    lhs = str(rule.origin.name)
    if len(names) == 1:
        return _Rule(lhs, 1, "number" if names[0] == _NUMBER else "pass", "")
    if len(names) == 2:
        return _Rule(lhs, 2, "unary", names[0])
    if names[0] == "LPAREN":
        return _Rule(lhs, 3, "paren", "")
    return _Rule(lhs, 3, "binary", names[1])


# -- evaluation --------------------------------------------------------------------


def _binary(ctx: Context, op: str, a: int, b: int) -> tuple[int, str | None]:
    """Apply a binary operator: (value, error kind or None)."""
    if op == "PLUS":
        return to_int32(a + b), None
    if op == "MINUS":
        return to_int32(a - b), None
    if op == "TIMES":
        return to_int32(a * b), None
    if op == "DIVIDE" or op == "MODULO":
        if b == 0:
            return 0, _DIVIDE_ZERO if op == "DIVIDE" else _MODULO_ZERO
        if b == -1:
            # GNU avoids the INT_MIN / -1 trap: the quotient wraps, the rest is 0.
            return (to_int32(-a), None) if op == "DIVIDE" else (0, None)
        quotient = abs(a) // abs(b)
        if (a < 0) != (b < 0):
            quotient = -quotient
        return (quotient, None) if op == "DIVIDE" else (a - b * quotient, None)
    if op == "POWER":
        if b < 0:
            return 0, _NEGATIVE_EXPONENT
        if a == 0 and b == 0:
            return 0, _DIVIDE_ZERO
        return to_int32(pow(a, b, 1 << 32)), None
    if op == "LSHIFT":
        return to_int32(a << (b & 31)), None
    if op == "RSHIFT":
        return a >> (b & 31), None
    if op == "ASSIGN":
        ctx.warn("recommend ==, not =, for equality operator")
        return int(a == b), None
    return _COMPARE[op](a, b), None


_COMPARE: dict[str, Callable[[int, int], int]] = {
    "EQ": lambda a, b: int(a == b),
    "NE": lambda a, b: int(a != b),
    "LT": lambda a, b: int(a < b),
    "LE": lambda a, b: int(a <= b),
    "GT": lambda a, b: int(a > b),
    "GE": lambda a, b: int(a >= b),
    "BAND": lambda a, b: a & b,
    "BXOR": lambda a, b: a ^ b,
    "BOR": lambda a, b: a | b,
    "LAND": lambda a, b: int(a != 0 and b != 0),
    "LOR": lambda a, b: int(a != 0 or b != 0),
}


def _unary(op: str, a: int) -> int:
    if op == "MINUS":
        return to_int32(-a)
    if op == "TILDE":
        return ~a
    if op == "BANG":
        return int(a == 0)
    return a


def evaluate(ctx: Context, text: str) -> int | None:
    """Evaluate an expression of the m4 eval builtin.

    Args:
        ctx: the expander, for diagnostics.
        text: the expression (not empty).

    Returns:
        The value as a C int, or None when an error was reported.

    Side effects:
        Diagnostics as listed in the module docstring.
    """
    outcome = _run(ctx, _lex(text), _table())
    if isinstance(outcome, int):
        return outcome
    message = f"{outcome}: {text}"
    if outcome == _INVALID_OPERATOR:
        failure = getattr(ctx, "failure", None)
        if callable(failure):
            failure(message)
            return None
    ctx.error(message)
    return None


def _run(ctx: Context, tokens: list[Token], table: _Table) -> int | str:
    """The shift-reduce loop: the value, or the error kind to report."""
    actions, gotos, rules = table.actions, table.gotos, table.rules
    states = [table.start]
    symbols = [""]
    values = [0]
    pos = 0
    expect_operand = True
    while True:
        kind, token_value = tokens[pos]
        state = states[-1]
        if state == table.accept:
            if kind == _END:
                return values[-1]
            return _INVALID_OPERATOR if kind == _BADOP else _EXCESS
        action = actions[state].get(kind)
        if action is None:
            if kind == _ERROR:
                return _SYNTAX if pos == 0 else _BAD_INPUT
            if expect_operand:
                return _INVALID_OPERATOR if kind == _BADOP else _SYNTAX
            # A complete operand that this token cannot continue: GNU unwinds its
            # recursion, finishing the pending operations up to an open '('.
            state_actions = actions[state]
            action = state_actions.get("RPAREN")
            if action is None or action >= 0:
                action = state_actions.get(_END)
            if action is None or action >= 0:
                return _MISSING_RIGHT
        if action >= 0:
            states.append(action)
            symbols.append(kind)
            values.append(token_value)
            expect_operand = kind != _NUMBER and kind != "RPAREN"
            pos += 1
            continue
        rule = rules[~action]
        size = rule.length
        error: str | None = None
        if size == 1:
            value = values[-1]
        elif rule.shape == "binary":
            value, error = _binary(ctx, rule.operator, values[-3], values[-1])
        elif rule.shape == "unary":
            value = _unary(rule.operator, values[-1])
        else:
            value = values[-2]
        del states[-size:], symbols[-size:], values[-size:]
        lhs = rule.lhs
        if error is not None:
            swallowed = _short_circuit(symbols, values)
            if swallowed is None:
                return error
            depth, value, is_and = swallowed
            del states[depth:], symbols[depth:], values[depth:]
            lhs = table.and_lhs if is_and else table.or_lhs
        states.append(gotos[states[-1]][lhs])
        symbols.append(lhs)
        values.append(value)


def _short_circuit(symbols: list[str], values: list[int]) -> tuple[int, int, bool] | None:
    """Find the && or || whose right operand GNU would drop an error from.

    The error travels out through every enclosing operator, so the nearest
    && with a false left side or || with a true one (whichever comes first
    going down the stack) takes it.

    Returns (stack depth of its left operand, result, it is an &&), or None
    when the error reaches the top.
    """
    for k in range(len(symbols) - 1, 1, -1):
        if symbols[k] == "LAND" and values[k - 1] == 0:
            return k - 1, 0, True
        if symbols[k] == "LOR" and values[k - 1] != 0:
            return k - 1, 1, False
    return None


def format_radix(value: int, radix: int, width: int) -> str:
    """Write VALUE in RADIX (1..36) with at least WIDTH digits, as eval does."""
    negative = value < 0
    magnitude = -value if negative else value
    if radix == 10:
        digits = str(magnitude)
    elif radix == 1:
        digits = "1" * magnitude
    elif radix == 16:
        digits = format(magnitude, "x")
    elif radix == 8:
        digits = format(magnitude, "o")
    elif radix == 2:
        digits = format(magnitude, "b")
    else:
        out: list[str] = []
        while magnitude:
            magnitude, digit = divmod(magnitude, radix)
            out.append(_DIGIT_CHARS[digit])
        digits = "".join(reversed(out)) or "0"
    if len(digits) < width:
        digits = "0" * (width - len(digits)) + digits
    return "-" + digits if negative else digits


@builtin("eval", min_args=1, max_args=3, blind=True)
def m4_eval(ctx: Context, argv: Argv) -> str:
    """The eval builtin: arguments expression, [radix], [width]."""
    name = argv[0]
    radix = 10
    if len(argv) > 2 and argv[2]:
        parsed = numeric_arg(ctx, name, argv[2])
        if parsed is None:
            return ""
        radix = parsed
    if not 1 <= radix <= 36:
        ctx.error(f"radix {radix} in builtin `{name}' out of range")
        return ""
    width = 1
    if len(argv) > 3:
        parsed = numeric_arg(ctx, name, argv[3])
        if parsed is None:
            return ""
        if parsed < 0:
            ctx.error(f"negative width to builtin `{name}'")
            return ""
        width = parsed
    text = argv[1]
    if "\0" in text:
        text = text[: text.index("\0")]
    if not text:
        ctx.error(f"empty string treated as 0 in builtin `{name}'")
        return format_radix(0, radix, width)
    if text.isdigit() and text.isascii() and len(text) < 10 and text[0] != "0":
        # A plain decimal constant, the most common argument: no parse needed.
        return format_radix(int(text), radix, width)
    value = evaluate(ctx, text)
    return "" if value is None else format_radix(value, radix, width)
