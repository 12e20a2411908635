"""Unit tests of m4compat.gnuregex: which texts a GNU m4 pattern matches (as
regexp(TEXT, PATTERN, `\\&') shows it), GNU's leftmost-longest match and
register values, and glibc's messages for bad patterns, all observed from GNU
m4 1.4.19 with LC_ALL=C. The differential tests at the end run /usr/bin/m4
live on random patterns."""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from m4compat.builtins import BUILTINS
from m4compat.gnuregex import GnuMatch, GnuRegex, GnuRegexError, compile_gnu, gnu_regex, translate


def first_match(pattern: str, text: str) -> str | None:
    m = compile_gnu(pattern).search(text)
    return None if m is None else m.group()


@pytest.mark.parametrize(
    ("pattern", "text", "match"),
    [
        # \( \) \| are operators; ( ) | { } are characters; no intervals.
        ("\\(b\\)", "abc", "b"),
        ("(b)", "abc", None),
        ("(b)", "a(b)c", "(b)"),
        ("a\\|c", "abc", "a"),
        ("a|c", "a|c", "a|c"),
        ("a\\{2\\}", "aaa", None),
        ("a\\{2\\}", "a{2}", "a{2}"),
        ("a{2}", "a{2}", "a{2}"),
        ("\\{a", "{a", "{a"),
        ("a\\{2", "a{2", "a{2"),
        # + and ? repeat; \+ and \? are literal.
        ("a+b", "aab", "aab"),
        ("a\\+b", "a+b", "a+b"),
        ("a?b", "aab", "ab"),
        ("a\\?b", "a?b", "a?b"),
        ("a*?", "aaa", "aaa"),  # stacked repeats, all greedy
        ("a+?", "aaa", "aaa"),
        ("a**", "aa", "aa"),
        # Repeat operators are literal where nothing precedes them.
        ("*a", "*a", "*a"),
        ("\\(*a\\)", "a*a", "*a"),
        ("^*", "*", "*"),
        ("\\(+\\)", "a+", "+"),
        ("+a", "+a", "+a"),
        ("a\\|?", "a?", "a"),
        ("a\\|*b", "*b", "*b"),
        ("\\b*", "a*", "*"),
        ("\\`*", "*", "*"),
        # ^ and $ are anchors only at the ends of the pattern, a group or a branch.
        ("a^b", "a^b", "a^b"),
        ("a$b", "a$b", "a$b"),
        ("^b", "a^b", None),
        ("^^a", "^a", "^a"),
        ("a\\(^b\\)", "a^b", None),
        ("x\\|^", "x^", "x"),
        ("\\(^x\\)", "^x", None),
        ("a$\\|x", "a$b", None),
        ("a$\\|x", "a", "a"),
        ("\\(a$\\)", "a$", None),
        ("$a", "$a", "$a"),
        ("a$$", "a$", "a$"),
        # newline_anchor: ^ and $ also match at line breaks.
        ("^b", "a\nb", "b"),
        ("a$", "a\nb", "a"),
        # . skips newlines, [^...] does not.
        ("a.b", "aXb", "aXb"),
        ("a.b", "a\nb", None),
        ("a[^x]b", "a\nb", "a\nb"),
        # Brackets.
        ("[]a]+", "a]b", "a]"),
        ("[^]a]", "xa]b", "x"),
        ("[\\]", "a\\b", "\\"),
        ("[[:digit:]]", "1", None),
        ("[[:digit:]]", "d]", "d]"),
        ("[[:alpha:]", "a]", "a"),
        ("[[.a.]]", "a", "a"),
        ("[[=a=]]", "a", "a"),
        ("[[.-.]]", "-", "-"),
        ("[[.].]]", "]", "]"),
        ("[a-[.c.]]", "b", "b"),
        ("[%--]", ",", ","),
        ("[--/]", "-", "-"),
        ("[a-]", "-", "-"),
        ("[-a]", "-", "-"),
        ("[c-a]", "abc", None),
        ("[^c-a]", "\n", "\n"),
        ("[*+?]", "a?", "?"),
        # GNU operators.
        ("\\w\\W", "a b", "a "),
        ("\\w\\w\\w", "a_b", "a_b"),
        ("\\w", "\xe9", None),  # C locale: no non-ASCII word characters
        ("a\\sb", "a b", "a b"),
        ("a\\Sb", "a b", None),
        ("\\bbar", "foo bar", "bar"),
        ("\\Bbar", "foobar", "bar"),
        ("\\Bbar", "foo bar", None),
        ("\\B", "", ""),
        ("o\\>", "foo bar", "o"),
        ("\\<b", "foo bar", "b"),
        ("\\`a", "abc", "a"),
        ("c\\'", "abc", "c"),
        ("b\\'", "abc", None),
        # Other escapes are the character itself.
        ("a\\nb", "anb", "anb"),
        ("\\=a", "=a", "=a"),
        ("\\.", "a.b", "."),
        # Back references.
        ("\\(ab\\)\\1", "abab", "abab"),
        ("\\(a\\)\\(\\1\\)", "aa", "aa"),
        ("\\(a\\)*\\1b", "b", None),
        ("\\(a\\)\\10", "aa0", "aa0"),
        # Empty pieces.
        ("", "abc", ""),
        ("\\(\\)", "ab", ""),
        ("x\\|", "x", "x"),
    ],
)
def test_matches(pattern: str, text: str, match: str | None) -> None:
    assert first_match(pattern, text) == match


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("\\(", "Unmatched ( or \\("),
        ("\\(\\(a\\)", "Unmatched ( or \\("),
        ("b\\|\\(", "Unmatched ( or \\("),
        ("\\)", "Unmatched ) or \\)"),
        ("a\\(\\)\\)", "Unmatched ) or \\)"),
        ("[a", "Unmatched [, [^, [:, [., or [="),
        ("[]", "Unmatched [, [^, [:, [., or [="),
        ("[^]", "Unmatched [, [^, [:, [., or [="),
        ("[a-", "Unmatched [, [^, [:, [., or [="),
        ("[[.", "Unmatched [, [^, [:, [., or [="),
        ("[[=a", "Unmatched [, [^, [:, [., or [="),
        ("[", "Invalid regular expression"),
        ("[^", "Invalid regular expression"),
        ("[a-c-e]", "Invalid range end"),
        ("[[.space.]]", "Invalid collation character"),
        ("[[.ab.]]", "Invalid collation character"),
        ("[[..]]", "Invalid collation character"),
        ("\\1", "Invalid back reference"),
        ("\\(a\\1\\)", "Invalid back reference"),
        ("\\(a\\)\\(b\\2\\)", "Invalid back reference"),
        # Only groups closed before the \\| or in the same branch count.
        ("\\(b\\)\\|\\1", "Invalid back reference"),
        ("\\(b\\)x\\|y\\1", "Invalid back reference"),
        ("\\", "Trailing backslash"),
        ("a\\", "Trailing backslash"),
    ],
)
def test_errors(pattern: str, message: str) -> None:
    with pytest.raises(GnuRegexError) as info:
        compile_gnu(pattern)
    assert info.value.message == message


@pytest.mark.parametrize(
    ("pattern", "nullable"),
    [
        ("a", False),
        ("a*", True),
        ("a+", False),
        ("\\(a\\|\\)", True),
        ("^", True),
        ("\\<", True),
        ("ab?", False),
        ("\\(ab\\)?c*", True),
        ("\\(a\\)\\1", False),
    ],
)
def test_nullable(pattern: str, nullable: bool) -> None:
    assert gnu_regex(pattern).nullable is nullable


def test_translation_is_cached_and_python_valid() -> None:
    assert compile_gnu("a\\(b\\)*") is compile_gnu("a\\(b\\)*")
    assert re.compile(translate("[]a-c^-]\\w")).groups == 0
    assert compile_gnu("\\(a\\)\\(b\\(c\\)\\)").groups == 3


def test_branch_back_references_that_glibc_accepts() -> None:
    assert gnu_regex("\\(b\\)\\(x\\|\\1\\)").groups == 2
    assert gnu_regex("\\(\\(b\\)\\|x\\)\\2").groups == 2
    assert gnu_regex("\\(b\\)\\|\\(c\\)\\2").groups == 2


# -- GNU's match: leftmost-longest, with glibc's registers ---------------------------


class FakeContext:
    """Records diagnostics the way the expander would print them."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def warn(self, message: str) -> None:
        self.messages.append("Warning: " + message)

    def error(self, message: str) -> None:
        self.messages.append(message)


def call(name: str, *args: str, ctx: FakeContext | None = None) -> str:
    return BUILTINS[name].func(ctx or FakeContext(), [name, *args])


def registers(pattern: str) -> str:
    """A replacement showing \\& and every group: [\\&|\\1|\\2...]."""
    return "[\\&" + "".join(f"|\\{k}" for k in range(1, min(pattern.count("\\("), 9) + 1)) + "]"


@pytest.mark.parametrize(
    ("pattern", "text", "regexp3", "regexp2", "patsubst"),
    [
        # The longest match wins, and the registers come from glibc's walk:
        # at each choice the first branch that still reaches that end.
        ("\\(a\\|ab\\)\\(c\\|bcd\\)\\(d*\\)", "abcd", "[abcd|a|bcd|]", 0, "[abcd|a|bcd|]"),
        ("a\\|ab", "ab", "[ab]", 0, "[ab]"),
        ("a*\\(ab\\)*", "aab", "[aab|ab]", 0, "[aab|ab][|]"),
        ("\\(\\|x\\)", "x", "[x|x]", 0, "[x|x][|]"),
        ("\\|x", "x", "[x]", 0, "[x][]"),
        ("\\(x\\|xy\\)\\(z\\|yz\\)", "xyz", "[xyz|x|yz]", 0, "[xyz|x|yz]"),
        ("\\(aa\\|a\\)*", "aaa", "[aaa|a]", 0, "[aaa|a][|]"),
        ("\\(a\\|ab\\)*\\(b*\\)", "abab", "[abab|a|b]", 0, "[abab|a|b][||]"),
        ("\\(o\\|ot\\)\\(t*\\)", "ottt", "[ottt|o|ttt]", 0, "[ottt|o|ttt]"),
        ("\\(.*\\)@\\(.*\\)", "me@x@y", "[me@x@y|me@x|y]", 0, "[me@x@y|me@x|y]"),
        ("[a-z]*o", "xoyoz", "[xoyo]", 0, "[xoyo]z"),
        # A group inside a repeat keeps its value from an earlier iteration.
        ("\\(\\(a\\)\\|b\\)*", "ab", "[ab|b|a]", 0, "[ab|b|a][||]"),
        ("\\(\\(a\\)\\|b\\)*", "ba", "[ba|a|a]", 0, "[ba|a|a][||]"),
        # \(\(x\)\) is one group for glibc: \2 is a copy of \1.
        ("\\(\\(a*\\)\\)*", "aaa", "[aaa||]", 0, "[aaa||][||]"),
        # gnulib 2021 stops the walk at a node met twice without input, leaving
        # the later registers unset (or with their start only: empty).
        ("\\(a*\\)*", "aaa", "[aaa|]", 0, "[aaa|][|]"),
        ("\\(a*\\)*b", "ab", "[ab|]", 0, "[ab|]"),
        ("\\(a*\\)*\\(b\\)", "aab", "[aab||]", 0, "[aab||]"),
        ("\\(a*\\|b\\)*", "aaba", "[aaba|]", 0, "[aaba|][|]"),
        ("\\(b?+a\\)", "a", "[a|]", 0, "[a|]"),
        ("b**\\(a\\)", "a", "[a|]", 0, "[a|]"),
        ("b**\\(a\\)", "ba", "[ba|a]", 0, "[ba|a]"),
        ("\\(x\\)b**\\(a\\)", "xa", "[xa|x|]", 0, "[xa|x|]"),
        ("\\(xb**\\)\\(a\\)", "xa", "[xa||]", 0, "[xa||]"),
        # ... but a repeated group that ends empty gets its last value back.
        ("\\(a*\\)+", "aaa", "[aaa|aaa]", 0, "[aaa|aaa][|]"),
        ("\\(a\\|\\)*", "aa", "[aa|a]", 0, "[aa|a][|]"),
        ("\\(\\|a\\)*", "aa", "[aa|a]", 0, "[aa|a][|]"),
        ("\\(a\\|b*\\)*", "aa", "[aa|a]", 0, "[aa|a][|]"),
        ("\\(a*\\|b\\)*", "aab", "[aab|b]", 0, "[aab|b][|]"),
        # The end node glibc numbers first wins: the one reached without $.
        ("\\(a$\\)\\|\\(a\\)", "a", "[a||a]", 0, "[a||a]"),
        ("\\(a\\)\\|\\(a$\\)", "a", "[a|a|]", 0, "[a|a|]"),
        # An anchor in x+ loses its effect in glibc's copy of x; with
        # registers the match is then refused, without it is found.
        ("\\(^a\\)+", "aa", "", 0, "aa"),
        ("\\(^a\\)+", "ab", "[a|a]", 0, "[a|a]b"),
        # While the DFA stays in its first state, glibc moves the start along
        # -- also under an empty match whose condition fails further on.
        ("a*\\B", "ba", "[]", 2, "ba[]"),
        ("\\(a*\\)\\(\\B\\)", "ba", "[||]", 1, "b[||]a"),
        # Back-references.
        ("\\(a\\)\\1", "xaab", "[aa|a]", 1, "x[aa|a]b"),
        ("\\(a*\\)b\\1", "aabaa", "[aabaa|aa]", 0, "[aabaa|aa]"),
    ],
)
def test_gnu_match(pattern: str, text: str, regexp3: str, regexp2: int, patsubst: str) -> None:
    replacement = registers(pattern)
    assert call("regexp", text, pattern, replacement) == regexp3
    assert call("regexp", text, pattern) == str(regexp2)
    assert call("patsubst", text, pattern, replacement) == patsubst


@pytest.mark.parametrize(
    ("pattern", "how"),
    [
        # Python alone: at most one way to reach each end.
        ("[a-z]+", "exact"),
        ("\\w+@\\w+", "exact"),
        ("\\<\\(\\w\\)\\(\\w*\\)", "exact"),
        ("^\\(.*\\)$", "exact"),
        ("foo\\|bar", "exact"),
        ("\\(ab\\)*c", "exact"),
        ("[ \t]+$", "exact"),
        # Python's match, unless a longer one starts at the same place.
        ("\\(.*\\)@\\(.*\\)", "checked"),
        ("a\\|ab", "checked"),
        ("[a-z]*o", "checked"),
        ("\\(o\\|ot\\)\\(t*\\)", "checked"),
        ("^a*\\(ab\\)*$", "checked"),
        ("x\\|", "checked"),
        # glibc's matcher.
        ("\\(a*\\)*", "emulated"),  # repeat of something that can match empty
        ("\\(a\\|\\)*", "emulated"),
        ("\\(a$\\)\\|\\(a\\)", "emulated"),  # anchor inside
        ("a*\\B", "emulated"),  # GNU moves its empty match
        ("\\(a\\)\\1", "emulated"),  # back-reference
        ("\\(a\\|b\\)*\\(a\\|ab\\)", "emulated"),  # Python could backtrack for ages
    ],
)
def test_engine_choice(pattern: str, how: str) -> None:
    regex = gnu_regex(pattern)
    assert regex.exact is (how == "exact")
    assert regex._mode == {"exact": 0, "checked": 1, "emulated": 2}[how]


def test_fast_paths_agree_with_the_emulation() -> None:
    # Python `re` alone ("exact") and Python checked by the DFA ("checked")
    # must give what glibc's matcher gives, on any text and from any offset.
    rng = random.Random(20240611)
    tokens = [*_TOKENS, "c", "[^a]", "\\W", "\\s", "\\B", "a*", "b+", "\\(a\\|ab\\)", "x"]
    checked = 0
    for _ in range(1500):
        pattern = _random_pattern(rng, tokens)
        try:
            regex = gnu_regex(pattern)
        except GnuRegexError:
            continue
        reference = GnuRegex(regex.compiled, regex.nullable, 2, False, _parse(pattern))
        for _ in range(4):
            text = "".join(rng.choice("aabbc x\n_") for _ in range(rng.randint(0, 12)))
            pos = rng.randint(0, len(text))
            got, want = regex.search(text, pos), reference.search(text, pos)
            assert _shown(got, regex.groups) == _shown(want, regex.groups), (pattern, text, pos)
            assert regex.find(text, pos) == reference.find(text, pos), (pattern, text, pos)
            checked += 1
    assert checked > 4000


def test_search_sees_the_text_before_pos() -> None:
    regex = gnu_regex("\\<a\\|b")
    m = regex.search("xab a", 1)
    assert m is not None and m.span() == (2, 3)
    assert regex.find("xab a", 1) == 2


def test_unfinished_register_reads_as_empty() -> None:
    # GNU m4 dies with "memory exhausted" on this one (a register with its
    # start only, in a match at offset 2); m4compat substitutes nothing.
    m = gnu_regex("b\\(a*\\)*").search("xxbaaa")
    assert isinstance(m, GnuMatch)
    assert m.span() == (2, 6)
    assert m.span(1) == (6, 1)
    assert m.group(1) is None


def _parse(pattern: str) -> object:
    from m4compat.gnuregex import _Parser

    return _Parser(pattern).run()


def _shown(m: re.Match[str] | GnuMatch | None, groups: int) -> object:
    """What m4 would print: the span and each register's text."""
    if m is None:
        return None
    return [m.span()] + [m.group(k) or "" for k in range(1, groups + 1)]


# -- differential -----------------------------------------------------------------

GNU_M4 = "/usr/bin/m4"
# The alphabet of the random patterns: enough to make every kind of choice.
_TOKENS = [
    "a", "b", "a", "b", "\\(", "\\)", "\\|", "*", "+", "?", ".", "[ab]", "^", "$",
    "\\w", "\\b", "\\<", "\\>", "\\`", "\\'",
]  # fmt: skip
_OPEN, _CLOSE = "\x01", "\x02"
_END = "\x03\n"


def _random_pattern(rng: random.Random, tokens: list[str]) -> str:
    while True:
        pattern = "".join(rng.choice(tokens) for _ in range(rng.randint(1, 10)))
        try:
            gnu_regex(pattern)
        except GnuRegexError:
            if rng.random() < 0.95:
                continue
        return pattern


def _dies_in_gnu(pattern: str, text: str) -> bool:
    """GNU m4 dies ("memory exhausted") substituting a register that has its
    start only in a match at offset 2 or later (see test above)."""
    try:
        regex = gnu_regex(pattern)
    except GnuRegexError:
        return False
    pos = 0
    while pos <= len(text):
        m = regex.search(text, pos)
        if m is None:
            return False
        if isinstance(m, GnuMatch):
            for k in range(1, regex.groups + 1):
                so, eo = m.span(k)
                if so >= 0 and 0 < eo < so:
                    return True
        start, end = m.span()
        pos = end + 1 if start == end else end
    return False


def _differential_calls(seed: int, tokens: list[str], count: int) -> list[tuple[str, ...]]:
    rng = random.Random(seed)
    calls: list[tuple[str, ...]] = []
    while len(calls) < count:
        pattern = _random_pattern(rng, tokens)
        text = "".join(rng.choice("aab b\n_") for _ in range(rng.randint(0, 12)))
        kind = rng.randrange(3)
        if kind == 0:
            calls.append(("regexp", text, pattern))
        elif not _dies_in_gnu(pattern, text):
            calls.append(("patsubst" if kind == 2 else "regexp", text, pattern, registers(pattern)))
    return calls


def _compare_with_gnu_m4(tmp_path: Path, calls: list[tuple[str, ...]]) -> None:
    source = [f"changequote({_OPEN},{_CLOSE})dnl\n"]
    expected_out: list[str] = []
    expected_err: list[str] = []
    line = 2
    for name, *args in calls:
        text = name + "(" + ",".join(_OPEN + a + _CLOSE for a in args) + ")"
        source.append(text + _END)
        ctx = FakeContext()
        expected_out.append(BUILTINS[name].func(ctx, [name, *args]))
        expected_err += [f"m4:in.m4:{line}: {m}" for m in ctx.messages]
        line += text.count("\n") + 1
    (tmp_path / "in.m4").write_text("".join(source), encoding="latin-1")
    result = subprocess.run(
        ["m4", "in.m4"],
        executable=GNU_M4,
        cwd=tmp_path,
        capture_output=True,
        env={"LC_ALL": "C"},
        check=False,
        timeout=120,
    )
    got = result.stdout.decode("latin-1").split(_END)[:-1]
    mismatches = [(c, g, w) for c, g, w in zip(calls, got, expected_out, strict=True) if g != w]
    assert mismatches == []
    assert result.stderr.decode("latin-1").splitlines() == expected_err


def _skip_without_gnu_m4() -> None:
    if not os.path.exists(GNU_M4) or shutil.which(GNU_M4) is None:
        pytest.skip("GNU m4 is not installed at /usr/bin/m4")


@pytest.mark.differential
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_against_gnu_m4(tmp_path: Path, seed: int) -> None:
    _skip_without_gnu_m4()
    _compare_with_gnu_m4(tmp_path, _differential_calls(seed, _TOKENS, 2500))


@pytest.mark.differential
def test_against_gnu_m4_ambiguous(tmp_path: Path) -> None:
    # Patterns rich in alternation, stacked repeats and empty groups.
    _skip_without_gnu_m4()
    tokens = [
        *_TOKENS, "\\(", "\\)", "\\|", "*", "\\B", "\\W", "[^a]", "a*", "\\(a\\|ab\\)",
        "\\(\\)", "\\(\\|", "\\|\\)", "\\)*", "**", "?*", "+?",
    ]  # fmt: skip
    _compare_with_gnu_m4(tmp_path, _differential_calls(4, tokens, 2500))
