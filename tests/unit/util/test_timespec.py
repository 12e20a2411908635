"""Tests for mta.util.timespec and mta.util.sysexits.

DESCRIPTION
    Tables of time values with their seconds and Sendmail's messages for bad
    units (the message texts and their count per value were checked against
    sendmail 8.17.1.9 with -OTimeout.ident=VALUE), pintvl renderings, and the
    sysexits values against os.EX_*.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mta.util.sysexits import ExitCode
from mta.util.timespec import NOW, TimeUnit, convtime, format_interval, parse_interval

M, S, H, D = TimeUnit.MINUTES, TimeUnit.SECONDS, TimeUnit.HOURS, TimeUnit.DAYS


@pytest.mark.parametrize(
    ("text", "unit", "seconds", "errors"),
    [
        ("4h30m", M, 16200, []),
        ("2h13m7s", M, 7987, []),
        ("90", M, 5400, []),
        ("90", S, 90, []),
        ("5", D, 432000, []),
        ("1w", M, 604800, []),
        ("1w1d1h1m1s", M, 694861, []),
        ("1w2", H, 604800 + 7200, []),
        ("5m7", S, 307, []),
        ("12s3", M, 12 + 180, []),
        ("1m1m", M, 120, []),
        ("07", M, 420, []),
        ("0", M, 0, []),
        ("", M, 0, []),
        ("-5m", M, -300, []),
        ("-", M, 0, []),
        ("now", M, NOW, []),
        ("NoW", D, NOW, []),
        ("5x", M, 300, ["Invalid time unit `x'"]),
        ("5D", M, 300, ["Invalid time unit `D'"]),
        ("3h-2", M, 10800 + 0 + 120, ["Invalid time unit `-'"]),
        (" 5m", M, 300, ["Invalid time unit ` '"]),
        (
            "bogus",
            M,
            0,
            [
                "Invalid time unit `b'",
                "Invalid time unit `o'",
                "Invalid time unit `g'",
                "Invalid time unit `u'",
            ],
        ),
    ],
)
def test_convtime(text: str, unit: TimeUnit, seconds: int, errors: list[str]) -> None:
    seen: list[str] = []
    assert convtime(text, unit, on_error=seen.append) == seconds
    assert seen == errors


def test_convtime_without_callback_ignores_bad_units() -> None:
    assert convtime("5x") == 300


@pytest.mark.parametrize(("text", "message"), [("5x", "Invalid time unit `x'"), ("1H", "`H'")])
def test_parse_interval_refuses_bad_units(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_interval(text)


def test_parse_interval_accepts_good_values() -> None:
    assert parse_interval("2d", H) == 172800
    assert parse_interval("36", H) == 129600


@pytest.mark.parametrize(
    ("seconds", "verbose", "brief"),
    [
        (0, "zero seconds", "00:00:00"),
        (1, "1 second", "00:00:01"),
        (61, "1 minute, 1 second", "00:01:01"),
        (14400, "4 hours", "04:00:00"),
        (93784, "1 day, 2 hours, 3 minutes, 4 seconds", "1+02:03:04"),
        (8 * 86400, "1 week, 1 day", "8+00:00:00"),
        (14 * 86400, "2 weeks", "14+00:00:00"),
        (NOW, "too long", "too long"),
    ],
)
def test_format_interval(seconds: int, verbose: str, brief: str) -> None:
    assert format_interval(seconds) == verbose
    assert format_interval(seconds, brief=True) == brief


@given(st.integers(min_value=0, max_value=10**9))
def test_seconds_round_trip(seconds: int) -> None:
    assert convtime(f"{seconds}s") == seconds
    text = format_interval(seconds, brief=True)
    days, _, clock = text.rpartition("+")
    hours, minutes, secs = (int(x) for x in clock.split(":"))
    spec = f"{days or 0}d{hours}h{minutes}m{secs}s"
    assert convtime(spec) == seconds


@pytest.mark.parametrize("letter", ["w", "d", "h", "m", "s"])
def test_time_unit_from_text(letter: str) -> None:
    unit = TimeUnit.from_text(letter)
    assert convtime("1", unit) == unit.seconds


@pytest.mark.parametrize("code", list(ExitCode))
def test_exit_codes_match_os(code: ExitCode) -> None:
    expected = getattr(os, code.name, None)
    if expected is None:
        pytest.skip(f"os.{code.name} does not exist on this platform")
    assert int(code) == expected


def test_exit_code_range() -> None:
    assert ExitCode.EX_OK == 0
    assert [int(c) for c in ExitCode][1:] == list(range(64, 79))
