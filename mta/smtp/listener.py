"""Listeners from DaemonPortOptions, as Sendmail's setdaemonoptions() reads them.

SYNOPSIS
    for listener in listeners(config.options.get("DaemonPortOptions", "")): ...
    listener.name, listener.addr, listener.port, listener.family, listener.modifiers
    sock = bind_listener(listener)              # bound, listening, non-blocking

DESCRIPTION
    Each DaemonPortOptions value ("Port=25, Addr=127.0.0.1, Name=MTA, M=E";
    the loader keeps one value a line) becomes a Listener. Keys are matched
    on their first letter, case-insensitively, as Sendmail does: Addr,
    Family (inet, inet6), Listen (the backlog), Modifiers (M=: a, b, c, E, f,
    h, r, s, u, A, C, O, S ...), Name, Port (a number or a service name),
    ReceiveSize, SendSize, children (MaxDaemonChildren per listener). Without
    any DaemonPortOptions Sendmail listens on port 25 of every address as
    "Daemon0".

DIAGNOSTICS
    ValueError for a port that is neither a number nor a known service; the
    caller reports it as Sendmail does ("invalid port number") and stops.

SEE ALSO
    mta.smtp.server, Sendmail op.me 5.6 (O DaemonPortOptions).
"""

from __future__ import annotations

import socket
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Listener:
    """One daemon socket: where it listens and how its sessions behave."""

    name: str
    addr: str
    port: int
    family: str = "inet"
    modifiers: str = ""
    backlog: int = 100

    def has(self, modifier: str) -> bool:
        """Does M= include the modifier letter?"""
        return modifier in self.modifiers


def parse_listener(text: str, index: int) -> Listener:
    """One DaemonPortOptions value -> Listener (Name defaults to Daemon<index>)."""
    name = f"Daemon{index}"
    addr = ""
    port = 25
    family = "inet"
    modifiers = ""
    backlog = 100
    for item in text.split(","):
        key, eq, value = item.strip().partition("=")
        if not eq or not key:
            continue
        value = value.strip()
        k = key.strip()[:1].lower()
        if k == "a":
            addr = value
        elif k == "f":
            family = value.lower()
        elif k == "l" and value.isdigit():
            backlog = int(value)
        elif k == "m":
            modifiers += value
        elif k == "n":
            name = value
        elif k == "p":
            port = _port(value)
    if not addr:
        addr = "::" if family == "inet6" else "0.0.0.0"
    return Listener(name, addr, port, family, modifiers, backlog)


def listeners(option: str) -> list[Listener]:
    """All the listeners of a DaemonPortOptions value (one setting a line)."""
    lines = [line for line in option.split("\n") if line.strip()]
    if not lines:
        return [parse_listener("", 0)]
    return [parse_listener(line, i) for i, line in enumerate(lines)]


def _port(value: str) -> int:
    if value.isdigit():
        return int(value)
    try:
        return socket.getservbyname(value, "tcp")
    except OSError:
        raise ValueError(f"invalid port number: {value}") from None


def bind_listener(listener: Listener, *, reuse_port: bool = False,
                  listen: bool = True) -> socket.socket:
    """The listening socket of a DaemonPortOptions entry, non-blocking (listen=False:
    bound only, to see whether the address is free)."""
    family = socket.AF_INET6 if listener.family == "inet6" else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port and hasattr(socket, "SO_REUSEPORT"):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((listener.addr, listener.port))
        if listen:
            sock.listen(listener.backlog)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock
