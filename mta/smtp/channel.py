"""One client connection's bytes, straight from the transport: the daemon's reader and writer.

SYNOPSIS
    server = await loop.create_server(lambda: Channel(handler), sock=sock)
    async def handler(channel): data = await channel.read(); channel.write(b"250 OK\r\n")

DESCRIPTION
    asyncio's StreamReader and StreamWriter cost more than the rest of an
    SMTP command's handling in a busy daemon: every read allocates a 256 KiB
    buffer for recv() and shrinks it, and goes through layers of checks. A
    Channel is the protocol of the connection itself (a BufferedProtocol:
    recv_into one buffer that the connections of a thread share) and offers the few calls that
    mta.smtp.session.serve makes of a reader and a writer: read(), write(),
    drain(), start_tls(), get_extra_info(), close() and wait_closed().

    Input is kept as received until the session reads it; past READ_LIMIT
    bytes the transport stops reading until the session catches up. After the
    client's end of input (a half-close), replies can still be written; the
    session closes the connection. start_tls() drops whatever plaintext came
    after the STARTTLS command (RFC 3207: it must not be used).

    The handler runs as a task started when the connection is made; the
    Channel knows nothing of SMTP.

DIAGNOSTICS
    read() returns b"" at the end of input or after the connection is lost;
    drain() raises ConnectionResetError once it is lost.

SEE ALSO
    mta.smtp.server (the listeners), mta.smtp.session (serve).
"""

from __future__ import annotations

import asyncio
import ssl
import threading
from collections.abc import Callable, Coroutine
from typing import Any

READ_LIMIT = 1 << 20  # bytes kept unread before the transport stops reading
_BUFFER_SIZE = 1 << 16
# One receive buffer per thread (per event loop) for all its connections: what
# recv_into() puts there is copied out in the same callback, and a buffer per
# connection would cost 64 KiB of memory for each idle client.
_LOCAL = threading.local()


def _receive_buffer() -> memoryview:
    view: memoryview | None = getattr(_LOCAL, "view", None)
    if view is None:
        view = _LOCAL.view = memoryview(bytearray(_BUFFER_SIZE))
    return view


class Channel(asyncio.BufferedProtocol):
    """A connection as a reader and a writer for one session task."""

    def __init__(self, handler: Callable[[Channel], Coroutine[Any, Any, None]]) -> None:
        self._handler = handler
        self._loop = asyncio.get_running_loop()
        self._view = _receive_buffer()
        self._chunks: list[bytes] = []
        self._pending = 0  # bytes in _chunks
        self._eof = False
        self._lost = False
        self._paused_reading = False
        self._paused_writing = False
        self._waiter: asyncio.Future[None] | None = None  # read() waiting for input
        self._drainer: asyncio.Future[None] | None = None  # drain() waiting for room
        self._closed: asyncio.Future[None] = self._loop.create_future()
        self.transport: asyncio.Transport | None = None
        self.task: asyncio.Task[None] | None = None

    # --- protocol callbacks --------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.task = self._loop.create_task(self._handler(self))

    def get_buffer(self, sizehint: int) -> memoryview:
        return self._view

    def buffer_updated(self, nbytes: int) -> None:
        self._received(bytes(self._view[:nbytes]))

    def data_received(self, data: bytes) -> None:  # transports without buffered reads
        self._received(data)

    def _received(self, data: bytes) -> None:
        self._chunks.append(data)
        self._pending += len(data)
        if self._pending > READ_LIMIT and not self._paused_reading and self.transport:
            self._paused_reading = True
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool:
        self._eof = True
        self._wake()
        return True  # keep the transport open: the replies still go out

    def connection_lost(self, exc: Exception | None) -> None:
        self._eof = self._lost = True
        self._wake()
        drainer = self._drainer
        if drainer is not None and not drainer.done():
            drainer.set_exception(ConnectionResetError("connection lost"))
        if not self._closed.done():
            self._closed.set_result(None)

    def pause_writing(self) -> None:
        self._paused_writing = True

    def resume_writing(self) -> None:
        self._paused_writing = False
        drainer = self._drainer
        if drainer is not None and not drainer.done():
            drainer.set_result(None)

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # --- what the session calls ----------------------------------------------

    async def read(self, n: int = -1) -> bytes:
        """What has come since the last read (all of it; n is ignored), b"" at the end."""
        while not self._chunks:
            if self._eof:
                return b""
            self._waiter = self._loop.create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        chunks = self._chunks
        data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        self._chunks = []
        self._pending = 0
        if self._paused_reading and self.transport is not None:
            self._paused_reading = False
            self.transport.resume_reading()
        return data

    def write(self, data: bytes) -> None:
        if not self._lost and self.transport is not None:
            self.transport.write(data)

    async def drain(self) -> None:
        """Wait while the transport's write buffer is over its high-water mark."""
        if self._lost:
            raise ConnectionResetError("connection lost")
        if self._paused_writing:
            self._drainer = self._loop.create_future()
            try:
                await self._drainer
            finally:
                self._drainer = None

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self.transport.get_extra_info(name, default) if self.transport else default

    async def start_tls(self, context: ssl.SSLContext) -> None:
        """Switch to TLS as the server; plaintext sent behind STARTTLS is dropped."""
        assert self.transport is not None
        self._chunks = []
        self._pending = 0
        transport = await self._loop.start_tls(self.transport, self, context, server_side=True)
        if transport is None:
            raise ConnectionResetError("connection lost during the TLS handshake")
        self.transport = transport
        self._chunks = []
        self._pending = 0

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    async def wait_closed(self) -> None:
        await self._closed
