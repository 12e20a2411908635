"""mta.config.macros: translate_dollars and expand, with Sendmail's bounds."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from mta.config.macros import MACBUFSIZE, MAX_MACRO_RECURSION, expand, translate_dollars


def _lookup(values: dict[str, str]) -> Callable[[str], str | None]:
    encoded = {k: translate_dollars(v, 10, comments=False) for k, v in values.items()}
    return encoded.get


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("$x", {"x": "one"}, "one"),
        ("a $x b", {"x": "$y", "y": "deep"}, "a deep b"),
        ("$?x yes $| no $.", {"x": "1"}, " yes "),
        ("$?x yes $| no $.", {}, " no "),
        ("${long}", {"long": "L"}, "L"),
        ("$x", {}, ""),
    ],
)
def test_expand(text: str, values: dict[str, str], expected: str) -> None:
    assert expand(translate_dollars(text, 10, comments=False), _lookup(values)) == expected


def test_a_macro_that_grows_itself_stops_at_sendmails_buffer() -> None:
    """$x defined as eight $x: each level would multiply it; Sendmail's buffer holds 4095."""
    errors: list[str] = []
    result = expand(translate_dollars("$x", 10, comments=False),
                    _lookup({"x": "$x" * 8}), on_error=errors.append)
    assert len(result) <= MACBUFSIZE - 1
    assert errors == [f"expand: recursion too deep ({MAX_MACRO_RECURSION} max)"]


def test_a_long_expansion_is_cut_to_the_buffer() -> None:
    result = expand(translate_dollars("$x$x", 10, comments=False), _lookup({"x": "a" * 3000}))
    assert result == "a" * (MACBUFSIZE - 1)
