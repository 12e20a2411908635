"""Unit tests of mta.deliver.hoststatus: file format, paths, timeout, listing, purge.

DESCRIPTION
    The file texts and listing lines are those the real Sendmail 8.17 wrote
    and printed (tests/diff/test_hoststat_real.py checks them live).
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest

from mta.deliver.hoststatus import (
    LISTING_HEADER,
    DamagedStatusFile,
    HostStatus,
    HostStatusStore,
    host_from_path,
    resolve_directory,
    status_path,
)

NOW = 1_800_000_000

# (file text written by sendmail 8.17, the status it stands for)
OBSERVED = [
    (b"V0\nE111\nH0\nS75\nD4.4.1\nU1796542967\n.\n",
     HostStatus(75, 111, 0, "4.4.1", None, 1796542967)),
    (b"V0\nE0\nH0\nS75\nD4.5.0\nR\nU1796543033\n.\n",
     HostStatus(75, 0, 0, "4.5.0", "", 1796543033)),
    (b"V0\nE0\nH0\nS0\nD2.0.0\nR250 2.0.0 accepted\nU1796543033\n.\n",
     HostStatus(0, 0, 0, "2.0.0", "250 2.0.0 accepted", 1796543033)),
    (b"V0\nE0\nH0\nS0\nU1796542984\n.\n", HostStatus(0, 0, 0, None, None, 1796542984)),
    (b"V0\nE111\nH1\nS75\nD4.4.1\nU1796542983\n.\n",
     HostStatus(75, 111, 1, "4.4.1", None, 1796542983)),
]


@pytest.mark.parametrize(("text", "status"), OBSERVED)
def test_round_trip(text: bytes, status: HostStatus) -> None:
    assert HostStatus.parse(text) == status
    assert status.format() == text


def test_long_and_multiline_texts_are_cut_and_flattened() -> None:
    status = HostStatus(0, reply_text="x" * 100 + "\n", dsn="2.0.0\r\n", updated=5)
    text = status.format()
    assert b"R" + b"x" * 80 + b"\n" in text
    assert b"D2.0.0  \n" in text


@pytest.mark.parametrize("text", [b"V0\nX1\n.\n", b"S75\nU1\n", b"V0\n\nS1\n.\n"])
def test_damaged(text: bytes) -> None:
    with pytest.raises(DamagedStatusFile):
        HostStatus.parse(text)


def test_missing_dot_with_version_is_accepted() -> None:
    assert HostStatus.parse(b"V0\nS75\nU7\n").exit_status == 75


@pytest.mark.parametrize(("host", "path"), [
    ("mx.example.com", "D/com./example./mx"),
    ("MX.Example.COM.", "D/com./example./mx"),
    ("localhost", "D/localhost"),
    ("[127.0.0.9]", "D/9./0./0./127"),
    ("a/b.test", "D/test./a:b"),
    ("[IPv6:::1]", "D/ipv6:::1"),
])
def test_paths(host: str, path: str) -> None:
    assert status_path("D", host) == path


@pytest.mark.parametrize("host", ["", ".x", "a..b", "[not.an.address]"])
def test_no_path(host: str) -> None:
    assert status_path("D", host) is None


@pytest.mark.parametrize(("path", "host"), [
    ("/d/com./example./mx", "mx.example.com"),
    ("/d/9./0./0./127", "127.0.0.9"),
    ("/d/test./sx/s64", "s64"),
    ("/d/localhost", "localhost"),
])
def test_host_from_path(path: str, host: str) -> None:
    assert host_from_path(path) == host


def test_resolve_directory() -> None:
    assert resolve_directory(".hoststat", "/var/spool/mqueue") == "/var/spool/mqueue/.hoststat"
    assert resolve_directory("/abs", "/q") == "/abs"
    assert resolve_directory(None, "/q") is None
    assert resolve_directory("", "/q") is None


def test_record_load_and_layout(tmp_path: Path) -> None:
    store = HostStatusStore(str(tmp_path), timeout=1800)
    status = HostStatus(75, 111, 0, "4.4.1", None, NOW)
    assert store.record("mx.example.com", status)
    file = tmp_path / "com." / "example." / "mx"
    assert file.read_bytes() == status.format()
    assert file.stat().st_mode & 0o777 == 0o600
    assert store.load("MX.example.com.") == status
    assert store.load("other.example.com") is None
    # rewriting truncates
    assert store.record("mx.example.com", HostStatus(0, updated=NOW + 1))
    assert file.read_bytes() == b"V0\nE0\nH0\nS0\nU1800000001\n.\n"


def test_should_skip_timeout(tmp_path: Path) -> None:
    store = HostStatusStore(str(tmp_path), timeout=1800)
    failed = HostStatus(75, 111, 0, "4.4.1", None, NOW)
    store.record("[127.0.0.9]", failed)
    assert store.should_skip("[127.0.0.9]", NOW) == failed
    assert store.should_skip("[127.0.0.9]", NOW + 1799) == failed
    assert store.should_skip("[127.0.0.9]", NOW + 1800) is None  # stale
    assert store.should_skip("[127.0.0.8]", NOW) is None  # no file
    store.record("[127.0.0.9]", HostStatus(0, 0, 0, "2.0.0", "250 ok", NOW + 5))
    assert store.should_skip("[127.0.0.9]", NOW + 6) is None  # success clears


def test_locked_file(tmp_path: Path) -> None:
    store = HostStatusStore(str(tmp_path), timeout=1800)
    store.record("h.test", HostStatus(0, updated=NOW))
    path = store.path("h.test")
    assert path is not None
    with open(path, "r+b") as holder:
        fcntl.flock(holder, fcntl.LOCK_EX)
        assert not store.record("h.test", HostStatus(75, updated=NOW))
        skipped = store.should_skip("h.test", NOW)
        assert skipped is not None and skipped.exit_status == 75
        assert store.listing(NOW).splitlines()[1].startswith("*h.test ")
    assert HostStatus.parse(Path(path).read_bytes()).exit_status == 0


def test_deferral_text() -> None:
    assert HostStatus(75, 111).deferral_text("[127.0.0.9]") == \
        "Deferred: Connection refused by [127.0.0.9]"
    assert HostStatus(75, 0, reply_text="").deferral_text("x") == "Deferred"


@pytest.mark.parametrize(("status", "brief", "verbose"), [
    (HostStatus(75, 111), "Deferred: Connection refu", "Deferred: Connection refused"),
    (HostStatus(0, reply_text="451 4.3.0 mailbox system busy"),
     "451 4.3.0 mailbox system ", "451 4.3.0 mailbox system busy"),
    (HostStatus(75, reply_text=""), "", ""),
    (HostStatus(0), "OK", "OK"),
    (HostStatus(0, 110), "OK: Connection timed out", "OK: Connection timed out"),
    (HostStatus(64), "5.0.0 Command line usage ", "5.0.0 Command line usage error"),
    (HostStatus(75), "4.0.0 Deferred", "4.0.0 Deferred"),
    (HostStatus(79), "Unknown mailer error 79", "Unknown mailer error 79"),
    (HostStatus(75, 999), "Deferred: Unknown error", "Deferred: Unknown error"),
])
def test_result_text(status: HostStatus, brief: str, verbose: str) -> None:
    assert status.result_text() == brief
    assert status.result_text(verbose=True) == verbose


def test_listing(tmp_path: Path) -> None:
    store = HostStatusStore(str(tmp_path), timeout=1800)
    assert store.listing(NOW) == ""
    store.record("[127.0.0.9]", HostStatus(75, 111, 0, "4.4.1", None, NOW - 90062))
    store.record("mx.ok.test", HostStatus(0, 0, 0, "2.0.0", "250 2.0.0 accepted", NOW + 99))
    lines = store.listing(NOW).splitlines(keepends=True)
    assert lines[0] == LISTING_HEADER
    assert sorted(lines[1:]) == sorted([
        f" {'127.0.0.9':<39} {'1+01:01:02':>12} Deferred: Connection refu\n",
        f" {'mx.ok.test':<39} {'00:-1:-39':>12} 250 2.0.0 accepted\n",
    ])
    (tmp_path / "test." / "bad").write_bytes(b"V0\nX\n.\n")
    assert any("could not read status file" in line for line in store.listing(NOW).splitlines())


def test_purge(tmp_path: Path) -> None:
    store = HostStatusStore(str(tmp_path), timeout=1800)
    store.record("old.example.test", HostStatus(75, updated=NOW))
    store.record("new.example.test", HostStatus(75, updated=NOW))
    old = store.path("old.example.test")
    assert old is not None
    now = int(os.stat(old).st_mtime)
    os.utime(old, (now - 3600, now - 3600))
    assert store.purge(now) == 1
    assert not os.path.exists(old)
    assert store.load("new.example.test") is not None
    # the emptied directory stays (its mtime is new), and goes once it is old
    empty = tmp_path / "test." / "example." / "old."
    assert not empty.exists() or empty.is_dir()
    new = store.path("new.example.test")
    assert new is not None
    for path in (new, str(tmp_path / "test." / "example."), str(tmp_path / "test.")):
        os.utime(path, (now - 3600, now - 3600))
    assert store.purge(now) == 1
    assert store.walk() == []
    assert (tmp_path / "test.").is_dir()  # unlinking made the directories new again
    for path in (tmp_path / "test." / "example.", tmp_path / "test."):
        os.utime(path, (now - 3600, now - 3600))
    store.purge(now)
    assert not (tmp_path / "test." / "example.").exists()  # "test." was touched by that
