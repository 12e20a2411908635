"""The service workflow end to end: `mta start|stop|restart|reload|status|check` on a copy
of etc-mail/.

DESCRIPTION
    Each test copies etc-mail/ (the .mc files, the tables, the Makefile)
    into its tmp_path and writes an mcflags file there with this test's
    port, queue, pid file and DeliveryMode queue, as `make run` does for
    run/mail. Then it works as an administrator does: check, start, send,
    edit a table, restart and see the new verdict; break the .mc and see
    restart refuse with FILE:LINE while the old daemon goes on serving;
    reload; stop. The daemon is our `sendmail -bd` (detached); every test
    stops it, through `mta stop` or, when that fails, by the pid file.
"""

from __future__ import annotations

import os
import shutil
import signal
import smtplib
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import BIN, ETC, greeting

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from dnsserver import DnsServer

# the senders' domains must resolve (check_mail), through our name server only
ZONE = {("junk.test", "MX"): ["10 mx.junk.test."], ("mx.junk.test", "A"): ["127.0.0.9"],
        ("remote.test", "MX"): ["10 mx.junk.test."]}


@dataclass
class Site:
    directory: Path
    queue: Path
    pid_file: Path
    port: int
    env: dict[str, str]

    def mta(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(BIN / "mta"), args[0], "-C", str(self.directory),
                               *args[1:]], capture_output=True, text=True, timeout=120,
                              env={**os.environ, **self.env}, stdin=subprocess.DEVNULL)

    def pid(self) -> int | None:
        try:
            return int(self.pid_file.read_text().split("\n")[0])
        except (OSError, ValueError):
            return None

    def greeting(self, want: bytes = b"220", timeout: float = 60) -> bytes:
        return greeting(self.port, want, time.monotonic() + timeout)

    def mail_from(self, sender: str) -> int:
        with smtplib.SMTP("127.0.0.1", self.port, timeout=30) as client:
            client.ehlo("client.test")
            code, _text = client.mail(sender)
            return code


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    directory = tmp_path / "mail"
    shutil.copytree(ETC, directory)
    dns = DnsServer(ZONE)
    dns.__enter__()
    env = {"MTA_WORKERS": "2", "MTA_NAMESERVER": f"127.0.0.1:{dns.port}"}
    made = Site(directory, tmp_path / "queue", tmp_path / "sendmail.pid", _free_port(), env)
    (directory / "mcflags").write_text(
        f"-D MTA_PORT={made.port} -D MAIL_SETTINGS_DIR={directory}/ "
        f"-D QUEUE_DIR={made.queue} -D confPID_FILE={made.pid_file} "
        "-D confDELIVERY_MODE=queue\n")
    try:
        yield made
    finally:
        pid = made.pid()
        if pid is not None and made.mta("stop").returncode != 0 and _alive(pid):
            os.kill(pid, signal.SIGKILL)
        dns.__exit__(None, None, None)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_check_touches_nothing_and_start_builds_what_is_missing(site: Site) -> None:
    checked = site.mta("check")
    assert checked.returncode == 0, checked.stderr
    assert "OK" in checked.stdout
    assert not (site.directory / "sendmail.cf").exists()
    assert not (site.directory / "access.db").exists()
    assert list(site.directory.glob(".*.new")) == []
    started = site.mta("start")
    assert started.returncode == 0, started.stderr
    for name in ("sendmail.cf", "submit.cf", "access.db", "aliases.db", "mailertable.db"):
        assert (site.directory / name).exists(), name
    pid = site.pid()
    assert pid is not None and _alive(pid)
    status = site.mta("status")
    assert status.returncode == 0, status.stdout
    assert f"sendmail is running (pid {pid})" in status.stdout
    assert f"127.0.0.1 port {site.port}: accepting" in status.stdout
    assert "0 messages" in status.stdout
    with smtplib.SMTP("127.0.0.1", site.port, timeout=30) as client:
        assert client.sendmail("someone@remote.test", ["root@localhost"],
                               b"Subject: hi\r\n\r\nhello\r\n") == {}
    assert ": 1 message\n" in site.mta("status").stdout
    stopped = site.mta("stop")
    assert stopped.returncode == 0, stopped.stderr
    assert not _alive(pid)
    status = site.mta("status")
    assert status.returncode == 3 and "not running" in status.stdout


def test_edit_access_restart_new_verdict_broken_mc_refused(site: Site) -> None:
    assert site.mta("start").returncode == 0
    first = site.pid()
    assert site.mail_from("spam@junk.test") == 250
    with open(site.directory / "access", "a") as fh:
        fh.write("From:spam@junk.test\tREJECT\n")
    restarted = site.mta("restart")
    assert restarted.returncode == 0, restarted.stderr
    assert "access.db from access" in restarted.stdout
    second = site.pid()
    assert second is not None and second != first and _alive(second)
    site.greeting()
    assert site.mail_from("spam@junk.test") == 550
    # a .mc that does not compile: restart refuses, the running daemon and its .cf stay
    cf_before = (site.directory / "sendmail.cf").read_bytes()
    mc = site.directory / "sendmail.mc"
    good = mc.read_text()
    mc.write_text(good + "FEATURE(`no_such_feature')dnl\n")
    line = len(good.splitlines()) + 1
    refused = site.mta("restart")
    assert refused.returncode == 78
    assert f"{mc}:{line}:" in refused.stderr and "no_such_feature" in refused.stderr
    assert (site.directory / "sendmail.cf").read_bytes() == cf_before
    assert site.pid() == second and _alive(second)
    assert site.mail_from("spam@junk.test") == 550  # still the daemon of before
    assert site.mta("check").returncode == 78
    assert list(site.directory.glob(".*.new")) == []
    # fixed, with a new greeting: reload swaps it in, in the same daemon process
    mc.write_text(good + "define(`confSMTP_LOGIN_MSG', `$j reloaded')dnl\n")
    reloaded = site.mta("reload")
    assert reloaded.returncode == 0, reloaded.stderr
    assert b"reloaded" in site.greeting(b"reloaded")
    assert site.pid() == second
    assert (site.directory / "sendmail.cf.old").read_bytes() == cf_before


def test_a_bad_table_line_is_reported_and_nothing_replaced(site: Site) -> None:
    assert site.mta("start").returncode == 0
    db = site.directory / "access.db"
    before = db.read_bytes()
    lines = (site.directory / "access").read_text().splitlines()
    with open(site.directory / "access", "a") as fh:
        fh.write("From:spam@junk.test\tREJECT\nlonely-key\n")
    refused = site.mta("restart")
    assert refused.returncode == 78
    access = site.directory / "access"
    assert f"{access}:{len(lines) + 2}: no RHS for LHS lonely-key" in refused.stderr
    assert db.read_bytes() == before
    assert site.mail_from("spam@junk.test") == 250


def test_install_system_into_a_destdir(tmp_path: Path) -> None:
    # make install-system under DESTDIR (never on the host itself): the programs linked
    # to ours, what was there kept, the admin's own files kept, the unit filled in
    dest = tmp_path / "root"
    (dest / "usr/sbin").mkdir(parents=True)
    (dest / "usr/sbin/sendmail").write_text("the old sendmail\n")
    (dest / "etc/mail").mkdir(parents=True)
    (dest / "etc/mail/access").write_text("Connect:127.0.0.1\tRELAY\n")
    prefix = BIN.parent
    done = subprocess.run(["make", "-s", "-C", str(ETC.parent), "install-system",
                           f"DESTDIR={dest}", f"SYSTEM_PREFIX={prefix}", "SYSTEM_VENV=no"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert os.readlink(dest / "usr/sbin/sendmail") == str(prefix / "bin/sendmail")
    assert (dest / "usr/sbin/sendmail.pre-sendmail-py").read_text() == "the old sendmail\n"
    assert os.readlink(dest / "usr/bin/mailq") == str(prefix / "bin/mailq")
    assert (dest / "etc/mail/access").read_text() == "Connect:127.0.0.1\tRELAY\n"
    assert (dest / "etc/mail/sendmail.mc").read_text() == (ETC / "sendmail.mc").read_text()
    unit = (dest / "etc/systemd/system/sendmail-py.service").read_text()
    assert f"ExecStart={prefix}/bin/mta start -C /etc/mail\n" in unit
    assert "@" not in unit.replace("multi-user", "")
    assert "OK" in done.stdout  # mta check of the installed /etc/mail
    assert not (dest / "etc/mail/sendmail.cf").exists()  # check changes nothing
    # the queues: the MTA's for root alone, the submission program's for everyone
    assert stat.S_IMODE((dest / "var/spool/mqueue").stat().st_mode) == 0o700
    assert stat.S_IMODE((dest / "var/spool/clientmqueue").stat().st_mode) == 0o3777
