"""Translate GNU m4 regular expressions into Python `re` patterns.

SYNOPSIS
    rx = compile_gnu(r"\\(foo\\|bar\\)*\\>")      # re.Pattern[str]; GnuRegexError if bad
    info = gnu_regex(pattern)                      # GnuRegex(compiled, nullable)
    try: ... except GnuRegexError as exc: exc.message   # "Unmatched ( or \\("

DESCRIPTION
    GNU m4 1.4.19 compiles the patterns of regexp, patsubst and
    --warn-macro-sequence with re_compile_pattern() under RE_SYNTAX_EMACS,
    which is 0 in glibc: every syntax bit is clear. Observed on /usr/bin/m4
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
    - \\1..\\9 refer back to a closed group; \\w \\W (alnum and _), \\s \\S
      (C isspace), \\b \\B, \\< \\>, \\` and \\' (buffer start/end). Any other
      escaped character stands for itself (\\n is "n").

    Text is Latin-1 decoded bytes, so matching follows the C locale (what
    LC_ALL=C gives GNU m4): non-ASCII bytes are never word characters.

    Not reproduced: glibc finds the POSIX leftmost-LONGEST match, Python the
    leftmost-first one. They differ only for alternations and stacked repeats
    that can end at several places, e.g. a\\|ab on "ab" (GNU "ab", here "a").

    Compiled patterns are kept in an LRU cache, so a pattern that a macro
    uses thousands of times is translated once.

DIAGNOSTICS
    GnuRegexError carries glibc's regerror() text, which m4 prints after
    "bad regular expression": "Unmatched ( or \\(", "Unmatched ) or \\)",
    "Unmatched [, [^, [:, [., or [=", "Invalid regular expression" ([ or [^
    at the end), "Invalid range end", "Invalid collation character",
    "Invalid back reference", "Trailing backslash".

SEE ALSO
    m4compat.builtins.text (regexp, patsubst), m4compat.expander
    (--warn-macro-sequence), GNU m4 manual "Regexp", glibc regex.h.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["GnuRegex", "GnuRegexError", "compile_gnu", "gnu_regex", "translate"]

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

# Backslash escapes that are zero-width assertions.
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


class GnuRegexError(Exception):
    """A pattern GNU regex refuses; message is glibc's regerror() text."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class GnuRegex:
    """A translated pattern.

    nullable is True when the pattern may match the empty string somewhere
    (anchors, x*, an empty alternative): patsubst can then not hand the whole
    job to re.sub, whose empty-match rule differs from GNU's loop.

    A slotted class rather than a dataclass: importing dataclasses costs ~10 ms,
    a large share of an m4compat run.
    """

    __slots__ = ("compiled", "nullable")

    def __init__(self, compiled: re.Pattern[str], nullable: bool) -> None:
        self.compiled = compiled
        self.nullable = nullable


def compile_gnu(pattern: str) -> re.Pattern[str]:
    """Compile a GNU m4 (RE_SYNTAX_EMACS) regular expression.

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
    """Like compile_gnu, and tell whether the pattern can match empty text."""
    text, nullable = _Translator(pattern).run()
    return GnuRegex(re.compile(text, re.MULTILINE | re.ASCII), nullable)


def translate(pattern: str) -> str:
    """Return the Python `re` source for a GNU pattern (raises GnuRegexError)."""
    return _Translator(pattern).run()[0]


def _literal(ch: str) -> str:
    return re.escape(ch)


class _Translator:
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

    def run(self) -> tuple[str, bool]:
        text, nullable = self.alternation()
        if self.i < self.n:
            # alternation() stops only at the end or at "\)".
            raise GnuRegexError(_UNMATCHED_CLOSE)
        return text, nullable

    def alternation(self) -> tuple[str, bool]:
        branches: list[str] = []
        nullable = False
        while True:
            text, branch_nullable = self.sequence()
            branches.append(text)
            nullable = nullable or branch_nullable
            if self.p.startswith("\\|", self.i):
                self.i += 2
                continue
            return "|".join(branches), nullable

    def sequence(self) -> tuple[str, bool]:
        p, n = self.p, self.n
        start = self.i
        atoms: list[str] = []
        nullables: list[bool] = []
        # Whether the last atom takes a repeat operator: not at the start and
        # not after an anchor, where GNU reads * + ? as plain characters.
        repeatable = False
        while self.i < n:
            c = p[self.i]
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
                    inner, inner_nullable = self.alternation()
                    if not p.startswith("\\)", self.i):
                        raise GnuRegexError(_UNMATCHED_OPEN)
                    self.i += 2
                    self.closed_groups.add(number)
                    atom, nullable, repeatable = f"({inner})", inner_nullable, True
                elif "1" <= c2 <= "9":
                    if int(c2) not in self.closed_groups:
                        raise GnuRegexError(_BAD_BACKREF)
                    atom, nullable, repeatable = f"(?:\\{c2})", True, True
                elif c2 in _ANCHOR_ESCAPES:
                    atom, nullable, repeatable = _ANCHOR_ESCAPES[c2], True, False
                elif c2 in _CLASS_ESCAPES:
                    atom, nullable, repeatable = _CLASS_ESCAPES[c2], False, True
                else:
                    atom, nullable, repeatable = _literal(c2), False, True
            elif c in "*+?":
                self.i += 1
                if repeatable:
                    atoms[-1] = f"(?:{atoms[-1]}){c}"
                    if c != "+":
                        nullables[-1] = True
                    continue
                atom, nullable, repeatable = _literal(c), False, True
            elif c == "^" and self.i == start:
                self.i += 1
                atom, nullable, repeatable = "^", True, False
            elif c == "$" and (
                self.i + 1 == n
                or p.startswith("\\|", self.i + 1)
                or p.startswith("\\)", self.i + 1)
            ):
                self.i += 1
                atom, nullable, repeatable = "$", True, False
            elif c == ".":
                self.i += 1
                atom, nullable, repeatable = ".", False, True
            elif c == "[":
                self.i += 1
                atom, nullable, repeatable = self.bracket(), False, True
            else:
                self.i += 1
                atom, nullable, repeatable = _literal(c), False, True
            atoms.append(atom)
            nullables.append(nullable)
        return "".join(atoms), all(nullables)

    def bracket(self) -> str:
        """Read a bracket expression after its '[' and return a Python class."""
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
        return _python_class(chars, ranges, negate)

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
