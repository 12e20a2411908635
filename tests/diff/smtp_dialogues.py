"""Run scripted SMTP dialogues against a sendmail daemon and compare two implementations.

SYNOPSIS
    .venv/bin/python tests/diff/smtp_dialogues.py [--control] [--show real|ours]
        [--dialogue GLOB]... [--config NAME]... [--keep DIR] [--list] [--json FILE]

    dialogues = load_dialogues()                     # every tests/diff/smtp/*.dlg
    run = run_implementation(REAL, dialogues, work_dir / "real")
    result = compare(dialogues, expected=run, got=other_run)
    print(result.report())

DESCRIPTION
    The daemon differential test (DESIGN.md 4.5). The same scripted client
    dialogues are played against the real Sendmail 8.17 (`/usr/sbin/sendmail
    -bD`) and against ours (`.venv/bin/sendmail -bD`) on the same .cf files,
    and the sequences of replies are compared.

    Configurations. Each tests/diff/smtp/CONFIG.mc is compiled by GNU m4 with
    the real sendmail-cf (bt/harness.compile_mc) with @DIR@ = /mnt/CONFIG; the
    site files of tests/diff/smtp/site/ are copied next to it and their maps
    built by the implementation's own makemap (bt/harness.build_maps), a
    throwaway self-signed certificate (made once per run by the openssl CLI)
    goes into /mnt/CONFIG/tls/. CONFIGS says which listeners a configuration
    has. Every path is private: nothing of /etc/mail is read.

    Namespace. One `unshare` per implementation (tests/diff/nsenv.py: own
    mount, UTS and network namespaces, loopback only, /etc/hosts = HOSTS, a
    DNS server on 127.0.0.1:53 answering from site/dns.zone) runs this file
    with --inside PLAN. That driver

    - adds every client address of the dialogues to the loopback (`ip addr
      add A/32 dev lo`, or the SIOCSIFADDR ioctl on an lo:N alias when
      iproute2 is missing), so that a dialogue can come "from outside";
    - bind-mounts its own nsswitch.conf (`hosts: files dns`, so that reverse
      lookups see the zone's PTR records: the FORGED client) over
      /etc/nsswitch.conf and the directory /mnt/sasl2 (Sendmail.conf:
      pwcheck_method saslauthd) over /usr/lib/sasl2, the last directory on
      Debian's Cyrus SASL configuration path (and over /etc/sasl2 and
      /etc/sasl, earlier on it, where they exist), and answers the saslauthd protocol on
      /mnt/saslauthd/mux itself (SASL_USERS): AUTH PLAIN and LOGIN work
      without touching the host;
    - becomes a child subreaper, then per configuration empties the queue,
      starts the daemon in the foreground (daemon_argv: `sendmail -bD -C
      /mnt/CONFIG/sendmail.cf -odq -O QueueDirectory=... -O
      ServiceSwitchFile=... -O DaemonPortOptions=...` per listener), waits
      until every port is listening (read from /proc/net/tcp, no probe
      connection), plays the configuration's dialogues one after another,
      then stops the daemon (SIGTERM, SIGKILL after STOP_SECONDS) and kills
      and reaps whatever it left behind;
    - prints the results as JSON on stdout.

    Dialogue files (tests/diff/smtp/*.dlg; the file name is the category).
    One directive a line; blank lines and lines starting with # are ignored:

        config NAME        the configuration of the dialogues that follow (one
                           is needed before the first dialogue)
        dialogue NAME      starts a dialogue (names are unique over all files)
        from ADDRESS       client source address (default 127.0.0.1)
        port N             server port (default 2525)
        max-messages N     a safety invariant (invariant_violations): no queue
                           count of the dialogue exceeds N messages (qf+hf
                           files), whatever the reference does
        send TEXT          TEXT and CRLF, in one write
        raw TEXT           TEXT alone (no CRLF added), in one write
        expect [N]         read N complete replies (default 1); multi-line
                           replies are one reply
        expect-close       read replies until the server closes the connection
        data-file N [W]    N bytes of body in lines of W bytes (default 78,
                           CRLF included), then the end-of-data line ".", one write
        starttls           TLS handshake (after the 220 reply to STARTTLS)
        queue              record the number of qf and hf files in the queue
        close              close the connection at once
        repeat N DIRECTIVE the directive N times

    TEXT may contain the escapes \\r \\n \\t \\0 \\\\ and \\xHH, and {{N*TEXT}}
    for TEXT repeated N times (before the escapes are decoded). There is no
    sleep: nothing depends on timing. The connection is made at the first
    directive that needs it. After the last directive, a connection still
    open is half-closed (SHUT_WR, unless TLS is active: then it is closed) and
    read to its end, so that a missing QUIT shows as the server's reply to
    end of input; then the queue is counted once more.

    What is recorded (Event): for each reply its code, enhanced status (the
    RFC 3463 code at the start of the first line, if any) and, for a
    multi-line 250 reply whose first line has no enhanced status (EHLO), the
    keyword lines after the first one, in order and with their parameters;
    the server closing the connection (eof, a reset included), a reply that
    did not come within REPLY_TIMEOUT (timeout: the dialogue stops there),
    the outcome of a TLS handshake, plaintext received after the reply to
    STARTTLS, send and connect failures, and queue counts. compare() compares
    these keys only: reply texts (host names, queue ids, dates), and the
    lines after the first of other multi-line replies (EXPN, HELP), are
    reported in the diffs but never compared.

    The daemon under test must (as Sendmail does) run in the foreground with
    -bD and take the argv of daemon_argv: -C FILE, -odq (queue only: nothing
    is delivered), -O Name=Value for QueueDirectory, ServiceSwitchFile and
    one DaemonPortOptions per listener (Addr=, Port=, Name=, M= modifiers;
    every command-line DaemonPortOptions adds a listener and the .cf's own
    DaemonPortOptions lines are then ignored); listen on those ports only;
    keep each accepted message as qfQID/dfQID (hfQID when quarantined) in
    the queue directory before it sends the 250 reply; exit on SIGTERM. For
    STARTTLS it finds the certificate through the .cf (ServerCertFile...);
    for AUTH the real one asks Cyrus SASL, set up as above, and ours should
    check PLAIN/LOGIN passwords through the same saslauthd socket.

    With SMTP_DIALOGUE_QUEUES=DIR in the environment, the queue files each
    dialogue left are copied to DIR/real/NAME and DIR/ours/NAME, to compare
    the two implementations' qf files by hand (ids and times aside, 293 of
    294 dialogues leave identical ones; a message quarantined by the access
    map is the exception: Sendmail writes its q record before the macros and
    no F record).

DIAGNOSTICS
    unavailable_reason() says why nothing can run here (no real sendmail,
    makemap, GNU m4, sendmail-cf or namespaces): pytest skips with it and the
    script exits 2. A daemon that exits or does not listen within
    START_SECONDS gets a DaemonReport with its error and output, reported
    first (an unfinished daemon of ours shows up so), and every dialogue of
    its configuration is recorded as "error daemon"; a site that cannot be built (our makemap)
    raises SiteError; a driver that crashes raises RunError with its stderr.
    The script exits 1 on any difference or invariant violation.

SEE ALSO
    tests/diff/test_smtp_dialogues.py, tests/diff/nsenv.py,
    tests/diff/bt/harness.py, tests/support/dnsserver.py, RFC 5321, RFC 3463,
    RFC 2920 (PIPELINING), Sendmail op.me "SMTP" and cf/README (access_db,
    delay_checks, srv_features, require_rdns).
"""

from __future__ import annotations

import argparse
import ctypes
import dataclasses
import difflib
import enum
import fcntl
import fnmatch
import json
import os
import re
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nsenv
from bt import harness
from bt.harness import OURS, REAL, Implementation, SiteError

DIFF_DIR = Path(__file__).resolve().parent
SMTP_DIR = DIFF_DIR / "smtp"
SITE_DIR = SMTP_DIR / "site"
DNS_ZONE = SITE_DIR / "dns.zone"
OPENSSL = "openssl"

DEFAULT_PORT = 2525
DEFAULT_CLIENT = "127.0.0.1"
SERVER_ADDRESS = "127.0.0.1"
REPLY_TIMEOUT = 10.0  # seconds for one reply; the real sendmail answers in milliseconds
START_SECONDS = 30.0  # until every listener of a daemon is up
STOP_SECONDS = 10.0  # after SIGTERM, before SIGKILL
RUN_BUDGET = 400.0  # per namespace run: later dialogues are recorded as not run
RUN_TIMEOUT = RUN_BUDGET + 120.0
DATA_LINE_WIDTH = 78
MAX_LINE = 1_000_000  # a reply line longer than this is garbage

# Client addresses and their names in the namespace's /etc/hosts. Left out on
# purpose: 192.0.2.77 (no name anywhere: unresolvable) and 192.0.2.9 (a PTR in
# dns.zone to a name that does not resolve: FORGED).
HOSTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("198.51.100.7", ("remote.example.net", "remote")),
    ("198.51.100.8", ("nopipe.example.net",)),
    ("198.51.100.9", ("plain.example.org",)),
    ("198.51.100.99", ("discarded.example.net",)),
    ("203.0.113.5", ("spam.bad.test",)),
    ("203.0.113.9", ("later.bad.test",)),
    ("203.0.113.10", ("refused.bad.test",)),
    ("10.1.2.3", ("intranet.example.test", "intranet")),
    ("192.0.2.21", ("host.relay.test",)),
    ("192.0.2.66", ("okclient.example.org",)),
)
# The saslauthd stand-in's accounts (user, password).
SASL_USERS: dict[str, str] = {"alice": "wonderland", "bob": "builder"}
SASL_CONF = "pwcheck_method: saslauthd\nsaslauthd_path: {mux}\nmech_list: PLAIN LOGIN\n"
SASL_MOUNT_POINT = "/usr/lib/sasl2"  # last on Debian's Cyrus SASL config path, empty
NSSWITCH = "passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n"


@dataclass(frozen=True, slots=True)
class Listener:
    """One -O DaemonPortOptions of a configuration."""

    port: int
    name: str
    modifiers: str = ""

    def option(self) -> str:
        """Return the DaemonPortOptions value."""
        text = f"Addr={SERVER_ADDRESS},Port={self.port},Name={self.name}"
        return f"{text},M={self.modifiers}" if self.modifiers else text


CONFIGS: dict[str, tuple[Listener, ...]] = {
    "strict": (Listener(2525, "MTA"), Listener(2587, "MSA", "Ea")),
    "delayed": (Listener(2525, "MTA"),),
    "permissive": (Listener(2525, "MTA"),),
    "limits": (Listener(2525, "MTA"),),
}


class StepKind(enum.Enum):
    """What one directive of a dialogue does."""

    SEND = "send"
    RAW = "raw"
    EXPECT = "expect"
    EXPECT_CLOSE = "expect-close"
    DATA_FILE = "data-file"
    STARTTLS = "starttls"
    QUEUE = "queue"
    CLOSE = "close"


class EventKind(enum.StrEnum):
    """What the client saw."""

    REPLY = "reply"
    EOF = "eof"
    TIMEOUT = "timeout"
    GARBAGE = "garbage"  # a line that is not a reply line
    TLS = "tls"
    PLAINTEXT = "plaintext-after-starttls"
    QUEUE = "queue"
    ERROR = "error"


class DialogueError(Exception):
    """A dialogue file is malformed (the message names file and line)."""


class RunError(Exception):
    """The namespace driver failed: its stderr is in the message."""


@dataclass(frozen=True, slots=True)
class Step:
    """One directive: its kind, its bytes (send, raw, data-file) and a count."""

    kind: StepKind
    data: bytes = b""
    count: int = 1
    lineno: int = 0


@dataclass(frozen=True, slots=True)
class Dialogue:
    """One client session of a dialogue file."""

    name: str
    category: str
    config: str
    where: str
    client: str = DEFAULT_CLIENT
    port: int = DEFAULT_PORT
    max_messages: int | None = None
    steps: tuple[Step, ...] = ()


@dataclass(frozen=True, slots=True)
class Event:
    """One thing the client saw; key() is what compare() compares."""

    kind: str
    code: int | None = None
    status: str | None = None
    keywords: tuple[str, ...] = ()
    text: tuple[str, ...] = ()
    queue: tuple[int, int] | None = None  # (qf files, hf files)

    def key(self) -> tuple[object, ...]:
        """The compared part: no reply text, no error details."""
        if self.kind == EventKind.REPLY:
            return (self.kind, self.code, self.status, self.keywords)
        if self.kind == EventKind.QUEUE:
            return (self.kind, self.queue)
        if self.kind in (EventKind.TLS, EventKind.ERROR):
            return (self.kind, self.text[:1])
        return (self.kind,)

    def render_key(self) -> str:
        """The compared part as one line."""
        if self.kind == EventKind.REPLY:
            words = f" [{' | '.join(self.keywords)}]" if self.keywords else ""
            return f"{self.code} {self.status or '-'}{words}"
        if self.kind == EventKind.QUEUE and self.queue is not None:
            return f"queue qf={self.queue[0]} hf={self.queue[1]}"
        if self.kind in (EventKind.TLS, EventKind.ERROR):
            return f"{self.kind} {self.text[0] if self.text else ''}".rstrip()
        return str(self.kind)

    def render(self) -> str:
        """The event with its text, for reports."""
        if self.kind == EventKind.REPLY:
            return "\n".join(self.text) if self.text else self.render_key()
        detail = self.text[1:] if self.kind in (EventKind.TLS, EventKind.ERROR) else self.text
        return f"<{self.render_key()}{': ' + ' '.join(detail) if detail else ''}>"

    def to_json(self) -> dict[str, object]:
        """A JSON-able dict (tuples become lists)."""
        return asdict(self)

    @staticmethod
    def from_json(data: dict[str, object]) -> Event:
        """The inverse of to_json."""
        queue = data.get("queue")
        return Event(
            kind=str(data["kind"]),
            code=data.get("code"),  # type: ignore[arg-type]
            status=data.get("status"),  # type: ignore[arg-type]
            keywords=tuple(data.get("keywords") or ()),  # type: ignore[arg-type]
            text=tuple(data.get("text") or ()),  # type: ignore[arg-type]
            queue=tuple(queue) if queue is not None else None,  # type: ignore[arg-type]
        )


@dataclass(frozen=True, slots=True)
class DaemonReport:
    """How one daemon start went."""

    config: str
    argv: tuple[str, ...]
    error: str | None = None  # None: it listened on every port
    exit_status: int | None = None
    output: str = ""


@dataclass(frozen=True, slots=True)
class RunResult:
    """What one implementation's namespace run recorded."""

    label: str
    daemons: tuple[DaemonReport, ...]
    transcripts: dict[str, tuple[Event, ...]]
    seconds: float
    notes: tuple[str, ...] = ()

    def daemon_failures(self) -> list[DaemonReport]:
        """The daemons that did not start."""
        return [d for d in self.daemons if d.error is not None]


# ---------------------------------------------------------------------------
# Dialogue files


_ESCAPES = {"r": b"\r", "n": b"\n", "t": b"\t", "0": b"\0", "\\": b"\\"}
_REPEAT_RE = re.compile(r"\{\{(\d+)\*(.*?)\}\}")


def decode_text(text: str) -> bytes:
    """Expand {{N*TEXT}}, then decode the escapes; other characters are UTF-8.

    Raises:
        ValueError: an unknown or truncated escape.
    """
    text = _REPEAT_RE.sub(lambda m: m.group(2) * int(m.group(1)), text)
    out = bytearray()
    i = 0
    while i < len(text):
        char = text[i]
        if char != "\\":
            out += char.encode("utf-8")
            i += 1
            continue
        if i + 1 >= len(text):
            raise ValueError("backslash at end of text")
        code = text[i + 1]
        if code in _ESCAPES:
            out += _ESCAPES[code]
            i += 2
        elif code == "x" and re.fullmatch(r"[0-9A-Fa-f]{2}", text[i + 2 : i + 4]):
            out.append(int(text[i + 2 : i + 4], 16))
            i += 4
        else:
            raise ValueError(f"unknown escape \\{code}")
    return bytes(out)


def data_file_bytes(size: int, width: int = DATA_LINE_WIDTH) -> bytes:
    """N bytes of body in CRLF lines of width bytes (the last one shorter), then ".\\r\\n".

    No line starts with a dot, so nothing is dot-stuffed.
    """
    if width < 10:
        raise ValueError("data-file line width must be at least 10")
    body = bytearray()
    number = 0
    while len(body) < size:
        left = size - len(body)
        length = min(width, left)
        number += 1
        if length <= 2:
            body += b"\r\n"[:length] if length == 2 else b"x"
            continue
        stem = f"{number:07d} ".encode()
        fill = (stem + b"abcdefghijklmnopqrstuvwxyz" * (length // 26 + 1))[: length - 2]
        body += fill + b"\r\n"
    if body and not body.endswith(b"\r\n"):
        body += b"\r\n"  # the end-of-data line must start a line
    return bytes(body) + b".\r\n"


def parse_dialogues(path: Path) -> list[Dialogue]:
    """Read one dialogue file (format: module DESCRIPTION).

    Raises:
        DialogueError: a malformed directive, an unknown configuration, a
            dialogue without steps, a duplicate name in the file.
    """
    category = path.stem
    file_config: str | None = None
    dialogues: list[Dialogue] = []
    current: dict[str, object] | None = None
    steps: list[Step] = []

    def fail(lineno: int, message: str) -> DialogueError:
        return DialogueError(f"{path.name}:{lineno}: {message}")

    def finish() -> None:
        if current is None:
            return
        if not steps:
            raise fail(int(str(current["lineno"])), f"dialogue {current['name']} has no steps")
        dialogues.append(
            Dialogue(
                name=str(current["name"]),
                category=category,
                config=str(current["config"]),
                where=f"{path.name}:{current['lineno']}",
                client=str(current["client"]),
                port=int(str(current["port"])),
                max_messages=current["max_messages"],  # type: ignore[arg-type]
                steps=tuple(steps),
            )
        )

    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        directive, _, rest = line.lstrip().partition(" ")
        if directive in ("send", "raw"):
            pass  # the argument is taken as written, trailing spaces included
        else:
            rest = rest.strip()
        count = 1
        if directive == "repeat":
            number, _, rest = rest.partition(" ")
            if not number.isdigit() or int(number) < 1:
                raise fail(lineno, "repeat needs a positive count")
            count = int(number)
            directive, _, rest = rest.partition(" ")
            if directive not in ("send", "raw"):
                rest = rest.strip()
        if directive == "config":
            if rest not in CONFIGS:
                raise fail(lineno, f"unknown config {rest!r}; known: {', '.join(CONFIGS)}")
            finish()
            current, steps, file_config = None, [], rest
            continue
        if directive == "dialogue":
            finish()
            if not re.fullmatch(r"[A-Za-z0-9_.-]+", rest):
                raise fail(lineno, f"bad dialogue name {rest!r}")
            if file_config is None:
                raise fail(lineno, "a config NAME line must come before the first dialogue")
            if any(d.name == rest for d in dialogues):
                raise fail(lineno, f"duplicate dialogue name {rest}")
            current = {
                "name": rest,
                "lineno": lineno,
                "config": file_config,
                "client": DEFAULT_CLIENT,
                "port": DEFAULT_PORT,
                "max_messages": None,
            }
            steps = []
            continue
        if current is None:
            raise fail(lineno, f"{directive} outside a dialogue")
        if directive in ("from", "port", "max-messages"):
            if steps:
                raise fail(lineno, f"{directive} must come before the first step")
            if directive == "from":
                try:
                    socket.inet_aton(rest)
                except OSError:
                    raise fail(lineno, f"bad IPv4 address {rest!r}") from None
                current["client"] = rest
            elif not rest.isdigit():
                raise fail(lineno, f"{directive} needs a number")
            else:
                current["port" if directive == "port" else "max_messages"] = int(rest)
            continue
        try:
            step = _parse_step(directive, rest, lineno)
        except ValueError as exc:
            raise fail(lineno, str(exc)) from None
        steps.extend([step] * count)
    finish()
    return dialogues


def _parse_step(directive: str, rest: str, lineno: int) -> Step:
    if directive == "send":
        return Step(StepKind.SEND, decode_text(rest) + b"\r\n", lineno=lineno)
    if directive == "raw":
        if not rest:
            raise ValueError("raw needs text")
        return Step(StepKind.RAW, decode_text(rest), lineno=lineno)
    if directive == "expect":
        if rest and not rest.isdigit():
            raise ValueError("expect takes a count")
        return Step(StepKind.EXPECT, count=int(rest or "1"), lineno=lineno)
    if directive == "data-file":
        parts = rest.split()
        if not 1 <= len(parts) <= 2 or not all(p.isdigit() for p in parts):
            raise ValueError("data-file SIZE [WIDTH]")
        width = int(parts[1]) if len(parts) == 2 else DATA_LINE_WIDTH
        return Step(StepKind.DATA_FILE, data_file_bytes(int(parts[0]), width), lineno=lineno)
    kinds = {k.value: k for k in (StepKind.EXPECT_CLOSE, StepKind.STARTTLS, StepKind.QUEUE)}
    kinds[StepKind.CLOSE.value] = StepKind.CLOSE
    if directive in kinds:
        if rest:
            raise ValueError(f"{directive} takes no argument")
        return Step(kinds[directive], lineno=lineno)
    raise ValueError(f"unknown directive {directive!r}")


def load_dialogues(
    directory: Path = SMTP_DIR,
    patterns: Sequence[str] = (),
    configs: Sequence[str] = (),
) -> list[Dialogue]:
    """Return the dialogues of every *.dlg of directory, in file order.

    Args:
        patterns: fnmatch patterns on dialogue or category names; none = all.
        configs: configuration names to keep; none = all.

    Raises:
        DialogueError: a malformed file or a name used twice.
    """
    dialogues: list[Dialogue] = []
    seen: dict[str, str] = {}
    for path in sorted(directory.glob("*.dlg")):
        for dialogue in parse_dialogues(path):
            if dialogue.name in seen:
                raise DialogueError(
                    f"{dialogue.where}: dialogue {dialogue.name} also at {seen[dialogue.name]}"
                )
            seen[dialogue.name] = dialogue.where
            dialogues.append(dialogue)
    if patterns:
        dialogues = [
            d
            for d in dialogues
            if any(fnmatch.fnmatchcase(d.name, p) or d.category == p for p in patterns)
        ]
    if configs:
        dialogues = [d for d in dialogues if d.config in configs]
    return dialogues


# ---------------------------------------------------------------------------
# The client (runs inside the namespace)

_STATUS_RE = re.compile(rb"([245]\.\d{1,3}\.\d{1,3})(?: |$)")


class Session:
    """One client connection: a byte buffer over a (possibly TLS) socket."""

    def __init__(self, sock: socket.socket, timeout: float) -> None:
        self.sock = sock
        self.buffer = bytearray()
        self.timeout = timeout
        self.closed_by_server = False
        self.tls = False

    def send(self, data: bytes) -> None:
        self.sock.settimeout(self.timeout)
        self.sock.sendall(data)

    def _fill(self, deadline: float) -> bool:
        """Read more bytes; False at end of stream (or reset)."""
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        self.sock.settimeout(left)
        try:
            chunk = self.sock.recv(65536)
        except (ConnectionResetError, ssl.SSLEOFError, ssl.SSLZeroReturnError):
            chunk = b""
        except ssl.SSLError as exc:
            if "UNEXPECTED_EOF" in str(exc) or "DECRYPTION_FAILED" in str(exc):
                chunk = b""
            else:
                raise
        if not chunk:
            self.closed_by_server = True
            return False
        self.buffer += chunk
        return True

    def read_line(self, deadline: float) -> bytes | None:
        """One line without its CRLF (a bare LF also ends it); None at end of stream."""
        while True:
            end = self.buffer.find(b"\n")
            if end != -1:
                line = bytes(self.buffer[:end])
                del self.buffer[: end + 1]
                return line[:-1] if line.endswith(b"\r") else line
            if len(self.buffer) > MAX_LINE:
                line = bytes(self.buffer)
                self.buffer.clear()
                return line
            if self.closed_by_server or not self._fill(deadline):
                if self.buffer:  # a last line without a line end
                    line = bytes(self.buffer)
                    self.buffer.clear()
                    return line
                return None

    def read_reply(self) -> Event:
        """Read one complete reply (all lines of a multi-line one)."""
        deadline = time.monotonic() + self.timeout
        lines: list[bytes] = []
        try:
            while True:
                line = self.read_line(deadline)
                if line is None:
                    if lines:
                        return Event(EventKind.GARBAGE, text=(*_texts(lines), "<eof in reply>"))
                    return Event(EventKind.EOF)
                if not re.match(rb"[1-5]\d\d([ -]|$)", line) or (
                    lines and line[:3] != lines[0][:3]
                ):
                    return Event(EventKind.GARBAGE, text=_texts([*lines, line]))
                lines.append(line)
                if line[3:4] != b"-":
                    return _reply_event(lines)
        except TimeoutError:
            return Event(EventKind.TIMEOUT, text=_texts(lines))


def _texts(lines: Iterable[bytes]) -> tuple[str, ...]:
    return tuple(line.decode("latin-1") for line in lines)


def _reply_event(lines: list[bytes]) -> Event:
    code = int(lines[0][:3])
    match = _STATUS_RE.match(lines[0][4:])
    status = match.group(1).decode() if match else None
    keywords: tuple[str, ...] = ()
    if code == 250 and len(lines) > 1 and status is None:
        keywords = _texts(line[4:] for line in lines[1:])
    return Event(EventKind.REPLY, code=code, status=status, keywords=keywords, text=_texts(lines))


def queue_event(queue_dir: Path) -> Event:
    """Count the qf (queued) and hf (quarantined) files of the queue directory."""
    names = [p.name for p in queue_dir.iterdir()] if queue_dir.is_dir() else []
    qf = sum(name.startswith("qf") for name in names)
    hf = sum(name.startswith("hf") for name in names)
    return Event(EventKind.QUEUE, queue=(qf, hf))


def play(dialogue: Dialogue, queue_dir: Path, timeout: float = REPLY_TIMEOUT) -> list[Event]:
    """Play one dialogue against the daemon; return what the client saw.

    Side effects:
        Opens and closes one TCP connection from dialogue.client.
    """
    events: list[Event] = []
    session: Session | None = None
    stopped = False
    for step in dialogue.steps:
        if step.kind == StepKind.QUEUE:
            events.append(queue_event(queue_dir))
            continue
        if session is None:
            if stopped:
                break
            try:
                session = _connect(dialogue, timeout)
            except OSError as exc:
                events.append(Event(EventKind.ERROR, text=("connect", str(exc))))
                break
        outcome = _do_step(session, step, events)
        if outcome != "ok":  # the socket is closed
            session, stopped = None, True
        if outcome == "stop":
            break
    if session is not None:
        _drain(session, events)
    events.append(queue_event(queue_dir))
    return events


def _connect(dialogue: Dialogue, timeout: float) -> Session:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.bind((dialogue.client, 0))
        sock.connect((SERVER_ADDRESS, dialogue.port))
    except OSError:
        sock.close()
        raise
    return Session(sock, timeout)


def _do_step(session: Session, step: Step, events: list[Event]) -> str:
    """Run one step; "ok", "closed" (the connection is gone) or "stop" (end the dialogue)."""
    if step.kind in (StepKind.SEND, StepKind.RAW, StepKind.DATA_FILE):
        try:
            session.send(step.data)
        except (OSError, ssl.SSLError) as exc:
            events.append(Event(EventKind.ERROR, text=("send", str(exc))))
            session.sock.close()
            return "closed"
        return "ok"
    if step.kind == StepKind.EXPECT:
        for _ in range(step.count):
            event = session.read_reply()
            events.append(event)
            if event.kind == EventKind.TIMEOUT:
                session.sock.close()
                return "stop"
            if event.kind == EventKind.EOF:
                session.sock.close()
                return "closed"
        return "ok"
    if step.kind == StepKind.EXPECT_CLOSE:
        while True:
            event = session.read_reply()
            events.append(event)
            if event.kind in (EventKind.EOF, EventKind.TIMEOUT):
                session.sock.close()
                return "closed" if event.kind == EventKind.EOF else "stop"
    if step.kind == StepKind.STARTTLS:
        return _starttls(session, events)
    if step.kind == StepKind.CLOSE:
        session.sock.close()
        return "closed"
    raise AssertionError(f"unhandled step {step.kind}")


def _starttls(session: Session, events: list[Event]) -> str:
    if session.buffer:
        events.append(Event(EventKind.PLAINTEXT, text=_texts([bytes(session.buffer)])))
        session.buffer.clear()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        session.sock.settimeout(session.timeout)
        session.sock = context.wrap_socket(session.sock)
    except (OSError, ssl.SSLError) as exc:
        events.append(Event(EventKind.TLS, text=("failed", str(exc))))
        session.sock.close()
        return "closed"
    session.tls = True
    events.append(Event(EventKind.TLS, text=("ok", str(session.sock.version()))))  # type: ignore[attr-defined]
    return "ok"


def _drain(session: Session, events: list[Event]) -> None:
    """After the last step: half-close and read the rest (see DESCRIPTION)."""
    if session.tls:
        session.sock.close()
        return
    try:
        session.sock.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    while True:
        event = session.read_reply()
        events.append(event)
        if event.kind in (EventKind.EOF, EventKind.TIMEOUT):
            break
    session.sock.close()


# ---------------------------------------------------------------------------
# The driver (runs inside the namespace)


def daemon_argv(impl: Implementation, config: str, ns_dir: str) -> list[str]:
    """The daemon command line: the same for every implementation."""
    argv = [
        *impl.sendmail,
        "-bD",
        "-C",
        f"{ns_dir}/sendmail.cf",
        "-odq",
        "-O",
        f"QueueDirectory={ns_dir}/mqueue",
        "-O",
        f"ServiceSwitchFile={ns_dir}/service.switch",
    ]
    for listener in CONFIGS[config]:
        argv += ["-O", f"DaemonPortOptions={listener.option()}"]
    return argv


def _add_address(address: str, index: int) -> str | None:
    """Put address on lo; return an error text or None."""
    if shutil.which("ip"):
        proc = subprocess.run(
            ["ip", "addr", "add", f"{address}/32", "dev", "lo"],
            capture_output=True,
            text=True,
            check=False,
        )
        return None if proc.returncode == 0 else proc.stderr.strip()
    # No iproute2: SIOCSIFADDR and SIOCSIFNETMASK on an alias lo:N, as ifconfig does.
    name = f"lo:{index}".encode()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            for request, value in ((0x8916, address), (0x891C, "255.255.255.255")):
                sockaddr = struct.pack("HH4s8x", socket.AF_INET, 0, socket.inet_aton(value))
                fcntl.ioctl(sock, request, struct.pack("16s16s", name, sockaddr))
        except OSError as exc:
            return str(exc)
    return None


def _listening_ports() -> set[int]:
    """The TCP ports in LISTEN state in this network namespace."""
    ports: set[int] = set()
    for table in ("/proc/self/net/tcp", "/proc/self/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 3 and fields[3] == "0A":
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def _become_subreaper() -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


def _reap_strays() -> int:
    """Stop (SIGTERM, then SIGKILL) and reap the processes left to this subreaper.

    Returns:
        How many there were (session or queue-run children still exiting, zombies).
    """
    me = os.getpid()
    strays = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == me:
            strays.append(int(entry.name))
    for pid in strays:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + STOP_SECONDS
    left = list(strays)
    while left and time.monotonic() < deadline:
        for pid in list(left):
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done = pid
            if done:
                left.remove(pid)
        if left:
            time.sleep(0.02)
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
    return len(strays)


class _SaslAuthd:
    """Answer the saslauthd protocol (counted strings: user, password, service, realm)."""

    def __init__(self, path: str, users: dict[str, str]) -> None:
        self.users = users
        if os.path.exists(path):
            os.unlink(path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        os.chmod(path, 0o777)
        self.sock.listen(16)
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(REPLY_TIMEOUT)
                try:
                    fields = [self._counted(conn) for _ in range(4)]
                    ok = self.users.get(fields[0].decode("latin-1")) == fields[1].decode("latin-1")
                    answer = b"OK" if ok and fields[1] else b"NO authentication failed"
                    conn.sendall(struct.pack("!H", len(answer)) + answer)
                except (OSError, ValueError, struct.error):
                    continue

    @staticmethod
    def _counted(conn: socket.socket) -> bytes:
        def exactly(size: int) -> bytes:
            data = b""
            while len(data) < size:
                chunk = conn.recv(size - len(data))
                if not chunk:
                    raise ValueError("short read")
                data += chunk
            return data

        (size,) = struct.unpack("!H", exactly(2))
        return exactly(size)

    def close(self) -> None:
        self.sock.close()


def _mount_bind(source: str, target: str) -> str | None:
    proc = subprocess.run(
        ["mount", "--bind", source, target], capture_output=True, text=True, check=False
    )
    return None if proc.returncode == 0 else f"mount {target}: {proc.stderr.strip()}"


def _start_daemon(
    argv: Sequence[str], ports: Sequence[int], log: Path
) -> tuple[subprocess.Popen[bytes] | None, str | None]:
    """Start the daemon and wait for its listeners; (process, None) or (None, error)."""
    with open(log, "wb") as out:
        try:
            proc = subprocess.Popen(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd="/",
                env=harness.RUN_ENV,
            )
        except OSError as exc:
            return None, f"cannot start {argv[0]}: {exc}"
    deadline = time.monotonic() + START_SECONDS
    while True:
        missing = set(ports) - _listening_ports()
        if not missing:
            return proc, None
        status = proc.poll()
        if status is not None:
            return None, f"exited with status {status} before listening on {sorted(missing)}"
        if time.monotonic() > deadline:
            _stop_daemon(proc)
            return None, f"not listening on {sorted(missing)} after {START_SECONDS:.0f}s"
        time.sleep(0.02)


def _stop_daemon(proc: subprocess.Popen[bytes]) -> int:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            return proc.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            proc.kill()
    return proc.wait()


def drive(plan: dict[str, object]) -> dict[str, object]:
    """Run a plan inside the namespace (see DESCRIPTION); return the JSON-able results.

    Side effects:
        Adds addresses to lo, bind-mounts, starts and stops daemons, serves saslauthd.
    """
    started = time.monotonic()
    notes: list[str] = []
    every = load_dialogues(Path(str(plan["dialogue_dir"])))
    names = set(plan["names"])  # type: ignore[call-overload]
    dialogues = [d for d in every if d.name in names]
    timeout = float(plan["reply_timeout"])  # type: ignore[arg-type]
    budget = float(plan["budget"])  # type: ignore[arg-type]
    # Every client address of every file, selected or not: interface probing
    # ($=w) then sees the same addresses whatever dialogues run.
    clients = sorted({d.client for d in every if not d.client.startswith("127.")})
    for index, address in enumerate(clients, start=1):
        error = _add_address(address, index)
        if error:
            notes.append(f"cannot add {address} to lo: {error}")
    for source, target, required in plan["mounts"]:  # type: ignore[attr-defined]
        if os.path.exists(target):
            error = _mount_bind(source, target)
        else:
            error = f"{target} does not exist: not mounted" if required else None
        if error:
            notes.append(error)
    sasl = _SaslAuthd(str(plan["saslauthd"]), SASL_USERS)
    _become_subreaper()
    transcripts: dict[str, list[dict[str, object]]] = {}
    daemons: list[dict[str, object]] = []
    try:
        for config in plan["configs"]:  # type: ignore[attr-defined]
            mine = [d for d in dialogues if d.config == config["name"]]
            ns_dir = Path(config["dir"])
            queue_dir = ns_dir / "mqueue"
            _clear(queue_dir)
            proc, error = _start_daemon(config["argv"], config["ports"], ns_dir / "daemon.log")
            report: dict[str, object] = {"config": config["name"], "argv": config["argv"]}
            if proc is None:
                report["error"] = error
                for dialogue in mine:
                    transcripts[dialogue.name] = [
                        Event(EventKind.ERROR, text=("daemon", str(error))).to_json()
                    ]
            else:
                for dialogue in mine:
                    if time.monotonic() - started > budget:
                        event = Event(EventKind.ERROR, text=("not run", "time budget exhausted"))
                        transcripts[dialogue.name] = [event.to_json()]
                        continue
                    _clear(queue_dir)
                    transcripts[dialogue.name] = [
                        e.to_json() for e in play(dialogue, queue_dir, timeout)
                    ]
                    _save_queue(queue_dir, dialogue.name, str(config["argv"][0]))
                report["exit_status"] = _stop_daemon(proc)
            strays = _reap_strays()
            if strays:
                notes.append(f"{config['name']}: killed {strays} process(es) left behind")
            report["output"] = (ns_dir / "daemon.log").read_bytes()[-4000:].decode("latin-1")
            daemons.append(report)
    finally:
        sasl.close()
        _reap_strays()
    return {
        "daemons": daemons,
        "transcripts": transcripts,
        "seconds": time.monotonic() - started,
        "notes": notes,
    }


def _save_queue(queue_dir: Path, name: str, program: str) -> None:
    """With SMTP_DIALOGUE_QUEUES=DIR set: copy the queue files a dialogue left to
    DIR/real/NAME or DIR/ours/NAME (to compare the implementations' files by hand)."""
    target = os.environ.get("SMTP_DIALOGUE_QUEUES")
    if not target:
        return
    out = Path(target) / ("real" if program == REAL.sendmail[0] else "ours") / name
    out.mkdir(parents=True, exist_ok=True)
    for entry in sorted(queue_dir.iterdir()):
        if entry.is_file() and entry.name[:2] in ("qf", "hf", "df"):
            shutil.copyfile(entry, out / entry.name)


def _clear(queue_dir: Path) -> None:
    for entry in queue_dir.iterdir():
        if entry.is_file() or entry.is_symlink():
            entry.unlink()


# ---------------------------------------------------------------------------
# Host side


def unavailable_reason() -> str | None:
    """Why the real daemon cannot be run here, or None when it can."""
    return harness.unavailable_reason()


def make_certificate(directory: Path) -> str | None:
    """Write cert.pem, key.pem and cacert.pem (self-signed) into directory.

    Returns:
        None, or why no certificate could be made (then no STARTTLS is offered).
    """
    directory.mkdir(parents=True, exist_ok=True)
    if shutil.which(OPENSSL) is None:
        return "openssl CLI not installed: no certificate, STARTTLS is not offered"
    proc = subprocess.run(
        [
            OPENSSL,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "3650",
            "-subj",
            f"/CN={nsenv.HOSTNAME}",
            "-keyout",
            str(directory / "key.pem"),
            "-out",
            str(directory / "cert.pem"),
        ],
        capture_output=True,
        text=True,
        env=harness.RUN_ENV,
        check=False,
    )
    if proc.returncode != 0:
        return f"openssl req failed: {proc.stderr.strip()}"
    shutil.copyfile(directory / "cert.pem", directory / "cacert.pem")
    return None


def build_tree(impl: Implementation, tree: Path, configs: Iterable[str], certs: Path) -> None:
    """Make the tree the namespace mounts at /mnt: one site per configuration.

    Raises:
        SiteError: m4 or impl's makemap failed.

    Side effects:
        Creates tree/CONFIG (site, maps, sendmail.cf, tls/), tree/sasl2,
        tree/saslauthd and tree/nsswitch.conf.
    """
    tree.mkdir(parents=True, exist_ok=True)
    tree.chmod(0o755)
    for config in configs:
        host_dir = tree / config
        harness.build_maps(impl, host_dir, site_dir=SITE_DIR)
        harness.compile_mc(SMTP_DIR / f"{config}.mc", f"{nsenv.NS_ROOT}/{config}", host_dir)
        tls = host_dir / "tls"
        tls.mkdir(mode=0o755, exist_ok=True)
        for name in ("cert.pem", "key.pem", "cacert.pem"):
            if (certs / name).exists():
                shutil.copyfile(certs / name, tls / name)
                (tls / name).chmod(0o600 if name == "key.pem" else 0o644)
    (tree / "sasl2").mkdir(mode=0o755, exist_ok=True)
    (tree / "sasl2" / "Sendmail.conf").write_text(
        SASL_CONF.format(mux=f"{nsenv.NS_ROOT}/saslauthd/mux")
    )
    (tree / "saslauthd").mkdir(mode=0o755, exist_ok=True)
    (tree / "nsswitch.conf").write_text(NSSWITCH)


def run_implementation(
    impl: Implementation,
    dialogues: Sequence[Dialogue],
    work_dir: Path,
    *,
    certs: Path | None = None,
    reply_timeout: float = REPLY_TIMEOUT,
    budget: float = RUN_BUDGET,
) -> RunResult:
    """Play the dialogues against impl's daemon in one namespace.

    Args:
        work_dir: a fresh directory for the tree, the namespace state and the plan.
        certs: a directory with cert.pem, key.pem and cacert.pem (make_certificate);
            None makes one in work_dir.

    Raises:
        SiteError: the site could not be built (m4, impl's makemap).
        RunError: the driver crashed or printed no JSON.
    """
    notes: list[str] = []
    if certs is None:
        certs = work_dir / "certs"
        problem = make_certificate(certs)
        if problem:
            notes.append(problem)
    tree = work_dir / "mnt"
    configs = list(dict.fromkeys(d.config for d in dialogues))
    build_tree(impl, tree, configs, certs)
    root = nsenv.NS_ROOT
    plan = {
        "dialogue_dir": str(SMTP_DIR),
        "names": [d.name for d in dialogues],
        "reply_timeout": reply_timeout,
        "budget": budget,
        "saslauthd": f"{root}/saslauthd/mux",
        # [source, target, whether a missing target is worth a note]
        "mounts": [
            [f"{root}/nsswitch.conf", "/etc/nsswitch.conf", True],
            [f"{root}/sasl2", SASL_MOUNT_POINT, True],
            # earlier on the SASL path: a host's own Sendmail.conf must not win
            [f"{root}/sasl2", "/etc/sasl2", False],
            [f"{root}/sasl2", "/etc/sasl", False],
        ],
        "configs": [
            {
                "name": config,
                "dir": f"{root}/{config}",
                "argv": daemon_argv(impl, config, f"{root}/{config}"),
                "ports": [listener.port for listener in CONFIGS[config]],
            }
            for config in configs
        ],
    }
    (tree / "plan.json").write_text(json.dumps(plan, indent=1))
    env = nsenv.NsEnv(work_dir / "state", binds=((tree, root),), hosts=HOSTS, dns_zone=DNS_ZONE)
    env.prepare()
    command = [sys.executable, str(Path(__file__).resolve()), "--inside", f"{root}/plan.json"]
    try:
        save = os.environ.get("SMTP_DIALOGUE_QUEUES")
        proc = subprocess.run(
            env.argv(command),
            capture_output=True,
            cwd="/",
            env={**harness.RUN_ENV, **({"SMTP_DIALOGUE_QUEUES": save} if save else {})},
            timeout=budget + RUN_TIMEOUT - RUN_BUDGET,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise RunError(f"{impl.label}: the namespace driver did not finish: {exc}") from None
    stderr = proc.stderr.decode("latin-1")
    try:
        data = json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise RunError(
            f"{impl.label}: the driver exited {proc.returncode} without results:\n{stderr[-3000:]}"
        ) from None
    daemons = tuple(
        DaemonReport(
            config=d["config"],
            argv=tuple(d["argv"]),
            error=d.get("error"),
            exit_status=d.get("exit_status"),
            output=d.get("output", ""),
        )
        for d in data["daemons"]
    )
    transcripts = {
        name: tuple(Event.from_json(e) for e in events)
        for name, events in data["transcripts"].items()
    }
    return RunResult(
        impl.label, daemons, transcripts, float(data["seconds"]), tuple(notes + data["notes"])
    )


# ---------------------------------------------------------------------------
# Comparison


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One dialogue whose event keys differ."""

    dialogue: Dialogue
    diff: str


@dataclass(frozen=True, slots=True)
class Comparison:
    """The per-dialogue outcome of got against expected."""

    labels: tuple[str, str]
    total: int
    identical: int
    mismatches: tuple[Mismatch, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def summary(self) -> str:
        """One line: how many dialogues gave identical reply sequences."""
        return (
            f"{self.identical} of {self.total} SMTP dialogues identical "
            f"({self.labels[1]} against {self.labels[0]})"
        )

    def report(self, limit: int = 30) -> str:
        """The summary, the notes, then the mismatches (at most limit of them)."""
        parts = [self.summary(), *self.notes]
        for mismatch in self.mismatches[:limit]:
            d = mismatch.dialogue
            parts.append(f"=== {d.name} ({d.where}, config {d.config}, from {d.client})")
            parts.append(mismatch.diff.rstrip("\n"))
        if len(self.mismatches) > limit:
            parts.append(f"... and {len(self.mismatches) - limit} more dialogues differ")
        return "\n".join(parts)


def render_transcript(events: Sequence[Event]) -> str:
    """The events of a dialogue with their texts, one reply line per line."""
    return "\n".join(e.render() for e in events)


def compare(dialogues: Sequence[Dialogue], expected: RunResult, got: RunResult) -> Comparison:
    """Compare the event keys of every dialogue (texts are shown, not compared)."""
    labels = (expected.label, got.label)
    notes = [
        f"{run.label}: daemon for config {d.config} did not start: {d.error}\n"
        f"    argv: {' '.join(d.argv)}\n    output: {d.output.strip()[-1500:] or '(none)'}"
        for run in (expected, got)
        for d in run.daemon_failures()
    ]
    notes += [f"{run.label}: {note}" for run in (expected, got) for note in run.notes]
    mismatches = []
    identical = 0
    for dialogue in dialogues:
        exp = expected.transcripts.get(dialogue.name, ())
        out = got.transcripts.get(dialogue.name, ())
        if [e.key() for e in exp] == [e.key() for e in out] and exp:
            identical += 1
            continue
        keys = difflib.unified_diff(
            [e.render_key() for e in exp],
            [e.render_key() for e in out],
            fromfile=labels[0],
            tofile=labels[1],
            lineterm="",
        )
        diff = "compared (code, enhanced status, [EHLO keywords]; events):\n"
        diff += "\n".join(keys)
        diff += f"\n--- {labels[0]} transcript\n{render_transcript(exp) or '(nothing)'}"
        diff += f"\n--- {labels[1]} transcript\n{render_transcript(out) or '(nothing)'}"
        mismatches.append(Mismatch(dialogue, diff))
    return Comparison(labels, len(dialogues), identical, tuple(mismatches), tuple(notes))


def invariant_violations(dialogues: Sequence[Dialogue], run: RunResult) -> list[str]:
    """Dialogues that left more messages than their max-messages, or timed out."""
    problems = []
    for dialogue in dialogues:
        events = run.transcripts.get(dialogue.name, ())
        if dialogue.max_messages is not None:
            counts = [sum(e.queue) for e in events if e.queue is not None]
            if counts and max(counts) > dialogue.max_messages:
                problems.append(
                    f"{run.label}: {dialogue.name} ({dialogue.where}): {max(counts)} messages "
                    f"queued, at most {dialogue.max_messages} allowed"
                )
    return problems


def incomplete(dialogues: Sequence[Dialogue], run: RunResult) -> list[str]:
    """Dialogues of run with a timeout, a garbage line or a harness error."""
    bad = (EventKind.TIMEOUT, EventKind.GARBAGE, EventKind.ERROR)
    return [
        f"{run.label}: {d.name} ({d.where}): "
        + "; ".join(e.render() for e in run.transcripts.get(d.name, ()) if e.kind in bad)
        for d in dialogues
        if not run.transcripts.get(d.name)
        or any(e.kind in bad for e in run.transcripts.get(d.name, ()))
    ]


def category_counts(dialogues: Iterable[Dialogue]) -> Counter[str]:
    """Dialogues per category (dialogue file)."""
    return Counter(d.category for d in dialogues)


# ---------------------------------------------------------------------------
# Command line


def _run_pair(
    dialogues: Sequence[Dialogue],
    impls: tuple[Implementation, Implementation],
    root: Path,
    reply_timeout: float = REPLY_TIMEOUT,
) -> tuple[RunResult, RunResult]:
    certs = root / "certs"
    problem = make_certificate(certs)
    if problem:
        print(problem, file=sys.stderr)
    labels = (impls[0].label, impls[1].label + ("-ctrl" if impls[0] == impls[1] else ""))
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [
            pool.submit(
                run_implementation,
                impl,
                dialogues,
                root / label,
                certs=certs,
                reply_timeout=reply_timeout,
            )
            for impl, label in zip(impls, labels, strict=True)
        ]
        first, second = (f.result() for f in futures)
    if labels[1] != second.label:
        second = dataclasses.replace(second, label=labels[1])
    return first, second


def main(argv: Sequence[str] | None = None) -> int:
    """The script: compare real with ours (or with itself), or show one run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--control", action="store_true", help="compare real with real")
    parser.add_argument("--show", choices=("real", "ours"), help="run one side, print it")
    parser.add_argument("--dialogue", action="append", default=[], help="name/category glob")
    parser.add_argument("--config", action="append", default=[], choices=sorted(CONFIGS))
    parser.add_argument("--keep", type=Path, help="keep the work files in this directory")
    parser.add_argument("--list", action="store_true", help="list dialogues per category")
    parser.add_argument("--json", type=Path, help="write the recorded events here")
    parser.add_argument("--limit", type=int, default=30, help="mismatches shown")
    parser.add_argument(
        "--reply-timeout", type=float, default=REPLY_TIMEOUT, help="seconds to wait for a reply"
    )
    parser.add_argument("--inside", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inside:
        plan = json.loads(Path(args.inside).read_text())
        json.dump(drive(plan), sys.stdout)
        return 0
    dialogues = load_dialogues(patterns=args.dialogue, configs=args.config)
    if args.list:
        for dialogue in dialogues:
            print(f"{dialogue.category:<14} {dialogue.config:<11} {dialogue.name}")
        for category, count in sorted(category_counts(dialogues).items()):
            print(f"{count:4d} {category}")
        print(f"{len(dialogues):4d} dialogues")
        return 0
    reason = unavailable_reason()
    if reason is not None:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 2
    if not dialogues:
        print("no dialogue selected", file=sys.stderr)
        return 64
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        root, cleanup = args.keep.resolve(), None
    else:
        cleanup = tempfile.TemporaryDirectory(prefix="smtp-dialogues-")
        root = Path(cleanup.name)
    started = time.monotonic()
    try:
        if args.show:
            impl = REAL if args.show == "real" else OURS
            run = run_implementation(
                impl, dialogues, root / impl.label, reply_timeout=args.reply_timeout
            )
            for dialogue in dialogues:
                print(f"=== {dialogue.name} ({dialogue.where}, from {dialogue.client})")
                print(render_transcript(run.transcripts.get(dialogue.name, ())))
            for failure in run.daemon_failures():
                print(f"daemon {failure.config} did not start: {failure.error}\n{failure.output}")
            runs = [run]
            ok = not run.daemon_failures()
        else:
            impls = (REAL, REAL) if args.control else (REAL, OURS)
            try:
                first, second = _run_pair(dialogues, impls, root, args.reply_timeout)
            except SiteError as exc:
                print(f"site could not be built: {exc}", file=sys.stderr)
                return 1
            result = compare(dialogues, first, second)
            print(result.report(args.limit))
            runs = [first, second]
            problems = [p for run in runs for p in invariant_violations(dialogues, run)]
            for problem in problems:
                print(f"INVARIANT: {problem}")
            ok = result.ok and not problems
        if args.json is not None:
            args.json.write_text(
                json.dumps(
                    {
                        run.label: {
                            name: [e.to_json() for e in events]
                            for name, events in run.transcripts.items()
                        }
                        for run in runs
                    },
                    indent=1,
                )
            )
    finally:
        if cleanup is not None:
            cleanup.cleanup()
    print(f"{len(dialogues)} dialogues, {time.monotonic() - started:.1f}s")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
