"""Differential test: host status files and hoststat/purgestat against the real Sendmail 8.17.

DESCRIPTION
    A private site (a .cf compiled by GNU m4 with the real sendmail-cf
    macros and confHOST_STATUS_DIRECTORY, a queue) is bind-mounted at /mnt
    inside the namespace of tests/diff/nsenv.py, so the real sendmail never
    sees the host network. A small SMTP sink inside the namespace answers
    on 127.0.0.6 (accepts), 127.0.0.4 (421 greeting) and 127.0.0.5 (451 to
    MAIL); nothing listens on 127.0.0.9 (connection refused). Mail to those
    address literals is queued and a real `sendmail -q` run writes the
    status files. Then:

    - test_real_files_read_by_ours: every file parses with HostStatus.parse
      and formats back byte for byte; the layout is DIR/9./0./0./127.
    - test_cached_host_is_skipped: a second real queue run does not connect
      to the refused host and defers with the saved status, which is what
      should_skip and deferral_text say.
    - test_listing_matches: the real `sendmail -bh` (and -bh -v) output for
      files written by the real sendmail and for files written by ours is
      what HostStatusStore.listing prints (the age column is compared after
      masking: the two run a moment apart).
    - test_purge_matches: after making the files old, the real `sendmail -bH`
      and ours remove the same files and leave the same directories.

DIAGNOSTICS
    Skipped with a reason when not root, when namespaces do not work, or
    when sendmail, GNU m4 or sendmail-cf are missing.

SEE ALSO
    mta/deliver/hoststatus.py, mta/cli/hoststat.py, tests/diff/test_queue_real.py.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import nsenv
import pytest
from test_queue_real import CF_M4, GNU_M4, REAL_SENDMAIL, RUN_ENV
from test_queue_real import unavailable_reason as _queue_unavailable_reason

from mta.deliver.hoststatus import HostStatus, HostStatusStore

NS = nsenv.NS_ROOT
CF = f"{NS}/hoststat.cf"
HOSTS = (*nsenv.TEST_HOSTS,)
MC = f"""\
include(`{CF_M4}')dnl
OSTYPE(`linux')dnl
define(`confCW_FILE', `{NS}/local-host-names')dnl
define(`STATUS_FILE', `{NS}/statistics')dnl
define(`ALIAS_FILE', `{NS}/aliases')dnl
define(`QUEUE_DIR', `{NS}/mqueue')dnl
define(`confHOST_STATUS_DIRECTORY', `{NS}/hoststat')dnl
define(`confSERVICE_SWITCH_FILE', `{NS}/service.switch')dnl
define(`confDONT_PROBE_INTERFACES', `True')dnl
define(`confTO_IDENT', `0')dnl
define(`confTO_CONNECT', `5s')dnl
FEATURE(`use_cw_file')dnl
FEATURE(`accept_unresolvable_domains')dnl
FEATURE(`no_default_msa')dnl
MAILER(`local')dnl
MAILER(`smtp')dnl
"""
SINK = r'''
import socket, sys, threading
def serve(conn, mode):
    f = conn.makefile("rb")
    def say(t): conn.sendall(t.encode() + b"\r\n")
    if mode == "greet421":
        say("421 4.3.2 busy, come back later"); return
    say("220 sink ESMTP")
    while True:
        line = f.readline()
        if not line: return
        v = line[:4].upper()
        if v == b"EHLO": say("250-sink\r\n250 ENHANCEDSTATUSCODES")
        elif v == b"MAIL":
            say("451 4.3.0 mailbox system busy" if mode == "mail451" else "250 2.1.0 ok")
        elif v == b"RCPT": say("250 2.1.5 ok")
        elif v == b"DATA":
            say("354 go")
            while f.readline() not in (b".\r\n", b""): pass
            say("250 2.0.0 accepted")
        elif v == b"QUIT": say("221 2.0.0 bye"); return
        else: say("250 2.0.0 ok")
def loop(s, mode):
    while True:
        c, _ = s.accept()
        try: serve(c, mode)
        except OSError: pass
        finally: c.close()
for spec in sys.argv[1:]:
    addr, mode = spec.split("=")
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, 25)); s.listen(5)
    threading.Thread(target=loop, args=(s, mode), daemon=True).start()
print("ready", flush=True)
threading.Event().wait()
'''
WITH_SINK = f"""#!/bin/sh
python3 {NS}/sink.py 127.0.0.4=greet421 127.0.0.5=mail451 127.0.0.6=ok > {NS}/sink.out 2>&1 &
pid=$!
while ! grep -q ready {NS}/sink.out 2>/dev/null; do sleep 0.05; done
"$@"
rc=$?
kill $pid
exit $rc
"""
TARGETS = ("[127.0.0.9]", "[127.0.0.6]", "[127.0.0.4]", "[127.0.0.5]")
AGE = re.compile(r"^(.{40}) (.{12}) ", re.M)


def unavailable_reason() -> str | None:
    """Return why this test cannot run here, or None."""
    return _queue_unavailable_reason()


@dataclass(frozen=True)
class Site:
    root: Path
    env: nsenv.NsEnv

    @property
    def hoststat(self) -> Path:
        return self.root / "hoststat"

    def run(self, args: Sequence[str], stdin: bytes = b"",
            sink: bool = False) -> subprocess.CompletedProcess[bytes]:
        command = [str(REAL_SENDMAIL), "-C", CF, *args]
        if sink:
            command = [f"{NS}/with-sink.sh", *command]
        return subprocess.run(self.env.argv(command), input=stdin, capture_output=True,
                              env=RUN_ENV, timeout=120, check=False)

    def reset(self) -> None:
        for directory in (self.root / "mqueue", self.hoststat):
            shutil.rmtree(directory, ignore_errors=True)
            directory.mkdir()
        (self.root / "mqueue").chmod(0o700)


def build_site(root: Path) -> Site:
    work = root / "site"
    work.mkdir(parents=True)
    work.chmod(0o755)
    (work / "hoststat.mc").write_text(MC)
    cf = subprocess.run([str(GNU_M4), str(work / "hoststat.mc")], capture_output=True,
                        check=True, env=RUN_ENV)
    (work / "hoststat.cf").write_bytes(cf.stdout)
    (work / "local-host-names").write_text("mail.example.test\n")
    (work / "aliases").write_text("postmaster: root\n")
    (work / "service.switch").write_text("hosts files\naliases files\n")
    (work / "sink.py").write_text(SINK)
    (work / "with-sink.sh").write_text(WITH_SINK)
    (work / "with-sink.sh").chmod(0o755)
    env = nsenv.NsEnv(root / "state", binds=((work, NS),), hosts=HOSTS)
    env.prepare()
    site = Site(work, env)
    site.reset()
    site.run(["-bi"])
    return site


needs_real = pytest.mark.skipif(unavailable_reason() is not None, reason=str(unavailable_reason()))
pytestmark = [pytest.mark.differential, needs_real]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return build_site(tmp_path_factory.mktemp("hoststat_real"))


@pytest.fixture
def real_run(site: Site) -> Site:
    """The site after one real queue run over TARGETS."""
    site.reset()
    for host in TARGETS:
        proc = site.run(["-odq", "-f", "sender@mail.example.test", f"u@{host}"],
                        b"Subject: t\n\nbody\n")
        assert proc.returncode == 0, proc.stderr
    proc = site.run(["-q", "-v"], sink=True)  # -v: in the foreground
    assert proc.returncode == 0, proc.stderr
    return site


def _files(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes()
            for p in directory.rglob("*") if p.is_file()}


def test_real_files_read_by_ours(real_run: Site) -> None:
    files = _files(real_run.hoststat)
    assert set(files) == {"9./0./0./127", "6./0./0./127", "4./0./0./127", "5./0./0./127"}
    for text in files.values():
        assert HostStatus.parse(text).format() == text
    store = HostStatusStore(str(real_run.hoststat))
    refused = store.load("[127.0.0.9]")
    assert refused is not None
    assert (refused.exit_status, refused.errno, refused.dsn, refused.reply_text) == \
        (75, 111, "4.4.1", None)
    ok = store.load("[127.0.0.6]")
    assert ok is not None and (ok.exit_status, ok.dsn, ok.reply_text) == \
        (0, "2.0.0", "250 2.0.0 accepted")
    greet = store.load("[127.0.0.4]")
    assert greet is not None and (greet.exit_status, greet.dsn, greet.reply_text) == \
        (75, "4.5.0", "")


def test_cached_host_is_skipped(real_run: Site) -> None:
    store = HostStatusStore(str(real_run.hoststat))
    now = time.time()
    refused = store.should_skip("[127.0.0.9]", now)
    assert refused is not None
    assert store.should_skip("[127.0.0.6]", now) is None
    assert store.should_skip("[127.0.0.5]", now) is None  # a 451 to MAIL is not sticky
    proc = real_run.run(["-q", "-v"], sink=True)
    out = proc.stdout.decode("latin-1")
    assert "Connecting to [127.0.0.9]" not in out
    assert f"u@[127.0.0.9]... {refused.deferral_text('[127.0.0.9]')}\n" in out
    greet = store.load("[127.0.0.4]")
    assert greet is not None
    assert f"u@[127.0.0.4]... {greet.deferral_text('[127.0.0.4]')}\n" in out


def _mask(text: str) -> str:
    return AGE.sub(lambda m: f"{m.group(1)} {'AGE':>12} ", text)


def _compare_listing(site: Site) -> None:
    store = HostStatusStore(str(site.hoststat))
    for flags in ([], ["-v"]):
        real = site.run(["-bh", *flags])
        assert real.returncode == 0
        ours = store.listing(time.time(), verbose=bool(flags))
        assert _mask(ours) == _mask(real.stdout.decode("latin-1"))


def test_listing_matches(real_run: Site) -> None:
    _compare_listing(real_run)
    # files written by ours
    real_run.reset()
    store = HostStatusStore(str(real_run.hoststat))
    now = int(time.time())
    for host, status in (
        ("mx.example.test", HostStatus(75, 111, 1, "4.4.1", None, now - 90061)),
        ("[192.0.2.7]", HostStatus(0, 0, 0, "2.0.0", "250 2.0.0 accepted " + "x" * 90, now)),
        ("a.b.c.example.org", HostStatus(69, 0, 0, "5.5.0", None, now - 3600)),
        ("ok.example.net", HostStatus(0, 110, 0, None, None, now - 59)),
        ("later.example.net", HostStatus(75, 0, 0, "4.5.0", "", now)),
    ):
        assert store.record(host, status)
    _compare_listing(real_run)


def test_purge_matches(real_run: Site) -> None:
    def age_all(directory: Path) -> None:
        old = time.time() - 7200
        for path in directory.rglob("*"):
            os.utime(path, (old, old))

    age_all(real_run.hoststat)
    proc = real_run.run(["-bH"])
    assert proc.returncode == 0 and proc.stdout == b""
    real_left = sorted(str(p.relative_to(real_run.hoststat)) for p in real_run.hoststat.rglob("*"))
    assert _files(real_run.hoststat) == {}

    real_run.reset()
    store = HostStatusStore(str(real_run.hoststat))
    for host in TARGETS:
        store.record(host, HostStatus(75, 111, 0, "4.4.1", None, int(time.time())))
    age_all(real_run.hoststat)
    store.purge(time.time())
    ours_left = sorted(str(p.relative_to(real_run.hoststat)) for p in real_run.hoststat.rglob("*"))
    assert ours_left == real_left
