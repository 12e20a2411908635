"""Tests of mta.smtp.server.Admission: MaxDaemonChildren and ConnectionRateThrottle daemon-wide."""

from __future__ import annotations

import os
from collections.abc import Callable

from mta.smtp.server import Admission, admission_from


def _in_worker_1(admission: Admission, step: Callable[[], bool]) -> bool:
    """Run step in a forked process as worker 1 of admission; what it returned."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            admission.use(1)
            os.write(write, b"y" if step() else b"n")
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    try:
        return os.read(read, 1) == b"y"
    finally:
        os.close(read)
        os.close(write)


def test_max_children_counts_the_sessions_of_every_worker() -> None:
    admission = Admission(max_children=2, workers=2)
    assert _in_worker_1(admission, admission.enter)  # worker 1 takes a session, keeps it
    admission.use(0)
    assert admission.enter()  # the second session of the daemon
    assert not admission.enter()  # the third: over MaxDaemonChildren, whichever worker
    admission.leave()
    assert admission.enter()


def test_no_limit_without_the_option() -> None:
    admission = admission_from({}, workers=2)
    assert all(admission.enter() for _ in range(100))
    assert admission.rate_delay(1000.0) == 0.0


def test_connection_rate_throttle_delays_to_the_next_second() -> None:
    admission = admission_from({"ConnectionRateThrottle": "2"}, workers=2)
    assert admission.rate_delay(100.25) == 0.0
    assert admission.rate_delay(100.5) == 0.0
    assert admission.rate_delay(100.75) == 0.25  # the third this second waits for the next
    assert admission.rate_delay(101.0) == 0.0


def test_client_rate_total_rate_and_open_connections() -> None:
    # what ${client_rate}, ${total_rate} and ${client_connections} hold for
    # FEATURE(ratecontrol) and FEATURE(conncontrol): this connection included
    admission = admission_from({"ConnectionRateWindowSize": "60"})
    assert admission.connect("192.0.2.1", 100.0) == (1, 1, 1)
    assert admission.connect("192.0.2.1", 100.5) == (2, 2, 2)
    admission.disconnect("192.0.2.1")
    assert admission.connect("192.0.2.1", 101.0) == (3, 3, 2)
    assert admission.connect("198.51.100.7", 101.0) == (1, 4, 1)
    # a window later the earlier one counts for the part still within 60 s
    assert admission.connect("192.0.2.1", 165.0)[0] == 1 + 3 * 55 // 60
    # two windows later it is gone
    assert admission.connect("192.0.2.1", 400.0)[0] == 1


def test_client_counts_are_shared_by_the_workers() -> None:
    admission = Admission(workers=2, window=60)
    assert _in_worker_1(admission, lambda: admission.connect("192.0.2.9", 10.0) == (1, 1, 1))
    assert admission.connect("192.0.2.9", 11.0) == (2, 2, 2)


def test_a_full_table_gives_stale_slots_to_new_clients() -> None:
    from mta.smtp import server

    admission = Admission(window=60)
    for n in range(server.CLIENT_SLOTS):
        admission.connect(f"10.0.{n // 256}.{n % 256}", 0.0)
        admission.disconnect(f"10.0.{n // 256}.{n % 256}")
    assert admission.connect("192.0.2.77", 1.0)[2] == 1  # full: counted as one
    assert admission.connect("192.0.2.77", 500.0) == (1, 1, 1)  # the stale slots are free
