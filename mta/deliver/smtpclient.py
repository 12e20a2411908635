"""Send a message to a remote host over SMTP: the client side of Sendmail's [IPC] mailers.

SYNOPSIS
    dests = await resolve_destinations("example.com", env, local_domain="my.test")
    message = OutboundMessage("a@my.test", (OutboundRecipient("b@example.com"),), data)
    report = await deliver_message(dests, message, ClientOptions("my.test"), cache)
    for result in report.results: log(result.recipient.address, result.reply, result.relay)
    cache = ConnectionCache(size=2, timeout=300.0); ...; await cache.aclose()

DESCRIPTION
    resolve_destinations() is Sendmail's hostsignature() plus the address
    lookups of makeconnection(): the host part ($@) of the mailer triple is
    split at colons outside brackets (as a mailertable "mx1:mx2" gives); each
    element that is not bracketed gets its MX hosts in preference order
    (mta.maps.classes.host.getmxrr in a thread; ties keep the name server's
    order), or is its own host when it has none; "[name]" skips the MX lookup,
    "[192.0.2.1]" and "[IPv6:2001:db8::1]" are addresses. Each host name is
    turned into addresses by the methods of the C library's "hosts" line
    (nss_host_methods: /etc/hosts, or MapEnv.hosts_file, before or after DNS),
    A records before AAAA. The result is the (host, address, port) list to try
    in order, or, when nothing can be tried, a failure: 4.4.3 "Deferred: Name
    server: HOST: host name lookup failure" when a name server could not answer,
    else 5.1.2 "Host unknown (Name server: HOST: host not found)".

    deliver_message() follows deliver.c and usersmtp.c. Destinations are tried
    in order until every recipient has a final answer. A connection failure,
    a greeting, EHLO/HELO or STARTTLS-time failure, a 4xx to MAIL, a 4xx to
    DATA or to the final dot, a timeout, a dropped connection and a malformed
    reply (4.5.0) all move the recipients still pending to the next
    destination; the reason is kept, and when no destination is left the
    pending recipients get the last reason. Sendmail's texts are used for
    failures that are not server replies: "Deferred: Connection refused by
    HOST" (4.4.1), "Deferred: Connection timed out with HOST" (4.4.1),
    "Deferred: Connection reset by HOST" (4.4.2), "Deferred: timeout waiting
    for input from HOST during client PHASE" (4.4.2).

    The dialogue: the greeting; EHLO when the mailer has F=a (always_esmtp) or
    the greeting says ESMTP, HELO when it does not or EHLO gets a 5xx; STARTTLS
    when a tls_context is given and the server offers it (then EHLO again; a
    failed handshake makes the client connect to the same address again without
    STARTTLS, a non-220 reply to STARTTLS goes on in clear). "MAIL
    From:<sender>" carries SIZE= when SIZE is offered (a message larger than the
    server's SIZE limit fails at once with 552 5.2.3, as Sendmail does), BODY=
    when the message has a body type and 8BITMIME is offered, ENVID= and RET=
    when DSN is offered and send_dsn is set; "RCPT To:<rcpt>" carries NOTIFY=
    and ORCPT= under the same condition. With PIPELINING, MAIL and every RCPT
    go out in one write and the replies are read in order; DATA follows. Each
    RCPT reply is that recipient's answer; when none is accepted the client
    sends RSET and no DATA. A 5xx to MAIL fails every recipient, a 5xx to DATA
    or to the final dot every accepted one. The message is sent with CRLF line
    ends (LF and CRLF input alike) and dot-stuffed (smtp_data). Commands are
    spelled as Sendmail spells them ("MAIL From:", "RCPT To:", "DATA", "RSET",
    "QUIT", "EHLO name") and every command and reply line is kept in the
    report's transcript as ">>> ..." and "<<< ..." for bounces.

    Server replies become Reply(code, status, text) with the enhanced status
    taken off the text; without one the status is Sendmail's default 2.0.0,
    4.0.0 or 5.0.0 (parse_reply).

    ConnectionCache is ConnectionCacheSize/ConnectionCacheTimeout: after a
    delivery the connection is kept open (no QUIT) under its (address, port),
    at most size of them (the oldest is closed first), each closed after
    timeout seconds idle. Before reuse it is probed with RSET; a failed probe
    drops it and a new connection is opened.

    MX hosts, as getmxrr() orders them for a delivery: those of equal
    preference in an order of their own for each process (a hash of the
    name with a per-process salt: mail for one domain spreads over its
    equal MX hosts, and one queue run keeps to one order), and the local
    host's own MX records (a name in local_names, class $=w) dropped with
    every MX that is not better than them. When that leaves none, the MX
    list points back to us: a configuration error, 554 5.3.5 "Local
    configuration error" (logged as "MX list for DOMAIN points back to
    HOST"), unless TryNullMXList lets the domain's own address be tried.

    Not done (yet): AUTH and SMTPUTF8.

DIAGNOSTICS
    Nothing raises for remote trouble: every outcome is a Reply in the report
    (DestinationList.raise_for_failure() turns a resolution failure into
    TempFailure or PermFailure for callers that want an exception). parse_reply
    raises ValueError for a malformed reply.

SEE ALSO
    mta.maps.classes.host (getmxrr, nss_host_methods), mta.core.reply, RFC 5321,
    RFC 1869 (SIZE), RFC 1652 (8BITMIME), RFC 2920 (PIPELINING), RFC 3461 (DSN),
    RFC 3207 (STARTTLS), Sendmail op.me (Timeout.*, ConnectionCacheSize,
    ConnectionCacheTimeout, ClientPortOptions, mailer flags F=a).
"""

from __future__ import annotations

import asyncio
import collections
import errno
import functools
import hashlib
import ipaddress
import logging
import os
import re
import socket
import ssl
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from mta.core.errors import PermFailure, TempFailure
from mta.core.params import TIMEOUTS
from mta.core.reply import Reply
from mta.deliver.mime import Mime7Result
from mta.maps.base import MapEnv
from mta.maps.classes.host import (
    LIBC_HOSTS_FILE,
    MxResult,
    _query_nx,  # no public single-record lookup in host.py yet
    _TempFail,
    getmxrr,
    nss_host_methods,
)
from mta.util.timespec import convtime

log = logging.getLogger(__name__)

SMTP_PORT = 25
_DATA_CHUNK = 64 * 1024
_MAX_REPLY_LINE = 64 * 1024


# --------------------------------------------------------------------------- values


@dataclass(frozen=True, slots=True)
class Destination:
    """One address to connect to, with the host name it was found for."""

    host: str  # e.g. "mx1.example.com." or "[192.0.2.1]"
    address: str
    port: int = SMTP_PORT

    @property
    def relay(self) -> str:
        """The relay= text of the log: "mx.example.com. [192.0.2.1]"."""
        return f"{self.host} [{self.address}]"


@dataclass(frozen=True, slots=True)
class DestinationList:
    """What resolve_destinations() found: destinations in order, or why there are none."""

    destinations: tuple[Destination, ...] = ()
    failure: Reply | None = None

    def __iter__(self) -> Iterator[Destination]:
        return iter(self.destinations)

    def __len__(self) -> int:
        return len(self.destinations)

    def raise_for_failure(self) -> None:
        """Raise TempFailure or PermFailure when there is nothing to try.

        Raises:
            TempFailure: a name server could not answer (4.4.3).
            PermFailure: the host is unknown (5.1.2).
        """
        if self.failure is None:
            return
        if self.failure.is_temporary:
            raise TempFailure(self.failure)
        raise PermFailure(self.failure)


@dataclass(frozen=True, slots=True)
class OutboundRecipient:
    """One envelope recipient: the RCPT TO address and its DSN parameters."""

    address: str
    notify: tuple[str, ...] | None = None  # ("SUCCESS", "FAILURE") or ("NEVER",)
    orcpt: str | None = None  # the whole ORCPT value, "rfc822;bob@example.com"


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """The envelope and the message text (header, blank line, body; not dot-stuffed)."""

    sender: str  # MAIL FROM without brackets; "" for the null sender
    recipients: tuple[OutboundRecipient, ...]
    data: bytes
    size: int | None = None  # SIZE= hint; len(data) when None
    body_type: str | None = None  # "7BIT" or "8BITMIME"
    envid: str | None = None
    ret: str | None = None  # "FULL" or "HDRS"
    has_8bit: bool = False
    # for a server without 8BITMIME: (data, server name) -> the data to send instead,
    # converted to 7 bits, or a refusal (mta.deliver.mime.mime8to7)
    convert: Callable[[bytes, str], Mime7Result] | None = None
    # told of each RCPT the server refuses, (index in recipients, reply), as soon as
    # the reply is read: -v says what it means for that recipient there, as Sendmail
    refused: Callable[[int, Reply], None] | None = None


def _timeout_default(name: str) -> float:
    """Timeout.<name>'s default in seconds, from the one option table (mta.core.params)."""
    spec = TIMEOUTS[name]
    return float(convtime(spec.default or "0", spec.unit))


@dataclass(frozen=True, slots=True)
class ClientTimeouts:
    """Sendmail's Timeout.* for the client, in seconds (the defaults of mta.core.params)."""

    connect: float | None = None  # Timeout.connect 0: the system's limit
    greeting: float = _timeout_default("initial")
    helo: float = _timeout_default("helo")
    starttls: float = _timeout_default("starttls")
    mail: float = _timeout_default("mail")
    rcpt: float = _timeout_default("rcpt")
    datainit: float = _timeout_default("datainit")
    datablock: float = _timeout_default("datablock")
    datafinal: float = _timeout_default("datafinal")
    rset: float = _timeout_default("rset")
    quit: float = _timeout_default("quit")


@dataclass(frozen=True, slots=True)
class ClientOptions:
    """How the client talks: HELO name, timeouts, mailer flags and ClientPortOptions."""

    helo_name: str
    timeouts: ClientTimeouts = field(default_factory=ClientTimeouts)
    always_esmtp: bool = False  # mailer flag F=a
    tls_context: ssl.SSLContext | None = None  # STARTTLS when offered
    source_address: str | None = None  # ClientPortOptions Addr=
    family: socket.AddressFamily = socket.AF_UNSPEC  # ClientPortOptions Family=
    line_limit: int = 990  # mailer L= (the lines are broken in mta.deliver.mailer)
    send_dsn: bool = True  # NOTIFY/ORCPT/RET/ENVID when the server offers DSN
    # -v: each command (">>> EHLO ...") and reply line as it goes, and the closing
    verbose: Callable[[str], None] | None = None
    # -X: the traffic log, "=== CONNECT host", ">>> command", "<<< reply"
    traffic: Callable[[str], None] | None = None


@dataclass(frozen=True, slots=True)
class RecipientResult:
    """The final answer for one recipient of this delivery attempt."""

    recipient: OutboundRecipient
    reply: Reply
    relay: str | None  # "host. [address]" that gave it; None when no host was reached
    dsn: bool = False  # the server that took it offered DSN (it reports on its own)
    rcpt_reply: Reply | None = None  # delivered: the reply to its RCPT (what a DSN quotes)


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """What deliver_message() did: per-recipient replies, the relay, the transcript."""

    results: tuple[RecipientResult, ...]
    relay: str | None  # the host that took the message, else the last one tried
    transcript: tuple[str, ...]

    @property
    def all_sent(self) -> bool:
        """True when every recipient got a 2xx."""
        return all(r.reply.code < 300 for r in self.results)


# --------------------------------------------------------------------------- resolution


def split_host_spec(host_spec: str) -> list[str]:
    """Split "mx1:[mx2]:[IPv6:2001:db8::1]" at the colons outside brackets."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for char in host_spec:
        if char == "[":
            depth += 1
        elif char == "]" and depth:
            depth -= 1
        if char == ":" and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


@functools.lru_cache(maxsize=1024)
def _literal_address(name: str) -> str | None:
    """The address of "[192.0.2.1]" or "[IPv6:2001:db8::1]", else None."""
    if not (name.startswith("[") and name.endswith("]")):
        return None
    inner = name[1:-1]
    if inner[:5].lower() == "ipv6:":
        inner = inner[5:]
    try:
        return str(ipaddress.ip_address(inner))
    except ValueError:
        return None


def _family_ok(address: str, family: socket.AddressFamily) -> bool:
    if family == socket.AF_UNSPEC:
        return True
    version = ipaddress.ip_address(address).version
    return (version == 4) == (family == socket.AF_INET)


def _hosts_file_addresses(path: str, name: str) -> list[str]:
    """Addresses of the hosts-file lines that carry name (as gethostbyname reads them)."""
    found: list[str] = []
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                words = line.split("#", 1)[0].split()
                if len(words) >= 2 and any(w.lower() == name.lower() for w in words[1:]):
                    try:
                        found.append(str(ipaddress.ip_address(words[0])))
                    except ValueError:
                        continue
    except OSError:
        return []
    return found


def host_addresses(
    env: MapEnv,
    name: str,
    *,
    methods: Sequence[str] | None = None,
    family: socket.AddressFamily = socket.AF_UNSPEC,
) -> tuple[list[str], bool]:
    """The addresses of a host name, as Sendmail's gethostbyname() finds them.

    Args:
        env: the resolver and hosts file (MapEnv.hosts_file, else /etc/hosts).
        name: a host name (a final dot and brackets are dropped) or an address literal.
        methods: "files" and "dns" in the order to try; default nss_host_methods().
        family: AF_INET or AF_INET6 to keep only those addresses.

    Returns:
        (addresses, tempfailed): A before AAAA; tempfailed is True when a name
        server could not answer and no method found the name.
    """
    literal = _literal_address(name)
    if literal is not None:
        return ([literal] if _family_ok(literal, family) else []), False
    bare = name[1:-1] if name.startswith("[") and name.endswith("]") else name
    bare = bare.rstrip(".")
    if not bare:
        return [], False
    try:
        return ([str(ipaddress.ip_address(bare))], False) if _family_ok(bare, family) else ([],
                                                                                          False)
    except ValueError:
        pass
    order = nss_host_methods() if methods is None else tuple(methods)
    rdtypes = [t for t, fam in (("A", socket.AF_INET), ("AAAA", socket.AF_INET6))
               if family in (socket.AF_UNSPEC, fam)]
    tempfailed = False
    for method in order:
        found: list[str] = []
        if method == "files":
            found = [a for a in _hosts_file_addresses(env.hosts_file or LIBC_HOSTS_FILE, bare)
                     if _family_ok(a, family)]
        elif method == "dns":
            for rdtype in rdtypes:
                try:
                    answer, _nx = _query_nx(env, bare + ".", rdtype)
                except _TempFail:
                    tempfailed = True
                    continue
                found.extend(r.to_text() for r in answer or ())
        if found:
            return list(dict.fromkeys(found)), False
    return [], tempfailed


_MX_SALT = os.urandom(8)  # the order of equal MX hosts: one per process


def _mx_weight(host: str) -> int:
    """The tie-break of MX hosts of equal preference (Sendmail's mxrand(): a
    hash of the name, random per process)."""
    digest = hashlib.blake2b(host.lower().encode("utf-8", "replace"), digest_size=4,
                             key=_MX_SALT).digest()
    return int.from_bytes(digest, "big")


def delivery_mx_order(mx: MxResult, local_names: Collection[str]) -> tuple[str, ...] | None:
    """The MX hosts of mx as a delivery tries them (see DESCRIPTION); None when the
    list points back to the local host (it had some, and every one went)."""
    if not mx.preferences:
        return mx.hosts
    local_pref: int | None = None
    for host, pref in zip(mx.hosts, mx.preferences, strict=True):
        if host.rstrip(".").lower() in local_names and (local_pref is None or
                                                        pref < local_pref):
            local_pref = pref
    kept = [(pref, _mx_weight(host), host)
            for host, pref in zip(mx.hosts, mx.preferences, strict=True)
            if local_pref is None or pref < local_pref]
    if not kept:
        return None
    return tuple(host for _pref, _weight, host in sorted(kept))


def _resolve(
    host_spec: str,
    env: MapEnv,
    port: int,
    local_domain: str | None,
    try_mx: bool,
    methods: Sequence[str] | None,
    family: socket.AddressFamily,
    local_names: Collection[str] = (),
    try_null_mx: bool = False,
) -> DestinationList:
    """resolve_destinations() without the thread."""
    destinations: list[Destination] = []
    seen: set[tuple[str, int]] = set()
    tempfailed: str | None = None
    unknown: str | None = None
    points_back: str | None = None
    for element in split_host_spec(host_spec):
        names: tuple[str, ...] = (element,)
        if try_mx and _literal_address(element) is None:
            mx = getmxrr(env, element, local_domain=local_domain)
            if mx.count < 0:
                tempfailed = tempfailed or element
                continue
            ordered = delivery_mx_order(mx, local_names)
            if ordered is None:
                if not try_null_mx:
                    points_back = points_back or element
                    continue
                ordered = ()  # TryNullMXList: the domain's own address
            names = ordered or (element,)
        for name in names:
            addresses, temp = host_addresses(env, name, methods=methods, family=family)
            if temp:
                tempfailed = tempfailed or name
            elif not addresses:
                unknown = unknown or name
            for address in addresses:
                if (address, port) not in seen:
                    seen.add((address, port))
                    destinations.append(Destination(name, address, port))
    if destinations:
        return DestinationList(tuple(destinations))
    if points_back is not None:
        me = local_domain or (min(local_names) if local_names else "localhost")
        log.error("MX list for %s points back to %s", _plain(points_back), me)
        return DestinationList((), Reply(554, "5.3.5", "Local configuration error"))
    if tempfailed is not None:
        # the host as the mailer triple has it, its final dot kept (checked against
        # Sendmail: "Name server: remote.example.net.: host name lookup failure")
        text = f"Deferred: Name server: {tempfailed.strip('[]')}: host name lookup failure"
        return DestinationList((), Reply(451, "4.4.3", text))
    name = _plain(unknown or host_spec)
    return DestinationList((), Reply(550, "5.1.2", f"Host unknown (Name server: {name}: "
                                                   "host not found)"))


def _plain(name: str) -> str:
    """A host name for messages: no brackets, no final dot."""
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    return name.rstrip(".")


async def resolve_destinations(
    host_spec: str,
    env: MapEnv,
    *,
    port: int = SMTP_PORT,
    local_domain: str | None = None,
    try_mx: bool = True,
    host_methods: Sequence[str] | None = None,
    family: socket.AddressFamily = socket.AF_UNSPEC,
    local_names: Collection[str] = (),
    try_null_mx: bool = False,
) -> DestinationList:
    """The addresses to try for the host part of an [IPC] mailer triple (see DESCRIPTION).

    Args:
        host_spec: "example.com", "[192.0.2.1]", "[IPv6:2001:db8::1]",
            "[mx.example.com]" or a colon-separated list of those.
        env: the service switch, hosts file and resolver (MapEnv.resolver for tests).
        port: the port of every destination (mailer A= or the [IPC] default 25).
        local_domain: $m, for getmxrr's canonical names.
        try_mx: False for mailers with F=0 (no MX lookups).
        host_methods: the gethostbyname order, default the C library's nsswitch.conf.
        family: keep only IPv4 (AF_INET) or IPv6 (AF_INET6) addresses.
        local_names: the local host's names, lower case without a final dot
            (class $=w): MX records for them, and worse ones, are dropped.
        try_null_mx: TryNullMXList: when that drops every MX host, try the
            domain itself instead of failing.

    Returns:
        A DestinationList; its failure is set when nothing can be tried.

    Side effects:
        DNS queries and hosts-file reads, in a worker thread.
    """
    if all(_literal_address(e) is not None for e in split_host_spec(host_spec)):
        # address literals need no lookup: no thread hop for them
        return _resolve(host_spec, env, port, local_domain, try_mx, host_methods, family)
    return await asyncio.to_thread(
        _resolve, host_spec, env, port, local_domain, try_mx, host_methods, family,
        local_names, try_null_mx
    )


# --------------------------------------------------------------------------- replies

_ENHANCED_RE = re.compile(r"([245])\.(\d{1,3})\.(\d{1,3})(?: |$)")
_LINE_RE = re.compile(r"([2-5]\d\d)([ -]|$)(.*)", re.DOTALL)


def parse_reply(lines: Sequence[str]) -> Reply:
    """Turn the lines of one SMTP reply ("250-a", "250 b") into a Reply.

    The enhanced status of the first line, when its class matches the code,
    is taken off every line that starts with it; without one the status is
    Sendmail's default for the class (2.0.0, 4.0.0, 5.0.0; none for 3xx).

    Raises:
        ValueError: no lines, a line without a 2xx-5xx code, codes that
            differ between lines, a continuation mark on the last line or a
            final mark before it.
    """
    if not lines:
        raise ValueError("empty reply")
    code = ""
    texts: list[str] = []
    for i, line in enumerate(lines):
        match = _LINE_RE.fullmatch(line)
        if match is None:
            raise ValueError(f"malformed reply line {line!r}")
        if code and match.group(1) != code:
            raise ValueError(f"reply code changes within a reply: {line!r}")
        code = match.group(1)
        last = i == len(lines) - 1
        if (match.group(2) == "-") == last:
            raise ValueError(f"bad continuation in reply line {line!r}")
        texts.append(match.group(3))
    status: str | None = None
    first = _ENHANCED_RE.match(texts[0])
    if first is not None and first.group(1) == code[0]:
        status = first.group(0).strip()
        prefix = status + " "
        texts = [t[len(prefix):] if t.startswith(prefix) else
                 ("" if t == status else t) for t in texts]
    elif code[0] in "245":
        status = f"{code[0]}.0.0"
    return Reply(int(code), status, "\n".join(texts))


def smtp_data(data: bytes) -> bytes:
    """The message as it goes after DATA: CRLF line ends, dot-stuffed, ".<CRLF>" at the end.

    LF and CRLF line ends are both accepted; a last line without one gets CRLF.
    """
    if b"\r" in data:
        wire = re.sub(rb"\r?\n", b"\r\n", data)
    else:  # the usual case (queue files have LF line ends): no regular expression
        wire = data.replace(b"\n", b"\r\n")
    if wire and not wire.endswith(b"\r\n"):
        wire += b"\r\n"
    if wire.startswith(b".") or b"\n." in wire:
        wire = re.sub(rb"(?m)^\.", b"..", wire)
    return wire + b".\r\n"


# --------------------------------------------------------------------------- connection


class _Failure(Exception):
    """Ends the use of a destination: the reason, and whether the connection is unusable.

    stage says where it happened: "connect" (with the errno), "greeting" (the
    greeting, HELO/EHLO or STARTTLS) or "transaction".
    """

    def __init__(self, reply: Reply, *, broken: bool = True, stage: str = "transaction",
                 errno: int = 0) -> None:
        super().__init__(" | ".join(reply.wire_lines()))
        self.reply = reply
        self.broken = broken
        self.stage = stage
        self.errno = errno


class _StaleConnection(Exception):
    """A cached connection did not take its RSET: use a new one (nothing was sent)."""


class HostStatusHook(Protocol):
    """What deliver_message asks and tells about hosts (HostStatusDirectory)."""

    def skip(self, destination: Destination) -> Reply | None:
        """The saved failure that forbids trying destination now, or None."""

    def record(self, destination: Destination, reply: Reply, *, stage: str,
               errno: int) -> None:
        """The outcome of trying destination (stage as _Failure's)."""


class _TlsFailed(Exception):
    """The STARTTLS handshake failed: connect again without STARTTLS."""


def _temp(status: str, text: str) -> Reply:
    return Reply(451, status, text)


class _Connection:
    """One SMTP connection: line I/O, reply reading, the transcript and the EHLO keywords."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        destination: Destination,
        transcript: list[str],
        options: ClientOptions,
    ) -> None:
        self.reader = reader
        self.writer = writer
        self.destination = destination
        self.transcript = transcript
        self.options = options
        self.keywords: dict[str, str] = {}
        self.esmtp = False
        self.tls = False
        # taken from the cache: RSET goes first, in the pipeline of the next MAIL
        self.pending_rset = False

    def _timeout_failure(self, phase: str) -> _Failure:
        host = self.destination.host
        return _Failure(_temp("4.4.2", f"Deferred: timeout waiting for input from {host} "
                                       f"during client {phase}"))

    def _reset_failure(self) -> _Failure:
        return _Failure(_temp("4.4.2", f"Deferred: Connection reset by {self.destination.host}"))

    async def send(self, lines: Sequence[str], *, timeout: float, phase: str) -> None:
        """Write command lines in one go."""
        self.transcript.extend(">>> " + line for line in lines)
        for hook in (self.options.verbose, self.options.traffic):
            if hook is not None:
                for line in lines:
                    hook(">>> " + line)
        payload = "".join(line + "\r\n" for line in lines).encode("utf-8", "surrogateescape")
        await self.write(payload, timeout=timeout, phase=phase)

    async def write(self, payload: bytes, *, timeout: float, phase: str) -> None:
        """Write bytes and wait until they are taken."""
        try:
            self.writer.write(payload)
            if self.writer.transport.get_write_buffer_size():
                async with asyncio.timeout(timeout):
                    await self.writer.drain()
        except TimeoutError:
            raise self._timeout_failure(phase) from None
        except (ConnectionError, OSError, RuntimeError):
            raise self._reset_failure() from None

    async def read_reply(self, *, timeout: float, phase: str) -> Reply:
        """Read one (possibly multiline) reply, all of it within timeout."""
        try:
            if self._complete_reply_buffered():
                lines = await self._reply_lines()  # here already: no timer to arm
            else:
                async with asyncio.timeout(timeout):  # no task per read, unlike wait_for
                    lines = await self._reply_lines()
        except TimeoutError:
            raise self._timeout_failure(phase) from None
        except (ConnectionError, OSError):
            raise self._reset_failure() from None
        except ValueError:  # a line over the StreamReader limit
            raise _Failure(_temp("4.5.0", "Deferred: Remote protocol error: reply line "
                                          f"too long from {self.destination.host}")) from None
        try:
            return parse_reply(lines)
        except ValueError:
            raise _Failure(_temp("4.5.0", "Deferred: Remote protocol error: "
                                          f"malformed reply from {self.destination.host}: "
                                          f"{lines[-1][:100]}")) from None

    async def _reply_lines(self) -> list[str]:
        lines: list[str] = []
        while True:
            raw = await self.reader.readline()
            if not raw.endswith(b"\n"):
                raise self._reset_failure()
            line = raw.rstrip(b"\r\n").decode("utf-8", "replace")
            self.transcript.append("<<< " + line)
            if self.options.verbose is not None:
                self.options.verbose(line)
            if self.options.traffic is not None:
                self.options.traffic("<<< " + line)
            lines.append(line)
            if len(line) < 4 or line[3] != "-" or len(lines) > 1000:
                return lines

    def _complete_reply_buffered(self) -> bool:
        """Does the reader hold a whole reply already (pipelined replies come together)?

        Looks at the StreamReader's buffer; False whenever that cannot be seen.
        """
        buffer = getattr(self.reader, "_buffer", None)
        if not buffer:
            return False
        start = 0
        while True:
            end = buffer.find(b"\n", start)
            if end < 0:
                return False
            if end - start < 4 or buffer[start + 3] != 0x2D:  # not "NNN-": the last line
                return True
            start = end + 1

    async def command(self, line: str, *, timeout: float, phase: str) -> Reply:
        """Send one command and read its reply."""
        await self.send([line], timeout=timeout, phase=phase)
        return await self.read_reply(timeout=timeout, phase=phase)

    def abort(self) -> None:
        """Drop the connection without QUIT."""
        transport = self.writer.transport
        transport.abort()

    async def quit(self) -> None:
        """Send QUIT, read the reply (errors do not matter), close."""
        timeout = self.options.timeouts.quit
        if self.options.verbose is not None:
            self.options.verbose(f"Closing connection to {self.destination.host}")
        try:
            await self.command("QUIT", timeout=timeout, phase="QUIT")
        except _Failure:
            pass
        self.writer.close()
        try:
            await asyncio.wait_for(self.writer.wait_closed(), timeout)
        except (TimeoutError, ConnectionError, OSError, ssl.SSLError):
            self.abort()


async def _hello(conn: _Connection, esmtp: bool) -> None:
    """EHLO (falling back to HELO on 5xx) or HELO; keeps the EHLO keywords."""
    options = conn.options
    timeout = options.timeouts.helo
    conn.keywords = {}
    conn.esmtp = False
    if esmtp:
        reply = await conn.command(f"EHLO {options.helo_name}", timeout=timeout, phase="EHLO")
        if reply.code < 300:
            conn.esmtp = True
            for line in reply.text.split("\n")[1:]:
                words = line.split(None, 1)
                if words:
                    conn.keywords[words[0].upper()] = words[1] if len(words) > 1 else ""
            return
        if reply.code < 500:
            raise _Failure(reply, broken=False, stage="greeting")
    reply = await conn.command(f"HELO {options.helo_name}", timeout=timeout, phase="HELO")
    if reply.code >= 300:
        raise _Failure(reply, broken=False, stage="greeting")


async def _open(
    destination: Destination, options: ClientOptions, transcript: list[str], *, use_tls: bool
) -> _Connection:
    """Connect, read the greeting, say hello and start TLS when asked and offered."""
    host = destination.host
    local = (options.source_address, 0) if options.source_address else None
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(destination.address, destination.port, local_addr=local,
                                    limit=_MAX_REPLY_LINE),
            options.timeouts.connect,
        )
    except ConnectionRefusedError:
        raise _Failure(_temp("4.4.1", f"Deferred: Connection refused by {host}"),
                       stage="connect", errno=errno.ECONNREFUSED) from None
    except TimeoutError:
        raise _Failure(_temp("4.4.1", f"Deferred: Connection timed out with {host}"),
                       stage="connect", errno=errno.ETIMEDOUT) from None
    except OSError as err:
        text = err.strerror or str(err)
        raise _Failure(_temp("4.4.1", f"Deferred: {text} with {host}"), stage="connect",
                       errno=err.errno or 0) from None
    conn = _Connection(reader, writer, destination, transcript, options)
    if options.traffic is not None:
        options.traffic(f"=== CONNECT {host}")
    try:
        greeting = await conn.read_reply(timeout=options.timeouts.greeting, phase="greeting wait")
        if greeting.code >= 300:
            raise _Failure(greeting, broken=False, stage="greeting")
        esmtp = options.always_esmtp or "ESMTP" in greeting.text
        await _hello(conn, esmtp)
        context = options.tls_context
        if use_tls and context is not None and "STARTTLS" in conn.keywords:
            timeout = options.timeouts.starttls
            reply = await conn.command("STARTTLS", timeout=timeout, phase="STARTTLS")
            if reply.code == 220:
                name = _plain(host) if _literal_address(host) is None else None
                try:
                    await asyncio.wait_for(
                        writer.start_tls(context, server_hostname=name or destination.address),
                        timeout,
                    )
                except (ssl.SSLError, ConnectionError, OSError, TimeoutError) as err:
                    log.info("STARTTLS=client, relay=%s, error: %s", destination.relay, err)
                    raise _TlsFailed(str(err)) from None
                conn.tls = True
                await _hello(conn, True)
    except _Failure as failure:
        if failure.broken:
            conn.abort()
        else:
            await conn.quit()
        raise
    except _TlsFailed:
        conn.abort()
        raise
    return conn


async def _connect(
    destination: Destination,
    options: ClientOptions,
    cache: ConnectionCache | None,
    transcript: list[str],
) -> _Connection:
    """A cached connection that answers RSET, else a new one (without TLS if TLS failed)."""
    if cache is not None:
        conn = await cache._take(destination, options, transcript)
        if conn is not None:
            return conn
    try:
        return await _open(destination, options, transcript,
                           use_tls=options.tls_context is not None)
    except _TlsFailed:
        return await _open(destination, options, transcript, use_tls=False)


async def _release(conn: _Connection, cache: ConnectionCache | None, *, broken: bool) -> None:
    """Drop, cache or QUIT a connection after a delivery."""
    if broken:
        conn.abort()
    elif cache is None or not cache._put(conn):
        await conn.quit()


# --------------------------------------------------------------------------- transaction


def _mail_command(conn: _Connection, message: OutboundMessage, size: int, dsn: bool) -> str:
    words = [f"MAIL From:<{message.sender}>"]
    if "SIZE" in conn.keywords:
        words.append(f"SIZE={size}")
    if message.body_type and "8BITMIME" in conn.keywords:
        words.append(f"BODY={message.body_type}")
    if dsn and message.envid:
        words.append(f"ENVID={message.envid}")
    if dsn and message.ret:
        words.append(f"RET={message.ret}")
    return " ".join(words)


def _rcpt_command(recipient: OutboundRecipient, dsn: bool) -> str:
    words = [f"RCPT To:<{recipient.address}>"]
    if dsn and recipient.notify:
        words.append("NOTIFY=" + ",".join(recipient.notify))
    if dsn and recipient.orcpt:
        words.append(f"ORCPT={recipient.orcpt}")
    return " ".join(words)


async def _rset(conn: _Connection) -> bool:
    """Send RSET; True when the connection may be used again."""
    try:
        reply = await conn.command("RSET", timeout=conn.options.timeouts.rset, phase="RSET")
    except _Failure:
        return False
    return reply.code < 300


async def _transaction(
    conn: _Connection, message: OutboundMessage, pending: Sequence[int], final: dict[int, Reply],
    accepted_by: dict[int, Reply] | None = None,
) -> bool:
    """One MAIL/RCPT/DATA transaction for the pending recipients.

    Final answers go into final, and the RCPT replies of the recipients the
    server took into accepted_by; _Failure means the recipients of pending not
    in final should try the next destination (broken says whether the
    connection can still be used). Returns whether the connection can be used
    again.
    """
    timeouts = conn.options.timeouts
    data = message.data
    if message.convert is not None and "8BITMIME" not in conn.keywords:
        converted = message.convert(data, conn.destination.host)
        if converted.reply is not None:
            final.update((i, converted.reply) for i in pending)
            return True
        data = converted.message
    size = message.size if message.size is not None and data is message.data else len(data)
    limit = conn.keywords.get("SIZE", "").strip()
    if limit.isdigit() and 0 < int(limit) < size:
        reply = Reply(552, "5.2.3",
                      f"Message size exceeds fixed maximum message size ({int(limit)})")
        final.update((i, reply) for i in pending)
        return True
    dsn = conn.options.send_dsn and "DSN" in conn.keywords
    mail = _mail_command(conn, message, size, dsn)
    rcpts = [_rcpt_command(message.recipients[i], dsn) for i in pending]
    rcpt_replies: list[Reply] = []
    if "PIPELINING" in conn.keywords:
        rset = conn.pending_rset
        conn.pending_rset = False
        try:
            await conn.send(["RSET", mail, *rcpts] if rset else [mail, *rcpts],
                            timeout=timeouts.mail, phase="MAIL")
        except _Failure:
            if rset:
                raise _StaleConnection from None
            raise
        if rset:
            try:
                reply = await conn.read_reply(timeout=timeouts.rset, phase="RSET")
            except _Failure:
                raise _StaleConnection from None
            if reply.code >= 300:
                raise _StaleConnection
        mail_reply = await conn.read_reply(timeout=timeouts.mail, phase="MAIL")
        for index in pending:
            reply = await conn.read_reply(timeout=timeouts.rcpt, phase="RCPT")
            rcpt_replies.append(reply)
            if mail_reply.code < 300:
                _refused(message, index, reply)
    else:
        mail_reply = await conn.command(mail, timeout=timeouts.mail, phase="MAIL")
        if mail_reply.code < 300:
            for index, line in zip(pending, rcpts, strict=True):
                reply = await conn.command(line, timeout=timeouts.rcpt, phase="RCPT")
                rcpt_replies.append(reply)
                _refused(message, index, reply)
    if mail_reply.code >= 300:
        if mail_reply.code >= 500:
            final.update((i, mail_reply) for i in pending)
        usable = await _rset(conn)
        if mail_reply.code < 500:
            raise _Failure(mail_reply, broken=not usable)
        return usable
    accepted: list[int] = []
    for index, reply in zip(pending, rcpt_replies, strict=True):
        if reply.code < 300:
            accepted.append(index)
            if accepted_by is not None:
                accepted_by[index] = reply
        else:
            final[index] = reply
    if not accepted:
        return await _rset(conn)
    reply = await conn.command("DATA", timeout=timeouts.datainit, phase="DATA wait")
    if reply.code != 354:
        if reply.code < 300:
            raise _Failure(_temp("4.5.0", "Deferred: Remote protocol error: "
                                          f"{reply.code} reply to DATA"))
        if reply.code >= 500:
            final.update((i, reply) for i in accepted)
        usable = await _rset(conn)
        if reply.code < 500:
            raise _Failure(reply, broken=not usable)
        return usable
    wire = smtp_data(data)
    for start in range(0, len(wire), _DATA_CHUNK):
        await conn.write(wire[start:start + _DATA_CHUNK], timeout=timeouts.datablock,
                         phase="DATA")
    conn.transcript.append(">>> .")
    for hook in (conn.options.verbose, conn.options.traffic):
        if hook is not None:
            hook(">>> .")
    reply = await conn.read_reply(timeout=timeouts.datafinal, phase="DATA wait")
    if 400 <= reply.code < 500:
        raise _Failure(reply, broken=False)
    if 300 <= reply.code < 400:
        raise _Failure(_temp("4.5.0", "Deferred: Remote protocol error: "
                                      f"{reply.code} reply after the message"))
    final.update((i, reply) for i in accepted)
    return True


def _refused(message: OutboundMessage, index: int, reply: Reply) -> None:
    if reply.code >= 400 and message.refused is not None:
        message.refused(index, reply)


async def deliver_message(
    destinations: DestinationList | Sequence[Destination],
    message: OutboundMessage,
    options: ClientOptions,
    cache: ConnectionCache | None = None,
    hosts: HostStatusHook | None = None,
) -> DeliveryReport:
    """Deliver message to the first destination(s) that take it (see DESCRIPTION).

    Args:
        destinations: from resolve_destinations(), or Destination values to try in order.
        message: the envelope and text.
        options: HELO name, timeouts, ESMTP/TLS/DSN settings, source address.
        cache: keeps the connection open afterwards and reuses open ones (RSET first).
        hosts: the host status cache: hosts it says are down are not tried, and
            the outcome of each try is reported to it.

    Returns:
        A DeliveryReport with one RecipientResult per recipient, in the order of
        message.recipients.

    Side effects:
        Network connections; connections may be left open in cache.
    """
    failure = destinations.failure if isinstance(destinations, DestinationList) else None
    transcript: list[str] = []
    replies: dict[int, tuple[Reply, str | None]] = {}
    accepted_by: dict[int, Reply] = {}  # the RCPT replies of what was taken
    with_dsn: set[int] = set()
    pending = list(range(len(message.recipients)))
    reason = failure or _temp("4.4.1", "Deferred: no host to deliver to")
    relay: str | None = None
    for destination in destinations:
        if not pending:
            break
        if not _family_ok(destination.address, options.family):
            continue
        relay = destination.relay
        if hosts is not None:
            cached = hosts.skip(destination)
            if cached is not None:
                reason = cached
                continue
        try:
            conn = await _connect(destination, options, cache, transcript)
        except _Failure as err:
            reason = err.reply
            log.debug("%s: %s", destination.relay, err)
            if hosts is not None:
                hosts.record(destination, err.reply, stage=err.stage, errno=err.errno)
            continue
        final: dict[int, Reply] = {}
        outcome: Reply | None = None
        try:
            try:
                broken = not await _transaction(conn, message, pending, final, accepted_by)
            except _StaleConnection:
                conn.abort()
                try:
                    conn = await _connect(destination, options, None, transcript)
                except _Failure as err:
                    reason = err.reply
                    if hosts is not None:
                        hosts.record(destination, err.reply, stage=err.stage, errno=err.errno)
                    continue
                broken = not await _transaction(conn, message, pending, final, accepted_by)
        except _Failure as err:
            reason = outcome = err.reply
            broken = err.broken
        offered = options.send_dsn and "DSN" in conn.keywords
        for index, reply in final.items():
            replies[index] = (reply, destination.relay)
            if offered:
                with_dsn.add(index)
        if hosts is not None:
            last = outcome or next(iter(final.values()), None)
            if last is not None:
                hosts.record(destination, last, stage="transaction", errno=0)
        pending = [i for i in pending if i not in final]
        await _release(conn, cache, broken=broken)
    for index in pending:
        replies[index] = (reason, relay)
    results = tuple(
        RecipientResult(recipient, *replies[i], dsn=i in with_dsn,
                        rcpt_reply=accepted_by.get(i) if replies[i][0].code < 300 else None)
        for i, recipient in enumerate(message.recipients)
    )
    return DeliveryReport(results, relay, tuple(transcript))


# --------------------------------------------------------------------------- cache


class ConnectionCache:
    """Open SMTP connections kept between deliveries (ConnectionCacheSize/-Timeout)."""

    def __init__(self, size: int = 2, timeout: float = 300.0) -> None:
        """Keep at most size idle connections, each for at most timeout seconds.

        Several may go to the same host: deliveries that run side by side each
        leave theirs, and the next ones take them back.
        """
        self.size = size
        self.timeout = timeout
        # oldest first; keyed by the connection itself, valued (address, port), timer
        self._idle: collections.OrderedDict[
            _Connection, tuple[tuple[str, int], asyncio.TimerHandle]
        ] = collections.OrderedDict()
        self._closing: set[asyncio.Task[None]] = set()

    def __len__(self) -> int:
        return len(self._idle)

    def keys(self) -> list[tuple[str, int]]:
        """The (address, port) of the idle connections, oldest first."""
        return [key for key, _timer in self._idle.values()]

    async def _take(
        self, destination: Destination, options: ClientOptions, transcript: list[str]
    ) -> _Connection | None:
        """The newest idle connection to destination after a good RSET, else None.

        With PIPELINING the RSET is only marked: it goes out in front of the next
        MAIL, and a connection that fails it is replaced (_StaleConnection).
        """
        wanted = (destination.address, destination.port)
        for conn in reversed(self._idle):
            key, timer = self._idle[conn]
            if key == wanted:
                del self._idle[conn]
                break
        else:
            return None
        timer.cancel()
        conn.transcript = transcript
        conn.options = options
        if "PIPELINING" in conn.keywords:
            conn.pending_rset = True  # sent with the next MAIL (RFC 2920 allows it)
            return conn
        if not await _rset(conn):
            conn.abort()
            return None
        return conn

    def _put(self, conn: _Connection) -> bool:
        """Keep conn for reuse; False when the cache takes none (the caller QUITs)."""
        if self.size <= 0:
            return False
        key = (conn.destination.address, conn.destination.port)
        while len(self._idle) >= self.size:
            old, (_key, timer) = self._idle.popitem(last=False)
            timer.cancel()
            self._close_later(old)
        conn.transcript = []
        loop = asyncio.get_running_loop()
        timer = loop.call_later(self.timeout, self._expire, key, conn)
        self._idle[conn] = (key, timer)
        return True

    def _expire(self, key: tuple[str, int], conn: _Connection) -> None:
        if self._idle.pop(conn, None) is not None:
            self._close_later(conn)

    def _close_later(self, conn: _Connection) -> None:
        task = asyncio.get_running_loop().create_task(conn.quit())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def aclose(self) -> None:
        """QUIT every idle connection and wait for the ones being closed.

        Side effects:
            Network traffic (QUIT) to every cached host.
        """
        entries = list(self._idle.items())
        self._idle.clear()
        for conn, (_key, timer) in entries:
            timer.cancel()
            self._close_later(conn)
        if self._closing:
            await asyncio.gather(*list(self._closing), return_exceptions=True)
