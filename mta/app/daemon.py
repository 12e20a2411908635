"""The daemon: the SMTP listeners of a .cf over one queue (sendmail -bd, -bD, -bs).

SYNOPSIS
    sys.exit(run(cf, overrides, mode="D"))      # foreground daemon
    sys.exit(run(cf, overrides, mode="d"))      # detach, then the same
    sys.exit(run(cf, overrides, mode="s"))      # one session on stdin/stdout

DESCRIPTION
    Builds the Runtime (mta.app.runtime) with the command-line options, opens
    the queue directory (QueueDirectory), binds every DaemonPortOptions
    listener first and then, when started as root with RunAsUser set, drops
    to that user (as Sendmail binds port 25 before it gives up root). -bd
    detaches from the terminal after binding, so that a bind error is still
    reported to the caller. SIGTERM and SIGINT stop the listeners and end
    the sessions; a message whose 250 was sent is on disk already.

    Log lines go to the logger "mta"; the CLI points it at syslog, a file
    or standard error.

DIAGNOSTICS
    Exit codes are sysexits: EX_CONFIG (78) for a .cf that cannot be read,
    EX_OSERR (71) when a listener cannot bind or the queue directory cannot
    be used, EX_OK when stopped by a signal.

SEE ALSO
    mta.smtp.server, mta.app.runtime, mta.queue.fsqueue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pwd
import signal
import sys
from collections.abc import Mapping
from pathlib import Path

from mta.app.runtime import Runtime
from mta.core.errors import ConfigError
from mta.smtp.listener import listeners
from mta.smtp.server import SmtpServer, serve_stdio
from mta.util.sysexits import ExitCode

log = logging.getLogger("mta.daemon")

DEFAULT_QUEUE_DIRECTORY = "/var/spool/mqueue"


def run(cf: str, overrides: Mapping[str, str], *, mode: str) -> int:
    """Run -bd (mode "d"), -bD ("D") or -bs ("s"); returns a sysexits code."""
    try:
        runtime = Runtime.build(cf, overrides=overrides, op_mode=mode,
                                out=lambda line: log.info("%s", line))
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return int(ExitCode.EX_CONFIG)
    for warning in runtime.warnings:
        log.warning("%s", warning)
    options = runtime.config.options
    queue_dir = Path(options.get("QueueDirectory") or DEFAULT_QUEUE_DIRECTORY)
    try:
        sink = open_sink(queue_dir, runtime)
    except OSError as exc:
        print(f"cannot use queue directory {queue_dir}: {exc.strerror}", file=sys.stderr)
        return int(ExitCode.EX_OSERR)
    if mode == "s":
        chosen = listeners(options.get("DaemonPortOptions", ""))[0]
        asyncio.run(serve_stdio(runtime.policy, sink, chosen))
        return int(ExitCode.EX_OK)
    return asyncio.run(_daemon(runtime, sink, detach=mode == "d"))


def open_sink(queue_dir: Path, runtime: Runtime):  # type: ignore[no-untyped-def]
    """The queue the sessions write to (mta.queue.fsqueue through a session adapter)."""
    from mta.app.queuesink import QueueSink

    return QueueSink(queue_dir, runtime)


async def _daemon(runtime: Runtime, sink: object, *, detach: bool) -> int:
    options = runtime.config.options
    try:
        chosen = listeners(options.get("DaemonPortOptions", ""))
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return int(ExitCode.EX_CONFIG)
    max_children = _int(options.get("MaxDaemonChildren"))
    server = SmtpServer(runtime.policy, sink, chosen, max_children=max_children)  # type: ignore[arg-type]
    try:
        await server.start()
    except OSError as exc:
        print(f"daemon: cannot bind: {exc.strerror or exc}", file=sys.stderr)
        return int(ExitCode.EX_OSERR)
    _drop_privileges(options.get("RunAsUser"))
    if detach:
        _detach()
    pid_file = options.get("PidFile")
    if pid_file:
        try:
            with open(pid_file, "w") as fh:
                fh.write(f"{os.getpid()}\n")
        except OSError as exc:
            log.warning("cannot write %s: %s", pid_file, exc.strerror)
            pid_file = None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    waiter = asyncio.create_task(stop.wait())
    serving = asyncio.create_task(server.serve_forever())
    await asyncio.wait({waiter, serving}, return_when=asyncio.FIRST_COMPLETED)
    await server.close()
    serving.cancel()
    if pid_file:
        with contextlib.suppress(OSError):
            os.unlink(pid_file)
    return int(ExitCode.EX_OK)


def _int(text: str | None) -> int:
    try:
        return int(text or 0)
    except ValueError:
        return 0


def _drop_privileges(run_as: str | None) -> None:
    """After binding: become RunAsUser (user[:group], names or numbers) when root."""
    if not run_as or os.geteuid() != 0:
        return
    user, _, group = run_as.partition(":")
    try:
        entry = pwd.getpwnam(user) if not user.isdigit() else pwd.getpwuid(int(user))
    except KeyError:
        log.error("RunAsUser %s: no such user", run_as)
        return
    gid = int(group) if group.isdigit() else entry.pw_gid
    os.setgroups([])
    os.setgid(gid)
    os.setuid(entry.pw_uid)


def _detach() -> None:
    """Leave the terminal as Sendmail's -bd does: fork, new session, stdio to /dev/null."""
    if os.fork() > 0:
        os._exit(0)
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
