"""Sendmail time values ("5d", "4h30m", "90") to seconds, and back to text.

SYNOPSIS
    convtime("4h30m")                 # 16200
    convtime("90", TimeUnit.SECONDS)  # 90 (the option's default unit)
    convtime("now") == NOW            # Timeout.queuereturn=now
    parse_interval("5x")              # raises ValueError("Invalid time unit `x'")
    format_interval(93784)            # "1 day, 2 hours, 3 minutes, 4 seconds"
    format_interval(93784, brief=True)  # "1+02:03:04"

DESCRIPTION
    A time value is a sequence of <digits><unit> groups whose values add up:
    units are w (weeks), d (days), h (hours), m (minutes) and s (seconds),
    lower case only. Digits with no unit after them use the caller's default
    unit (each option has its own: minutes for most timeouts, days for
    Timeout.queuereturn, seconds for DialDelay, ...). A leading "-" negates the
    sum, and the word "now" (any case) gives the NOW sentinel.

    convtime() copies Sendmail's convtime() exactly, including its tolerance:
    a character that is not a unit is reported ("Invalid time unit `x'") and
    then treated as the default unit, so "bogus" is four errors and the value
    of zero default units plus 0 seconds. Empty text is 0. The reports go to
    an on_error callback (Sendmail prints them with usrerr() and goes on).
    parse_interval() is the strict variant for new code: it raises on the first
    bad unit instead.

    format_interval() copies pintvl(): the verbose form ("2 hours, 1 minute",
    "zero seconds", "too long" for NOW) used in DSN warnings and the brief
    "D+HH:MM:SS" form used in log lines (delay=, xdelay=).

DIAGNOSTICS
    convtime never raises; parse_interval raises ValueError whose text is the
    Sendmail message.

SEE ALSO
    mta.core.params (OptionSpec.time_unit), mta.config.options (coerce),
    Sendmail op.me section "Time values" and the Timeout option.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from typing import Final

NOW: Final[int] = -1
"""Sendmail's NOW: "now" as a time value (bounce at once for Timeout.queuereturn)."""

INVALID_UNIT_MESSAGE: Final[str] = "Invalid time unit `{unit}'"
"""The text Sendmail prints for a character that is not a time unit."""


class TimeUnit(enum.Enum):
    """A time unit letter and its length in seconds."""

    WEEKS = "w"
    DAYS = "d"
    HOURS = "h"
    MINUTES = "m"
    SECONDS = "s"

    @property
    def seconds(self) -> int:
        """Length of one unit in seconds."""
        return _UNIT_SECONDS[self.value]

    @classmethod
    def from_text(cls, letter: str) -> TimeUnit:
        """Return the unit for its letter ("w", "d", "h", "m", "s").

        Raises:
            ValueError: letter is not one of the five unit letters.
        """
        return cls(letter)


_UNIT_SECONDS: Final[dict[str, int]] = {
    "w": 7 * 24 * 60 * 60,
    "d": 24 * 60 * 60,
    "h": 60 * 60,
    "m": 60,
    "s": 1,
}


def convtime(
    text: str,
    unit: TimeUnit = TimeUnit.MINUTES,
    *,
    on_error: Callable[[str], None] | None = None,
) -> int:
    """Convert a Sendmail time value to seconds, as Sendmail's convtime() does.

    Args:
        text: the value, e.g. "4h30m", "90", "-5m" or "now".
        unit: the unit for digits with no unit letter after them.
        on_error: called with "Invalid time unit `c'" for every character that
            is neither a digit nor a unit letter; that character then counts as
            the default unit and conversion goes on.

    Returns:
        The number of seconds (negative after a leading "-"), or NOW for "now".
    """
    if text.lower() == "now":
        return NOW
    negative = text.startswith("-")
    pos = 1 if negative else 0
    total = 0
    length = len(text)
    while pos < length:
        value = 0
        while pos < length and "0" <= text[pos] <= "9":
            value = value * 10 + ord(text[pos]) - ord("0")
            pos += 1
        if pos >= length:
            letter = unit.value
        else:
            letter = text[pos]
            pos += 1
            if letter not in _UNIT_SECONDS:
                if on_error is not None:
                    on_error(INVALID_UNIT_MESSAGE.format(unit=letter))
                letter = unit.value
        total += value * _UNIT_SECONDS[letter]
    return -total if negative else total


def parse_interval(text: str, unit: TimeUnit = TimeUnit.MINUTES) -> int:
    """Convert a time value like convtime(), but refuse a bad unit.

    Args:
        text: the value.
        unit: the unit for digits with no unit letter after them.

    Returns:
        Seconds, or NOW for "now".

    Raises:
        ValueError: text has a character that is not a digit or unit; the
            message is Sendmail's ("Invalid time unit `x'").
    """
    errors: list[str] = []
    seconds = convtime(text, unit, on_error=errors.append)
    if errors:
        raise ValueError(errors[0])
    return seconds


def _plural(count: int) -> str:
    return "" if count == 1 else "s"


def format_interval(seconds: int, *, brief: bool = False) -> str:
    """Render seconds as Sendmail's pintvl() does.

    Args:
        seconds: the interval (NOW renders as "too long").
        brief: "D+HH:MM:SS" (days only when non-zero) instead of words.

    Returns:
        e.g. "4 hours", "1 week, 2 days", "zero seconds", or "00:05:00".
    """
    if seconds == 0 and not brief:
        return "zero seconds"
    if seconds == NOW:
        return "too long"
    # C division and remainder truncate toward zero.
    sign = -1 if seconds < 0 else 1
    rest = abs(seconds)
    secs, rest = sign * (rest % 60), rest // 60
    mins, rest = sign * (rest % 60), rest // 60
    hours, rest = sign * (rest % 24), rest // 24
    if brief:
        days = sign * rest
        prefix = f"{days}+" if days > 0 else ""
        return f"{prefix}{hours:02d}:{mins:02d}:{secs:02d}"
    days, weeks = sign * (rest % 7), sign * (rest // 7)
    parts = [
        f"{count} {name}{_plural(count)}"
        for count, name in (
            (weeks, "week"),
            (days, "day"),
            (hours, "hour"),
            (mins, "minute"),
            (secs, "second"),
        )
        if count > 0
    ]
    return ", ".join(parts)


def arpadate(when: float) -> str:
    """The date as Sendmail's arpadate() writes it: "Sun, 6 Dec 2026 03:12:09 -0500".

    Local time; a zone without offset from UTC is written "GMT", as Sendmail
    8.17 does, others "+HHMM"/"-HHMM".
    """
    t = time.localtime(when)
    offset = t.tm_gmtoff // 60
    head = time.strftime("%a, ", t) + str(t.tm_mday) + time.strftime(" %b %Y %H:%M:%S ", t)
    if offset == 0:
        return head + "GMT"
    sign = "+" if offset > 0 else "-"
    hours, minutes = divmod(abs(offset), 60)
    return head + f"{sign}{hours:02d}{minutes:02d}"


def ctime(when: float | None = None) -> str:
    """The date as ctime(3) writes it ($d, the From_ line): "Sun Dec  6 07:10:56 2026"."""
    return time.strftime("%a %b %e %H:%M:%S %Y", time.localtime(when))
