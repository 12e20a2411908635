"""Unit tests of m4compat.builtins.evalexpr: every expected value was observed
from GNU m4 1.4.19 (/usr/bin/m4). The differential test runs /usr/bin/m4 live
on a few thousand random expressions."""

from __future__ import annotations

import json
import os
import random
import subprocess
from pathlib import Path

import pytest

from m4compat.builtins import BUILTINS, evalexpr


class FakeContext:
    """Records diagnostics the way the expander would print them."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def warn(self, message: str) -> None:
        self.messages.append("Warning: " + message)

    def warn_argc(self, message: str) -> None:
        self.warn(message)

    def error(self, message: str) -> None:
        self.messages.append(message)

    def failure(self, message: str) -> None:
        self.messages.append("FAILURE " + message)


def run(*args: str) -> tuple[str, list[str]]:
    ctx = FakeContext()
    return BUILTINS["eval"].func(ctx, ["eval", *args]), ctx.messages


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("1+2", "3"),
        (" 1 + 2 ", "3"),
        ("1\n+\t2", "3"),
        ("2**3**2", "512"),  # ** is right-associative
        ("-2**2", "4"),  # unary minus binds tighter than **
        ("2**-1**2", "2"),
        ("~1**2", "4"),
        ("!2**2", "0"),
        ("2**0", "1"),
        ("0**1", "0"),
        ("(-2)**31", "-2147483648"),
        ("(-2)**32", "0"),
        ("3**40", "689956897"),
        ("2**31", "-2147483648"),
        ("2147483647+1", "-2147483648"),
        ("-(-2147483648)", "-2147483648"),
        ("-2147483648/-1", "-2147483648"),
        ("-2147483648%-1", "0"),
        ("65536*65536", "0"),
        ("7/-2", "-3"),
        ("-7%2", "-1"),
        ("7%-2", "1"),
        ("5 % -3", "2"),
        ("1<<32", "1"),  # shift counts are taken modulo 32
        ("1<<33", "2"),
        ("1<<-1", "-2147483648"),
        ("1>>-1", "0"),
        ("-8>>1", "-4"),
        ("-1>>31", "-1"),
        ("1<2<3", "1"),
        ("3>2>1", "0"),
        ("1 & 2 == 2", "1"),
        ("1 | 2 ^ 3 & 4", "3"),
        ("1 << 2 + 1", "8"),
        ("1 <= 2 == 1", "1"),
        ("2-3-4", "-5"),
        ("10%3%2", "1"),
        ("3&5", "1"),
        ("3|5", "7"),
        ("3^5", "6"),
        ("1!=2", "1"),
        ("!0", "1"),
        ("!!5", "1"),
        ("~0", "-1"),
        ("- -1", "1"),
        ("+-+1", "-1"),
        ("7 - - - 1", "6"),
        ("1&&0", "0"),
        ("5 || 0", "1"),
        ("0&&1/0", "0"),  # short circuit drops the error
        ("1||1/0", "1"),
        ("1 || 2**-1", "1"),
        ("0 && 1/0 || 1", "1"),
        ("0 && 1/0 && 1", "0"),
        ("0 && (1/0", "0"),  # GNU never looks for the ')'
        ("(1 )", "1"),
        ("((1+2)*3)", "9"),
        ("0x10", "16"),
        ("0X1a", "26"),
        ("010", "8"),
        ("0b101", "5"),
        ("0B11", "3"),
        ("0r36:zz", "1295"),
        ("0R16:FF", "255"),
        ("0r2:101", "5"),
        ("0r1:111", "3"),
        ("0r1:0011", "2"),
        ("0r1:", "0"),
        ("0r36:", "0"),
        ("0r001:1", "1"),
        ("0x", "0"),
        ("0b", "0"),
        ("0xFFFFFFFF", "-1"),
        ("4294967297", "1"),
        ("99999999999999999999", "1661992959"),
        ("0r36:zzzzzzzzzzzz", "-520093697"),
        ("5", "5"),
        ("0", "0"),
    ],
)
def test_values(expression: str, expected: str) -> None:
    assert run(expression) == (expected, [])


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("1/0", "divide by zero in eval: 1/0"),
        ("1%0", "modulo by zero in eval: 1%0"),
        ("2**-1", "negative exponent in eval: 2**-1"),
        ("0**-1", "negative exponent in eval: 0**-1"),
        ("0**0", "divide by zero in eval: 0**0"),
        ("1+", "bad expression in eval: 1+"),
        ("a", "bad expression in eval: a"),
        ("?", "bad expression in eval: ?"),
        ("  ", "bad expression in eval:   "),
        ("()", "bad expression in eval: ()"),
        ("1 *= 2", "FAILURE invalid operator in eval: 1 *= 2"),
        ("1 **= 2", "bad expression in eval: 1 **= 2"),
        ("1 2", "bad expression in eval (excess input): 1 2"),
        ("1)", "bad expression in eval (excess input): 1)"),
        ("08", "bad expression in eval (excess input): 08"),
        ("0b2", "bad expression in eval (excess input): 0b2"),
        ("0r1:101", "bad expression in eval (excess input): 0r1:101"),
        ("1 ! = 2", "bad expression in eval (excess input): 1 ! = 2"),
        ("1a", "bad expression in eval (bad input): 1a"),
        ("1.5", "bad expression in eval (bad input): 1.5"),
        ("0xg", "bad expression in eval (bad input): 0xg"),
        ("1 + ?", "bad expression in eval (bad input): 1 + ?"),
        ("-?", "bad expression in eval (bad input): -?"),
        ("1,2", "bad expression in eval (bad input): 1,2"),
        ("1?2:3", "bad expression in eval (bad input): 1?2:3"),  # no ?: in 1.4.19
        ("0r", "bad expression in eval: 0r"),
        ("0r37:1", "bad expression in eval: 0r37:1"),
        ("1 + 0r36", "bad expression in eval (bad input): 1 + 0r36"),
        ("(1", "bad expression in eval (missing right parenthesis): (1"),
        ("(1 2)", "bad expression in eval (missing right parenthesis): (1 2)"),
        ("(1 ++ 2)", "bad expression in eval (missing right parenthesis): (1 ++ 2)"),
        ("(1 ?)", "bad expression in eval (bad input): (1 ?)"),
        ("--1", "FAILURE invalid operator in eval: --1"),
        ("1++1", "FAILURE invalid operator in eval: 1++1"),
        ("1 ++", "FAILURE invalid operator in eval: 1 ++"),
        ("1 ^= 2", "FAILURE invalid operator in eval: 1 ^= 2"),
        ("1 <<= 2", "FAILURE invalid operator in eval: 1 <<= 2"),
        # GNU computes while it parses: what comes first wins.
        ("1/0 2", "divide by zero in eval: 1/0 2"),
        ("1/0 ?", "bad expression in eval (bad input): 1/0 ?"),
        ("1/0*?", "divide by zero in eval: 1/0*?"),
        ("(1/0", "divide by zero in eval: (1/0"),
        ("1/0 ++", "divide by zero in eval: 1/0 ++"),
        ("1%0/0", "modulo by zero in eval: 1%0/0"),
        ("2**-1/0", "negative exponent in eval: 2**-1/0"),
        ("1 = 1/0", "divide by zero in eval: 1 = 1/0"),
        # A dropped short-circuit error resumes parsing after the failed operation.
        ("0 && (1/0)", "bad expression in eval (excess input): 0 && (1/0)"),
        ("0 && 1/0 + 1", "bad expression in eval (excess input): 0 && 1/0 + 1"),
        ("1 || 1/0 && 1", "bad expression in eval (excess input): 1 || 1/0 && 1"),
        ("1 && (1/0) 2", "divide by zero in eval: 1 && (1/0) 2"),
        ("0 && 2**-1 || 1%0", "modulo by zero in eval: 0 && 2**-1 || 1%0"),
        ("0 && 1++1", "FAILURE invalid operator in eval: 0 && 1++1"),
        ("0 && (1 2)", "bad expression in eval (missing right parenthesis): 0 && (1 2)"),
    ],
)
def test_errors(expression: str, message: str) -> None:
    assert run(expression) == ("", [message])


@pytest.mark.parametrize(
    ("expression", "expected", "messages"),
    [
        ("1=1", "1", ["Warning: recommend ==, not =, for equality operator"]),
        ("1 =! 2", "0", ["Warning: recommend ==, not =, for equality operator"]),
        ("0 && 1=1", "0", ["Warning: recommend ==, not =, for equality operator"]),
        ("1 => 2", "", ["bad expression in eval: 1 => 2"]),
        (
            "1 || (1 = 2",
            "",
            [
                "Warning: recommend ==, not =, for equality operator",
                "bad expression in eval (missing right parenthesis): 1 || (1 = 2",
            ],
        ),
        ("", "0", ["empty string treated as 0 in builtin `eval'"]),
    ],
)
def test_warnings(expression: str, expected: str, messages: list[str]) -> None:
    assert run(expression) == (expected, messages)


@pytest.mark.parametrize(
    ("args", "expected", "messages"),
    [
        (["255", "16"], "ff", []),
        (["-255", "16"], "-ff", []),
        (["255", "2"], "11111111", []),
        (["35", "36"], "z", []),
        (["5", "1"], "11111", []),
        (["-5", "1"], "-11111", []),
        (["0", "1"], "0", []),
        (["0", "1", "3"], "000", []),
        (["5", "1", "10"], "0000011111", []),
        (["10", "10", "5"], "00010", []),
        (["-10", "10", "5"], "-00010", []),
        (["-255", "16", "8"], "-000000ff", []),
        (["0", "10", "0"], "0", []),
        (["-2147483648", "16"], "-80000000", []),
        (["10", ""], "10", []),  # an empty radix is 10, silently
        (["10", "", "5"], "00010", []),
        (["10", "010"], "10", []),  # radix and width are plain decimal
        (["1", "10", ""], "1", ["empty string treated as 0 in builtin `eval'"]),
        (["10", "37"], "", ["radix 37 in builtin `eval' out of range"]),
        (["10", "0"], "", ["radix 0 in builtin `eval' out of range"]),
        (["10", "-1"], "", ["radix -1 in builtin `eval' out of range"]),
        (["10", "2147483648"], "", ["radix -2147483648 in builtin `eval' out of range"]),
        (
            ["10", "99999999999999999999"],
            "",
            [
                "numeric overflow detected in builtin `eval'",
                "radix -1 in builtin `eval' out of range",
            ],
        ),
        (["10", "1x"], "", ["non-numeric argument to builtin `eval'"]),
        (["10", "10", "-1"], "", ["negative width to builtin `eval'"]),
        (["10", "10", "2147483648"], "", ["negative width to builtin `eval'"]),
        (["10", "10", "x"], "", ["non-numeric argument to builtin `eval'"]),
        # radix and width are checked before the expression
        (["1/0", "37"], "", ["radix 37 in builtin `eval' out of range"]),
        (["1/0", "10", "-1"], "", ["negative width to builtin `eval'"]),
        (["", "37"], "", ["radix 37 in builtin `eval' out of range"]),
        (
            ["1/0", "", ""],
            "",
            ["empty string treated as 0 in builtin `eval'", "divide by zero in eval: 1/0"],
        ),
        (["1\x00+1"], "1", []),
    ],
)
def test_radix_and_width(args: list[str], expected: str, messages: list[str]) -> None:
    assert run(*args) == (expected, messages)


def test_called_name_in_messages() -> None:
    ctx = FakeContext()
    func = BUILTINS["eval"].func
    assert func(ctx, ["baz", ""]) == "0"
    assert func(ctx, ["baz", "1", "37"]) == ""
    assert func(ctx, ["baz", "1/0"]) == ""
    assert ctx.messages == [
        "empty string treated as 0 in builtin `baz'",
        "radix 37 in builtin `baz' out of range",
        "divide by zero in eval: 1/0",  # GNU says "eval" here whatever the name
    ]


def test_invalid_operator_without_failure_method() -> None:
    class Plain:
        def __init__(self) -> None:
            self.messages: list[str] = []

        def warn(self, message: str) -> None:
            self.messages.append("Warning: " + message)

        def error(self, message: str) -> None:
            self.messages.append(message)

    ctx = Plain()
    assert BUILTINS["eval"].func(ctx, ["eval", "1++1"]) == ""
    assert ctx.messages == ["invalid operator in eval: 1++1"]


def test_shipped_table_is_what_lark_builds() -> None:
    # `make grammar` regenerates it; a stale file would silently cost lark at run time.
    with open(evalexpr.SHIPPED_TABLE, encoding="utf-8") as f:
        shipped = f.read()
    assert shipped == evalexpr.table_json(), "run `make grammar` after editing eval.lark"


def test_table_load_checks_the_grammar_key(tmp_path: Path) -> None:
    grammar = evalexpr._read_grammar()
    key = evalexpr._grammar_key(grammar)
    path = tmp_path / "table.json"
    path.write_text(evalexpr.table_json(grammar), encoding="utf-8")
    loaded = evalexpr._load_table(str(path), key)
    built = evalexpr._canonical(evalexpr._build_table(grammar))
    assert loaded is not None
    assert (loaded.actions, loaded.gotos, loaded.start, loaded.accept) == (
        built.actions,
        built.gotos,
        built.start,
        built.accept,
    )
    assert [(r.lhs, r.length, r.shape, r.operator) for r in loaded.rules] == [
        (r.lhs, r.length, r.shape, r.operator) for r in built.rules
    ]
    # Another grammar's table, or a damaged file, is not trusted.
    assert evalexpr._load_table(str(path), evalexpr._grammar_key(grammar + " ")) is None
    path.write_text(json.dumps({"key": key, "actions": 3}), encoding="utf-8")
    assert evalexpr._load_table(str(path), key) is None


def test_grammar_shapes() -> None:
    table = evalexpr._build_table(evalexpr._read_grammar())
    shapes = {(rule.shape, rule.operator) for rule in table.rules}
    binary = {op for shape, op in shapes if shape == "binary"}
    assert binary == {
        "LOR", "LAND", "BOR", "BXOR", "BAND", "EQ", "NE", "ASSIGN", "LT", "LE", "GT", "GE",
        "LSHIFT", "RSHIFT", "PLUS", "MINUS", "TIMES", "DIVIDE", "MODULO", "POWER",
    }  # fmt: skip
    assert {op for shape, op in shapes if shape == "unary"} == {"PLUS", "MINUS", "TILDE", "BANG"}
    assert (table.and_lhs, table.or_lhs) == ("and_expr", "or_expr")


# -- differential -----------------------------------------------------------------

GNU_M4 = "/usr/bin/m4"
_ATOMS = ["0", "1", "2", "7", "10", "0x1f", "08", "0b101", "0r36:z", "2147483647", "31", "00"]
_OPERATORS = [
    "+", "-", "*", "/", "%", "**", "<<", ">>", "<", "<=", ">", ">=", "==", "!=", "=",
    "&", "^", "|", "&&", "||", "~", "!", "(", ")", "(", ")", "++", "+=", " ", "?", "a",
    ",", "<<=", "**=", "/0", "%0", "**-1",
]  # fmt: skip


def _random_expression(rng: random.Random) -> str:
    parts: list[str] = []
    for _ in range(rng.randint(1, 12)):
        parts.append(rng.choice(_ATOMS) if rng.random() < 0.45 else rng.choice(_OPERATORS))
        if rng.random() < 0.3:
            parts.append(" ")
    return "".join(parts)


@pytest.mark.differential
@pytest.mark.skipif(not os.path.exists(GNU_M4), reason="GNU m4 is not installed at /usr/bin/m4")
def test_against_gnu_m4(tmp_path: Path) -> None:
    rng = random.Random(1419)
    calls = [[_random_expression(rng)] for _ in range(3000)]
    calls += [
        [str(rng.randint(-300, 300)), str(radix), str(rng.randint(0, 6))] for radix in range(1, 37)
    ]
    source = "".join("eval(" + ",".join(f"`{a}'" for a in args) + ")\n" for args in calls)
    (tmp_path / "in.m4").write_text(source, encoding="latin-1")
    result = subprocess.run(
        ["m4", "in.m4"],
        executable=GNU_M4,
        cwd=tmp_path,
        capture_output=True,
        env={"LC_ALL": "C"},
        check=False,
    )
    expected_out: list[str] = []
    expected_err: list[str] = []
    for line, args in enumerate(calls, 1):
        out, messages = run(*args)
        expected_out.append(out)
        expected_err += [f"m4:in.m4:{line}: {m.removeprefix('FAILURE ')}" for m in messages]
    assert result.stdout.decode("latin-1").split("\n")[:-1] == expected_out
    assert result.stderr.decode("latin-1").splitlines() == expected_err
