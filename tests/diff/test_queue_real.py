"""Differential test: our queue files against the real Sendmail 8.17, in both directions.

DESCRIPTION
    A private site (a .cf compiled by GNU m4 with the real sendmail-cf
    macros, a queue directory, aliases, a "dump" mailer that appends each
    delivery to /mnt/out/<user>) is bind-mounted at /mnt inside the test
    namespace of tests/diff/nsenv.py, so the real sendmail never sees the
    host network.

    Ours -> real:
    - test_mailq_lists_our_queue: messages committed by mta.queue.FsQueue
      are listed by the real `sendmail -bp` with the same queue id, size
      (the df size), sender, recipients, body type and status message;
    - test_real_queue_run_delivers_our_queue: a real `sendmail -q` delivers
      them through the dump mailer; every header (Return-Path made from the
      macro reference <$g>) and the body arrive intact and the queue is
      empty afterwards.

    Real -> ours:
    - test_real_qf_round_trip: qf (and hf) files written by the real
      sendmail for the SCENARIOS below parse with parse_qf and format_qf
      gives them back byte for byte;
    - test_built_envelope_matches_real: for SMTP dialogues, an envelope
      built only from the dialogue with our helpers (QueueRecipient.from_rcpt,
      QueueHeader.from_message, envelope_flags, initial_priority) formats to
      the real file, byte for byte, after taking over from the real file
      what Sendmail computes at run time from its configuration, clock and
      DNS view: the creation time T; the headers it generates (Return-Path,
      Received, Date, From, Message-Id and .cf H lines: they hold the time,
      the queue id and its host name); the M record (a DNS status text);
      the r records (Final-Recipient, after canonicalization through
      /etc/hosts); and the order of the recipients (sorted by destination
      host, see mta.queue.qfformat).

    Run as a script (as root) to regenerate the unit-test samples of
    tests/unit/queue/data/ from the real sendmail:
        .venv/bin/python tests/diff/test_queue_real.py --write-fixtures

DIAGNOSTICS
    Skipped with a reason when not root, when unshare or namespaces do not
    work, or when /usr/sbin/sendmail, GNU m4 or sendmail-cf are missing.
    SMTP dialogues time out after DIALOGUE_TIMEOUT seconds instead of
    hanging.

SEE ALSO
    mta/queue/fsqueue.py, mta/queue/qfformat.py, tests/diff/nsenv.py,
    tests/unit/queue/test_qfformat.py; Sendmail Installation and Operation
    Guide appendix B.
"""

from __future__ import annotations

import asyncio
import os
import re
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import nsenv
import pytest

from mta.core.hdrinfo import RECIPIENT_FIELDS
from mta.queue.fsqueue import FsQueue
from mta.queue.qfformat import (
    QueueEnvelope,
    QueueHeader,
    QueueRecipient,
    envelope_flags,
    format_qf,
    initial_priority,
    parse_qf,
)

REAL_SENDMAIL = Path("/usr/sbin/sendmail")
GNU_M4 = Path("/usr/bin/m4")
CF_M4 = Path("/usr/share/sendmail/cf/m4/cf.m4")
FIXTURE_DIR = Path(__file__).resolve().parents[1] / "unit" / "queue" / "data"
RUN_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C", "LC_ALL": "C"}
DIALOGUE_TIMEOUT = 60.0
RFC5322_DATE = "%a, %d %b %Y %H:%M:%S +0000"
NS = nsenv.NS_ROOT
CF = f"{NS}/queue.cf"
QUEUE = f"{NS}/mqueue"
SENDMAIL_ARGS = ("-C", CF, "-O", f"QueueDirectory={QUEUE}")
DUMP_HOST = ("192.0.2.99", ("dump.test",))  # routed to the dump mailer by LOCAL_RULE_0
INCLUDE_OWNER = "mail"  # an existing system user owns the :include: file (a C record names it)

MC = f"""\
include(`{CF_M4}')dnl
VERSIONID(`mta.queue differential test')dnl
OSTYPE(`linux')dnl
define(`confCW_FILE', `{NS}/local-host-names')dnl
define(`STATUS_FILE', `{NS}/statistics')dnl
define(`ALIAS_FILE', `{NS}/aliases')dnl
define(`QUEUE_DIR', `{QUEUE}')dnl
FEATURE(`use_cw_file')dnl
FEATURE(`accept_unresolvable_domains')dnl
MAILER(`local')dnl
MAILER(`smtp')dnl
LOCAL_CONFIG
H?${{daemon_flags}}?X-Cond: flags=${{daemon_flags}}
Mdump,	P={NS}/deliver.sh, F=lsnDFMPhu, S=EnvFromL, R=EnvToL, A=deliver.sh $u
LOCAL_RULE_0
R$+ < @ dump.test . > $*	$#dump $: $1
R$+ < @ dump.test > $*	$#dump $: $1
"""
DELIVER_SH = f'#!/bin/sh\ncat >> "{NS}/out/$1"\n'
ALIASES = f"inc: :include:{NS}/inc.list\nfwd: u2@remote.example.net, u3@remote.example.net\n"


def unavailable_reason() -> str | None:
    """Return why this test cannot run here, or None."""
    for path, what in (
        (REAL_SENDMAIL, "the real sendmail (Debian sendmail-bin)"),
        (GNU_M4, "GNU m4"),
        (CF_M4, "sendmail-cf macros (Debian sendmail-cf)"),
    ):
        if not path.exists():
            return f"{what} is not installed ({path})"
    return nsenv.unavailable_reason()


# --------------------------------------------------------------------------- the site


@dataclass(frozen=True)
class Site:
    """A directory mounted at /mnt in the namespace, with the real sendmail's config."""

    root: Path
    env: nsenv.NsEnv

    @property
    def queue(self) -> Path:
        return self.root / "mqueue"

    @property
    def out(self) -> Path:
        return self.root / "out"

    def run(self, args: Sequence[str], stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
        """Run the real sendmail with the site's .cf and queue inside the namespace."""
        argv = self.env.argv([str(REAL_SENDMAIL), *SENDMAIL_ARGS, *args])
        return subprocess.run(
            argv, input=stdin, capture_output=True, env=RUN_ENV, timeout=120, check=False
        )

    def dialogue(self, commands: Sequence[bytes], *args: str) -> list[bytes]:
        """Speak SMTP with `sendmail -bs` (extra args appended), one command at a time.

        Sendmail rejects a client that talks before its greeting, so each
        command (a DATA text is one command) is sent after the reply to the
        previous one. Returns the replies, greeting first.
        """
        argv = self.env.argv([str(REAL_SENDMAIL), *SENDMAIL_ARGS, "-bs", "-odq", *args])
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=RUN_ENV)
        assert proc.stdin is not None and proc.stdout is not None
        reader = _ReplyReader(proc.stdout.fileno())
        try:
            replies = [reader.reply()]
            for command in commands:
                proc.stdin.write(command.replace(b"\n", b"\r\n"))
                proc.stdin.flush()
                replies.append(reader.reply())
        finally:
            proc.stdin.close()
            proc.wait(timeout=DIALOGUE_TIMEOUT)
            proc.stdout.close()
        return replies

    def clear_queue(self) -> None:
        for directory in (self.queue, self.out):
            for entry in directory.iterdir():
                entry.unlink()


class _ReplyReader:
    """Reads SMTP replies from a pipe with a deadline."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._buffer = b""

    def reply(self) -> bytes:
        deadline = time.monotonic() + DIALOGUE_TIMEOUT
        lines: list[bytes] = []
        while True:
            while b"\n" not in self._buffer:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([self._fd], [], [], left)[0]:
                    raise TimeoutError(f"no SMTP reply; got {b''.join(lines)!r}")
                chunk = os.read(self._fd, 65536)
                if not chunk:
                    raise EOFError(f"sendmail closed the session; got {b''.join(lines)!r}")
                self._buffer += chunk
            line, self._buffer = self._buffer.split(b"\n", 1)
            lines.append(line + b"\n")
            if line[3:4] != b"-":
                return b"".join(lines)


def build_site(root: Path) -> Site:
    """Write the site files, compile the .cf with GNU m4, prepare the namespace."""
    work = root / "site"
    for sub in ("mqueue", "out"):
        (work / sub).mkdir(parents=True, exist_ok=True)
    (work / "mqueue").chmod(0o700)
    (work / "out").chmod(0o777)  # the dump mailer runs as DefaultUser
    (work / "queue.mc").write_text(MC)
    cf = subprocess.run(
        [str(GNU_M4), str(work / "queue.mc")], capture_output=True, check=True, env=RUN_ENV
    )
    (work / "queue.cf").write_bytes(cf.stdout)
    (work / "local-host-names").write_text("mail.example.test\n")
    (work / "aliases").write_text(ALIASES)
    (work / "inc.list").write_text("u1@remote.example.net\n")
    shutil.chown(work / "inc.list", user=INCLUDE_OWNER)  # sendmail runs it as its owner
    deliver = work / "deliver.sh"
    deliver.write_text(DELIVER_SH)
    deliver.chmod(0o755)
    env = nsenv.NsEnv(root / "state", binds=((work, NS),), hosts=(*nsenv.TEST_HOSTS, DUMP_HOST))
    env.prepare()
    site = Site(work, env)
    newaliases = site.run(["-bi"])
    if newaliases.returncode != 0:
        raise RuntimeError(f"sendmail -bi failed: {newaliases.stderr!r}")
    return site


# --------------------------------------------------------------------------- scenarios


def _smtp(*commands: str | bytes) -> tuple[bytes, ...]:
    return tuple(c.encode("latin-1") if isinstance(c, str) else c for c in commands)


ESMTP_DSN = _smtp(
    "EHLO client.example.test\n",
    "MAIL FROM:<alice@example.test> SIZE=100 BODY=8BITMIME ENVID=abc123 RET=HDRS\n",
    "RCPT TO:<bob@remote.example.net> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@remote.example.net\n",
    "RCPT TO:<carol@partner.test>\n",
    "DATA\n",
    "Subject: hello\nFrom: Alice <alice@example.test>\nX-Long: a\n  folded line\n\n"
    "body line 1\n..dot\n.\n",
    "QUIT\n",
)
ESMTP_8BIT = _smtp(
    "EHLO c.example.test\n",
    "MAIL FROM:<x@mail.example.test> BODY=8BITMIME BY=3600;R\n",
    "RCPT TO:<y@remote.example.net> NOTIFY=NEVER\n",
    "RCPT TO:<z@remote.example.net> NOTIFY=DELAY ORCPT=rfc822;Z+2B@remote.example.net\n",
    "DATA\n",
    "Subject: caf\xc3\xa9\nTo: y@remote.example.net\n\nna\xc3\xafve body\n.\n",
    "QUIT\n",
)
ESMTP_HEADERS = _smtp(
    "EHLO c.example.test\n",
    "MAIL FROM:<x@mail.example.test> BY=600;NT RET=FULL\n",
    "RCPT TO:<y@remote.example.net>\n",
    "DATA\n",
    "X-A:bar\nX-B:   spaced\nX-C:\nX-D: \nX-E: tab\n\tfolded\n\t\n"
    "X-F: has $x dollar\nX-Long: "
    + "w" * 1100
    + "\n"
    + "".join(f"X-{b:02X}: a{chr(b)}b\n" for b in range(0x80, 0x100))
    + "\nbody \x81\xff\x80 x\n.\n",
    "QUIT\n",
)
ALIASED = _smtp(
    "EHLO c.example.test\n",
    "MAIL FROM:<x@mail.example.test> ENVID=e1\n",
    "RCPT TO:<inc@mail.example.test> ORCPT=rfc822;inc@mail.example.test NOTIFY=SUCCESS\n",
    "RCPT TO:<fwd@mail.example.test>\n",
    "DATA\n",
    "Subject: aliases\n\nbody\n.\n",
    "QUIT\n",
)
WARNED = _smtp(
    "EHLO c.example.test\n",
    "MAIL FROM:<x@remote.example.net> BODY=8BITMIME RET=HDRS\n",
    "RCPT TO:<y@remote.example.net>\n",
    "DATA\n",
    "Subject: s\nBcc: z@remote.example.net\n\nplain b\xc3\xa9dy\n.\n",
    "QUIT\n",
)
SUBMIT_T = (
    b'To: y@remote.example.net, "Joe" <joe@partner.test>\n'
    b"Bcc: hidden@remote.example.net\nSubject: t test\n\nhello\n"
)


def _queue_names(site: Site, prefix: str) -> list[Path]:
    return sorted(p for p in site.queue.iterdir() if p.name.startswith(prefix))


def _only_qf(site: Site, prefix: str = "qf") -> Path:
    names = _queue_names(site, prefix)
    assert len(names) == 1, f"expected one {prefix} file, found {[p.name for p in names]}"
    return names[0]


def _queue(site: Site, commands: tuple[bytes, ...]) -> None:
    replies = site.dialogue(commands)
    data_reply = replies[-2]
    assert data_reply.startswith(b"250 2.0.0"), replies


def scenario_esmtp_dsn(site: Site) -> list[Path]:
    _queue(site, ESMTP_DSN)
    return [_only_qf(site)]


def scenario_esmtp_8bit(site: Site) -> list[Path]:
    _queue(site, ESMTP_8BIT)
    return [_only_qf(site)]


def scenario_esmtp_headers(site: Site) -> list[Path]:
    _queue(site, ESMTP_HEADERS)
    return [_only_qf(site)]


def scenario_submit_t(site: Site) -> list[Path]:
    proc = site.run(["-odq", "-t", "-i"], SUBMIT_T)
    assert proc.returncode == 0, proc.stderr
    return [_only_qf(site)]


def scenario_after_queue_run(site: Site) -> list[Path]:
    """Aliases expanded by a queue run: C records, K, N, I and a deferral M record."""
    _queue(site, ALIASED)
    site.run(["-q", "-v"])
    return [_only_qf(site)]


def scenario_quarantined(site: Site) -> list[Path]:
    _queue(site, ALIASED)
    qid = _only_qf(site).name[2:]
    site.run([f"-qI{qid}", "-v", "-Qsuspicious stuff"])
    return [_only_qf(site, "hf")]


def scenario_warning_sent(site: Site) -> list[Path]:
    """A delay warning (F w) and the warning message itself (F r), both deferred."""
    _queue(site, WARNED)
    time.sleep(1.1)
    site.run(["-q", "-v", "-O", "Timeout.queuewarn=1s"])
    names = _queue_names(site, "qf")
    assert len(names) == 2, [p.name for p in names]
    return names


SCENARIOS: dict[str, Callable[[Site], list[Path]]] = {
    "esmtp_dsn": scenario_esmtp_dsn,
    "esmtp_8bit": scenario_esmtp_8bit,
    "esmtp_headers": scenario_esmtp_headers,
    "submit_t": scenario_submit_t,
    "after_queue_run": scenario_after_queue_run,
    "quarantined": scenario_quarantined,
    "warning_sent": scenario_warning_sent,
}


# --------------------------------------------------------------------------- fixtures

needs_real = pytest.mark.skipif(unavailable_reason() is not None, reason=str(unavailable_reason()))
pytestmark = [pytest.mark.differential, needs_real]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return build_site(tmp_path_factory.mktemp("queue_real"))


@pytest.fixture
def clean_site(site: Site) -> Site:
    site.clear_queue()
    return site


# --------------------------------------------------------------------------- ours -> real

DUMP_MESSAGES = (
    # (sender, recipients in RCPT order, extra headers, body, notify, envid)
    ("<alice@remote.example.net>", ("<bob@dump.test>",), (), b"first body\n", None, None),
    (
        "<carol@dump.test>",
        ("<dave@dump.test>", "<erin@dump.test>"),
        (("X-Folded", b" one\n\ttwo"), ("X-8bit", " caf\xe9 \u0101".encode())),
        b"second body\n.dot\n\nlast line\n",
        ("SUCCESS", "FAILURE"),
        "env-2",
    ),
    (
        "<>",
        ("<frank@dump.test>",),
        (("Subject", b" bounce-like"),),
        b"" + b"x" * 5000 + b"\n",
        None,
        None,
    ),
)


def _our_envelope(
    qid: str,
    sender: str,
    rcpts: Sequence[str],
    extra: Sequence[tuple[str, bytes]],
    size: int,
    notify: tuple[str, ...] | None,
    envid: str | None,
) -> QueueEnvelope:
    now = int(time.time())
    headers = (
        QueueHeader("Return-Path", b" <\x81g>", "P"),
        QueueHeader.from_message(
            "Received",
            f" from client.example.test (client [192.0.2.1])\n\tby mail.example.test"
            f" with ESMTP id {qid};\n\t{time.strftime(RFC5322_DATE, time.gmtime(now))}",
        ),
        QueueHeader.from_message("Subject", f" queued by mta.queue {qid}"),
        *(QueueHeader.from_message(name, value) for name, value in extra),
    )
    return QueueEnvelope(
        qid=qid,
        sender=sender,
        recipients=tuple(QueueRecipient.from_rcpt(r, notify=notify) for r in reversed(rcpts)),
        headers=headers,
        macros=(
            ("_", "client [192.0.2.1]"),
            ("r", "ESMTP"),
            ("s", "client.example.test"),
            ("daemon_flags", ""),
        ),
        created=now,
        priority=initial_priority(size, len(rcpts)),
        flags=envelope_flags(has_8bit=any(b >= 0x80 for _, v in extra for b in v)),
        body_type="8BITMIME" if extra else None,
        envid=envid,
        status_message="queued by mta.queue" if envid else None,
    )


def _write_ours(site: Site) -> list[tuple[QueueEnvelope, bytes]]:
    queue = FsQueue(site.queue)
    written: list[tuple[QueueEnvelope, bytes]] = []

    async def write_all() -> None:
        for sender, rcpts, extra, body, notify, envid in DUMP_MESSAGES:
            writer = queue.create_body()
            writer.write(body)
            envelope = _our_envelope(
                writer.qid, sender, rcpts, extra, len(body) + 200, notify, envid
            )
            await queue.commit(envelope)
            written.append((envelope, body))

    asyncio.run(write_all())
    return written


_BP_ENTRY = re.compile(rb"^(\S+)\s+(\d+) (\w{3} \w{3} [ \d]\d \d\d:\d\d) (.*)$")


@dataclass
class MailqEntry:
    """One message as `sendmail -bp` lists it."""

    size: int
    sender: str
    recipients: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # body type, (status message)


def parse_mailq(text: bytes) -> dict[str, MailqEntry]:
    """Parse `sendmail -bp` output into {qid: entry}."""
    entries: dict[str, MailqEntry] = {}
    current: MailqEntry | None = None
    for line in text.split(b"\n"):
        match = _BP_ENTRY.match(line)
        if match:
            current = MailqEntry(int(match[2]), match[4].decode())
            entries[match[1].decode()] = current
        elif current is not None and line.startswith(b"\t\t\t\t\t "):
            current.recipients.append(line.strip().decode())
        elif current is not None and line.startswith(b" ") and line.strip():
            current.notes.append(line.strip().decode())
    return entries


def test_mailq_lists_our_queue(clean_site: Site) -> None:
    written = _write_ours(clean_site)
    proc = clean_site.run(["-bp"])
    assert proc.returncode == 0, proc.stderr
    listing = parse_mailq(proc.stdout)
    assert set(listing) == {env.qid for env, _ in written}, proc.stdout.decode()
    assert f"Total requests: {len(written)}".encode() in proc.stdout
    for envelope, body in written:
        entry = listing[envelope.qid]
        assert entry.size == len(body)
        assert entry.sender == envelope.sender
        assert entry.recipients == [r.address for r in envelope.recipients]
        notes = " ".join(entry.notes)
        if envelope.body_type:
            assert envelope.body_type in notes
        if envelope.status_message:
            assert f"({envelope.status_message})" in notes


def test_real_queue_run_delivers_our_queue(clean_site: Site) -> None:
    written = _write_ours(clean_site)
    proc = clean_site.run(["-q", "-v"])
    assert proc.returncode == 0, proc.stderr
    assert list(clean_site.queue.iterdir()) == [], "the real queue run left files behind"
    for envelope, body in written:
        sender = envelope.sender.strip("<>") or "MAILER-DAEMON"
        for rcpt in envelope.recipients:
            user = rcpt.address.strip("<>").split("@")[0]
            delivered = (clean_site.out / user).read_bytes()
            head, _, delivered_body = delivered.partition(b"\n\n")
            assert delivered_body == body
            expected = [f"Return-Path: <{sender}>".encode()]
            expected += [
                h.name.encode() + b":" + h.message_value()
                for h in envelope.headers
                if h.name != "Return-Path"
            ]
            lines = head.split(b"\n")
            for header in expected:
                first = header.split(b"\n")[0]
                assert first in lines, f"{user}: {first!r} not in {head!r}"
            assert b"\n".join(expected[1:]) in head


# --------------------------------------------------------------------------- real -> ours


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_real_qf_round_trip(clean_site: Site, name: str) -> None:
    for path in SCENARIOS[name](clean_site):
        data = path.read_bytes()
        envelope = parse_qf(data, qid=path.name[2:])
        assert format_qf(envelope) == data, f"{name}: {path.name} differs"


@dataclass(frozen=True)
class _RawField:
    name: bytes
    value: bytes


def _raw_fields(header_text: bytes) -> list[_RawField]:
    """Split a message header into fields (folding kept), as an SMTP server would."""
    fields: list[_RawField] = []
    for line in header_text.split(b"\n"):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] = _RawField(fields[-1].name, fields[-1].value + b"\n" + line)
        else:
            name, _, value = line.partition(b":")
            fields.append(_RawField(name, value))
    return fields


def _message_headers(header_text: bytes) -> tuple[QueueHeader, ...]:
    return tuple(
        QueueHeader.from_message(f.name.decode(), f.value) for f in _raw_fields(header_text)
    )


def _dialogue_envelope(commands: Sequence[bytes], real: QueueEnvelope) -> QueueEnvelope:
    """Build the envelope of an SMTP dialogue with our helpers only (see DESCRIPTION)."""
    mail = next(c for c in commands if c.startswith(b"MAIL FROM:")).decode().split()
    params = dict(p.split("=", 1) for p in mail[2:])
    sender = mail[1][len("FROM:") :]
    rcpts = []
    for command in commands:
        if command.startswith(b"RCPT TO:"):
            words = command.decode().split()
            rparams = dict(p.split("=", 1) for p in words[2:])
            notify = tuple(rparams["NOTIFY"].split(",")) if "NOTIFY" in rparams else None
            rcpts.append((words[1][len("TO:") :], notify, rparams.get("ORCPT")))
    helo = commands[0].decode().split()[1]
    data = commands[commands.index(b"DATA\n") + 1]
    header_text, _, body = data[: -len(b".\n")].partition(b"\n\n")
    body = body.replace(b"\n..", b"\n.")  # dot-unstuffing (none at the very start here)
    message_size = len(header_text) + 2 + len(body)
    # Headers Sendmail made (from .cf H lines, plus Received): they come first.
    generated = tuple(h for h in real.headers if h.condition != "" or h.name == "Received")
    has_8bit = any(b >= 0x80 for b in header_text + body)
    body_type = params.get("BODY")
    if body_type == "8BITMIME" and not has_8bit:
        body_type = "7BIT"  # what Sendmail records when no 8-bit byte arrived
    final = {r.address: r.final_recipient for r in real.recipients}
    position = {r.address: i for i, r in enumerate(real.recipients)}
    names = {h.name.decode().lower() for h in _raw_fields(header_text)}
    return QueueEnvelope(
        qid=real.qid,
        sender=sender,
        recipients=tuple(
            QueueRecipient.from_rcpt(
                address, notify=notify, orcpt=orcpt, final_recipient=final[address]
            )
            for address, notify, orcpt in sorted(rcpts, key=lambda r: position[r[0]])
        ),
        headers=generated + _message_headers(header_text),
        macros=(("_", "root@localhost"), ("r", "ESMTP"), ("s", helo), ("daemon_flags", "c u")),
        created=real.created,
        priority=initial_priority(message_size, len(rcpts)),
        body_type=body_type,
        status_message=real.status_message,
        flags=envelope_flags(
            has_8bit=has_8bit,
            delete_bcc=bool(names & RECIPIENT_FIELDS),
            ret=params.get("RET"),
        ),
        envid=params.get("ENVID"),
        deliver_by=real.deliver_by if "BY" in params else None,
    )


@pytest.mark.parametrize(
    ("commands", "expected_by"),
    [(ESMTP_DSN, None), (ESMTP_8BIT, (3600, 0x02)), (ESMTP_HEADERS, (600, 0x11))],
    ids=["dsn", "8bit", "headers"],
)
def test_built_envelope_matches_real(
    clean_site: Site, commands: tuple[bytes, ...], expected_by: tuple[int, int] | None
) -> None:
    _queue(clean_site, commands)
    path = _only_qf(clean_site)
    data = path.read_bytes()
    real = parse_qf(data, qid=path.name[2:])
    if expected_by is None:
        assert real.deliver_by is None
    else:
        assert real.deliver_by is not None
        assert (real.deliver_by.seconds, int(real.deliver_by.mode)) == expected_by
    ours = _dialogue_envelope(commands, real)
    assert format_qf(ours).decode("latin-1") == data.decode("latin-1")


# --------------------------------------------------------------------------- regeneration


def write_fixtures(target: Path = FIXTURE_DIR) -> None:
    """Regenerate tests/unit/queue/data/*.qf from the real sendmail (run as root)."""
    import tempfile

    reason = unavailable_reason()
    if reason:
        raise SystemExit(f"cannot run the real sendmail: {reason}")
    with tempfile.TemporaryDirectory() as tmp:
        real_site = build_site(Path(tmp))
        target.mkdir(parents=True, exist_ok=True)
        for name, scenario in sorted(SCENARIOS.items()):
            real_site.clear_queue()
            for i, path in enumerate(scenario(real_site)):
                suffix = f"-{i + 1}" if i else ""
                out = target / f"{name}{suffix}.{path.name[:2]}"
                out.write_bytes(path.read_bytes())
                print(f"{out}: {path.name}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--write-fixtures"]:
        write_fixtures()
    else:
        raise SystemExit(f"usage: {sys.argv[0]} --write-fixtures")
