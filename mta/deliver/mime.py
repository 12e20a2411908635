"""8-bit to 7-bit MIME conversion for servers without 8BITMIME, as Sendmail's mime8to7().

SYNOPSIS
    if needs_conversion(message, mode=config.options.eight_bit_mode, body_type=env.body_type):
        result = mime8to7(message, host=my_host_name, qid=qid, mode=..., body_type=...)
        if result.reply is not None: fail the recipients with result.reply
        else: send result.message
    text = convert_8to7(message, host="mail.example.test", qid="6B67inh8001043")

DESCRIPTION
    The input is the message as rendered for an SMTP mailer: the header
    lines, an empty line and the body, with LF line ends and without dot
    stuffing (what the client would send after DATA if the server offered
    8BITMIME). The output has the same form.

    Whether to convert copies smtpmailfrom() (usersmtp.c): a message with a
    byte above 127 anywhere (Sendmail's EF_HAS8BIT: header or body) that
    goes to a server without 8BITMIME through a mailer without F=8 is
    converted when EightBitMode is mimefy or strict, or when it is pass8
    and the message is MIME (a MIME-Version: field, or BODY=8BITMIME given
    at submission); otherwise pass8 sends it as it is. The 554 5.6.3
    "does not support 8BITMIME" refusal only happens when the message may
    not be MIME-converted (dont_mime).

    The conversion copies putheader()/putbody() with MCIF_CVT8TO7 and
    mime8to7() (mime.c), checked against Sendmail 8.17.1.9:

    - Content-Transfer-Encoding: fields are taken out of every header
      (the message's and each part's); MIME-Version: 1.0 and
      "Content-Type: text/plain; charset=CHARSET" (DefaultCharSet,
      unknown-8bit) are added at the end of the message header when it
      has none. A leaf part then gets, at the end of its header, either
      its old CTE (its tokens joined without comments or blanks: "8BIT
      (x)" becomes "8BIT") when it has no 8-bit byte, or
      "Content-Transfer-Encoding: quoted-printable|base64" and
      "X-MIME-Autoconverted: from 8bit to ENCODING by HOST id QID".
      A multipart or message/rfc822 part loses its CTE field.
    - base64 when more than 1/8 of the part's bytes have the high bit set
      (the count stops early once 1/4 of at least 4096 bytes are 8-bit),
      or always for CTE binary; else quoted-printable. Parts whose CTE is
      not 7bit, 8bit or binary (class $=e) and multipart/signed ($=n) are
      copied unchanged.
    - base64 maps LF to CRLF first, lines of 72 characters.
    - quoted-printable encodes control characters but TAB, DEL, bytes
      above 127 and "=" as =XX (upper-case hex), a space or TAB before a
      line end, and a line that is only "." as "=2E"; a soft line break
      ("=") comes after 73 characters, or up to 75 to avoid starting a line
      with "." (Sendmail's own rule, kept exactly). "From " is left alone
      (SMTP mailers have no F=E).
    - multipart bodies are walked with their boundaries: the preamble and
      epilogue are copied with the high bit of each byte cleared, each
      boundary is written as "--BOUNDARY" (trailing text dropped) and the
      closing one as "--BOUNDARY--" even when the input lacks it; parts of
      multipart/digest default to message/rfc822; a message/rfc822 part's
      header gets MIME-Version: 1.0 when it has none.

DIAGNOSTICS
    Nothing raises for any input bytes. A multipart without a usable
    boundary parameter is walked with the boundary "---" as Sendmail does
    (Sendmail also logs an error then).

SEE ALSO
    Sendmail mime.c (mime8to7, mime_getchar, mimeboundary), usersmtp.c
    (smtpmailfrom), headers.c (putheader), deliver.c (putbody); op.me
    EightBitMode, DefaultCharSet, mailer flags 8 and 9; RFC 2045, 2046,
    6152; tests/unit/deliver/test_mime.py, tests/diff/test_mime_real.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import IntEnum

from mta.core.reply import Reply

__all__ = [
    "Mime7Result",
    "MimeClasses",
    "convert_8to7",
    "has_8bit",
    "is_mime",
    "mime8to7",
    "needs_conversion",
]

_MAX_NESTING = 20  # MAXMIMENESTING
_BOUNDARY_MAX = 127  # bbuf[128]
_PEEK_MAX = 126  # mime_getchar's buf[128] less two
_EOF = -1
_NL = 0x0A
_DASH = 0x2D
_HEX = b"0123456789ABCDEF"
_B64 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_TSPECIALS = frozenset(b'()<>@,;:\\"/[]?=')
_SPACE = frozenset(b" \t\r\n")
_HEADER_NAME = re.compile(rb"[\x21-\x39\x3b-\x7e]+[ \t]*:")


class _Boundary(IntEnum):
    """What ended a body part (MBT_*)."""

    SYNTAX = 0
    NOTSEP = 1
    INTERMED = 2
    FINAL = 3


@dataclass(frozen=True, slots=True)
class MimeClasses:
    """The .cf classes mime8to7 consults; the defaults are Sendmail's.

    Attributes:
        no_encode: $=n, type/subtype that must not be encoded.
        message: $=s, message/ subtypes walked as a message.
        encodable: $=e, CTE values that may be re-encoded.
        quoted_printable: $=q, type or type/subtype always given quoted-printable.
    """

    no_encode: frozenset[str] = frozenset({"multipart/signed"})
    message: frozenset[str] = frozenset({"rfc822"})
    encodable: frozenset[str] = frozenset({"7bit", "8bit", "binary"})
    quoted_printable: frozenset[str] = frozenset()


DEFAULT_CLASSES = MimeClasses()


@dataclass(frozen=True, slots=True)
class Mime7Result:
    """What to send to a server without 8BITMIME.

    Attributes:
        message: the message to send (converted or as it was); empty when refused.
        converted: True when mime8to7 rewrote the message.
        reply: the refusal (5.6.3) when the message may not be sent at all.
    """

    message: bytes
    converted: bool = False
    reply: Reply | None = None


# --------------------------------------------------------------------------- decisions


def _mode_letter(mode: str) -> str:
    letter = mode[:1].lower()
    if letter not in ("m", "p", "s"):
        raise ValueError(f"unknown EightBitMode {mode!r}")
    return letter


def has_8bit(message: bytes) -> bool:
    """Return True when a byte of the message (header or body) is above 127 (EF_HAS8BIT)."""
    return not message.isascii()


def _split(message: bytes) -> tuple[list[_Field], bytes]:
    if message.startswith(b"\n"):
        return [], message[1:]
    head, sep, body = message.partition(b"\n\n")
    if not sep:
        head, body = message.rstrip(b"\n"), b""
    fields: list[_Field] = []
    for line in head.split(b"\n"):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1].lines.append(line)
        else:
            fields.append(_Field(line.split(b":", 1)[0].strip().lower(), [line]))
    return fields, body


def is_mime(message: bytes, body_type: str | None = None) -> bool:
    """Return True for Sendmail's EF_IS_MIME: a MIME-Version: field, or BODY=8BITMIME."""
    if body_type is not None and body_type.upper() == "8BITMIME":
        return True
    fields, _body = _split(message)
    return _hvalue(fields, b"mime-version") is not None


def needs_conversion(
    message: bytes,
    *,
    mode: str = "m",
    body_type: str | None = None,
    mailer_8bit: bool = False,
    dont_mime: bool = False,
) -> bool:
    """Return True when the message cannot go as it is to a server without 8BITMIME.

    Args:
        message: the rendered message (header, empty line, body; LF line ends).
        mode: EightBitMode, as a word (mimefy, pass8, strict) or its letter.
        body_type: the envelope's BODY= value (qf B record), or None.
        mailer_8bit: the mailer has F=8.
        dont_mime: the message must not be MIME-converted (Sendmail's EF_DONT_MIME).

    Returns:
        True when mime8to7 would convert or refuse it, False when it goes unchanged.
    """
    if mailer_8bit or not has_8bit(message):
        return False
    letter = _mode_letter(mode)
    if not dont_mime and (letter != "p" or is_mime(message, body_type)):
        return True
    return letter != "p"


def mime8to7(
    message: bytes,
    *,
    host: str,
    qid: str,
    mode: str = "m",
    body_type: str | None = None,
    mailer_8bit: bool = False,
    dont_mime: bool = False,
    charset: str | None = None,
    server: str = "",
    classes: MimeClasses = DEFAULT_CLASSES,
) -> Mime7Result:
    """Make the message fit a server that did not offer 8BITMIME, as Sendmail does.

    Args:
        message: the rendered message (header, empty line, body; LF line ends).
        host: $j, the name in X-MIME-Autoconverted.
        qid: the queue id, in X-MIME-Autoconverted.
        mode: EightBitMode (mimefy, pass8, strict, or the letter).
        body_type: the envelope's BODY= value, or None.
        mailer_8bit: the mailer has F=8 (then nothing is converted).
        dont_mime: Sendmail's EF_DONT_MIME (then pass8 sends as is, the others refuse).
        charset: DefaultCharSet for a Content-Type added to a message without one.
        server: the server's name for the refusal text.
        classes: the MIME classes of the .cf.

    Returns:
        A Mime7Result: the converted message, the unchanged one, or a refusal.
    """
    if mailer_8bit or not has_8bit(message):
        return Mime7Result(message)
    letter = _mode_letter(mode)
    if not dont_mime and (letter != "p" or is_mime(message, body_type)):
        converted = convert_8to7(message, host=host, qid=qid, charset=charset, classes=classes)
        return Mime7Result(converted, converted=True)
    if letter != "p":
        return Mime7Result(b"", reply=Reply(554, "5.6.3", f"{server} does not support 8BITMIME"))
    return Mime7Result(message)


def convert_8to7(
    message: bytes,
    *,
    host: str,
    qid: str,
    charset: str | None = None,
    classes: MimeClasses = DEFAULT_CLASSES,
) -> bytes:
    """Return the message with its 8-bit parts encoded (putbody with MCIF_CVT8TO7).

    Args:
        message: the rendered message (header, empty line, body; LF line ends).
        host: the name written in X-MIME-Autoconverted.
        qid: the queue id written in X-MIME-Autoconverted.
        charset: the charset of an added Content-Type (None: unknown-8bit).
        classes: the MIME classes of the .cf.

    Returns:
        The converted message, LF line ends.
    """
    fields, body = _split(message)
    converter = _Converter(body, f"by {host} id {qid}".encode(), classes)
    converter.put_header(fields)
    if _hvalue(fields, b"mime-version") is None:
        converter.put_line(b"MIME-Version: 1.0")
    if _hvalue(fields, b"content-type") is None:
        added = b"Content-Type: text/plain; charset=" + (charset or "unknown-8bit").encode()
        converter.put_line(added)
    converter.convert(fields, 0, 0)
    return b"".join(converter.out)


# --------------------------------------------------------------------------- parsing


@dataclass(slots=True)
class _Field:
    """One header field: its lower-case name and its lines (no LF)."""

    name: bytes
    lines: list[bytes] = field(default_factory=list)

    def value(self) -> bytes:
        return b"\n".join(self.lines).split(b":", 1)[1] if b":" in self.lines[0] else b""


def _hvalue(fields: list[_Field], name: bytes) -> bytes | None:
    for f in fields:
        if f.name == name:
            return f.value()
    return None


def _tokens(value: bytes) -> list[bytes] | None:
    """Split a MIME field value as prescan() with MimeTokenTab; None when unbalanced."""
    tokens: list[bytes] = []
    i, n = 0, len(value)
    while i < n:
        c = value[i]
        if c in _SPACE:
            i += 1
        elif c == 0x28:  # comment
            depth = 0
            while i < n:
                if value[i] == 0x5C:
                    i += 1
                elif value[i] == 0x28:
                    depth += 1
                elif value[i] == 0x29:
                    depth -= 1
                    if depth == 0:
                        break
                i += 1
            if i >= n:
                return None
            i += 1
        elif c == 0x22:  # quoted string, quotes kept
            j = i + 1
            while j < n and value[j] != 0x22:
                j += 2 if value[j] == 0x5C else 1
            if j >= n:
                return None
            tokens.append(value[i : j + 1])
            i = j + 1
        elif c in _TSPECIALS:
            tokens.append(value[i : i + 1])
            i += 1
        else:
            j = i
            while j < n and value[j] not in _SPACE and value[j] not in _TSPECIALS:
                j += 1
            tokens.append(value[i:j])
            i = j
    return tokens


def _strip_quotes(text: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c == 0x5C and i + 1 < len(text):
            i += 1
            out.append(text[i])
        elif c != 0x22:
            out.append(c)
        i += 1
    return bytes(out)


@dataclass(slots=True)
class _ContentType:
    type: str = "-none-"
    subtype: str = "-none-"
    params: list[tuple[bytes, bytes]] = field(default_factory=list)
    bad_param: bool = False


def _content_type(value: bytes) -> _ContentType:
    result = _ContentType()
    tokens = _tokens(value)
    if not tokens:
        return result
    result.type = tokens[0].decode("latin-1")
    i = 1
    if i < len(tokens) and tokens[i] == b"/" and i + 1 < len(tokens):
        result.subtype = tokens[i + 1].decode("latin-1")
        i += 2
    while i < len(tokens):
        while i < len(tokens) and tokens[i] != b";":
            i += 1
        i += 1
        if i >= len(tokens):
            break
        if tokens[i] == b";":
            result.bad_param = True
            continue
        name = tokens[i]
        i += 1
        if i < len(tokens) and tokens[i] == b"=":
            i += 1
            if i < len(tokens) and tokens[i] != b";":
                result.params.append((name, tokens[i]))
    return result


# --------------------------------------------------------------------------- the body reader


class _Body:
    """The body as a stdio stream: fgets, getc, ungetc, eof flag, seek."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.eof = False

    def fgets(self) -> bytes | None:
        if self.pos >= len(self.data):
            self.eof = True
            return None
        end = self.data.find(b"\n", self.pos)
        if end < 0:
            end = len(self.data) - 1
            self.eof = True
        line = self.data[self.pos : end + 1]
        self.pos = end + 1
        return line

    def getc(self) -> int:
        if self.pos >= len(self.data):
            self.eof = True
            return _EOF
        self.pos += 1
        return self.data[self.pos - 1]

    def ungetc(self) -> None:
        self.pos -= 1

    def seek(self, pos: int) -> None:
        self.pos = pos
        self.eof = False


def _boundary_type(line: bytes, boundaries: list[bytes]) -> _Boundary:
    """Classify a line as mimeboundary() does."""
    if not line.startswith(b"--") or not boundaries:
        return _Boundary.NOTSEP
    text = line[:-1] if line.endswith(b"\n") else line
    text = text.rstrip(b" \t")
    if text[2:] in boundaries:
        return _Boundary.INTERMED
    if len(text) > 2 and text.endswith(b"--") and text[2:-2] in boundaries:
        return _Boundary.FINAL
    return _Boundary.NOTSEP


class _CharReader:
    """mime_getchar(): characters of a part, a boundary line (and the LF before it) is EOF."""

    def __init__(self, body: _Body) -> None:
        self.body = body
        self.pending = b""  # characters read ahead (C: bp, buflen)
        self.atbol = True
        self.bt = _Boundary.SYNTAX
        self.ended_by = _Boundary.SYNTAX  # *btp of the last EOF
        self.send_lf = False

    def getchar(self, boundaries: list[bytes]) -> int:
        body = self.body
        if len(self.pending) == 1 and self.pending[0] == _NL:
            c = _NL
        elif self.pending:
            c, self.pending = self.pending[0], self.pending[1:]
            return c
        else:
            c = body.getc()
        self.pending = b""
        buf = bytearray()
        start = 0
        if c == _NL:
            buf.append(c)
            self.atbol = True
            c = body.getc()
            if c == _NL:
                body.ungetc()
                return c
            start = 1
        if c != _EOF:
            buf.append(c)
        else:
            self.bt = _Boundary.FINAL
        if self.atbol and c == _DASH:
            c = body.getc()
            if c != _DASH:
                if c != _EOF:
                    buf.append(c)
                else:
                    self.bt = _Boundary.FINAL
                self.pending = bytes(buf[1:])
                return buf[0]
            buf.append(_DASH)
            while len(buf) < _PEEK_MAX:
                c = body.getc()
                if c in (_EOF, _NL):
                    break
                buf.append(c)
            bt = _boundary_type(bytes(buf[start:]), boundaries)
            if bt in (_Boundary.FINAL, _Boundary.INTERMED):
                self.ended_by = bt
                return _EOF
            if len(buf) < _PEEK_MAX and c != _EOF:
                buf.append(c)
        self.atbol = c == _NL
        if not buf:
            self.ended_by = self.bt
            return _EOF
        self.pending = bytes(buf[1:])
        return buf[0]

    def getchar_crlf(self, boundaries: list[bytes]) -> int:
        """mime_getchar_crlf(): LF comes out as CR LF."""
        if self.send_lf:
            self.send_lf = False
            return _NL
        c = self.getchar(boundaries)
        if c == _NL:
            self.send_lf = True
            return 0x0D
        return c


# --------------------------------------------------------------------------- the converter

_NO8BIT = 1  # M87F_NO8BIT
_DIGEST = 2  # M87F_DIGEST


class _Converter:
    """One run of mime8to7 over a body; output collects in self.out."""

    def __init__(self, body: bytes, by: bytes, classes: MimeClasses) -> None:
        self.body = _Body(body)
        self.chars = _CharReader(self.body)
        self.by = by
        self.classes = classes
        self.boundaries: list[bytes] = []
        self.too_deep = False
        self.out: list[bytes] = []

    def put_line(self, line: bytes) -> None:
        self.out.append(line + b"\n")

    def put_header(self, fields: list[_Field]) -> None:
        """putheader(): every field but Content-Transfer-Encoding, as it came."""
        for f in fields:
            if f.name != b"content-transfer-encoding":
                self.out.extend(line + b"\n" for line in f.lines)

    def collect_header(self) -> list[_Field]:
        """collect() of a part's header: up to the empty line, or a line that is no field."""
        fields: list[_Field] = []
        body = self.body
        while True:
            start = body.pos
            line = body.fgets()
            if line is None:
                return fields
            text = line.rstrip(b"\n")
            if text == b"":
                return fields
            if text[:1] in (b" ", b"\t") and fields:
                fields[-1].lines.append(text)
            elif _HEADER_NAME.match(text):
                fields.append(_Field(text.split(b":", 1)[0].strip().lower(), [text]))
            else:
                body.seek(start)
                return fields

    def copy_stripped(self) -> _Boundary:
        """Preamble or epilogue: lines up to a boundary, high bits cleared."""
        bt = _Boundary.FINAL
        while (line := self.body.fgets()) is not None:
            bt = _boundary_type(line, self.boundaries)
            if bt != _Boundary.NOTSEP:
                break
            stripped = bytes(c & 0x7F for c in line)
            self.out.append(stripped if stripped.endswith(b"\n") else stripped + b"\n")
        if self.body.eof:
            bt = _Boundary.FINAL
        return bt

    def convert(self, fields: list[_Field], flags: int, level: int) -> _Boundary:
        """mime8to7() for one header and the body that follows; returns what ended it."""
        if level > _MAX_NESTING:
            self.too_deep = True
        classes = self.classes
        cte_value = _hvalue(fields, b"content-transfer-encoding")
        cte_tokens = _tokens(cte_value) if cte_value is not None else None
        cte = b"".join(cte_tokens) if cte_tokens else None
        type_value = _hvalue(fields, b"content-type")
        if type_value is None:
            type_value = b"message/rfc822" if flags & _DIGEST else b"text/plain"
        ctype = _content_type(type_value)
        flags &= ~_DIGEST
        full = f"{ctype.type[:100]}/{ctype.subtype[:100]}".lower()
        main = ctype.type.lower()
        if full in classes.no_encode or (
            cte is not None and cte.decode("latin-1").lower() not in classes.encodable
        ):
            flags |= _NO8BIT
        use_qp = full in classes.quoted_printable or main in classes.quoted_printable

        if main == "multipart" and not flags & _NO8BIT and not self.too_deep:
            return self._multipart(ctype, flags, level)
        if main == "message":
            if ctype.subtype.lower() in classes.message and not self.too_deep:
                self.put_line(b"")
                inner = self.collect_header()
                self.put_header(inner)
                if _hvalue(inner, b"mime-version") is None:
                    self.put_line(b"MIME-Version: 1.0")
                return self.convert(inner, flags, level + 1)
            flags |= _NO8BIT
        return self._leaf(cte, flags, use_qp)

    def _multipart(self, ctype: _ContentType, flags: int, level: int) -> _Boundary:
        if ctype.subtype.lower() == "digest":
            flags |= _DIGEST
        boundary = next((v for k, v in ctype.params if k.lower() == b"boundary"), None)
        boundary = b"---" if boundary is None else _strip_quotes(boundary)
        boundary = boundary[:_BOUNDARY_MAX]
        pushed = len(self.boundaries) < _MAX_NESTING
        if pushed:
            self.boundaries.append(boundary)
        else:
            self.too_deep = True
        self.put_line(b"")
        bt = self.copy_stripped()
        while bt != _Boundary.FINAL:
            self.put_line(b"--" + boundary)
            part = self.collect_header()
            self.put_header(part)
            bt = self.convert(part, flags, level + 1)
        self.put_line(b"--" + boundary + b"--")
        if pushed:
            self.boundaries.pop()
        return self.copy_stripped()

    def _leaf(self, cte: bytes | None, flags: int, use_qp: bool) -> _Boundary:
        body = self.body
        size = high = 0
        if not flags & _NO8BIT:
            start = body.pos
            while (line := body.fgets()) is not None:
                if _boundary_type(line, self.boundaries) != _Boundary.NOTSEP:
                    break
                size += len(line)
                high += sum(1 for c in line if c & 0x80)
                if size >= 4096 and high > size // 4:
                    break
            body.seek(start)
        if cte is not None and cte.lower() == b"binary":
            size = high
        if high == 0:
            if cte is not None:
                self.put_line(b"Content-Transfer-Encoding: " + cte[:200])
            self.put_line(b"")
            bt = _Boundary.FINAL
            while (line := body.fgets()) is not None:
                bt = _boundary_type(line, self.boundaries)
                if bt != _Boundary.NOTSEP:
                    break
                self.out.append(line)
            if body.eof:
                bt = _Boundary.FINAL
            return bt
        encoding = b"base64" if size // 8 < high and not use_qp else b"quoted-printable"
        self.put_line(b"Content-Transfer-Encoding: " + encoding)
        self.put_line(b"X-MIME-Autoconverted: from 8bit to " + encoding + b" " + self.by)
        self.put_line(b"")
        if encoding == b"base64":
            self._base64()
        else:
            self._quoted_printable()
        return self.chars.ended_by

    def _base64(self) -> None:
        chars, boundaries = self.chars, self.boundaries
        line = bytearray()
        while (c1 := chars.getchar_crlf(boundaries)) != _EOF:
            if len(line) > 71:
                self.put_line(bytes(line))
                line.clear()
            group = [c1]
            for _ in range(2):
                c = chars.getchar_crlf(boundaries)
                if c == _EOF:
                    break
                group.append(c)
            value = int.from_bytes(bytes(group) + b"\0" * (3 - len(group)), "big")
            quad = bytes(_B64[(value >> shift) & 0x3F] for shift in (18, 12, 6, 0))
            line += quad[: len(group) + 1] + b"=" * (3 - len(group))
            if len(group) < 3:
                break
        self.put_line(bytes(line))

    def _quoted_printable(self) -> None:
        chars, boundaries = self.chars, self.boundaries
        line = bytearray()
        length = 0
        previous = _NL
        while (c := chars.getchar(boundaries)) != _EOF:
            if c == _NL:
                if previous in (0x20, 0x09):
                    line += _qp_escape(previous)
                if line == b".":
                    line[:] = b"=2E"
                self.put_line(bytes(line))
                line.clear()
                length = 0
                previous = c
                continue
            if previous in (0x20, 0x09):
                line.append(previous)
                length += 1
            if length > 72 and (length > 75 or c != 0x2E or (length > 73 and previous == 0x2E)):
                carry = length > 73 and previous == 0x2E
                if carry:
                    line.pop()
                self.put_line(bytes(line) + b"=")
                line.clear()
                length = 0
                if carry:
                    line.append(0x2E)
                    length = 1
            if (c < 0x20 and c != 0x09) or c >= 0x7F or c == 0x3D:
                line += _qp_escape(c)
                length += 3
            elif c not in (0x20, 0x09):
                line.append(c)
                length += 1
            previous = c
        if previous in (0x20, 0x09):
            line += _qp_escape(previous)
            length += 3
        if length > 0 or self.boundaries:
            self.put_line(bytes(line))


def _qp_escape(c: int) -> bytes:
    return bytes((0x3D, _HEX[c >> 4], _HEX[c & 0x0F]))
