"""The SMTP listeners: one asyncio server per DaemonPortOptions entry, and -bs on stdin.

SYNOPSIS
    server = SmtpServer(policy, sink, listeners(config.options.get("DaemonPortOptions", "")),
                        resolve=resolve)             # async: address -> (name, client_resolve)
    await server.start(); await server.serve_forever()
    await serve_stdio(policy, sink, listener, resolve=resolve)      # sendmail -bs

DESCRIPTION
    Each connection gets a Session (mta.smtp.session) over a Channel
    (mta.smtp.channel), the connection's protocol. Before the greeting
    the client's address is turned into a name by the resolve function the
    caller gives (the daemon's: a reverse lookup, then a forward lookup of
    that name, which must lead back to the address; see
    mta.maps.classes.host.client_identity). {client_resolve} is OK when it
    does, FORGED when the name does not lead back, FAIL when the address has
    no name (then {client_name} is "[address]"), TEMP when the resolver could
    not answer.

    MaxDaemonChildren limits the sessions that run at the same time: a
    connection over the limit is told "421 4.3.2 Too many open connections"
    and closed. ConnectionRateThrottle delays sessions beyond that many a
    second to the next second, as Sendmail delays its accept(). Both count
    for the whole daemon, over all its worker processes (Admission).

    The load average (mta.util.loadavg) is looked at as Sendmail does: at
    or over RefuseLA (default 12 per processor) the server stops listening,
    so that clients are refused at once, logs "rejecting connections on
    daemon NAME: load average: N" (again every RejectLogInterval while it
    lasts), and listens again once the load has stayed under it for 15
    seconds ("accepting connections again for daemon NAME"); at or over
    DelayLA each new session waits a second before its greeting (and each
    command a second, in mta.smtp.session).

    -bs runs the same session over standard input and output; when standard
    input is a TCP socket (inetd) the client's address is its peer.

DIAGNOSTICS
    OSError from start() when a listener cannot bind (the caller reports it).

SEE ALSO
    mta.smtp.session, mta.smtp.listener, mta.app.daemon.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import socket
import sys
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any

from mta.core.reply import Reply
from mta.rules.check import Policy
from mta.smtp.channel import Channel
from mta.smtp.listener import Listener, bind_listener
from mta.smtp.session import MessageSink, Session, SessionContext, build_context, serve
from mta.util import loadavg
from mta.util.timespec import TimeUnit, convtime

log = logging.getLogger(__name__)


# The client's name and ${client_resolve} (OK, FORGED, FAIL or TEMP) for its address:
# given by the composition root (mta.app.daemon: mta.maps.classes.host.client_identity)
ClientResolver = Callable[[str], Awaitable[tuple[str | None, str]]]


REFUSE_SECONDS = 15.0  # RefuseLA: how long Sendmail keeps its socket closed, at least

CLIENT_SLOTS = 1024  # clients whose connection rate and open connections are kept
_CLIENT_FIELDS = 5  # key, open connections, window start, count in it, count in the one before


class Admission:
    """The daemon-wide counts: MaxDaemonChildren, ConnectionRateThrottle and the client macros.

    Made before the workers fork, with one slot per worker: the counts live
    in shared memory under one lock, so the limits hold for the daemon as
    they do for Sendmail's single parent, not for each worker. Where shared
    memory cannot be had, the counts are the process's own.

    It also keeps, per client address, what Sendmail puts in
    ${client_connections} (its open connections, this one included) and
    ${client_rate} (its connections within ConnectionRateWindowSize), and
    ${total_rate} for all clients; FEATURE(conncontrol) and
    FEATURE(ratecontrol) compare them with the access map's limits. The rate
    is counted in windows of that size, the one before weighed by how much
    of it still lies within the last window's length (as a sliding window
    would count it); up to CLIENT_SLOTS clients are kept, and a client not
    seen for two windows without an open connection gives up its slot.

    Args:
        max_children: MaxDaemonChildren (0: no limit).
        rate_limit: ConnectionRateThrottle, new sessions a second (0: none).
        workers: how many workers share it.
        window: ConnectionRateWindowSize in seconds.
    """

    def __init__(self, max_children: int = 0, rate_limit: int = 0, workers: int = 1,
                 window: int = 60) -> None:
        self.max_children = max_children
        self.rate_limit = rate_limit
        self.window = max(1, window)
        self.slot = 0  # this worker's: set by the daemon after fork (use())
        # rate second, rate count, total window start, its count, the one before;
        # then active sessions per worker; then the client table
        self._clients = 5 + max(1, workers)
        size = self._clients + CLIENT_SLOTS * _CLIENT_FIELDS
        self._lock: Any = contextlib.nullcontext()
        self._counts: Any = [0] * size
        if workers > 1:
            try:
                import multiprocessing

                shared = multiprocessing.Array("q", size)
                self._lock, self._counts = shared.get_lock(), shared
            except (OSError, ImportError) as exc:  # e.g. no /dev/shm: say what that means
                log.warning("no shared memory for the daemon's counts (%s): "
                            "MaxDaemonChildren, ConnectionRateThrottle and the client "
                            "rates count per worker", exc)

    def use(self, slot: int) -> None:
        """In a worker after fork: count its sessions in slot (0 .. workers - 1)."""
        self.slot = slot

    def enter(self) -> bool:
        """A new session may start (and is counted), or the daemon has MaxDaemonChildren."""
        with self._lock:
            counts = self._counts
            if self.max_children > 0 and sum(counts[5:self._clients]) >= self.max_children:
                return False
            counts[5 + self.slot] += 1
            return True

    def leave(self) -> None:
        with self._lock:
            self._counts[5 + self.slot] -= 1

    def connect(self, address: str, now: float) -> tuple[int, int, int]:
        """Count a new connection of address: its (client_rate, total_rate, client_connections)."""
        key = _client_key(address)
        second = int(now)
        with self._lock:
            counts = self._counts
            total = self._count(counts, 2, second)
            base = self._find(counts, key, second)
            if base < 0:  # the table is full of live clients: count the total only
                return 1, total, 1
            counts[base + 1] += 1
            return self._count(counts, base + 2, second), total, counts[base + 1]

    def disconnect(self, address: str) -> None:
        """The connection counted by connect() has ended."""
        key = _client_key(address)
        with self._lock:
            counts = self._counts
            for i in self._probe(key):
                base = self._clients + (i % CLIENT_SLOTS) * _CLIENT_FIELDS
                if counts[base] == key:
                    if counts[base + 1] > 0:
                        counts[base + 1] -= 1
                    return
                if counts[base] == 0:
                    return

    def _probe(self, key: int) -> range:
        start = key % CLIENT_SLOTS
        return range(start, start + CLIENT_SLOTS)

    def _find(self, counts: Any, key: int, second: int) -> int:
        """The table index of key's fields: found, or a free or stale slot taken for it."""
        free = -1
        for i in self._probe(key):
            base = self._clients + (i % CLIENT_SLOTS) * _CLIENT_FIELDS
            if counts[base] == key:
                return base
            stale = counts[base + 1] <= 0 and second - counts[base + 2] >= 2 * self.window
            if free < 0 and (counts[base] == 0 or stale):
                free = base
            if counts[base] == 0:
                break
        if free >= 0:
            counts[free:free + _CLIENT_FIELDS] = [key, 0, second, 0, 0]
        return free

    def _count(self, counts: Any, at: int, second: int) -> int:
        """Add one to the window counter at counts[at:at+3]; the rate over the last window."""
        window = self.window
        start, current, before = counts[at], counts[at + 1], counts[at + 2]
        elapsed = second - start
        if elapsed >= window:
            periods = elapsed // window
            before = current if periods == 1 else 0
            start += periods * window
            current = 0
            elapsed = second - start
        current += 1
        counts[at], counts[at + 1], counts[at + 2] = start, current, before
        return int(current + (before * (window - elapsed)) // window)

    def rate_delay(self, now: float) -> float:
        """Seconds to wait before a new session may start (ConnectionRateThrottle)."""
        limit = self.rate_limit
        if limit <= 0:
            return 0.0
        second = int(now)
        with self._lock:
            counts = self._counts
            if counts[0] != second:
                counts[0], counts[1] = second, 0
            if counts[1] < limit:
                counts[1] += 1
                return 0.0
        return second + 1 - now


class SmtpServer:
    """All the daemon's listeners, sharing one Policy and one message sink.

    It owns the listening sockets it is given (or binds): while the load
    average is at or over RefuseLA it stops listening on them (shutdown(),
    so that clients are refused at once, as when Sendmail closes its
    socket), and listens again, without binding anew, once the load has
    been below it for REFUSE_SECONDS.
    """

    def __init__(self, policy: Policy, sink: MessageSink, listeners: list[Listener], *,
                 resolve: ClientResolver, admission: Admission | None = None) -> None:
        self.policy = policy
        self.resolve = resolve
        self.sink = sink
        self.listeners = listeners
        options = policy.engine.config.options
        self.admission = admission or admission_from(options)
        self.refuse_la = loadavg.refuse_la_of(options)
        self.delay_la = loadavg.delay_la_of(options)
        interval = options.get("RejectLogInterval")
        self.reject_log_interval = float(convtime(interval, TimeUnit.HOURS)) if interval \
            else 3 * 3600.0
        self.load = loadavg.LoadWatch()
        self.servers: list[asyncio.base_events.Server] = []  # none while refusing
        self.sockets: list[socket.socket] = []  # the listening sockets, one per listener
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed: asyncio.Event | None = None
        self._watcher: asyncio.Task[None] | None = None
        # built once per listener: the TLS context, the greeting, the limits
        self._contexts: dict[str, SessionContext] = {}

    async def start(self, sockets: list[socket.socket] | None = None) -> None:
        """Listen: on sockets bound already (one per listener, in order), or bind now.

        Raises:
            OSError: a listener cannot bind.
        """
        self._closed = asyncio.Event()
        if sockets is None:
            sockets = []
            try:
                for listener in self.listeners:
                    sockets.append(bind_listener(listener))
            except OSError:
                for sock in sockets:
                    sock.close()
                raise
        self.sockets = list(sockets)
        load = self.load.current() if self.refuse_la > 0 else -1
        if self.refuse_la > 0 and load >= self.refuse_la:
            self._refuse(load)
        else:
            await self._listen()
        if self.refuse_la > 0:
            self._watcher = asyncio.create_task(self._watch_load())

    async def _listen(self) -> None:
        """Serve every listening socket (again): create_server's listen() undoes a
        shutdown() without a new bind."""
        loop = asyncio.get_running_loop()
        for listener, sock in zip(self.listeners, self.sockets, strict=True):

            async def handle(channel: Channel, listener: Listener = listener) -> None:
                task = asyncio.current_task()
                if task is not None:
                    self._tasks.add(task)
                try:
                    await self._session(channel, listener)
                finally:
                    if task is not None:
                        self._tasks.discard(task)

            def factory(handle: Callable[[Channel], Coroutine[Any, Any, None]] = handle
                        ) -> Channel:
                return Channel(handle)

            # the server gets its own descriptor: closing it leaves ours to listen on
            server = await loop.create_server(factory, sock=sock.dup(),
                                              backlog=listener.backlog)
            self.servers.append(server)

    def _unlisten(self) -> None:
        """Stop accepting: connections that come are refused, not left waiting."""
        for server in self.servers:
            server.close()
        self.servers = []
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _refuse(self, load: int) -> None:
        self._unlisten()
        for listener in self.listeners:
            log.info("rejecting connections on daemon %s: load average: %d", listener.name,
                     load)

    async def _watch_load(self) -> None:
        """RefuseLA, looked at every second: stop listening while the load average is at
        or over it; listen again once it has been under it for REFUSE_SECONDS."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        refuse_until = now + REFUSE_SECONDS if not self.servers else 0.0
        logged = now
        while True:
            await asyncio.sleep(1.0)
            load = self.load.current()
            now = loop.time()
            if load >= self.refuse_la:
                if self.servers:
                    self._refuse(load)
                    logged = now
                elif now - logged >= self.reject_log_interval:
                    for listener in self.listeners:
                        log.info("still rejecting connections on daemon %s: load average: "
                                 "%d", listener.name, load)
                    logged = now
                refuse_until = now + REFUSE_SECONDS
            elif not self.servers and now >= refuse_until:
                try:
                    await self._listen()
                except OSError as exc:  # the port was taken while we did not listen
                    self._unlisten()
                    log.error("cannot listen again: %s", exc.strerror or exc)
                    refuse_until = now + REFUSE_SECONDS
                    continue
                for listener in self.listeners:
                    log.info("accepting connections again for daemon %s", listener.name)

    async def _session(self, channel: Channel, listener: Listener) -> None:
        peer = channel.get_extra_info("peername")
        local = channel.get_extra_info("sockname")
        ctx = self._contexts.get(listener.name)
        if ctx is None:
            ctx = self._contexts[listener.name] = build_context(self.policy, self.sink, listener)
        await self._throttle()
        try:
            admission = self.admission
            if not admission.enter():
                for line in Reply(421, "4.3.2", "Too many open connections").wire_lines():
                    channel.write(line.encode() + b"\r\n")
                await channel.drain()
                return
            try:
                rates = admission.connect(peer[0], asyncio.get_running_loop().time())
                name, resolved = await self.resolve(peer[0])
                session = Session(ctx, peer=(peer[0], peer[1]), local=(local[0], local[1]),
                                  client_name=name, client_resolve=resolved, rates=rates)
                await serve(session, channel, channel)
            finally:
                admission.disconnect(peer[0])
                admission.leave()
        except Exception:
            log.exception("session with %s failed", peer)
        finally:
            with contextlib.suppress(Exception):
                channel.close()
                await channel.wait_closed()

    async def _throttle(self) -> None:
        """ConnectionRateThrottle: at most that many new sessions a second (daemon-wide);
        DelayLA: a second's wait before the greeting while the load is that high."""
        loop = asyncio.get_running_loop()
        while True:
            delay = self.admission.rate_delay(loop.time())
            if delay <= 0:
                break
            await asyncio.sleep(delay)
        if self.delay_la > 0 and self.load.current() >= self.delay_la:
            await asyncio.sleep(1.0)

    async def close(self) -> None:
        """Stop listening and end the sessions that are still running."""
        if self._watcher is not None:
            self._watcher.cancel()
            self._watcher = None
        self._unlisten()
        for sock in self.sockets:
            sock.close()
        self.sockets = []
        for task in list(self._tasks):
            task.cancel()
        if self._closed is not None:
            self._closed.set()

    async def retire(self, limit: float) -> None:
        """Stop accepting and let the sessions finish (up to limit seconds), leaving the
        listening sockets as they are for whoever else holds them (the next image of a
        restarting daemon): only our descriptors of them are closed."""
        if self._watcher is not None:
            self._watcher.cancel()
            self._watcher = None
        for server in self.servers:
            server.close()
        self.servers = []
        for sock in self.sockets:
            sock.close()
        self.sockets = []
        tasks = list(self._tasks)
        if tasks:
            await asyncio.wait(tasks, timeout=limit)
        await self.close()

    async def serve_forever(self) -> None:
        """Until close(): the listeners accept on their own once started."""
        if self._closed is None:
            raise RuntimeError("serve_forever() before start()")
        await self._closed.wait()


def admission_from(options: Mapping[str, str], workers: int = 1) -> Admission:
    """The Admission of a configuration's MaxDaemonChildren, ConnectionRateThrottle and
    ConnectionRateWindowSize."""
    def number(name: str) -> int:
        try:
            return max(0, int(options.get(name) or 0))
        except ValueError:
            return 0

    window = options.get("ConnectionRateWindowSize")
    seconds = convtime(window, TimeUnit.SECONDS) if window else 60
    return Admission(number("MaxDaemonChildren"), number("ConnectionRateThrottle"), workers,
                     seconds if seconds > 0 else 60)


def _client_key(address: str) -> int:
    """A client address as a non-zero 63-bit number (the table's key)."""
    digest = hashlib.blake2b(address.encode(), digest_size=8).digest()
    return (int.from_bytes(digest, "big") >> 1) or 1


async def serve_stdio(policy: Policy, sink: MessageSink, listener: Listener, *,
                      resolve: ClientResolver) -> None:
    """sendmail -bs: one session on standard input and output."""
    loop = asyncio.get_running_loop()
    peer: tuple[str, int] | None = None
    local: tuple[str, int] | None = None
    try:
        sock = socket.socket(fileno=sys.stdin.fileno())
        try:
            p = sock.getpeername()
            if isinstance(p, tuple):
                peer, local = (p[0], p[1]), sock.getsockname()[:2]
        finally:
            sock.detach()
    except OSError:
        pass
    reader = asyncio.StreamReader(limit=1 << 20)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin.buffer)
    out = sys.stdout.buffer

    def write(data: bytes) -> None:
        out.write(data)
        out.flush()

    ctx = build_context(policy, sink, listener)
    name, resolved = (None, "OK")
    if peer is not None:
        name, resolved = await resolve(peer[0])
    session = Session(ctx, peer=peer, local=local, client_name=name, client_resolve=resolved)
    await serve(session, reader, None, write)
