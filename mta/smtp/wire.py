"""Sans-IO SMTP server framing: bytes in, command lines and message data out.

SYNOPSIS
    wire = Wire(WireOptions.from_srv_features("g2"))   # or Wire() for the defaults
    wire.feed(data)                   # whatever the socket (or stdin) gave
    while (event := wire.next_event()) is not None:
        ...                           # Command -> reply; after "354": wire.start_data(max_size)
    wire.eof()                        # then drain again: Closed is the last event

DESCRIPTION
    The framing layer of the server, as h11 is for HTTP: no sockets, no
    asyncio, no replies. The daemon (-bd), `sendmail -bs`, fuzzers and the
    smuggling tests feed it bytes and act on its events. It copies the line
    handling of Sendmail 8.18.1 (srvrsmtp.c smtp()/sfgets() for commands,
    collect.c for DATA), keeping only its safe settings.

    States (WireState) and who moves between them:

        COMMAND --start_data()--> DATA --DataEnd--> COMMAND
        COMMAND, DATA --eof() and Closed, or BareLineEnd--> CLOSED

    The session calls start_data() after it has sent 354, before it asks for
    the next event; bytes that arrived behind the DATA line are then read as
    message text. If it refuses DATA it does not call it, and the same bytes
    are read as commands, as Sendmail does. Input is parsed lazily, in the
    state current when next_event() runs, one command per call.

    Command mode. A command ends at LF; a CR right before it is dropped.
    Sendmail takes a bare LF as the end of a command line (8.17, and the
    build with the 8.18.1 fix: its bare CR/LF checks, documented in op.me
    for "SMTP messages", are in collect() only), so that is the default;
    WireOptions.lf_ends_command=False
    turns it into the fatal BareLineEnd(LF) instead (as Postfix's
    smtpd_forbid_bare_newline does). A bare CR stays inside the line: it
    ends nothing (Sendmail then parses it as white space). The bytes are
    kept as they came: 8-bit bytes and invalid UTF-8 are not touched, and
    Command.text decodes with UTF-8 and surrogateescape, which is lossless
    (text.encode("utf-8", "surrogateescape") gives the bytes back) and
    shows SMTPUTF8 addresses as what they are; latin-1 would garble them.
    A line longer than max_line bytes, counting its line end (Sendmail's
    MAXLINE, 2048), is reported once as CommandTooLong as soon as that many
    bytes are buffered, and discarded up to its LF without being stored. A
    line with a NUL byte is reported as CommandWithNul, never as a Command:
    Sendmail cuts the line at the NUL (C strings), which can hide the rest
    of an address, so we refuse the whole line instead. An unterminated
    last line at end of input comes in Closed.partial (Sendmail runs it).

    DATA mode (after start_data()). The text is a sequence of lines ended by
    CRLF, and a CR and an LF only ever form a line end together. The data
    ends only at CRLF "." CRLF (srv_features 'o', the only end we offer:
    'O', which also takes LF "." LF, CR "." CR, LF "." CRLF and CRLF "."
    LF, is the SMTP smuggling hole of CVE-2023-51765). A CR not followed by
    LF, or an LF not preceded by CR, is bare; WireOptions.bare_cr and
    bare_lf choose, as srv_features u/u2/U and g/g2/G do:

        REJECT (u, g; the default)  BareLineEnd at once, then CLOSED; the
                                    session replies 421 4.5.0 and closes
        SPACE  (u2, g2)             the byte is replaced by a space
        ACCEPT (U, G)               the byte is kept as data; it starts no
                                    line, so a "." after it is kept and
                                    it never ends the message

    Then one leading dot is removed from every line (dot-unstuffing). Text
    is passed on as DataBytes as it arrives, never the whole message: each
    chunk is the unstuffed text of the complete lines received, with their
    CRLF, so a chunk ends with CRLF and the header/body boundary is either
    a chunk that starts with CRLF or a CRLF CRLF inside one. Only a line
    longer than partial_line_limit (64 KiB) is passed on in pieces; such a
    piece does not end with CRLF, and no piece ever splits a CRLF.

    DataEnd closes the message with what the session must check before it
    replies: size as Sendmail counts it (e_msgsize: the unstuffed text with
    each CRLF counted as one byte, headers included), too_big when that
    exceeds the max_size given to start_data() (DataBytes stop at that
    point, and whatever was passed on is to be discarded; the input is still
    read to the end, so the 552 comes after the end of data), has_nul (for
    RejectNUL), eight_bit (for EightBitMode=strict) and how many bare CR and
    LF were replaced or accepted. A message whose DataEnd never comes (eof()
    first, or BareLineEnd) must not be queued.

    Per-byte work is done with bytes.find/count/replace over whole buffers;
    Python code runs per chunk of input, not per line. Memory: once its
    events are taken, the wire holds less than max_line bytes in COMMAND
    and less than partial_line_limit in DATA; input fed while events wait
    piles up, so a server stops reading while Wire.buffered is large.

    What Sendmail does, observed with Debian's sendmail 8.17.1.9-2+deb12u2
    (which carries the 8.18.1 collect.c fix for CVE-2023-51765) through
    `sendmail -bs` in the tests/diff/nsenv namespace; tests/unit/smtp pins
    each case:

    - "VRFY a\\nb\\r\\n" is two commands; "VRFY a\\rb" verifies a and b.
    - A command of 2048 bytes with its line end is served; 2049 gives
      "421 4.7.0 <host> Command too long, possible attack <client>" when the
      line end arrives, and the connection is closed.
    - "VRFY a\\0b" verifies a. An 8-bit byte loses its top bit (no USE_EAI).
    - An unterminated last line at end of input is still run ("QUIT").
    - Input sent before the reply to HELO/EHLO or DATA: "554 5.5.0 SMTP
      protocol error" (srv_features F); Wire.buffered tells the session.
    - In DATA, <LF>.<LF>, <CR>.<CR>, <LF>.<CR><LF>, <CR><LF>.<LF> and
      <CR><LF>.<CR><CR> end nothing: the bare LF gives "421 4.5.0 Bare
      linefeed (LF) not allowed", the bare CR "421 4.5.0 Bare carriage
      return (CR) not allowed", at once (before any end of data), and the
      session ends. With g2/u2 the byte became a space ("A . B"); with G/U
      it was kept, and "A<CRLF>.<LF>B" stored "A", "", "B" (the dot
      removed, the LF kept).
    - MaxMessageSize=300: 300 bytes counted as above are accepted, 301 give
      "552 5.2.3 Message exceeds maximum fixed size (300)" after the end of
      data; stuffed dots do not count.
    - NUL in the body is stored; with RejectNUL=True: "554 5.6.1 NUL byte
      not allowed". A 100 KB body line and 8-bit body bytes are stored.
    - End of input inside DATA: "421 4.4.1 collect: relay=localhost,
      from=<...>, info=unexpected close", and nothing is queued.

DIAGNOSTICS
    Nothing here raises for bad input: every protocol problem is an event.
    AssertionError for interface violations only: feed() after eof(), or
    start_data() outside COMMAND or with an event not yet taken. ValueError
    for impossible limits (WireOptions, a negative max_size).

SEE ALSO
    mta.smtp.session (drives it and owns the replies), RFC 5321 sections
    2.3.8, 4.1.1.4, 4.5.2 and 4.5.3.1, RFC 2920 (pipelining, pending()),
    RFC 1870 (SIZE); Sendmail RELEASE_NOTES 8.18.1 and op.me (srv_features
    o O g G g2 u U u2; options MaxMessageSize, RejectNUL, EightBitMode);
    CVE-2023-51765; https://www.postfix.org/smtp-smuggling.html.
"""

from __future__ import annotations

import enum
import re
from collections import deque
from dataclasses import dataclass
from typing import TypeAlias

MAXLINE = 2048  # Sendmail's MAXLINE: the longest command line, counting its line end
PARTIAL_LINE_LIMIT = 65536  # DATA: longest unterminated line held back before passing it on
_COMPACT_AT = 65536  # drop consumed input from the buffer once this much has piled up
_HEAD = 64  # bytes of a refused line kept for the log

_CRLF = b"\r\n"
_CR = ord("\r")
_BARE_CR_RE = re.compile(rb"\r(?!\n)")
_BARE_LF_RE = re.compile(rb"(?<!\r)\n")
_BARE_ANY_RE = re.compile(rb"\r(?!\n)|(?<!\r)\n")


class WireState(enum.Enum):
    """Where the framing is; see the state diagram in the module docstring."""

    COMMAND = enum.auto()  # reading command lines
    DATA = enum.auto()  # between start_data() and DataEnd
    CLOSED = enum.auto()  # after Closed or BareLineEnd: input is ignored


class BareLine(enum.Enum):
    """What to do with a bare CR or LF in DATA (srv_features u/u2/U, g/g2/G)."""

    REJECT = "reject"  # u / g: BareLineEnd, the session answers 421 4.5.0 and closes
    SPACE = "space"  # u2 / g2: replace the byte by a space
    ACCEPT = "accept"  # U / G: keep the byte as data (it ends no line)


class BareChar(enum.Enum):
    """Which line-end byte came alone."""

    CR = "CR"
    LF = "LF"


@dataclass(frozen=True, slots=True)
class WireOptions:
    """Per-connection framing settings (the session may set them from srv_features).

    Attributes:
        max_line: longest command line in bytes, counting its line end.
        bare_cr: what a bare CR in DATA does.
        bare_lf: what a bare LF in DATA does.
        lf_ends_command: whether a bare LF ends a command line (Sendmail: yes);
            when False it is a fatal BareLineEnd.
        partial_line_limit: DATA bytes of one unterminated line held back
            before they are passed on without their line end.
    """

    max_line: int = MAXLINE
    bare_cr: BareLine = BareLine.REJECT
    bare_lf: BareLine = BareLine.REJECT
    lf_ends_command: bool = True
    partial_line_limit: int = PARTIAL_LINE_LIMIT

    def __post_init__(self) -> None:
        if self.max_line < 3:
            raise ValueError(f"max_line must be at least 3, not {self.max_line}")
        if self.partial_line_limit < 3:  # ".\r" must wait for its LF
            raise ValueError(
                f"partial_line_limit must be at least 3, not {self.partial_line_limit}")

    @classmethod
    def from_srv_features(cls, features: str, base: WireOptions | None = None) -> WireOptions:
        """Apply the line-end letters of a srv_features result to base (default: defaults).

        Args:
            features: the words of the ruleset's $# result, e.g. "G u2 A"; u/U/u2
                and g/G/g2 are read, 'O' is ignored (data ends only at CRLF.CRLF
                here), every other letter belongs to the session.

        Returns:
            The options with bare_cr and bare_lf set as the letters say.
        """
        options = base if base is not None else cls()
        bare_cr, bare_lf = options.bare_cr, options.bare_lf
        for word in features.split():
            if word in _CR_FEATURES:
                bare_cr = _CR_FEATURES[word]
            elif word in _LF_FEATURES:
                bare_lf = _LF_FEATURES[word]
        return cls(options.max_line, bare_cr, bare_lf, options.lf_ends_command,
                   options.partial_line_limit)


_CR_FEATURES = {"u": BareLine.REJECT, "u2": BareLine.SPACE, "U": BareLine.ACCEPT}
_LF_FEATURES = {"g": BareLine.REJECT, "g2": BareLine.SPACE, "G": BareLine.ACCEPT}


# --- events -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Command:
    """One command line, without its line end; the bytes exactly as received."""

    line: bytes

    @property
    def text(self) -> str:
        """The line as str: UTF-8 with surrogateescape for any other byte (lossless)."""
        return self.line.decode("utf-8", "surrogateescape")


@dataclass(frozen=True, slots=True)
class CommandTooLong:
    """A command line of more than max_line bytes; the rest of it is skipped.

    Sendmail answers "421 4.7.0 <host> Command too long, possible attack" and
    closes. head is the start of the line, for the log.
    """

    head: bytes


@dataclass(frozen=True, slots=True)
class CommandWithNul:
    """A command line with a NUL byte in it, refused as a whole (Sendmail cuts it there)."""

    line: bytes


@dataclass(frozen=True, slots=True)
class DataBytes:
    """Unstuffed message text with CRLF line ends, ending with CRLF unless a line is huge."""

    data: bytes


@dataclass(frozen=True, slots=True)
class DataEnd:
    """CRLF "." CRLF arrived: the message is complete; the wire is in COMMAND again.

    Attributes:
        size: Sendmail's e_msgsize: unstuffed text, each CRLF counted as 1.
        too_big: size exceeds the limit given to start_data(); DataBytes
            stopped there and what was passed on must be discarded.
        has_nul: a NUL byte was in the text (RejectNUL).
        eight_bit: a byte above 127 was in the text (EightBitMode=strict).
        bare_cr: bare CRs replaced (SPACE) or kept (ACCEPT).
        bare_lf: bare LFs replaced (SPACE) or kept (ACCEPT).
    """

    size: int
    too_big: bool = False
    has_nul: bool = False
    eight_bit: bool = False
    bare_cr: int = 0
    bare_lf: int = 0


@dataclass(frozen=True, slots=True)
class BareLineEnd:
    """Fatal: a bare CR or LF that the options reject; the wire is CLOSED.

    Sendmail answers "421 4.5.0 Bare linefeed (LF) not allowed" or "421 4.5.0
    Bare carriage return (CR) not allowed" at once and ends the session. In
    DATA the message is lost.
    """

    char: BareChar
    in_data: bool


@dataclass(frozen=True, slots=True)
class Closed:
    """The input ended (eof()); always the last event. The wire is CLOSED.

    Attributes:
        in_data: the end came inside DATA: the message is incomplete and must
            not be queued (Sendmail: 421 4.4.1 ... info=unexpected close).
        partial: an unterminated last command line (Sendmail still runs it);
            empty in DATA and while a too-long line is being skipped.
    """

    in_data: bool
    partial: bytes = b""


Event: TypeAlias = (
    Command | CommandTooLong | CommandWithNul | DataBytes | DataEnd | BareLineEnd | Closed
)


# --- the framing --------------------------------------------------------------------


class Wire:
    """The framing of one connection: feed() bytes, take events with next_event()."""

    def __init__(self, options: WireOptions | None = None) -> None:
        self.options = options if options is not None else WireOptions()
        self._buf = bytearray()
        self._pos = 0  # start of the input not consumed yet
        self._scan = 0  # the input before this holds no line end (in the current state)
        self._events: deque[Event] = deque()
        self._state = WireState.COMMAND
        self._eof = False
        self._skipping = False  # COMMAND: inside a too-long line, dropping up to its LF
        # DATA, per message
        self._bol = True  # the next byte starts a line
        self._max_size = 0
        self._size = 0
        self._too_big = False
        self._has_nul = False
        self._eight_bit = False
        self._bare_cr = 0
        self._bare_lf = 0

    # --- interface ------------------------------------------------------------------

    @property
    def state(self) -> WireState:
        """The current state."""
        return self._state

    @property
    def buffered(self) -> int:
        """Bytes received and not yet turned into events.

        Right after the Command for HELO/EHLO or DATA, a non-zero value means the
        client did not wait for the reply (Sendmail: 554 5.5.0 SMTP protocol error).
        """
        return len(self._buf) - self._pos

    def feed(self, data: bytes | bytearray | memoryview) -> None:
        """Add received bytes; an empty chunk is no end of input (call eof()).

        Side effects:
            Compacts the buffer; ignores data once the wire is CLOSED.
        """
        assert not self._eof, "feed() after eof()"
        if self._state is WireState.CLOSED or not data:
            return
        pos = self._pos
        if pos:
            if pos >= len(self._buf):
                self._buf.clear()
                self._scan = self._pos = 0
            elif pos >= _COMPACT_AT:
                del self._buf[:pos]
                self._scan = max(0, self._scan - pos)
                self._pos = 0
        self._buf += data

    def eof(self) -> None:
        """Mark the end of input; the next events end with Closed."""
        self._eof = True

    def start_data(self, max_size: int | None = None) -> None:
        """Read what follows as message text, after the session has sent 354.

        Args:
            max_size: MaxMessageSize; None or 0 means no limit (as in Sendmail).
        """
        assert self._state is WireState.COMMAND, f"start_data() in state {self._state.name}"
        assert not self._events, "start_data() with events not taken"
        assert not self._skipping, "start_data() inside a too-long line"
        if max_size is not None and max_size < 0:
            raise ValueError(f"max_size must not be negative: {max_size}")
        self._state = WireState.DATA
        self._scan = self._pos
        self._bol = True
        self._max_size = max_size or 0
        self._size = 0
        self._too_big = self._has_nul = self._eight_bit = False
        self._bare_cr = self._bare_lf = 0

    def next_event(self) -> Event | None:
        """Return the next event, or None when more input is needed (or after the end)."""
        events = self._events
        while not events:
            state = self._state
            if state is WireState.COMMAND:
                progressed = self._command_step()
            elif state is WireState.DATA:
                progressed = self._data_step()
            else:
                return None
            if not progressed:
                if not self._eof:
                    return None
                self._close()
        return events.popleft()

    def pending(self) -> bool:
        """Whether next_event() would return an event without more input.

        Looks without parsing, so it is safe right after a DATA command, before
        start_data(). The session writes its buffered replies when this is False
        (RFC 2920: no further command is waiting).
        """
        if self._events:
            return True
        if self._state is WireState.CLOSED:
            return False
        if self._eof:
            return True
        buf, pos, options = self._buf, self._pos, self.options
        if self._state is WireState.COMMAND:
            start = max(pos, self._scan)
            if self._skipping:  # the rest of a too-long line comes first
                newline = buf.find(b"\n", start)
                if newline < 0:
                    return False
                pos = start = newline + 1
            return buf.find(b"\n", start) >= 0 or len(buf) - pos >= options.max_line
        start = max(pos, self._scan - 1)
        return buf.find(_CRLF, start) >= 0 or len(buf) - pos >= options.partial_line_limit

    # --- command mode ---------------------------------------------------------------

    def _command_step(self) -> bool:
        """Turn the next command line into an event; False if none is complete."""
        buf, pos = self._buf, self._pos
        end = len(buf)
        if pos >= end:
            return False
        newline = buf.find(b"\n", max(pos, self._scan))
        if newline < 0:
            self._scan = end
            if self._skipping:
                self._pos = self._scan = end  # drop the too-long line as it comes
            elif end - pos >= self.options.max_line:
                # It can no longer fit: say so now, drop it up to its LF.
                self._events.append(CommandTooLong(self._head(pos)))
                self._skipping = True
                self._pos = self._scan = end
                return True
            return False
        self._pos = self._scan = newline + 1
        if self._skipping:
            self._skipping = False
            return True
        if newline + 1 - pos > self.options.max_line:
            self._events.append(CommandTooLong(self._head(pos)))
            return True
        cr = newline > pos and buf[newline - 1] == _CR
        if not cr and not self.options.lf_ends_command:
            self._fatal(BareLineEnd(BareChar.LF, in_data=False))
            return True
        line = bytes(buf[pos:newline - 1 if cr else newline])
        if b"\0" in line:
            self._events.append(CommandWithNul(line))
        else:
            self._events.append(Command(line))
        return True

    def _head(self, pos: int) -> bytes:
        """The start of a refused line, for the log (no longer than max_line)."""
        return bytes(self._buf[pos:pos + min(_HEAD, self.options.max_line)])

    # --- DATA mode ------------------------------------------------------------------

    def _data_step(self) -> bool:
        """Pass on the complete lines buffered (and the end of data); False if none."""
        buf, pos = self._buf, self._pos
        end = len(buf)
        if pos >= end:
            return False
        start = max(pos, self._scan - 1)
        last = buf.rfind(_CRLF, start)
        if last < 0:
            self._scan = end
            # Refuse a bare byte at once, as Sendmail does, not when its line ends.
            char = self._rejected_in_tail(start, end - 1 if buf[end - 1] == _CR else end)
            if char is not None:
                self._fatal(BareLineEnd(char, in_data=True))
                return True
            if end - pos < self.options.partial_line_limit:
                return False
            # One huge line: pass on what we have, keeping a CR that may start a CRLF.
            cut = end - 1 if buf[end - 1] == _CR else end
            self._text(bytes(memoryview(buf)[pos:cut]))
            self._bol = False
            self._pos = self._scan = cut
            return True
        cut = last + 2
        if self._bol and buf.startswith(b".\r\n", pos):
            stop, after = pos, pos + 3
        else:
            dot = buf.find(b"\r\n.\r\n", pos, cut)
            stop, after = (dot + 2, dot + 5) if dot >= 0 else (cut, -1)
        if stop > pos:
            self._text(bytes(memoryview(buf)[pos:stop]))
            if self._state is WireState.CLOSED:
                return True
        if after < 0:
            self._pos = self._scan = cut
            self._bol = True
            return True
        self._pos = self._scan = after
        self._events.append(DataEnd(self._size, self._too_big, self._has_nul,
                                    self._eight_bit, self._bare_cr, self._bare_lf))
        self._state = WireState.COMMAND
        return True

    def _rejected_in_tail(self, start: int, stop: int) -> BareChar | None:
        """The first CR or LF in buf[start:stop] that the options reject.

        The caller knows that no CRLF follows start, so every CR and LF there
        is bare (stop excludes a last CR, which may yet get its LF).
        """
        options, buf = self.options, self._buf
        lf = buf.find(b"\n", start, stop) if options.bare_lf is BareLine.REJECT else -1
        cr = buf.find(b"\r", start, stop) if options.bare_cr is BareLine.REJECT else -1
        if lf < 0 and cr < 0:
            return None
        return BareChar.LF if cr < 0 or 0 <= lf < cr else BareChar.CR

    def _text(self, text: bytes) -> None:
        """Check, unstuff, count and pass on one piece of message text.

        The piece starts at a line start when self._bol is set, and never
        splits a CRLF: every CR and LF in it that is not part of a CRLF is bare.
        """
        crlf = text.count(_CRLF)
        bare_cr = text.count(b"\r") - crlf
        bare_lf = text.count(b"\n") - crlf
        if bare_cr or bare_lf:
            text = self._bare(text, bare_cr, bare_lf)
            if self._state is WireState.CLOSED:
                return
        if self._bol and text[:1] == b".":
            text = text[1:]
        if b"\r\n." in text:
            text = text.replace(b"\r\n.", _CRLF)
        self._size += len(text) - crlf
        if not self._has_nul and b"\0" in text:
            self._has_nul = True
        if not self._eight_bit and not text.isascii():
            self._eight_bit = True
        if self._too_big:
            return
        if self._max_size and self._size > self._max_size:
            self._too_big = True
        elif text:
            self._events.append(DataBytes(text))

    def _bare(self, text: bytes, bare_cr: int, bare_lf: int) -> bytes:
        """Apply the bare CR/LF options to text; after a fatal BareLineEnd the wire is CLOSED."""
        options = self.options
        reject_cr = bare_cr > 0 and options.bare_cr is BareLine.REJECT
        reject_lf = bare_lf > 0 and options.bare_lf is BareLine.REJECT
        if reject_cr or reject_lf:
            pattern = _BARE_ANY_RE if reject_cr and reject_lf else (
                _BARE_CR_RE if reject_cr else _BARE_LF_RE)
            found = pattern.search(text)
            assert found is not None
            char = BareChar.CR if found.group() == b"\r" else BareChar.LF
            self._fatal(BareLineEnd(char, in_data=True))
            return b""
        if bare_cr and options.bare_cr is BareLine.SPACE:
            text = _BARE_CR_RE.sub(b" ", text)
        if bare_lf and options.bare_lf is BareLine.SPACE:
            text = _BARE_LF_RE.sub(b" ", text)
        self._bare_cr += bare_cr
        self._bare_lf += bare_lf
        return text

    # --- the end --------------------------------------------------------------------

    def _fatal(self, event: BareLineEnd) -> None:
        """Report a connection-ending violation and stop reading."""
        self._events.clear()  # the text of a message that is lost anyway
        self._events.append(event)
        self._state = WireState.CLOSED
        self._release()

    def _close(self) -> None:
        """At end of input with nothing more to parse: emit Closed."""
        in_data = self._state is WireState.DATA
        partial = b""
        if not in_data and not self._skipping:
            partial = bytes(self._buf[self._pos:])
        self._events.append(Closed(in_data, partial))
        self._state = WireState.CLOSED
        self._release()

    def _release(self) -> None:
        self._buf = bytearray()
        self._pos = self._scan = 0
        self._skipping = False
