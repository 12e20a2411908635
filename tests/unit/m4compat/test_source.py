"""Unit tests of m4compat.source: GNU's lazy line numbers and location references."""

from __future__ import annotations

import pytest

from m4compat.location import Location
from m4compat.source import BlockKind, InputStack, resolve


@pytest.mark.parametrize(
    ("text", "pos", "line"),
    [
        ("abc", 0, 1),
        ("abc\n", 3, 1),  # the newline is not read yet
        ("abc\n", 4, 1),  # read, but the next character is not: still line 1
        ("abc\nd", 5, 2),
        ("a\n\n\nb", 3, 2),
        ("a\n\n\nb", 5, 4),
    ],
)
def test_line_follows_gnu(text: str, pos: int, line: int) -> None:
    stack = InputStack()
    block = stack.push_file(text, "f.m4")
    block.pos = pos
    assert block.line() == line
    assert stack.location() == Location("f.m4", line)


def test_line_at_can_look_back() -> None:
    block = InputStack().push_file("a\nb\nc\nd\n", "f")
    assert block.line_at(7) == 4
    assert block.line_at(6) == 3  # earlier than the cached position
    assert block.line_at(3) == 2


def test_pushed_text_reports_where_it_was_pushed() -> None:
    stack = InputStack()
    file_block = stack.push_file("x\ny\nz", "f.m4")
    file_block.pos = 3  # inside line 2
    here = stack.here()
    file_block.pos = 5  # reading moved on to line 3
    stack.push_string("expansion", here)
    assert stack.location() == Location("f.m4", 2)
    assert stack.blocks[-1].kind is BlockKind.STRING
    assert resolve(here) == Location("f.m4", 2)


def test_token_start_counts_the_first_character() -> None:
    stack = InputStack()
    block = stack.push_file("a\n`b'", "f")
    block.pos = 2  # at the quote that starts line 2
    assert stack.location() == Location("f", 1)
    assert resolve(stack.token_start()) == Location("f", 2)


def test_empty_strings_are_not_pushed() -> None:
    stack = InputStack()
    stack.push_string("", Location("f", 1))
    assert stack.blocks == []
    assert stack.location() == Location("", 0)
