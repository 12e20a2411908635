"""Tests for mta.core.params, the option table.

DESCRIPTION
    The table's invariants (unique names, letters and codes; docs; types
    consistent with the extra fields), find_option by long name in any case
    and by letter, and spot checks of names, letters, codes and safe flags
    that were read from sendmail 8.17.1.9 (the differential test in
    tests/unit/config/test_options.py checks every name against the binary).
"""

from __future__ import annotations

import pytest

from mta.core.params import (
    BY_LETTER,
    OPTION_TABLE,
    OPTIONS,
    TIMEOUTS,
    UNAVAILABLE_OPTIONS,
    OptionSpec,
    OptionType,
    find_option,
)
from mta.util.timespec import TimeUnit


def test_table_size_matches_the_reference_binary() -> None:
    # 146 long names and the letter-only M and g, as sendmail 8.17.1.9 accepts them.
    assert len(OPTIONS) == 146
    assert len(OPTION_TABLE) == 148


def test_every_spec_is_documented_and_consistent() -> None:
    for spec in OPTION_TABLE:
        assert spec.doc.strip(), spec
        assert (spec.type is OptionType.TIME) == (spec.time_unit is not None), spec.name
        assert bool(spec.choices) == (
            spec.type in (OptionType.LETTER_ENUM, OptionType.WORD_ENUM)
        ), spec.name
        if spec.letter is not None:
            assert spec.code == ord(spec.letter)
        else:
            assert spec.code >= 0x81, spec.name


def test_codes_follow_table_order_after_the_letters() -> None:
    codes = [s.code for s in OPTION_TABLE if s.letter is None]
    assert codes == sorted(codes)


@pytest.mark.parametrize(
    ("query", "name", "letter", "code"),
    [
        ("MaxMessageSize", "MaxMessageSize", None, 0x8A),
        ("maxmessagesize", "MaxMessageSize", None, 0x8A),
        ("MAXHOPCOUNT", "MaxHopCount", "h", ord("h")),
        ("h", "MaxHopCount", "h", ord("h")),
        ("L", "LogLevel", "L", ord("L")),
        ("m", "MeToo", "m", ord("m")),
        ("7", "SevenBitInput", "7", ord("7")),
        ("r", "Timeout", "r", ord("r")),
        ("Timeout", "Timeout", "r", ord("r")),
        ("DelayLA", "DelayLA", None, 0xCD),
        ("SharedMemoryKeyFile", "SharedMemoryKeyFile", None, 0xD0),
        ("CipherSuites", "CipherSuites", None, 0xFA),
        ("M", "", "M", ord("M")),
        ("g", "", "g", ord("g")),
    ],
)
def test_find_option(query: str, name: str, letter: str | None, code: int) -> None:
    spec = find_option(query)
    assert spec is not None
    assert (spec.name, spec.letter, spec.code) == (name, letter, code)


@pytest.mark.parametrize(
    "query", ["", "NoSuchOption", "MaxHop", "W", "D", "N", "DANE", "AutoRebuildAliases", "Q "]
)
def test_find_option_unknown(query: str) -> None:
    assert find_option(query) is None


def test_unavailable_options_are_not_options() -> None:
    for name in UNAVAILABLE_OPTIONS:
        assert find_option(name) is None


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("LogLevel", True),
        ("DeliveryMode", True),
        ("PrivacyOptions", True),
        ("Verbose", True),
        ("MinQueueAge", True),
        ("RejectNUL", True),
        ("QueueDirectory", False),
        ("MaxHopCount", False),
        ("Timeout", False),
        ("RunAsUser", False),
        ("MaxMessageSize", False),
    ],
)
def test_safe_flags(name: str, safe: bool) -> None:
    assert OPTIONS[name].safe is safe


def test_safe_count() -> None:
    assert sum(s.safe for s in OPTION_TABLE) == 28


@pytest.mark.parametrize(
    ("spec_name", "display"),
    [("LogLevel", "L"), ("SevenBitInput", "7"), ("DelayLA", "0xcd"), ("MaxMessageSize", "0x8a")],
)
def test_display_code(spec_name: str, display: str) -> None:
    assert OPTIONS[spec_name].display_code == display


def test_letters_index() -> None:
    assert set(BY_LETTER) == {s.letter for s in OPTION_TABLE if s.letter}
    assert "Q" in BY_LETTER and BY_LETTER["Q"].name == "QueueDirectory"


@pytest.mark.parametrize(
    ("name", "default", "unit"),
    [
        ("queuewarn", "4h", TimeUnit.HOURS),
        ("queuereturn", "5d", TimeUnit.DAYS),
        ("queuereturn.non-urgent", "7d", TimeUnit.DAYS),
        ("ident", "5s", TimeUnit.MINUTES),
        ("command", "1h", TimeUnit.MINUTES),
        ("resolver.retrans", None, TimeUnit.SECONDS),
    ],
)
def test_timeouts(name: str, default: str | None, unit: TimeUnit) -> None:
    assert (TIMEOUTS[name].default, TIMEOUTS[name].unit) == (default, unit)


def test_spec_is_frozen() -> None:
    spec = OPTIONS["LogLevel"]
    assert isinstance(spec, OptionSpec)
    with pytest.raises(AttributeError):
        spec.default = "3"  # type: ignore[misc]
