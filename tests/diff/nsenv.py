"""Private namespaces for running the real sendmail (and ours) as a test oracle.

SYNOPSIS
    reason = nsenv.unavailable_reason()          # None when namespaces can be used
    env = nsenv.NsEnv(state_dir, binds=((work_dir, nsenv.NS_ROOT),))
    env.prepare()
    subprocess.run(env.argv(["/usr/sbin/sendmail", "-bt", "-C", cf]), ...)

DESCRIPTION
    A Python equivalent of /work/shared/tools/nsrun. The command runs in new
    mount, UTS and network namespaces (`unshare --mount --uts --net
    --propagation private`) where

    - the only network interface is the loopback, brought up before the
      command starts: nothing can leave the machine, and the interface
      addresses that sendmail adds to $=w ([127.0.0.1], [IPv6:::1]) are the
      same on every machine,

    - /etc/hosts lists the test host names of TEST_HOSTS (and the host itself),
    - /etc/nsswitch.conf says `hosts: files`,
    - /etc/resolv.conf names 127.0.0.1; nobody listens there, so a resolver
      query fails at once instead of leaving the machine, unless the recipe
      has a dns_zone: then tests/support/dnsserver.py answers from that zone
      file on 127.0.0.1:53 while the command runs (and is killed after it),
    - the host name is HOSTNAME (mail.example.test),
    - each (source, target) pair of `binds` is bind-mounted, so a directory
      made under a world-writable /tmp can be seen at a path whose parents
      are all root-owned and not world-writable. Sendmail refuses class files
      and maps whose directory path is unsafe ("World writable directory"),
      and a 0700 directory under /tmp is not enough for it: it checks /tmp
      too. NS_ROOT (/mnt, present on every Debian system) is the place.

    Nothing of this is visible outside the namespace. The script run by
    unshare is a constant; paths and the command go in as positional
    arguments, never through a shell string.

DIAGNOSTICS
    unavailable_reason() returns a text for pytest.skip when the namespaces
    cannot be made (not root, no unshare, a sandbox that forbids them).

SEE ALSO
    /work/shared/tools/nsrun, tests/diff/test_bt.py, bench/bt_bench.py.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import IO, TypeVar

# tests/support/nssmtp.py: the SMTP server the differential tests start in their
# namespace (written into the site directory, run with the test's interpreter)
NSSMTP_SOURCE = (Path(__file__).resolve().parents[1] / "support" / "nssmtp.py").read_text()

HOSTNAME = "mail.example.test"
NS_ROOT = "/mnt"
DNS_SERVER = Path(__file__).resolve().parents[1] / "support" / "dnsserver.py"

# (address, names...) lines added to the namespace's /etc/hosts after the host's own.
TEST_HOSTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("192.0.2.10", ("gw.example.test", "gw")),
    ("192.0.2.11", ("smarthost.example.test", "smarthost")),
    ("192.0.2.20", ("mx.partner.test", "partner.test")),
    ("192.0.2.21", ("host.relay.test",)),
    ("192.0.2.30", ("www.example.org",)),
    ("198.51.100.7", ("remote.example.net", "remote")),
    ("198.51.100.8", ("mailhub.example.com",)),
    ("203.0.113.5", ("spam.bad.test", "bad.test")),
    ("10.1.2.3", ("intranet.example.test", "intranet")),
)

# Run inside the new network namespace: bring its loopback interface up (SIOCGIFFLAGS,
# SIOCSIFFLAGS with IFF_UP), so that 127.0.0.1 and ::1 exist as on any host.
_LOOPBACK_UP = """
import fcntl, socket, struct
fmt = "16sH14x"
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    flags = struct.unpack(fmt, fcntl.ioctl(s, 0x8913, struct.pack(fmt, b"lo", 0)))[1]
    fcntl.ioctl(s, 0x8914, struct.pack(fmt, b"lo", flags | 1))
"""

_SCRIPT = r"""
set -e
state=$1; host=$2; py=$3; "$py" -c "$4"; zone=$5; dnsserver=$6; shift 6
mount --bind "$state/hosts" /etc/hosts
mount --bind "$state/nsswitch.conf" /etc/nsswitch.conf
mount --bind "$state/resolv.conf" /etc/resolv.conf
while [ "$1" != "--" ]; do
    mount --bind "$1" "$2"
    shift 2
done
shift
hostname "$host"
[ -n "$zone" ] || exec "$@"
dnspid=$("$py" "$dnsserver" "$zone")
rc=0
"$@" || rc=$?
kill "$dnspid"
exit $rc
"""


@dataclass(frozen=True, slots=True)
class NsEnv:
    """One namespace recipe: the files it mounts, its host name and its binds.

    Attributes:
        state_dir: where hosts, nsswitch.conf and resolv.conf are written.
        hostname: the UTS host name inside the namespace.
        binds: (source directory, mount point) pairs; the mount point must exist.
        hosts: extra /etc/hosts entries as (address, names).
        dns_zone: a zone file (tests/support/dnsserver.py) served on
            127.0.0.1:53 inside the namespace while the command runs.
    """

    state_dir: Path
    hostname: str = HOSTNAME
    binds: tuple[tuple[Path, str], ...] = ()
    hosts: tuple[tuple[str, tuple[str, ...]], ...] = field(default=TEST_HOSTS)
    dns_zone: Path | None = None

    def hosts_text(self) -> str:
        """Return the /etc/hosts text seen inside the namespace."""
        short = self.hostname.split(".", 1)[0]
        lines = [
            f"127.0.0.1\t{self.hostname} {short} localhost",
            f"::1\t{self.hostname} {short} localhost ip6-localhost",
        ]
        lines += [f"{addr}\t{' '.join(names)}" for addr, names in self.hosts]
        return "\n".join(lines) + "\n"

    def prepare(self) -> None:
        """Write the files that are bind-mounted over /etc.

        Side effects:
            Creates state_dir and three files in it.
        """
        self.state_dir.mkdir(parents=True, exist_ok=True)
        (self.state_dir / "hosts").write_text(self.hosts_text())
        (self.state_dir / "nsswitch.conf").write_text(
            "passwd: files\ngroup: files\nshadow: files\nhosts: files\n"
        )
        (self.state_dir / "resolv.conf").write_text("nameserver 127.0.0.1\n")

    def argv(self, command: Sequence[str]) -> list[str]:
        """Return the argv that runs command inside the namespace.

        Without a dns_zone the command is exec'ed (same pid as unshare's child).
        """
        bind_args = [str(arg) for pair in self.binds for arg in pair]
        return [
            _unshare(),
            "--mount",
            "--uts",
            "--net",
            "--propagation",
            "private",
            "--",
            "/bin/sh",
            "-c",
            _SCRIPT,
            "nsenv",
            str(self.state_dir),
            self.hostname,
            sys.executable,
            _LOOPBACK_UP,
            str(self.dns_zone or ""),
            str(DNS_SERVER),
            *bind_args,
            "--",
            *command,
        ]


def _unshare() -> str:
    return shutil.which("unshare") or "/usr/bin/unshare"


@functools.cache
def unavailable_reason() -> str | None:
    """Return why namespaces cannot be used here, or None when they can."""
    if os.geteuid() != 0:
        return "needs root for unshare --mount --uts --net (run the differential tests as root)"
    if shutil.which("unshare") is None:
        return "unshare (util-linux) is not installed"
    if not Path(NS_ROOT).is_dir():
        return f"mount point {NS_ROOT} does not exist"
    probe = subprocess.run(
        [
            _unshare(),
            "--mount",
            "--uts",
            "--net",
            "--propagation",
            "private",
            "--",
            "hostname",
            "x.test",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode != 0:
        return f"unshare does not work here: {probe.stderr.strip() or probe.returncode}"
    return None


# ---------------------------------------------------------------------------- daemon sites


def daemon_site(root: Path, name: str, mc: str) -> Path:
    """A site for a daemon run under NS_ROOT: root/name with an empty mqueue/, the .cf that
    GNU m4 makes of mc (with @DIR@ = NS_ROOT/name, the site's path inside) and aliases."""
    site = root / name
    (site / "mqueue").mkdir(parents=True)
    site.chmod(0o755)
    (site / "sendmail.mc").write_text(mc.replace("@DIR@", f"{NS_ROOT}/{name}"))
    cf = subprocess.run(["m4", str(site / "sendmail.mc")], capture_output=True, check=True)
    (site / "sendmail.cf").write_bytes(cf.stdout)
    (site / "aliases").write_text("postmaster: root\n")
    return site


def start_daemon(command: Sequence[str], site: str, port: int,
                 output: int | IO[bytes] = subprocess.DEVNULL) -> subprocess.Popen[bytes]:
    """Inside the namespace: build the site's alias database with the same sendmail (-bi),
    start it with -bD -odq on its queue and one listener on 127.0.0.1:port, and return
    once that listens.

    Raises:
        RuntimeError: the daemon exited or did not listen within 60 seconds (it is
            stopped then).
    """
    import socket
    import time

    cf = f"{site}/sendmail.cf"
    subprocess.run([*command, "-bi", "-C", cf], stdout=output, stderr=subprocess.STDOUT,
                   check=False)  # Sendmail waits for an alias database with its "@" entry
    proc = subprocess.Popen([*command, "-bD", "-C", cf, "-odq",
                             "-O", f"QueueDirectory={site}/mqueue",
                             "-O", f"DaemonPortOptions=Addr=127.0.0.1,Port={port},Name=MTA"],
                            stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc
        except OSError:
            time.sleep(0.05)
    problem = "exited" if proc.poll() is not None else "did not listen"
    proc.kill()
    proc.wait()
    raise RuntimeError(f"{' '.join(command)}: the daemon {problem}")


def load_module(path: Path, name: str) -> ModuleType:
    """Import a test module by its path (the unit tests whose cases a differential
    test checks against the real program's live output)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def site_mc_head(cf_m4: str | Path, versionid: str) -> str:
    """The start of the .mc of a site mounted at NS_ROOT (a real-sendmail test site):
    its tables, queue, pid file and statistics there, no interface probing, no IDENT."""
    ns = NS_ROOT
    return (f"include(`{cf_m4}')dnl\n"
            f"VERSIONID(`{versionid}')dnl\n"
            "OSTYPE(`linux')dnl\n"
            f"define(`confCW_FILE', `{ns}/local-host-names')dnl\n"
            f"define(`STATUS_FILE', `{ns}/statistics')dnl\n"
            f"define(`ALIAS_FILE', `{ns}/aliases')dnl\n"
            f"define(`QUEUE_DIR', `{ns}/mqueue')dnl\n"
            f"define(`confPID_FILE', `{ns}/sendmail.pid')dnl\n"
            "define(`confDONT_PROBE_INTERFACES', `True')dnl\n"
            "define(`confTO_IDENT', `0')dnl\n")


# The sendmail.mc of a submission test site (tests/diff/test_submit_real.py,
# test_submit_runas_real.py): @DIR@ is the site's directory inside the namespace.
SUBMISSION_SITE_MC = """divert(0)dnl
include(`/usr/share/sendmail/cf/m4/cf.m4')dnl
OSTYPE(`linux')dnl
define(`confDONT_PROBE_INTERFACES', `True')dnl
define(`confTO_IDENT', `0')dnl
define(`confPID_FILE', `@DIR@/sendmail.pid')dnl
define(`ALIAS_FILE', `@DIR@/aliases')dnl
define(`STATUS_FILE', `@DIR@/statistics')dnl
define(`QUEUE_DIR', `@DIR@/mqueue')dnl
FEATURE(`no_default_msa')dnl
MAILER(`local')dnl
MAILER(`smtp')dnl
"""


def skip_unless_real(*paths: str) -> None:
    """pytest.skip with the reason when the namespaces cannot be used or a path (the
    real sendmail, GNU m4, sendmail-cf, our program) is missing."""
    import pytest

    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    for path in paths:
        if not os.path.exists(path):
            pytest.skip(f"missing {path}")


_T = TypeVar("_T")


def run_both(tmp_path: Path, run: Callable[[Path, str, str], _T], real: str,
             ours: str) -> tuple[_T, _T]:
    """run(root, name, command) for the real program and for ours, in a site root
    (tmp_path/site, mode 0755 so that a RunAsUser may enter it) removed afterwards."""
    root = tmp_path / "site"
    root.mkdir()
    root.chmod(0o755)
    try:
        return run(root, "real", real), run(root, "ours", ours)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def mask_qf(text: str) -> str:
    """A queue file (or what quotes one) with its queue ids, times and creation time
    T replaced by words, so that two runs can be compared line for line."""
    text = re.sub(r"^T\d+$", "TX", text, flags=re.M)
    text = re.sub(r"\d\d:\d\d:\d\d", "HH:MM:SS", text)
    text = re.sub(r"\b\d{12}\.", "X.", text)  # $t in Message-Id
    return re.sub(r"\b6[A-Za-z0-9]{13}\b|\b[A-Za-z0-9]{8}\d{6}\b", "QID", text)
