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
    per worker process.

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
import logging
import socket
import sys
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from mta.core.reply import Reply
from mta.rules.check import Policy
from mta.smtp.channel import Channel
from mta.smtp.listener import Listener
from mta.smtp.session import MessageSink, Session, SessionContext, build_context, serve

log = logging.getLogger(__name__)


# The client's name and ${client_resolve} (OK, FORGED, FAIL or TEMP) for its address:
# given by the composition root (mta.app.daemon: mta.maps.classes.host.client_identity)
ClientResolver = Callable[[str], Awaitable[tuple[str | None, str]]]


class SmtpServer:
    """All the daemon's listeners, sharing one Policy and one message sink."""

    def __init__(self, policy: Policy, sink: MessageSink, listeners: list[Listener], *,
                 resolve: ClientResolver, max_children: int = 0) -> None:
        self.policy = policy
        self.resolve = resolve
        self.sink = sink
        self.listeners = listeners
        self.max_children = max_children
        self.active = 0
        self.servers: list[asyncio.base_events.Server] = []
        self._tasks: set[asyncio.Task[None]] = set()
        # built once per listener: the TLS context, the greeting, the limits
        self._contexts: dict[str, SessionContext] = {}
        options = policy.engine.config.options
        try:
            self.rate_limit = int(options.get("ConnectionRateThrottle") or 0)
        except ValueError:
            self.rate_limit = 0
        self._rate_second = -1
        self._rate_count = 0

    async def start(self, sockets: list[socket.socket] | None = None) -> None:
        """Listen: on sockets bound already (one per listener, in order), or bind now.

        Raises:
            OSError: a listener cannot bind.
        """
        loop = asyncio.get_running_loop()
        for i, listener in enumerate(self.listeners):
            family = socket.AF_INET6 if listener.family == "inet6" else socket.AF_INET

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

            if sockets is not None:
                server = await loop.create_server(factory, sock=sockets[i],
                                                  backlog=listener.backlog)
            else:
                server = await loop.create_server(
                    factory, listener.addr, listener.port, family=family,
                    backlog=listener.backlog, reuse_address=True)
            self.servers.append(server)

    async def _session(self, channel: Channel, listener: Listener) -> None:
        peer = channel.get_extra_info("peername")
        local = channel.get_extra_info("sockname")
        ctx = self._contexts.get(listener.name)
        if ctx is None:
            ctx = self._contexts[listener.name] = build_context(self.policy, self.sink, listener)
        await self._throttle()
        try:
            if self.max_children and self.active >= self.max_children:
                for line in Reply(421, "4.3.2", "Too many open connections").wire_lines():
                    channel.write(line.encode() + b"\r\n")
                await channel.drain()
                return
            self.active += 1
            try:
                name, resolved = await self.resolve(peer[0])
                session = Session(ctx, peer=(peer[0], peer[1]), local=(local[0], local[1]),
                                  client_name=name, client_resolve=resolved)
                await serve(session, channel, channel)
            finally:
                self.active -= 1
        except Exception:
            log.exception("session with %s failed", peer)
        finally:
            with contextlib.suppress(Exception):
                channel.close()
                await channel.wait_closed()

    async def _throttle(self) -> None:
        """ConnectionRateThrottle: at most that many new sessions a second (per worker)."""
        limit = self.rate_limit
        if limit <= 0:
            return
        loop = asyncio.get_running_loop()
        while True:
            second = int(loop.time())
            if second != self._rate_second:
                self._rate_second, self._rate_count = second, 0
            if self._rate_count < limit:
                self._rate_count += 1
                return
            await asyncio.sleep(second + 1 - loop.time())

    async def close(self) -> None:
        """Stop listening and end the sessions that are still running."""
        for server in self.servers:
            server.close()
        for server in self.servers:
            await server.wait_closed()
        for task in list(self._tasks):
            task.cancel()

    async def drain(self, timeout: float) -> None:
        """Stop listening, give the running sessions up to timeout seconds, end the rest."""
        for server in self.servers:
            server.close()
        tasks = list(self._tasks)
        if tasks:
            await asyncio.wait(tasks, timeout=timeout)
        await self.close()

    async def serve_forever(self) -> None:
        await asyncio.gather(*(s.serve_forever() for s in self.servers))


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
