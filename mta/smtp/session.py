"""One SMTP server session: the command table, the states, and the replies Sendmail 8.17 gives.

SYNOPSIS
    session = Session(context, peer=("192.0.2.7", 40000), local=("127.0.0.1", 25))
    await session.run(reader, writer)          # a socket, or stdin/stdout for -bs

DESCRIPTION
    Mirrors smtp() of Sendmail's srvrsmtp.c. Bytes go through the sans-IO
    framing of mta.smtp.wire; every policy decision comes from the .cf's
    check rulesets through mta.rules.check.Policy (check_relay at connect,
    check_mail, check_rcpt, check_data, the H-line header checks, check_eoh,
    check_eom, check_vrfy, check_expn and check_etrn), called with the
    macros Sendmail sets ({client_addr},
    {client_name}, {client_resolve}, {daemon_name}, {daemon_flags}, $s, $f,
    {mail_from}, {addr_type}, {nrcpts} ...). The protocol code decides no
    policy of its own: it checks syntax, state and the option limits
    (MaxMessageSize, MaxRecipientsPerMessage, PrivacyOptions).

    Slowing down, as Sendmail does: with the load average at or over
    DelayLA each command waits a second before it is answered, and a
    client that has had BadRcptThrottle recipients refused waits a second
    before each further RCPT. {load_avg} holds the load average.

    Replies are buffered and written when a command ends a pipeline group
    (EHLO, DATA, QUIT, ...) or when no further command is waiting in the
    input (RFC 2920, Postfix's SMTPD_CMD_FLAG_LAST), so a pipelined group
    costs one write.

    A message is acknowledged with 250 only after the queue has it on disk
    (Queue.commit returns after the fsyncs); a failure there gives 451 4.3.0
    and nothing is left behind. Any unexpected exception in a command gives
    451 4.3.0 and is logged with its traceback: never a 5xx for our fault.

DIAGNOSTICS
    Nothing raises out of run(); connection errors end the session.

SEE ALSO
    mta.smtp.wire, mta.smtp.server, mta.rules.check, mta.queue.fsqueue,
    RFC 5321, RFC 1869 (SIZE), RFC 2920 (PIPELINING), RFC 3461 (DSN).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import enum
import errno
import logging
import re
import socket
import ssl
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from mta.config.model import Config, HeaderTemplate
from mta.core.hdrinfo import TRACE_FIELDS
from mta.core.reply import Reply
from mta.net.tls import server_context
from mta.rules.check import MacroEnv, Policy, Verdict, define_plain, expand_macros
from mta.smtp import wire
from mta.smtp.auth import PasswordFile, SaslAuthd, b64decode, backend_from_config, decode_plain
from mta.smtp.listener import Listener
from mta.util.loadavg import LoadWatch, delay_la_of
from mta.util.privs import invoker_login
from mta.util.timespec import arpadate, convtime

log = logging.getLogger(__name__)

MAX_BAD_COMMANDS = 25  # Sendmail's MAXBADCOMMANDS
MAXNAME = 256  # Sendmail's MAXNAME: the longest host name
MAX_HEADERS_LENGTH = 32768  # Sendmail's MaxHeadersLength when the .cf sets none
SENDMAIL_VERSION = "8.17.1.9"


class State(enum.Enum):
    """Where the session is (Sendmail keeps the same in gotmail/nrcpts flags)."""

    CONNECTED = enum.auto()  # greeting sent, no HELO yet
    READY = enum.auto()  # HELO/EHLO done, no transaction
    MAIL = enum.auto()  # MAIL accepted
    RCPT = enum.auto()  # at least one RCPT accepted
    CLOSING = enum.auto()


class MessageSink(Protocol):
    """Where an accepted message goes (the queue); see mta.smtp.server.QueueSink."""

    def begin(self) -> MessageWriter: ...


class MessageWriter(Protocol):
    """One message being received: its queue id, the body stream and the commit."""

    qid: str

    def write_body(self, data: bytes) -> None: ...

    async def commit(self, txn: Transaction, headers: list[tuple[str, str, str | None]],
                     macros: dict[str, str] | None = None, size: int | None = None) -> None:
        """Queue the message: headers are (name, value, condition); condition None for
        a field of the message, the H line's ?flags? for one the .cf added; size is
        the message's as it came (header and body, LF line ends)."""
        ...

    def abort(self) -> None: ...


@dataclass
class Recipient:
    """One accepted RCPT: the address as given and its ESMTP parameters."""

    address: str
    notify: str | None = None
    orcpt: str | None = None
    controller: str | None = None  # the C record: ruleset 5 sent it elsewhere (F=5)
    host: str = ""  # where it goes ($@ of its mailer triple): the qf's order


@dataclass
class Transaction:
    """The envelope being built between MAIL and the end of DATA."""

    sender: str = ""
    sender_arg: str = ""
    size: int | None = None
    body: str | None = None
    ret: str | None = None
    envid: str | None = None
    auth: str | None = None
    recipients: list[Recipient] = field(default_factory=list)
    discard: bool = False
    quarantine: str | None = None
    status_message: str | None = None  # the qf's M record (Session.last_error)
    listed: int = 0  # recipients past check_rcpt, a refused unknown user included


@dataclass(frozen=True, slots=True)
class SessionContext:
    """What every session of a daemon shares (built once per configuration)."""

    policy: Policy
    options: Mapping[str, str]
    macros: MacroEnv
    sink: MessageSink
    hostname: str
    listener: Listener
    max_message_size: int = 0
    max_recipients: int = 0
    privacy: frozenset[str] = frozenset()
    help_file: str | None = None
    greeting: str = ""
    tls: ssl.SSLContext | None = None
    auth: SaslAuthd | PasswordFile | None = None
    auth_mechanisms: tuple[str, ...] = ()
    auth_options: frozenset[str] = frozenset()
    max_headers_length: int = 0
    header_checks: Mapping[str, str] = field(default_factory=dict)  # lowercased name -> ruleset
    bad_rcpt_throttle: int = 0  # BadRcptThrottle: refused RCPTs before each further waits 1 s
    command_timeout: float = 3600.0  # Timeout.command: waiting for the next command
    data_timeout: float = 3600.0  # Timeout.datablock: waiting for more of the message
    delay_la: int = 0  # DelayLA: from this load average each command waits a second
    load: Callable[[], int] | None = None  # the load average (mta.util.loadavg.LoadWatch)


def privacy_options(text: str) -> frozenset[str]:
    """The words of PrivacyOptions, goaway spelled out as Sendmail's PRIV_GOAWAY."""
    words = {w.strip().lower() for w in text.replace(",", " ").split() if w.strip()}
    if "goaway" in words:
        # Sendmail's PRIV_GOAWAY: ETRN stays (noetrn is not part of it)
        words |= {"noexpn", "novrfy", "noverb", "authwarnings", "needmailhelo",
                  "needexpnhelo", "needvrfyhelo", "noreceipts", "nobodyreturn"}
    return frozenset(words)


def build_context(policy: Policy, sink: MessageSink, listener: Listener) -> SessionContext:
    """The SessionContext of a listener from the loaded configuration (once per daemon)."""
    config = policy.engine.config
    options = config.options
    auth = backend_from_config()
    offered = options.get("AuthMechanisms", "GSSAPI KERBEROS_V4 DIGEST-MD5 CRAM-MD5")
    mechanisms = tuple(m.upper() for m in offered.replace(",", " ").split())
    macros = policy.engine.macros
    hostname = expand_macros(macros.get("j") or "", macros) or socket.getfqdn()
    greeting = options.get("SmtpGreetingMessage") or config.macros.get("e") or ""
    return SessionContext(
        policy=policy,
        options=options,
        macros=macros,
        sink=sink,
        hostname=hostname,
        listener=listener,
        max_message_size=_int(options.get("MaxMessageSize")),
        max_recipients=_int(options.get("MaxRecipientsPerMessage")),
        privacy=privacy_options(options.get("PrivacyOptions", "public")),
        help_file=options.get("HelpFile"),
        greeting=greeting,
        tls=server_context(options),
        auth=auth,
        auth_mechanisms=tuple(m for m in mechanisms if auth and m in auth.mechanisms),
        auth_options=frozenset(options.get("AuthOptions", "").replace(",", " ").split()),
        max_headers_length=_int(options.get("MaxHeadersLength", str(MAX_HEADERS_LENGTH))),
        header_checks=_header_checks(config.headers),
        bad_rcpt_throttle=_int(options.get("BadRcptThrottle")),
        command_timeout=_timeout(options, "Timeout.command"),
        data_timeout=_timeout(options, "Timeout.datablock"),
        delay_la=delay_la_of(options),
        load=LoadWatch().current,
    )


def _header_checks(templates: Iterable[HeaderTemplate]) -> dict[str, str]:
    """The H lines' $>ruleset checks by lowercased field name (the first H line wins)."""
    checks: dict[str, str] = {}
    for template in templates:
        if template.check_ruleset:
            checks.setdefault(template.name.lower(), template.check_ruleset.lstrip("+"))
    return checks


def _timeout(options: Mapping[str, str], name: str) -> float:
    """A Timeout.* option in seconds (Sendmail's default: 1h for both server reads)."""
    value = options.get(name) or options.get("Timeout")
    seconds = convtime(value) if value else 0
    return float(seconds) if seconds > 0 else 3600.0





def _int(text: str | None) -> int:
    try:
        return int(text or 0)
    except ValueError:
        return 0


class Session:
    """One client connection (or one -bs run)."""

    def __init__(
        self,
        ctx: SessionContext,
        *,
        peer: tuple[str, int] | None,
        local: tuple[str, int] | None,
        client_name: str | None = None,
        client_resolve: str = "OK",
        rates: tuple[int, int, int] | None = None,
    ) -> None:
        self.ctx = ctx
        self.policy = ctx.policy
        self.peer = peer
        self.local = local
        self.state = State.CONNECTED
        self.esmtp = False
        self.helo: str | None = None
        self.txn: Transaction | None = None
        self.bad_commands = 0
        self.rejected: Reply | None = None  # check_relay refused: every command gets it
        self.discard_all = False  # check_relay said $#discard: accept, keep nothing
        self.features: set[str] = set()  # srv_features letters (P: no PIPELINING, ...)
        self.pipelined = False  # more input was waiting behind the current command
        self.tls_active = False
        self.authenticated: str | None = None  # the SASL user after a good AUTH
        self.headers_too_long = False  # the message being received broke MaxHeadersLength
        self.bad_rcpts = 0  # refused RCPTs of this transaction (BadRcptThrottle)
        self.out: list[bytes] = []
        self.label = "localhost"  # $_ and the relay= of log lines, for a client
        # the text of the last 4xx/5xx reply since the session began, RSET, HELO/EHLO
        # or the last message: Sendmail's e_message, which the qf keeps as its M record
        self.last_error: str | None = None
        self.early_talker = False  # greet_pause caught it talking before the greeting
        self.macros = ctx.macros.copy()
        self._set_connect_macros(client_name, client_resolve)
        if rates is not None:  # the daemon's counts (mta.smtp.server.Admission)
            client_rate, total_rate, connections = rates
            self.define("client_rate", str(client_rate))
            self.define("total_rate", str(total_rate))
            self.define("client_connections", str(connections))
        if ctx.load is not None:  # Sendmail's getla() defines it for the rulesets
            self.define("load_avg", str(ctx.load()))

    def overloaded(self) -> bool:
        """DelayLA: is the load average at or over it (then each command waits 1 s)?"""
        ctx = self.ctx
        if ctx.delay_la <= 0 or ctx.load is None:
            return False
        current = ctx.load()
        self.define("load_avg", str(current))
        return current >= ctx.delay_la

    # --- macros ------------------------------------------------------------

    def define(self, name: str, value: str | None) -> None:
        """Define a session macro (value as plain text)."""
        define_plain(self.macros, name, value)

    def _set_connect_macros(self, client_name: str | None, client_resolve: str) -> None:
        listener = self.ctx.listener
        if self.peer is None:
            # -bs from a local user: no client address; Sendmail says "localhost"
            self.client_addr = ""
            self.client_name = "localhost"
        else:
            self.client_addr = _addr_text(self.peer[0])
            self.client_name = client_name or f"[{self.client_addr}]"
        self.define("client_addr", self.client_addr or None)
        self.define("client_name", self.client_name)
        self.define("client_resolve", client_resolve if self.peer else None)
        if self.peer is not None:
            self.define("client_port", str(self.peer[1]))
            # as Sendmail's getauthinfo(): "[addr]" alone for a client without a
            # name, and a name that does not lead back is marked
            self.label = f"[{self.client_addr}]" if client_name is None else (
                f"{self.client_name} [{self.client_addr}]"
                + (" (may be forged)" if client_resolve == "FORGED" else ""))
            self.define("_", self.label)
        else:
            # -bs: the invoking user, as for a submission on the command line
            self.define("_", f"{invoker_login()[0]}@localhost")
        self.define("daemon_name", listener.name)
        # -bs is no daemon: its ${daemon_flags} is a command-line submission's "c u"
        self.define("daemon_flags", daemon_flags(listener.modifiers) if self.peer is not None
                    else SUBMISSION_DAEMON_FLAGS)
        if self.local is not None:
            self.define("daemon_addr", self.local[0])
            self.define("daemon_port", str(self.local[1]))
            self.define("if_addr", _addr_text(self.local[0]))
        self.define("r", "SMTP")

    # --- output ------------------------------------------------------------

    def reply(self, reply: Reply) -> None:
        """Queue a reply for the next flush."""
        if reply.code >= 400:
            self.last_error = reply.text
        for line in reply.wire_lines():
            # Sendmail's messages lose the eighth bit of every byte
            self.out.append(line.encode("latin-1", "replace").translate(_HIGH_BIT_OFF)
                            + b"\r\n")

    def reply_text(self, code: int, text: str) -> None:
        """Queue a reply without an enhanced status (greeting, 354, EHLO lines)."""
        lines = text.split("\n")
        for i, line in enumerate(lines):
            sep = " " if i == len(lines) - 1 else "-"
            self.out.append(f"{code}{sep}{line}".encode("latin-1", "replace") + b"\r\n")

    # --- the check rulesets -------------------------------------------------

    def check(self, ruleset: str, arg1: str, arg2: str | None = None, *,
              e_to: str | None = None) -> Verdict:
        return self.policy.check(ruleset, arg1, arg2, macros=self.macros, e_to=e_to)

    def check_address(self, ruleset: str, addr_type: str, path: str) -> Verdict:
        """check_mail/check_rcpt with ${addr_type} set; a refusal is logged and queued."""
        self.define("addr_type", addr_type)
        verdict = self.check(ruleset, path, e_to=path)
        self.define("addr_type", None)
        if verdict.reply is not None:
            self._log_reject(ruleset, path, verdict.reply)
            self.reply(verdict.reply)
        return verdict

    def greet_pause(self) -> float:
        """Seconds to wait before the greeting: the greet_pause ruleset's $# value in ms."""
        if self.peer is None:
            return 0.0
        verdict = self.check("greet_pause", self.client_name, self.client_addr)
        value = (verdict.value or "").strip()
        return int(value) / 1000.0 if value.isdigit() else 0.0

    def connect_check(self) -> None:
        """check_relay with {client_name} $| {client_addr}, before the greeting."""
        if self.peer is None:
            return
        verdict = self.check("check_relay", self.client_name, self.client_addr)
        if verdict.reply is not None:
            # Sendmail's "nullserver": every command but QUIT, HELO/EHLO, NOOP and
            # RSET gets this reply (a 421 ends the session at the greeting)
            self.rejected = verdict.reply
            self._log_reject("check_relay", self.client_name, verdict.reply)
        self.discard_all = verdict.discard
        features = self.check("srv_features", "")
        self.features = set((features.value or "").split())

    @property
    def closing(self) -> bool:
        """The session ends after the replies now queued."""
        return self.state is State.CLOSING

    def client_label(self) -> str:
        """"name [addr]" of the client (and "(may be forged)"), or "localhost" for -bs."""
        return self.label

    def _log_reject(self, ruleset: str, arg1: str, reply: Reply) -> None:
        log.info("ruleset=%s, arg1=%s, relay=%s, reject=%s", ruleset, arg1,
                 self.client_label(), " ".join(reply.wire_lines()))

    # --- commands ------------------------------------------------------------

    def greeting(self) -> None:
        """The 220 line, or a check_relay 421 instead (then the session ends).

        Sendmail expands SmtpGreetingMessage ($j Sendmail $v/$Z; $b) and puts
        "ESMTP" after its first word.
        """
        if self.rejected is not None and self.rejected.code == 421:
            self.reply(self.rejected)
            self.state = State.CLOSING
            return
        self.define("b", arpadate(time.time()))
        template = self.ctx.greeting
        text = expand_macros(template, self.macros) if template else self.ctx.hostname
        first, sep, rest = text.partition(" ")
        if self.early_talker:  # greet_pause: the first word and "not accepting messages"
            self.reply_text(554, f"{first} ESMTP not accepting messages")
            return
        self.reply_text(220, f"{first} ESMTP{sep}{rest}" if sep else f"{first} ESMTP")

    def refuse_early_talker(self) -> None:
        """FEATURE(greet_pause): the client spoke before the greeting."""
        self.early_talker = True
        self.rejected = Reply(550, "5.0.0", "Command rejected")

    def bad(self, reply: Reply) -> None:
        self.bad_commands += 1
        self.reply(reply)
        if self.bad_commands >= MAX_BAD_COMMANDS:
            self.reply(Reply(421, "4.7.0", f"{self.ctx.hostname} Too many bad commands; "
                             "closing connection"))
            self.state = State.CLOSING

    def helo_cmd(self, arg: str, esmtp: bool) -> None:
        verb = "EHLO" if esmtp else "HELO"
        if not arg.strip():
            self.bad(Reply(501, "5.0.0", f"{verb} requires domain address"))
            return
        helo = arg.strip()
        if not _valid_helo(helo):
            self.bad(Reply(501, "5.0.0", "Invalid domain name"))
            return
        self.helo = helo
        self.esmtp = esmtp
        self.define("s", helo)
        self.define("r", self.protocol())
        self.last_error = None
        self.txn = None
        self.state = State.READY
        # -bs: Sendmail greets the invoking user ($_, "root@localhost")
        who = self.client_name if self.peer else (self.macros.get("_") or "localhost")
        addr = f" [{self.client_addr}]" if self.peer else ""
        if self.macros.get("client_resolve") == "FORGED":
            addr += " (may be forged)"
        hello = f"{self.ctx.hostname} Hello {who}{addr}, pleased to meet you"
        if not esmtp:
            self.reply_text(250, hello)
            return
        if self.rejected is not None:
            self.reply_text(250, f"{hello}\nENHANCEDSTATUSCODES")
            return
        lines = [hello, "ENHANCEDSTATUSCODES"]
        if "P" not in self.features:
            lines.append("PIPELINING")
        privacy = self.ctx.privacy
        if "noexpn" not in privacy:
            lines.append("EXPN")
        if "noverb" not in privacy:
            lines.append("VERB")
        lines.append("8BITMIME")
        size = self.ctx.max_message_size
        lines.append(f"SIZE {size}" if size > 0 else "SIZE")
        lines.append("DSN")
        if "noetrn" not in privacy and "E" not in self.features \
                and not self.ctx.listener.has("E"):
            lines.append("ETRN")
        lines.extend(self.extensions())
        lines.append("DELIVERBY")
        lines.append("HELP")
        self.reply_text(250, "\n".join(lines))

    def extensions(self) -> list[str]:
        """EHLO keywords of AUTH and STARTTLS, in Sendmail's order."""
        out = []
        mechs = self.offered_mechanisms()
        if mechs:
            out.append("AUTH " + " ".join(mechs))
        if self.ctx.tls is not None and not self.tls_active and "S" not in self.features:
            out.append("STARTTLS")
        return out

    def auth_withheld(self) -> bool:
        """AUTH is not offered at all: srv_features A, or AuthOptions p without TLS."""
        return ("A" in self.features or self.ctx.auth is None
                or ("p" in self.ctx.auth_options and not self.tls_active))

    def offered_mechanisms(self) -> tuple[str, ...]:
        if self.auth_withheld() or self.authenticated:
            return ()
        return self.ctx.auth_mechanisms

    def starttls_cmd(self, arg: str) -> str | None:
        if arg.strip():
            self.bad(Reply(501, "5.5.2", "Syntax error (no parameters allowed)"))
            return None
        if "S" in self.features:
            self.reply(Reply(503, "5.5.0", "TLS not available"))
            return None
        if self.ctx.tls is None or self.tls_active:
            self.reply(Reply(454, "4.3.3", "TLS not available after start"))
            return None
        if self.txn is not None:
            self.reply(Reply(503, "5.5.0", "TLS not permitted during a mail transaction"))
            return None
        self.reply(Reply(220, "2.0.0", "Ready to start TLS"))
        return "STARTTLS"

    def tls_started(self, info: ssl.SSLObject | None) -> None:
        """After the handshake: what the client said before is forgotten (RFC 3207)."""
        self.tls_active = True
        self.txn = None
        if info is not None:
            cipher = info.cipher()
            self.define("tls_version", info.version())
            if cipher:
                self.define("cipher", cipher[0])
                self.define("cipher_bits", str(cipher[2]))
        self.define("verify", "NO")

    async def auth_cmd(self, arg: str, read_line: Callable[[], Awaitable[str | None]]) -> None:
        """AUTH mechanism [initial-response]: the SASL exchange, then 235 or the refusal."""
        words = arg.split()
        if self.auth_withheld():
            self.reply(Reply(503, "5.3.3", "AUTH not available"))
            return
        if self.authenticated:
            self.reply(Reply(503, "5.5.0", "Already Authenticated"))
            return
        if self.txn is not None:
            self.reply(Reply(503, "5.5.0", "AUTH not permitted during a mail transaction"))
            return
        if not words:
            self.bad(Reply(501, "5.5.2", "AUTH mechanism must be specified"))
            return
        mech = words[0].upper()
        if mech not in self.offered_mechanisms():
            self.reply(Reply(504, "5.3.3", f"AUTH mechanism {words[0]} not available"))
            return
        initial = words[1] if len(words) > 1 else None

        async def ask(challenge: str) -> bytes | None:
            self.reply_text(334, challenge)
            line = await read_line()
            if line is None:
                return None
            if line.strip() == "*":
                self.reply(Reply(501, "5.0.0", "AUTH aborted"))
                return None
            data = b64decode(line)
            if data is None:
                self.reply(Reply(501, "5.5.4", f"cannot BASE64 decode '{line.strip()}'"))
            return data

        def decode(text: str) -> bytes | None:
            if text == "=":
                return b""
            data = b64decode(text)
            if data is None:
                self.reply(Reply(501, "5.5.4", f"cannot BASE64 decode '{text}'"))
            return data

        if mech == "PLAIN":
            data = decode(initial) if initial is not None else await ask("")
            if data is None:
                return
            creds = decode_plain(data)
            if creds is None:
                self.reply(Reply(535, "5.7.0", "authentication failed"))
                return
            user, password, authzid = creds
        else:  # LOGIN
            if initial is not None:
                first = decode(initial)
            else:
                first = await ask(base64.b64encode(b"Username:").decode())
            if first is None:
                return
            second = await ask(base64.b64encode(b"Password:").decode())
            if second is None:
                return
            user = first.decode("utf-8", "surrogateescape")
            password = second.decode("utf-8", "surrogateescape")
            authzid = ""
        assert self.ctx.auth is not None
        if not user or not password or not await self.ctx.auth.check(user, password):
            self.reply(Reply(535, "5.7.0", "authentication failed"))
            log.info("AUTH failure (%s): user=%s, relay=%s", mech, user, self.client_label())
            return
        self.authenticated = user
        self.define("auth_type", mech)
        self.define("auth_authen", user)
        self.define("auth_author", authzid or user)
        self.define("auth_ssf", "0")
        self.reply(Reply(235, "2.0.0", "OK Authenticated"))
        log.info("AUTH=server, relay=%s, authid=%s, mech=%s, bits=0", self.client_label(),
                 user, mech)

    def not_implemented(self, verb: str, arg: str) -> None:
        line = f"{verb} {arg}".rstrip()
        self.bad(Reply(502, "5.5.1", f'Command not implemented: "{_shown(line)}"'))

    def protocol_error(self) -> None:
        """The client sent more before the reply to HELO/EHLO or DATA (Sendmail: 554)."""
        self.reply(Reply(554, "5.5.0", "SMTP protocol error"))
        self.rejected = Reply(550, "5.0.0", "Command rejected")

    def protocol(self) -> str:
        """$r: SMTP, or ESMTP with S under TLS and A once authenticated (RFC 3848)."""
        if not self.esmtp:
            return "SMTP"
        return "ESMTP" + ("S" if self.tls_active else "") + ("A" if self.authenticated else "")

    def mail_cmd(self, arg: str) -> None:
        if self.txn is not None:
            self.bad(Reply(503, "5.5.0", "Sender already specified"))
            return
        if self.state is State.CONNECTED and "needmailhelo" in self.ctx.privacy:
            self.bad(Reply(503, "5.0.0", "Polite people say HELO first"))
            return
        if self.ctx.listener.has("a") and not self.authenticated:
            self.reply(Reply(530, "5.7.0", "Authentication required"))
            return
        parsed = self._path_and_params(arg, "FROM")
        if parsed is None:
            return
        path, params = parsed
        txn = Transaction(sender=path.strip("<>"), sender_arg=path)
        for key, value in params:
            reply = self._mail_param(txn, key, value)
            if reply is not None:
                self.bad(reply) if reply.code >= 500 else self.reply(reply)
                return
        self.define("f", txn.sender or "<>")
        self.define("mail_from", path)
        self.define("r", self.protocol())
        verdict = self.check_address("check_mail", "e s", path)
        if verdict.reply is not None:
            return
        self.bad_rcpts = 0
        txn.discard = verdict.discard or self.discard_all
        txn.quarantine = verdict.quarantine
        self.txn = txn
        self.state = State.MAIL
        self.reply(Reply(250, "2.1.0", f"{path}... Sender ok"))

    def _path_and_params(self, arg: str, keyword: str
                         ) -> tuple[str, list[tuple[str, str | None]]] | None:
        """"FROM:<path> KEY=VALUE ..." split as Sendmail splits it; None: refused (queued)."""
        head = arg.lstrip()
        rest = head[len(keyword) + 1:].lstrip() if head[:len(keyword) + 1].upper() \
            == keyword + ":" else None
        if not rest:
            self.bad(Reply(501, "5.5.2", f'Syntax error in parameters scanning "{keyword}"'))
            return None
        path, tail, error = self.policy.split_address(rest)
        if error is not None:
            self.reply(error)
            return None
        params: list[tuple[str, str | None]] = []
        for word in tail.split():
            key, eq, value = word.partition("=")
            params.append((key, value if eq else None))
        return path.strip(), params

    def _mail_param(self, txn: Transaction, key: str, value: str | None) -> Reply | None:
        k = key.upper()
        if k == "SIZE" and value is not None:
            # strtol(): leading digits count, anything else is 0; a sign is invalid
            if value.startswith("-"):
                return Reply(552, "5.2.3", "Message size invalid")
            digits = value.lstrip("+")
            n = len(digits) - len(digits.lstrip("0123456789"))
            txn.size = int(digits[:n] or 0)
            limit = self.ctx.max_message_size
            if limit > 0 and txn.size > limit:
                return Reply(552, "5.2.3", "Message size exceeds fixed maximum message "
                             f"size ({limit})")
            return None
        if k == "BODY" and value is not None:
            if value.upper() not in ("7BIT", "8BITMIME"):
                return Reply(501, "5.5.4", f"Unknown BODY type {value}")
            txn.body = value.upper()
            return None
        if k == "RET" and value is not None and value.upper() in ("FULL", "HDRS"):
            txn.ret = value.upper()
            return None
        if k == "ENVID" and value:
            txn.envid = value
            return None
        if k == "AUTH" and value:
            txn.auth = value
            return None
        if k in ("SIZE", "BODY", "RET"):
            return Reply(501, "5.5.2", f"Syntax error in parameters scanning \"{k}\"")
        return Reply(555, "5.5.4", f"{key} parameter unrecognized")

    def rcpt_cmd(self, arg: str) -> None:
        if self.txn is None:
            self.bad(Reply(503, "5.0.0", "Need MAIL before RCPT"))
            return
        limit = self.ctx.max_recipients
        if limit > 0 and len(self.txn.recipients) >= limit:
            # Sendmail counts before it parses: past the limit, nothing else is said
            self.reply(Reply(452, "4.5.3", "Too many recipients"))
            return
        parsed = self._path_and_params(arg, "TO")
        if parsed is None:
            return
        path, params = parsed
        address, refusal = self.policy.parse_recipient(path, macros=self.macros)
        if refusal is not None:
            self.reply(refusal)
            return
        rcpt = Recipient(path.strip("<>"))
        for key, value in params:
            k = key.upper()
            if k == "NOTIFY" and value:
                words = [w.strip().upper() for w in value.split(",")]
                if (not all(w in ("SUCCESS", "FAILURE", "DELAY", "NEVER") for w in words)
                        or ("NEVER" in words and len(words) > 1)):
                    self.bad(Reply(501, "5.5.4", f'Bad argument "{value}"  to NOTIFY'))
                    return
                rcpt.notify = value
            elif k == "ORCPT" and value:
                rcpt.orcpt = value
            else:
                self.bad(Reply(555, "5.5.4", f"{key} parameter unrecognized"))
                return
        verdict = self.check_address("check_rcpt", "e r", path)
        if verdict.reply is not None:
            self.bad_rcpts += 1
            return
        # past check_rcpt, Sendmail's recipient() puts the address on the envelope's
        # list, also when it then finds no such local user
        self.txn.listed += 1
        refusal, replaced = self.policy.check_local_user(path, address, macros=self.macros)
        if refusal is not None:
            self.bad_rcpts += 1
            self.reply(refusal)
            return
        if replaced is not None:  # as Sendmail's maplocaluser(): the address it replaced
            rcpt.controller = f":{path}"
        where = replaced or address
        rcpt.host = (where.host or "") if where is not None else ""
        if verdict.discard:
            self.txn.discard = True
        self.txn.recipients.append(rcpt)
        self.define("nrcpts", str(len(self.txn.recipients)))
        self.state = State.RCPT
        self.reply(Reply(250, "2.1.5", f"{path}... Recipient ok"))

    def data_check(self) -> bool:
        """DATA: may the message start? Queues the 354 or the refusal."""
        if self.txn is None:
            self.bad(Reply(503, "5.0.0", "Need MAIL command"))
            return False
        if not self.txn.recipients:
            self.bad(Reply(503, "5.0.0", "Need RCPT (recipient)"))
            return False
        verdict = self.check("check_data", str(len(self.txn.recipients)))
        if verdict.reply is not None:
            self.reply(verdict.reply)
            return False
        if self.pipelined:
            # the message came before the 354: Sendmail refuses and ends the session
            self.reply(Reply(554, "5.5.0", "SMTP protocol error"))
            self.state = State.CLOSING
            return False
        self.reply_text(354, "End data with <CR><LF>.<CR><LF>")
        return True

    def rset_cmd(self) -> None:
        self.txn = None
        self.last_error = None
        if self.state in (State.MAIL, State.RCPT):
            self.state = State.READY
        self.reply(Reply(250, "2.0.0", "Reset state"))

    def vrfy_cmd(self, arg: str, expand: bool = False) -> None:
        privacy = self.ctx.privacy
        if not expand and "novrfy" in privacy:
            self.reply(Reply(252, "2.5.2", "Cannot VRFY user; try RCPT to attempt delivery "
                             "(or try finger)"))
            return
        if expand and "noexpn" in privacy:
            self.reply(Reply(502, "5.7.0", "Sorry, we do not allow this operation"))
            return
        if not arg.strip():
            self.bad(Reply(501, "5.5.2", "Argument required"))
            return
        ruleset = "check_expn" if expand else "check_vrfy"
        verdict = self.check(ruleset, arg.strip(), e_to=arg.strip())
        if verdict.reply is not None:
            self._log_reject(ruleset, arg.strip(), verdict.reply)
            self.reply(verdict.reply)
            return
        replies = self.policy.vrfy(arg.strip(), macros=self.macros, expand=expand)
        if len(replies) == 1:
            self.reply(replies[0])
            return
        first = replies[0]
        status = f"{first.status} " if first.status else ""
        self.reply_text(first.code, "\n".join(status + r.text for r in replies))

    def expn_cmd(self, arg: str) -> None:
        self.vrfy_cmd(arg, expand=True)

    def etrn_cmd(self, arg: str) -> None:
        if "noetrn" in self.ctx.privacy or "E" in self.features or self.ctx.listener.has("E"):
            self.reply(Reply(502, "5.7.0", "Sorry, we do not allow this operation"))
            return
        if not arg.strip():
            self.bad(Reply(500, "5.5.2", "Parameter required"))
            return
        node = arg.strip()
        verdict = self.check("check_etrn", node)
        if verdict.reply is not None:
            self._log_reject("check_etrn", node, verdict.reply)
            self.reply(verdict.reply)
            return
        if node.startswith("#"):
            group = node[1:]
            groups = {"mqueue", *(g.lower() for g in self.policy.engine.config.queue_groups)}
            if group.lower() not in groups:
                self.reply(Reply(459, "4.5.4", f"Queue {group} unknown"))
                return
            self.reply(Reply(250, "2.0.0", f"Queuing for queue group {group} started"))
            return
        self.reply(Reply(250, "2.0.0", f"Queuing for node {node} started"))

    def help_cmd(self, arg: str) -> None:
        topic = arg.strip().lower()
        text = _help_text(self.ctx.help_file)
        if text is None:
            self.reply(Reply(502, "5.3.0", f"Sendmail {SENDMAIL_VERSION} -- HELP not "
                             "implemented"))
            return
        lines = [t for key, t in text if key == (topic or "smtp")]
        if not lines:
            self.reply(Reply(504, "5.3.0", f'HELP topic "{arg.strip()[:10]}" unknown'))
            return
        self.reply_text(214, "\n".join(f"2.0.0 {line}" for line in lines)
                        + "\n2.0.0 End of HELP info")

    def quit_cmd(self) -> None:
        self.reply(Reply(221, "2.0.0", f"{self.ctx.hostname} closing connection"))
        self.state = State.CLOSING

    def dispatch(self, line: str) -> str | None:
        """Handle one command line; returns "DATA" when the body must follow."""
        verb, _, arg = line.partition(" ")
        verb_u = verb.upper()
        handler = _COMMANDS.get(verb_u)
        if handler is None:  # also in a refused session, as Sendmail answers it
            self.bad(Reply(500, "5.5.1", f'Command unrecognized: "{_shown(line)}"'))
            return None
        if self.rejected is not None and verb_u not in ("QUIT", "NOOP", "RSET", "HELO", "EHLO"):
            self.reply(self.rejected)
            return None
        return handler(self, arg)

    # --- DATA ----------------------------------------------------------------

    async def receive_message(self, events: Callable[[], Awaitable[wire.Event]]) -> None:
        """Read the body (the wire is in DATA mode) and queue it; queue the reply."""
        txn = self.txn
        assert txn is not None
        try:
            writer = self.ctx.sink.begin()
        except Exception:
            log.exception("cannot create a queue file")
            writer = None
        header_buf = bytearray()
        headers: list[tuple[str, str]] | None = None
        reply: Reply | None = None
        self.headers_too_long = False
        header_limit = self.ctx.max_headers_length
        try:
            while True:
                event = await events()
                if isinstance(event, wire.DataBytes):
                    if writer is None:
                        continue
                    data = event.data
                    if headers is None:
                        header_buf += data
                        end, self.headers_too_long = _header_end(header_buf, header_limit)
                        if end < 0 and not self.headers_too_long:
                            continue
                        split = end if end >= 0 else len(header_buf)
                        headers = _parse_headers(bytes(header_buf[:split]))
                        rest = bytes(header_buf[split:])
                        header_buf.clear()
                        if rest:
                            writer.write_body(rest)
                        continue
                    writer.write_body(data)
                    continue
                if isinstance(event, wire.DataEnd):
                    if writer is None:
                        reply = Reply(451, "4.3.0", "Temporary system failure. Please try "
                                      "again later.")
                        break
                    if headers is None:
                        headers = _parse_headers(bytes(header_buf))
                    reply = await self._finish(txn, writer, headers, event)
                    break
                # the input ended or broke off: nothing of the message is queued
                if writer is not None:
                    writer.abort()
                if isinstance(event, wire.BareLineEnd):
                    self.reply(_bare_reply(event))
                elif self.state is not State.CLOSING:  # (a timeout has replied already)
                    self.reply(Reply(421, "4.4.1", f"collect: relay={self.client_label()}, "
                                     f"from={txn.sender_arg}, info=unexpected close"))
                self.state = State.CLOSING
                self.txn = None
                return
        except Exception as exc:
            log.exception("session error while receiving a message")
            if writer is not None:
                with contextlib.suppress(Exception):
                    writer.abort()
            if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
                reply = Reply(452, "4.3.1", "Insufficient disk space; try again later")
            else:
                reply = Reply(451, "4.3.0", "Temporary system failure. Please try again later.")
        self.txn = None
        self.state = State.READY
        assert reply is not None
        self.reply(reply)
        self.last_error = None  # a new envelope begins

    async def _finish(self, txn: Transaction, writer: MessageWriter,
                      headers: list[tuple[str, str]], end: wire.DataEnd) -> Reply:
        limit = self.ctx.max_message_size
        if end.too_big or (limit > 0 and end.size > limit):
            writer.abort()
            return Reply(552, "5.2.3", f"Message exceeds maximum fixed size ({limit})")
        header_limit = self.ctx.max_headers_length
        if self.headers_too_long:
            writer.abort()
            return Reply(552, "5.6.0", f"Headers too large ({header_limit} max)")
        for name, value in headers:
            ruleset = self.ctx.header_checks.get(name.lower())
            if ruleset is None:
                continue
            verdict = self.check(ruleset, value.strip())
            if verdict.reply is not None:
                writer.abort()
                return verdict.reply
            if verdict.discard:
                txn.discard = True
        verdict = self.check("check_eoh", str(len(headers)),
                             str(sum(len(n) + len(v) + 2 for n, v in headers)))
        if verdict.reply is not None:
            writer.abort()
            return verdict.reply
        verdict = self.check("check_eom", str(end.size))
        if verdict.reply is not None:
            writer.abort()
            return verdict.reply
        if txn.discard:
            writer.abort()
            return Reply(250, "2.0.0", f"{writer.qid} Message accepted for delivery")
        self.define("i", writer.qid)
        txn.status_message = self.last_error
        message: list[tuple[str, str, str | None]] = [(n, v, None) for n, v in headers]
        added = self._default_headers(txn, headers)
        await writer.commit(txn, added + message, self.saved_macros(), end.size)
        # Sendmail's logsender(): the Message-Id (the message's own, or the one the
        # .cf added), the BODY= type when one was given
        msgid = next((v.strip() for n, v, _c in (*message, *added)
                      if n.lower() == "message-id"), "")
        log.info("%s: from=%s, size=%d, class=0, nrcpts=%d%s%s, proto=%s, daemon=%s, relay=%s",
                 writer.qid, txn.sender_arg, end.size, len(txn.recipients),
                 f", msgid={msgid[:100]}" if msgid else "",
                 f", bodytype={txn.body}" if txn.body else "",
                 self.protocol(), self.ctx.listener.name,
                 self.client_label())
        return Reply(250, "2.0.0", f"{writer.qid} Message accepted for delivery")

    def saved_macros(self) -> dict[str, str]:
        """The macros Sendmail keeps in the qf file, in its order ($_, $r, $s,
        ${daemon_flags}); a defined macro is kept even when it is empty."""
        out = {}
        for name in ("_", "r", "s", "daemon_flags"):
            value = self.macros.get(name)
            if value is not None:
                out[name] = expand_macros(value, self.macros)
        return out

    def _default_headers(self, txn: Transaction, headers: list[tuple[str, str]]
                         ) -> list[tuple[str, str, str | None]]:
        """The .cf's H lines for the header fields the message lacks, in .cf order.

        As Sendmail's collect() leaves them in the qf file: the value expanded now
        ($a the date, $t the minute for Message-Id, $i the queue id, $g the
        sender as its mailer writes it in a header, $x a local sender's full
        name), with the ?flags? of the H line as the condition under which a
        mailer sends it; Return-Path keeps the deferred $g (a macro marker) for
        the delivery to fill in; Resent- fields only when the message has one;
        Full-Name (?x?) only when $x is known; a field that expands to nothing
        (From: for the null sender) is left out; Received always, also when the
        message has Received: fields of its own (a trace field, mta.core.hdrinfo).
        """
        present = {name.lower() for name, _ in headers}
        resent = any(name.startswith("resent-") for name in present)
        date, minute = _dates(time.time())
        self.define("a", date)
        self.define("b", date)
        self.define("t", minute)
        sender, full_name = self.policy.header_sender(txn.sender, macros=self.macros)
        self.define("g", sender)
        self.define("x", full_name)
        # $u: the one listed recipient, else none
        self.define("u", f"<{txn.recipients[0].address}>"
                    if len(txn.recipients) == 1 and txn.listed == 1 else None)
        try:
            return default_headers(self.policy.engine.config, present, resent, self.macros)
        finally:
            self.define("u", None)


def default_headers(config: Config, present: set[str], resent: bool, macros: MacroEnv
                    ) -> list[tuple[str, str, str | None]]:
    """The .cf's H lines for the fields a message lacks (present: its field names,
    lower case), expanded with macros, in .cf order: (name, value, ?flags?).

    Received always (a trace field); Resent- fields only when the message
    has one (resent); Full-Name (?x?) only when $x is set; Return-Path as
    the deferred $g (a macro marker in the qf); a field that expands to
    nothing is left out.
    """
    out: list[tuple[str, str, str | None]] = []
    for template, name, condition in _header_plan(config):
        if name in present and name not in TRACE_FIELDS:
            continue
        if name.startswith("resent-") and not resent:
            continue
        if "x" in template.flags and not macros.get("x"):
            continue
        if name == "return-path":
            value = " <\x81g>"  # $g of each delivery: a macro marker in the qf
        else:
            value = expand_macros(template.value, macros).lstrip()
            if not value:  # (From: for the null sender) Sendmail leaves it out
                continue
            value = " " + value
        out.append((template.name, value, condition))
    return out


# the last config's H lines without header checks: (template, lower-case name, ?flags?)
_HEADER_PLAN: list[tuple[Config | None, list[tuple[HeaderTemplate, str, str]]]] = [(None, [])]


def _header_plan(config: Config) -> list[tuple[HeaderTemplate, str, str]]:
    cached, plan = _HEADER_PLAN[0]
    if cached is not config:
        plan = [(t, t.name.lower(), _condition(t)) for t in config.headers if not t.check_ruleset]
        _HEADER_PLAN[0] = (config, plan)
    return plan


def _condition(template: HeaderTemplate) -> str:
    """The text between the question marks of the qf record: mailer flags, or a macro."""
    macro = template.macro
    if macro is not None:
        return f"${macro}" if len(macro) == 1 else f"${{{macro}}}"
    return "".join(sorted(template.flags))


_DATE_CACHE: list[tuple[int, str, str]] = [(-1, "", "")]


def _dates(now: float) -> tuple[str, str]:
    """$a/$b (arpadate) and $t (YYYYMMDDHHMM) for now, made once a second."""
    second = int(now)
    cached = _DATE_CACHE[0]
    if cached[0] != second:
        cached = (second, arpadate(second),
                  time.strftime("%Y%m%d%H%M", time.localtime(second)))
        _DATE_CACHE[0] = cached
    return cached[1], cached[2]


SUBMISSION_DAEMON_FLAGS = "c u"  # ${daemon_flags} of a submission without a daemon


def daemon_flags(modifiers: str) -> str:
    """${daemon_flags} as Sendmail 8.17 sets it from the listener's M= letters.

    Observed: the letters in their order, apart, an upper-case one twice
    ("Ea" gives "EE a", "bh" gives "b h").
    """
    return " ".join(c * 2 if c.isupper() else c for c in modifiers if c.isalnum())


_HELO_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789[].-_#:")


def _valid_helo(name: str) -> bool:
    """Sendmail's HELO check: letters, digits and "[].-_#:" only, one word."""
    return len(name) < MAXNAME and all(ch in _HELO_CHARS for ch in name)


def _shown(line: str) -> str:
    return line if len(line) <= 40 else line[:40] + "..."


def _addr_text(addr: str) -> str:
    if ":" in addr:
        if addr.startswith("::ffff:") and "." in addr:
            return addr[7:]
        return "IPv6:" + addr
    return addr


_HEADER_NAME = re.compile(rb"[!-9;-~]+[ \t]*:")


def _header_end(buf: bytearray, limit: int) -> tuple[int, bool]:
    """Where the body starts in buf (-1: not known yet) and whether the header is too long.

    As Sendmail's collect(): the header ends at an empty line, which is not
    part of the body, or at the first line that is neither a header field
    nor a continuation, which is. Every line read in the header counts
    against MaxHeadersLength (limit; 0 for none), also a last one that ends
    it, and a line still unfinished once it is over the limit.
    """
    pos = 0
    while True:
        nl = buf.find(b"\r\n", pos)
        if nl < 0:
            return -1, limit > 0 and len(buf) > limit
        too_long = limit > 0 and nl > limit
        if nl == pos:
            return nl + 2, too_long
        first = bytes(buf[pos:pos + 1])
        if (pos > 0 and first in (b" ", b"\t")) or _HEADER_NAME.match(buf, pos, nl):
            if too_long:
                return nl + 2, True
            pos = nl + 2
            continue
        return pos, too_long


def _parse_headers(raw: bytes) -> list[tuple[str, str]]:
    text = raw.decode("latin-1")
    headers: list[tuple[str, str]] = []
    for line in text.split("\r\n"):
        if not line:
            continue
        if line[:1] in (" ", "\t") and headers:
            name, value = headers[-1]
            headers[-1] = (name, value + "\n" + line)
            continue
        name, colon, value = line.partition(":")
        if not colon:
            continue
        headers.append((name.strip(), value))
    return headers


def _help_text(path: str | None) -> list[tuple[str, str]] | None:
    """The HelpFile as (topic, line) pairs, None when there is none."""
    if not path:
        return None
    try:
        with open(path, encoding="latin-1") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return None
    out = []
    for line in lines:
        if line.startswith("#"):
            continue
        key, _, text = line.partition("\t")
        out.append((key.lower(), text.replace("$v", SENDMAIL_VERSION)))
    return out


def _helo(s: Session, arg: str) -> None:
    s.helo_cmd(arg, False)


def _ehlo(s: Session, arg: str) -> None:
    s.helo_cmd(arg, True)


def _data(s: Session, arg: str) -> str | None:
    return "DATA" if s.data_check() else None


def _noop(s: Session, arg: str) -> None:
    s.reply(Reply(250, "2.0.0", "OK"))


def _verb(s: Session, arg: str) -> None:
    if "noverb" in s.ctx.privacy:
        s.reply(Reply(502, "5.7.0", "Verbose unavailable"))
    else:
        s.reply(Reply(250, "2.0.0", "Verbose mode"))


_COMMANDS: dict[str, Callable[[Session, str], str | None]] = {
    "HELO": _helo,
    "EHLO": _ehlo,
    "MAIL": lambda s, a: s.mail_cmd(a),
    "RCPT": lambda s, a: s.rcpt_cmd(a),
    "DATA": _data,
    "RSET": lambda s, a: s.rset_cmd(),
    "NOOP": _noop,
    "QUIT": lambda s, a: s.quit_cmd(),
    "VRFY": lambda s, a: s.vrfy_cmd(a),
    "EXPN": lambda s, a: s.expn_cmd(a),
    "ETRN": lambda s, a: s.etrn_cmd(a),
    "HELP": lambda s, a: s.help_cmd(a),
    "VERB": _verb,
    "STARTTLS": lambda s, a: s.starttls_cmd(a),
    **{verb: (lambda v: lambda s, a: s.not_implemented(v, a))(verb)
       for verb in ("SEND", "SOML", "SAML", "TURN")},
    "AUTH": lambda s, a: "AUTH",
}


_HIGH_BIT_OFF = bytes(range(128)) * 2


class ByteReader(Protocol):
    """What serve() reads from: a StreamReader, or the daemon's mta.smtp.channel.Channel."""

    async def read(self, n: int = -1, /) -> bytes: ...


class ByteWriter(Protocol):
    """What serve() writes to: a StreamWriter, or the daemon's Channel."""

    def write(self, data: bytes, /) -> None: ...

    async def drain(self) -> None: ...

    async def start_tls(self, context: ssl.SSLContext, /) -> None: ...

    def get_extra_info(self, name: str, default: Any = None, /) -> Any: ...


async def serve(session: Session, reader: ByteReader, writer: ByteWriter | None,
                write: Callable[[bytes], None] | None = None) -> None:
    """Run a session over a reader and a writer (the daemon) or a write function (-bs)."""
    conn = wire.Wire()
    out = write if write is not None else (writer.write if writer is not None else None)
    assert out is not None

    async def flush() -> None:
        if session.out:
            out(b"".join(session.out))
            session.out.clear()
            if writer is not None:
                await writer.drain()

    # Timeout.command / Timeout.datablock: one watchdog timer per session, moved
    # on only when it fires, instead of a timer per read; when the client has
    # been silent too long it cancels the read it waits in
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    last_input = loop.time()
    reading = False
    timed_out = False
    timer: asyncio.TimerHandle | None = None

    def limit() -> float:
        return (session.ctx.data_timeout if conn.state is wire.WireState.DATA
                else session.ctx.command_timeout)

    def watchdog() -> None:
        nonlocal timer, timed_out
        if task is None or task.done():
            return
        deadline = last_input + limit()
        if loop.time() < deadline or not reading:
            timer = loop.call_at(max(deadline, loop.time() + 1.0), watchdog)
            return
        timed_out = True
        task.cancel()

    async def next_event() -> wire.Event:
        nonlocal last_input, reading, timed_out
        while True:
            event = conn.next_event()
            if event is not None:
                return event
            reading = True
            try:
                data = await reader.read(65536)
            except asyncio.CancelledError:
                reading = False
                if not timed_out or task is None:
                    raise
                task.uncancel()
                timed_out = False
                # a client that says nothing for Timeout.command (datablock in DATA)
                # loses the connection, and a message it was sending is not queued
                log.info("timeout waiting for input from %s", session.client_label())
                session.reply(Reply(421, "4.4.2", f"{session.ctx.hostname} Error: timeout "
                                    "exceeded"))
                session.state = State.CLOSING
                conn.eof()
                continue
            reading = False
            last_input = loop.time()
            if not data:
                conn.eof()
                continue
            conn.feed(data)

    async def read_line() -> str | None:
        await flush()
        event = await next_event()
        if isinstance(event, wire.Command):
            return event.line.decode("latin-1")
        return None

    session.connect_check()
    pause = session.greet_pause()
    if pause > 0 and session.rejected is None:
        # FEATURE(greet_pause): a client that talks before the greeting is refused
        try:
            early = await asyncio.wait_for(reader.read(65536), pause)
        except TimeoutError:
            early = None
        if early is not None:
            # as Sendmail: a 554 greeting, and the session goes on with every command
            # but QUIT, HELO/EHLO, NOOP and RSET refused; what came is read as commands
            log.info("rejecting commands from %s due to pre-greeting traffic after %g "
                     "seconds", session.client_label(), pause)
            session.refuse_early_talker()
            if early:
                conn.feed(early)
            else:
                conn.eof()
    session.greeting()
    await flush()
    timer = loop.call_at(last_input + limit(), watchdog)
    try:
        while session.state is not State.CLOSING:
            event = await next_event()
            line: bytes | None = None
            if isinstance(event, wire.Command):
                line = event.line
            elif isinstance(event, wire.CommandWithNul):
                line = event.line.split(b"\0", 1)[0]  # Sendmail's C string ends there
            elif isinstance(event, wire.Closed):
                line = event.partial or None  # an unterminated last line still runs
                if line is None:
                    break
            elif isinstance(event, wire.CommandTooLong):
                session.reply(Reply(421, "4.7.0", f"{session.ctx.hostname} Command too long, "
                                    f"possible attack {session.client_label()}"))
                break
            elif isinstance(event, wire.BareLineEnd):
                session.reply(_bare_reply(event))
                break
            if line is None:
                continue
            verb = line[:5].split(b" ", 1)[0].upper()
            text = line.decode("latin-1")
            session.pipelined = conn.buffered > 0
            throttle = session.ctx.bad_rcpt_throttle
            if throttle and verb == b"RCPT" and session.bad_rcpts >= throttle:
                # Sendmail's BadRcptThrottle: a client that guesses addresses slows down
                await flush()
                await asyncio.sleep(1)
            if session.overloaded():
                await flush()
                await asyncio.sleep(1)  # DelayLA: a second for each command
            try:
                if session.pipelined and verb in (b"HELO", b"EHLO"):
                    session.protocol_error()
                    action = None
                else:
                    action = session.dispatch(text)
            except Exception:
                log.exception("session error in %r", text[:40])
                session.reply(Reply(451, "4.3.0", "Temporary system failure. Please try "
                                    "again later."))
                action = None
            if action == "DATA":
                await flush()
                conn.start_data(session.ctx.max_message_size or None)
                await session.receive_message(next_event)
            elif action == "AUTH":
                await session.auth_cmd(text.partition(" ")[2], read_line)
            elif action == "STARTTLS":
                await flush()
                if writer is None or session.ctx.tls is None:
                    break
                try:
                    await writer.start_tls(session.ctx.tls)
                except (ssl.SSLError, OSError, ConnectionError):
                    break
                conn = wire.Wire()  # plaintext sent behind STARTTLS is dropped (RFC 3207)
                session.tls_started(writer.get_extra_info("ssl_object"))
                continue
            if isinstance(event, wire.Closed):
                break
            if session.closing or not conn.pending():
                await flush()
        await flush()
    except (ConnectionError, OSError):
        pass
    finally:
        if timer is not None:
            timer.cancel()


def _bare_reply(event: wire.BareLineEnd) -> Reply:
    if event.char is wire.BareChar.LF:
        return Reply(421, "4.5.0", "Bare linefeed (LF) not allowed")
    return Reply(421, "4.5.0", "Bare carriage return (CR) not allowed")
