"""Unit tests of m4compat.cli's option parsing (getopt_long as GNU m4 uses it)."""

from __future__ import annotations

import io

import pytest

from m4compat.cli import UsageError, _parse, main


def parsed(*argv: str) -> tuple[list[tuple[str, str | None]], list[tuple[str, str | None]]]:
    options, ordered = _parse(argv)
    return options, [(a.kind, a.value) for a in ordered]


def test_in_order_actions_and_global_options() -> None:
    options, ordered = parsed("a.m4", "-Dx=1", "-I", "inc", "-", "-Ux", "--", "-odd")
    assert ordered == [
        ("file", "a.m4"),
        ("D", "x=1"),
        ("file", "-"),
        ("U", "x"),
        ("file", "-odd"),
    ]
    assert options == [("I", "inc")]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["-dV"], [("d", "V")]),
        (["-d"], [("d", None)]),
        (["--debug"], [("d", None)]),
        (["--debug=aq"], [("d", "aq")]),
        (["-EEQ"], [("E", None), ("E", None), ("Q", None)]),
        (["--pre"], [("P", None)]),
        (["--nesting", "5"], [("L", "5")]),
        (["--silent"], [("Q", None)]),
    ],
)
def test_short_clusters_optional_arguments_and_abbreviations(
    argv: list[str], expected: list[tuple[str, str | None]]
) -> None:
    assert parsed(*argv)[0] == expected


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["-z"], "invalid option -- 'z'"),
        (["--nope"], "unrecognized option '--nope'"),
        (["-D"], "option requires an argument -- 'D'"),
        (["--define"], "option '--define' requires an argument"),
        (["--help=1"], "option '--help' doesn't allow an argument"),
        (
            ["--de"],
            "option '--de' is ambiguous; possibilities: '--debug' '--define' '--debugfile'",
        ),
    ],
)
def test_usage_errors(argv: list[str], message: str) -> None:
    with pytest.raises(UsageError) as info:
        _parse(argv)
    assert str(info.value) == message


def test_main_reports_usage_errors_like_gnu() -> None:
    err = io.BytesIO()
    assert main(["-z"], program="m4", stdout=io.BytesIO(), stderr=err) == 1
    assert err.getvalue() == (
        b"m4: invalid option -- 'z'\nTry `m4 --help' for more information.\n"
    )


def test_main_reads_stdin_and_defines() -> None:
    out = io.BytesIO()
    status = main(
        ["-Dname=world", "-"],
        program="m4",
        stdin=io.BytesIO(b"hello name\n"),
        stdout=out,
        stderr=io.BytesIO(),
    )
    assert (status, out.getvalue()) == (0, b"hello world\n")
