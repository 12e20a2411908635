"""What a mailer is given: its argument vector and the message as it writes it.

SYNOPSIS
    argv = mailer_argv(mailer, users, macros)             # A= with $h $u $f $g expanded
    data = render_message(engine, envelope, mailer, body, macros=macros, unix_from=True)
    kind = mailer_kind(mailer)                            # MailerKind.SMTP, PROGRAM, FILE ...

DESCRIPTION
    Mirrors deliver() and putheader()/putbody() of Sendmail's deliver.c and
    headers.c for a queued message:

    - the A= words are expanded with the delivery macros; a word with $u
      is repeated for each recipient when the mailer takes several (F=m);
    - the "From " line (UnixFromLine, "From $g $d") goes first for every
      mailer that is not [IPC] and has no F=n;
    - each header of the qf file goes out unless its ?flags? condition
      names no flag of the mailer, or its ?$x? macro is empty; a Bcc: is
      left out when the F record says to delete Bcc (the message has other
      recipient fields) and written empty ("Bcc:") otherwise; macro markers
      (Return-Path: <$g>) are expanded; the address fields (From:, To:,
      Cc: ... as Sendmail's header table says) go through remotename()
      with the mailer's header rulesets (S=/R= after the slash) and are
      written as commaize() writes them;
    - the body follows the blank line; F=E escapes "From " at the start of
      a line as ">From ", F=7 clears the eighth bit of every byte.

    The result has LF line ends; the SMTP client and the program writer
    turn them into what the mailer's E= asks for.

DIAGNOSTICS
    None: rewriting problems leave the address as written.

SEE ALSO
    mta.deliver.runner, mta.rules.resolve (remotename), mta.rules.headers
    (commaize), Sendmail op.me 5.5 (M lines), 5.3 (H lines).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

from mta.config.macros import expand, translate_dollars
from mta.config.model import MailerDef, Op, OpKind
from mta.config.tokens import encode_op
from mta.core.hdrinfo import HEADER_INFO, HeaderFlag
from mta.queue.qfformat import QueueEnvelope, QueueHeader
from mta.rules.engine import RuleEngine
from mta.rules.headers import commaize
from mta.rules.macros import MacroEnv
from mta.rules.resolve import RF_HEADERADDR, RF_SENDERADDR, remotename

_MACRO = 0x81  # a macro reference in a qf header value: 0x81 and a name
_METAQUOTE = 0xFF
_U = encode_op(Op(OpKind.MACROEXPAND, "u"))

# the header table as plain bits (enum.Flag operations cost microseconds each, and
# every header of every message asks): lower-case name -> _BCC | _ADDRESS | _FROM
_BCC, _ADDRESS, _FROM = 1, 2, 4
_KINDS: dict[str, int] = {
    name: (_BCC if flags & HeaderFlag.BCC else 0)
    | (_ADDRESS if flags & (HeaderFlag.FROM | HeaderFlag.RCPT) else 0)
    | (_FROM if flags & HeaderFlag.FROM else 0)
    for name, flags in HEADER_INFO.items()
}


class MailerKind(enum.Enum):
    """How a mailer's P= is carried out."""

    SMTP = "smtp"  # [IPC] or [TCP]: the SMTP client
    FILE = "file"  # [FILE]: append to a file
    PROGRAM = "program"  # a path: a subprocess fed the message on standard input
    LMTP = "lmtp"  # [LPC]: not carried out


def mailer_kind(mailer: MailerDef) -> MailerKind:
    path = mailer.path.upper()
    if path in ("[IPC]", "[TCP]"):
        return MailerKind.SMTP
    if path == "[FILE]":
        return MailerKind.FILE
    if path == "[LPC]":
        return MailerKind.LMTP
    return MailerKind.PROGRAM


def smtp_port(mailer: MailerDef, macros: MacroEnv) -> int:
    """The port of an [IPC] mailer: A=TCP $h PORT, else 25."""
    if len(mailer.argv) >= 3:
        word = expand(mailer.argv[2], macros.get)
        if word.isdigit():
            return int(word)
    return 25


def mailer_argv(mailer: MailerDef, users: Sequence[str], macros: MacroEnv) -> list[str]:
    """The A= vector with macros expanded; the $u word once per user when F=m.

    Args:
        mailer: the M line.
        users: the recipients' user parts ($u), in order.
        macros: the delivery macros ($h, $f, $g, ...); $u is set here.
    """
    argv: list[str] = []
    for word in mailer.argv:
        if _U in word:
            for user in users:
                macros.define("u", user)
                argv.append(expand(word, macros.get))
        else:
            argv.append(expand(word, macros.get))
    if users:
        macros.define("u", users[0])
    return argv


def header_value(value: bytes, macros: MacroEnv) -> bytes:
    """A qf header value with its macro markers expanded and its quoting removed."""
    if _MACRO not in value and _METAQUOTE not in value:
        return value
    out = bytearray()
    start = 0
    i = 0
    n = len(value)
    pending: list[bytes] = []
    while i < n:
        b = value[i]
        if b == _METAQUOTE and i + 1 < n:
            pending.append(value[start:i])
            out += _expand_bytes(b"".join(pending), macros)
            pending.clear()
            out.append(value[i + 1])
            i += 2
            start = i
            continue
        i += 1
    pending.append(value[start:])
    out += _expand_bytes(b"".join(pending), macros)
    return bytes(out)


def _expand_bytes(data: bytes, macros: MacroEnv) -> bytes:
    """Replace each 0x81 NAME or 0x81 {NAME} reference by the macro's value."""
    if _MACRO not in data:
        return data
    text = data.decode("latin-1")
    out: list[str] = []
    i = 0
    while True:
        j = text.find("\x81", i)
        if j < 0 or j + 1 >= len(text):
            out.append(text[i:])
            break
        out.append(text[i:j])
        if text[j + 1] == "{" and "}" in text[j + 2:]:
            end = text.index("}", j + 2)
            name = text[j + 2:end]
            i = end + 1
        else:
            name = text[j + 1]
            i = j + 2
        value = macros.get(name)
        if value:
            out.append(expand(value, macros.get))
    return "".join(out).encode("latin-1", "replace")


def _keep_header(header: QueueHeader, mailer: MailerDef, macros: MacroEnv) -> bool:
    condition = header.condition or ""
    if condition:
        if condition[0] in "$\x81":
            name = condition[1:]
            if name.startswith("{") and name.endswith("}"):
                name = name[1:-1]
            if not macros.get(name):
                return False
        elif not any(c in mailer.flags for c in condition):
            return False
    return True


def render_headers(engine: RuleEngine, envelope: QueueEnvelope, mailer: MailerDef,
                   macros: MacroEnv) -> bytes:
    """The header of the message as mailer gets it (putheader()), LF line ends.

    The engine must already hold macros (mta.rules.check.using_macros).
    """
    parts: list[bytes] = []
    table = engine.tables.ext
    rewrite_headers = bool(mailer.sender_rewrite[1] or mailer.recipient_rewrite[1]
                           or mailer.sender_rewrite[0] or mailer.recipient_rewrite[0])
    for header in envelope.headers:
        if not _keep_header(header, mailer, macros):
            continue
        kind = _KINDS.get(header.name.lower(), 0)
        if kind & _BCC:
            # putheader(): "Bcc -- either truncate or delete"
            if not envelope.delete_bcc:
                parts.append(header.name.encode("latin-1", "replace") + b":\n")
            continue
        value = header_value(header.value, macros)
        if kind & _ADDRESS and rewrite_headers and value.strip():
            rf = RF_HEADERADDR | (RF_SENDERADDR if kind & _FROM else 0)

            def rewrite(address: str, rf: int = rf) -> str:
                text, _status = remotename(engine, address, mailer, rf)
                return text

            text = value.decode("latin-1")
            value = commaize(header.name, text, table, rewrite).encode("latin-1", "replace")
        parts.append(header.name.encode("latin-1", "replace") + b":" + value + b"\n")
    return b"".join(parts)


def unix_from_line(engine: RuleEngine, macros: MacroEnv) -> bytes:
    """The "From " line (UnixFromLine, "From $g $d" unless the .cf says otherwise).

    As putfromline() does, the template is only expanded: an empty $g (the
    null sender through a mailer whose S= rules leave it empty, such as
    *file*) gives "From  date".
    """
    template = translate_dollars(engine.config.options.get("UnixFromLine") or "From $g $d", 10,
                                 comments=False)
    return expand(template, macros.get).encode("latin-1", "replace") + b"\n"


def escape_body(body: bytes, mailer: MailerDef) -> bytes:
    """putbody()'s per-line work: F=E escapes "From " lines, F=7 strips the eighth bit."""
    if "E" in mailer.flags and b"From " in body:
        if body.startswith(b"From "):
            body = b">" + body
        body = body.replace(b"\nFrom ", b"\n>From ")
    if "7" in mailer.flags and not body.isascii():
        body = bytes(b & 0x7F for b in body)
    return body


def render_message(engine: RuleEngine, envelope: QueueEnvelope, mailer: MailerDef,
                   body: bytes, *, macros: MacroEnv, unix_from: bool) -> bytes:
    """Header, blank line and body for mailer, with LF line ends.

    $g must be the sender as rewritten for mailer: the caller's remotename(),
    which for the null sender gives what deliver() gets from remotename("<>")
    ("MAILER-DAEMON" through EnvFromL, nothing through *file* or SMTP).
    """
    head = render_headers(engine, envelope, mailer, macros)
    if "7" in mailer.flags and not head.isascii():
        head = bytes(b & 0x7F for b in head)
    prefix = unix_from_line(engine, macros) if unix_from and "n" not in mailer.flags else b""
    return prefix + head + b"\n" + escape_body(body, mailer)
