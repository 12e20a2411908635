"""Tests of mta.smtp.server.Admission: MaxDaemonChildren and ConnectionRateThrottle daemon-wide."""

from __future__ import annotations

import os

from mta.smtp.server import Admission, admission_from


def test_max_children_counts_the_sessions_of_every_worker() -> None:
    admission = Admission(max_children=2, workers=2)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # worker 1 takes a session and keeps it
        try:
            admission.use(1)
            os.write(write, b"y" if admission.enter() else b"n")
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(read, 1) == b"y"
    os.close(read)
    os.close(write)
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
