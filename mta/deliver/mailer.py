"""What a mailer is given: its argument vector and the message as it writes it.

SYNOPSIS
    argv = mailer_argv(mailer, users, macros)             # A= with $h $u $f $g expanded
    data = render_message(engine, envelope, mailer, body, macros=macros, unix_from=True)
    kind = mailer_kind(mailer)                            # MailerKind.SMTP, PROGRAM, FILE ...
    text = limit_lines(text, mailer.line_limit)           # L=: long lines broken with "!"

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

    Long lines, as putheader()/putbody() hand them to putxline():

    - a header line goes out in pieces of at most 2303 bytes (the first
      counts "Name:"): when a line does not fit, the byte after a full
      piece is lost and the rest follows as a new line that starts with a
      space; what does not fit of the last line (one with no newline after
      it) is lost. This is done for every mailer, with or without L=;
    - with L=N (mailer.line_limit), every line longer than N bytes, the
      "From " line and header lines included, is broken: its first N-1
      bytes and "!", then, while what is left with a space before it is
      still longer than N, a space, N-2 bytes and "!", and last a space and
      the rest. "ab...z" (41 bytes) at L=40 is 39 bytes + "!" and " yz".
      The ">" of F=E and the "." that SMTP dot-stuffing adds do not count;
      the end of line (E=) does not count. A body line is handed over in
      pieces of 2047 bytes and the count starts again at each piece, so a
      body line longer than 2047 bytes can give an output line longer than
      N where two pieces meet (and an L= of 2047 or more breaks no body
      line); no dot is added where a piece starts.

    With L= under 80, address fields are wrapped at L-2 columns instead of
    78, as Sendmail's commaize() wraps them for such a mailer.

    Not done (yet): Sendmail sometimes writes ">" (F=E) before a "From "
    that starts exactly where two 2047-byte pieces of a body line meet
    (seen only with L= of 106 or less, in some messages and not in others
    with the same lines: the rule was not found; here it never does); a
    message converted to 7 bits for an SMTP server without 8BITMIME
    (smtpclient's convert) is converted after its lines are broken, where
    Sendmail presumably breaks what mime8to7() writes (not compared yet).

    The result has LF line ends; the SMTP client and the program writer
    turn them into what the mailer's E= asks for (smtp_data adds the
    dot-stuffing after the lines are broken).

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
from mta.rules.headers import LINE_MAX, commaize
from mta.rules.macros import MacroEnv
from mta.rules.resolve import RF_HEADERADDR, RF_SENDERADDR, remotename

_MACRO = 0x81  # a macro reference in a qf header value: 0x81 and a name
_METAQUOTE = 0xFF
_U = encode_op(Op(OpKind.MACROEXPAND, "u"))
# Sendmail 8.17 writes a header line in pieces of at most this many bytes (a buffer
# of MAXLINE + MAXNAME, less its NUL), with or without L=
_HEADER_PIECE = 2303
# and a body line in pieces of at most this many (MAXLINE less the NUL); the L= count
# starts again with each piece
_BODY_PIECE = 2047

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
    # commaize()'s line width: 78, or L-2 for a mailer whose L= is shorter
    width = mailer.line_limit - 2 if 2 <= mailer.line_limit < LINE_MAX + 2 else LINE_MAX
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
            value = commaize(header.name, text, table, rewrite,
                             width).encode("latin-1", "replace")
            parts.append(header.name.encode("latin-1", "replace") + b":" + value + b"\n")
            continue
        line = header.name.encode("latin-1", "replace") + b":" + value
        if len(line) > _HEADER_PIECE:
            line = header_pieces(line)
        parts.append(line + b"\n")
    return b"".join(parts)


def header_pieces(line: bytes) -> bytes:
    """A header ("Name:" and its value, no final newline) cut as putheader() cuts it.

    Each physical line goes out in pieces of at most _HEADER_PIECE bytes;
    when a line is longer, the byte after a full piece is dropped (the
    piece takes the place of the newline it skips) and the rest is a new
    line, with a space before it unless it starts with a space or a tab;
    the last line is only cut: what does not fit is lost.
    """
    out: list[bytes] = []
    head = b""  # what the next piece starts with
    rest = line
    while (newline := rest.find(b"\n")) >= 0:
        take = min(newline, max(_HEADER_PIECE - len(head), 0))
        out.append(head + rest[:take])
        rest = rest[take + 1:]
        head = b"" if rest[:1] in (b" ", b"\t") else b" "
    out.append(head + rest[:max(_HEADER_PIECE - len(head), 0)])
    return b"\n".join(out)


def break_line(line: bytes, limit: int) -> bytes:
    """putxline() for L=limit: line (no newline) broken with "!" and a leading space.

    The first output line is limit-1 bytes and "!"; then, while a space and
    what is left is longer than limit, a space, limit-2 bytes and "!"; then
    a space and the rest. Lines within the limit come back as they are.
    Sendmail never ends for limit 1 or 2 (no byte fits beside the marks);
    here each line then takes at least one byte.
    """
    n = len(line)
    if n <= limit:
        return line
    first = max(limit - 1, 1)
    step = max(limit - 2, 1)
    parts = [line[:first]]
    pos = first
    while n - pos >= limit:  # a space and the rest would be longer than limit
        parts.append(line[pos:pos + step])
        pos += step
    parts.append(line[pos:])
    return b"!\n ".join(parts)


def has_long_line(text: bytes, limit: int) -> bool:
    """Whether a line of text (LF line ends) is longer than limit bytes.

    The check before any per-line work: it looks for the last newline in
    the limit+1 bytes after each line start, so it jumps about limit bytes
    at a time (a few steps for a usual message) and copies nothing.
    """
    n = len(text)
    pos = 0  # always the start of a line
    while n - pos > limit:
        newline = text.rfind(b"\n", pos, pos + limit + 1)
        if newline < 0:
            return True
        pos = newline + 1
    return False


def limit_lines(text: bytes, limit: int) -> bytes:
    """Every line of text (LF line ends) broken for L=limit, as break_line()."""
    if limit <= 0 or not has_long_line(text, limit):
        return text
    return b"\n".join([break_line(line, limit) if len(line) > limit else line
                       for line in text.split(b"\n")])


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
    """putbody()'s per-line work: F=E "From " escapes, L= line breaks, F=7 bit stripping."""
    limit = mailer.line_limit
    # no piece of a line is longer than _BODY_PIECE, so a larger L= breaks nothing
    if 0 < limit < _BODY_PIECE and has_long_line(body, limit):
        body = _break_body(body.split(b"\n"), limit, "E" in mailer.flags)
        if "7" in mailer.flags and not body.isascii():
            body = bytes(b & 0x7F for b in body)
        return body
    if "E" in mailer.flags and b"From " in body:
        if body.startswith(b"From "):
            body = b">" + body
        body = body.replace(b"\nFrom ", b"\n>From ")
    if "7" in mailer.flags and not body.isascii():
        body = bytes(b & 0x7F for b in body)
    return body


def _break_body(lines: list[bytes], limit: int, escape_from: bool) -> bytes:
    """The body lines, ">From "-escaped when escape_from, broken for L=limit."""
    out: list[bytes] = []
    for line in lines:
        mark = b">" if escape_from and line.startswith(b"From ") else b""
        if len(line) <= limit:
            out.append(mark + line)
        elif len(line) <= _BODY_PIECE:
            out.append(mark + break_line(line, limit))
        else:
            # the count starts again with each piece, and nothing marks the seam
            out.append(mark + b"".join([break_line(line[i:i + _BODY_PIECE], limit)
                                        for i in range(0, len(line), _BODY_PIECE)]))
    return b"\n".join(out)


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
    if unix_from and "n" not in mailer.flags:
        head = unix_from_line(engine, macros) + head
    if mailer.line_limit > 0:  # the "From " line is broken as a header line is
        head = limit_lines(head, mailer.line_limit)
    return head + b"\n" + escape_body(body, mailer)
