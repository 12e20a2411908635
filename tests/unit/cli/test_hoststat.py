"""Unit tests of mta.cli.hoststat: hoststat/purgestat and sendmail -bh/-bH.

DESCRIPTION
    A minimal .cf names the queue and host status directories; the commands
    run in process and their standard output is compared with the text the
    real Sendmail 8.17 prints in the same situation.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from mta.cli.hoststat import main_hoststat, main_purgestat
from mta.cli.sendmail import main as sendmail_main
from mta.deliver.hoststatus import LISTING_HEADER, HostStatus, HostStatusStore


def _cf(tmp_path: Path, hoststat: str | None = ".hoststat") -> Path:
    queue = tmp_path / "mqueue"
    queue.mkdir(exist_ok=True)
    lines = ["V10/Berkeley", f"O QueueDirectory={queue}"]
    if hoststat is not None:
        lines.append(f"O HostStatusDirectory={hoststat}")
    cf = tmp_path / "test.cf"
    cf.write_text("\n".join(lines) + "\n")
    return cf


def test_listing_relative_to_queue(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cf = _cf(tmp_path)
    directory = tmp_path / "mqueue" / ".hoststat"
    directory.mkdir()
    now = int(time.time())
    HostStatusStore(str(directory)).record(
        "[127.0.0.9]", HostStatus(75, 111, 0, "4.4.1", None, now))
    assert main_hoststat(["-C", str(cf)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(LISTING_HEADER)
    assert out.splitlines()[1].startswith(" 127.0.0.9 ")
    assert out.splitlines()[1].endswith(" Deferred: Connection refu")
    assert sendmail_main(["-bh", "-v", "-C", str(cf)]) == 0
    assert capsys.readouterr().out.splitlines()[1].endswith(" Deferred: Connection refused")


def test_empty_and_unset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cf = _cf(tmp_path)
    (tmp_path / "mqueue" / ".hoststat").mkdir()
    assert main_hoststat(["-C", str(cf)]) == 0
    assert capsys.readouterr().out == ""
    assert main_hoststat(["-C", str(_cf(tmp_path, None))]) == 0
    assert capsys.readouterr().out == ""


def test_missing_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cf = _cf(tmp_path)
    assert main_hoststat(["-C", str(cf), "-O", "HostStatusDirectory=/nonexistent/hs"]) == 0
    assert capsys.readouterr().out == (
        "Warning: Cannot use HostStatusDirectory = /nonexistent/hs: No such file or directory\n")


def test_missing_cf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main_hoststat(["-C", str(tmp_path / "none.cf")]) == 72
    assert "cannot open" in capsys.readouterr().out


def test_purgestat(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cf = _cf(tmp_path, str(tmp_path / "hs"))
    store = HostStatusStore(str(tmp_path / "hs"))
    (tmp_path / "hs").mkdir()
    now = int(time.time())
    store.record("old.test", HostStatus(75, updated=now))
    store.record("new.test", HostStatus(75, updated=now))
    old = store.path("old.test")
    assert old is not None
    os.utime(old, (now - 7200, now - 7200))
    assert main_purgestat(["-C", str(cf)]) == 0
    assert not os.path.exists(old)
    assert store.load("new.test") is not None
    assert sendmail_main(["-bH", "-C", str(cf), "-O", "Timeout.hoststatus=0s"]) == 0
    new = store.path("new.test")
    assert new is not None
    os.utime(new, (now - 10, now - 10))
    assert sendmail_main(["-bH", "-C", str(cf), "-O", "Timeout.hoststatus=1s"]) == 0
    assert store.walk() == []
    assert capsys.readouterr().out == ""
