"""host, bestmx and dns maps: name service lookups through dnspython and /etc/hosts.

SYNOPSIS
    $[ mail.example.com $]  ->  mapset.lookup("host", "mail.example.com", (), ctx)
    Kmx bestmx -z:                            $(mx example.com $)  -> mx1.example.com:mx2...
    Kdnsbl dns -R A -T<TMPF>                  $(dnsbl 4.3.2.1.bl.example $)
    MapEnv(resolver=lambda: make_resolver("127.0.0.1", 5353))   # tests

DESCRIPTION
    host (Sendmail's host_map_lookup, the map behind $[ $]): the canonical name
    of the key, found through the methods of the "hosts" service in the service
    switch: "files" reads the hosts file (HostsFile option, default /etc/hosts;
    the canonical name is the first name on the matching line), "dns" asks the
    resolver for A then AAAA records and takes the answer's canonical name (the
    end of any CNAME chain), without the trailing dot. A bracketed address
    "[192.0.2.1]" is turned into a name by the reverse lookup (PTR or hosts file).
    The built-in host map is "host host -a. -D", so $[ $] gives "name.".

    bestmx: the MX host names of the key in preference order; the first one, or
    with -z all of them joined by the delimiter.

    dns (-R A|AAAA|MX|TXT|PTR|NS|CNAME|SRV, default A; -z delimiter to return
    every answer, else the first; -Z n keeps at most n answers; -d seconds sets
    the resolver timeout, -r the retries): the answers as text; MX gives the
    exchange host, TXT the concatenated strings, names lose their trailing dot.

    Outcomes: NXDOMAIN and "no answer" are NOT_FOUND; a timeout, no usable name
    server or SERVFAIL is TEMPFAIL and the message "KEY: Name server timeout"
    goes to the context, as sendmail -bt prints it.

DIAGNOSTICS
    ConfigError for an unknown -R type. Lookups never raise.

SEE ALSO
    mta.maps.classes.sequence (service switch), dnspython, Sendmail op.me 5.10,
    RFC 1035.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

import dns.exception
import dns.name
import dns.rdatatype
import dns.resolver
import dns.reversename

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
    MapEnv,
    MapFlag,
)
from mta.maps.classes.sequence import service_methods
from mta.maps.registry import map_class

DEFAULT_HOSTS_FILE = "/etc/hosts"
_TYPES = ("A", "AAAA", "MX", "TXT", "PTR", "NS", "CNAME", "SRV")


class _TempFail(Exception):
    """A name server problem that makes the lookup TEMPFAIL."""


def make_resolver(
    nameserver: str, port: int = 53, *, lifetime: float = 5.0
) -> dns.resolver.Resolver:
    """A resolver that asks only nameserver:port (for tests and the daemon's fixtures)."""
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [nameserver]
    resolver.port = port
    resolver.lifetime = lifetime
    resolver.timeout = lifetime
    return resolver


def _resolver(env: MapEnv) -> dns.resolver.Resolver:
    if env.resolver is not None:
        return env.resolver()
    try:
        return dns.resolver.Resolver()
    except (dns.resolver.NoResolverConfiguration, OSError) as err:
        raise _TempFail(str(err)) from None


def _query(
    env: MapEnv, name: str, rdtype: str, *, lifetime: float | None = None
) -> dns.resolver.Answer | None:
    """Resolve; None for NXDOMAIN/no answer; _TempFail for server trouble."""
    resolver = _resolver(env)
    if lifetime is not None:
        resolver.lifetime = lifetime
    try:
        return resolver.resolve(name, rdtype, search=True)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return None
    except (dns.exception.Timeout, dns.resolver.NoNameservers, dns.resolver.YXDOMAIN) as err:
        raise _TempFail(str(err)) from None
    except dns.exception.DNSException as err:  # e.g. a name too long: not found
        if isinstance(err, dns.name.NameTooLong | dns.name.EmptyLabel | dns.name.LabelTooLong):
            return None
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


def hosts_canonical(env: MapEnv, name: str) -> str | None:
    """The first name of the hosts-file line that lists name, or None."""
    wanted = name.lower().rstrip(".")
    for words in _hosts_lines(env):
        if wanted in (w.lower() for w in words[1:]):
            return words[1]
    return None


def hosts_by_address(env: MapEnv, address: str) -> str | None:
    """The first name of the hosts-file line for address, or None."""
    for words in _hosts_lines(env):
        try:
            if ipaddress.ip_address(words[0]) == ipaddress.ip_address(address):
                return words[1]
        except ValueError:
            continue
    return None


@map_class
class HostMap(MapClass):
    """Canonical host names ($[ $])."""

    name = "host"
    flags = MapFlag.OPTIONAL_FILE

    def fetch(self, key: str, args: Sequence[str], ctx: LookupContext) -> LookupResult:
        """Canonicalize key through the hosts service methods."""
        methods = service_methods(self.env, "hosts")
        name = key.rstrip(".")
        try:
            if name.startswith("[") and name.endswith("]"):
                found = self._by_address(name[1:-1], methods)
            else:
                found = self._by_name(name, methods)
        except _TempFail:
            ctx.message(f"{key}: Name server timeout")
            return TEMPFAIL
        if found is None:
            return NOT_FOUND
        return LookupResult(LookupStatus.FOUND, found)

    def _by_name(self, name: str, methods: Sequence[str]) -> str | None:
        for method in methods:
            if method == "files":
                found = hosts_canonical(self.env, name)
                if found:
                    return found
            elif method == "dns":
                for rdtype in ("A", "AAAA"):
                    answer = _query(self.env, name, rdtype)
                    if answer is not None:
                        return _text(answer.canonical_name)
        return None

    def _by_address(self, address: str, methods: Sequence[str]) -> str | None:
        literal = address[5:] if address[:5].lower() == "ipv6:" else address
        try:
            ipaddress.ip_address(literal)
        except ValueError:
            return None
        for method in methods:
            if method == "files":
                found = hosts_by_address(self.env, literal)
                if found:
                    return found
            elif method == "dns":
                answer = _query(self.env, dns.reversename.from_address(literal).to_text(), "PTR")
                if answer is not None:
                    return _text(answer[0].target)
        return None


@map_class
class BestMxMap(MapClass):
    """The best MX host (or all, with -z)."""

    name = "bestmx"
    flags = MapFlag.OPTIONAL_FILE

    def fetch(self, key: str, args: Sequence[str], ctx: LookupContext) -> LookupResult:
        """MX hosts of key in preference order."""
        try:
            answer = _query(self.env, key, "MX")
        except _TempFail:
            ctx.message(f"{key}: Name server timeout")
            return TEMPFAIL
        if answer is None:
            return NOT_FOUND
        hosts = [_text(r.exchange) for r in sorted(answer, key=lambda r: r.preference)]
        if not hosts:
            return NOT_FOUND
        delim = self.options.column_delimiter
        value = delim.join(hosts) if delim else hosts[0]
        return self.table_result(key, value, args)


@map_class
class DnsMap(MapClass):
    """Raw DNS lookups of one record type."""

    name = "dns"
    flags = MapFlag.OPTIONAL_FILE
    extra_with_value = "RZdr"

    def parse(self, decl: MapDecl) -> MapOptions:
        """Check -R and the numeric flags."""
        options = self.parse_options(decl)
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

    def fetch(self, key: str, args: Sequence[str], ctx: LookupContext) -> LookupResult:
        """Answers of type -R for key, as text."""
        try:
            answer = _query(self.env, key, self._rdtype, lifetime=self._lifetime)
        except _TempFail:
            ctx.message(f"{key}: Name server timeout")
            return TEMPFAIL
        if answer is None:
            return NOT_FOUND
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
