"""Tests for mta.deliver.smtpclient: destination resolution and the SMTP client.

DESCRIPTION
    A configurable fake SMTP server (FakeSmtpServer, asyncio.start_server on a
    127.0.0.x address) records every command line and message it receives;
    tests/support/dnsserver.py serves the MX and A records. A "refusing" MX is
    a 127.0.0.x address on which nothing listens at the port of the others.
    Every server a test starts is stopped by the test (async with).
"""

from __future__ import annotations

import asyncio
import re
import shutil
import ssl
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mta.core.errors import PermFailure, TempFailure
from mta.core.reply import Reply
from mta.deliver.smtpclient import (
    ClientOptions,
    ClientTimeouts,
    ConnectionCache,
    DeliveryReport,
    Destination,
    DestinationList,
    OutboundMessage,
    OutboundRecipient,
    deliver_message,
    host_addresses,
    parse_reply,
    resolve_destinations,
    smtp_data,
    split_host_spec,
)
from mta.maps.base import MapEnv
from mta.maps.classes.host import make_resolver

sys.path.insert(0, str(Path(__file__).parents[2] / "support"))
from dnsserver import DnsServer

TIMEOUTS = ClientTimeouts(connect=10, greeting=10, helo=10, starttls=10, mail=10, rcpt=10,
                          datainit=10, datablock=10, datafinal=10, rset=10, quit=10)
OPTIONS = ClientOptions("client.example.test", timeouts=TIMEOUTS)
MESSAGE = OutboundMessage(
    "alice@example.test",
    (OutboundRecipient("bob@remote.test"),),
    b"Subject: hi\n\nhello\n",
)
FULL_EHLO = ("PIPELINING", "SIZE 1000000", "8BITMIME", "DSN", "ENHANCEDSTATUSCODES")


# --------------------------------------------------------------------------- fake server


@dataclass
class FakeConfig:
    """How the fake server answers."""

    greeting: str = "220 fake.test ESMTP ready"
    ehlo: tuple[str, ...] = FULL_EHLO
    ehlo_reply: str | None = None  # e.g. "502 5.5.2 no" to refuse EHLO
    mail_reply: str = "250 2.1.0 Sender ok"
    rcpt_replies: dict[str, str] = field(default_factory=dict)
    data_reply: str = "354 Enter mail"
    final_reply: str = "250 2.0.0 Message accepted"
    rset_reply: str = "250 2.0.0 Reset state"
    drop_at: str | None = None  # close the connection when this verb arrives
    silent_at: str | None = None  # never answer this verb
    tls: ssl.SSLContext | None = None  # advertise STARTTLS and do it
    broken_tls: bool = False  # advertise STARTTLS, then answer the handshake with junk


class FakeSmtpServer:
    """An SMTP server on 127.0.0.x that records what it gets; stopped on exit."""

    def __init__(self, config: FakeConfig | None = None, *, host: str = "127.0.0.1",
                 port: int = 0) -> None:
        self.config = config or FakeConfig()
        self.host = host
        self.port = port
        self.commands: list[str] = []
        self.messages: list[bytes] = []
        self.connections = 0
        self.tls_messages = 0
        self.quits = asyncio.Event()
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    async def __aenter__(self) -> FakeSmtpServer:
        self._server = await asyncio.start_server(self._handle, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.transport.abort()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.add(writer)
        try:
            await self._dialogue(reader, writer)
        except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError):
            pass
        finally:
            self._writers.discard(writer)
            writer.transport.abort()
            self._tasks.discard(task)

    async def _dialogue(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        cfg = self.config
        self.connections += 1
        tls = False

        async def send(*lines: str) -> None:
            writer.write(b"".join(line.encode() + b"\r\n" for line in lines))
            await writer.drain()

        await send(cfg.greeting)
        while True:
            raw = await reader.readline()
            if not raw:
                return
            command = raw.decode().rstrip("\r\n")
            self.commands.append(command)
            verb = command.split(" ", 1)[0].split(":", 1)[0].upper()
            if verb == cfg.drop_at:
                return
            if verb == cfg.silent_at:
                await reader.read()  # until the client gives up and closes
                return
            if verb == "EHLO":
                if cfg.ehlo_reply:
                    await send(cfg.ehlo_reply)
                    continue
                offered = list(cfg.ehlo)
                if (cfg.tls or cfg.broken_tls) and not tls:
                    offered.append("STARTTLS")
                lines = ["fake.test Hello", *offered]
                await send(*[f"250{'-' if i < len(lines) - 1 else ' '}{t}"
                             for i, t in enumerate(lines)])
            elif verb == "HELO":
                await send("250 fake.test Hello")
            elif verb == "STARTTLS":
                await send("220 2.0.0 Ready to start TLS")
                if cfg.broken_tls:
                    writer.write(b"this is not a TLS server hello\r\n" * 4)
                    await writer.drain()
                    return
                assert cfg.tls is not None
                await writer.start_tls(cfg.tls)
                tls = True
            elif verb == "MAIL":
                await send(cfg.mail_reply)
            elif verb == "RCPT":
                match = re.search(r"<([^>]*)>", command)
                address = match.group(1) if match else ""
                await send(cfg.rcpt_replies.get(address, "250 2.1.5 Recipient ok"))
            elif verb == "DATA":
                await send(cfg.data_reply)
                if not cfg.data_reply.startswith("354"):
                    continue
                data = bytearray()
                while True:
                    line = await reader.readline()
                    if not line:
                        return
                    if line == b".\r\n":
                        break
                    data += line
                self.messages.append(bytes(data))
                self.tls_messages += tls
                if cfg.drop_at == ".":
                    return
                await send(cfg.final_reply)
            elif verb == "RSET":
                await send(cfg.rset_reply)
            elif verb == "QUIT":
                await send("221 2.0.0 fake.test closing connection")
                self.quits.set()
                return
            else:
                await send("500 5.5.1 Command unrecognized")


def verbs(server: FakeSmtpServer) -> list[str]:
    """The verbs the server received, in order ("MAIL From:<a>" -> "MAIL")."""
    return [c.split(" ", 1)[0].split(":", 1)[0].upper() for c in server.commands]


def codes(report: DeliveryReport) -> list[tuple[int, str | None]]:
    return [(r.reply.code, r.reply.status) for r in report.results]


def local(port: int, *addresses: str) -> list[Destination]:
    return [Destination(f"[{a}]", a, port) for a in addresses]


# --------------------------------------------------------------------------- pure helpers


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["250 2.1.0 Sender ok"], Reply(250, "2.1.0", "Sender ok")),
        (["250 ok"], Reply(250, "2.0.0", "ok")),
        (["451 try later"], Reply(451, "4.0.0", "try later")),
        (["550 5.1.1 <b@x>... User unknown"], Reply(550, "5.1.1", "<b@x>... User unknown")),
        (["550 4.1.1 mismatched class"], Reply(550, "5.0.0", "4.1.1 mismatched class")),
        (["354 Enter mail"], Reply(354, None, "Enter mail")),
        (["250-fake.test", "250-PIPELINING", "250 SIZE 10"],
         Reply(250, "2.0.0", "fake.test\nPIPELINING\nSIZE 10")),
        (["550-5.7.1 first", "550 5.7.1 second"], Reply(550, "5.7.1", "first\nsecond")),
        (["250"], Reply(250, "2.0.0", "")),
    ],
)
def test_parse_reply(lines: list[str], expected: Reply) -> None:
    assert parse_reply(lines) == expected


@pytest.mark.parametrize(
    "lines",
    [[], ["hello"], ["25 x"], ["250-a"], ["250 a", "250 b"], ["250-a", "251 b"], ["199 x"],
     ["250x"]],
)
def test_parse_reply_rejects_malformed(lines: list[str]) -> None:
    with pytest.raises(ValueError):
        parse_reply(lines)


@pytest.mark.parametrize(
    ("data", "wire"),
    [
        (b"a\nb\n", b"a\r\nb\r\n.\r\n"),
        (b"a\r\nb\r\n", b"a\r\nb\r\n.\r\n"),
        (b"a\nb", b"a\r\nb\r\n.\r\n"),
        (b".hidden\n..two\nx.y\n.\n", b"..hidden\r\n...two\r\nx.y\r\n..\r\n.\r\n"),
        (b"", b".\r\n"),
        (b"mixed\r\nends\n", b"mixed\r\nends\r\n.\r\n"),
    ],
)
def test_smtp_data(data: bytes, wire: bytes) -> None:
    assert smtp_data(data) == wire


@given(st.lists(st.text(alphabet="ab.\r ", max_size=8).map(lambda t: t.replace("\r", "")),
                max_size=6))
def test_smtp_data_round_trip(lines: list[str]) -> None:
    data = "".join(line + "\n" for line in lines).encode()
    wire = smtp_data(data)
    assert wire.endswith(b".\r\n")
    body = wire[: -len(b".\r\n")]
    unstuffed = [line[1:] if line.startswith(b".") else line
                 for line in body.split(b"\r\n")[:-1]]
    assert unstuffed == [line.encode() for line in lines]


@pytest.mark.parametrize(
    ("spec", "parts"),
    [
        ("example.com", ["example.com"]),
        ("mx1.example.com:mx2.example.com", ["mx1.example.com", "mx2.example.com"]),
        ("[192.0.2.1]:[IPv6:2001:db8::1]:relay", ["[192.0.2.1]", "[IPv6:2001:db8::1]", "relay"]),
        ("a: b :", ["a", "b"]),
    ],
)
def test_split_host_spec(spec: str, parts: list[str]) -> None:
    assert split_host_spec(spec) == parts


def test_destination_list_raise_for_failure() -> None:
    DestinationList((Destination("h.", "192.0.2.1"),)).raise_for_failure()
    with pytest.raises(TempFailure):
        DestinationList((), Reply(451, "4.4.3", "x")).raise_for_failure()
    with pytest.raises(PermFailure):
        DestinationList((), Reply(550, "5.1.2", "x")).raise_for_failure()


# --------------------------------------------------------------------------- resolution

ZONE = {
    ("example.test", "MX"): ["20 mx2.example.test.", "10 mx1.example.test."],
    ("mx1.example.test", "A"): ["127.0.0.2"],
    ("mx2.example.test", "A"): ["127.0.0.3"],
    ("plain.example.test", "A"): ["127.0.0.4"],
    ("v6.example.test", "AAAA"): ["::1"],
    ("nomx-noaddr.example.test", "TXT"): ["\"nothing\""],
}


@pytest.fixture
def dns_server() -> Iterator[DnsServer]:
    with DnsServer(ZONE) as server:
        yield server


def dns_env(tmp_path: Path, port: int, hosts: str = "") -> MapEnv:
    (tmp_path / "hosts").write_text(hosts)
    (tmp_path / "service.switch").write_text("hosts dns files\n")
    return MapEnv(
        hosts_file=str(tmp_path / "hosts"),
        service_switch_file=str(tmp_path / "service.switch"),
        resolver=lambda: make_resolver("127.0.0.1", port, lifetime=3.0),
    )


async def resolve(spec: str, env: MapEnv, *, port: int = 25,
                  try_mx: bool = True) -> DestinationList:
    return await resolve_destinations(spec, env, port=port, try_mx=try_mx,
                                      host_methods=("dns", "files"))


@pytest.mark.asyncio
async def test_resolve_mx_in_preference_order(tmp_path: Path, dns_server: DnsServer) -> None:
    dests = await resolve("example.test", dns_env(tmp_path, dns_server.port), port=2525)
    assert dests.failure is None
    assert list(dests) == [Destination("mx1.example.test.", "127.0.0.2", 2525),
                           Destination("mx2.example.test.", "127.0.0.3", 2525)]
    assert dests.destinations[0].relay == "mx1.example.test. [127.0.0.2]"


@pytest.mark.asyncio
async def test_local_mx_and_worse_ones_are_dropped(tmp_path: Path,
                                                   dns_server: DnsServer) -> None:
    # we are mx2 (preference 20): only the better mx1 is tried
    env = dns_env(tmp_path, dns_server.port)
    dests = await resolve_destinations("example.test", env, host_methods=("dns", "files"),
                                       local_names={"mx2.example.test"})
    assert [d.host for d in dests] == ["mx1.example.test."]
    # we are the best MX: the list points back to us, a configuration error
    dests = await resolve_destinations("example.test", env, host_methods=("dns", "files"),
                                       local_names={"mx1.example.test"},
                                       local_domain="me.test")
    assert dests.failure == Reply(554, "5.3.5", "Local configuration error")
    with pytest.raises(PermFailure):
        dests.raise_for_failure()
    # TryNullMXList: the domain's own address instead (it has none here: unknown)
    dests = await resolve_destinations("example.test", env, host_methods=("dns", "files"),
                                       local_names={"mx1.example.test"}, try_null_mx=True)
    assert dests.failure is not None and dests.failure.status == "5.1.2"


def test_equal_mx_preferences_are_ordered_per_process() -> None:
    from mta.deliver.smtpclient import delivery_mx_order
    from mta.maps.classes.host import MxResult

    hosts = tuple(f"mx{n}.example.test." for n in range(12))
    mx = MxResult(13, ("best.example.test.", *hosts), 0, (5, *([10] * 12)))
    first = delivery_mx_order(mx, ())
    assert first is not None and first[0] == "best.example.test."
    assert sorted(first[1:]) == sorted(hosts)
    assert delivery_mx_order(mx, ()) == first  # the same order within one process
    # the name server's order is not kept (12 hosts: it would stay by chance 1 in 12!)
    assert first[1:] != hosts
    # no preferences (a host that is its own MX, or [host]): as found
    assert delivery_mx_order(MxResult(1, ("h.test.",), 0), {"h.test"}) == ("h.test.",)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("spec", "kwargs", "expected"),
    [
        ("plain.example.test", {}, [("plain.example.test.", "127.0.0.4")]),
        ("[mx2.example.test]", {}, [("mx2.example.test.", "127.0.0.3")]),
        ("example.test", {"try_mx": False}, None),  # no A record for the domain itself
        ("[127.0.0.9]", {}, [("[127.0.0.9]", "127.0.0.9")]),
        ("[IPv6:::1]", {}, [("[IPv6:::1]", "::1")]),
        ("v6.example.test", {}, [("v6.example.test.", "::1")]),
        ("[mx1.example.test]:plain.example.test:[127.0.0.9]", {},
         [("mx1.example.test.", "127.0.0.2"), ("plain.example.test.", "127.0.0.4"),
          ("[127.0.0.9]", "127.0.0.9")]),
        ("fromfile.test", {}, [("fromfile.test.", "127.0.0.7")]),  # NXDOMAIN, /etc/hosts knows it
    ],
)
async def test_resolve_forms(tmp_path: Path, dns_server: DnsServer, spec: str,
                             kwargs: dict[str, bool],
                             expected: list[tuple[str, str]] | None) -> None:
    env = dns_env(tmp_path, dns_server.port, hosts="127.0.0.7 fromfile.test\n")
    dests = await resolve(spec, env, **kwargs)
    if expected is None:
        assert dests.failure is not None and dests.failure.status == "5.1.2"
    else:
        assert dests.failure is None
        assert [(d.host, d.address) for d in dests] == expected


@pytest.mark.asyncio
async def test_resolve_unknown_host(tmp_path: Path, dns_server: DnsServer) -> None:
    dests = await resolve("nosuch.example.test", dns_env(tmp_path, dns_server.port))
    assert not dests
    assert dests.failure == Reply(
        550, "5.1.2", "Host unknown (Name server: nosuch.example.test: host not found)")


@pytest.mark.asyncio
async def test_resolve_name_server_down(tmp_path: Path) -> None:
    dests = await resolve("example.test", dns_env(tmp_path, 9))  # nothing answers on port 9
    assert not dests
    assert dests.failure == Reply(
        451, "4.4.3", "Deferred: Name server: example.test: host name lookup failure")
    report = await deliver_message(dests, MESSAGE, OPTIONS)
    assert codes(report) == [(451, "4.4.3")]
    assert report.relay is None


def test_host_addresses_files_first(tmp_path: Path) -> None:
    env = MapEnv(hosts_file=str(tmp_path / "hosts"),
                 resolver=lambda: make_resolver("127.0.0.1", 9, lifetime=1.0))
    (tmp_path / "hosts").write_text("127.0.0.5 Relay.Test relay\n::1 relay.test\n")
    assert host_addresses(env, "relay.test.", methods=("files", "dns")) == (
        ["127.0.0.5", "::1"], False)
    assert host_addresses(env, "other.test", methods=("files", "dns")) == ([], True)
    assert host_addresses(env, "other.test", methods=("files",)) == ([], False)


# --------------------------------------------------------------------------- delivery


@pytest.mark.asyncio
async def test_delivery_to_best_mx(tmp_path: Path, dns_server: DnsServer) -> None:
    async with FakeSmtpServer(host="127.0.0.2") as best:
        async with FakeSmtpServer(host="127.0.0.3", port=best.port) as second:
            dests = await resolve("example.test", dns_env(tmp_path, dns_server.port),
                                  port=best.port)
            report = await deliver_message(dests, MESSAGE, OPTIONS)
    assert report.all_sent
    assert report.relay == "mx1.example.test. [127.0.0.2]"
    assert report.results[0].reply == Reply(250, "2.0.0", "Message accepted")
    assert report.results[0].relay == report.relay
    assert len(best.messages) == 1 and second.connections == 0
    assert best.messages[0] == b"Subject: hi\r\n\r\nhello\r\n"
    assert verbs(best) == ["EHLO", "MAIL", "RCPT", "DATA", "QUIT"]
    assert best.commands[0] == "EHLO client.example.test"
    assert "<<< 250 2.0.0 Message accepted" in report.transcript
    assert ">>> QUIT" in report.transcript


@pytest.mark.asyncio
async def test_first_mx_refuses_second_gets_it(tmp_path: Path, dns_server: DnsServer) -> None:
    # nothing listens on 127.0.0.2 at the second server's port: connection refused
    async with FakeSmtpServer(host="127.0.0.3") as second:
        dests = await resolve("example.test", dns_env(tmp_path, dns_server.port),
                              port=second.port)
        report = await deliver_message(dests, MESSAGE, OPTIONS)
    assert report.all_sent
    assert report.relay == "mx2.example.test. [127.0.0.3]"
    assert len(second.messages) == 1


@pytest.mark.asyncio
async def test_all_refuse_gives_connection_refused() -> None:
    async with FakeSmtpServer() as server:
        port = server.port
    report = await deliver_message(local(port, "127.0.0.2", "127.0.0.3"), MESSAGE, OPTIONS)
    assert report.results[0].reply == Reply(
        451, "4.4.1", "Deferred: Connection refused by [127.0.0.3]")
    assert report.relay == "[127.0.0.3] [127.0.0.3]"


@pytest.mark.asyncio
async def test_per_recipient_replies() -> None:
    config = FakeConfig(rcpt_replies={"bad@remote.test": "550 5.1.1 <bad@remote.test>... "
                                                         "User unknown",
                                      "later@remote.test": "450 mailbox busy"})
    message = replace(MESSAGE, recipients=(OutboundRecipient("bad@remote.test"),
                                           OutboundRecipient("good@remote.test"),
                                           OutboundRecipient("later@remote.test")))
    async with FakeSmtpServer(config) as server:
        report = await deliver_message(local(server.port, "127.0.0.1"), message, OPTIONS)
    assert codes(report) == [(550, "5.1.1"), (250, "2.0.0"), (450, "4.0.0")]
    assert report.results[0].reply.text == "<bad@remote.test>... User unknown"
    assert len(server.messages) == 1
    assert ">>> RCPT To:<bad@remote.test>" in report.transcript
    assert "<<< 550 5.1.1 <bad@remote.test>... User unknown" in report.transcript


@pytest.mark.asyncio
async def test_no_recipient_accepted_means_rset_and_no_data() -> None:
    config = FakeConfig(rcpt_replies={"bob@remote.test": "550 5.1.1 User unknown"})
    async with FakeSmtpServer(config) as server:
        report = await deliver_message(local(server.port, "127.0.0.1"), MESSAGE, OPTIONS)
    assert codes(report) == [(550, "5.1.1")]
    assert verbs(server) == ["EHLO", "MAIL", "RCPT", "RSET", "QUIT"]
    assert server.messages == []


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("first", "moves_on"),
    [
        (FakeConfig(mail_reply="451 4.3.0 Try again"), True),
        (FakeConfig(greeting="421 4.3.2 Service not available"), True),
        (FakeConfig(greeting="554 5.3.2 Go away"), True),
        (FakeConfig(drop_at="RCPT"), True),
        (FakeConfig(drop_at="."), True),
        (FakeConfig(mail_reply="this is no reply"), True),
        (FakeConfig(data_reply="451 4.3.0 Not now"), True),
        (FakeConfig(mail_reply="553 5.1.8 Sender domain unknown"), False),
        (FakeConfig(data_reply="554 5.6.0 No way"), False),
        (FakeConfig(final_reply="552 5.3.4 Message too big"), False),
    ],
)
async def test_next_destination_on_temporary_failures(first: FakeConfig, moves_on: bool) -> None:
    async with FakeSmtpServer(first, host="127.0.0.2") as one:
        async with FakeSmtpServer(host="127.0.0.3", port=one.port) as two:
            report = await deliver_message(local(one.port, "127.0.0.2", "127.0.0.3"),
                                           MESSAGE, OPTIONS)
    assert (len(two.messages) == 1) == moves_on
    assert report.all_sent == moves_on
    if not moves_on:
        assert report.results[0].reply.code // 100 == 5
        assert report.relay == "[127.0.0.2] [127.0.0.2]"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (FakeConfig(mail_reply="451 4.3.0 Try again"), Reply(451, "4.3.0", "Try again")),
        (FakeConfig(drop_at="RCPT"), Reply(451, "4.4.2", "Deferred: Connection reset by "
                                                         "[127.0.0.1]")),
        (FakeConfig(mail_reply="hello"), None),
        (FakeConfig(greeting="554 5.3.2 Go away"), Reply(554, "5.3.2", "Go away")),
    ],
)
async def test_last_reason_is_kept(config: FakeConfig, expected: Reply | None) -> None:
    async with FakeSmtpServer(config) as server:
        report = await deliver_message(local(server.port, "127.0.0.1"), MESSAGE, OPTIONS)
    reply = report.results[0].reply
    if expected is None:
        assert (reply.code, reply.status) == (451, "4.5.0")
        assert "protocol error" in reply.text
    else:
        assert reply == expected


@pytest.mark.asyncio
async def test_timeout_waiting_for_a_reply() -> None:
    options = replace(OPTIONS, timeouts=replace(TIMEOUTS, mail=0.2))
    async with FakeSmtpServer(FakeConfig(silent_at="MAIL")) as server:
        report = await deliver_message(local(server.port, "127.0.0.1"), MESSAGE, options)
    assert report.results[0].reply == Reply(
        451, "4.4.2", "Deferred: timeout waiting for input from [127.0.0.1] during client MAIL")
    assert server.messages == []


@pytest.mark.asyncio
async def test_data_452_makes_every_accepted_recipient_temporary() -> None:
    config = FakeConfig(data_reply="452 4.3.1 Insufficient system storage",
                        rcpt_replies={"bad@remote.test": "550 5.1.1 User unknown"})
    message = replace(MESSAGE, recipients=(OutboundRecipient("a@remote.test"),
                                           OutboundRecipient("bad@remote.test"),
                                           OutboundRecipient("b@remote.test")))
    async with FakeSmtpServer(config) as server:
        report = await deliver_message(local(server.port, "127.0.0.1"), message, OPTIONS)
    assert codes(report) == [(452, "4.3.1"), (550, "5.1.1"), (452, "4.3.1")]
    assert server.messages == []
    assert verbs(server) == ["EHLO", "MAIL", "RCPT", "RCPT", "RCPT", "DATA", "RSET", "QUIT"]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("config", "always_esmtp", "hello"),
    [
        (FakeConfig(greeting="220 fake.test SMTP ready"), False, ["HELO"]),
        (FakeConfig(greeting="220 fake.test SMTP ready"), True, ["EHLO"]),
        (FakeConfig(), False, ["EHLO"]),
        (FakeConfig(ehlo_reply="502 5.5.2 Not implemented"), False, ["EHLO", "HELO"]),
        (FakeConfig(greeting="220-fake.test\n220 ESMTP on the second line"), False, ["EHLO"]),
    ],
)
async def test_ehlo_or_helo(config: FakeConfig, always_esmtp: bool, hello: list[str]) -> None:
    config.greeting = config.greeting.replace("\n", "\r\n")
    options = replace(OPTIONS, always_esmtp=always_esmtp)
    async with FakeSmtpServer(config) as server:
        report = await deliver_message(local(server.port, "127.0.0.1"), MESSAGE, options)
    assert report.all_sent
    assert verbs(server)[: len(hello)] == hello
    assert verbs(server)[len(hello)] == "MAIL"
    if hello == ["HELO"]:  # no ESMTP keywords: a plain MAIL
        assert server.commands[1] == "MAIL From:<alice@example.test>"


@pytest.mark.asyncio
@pytest.mark.parametrize("pipelining", [True, False])
async def test_pipelining(pipelining: bool) -> None:
    ehlo = FULL_EHLO if pipelining else tuple(k for k in FULL_EHLO if k != "PIPELINING")
    message = replace(MESSAGE, recipients=(OutboundRecipient("a@remote.test"),
                                           OutboundRecipient("b@remote.test")))
    async with FakeSmtpServer(FakeConfig(ehlo=ehlo)) as server:
        report = await deliver_message(local(server.port, "127.0.0.1"), message, OPTIONS)
    assert report.all_sent
    assert verbs(server) == ["EHLO", "MAIL", "RCPT", "RCPT", "DATA", "QUIT"]
    start = next(i for i, t in enumerate(report.transcript) if t.startswith(">>> MAIL"))
    kinds = [t[:8] for t in report.transcript[start:start + 6]]
    if pipelining:
        assert kinds == [">>> MAIL", ">>> RCPT", ">>> RCPT", "<<< 250 ", "<<< 250 ", "<<< 250 "]
    else:
        assert kinds == [">>> MAIL", "<<< 250 ", ">>> RCPT", "<<< 250 ", ">>> RCPT", "<<< 250 "]


@pytest.mark.asyncio
async def test_dot_stuffing_and_crlf_on_the_wire() -> None:
    message = replace(MESSAGE, data=b"Subject: dots\n\n.leading dot\n..two\nend\r\n")
    async with FakeSmtpServer() as server:
        report = await deliver_message(local(server.port, "127.0.0.1"), message, OPTIONS)
    assert report.all_sent
    assert server.messages == [b"Subject: dots\r\n\r\n..leading dot\r\n...two\r\nend\r\n"]


@pytest.mark.asyncio
@pytest.mark.parametrize("dsn_offered", [True, False])
async def test_dsn_parameters_only_when_offered(dsn_offered: bool) -> None:
    ehlo = FULL_EHLO if dsn_offered else tuple(k for k in FULL_EHLO if k != "DSN")
    message = replace(
        MESSAGE, envid="QID123", ret="HDRS", size=42, body_type="8BITMIME", has_8bit=True,
        recipients=(OutboundRecipient("bob@remote.test", ("SUCCESS", "FAILURE"),
                                      "rfc822;bob@remote.test"),
                    OutboundRecipient("carol@remote.test", ("NEVER",))))
    async with FakeSmtpServer(FakeConfig(ehlo=ehlo)) as server:
        report = await deliver_message(local(server.port, "127.0.0.1"), message, OPTIONS)
    assert report.all_sent
    if dsn_offered:
        assert server.commands[1:4] == [
            "MAIL From:<alice@example.test> SIZE=42 BODY=8BITMIME ENVID=QID123 RET=HDRS",
            "RCPT To:<bob@remote.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@remote.test",
            "RCPT To:<carol@remote.test> NOTIFY=NEVER",
        ]
    else:
        assert server.commands[1:4] == [
            "MAIL From:<alice@example.test> SIZE=42 BODY=8BITMIME",
            "RCPT To:<bob@remote.test>",
            "RCPT To:<carol@remote.test>",
        ]


@pytest.mark.asyncio
async def test_size_and_null_sender() -> None:
    message = replace(MESSAGE, sender="")
    async with FakeSmtpServer(FakeConfig(ehlo=("SIZE 1000",))) as server:
        report = await deliver_message(local(server.port, "127.0.0.1"), message, OPTIONS)
    assert report.all_sent
    assert server.commands[1] == f"MAIL From:<> SIZE={len(MESSAGE.data)}"


@pytest.mark.asyncio
async def test_size_over_the_servers_limit_fails_without_mail() -> None:
    message = replace(MESSAGE, size=5000)
    async with FakeSmtpServer(FakeConfig(ehlo=("SIZE 1000",))) as server:
        report = await deliver_message(local(server.port, "127.0.0.1"), message, OPTIONS)
    assert report.results[0].reply == Reply(
        552, "5.2.3", "Message size exceeds fixed maximum message size (1000)")
    assert "MAIL" not in verbs(server)


@pytest.mark.asyncio
async def test_connection_cache_reuses_with_rset() -> None:
    cache = ConnectionCache(size=2, timeout=600.0)
    async with FakeSmtpServer() as server:
        try:
            dests = local(server.port, "127.0.0.1")
            first = await deliver_message(dests, MESSAGE, OPTIONS, cache)
            assert len(cache) == 1 and cache.keys() == [("127.0.0.1", server.port)]
            second = await deliver_message(dests, MESSAGE, OPTIONS, cache)
            assert "QUIT" not in verbs(server)
        finally:
            await cache.aclose()
        assert server.quits.is_set() or await asyncio.wait_for(server.quits.wait(), 10)
    assert first.all_sent and second.all_sent
    assert server.connections == 1
    assert verbs(server) == ["EHLO", "MAIL", "RCPT", "DATA", "RSET", "MAIL", "RCPT", "DATA",
                             "QUIT"]
    assert second.transcript[0] == ">>> RSET"
    assert len(cache) == 0


@pytest.mark.asyncio
async def test_connection_cache_failed_rset_reconnects() -> None:
    cache = ConnectionCache(size=1, timeout=600.0)
    async with FakeSmtpServer(FakeConfig(rset_reply="421 4.3.0 Going away")) as server:
        try:
            dests = local(server.port, "127.0.0.1")
            await deliver_message(dests, MESSAGE, OPTIONS, cache)
            report = await deliver_message(dests, MESSAGE, OPTIONS, cache)
        finally:
            await cache.aclose()
    assert report.all_sent
    assert server.connections == 2
    assert len(server.messages) == 2


@pytest.mark.asyncio
async def test_connection_cache_idle_timeout_and_size() -> None:
    async with FakeSmtpServer() as one, FakeSmtpServer(host="127.0.0.2") as two:
        cache = ConnectionCache(size=1, timeout=600.0)
        try:
            await deliver_message(local(one.port, "127.0.0.1"), MESSAGE, OPTIONS, cache)
            await deliver_message(local(two.port, "127.0.0.2"), MESSAGE, OPTIONS, cache)
            await asyncio.wait_for(one.quits.wait(), 10)  # the oldest made room
            assert cache.keys() == [("127.0.0.2", two.port)]
        finally:
            await cache.aclose()
        assert two.quits.is_set()
        idle = ConnectionCache(size=2, timeout=0.0)
        one.quits.clear()
        try:
            await deliver_message(local(one.port, "127.0.0.1"), MESSAGE, OPTIONS, idle)
            await asyncio.wait_for(one.quits.wait(), 10)  # closed once idle too long
            assert len(idle) == 0
        finally:
            await idle.aclose()


# --------------------------------------------------------------------------- STARTTLS


@pytest.fixture(scope="module")
def server_tls(tmp_path_factory: pytest.TempPathFactory) -> ssl.SSLContext:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to make a throwaway certificate")
    directory = tmp_path_factory.mktemp("tls")
    key, cert = directory / "key.pem", directory / "cert.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=fake.test"],
                   check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def client_tls() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


@pytest.mark.asyncio
async def test_starttls_when_offered(server_tls: ssl.SSLContext) -> None:
    options = replace(OPTIONS, tls_context=client_tls())
    async with FakeSmtpServer(FakeConfig(tls=server_tls)) as server:
        report = await deliver_message(local(server.port, "127.0.0.1"), MESSAGE, options)
    assert report.all_sent
    assert verbs(server) == ["EHLO", "STARTTLS", "EHLO", "MAIL", "RCPT", "DATA", "QUIT"]
    assert server.tls_messages == 1


@pytest.mark.asyncio
async def test_starttls_not_used_without_context(server_tls: ssl.SSLContext) -> None:
    async with FakeSmtpServer(FakeConfig(tls=server_tls)) as server:
        report = await deliver_message(local(server.port, "127.0.0.1"), MESSAGE, OPTIONS)
    assert report.all_sent
    assert "STARTTLS" not in verbs(server)


@pytest.mark.asyncio
async def test_starttls_failure_retries_in_clear() -> None:
    options = replace(OPTIONS, tls_context=client_tls())
    async with FakeSmtpServer(FakeConfig(broken_tls=True)) as server:
        report = await deliver_message(local(server.port, "127.0.0.1"), MESSAGE, options)
    assert report.all_sent
    assert server.connections == 2
    assert verbs(server) == ["EHLO", "STARTTLS", "EHLO", "MAIL", "RCPT", "DATA", "QUIT"]
    assert server.tls_messages == 0


# --------------------------------------------------------------------------- host specs


@pytest.mark.asyncio
async def test_literal_host_spec() -> None:
    async with FakeSmtpServer() as server:
        dests = await resolve_destinations("[127.0.0.1]", MapEnv(), port=server.port)
        report = await deliver_message(dests, MESSAGE, OPTIONS)
    assert report.all_sent
    assert report.relay == "[127.0.0.1] [127.0.0.1]"


@pytest.mark.asyncio
async def test_colon_list_host_spec(tmp_path: Path) -> None:
    (tmp_path / "hosts").write_text("127.0.0.2 relay1.test\n127.0.0.1 relay2.test\n")
    env = MapEnv(hosts_file=str(tmp_path / "hosts"))
    async with FakeSmtpServer() as server:
        dests = await resolve_destinations("relay1.test:[relay2.test]", env, port=server.port,
                                           try_mx=False, host_methods=("files",))
        assert [d.address for d in dests] == ["127.0.0.2", "127.0.0.1"]
        report = await deliver_message(dests, MESSAGE, OPTIONS)
    assert report.all_sent
    assert report.relay == "[relay2.test] [127.0.0.1]"


@pytest.mark.asyncio
async def test_unknown_host_fails_every_recipient(tmp_path: Path, dns_server: DnsServer) -> None:
    dests = await resolve("nosuch.example.test", dns_env(tmp_path, dns_server.port))
    report = await deliver_message(dests, replace(MESSAGE, recipients=(
        OutboundRecipient("a@nosuch.example.test"), OutboundRecipient("b@nosuch.example.test"))),
        OPTIONS)
    assert codes(report) == [(550, "5.1.2"), (550, "5.1.2")]
    assert report.transcript == ()
