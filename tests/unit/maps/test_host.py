"""Tests for getcanonname, getmxrr and the host/bestmx/dns classes of mta.maps.classes.host.

DESCRIPTION
    The expected values were read from sendmail 8.17 -bt (/canon, /mx and /map
    host) in a namespace whose /etc/hosts is HOSTS below and whose resolver
    does not answer, with the service switch "hosts files" and, for the
    name-server cases, "hosts dns files".
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mta.config.model import MapDecl
from mta.core.errors import Location
from mta.maps.base import (
    EX_NOTFOUND,
    EX_OK,
    EX_TEMPFAIL,
    LookupStatus,
    MapEnv,
    NullContext,
)
from mta.maps.classes.host import (
    Canon,
    MxResult,
    client_identity,
    getcanonname,
    getmxrr,
    make_resolver,
    nss_host_methods,
    shorten_hostname,
)
from mta.maps.registry import MapSet

sys.path.insert(0, str(Path(__file__).parents[2] / "support"))
from dnsserver import DnsServer

HOSTS = (
    "127.0.0.1\tmail.example.test mail localhost\n"
    "::1\tmail.example.test mail localhost ip6-localhost\n"
    "192.0.2.10\tgw.example.test gw\n"
    "198.51.100.7\tremote.example.net remote\n"
    "10.1.2.3\tintranet.example.test intranet   # comment\n"
    "10.9.9.9\tshortonly\n"
)
DOMAIN = "example.test"


def files_env(tmp_path: Path, methods: str = "files") -> MapEnv:
    (tmp_path / "hosts").write_text(HOSTS)
    (tmp_path / "service.switch").write_text(f"hosts {methods}\naliases files\n")
    return MapEnv(
        hosts_file=str(tmp_path / "hosts"),
        service_switch_file=str(tmp_path / "service.switch"),
        # nobody answers on this port: a name server failure, as in the -bt namespace
        resolver=lambda: make_resolver("127.0.0.1", 9, lifetime=0.3),
    )


@pytest.mark.parametrize(
    ("name", "domain", "short"),
    [
        ("mail.example.test", DOMAIN, "mail"),
        ("mail.example.test.", DOMAIN, "mail"),
        ("mail.example", DOMAIN, "mail"),  # a leading part of $m, without a final dot
        ("mail.example.", DOMAIN, "mail.example"),  # with it, the whole of $m is needed
        ("MAIL.EXAMPLE.TEST", DOMAIN, "MAIL"),
        ("mail.ex", DOMAIN, "mail.ex"),  # "ex" is not a whole label of $m
        ("remote.example.net", DOMAIN, "remote.example.net"),
        ("localhost.", DOMAIN, "localhost"),
        ("gw", DOMAIN, "gw"),
        ("gw.example.test", None, "gw.example.test"),
    ],
)
def test_shorten_hostname(name: str, domain: str | None, short: str) -> None:
    assert shorten_hostname(name, domain) == short


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("mail", Canon(True, "mail.example.test", EX_OK)),
        ("gw", Canon(True, "gw.example.test", EX_OK)),
        ("gw.", Canon(True, "gw.example.test", EX_OK)),
        ("remote", Canon(True, "remote.example.net", EX_OK)),
        ("remote.example.net", Canon(True, "remote.example.net", EX_OK)),
        ("localhost", Canon(True, "mail.example.test", EX_OK)),
        ("localhost.", Canon(True, "mail.example.test", EX_OK)),
        ("ip6-localhost", Canon(True, "mail.example.test", EX_OK)),
        ("MAIL.EXAMPLE.TEST", Canon(True, "mail.example.test", EX_OK)),
        ("mail.example", Canon(True, "mail.example.test", EX_OK)),
        ("intranet", Canon(True, "intranet.example.test", EX_OK)),
        ("shortonly", Canon(True, "shortonly.example.test", EX_OK)),  # $m added
        ("mail.example.", Canon(False, "mail.example.", EX_NOTFOUND)),
        ("nohost.invalid", Canon(False, "nohost.invalid", EX_NOTFOUND)),
        ("nohost.invalid.", Canon(False, "nohost.invalid.", EX_NOTFOUND)),
        ("[192.0.2.10]", Canon(False, "[192.0.2.10]", EX_NOTFOUND)),
        ("192.0.2.10", Canon(False, "192.0.2.10", EX_NOTFOUND)),
        ("a b", Canon(False, "a b", EX_NOTFOUND)),
    ],
)
def test_getcanonname_files(tmp_path: Path, host: str, expected: Canon) -> None:
    assert getcanonname(files_env(tmp_path), host, local_domain=DOMAIN) == expected


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("gw", Canon(True, "gw.example.test", EX_OK)),  # files after the dns failure
        ("mail.example.", Canon(True, "mail.example.test", EX_OK)),  # dns dropped the dot
        ("nohost.invalid.", Canon(False, "nohost.invalid", EX_TEMPFAIL)),
    ],
)
def test_getcanonname_dns_unreachable(tmp_path: Path, host: str, expected: Canon) -> None:
    env = files_env(tmp_path, "dns files")
    assert getcanonname(env, host, local_domain=DOMAIN) == expected


@pytest.mark.parametrize(
    ("methods", "host", "expected"),
    [
        ("files", "gw", MxResult(0, (), EX_OK)),  # no dns among the methods: no MX hosts
        ("files", "[192.0.2.10]", MxResult(1, ("[192.0.2.10]",), EX_OK)),
        ("files", "[IPv6:::1]", MxResult(1, ("[IPv6:::1]",), EX_OK)),
        ("files", "[gw]", MxResult(1, ("gw.example.test.",), EX_OK)),
        ("files", "[mail]", MxResult(1, ("mail.example.test.",), EX_OK)),
        ("files", "[nohost.invalid]", MxResult(0, (), EX_OK)),
        ("files", "[1.2.3.4", MxResult(0, (), EX_OK)),
        ("dns files", "gw", MxResult(-1, (), EX_TEMPFAIL)),
        ("dns files", "[gw.]", MxResult(1, ("gw.example.test.",), EX_OK)),
    ],
)
def test_getmxrr(tmp_path: Path, methods: str, host: str, expected: MxResult) -> None:
    assert getmxrr(files_env(tmp_path, methods), host, local_domain=DOMAIN) == expected


@pytest.fixture
def dns_env(tmp_path: Path) -> Iterator[MapEnv]:
    records = {
        ("example.test", "MX"): ["20 mx2.example.test.", "10 mx1.example.test."],
        ("nomx.example.test", "A"): ["192.0.2.44"],
        ("alias.example.test", "CNAME"): ["nomx.example.test."],
    }
    env = files_env(tmp_path, "dns files")
    with DnsServer(records) as server:
        yield MapEnv(
            hosts_file=env.hosts_file,
            service_switch_file=env.service_switch_file,
            resolver=lambda: make_resolver("127.0.0.1", server.port, lifetime=0.5),
        )


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        # exchanges, and a host that is its own MX, get a final dot as in Sendmail
        ("example.test", MxResult(2, ("mx1.example.test.", "mx2.example.test."), EX_OK,
                                  (10, 20))),
        ("nomx.example.test", MxResult(1, ("nomx.example.test.",), EX_OK)),
        ("nosuch.example.test", MxResult(0, (), EX_NOTFOUND)),
        # NXDOMAIN, but the hosts file knows the name: its own MX, status 68
        ("remote.example.net", MxResult(1, ("remote.example.net.",), EX_NOTFOUND)),
    ],
)
def test_getmxrr_dns(dns_env: MapEnv, host: str, expected: MxResult) -> None:
    assert getmxrr(dns_env, host, local_domain=DOMAIN) == expected


def test_getcanonname_dns_cname(dns_env: MapEnv) -> None:
    found = getcanonname(dns_env, "alias.example.test", local_domain=DOMAIN)
    assert found == Canon(True, "nomx.example.test", EX_OK)


def _map(env: MapEnv, line: str) -> MapSet:
    name, cls, *args = line.split()
    return MapSet({name: MapDecl(name, cls, tuple(args), Location("t.cf", 1))}, env)


@pytest.mark.parametrize(
    ("methods", "decl", "key", "status", "value", "code", "messages"),
    [
        ("files", "h host -a.", "gw", LookupStatus.FOUND, "gw.example.test.", 0, []),
        ("files", "h host -a.", "nohost.invalid", LookupStatus.NOT_FOUND, None, 68, []),
        ("files", "h host -a.", "[192.0.2.10]", LookupStatus.FOUND, "gw.example.test.", 0, []),
        ("files", "h host -a.", "[1.2.3.4]", LookupStatus.NOT_FOUND, None, 68, []),
        ("files", "h host -a.", "[x.y]", LookupStatus.NOT_FOUND, None, 68, []),
        ("dns files", "h host -a.", "nohost.invalid", LookupStatus.TEMPFAIL, None, 75,
         ["nohost.invalid: Name server timeout"]),
        ("dns files", "h host -a.", "[192.0.2.10]", LookupStatus.FOUND, "gw.example.test.", 0,
         []),
        # Sendmail names the host through shortenstring(name, 33)
        ("dns files", "h host -a.", "very.long.local.part.with.many.dots.in.it",
         LookupStatus.TEMPFAIL, None, 75,
         ["very.long.local...many.dots.in.it: Name server timeout"]),
        ("dns files", "h host -a.", "a" * 32, LookupStatus.TEMPFAIL, None, 75,
         ["a" * 32 + ": Name server timeout"]),
        ("files", "m bestmx", "gw", LookupStatus.NOT_FOUND, None, 0, []),
        ("dns files", "m bestmx", "gw", LookupStatus.TEMPFAIL, None, 75, []),
        ("files", "d dns -R A", "gw.example.test", LookupStatus.TEMPFAIL, None, 75, []),
    ],
)
def test_host_classes_status(
    tmp_path: Path,
    methods: str,
    decl: str,
    key: str,
    status: LookupStatus,
    value: str | None,
    code: int,
    messages: list[str],
) -> None:
    """Status, value and the code /map prints (sendmail -bt), and the messages."""
    ms = _map(files_env(tmp_path, methods), decl)
    ctx = NullContext()
    ctx.define_macro("m", DOMAIN)
    mobj = ms.get(decl.split()[0])
    assert mobj is not None and not ms.warnings
    result = mobj.test_lookup(key, ctx)
    assert result is not None
    assert (result.status, result.value, result.exit_code) == (status, value, code)
    assert ctx.messages == messages


def test_closed_name_server_port_fails_at_once(tmp_path: Path) -> None:
    """Connected UDP sockets see the port-unreachable answer: NoNameservers, not Timeout.

    An unconnected socket never hears of it and waits for the whole lifetime,
    then raises LifetimeTimeout, which fails this test.
    """
    import dns.resolver

    from mta.maps.classes.host import _resolver

    env = MapEnv(resolver=lambda: make_resolver("127.0.0.1", 9, lifetime=20.0))
    resolver = _resolver(env)
    with pytest.raises(dns.resolver.NoNameservers) as info:
        resolver.resolve("nohost.invalid", "A")
    assert "Connection refused" in str(info.value)


def test_host_map_answers_are_kept(tmp_path: Path) -> None:
    """Sendmail keeps host map answers (found, not found, tempfail) for an hour."""
    env = files_env(tmp_path, "files")
    mapset = _map(env, "h host -a.")
    ctx = NullContext()
    assert mapset.lookup("h", "gw", (), ctx).value == "gw.example.test."
    assert mapset.lookup("h", "newhost", (), ctx).status is LookupStatus.NOT_FOUND
    (tmp_path / "hosts").write_text("192.0.2.99\tnewhost.example.test newhost\n")
    assert mapset.lookup("h", "GW", (), ctx).value == "gw.example.test."
    assert mapset.lookup("h", "newhost", (), ctx).status is LookupStatus.NOT_FOUND
    fresh = _map(env, "h host -a.")  # a reload starts with an empty cache
    assert fresh.lookup("h", "newhost", (), ctx).value == "newhost.example.test."


# --------------------------------------------------------------------------- client_identity


def _client_env(server: DnsServer | None) -> MapEnv:
    port = server.port if server is not None else 9  # 9: nobody answers
    return MapEnv(resolver=lambda: make_resolver("127.0.0.1", port, lifetime=0.5))


ZONE = {
    ("7.100.51.198.in-addr.arpa", "PTR"): ["remote.example.net."],
    ("remote.example.net", "A"): ["198.51.100.7"],
    ("8.100.51.198.in-addr.arpa", "PTR"): ["liar.example.net."],
    ("liar.example.net", "A"): ["203.0.113.1"],
    ("9.100.51.198.in-addr.arpa", "PTR"): ["broken.example.net."],
    ("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", "PTR"):
        ["six.example.net."],
    ("six.example.net", "AAAA"): ["2001:db8::1"],
}


@pytest.mark.parametrize(("address", "expected"), [
    ("198.51.100.7", ("remote.example.net", "OK")),        # PTR, then A leads back
    ("::ffff:198.51.100.7", ("remote.example.net", "OK")),  # an IPv4 client on a v6 socket
    ("198.51.100.8", ("liar.example.net", "FORGED")),      # A leads elsewhere
    ("198.51.100.10", (None, "FAIL")),                     # no PTR record
    ("198.51.100.9", ("broken.example.net", "TEMP")),      # its A query gets SERVFAIL
    ("2001:db8::1", ("six.example.net", "OK")),
])
def test_client_identity_through_dns(address: str, expected: tuple[str | None, str]) -> None:
    with DnsServer(ZONE, servfail=frozenset({"broken.example.net"})) as server:
        env = _client_env(server)
        assert client_identity(env, address, methods=("dns",)) == expected


def test_client_identity_through_the_hosts_file_first(tmp_path: Path) -> None:
    (tmp_path / "hosts").write_text(HOSTS)
    env = _client_env(None)  # a name server that never answers: not needed here
    hosts = str(tmp_path / "hosts")
    assert client_identity(env, "127.0.0.1", methods=("files", "dns"), hosts_file=hosts) \
        == ("mail.example.test", "OK")
    assert client_identity(env, "10.9.9.9", methods=("files",), hosts_file=hosts) \
        == ("shortonly", "OK")
    # not in the file, and the name server cannot be asked
    assert client_identity(env, "192.0.2.99", methods=("files", "dns"), hosts_file=hosts) \
        == (None, "TEMP")
    assert client_identity(env, "192.0.2.99", methods=("files",), hosts_file=hosts) \
        == (None, "FAIL")


def test_nss_host_methods(tmp_path: Path) -> None:
    switch = tmp_path / "nsswitch.conf"
    switch.write_text("passwd: files\nhosts:  files myhostname [NOTFOUND=return] dns  # x\n")
    assert nss_host_methods(str(switch)) == ("files", "dns")
    switch.write_text("hosts: files\n")
    assert nss_host_methods(str(switch)) == ("files",)
    assert nss_host_methods(str(tmp_path / "missing")) == ("files", "dns")
