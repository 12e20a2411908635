"""The daemon: the SMTP listeners of a .cf over one queue (sendmail -bd, -bD, -bs).

SYNOPSIS
    sys.exit(run(cf, overrides, mode="D"))      # foreground daemon
    sys.exit(run(cf, overrides, mode="d"))      # detach, then the same
    sys.exit(run(cf, overrides, mode="s"))      # one session on stdin/stdout

DESCRIPTION
    Builds the Runtime (mta.app.runtime) with the command-line options, opens
    the queue directory (QueueDirectory), binds every DaemonPortOptions
    listener first and then, when started as root with RunAsUser set, drops
    to that user (as Sendmail binds port 25 before it gives up root; -bs,
    which binds nothing, becomes it as soon as the .cf is loaded, as a
    submission does: mta.util.privs). -bd detaches from the terminal after
    binding, so that a bind error is still reported to the caller. Then
    workers() child processes serve: each listener is bound once per
    worker with SO_REUSEPORT, so the kernel spreads the connections, and
    every worker writes to the same queue (queue ids carry the pid) and
    delivers what its sessions queued. The
    daemon itself (_supervise) keeps every listening socket, runs the queue
    every -q interval and takes the signals. The workers end with the
    daemon (PR_SET_PDEATHSIG), also when it is killed. A port that
    something else listens on is not shared: the daemon says so and tries
    again, as Sendmail does, for about half a minute (an old daemon may
    still be stopping). SIGTERM and SIGINT stop the listeners and end the
    sessions, also when they come while the daemon is still starting (they
    wait, blocked, until it can act on them); a message whose 250 was sent
    is on disk already. Only the daemon itself removes leftovers of a
    killed run from the queue, before the workers start, and only at a cold
    start: after a restart the old workers may still be writing there.

    SIGHUP restarts the daemon, as Sendmail's does: it runs itself again
    (the same process) with the same arguments, so a changed .cf, its maps
    and its options take effect. First the .cf is loaded as the new daemon
    will load it; if that fails, the error is logged and the running daemon
    goes on unchanged. Otherwise the listening sockets go on into the new
    image (MTA_LISTEN_FDS), so that no client is refused, and the old
    workers retire: they stop accepting and finish the sessions they have
    (up to RETIRE_LIMIT), as Sendmail's children go on while their parent
    restarts; the new image's workers take the new connections. Changed
    listeners are bound anew; a daemon that has given up root cannot bind a
    port below 1024 again: it then logs that and does not restart.

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
import errno
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from mta.app.queuerun import DEFAULT_QUEUE_DIRECTORY, make_runners, periodic
from mta.app.queuesink import QueueSink
from mta.app.runtime import Runtime
from mta.core.errors import ConfigError
from mta.deliver.runner import QueueRunner, queue_groups
from mta.maps.base import MapEnv
from mta.maps.classes.host import client_identity
from mta.queue.fsqueue import FsQueue
from mta.smtp.listener import Listener, bind_listener, listeners
from mta.smtp.server import Admission, ClientResolver, SmtpServer, admission_from, serve_stdio
from mta.util.privs import (
    LATE_IMPORTS,
    become,
    become_run_as_user,
    preload,
    resolve_run_as,
)
from mta.util.sysexits import ExitCode

log = logging.getLogger("mta.daemon")


DEFAULT_PID_FILE = "/var/run/sendmail.pid"  # Sendmail's _PATH_SENDMAILPID, without PidFile
RESTART_GRACE = 10.0  # seconds a session may take to finish when SIGHUP restarts


def run(cf: str, overrides: Mapping[str, str], *, mode: str,
        queue_interval: float | None = None) -> int:
    """Run -bd (mode "d"), -bD ("D") or -bs ("s"); returns a sysexits code.

    queue_interval (-q30m): the daemon also runs the queue that often.
    """
    try:
        runtime = Runtime.build(cf, overrides=overrides, op_mode=mode,
                                out=lambda line: log.info("%s", line))
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return int(ExitCode.EX_CONFIG)
    for warning in runtime.warnings:
        log.warning("%s", warning)
    if mode == "s":  # no daemon: root becomes RunAsUser before the queue is opened
        status = become_run_as_user(runtime.config.options, cf)
        if status != ExitCode.EX_OK:
            return status
    options = runtime.config.options
    queue_dir = Path(options.get("QueueDirectory") or DEFAULT_QUEUE_DIRECTORY)
    # what a killed daemon left half-written goes at a cold start only: after a SIGHUP
    # restart the old workers are still writing, and -bs is no daemon
    cleanup = mode != "s" and LISTEN_FDS not in os.environ
    try:
        sink = open_sink(queue_dir, runtime, cleanup=cleanup)
    except OSError as exc:
        print(f"cannot use queue directory {queue_dir}: {exc.strerror}", file=sys.stderr)
        return int(ExitCode.EX_OSERR)
    if mode == "s":
        chosen = listeners(options.get("DaemonPortOptions", ""))[0]
        asyncio.run(_serve_stdio(runtime, sink, chosen))
        return int(ExitCode.EX_OK)
    return _daemon(runtime, queue_dir, detach=mode == "d",
                   reload=lambda: Runtime.build(cf, overrides=overrides, op_mode=mode),
                   queue_interval=queue_interval)


def delivers_at_once(runtime: Runtime) -> bool:
    """DeliveryMode background or interactive: deliver each message as it is queued."""
    mode = (runtime.config.options.get("DeliveryMode") or "background")[:1].lower()
    return mode in ("b", "i")


def make_runner(runtime: Runtime, queue: FsQueue) -> QueueRunner:
    """The queue runner of a process, on the runtime's engine and the sink's queue."""
    return QueueRunner(runtime.config, runtime.engine, queue,
                       env=MapEnv(options=runtime.config.options))


async def _serve_stdio(runtime: Runtime, sink: QueueSink, chosen: Listener) -> None:
    """-bs: one SMTP session on standard input and output, then deliver what it queued."""
    queued: list[str] = []
    if delivers_at_once(runtime):
        sink.on_commit = queued.append
    await serve_stdio(runtime.policy, sink, chosen, resolve=client_resolver(runtime))
    if queued:
        runner = make_runner(runtime, sink.queue)
        try:
            for qid in queued:
                await runner.deliver(qid)
        finally:
            await runner.aclose()


def client_resolver(runtime: Runtime) -> ClientResolver:
    """The sessions' client lookup: dnspython and /etc/hosts, in a worker thread."""
    env = MapEnv(options=runtime.config.options)

    async def resolve(address: str) -> tuple[str | None, str]:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(None, client_identity, env, address)
        except Exception:  # a fault of ours: the session goes on, as after a name
            log.exception("client lookup of %s failed", address)  # server failure
            return None, "TEMP"

    return resolve


def open_sink(queue_dir: Path, runtime: Runtime, *, cleanup: bool = True) -> QueueSink:
    """The queue the sessions write to (mta.queue.fsqueue through a session adapter)."""
    return QueueSink(queue_dir, runtime, cleanup=cleanup)


def workers() -> int:
    """How many worker processes serve the listeners: MTA_WORKERS, else one per CPU."""
    text = os.environ.get("MTA_WORKERS", "")
    if text.isdigit() and int(text) > 0:
        return int(text)
    return max(1, min(os.cpu_count() or 1, 8))


def _daemon(runtime: Runtime, queue_dir: Path, *, detach: bool,
            reload: Callable[[], Runtime] | None = None,
            queue_interval: float | None = None) -> int:
    """Bind, detach, write the pid file, drop privileges, then serve from workers()."""
    options = runtime.config.options
    count = workers()
    try:
        chosen = listeners(options.get("DaemonPortOptions", ""))
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return int(ExitCode.EX_CONFIG)
    # a stop signal from here on is taken when the daemon can act on it (in
    # _serve_sessions, _supervise): a daemon killed before that would leave its
    # workers, which share the listening port, to serve on after it
    signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    sockets = _adopt_sockets(chosen, count)  # a restart's: the listeners go on
    if sockets is None:
        try:
            sockets = _bind_all(chosen, count)
        except OSError as exc:
            print(f"daemon: cannot bind: {exc.strerror or exc}", file=sys.stderr)
            return int(ExitCode.EX_OSERR)
        except _Stopped:
            return int(ExitCode.EX_OK)
    if detach:
        _detach()
    pid_file: str | None = options.get("PidFile") or DEFAULT_PID_FILE
    if pid_file:  # while still root: the pid file's directory is root's
        try:
            with open(pid_file, "w") as fh:  # as Sendmail's: the pid, the command line
                fh.write(f"{os.getpid()}\n{' '.join(sys.argv)}\n")
        except OSError as exc:
            log.warning("cannot write %s: %s", pid_file, exc.strerror)
            pid_file = None
    # the limits are the daemon's, not a worker's: shared memory, made while root can
    # still load every module it needs
    admission = admission_from(options, count)
    _drop_privileges(options.get("RunAsUser"))
    for listener in chosen:
        log.info("starting daemon (%s): SMTP on %s port %d", listener.name, listener.addr,
                 listener.port)
    children = []
    parent = os.getpid()
    for k in range(count):
        pid = os.fork()
        if pid == 0:  # a worker: it ends with the parent, which may be killed
            _die_with_parent(parent)
            for j, group in enumerate(sockets):
                if j != k:
                    for sock in group:
                        sock.close()
            admission.use(k)
            code = asyncio.run(_serve(runtime, queue_dir, chosen, sockets[k],
                                      admission=admission))
            os._exit(0 if code == _RESTART else code)
        children.append(pid)
    # the workers of an earlier image, finishing their sessions: ours to reap
    retiring = [int(pid) for pid in os.environ.pop(RETIRING_PIDS, "").split(",")
                if pid.isdigit()]
    code = int(ExitCode.EX_SOFTWARE)
    try:
        code = asyncio.run(_supervise(runtime, queue_dir, chosen, children, retiring,
                                      reload=reload, queue_interval=queue_interval))
    finally:
        if code != _RESTART:  # on a restart the workers finish their sessions first
            for pid in children:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)
            for pid in children:
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, 0)
            if pid_file:
                with contextlib.suppress(OSError):
                    os.unlink(pid_file)
    if code != _RESTART:
        return code
    log.info("restarting: %s", " ".join(sys.argv))
    logging.shutdown()
    # the listening sockets go on into the new image: not one connection is refused,
    # and the old workers finish their sessions meanwhile (they are our children still)
    for group in sockets:
        for sock in group:
            os.set_inheritable(sock.fileno(), True)
    os.environ[LISTEN_FDS] = ";".join(",".join(str(sock.fileno()) for sock in group)
                                      for group in sockets)
    os.environ[RETIRING_PIDS] = ",".join(str(pid) for pid in [*children, *retiring])
    # a stop signal that comes before the new image has its handlers waits for them
    # (the mask goes on across execv), instead of killing the daemon
    signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        os.execv(sys.executable, [sys.executable, *sys.argv])
    except OSError as exc:  # the daemon has stopped already: say why
        print(f"daemon: cannot restart: {exc.strerror or exc}", file=sys.stderr)
    return int(ExitCode.EX_OSERR)


LISTEN_FDS = "MTA_LISTEN_FDS"  # a restart's listening sockets: "fd,fd;fd,fd" by worker
RETIRING_PIDS = "MTA_RETIRING_PIDS"  # a restart's old workers, still serving: "pid,pid"
RETIRE_LIMIT = 3600.0  # seconds a retiring worker's sessions may go on (Timeout.command)


def _adopt_sockets(chosen: Sequence[Listener], count: int) -> list[list[socket.socket]] | None:
    """After a SIGHUP restart: the listening sockets the old image handed on (LISTEN_FDS),
    when they are still the listeners and workers wanted; else they are closed (the
    caller binds anew) and None."""
    text = os.environ.pop(LISTEN_FDS, "")
    if not text:
        return None
    groups: list[list[socket.socket]] = []
    try:
        for part in text.split(";"):
            groups.append([socket.socket(fileno=int(fd)) for fd in part.split(",") if fd])
    except (ValueError, OSError):
        groups = [group for group in groups if group]
        fit = False
    else:
        fit = len(groups) == count and all(
            len(group) == len(chosen) and all(map(_listens_as, group, chosen))
            for group in groups)
    for group in groups:
        for sock in group:
            if fit:
                os.set_inheritable(sock.fileno(), False)  # not for the mailers we run
                sock.setblocking(False)
            else:
                sock.close()
    return groups if fit else None


def _listens_as(sock: socket.socket, listener: Listener) -> bool:
    family = socket.AF_INET6 if listener.family == "inet6" else socket.AF_INET
    try:
        host, port = sock.getsockname()[:2]
    except OSError:
        return False
    wanted = listener.addr or ("::" if family == socket.AF_INET6 else "0.0.0.0")
    return sock.family == family and port == listener.port and host == wanted


_STOP_SIGNALS = frozenset({signal.SIGTERM, signal.SIGINT, signal.SIGHUP})
BIND_TRIES = 10  # as Sendmail's opendaemonsocket(): then the port is "wedged"


class _Stopped(Exception):
    """A stop signal came while the daemon waited for its port."""


def _bind_all(chosen: Sequence[Listener], count: int) -> list[list[socket.socket]]:
    """One socket per listener and worker, all bound to the same address with
    SO_REUSEPORT, so that the kernel spreads the connections over the workers.

    SO_REUSEPORT would also share a port with another daemon of the same user
    (one being stopped, or a second one started by mistake), so a plain bind
    first checks that nobody listens there. A port in use is tried again, as
    Sendmail does, for about half a minute; a stop signal ends the wait.
    """
    for attempt in range(BIND_TRIES):
        bound: list[socket.socket] = []
        try:
            if count > 1:
                for listener in chosen:
                    bind_listener(listener, listen=False).close()
            for _ in range(count):
                bound.extend(bind_listener(listener, reuse_port=count > 1)
                             for listener in chosen)
        except OSError as exc:
            for sock in bound:
                sock.close()
            if exc.errno != errno.EADDRINUSE or attempt == BIND_TRIES - 1:
                if exc.errno == errno.EADDRINUSE:
                    log.error("daemon: server SMTP socket wedged: exiting")
                raise
            log.warning("daemon: cannot bind: %s; trying again", exc.strerror)
            if signal.sigtimedwait(_STOP_SIGNALS, min(5.0, 0.1 * 2 ** attempt)):
                raise _Stopped() from None
            continue
        per = len(chosen)
        return [bound[k * per:(k + 1) * per] for k in range(count)]
    raise AssertionError("unreachable")


_RESTART = -1  # what _serve returns when SIGHUP asked for a restart


async def _supervise(runtime: Runtime, queue_dir: Path, chosen: list[Listener],
                     children: Sequence[int], retiring: list[int], *,
                     reload: Callable[[], Runtime] | None,
                     queue_interval: float | None) -> int:
    """The daemon itself: its workers serve; it runs the queue every queue_interval,
    reaps what ends, and takes the signals.

    SIGTERM/SIGINT: EX_OK (the caller stops the workers). SIGHUP: when the new
    .cf loads (_can_restart), the workers are told to retire (stop accepting,
    finish their sessions) and _RESTART is returned: the caller runs the new
    image on the same listening sockets.
    """
    stop, hup = _signal_events()
    loop = asyncio.get_running_loop()
    runners = make_runners(runtime, queue_groups(runtime.config, str(queue_dir))) \
        if queue_interval else []
    queue_runs = asyncio.create_task(periodic(runners, queue_interval)) \
        if runners and queue_interval else None
    reaper = asyncio.create_task(_reap(children, retiring))
    code = int(ExitCode.EX_OK)
    try:
        while True:
            waiters = {asyncio.create_task(stop.wait()), asyncio.create_task(hup.wait())}
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()
            if stop.is_set():
                break
            hup.clear()
            if reload is None or await loop.run_in_executor(None, _can_restart, reload, chosen):
                for pid in children:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGHUP)
                code = _RESTART
                break
    finally:
        reaper.cancel()
        if queue_runs is not None:
            queue_runs.cancel()
        await _drain(runners)
    return code


async def _reap(children: Sequence[int], retiring: list[int]) -> None:
    """Collect the processes that end: workers of an earlier image still finishing their
    sessions after a restart (retiring, dropped from it when they end), and (logged) a
    worker of ours that died. Only these: the queue runs of this process have mailer
    children of their own, which asyncio and the file mailer wait for themselves."""
    reaped: set[int] = set()
    while True:
        await asyncio.sleep(1.0)
        for pid in [*children, *retiring]:
            if pid in reaped:
                continue
            try:
                ended, status = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                ended, status = pid, 0  # gone already
            if ended == 0:
                continue
            if pid in retiring:
                retiring.remove(pid)
            else:
                reaped.add(pid)
                log.error("worker %d ended (status %d); its share of the connections "
                          "goes to the others", pid, status)


async def _serve(runtime: Runtime, queue_dir: Path, chosen: list[Listener],
                 sockets: list[socket.socket], *, admission: Admission) -> int:
    """One worker: all listeners on its sockets, until a signal.

    It delivers the messages its sessions queued (DeliveryMode background),
    also those a Q line puts in a queue group's directory. SIGTERM, SIGINT:
    the sessions end, EX_OK. SIGHUP (the daemon restarts): it retires, as
    Sendmail's children go on with their sessions while the daemon runs
    itself again: it stops accepting (the listening sockets stay open for
    the new workers), lets its sessions finish (up to RETIRE_LIMIT) and
    returns _RESTART.
    """
    # the parent removed what a killed daemon left; a worker must not touch the
    # files that its siblings are writing
    sink = open_sink(queue_dir, runtime, cleanup=False)
    server = SmtpServer(runtime.policy, sink, chosen, resolve=client_resolver(runtime),
                        admission=admission)
    runner = make_runner(runtime, sink.queue)
    # the queue groups' own directories (Q lines): their runners deliver what the
    # sessions queue there
    group_runners = make_runners(runtime, queue_groups(runtime.config, str(queue_dir))) \
        if runtime.config.queue_groups else []
    by_directory = {r.queue.directory: r for r in group_runners}

    def deliver_in_group(queue: FsQueue, qid: str) -> None:
        group_runner = by_directory.get(queue.directory)
        if group_runner is not None:
            group_runner.schedule(qid)

    if delivers_at_once(runtime):
        sink.on_commit = runner.schedule
        sink.on_group_commit = deliver_in_group
    try:
        return await _serve_sessions(server, sockets)
    finally:
        await _drain([runner, *group_runners])


def _signal_events() -> tuple[asyncio.Event, asyncio.Event]:
    """(stop, hup): set by SIGTERM or SIGINT, and by SIGHUP. The signals were blocked
    since before the bind (_daemon): one that came meanwhile is taken now, and the
    programs the deliveries start get the usual mask."""
    stop = asyncio.Event()
    hup = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.add_signal_handler(signal.SIGHUP, hup.set)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
    return stop, hup


async def _drain(runners: Sequence[QueueRunner]) -> None:
    """Let the deliveries under way finish, RESTART_GRACE seconds at most; what is still
    out stays queued for the next run."""
    try:
        await asyncio.wait_for(asyncio.gather(*(r.drain() for r in runners)), RESTART_GRACE)
    except TimeoutError:
        log.warning("deliveries still running after %.0f s; left for the next queue run",
                    RESTART_GRACE)
    except Exception:
        log.exception("closing the delivery agents")


async def _serve_sessions(server: SmtpServer, sockets: list[socket.socket]) -> int:
    stop, hup = _signal_events()
    await server.start(sockets)
    serving = asyncio.create_task(server.serve_forever())
    waiters = {asyncio.create_task(stop.wait()), asyncio.create_task(hup.wait())}
    await asyncio.wait({*waiters, serving}, return_when=asyncio.FIRST_COMPLETED)
    for waiter in waiters:
        waiter.cancel()
    if hup.is_set() and not stop.is_set():
        retiring = asyncio.create_task(server.retire(RETIRE_LIMIT))
        stopping = asyncio.create_task(stop.wait())  # a SIGTERM still cuts it short
        await asyncio.wait({retiring, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not stop.is_set():
            serving.cancel()
            return _RESTART
        retiring.cancel()
    await server.close()
    serving.cancel()
    return int(ExitCode.EX_OK)


def _can_restart(reload: Callable[[], Runtime], chosen: list[Listener]) -> bool:
    """SIGHUP: does the .cf load as the restarted daemon will load it, and can it bind?"""
    try:
        fresh = reload()
    except ConfigError as exc:
        log.error("restart: %s; the running configuration stays", exc)
        return False
    except Exception:
        log.exception("restart: the configuration does not load; the running one stays")
        return False
    try:
        wanted = listeners(fresh.config.options.get("DaemonPortOptions", ""))
    except ValueError as exc:
        log.error("restart: %s; the running configuration stays", exc)
        return False
    if wanted == chosen:  # the same listeners: the restart keeps their sockets
        return True
    low = [listener.port for listener in (*chosen, *wanted) if listener.port < 1024]
    if low and os.geteuid() != 0:
        log.error("restart: port %d needs root, which this daemon has given up; "
                  "the running configuration stays", low[0])
        return False
    return True


def _die_with_parent(parent: int) -> None:
    """Linux prctl(PR_SET_PDEATHSIG, SIGTERM): a kill -9 of the daemon ends its workers.

    A parent that died before the prctl sends nothing: the worker then sees that
    it was adopted (by init or a subreaper) and ends at once.
    """
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGTERM), 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(0)


def _drop_privileges(run_as: str | None) -> None:
    """After binding: become RunAsUser (user[:group], names or numbers) when root."""
    if not run_as or os.geteuid() != 0:
        return
    # what the workers import on first use, while root can still read it
    preload(LATE_IMPORTS)
    target, problems = resolve_run_as(run_as)
    if target is None:
        log.error("RunAsUser %s: no such user", run_as)
        return
    for problem in problems:  # an unknown group: the user's own group is kept
        log.error("%s", problem)
    become(target)


def _detach() -> None:
    """Leave the terminal as Sendmail's -bd does: fork, new session, stdio to /dev/null.

    A daemon that leads its own session has done so already: SIGHUP runs it
    again in the same process, which keeps its pid (what the pid file and a
    service manager know it by).
    """
    if os.getsid(0) == os.getpid():
        return
    if os.fork() > 0:
        os._exit(0)
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
