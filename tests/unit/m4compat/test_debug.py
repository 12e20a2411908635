"""Unit tests of m4compat.debug: flag strings and trace line shapes."""

from __future__ import annotations

import io

import pytest

from m4compat.debug import DEFAULT, VERBOSE, Debug, DebugStream, Tracer, parse_debug_flags
from m4compat.location import Location


@pytest.mark.parametrize(
    ("text", "current", "expected"),
    [
        ("", Debug.NONE, DEFAULT),
        ("V", Debug.NONE, VERBOSE),
        ("ae", Debug.QUOTE, Debug.ARGS | Debug.EXPANSION),
        ("+f", Debug.ARGS, Debug.ARGS | Debug.FILE),
        ("-a", Debug.ARGS | Debug.LINE, Debug.LINE),
        ("+", Debug.LINE, Debug.LINE | DEFAULT),
        ("-", DEFAULT | Debug.LINE, Debug.LINE),
    ],
)
def test_parse_debug_flags(text: str, current: Debug, expected: Debug) -> None:
    assert parse_debug_flags(text, current) == expected


def test_unknown_flag_is_refused() -> None:
    assert parse_debug_flags("az", Debug.NONE) is None


def trace_line(flags: Debug, arg_length: int = 0) -> str:
    err = io.BytesIO()
    tracer = Tracer(DebugStream(err))
    tracer.flags = flags
    tracer.arg_length = arg_length
    where = Location("f.m4", 7)
    tracer.trace_pre("m", 3, 1, ["one", None], where, [None, "len"])
    tracer.trace_post("m", 3, 1, 2, "result", where)
    return err.getvalue().decode()


def test_trace_line_with_everything() -> None:
    flags = Debug.ARGS | Debug.EXPANSION | Debug.QUOTE | Debug.FILE | Debug.LINE | Debug.CALLID
    assert trace_line(flags) == "m4trace:f.m4:7: -1- id 3: m(`one', <len>) -> `result'\n"


def test_trace_line_cut_to_arglength() -> None:
    expected = "m4trace: -1- m(one..., <len>) -> res...\n"
    assert trace_line(Debug.ARGS | Debug.EXPANSION, 3) == expected


def test_trace_call_flag_splits_the_line() -> None:
    assert trace_line(Debug.ARGS | Debug.CALL) == (
        "m4trace: -1- m(one, <len>) -> ???\nm4trace: -1- m(...)\n"
    )
