"""Giving up root: become the RunAsUser of the .cf, as Sendmail's drop_privileges().

SYNOPSIS
    status, lines = drop_to_run_as_user(config.options, config.path, packages=("mta",))
    target, problems = resolve_run_as("smmsp")    # RunAs(uid=103, gid=106), []
    target, problems = resolve_run_as("nosuch")   # None, ["option RunAsUser: unknown user nosuch"]
    preload(LATE_IMPORTS); become(target)         # setgroups, setgid, setuid (root only)
    invoker_uid()                                 # who started the process (RealUid)

DESCRIPTION
    drop_to_run_as_user() is what Sendmail 8.17's main() does once the .cf
    is read, in every mode but the daemon's (which switches after binding,
    mta.app.daemon) and test mode: root becomes RunAsUser, so that a
    submission through submit.cf (RunAsUser=smmsp) writes its client queue
    as smmsp; a submission program (UseMSP) that would go on as root stops
    instead; anyone but root stays who it is.

    resolve_run_as() reads an `O RunAsUser=` value as Sendmail's readcf does:
    user[:group], cut at the first ":", "/" or "."; the user is a number
    (a uid, which needs no passwd entry) or a login name (its uid and its
    group); the group a number or a group name. An unknown name is a
    problem in Sendmail's words ("option RunAsUser: unknown user NAME"):
    an unknown user leaves no target (the process stays who it is), an
    unknown group leaves the user's own group.

    Where Sendmail 8.17 leaves the gid as it was for a bare uid
    ("RunAsUser=103": still root's group 0), we take that uid's passwd
    group when it has one, as our daemon always did: a process that gave
    up root should not keep root's group.

    become() switches group list, gid and uid, in that order (after setuid
    nothing else may change); the real, effective and saved ids all change,
    so root cannot be taken back. Only root can switch: for anyone else it
    does nothing. Before switching it keeps the ids the process was started
    with, which invoker_uid() returns afterwards: what Sendmail keeps as
    RealUid, the caller whose login name is the sender and whose home
    directory has the dead.letter.

    A module imported after the switch is read as RunAsUser, who may not
    be able to (a Python under /root): preload() imports, while still root,
    what is imported on first use (LATE_IMPORTS) and every module of the
    packages given.

DIAGNOSTICS
    drop_to_run_as_user() returns the exit status and the lines to print,
    as Sendmail prints them on standard output: "FILE: line N: readcf:
    option RunAsUser: unknown user NAME" (or "unknown group NAME") and
    EX_SOFTWARE (70), the run ends; "Mail submission program must have
    RunAsUser set to non root user" and EX_CONFIG (78).

    become() raises OSError when a set*id call fails (only root gets that
    far, so it should not happen).

SEE ALSO
    mta.app.daemon (after binding its listeners, and -bs), mta.cli.sendmail
    (a submission, -bm and -t, and -bv, once the .cf is loaded),
    mta.app.queuerun (-q), sendmail/main.c drop_privileges(),
    tests/diff/test_submit_runas_real.py.
"""

from __future__ import annotations

import contextlib
import grp
import importlib
import os
import pkgutil
import pwd
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from mta.util.sysexits import ExitCode, atoi

MSP_AS_ROOT = "Mail submission program must have RunAsUser set to non root user"

# Modules imported on first use (a name server query, a thread for the queue's syncs,
# a map file, a codec, a lock on dead.letter): imported before root is given up, so
# that a Python installed where RunAsUser cannot read (under /root) still runs.
LATE_IMPORTS = (
    "concurrent.futures.thread", "ctypes", "pwd", "grp", "fcntl", "sqlite3", "hmac", "ssl",
    "asyncio", "shutil", "tempfile", "glob", "base64", "_strptime",
    "encodings.latin_1", "encodings.ascii", "encodings.utf_8", "encodings.idna",
    "dns.exception", "dns.message", "dns.name", "dns.nameserver", "dns.query",
    "dns.rdatatype", "dns.resolver", "dns.reversename", "dns.rdtypes.ANY.PTR",
    "dns.rdtypes.IN.A", "dns.rdtypes.IN.AAAA", "dns.rdtypes.ANY.MX",
    "dns.rdtypes.ANY.TXT", "dns.rdtypes.ANY.CNAME")


@dataclass(frozen=True, slots=True)
class RunAs:
    """Whom to become: a uid and a gid (None: keep the current gid)."""

    uid: int
    gid: int | None


# The ids the process had before become() switched: the real uid is gone after
# setuid(), and who called us is a fact of the process, as os.getuid() is.
_invoker: tuple[int, int] | None = None


def resolve_run_as(value: str | None) -> tuple[RunAs | None, list[str]]:
    """The target of a RunAsUser value and the problems found (see DESCRIPTION).

    Returns:
        (None, []) for an empty value; (None, [problem]) for an unknown user.
    """
    if not value or not value.strip():
        return None, []
    # readcf cuts at the first separator; the rest is the group
    parts = re.split(r"[:/.]", value.strip(), maxsplit=1)
    user, group = parts[0], parts[1] if len(parts) > 1 else ""
    problems: list[str] = []
    if user[:1].isdigit():
        uid = atoi(user)
        try:
            gid: int | None = pwd.getpwuid(uid).pw_gid
        except KeyError:
            gid = None
    else:
        try:
            entry = pwd.getpwnam(user)
        except KeyError:
            return None, [f"option RunAsUser: unknown user {user}"]
        uid, gid = entry.pw_uid, entry.pw_gid
    if group[:1].isdigit():
        gid = atoi(group)
    elif group:
        try:
            gid = grp.getgrnam(group).gr_gid
        except KeyError:
            problems.append(f"option RunAsUser: unknown group {group}")
    return RunAs(uid, gid), problems


def become(target: RunAs) -> bool:
    """Switch to target when running as root; returns whether it switched.

    Raises:
        OSError: a set*id call failed.
    """
    global _invoker
    if os.geteuid() != 0:
        return False
    if _invoker is None:
        _invoker = (os.getuid(), os.getgid())
    gid = os.getegid() if target.gid is None else target.gid
    os.setgroups([])
    os.setgid(gid)
    os.setuid(target.uid)
    return True


def preload(names: Iterable[str] = LATE_IMPORTS, packages: Iterable[str] = ()) -> None:
    """Import names and every module of packages now, while root (see LATE_IMPORTS);
    what cannot be imported is left to fail where it is used, as it would have."""
    for name in names:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    for package in packages:
        try:
            path = importlib.import_module(package).__path__
        except ImportError:
            continue
        for found in pkgutil.walk_packages(path, f"{package}."):
            # a module of ours that fails to import fails again where it is used
            with contextlib.suppress(Exception):
                importlib.import_module(found.name)


def drop_to_run_as_user(options: Mapping[str, str], cf: str, *,
                        packages: Iterable[str] = ()) -> tuple[int, list[str]]:
    """What Sendmail's main() does once the .cf is read, in every mode but the daemon's
    and test mode (-bm, -t, -bs here): root becomes RunAsUser.

    Args:
        options: the .cf's options (long names, raw values): RunAsUser, and
            UseMSP (a submission program must not go on as root).
        cf: the .cf's path, for "FILE: line N: readcf: ..." before a problem.
        packages: whose modules to import before switching (preload()), with
            LATE_IMPORTS: what the rest of the run may import lazily.

    Returns:
        (exit status, lines to print on standard output): EX_OK to go on;
        EX_CONFIG when a submission program would still be root (RunAsUser
        unset, unknown or root); EX_SOFTWARE after an unknown user or group
        (readcf's syserr, which ends the run before anything is queued), also
        for a caller who is not root.

    Raises:
        OSError: a set*id call failed.
    """
    value = options.get("RunAsUser")
    target, problems = resolve_run_as(value)
    where = option_line(cf, "RunAsUser") if problems else ""
    lines = [f"{where}: readcf: {problem}" if where else f"readcf: {problem}"
             for problem in problems]
    if target is not None and os.geteuid() == 0:
        preload(LATE_IMPORTS, packages)
        become(target)
    use_msp = options.get("UseMSP")
    msp = use_msp is not None and (use_msp == "" or use_msp[0] in "tTyY")  # atobool()
    if msp and (os.geteuid() == 0 or os.getuid() == 0):
        return int(ExitCode.EX_CONFIG), [*lines, MSP_AS_ROOT]
    if problems:
        return int(ExitCode.EX_SOFTWARE), lines
    return int(ExitCode.EX_OK), lines


def become_run_as_user(options: Mapping[str, str], cf: str) -> int:
    """drop_to_run_as_user() for a command (every mta module loaded first): what went
    wrong printed on standard output, as Sendmail prints it; the exit status (EX_OK:
    go on)."""
    status, lines = drop_to_run_as_user(options, cf, packages=("mta",))
    for line in lines:
        print(line)
    return int(status)


def option_line(cf: str, name: str) -> str:
    """Where the last `O name=` line of the .cf is (the one that counts), as
    "FILE: line N"; "" when there is none (a command-line option) or no file."""
    pattern = re.compile(rf"O\s*{re.escape(name)}\s*=", re.IGNORECASE)
    found = 0
    try:
        with open(cf, encoding="latin-1") as fh:
            for number, line in enumerate(fh, 1):
                if pattern.match(line):
                    found = number
    except OSError:
        return ""
    return f"{cf}: line {found}" if found else ""


def invoker_uid() -> int:
    """The real uid the process was started with (before become())."""
    return os.getuid() if _invoker is None else _invoker[0]


def invoker_login() -> tuple[str, str]:
    """The login name and the passwd full name (gecos) of who started the process;
    the uid as the name when it has no passwd entry."""
    uid = invoker_uid()
    try:
        entry = pwd.getpwuid(uid)
    except KeyError:
        return str(uid), ""
    return entry.pw_name, entry.pw_gecos


def invoker_gid() -> int:
    """The real gid the process was started with (before become())."""
    return os.getgid() if _invoker is None else _invoker[1]
