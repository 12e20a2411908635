"""`sendmail -q`: run the queue once, or every interval (-q30m, -qp).

SYNOPSIS
    code = run_queue("/etc/mail/sendmail.cf", {}, selector=None, interval=None)

DESCRIPTION
    Builds the Runtime as the daemon does (${opMode} "q"), opens the queue
    directory of the .cf (QueueDirectory, or -O QueueDirectory=) and lets
    mta.deliver.runner deliver what is in it: once, or, with an interval,
    again and again until SIGTERM or SIGINT. Messages that a daemon or
    another queue run is working on are locked and skipped, so a run may
    overlap with them safely.

DIAGNOSTICS
    Exit codes are sysexits: EX_CONFIG (78) when the .cf cannot be read,
    EX_OSERR (71) when the queue directory cannot be used; a run in the
    foreground (-qf, -v) exits with the status of the last recipient that
    failed for good (EX_NOUSER, EX_CANTCREAT ...), as Sendmail's ExitStat,
    else EX_OK.

SEE ALSO
    mta.deliver.runner, mta.app.daemon, mta.cli.sendmail.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Mapping, Sequence
from dataclasses import replace

from mta.app.runtime import Runtime
from mta.core.errors import ConfigError
from mta.deliver.runner import QueueGroupDirs, QueueRunner, RunnerSettings, Selector, queue_groups
from mta.maps.base import MapEnv
from mta.queue.fsqueue import FsQueue, queue_file_mode
from mta.util.privs import become_run_as_user
from mta.util.sysexits import ExitCode

log = logging.getLogger("mta.queuerun")

DEFAULT_QUEUE_DIRECTORY = "/var/spool/mqueue"  # the daemon uses it too


def run_queue(cf: str, overrides: Mapping[str, str], *, selector: Selector | None = None,
              interval: float | None = None, foreground: bool = False,
              groups: Sequence[str] = (), verbose: bool = False) -> int:
    """One queue run (or one every interval seconds); returns a sysexits code.

    Every queue group's directories are run (the Q lines' P=, QueueDirectory
    for the default group "mqueue"), or only those of groups (-qGname).
    Without foreground (-qf) the run goes on in the background and the
    command returns at once, as Sendmail's does. verbose (-v) runs in the
    foreground, one message after the other, saying what happens on standard
    output; a run in the foreground exits with the status of the last
    recipient that failed for good (EX_NOUSER for an unknown user ...), as
    Sendmail's does.
    """
    try:
        runtime = Runtime.build(cf, overrides=overrides, op_mode="q",
                                out=lambda line: log.info("%s", line))
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return int(ExitCode.EX_CONFIG)
    # root runs the queue as the .cf's RunAsUser (smmsp for submit.cf), as Sendmail
    status = become_run_as_user(runtime.config.options, runtime.config.path)
    if status != ExitCode.EX_OK:
        return status
    chosen = [g for g in queue_groups(runtime.config, DEFAULT_QUEUE_DIRECTORY)
              if not groups or g.name in groups]
    if groups and not chosen:
        print(f"Queue group {groups[0]} unknown", file=sys.stderr)
        return int(ExitCode.EX_USAGE)
    runners = make_runners(runtime, chosen)
    if not runners:
        directory = chosen[0].directories[0] if chosen else DEFAULT_QUEUE_DIRECTORY
        print(f"cannot use queue directory {directory}", file=sys.stderr)
        return int(ExitCode.EX_OSERR)
    if not (foreground or verbose) and _detach():
        return int(ExitCode.EX_OK)  # the run goes on in the child
    if verbose:
        for runner in runners:
            runner.verbose = _say
            runner.settings = replace(runner.settings, parallel=1)
    if interval is not None:
        asyncio.run(_run(runners, selector, interval))
        return int(ExitCode.EX_OK)
    # one run: shared by a process per CPU (Sendmail forks queue runners too); each
    # takes the messages whose queue id hashes to it, and flock keeps them apart
    count = 1 if verbose else run_processes(sum(len(r.queue.walk()) for r in runners))
    children = []
    _flush_logs()
    for k in range(1, count):
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                asyncio.run(_run(runners, selector, None, shard=(k, count)))
                code = _exit_status(runners)
            except BaseException:
                log.exception("queue run worker failed")
                code = int(ExitCode.EX_SOFTWARE)
            finally:
                logging.shutdown()
                os._exit(code)
        children.append(pid)
    status = 0
    try:
        asyncio.run(_run(runners, selector, None, shard=(0, count)))
        status = _exit_status(runners)
    finally:
        for pid in children:
            with contextlib.suppress(ChildProcessError):
                _pid, code = os.waitpid(pid, 0)
                if os.WIFEXITED(code) and os.WEXITSTATUS(code):
                    status = os.WEXITSTATUS(code)
    return status


def _exit_status(runners: Sequence[QueueRunner]) -> int:
    """Sendmail's ExitStat after a run: the last failure's status, 0 when none."""
    return next((r.exit_status for r in reversed(runners) if r.exit_status), 0)


def _say(line: str) -> None:
    print(line, flush=True)


def _flush_logs() -> None:
    """Before a fork: log lines still buffered would be written by both processes."""
    for handler in logging.getLogger("mta").handlers:
        handler.flush()


def _detach() -> bool:
    """Fork; True in the parent, which returns (the child leaves the terminal)."""
    _flush_logs()
    if os.fork() > 0:
        return True
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.close(devnull)
    return False


MESSAGES_PER_PROCESS = 200  # below this a second process costs more than it saves


def run_processes(messages: int) -> int:
    """How many processes share one queue run: MTA_QUEUE_WORKERS, else one per CPU
    (at most 8), fewer for a short queue."""
    text = os.environ.get("MTA_QUEUE_WORKERS", "")
    if text.isdigit() and int(text) > 0:
        return int(text)
    cpus = max(1, min(os.cpu_count() or 1, 8))
    return max(1, min(cpus, messages // MESSAGES_PER_PROCESS))


def make_runners(runtime: Runtime, groups: Sequence[QueueGroupDirs]) -> list[QueueRunner]:
    """One QueueRunner per queue directory of groups (a directory shared by groups once)."""
    base = RunnerSettings.from_config(runtime.config)
    env = MapEnv(options=runtime.config.options)
    runners: dict[str, QueueRunner] = {}
    for group in groups:
        for directory in group.directories:
            if directory in runners:
                continue
            try:
                queue = FsQueue(directory,
                                file_mode=queue_file_mode(runtime.config.options))
            except OSError as exc:
                log.error("queue group %s: cannot use %s: %s", group.name, directory, exc)
                continue
            settings = replace(base, parallel=group.runners) if group.runners else base
            runners[directory] = QueueRunner(runtime.config, runtime.engine, queue, env=env,
                                             settings=settings)
    return list(runners.values())


async def periodic(runners: Sequence[QueueRunner], interval: float) -> None:
    """The daemon's queue runs (-bd -q30m): all queues now, then every interval seconds."""
    while True:
        try:
            await asyncio.gather(*(r.run_queue(force=False) for r in runners))
        except Exception:  # a fault of ours: the next run tries again
            log.exception("queue run failed")
        await asyncio.sleep(interval)


async def _run(runners: Sequence[QueueRunner], selector: Selector | None,
               interval: float | None, shard: tuple[int, int] = (0, 1)) -> None:
    async def every_queue() -> None:
        await asyncio.gather(*(r.run_queue(force=False, selector=selector, shard=shard)
                               for r in runners))

    try:
        if interval is None:
            await every_queue()  # MinQueueAge holds
            return
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        while not stop.is_set():
            await every_queue()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)
    finally:
        # the DSNs the runs queued go out too, then the connection caches close
        await asyncio.gather(*(r.drain() for r in runners))
