"""Differential test: file deliveries under SafeFileEnvironment, ours against Sendmail 8.17.

DESCRIPTION
    The *file* mailer (an alias "/path") with SafeFileEnvironment set to a
    directory (chroot), to "/" (no chroot) and unset. For each configuration
    the real `sendmail -bs -odq` queues one message to one alias per CASE;
    the same qf and df are then delivered by the real `sendmail -q -v` and
    by ours (`sendmail -q`), each in its own copy of the site at /mnt in the
    namespace of tests/diff/nsenv.py, with the same files set up. For each
    CASE the outcome is compared:

    - the target file as found outside afterwards: type, mode, owner and
      content (the From_ line's date masked);
    - whether the message is still queued for it (a deferred recipient);
    - the bounce: the DSN Status, X-Actual-Recipient and Diagnostic-Code of its
      recipient, its "(reason: )" and its transcript line
      ("550 5.0.0 /logs/symlink... Can't create output").

    What Sendmail does, as these cases show it: with /mnt/safe it chroots
    there and strips "/mnt/safe" from the front of the name, so
    "/mnt/safe/logs/f" and "/logs/f" are one file and "/mnt/t/f" is looked
    for inside; a new file is made with TempFileMode (0600) for DefaultUser;
    a set-user-ID file of an aliases-file entry is written as its owner; a
    symbolic link, a directory, a file with an execute bit or a second hard
    link is refused ("Can't create output", EX_CANTCREAT, status 5.3.0)
    always, a FIFO or device only under a chroot; with "/" or unset a
    FIFO or device is opened and written and the failing fsync defers the
    message ("I/O error"), and a FIFO nobody reads defers it after
    Timeout.fileopen; /dev/null takes the message, chroot or not.

    The DSN names the file in X-Actual-Recipient ("X-Unix; /logs/f"), gives
    "Diagnostic-Code: X-Unix; 73" and "(reason: Can't create output)". Not
    compared: the qf M text of a deferral.

DIAGNOSTICS
    Skipped with a reason when not root, when namespaces do not work, or
    when the real sendmail, GNU m4 or sendmail-cf are missing.

SEE ALSO
    mta/deliver/runner.py (_file, _append_as), mta/deliver/mbox.py
    (append_file), tests/unit/deliver/test_filemailer.py,
    tests/diff/test_delivery_real.py.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import nsenv
from test_delivery_real import mask
from test_queue_real import CF_M4, GNU_M4, REAL_SENDMAIL, RUN_ENV, _ReplyReader
from test_queue_real import unavailable_reason as _queue_unavailable_reason

OUR_BIN = Path(sys.executable).parent
NS = nsenv.NS_ROOT
CF = f"{NS}/queue.cf"
DEFAULT_USER = (1, 1)  # DefaultUser when mailnull does not exist (Debian: daemon)
SETUID_OWNER = (8, 8)  # mail
SENDER = "alice@remote.example.net"  # unresolvable in the namespace: the DSN stays queued

MC = f"""\
include(`{CF_M4}')dnl
VERSIONID(`mta safefile differential test')dnl
OSTYPE(`linux')dnl
define(`confCW_FILE', `{NS}/local-host-names')dnl
define(`ALIAS_FILE', `{NS}/aliases')dnl
define(`QUEUE_DIR', `{NS}/mqueue')dnl
define(`confTO_FILEOPEN', `2s')dnl
FEATURE(`use_cw_file')dnl
FEATURE(`accept_unresolvable_domains')dnl
MAILER(`local')dnl
MAILER(`smtp')dnl
"""


def unavailable_reason() -> str | None:
    """Return why this test cannot run here, or None."""
    return _queue_unavailable_reason()


# --------------------------------------------------------------------------- the files


def _file(path: Path, mode: int = 0o600, owner: tuple[int, int] = DEFAULT_USER) -> None:
    path.write_bytes(b"")
    os.chown(path, *owner)
    path.chmod(mode)


def setup_files(site: Path) -> None:
    """The same files in the chroot (site/safe/logs) and outside it (site/t)."""
    for base in (site / "safe" / "logs", site / "t"):
        base.mkdir(parents=True)
        base.chmod(0o777)
        for name in ("exist", "exist2", "target"):
            _file(base / name)
        (base / "symlink").symlink_to("target")
        (base / "dir").mkdir()
        os.mkfifo(base / "fifo", 0o600)
        os.chown(base / "fifo", *DEFAULT_USER)
        os.mknod(base / "zero", stat.S_IFCHR | 0o666, os.makedev(1, 5))
        (base / "zero").chmod(0o666)
        _file(base / "suid", 0o4644, SETUID_OWNER)
        _file(base / "exec", 0o700)
        _file(base / "hard")
        os.link(base / "hard", base / "hard2")


@dataclass(frozen=True)
class Config:
    """One SafeFileEnvironment value and its cases: alias name -> file name."""

    safe: str | None
    cases: dict[str, str]


CONFIGS = {
    "chroot": Config("/mnt/safe", {
        "prefix": "/mnt/safe/logs/exist",  # the directory's prefix is stripped
        "stripped": "/logs/exist2",  # the same directory without it
        "new": "/logs/new",
        "symlink": "/logs/symlink",
        "fifo": "/logs/fifo",  # only a regular file in a chroot
        "device": "/logs/zero",
        "outside": "/mnt/t/exist",  # looked for inside the chroot
        "suid": "/logs/suid",
        "devnull": "/dev/null",
    }),
    "root": Config("/", {
        "regular": "/mnt/t/exist",
        "new": "/mnt/t/new",
        "symlink": "/mnt/t/symlink",
        "dir": "/mnt/t/dir",
        "exec": "/mnt/t/exec",
        "device": "/mnt/t/zero",  # written, then fsync fails: deferred
        "fifo": "/mnt/t/fifo",  # nobody reads: deferred after Timeout.fileopen
    }),
    "unset": Config(None, {
        "regular": "/mnt/t/exist",
        "symlink": "/mnt/t/symlink",
        "hard": "/mnt/t/hard",
        "suid": "/mnt/t/suid",
    }),
}


# --------------------------------------------------------------------------- the sites


@dataclass(frozen=True)
class Site:
    root: Path
    env: nsenv.NsEnv
    ours: bool

    def run(self, args: Sequence[str]) -> subprocess.CompletedProcess[bytes]:
        binary = str(OUR_BIN / "sendmail") if self.ours else str(REAL_SENDMAIL)
        return subprocess.run(self.env.argv([binary, "-C", CF, *args]), capture_output=True,
                              env=RUN_ENV, timeout=120, check=False)

    def outside(self, name: str, config: Config) -> Path:
        """Where the file name of an alias is, seen from outside the namespace."""
        if config.safe not in (None, "/"):
            inner = "/" + name.removeprefix(config.safe).lstrip("/")
            return self.root / "safe" / inner.lstrip("/")
        return self.root / name.removeprefix(NS + "/")


def build_site(root: Path, config: Config, cf_text: bytes, *, ours: bool) -> Site:
    work = root / "site"
    (work / "mqueue").mkdir(parents=True)
    (work / "mqueue").chmod(0o700)
    work.chmod(0o755)
    (work / "queue.cf").write_bytes(cf_text)
    (work / "local-host-names").write_text("mail.example.test\n")
    (work / "aliases").write_text("".join(f"{name}: {target}\n"
                                          for name, target in config.cases.items()))
    setup_files(work)
    env = nsenv.NsEnv(root / "state", binds=((work, NS),))
    env.prepare()
    site = Site(work, env, ours)
    newaliases = site.run(["-bi"])
    if newaliases.returncode != 0:
        raise RuntimeError(f"sendmail -bi failed: {newaliases.stderr!r}")
    return site


def compile_cf(root: Path, config: Config) -> bytes:
    root.mkdir(parents=True, exist_ok=True)
    (root / "queue.mc").write_text(MC)
    cf = subprocess.run([str(GNU_M4), str(root / "queue.mc")], capture_output=True,
                        check=True, env=RUN_ENV).stdout
    if config.safe is not None:
        cf += f"O SafeFileEnvironment={config.safe}\n".encode()
    return cf


def make_queue(site: Site, config: Config) -> dict[str, bytes]:
    """Queue one message to every case with the real `sendmail -bs -odq`."""
    argv = site.env.argv([str(REAL_SENDMAIL), "-C", CF, "-bs", "-odq"])
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=RUN_ENV)
    assert proc.stdin is not None and proc.stdout is not None
    reader = _ReplyReader(proc.stdout.fileno())
    commands = ["EHLO client.example.test\n", f"MAIL FROM:<{SENDER}>\n",
                *(f"RCPT TO:<{name}@mail.example.test>\n" for name in config.cases),
                "DATA\n", f"From: {SENDER}\nSubject: safe file\n\nbody\n.\n", "QUIT\n"]
    replies = [reader.reply()]
    try:
        for command in commands:
            proc.stdin.write(command.replace("\n", "\r\n").encode())
            proc.stdin.flush()
            replies.append(reader.reply())
    finally:
        proc.stdin.close()
        proc.wait(timeout=60)
        proc.stdout.close()
    assert replies[-2].startswith(b"250 2.0.0"), replies
    return {p.name: p.read_bytes() for p in site.root.joinpath("mqueue").iterdir()}


# --------------------------------------------------------------------------- outcomes

_STATUS_PART = re.compile(rb"Content-Type: message/delivery-status\n\n(.*?)\n--", re.S)


def _describe(path: Path) -> str:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return "missing"
    text = f"{stat.filemode(st.st_mode)} {st.st_uid}:{st.st_gid}"
    if stat.S_ISREG(st.st_mode):
        text += "\n" + mask(path.read_bytes()).decode("latin-1")
    return text


def outcomes(site: Site, config: Config) -> dict[str, str]:
    """What became of each case: the file, a deferral, the DSN status and transcript."""
    queue = site.root / "mqueue"
    qfs = [p.read_bytes() for p in queue.iterdir() if p.name.startswith("qf")]
    dsns = [p.read_bytes() for p in queue.iterdir() if p.name.startswith("df")
            and b"message/delivery-status" in p.read_bytes()]
    found: dict[str, str] = {"(queue run)": f"queue files left: {len(qfs)}"}
    for name, target in config.cases.items():
        lines = [f"file: {_describe(site.outside(target, config))}"]
        needle = target.encode()
        queued = any(re.search(rb"^R[A-Z]*:" + re.escape(needle) + rb"$", qf, re.M)
                     for qf in qfs)
        lines.append(f"still queued: {queued}")
        for dsn in dsns:
            for line in dsn.splitlines():
                if line.startswith((b"4", b"5")) and needle + b"... " in line:
                    lines.append("transcript: " + line.decode("latin-1"))
            part = _STATUS_PART.search(dsn)
            for block in (part[1].split(b"\n\n") if part else []):
                # Sendmail's block names the file in X-Actual-Recipient; ours has
                # only the Final-Recipient: the alias (the qf's r record)
                alias = f"{name}@mail.example.test".encode()
                if re.search(rb"; (" + re.escape(needle) + rb"|" + re.escape(alias) + rb")$",
                             block, re.M | re.I):
                    status = re.search(rb"^Status: (\S+)", block, re.M)
                    lines.append("dsn status: " + (status[1].decode() if status else "?"))
                    for field in (rb"X-Actual-Recipient", rb"Diagnostic-Code"):
                        found_field = re.search(rb"^" + field + rb": (.*)$", block, re.M)
                        if found_field:
                            lines.append(f"dsn {field.decode()}: "
                                         + found_field[1].decode("latin-1"))
            reason = re.search(rb"^" + re.escape(needle) + rb"\n\s+\(reason: (.*)\)$", dsn,
                               re.M)
            if reason:
                lines.append("dsn reason: " + reason[1].decode("latin-1"))
        found[name] = "\n".join(lines)
    return found


def run_queue(site: Site, queue: dict[str, bytes], config: Config) -> dict[str, str]:
    for name, data in queue.items():
        (site.root / "mqueue" / name).write_bytes(data)
        (site.root / "mqueue" / name).chmod(0o600)
    # -v: the real one delivers in the foreground (and exits 73 after a refusal)
    proc = site.run(["-q", "-v"] if not site.ours else ["-q"])
    result = outcomes(site, config)
    if proc.returncode not in (0, 73, 75):
        result["(queue run)"] += f"\nexit {proc.returncode}: {proc.stderr!r}"
    return result


# --------------------------------------------------------------------------- the tests

needs_real = pytest.mark.skipif(unavailable_reason() is not None, reason=str(unavailable_reason()))
pytestmark = [pytest.mark.differential, needs_real]

_RESULTS: dict[str, tuple[dict[str, str], dict[str, str]]] = {}


def results(tmp_path_factory: pytest.TempPathFactory,
            config_name: str) -> tuple[dict[str, str], dict[str, str]]:
    """(real, ours) outcomes of one configuration, computed once."""
    if config_name not in _RESULTS:
        config = CONFIGS[config_name]
        root = tmp_path_factory.mktemp(f"safefile_{config_name}")
        cf = compile_cf(root / "cf", config)
        queue = make_queue(build_site(root / "queue", config, cf, ours=False), config)
        real = build_site(root / "real", config, cf, ours=False)
        ours = build_site(root / "ours", config, cf, ours=True)
        _RESULTS[config_name] = (run_queue(real, queue, config), run_queue(ours, queue, config))
        for side in (root / "queue", root / "real", root / "ours"):
            shutil.rmtree(side / "site" / "safe", ignore_errors=True)
    return _RESULTS[config_name]


CASE_IDS = [(c, n) for c, config in CONFIGS.items() for n in (*config.cases, "(queue run)")]


@pytest.mark.parametrize(("config_name", "case"), CASE_IDS,
                         ids=[f"{c}-{n}" for c, n in CASE_IDS])
def test_file_delivery_matches_real(tmp_path_factory: pytest.TempPathFactory,
                                    config_name: str, case: str) -> None:
    real, ours = results(tmp_path_factory, config_name)
    assert ours.get(case) == real.get(case)


EXPECTED: dict[tuple[str, str], Callable[[str], bool]] = {
    ("chroot", "prefix"): lambda r: "Subject: safe file" in r and "still queued: False" in r,
    ("chroot", "stripped"): lambda r: "Subject: safe file" in r,
    ("chroot", "new"): lambda r: r.startswith("file: -rw------- 1:1\nFrom "),
    ("chroot", "symlink"): lambda r: "dsn status: 5.3.0" in r
    and "transcript: 550 5.0.0 /logs/symlink... Can't create output" in r,
    ("chroot", "fifo"): lambda r: "dsn status: 5.3.0" in r,
    ("chroot", "outside"): lambda r: "dsn status: 5.3.0" in r,
    ("chroot", "suid"): lambda r: r.startswith("file: -rwSr--r-- 8:8\nFrom "),
    ("root", "dir"): lambda r: "dsn status: 5.3.0" in r,
    ("root", "symlink"): lambda r: "dsn status: 5.3.0" in r,
    ("root", "device"): lambda r: "still queued: True" in r,
    ("root", "fifo"): lambda r: "still queued: True" in r,
    ("unset", "symlink"): lambda r: "dsn status: 5.3.0" in r,
}


@pytest.mark.parametrize(("config_name", "case"), sorted(EXPECTED),
                         ids=[f"{c}-{n}" for c, n in sorted(EXPECTED)])
def test_real_sendmail_does_what_we_found(tmp_path_factory: pytest.TempPathFactory,
                                          config_name: str, case: str) -> None:
    """The behaviour the implementation follows, checked on the real sendmail."""
    real, _ours = results(tmp_path_factory, config_name)
    assert EXPECTED[(config_name, case)](real[case]), real[case]


# --------------------------------------------------------------------------- debugging


def main(argv: Sequence[str]) -> None:
    import tempfile

    reason = unavailable_reason()
    if reason:
        raise SystemExit(f"cannot run the real sendmail: {reason}")

    class Factory:
        def __init__(self, base: Path) -> None:
            self.base = base

        def mktemp(self, name: str) -> Path:
            path = self.base / name
            path.mkdir()
            return path

    with tempfile.TemporaryDirectory() as tmp:
        for name in argv or CONFIGS:
            real, ours = results(Factory(Path(tmp)), name)  # type: ignore[arg-type]
            for case in sorted(set(real) | set(ours)):
                same = real.get(case) == ours.get(case)
                print(f"===== {name} {case}: {'same' if same else 'DIFFERS'}")
                print(f"--- real\n{real.get(case)}")
                if not same:
                    print(f"--- ours\n{ours.get(case)}")


if __name__ == "__main__":
    main(sys.argv[1:])
