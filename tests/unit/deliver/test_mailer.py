"""Tests for mta.deliver.mailer: the mailer line limit (L=) and long header lines.

The expected bytes are what the real Sendmail 8.17 writes (seen through
tests/diff/test_delivery_real.py, which compares whole deliveries).
"""

from __future__ import annotations

import pytest

from mta.config.loader import load_cf
from mta.config.model import MailerDef
from mta.deliver.mailer import (
    break_line,
    escape_body,
    has_long_line,
    header_pieces,
    limit_lines,
    render_message,
)
from mta.deliver.smtpclient import smtp_data
from mta.queue.qfformat import QueueEnvelope, QueueHeader
from mta.rules.engine import RuleEngine
from mta.rules.macros import MacroEnv

CF = ("V10/Berkeley\n"
      "Msmtp, P=[IPC], F=mDFMuXa, E=\\r\\n, L=990, A=TCP $h\n"
      "Mlocal, P=/bin/cat, F=lsDFMPEhu, L=40, A=cat $u\n"
      "Mplain, P=/bin/cat, F=lsDFMhu, L=41, A=cat $u\n"
      "Mseven, P=/bin/cat, F=lsDFMhu7, L=40, A=cat $u\n"
      "Mwide, P=/bin/cat, F=lsDFMEhu, L=3000, A=cat $u\n"
      "Mnolimit, P=/bin/cat, F=lsDFMEhu, A=cat $u\n")


@pytest.fixture(scope="module")
def mailers() -> dict[str, MailerDef]:
    return dict(load_cf("mailer.cf", text=CF).mailers)


def tagged(n: int, tag: str) -> bytes:
    """n bytes that tell where they are: tag and offset every 6."""
    return "".join(f"{tag}{i:05d}" for i in range(0, n, 6))[:n].encode()


def unbreak(text: bytes) -> bytes:
    """Undo break_line (for text without "!\\n " of its own)."""
    return text.replace(b"!\n ", b"")


# --------------------------------------------------------------------------- break_line


def test_break_line_example() -> None:
    line = b"x" * 39 + b"yz"  # 41 bytes at L=40
    assert break_line(line, 40) == b"x" * 39 + b"!\n yz"


@pytest.mark.parametrize("n", [0, 1, 39, 40])
def test_break_line_within_limit_unchanged(n: int) -> None:
    line = b"a" * n
    assert break_line(line, 40) is line


@pytest.mark.parametrize(("n", "lengths"), [
    (41, [40, 3]),
    (77, [40, 39]),  # 39 + " " 38: the last part fits with its space
    (78, [40, 40]),  # 39 + " " 39
    (79, [40, 40, 3]),
    (990, [40] * 25 + [40]),  # 39 + 24 * 38 = 951, then " " + 39
    (991, [40] * 26 + [3]),
])
def test_break_line_lengths(n: int, lengths: list[int]) -> None:
    line = tagged(n, "a")
    out = break_line(line, 40)
    assert [len(part) for part in out.split(b"\n")] == lengths
    assert all(part.endswith(b"!") for part in out.split(b"\n")[:-1])
    assert all(part.startswith(b" ") for part in out.split(b"\n")[1:])
    assert unbreak(out) == line


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_break_line_tiny_limit_ends(limit: int) -> None:
    # Sendmail loops for ever at L=1 and L=2; here each part takes at least one byte
    out = break_line(b"abcdef", limit)
    assert unbreak(out) == b"abcdef"


@pytest.mark.parametrize(("text", "limit", "expected"), [
    (b"", 3, False),
    (b"abc", 3, False),
    (b"abcd", 3, True),
    (b"abc\nabc\n", 3, False),
    (b"abc\nabcd", 3, True),
    (b"abc\nabcd\n", 3, True),
    (b"a\nb\nc\nd\n" * 50 + b"x" * 41, 40, True),
    (b"x" * 40 + b"\n" + b"y" * 40, 40, False),
    (b"\n" * 100, 1, False),
])
def test_has_long_line(text: bytes, limit: int, expected: bool) -> None:
    assert has_long_line(text, limit) is expected
    assert has_long_line(text, limit) is (max(map(len, text.split(b"\n"))) > limit)


def test_limit_lines() -> None:
    text = b"short\n" + b"y" * 45 + b"\n\tfolded " + b"z" * 40 + b"\n"
    assert limit_lines(text, 40) == (b"short\n" + b"y" * 39 + b"!\n " + b"y" * 6
                                     + b"\n\tfolded " + b"z" * 31 + b"!\n " + b"z" * 9 + b"\n")
    fits = b"a" * 40 + b"\nb\n"
    assert limit_lines(fits, 40) is fits
    assert limit_lines(text, 0) is text


# --------------------------------------------------------------------------- header pieces


def test_header_pieces_fits() -> None:
    line = b"X-Exact:" + tagged(2295, "g")  # 2303 bytes
    assert header_pieces(line) == line


def test_header_pieces_last_line_cut() -> None:
    line = b"X-Huge:" + tagged(5000, "d")
    assert header_pieces(line) == line[:2303]


def test_header_pieces_split_loses_a_byte() -> None:
    value = tagged(2500, "e")
    line = b"X-Split:" + value + b"\n\tend"
    first = line[:2303]
    rest = line[2304:line.index(b"\n")]  # the byte at 2303 is lost
    assert header_pieces(line) == first + b"\n " + rest + b"\n\tend"


def test_header_pieces_one_byte_too_many() -> None:
    # the lost byte is the last of the line: a line of one space follows
    line = b"X-Edge:" + tagged(2297, "f") + b"\n\tnext"
    assert header_pieces(line) == line[:2303] + b"\n \n\tnext"


def test_header_pieces_long_continuation() -> None:
    second = b"\t" + tagged(4700, "h")
    line = b"X-Second: a\n" + second + b"\n\tend"
    pieces = header_pieces(line).split(b"\n")
    assert pieces[0] == b"X-Second: a"
    assert pieces[1] == second[:2303]
    assert pieces[2] == b" " + second[2304:2304 + 2302]
    assert pieces[3] == b" " + second[2304 + 2303:]
    assert pieces[4] == b"\tend"


# --------------------------------------------------------------------------- bodies


def test_body_within_limit_unchanged(mailers: dict[str, MailerDef]) -> None:
    body = b"line\n" * 100
    assert escape_body(body, mailers["local"]) is body


def test_body_from_escape_does_not_count(mailers: dict[str, MailerDef]) -> None:
    body = (b"From " + b"F" * 35 + b"\n"  # 40: not broken, 41 with its ">"
            + b"From " + b"G" * 36 + b"\n"  # 41: broken after 39
            + b"x" * 39 + b"From y\n")  # a continuation is not escaped
    assert escape_body(body, mailers["local"]) == (
        b">From " + b"F" * 35 + b"\n"
        + b">From " + b"G" * 34 + b"!\n GG\n"
        + b"x" * 39 + b"!\n From y\n")


def test_body_seams_restart_the_count(mailers: dict[str, MailerDef]) -> None:
    line = tagged(2500, "a")
    out = escape_body(line + b"\n", mailers["local"])
    lengths = [len(part) for part in out.split(b"\n")]
    # 39 + 52 * 38 = 2015; the seam at 2047: " " + 32 bytes, then 39 + "!" again
    assert lengths[:53] == [40] * 53
    assert lengths[53] == 1 + 32 + 39 + 1
    assert unbreak(out) == line + b"\n"


def test_body_seams_with_smtp(mailers: dict[str, MailerDef]) -> None:
    out = escape_body(tagged(5000, "b") + b"\n", mailers["smtp"])
    # 989 + 988 = 1977, seam at 2047 (70 more), then 989 + "!" again; seam at 4094
    assert [len(part) for part in out.split(b"\n")][:-1] == [990, 990, 1061, 990, 977]


def test_body_wide_limit_breaks_nothing(mailers: dict[str, MailerDef]) -> None:
    # no piece that putbody() hands over is longer than 2047 bytes
    body = b"From " + tagged(4000, "c") + b"\n"
    assert escape_body(body, mailers["wide"]) == b">" + body
    assert escape_body(body, mailers["nolimit"]) == b">" + body


def test_body_dot_lines_over_smtp(mailers: dict[str, MailerDef]) -> None:
    body = b"." + b"d" * 989 + b"\n" + b"." + tagged(1500, "e") + b"\n" + b"x" * 989 + b".dot\n"
    wire = smtp_data(escape_body(body, mailers["smtp"]))
    lines = wire.split(b"\r\n")
    # the stuffed dot does not count: 990 bytes are not broken
    assert lines[0] == b".." + b"d" * 989
    assert lines[1] == b".." + tagged(1500, "e")[:988] + b"!"
    assert lines[2] == b" " + tagged(1500, "e")[988:]
    # a continuation starts with a space, so a dot there is not stuffed
    assert lines[3] == b"x" * 989 + b"!" and lines[4] == b" .dot"
    assert wire.endswith(b"\r\n.\r\n")


def test_body_seven_bit(mailers: dict[str, MailerDef]) -> None:
    body = b"\xe9" * 45 + b"\n"
    assert escape_body(body, mailers["seven"]) == b"i" * 39 + b"!\n " + b"i" * 6 + b"\n"


def test_body_last_line_without_newline(mailers: dict[str, MailerDef]) -> None:
    assert escape_body(b"a" * 41, mailers["plain"]) == b"a" * 41
    assert escape_body(b"a" * 42, mailers["plain"]) == b"a" * 40 + b"!\n aa"


# --------------------------------------------------------------------------- messages


def _envelope(*headers: tuple[str, bytes]) -> QueueEnvelope:
    return QueueEnvelope(qid="x", sender="<alice@example.test>",
                         headers=tuple(QueueHeader.from_message(n, v) for n, v in headers))


def test_render_message_breaks_header_and_from_line(mailers: dict[str, MailerDef]) -> None:
    engine = RuleEngine(load_cf("mailer.cf", text=CF), None)
    macros = MacroEnv({"g": "alice@example.test", "d": "Sun Dec  6 09:51:38 2026"})
    envelope = _envelope(("Subject", b" short"), ("X-Long", b" " + b"h" * 60),
                         ("X-Huge", b" " + tagged(3000, "k")))
    data = render_message(engine, envelope, mailers["local"], b"From me\nbody\n",
                          macros=macros, unix_from=True)
    head, _, body = data.partition(b"\n\n")
    lines = head.split(b"\n")
    assert lines[:4] == [b"From alice@example.test Sun Dec  6 09:5!", b" 1:38 2026",
                         b"Subject: short", b"X-Long: " + b"h" * 31 + b"!"]
    assert lines[4] == b" " + b"h" * 29
    assert max(map(len, lines)) == 40
    # X-Huge: 2303 bytes of it, broken
    assert unbreak(b"\n".join(lines[5:])) == (b"X-Huge: " + tagged(3000, "k"))[:2303]
    assert body == b">From me\nbody\n"


def test_render_message_header_pieces_without_limit(mailers: dict[str, MailerDef]) -> None:
    engine = RuleEngine(load_cf("mailer.cf", text=CF), None)
    macros = MacroEnv({"g": "alice@example.test", "d": "now"})
    envelope = _envelope(("X-Huge", b" " + tagged(3000, "k")))
    data = render_message(engine, envelope, mailers["nolimit"], b"body\n",
                          macros=macros, unix_from=False)
    assert data == (b"X-Huge: " + tagged(3000, "k"))[:2303] + b"\n\nbody\n"


# --------------------------------------------------------------------------- commaize width

def test_address_fields_wrap_at_l_minus_2_under_80(mailers: dict[str, MailerDef]) -> None:
    # Sendmail's commaize() for a mailer: 78 columns, or L-2 when L= is shorter
    from mta.rules.headers import LINE_MAX, commaize

    engine = RuleEngine(load_cf("mailer.cf", text=CF))
    table = engine.tables.ext
    value = " " + ", ".join(f"user{n}@example.test" for n in range(8))
    wide = commaize("To", value, table)
    narrow = commaize("To", value, table, width=58)
    assert wide == commaize("To", value, table, width=LINE_MAX)
    assert max(len(line) for line in ("To:" + wide).split("\n")) <= LINE_MAX + 1
    lines = ("To:" + narrow).split("\n")
    assert len(lines) > len(("To:" + wide).split("\n"))
    assert max(len(line) for line in lines) <= 59  # what L=60 gave in Sendmail
    assert narrow.replace(",\n        ", ", ") == wide.replace(",\n        ", ", ")
