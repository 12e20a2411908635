"""Fixtures of the end-to-end tests: our `sendmail -bD` on a private copy of etc-mail/.

DESCRIPTION
    start_daemon() compiles etc-mail/sendmail.mc with `mta compile` into a
    private directory (MAIL_SETTINGS_DIR, QUEUE_DIR and the port under the
    test's tmp_path), builds the maps with our makemap, starts `sendmail -bD`
    on 127.0.0.1 and a free port in a subprocess and waits until it accepts
    connections; the `daemon` fixture stops it afterwards (SIGTERM, then
    SIGKILL).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from mta.queue.qfformat import QueueEnvelope, parse_qf

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ETC = ROOT / "etc-mail"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Daemon:
    port: int
    queue: Path
    proc: subprocess.Popen[bytes]
    log: Path

    def qf_files(self) -> list[Path]:
        return sorted(self.queue.rglob("qf*"))

    def envelopes(self) -> list[QueueEnvelope]:
        return [parse_qf(p.read_bytes(), qid=p.name[2:]) for p in self.qf_files()]


def build_site(tmp_path: Path, defines: tuple[str, ...] = (),
               tables: dict[str, str] | None = None) -> tuple[Path, Path, int]:
    """The private config: (sendmail.cf, queue directory, port).

    defines are extra -DNAME=VALUE for the .mc; tables adds lines to the
    site's text tables (mailertable, aliases, ...) before they are built.
    """
    site = tmp_path / "mail"
    site.mkdir()
    for name in ("access", "aliases", "local-host-names", "relay-domains", "mailertable",
                 "virtusertable", "trusted-users", "helpfile"):
        if (ETC / name).exists():
            shutil.copy(ETC / name, site / name)
    with open(site / "access", "a") as fh:
        fh.write("From:spammer@bad.test\tREJECT\n")
    for name, text in (tables or {}).items():
        with open(site / name, "a") as fh:
            fh.write(text)
    queue = tmp_path / "queue"
    port = _free_port()
    subprocess.run(
        [str(BIN / "mta"), "compile", f"-DMTA_PORT={port}", f"-DMAIL_SETTINGS_DIR={site}/",
         f"-DQUEUE_DIR={queue}", f"-DconfPID_FILE={tmp_path}/sendmail.pid",
         *(f"-D{d}" for d in defines), str(ETC / "sendmail.mc"),
         "-o", str(site / "sendmail.cf")],
        check=True, cwd=site)
    for table in ("access", "mailertable", "virtusertable"):
        with open(site / table, "rb") as fin:
            subprocess.run([str(BIN / "makemap"), "hash", str(site / table)], stdin=fin,
                           check=True)
    subprocess.run([str(BIN / "newaliases"), "-C", str(site / "sendmail.cf")], check=True,
                   capture_output=True)
    return site / "sendmail.cf", queue, port


def start_daemon(cf: Path, queue: Path, port: int, log: Path,
                 options: tuple[str, ...] = (), env: dict[str, str] | None = None,
                 *, deliver: bool = False, args: tuple[str, ...] = ()) -> Daemon:
    """Start `sendmail -bD -C cf [-O option ...]` and wait until it accepts connections.

    Unless deliver is set, the daemon only queues (-O DeliveryMode=queue), so
    that the tests can read what it queued.
    """
    if not deliver:
        options = ("DeliveryMode=queue", *options)
    extra = [*(arg for option in options for arg in ("-O", option)), *args]
    with open(log, "ab") as err:
        proc = subprocess.Popen([str(BIN / "sendmail"), "-bD", "-C", str(cf), *extra],
                                stdout=err, stderr=subprocess.STDOUT,
                                env={**os.environ, **(env or {})})
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return Daemon(port, queue, proc, log)
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                stop_daemon(proc)
                raise RuntimeError(f"daemon did not start: {log.read_text()}") from None
            time.sleep(0.05)


def stop_daemon(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[Daemon]:
    cf, queue, port = build_site(tmp_path)
    started = start_daemon(cf, queue, port, tmp_path / "daemon.log")
    try:
        yield started
    finally:
        stop_daemon(started.proc)


def greeting(port: int, want: bytes, deadline: float) -> bytes:
    """The greeting of the daemon once it contains want (it may be restarting)."""
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
                line = s.recv(4096)
            if want in line or time.monotonic() > deadline:
                return line
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.1)
