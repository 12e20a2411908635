"""mta start|stop|restart|reload|status|check: the daemon as a service, RHEL-style.

SYNOPSIS
    mta start   [-C DIR] [-q 30m]     regenerate what is stale, then sendmail -bd -q30m
    mta stop    [-C DIR]              SIGTERM to the pid in PidFile, wait until it is gone
    mta restart [-C DIR] [-q 30m]     regenerate (validated first), stop, start
    mta reload  [-C DIR]              regenerate (validated first), then SIGHUP
    mta status  [-C DIR]              running?, the listeners, how full the queue is
    mta check   [-C DIR]              validate the .mc/.cf files and the tables; touch nothing

DESCRIPTION
    DIR is the mail configuration directory (default $MTA_CONFIG_DIR, else
    /etc/mail), laid out as etc-mail/ is: sendmail.mc and submit.mc, the
    tables (access, mailertable, virtusertable, genericstable, domaintable)
    and the alias file that sendmail.cf names. DIR/mcflags, when there is
    one, holds -D NAME=VALUE (and -I DIR) options for compiling the .mc
    files, as the Makefile there reads it (`make run` writes one for the
    checkout's run/mail).

    Before start, restart and reload, the same work as `make -C DIR` is done,
    as RHEL's sendmail service does it: a .cf older than its .mc (or missing)
    is compiled again, a NAME.db older than NAME is built again with makemap
    hash, and an alias database older than its text with newaliases. All of
    it is first made into temporary files beside the real ones and
    validated (the new .cf must load); only when everything is good are the
    files put in place, each with one rename, the previous .cf kept as
    NAME.cf.old. On any error the messages are printed as FILE:LINE:
    message, nothing is replaced, and the running daemon is not touched.

    The daemon is found through the PidFile option of sendmail.cf (Sendmail's
    file: the pid, then the command line). start runs `sendmail -bd -qINTERVAL
    -C DIR/sendmail.cf`, which binds its listeners before it detaches, so a
    port that cannot be had is reported by start itself. reload sends SIGHUP:
    the daemon checks the new .cf and runs itself again (mta.app.daemon).

DIAGNOSTICS
    Exit status: 0 on success; EX_CONFIG (78) when the configuration does not
    compile or validate; EX_UNAVAILABLE (69) when the daemon is not running
    for stop/reload or could not be started; status follows the LSB: 0
    running, 1 dead with a pid file left, 3 not running.

SEE ALSO
    etc-mail/Makefile, mta.cli.compile, mta.cli.makemap, mta.cli.newaliases,
    mta.app.daemon (SIGHUP, PidFile).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mta.util.sysexits import ExitCode

DEFAULT_CONFIG_DIR = "/etc/mail"
TABLES = ("access", "mailertable", "virtusertable", "genericstable", "domaintable")
MC_FILES = ("sendmail.mc", "submit.mc")
STOP_WAIT = 30.0  # seconds stop waits for the daemon to finish its sessions


def config_dir(given: str | None) -> Path:
    """The configuration directory: given, else $MTA_CONFIG_DIR, else /etc/mail."""
    return Path(given or os.environ.get("MTA_CONFIG_DIR") or DEFAULT_CONFIG_DIR)


@dataclass
class Staged:
    """A file made and validated, waiting to replace target."""

    target: Path
    temp: Path
    backup: bool = False  # keep the replaced file as target + ".old" (.cf files)


@dataclass
class Plan:
    """What regeneration made (staged) or found wrong (errors, as FILE:LINE: message)."""

    staged: list[Staged] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what is being rebuilt, for the user

    def discard(self) -> None:
        for item in self.staged:
            with contextlib.suppress(OSError):
                item.temp.unlink()
        self.staged = []

    def commit(self) -> None:
        """Put every staged file in place: one rename each, the old .cf kept as .old."""
        for item in self.staged:
            if item.backup and item.target.exists():
                old = item.target.with_name(item.target.name + ".old")
                shutil.copy2(item.target, old)
            os.replace(item.temp, item.target)
        self.staged = []


def _stale(source: Path, target: Path) -> bool:
    try:
        return target.stat().st_mtime < source.stat().st_mtime
    except FileNotFoundError:
        return True


def _temp_beside(target: Path) -> Path:
    """A new empty file in target's directory (so that the final rename is atomic)."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".new", dir=target.parent)
    os.close(fd)
    return Path(name)


_LINE_MESSAGE = re.compile(r"^(?:makemap: )?(?P<file>[^:\n]+): line (?P<line>\d+): (?P<text>.*)$")


def _as_locations(text: str, path: Path) -> list[str]:
    """makemap's and newaliases' "NAME: line N: message" lines as "PATH:N: message"."""
    out = []
    for line in text.splitlines():
        match = _LINE_MESSAGE.match(line)
        if match:
            out.append(f"{path}:{match['line']}: {match['text']}")
        elif line.strip():
            out.append(f"{path}: {line}")
    return out


def regenerate(directory: Path, *, force: bool = False) -> Plan:
    """Make (into temporary files) and validate what is stale in directory; force:
    everything, as check does. Nothing is replaced: the caller commits or discards."""
    from mta.cli.compile import CompileError, compile_mc
    from mta.config.loader import load_cf
    from mta.core.errors import ConfigError

    plan = Plan()
    cf_text: dict[str, str] = {}
    try:
        defines, include_path = mcflags(directory)
    except ValueError as exc:
        plan.errors.append(f"{directory / 'mcflags'}: {exc}")
        return plan
    for mc_name in MC_FILES:
        mc = directory / mc_name
        if not mc.exists():
            continue
        cf = mc.with_suffix(".cf")
        if not force and not _stale(mc, cf):
            continue
        messages = io.BytesIO()
        try:
            # the .mc's relative includes and paths mean what they mean to make -C DIR
            with _working_directory(directory):
                text = compile_mc(mc_name, defines=defines, include_path=include_path,
                                  stderr=messages)
        except (CompileError, OSError) as exc:
            shown = messages.getvalue().decode("utf-8", "replace").strip()
            if isinstance(exc, OSError):
                shown = shown or f"{mc}: cannot read: {exc.strerror}"
            plan.errors.extend(_absolute(line, directory) for line in shown.splitlines())
            continue
        try:
            load_cf(str(cf), text=text.encode("utf-8", "surrogateescape").decode("latin-1"),
                    strict=True)
        except ConfigError as exc:
            plan.errors.append(str(exc))
            continue
        temp = _temp_beside(cf)
        temp.write_bytes(text.encode("utf-8", "surrogateescape"))
        plan.staged.append(Staged(cf, temp, backup=True))
        plan.notes.append(f"{cf.name} from {mc.name}")
        cf_text[cf.name] = text
    for name in TABLES:
        source = directory / name
        target = directory / f"{name}.db"
        if not source.exists() or not (force or _stale(source, target)):
            continue
        _stage_map(plan, source, target)
    _stage_aliases(plan, directory, cf_text.get("sendmail.cf"), force=force)
    if plan.errors:
        plan.discard()
    return plan


def mcflags(directory: Path) -> tuple[dict[str, str], list[str]]:
    """The -D NAME=VALUE and -I DIR options in directory/mcflags (what `make run` writes
    and etc-mail/Makefile passes to mta compile as MCFLAGS); none without the file.

    Raises:
        ValueError: a word that is not -D or -I, or a quote left open.
    """
    try:
        text = (directory / "mcflags").read_text()
    except FileNotFoundError:
        return {}, []
    words = shlex.split(text, comments=True)
    defines: dict[str, str] = {}
    include_path: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word in ("-D", "-I"):
            if i + 1 >= len(words):
                raise ValueError(f"{word} without a value")
            flag, value = word, words[i + 1]
            i += 2
        elif word[:2] in ("-D", "-I"):
            flag, value = word[:2], word[2:]
            i += 1
        else:
            raise ValueError(f"unknown word {word!r} (only -D NAME=VALUE and -I DIR)")
        if flag == "-D":
            name, _eq, val = value.partition("=")
            defines[name] = val
        else:
            include_path.append(value)
    return defines, include_path


def _absolute(line: str, directory: Path) -> str:
    """A compiler message about a file of directory, with the directory in front."""
    name, sep, rest = line.partition(":")
    if sep and name and not name.startswith("/") and (directory / name).exists():
        return f"{directory / name}:{rest}"
    return line


@contextlib.contextmanager
def _working_directory(path: Path) -> Iterator[None]:
    before = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def _stage_map(plan: Plan, source: Path, target: Path) -> None:
    from mta.cli.makemap import BuildOptions, build

    temp = _temp_beside(target)
    err = io.StringIO()
    try:
        with open(source, "rb") as stream:
            status = build(stream, str(temp), source.name, BuildOptions(), err=err,
                           out=io.StringIO())
    except OSError as exc:
        temp.unlink(missing_ok=True)
        plan.errors.append(f"{source}: {exc.strerror or exc}")
        return
    if status:
        temp.unlink(missing_ok=True)
        plan.errors.extend(_as_locations(err.getvalue(), source))
        return
    plan.staged.append(Staged(target, temp))
    plan.notes.append(f"{target.name} from {source.name}")


def _stage_aliases(plan: Plan, directory: Path, new_cf: str | None, *, force: bool) -> None:
    """The alias databases of sendmail.cf's AliasFile (the new .cf's when one is made)."""
    from mta.config.loader import load_cf
    from mta.core.errors import ConfigError
    from mta.maps.aliases import build_alias_db, parse_alias_file_option
    from mta.maps.classes.hashdb import db_path

    cf = directory / "sendmail.cf"
    try:
        if new_cf is not None:
            config = load_cf(str(cf), text=new_cf.encode("utf-8", "surrogateescape")
                             .decode("latin-1"))
        elif cf.exists():
            config = load_cf(str(cf))
        else:
            return
        sources = parse_alias_file_option(config.options.get("AliasFile"))
    except ConfigError as exc:
        plan.errors.append(str(exc))
        return
    for source in sources:
        text = Path(source.path)
        if not text.is_absolute():
            text = directory / text
        target = Path(db_path(str(text)))
        if not text.exists() or not (force or _stale(text, target)):
            continue
        temp = _temp_beside(target)
        err = io.StringIO()
        try:
            stats = build_alias_db(str(text), err=err, target=str(temp))
        except (OSError, UnicodeDecodeError) as exc:
            temp.unlink(missing_ok=True)
            plan.errors.append(f"{text}: {getattr(exc, 'strerror', None) or exc}")
            continue
        if stats.errors:
            temp.unlink(missing_ok=True)
            plan.errors.extend(_as_locations(err.getvalue(), text))
            continue
        plan.staged.append(Staged(target, temp))
        plan.notes.append(f"{target.name} from {text.name}")


# ------------------------------------------------------------------ the daemon


@dataclass(frozen=True)
class DaemonInfo:
    """What sendmail.cf says about the daemon: its pid file, listeners and queue."""

    pid_file: Path | None
    listeners: tuple[tuple[str, str, int], ...]  # (name, address, port)
    queue_dirs: tuple[str, ...]


def daemon_info(directory: Path) -> DaemonInfo:
    """Read sendmail.cf of directory (raises ConfigError when it does not load)."""
    from mta.app.daemon import DEFAULT_PID_FILE
    from mta.app.queuerun import DEFAULT_QUEUE_DIRECTORY
    from mta.config.loader import load_cf
    from mta.deliver.runner import queue_groups
    from mta.smtp.listener import listeners

    config = load_cf(str(directory / "sendmail.cf"))
    options = config.options
    pid_file = options.get("PidFile") or DEFAULT_PID_FILE
    found = tuple((item.name, item.addr or "0.0.0.0", item.port)
                  for item in listeners(options.get("DaemonPortOptions", "")))
    dirs = tuple(d for g in queue_groups(config, DEFAULT_QUEUE_DIRECTORY)
                 for d in g.directories)
    return DaemonInfo(Path(pid_file) if pid_file else None, found, tuple(dict.fromkeys(dirs)))


def _info(directory: Path) -> DaemonInfo | None:
    """daemon_info(), or None after saying why the .cf does not load."""
    from mta.core.errors import ConfigError

    try:
        return daemon_info(directory)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return None


def read_pid(pid_file: Path | None) -> int | None:
    """The pid on the first line of the pid file, None when there is none."""
    if pid_file is None:
        return None
    try:
        first = pid_file.read_text().split("\n", 1)[0].strip()
    except OSError:
        return None
    return int(first) if first.isdigit() and int(first) > 0 else None


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _sendmail_program() -> str:
    """Our sendmail command: beside this program (the same installation), else on PATH."""
    beside = Path(sys.argv[0]).resolve().parent / "sendmail"
    if beside.exists():
        return str(beside)
    return shutil.which("sendmail") or "sendmail"


def _print(lines: Sequence[str], *, err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    for line in lines:
        print(line, file=stream)


def _regenerate_or_report(directory: Path, command: str) -> bool:
    plan = regenerate(directory)
    if plan.errors:
        _print(plan.errors, err=True)
        _print([f"mta {command}: the configuration has errors; nothing was changed"],
               err=True)
        return False
    if plan.notes:
        print(f"mta {command}: rebuilt " + ", ".join(plan.notes))
    plan.commit()
    return True


def start(directory: Path, queue_interval: str) -> int:
    if not _regenerate_or_report(directory, "start"):
        return int(ExitCode.EX_CONFIG)
    return _start(directory, queue_interval)


def _start(directory: Path, queue_interval: str) -> int:
    info = _info(directory)
    if info is None:
        return int(ExitCode.EX_CONFIG)
    pid = read_pid(info.pid_file)
    if pid is not None and alive(pid):
        print(f"mta start: already running (pid {pid})", file=sys.stderr)
        return int(ExitCode.EX_OK)
    argv = [_sendmail_program(), "-bd", *([f"-q{queue_interval}"] if queue_interval else []),
            "-C", str(directory / "sendmail.cf")]
    # -bd binds before it detaches: its exit status says whether it listens
    status = subprocess.run(argv, check=False, stdin=subprocess.DEVNULL).returncode
    if status != 0:
        print(f"mta start: {' '.join(argv)} failed (exit {status})", file=sys.stderr)
        return int(ExitCode.EX_UNAVAILABLE)
    pid = _wait_for_pid(info.pid_file)
    print(f"mta start: running (pid {pid})" if pid else "mta start: started")
    return int(ExitCode.EX_OK)


def _wait_for_pid(pid_file: Path | None, timeout: float = 10.0) -> int | None:
    deadline = time.monotonic() + timeout
    while pid_file is not None and time.monotonic() < deadline:
        pid = read_pid(pid_file)
        if pid is not None:
            return pid
        time.sleep(0.05)
    return None


def _running(directory: Path) -> int | None:
    """The pid of the running daemon, 0 when none runs, None when its .cf does not load
    (said already)."""
    info = _info(directory)
    if info is None:
        return None
    pid = read_pid(info.pid_file)
    return pid if pid is not None and alive(pid) else 0


def _daemon(directory: Path, verb: str) -> tuple[int, int]:
    """(pid of the running daemon, 0) or (0, the exit status: its configuration cannot
    be read, EX_CONFIG, said already; it is not running, EX_UNAVAILABLE, said here)."""
    pid = _running(directory)
    if pid is None:
        return 0, int(ExitCode.EX_CONFIG)
    if not pid:
        print(f"mta {verb}: not running", file=sys.stderr)
        return 0, int(ExitCode.EX_UNAVAILABLE)
    return pid, 0


def stop(directory: Path) -> int:
    pid, status = _daemon(directory, "stop")
    if status:
        return status
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_WAIT
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if alive(pid):
        print(f"mta stop: pid {pid} did not stop within {STOP_WAIT:g} s", file=sys.stderr)
        return int(ExitCode.EX_TEMPFAIL)
    print(f"mta stop: stopped (pid {pid})")
    return int(ExitCode.EX_OK)


def restart(directory: Path, queue_interval: str) -> int:
    if not _regenerate_or_report(directory, "restart"):
        return int(ExitCode.EX_CONFIG)  # the running daemon stays as it is
    pid = _running(directory)
    if pid is None:
        return int(ExitCode.EX_CONFIG)
    if pid:
        status = stop(directory)
        if status != 0:
            return status
    return _start(directory, queue_interval)


def reload(directory: Path) -> int:
    if not _regenerate_or_report(directory, "reload"):
        return int(ExitCode.EX_CONFIG)
    pid, status = _daemon(directory, "reload")
    if status:
        return status
    os.kill(pid, signal.SIGHUP)
    print(f"mta reload: sent SIGHUP to pid {pid}")
    return int(ExitCode.EX_OK)


def status(directory: Path) -> int:
    info = _info(directory)
    if info is None:
        return 4  # LSB: status unknown
    pid = read_pid(info.pid_file)
    if pid is None:
        print("sendmail is not running")
        code = 3
    elif not alive(pid):
        print(f"sendmail is not running, but {info.pid_file} names pid {pid}")
        code = 1
    else:
        print(f"sendmail is running (pid {pid})")
        code = 0
    for name, addr, port in info.listeners:
        state = "accepting" if code == 0 and _accepts(addr, port) else "not accepting"
        print(f"  listener {name}: {addr} port {port}: {state}")
    total = 0
    for directory_name in info.queue_dirs:
        count = _queued(directory_name)
        if count is None:
            print(f"  queue {directory_name}: cannot be read")
            continue
        total += count
        print(f"  queue {directory_name}: {count} message{'s' if count != 1 else ''}")
    if len(info.queue_dirs) > 1:
        print(f"  queue total: {total} message{'s' if total != 1 else ''}")
    return code


def _accepts(addr: str, port: int) -> bool:
    target = "127.0.0.1" if addr in ("0.0.0.0", "") else ("::1" if addr == "::" else addr)
    try:
        with socket.create_connection((target, port), timeout=2):
            return True
    except OSError:
        return False


def _queued(directory: str) -> int | None:
    qf = Path(directory) / "qf"
    where = qf if qf.is_dir() else Path(directory)
    try:
        return sum(1 for name in os.listdir(where) if name.startswith("qf"))
    except OSError:
        return None


def check(directory: Path) -> int:
    """Validate everything (as if every .mc and table were stale); replace nothing."""
    plan = regenerate(directory, force=True)
    plan.discard()
    if plan.errors:
        _print(plan.errors, err=True)
        return int(ExitCode.EX_CONFIG)
    print(f"mta check: {directory}: " + (", ".join(plan.notes) or "nothing to check")
          + ": OK")
    return int(ExitCode.EX_OK)
