"""Program and file mailers: a subprocess fed the message, or an append to a file.

SYNOPSIS
    result = await run_program("/usr/bin/procmail", ["procmail", "-d", "bob"], data,
                               environment={"AGENT": "sendmail"}, directories=("/",))
    result.status                      # a sysexits code: EX_OK, EX_TEMPFAIL, EX_NOUSER ...
    reply = program_reply(result.status, "local", "/usr/bin/procmail")

DESCRIPTION
    What Sendmail's deliver() does for a mailer whose P= is a path: the
    program runs with A= as its argument vector, the message on standard
    input, a clean environment (AGENT=sendmail, TZ when set, and the .cf's
    E lines), in the first directory of D= that exists (D=$z:/ is the
    user's home, then /), as the user Sendmail would pick: root keeps its
    uid for a mailer with F=S (the local mailer, which changes user
    itself); other mailers run as the controlling user of the address, or
    DefaultUser. Not running as root, everything runs as ourselves.

    The exit status is the mailer's verdict, read as Sendmail reads it:
    0 delivered; EX_TEMPFAIL, EX_IOERR and EX_OSERR deferred; every other
    status failed for good, with the text Sendmail gives each sysexits code
    ("550 5.1.1 User unknown" for EX_NOUSER; program_reply) and the DSN
    status of its markfailure(); what the program printed goes to the DSN's
    transcript, line by line.
    A program killed by a signal, or one that outlives timeout, counts as
    EX_TEMPFAIL ("unknown mailer error").

DIAGNOSTICS
    A program that cannot be started gives EX_OSERR for a final (F=l)
    mailer or a transient errno, else EX_UNAVAILABLE, as Sendmail's child
    exits after "Cannot exec" (logged); never an exception.

SEE ALSO
    mta.deliver.runner, mta.deliver.mbox (the file mailer's append),
    Sendmail op.me 5.5 (P=, A=, D=, F=S, U=), sysexits(3).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mta.core.reply import Reply
from mta.util.sysexits import ExitCode

log = logging.getLogger(__name__)

OUTPUT_LIMIT = 8192  # bytes of a mailer's output kept for the log and the bounce

# Sendmail's sysexitsmsg table: the reply each exit status stands for
EXIT_REPLIES: Mapping[int, Reply] = {
    ExitCode.EX_USAGE: Reply(500, "5.0.0", "Command line usage error"),
    ExitCode.EX_DATAERR: Reply(501, "5.6.0", "Data format error"),
    ExitCode.EX_NOINPUT: Reply(550, "5.3.0", "Cannot open input"),
    ExitCode.EX_NOUSER: Reply(550, "5.1.1", "User unknown"),
    ExitCode.EX_NOHOST: Reply(550, "5.1.2", "Host unknown"),
    ExitCode.EX_UNAVAILABLE: Reply(554, "5.0.0", "Service unavailable"),
    ExitCode.EX_SOFTWARE: Reply(554, "5.3.0", "Internal error"),
    ExitCode.EX_OSERR: Reply(451, "4.0.0", "Operating system error"),
    ExitCode.EX_OSFILE: Reply(554, "5.3.5", "System file missing"),
    ExitCode.EX_CANTCREAT: Reply(550, "5.0.0", "Can't create output"),
    ExitCode.EX_IOERR: Reply(451, "4.0.0", "I/O error"),
    ExitCode.EX_TEMPFAIL: Reply(450, "4.0.0", "Deferred"),
    ExitCode.EX_PROTOCOL: Reply(554, "5.5.0", "Remote protocol error"),
    ExitCode.EX_NOPERM: Reply(550, "5.0.0", "Insufficient permission"),
    ExitCode.EX_CONFIG: Reply(554, "5.3.5", "Local configuration error"),
}
TRANSIENT = frozenset({ExitCode.EX_TEMPFAIL, ExitCode.EX_IOERR, ExitCode.EX_OSERR})
# a deferral for one of these statuses is worded by the status alone (the M record
# "Operating system error"), where EX_TEMPFAIL says "Deferred: ..."
BARE_DEFERRALS = frozenset(EXIT_REPLIES[status].text for status in TRANSIENT
                           if status != ExitCode.EX_TEMPFAIL)
# errno values after which Sendmail's child exits EX_OSERR (try again) even for a
# mailer that is not local: transienterror()
_TRANSIENT_ERRNO = frozenset({errno.EAGAIN, errno.ENOMEM, errno.ENFILE, errno.EMFILE,
                              errno.ETXTBSY, errno.EIO, errno.EINTR, errno.ENOSPC})


@dataclass(frozen=True, slots=True)
class ProgramResult:
    """How a mailer program ended: its sysexits status and what it printed."""

    status: int
    output: str


# markfailure(): the DSN status of a mailer's exit status (no reply gave one)
MARKFAILURE_STATUS: Mapping[int, str] = {
    ExitCode.EX_USAGE: "5.5.4", ExitCode.EX_DATAERR: "5.5.2", ExitCode.EX_NOUSER: "5.1.1",
    ExitCode.EX_NOHOST: "5.1.2", ExitCode.EX_NOINPUT: "5.3.0", ExitCode.EX_CANTCREAT: "5.3.0",
    ExitCode.EX_NOPERM: "5.3.0", ExitCode.EX_UNAVAILABLE: "5.5.0",
    ExitCode.EX_SOFTWARE: "5.5.0", ExitCode.EX_OSFILE: "5.5.0", ExitCode.EX_PROTOCOL: "5.5.0",
    ExitCode.EX_CONFIG: "5.5.0", ExitCode.EX_OSERR: "4.5.0", ExitCode.EX_IOERR: "4.5.0",
    ExitCode.EX_TEMPFAIL: "4.2.0",
}


def program_reply(status: int, mailer_name: str, path: str) -> Reply:
    """The outcome of a program mailer that exited with status, as Sendmail records it:
    the sysexits text ("User unknown"; EX_TEMPFAIL: "Deferred: local mailer
    (/usr/bin/procmail) exited with EX_TEMPFAIL"), markfailure()'s DSN status. What
    the program printed is not part of it: it goes to the transcript on its own."""
    if status == ExitCode.EX_OK:
        return Reply(250, "2.0.0", "Ok")
    base = EXIT_REPLIES.get(status)
    if base is None:
        return Reply(554, "5.3.0", f"unknown mailer error {status}")
    text = base.text
    if status == ExitCode.EX_TEMPFAIL:
        text = f"Deferred: {mailer_name} mailer ({path}) exited with EX_TEMPFAIL"
    return Reply(base.code, MARKFAILURE_STATUS.get(status, base.status), text)


def exit_reply(status: int, output: str = "") -> Reply:
    """The Reply Sendmail makes of a mailer's exit status (giveresponse())."""
    if status == ExitCode.EX_OK:
        return Reply(250, "2.0.0", "Ok")
    reply = EXIT_REPLIES.get(status)
    if reply is None:
        return Reply(554, "5.3.0", f"unknown mailer error {status}")
    first_line = output.strip().splitlines()[0] if output.strip() else ""
    if first_line:
        return Reply(reply.code, reply.status, f"{reply.text}: {first_line[:200]}")
    return reply


def clean_environment(extra: Mapping[str, str]) -> dict[str, str]:
    """The environment a mailer gets: AGENT=sendmail, TZ if set, then the E lines."""
    env = {"AGENT": "sendmail"}
    tz = os.environ.get("TZ")
    if tz is not None:
        env["TZ"] = tz
    env.update(extra)
    return env


def working_directory(directories: Sequence[str]) -> str | None:
    for directory in directories:
        if directory and os.path.isdir(directory):
            return directory
    return None


async def spawn(path: str, argv: Sequence[str], *, environment: Mapping[str, str],
                directories: Sequence[str], user: tuple[int, int] | None,
                stderr: int) -> asyncio.subprocess.Process:
    """Start a mailer program with pipes for its standard input and output.

    It runs in the first existing directory of D=, in a session of its own,
    as user (uid, gid) when we are root.

    Raises:
        OSError: it could not be started.
    """
    kwargs: dict[str, object] = {}
    if user is not None and os.geteuid() == 0:
        kwargs.update(user=user[0], group=user[1], extra_groups=[])
    return await asyncio.create_subprocess_exec(
        *argv, executable=path, stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=stderr,
        env=dict(environment), cwd=working_directory(directories),
        start_new_session=True, **kwargs)  # type: ignore[arg-type]


async def run_program(path: str, argv: Sequence[str], data: bytes, *,
                      environment: Mapping[str, str], directories: Sequence[str] = (),
                      user: tuple[int, int] | None = None,
                      timeout: float = 3600.0, local: bool = False) -> ProgramResult:
    """Run one mailer program with the message on its standard input.

    Args:
        path: P=, the program to execute.
        argv: the expanded A= vector (argv[0] included).
        data: the message (From line, header, body) as the mailer wants it.
        environment: the complete environment.
        directories: D=, the working directories to try in order.
        user: (uid, gid) to run as, only honoured when we are root.
        local: the mailer is a final one (F=l): a program that cannot be executed
            is a temporary failure (EX_OSERR), else a permanent one unless the error
            is transient, as Sendmail's child exits.
        timeout: seconds before the program is killed (a temporary failure).

    Returns:
        The ProgramResult; EX_TEMPFAIL when it could not run or did not end.
    """
    try:
        proc = await spawn(path, argv, environment=environment, directories=directories,
                           user=user, stderr=asyncio.subprocess.STDOUT)
    except OSError as exc:
        log.error("Cannot exec %s: %s", path, exc.strerror)
        status = ExitCode.EX_OSERR if local or exc.errno in _TRANSIENT_ERRNO \
            else ExitCode.EX_UNAVAILABLE
        return ProgramResult(int(status), "")
    try:
        output, _ = await asyncio.wait_for(proc.communicate(data), timeout)
    except (TimeoutError, asyncio.CancelledError) as exc:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()
        if isinstance(exc, asyncio.CancelledError):
            raise
        return ProgramResult(int(ExitCode.EX_TEMPFAIL), f"{path}: timeout")
    except (BrokenPipeError, ConnectionResetError):
        output = b""
        await proc.wait()
    text = output[:OUTPUT_LIMIT].decode("utf-8", "replace")
    code = proc.returncode if proc.returncode is not None else int(ExitCode.EX_TEMPFAIL)
    if code < 0:  # killed by a signal
        return ProgramResult(int(ExitCode.EX_TEMPFAIL), text or f"{path}: signal {-code}")
    return ProgramResult(code, text)
