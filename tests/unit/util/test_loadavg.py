"""mta.util.loadavg: the load average as Sendmail rounds it, and the limits' defaults."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mta.util import loadavg


@pytest.mark.parametrize(("text", "expected"), [
    ("0.00 0.01 0.05 1/100 4242\n", 0),
    ("0.49 1.00 1.00 1/100 4242\n", 0),
    ("0.50 1.00 1.00 1/100 4242\n", 1),
    ("14.60 3.00 1.00 2/300 4242\n", 15),
    ("12", 12),
])
def test_current_rounds_the_one_minute_average(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               text: str, expected: int) -> None:
    path = tmp_path / "loadavg"
    path.write_text(text)
    monkeypatch.setenv("MTA_LOADAVG", str(path))
    assert loadavg.current() == expected


@pytest.mark.parametrize("text", ["", "busy\n"])
def test_an_unreadable_file_falls_back_to_getloadavg(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     text: str) -> None:
    path = tmp_path / "loadavg"
    path.write_text(text)
    monkeypatch.setenv("MTA_LOADAVG", str(path))
    monkeypatch.setattr(os, "getloadavg", lambda: (3.7, 0.0, 0.0))
    assert loadavg.current() == 4
    monkeypatch.setenv("MTA_LOADAVG", str(tmp_path / "missing"))
    assert loadavg.current() == 4

    def no_load() -> tuple[float, float, float]:
        raise OSError("no load average")

    monkeypatch.setattr(os, "getloadavg", no_load)
    assert loadavg.current() == -1


def test_limits_default_per_processor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loadavg, "processors", lambda: 4)
    assert loadavg.refuse_la_of({}) == 48
    assert loadavg.delay_la_of({}) == 0
    options = {"RefuseLA": " 9 ", "DelayLA": "3"}
    assert (loadavg.refuse_la_of(options), loadavg.delay_la_of(options)) == (9, 3)
    assert loadavg.refuse_la_of({"RefuseLA": "0"}) == 0  # never refuse


def test_watch_reads_once_per_interval(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "loadavg"
    path.write_text("1.00\n")
    monkeypatch.setenv("MTA_LOADAVG", str(path))
    watch = loadavg.LoadWatch(interval=3600)
    assert watch.current() == 1
    path.write_text("9.00\n")
    assert watch.current() == 1  # not read again within the interval
    assert loadavg.LoadWatch(interval=0).current() == 9
