"""Match GNU m4 regular expressions exactly as GNU m4 1.4.19 does.

SYNOPSIS
    regex = gnu_regex(r"\\(a\\|ab\\)\\(c\\|bcd\\)")   # GnuRegex; GnuRegexError if bad
    m = regex.search(text, pos)      # GNU's match with registers: None, or
                                     # m.start() m.end() m.span() m.group(n)
    offset = regex.find(text)        # the start GNU reports without registers, or -1
    rx = compile_gnu(pattern)        # the Python re.Pattern translation
    try: ... except GnuRegexError as exc: exc.message   # "Unmatched ( or \\("

DESCRIPTION
    GNU m4 1.4.19 compiles the patterns of regexp, patsubst and
    --warn-macro-sequence with re_compile_pattern() under RE_SYNTAX_EMACS,
    which is 0: every syntax bit is clear. Observed on /usr/bin/m4
    (LC_ALL=C), that means:

    - \\( \\) group and \\| alternates; ( ) | { } are plain characters. There
      are no intervals: \\{ and \\} are the literal braces.
    - * + ? repeat the atom before them. At the start of the pattern, after
      \\(, after \\| and after any anchor they are literal characters; \\+ and
      \\? are literal too. Repeats stack (a** is (a*)*), and all are greedy.
    - ^ is an anchor only at the start of the pattern, after \\( or after \\|;
      $ only at the end or before \\) or \\|. Elsewhere both are literal. As
      re_compile_pattern sets newline_anchor, they also match after / before
      any newline (Python MULTILINE).
    - . matches any character but newline; [^...] does match a newline.
    - Bracket expressions: ] first is literal, - first or last is literal,
      backslash is literal, [.c.] and [=c=] name one character, but [:alpha:]
      is NOT a class (the [ is literal). Ranges go by byte value; a reversed
      range is empty, not an error.
    - \\1..\\9 refer back to a group closed before the current \\| branch
      began or in that branch (\\(b\\)\\|\\1 is invalid); \\w \\W (alnum and
      _), \\s \\S (C isspace), \\b \\B, \\< \\>, \\` and \\' (buffer start/end).
      Any other escaped character stands for itself (\\n is "n").

    Text is Latin-1 decoded bytes, so matching follows the C locale (what
    LC_ALL=C gives GNU m4): non-ASCII bytes are never word characters.

    Which match. GNU m4 links gnulib's regex engine (of May 2021), a POSIX
    matcher: the leftmost start, then the LONGEST match there, found by a
    DFA. The registers \\1..\\9 are then set by a walk along the NFA that,
    at each alternation or repeat, takes the first branch (by glibc's node
    numbering: left before right, another pass before leaving a repeat)
    from which that end is still reachable. Python's `re` is
    leftmost-FIRST: a\\|ab on "ab" gives "a", GNU "ab". Quirks of that
    engine that m4 shows, all reproduced here:

    - The walk stops as soon as it meets an empty-width node it already
      passed since the last character: the registers after that point stay
      unset, or half set (start only; read as empty), as in \\(a*\\)* on
      "aaa" or b**\\(a\\) on "a". With back-references the walk backtracks
      through a fail stack, and only goes on from such a stop while some
      register is half set.
    - A group repeated with * + or ? that matches empty in a later pass
      gets its earlier value back: \\(a\\|\\)* on "aa" sets \\1 to "a".
    - When the match can end in several ways, the walk keeps to the end
      node glibc numbers first: \\(a$\\)\\|\\(a\\) on "a" sets \\2, not \\1.
    - An anchor inside x+ loses its constraint in the copy of x glibc makes
      for the repetitions; with registers asked for (patsubst, three-argument
      regexp) glibc's check then refuses such a start, without them the
      unchecked DFA match is reported: \\(^a\\)+ on "aa".
    - While the DFA stays in its first state, glibc moves the start along,
      also under an empty match whose condition fails further on: regexp of
      "ba" and a*\\B gives 2, not 1.

    Three ways serve a pattern, the first that applies:

    - exact: Python `re` alone, when the pattern is free of ambiguity: no
      back-reference, no anchor inside a repeat, no repeat of something
      that can match empty, every \\| has non-empty branches that start
      with disjoint characters, no repeat can start with a character that
      may follow it, and no moved empty match (above). Then from any start
      at most one path reaches each end, the greedy first choice is also
      the longest, and leftmost-first is leftmost-longest, registers
      included. Most real patterns are of this kind: [a-z]+, \\<\\w+,
      ^\\(.*\\)$, foo\\|bar, \\(ab\\)*c.
    - checked: Python's match, kept when the DFA finds no longer one at its
      start. Without back-references, repeats of what can match empty and
      anchors other than a leading ^ \\` or trailing $ \\', the walk follows
      Python's path whenever the ends agree. Needs a translation Python
      backtracks through quickly (no repeat holding a repeat or \\|).
      For \\(.*\\)@\\(.*\\), a\\|ab, [a-z]*o.
    - emulated: a port of glibc's matcher (regcomp.c analyze(), regexec.c
      re_search_internal()): the same tree with x+ unrolled to x x*, x? as
      x\\|empty and \\b as two anchors, nodes numbered in the same postorder,
      epsilon closures with glibc's constraint-carrying node copies, a
      lazily built DFA (states cached per pattern) for the longest end,
      the backward "sifting" of nodes on a path to it, and the register
      walk. Python's translation finds the first possible start when that
      is safe; otherwise starts are tried one by one as glibc does,
      skipping characters no match can start with. With back-references,
      the end is the longest a backtracking search finds, and the walk
      runs over nodes sifted with approximate back-reference jumps.

    Compiled patterns are kept in an LRU cache, so a pattern that a macro
    uses thousands of times is translated once.

    Not reproduced: GNU m4 dies with "memory exhausted" when it substitutes
    a half-set register of a match at offset 2 or later (a negative length);
    here the register is empty. Back-references follow glibc only roughly:
    its own handling of them is irregular (and can take exponential time),
    and random patterns with back-references still differ in about two
    cases in a thousand (registers left unset, or another start).

DIAGNOSTICS
    GnuRegexError carries glibc's regerror() text, which m4 prints after
    "bad regular expression": "Unmatched ( or \\(", "Unmatched ) or \\)",
    "Unmatched [, [^, [:, [., or [=", "Invalid regular expression" ([ or [^
    at the end), "Invalid range end", "Invalid collation character",
    "Invalid back reference", "Trailing backslash".

SEE ALSO
    m4compat.builtins.text (regexp, patsubst), m4compat.expander
    (--warn-macro-sequence), GNU m4 manual "Regexp", glibc regex.h,
    gnulib lib/regcomp.c and lib/regexec.c.
"""

from __future__ import annotations

import re
from functools import lru_cache

TYPE_CHECKING = False  # typing itself costs ~10 ms to import
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import TypeAlias

    Span: TypeAlias = tuple[int, int]

__all__ = ["GnuMatch", "GnuRegex", "GnuRegexError", "compile_gnu", "gnu_regex", "translate"]

_UNMATCHED_OPEN = "Unmatched ( or \\("
_UNMATCHED_CLOSE = "Unmatched ) or \\)"
_UNMATCHED_BRACKET = "Unmatched [, [^, [:, [., or [="
_BAD_PATTERN = "Invalid regular expression"
_BAD_RANGE = "Invalid range end"
_BAD_COLLATION = "Invalid collation character"
_BAD_BACKREF = "Invalid back reference"
_TRAILING_BACKSLASH = "Trailing backslash"

# Characters with a meaning inside a Python character class (escaping & ~ |
# also avoids the "possible set operation" FutureWarning).
_CLASS_SPECIAL = frozenset("\\]^-[&~|")

_WORD = "[0-9A-Za-z_]"
_NOT_WORD = "[^0-9A-Za-z_]"
_SPACE = "[ \\t\\n\\v\\f\\r]"
_NOT_SPACE = "[^ \\t\\n\\v\\f\\r]"

# Backslash escapes that are zero-width assertions, in Python syntax.
_ANCHOR_ESCAPES = {
    "b": "\\b",
    # Python's \B fails on an empty string; GNU's matches there.
    "B": "(?:(?<![0-9A-Za-z_])(?![0-9A-Za-z_])|(?<=[0-9A-Za-z_])(?=[0-9A-Za-z_]))",
    "<": "\\b(?=[0-9A-Za-z_])",
    ">": "\\b(?<=[0-9A-Za-z_])",
    "`": "\\A",
    "'": "\\Z",
}
_CLASS_ESCAPES = {"w": _WORD, "W": _NOT_WORD, "s": _SPACE, "S": _NOT_SPACE}


def _mask(chars: str) -> int:
    bits = 0
    for ch in chars:
        bits |= 1 << ord(ch)
    return bits


# Character sets as 256-bit masks (bit N: byte N matches).
_ALL = (1 << 256) - 1
_WORD_MASK = _mask("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_SPACE_MASK = _mask(" \t\n\v\f\r")
_CLASS_MASKS = {
    "w": _WORD_MASK,
    "W": _ALL & ~_WORD_MASK,
    "s": _SPACE_MASK,
    "S": _ALL & ~_SPACE_MASK,
}
_DOT_MASK = _ALL & ~(1 << 10)


class GnuRegexError(Exception):
    """A pattern GNU regex refuses; message is glibc's regerror() text."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# -- parsing ------------------------------------------------------------------------

# AST node kinds.
_CHARS, _ANCHOR, _BACKREF, _GROUP, _CONCAT, _ALTERN, _REPEAT = range(7)


class _Ast:
    """One node of the parsed pattern.

    kind is one of _CHARS (mask, text = Python source), _ANCHOR (text = the
    GNU spelling: ^ $ ` ' b B < >), _BACKREF (number), _GROUP (number,
    children = [body or None]), _CONCAT (children), _ALTERN (children: one per
    branch, None for an empty one) and _REPEAT (text = * + or ?, children =
    [body]).
    """

    __slots__ = ("children", "kind", "mask", "number", "text")

    def __init__(
        self,
        kind: int,
        *,
        text: str = "",
        mask: int = 0,
        number: int = 0,
        children: list[_Ast | None] | None = None,
    ) -> None:
        self.kind = kind
        self.text = text
        self.mask = mask
        self.number = number
        self.children: list[_Ast | None] = children if children is not None else []


def _literal(ch: str) -> _Ast:
    return _Ast(_CHARS, text=re.escape(ch), mask=1 << ord(ch) if ord(ch) < 256 else 0)


class _Parser:
    """One left-to-right pass over the pattern, as glibc's parser reads it.

    Errors are raised where glibc meets them, so the first problem in the
    pattern is the one reported.
    """

    __slots__ = ("closed_groups", "groups", "i", "n", "p")

    def __init__(self, pattern: str) -> None:
        self.p = pattern
        self.n = len(pattern)
        self.i = 0
        self.groups = 0
        # Group numbers whose \) has been read: \N may only refer to these.
        self.closed_groups: set[int] = set()

    def run(self) -> _Ast | None:
        tree = self.alternation()
        if self.i < self.n:
            # alternation() stops only at the end or at "\)".
            raise GnuRegexError(_UNMATCHED_CLOSE)
        return tree

    def alternation(self) -> _Ast | None:
        branches: list[_Ast | None] = []
        # A branch may refer back only to groups closed before the alternation
        # began or in the branch itself: \(b\)\|\1 is invalid (parse_reg_exp).
        before = set(self.closed_groups)
        closed: set[int] = set()
        while True:
            branches.append(self.sequence())
            closed |= self.closed_groups
            if self.p.startswith("\\|", self.i):
                self.i += 2
                self.closed_groups = set(before)
                continue
            self.closed_groups = closed
            if len(branches) == 1:
                return branches[0]
            return _Ast(_ALTERN, children=branches)

    def sequence(self) -> _Ast | None:
        p, n = self.p, self.n
        start = self.i
        atoms: list[_Ast] = []
        # Whether the last atom takes a repeat operator: not at the start and
        # not after an anchor, where GNU reads * + ? as plain characters.
        repeatable = False
        while self.i < n:
            c = p[self.i]
            atom: _Ast
            if c == "\\":
                if self.i + 1 >= n:
                    raise GnuRegexError(_TRAILING_BACKSLASH)
                c2 = p[self.i + 1]
                if c2 in "|)":
                    break
                self.i += 2
                if c2 == "(":
                    self.groups += 1
                    number = self.groups
                    inner = self.alternation()
                    if not p.startswith("\\)", self.i):
                        raise GnuRegexError(_UNMATCHED_OPEN)
                    self.i += 2
                    self.closed_groups.add(number)
                    atom, repeatable = _Ast(_GROUP, number=number, children=[inner]), True
                elif "1" <= c2 <= "9":
                    if int(c2) not in self.closed_groups:
                        raise GnuRegexError(_BAD_BACKREF)
                    atom, repeatable = _Ast(_BACKREF, number=int(c2)), True
                elif c2 in _ANCHOR_ESCAPES:
                    atom, repeatable = _Ast(_ANCHOR, text=c2), False
                elif c2 in _CLASS_ESCAPES:
                    atom = _Ast(_CHARS, text=_CLASS_ESCAPES[c2], mask=_CLASS_MASKS[c2])
                    repeatable = True
                else:
                    atom, repeatable = _literal(c2), True
            elif c in "*+?":
                self.i += 1
                if repeatable:
                    atoms[-1] = _Ast(_REPEAT, text=c, children=[atoms[-1]])
                    continue
                atom, repeatable = _literal(c), True
            elif c == "^" and self.i == start:
                self.i += 1
                atom, repeatable = _Ast(_ANCHOR, text="^"), False
            elif c == "$" and (
                self.i + 1 == n
                or p.startswith("\\|", self.i + 1)
                or p.startswith("\\)", self.i + 1)
            ):
                self.i += 1
                atom, repeatable = _Ast(_ANCHOR, text="$"), False
            elif c == ".":
                self.i += 1
                atom, repeatable = _Ast(_CHARS, text=".", mask=_DOT_MASK), True
            elif c == "[":
                self.i += 1
                atom, repeatable = self.bracket(), True
            else:
                self.i += 1
                atom, repeatable = _literal(c), True
            atoms.append(atom)
        if not atoms:
            return None
        if len(atoms) == 1:
            return atoms[0]
        return _Ast(_CONCAT, children=list(atoms))

    def bracket(self) -> _Ast:
        """Read a bracket expression after its '[' and return a character set."""
        p, n = self.p, self.n
        negate = False
        if self.i < n and p[self.i] == "^":
            negate = True
            self.i += 1
        if self.i >= n:
            raise GnuRegexError(_BAD_PATTERN)
        chars: set[int] = set()
        ranges: list[tuple[int, int]] = []
        first = True
        while True:
            if self.i >= n:
                raise GnuRegexError(_UNMATCHED_BRACKET)
            if p[self.i] == "]" and not first:
                self.i += 1
                break
            kind, value = self.bracket_element(accept_hyphen=first)
            first = False
            if kind == "equiv":
                chars.add(value)
                continue
            if self.i >= n:
                raise GnuRegexError(_UNMATCHED_BRACKET)
            if p[self.i] == "-":
                if self.i + 1 >= n:
                    raise GnuRegexError(_UNMATCHED_BRACKET)
                if p[self.i + 1] != "]":
                    self.i += 1
                    end_kind, end = self.bracket_element(accept_hyphen=True)
                    if end_kind == "equiv":
                        raise GnuRegexError(_BAD_RANGE)
                    if value <= end:
                        ranges.append((value, end))
                    continue
                # "x-]": the '-' is read again as an ordinary element.
            chars.add(value)
        mask = 0
        for code in chars:
            mask |= 1 << code
        for lo, hi in ranges:
            mask |= ((1 << (hi + 1)) - 1) ^ ((1 << lo) - 1)
        mask &= _ALL
        if negate:
            mask = _ALL & ~mask
        return _Ast(_CHARS, text=_python_class(chars, ranges, negate), mask=mask)

    def bracket_element(self, *, accept_hyphen: bool) -> tuple[str, int]:
        """One element: ("char", code) or ("equiv", code) for [=c=]."""
        p, n = self.p, self.n
        c = p[self.i]
        if c == "[" and self.i + 1 < n and p[self.i + 1] in ".=":
            delim = p[self.i + 1]
            self.i += 2
            name = ""
            while True:
                ch = p[self.i] if self.i < n else ""
                self.i += 1
                if self.i >= n:
                    raise GnuRegexError(_UNMATCHED_BRACKET)
                # The first character may be the delimiter itself: "[..]" is an
                # empty name, "[...]" names ".".
                if ch == delim and p[self.i] == "]":
                    break
                name += ch
            self.i += 1
            if len(name) != 1:
                raise GnuRegexError(_BAD_COLLATION)
            return ("equiv" if delim == "=" else "char"), ord(name)
        if c == "-" and not accept_hyphen:
            if self.i + 1 >= n or p[self.i + 1] != "]":
                raise GnuRegexError(_BAD_RANGE)
        self.i += 1
        return "char", ord(c)


def _class_char(code: int) -> str:
    ch = chr(code)
    if ch in _CLASS_SPECIAL:
        return "\\" + ch
    if code < 32 or code == 127:
        return f"\\x{code:02x}"
    return ch


def _python_class(chars: set[int], ranges: list[tuple[int, int]], negate: bool) -> str:
    parts = [_class_char(c) for c in sorted(chars)]
    parts += [f"{_class_char(lo)}-{_class_char(hi)}" for lo, hi in ranges]
    if not parts:
        # An empty set ([z-a]) matches nothing; its complement matches anything.
        return "[\\s\\S]" if negate else "(?!)"
    return ("[^" if negate else "[") + "".join(parts) + "]"


# -- the Python translation and the fast-path test --------------------------------


def _python_source(node: _Ast | None) -> str:
    if node is None:
        return ""
    kind = node.kind
    if kind == _CHARS:
        return node.text
    if kind == _ANCHOR:
        return node.text if node.text in "^$" else _ANCHOR_ESCAPES[node.text]
    if kind == _BACKREF:
        return f"(?:\\{node.number})"
    if kind == _GROUP:
        return f"({_python_source(node.children[0])})"
    if kind == _CONCAT:
        return "".join(_python_source(c) for c in node.children)
    if kind == _ALTERN:
        return "|".join(_python_source(c) for c in node.children)
    return f"(?:{_python_source(node.children[0])}){node.text}"


def _nullable(node: _Ast | None) -> bool:
    """Whether NODE can match the empty string (anchors and back-references can)."""
    if node is None:
        return True
    kind = node.kind
    if kind == _CHARS:
        return False
    if kind in (_ANCHOR, _BACKREF):
        return True
    if kind == _CONCAT:
        return all(_nullable(c) for c in node.children)
    if kind == _ALTERN:
        return any(_nullable(c) for c in node.children)
    if kind == _REPEAT:
        return node.text != "+" or _nullable(node.children[0])
    return _nullable(node.children[0])


def _first(node: _Ast | None) -> int:
    """The characters a non-empty match of NODE can start with (as a mask)."""
    if node is None:
        return 0
    kind = node.kind
    if kind == _CHARS:
        return node.mask
    if kind == _ANCHOR:
        return 0
    if kind == _BACKREF:
        return _ALL
    if kind == _CONCAT:
        bits = 0
        for child in node.children:
            bits |= _first(child)
            if not _nullable(child):
                break
        return bits
    if kind == _ALTERN:
        bits = 0
        for child in node.children:
            bits |= _first(child)
        return bits
    return _first(node.children[0])


def _unambiguous(node: _Ast | None, follow: int, in_repeat: bool) -> bool:
    """Whether leftmost-first and leftmost-longest agree on NODE (see DESCRIPTION).

    FOLLOW is the set of characters that can come right after NODE's match.
    """
    if node is None:
        return True
    kind = node.kind
    if kind == _CHARS:
        return True
    if kind == _ANCHOR:
        return not in_repeat
    if kind == _BACKREF:
        return False
    if kind == _GROUP:
        return _unambiguous(node.children[0], follow, in_repeat)
    if kind == _CONCAT:
        children = node.children
        after = follow
        for child in reversed(children):
            if not _unambiguous(child, after, in_repeat):
                return False
            after = _first(child) | (after if _nullable(child) else 0)
        return True
    if kind == _ALTERN:
        seen = 0
        for child in node.children:
            if child is None or _nullable(child):
                return False
            bits = _first(child)
            if bits & seen:
                return False
            seen |= bits
            if not _unambiguous(child, follow, in_repeat):
                return False
        return True
    body = node.children[0]
    if body is None or _nullable(body):
        return False
    bits = _first(body)
    if bits & follow:
        return False
    inner_follow = follow | (bits if node.text != "?" else 0)
    return _unambiguous(body, inner_follow, True)


def _head_loops(node: _Ast | None) -> tuple[int, bool]:
    """The characters repeats at the very start of NODE can take, and whether
    NODE can be passed without input and without an anchor."""
    if node is None:
        return 0, True
    kind = node.kind
    if kind in (_CHARS, _ANCHOR, _BACKREF):
        return 0, False
    if kind == _GROUP:
        return _head_loops(node.children[0])
    if kind == _REPEAT:
        bits, passable = _head_loops(node.children[0])
        return bits | _first(node.children[0]), passable or node.text != "+"
    bits = 0
    if kind == _ALTERN:
        passable = False
        for child in node.children:
            child_bits, child_passable = _head_loops(child)
            bits |= child_bits
            passable = passable or child_passable
        return bits, passable
    for child in node.children:
        child_bits, child_passable = _head_loops(child)
        bits |= child_bits
        if not child_passable:
            return bits, False
    return bits, True


def _anchors(node: _Ast | None) -> set[str]:
    if node is None:
        return set()
    if node.kind == _ANCHOR:
        return {node.text}
    found: set[str] = set()
    for child in node.children:
        found |= _anchors(child)
    return found


def _moves_empty_match(node: _Ast | None) -> bool:
    """Whether glibc may report an empty match further on than it is.

    check_matching() moves the start along while its DFA stays in the first
    state; when that state accepted the empty string only under a condition
    on the next character that fails later on (\\B, or $ after a newline),
    the empty match is reported where the DFA left the first state: regexp
    of "ba" and a*\\B gives 2, not 1. That takes a repeat at the very start.
    """
    if not _nullable(node):
        return False
    loops, _ = _head_loops(node)
    anchors = _anchors(node)
    return bool(loops) and ("B" in anchors or ("$" in anchors and (loops >> 10) & 1 == 1))


def _backtracks_safely(node: _Ast | None, in_repeat: bool) -> bool:
    """Whether Python's backtracking stays polynomial: no repeat holds a repeat
    or an alternation."""
    if node is None:
        return True
    kind = node.kind
    if in_repeat and kind in (_REPEAT, _ALTERN):
        return False
    inner = in_repeat or kind == _REPEAT
    return all(_backtracks_safely(c, inner) for c in node.children)


def _mask_class(mask: int) -> str:
    """A Python character class for the bytes in MASK."""
    parts: list[str] = []
    code = 0
    while code < 256:
        if not (mask >> code) & 1:
            code += 1
            continue
        end = code
        while end + 1 < 256 and (mask >> (end + 1)) & 1:
            end += 1
        parts.append(f"\\x{code:02x}" if end == code else f"\\x{code:02x}-\\x{end:02x}")
        code = end + 1
    return "[" + "".join(parts) + "]" if parts else "(?!)"


def _has_backref(node: _Ast | None) -> bool:
    if node is None:
        return False
    return node.kind == _BACKREF or any(_has_backref(c) for c in node.children)


def _anchor_in_plus(node: _Ast | None, inside: bool) -> bool:
    """Whether an anchor sits in x+, where glibc may drop its constraint."""
    if node is None:
        return False
    if node.kind == _ANCHOR:
        return inside
    inside = inside or (node.kind == _REPEAT and node.text == "+")
    return any(_anchor_in_plus(c, inside) for c in node.children)


def _checkable(node: _Ast | None) -> bool:
    """Whether Python's match is GNU's as soon as it is the longest at its start.

    Then GNU's register walk follows Python's path: no back-reference, no
    repeat of something that can match empty (no walk loops, no restored
    groups), anchors only as the first (^ \\`) or last ($ \\') item of the
    pattern (one end node), and a translation Python backtracks through
    quickly.
    """
    if node is None:
        return True
    items = node.children if node.kind == _CONCAT else [node]
    for k, item in enumerate(items):
        if item is not None and item.kind == _ANCHOR:
            if not ((k == 0 and item.text in "^`") or (k == len(items) - 1 and item.text in "$'")):
                return False
        elif _anchors(item) or not _loops_consume(item):
            return False
    return not _has_backref(node) and _backtracks_safely(node, False)


def _loops_consume(node: _Ast | None) -> bool:
    """Whether every repeat in NODE repeats something that cannot match empty."""
    if node is None:
        return True
    if node.kind == _REPEAT and _nullable(node.children[0]):
        return False
    return all(_loops_consume(c) for c in node.children)


# -- glibc's NFA --------------------------------------------------------------------

# Node types, with glibc's values: bit 8 marks the epsilon nodes.
_T_CHARSET = 1
_T_END = 2
_T_BACKREF = 4
_T_OPEN = 8
_T_CLOSE = 9
_T_ALT = 10
_T_STAR = 11
_T_ANCHOR = 12
_T_CONCAT = 16  # tree only
_T_SUBEXP = 17  # tree only
_EPSILON = 8

# Constraints (regex_internal.h).
_PREV_WORD = 0x01
_PREV_NOTWORD = 0x02
_NEXT_WORD = 0x04
_NEXT_NOTWORD = 0x08
_PREV_NEWLINE = 0x10
_NEXT_NEWLINE = 0x20
_PREV_BEGBUF = 0x40
_NEXT_ENDBUF = 0x80
_INSIDE_WORD = _PREV_WORD | _NEXT_WORD
_WORD_FIRST = _PREV_NOTWORD | _NEXT_WORD
_WORD_LAST = _PREV_WORD | _NEXT_NOTWORD
_INSIDE_NOTWORD = _PREV_NOTWORD | _NEXT_NOTWORD
_ANCHOR_CONSTRAINTS = {
    "^": _PREV_NEWLINE,
    "$": _NEXT_NEWLINE,
    "`": _PREV_BEGBUF,
    "'": _NEXT_ENDBUF,
    "<": _WORD_FIRST,
    ">": _WORD_LAST,
}

# Contexts of a position (what the character before or after it is).
_CTX_WORD = 1
_CTX_NEWLINE = 2
_CTX_BEGBUF = 4
_CTX_ENDBUF = 8
_CHAR_CONTEXT = tuple(
    _CTX_WORD if (_WORD_MASK >> code) & 1 else _CTX_NEWLINE if code == 10 else 0
    for code in range(256)
)


def _char_context(ch: str) -> int:
    code = ord(ch)
    return _CHAR_CONTEXT[code] if code < 256 else 0


def _context_at(text: str, i: int) -> int:
    """re_string_context_at(): the context of position I's character."""
    if i < 0:
        return _CTX_BEGBUF | _CTX_NEWLINE
    if i >= len(text):
        return _CTX_ENDBUF | _CTX_NEWLINE
    return _char_context(text[i])


def _prev_fails(constraint: int, context: int) -> bool:
    return bool(
        (constraint & _PREV_WORD and not context & _CTX_WORD)
        or (constraint & _PREV_NOTWORD and context & _CTX_WORD)
        or (constraint & _PREV_NEWLINE and not context & _CTX_NEWLINE)
        or (constraint & _PREV_BEGBUF and not context & _CTX_BEGBUF)
    )


def _next_fails(constraint: int, context: int) -> bool:
    return bool(
        (constraint & _NEXT_WORD and not context & _CTX_WORD)
        or (constraint & _NEXT_NOTWORD and context & _CTX_WORD)
        or (constraint & _NEXT_NEWLINE and not context & _CTX_NEWLINE)
        or (constraint & _NEXT_ENDBUF and not context & _CTX_ENDBUF)
    )


class _Tree:
    """A node of glibc's parse tree (bin_tree_t with its token)."""

    __slots__ = (
        "constraint",
        "duplicated",
        "first",
        "left",
        "mask",
        "next",
        "node_idx",
        "opt_subexp",
        "parent",
        "right",
        "subexp",
        "type",
    )

    def __init__(self, type_: int, left: _Tree | None = None, right: _Tree | None = None) -> None:
        self.type = type_
        self.left = left
        self.right = right
        self.parent: _Tree | None = None
        if left is not None:
            left.parent = self
        if right is not None:
            right.parent = self
        self.mask = 0
        self.constraint = 0
        self.subexp = 0
        self.opt_subexp = False
        self.duplicated = False
        self.first: _Tree = self
        self.next: _Tree | None = None
        self.node_idx = -1


def _leaf(type_: int, *, mask: int = 0, constraint: int = 0, subexp: int = 0) -> _Tree:
    node = _Tree(type_)
    node.mask = mask
    node.constraint = constraint
    node.subexp = subexp
    return node


def _duplicate_tree(node: _Tree) -> _Tree:
    """duplicate_tree(): a deep copy whose tokens are all marked duplicated."""
    left = _duplicate_tree(node.left) if node.left is not None else None
    right = _duplicate_tree(node.right) if node.right is not None else None
    copy = _Tree(node.type, left, right)
    copy.mask = node.mask
    copy.constraint = node.constraint
    copy.subexp = node.subexp
    copy.opt_subexp = node.opt_subexp
    copy.duplicated = True
    return copy


def _glibc_tree(node: _Ast | None) -> _Tree | None:
    """The tree glibc's parse_reg_exp() builds for NODE."""
    if node is None:
        return None
    kind = node.kind
    if kind == _CHARS:
        return _leaf(_T_CHARSET, mask=node.mask)
    if kind == _ANCHOR:
        if node.text == "b":
            first, last = _WORD_FIRST, _WORD_LAST
        elif node.text == "B":
            first, last = _INSIDE_WORD, _INSIDE_NOTWORD
        else:
            return _leaf(_T_ANCHOR, constraint=_ANCHOR_CONSTRAINTS[node.text])
        return _Tree(_T_ALT, _leaf(_T_ANCHOR, constraint=first), _leaf(_T_ANCHOR, constraint=last))
    if kind == _BACKREF:
        return _leaf(_T_BACKREF, subexp=node.number - 1)
    if kind == _GROUP:
        tree = _Tree(_T_SUBEXP, _glibc_tree(node.children[0]))
        tree.subexp = node.number - 1
        return tree
    if kind == _CONCAT:
        result: _Tree | None = None
        for child in node.children:
            built = _glibc_tree(child)
            if built is None:
                continue
            result = built if result is None else _Tree(_T_CONCAT, result, built)
        return result
    if kind == _ALTERN:
        result = _glibc_tree(node.children[0])
        for child in node.children[1:]:
            result = _Tree(_T_ALT, result, _glibc_tree(child))
        return result
    # parse_dup_op(): x* is STAR(x), x? is ALT(x, empty), x+ is x STAR(copy of x);
    # a group that is repeated directly is marked "optional".
    elem = _glibc_tree(node.children[0])
    assert elem is not None, "a repeat always has a body"
    head: _Tree | None = None
    if node.text == "+":
        head = elem
        elem = _duplicate_tree(elem)
    if elem.type == _T_SUBEXP:
        elem.opt_subexp = True
    tree = _Tree(_T_ALT if node.text == "?" else _T_STAR, elem)
    return tree if head is None else _Tree(_T_CONCAT, head, tree)


def _preorder(root: _Tree) -> list[_Tree]:
    out: list[_Tree] = []
    stack = [root]
    while stack:
        node = stack.pop()
        out.append(node)
        if node.right is not None:
            stack.append(node.right)
        if node.left is not None:
            stack.append(node.left)
    return out


def _postorder(root: _Tree) -> list[_Tree]:
    out: list[_Tree] = []
    stack: list[tuple[_Tree, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            out.append(node)
            continue
        stack.append((node, True))
        if node.right is not None:
            stack.append((node.right, False))
        if node.left is not None:
            stack.append((node.left, False))
    return out


class _Program:
    """glibc's compiled DFA/NFA for one pattern (re_dfa_t), and its matcher."""

    def __init__(self, ast: _Ast | None, nsub: int, python: re.Pattern[str]) -> None:
        self.ast = ast
        self.nsub = nsub
        self.nbackref = 0
        self.has_plural_match = False
        # An anchor whose constraint glibc drops (see DESCRIPTION): then
        # Python's idea of where a match starts cannot be trusted.
        self.lossy = False
        # Node arrays (dfa->nodes, nexts, edests, eclosures, ...).
        self.type: list[int] = []
        self.mask: list[int] = []
        self.constraint: list[int] = []
        self.subexp: list[int] = []
        self.opt_subexp: list[bool] = []
        self.duplicated: list[bool] = []
        self.nexts: list[int] = []
        self.edests: list[tuple[int, ...]] = []
        self.org_index: list[int] = []
        self.eclosure: list[frozenset[int]] = []
        self.inveclosure: list[frozenset[int]] = []
        self.subexp_map: list[int] | None = None
        self._compile(ast)
        # Where a match may start: Python's translation finds the first place
        # a match exists, unless an anchor lost its constraint in glibc or the
        # translation could backtrack for ages ((?:a*)*); else a set of first
        # characters narrows the starts, as glibc's fastmap does.
        self.finder: re.Pattern[str] | None = None
        if not self.lossy and _backtracks_safely(ast, False):
            self.finder = python
        elif not _nullable(ast):
            self.finder = re.compile(_mask_class(_first(ast)))
        self._states: dict[tuple[frozenset[int], int], _State] = {}
        self._init_states: dict[int, _State] = {}
        self._sets: dict[frozenset[int], frozenset[int]] = {}
        self._sift_cache: dict[tuple[object, ...], frozenset[int] | None] = {}

    # -- compilation (regcomp.c analyze) --

    def _add_node(self, tree: _Tree) -> int:
        self.type.append(tree.type)
        self.mask.append(tree.mask)
        self.constraint.append(tree.constraint if tree.type == _T_ANCHOR else 0)
        self.subexp.append(tree.subexp)
        self.opt_subexp.append(tree.opt_subexp)
        self.duplicated.append(tree.duplicated)
        self.nexts.append(-1)
        self.edests.append(())
        self.org_index.append(-1)
        return len(self.type) - 1

    def _compile(self, ast: _Ast | None) -> None:
        tree = _glibc_tree(ast)
        end = _leaf(_T_END)
        root = _Tree(_T_CONCAT, tree, end) if tree is not None else end
        self._optimize_subexps(root)
        for node in _postorder(root):
            # lower_subexps(): \(x\) becomes OPEN x CLOSE.
            if node.left is not None and node.left.type == _T_SUBEXP:
                node.left = self._lower_subexp(node.left)
                node.left.parent = node
            if node.right is not None and node.right.type == _T_SUBEXP:
                node.right = self._lower_subexp(node.right)
                node.right.parent = node
        for node in _postorder(root):  # calc_first
            if node.type == _T_CONCAT:
                assert node.left is not None
                node.first = node.left.first
                node.node_idx = node.left.node_idx
            else:
                node.first = node
                node.node_idx = self._add_node(node)
                if node.type == _T_BACKREF:
                    self.nbackref += 1
        for node in _preorder(root):  # calc_next
            if node.type == _T_STAR:
                assert node.left is not None
                node.left.next = node
            elif node.type == _T_CONCAT:
                assert node.left is not None and node.right is not None
                node.left.next = node.right.first
                node.right.next = node.next
            else:
                if node.left is not None:
                    node.left.next = node.next
                if node.right is not None:
                    node.right.next = node.next
        for node in _preorder(root):  # link_nfa_nodes
            self._link(node)
        self.init_node = root.first.node_idx
        # An anchor followed by a node of a duplicated tree keeps its constraint
        # to itself (calc_eclosure_iter tests "duplicated" for its own clones).
        for idx, type_ in enumerate(self.type):
            if type_ == _T_ANCHOR and self.edests[idx]:
                if self.duplicated[self.edests[idx][0]]:
                    self.lossy = True
        self._calc_eclosure()
        inverse: list[set[int]] = [set() for _ in self.type]
        for src, closure in enumerate(self.eclosure):
            for node_idx in closure:
                inverse[node_idx].add(src)
        self.inveclosure = [frozenset(s) for s in inverse]

    def _optimize_subexps(self, root: _Tree) -> None:
        """optimize_subexps(): \\(\\(x\\)\\) keeps one group; the inner one maps to it."""
        subexp_map = list(range(self.nsub))
        node: _Tree | None = root
        # glibc's preorder() follows the tree as this function changes it.
        while node is not None:
            if node.type == _T_BACKREF:
                node.subexp = subexp_map[node.subexp]
            elif node.type == _T_SUBEXP and node.left is not None and node.left.type == _T_SUBEXP:
                other = node.left.subexp
                node.left = node.left.left
                if node.left is not None:
                    node.left.parent = node
                subexp_map[other] = subexp_map[node.subexp]
            if node.left is not None:
                node = node.left
                continue
            prev: _Tree | None = None
            while node is not None and (node.right is prev or node.right is None):
                prev = node
                node = node.parent
            if node is not None:
                node = node.right
        if subexp_map != list(range(self.nsub)):
            self.subexp_map = subexp_map

    @staticmethod
    def _lower_subexp(node: _Tree) -> _Tree:
        body = node.left
        opening = _leaf(_T_OPEN, subexp=node.subexp)
        closing = _leaf(_T_CLOSE, subexp=node.subexp)
        opening.opt_subexp = closing.opt_subexp = node.opt_subexp
        tail = _Tree(_T_CONCAT, body, closing) if body is not None else closing
        return _Tree(_T_CONCAT, opening, tail)

    def _link(self, node: _Tree) -> None:
        idx = node.node_idx
        type_ = node.type
        if type_ in (_T_CONCAT, _T_END):
            return
        if type_ in (_T_STAR, _T_ALT):
            self.has_plural_match = True
            assert node.next is not None or (node.left is not None and node.right is not None)
            left = node.left.first.node_idx if node.left is not None else _idx(node.next)
            right = node.right.first.node_idx if node.right is not None else _idx(node.next)
            self.edests[idx] = (left,) if left == right else (min(left, right), max(left, right))
        elif type_ in (_T_ANCHOR, _T_OPEN, _T_CLOSE):
            self.edests[idx] = (_idx(node.next),)
        elif type_ == _T_BACKREF:
            self.nexts[idx] = _idx(node.next)
            self.edests[idx] = (self.nexts[idx],)
        else:
            self.nexts[idx] = _idx(node.next)

    def _duplicate_node(self, org: int, constraint: int) -> int:
        idx = len(self.type)
        self.type.append(self.type[org])
        self.mask.append(self.mask[org])
        self.constraint.append(constraint | self.constraint[org])
        self.subexp.append(self.subexp[org])
        self.opt_subexp.append(self.opt_subexp[org])
        self.duplicated.append(True)
        self.nexts.append(-1)
        self.edests.append(())
        self.org_index.append(org)
        self.eclosure.append(_NOT_DONE)
        return idx

    def _search_duplicated(self, org: int, constraint: int) -> int:
        idx = len(self.type) - 1
        while idx > 0 and self.duplicated[idx]:
            if self.org_index[idx] == org and self.constraint[idx] == constraint:
                return idx
            idx -= 1
        return -1

    def _duplicate_closure(self, top_org: int, top_clone: int, root: int, init: int) -> None:
        """duplicate_node_closure(): copy the closure behind an anchor with its constraint."""
        org, clone = top_org, top_clone
        constraint = init
        while True:
            if self.type[org] == _T_BACKREF:
                dest = self.nexts[org]
                clone_dest = self._duplicate_node(dest, constraint)
                self.nexts[clone] = self.nexts[org]
                self.edests[clone] = (clone_dest,)
                # glibc goes on from the back-reference's destination.
                org, clone = dest, clone_dest
                continue
            dests = self.edests[org]
            if not dests:
                self.nexts[clone] = self.nexts[org]
                return
            if len(dests) == 1:
                dest = dests[0]
                if org == root and clone != org:
                    self.edests[clone] = (dest,)
                    return
                constraint |= self.constraint[org]
                clone_dest = self._duplicate_node(dest, constraint)
                self.edests[clone] = (clone_dest,)
                org, clone = dest, clone_dest
                continue
            first = self._search_duplicated(dests[0], constraint)
            if first == -1:
                first = self._duplicate_node(dests[0], constraint)
                self.edests[clone] = (first,)
                self._duplicate_closure(dests[0], first, root, constraint)
            else:
                self.edests[clone] = (first,)
            second = self._duplicate_node(dests[1], constraint)
            self.edests[clone] = tuple(sorted((*self.edests[clone], second)))
            org, clone = dests[1], second

    def _calc_eclosure(self) -> None:
        self.eclosure = [_NOT_DONE] * len(self.type)
        incomplete = False
        idx = 0
        while True:
            if idx == len(self.type):
                if not incomplete:
                    break
                incomplete = False
                idx = 0
            if self.eclosure[idx] is _NOT_DONE:
                self._eclosure_iter(idx, root=True)
                if self.eclosure[idx] is _NOT_DONE:
                    incomplete = True
            idx += 1

    def _eclosure_iter(self, node: int, *, root: bool) -> frozenset[int]:
        closure = {node}
        self.eclosure[node] = _IN_PROGRESS
        dests = self.edests[node]
        if self.constraint[node] and dests and not self.duplicated[dests[0]]:
            self._duplicate_closure(node, node, node, self.constraint[node])
        incomplete = False
        if self.type[node] & _EPSILON:
            for dest in self.edests[node]:
                state = self.eclosure[dest]
                if state is _IN_PROGRESS:
                    incomplete = True
                    continue
                sub = self._eclosure_iter(dest, root=False) if state is _NOT_DONE else state
                closure |= sub
                if self.eclosure[dest] is _NOT_DONE:
                    incomplete = True
        result = frozenset(closure)
        self.eclosure[node] = _NOT_DONE if incomplete and not root else result
        return result

    # -- matching (regexec.c) --

    def _acquire(self, nodes: frozenset[int], context: int) -> _State:
        """re_acquire_state_context(): the DFA state for NODES after CONTEXT."""
        key = (nodes, context)
        state = self._states.get(key)
        if state is None:
            if len(self._states) > _MAX_STATES:
                # A DFA can have exponentially many states: start afresh (the
                # old ones go once no running match holds them).
                self._states.clear()
                self._init_states.clear()
                self._sets.clear()
                self._sift_cache.clear()
            state = _State(self, nodes, context)
            self._states[key] = state
        return state

    def _init_state(self, context: int) -> _State:
        state = self._init_states.get(context)
        if state is None:
            state = self._acquire(self.eclosure[self.init_node], context)
            self._init_states[context] = state
        return state

    def _transit(self, state: _State, ch: str) -> _State | None:
        """build_trtable(): the state after reading CH."""
        code = ord(ch)
        context = _CHAR_CONTEXT[code] if code < 256 else 0
        follows: set[int] = set()
        mask, constraint, nexts, eclosure = self.mask, self.constraint, self.nexts, self.eclosure
        for node in state.non_eps:
            if self.type[node] != _T_CHARSET or not (mask[node] >> code) & 1:
                continue
            if constraint[node] and _next_fails(constraint[node], context):
                continue
            follows |= eclosure[nexts[node]]
        nxt = self._acquire(frozenset(follows), context) if follows else None
        state.trans[ch] = nxt
        return nxt

    def _halt_node(self, state: _State, context: int) -> int:
        """check_halt_state_context(): the first end node the context allows, or 0."""
        for node, constraint in state.ends:
            if not constraint or not _next_fails(constraint, context):
                return node
        return 0

    def _accepts(self, node: int, text: str, i: int) -> bool:
        """check_node_accept()."""
        if self.type[node] != _T_CHARSET or i >= len(text):
            return False
        code = ord(text[i])
        if not (self.mask[node] >> code) & 1:
            return False
        constraint = self.constraint[node]
        return not (
            constraint and _next_fails(constraint, _CHAR_CONTEXT[code] if code < 256 else 0)
        )

    def longest(self, text: str, s: int) -> int:
        """check_matching(): where the longest match at S ends, or -1."""
        if s:
            code = ord(text[s - 1])
            context = _CHAR_CONTEXT[code] if code < 256 else 0
        else:
            context = _CTX_BEGBUF | _CTX_NEWLINE
        state = self._init_states.get(context) or self._init_state(context)
        last = -1
        if state.halt and (
            not state.has_constraint or self._halt_node(state, _context_at(text, s))
        ):
            last = s
        i, n = s, len(text)
        transit = self._transit
        while i < n:
            ch = text[i]
            trans = state.trans
            nxt = trans[ch] if ch in trans else transit(state, ch)
            if nxt is None:
                break
            state = nxt
            i += 1
            if state.halt and (
                not state.has_constraint or self._halt_node(state, _context_at(text, i))
            ):
                last = i
        return last

    def search(self, text: str, pos: int, nmatch: int) -> list[Span] | None:
        """re_search(): the registers of the match at or after POS, or None."""
        n = len(text)
        start = pos
        finder = self.finder
        while start <= n:
            if finder is not None:
                m = finder.search(text, start)
                if m is None:
                    return None
                first = m.start()
            else:
                first = start
            result, first = self._match_at(text, first, nmatch)
            if result is not None:
                return result or None
            start = first + 1
        return None

    def _match_at(self, text: str, s: int, nmatch: int) -> tuple[list[Span] | None, int]:
        """One start of re_search_internal().

        Returns the registers (None: try the next start, []: give up) and the
        start glibc goes on from (see check_matching below).
        """
        if self.nbackref:
            return self._match_at_backref(text, s, nmatch)
        state: _State | None = self._init_state(_context_at(text, s - 1))
        assert state is not None
        log = [state]
        match_last = -1
        if state.halt and (
            not state.has_constraint or self._halt_node(state, _context_at(text, s))
        ):
            match_last = s
        # check_matching(): while the DFA stays in its first state, later
        # starts would behave the same, so glibc moves the start along -- also
        # when the only match is the empty one at the first start.
        at_init, moved, moving = True, 0, True
        i, n = s, len(text)
        while i < n:
            ch = text[i]
            trans = state.trans
            old = state
            state = trans[ch] if ch in trans else self._transit(state, ch)
            if state is None:
                break
            i += 1
            log.append(state)
            if at_init:
                if old is state:
                    moved = i - s
                else:
                    at_init = False
            if state.halt and (
                not state.has_constraint or self._halt_node(state, _context_at(text, i))
            ):
                match_last = i
                moving = False
        shift = moved if moving else 0
        if match_last < 0:
            return None, s + shift
        if nmatch <= 1:
            return [(s + shift, match_last + shift)], s + shift
        last = match_last - s
        last_node = self._halt_node(log[last], _context_at(text, match_last))
        sets = [st.node_set for st in log[: last + 1]]
        if self.has_plural_match:
            sifted = self._prune(text, s, log, last, last_node)
            if sifted is None:
                return None, s + shift
            sets = sifted
        regs = self._set_regs(text, s, sets, last, last_node, nmatch)
        if regs is None:
            return [], s
        if shift:
            regs = [(so + shift, eo + shift) if so != -1 else (so, eo) for so, eo in regs]
        return regs, s

    def _intern(self, nodes: set[int]) -> frozenset[int]:
        frozen = frozenset(nodes)
        return self._sets.setdefault(frozen, frozen)

    def _add_epsilon_sources(self, dest: set[int], candidates: frozenset[int]) -> frozenset[int]:
        """add_epsilon_src_nodes(): DEST plus the candidates that reach it by epsilon."""
        inverse: set[int] = set()
        for node in dest:
            inverse |= self.inveclosure[node]
        dest |= candidates & inverse
        return self._intern(dest)

    def _prune(
        self, text: str, s: int, log: list[_State], last: int, last_node: int
    ) -> list[frozenset[int]] | None:
        """prune_impossible_nodes(): keep the nodes on some path to LAST_NODE at LAST."""
        cache = self._sift_cache
        if len(cache) > _MAX_STATES:
            cache.clear()
            self._sets.clear()
        sifted: list[frozenset[int]] = [frozenset()] * (last + 1)
        key: tuple[object, ...] = (log[last], last_node)
        current = cache.get(key, _MISSING)
        if current is _MISSING:
            current = self._add_epsilon_sources({last_node}, log[last].node_set)
            cache[key] = current
        assert current is not None
        sifted[last] = current
        for idx in range(last - 1, -1, -1):
            state = log[idx]
            ch = text[s + idx]
            key = (state, current, ch)
            found = cache.get(key, _MISSING)
            if found is _MISSING:
                dest = {
                    node
                    for node in state.non_eps
                    if self.nexts[node] in current and self._accepts(node, text, s + idx)
                }
                found = self._add_epsilon_sources(dest, state.node_set) if dest else None
                cache[key] = found
            if found is None:
                return None
            current = found
            sifted[idx] = current
        return sifted

    def _set_regs(
        self,
        text: str,
        s: int,
        sets: list[frozenset[int]],
        last: int,
        last_node: int,
        nmatch: int,
        backtrack: bool = False,
    ) -> list[Span] | None:
        """set_regs(), as in gnulib 2021: registers from a walk along the match.

        At each choice the walk takes the first destination still on a path
        to the end (SETS[idx] holds those nodes). With back-references
        (BACKTRACK) the other choice is pushed on a fail stack and taken back
        when a back-reference does not match. The walk ends at the end node,
        or -- a bug of that release -- at any node it meets again without
        input in between; with the fail stack it then only goes on while a
        register is half set.
        """
        w = _Walk(self, text, s, sets, last, nmatch, backtrack)
        node = self.init_node
        types, subexps, opts = self.type, self.subexp, self.opt_subexp
        while w.idx <= last:
            type_ = types[node]
            if type_ == _T_OPEN:
                reg = subexps[node] + 1
                if reg < nmatch:
                    w.starts[reg], w.ends[reg] = w.idx, -1
            elif type_ == _T_CLOSE:
                reg = subexps[node] + 1
                if reg < nmatch:
                    if w.starts[reg] < w.idx:
                        w.ends[reg] = w.idx
                        w.prev_starts, w.prev_ends = w.starts[:], w.ends[:]
                    elif opts[node] and w.prev_starts[reg] != -1:
                        w.starts, w.ends = w.prev_starts[:], w.prev_ends[:]
                    else:
                        w.ends[reg] = w.idx
            if (w.idx == last and node == last_node) or node in w.via:
                resumed = -1
                if backtrack and any(w.starts[r] > -1 and w.ends[r] == -1 for r in range(nmatch)):
                    resumed = w.pop()
                if resumed < 0:
                    break
                node = resumed
            node = w.proceed(node)
            if node < 0:
                node = w.pop()
                if node < 0:
                    return None
        regs: list[Span] = []
        for so, eo in zip(w.starts, w.ends, strict=True):
            regs.append((so + s, eo + s) if so != -1 else (-1, -1))
        if self.subexp_map is not None:
            for reg, target in enumerate(self.subexp_map):
                if reg + 1 < nmatch and target != reg:
                    regs[reg + 1] = regs[target + 1]
        return regs

    # -- back-references --

    def _match_at_backref(self, text: str, s: int, nmatch: int) -> tuple[list[Span] | None, int]:
        """_match_at() for patterns with back-references.

        The end is the longest one a backtracking search finds (glibc's
        forward pass with its cache of back-reference matches is not modelled
        closely enough to trust its ends). The registers come from the walk
        with the fail stack, over the nodes that the backward sifting keeps;
        there a back-reference may jump over any text equal to a stretch
        between an opening and a closing node of its group seen before.
        """
        no_regs: list[Span] = [(-1, -1)] * (self.nsub + 1)
        ends = {end for end, _ in _walk(self.ast, text, s, no_regs)}
        if not ends:
            return None, s
        match_last = max(ends)
        if nmatch <= 1:
            return [(s, match_last)], s
        eclosure = self.eclosure
        pending: dict[int, set[int]] = {s: set(eclosure[self.init_node])}
        states: dict[int, frozenset[int]] = {}
        jumps: dict[tuple[int, int], set[int]] = {}
        memo: dict[tuple[int, int], set[int]] = {}
        for idx in range(s, match_last + 1):
            nodes = pending.pop(idx, None)
            if nodes is None:
                continue
            context = _context_at(text, idx - 1)
            while True:
                state = _State(self, frozenset(nodes), context)
                states[idx] = state.node_set
                grown = False
                for node in state.node_set:
                    if self.type[node] != _T_BACKREF:
                        continue
                    memo.pop((node, idx), None)
                    for length in self._backref_lengths(text, node, idx, states, memo):
                        if length == 0:
                            extra = eclosure[self.edests[node][0]]
                            if not extra <= nodes:
                                nodes |= extra
                                grown = True
                        elif idx + length <= match_last:
                            jumps.setdefault((node, idx), set()).add(length)
                            target = pending.setdefault(idx + length, set())
                            target |= eclosure[self.nexts[node]]
                if not grown:
                    break
            if idx < match_last:
                follows: set[int] = set()
                for node in state.non_eps:
                    if self._accepts(node, text, idx):
                        follows |= eclosure[self.nexts[node]]
                if follows:
                    pending.setdefault(idx + 1, set()).update(follows)
        if match_last not in states:
            return None, s
        state = _State(self, states[match_last], _context_at(text, match_last - 1))
        last_node = self._halt_node(state, _context_at(text, match_last))
        sifted = self._sift_backref(text, s, states, jumps, match_last, last_node, memo)
        if sifted is None:
            return None, s
        last = match_last - s
        regs = self._set_regs(
            text, s, sifted, last, last_node, nmatch, backtrack=self.has_plural_match
        )
        return (regs if regs is not None else []), s

    def _backref_lengths(
        self,
        text: str,
        node: int,
        idx: int,
        states: dict[int, frozenset[int]],
        memo: dict[tuple[int, int], set[int]],
    ) -> set[int]:
        """Lengths a back-reference at IDX may match: its group's text between an
        opening and a closing node reached before, repeated at IDX."""
        found = memo.get((node, idx))
        if found is not None:
            return found
        group = self.subexp[node]
        types, subexps = self.type, self.subexp
        opens = [
            a
            for a, nodes in states.items()
            if any(types[x] == _T_OPEN and subexps[x] == group for x in nodes)
        ]
        closes = [
            c
            for c, nodes in states.items()
            if c <= idx and any(types[x] == _T_CLOSE and subexps[x] == group for x in nodes)
        ]
        found = set()
        for a in opens:
            for c in closes:
                if a <= c and text.startswith(text[a:c], idx):
                    found.add(c - a)
        memo[node, idx] = found
        return found

    def _sift_backref(
        self,
        text: str,
        s: int,
        states: dict[int, frozenset[int]],
        jumps: dict[tuple[int, int], set[int]],
        match_last: int,
        last_node: int,
        memo: dict[tuple[int, int], set[int]],
    ) -> list[frozenset[int]] | None:
        """sift_states_backward() with back-reference jumps."""
        last = match_last - s
        sifted: list[frozenset[int]] = [frozenset()] * (last + 1)
        for rel in range(last, -1, -1):
            idx = s + rel
            candidates = states.get(idx)
            if candidates is None:
                continue
            dest: set[int] = set()
            if rel == last:
                dest.add(last_node)
            for node in candidates:
                type_ = self.type[node]
                if type_ == _T_CHARSET and rel < last:
                    if self.nexts[node] in sifted[rel + 1] and self._accepts(node, text, idx):
                        dest.add(node)
                elif type_ == _T_BACKREF:
                    for length in jumps.get((node, idx), ()):
                        if rel + length <= last and self.nexts[node] in sifted[rel + length]:
                            dest.add(node)
            while True:
                size = len(dest)
                if dest:
                    inverse: set[int] = set()
                    for node in dest:
                        inverse |= self.inveclosure[node]
                    dest |= candidates & inverse
                for node in candidates:
                    if (
                        self.type[node] == _T_BACKREF
                        and node not in dest
                        and self.edests[node][0] in dest
                        and 0 in self._backref_lengths(text, node, idx, states, memo)
                    ):
                        dest.add(node)
                if len(dest) == size:
                    break
            sifted[rel] = frozenset(dest)
        return sifted if sifted[0] else None


class _Walk:
    """The state of set_regs(): position, registers and the fail stack."""

    __slots__ = (
        "backtrack",
        "ends",
        "idx",
        "last",
        "nmatch",
        "prev_ends",
        "prev_starts",
        "program",
        "s",
        "sets",
        "stack",
        "starts",
        "text",
        "via",
    )

    def __init__(
        self,
        program: _Program,
        text: str,
        s: int,
        sets: list[frozenset[int]],
        last: int,
        nmatch: int,
        backtrack: bool,
    ) -> None:
        self.program = program
        self.text = text
        self.s = s
        self.sets = sets
        self.last = last
        self.nmatch = nmatch
        self.backtrack = backtrack
        self.starts = [-1] * nmatch
        self.ends = [-1] * nmatch
        self.starts[0], self.ends[0] = 0, last
        self.prev_starts = self.starts[:]
        self.prev_ends = self.ends[:]
        self.via: set[int] = set()
        self.idx = 0
        self.stack: list[tuple[int, int, list[int], list[int], list[int], list[int], set[int]]] = []

    def push(self, node: int) -> None:
        self.stack.append(
            (
                self.idx,
                node,
                self.starts[:],
                self.ends[:],
                self.prev_starts[:],
                self.prev_ends[:],
                set(self.via),
            )
        )

    def pop(self) -> int:
        if not self.stack:
            return -1
        (
            self.idx,
            node,
            self.starts,
            self.ends,
            self.prev_starts,
            self.prev_ends,
            self.via,
        ) = self.stack.pop()
        return node

    def proceed(self, node: int) -> int:
        """proceed_next_node(): the next node of the walk, or -1."""
        program = self.program
        if program.type[node] & _EPSILON:
            current = self.sets[self.idx]
            self.via.add(node)
            dest = -1
            for cand in program.edests[node]:
                if cand not in current:
                    continue
                if dest == -1:
                    dest = cand
                    continue
                if dest in self.via:
                    return cand
                if self.backtrack:
                    self.push(cand)
                break
            return dest
        accepted = 0
        if program.type[node] == _T_BACKREF:
            reg = program.subexp[node] + 1
            if reg < self.nmatch:
                accepted = self.ends[reg] - self.starts[reg]
            if self.backtrack:
                if reg >= self.nmatch or self.starts[reg] == -1 or self.ends[reg] == -1:
                    return -1
                if accepted:
                    at = self.s + self.idx
                    piece = self.text[self.s + self.starts[reg] : self.s + self.ends[reg]]
                    if not self.text.startswith(piece, at):
                        return -1
            if accepted == 0:
                self.via.add(node)
                dest = program.edests[node][0]
                if dest in self.sets[self.idx]:
                    return dest
        if accepted != 0 or program._accepts(node, self.text, self.s + self.idx):
            dest = program.nexts[node]
            self.idx += accepted if accepted else 1
            if not 0 <= self.idx <= self.last:
                return -1
            if self.backtrack and dest not in self.sets[self.idx]:
                return -1
            self.via.clear()
            return dest
        return -1


def _idx(node: _Tree | None) -> int:
    assert node is not None, "glibc links every node to a successor"
    return node.node_idx


_NOT_DONE: frozenset[int] = frozenset()
_IN_PROGRESS: frozenset[int] = frozenset({-1})
_MISSING: frozenset[int] = frozenset({-2})
_MAX_STATES = 4096


class _State:
    """A DFA state (re_dfastate_t): NFA nodes after PREV-context filtering."""

    __slots__ = ("ends", "halt", "has_constraint", "node_set", "non_eps", "trans")

    def __init__(self, program: _Program, nodes: frozenset[int], context: int) -> None:
        constraint = program.constraint
        kept: list[int] = []
        self.halt = False
        self.has_constraint = False
        for node in sorted(nodes):
            if program.type[node] == _T_END:
                self.halt = True
            if constraint[node]:
                self.has_constraint = True
                if _prev_fails(constraint[node], context):
                    continue
            kept.append(node)
        self.node_set = frozenset(kept)
        self.non_eps = tuple(n for n in kept if not program.type[n] & _EPSILON)
        self.ends = tuple((n, constraint[n]) for n in kept if program.type[n] == _T_END)
        self.trans: dict[str, _State | None] = {}


# -- back-references: the longest end by backtracking -----------------------------


def _walk(
    node: _Ast | None, text: str, i: int, regs: list[Span]
) -> Iterator[tuple[int, list[Span]]]:
    """Yield (end, registers) for every way NODE matches at I, in branch order.

    A plain backtracking model of POSIX matching (an empty pass ends a
    loop), used for the end of matches with back-references.
    """
    if node is None:
        yield i, regs
        return
    kind = node.kind
    if kind == _CHARS:
        if i < len(text) and ord(text[i]) < 256 and (node.mask >> ord(text[i])) & 1:
            yield i + 1, regs
        return
    if kind == _ANCHOR:
        if _anchor_holds(node.text, text, i):
            yield i, regs
        return
    if kind == _BACKREF:
        so, eo = regs[node.number]
        if so < 0 or eo < 0:
            return
        piece = text[so:eo]
        if text.startswith(piece, i):
            yield i + len(piece), regs
        return
    if kind == _GROUP:
        for end, got in _walk(node.children[0], text, i, regs):
            new = list(got)
            new[node.number] = (i, end)
            yield end, new
        return
    if kind == _CONCAT:
        yield from _walk_seq(node.children, 0, text, i, regs)
        return
    if kind == _ALTERN:
        for child in node.children:
            yield from _walk(child, text, i, regs)
        return
    yield from _walk_repeat(node, text, i, regs, 0)


def _walk_seq(
    children: list[_Ast | None], k: int, text: str, i: int, regs: list[Span]
) -> Iterator[tuple[int, list[Span]]]:
    if k == len(children):
        yield i, regs
        return
    for end, got in _walk(children[k], text, i, regs):
        yield from _walk_seq(children, k + 1, text, end, got)


def _walk_repeat(
    node: _Ast, text: str, i: int, regs: list[Span], count: int
) -> Iterator[tuple[int, list[Span]]]:
    body = node.children[0]
    op = node.text
    if op != "?" or count == 0:
        for end, got in _walk(body, text, i, regs):
            if end == i:
                # An empty pass ends the loop (it would only repeat itself).
                if count == 0 or op != "?":
                    yield end, got
                continue
            yield from _walk_repeat(node, text, end, got, count + 1)
    if count > 0 or op != "+":
        yield i, regs


def _anchor_holds(kind: str, text: str, i: int) -> bool:
    before = _context_at(text, i - 1)
    after = _context_at(text, i)
    if kind == "^":
        return bool(before & _CTX_NEWLINE)
    if kind == "$":
        return bool(after & _CTX_NEWLINE)
    if kind == "`":
        return bool(before & _CTX_BEGBUF)
    if kind == "'":
        return bool(after & _CTX_ENDBUF)
    word_before = bool(before & _CTX_WORD)
    word_after = bool(after & _CTX_WORD)
    if kind == "b":
        return word_before != word_after
    if kind == "B":
        return word_before == word_after
    if kind == "<":
        return not word_before and word_after
    return word_before and not word_after


# -- public API ---------------------------------------------------------------------


class GnuMatch:
    """A match found by the glibc emulation, with re.Match's reading methods.

    group(N) gives what GNU m4 substitutes for \\N: the text of a register
    that was set, None for one that was not.
    """

    __slots__ = ("_regs", "_text")

    def __init__(self, text: str, regs: list[Span]) -> None:
        self._text = text
        self._regs = regs

    def start(self) -> int:
        return self._regs[0][0]

    def end(self) -> int:
        return self._regs[0][1]

    def span(self, number: int = 0) -> Span:
        """Register NUMBER as (start, end); (-1, -1) when unset, and (start,
        start - 1) for a register the walk left half set (see DESCRIPTION)."""
        return self._regs[number]

    def group(self, number: int = 0) -> str | None:
        so, eo = self._regs[number]
        if number == 0:
            return self._text[so:eo]
        # m4's substitute() copies a register only when its end is past 0.
        if eo <= 0 or so < 0 or eo < so:
            return None
        return self._text[so:eo]


# How a GnuRegex finds GNU's match (see DESCRIPTION).
_EXACT = 0  # Python's match is GNU's
_CHECKED = 1  # Python's match is GNU's when no longer one starts there
_EMULATED = 2  # glibc's matcher


class GnuRegex:
    """A compiled pattern.

    compiled is the Python translation (same texts, same starts); nullable is
    True when the pattern may match the empty string somewhere (anchors, x*,
    an empty alternative), so patsubst cannot hand the job to re.sub, whose
    empty-match rule differs from GNU's loop; exact is True when Python `re`
    alone gives GNU's answers (see DESCRIPTION), so callers may use compiled
    directly; groups is the number of \\( groups.

    A slotted class rather than a dataclass: importing dataclasses costs ~10 ms,
    a large share of an m4compat run.
    """

    __slots__ = (
        "_ast",
        "_engine",
        "_mode",
        "_python_start",
        "compiled",
        "exact",
        "groups",
        "nullable",
    )

    def __init__(
        self,
        compiled: re.Pattern[str],
        nullable: bool,
        mode: int = _EXACT,
        python_start: bool = True,
        ast: _Ast | None = None,
    ) -> None:
        self.compiled = compiled
        self.nullable = nullable
        self.exact = mode == _EXACT
        self.groups = compiled.groups
        self._mode = mode
        self._python_start = python_start
        self._ast = ast
        self._engine: _Program | None = None

    def _program(self) -> _Program:
        engine = self._engine
        if engine is None:
            engine = self._engine = _Program(self._ast, self.groups, self.compiled)
        return engine

    def find(self, text: str, pos: int = 0) -> int:
        """GNU's start of the first match at or after POS when no registers are
        asked for (two-argument regexp), or -1.

        Without registers glibc skips the checks that may refuse a start, so
        this can differ from search(text, pos).start().
        """
        if self._python_start:
            m = self.compiled.search(text, pos)
            return -1 if m is None else m.start()
        regs = self._program().search(text, pos, 1)
        return -1 if regs is None else regs[0][0]

    def search(self, text: str, pos: int = 0) -> re.Match[str] | GnuMatch | None:
        """Find GNU's match at or after POS (re_search from POS with registers).

        Args:
            text: the subject; a POS > 0 still sees the text before it
                (for ^, \\b, \\< ...).
            pos: where the search starts.

        Returns:
            None, or a match with start(), end(), span() and group(N).
        """
        mode = self._mode
        if mode == _EXACT:
            return self.compiled.search(text, pos)
        program = self._program()
        if mode == _CHECKED:
            m = self.compiled.search(text, pos)
            if m is None:
                return None
            start, end = m.span()
            if end == len(text) or program.longest(text, start) == end:
                return m
            regs, _ = program._match_at(text, start, self.groups + 1)
            if regs:
                return GnuMatch(text, regs)
        regs = program.search(text, pos, self.groups + 1)
        return None if regs is None else GnuMatch(text, regs)


def compile_gnu(pattern: str) -> re.Pattern[str]:
    """Compile a GNU m4 (RE_SYNTAX_EMACS) regular expression into Python `re`.

    The translation matches the same texts at the same starts; where several
    matches start there, Python's is the leftmost-first one (use gnu_regex()
    for GNU's longest one).

    Args:
        pattern: the pattern as m4 sees it.

    Returns:
        The equivalent Python pattern (flags MULTILINE and ASCII).

    Raises:
        GnuRegexError: the pattern is invalid for GNU regex.
    """
    return gnu_regex(pattern).compiled


@lru_cache(maxsize=512)
def gnu_regex(pattern: str) -> GnuRegex:
    """Parse and compile PATTERN (raises GnuRegexError); see GnuRegex."""
    ast = _Parser(pattern).run()
    compiled = re.compile(_python_source(ast), re.MULTILINE | re.ASCII)
    moves = _moves_empty_match(ast)
    if _unambiguous(ast, 0, False) and not moves:
        return GnuRegex(compiled, _nullable(ast))
    mode = _CHECKED if _checkable(ast) and not moves else _EMULATED
    python_start = not moves and not _has_backref(ast) and not _anchor_in_plus(ast, False)
    return GnuRegex(compiled, _nullable(ast), mode, python_start, ast)


def translate(pattern: str) -> str:
    """Return the Python `re` source for a GNU pattern (raises GnuRegexError)."""
    return _python_source(_Parser(pattern).run())
