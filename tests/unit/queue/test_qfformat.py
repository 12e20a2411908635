"""Unit tests of mta.queue.qfformat against qf files the real Sendmail 8.17 wrote.

The samples in data/ are generated output of tests/diff/test_queue_real.py
--write-fixtures (see data/README.md).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mta.queue.qfformat import (
    DeliverBy,
    DeliverByMode,
    QueueEnvelope,
    QueueFormatError,
    QueueHeader,
    QueueRecipient,
    envelope_flags,
    format_qf,
    initial_priority,
    parse_qf,
    quote_header_value,
    unquote_header_value,
)

DATA = Path(__file__).resolve().parent / "data"
SAMPLES = sorted(p.name for p in DATA.iterdir() if p.suffix in (".qf", ".hf"))


def _sample(name: str) -> QueueEnvelope:
    return parse_qf((DATA / name).read_bytes(), qid="6B62wBSI005985")


# --------------------------------------------------------------------------- real samples


def test_samples_present() -> None:
    assert len(SAMPLES) >= 8


@pytest.mark.parametrize("name", SAMPLES)
def test_real_sample_round_trip_byte_for_byte(name: str) -> None:
    data = (DATA / name).read_bytes()
    assert format_qf(parse_qf(data)) == data


def test_esmtp_dsn_sample() -> None:
    e = _sample("esmtp_dsn.qf")
    assert e.qid == "6B62wBSI005985"
    assert e.sender == "<alice@example.test>"
    assert e.envid == "abc123" and e.ret == "HDRS" and e.body_type == "7BIT"
    assert e.status_message == "host map: lookup (example.test): deferred"
    assert e.macro("r") == "ESMTP" and e.macro("s") == "client.example.test"
    assert e.macro("daemon_flags") == "c u" and e.macro("nonexistent") is None
    carol, bob = e.recipients
    assert (carol.address, carol.flags, carol.notify, carol.orcpt) == (
        "<carol@partner.test>",
        "PFD",
        None,
        None,
    )
    assert (bob.flags, bob.notify, bob.orcpt) == (
        "PNSF",
        ("SUCCESS", "FAILURE"),
        "rfc822;bob@remote.example.net",
    )
    assert bob.final_recipient == "RFC822; bob@remote.example.net"
    names = [h.name for h in e.headers]
    assert names[-3:] == ["Subject", "From", "X-Long"]
    assert e.headers[-1].value == b" a\n  folded line"
    return_path = next(h for h in e.headers if h.name == "Return-Path")
    assert (return_path.condition, return_path.value) == ("P", b" <\x81g>")


def test_esmtp_8bit_sample() -> None:
    e = _sample("esmtp_8bit.qf")
    assert e.body_type == "8BITMIME" and e.has_8bit and e.delete_bcc
    assert e.deliver_by == DeliverBy(3600, DeliverByMode.RETURN)
    assert [r.notify for r in e.recipients] == [("NEVER",), ("DELAY",)]
    subject = next(h for h in e.headers if h.name == "Subject")
    assert subject.message_value().decode() == " café"


def test_esmtp_headers_sample_quoting() -> None:
    e = _sample("esmtp_headers.qf")
    assert e.deliver_by == DeliverBy(600, DeliverByMode.NOTIFY | DeliverByMode.TRACE)
    assert e.ret == "FULL" and e.body_type is None
    by_name = {h.name: h for h in e.headers}
    for byte in range(0x80, 0x100):
        header = by_name[f"X-{byte:02X}"]
        assert header.message_value() == b" a" + bytes([byte]) + b"b"
        quoted = byte < 0xA0 or byte == 0xFF
        assert header.value == (b" a\xff" if quoted else b" a") + bytes([byte]) + b"b"
        assert QueueHeader.from_message(header.name, header.message_value()) == header
    assert by_name["X-A"].value == b"bar" and by_name["X-C"].value == b""
    assert by_name["X-D"].value == b" " and by_name["X-E"].value == b" tab\n\tfolded\n\t"


def test_submit_t_sample() -> None:
    e = _sample("submit_t.qf")
    assert e.sender == "root" and e.auth == "root@mail.example.test"
    assert e.delete_bcc and e.macro("r") is None
    assert e.recipients[0].address == '"Joe" <joe@partner.test>'


def test_after_queue_run_sample() -> None:
    e = _sample("after_queue_run.qf")
    assert e.attempts == 1 and e.last_attempt >= e.created > 0
    assert e.df_inode is not None and e.status_message is not None
    assert e.status_message.startswith("Deferred")
    controllers = [r.controller for r in e.recipients]
    assert controllers[0] is not None and controllers[0].startswith("mail:")
    # one C record for the two recipients of fwd's .forward: it holds for both
    assert controllers[1:] == ["fwd:1:0:<fwd@mail.example.test>"] * 2
    assert e.recipients[0].orcpt == "rfc822;inc@mail.example.test"
    assert "A" in e.recipients[-1].flags  # the result of an alias expansion


def test_a_c_record_holds_until_the_next_one() -> None:
    # readqf(): a C record holds for the later recipients too, a bare C ends it;
    # printctladdr() writes one only when it changes
    text = (b"V8\nT1\nK0\nN0\nP1\nFs\nS<a@b.test>\nCbob:7:7:<x@b.test>\nRPF:one\n"
            b"RPF:two\nC\nRPF:three\nC:<y@b.test>\nRPF:four\n.\n")
    e = parse_qf(text)
    assert [r.controller for r in e.recipients] == [
        "bob:7:7:<x@b.test>", "bob:7:7:<x@b.test>", None, ":<y@b.test>"]
    assert format_qf(e) == text


def test_quarantined_sample() -> None:
    assert _sample("quarantined.hf").quarantine_reason == "suspicious stuff"


def test_warning_samples() -> None:
    warned, warning = _sample("warning_sent.qf"), _sample("warning_sent-2.qf")
    assert warned.flags == "w8dns" and warned.ret == "HDRS"
    assert warning.flags == "rns" and warning.sender == "MAILER-DAEMON"
    assert warning.ret is None  # n without d: headers only, but no RET= was given


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("notify", "primary", "flags"),
    [
        (None, True, "PFD"),  # default FAILURE,DELAY without the N flag
        (("SUCCESS", "FAILURE"), True, "PNSF"),
        (("NEVER",), True, "PN"),
        (("DELAY",), True, "PND"),
        (("delay", "success"), True, "PNSD"),
        (("SUCCESS", "FAILURE", "DELAY"), False, "NSFD"),
    ],
)
def test_from_rcpt_flags(notify: tuple[str, ...] | None, primary: bool, flags: str) -> None:
    rcpt = QueueRecipient.from_rcpt("<a@b>", notify=notify, primary=primary)
    assert rcpt.flags == flags
    expected = None if notify is None else tuple(w.upper() for w in notify)
    if expected is not None and "NEVER" not in expected:
        order = ("SUCCESS", "FAILURE", "DELAY")
        expected = tuple(w for w in order if w in expected)
    assert rcpt.notify == expected


def test_from_rcpt_rejects_unknown_notify() -> None:
    with pytest.raises(ValueError):
        QueueRecipient.from_rcpt("<a@b>", notify=("SOMETIMES",))


@pytest.mark.parametrize(
    ("kwargs", "flags"),
    [
        ({}, "s"),
        ({"delete_bcc": True}, "bs"),
        ({"has_8bit": True}, "8s"),
        ({"ret": "FULL"}, "ds"),
        ({"ret": "hdrs", "warning_sent": True, "has_8bit": True}, "w8dns"),
        ({"response": True, "headers_only": True}, "rns"),
        ({"response": True, "ret": "HDRS"}, "rdns"),
        ({"split": False}, ""),
    ],
)
def test_envelope_flags(kwargs: dict[str, object], flags: str) -> None:
    assert envelope_flags(**kwargs) == flags  # type: ignore[arg-type]


def test_envelope_flags_rejects_bad_ret() -> None:
    with pytest.raises(ValueError):
        envelope_flags(ret="BODY")


@pytest.mark.parametrize(
    ("size", "rcpts", "cls", "priority"),
    [(90, 2, 0, 60090), (105, 3, 0, 90105), (23, 1, 0, 30023), (100, 1, -60, 138100)],
)
def test_initial_priority(size: int, rcpts: int, cls: int, priority: int) -> None:
    assert initial_priority(size, rcpts, cls) == priority


@pytest.mark.parametrize(
    ("raw", "quoted"),
    [
        (b" plain", b" plain"),
        (b" caf\xc3\xa9", b" caf\xc3\xa9"),  # UTF-8 without bytes 0x80-0x9F
        (" ā".encode(), b" \xc4\xff\x81"),  # U+0101 is C4 81
        (b"\x80\x9f\xa0\xfe\xff", b"\xff\x80\xff\x9f\xa0\xfe\xff\xff"),
    ],
)
def test_header_quoting(raw: bytes, quoted: bytes) -> None:
    assert quote_header_value(raw) == quoted
    assert unquote_header_value(quoted) == raw
    header = QueueHeader.from_message("X", raw)
    assert header.value == quoted and header.message_value() == raw


def test_unquote_keeps_macro_markers_and_a_trailing_quote() -> None:
    assert unquote_header_value(b" <\x81g>") == b" <\x81g>"
    assert unquote_header_value(b"a\xff") == b"a\xff"


def test_from_message_accepts_text() -> None:
    assert QueueHeader.from_message("Subject", " café").value == " café".encode()


# --------------------------------------------------------------------------- round trip

_TEXT = st.text(st.characters(blacklist_characters="\n\r", blacklist_categories=("Cs",)))
_FOLDED = st.lists(_TEXT, min_size=1, max_size=3).flatmap(
    lambda parts: st.lists(
        st.sampled_from([" ", "\t"]), min_size=len(parts), max_size=len(parts)
    ).map(
        lambda leads: (
            parts[0]
            + "".join("\n" + lead + p for lead, p in zip(leads[1:], parts[1:], strict=True))
        )
    )
)
_NAME = st.text(
    st.characters(min_codepoint=33, max_codepoint=126, blacklist_characters=":?"), min_size=1
)
_CONDITION = st.one_of(
    st.none(),
    st.just(""),
    st.sampled_from(["P", "D", "F", "M", "x"]),
    st.text(
        st.characters(min_codepoint=33, max_codepoint=126, blacklist_characters="?"), max_size=12
    ),
)
_RAW_VALUE = st.lists(
    st.binary(max_size=30).map(lambda b: b.replace(b"\n", b"")), min_size=1, max_size=3
).flatmap(
    lambda parts: st.lists(
        st.sampled_from([b" ", b"\t"]), min_size=len(parts), max_size=len(parts)
    ).map(
        lambda leads: (
            parts[0]
            + b"".join(b"\n" + lead + p for lead, p in zip(leads[1:], parts[1:], strict=True))
        )
    )
)
_HEADERS = st.builds(
    QueueHeader,
    name=_NAME.filter(lambda n: n[0] != "?"),
    value=_RAW_VALUE,
    condition=_CONDITION,
)
_RECIPIENTS = st.builds(
    QueueRecipient,
    address=_TEXT,
    flags=st.text(st.sampled_from("PNSFDAX"), max_size=6),
    orcpt=st.one_of(st.none(), _TEXT),
    final_recipient=st.one_of(st.none(), _TEXT),
    # an empty controlling user is a bare C record, which means none
    controller=st.one_of(st.none(), _TEXT.filter(bool)),
)
_MACRO_NAME = st.one_of(
    st.characters(min_codepoint=33, max_codepoint=126, blacklist_characters="{"),
    st.text(
        st.characters(min_codepoint=33, max_codepoint=126, blacklist_characters="{}"),
        min_size=2,
        max_size=20,
    ),
)
_INT = st.integers(min_value=-(2**40), max_value=2**40)
_ENVELOPES = st.builds(
    QueueEnvelope,
    qid=st.just("6B62wBSI005985"),
    sender=_TEXT,
    recipients=st.lists(_RECIPIENTS, max_size=4).map(tuple),
    headers=st.lists(_HEADERS, max_size=5).map(tuple),
    macros=st.lists(st.tuples(_MACRO_NAME, _TEXT), max_size=4).map(tuple),
    created=_INT,
    last_attempt=_INT,
    attempts=_INT,
    priority=_INT,
    df_inode=st.one_of(st.none(), st.tuples(_INT, _INT, st.integers(min_value=0, max_value=2**63))),
    data_directory=st.one_of(st.none(), _TEXT),
    body_type=st.one_of(st.none(), st.sampled_from(["7BIT", "8BITMIME"]), _TEXT),
    status_message=st.one_of(st.none(), _FOLDED),
    flags=st.text(st.sampled_from("wr8bdns"), max_size=7),
    quarantine_reason=st.one_of(st.none(), _TEXT),
    auth=st.one_of(st.none(), _TEXT),
    envid=st.one_of(st.none(), _TEXT),
    deliver_by=st.one_of(
        st.none(),
        st.builds(
            DeliverBy,
            seconds=_INT,
            mode=st.sampled_from([0x01, 0x02, 0x11, 0x12, 0x00, 0x7F]).map(DeliverByMode),
        ),
    ),
)


@given(_ENVELOPES)
def test_round_trip(envelope: QueueEnvelope) -> None:
    data = format_qf(envelope)
    assert data.endswith(b"\n.\n") and data.startswith(b"V8\n")
    assert parse_qf(data, qid=envelope.qid) == envelope


@given(_ENVELOPES)
def test_parse_is_strict_about_the_end(envelope: QueueEnvelope) -> None:
    data = format_qf(envelope)
    with pytest.raises(QueueFormatError, match=r"final '\.' line|truncated"):
        parse_qf(data[: -len(b".\n")])


# --------------------------------------------------------------------------- errors

_GOOD = b"V8\nT1\nK0\nN0\nP1\nFs\nS<a@b>\nRPFD:<c@d>\nH??Subject: x\n.\n"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "no final '.' line"),
        (_GOOD[:-2], "no final '.' line"),
        (_GOOD[:-1], "does not end with a newline"),
        (_GOOD + b"extra\n", "data after the final '.' line"),
        (b"T1\n" + _GOOD[3:], "first line is not a V"),
        (b"V7\n" + _GOOD[3:], "unsupported queue file version V7"),
        (_GOOD.replace(b"T1\n", b"T1\nV8\n"), "V record is not the first line"),
        (_GOOD.replace(b"T1\n", b"T1\nT2\n"), "more than one T record"),
        (_GOOD.replace(b"P1\n", b"Pabc\n"), "P record is not a number"),
        (_GOOD.replace(b"P1\n", b"P1\nI1/2\n"), "I record is not major/minor/inode"),
        (_GOOD.replace(b"Fs\n", b"Fs\nX?\n"), "unknown record type 'X'"),
        (_GOOD.replace(b"Fs\n", b"Fs\n\n"), "empty line"),
        (b" continuation\nV8\n.\n", "continuation line without a record"),
        (_GOOD.replace(b"S<a@b>\n", b""), "no S (sender) record"),
        (_GOOD.replace(b"RPFD:<c@d>", b"R<c@d>"), "R record without flags and colon"),
        (_GOOD.replace(b"H??Subject: x\n", b"Qrfc822;x@y\n"), "without the R record"),
        (_GOOD.replace(b"RPFD", b"Qa\nQb\nRPFD"), "two Q records for one recipient"),
        (_GOOD.replace(b"H??Subject: x", b"H?P"), "no closing '?'"),
        (_GOOD.replace(b"H??Subject: x", b"H??Subject x"), "without 'name:'"),
        (_GOOD.replace(b"Fs\n", b"Fs\n$\n"), "macro record without a name"),
        (_GOOD.replace(b"Fs\n", b"Fs\n${abc\n"), "bad macro record"),
        (_GOOD.replace(b"Fs\n", b"Fs\n!x\n"), "bad deliver-by record"),
    ],
)
def test_parse_errors(data: bytes, message: str) -> None:
    with pytest.raises(QueueFormatError, match=re.escape(message)):
        parse_qf(data)


def test_parse_error_names_the_line() -> None:
    with pytest.raises(QueueFormatError) as info:
        parse_qf(_GOOD.replace(b"Fs\n", b"Fs\nX?\n"))
    assert info.value.line == 7 and str(info.value).startswith("line 7: ")


def test_good_minimal_file() -> None:
    e = parse_qf(_GOOD, qid="x")
    assert (e.created, e.priority, e.flags, e.sender) == (1, 1, "s", "<a@b>")
    assert format_qf(e) == _GOOD


_BASE = QueueEnvelope(qid="q", sender="<a@b>")


@pytest.mark.parametrize(
    ("envelope", "message"),
    [
        (QueueEnvelope(qid="q", sender="<a@b>\nRPFD:<evil@x>"), "sender has a line break"),
        (QueueEnvelope(qid="q", sender="x", status_message="a\n"), "M has a line break"),
        (
            QueueEnvelope(qid="q", sender="x", recipients=(QueueRecipient("<a>", "P:F"),)),
            "recipient flags contain a colon",
        ),
        (
            QueueEnvelope(qid="q", sender="x", headers=(QueueHeader("To:", b" x"),)),
            "bad header name",
        ),
        (QueueEnvelope(qid="q", sender="x", headers=(QueueHeader("", b" x"),)), "bad header name"),
        (
            QueueEnvelope(qid="q", sender="x", headers=(QueueHeader("X", b" a\nH??Y: b"),)),
            "line break that is not folding",
        ),
        (
            QueueEnvelope(qid="q", sender="x", headers=(QueueHeader("X", b"", "a?b"),)),
            "bad header condition",
        ),
        (
            QueueEnvelope(qid="q", sender="x", headers=(QueueHeader("?X", b"", None),)),
            "starts with '?'",
        ),
        (QueueEnvelope(qid="q", sender="x", macros=(("", "v"),)), "bad macro name"),
        (QueueEnvelope(qid="q", sender="x", macros=(("a}b", "v"),)), "bad macro name"),
        (
            QueueEnvelope(qid="q", sender="x", deliver_by=DeliverBy(1, DeliverByMode(0x0A))),
            "deliver-by mode not writable",
        ),
    ],
)
def test_format_errors(envelope: QueueEnvelope, message: str) -> None:
    with pytest.raises(QueueFormatError, match=re.escape(message)):
        format_qf(envelope)


def test_format_minimal() -> None:
    assert format_qf(_BASE) == b"V8\nT0\nK0\nN0\nP0\nF\nS<a@b>\n.\n"
