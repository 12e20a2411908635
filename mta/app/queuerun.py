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
    EX_OSERR (71) when the queue directory cannot be used, else EX_OK.

SEE ALSO
    mta.deliver.runner, mta.app.daemon, mta.cli.sendmail.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Mapping

from mta.app.runtime import Runtime
from mta.core.errors import ConfigError
from mta.deliver.runner import QueueRunner, Selector
from mta.maps.base import MapEnv
from mta.queue.fsqueue import FsQueue
from mta.util.sysexits import ExitCode

log = logging.getLogger("mta.queuerun")

DEFAULT_QUEUE_DIRECTORY = "/var/spool/mqueue"


def run_queue(cf: str, overrides: Mapping[str, str], *, selector: Selector | None = None,
              interval: float | None = None, foreground: bool = False) -> int:
    """One queue run (or one every interval seconds); returns a sysexits code."""
    try:
        runtime = Runtime.build(cf, overrides=overrides, op_mode="q",
                                out=lambda line: log.info("%s", line))
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return int(ExitCode.EX_CONFIG)
    directory = runtime.config.options.get("QueueDirectory") or DEFAULT_QUEUE_DIRECTORY
    try:
        queue = FsQueue(directory)
    except OSError as exc:
        print(f"cannot use queue directory {directory}: {exc}", file=sys.stderr)
        return int(ExitCode.EX_OSERR)
    runner = QueueRunner(runtime.config, runtime.engine, queue,
                         env=MapEnv(options=runtime.config.options))
    asyncio.run(_run(runner, selector, interval))
    return int(ExitCode.EX_OK)


async def _run(runner: QueueRunner, selector: Selector | None, interval: float | None) -> None:
    try:
        if interval is None:
            await runner.run_queue(selector=selector)
            return
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        while not stop.is_set():
            await runner.run_queue(force=False, selector=selector)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)
    finally:
        await runner.drain()  # the DSNs the run queued go out too, then the cache closes
