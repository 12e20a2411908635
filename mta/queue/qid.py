"""Sendmail-style queue IDs: YMDhmsNNpppppp, unique per process, worker and restart.

SYNOPSIS
    generator = QidGenerator()
    qid = generator.next()                      # "6B62wBSI005985"
    parts = parse_qid(qid)                      # QidParts(year=2026, month=12, ..., pid=5985)
    format_qid(time.gmtime(), sequence=1698, pid=5985) == "6B62wBSI005985"
    is_safe_qid(qid)                            # may it be part of a file name?

DESCRIPTION
    The shape is the one Sendmail 8.17 gives its messages (Installation and
    Operation Guide, appendix B "Queue file formats", checked against queue
    ids made by Debian's sendmail 8.17.1.9 -bs):

        Y M D h m s   one base-60 digit each: year - 1900 modulo 60, month
                      0-11, day 1-31, hour, minute, second, all in UTC (the
                      real sendmail with TimeZoneSpec=Asia/Tokyo still encodes
                      the UTC hour);
        NN            the envelope number, two base-60 digits (0..3599),
                      starting at a random value in each process and
                      incremented by one per id (five messages of one -bs
                      session got ...Fd, Fe, Ff, Fg, Fh);
        pppppp        the process id, zero-padded to at least six decimal
                      digits (pid 5985 gives "005985", pid 1 "000001").

    The base-60 digits are 0-9, A-Z, a-x.

    QidGenerator makes ids that are unique within the process: for one pid
    the pair (second, envelope number) never repeats, because the second
    used never goes back (a clock stepped backwards is ignored) and when
    all 3600 envelope numbers of a second are used up the generator moves on
    to the next second. Worker processes of one daemon differ in their pid
    (the generator reads os.getpid() on every call, so a fork gets a new
    pid and a fresh random start); a restarted daemon has a new pid or a
    later second. Creating the df file with O_EXCL (mta.queue.fsqueue) is
    the final guard against the remaining cases (a pid reused within the
    same second after a restart, two hosts sharing one queue directory).

DIAGNOSTICS
    parse_qid raises ValueError for text that is not in this shape (older
    Sendmail id shapes such as "AA12345" are not parsed, but is_safe_qid
    accepts them as file names).

SEE ALSO
    mta.queue.fsqueue, mta.queue.qfformat; Sendmail Installation and
    Operation Guide appendix B.
"""

from __future__ import annotations

import os
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

BASE60 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwx"
SEQUENCES_PER_SECOND = 60 * 60
_DIGIT = {c: i for i, c in enumerate(BASE60)}
_QID_RE = re.compile(r"[0-9A-Za-x]{8}[0-9]{6,}")
_SAFE_QID_RE = re.compile(r"[0-9A-Za-z]{1,64}")
_TM_YEAR_BASE = 1900


@dataclass(frozen=True, slots=True)
class QidParts:
    """The fields of a queue id (the year is the latest one that fits, see parse_qid)."""

    year: int
    month: int
    day: int
    hour: int
    minute: int
    second: int
    sequence: int
    pid: int


def format_qid(when: time.struct_time, sequence: int, pid: int) -> str:
    """Return the queue id for a UTC time, an envelope number and a process id.

    Args:
        when: a struct_time in UTC (time.gmtime()).
        sequence: the envelope number, 0 <= sequence < 3600.
        pid: the process id (non-negative).

    Returns:
        The id, e.g. "6B62wBSI005985".

    Raises:
        ValueError: sequence or pid out of range.
    """
    if not 0 <= sequence < SEQUENCES_PER_SECOND:
        raise ValueError(f"envelope number out of range: {sequence}")
    if pid < 0:
        raise ValueError(f"negative pid: {pid}")
    fields = (
        (when.tm_year - _TM_YEAR_BASE) % 60,
        when.tm_mon - 1,
        when.tm_mday,
        when.tm_hour,
        when.tm_min,
        min(when.tm_sec, 59),  # a leap second has no digit of its own
        sequence // 60,
        sequence % 60,
    )
    return "".join(BASE60[f] for f in fields) + f"{pid:06d}"


def parse_qid(qid: str, *, reference_year: int | None = None) -> QidParts:
    """Split a Sendmail 8.17 queue id into its fields.

    The id keeps the year modulo 60 only; the year returned is the latest
    one that fits and is not after reference_year + 1.

    Args:
        qid: the queue id.
        reference_year: default: the current UTC year.

    Raises:
        ValueError: qid is not in the YMDhmsNNpppppp shape.
    """
    if not _QID_RE.fullmatch(qid):
        raise ValueError(f"not a Sendmail queue id: {qid!r}")
    d = [_DIGIT[c] for c in qid[:8]]
    latest = (reference_year or time.gmtime().tm_year) + 1
    return QidParts(
        year=latest - (latest - _TM_YEAR_BASE - d[0]) % 60,
        month=d[1] + 1,
        day=d[2],
        hour=d[3],
        minute=d[4],
        second=d[5],
        sequence=d[6] * 60 + d[7],
        pid=int(qid[8:]),
    )


def is_safe_qid(qid: str) -> bool:
    """Return whether qid can be used in a queue file name (letters and digits only)."""
    return bool(_SAFE_QID_RE.fullmatch(qid))


class QidGenerator:
    """Make queue ids that never repeat within this process (thread-safe).

    Args:
        clock: returns the current time in seconds (default time.time).
        getpid: returns the current process id (default os.getpid; read on
            every call so that a forked worker uses its own pid).
        rng: source of the random first envelope number of each process.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.time,
        getpid: Callable[[], int] = os.getpid,
        rng: random.Random | None = None,
    ) -> None:
        self._clock = clock
        self._getpid = getpid
        self._rng = rng or random.SystemRandom()
        self._lock = threading.Lock()
        self._pid = -1
        self._second = 0
        self._sequence = 0
        self._used = 0  # envelope numbers handed out in self._second

    def next(self) -> str:
        """Return a new queue id.

        Side effects:
            Advances the envelope number; after 3600 ids in one second the
            following ids carry the next second.
        """
        with self._lock:
            pid = self._getpid()
            now = int(self._clock())
            if pid != self._pid:  # first call, or we are a forked child
                self._pid = pid
                self._sequence = self._rng.randrange(SEQUENCES_PER_SECOND)
                self._second, self._used = now, 0
            elif now > self._second:
                self._second, self._used = now, 0
            elif self._used >= SEQUENCES_PER_SECOND:
                self._second, self._used = self._second + 1, 0
            sequence = self._sequence
            self._sequence = (sequence + 1) % SEQUENCES_PER_SECOND
            self._used += 1
            return format_qid(time.gmtime(self._second), sequence, pid)
