"""The load average as Sendmail's getla() gives it to QueueLA, RefuseLA and DelayLA.

SYNOPSIS
    la = current()                  # the one-minute load average, rounded; -1: unknown
    watch = LoadWatch()             # the same, read at most once a second
    if refuse_la_of(options) <= watch.current(): ...

DESCRIPTION
    Sendmail compares the one-minute load average, rounded to an integer,
    with QueueLA (queue only), RefuseLA (refuse connections) and DelayLA
    (sleep a second per SMTP command). It is read from /proc/loadavg, the
    file os.getloadavg() reads on Linux; MTA_LOADAVG names another file of
    the same form, which is how the tests give the daemon a load without
    loading the machine. Where neither can be read, os.getloadavg() answers,
    and -1 (never over a limit) when nothing does.

    The defaults of the limits follow Sendmail: QueueLA 8 and RefuseLA 12
    per online processor; DelayLA 0 (off).

SEE ALSO
    mta.queue.listing.should_queue, mta.smtp.server (RefuseLA),
    mta.smtp.session (DelayLA); Sendmail op.me "QueueLA", "RefuseLA", "DelayLA".
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping

PROC_LOADAVG = "/proc/loadavg"


def current() -> int:
    """The one-minute load average rounded to an integer, -1 when it cannot be had."""
    path = os.environ.get("MTA_LOADAVG") or PROC_LOADAVG
    try:
        with open(path, "rb") as fh:
            return int(float(fh.read(64).split()[0]) + 0.5)
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.getloadavg()[0] + 0.5)
    except OSError:
        return -1


def processors() -> int:
    """Online processors (at least 1): the unit of the QueueLA and RefuseLA defaults."""
    try:
        return max(int(os.sysconf("SC_NPROCESSORS_ONLN")), 1)
    except (ValueError, OSError, AttributeError):
        return 1


def _limit(options: Mapping[str, str], name: str, per_cpu: int) -> int:
    text = (options.get(name) or "").strip()
    try:
        return int(text)
    except ValueError:
        return per_cpu * processors()


def refuse_la_of(options: Mapping[str, str]) -> int:
    """RefuseLA: given, else 12 per processor (0 or less: never refuse)."""
    return _limit(options, "RefuseLA", 12)


def delay_la_of(options: Mapping[str, str]) -> int:
    """DelayLA: given, else 0 (never delay)."""
    return _limit(options, "DelayLA", 0)


class LoadWatch:
    """current(), read again only when a second has passed: callers on every SMTP
    command need not read the file each time (the average moves slowly)."""

    def __init__(self, interval: float = 1.0) -> None:
        self.interval = interval
        self._value = -1
        self._until = 0.0

    def current(self) -> int:
        now = time.monotonic()
        if now >= self._until:
            self._value = current()
            self._until = now + self.interval
        return self._value
