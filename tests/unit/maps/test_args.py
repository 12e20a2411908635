"""Unit tests of mta.maps.args (map_parseargs) and the mta.maps.base helpers."""

from __future__ import annotations

import pytest

from mta.config.model import MapDecl
from mta.core.errors import ConfigError, Location
from mta.maps.args import MapArg, parse_map_args
from mta.maps.base import fold_case, rewrite_value, strip_quotes

HERE = Location("x.cf", 3)


def parse(words: str, **kwargs: object) -> object:
    return parse_map_args(MapDecl("m", "hash", tuple(words.split()), HERE), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("words", "field", "expected"),
    [
        ("-o /f", "flags", MapArg.OPTIONAL),
        (
            "-f -m -N -O -q -t -D -A /f",
            "flags",
            MapArg.NO_FOLD
            | MapArg.MATCH_ONLY
            | MapArg.INCLUDE_NUL
            | MapArg.NEVER_NUL
            | MapArg.KEEP_QUOTES
            | MapArg.NO_TEMPFAIL
            | MapArg.DEFER
            | MapArg.APPEND,
        ),
        ("-a.FOUND /f", "append", ".FOUND"),
        ("-a /f", "append", ""),
        ("-T<TMPF> /f", "tempfail_append", "<TMPF>"),
        ("-S_ /f", "space_sub", "_"),
        ("-k1 /f", "key_column", "1"),
        ("-k 1 -v 2 /f", "value_column", "2"),
        ("-z: /f", "column_delimiter", ":"),
        ("-z\\t /f", "column_delimiter", "\t"),
        ("-z /f", "column_delimiter", " "),
        ("/f a b", "rest", ("a", "b")),
        ("-o /f", "file", "/f"),
    ],
)
def test_parse_fields(words: str, field: str, expected: object) -> None:
    assert getattr(parse(words), field) == expected


def test_unknown_letter_is_a_warning() -> None:
    options = parse("-x -y /f")
    assert options.warnings == (  # type: ignore[attr-defined]
        "x.cf: line 3: Illegal option x map m",
        "x.cf: line 3: Illegal option y map m",
    )


def test_missing_file() -> None:
    with pytest.raises(ConfigError, match="No file name for hash map m") as info:
        parse("-o")
    assert info.value.location == HERE
    assert parse("-o", file_optional=True).file is None  # type: ignore[attr-defined]


def test_extra_letters() -> None:
    options = parse("-RTXT -Z2 -n x", extra_letters="n", extra_with_value="RZ")
    assert options.extra == {"R": ("TXT",), "Z": ("2",), "n": ("",)}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("value", "args", "expected"),
    [
        ("plain", (), "plain"),
        ("%0 %1 %2", ("k", "a"), "k a "),
        ("100%%", ("k",), "100%"),
        # checked with sendmail 8.17 -bt: a "%" before a non-digit, or at the end, stays
        ("%x", ("k",), "%x"),
        ("a%xb", ("k", "1"), "a%xb"),
        ("end%", ("k",), "end%"),
        ("a%%b", ("k",), "a%b"),
        ("[%1][%2][%3]", ("k", "A", "B"), "[A][B][]"),
        ("%1@mailhub.example.com", ("@virtual.test",), "@mailhub.example.com"),  # -bt /map
        ("v%0x", ("k0",), "vk0x"),
        ("%9z", ("k",), "z"),
    ],
)
def test_rewrite_value(value: str, args: tuple[str, ...], expected: str) -> None:
    assert rewrite_value(value, args) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [('"a b"', "a b"), ('a\\"b', 'a"b'), ("plain", "plain"), ("x\\", "x")],
)
def test_strip_quotes(text: str, expected: str) -> None:
    assert strip_quotes(text) == expected


def test_fold_case_is_ascii_only() -> None:
    assert fold_case("ÉtÉ ABC") == "ÉtÉ abc"
