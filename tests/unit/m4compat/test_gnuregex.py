"""Unit tests of m4compat.gnuregex: which texts a GNU m4 pattern matches (as
regexp(TEXT, PATTERN, `\\&') shows it) and glibc's messages for bad patterns,
all observed from GNU m4 1.4.19 with LC_ALL=C."""

from __future__ import annotations

import re

import pytest

from m4compat.gnuregex import GnuRegexError, compile_gnu, gnu_regex, translate


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


def test_longest_match_is_not_reproduced() -> None:
    # glibc finds the POSIX leftmost-longest match ("ab"); Python the
    # leftmost-first one. Documented in the module; this pins the behaviour
    # so that a fix shows up here.
    assert first_match("a\\|ab", "ab") == "a"
    assert first_match("\\|x", "x") == ""  # GNU: "x"
