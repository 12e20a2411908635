"""End-to-end delivery: our daemon and `sendmail -q` deliver to sinks found through DNS.

DESCRIPTION
    Each test builds a private site from etc-mail/sendmail.mc (the [IPC]
    mailers' port set to the sinks' port with ESMTP_MAILER_ARGS), starts a
    DNS server on loopback with the MX and A records it needs (the daemon
    resolves only through it: MTA_NAMESERVER) and SMTP sinks on 127.0.0.x,
    sends a message with smtplib and checks what arrived where, and what
    stayed in the queue: delivery by MX preference, the next MX when the
    first refuses, a 4xx that stays queued until a later `sendmail -q`, a
    5xx that comes back to the sender as a DSN, a mailertable route, an
    alias that expands to two hosts and a file, the virtusertable, and a
    local mailbox written by our mail.local and read back with Python's
    mailbox module.
"""

from __future__ import annotations

import contextlib
import email
import getpass
import mailbox
import os
import shutil
import smtplib
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import BIN, Daemon, build_site, start_daemon, stop_daemon

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from dnsserver import DnsServer
from smtpsink import SmtpSink, free_port

SENDER = "alice@sender.test"
ZONE = {
    ("sender.test", "MX"): ["10 mx.sender.test."],
    ("mx.sender.test", "A"): ["127.0.0.5"],
    ("dest.test", "MX"): ["10 mx1.dest.test.", "20 mx2.dest.test."],
    ("mx1.dest.test", "A"): ["127.0.0.2"],
    ("mx2.dest.test", "A"): ["127.0.0.3"],
    ("down.test", "MX"): ["10 dead.down.test.", "20 mx2.dest.test."],
    ("dead.down.test", "A"): ["127.0.0.4"],  # nothing listens there
    # the best MX is this host itself (virtual.test is in local-host-names): a loop
    ("loop.test", "MX"): ["10 virtual.test.", "20 mx2.dest.test."],
    ("half.test", "MX"): ["5 mx1.dest.test.", "10 virtual.test.", "20 mx2.dest.test."],
}


@dataclass
class World:
    daemon: Daemon
    cf: Path
    queue: Path
    sinks: dict[str, SmtpSink]
    spool: Path
    env: dict[str, str]
    tmp: Path
    files: Path  # where aliases write files: DefaultUser must be able to (as in /tmp)

    def send(self, recipients: list[str], body: str = "hello\r\n", sender: str = SENDER,
             headers: str = "Subject: test\r\n") -> None:
        with smtplib.SMTP("127.0.0.1", self.daemon.port, timeout=30) as client:
            client.sendmail(sender, recipients, (headers + "\r\n" + body).encode())

    def queue_run(self) -> None:
        subprocess.run([str(BIN / "sendmail"), "-qf", "-C", str(self.cf)], check=True,
                       env={**os.environ, **self.env}, timeout=60, capture_output=True)

    def queued(self) -> list[Path]:
        return sorted(self.queue.rglob("qf*"))

    def wait_queue_empty(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while self.queued() and time.monotonic() < deadline:
            time.sleep(0.05)


def _port_free_everywhere() -> int:
    while True:
        port = free_port()
        try:
            for address in ("127.0.0.2", "127.0.0.3", "127.0.0.5"):
                free_port(address)  # the address works at all
                import socket
                with socket.socket() as s:
                    s.bind((address, port))
            return port
        except OSError:
            continue


@contextlib.contextmanager
def make_world(tmp_path: Path, defines: tuple[str, ...] = ()) -> Iterator[World]:
    """The site, the DNS server, the sinks and a delivering daemon; all stopped after."""
    port = _port_free_everywhere()
    spool = tmp_path / "spool"
    spool.mkdir()
    files = Path(tempfile.mkdtemp(prefix="mta-files-"))
    files.chmod(0o1777)  # file deliveries run as DefaultUser, never as root
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, files, True)
        dns = stack.enter_context(DnsServer(ZONE))
        sinks = {name: stack.enter_context(SmtpSink(address, port, name=name))
                 for name, address in (("mx1", "127.0.0.2"), ("mx2", "127.0.0.3"),
                                       ("sender", "127.0.0.5"))}
        user = getpass.getuser()
        cf, queue, daemon_port = build_site(
            tmp_path,
            defines=(f"ESMTP_MAILER_ARGS=TCP $h {port}", f"SMTP_MAILER_ARGS=TCP $h {port}",
                     f"RELAY_MAILER_ARGS=TCP $h {port}",
                     f"MTA_MAIL_LOCAL={BIN / 'mail.local'}", f"MTA_MAIL_SPOOL={spool}",
                     *defines),
            tables={
                "mailertable": "routed.test\tesmtp:[127.0.0.3]\n",
                "aliases": (f"team: bob@dest.test, carol@routed.test, {files}/archive\n"
                            f"me: {user}\n"),
                "virtusertable": "info@virtual.test\tdave@dest.test\n",
                "local-host-names": "virtual.test\n",
            })
        env = {"MTA_NAMESERVER": f"127.0.0.1:{dns.port}"}
        daemon = start_daemon(cf, queue, daemon_port, tmp_path / "daemon.log", deliver=True,
                              env=env)
        try:
            yield World(daemon, cf, queue, sinks, spool, env, tmp_path, files)
        finally:
            stop_daemon(daemon.proc)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with make_world(tmp_path) as made:
        yield made


def test_delivery_by_mx_preference(world: World) -> None:
    world.send(["bob@dest.test"])
    (message,) = world.sinks["mx1"].wait_for(1)
    assert message.sender == SENDER
    assert message.recipients == ["bob@dest.test"]
    parsed = email.message_from_bytes(message.data)
    assert parsed["Subject"] == "test"
    assert parsed.get_payload() == "hello\n"
    assert "Received" in parsed
    world.wait_queue_empty()
    assert world.queued() == []
    assert world.sinks["mx2"].messages == []
    log = world.daemon.log.read_text()
    assert "to=<bob@dest.test>" in log and "mailer=esmtp" in log and "stat=Sent" in log


def test_next_mx_when_the_first_refuses(world: World) -> None:
    world.send(["bob@down.test"])
    (message,) = world.sinks["mx2"].wait_for(1)
    assert message.recipients == ["bob@down.test"]
    world.wait_queue_empty()
    assert world.queued() == []


def test_temporary_failure_stays_queued_until_the_next_run(world: World) -> None:
    world.sinks["mx1"].rcpt_replies["bob@dest.test"] = "451 4.3.0 try again later"
    world.sinks["mx2"].rcpt_replies["bob@dest.test"] = "451 4.3.0 try again later"
    world.send(["bob@dest.test"])
    deadline = time.monotonic() + 30
    text = ""
    while "\nMDeferred" not in text and time.monotonic() < deadline:
        time.sleep(0.05)
        text = b"".join(p.read_bytes() for p in world.queued()).decode("latin-1")
    assert len(world.queued()) == 1
    assert "\nMDeferred: 451 4.3.0 try again later\n" in text
    assert "\nN1\n" in text
    world.sinks["mx1"].rcpt_replies.clear()
    world.queue_run()
    (message,) = world.sinks["mx1"].wait_for(1)
    assert message.recipients == ["bob@dest.test"]
    assert world.queued() == []


def test_permanent_failure_returns_a_dsn_to_the_sender(world: World) -> None:
    world.sinks["mx1"].rcpt_replies["nobody@dest.test"] = "550 5.1.1 no such user"
    world.send(["nobody@dest.test", "bob@dest.test"])
    (delivered,) = world.sinks["mx1"].wait_for(1)
    assert delivered.recipients == ["bob@dest.test"]
    (bounce,) = world.sinks["sender"].wait_for(1)
    assert bounce.sender == ""
    assert bounce.recipients == [SENDER]
    report = email.message_from_bytes(bounce.data)
    assert report["Subject"] == "Returned mail: see transcript for details"
    assert report.get_content_type() == "multipart/report"
    parts = report.get_payload()
    assert isinstance(parts, list)
    assert [p.get_content_type() for p in parts] == [
        "text/plain", "message/delivery-status", "message/rfc822"]
    human = str(parts[0].get_payload())
    assert "<nobody@dest.test>" in human and "no such user" in human
    status = parts[1].as_string()
    assert "Final-Recipient: RFC822; nobody@dest.test" in status
    assert "Action: failed" in status and "Status: 5.1.1" in status
    world.wait_queue_empty()
    assert world.queued() == []


def test_mailertable_route(world: World) -> None:
    world.send(["carol@routed.test"])
    (message,) = world.sinks["mx2"].wait_for(1)
    assert message.recipients == ["carol@routed.test"]


def test_smart_host_route(tmp_path: Path) -> None:
    """SMART_HOST: mail for other domains goes to the smart host (the relay mailer),
    not to the domain's MX; the mailertable still wins for its domains."""
    with make_world(tmp_path, ("SMART_HOST=[127.0.0.3]",)) as world:
        world.send(["bob@dest.test"])  # its MX is 127.0.0.2: not asked
        (message,) = world.sinks["mx2"].wait_for(1)
        assert message.recipients == ["bob@dest.test"]
        world.wait_queue_empty()
        assert world.sinks["mx1"].messages == []


def test_alias_expands_to_hosts_and_a_file(world: World) -> None:
    world.send(["team@localhost"])
    (first,) = world.sinks["mx1"].wait_for(1)
    (second,) = world.sinks["mx2"].wait_for(1)
    assert first.recipients == ["bob@dest.test"]
    assert second.recipients == ["carol@routed.test"]
    world.wait_queue_empty()
    archive = mailbox.mbox(str(world.files / "archive"))
    (kept,) = list(archive)
    assert kept["Subject"] == "test"
    assert kept.get_payload() == "hello\n"


def test_virtusertable(world: World) -> None:
    world.send(["info@virtual.test"])
    (message,) = world.sinks["mx1"].wait_for(1)
    assert message.recipients == ["dave@dest.test"]


def test_local_mailbox(world: World) -> None:
    user = getpass.getuser()
    world.send(["me@localhost"], body="From the start\r\nline two\r\n")
    world.wait_queue_empty()
    path = world.spool / user
    deadline = time.monotonic() + 30
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    box = mailbox.mbox(str(path))
    (message,) = list(box)
    assert message["Subject"] == "test"
    assert message.get_from().startswith(SENDER)
    assert message["Return-Path"] == f"<{SENDER}>"
    # mbox escaping: the body line that starts with "From " comes back escaped
    assert message.get_payload() == ">From the start\nline two\n"


def test_kill_during_a_queue_run_loses_nothing(world: World) -> None:
    """kill -9 of the daemon in the middle of a queue run, then a restart: every message
    arrives at least once, and only those in flight may arrive twice."""
    stop_daemon(world.daemon.proc)
    queued = start_daemon(world.cf, world.queue, world.daemon.port, world.tmp / "q.log",
                          env=world.env)  # DeliveryMode=queue: nothing goes out yet
    count = 20
    try:
        for n in range(count):
            world.send(["bob@dest.test"], headers=f"Subject: m{n}\r\n")
    finally:
        stop_daemon(queued.proc)
    assert len(world.queued()) == count
    sink = world.sinks["mx1"]
    sink.data_delay = 0.2
    runner = start_daemon(world.cf, world.queue, world.daemon.port, world.tmp / "run.log",
                          env=world.env, deliver=True, args=("-q1h",))
    try:
        sink.wait_for(3)
        runner.proc.kill()  # SIGKILL: no cleanup of any kind
        runner.proc.wait()
    finally:
        stop_daemon(runner.proc)
    first = len(sink.messages)
    assert first < count, "the run finished before the kill"
    sink.data_delay = 0.0
    again = start_daemon(world.cf, world.queue, world.daemon.port, world.tmp / "again.log",
                         env=world.env, deliver=True, args=("-q1h",))
    try:
        deadline = time.monotonic() + 60
        while world.queued() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop_daemon(again.proc)
    assert world.queued() == []
    subjects = [email.message_from_bytes(m.data)["Subject"] for m in sink.messages]
    assert set(subjects) == {f"m{n}" for n in range(count)}
    duplicates = len(subjects) - count
    # at most the messages whose delivery was in flight (MaxQueueChildren of them)
    assert 0 <= duplicates <= 8


def _deferred_message(world: World, recipient: str) -> Path:
    """Queue a message that the sink defers, and wait until its qf says so."""
    world.sinks["mx1"].rcpt_replies[recipient] = "451 4.3.0 try again later"
    world.sinks["mx2"].rcpt_replies[recipient] = "451 4.3.0 try again later"
    world.send([recipient])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for qf in world.queued():
            if b"\nMDeferred" in qf.read_bytes():
                return qf
        time.sleep(0.05)
    raise AssertionError("the message was not deferred")


def _age(qf: Path, seconds: int) -> None:
    """Make the message older: its T record (creation time) moves back."""
    lines = qf.read_bytes().split(b"\n")
    for i, line in enumerate(lines):
        if line.startswith(b"T"):
            lines[i] = b"T%d" % (int(line[1:]) - seconds)
    qf.write_bytes(b"\n".join(lines))


def test_delay_warning_once_then_return_after_queuereturn(world: World) -> None:
    qf = _deferred_message(world, "slow@dest.test")
    _age(qf, 5 * 3600)  # past Timeout.queuewarn (4h)
    world.queue_run()
    (warning,) = world.sinks["sender"].wait_for(1)
    assert warning.sender == "" and warning.recipients == [SENDER]
    parsed = email.message_from_bytes(warning.data)
    assert parsed["Subject"] == "Warning: could not send message for past 4 hours"
    status = parsed.get_payload()[1].as_string()  # type: ignore[index]
    assert "Action: delayed" in status and "Final-Recipient: RFC822; slow@dest.test" in status
    text = qf.read_bytes()
    assert text.split(b"\nF", 1)[1].startswith(b"w")  # the warning is on record
    world.queue_run()  # no second warning
    assert len(world.sinks["sender"].messages) == 1
    _age(qf, 5 * 86400)  # past Timeout.queuereturn (5d)
    world.queue_run()
    messages = world.sinks["sender"].wait_for(2)
    bounce = email.message_from_bytes(messages[1].data)
    assert bounce["Subject"] == "Returned mail: see transcript for details"
    status = bounce.get_payload()[1].as_string()  # type: ignore[index]
    assert "Action: failed" in status and "Status: 4.4.7" in status
    assert world.queued() == []


def test_return_receipt_for_local_delivery(world: World) -> None:
    with smtplib.SMTP("127.0.0.1", world.daemon.port, timeout=30) as client:
        client.ehlo("client.test")
        client.sendmail(SENDER, ["me@localhost"], b"Subject: receipt\r\n\r\nhi\r\n",
                        rcpt_options=["NOTIFY=SUCCESS"])
    (receipt,) = world.sinks["sender"].wait_for(1)
    parsed = email.message_from_bytes(receipt.data)
    assert parsed["Subject"] == "Return receipt"
    status = parsed.get_payload()[1].as_string()  # type: ignore[index]
    assert "Action: delivered (to mailbox)" in status


def test_local_mailbox_through_lmtp(tmp_path: Path) -> None:
    """The local mailer spoken to in LMTP (F=z, mail.local -l)."""
    user = getpass.getuser()
    with make_world(tmp_path, ("MTA_LMTP",)) as world:
        world.send(["me@localhost"], body="via lmtp\r\n")
        world.wait_queue_empty()
        path = world.spool / user
        deadline = time.monotonic() + 30
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        log = world.daemon.log.read_text()
    (message,) = list(mailbox.mbox(str(path)))
    assert message["Subject"] == "test"
    assert message.get_payload() == "via lmtp\n"
    assert message.get_from().startswith(SENDER)
    # the LMTP reply of mail.local for this recipient is the delivery status
    assert "mailer=local, pri=" in log and f"stat=Sent ({user} Ok)" in log


def test_8bit_mail_to_a_server_without_8bitmime_is_converted(tmp_path: Path) -> None:
    """EightBitMode=mimefy: quoted-printable for a server that lacks 8BITMIME."""
    text = "Gr\u00fc\u00dfe aus K\u00f6ln, and a long line of plain text after it.\n"
    with make_world(tmp_path, ("confEIGHT_BIT_HANDLING=mimefy",)) as world:
        world.sinks["mx1"].keywords.remove("8BITMIME")
        with smtplib.SMTP("127.0.0.1", world.daemon.port, timeout=30) as client:
            client.ehlo("client.test")
            client.sendmail(SENDER, ["bob@dest.test"],
                            ("Subject: 8bit\r\nMIME-Version: 1.0\r\n"
                             "Content-Type: text/plain; charset=utf-8\r\n"
                             "Content-Transfer-Encoding: 8bit\r\n\r\n"
                             + text.replace("\n", "\r\n")).encode(),
                            mail_options=["BODY=8BITMIME"])
        (message,) = world.sinks["mx1"].wait_for(1)
    assert message.data.isascii()
    assert "BODY=" not in message.mail_params
    parsed = email.message_from_bytes(message.data)
    assert parsed["Content-Transfer-Encoding"] == "quoted-printable"
    assert parsed["X-MIME-Autoconverted"].startswith("from 8bit to quoted-printable by ")
    assert parsed.get_payload(decode=True).decode("utf-8") == text


def test_host_status_skips_a_host_that_just_failed(tmp_path: Path) -> None:
    """HostStatusDirectory: a host that refused at greeting time is not tried again
    before Timeout.hoststatus; hoststat lists it."""
    with make_world(tmp_path, ("confHOST_STATUS_DIRECTORY=.hoststat",)) as world:
        port = world.sinks["mx1"].port
        with SmtpSink("127.0.0.4", port, name="dead") as dead:
            dead.greeting = "421 4.3.2 dead.test busy"
            world.send(["first@down.test"])
            world.sinks["mx2"].wait_for(1)
            world.wait_queue_empty()
            assert dead.connections == 1
            world.send(["second@down.test"])
            world.sinks["mx2"].wait_for(2)
            world.wait_queue_empty()
            assert dead.connections == 1  # skipped: its status says it is busy
        status = world.queue / ".hoststat" / "test." / "down." / "dead"
        assert status.read_bytes().startswith(b"V0\nE0\nH0\nS75\nD4.5.0\n")
        listing = subprocess.run([str(BIN / "hoststat"), "-C", str(world.cf)],
                                 capture_output=True, text=True, check=True).stdout
        assert "dead.down.test" in listing


@pytest.mark.parametrize("server_dsn", [True, False])
def test_notify_success_through_smtp(world: World, server_dsn: bool) -> None:
    """NOTIFY=SUCCESS goes along to a server with DSN; without DSN we say "relayed"."""
    if not server_dsn:
        world.sinks["mx1"].keywords.remove("DSN")
    with smtplib.SMTP("127.0.0.1", world.daemon.port, timeout=30) as client:
        client.ehlo("client.test")
        client.sendmail(SENDER, ["bob@dest.test"], b"Subject: notify\r\n\r\nhi\r\n",
                        rcpt_options=["NOTIFY=SUCCESS,FAILURE"])
    (message,) = world.sinks["mx1"].wait_for(1)
    world.wait_queue_empty()
    if server_dsn:
        assert "NOTIFY=SUCCESS,FAILURE" in message.rcpt_params[0]
        assert world.sinks["sender"].messages == []
    else:
        (receipt,) = world.sinks["sender"].wait_for(1)
        status = email.message_from_bytes(receipt.data).get_payload()[1].as_string()  # type: ignore[index]
        assert "Action: relayed (to non-DSN-aware mailer)" in status


def test_a_bounce_is_never_bounced(tmp_path: Path) -> None:
    """Mail from <> that fails goes to DoubleBounceAddress; if that fails too, it ends."""
    with make_world(tmp_path, ("confDOUBLE_BOUNCE_ADDRESS=pmfail@dest.test",)) as world:
        for address in ("nobody@dest.test", "pmfail@dest.test"):
            world.sinks["mx1"].rcpt_replies[address] = "550 5.1.1 no such user"
            world.sinks["mx2"].rcpt_replies[address] = "550 5.1.1 no such user"
        world.send(["nobody@dest.test"], sender="")
        deadline = time.monotonic() + 30
        while "double bounce lost" not in world.daemon.log.read_text() \
                and time.monotonic() < deadline:
            time.sleep(0.05)
        world.wait_queue_empty()
        log = world.daemon.log.read_text()
    assert "double bounce lost" in log
    assert world.queued() == []
    assert world.sinks["mx1"].messages == []  # nothing went anywhere
    # the double bounce was tried once: its RCPT was refused, and nothing bounced again
    assert sum("pmfail@dest.test" in c for c in world.sinks["mx1"].commands) == 1


def test_bs_session_delivers_after_quit(world: World) -> None:
    """sendmail -bs (inetd style) delivers what its session queued, as the daemon does."""
    user = getpass.getuser()
    proc = subprocess.Popen([str(BIN / "sendmail"), "-bs", "-C", str(world.cf)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            env={**os.environ, **world.env})
    assert proc.stdin is not None and proc.stdout is not None

    def reply() -> bytes:  # one reply, all its lines
        lines = [proc.stdout.readline()]  # type: ignore[union-attr]
        while lines[-1][3:4] == b"-":
            lines.append(proc.stdout.readline())  # type: ignore[union-attr]
        return lines[-1]

    try:
        assert reply().startswith(b"220")
        for command in (b"EHLO client.test", b"MAIL FROM:<>", b"RCPT TO:<me@localhost>",
                        b"DATA", b"Subject: via -bs\r\n\r\nhello bs\r\n.", b"QUIT"):
            proc.stdin.write(command + b"\r\n")
            proc.stdin.flush()
            answer = reply()
            assert answer[:1] in (b"2", b"3"), answer
    finally:
        proc.stdin.close()
        assert proc.wait(60) == 0
        proc.stdout.close()
    (message,) = list(mailbox.mbox(str(world.spool / user)))
    assert message["Subject"] == "via -bs"
    assert world.queued() == []


def test_queue_groups_split_and_run(world: World) -> None:
    """A Q line and a mailer's Q=: its recipients are queued in the group's directory
    (the message split when recipients differ), and a queue run takes every group."""
    stop_daemon(world.daemon.proc)
    bulk = world.tmp / "bulk"
    bulk.mkdir()
    text = world.cf.read_text()
    text = text.replace("\nMesmtp,", f"\nQbulk, P={bulk}, R=2\nMesmtp,", 1)
    start = text.index("\nMesmtp,")
    end = text.index("A=TCP", start)
    text = text[:start] + text[start:end].replace("T=DNS/RFC822/SMTP,",
                                                  "T=DNS/RFC822/SMTP, Q=bulk,") + text[end:]
    world.cf.write_text(text)
    queued = start_daemon(world.cf, world.queue, world.daemon.port, world.tmp / "q.log",
                          env=world.env)  # DeliveryMode=queue
    try:
        world.send(["bob@dest.test", "me@localhost"])
    finally:
        stop_daemon(queued.proc)
    mine = [p.name for p in world.queue.glob("qf*")]
    moved = [p.name for p in bulk.glob("qf*")]
    assert len(mine) == 1 and len(moved) == 1 and mine != moved
    assert b"<bob@dest.test>" in (bulk / moved[0]).read_bytes()
    assert b"<bob@dest.test>" not in (world.queue / mine[0]).read_bytes()
    world.queue_run()
    (message,) = world.sinks["mx1"].wait_for(1)
    assert message.recipients == ["bob@dest.test"]
    assert list(bulk.glob("qf*")) == [] and world.queued() == []
    assert (world.spool / getpass.getuser()).exists()
    # a delivering daemon delivers the part in the group's directory at once too
    delivering = start_daemon(world.cf, world.queue, world.daemon.port,
                              world.tmp / "d.log", env=world.env, deliver=True)
    try:
        world.send(["carol@dest.test", "me@localhost"])
        messages = world.sinks["mx1"].wait_for(2)
        deadline = time.monotonic() + 30
        while (list(bulk.glob("qf*")) or world.queued()) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop_daemon(delivering.proc)
    assert messages[1].recipients == ["carol@dest.test"]
    assert list(bulk.glob("qf*")) == [] and world.queued() == []


def test_queue_la_holds_deliveries_until_the_load_falls(world: World) -> None:
    """At QueueLA (with QueueFactor) a message is queued only: neither the daemon nor a
    queue run delivers it while the load is that high; the run after it falls does."""
    stop_daemon(world.daemon.proc)
    loadfile = world.tmp / "loadavg"
    loadfile.write_text("6.00 6.00 6.00 1/100 4242\n")
    env = {**world.env, "MTA_LOADAVG": str(loadfile)}
    # priority of a small message to one recipient: ~30000 + size; factor/(6-2+1)
    # is far below it, so the job waits
    busy = start_daemon(world.cf, world.queue, world.daemon.port, world.tmp / "busy.log",
                        ("QueueLA=2", "QueueFactor=1000"), env=env, deliver=True)
    try:
        world.send(["bob@dest.test"])
    finally:
        stop_daemon(busy.proc)
    run = [str(BIN / "sendmail"), "-qf", "-C", str(world.cf), "-O", "QueueLA=2",
           "-O", "QueueFactor=1000"]
    subprocess.run(run, check=True, env={**os.environ, **env}, timeout=60,
                   capture_output=True)
    assert len(world.queued()) == 1 and world.sinks["mx1"].messages == []
    loadfile.write_text("0.10 0.10 0.10 1/100 4242\n")
    subprocess.run(run, check=True, env={**os.environ, **env}, timeout=60,
                   capture_output=True)
    (message,) = world.sinks["mx1"].wait_for(1)
    assert message.recipients == ["bob@dest.test"]
    assert world.queued() == []


def test_mx_hosts_not_better_than_this_host_are_not_tried(world: World) -> None:
    """As Sendmail's getmxrr(): this host's own MX record and every worse one are
    dropped; when that leaves none, the domain points back here: 554 5.3.5."""
    world.send(["bob@half.test"])
    (message,) = world.sinks["mx1"].wait_for(1)  # the better MX only
    assert message.recipients == ["bob@half.test"]
    world.send(["bob@loop.test"])
    (bounce,) = world.sinks["sender"].wait_for(1)
    status = email.message_from_bytes(bounce.data).get_payload()[1].as_string()
    assert "Status: 5.3.5" in status
    assert world.sinks["mx2"].messages == []  # not tried: it is worse than this host
    world.wait_queue_empty()
    assert world.queued() == []
