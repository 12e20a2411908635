"""Unit tests of mta.queue.qid: the Sendmail 8.17 queue id shape and the generator."""

from __future__ import annotations

import os
import random
import threading
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mta.queue.qid import (
    BASE60,
    SEQUENCES_PER_SECOND,
    QidGenerator,
    QidParts,
    format_qid,
    is_safe_qid,
    parse_qid,
)

# Queue ids the real sendmail 8.17.1.9 made, with the T record (creation time) of
# their qf file where it was kept; the envelope number and pid come from the id.
REAL_IDS = [
    ("6B62wBSI005985", 1796525891, QidParts(2026, 12, 6, 2, 58, 11, 28 * 60 + 18, 5985)),
    ("6B62wXcV006348", 1796525913, QidParts(2026, 12, 6, 2, 58, 33, 38 * 60 + 31, 6348)),
    ("6B62x1Vs006605", 1796525941, QidParts(2026, 12, 6, 2, 59, 1, 31 * 60 + 54, 6605)),
    ("6B630JFp007601", 1796526019, QidParts(2026, 12, 6, 3, 0, 19, 15 * 60 + 51, 7601)),
    ("6B631cIV008359", None, QidParts(2026, 12, 6, 3, 1, 38, 18 * 60 + 31, 8359)),
    ("6B62wnAT000001", None, QidParts(2026, 12, 6, 2, 58, 49, 10 * 60 + 29, 1)),
]


def test_alphabet() -> None:
    assert len(BASE60) == 60 == len(set(BASE60))
    assert BASE60[:10] == "0123456789" and BASE60[35] == "Z" and BASE60[-1] == "x"


@pytest.mark.parametrize(("qid", "created", "parts"), REAL_IDS)
def test_parse_real_ids(qid: str, created: int | None, parts: QidParts) -> None:
    assert parse_qid(qid, reference_year=2026) == parts


@pytest.mark.parametrize(
    ("reference_year", "year"),
    [(2026, 2026), (2027, 2026), (2025, 2026), (2024, 1966), (2090, 2086)],
)
def test_year_is_the_latest_that_fits(reference_year: int, year: int) -> None:
    assert parse_qid("6B62wBSI005985", reference_year=reference_year).year == year


@pytest.mark.parametrize(("qid", "created", "parts"), [r for r in REAL_IDS if r[1] is not None])
def test_format_reproduces_real_ids(qid: str, created: int, parts: QidParts) -> None:
    assert format_qid(time.gmtime(created), parts.sequence, parts.pid) == qid


@pytest.mark.parametrize(
    ("pid", "suffix"),
    [(1, "000001"), (5985, "005985"), (32768, "032768"), (999999, "999999"), (4194304, "4194304")],
)
def test_pid_is_zero_padded_to_six_digits(pid: int, suffix: str) -> None:
    qid = format_qid(time.gmtime(0), 0, pid)
    assert qid.endswith(suffix) and len(qid) == 8 + len(suffix)
    assert parse_qid(qid).pid == pid


@pytest.mark.parametrize(
    ("sequence", "pid"), [(-1, 1), (SEQUENCES_PER_SECOND, 1), (0, -5)], ids=str
)
def test_format_rejects_out_of_range(sequence: int, pid: int) -> None:
    with pytest.raises(ValueError):
        format_qid(time.gmtime(0), sequence, pid)


def test_leap_second_is_clamped() -> None:
    leap = time.struct_time((2016, 12, 31, 23, 59, 60, 5, 366, 0))
    assert parse_qid(format_qid(leap, 0, 1)).second == 59


@pytest.mark.parametrize(
    "text", ["", "6B62wBSI00598", "6B62wBSI0059x5", "6B62wBSI/05985", "zB62wBSI005985", "6B62"]
)
def test_parse_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_qid(text)


@pytest.mark.parametrize(
    ("qid", "safe"),
    [
        ("6B62wBSI005985", True),
        ("AA12345", True),  # an older Sendmail id is still a fine file name
        ("../etc/passwd", False),
        ("a/b", False),
        ("", False),
        ("x" * 65, False),
        ("6B62wBSI005985\n", False),
    ],
)
def test_is_safe_qid(qid: str, safe: bool) -> None:
    assert is_safe_qid(qid) is safe


@given(
    st.integers(min_value=0, max_value=2**33),
    st.integers(min_value=0, max_value=SEQUENCES_PER_SECOND - 1),
    st.integers(min_value=0, max_value=4194304),
)
def test_format_parse_round_trip(seconds: int, sequence: int, pid: int) -> None:
    when = time.gmtime(seconds)
    parts = parse_qid(format_qid(when, sequence, pid), reference_year=when.tm_year)
    assert (parts.month, parts.day, parts.hour, parts.minute) == (
        when.tm_mon,
        when.tm_mday,
        when.tm_hour,
        when.tm_min,
    )
    assert parts.year == parse_qid(format_qid(when, 0, 1), reference_year=when.tm_year).year
    assert parse_qid(format_qid(when, 0, 1), reference_year=when.tm_year).year == when.tm_year
    assert (parts.second, parts.sequence, parts.pid) == (min(when.tm_sec, 59), sequence, pid)


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _generator(clock: FakeClock, pid: list[int], seed: int = 1) -> QidGenerator:
    return QidGenerator(clock=clock, getpid=lambda: pid[0], rng=random.Random(seed))


def test_sequence_increments_by_one_like_sendmail() -> None:
    gen = _generator(FakeClock(1796526097.0), [8465])
    sequences = [parse_qid(gen.next()).sequence for _ in range(5)]
    assert sequences == [(sequences[0] + i) % SEQUENCES_PER_SECOND for i in range(5)]


def test_more_than_3600_in_one_second_moves_to_the_next_second() -> None:
    clock = FakeClock(1796526097.0)
    gen = _generator(clock, [42])
    ids = [gen.next() for _ in range(3 * SEQUENCES_PER_SECOND + 5)]
    assert len(set(ids)) == len(ids)
    seconds = {parse_qid(q).second for q in ids}
    assert len(seconds) == 4  # the clock stood still; the generator moved on


def test_clock_going_back_never_repeats() -> None:
    clock = FakeClock(1796526097.0)
    gen = _generator(clock, [42])
    ids = [gen.next() for _ in range(2000)]
    clock.now -= 3600  # NTP stepped the clock back an hour
    ids += [gen.next() for _ in range(3000)]
    assert len(set(ids)) == len(ids)
    assert parse_qid(ids[-1]).hour == parse_qid(ids[0]).hour


def test_fork_gets_its_own_pid_and_a_fresh_start() -> None:
    clock = FakeClock(1796526097.0)
    pid = [100]
    gen = _generator(clock, pid)
    parent = gen.next()
    pid[0] = 101  # what os.getpid() says in a forked worker
    child = gen.next()
    assert parse_qid(parent).pid == 100 and parse_qid(child).pid == 101


def test_workers_of_one_daemon_differ_by_pid() -> None:
    clock = FakeClock(1796526097.0)
    a = [_generator(clock, [1000], seed=7).next() for _ in range(1)]
    b = [_generator(clock, [1001], seed=7).next() for _ in range(1)]  # same random start
    assert a[0][:10] == b[0][:10] and a != b


def test_restart_in_a_later_second_differs() -> None:
    first = _generator(FakeClock(1796526097.0), [500], seed=3).next()
    again = _generator(FakeClock(1796526098.0), [500], seed=3).next()  # same pid and start
    assert first != again


def test_default_generator_uses_this_process() -> None:
    qid = QidGenerator().next()
    parts = parse_qid(qid)
    assert parts.pid == os.getpid()
    now = time.gmtime()
    assert (parts.month, parts.day) == (now.tm_mon, now.tm_mday) or parts.hour in (0, 23)


def test_threads_share_one_generator_safely() -> None:
    gen = QidGenerator()
    results: list[list[str]] = [[] for _ in range(4)]

    def work(out: list[str]) -> None:
        out.extend(gen.next() for _ in range(2000))

    threads = [threading.Thread(target=work, args=(r,)) for r in results]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [q for r in results for q in r]
    assert len(set(every)) == len(every) == 8000
