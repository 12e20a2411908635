"""Unit tests of m4compat.scanner: token kinds and tokens across block boundaries."""

from __future__ import annotations

import pytest

from m4compat.errors import M4Fatal
from m4compat.location import Location
from m4compat.scanner import Scanner, Tok
from m4compat.source import InputStack


def scanner_over(*texts: str) -> Scanner:
    """A scanner whose input is texts[0] read first, then texts[1], ... (a stack)."""
    stack = InputStack()
    stack.push_file(texts[-1], "f.m4")
    for text in reversed(texts[:-1]):
        stack.push_string(text, Location("f.m4", 1))
    return Scanner(stack)


def tokens(scanner: Scanner) -> list[tuple[Tok, str]]:
    out: list[tuple[Tok, str]] = []
    while True:
        kind, value = scanner.next_token()
        if kind is Tok.EOF:
            return out
        assert isinstance(value, str)
        out.append((kind, value))


def test_token_kinds() -> None:
    assert tokens(scanner_over("a1 `q`u'' #c\n(,)")) == [
        (Tok.WORD, "a1"),
        (Tok.SIMPLE, " "),
        (Tok.STRING, "q`u'"),
        (Tok.SIMPLE, " "),
        (Tok.COMMENT, "#c\n"),
        (Tok.OPEN, "("),
        (Tok.COMMA, ","),
        (Tok.CLOSE, ")"),
    ]


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (("ab", "cd e"), [(Tok.WORD, "abcd"), (Tok.SIMPLE, " "), (Tok.WORD, "e")]),
        (("`a", "b' c"), [(Tok.STRING, "ab"), (Tok.SIMPLE, " "), (Tok.WORD, "c")]),
        (("#x", "y\nz"), [(Tok.COMMENT, "#xy\n"), (Tok.WORD, "z")]),
    ],
)
def test_tokens_span_blocks(texts: tuple[str, ...], expected: list[tuple[Tok, str]]) -> None:
    assert tokens(scanner_over(*texts)) == expected


def test_multi_character_delimiters_split_across_blocks() -> None:
    scanner = scanner_over("x<", "<in <<nest>>>", "> y")
    scanner.set_quotes("<<", ">>")
    assert tokens(scanner) == [
        (Tok.WORD, "x"),
        (Tok.STRING, "in <<nest>>"),
        (Tok.SIMPLE, " "),
        (Tok.WORD, "y"),
    ]


def test_right_quote_wins_when_delimiters_are_equal() -> None:
    scanner = scanner_over("|a|b||")
    scanner.set_quotes("|", "|")
    assert tokens(scanner) == [(Tok.STRING, "a"), (Tok.WORD, "b"), (Tok.STRING, "")]


def test_comment_beats_word_and_quote() -> None:
    scanner = scanner_over("rem x\n`y'")
    scanner.set_comment("rem", "\n")
    assert tokens(scanner) == [(Tok.COMMENT, "rem x\n"), (Tok.STRING, "y")]


def test_disabled_quotes_and_comments() -> None:
    scanner = scanner_over("`a' #b")
    scanner.set_quotes("", "'")
    scanner.set_comment("", "")
    assert [v for _, v in tokens(scanner)] == ["`", "a", "'", " ", "#", "b"]


def test_end_of_file_in_string_is_located_at_its_start() -> None:
    scanner = scanner_over("x\n  `abc\n")
    with pytest.raises(M4Fatal) as info:
        tokens(scanner)
    assert info.value.message == "ERROR: end of file in string"
    assert info.value.location == Location("f.m4", 2)


def test_nul_cuts_tokens_once_seen() -> None:
    scanner = scanner_over("`a\0b'")
    scanner.nul = True
    assert tokens(scanner) == [(Tok.STRING, "a")]
