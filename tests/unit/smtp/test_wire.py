"""Tests for mta.smtp.wire, the sans-IO SMTP framing.

DESCRIPTION
    Tables of input bytes and the events they give. Cases marked "observed"
    pin what Debian's sendmail 8.17.1.9-2+deb12u2 (with the 8.18.1 fix for
    CVE-2023-51765) did with the same bytes under `sendmail -bs` in the
    tests/diff/nsenv namespace: the reply it gave is in the case id or a
    comment, the df file it queued is given in LF form (our DataBytes carry
    the same text with CRLF). Hypothesis checks that dot-stuffing round
    trips, that the event sequence does not depend on how the input is cut
    into feed() calls, and that the buffer stays bounded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mta.smtp.wire import (
    MAXLINE,
    BareChar,
    BareLine,
    BareLineEnd,
    Closed,
    Command,
    CommandTooLong,
    CommandWithNul,
    DataBytes,
    DataEnd,
    Event,
    Wire,
    WireOptions,
    WireState,
)

LF, CR = BareChar.LF, BareChar.CR
REJECT, SPACE, ACCEPT = BareLine.REJECT, BareLine.SPACE, BareLine.ACCEPT


def drain(wire: Wire, out: list[Event], max_size: int | None) -> None:
    """Take every ready event, entering DATA after a DATA command as a session would."""
    while (event := wire.next_event()) is not None:
        out.append(event)
        if isinstance(event, Command) and event.line.upper() == b"DATA":
            wire.start_data(max_size)


def run(
    chunks: Iterable[bytes],
    options: WireOptions | None = None,
    *,
    max_size: int | None = None,
    eof: bool = True,
) -> list[Event]:
    """Feed chunks one by one, draining after each; then eof() and drain."""
    wire = Wire(options)
    out: list[Event] = []
    for chunk in chunks:
        wire.feed(chunk)
        drain(wire, out, max_size)
    if eof:
        wire.eof()
        drain(wire, out, max_size)
    return out


def merged(events: Sequence[Event]) -> list[Event]:
    """Join adjacent DataBytes; drop the text of messages that were not accepted whole."""
    out: list[Event] = []
    text: list[bytes] = []
    for event in events:
        if isinstance(event, DataBytes):
            text.append(event.data)
            continue
        if isinstance(event, DataEnd) and not event.too_big and text:
            out.append(DataBytes(b"".join(text)))
        text = []
        out.append(event)
    return out


def data(body: bytes, options: WireOptions | None = None, **kwargs: int | None) -> list[Event]:
    """The events after a DATA command, for body fed in one piece."""
    events = run([b"DATA\r\n" + body], options, **kwargs)  # type: ignore[arg-type]
    assert events[0] == Command(b"DATA")
    return events[1:]


# --- command mode -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        pytest.param(b"HELO x\r\n", [Command(b"HELO x")], id="crlf"),
        # observed: LF alone ends a command line (8.17 and the 8.18.1 fix alike)
        pytest.param(b"NOOP\n", [Command(b"NOOP")], id="bare-lf-ends-command"),
        pytest.param(b"VRFY a\nb\r\n", [Command(b"VRFY a"), Command(b"b")], id="lf-inside"),
        # observed: "VRFY a\rb" verified a and b: the CR stays in the line
        pytest.param(b"VRFY a\rb\r\n", [Command(b"VRFY a\rb")], id="bare-cr-kept"),
        pytest.param(b"VRFY c\r\r\n", [Command(b"VRFY c\r")], id="cr-before-crlf"),
        pytest.param(b"\r\n\n", [Command(b""), Command(b"")], id="empty-lines"),
        # observed: Sendmail cut "VRFY a\0b" at the NUL (verified a); we refuse the line
        pytest.param(b"VRFY a\0b\r\nNOOP\r\n", [CommandWithNul(b"VRFY a\0b"), Command(b"NOOP")],
                     id="nul"),
        # observed: Sendmail stripped the 8th bit ("XiY C)"); we keep the bytes
        pytest.param(b"X\xe9Y \xc3\xa9\r\n", [Command(b"X\xe9Y \xc3\xa9")], id="8bit"),
        pytest.param(b"X\x01Y\x7f\tZ \r\n", [Command(b"X\x01Y\x7f\tZ ")], id="controls"),
        pytest.param(
            b"MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nRCPT TO:<e@f>\r\nNOOP\n",
            [Command(b"MAIL FROM:<a@b>"), Command(b"RCPT TO:<c@d>"),
             Command(b"RCPT TO:<e@f>"), Command(b"NOOP")],
            id="pipelined",
        ),
    ],
)
def test_command_lines(given: bytes, expected: list[Event]) -> None:
    assert run([given]) == [*expected, Closed(False)]
    assert run([given[i:i + 1] for i in range(len(given))]) == [*expected, Closed(False)]


@pytest.mark.parametrize(
    ("given", "partial"),
    [
        pytest.param(b"QUIT", b"QUIT", id="unterminated"),  # observed: Sendmail ran it (221)
        pytest.param(b"NOOP\r\nQUIT\r", b"QUIT\r", id="cr-only"),
        pytest.param(b"NOOP\r\n", b"", id="nothing-left"),
        pytest.param(b"NOOP\r\n" + b"x" * 5000, b"", id="inside-too-long-line"),
    ],
)
def test_eof_in_command_mode(given: bytes, partial: bytes) -> None:
    events = run([given])
    assert events[-1] == Closed(False, partial)
    assert events[0] == Command(b"NOOP") or given == b"QUIT"


def _vrfy(content: int, end: bytes) -> bytes:
    return b"VRFY " + b"a" * (content - 5) + end


@pytest.mark.parametrize(
    ("line", "too_long"),
    [
        # observed: up to 2048 bytes with the line end are served; one more gives
        # "421 4.7.0 <host> Command too long, possible attack <client>"
        pytest.param(_vrfy(2046, b"\r\n"), False, id="2046+crlf"),
        pytest.param(_vrfy(2047, b"\r\n"), True, id="2047+crlf"),
        pytest.param(_vrfy(2047, b"\n"), False, id="2047+lf"),
        pytest.param(_vrfy(2048, b"\n"), True, id="2048+lf"),
        pytest.param(_vrfy(10000, b"\r\n"), True, id="10000"),
    ],
)
def test_command_line_limit(line: bytes, too_long: bool) -> None:
    first = CommandTooLong(line[:64]) if too_long else Command(line.rstrip(b"\r\n"))
    expected = [first, Command(b"NOOP"), Closed(False)]
    assert run([line + b"NOOP\r\n"]) == expected
    assert run([line[i:i + 700] for i in range(0, len(line), 700)] + [b"NOOP\r\n"]) == expected


def test_too_long_line_is_reported_at_once_and_not_stored() -> None:
    wire = Wire()
    wire.feed(b"NOOP " + b"a" * (MAXLINE - 6))
    assert wire.next_event() is None  # 2047 bytes may still end in an LF
    wire.feed(b"a")
    assert wire.next_event() == CommandTooLong(b"NOOP " + b"a" * 59)
    for _ in range(100):  # Sendmail reads until the LF before it answers; we already did
        wire.feed(b"b" * 10000)
        assert wire.next_event() is None
        assert wire.buffered == 0
    wire.feed(b"bbb\r\nNOOP\r\n")
    assert wire.next_event() == Command(b"NOOP")
    assert wire.next_event() is None


def test_strict_command_line_ends() -> None:
    options = WireOptions(lf_ends_command=False)
    assert run([b"NOOP\r\nNOOP\nMAIL FROM:<a>\r\n"], options) == [
        Command(b"NOOP"),
        BareLineEnd(LF, in_data=False),
    ]
    wire = Wire(options)
    wire.feed(b"NOOP\n")
    assert wire.next_event() == BareLineEnd(LF, in_data=False)
    assert wire.state is WireState.CLOSED
    wire.feed(b"NOOP\r\n")  # what was in flight is ignored
    assert wire.next_event() is None


def test_command_text_is_lossless() -> None:
    assert Command(b"MAIL FROM:<j\xc3\xb6rg@example.test>").text == "MAIL FROM:<jörg@example.test>"
    assert Command(b"X\xe9").text == "X\udce9"


@given(st.binary())
def test_command_text_round_trips(line: bytes) -> None:
    assert Command(line).text.encode("utf-8", "surrogateescape") == line


# --- pending() and buffered ---------------------------------------------------------


def test_pending_follows_the_pipeline() -> None:
    wire = Wire()
    assert not wire.pending()
    wire.feed(b"MAIL FROM:<a>\r\nRCPT TO:<b>\r\nRCPT TO")
    assert wire.pending()
    assert wire.next_event() == Command(b"MAIL FROM:<a>")
    assert wire.pending()  # RCPT is complete: keep the reply buffered
    assert wire.next_event() == Command(b"RCPT TO:<b>")
    assert not wire.pending()  # half a line: flush the replies now
    assert wire.buffered == len(b"RCPT TO")
    wire.feed(b":<c>\n")
    assert wire.pending()
    assert wire.next_event() == Command(b"RCPT TO:<c>")
    assert not wire.pending()
    wire.eof()
    assert wire.pending()
    assert wire.next_event() == Closed(False)
    assert not wire.pending()
    assert wire.next_event() is None


def test_pending_after_a_too_long_line() -> None:
    wire = Wire(WireOptions(max_line=10))
    wire.feed(b"x" * 20)
    assert wire.pending()
    assert wire.next_event() == CommandTooLong(b"x" * 10)
    wire.feed(b"yy")
    assert not wire.pending()
    wire.feed(b"\nNOOP")
    assert not wire.pending()
    wire.feed(b"\r\n")
    assert wire.pending()
    assert wire.next_event() == Command(b"NOOP")


def test_pending_does_not_parse_ahead_of_start_data() -> None:
    # The client did not wait for 354 (Sendmail 8.18: 554 5.5.0 SMTP protocol error).
    wire = Wire()
    wire.feed(b"DATA\r\nRCPT TO:<x>\r\n.\r\n")
    assert wire.next_event() == Command(b"DATA")
    assert wire.buffered == len(b"RCPT TO:<x>\r\n.\r\n")
    assert wire.pending()
    wire.start_data()
    assert wire.state is WireState.DATA
    assert wire.next_event() == DataBytes(b"RCPT TO:<x>\r\n")
    assert wire.next_event() == DataEnd(size=12)
    assert wire.state is WireState.COMMAND
    assert not wire.pending()


def test_pending_in_data() -> None:
    wire = Wire(WireOptions(partial_line_limit=8))
    wire.feed(b"DATA\r\n")
    assert wire.next_event() == Command(b"DATA")
    wire.start_data()
    wire.feed(b"abc")
    assert not wire.pending()
    wire.feed(b"\r")
    assert not wire.pending()
    wire.feed(b"\n")
    assert wire.pending()
    assert wire.next_event() == DataBytes(b"abc\r\n")
    wire.feed(b"12345678")
    assert wire.pending()  # a long line is passed on in pieces


# --- DATA ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(b"Subject: t\r\n\r\nhello\r\n.\r\n",
                     [DataBytes(b"Subject: t\r\n\r\nhello\r\n"), DataEnd(18)], id="plain"),
        pytest.param(b".\r\n", [DataEnd(0)], id="empty"),
        # observed: df "A\n.\nx\n.y\nB\n": one leading dot removed per line
        pytest.param(b"A\r\n..\r\n.x\r\n..y\r\nB\r\n.\r\n",
                     [DataBytes(b"A\r\n.\r\nx\r\n.y\r\nB\r\n"), DataEnd(11)], id="unstuffing"),
        pytest.param(b"...\r\n.\r\n", [DataBytes(b"..\r\n"), DataEnd(3)], id="dots"),
        pytest.param(b"A \r\n. \r\n.\t\r\n.\r\n", [DataBytes(b"A \r\n \r\n\t\r\n"), DataEnd(7)],
                     id="dot-and-space-is-no-end"),
        pytest.param(b"x\xe9\r\n.\r\n", [DataBytes(b"x\xe9\r\n"), DataEnd(3, eight_bit=True)],
                     id="8bit"),
        # observed: NUL stored; with RejectNUL=True "554 5.6.1 NUL byte not allowed"
        pytest.param(b"A\0B\r\n\0.\r\nC\r\n.\r\n",
                     [DataBytes(b"A\0B\r\n\0.\r\nC\r\n"), DataEnd(9, has_nul=True)],
                     id="nul-and-crlf-nul-dot-crlf"),
        pytest.param(b"A\r\n.\r\nQUIT\r\n", [DataBytes(b"A\r\n"), DataEnd(2), Command(b"QUIT")],
                     id="commands-follow"),
    ],
)
def test_data(body: bytes, expected: list[Event]) -> None:
    assert data(body) == [*expected, Closed(False)]


SMUGGLED = b"NOOP\r\nMAIL FROM:<spoof@example.test>\r\nRCPT TO:<x@y>\r\nDATA\r\nforged\r\n"


@pytest.mark.parametrize(
    ("end", "char"),
    [
        # observed for each: "421 4.5.0 Bare linefeed (LF) not allowed" or
        # "421 4.5.0 Bare carriage return (CR) not allowed", at once, session ended
        pytest.param(b"\n.\n", LF, id="LF.LF"),
        pytest.param(b"\r.\r", CR, id="CR.CR"),
        pytest.param(b"\n.\r\n", LF, id="LF.CRLF"),
        pytest.param(b"\r\n.\n", LF, id="CRLF.LF"),
        pytest.param(b"\r\n.\r", CR, id="CRLF.CR"),
        pytest.param(b"\r\n.\r\r\n", CR, id="CRLF.CRCRLF"),
        pytest.param(b"\r\r\n.\r\r\n", CR, id="CRCRLF.CRCRLF"),
        pytest.param(b"\n\n.\n\n", LF, id="LFLF.LFLF"),
    ],
)
def test_smuggling_is_refused(end: bytes, char: BareChar) -> None:
    body = b"Subject: t\r\n\r\nA" + end + SMUGGLED + b".\r\nQUIT\r\n"
    assert data(body) == [BareLineEnd(char, in_data=True)]
    # However the bytes come, nothing after the violation is read
    events = run([b"DATA\r\n"] + [body[i:i + 3] for i in range(0, len(body), 3)])
    assert [e for e in events if not isinstance(e, DataBytes)] == [
        Command(b"DATA"), BareLineEnd(char, in_data=True)]


@pytest.mark.parametrize("end", [b"\n.\n", b"\r.\r", b"\n.\r\n", b"\r\n.\n", b"\r\n.\r"])
@pytest.mark.parametrize("features", ["G U", "g2 u2"])
def test_smuggling_never_ends_the_message(end: bytes, features: str) -> None:
    options = WireOptions.from_srv_features(features)
    events = merged(data(b"A" + end + SMUGGLED + b".\r\nQUIT\r\n", options))
    assert [type(e) for e in events] == [DataBytes, DataEnd, Command, Closed]
    assert events[2] == Command(b"QUIT")
    text = events[0]
    assert isinstance(text, DataBytes) and text.data.endswith(SMUGGLED)


@pytest.mark.parametrize(
    ("features", "body", "expected"),
    [
        # observed with srv_features g2: df "A . B\n" and "A\n \n"
        ("g2", b"A\n.\nB\r\n.\r\n", [DataBytes(b"A . B\r\n"), DataEnd(6, bare_lf=2)]),
        ("g2", b"A\r\n.\n\r\n.\r\n", [DataBytes(b"A\r\n \r\n"), DataEnd(4, bare_lf=1)]),
        ("g2", b"A\r.\rB\r\n.\r\n", [BareLineEnd(CR, in_data=True)]),
        # observed with u2: df "A . B\n" and "A\n  B \n"
        ("u2", b"A\r.\rB\r\n.\r\n", [DataBytes(b"A . B\r\n"), DataEnd(6, bare_cr=2)]),
        ("u2", b"A\r\n.\r\rB\r\r\n.\r\n", [DataBytes(b"A\r\n  B \r\n"), DataEnd(7, bare_cr=3)]),
        ("u2", b"A\n.\nB\r\n.\r\n", [BareLineEnd(LF, in_data=True)]),
        # observed with G: df "A\n.\nB\n", "A\n\nB\n", "A\n.\nB\n", "A\nB\n..C\n"
        ("G", b"A\n.\nB\r\n.\r\n", [DataBytes(b"A\n.\nB\r\n"), DataEnd(6, bare_lf=2)]),
        ("G", b"A\r\n.\nB\r\n.\r\n", [DataBytes(b"A\r\n\nB\r\n"), DataEnd(5, bare_lf=1)]),
        ("G", b"A\n.\r\nB\r\n.\r\n", [DataBytes(b"A\n.\r\nB\r\n"), DataEnd(6, bare_lf=1)]),
        ("G", b"A\nB\n..C\r\n.\r\n", [DataBytes(b"A\nB\n..C\r\n"), DataEnd(8, bare_lf=2)]),
        # observed with U: df "A\r.\rB\n" and "A\n\r\rB\r\n"
        ("U", b"A\r.\rB\r\n.\r\n", [DataBytes(b"A\r.\rB\r\n"), DataEnd(6, bare_cr=2)]),
        ("U", b"A\r\n.\r\rB\r\r\n.\r\n", [DataBytes(b"A\r\n\r\rB\r\r\n"), DataEnd(7, bare_cr=3)]),
        ("U", b"A\r\n.\n\r\n.\r\n", [BareLineEnd(LF, in_data=True)]),
        # observed with G U: df "A\n\n\n"
        ("G U", b"A\r\n.\n\r\n.\r\n", [DataBytes(b"A\r\n\n\r\n"), DataEnd(4, bare_lf=1)]),
        ("G u2", b"\r\n\n\r\r\n.\r\n",
         [DataBytes(b"\r\n\n \r\n"), DataEnd(4, bare_cr=1, bare_lf=1)]),
    ],
)
def test_bare_line_end_options(features: str, body: bytes, expected: list[Event]) -> None:
    options = WireOptions.from_srv_features(features)
    tail = [Closed(False)] if isinstance(expected[-1], DataEnd) else []
    assert data(body, options) == [*expected, *tail]


def test_first_bare_byte_is_reported() -> None:
    assert data(b"x\ry\nz\r\n.\r\n") == [BareLineEnd(CR, in_data=True)]
    assert data(b"x\ny\rz\r\n.\r\n") == [BareLineEnd(LF, in_data=True)]
    assert data(b"ok\r\n" * 5 + b"\r\n.\r\n") == [DataBytes(b"ok\r\n" * 5 + b"\r\n"), DataEnd(16),
                                                   Closed(False)]


def test_bare_byte_is_refused_before_its_line_ends() -> None:
    # observed: Sendmail had answered 421 4.5.0 and exited before the line was complete
    wire = Wire()
    wire.feed(b"DATA\r\n")
    assert wire.next_event() == Command(b"DATA")
    wire.start_data()
    wire.feed(b"Subject: t\r\n\r\nA\r")
    assert wire.next_event() == DataBytes(b"Subject: t\r\n\r\n")
    assert wire.next_event() is None  # the CR may be the start of a CRLF
    wire.feed(b"\n" + b"b" * 100)
    assert wire.next_event() == DataBytes(b"A\r\n")
    assert wire.next_event() is None
    wire.feed(b"\rc")
    assert wire.next_event() == BareLineEnd(CR, in_data=True)
    assert wire.state is WireState.CLOSED


def _message(size: int, dots: int = 0) -> bytes:
    """A message of size bytes as Sendmail counts them, with some lines dot-stuffed."""
    lines = []
    left = size - len(b"Subject: t\n\n")
    while left > 0:
        n = min(9, left - 1)
        lines.append(b"x" * n)
        left -= n + 1
    lines = [b"." + line[1:] for line in lines[:dots]] + lines[dots:]
    lines = [b"." + line if line.startswith(b".") else line for line in lines]
    return b"Subject: t\r\n\r\n" + b"".join(line + b"\r\n" for line in lines) + b".\r\n"


@pytest.mark.parametrize(
    ("size", "dots", "too_big"),
    [
        # observed with MaxMessageSize=300: 301 gave
        # "552 5.2.3 Message exceeds maximum fixed size (300)" after the end of data
        (299, 0, False),
        (300, 0, False),
        (301, 0, True),
        (300, 5, False),
        (301, 5, True),
    ],
)
def test_message_size(size: int, dots: int, too_big: bool) -> None:
    body = _message(size, dots) + b"QUIT\r\n"
    for chunks in ([body], [body[i:i + 7] for i in range(0, len(body), 7)]):
        events = run([b"DATA\r\n", *chunks], max_size=300)
        assert events[-3:] == [DataEnd(size, too_big=too_big), Command(b"QUIT"), Closed(False)]
        text = b"".join(e.data for e in events if isinstance(e, DataBytes))
        assert len(text) - text.count(b"\r\n") <= 300
        if not too_big:
            assert text == body[: -len(b".\r\nQUIT\r\n")].replace(b"\r\n..", b"\r\n.")
    assert run([b"DATA\r\n", body], max_size=None)[-3] == DataEnd(size)
    assert run([b"DATA\r\n", body], max_size=0)[-3] == DataEnd(size)


def test_too_big_stops_the_text_but_reads_to_the_end() -> None:
    wire = Wire()
    wire.feed(b"DATA\r\n")
    assert wire.next_event() == Command(b"DATA")
    wire.start_data(10)
    wire.feed(b"12345678\r\n")
    assert wire.next_event() == DataBytes(b"12345678\r\n")
    for _ in range(1000):
        wire.feed(b"y" * 99 + b"\r\n")
        assert wire.next_event() is None
    wire.feed(b".\r\nNOOP\r\n")
    assert wire.next_event() == DataEnd(9 + 1000 * 100, too_big=True)
    assert wire.next_event() == Command(b"NOOP")


@pytest.mark.parametrize(
    ("chunks", "expected"),
    [
        # observed: "421 4.4.1 collect: relay=localhost, from=<...>, info=unexpected close"
        pytest.param([b"DATA\r\n", b"A\r\nB"], [DataBytes(b"A\r\n"), Closed(True)], id="mid-line"),
        pytest.param([b"DATA\r\n"], [Closed(True)], id="at-once"),
        pytest.param([b"DATA\r\nA\r\n.\r"], [DataBytes(b"A\r\n"), Closed(True)], id="dot-cr"),
        pytest.param([b"DATA\r\nA\r\n."], [DataBytes(b"A\r\n"), Closed(True)], id="dot"),
        pytest.param([b"DATA\r\nA\n"], [BareLineEnd(LF, in_data=True)], id="bare-lf-at-end"),
        pytest.param([b"DATA\r\nA\r"], [Closed(True)], id="cr-at-end-may-start-crlf"),
    ],
)
def test_eof_in_data(chunks: list[bytes], expected: list[Event]) -> None:
    assert run(chunks)[1:] == expected


def test_long_data_lines_are_passed_on_in_pieces() -> None:
    options = WireOptions(partial_line_limit=16)
    body = b"." + b"x" * 40 + b"\r\n" + b"y" * 20 + b"\r" + b"\n.\r\n"
    events = run([b"DATA\r\n"] + [body[i:i + 5] for i in range(0, len(body), 5)], options)
    pieces = [e.data for e in events if isinstance(e, DataBytes)]
    assert b"".join(pieces) == b"x" * 40 + b"\r\n" + b"y" * 20 + b"\r\n"
    assert len(pieces) > 3
    assert not any(p.endswith(b"\r") for p in pieces)  # a CRLF is never split
    assert events[-2:] == [DataEnd(62), Closed(False)]


def test_data_memory_is_bounded() -> None:
    wire = Wire()
    wire.feed(b"DATA\r\n")
    assert wire.next_event() == Command(b"DATA")
    wire.start_data()
    passed = 0
    for _ in range(160):  # 10 MiB in one line
        wire.feed(b"z" * 65536)
        while (event := wire.next_event()) is not None:
            assert isinstance(event, DataBytes)
            passed += len(event.data)
        assert wire.buffered < 65536
    wire.feed(b"\r\n.\r\n")
    events = []
    while (event := wire.next_event()) is not None:
        events.append(event)
    assert passed + len(events[0].data) - 2 == 160 * 65536  # type: ignore[union-attr]
    assert events[-1] == DataEnd(160 * 65536 + 1)


# --- options and interface ----------------------------------------------------------


@pytest.mark.parametrize(
    ("features", "bare_cr", "bare_lf"),
    [
        ("", REJECT, REJECT),
        ("u g", REJECT, REJECT),
        ("U G", ACCEPT, ACCEPT),
        ("u2 g2", SPACE, SPACE),
        ("G", REJECT, ACCEPT),
        ("A b O U V", ACCEPT, REJECT),  # 'O' is ignored: only CRLF.CRLF ends data
        ("U u", REJECT, REJECT),  # the last word wins
    ],
)
def test_options_from_srv_features(features: str, bare_cr: BareLine, bare_lf: BareLine) -> None:
    options = WireOptions.from_srv_features(features, WireOptions(max_line=512))
    assert (options.bare_cr, options.bare_lf, options.max_line) == (bare_cr, bare_lf, 512)


@pytest.mark.parametrize("kwargs", [{"max_line": 2}, {"partial_line_limit": 2}])
def test_impossible_options(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="at least"):
        WireOptions(**kwargs)  # type: ignore[arg-type]


def test_interface_violations() -> None:
    wire = Wire()
    wire.feed(b"DATA\r\n")
    assert wire.next_event() == Command(b"DATA")
    with pytest.raises(ValueError, match="negative"):
        wire.start_data(-1)
    wire.start_data()
    with pytest.raises(AssertionError):
        wire.start_data()
    wire.eof()
    with pytest.raises(AssertionError):
        wire.feed(b"x")
    assert wire.next_event() == Closed(True)
    assert wire.state is WireState.CLOSED
    assert wire.next_event() is None
    fresh = Wire()
    fresh.feed(b"")  # an empty chunk is never the end of input
    assert fresh.next_event() is None and fresh.state is WireState.COMMAND


# --- properties ---------------------------------------------------------------------

BODY_BYTES = st.lists(
    st.sampled_from([b"\r\n", b"\r", b"\n", b".", b"..", b"x", b"yz", b"\0", b"\xe9", b" "]),
    max_size=60,
).map(b"".join)


def stuff(body: bytes) -> bytes:
    """What an RFC 5321 client sends for body after DATA."""
    if body and not body.endswith(b"\r\n"):
        body += b"\r\n"
    wire_form = body.replace(b"\r\n.", b"\r\n..")
    if wire_form.startswith(b"."):
        wire_form = b"." + wire_form
    return wire_form + b".\r\n"


@settings(max_examples=400, deadline=None)
@given(body=BODY_BYTES, cuts=st.lists(st.integers(min_value=0, max_value=200), max_size=8))
def test_dot_stuffing_round_trips(body: bytes, cuts: list[int]) -> None:
    sent = stuff(body) + b"NOOP\r\n"
    options = WireOptions(bare_cr=ACCEPT, bare_lf=ACCEPT, partial_line_limit=7)
    chunks = _split(b"DATA\r\n" + sent, cuts)
    events = merged(run(chunks, options))
    expected = body if not body or body.endswith(b"\r\n") else body + b"\r\n"
    size = len(expected) - expected.count(b"\r\n")
    end = DataEnd(size, has_nul=b"\0" in expected, eight_bit=not expected.isascii(),
                  bare_cr=expected.count(b"\r") - expected.count(b"\r\n"),
                  bare_lf=expected.count(b"\n") - expected.count(b"\r\n"))
    text = [DataBytes(expected)] if expected else []
    assert events == [Command(b"DATA"), *text, end, Command(b"NOOP"), Closed(False)]


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(st.binary(max_size=30).map(lambda b: b.replace(b"\r", b"").replace(
    b"\n", b"")), max_size=20))
def test_dot_stuffing_round_trips_with_default_options(lines: list[bytes]) -> None:
    body = b"".join(line + b"\r\n" for line in lines)
    events = merged(run([b"DATA\r\n" + stuff(body)]))
    assert events[-3] == DataBytes(body) if body else events[-3] == Command(b"DATA")
    assert events[-2] == DataEnd(len(body) - len(lines), has_nul=b"\0" in body,
                                 eight_bit=not body.isascii())


SESSION_PIECES = st.sampled_from([
    b"NOOP\r\n", b"MAIL FROM:<a@b>\r\n", b"DATA\r\n", b"data\n", b"\r\n", b"\r", b"\n",
    b".", b"..", b".\r\n", b"\r\n.\r\n", b"\n.\n", b"x", b"x" * 23, b"\0", b"\xe9", b" ",
]) | st.binary(max_size=4)
OPTIONS = st.builds(
    WireOptions,
    max_line=st.sampled_from([3, 8, 30, MAXLINE]),
    bare_cr=st.sampled_from(list(BareLine)),
    bare_lf=st.sampled_from(list(BareLine)),
    lf_ends_command=st.booleans(),
    partial_line_limit=st.sampled_from([3, 5, 40, 65536]),
)


def _split(whole: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(whole) + 1) for c in cuts} | {0, len(whole)})
    return [whole[a:b] for a, b in pairwise(points)]


@settings(max_examples=600, deadline=None)
@given(
    pieces=st.lists(SESSION_PIECES, max_size=40),
    cuts=st.lists(st.integers(min_value=0, max_value=1000), max_size=12),
    options=OPTIONS,
    max_size=st.sampled_from([None, 4, 40]),
)
def test_chunking_does_not_change_the_events(
    pieces: list[bytes], cuts: list[int], options: WireOptions, max_size: int | None
) -> None:
    whole = b"".join(pieces)
    chunks = _split(whole, cuts)
    expected = merged(run([whole], options, max_size=max_size))
    assert merged(run(chunks, options, max_size=max_size)) == expected
    assert merged(run([bytes([b]) for b in whole], options, max_size=max_size)) == expected


@settings(max_examples=300, deadline=None)
@given(
    pieces=st.lists(SESSION_PIECES, max_size=40),
    cuts=st.lists(st.integers(min_value=0, max_value=1000), max_size=12),
    options=OPTIONS,
)
def test_buffer_and_chunks_stay_bounded(
    pieces: list[bytes], cuts: list[int], options: WireOptions
) -> None:
    wire = Wire(options)
    out: list[Event] = []
    for chunk in _split(b"".join(pieces), cuts):
        wire.feed(chunk)
        drain(wire, out, None)
        assert not wire.pending()
        assert wire.buffered < max(options.max_line, options.partial_line_limit)
    for event in out:
        if isinstance(event, DataBytes):
            assert event.data
            assert not event.data.endswith(b"\r")
            long_line = len(event.data) >= options.partial_line_limit - 2
            assert event.data.endswith(b"\r\n") or long_line
