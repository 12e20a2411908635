"""host, bestmx and dns maps: name service lookups through dnspython and /etc/hosts.

SYNOPSIS
    $[ mail.example.com $]  ->  mapset.lookup("host", "mail.example.com", (), ctx)
    Kmx bestmx -z:                            $(mx example.com $)  -> mx1.example.com:mx2...
    Kdnsbl dns -R A -T<TMPF>                  $(dnsbl 4.3.2.1.bl.example $)
    MapEnv(resolver=lambda: make_resolver("127.0.0.1", 5353))   # tests
    getcanonname(env, "gw", local_domain="example.test")  -> Canon(True, "gw.example.test", 0)
    getmxrr(env, "[192.0.2.1]", local_domain=None)        -> MxResult(1, ("[192.0.2.1]",), 0)

DESCRIPTION
    getcanonname (Sendmail's getcanonname(), also -bt's /canon): tries the
    methods of the "hosts" service in the service switch in order, until one
    finds the name. "files" reads the hosts file (HostsFile option, default
    /etc/hosts) as text_getcanonname() does: the name loses a final dot and,
    when its domain part is the local domain $m (or, without that final dot,
    a leading part of it: "mail.example" for $m = example.test), that domain;
    a line matches when one of its names equals the result, ignoring case; the
    answer is the line's first name, or its first name with a dot, with ".$m"
    added when it has none. "dns" first drops a final dot of the name (for the
    methods after it too), then asks for A, AAAA and (unless HasWildcardMX)
    MX records and answers with the canonical name (the end of any CNAME
    chain). A found name without a dot gets ".$m". When no method finds it the
    name is unchanged, and the status is EX_TEMPFAIL if a method had a
    temporary failure, else EX_NOTFOUND.

    getmxrr (-bt's /mx and the bestmx class): "[address]" is its own single
    MX host; "[name]" is the canonical name of name plus "." (none when it has
    none); without "dns" among the hosts methods a name has no MX hosts;
    otherwise the exchanges of its MX records in preference order, each with a
    final dot, or, when it has no MX record, its canonical name plus "." (with
    status EX_NOTFOUND when DNS said NXDOMAIN: /etc/hosts may still know it),
    none when it has no canonical name either, and -1 (EX_TEMPFAIL) when the
    name server cannot be asked. This was checked against sendmail 8.17 with a
    name server on loopback (tests/diff/cf/site/dns.zone).

    host (Sendmail's host_map_lookup, the map behind $[ $]): getcanonname()
    of the key; not found is EX_NOTFOUND (68), and a temporary failure also
    says "KEY: Name server timeout" when "dns" is a hosts method. A bracketed
    address "[192.0.2.1]" is turned into a name by the reverse lookup (hosts
    file or PTR, in switch order; a name server failure lets the next method
    try). The built-in host map is "host host -a. -D", so $[ $] gives "name.".

    bestmx: the MX host names of the key in preference order; the first one, or
    with -z all of them joined by the delimiter.

    dns (-R A|AAAA|MX|TXT|PTR|NS|CNAME|SRV, default A; -z delimiter to return
    every answer, else the first; -Z n keeps at most n answers; -d seconds sets
    the resolver timeout, -r the retries): the answers as text; MX gives the
    exchange host, TXT the concatenated strings, names lose their trailing dot.

    Outcomes: NXDOMAIN and "no answer" are NOT_FOUND (EX_NOTFOUND for dns);
    a timeout, no usable name server or SERVFAIL is TEMPFAIL. The behaviour was
    checked with sendmail 8.17 -bt (/canon, /mx, /map) in a namespace whose
    resolver does not answer, with "hosts files" and "hosts dns files".

DIAGNOSTICS
    ConfigError for an unknown -R type. Lookups never raise.

SEE ALSO
    mta.maps.classes.sequence (service switch), dnspython, Sendmail op.me 5.10,
    RFC 1035.
"""

from __future__ import annotations

import functools
import ipaddress
import os
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from mta.config.model import MapDecl
from mta.core.errors import ConfigError
from mta.maps.args import MapOptions, parse_map_args
from mta.maps.base import (
    EX_NOTFOUND,
    EX_OK,
    EX_TEMPFAIL,
    NOT_FOUND,
    NOT_FOUND_NOTFOUND,
    TEMPFAIL,
    LookupContext,
    LookupResult,
    LookupStatus,
    MapClass,
    MapEnv,
    MapFlag,
    MapResolver,
)
from mta.maps.classes.sequence import service_methods
from mta.maps.registry import map_class
from mta.util.text import shortenstring

# dnspython is imported where a name server is asked, not with this module: every
# sendmail -bt start imports the map classes, and most runs never ask DNS.
if TYPE_CHECKING:
    import dns.message
    import dns.name
    import dns.nameserver
    import dns.resolver

DEFAULT_HOSTS_FILE = "/etc/hosts"
_TYPES = ("A", "AAAA", "MX", "TXT", "PTR", "NS", "CNAME", "SRV")


class _TempFail(Exception):
    """A name server problem that makes the lookup TEMPFAIL."""


def make_resolver(
    nameserver: str, port: int = 53, *, lifetime: float = 5.0
) -> dns.resolver.Resolver:
    """A resolver that asks only nameserver:port (for tests and the daemon's fixtures)."""
    import dns.resolver

    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [nameserver]
    resolver.port = port
    resolver.lifetime = lifetime
    resolver.timeout = lifetime
    return resolver


@functools.cache
def _connected_nameserver() -> type[dns.nameserver.Do53Nameserver]:
    """The _ConnectedNameserver class (made on first use: it subclasses dnspython's)."""
    import dns.nameserver
    import dns.query

    class _ConnectedNameserver(dns.nameserver.Do53Nameserver):
        """A port-53 name server asked over a connected UDP socket, as the C resolver does.

        With a connected socket, the ICMP "port unreachable" of a host where no name
        server runs comes back as ECONNREFUSED at once, and the resolver gives up on
        that server immediately (as Sendmail's lookups through libc do) instead of
        waiting for the whole timeout.
        """

        def query(
            self,
            request: dns.message.QueryMessage,
            timeout: float,
            source: str | None,
            source_port: int,
            max_size: bool,
            one_rr_per_rrset: bool = False,
            ignore_trailing: bool = False,
        ) -> dns.message.Message:
            if max_size:
                return super().query(request, timeout, source, source_port, max_size,
                                     one_rr_per_rrset, ignore_trailing)
            family = socket.AF_INET6 if ":" in self.address else socket.AF_INET
            with socket.socket(family, socket.SOCK_DGRAM) as sock:
                if source is not None or source_port:
                    sock.bind((source or ("::" if family == socket.AF_INET6 else "0.0.0.0"),
                               source_port))
                sock.connect((self.address, self.port))
                sock.setblocking(False)  # dnspython waits with select() up to the timeout
                return dns.query.udp(
                    request, self.address, timeout=timeout, port=self.port, sock=sock,
                    raise_on_truncation=True, one_rr_per_rrset=one_rr_per_rrset,
                    ignore_trailing=ignore_trailing, ignore_errors=True, ignore_unexpected=True,
                )

    return _ConnectedNameserver


def _connected(resolver: dns.resolver.Resolver) -> dns.resolver.Resolver:
    import dns.nameserver

    _ConnectedNameserver = _connected_nameserver()
    servers: list[str | dns.nameserver.Nameserver] = []
    for server in resolver.nameservers:
        if isinstance(server, str):
            servers.append(_ConnectedNameserver(server, resolver.port))
        elif type(server) is dns.nameserver.Do53Nameserver:
            servers.append(_ConnectedNameserver(server.address, server.port))
        else:
            servers.append(server)
    resolver.nameservers = servers
    return resolver


def _resolver(env: MapEnv) -> dns.resolver.Resolver:
    import dns.resolver

    if env.resolver is not None:
        return _connected(env.resolver())
    server = os.environ.get("MTA_NAMESERVER", "")
    if server:  # "address[:port]" instead of /etc/resolv.conf (test set-ups)
        address, _, port = server.rpartition(":") if server.count(":") == 1 else (server, "", "")
        return _connected(make_resolver(address, int(port) if port.isdigit() else 53))
    try:
        return _connected(dns.resolver.Resolver())
    except (dns.resolver.NoResolverConfiguration, OSError) as err:
        raise _TempFail(str(err)) from None


def _query(
    env: MapEnv, name: str, rdtype: str, *, lifetime: float | None = None
) -> dns.resolver.Answer | None:
    """Resolve; None for NXDOMAIN/no answer; _TempFail for server trouble."""
    return _query_nx(env, name, rdtype, lifetime=lifetime)[0]


def _query_nx(
    env: MapEnv, name: str, rdtype: str, *, lifetime: float | None = None
) -> tuple[dns.resolver.Answer | None, bool]:
    """Like _query, with True beside None when the name does not exist (NXDOMAIN)."""
    import dns.exception
    import dns.name
    import dns.resolver

    resolver = _resolver(env)
    if lifetime is not None:
        resolver.lifetime = lifetime
    try:
        return resolver.resolve(name, rdtype, search=True), False
    except dns.resolver.NXDOMAIN:
        return None, True
    except dns.resolver.NoAnswer:
        return None, False
    except (dns.exception.Timeout, dns.resolver.NoNameservers, dns.resolver.YXDOMAIN) as err:
        raise _TempFail(str(err)) from None
    except dns.exception.DNSException as err:  # e.g. a name too long: not found
        if isinstance(err, dns.name.NameTooLong | dns.name.EmptyLabel | dns.name.LabelTooLong):
            return None, True
        raise _TempFail(str(err)) from None


def _text(name: dns.name.Name) -> str:
    return name.to_text(omit_final_dot=True)


def _hosts_file(env: MapEnv) -> str:
    return env.hosts_file or env.options.get("HostsFile") or DEFAULT_HOSTS_FILE


def _hosts_lines(env: MapEnv) -> list[list[str]]:
    try:
        with open(_hosts_file(env), encoding="utf-8", errors="replace") as fh:
            return [w for w in (line.split("#", 1)[0].split() for line in fh) if len(w) >= 2]
    except OSError:
        return []


def hosts_by_address(env: MapEnv, address: str) -> str | None:
    """The first name of the hosts-file line for address, or None."""
    for words in _hosts_lines(env):
        try:
            if ipaddress.ip_address(words[0]) == ipaddress.ip_address(address):
                return words[1]
        except ValueError:
            continue
    return None


NSSWITCH_FILE = "/etc/nsswitch.conf"
LIBC_HOSTS_FILE = "/etc/hosts"


def nss_host_methods(path: str = NSSWITCH_FILE) -> tuple[str, ...]:
    """The C library's "hosts" methods that we can follow (files, dns), in order.

    Sendmail turns a client's address into a name with gethostbyaddr(), so
    through /etc/nsswitch.conf, not its own service switch; other methods
    (myhostname, mdns, ...) and [STATUS=action] items are skipped. Without
    the file, or without a hosts line: files, then dns.
    """
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return ("files", "dns")
    for line in lines:
        words = line.split("#", 1)[0].split()
        if words and words[0] == "hosts:":
            return tuple(w for w in words[1:] if w in ("files", "dns"))
    return ("files", "dns")


def client_identity(env: MapEnv, address: str, *, methods: Sequence[str] | None = None,
                    hosts_file: str = LIBC_HOSTS_FILE) -> tuple[str | None, str]:
    """A client's name and ${client_resolve}, as Sendmail finds them for a connection.

    The reverse lookup (hosts file or PTR record, in the order of methods,
    default nss_host_methods()) names the address; the forward lookup of
    that name (hosts file lines that carry it, or its A and AAAA records)
    must lead back to it. OK when it does, FORGED when it does not, FAIL
    when the address has no name, TEMP when a name server could not answer
    where the answer was needed.
    """
    import dns.reversename

    order = nss_host_methods() if methods is None else tuple(methods)
    files = replace(env, hosts_file=hosts_file)
    plain = address[7:] if address.startswith("::ffff:") and "." in address else address
    name: str | None = None
    temp = False
    for method in order:
        if method == "files":
            name = hosts_by_address(files, plain)
        elif method == "dns":
            try:
                answer = _query(env, dns.reversename.from_address(plain).to_text(), "PTR")
            except (_TempFail, ValueError):
                temp = True
                continue
            if answer is not None and len(answer):
                name = _text(answer[0].target)
        if name:
            break
    if not name:
        return None, "TEMP" if temp else "FAIL"
    temp = False
    found: set[str] = set()
    for method in order:
        if method == "files":
            for words in _hosts_lines(files):
                if any(w.lower() == name.lower() for w in words[1:]):
                    found.add(words[0])
        elif method == "dns":
            for rdtype in ("A", "AAAA"):
                try:
                    answer = _query(env, name + ".", rdtype)
                except _TempFail:
                    temp = True
                    continue
                found.update(r.to_text() for r in answer or ())
        if found:
            break
    if any(_same_address(a, plain) for a in found):
        return name, "OK"
    return name, "TEMP" if temp and not found else "FORGED"


def _same_address(a: str, b: str) -> bool:
    try:
        return ipaddress.ip_address(a) == ipaddress.ip_address(b)
    except ValueError:
        return False


EX_UNAVAILABLE = 69


@dataclass(frozen=True, slots=True)
class Canon:
    """What getcanonname() found: the (possibly unchanged) name and a sysexits status."""

    found: bool
    name: str
    status: int


def shorten_hostname(name: str, local_domain: str | None) -> str:
    """Drop a final dot and a domain part that is (the start of) the local domain."""
    canon = name.endswith(".")
    if canon:
        name = name[:-1]
    dot = name.find(".")
    if dot < 0:
        return name
    domain = name[dot + 1:].lower()
    mine = (local_domain or "").lower()
    if canon:
        same = domain == mine
    else:
        same = mine.startswith(domain) and (len(mine) == len(domain) or mine[len(domain)] == ".")
    return name[:dot] if same else name


def _extract_canonname(name: str, words: Sequence[str], local_domain: str | None) -> str | None:
    """A hosts line's canonical name when one of its names is name, else None."""
    found = False
    canonical = ""
    for word in words:
        if not canonical or ("." not in canonical and "." in word):
            canonical = word
        if word.lower() == name.lower():
            found = True
    if not found:
        return None
    if "." not in canonical and local_domain is not None:
        canonical = f"{canonical}.{local_domain}"
    return canonical


def text_getcanonname(env: MapEnv, name: str, local_domain: str | None) -> Canon:
    """The "files" method of getcanonname(): the hosts file."""
    short = shorten_hostname(name, local_domain)
    try:
        with open(_hosts_file(env), encoding="latin-1") as fh:
            for line in fh:
                words = line.split("#", 1)[0].split()
                if len(words) < 2:
                    continue
                canonical = _extract_canonname(short, words[1:], local_domain)
                if canonical is not None:
                    return Canon(True, canonical, EX_OK)
    except OSError:
        return Canon(False, name, EX_UNAVAILABLE)
    return Canon(False, name, EX_NOTFOUND)


def dns_getcanonname(env: MapEnv, name: str, *, trymx: bool) -> Canon:
    """The "dns" method of getcanonname(); name has already lost its final dot."""
    if not name:
        return Canon(False, name, EX_NOTFOUND)
    try:
        for rdtype in ("A", "AAAA", *(("MX",) if trymx else ())):
            answer = _query(env, name, rdtype)
            if answer is not None:
                return Canon(True, _text(answer.canonical_name), EX_OK)
    except _TempFail:
        return Canon(False, name, EX_TEMPFAIL)
    return Canon(False, name, EX_NOTFOUND)


def getcanonname(
    env: MapEnv, host: str, *, local_domain: str | None, trymx: bool = True
) -> Canon:
    """Sendmail's getcanonname(): see DESCRIPTION.

    Args:
        env: where the service switch, the hosts file and the resolver come from.
        host: the name to canonicalize.
        local_domain: the value of $m (None when it is not set).
        trymx: accept a name that has only MX records (Sendmail: !HasWildcardMX).

    Returns:
        Canon(found, name, status); when not found, name is host (without a
        final dot if the dns method ran).
    """
    name = host
    status = EX_UNAVAILABLE
    tempfailed = False
    for method in service_methods(env, "hosts"):
        if method == "files":
            result = text_getcanonname(env, name, local_domain)
        elif method == "dns":
            name = name.removesuffix(".")
            result = dns_getcanonname(env, name, trymx=trymx)
        else:
            result = Canon(False, name, EX_UNAVAILABLE)
        status = result.status
        if result.found and (local_domain is not None or "." in result.name):
            name = result.name
            dot = name.find(".")
            if (dot < 0 or dot == len(name) - 1) and local_domain is not None:
                name = name + local_domain if name.endswith(".") else f"{name}.{local_domain}"
            return Canon(True, name, EX_OK)
        tempfailed = tempfailed or status == EX_TEMPFAIL
    return Canon(False, name, EX_TEMPFAIL if tempfailed else (status or EX_NOTFOUND))


@dataclass(frozen=True, slots=True)
class MxResult:
    """What getmxrr() found: the count (-1 for a temporary failure) and the hosts."""

    count: int
    hosts: tuple[str, ...]
    status: int
    preferences: tuple[int, ...] = ()  # of hosts, when they came from MX records


def _is_address_literal(text: str) -> bool:
    literal = text[5:] if text[:5].lower() == "ipv6:" else text
    try:
        ipaddress.ip_address(literal)
    except ValueError:
        return False
    return True


def getmxrr(env: MapEnv, host: str, *, local_domain: str | None) -> MxResult:
    """The MX hosts of host in preference order (Sendmail's getmxrr; see DESCRIPTION)."""
    if host.startswith("["):
        close = host.find("]")
        if close < 0:
            return MxResult(0, (), EX_OK)
        inner = host[1:close]
        if _is_address_literal(inner):
            return MxResult(1, (host,), EX_OK)
        canon = getcanonname(env, inner, local_domain=local_domain)
        if canon.found:
            return MxResult(1, (canon.name + ".",), EX_OK)
        return MxResult(0, (), EX_OK)
    if "dns" not in service_methods(env, "hosts"):
        return MxResult(0, (), EX_OK)
    try:
        answer, nxdomain = _query_nx(env, host, "MX")
    except _TempFail:
        return MxResult(-1, (), EX_TEMPFAIL)
    if answer is None:
        # no MX records: the host is its own MX when it has a canonical name
        # (the status still says that DNS does not know the name at all)
        canon = getcanonname(env, host, local_domain=local_domain)
        status = EX_NOTFOUND if nxdomain else EX_OK
        if canon.found:
            return MxResult(1, (canon.name.rstrip(".") + ".",), status)
        return MxResult(0, (), EX_NOTFOUND)
    ranked = sorted(answer, key=lambda r: r.preference)
    hosts = tuple(_text(r.exchange) + "." for r in ranked)
    return MxResult(len(hosts), hosts, EX_OK, tuple(r.preference for r in ranked))


# How long a host map answer is reused (Sendmail keeps them in its symbol table
# for SM_DEFAULT_TTL seconds, temporary failures included).
CANON_CACHE_SECONDS = 3600.0


@dataclass(frozen=True, slots=True)
class _HostAnswer:
    name: str | None  # the canonical name, None when not found
    tempfail: bool
    dns_method: bool  # "dns" was among the hosts methods (for the timeout message)


@map_class
class HostMap(MapClass):
    """Canonical host names ($[ $]), kept for CANON_CACHE_SECONDS as Sendmail keeps them."""

    name = "host"
    flags = MapFlag.OPTIONAL_FILE
    reusable = True  # until an answer's `expires`

    def __init__(self, decl: MapDecl, env: MapEnv, mapset: MapResolver | None = None) -> None:
        super().__init__(decl, env, mapset)
        self._answers: dict[tuple[str, str | None], tuple[_HostAnswer, float]] = {}

    def fetch(self, key: str, args: Sequence[str], ctx: LookupContext) -> LookupResult:
        """Canonicalize key through the hosts service methods."""
        local_domain = ctx.macro("m")
        cache = self._answers
        cache_key = (key.lower(), local_domain)
        now = time.monotonic()
        hit = cache.get(cache_key)
        if hit is not None and hit[1] >= now:
            answer, expires = hit
        else:
            answer = self._resolve(key, local_domain)
            expires = now + CANON_CACHE_SECONDS
            cache[cache_key] = (answer, expires)
        if answer.name is not None:
            found = self.table_result(key, answer.name, args)
            return LookupResult(found.status, found.value, found.code, expires)
        if answer.tempfail:
            if answer.dns_method:
                ctx.message(f"{shortenstring(key, 33)}: Name server timeout")
            return LookupResult(LookupStatus.TEMPFAIL, expires=expires)
        return LookupResult(LookupStatus.NOT_FOUND, code=EX_NOTFOUND, expires=expires)

    def _resolve(self, key: str, local_domain: str | None) -> _HostAnswer:
        if key.startswith("["):
            return self._by_address(key)
        canon = getcanonname(self.env, key, local_domain=local_domain)
        if canon.found:
            return _HostAnswer(canon.name, False, False)
        dns_method = "dns" in service_methods(self.env, "hosts")
        return _HostAnswer(None, canon.status == EX_TEMPFAIL, dns_method)

    def _by_address(self, key: str) -> _HostAnswer:
        close = key.find("]")
        literal = key[1:close] if close > 0 else ""
        literal = literal[5:] if literal[:5].lower() == "ipv6:" else literal
        try:
            ipaddress.ip_address(literal)
        except ValueError:
            return _HostAnswer(None, False, False)
        tempfailed = False
        for method in service_methods(self.env, "hosts"):
            found: str | None = None
            if method == "files":
                found = hosts_by_address(self.env, literal)
            elif method == "dns":
                import dns.reversename

                ptr = dns.reversename.from_address(literal).to_text()
                try:
                    answer = _query(self.env, ptr, "PTR")
                except _TempFail:
                    tempfailed = True
                    continue
                if answer is not None:
                    found = _text(answer[0].target)
            if found:
                return _HostAnswer(found, False, False)
        # an address literal never says "Name server timeout"
        return _HostAnswer(None, tempfailed, False)


@map_class
class BestMxMap(MapClass):
    """The best MX host (or all, with -z)."""

    name = "bestmx"
    flags = MapFlag.OPTIONAL_FILE

    def fetch(self, key: str, args: Sequence[str], ctx: LookupContext) -> LookupResult:
        """MX hosts of key in preference order (getmxrr)."""
        mx = getmxrr(self.env, key, local_domain=ctx.macro("m"))
        if mx.count < 0:
            return TEMPFAIL
        if not mx.hosts:
            return LookupResult(LookupStatus.NOT_FOUND, code=mx.status)
        delim = self.options.column_delimiter
        value = delim.join(mx.hosts) if delim else mx.hosts[0]
        result = self.table_result(key, value, args)
        return replace(result, code=mx.status) if mx.status else result


@map_class
class DnsMap(MapClass):
    """Raw DNS lookups of one record type."""

    name = "dns"
    flags = MapFlag.OPTIONAL_FILE
    extra_with_value = "RZdr"

    def parse(self, decl: MapDecl) -> MapOptions:
        """Check -R and the numeric flags ("-R A" may have a blank, as in Sendmail)."""
        words = list(decl.args)
        for i in range(len(words) - 1):
            if words[i] == "-R" and not words[i + 1].startswith("-"):
                words[i:i + 2] = ["-R" + words[i + 1], ""]
        options = parse_map_args(
            decl,
            file_optional=True,
            extra_with_value=self.extra_with_value,
            words=tuple(w for w in words if w),
        )
        self._rdtype = options.extra.get("R", ("A",))[-1].upper()
        if self._rdtype not in _TYPES:
            raise ConfigError(f"dns map {decl.name}: wrong type {self._rdtype}", decl.location)
        try:
            self._max_answers = int(options.extra.get("Z", ("0",))[-1] or 0)
            timeout = options.extra.get("d", ("",))[-1]
            self._lifetime = float(timeout) if timeout else None
        except ValueError:
            raise ConfigError(f"dns map {decl.name}: bad numeric flag", decl.location) from None
        return options

    def open(self) -> None:
        """Nothing to open; traces as Sendmail's dns_map_open."""
        self.env.dprint(f"dns_map_open({self.decl.name}, 0)")

    def fetch(self, key: str, args: Sequence[str], ctx: LookupContext) -> LookupResult:
        """Answers of type -R for key, as text."""
        try:
            answer = _query(self.env, key, self._rdtype, lifetime=self._lifetime)
        except _TempFail:
            return TEMPFAIL  # quietly: only the host map says "Name server timeout"
        if answer is None:
            return NOT_FOUND_NOTFOUND
        import dns.rdatatype

        values: list[str] = []
        for rdata in answer:
            rdtype = rdata.rdtype
            if rdtype == dns.rdatatype.MX:
                values.append(_text(rdata.exchange))
            elif rdtype == dns.rdatatype.TXT:
                values.append(b"".join(rdata.strings).decode("utf-8", "replace"))
            elif rdtype in (dns.rdatatype.PTR, dns.rdatatype.NS, dns.rdatatype.CNAME):
                values.append(_text(rdata.target))
            else:
                values.append(rdata.to_text())
        if self._max_answers > 0:
            values = values[: self._max_answers]
        if not values:
            return NOT_FOUND
        delim = self.options.column_delimiter
        value = delim.join(values) if delim else values[0]
        return self.table_result(key, value, args)
