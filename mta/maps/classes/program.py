"""program and socket maps: ask another process for the value.

SYNOPSIS
    Kprog program /usr/local/bin/lookup -x       # runs "/usr/local/bin/lookup -x KEY"
    Ksock socket -T<TMPF> unix:/var/run/sockmap  # or inet:8888@127.0.0.1
    netstring(b"access key") -> b"10:access key,"

DESCRIPTION
    program (Sendmail's prog_map_lookup): runs the file with the rest words and
    the key as arguments (argv, never a shell), stdin from /dev/null; the first
    line of its output is the value. A non-zero exit status or no output is
    "not found"; a program that cannot be run, or runs longer than 60 seconds,
    is a temporary failure.

    socket (the sockmap protocol of Sendmail 8.13+): a request is the netstring
    "MAPNAME KEY" and the reply the netstring "STATUS [value]" with STATUS OK,
    NOTFOUND, TEMP, TIMEOUT or PERM. The map connects when it opens, as
    Sendmail's does: a unix socket that does not exist is reported ("local
    socket name PATH unsafe: ERROR"), a server that refuses is not, and the
    map TEMPFAILs from then on. An open connection is kept, and made again
    after an error. Timeouts, malformed replies, TEMP and TIMEOUT are
    TEMPFAIL; PERM is NOT_FOUND with a message.

DIAGNOSTICS
    ConfigError for a socket spec that is neither unix:PATH nor inet:PORT@HOST
    (also inet6:). Lookups never raise.

SEE ALSO
    mta.maps.base, Sendmail op.me 5.10 ("socket" map), the netstring format
    (cr.yp.to/proto/netstrings.txt).
"""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Sequence

from mta.config.model import MapDecl
from mta.core.errors import ConfigError
from mta.maps.args import MapOptions
from mta.maps.base import (
    NOT_FOUND,
    TEMPFAIL,
    LookupContext,
    LookupResult,
    LookupStatus,
    MapClass,
    MapFlag,
    MapOpenError,
)
from mta.maps.registry import map_class

PROGRAM_TIMEOUT = 60.0
SOCKET_TIMEOUT = 10.0
_MAX_REPLY = 100_000


@map_class
class ProgramMap(MapClass):
    """The first output line of a program run with the key."""

    name = "program"
    flags = MapFlag.NOT_PERSISTENT

    def fetch(self, key: str, args: Sequence[str], ctx: LookupContext) -> LookupResult:
        """Run the program; exit 0 with output = FOUND."""
        argv = [self.options.file or "", *self.options.rest, key]
        try:
            proc = subprocess.run(
                argv,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=PROGRAM_TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as err:
            ctx.message(f'program map "{self.decl.name}": {err}')
            return TEMPFAIL
        if proc.returncode != 0:
            # Sendmail reports a non-zero exit status (-bt /map shows it)
            code = proc.returncode if proc.returncode > 0 else None
            return LookupResult(LookupStatus.NOT_FOUND, code=code)
        if not proc.stdout:
            return NOT_FOUND
        line = proc.stdout.decode("utf-8", "replace").split("\n", 1)[0]
        return self.table_result(key, line, args)


def netstring(payload: bytes) -> bytes:
    """Encode payload as a netstring."""
    return str(len(payload)).encode() + b":" + payload + b","


def read_netstring(sock: socket.socket) -> bytes:
    """Read one netstring from sock.

    Raises:
        ValueError: malformed or too long.
        OSError: connection trouble (including timeouts).
    """
    digits = b""
    while True:
        c = sock.recv(1)
        if not c:
            raise ValueError("connection closed")
        if c == b":":
            break
        if not c.isdigit() or len(digits) > 9:
            raise ValueError("bad netstring length")
        digits += c
    length = int(digits or b"x")
    if length > _MAX_REPLY:
        raise ValueError("netstring too long")
    data = b""
    while len(data) < length + 1:
        chunk = sock.recv(length + 1 - len(data))
        if not chunk:
            raise ValueError("connection closed")
        data += chunk
    if data[-1:] != b",":
        raise ValueError("missing netstring comma")
    return data[:-1]


@map_class
class SocketMap(MapClass):
    """A sockmap server over a unix or inet socket."""

    name = "socket"

    def parse(self, decl: MapDecl) -> MapOptions:
        """Check the socket spec."""
        options = self.parse_options(decl)
        spec = options.file or ""
        kind, _, where = spec.partition(":")
        self._family: socket.AddressFamily
        self._address: str | tuple[str, int]
        try:
            if kind == "unix" or kind == "local":
                self._family, self._address = socket.AF_UNIX, where
            elif kind in ("inet", "inet6"):
                port, _, host = where.partition("@")
                self._family = socket.AF_INET6 if kind == "inet6" else socket.AF_INET
                self._address = (host or "127.0.0.1", int(port))
            else:
                raise ValueError(spec)
        except ValueError:
            raise ConfigError(
                f"socket map {decl.name}: bad socket spec {spec}", decl.location
            ) from None
        self._sock: socket.socket | None = None
        return options

    def open(self) -> None:
        """socket_map_open(): connect now; traces as Sendmail's.

        A unix socket that does not exist is "local socket name PATH unsafe:
        ERROR" (printed); a server that cannot be reached fails quietly. Either
        way lookups TEMPFAIL. After a broken connection, a lookup connects again.
        """
        self.env.dprint(f"socket_map_open({self.decl.name}, {self.options.file}, 0)")
        self.env.dprint("opening new connection")
        if isinstance(self._address, str):
            try:
                os.stat(self._address)
            except OSError as err:
                raise MapOpenError(
                    f"local socket name {self._address} unsafe: {err.strerror}") from None
        try:
            self._connect()
        except OSError as err:
            raise MapOpenError(f"{self.options.file}: {err.strerror}", quiet=True) from None

    def _connect(self) -> socket.socket:
        if self._sock is None:
            sock = socket.socket(self._family, socket.SOCK_STREAM)
            sock.settimeout(SOCKET_TIMEOUT)
            try:
                sock.connect(self._address)
            except OSError:
                sock.close()
                raise
            self._sock = sock
        return self._sock

    def close(self) -> None:
        """Close the connection."""
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def fetch(self, key: str, args: Sequence[str], ctx: LookupContext) -> LookupResult:
        """Send "MAPNAME KEY", read "STATUS value"."""
        request = netstring(f"{self.decl.name} {key}".encode())
        try:
            sock = self._connect()
            sock.sendall(request)
            reply = read_netstring(sock).decode("utf-8", "replace")
        except (OSError, ValueError) as err:
            self.close()
            ctx.message(f'socket map "{self.decl.name}": {err}')
            return TEMPFAIL
        status, _, value = reply.partition(" ")
        if status == "OK":
            return self.table_result(key, value, args)
        if status == "NOTFOUND":
            return NOT_FOUND
        if status in ("TEMP", "TIMEOUT"):
            return TEMPFAIL
        ctx.message(f'socket map "{self.decl.name}": server replied {reply!r}')
        return LookupResult(LookupStatus.NOT_FOUND)
