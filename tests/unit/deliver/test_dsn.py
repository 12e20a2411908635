"""Unit tests for mta.deliver.dsn against DSNs the real Sendmail 8.17 queued.

DESCRIPTION
    Each case of data/dsn/ (made by tests/diff/test_dsn_real.py) has the
    original message as Sendmail queued it (NAME.orig.qf, NAME.orig.df),
    the DSN Sendmail queued for it (NAME.dsn.qf, NAME.dsn.df) and the
    other inputs of compose_dsn (NAME.json: kind, recipient outcomes,
    transcript, the DSN's queue id and creation time, the per-recipient
    last attempt times). compose_dsn must give the DSN's own header
    fields exactly as in the real qf (every H record without a condition
    but Received:, which comes from the .cf) and the df byte for byte.
    Nothing is masked: the values that vary between runs are inputs.

    The dates are written in local time, as Sendmail writes them; the
    fixtures were made with TZ=UTC, so the tests set it.
"""

from __future__ import annotations

import email
import email.message
import email.policy
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mta.deliver.dsn import (
    DsnAction,
    DsnKind,
    DsnMessage,
    DsnRecipient,
    DsnReport,
    arpadate,
    compose_dsn,
    xtext_decode,
)
from mta.queue.qfformat import QueueEnvelope, QueueHeader, QueueRecipient, parse_qf

DATA = Path(__file__).parent / "data" / "dsn"
CASES = sorted(p.stem for p in DATA.glob("*.json"))


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def load_case(directory: Path, name: str) -> DsnReport:
    """The DsnReport of a case directory written by tests/diff/test_dsn_real.py."""
    inputs: dict[str, Any] = json.loads((directory / f"{name}.json").read_text())
    orig_qf = (directory / f"{name}.orig.qf").read_bytes()
    envelope = parse_qf(orig_qf, qid=inputs.pop("original_qid"))
    recipients = tuple(
        DsnRecipient(**{**r, "action": DsnAction[r["action"]]}) for r in inputs.pop("recipients")
    )
    kind = DsnKind[inputs.pop("kind")]
    return DsnReport(
        envelope=envelope,
        body=(directory / f"{name}.orig.df").read_bytes(),
        kind=kind,
        recipients=recipients,
        **inputs,
    )


def check_case(directory: Path, name: str) -> DsnMessage:
    """Compose the case's DSN and compare it with the real one (see DESCRIPTION)."""
    report = load_case(directory, name)
    message = compose_dsn(report)
    real = parse_qf((directory / f"{name}.dsn.qf").read_bytes(), qid=report.qid)
    real_headers = [
        (h.name, h.message_value())
        for h in real.headers
        if h.condition == "" and h.name != "Received"
    ]
    assert [(h.name, h.message_value()) for h in message.headers] == real_headers
    real_body = (directory / f"{name}.dsn.df").read_bytes()
    assert message.body.decode("latin-1") == real_body.decode("latin-1")
    assert message.body == real_body
    assert message.sender == ""
    assert real.sender == "MAILER-DAEMON"
    assert [r.address for r in real.recipients] != []
    assert message.headers_only == ("n" in real.flags)
    return message


@pytest.mark.parametrize("name", CASES)
def test_real_fixture(name: str) -> None:
    message = check_case(DATA, name)
    _check_parses(message)


def _check_parses(message: DsnMessage) -> None:
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.compat32)
    if "MIME-Version" not in parsed:
        assert not parsed.is_multipart()
        return
    assert parsed.get_content_type() == "multipart/report"
    assert parsed.get_param("report-type") == "delivery-status"
    parts: list[email.message.Message] = [
        p for p in parsed.get_payload() if isinstance(p, email.message.Message)
    ]
    assert len(parts) == 3
    assert parts[0].get_content_type() == "text/plain"
    assert parts[1].get_content_type() == "message/delivery-status"
    assert parts[2].get_content_type() in ("message/rfc822", "text/rfc822-headers")
    groups = [g for g in parts[1].get_payload() if isinstance(g, email.message.Message)]
    assert len(groups) >= 2
    assert groups[0]["Reporting-MTA"].startswith("dns; ")
    for group in groups[1:]:
        assert group["Final-Recipient"] and group["Action"] and group["Status"]


def test_fixtures_present() -> None:
    assert len(CASES) >= 8, CASES


# --------------------------------------------------------------------------- small cases


def _envelope(sender: str = "<alice@example.test>", **kwargs: Any) -> QueueEnvelope:
    return QueueEnvelope(
        qid="6B6ABC000001",
        sender=sender,
        recipients=(QueueRecipient.from_rcpt("<bob@example.net>"),),
        headers=(
            QueueHeader("Return-Path", b" <\x81g>", "P"),
            QueueHeader.from_message("Subject", b" hi"),
        ),
        macros=(("_", "client.example.test [192.0.2.1]"),),
        created=1_796_541_401,
        **kwargs,
    )


def _report(envelope: QueueEnvelope | None = None, **kwargs: Any) -> DsnReport:
    envelope = envelope or _envelope()
    fields: dict[str, Any] = {
        "envelope": envelope,
        "body": b"hello\n",
        "kind": DsnKind.FAILURE,
        "recipients": (
            DsnRecipient.from_queue(
                envelope.recipients[0],
                DsnAction.FAILED,
                "5.1.1",
                reason="550 5.1.1 <bob@example.net>... User unknown",
                remote_mta="mx.example.net",
                last_attempt=1_796_541_402,
            ),
        ),
        "transcript": "550 5.1.1 <bob@example.net>... User unknown\n",
        "host_name": "mail.example.test",
        "qid": "6B6ABC000002",
        "now": 1_796_541_402,
    }
    fields.update(kwargs)
    return DsnReport(**fields)


def test_bounce_to_sender_parses() -> None:
    message = compose_dsn(_report(_envelope()))
    assert message.recipients == ("<alice@example.test>",)
    data = message.as_bytes()
    assert b"from client.example.test [192.0.2.1]\n" in data
    assert b"Return-Path: <alice@example.example>" not in data
    assert b"Return-Path: <alice@example.test>\nSubject: hi\n\nhello\n" in data
    assert b"Final-Recipient: rfc822; bob@example.net\n" in data
    assert b"Remote-MTA: DNS; mx.example.net\n" in data
    assert b'boundary="6B6ABC000002.1796541402/mail.example.test"' in data
    _check_parses(message)


def test_received_from_mta() -> None:
    message = compose_dsn(_report(_envelope(), received_from="client.example.test"))
    assert (
        b"Reporting-MTA: dns; mail.example.test\n"
        b"Received-From-MTA: DNS; client.example.test\n"
        b"Arrival-Date: Sun, 6 Dec 2026 07:16:41 GMT\n" in message.body
    )


@pytest.mark.parametrize(
    ("kind", "sender", "extra", "to", "subject"),
    [
        (DsnKind.FAILURE, "<a@x.test>", {}, "<a@x.test>",
         "Returned mail: see transcript for details"),
        (DsnKind.RECEIPT, "<a@x.test>", {}, "<a@x.test>", "Return receipt"),
        (DsnKind.DELAY, "<a@x.test>", {"warn_after": 4 * 3600}, "<a@x.test>",
         "Warning: could not send message for past 4 hours"),
        (DsnKind.FAILURE, "<>", {}, "postmaster",
         "Postmaster notify: see transcript for details"),
        (DsnKind.FAILURE, "<a@x.test>", {"postmaster_copy": "pm"}, "pm",
         "Postmaster notify: see transcript for details"),
    ],
)
def test_subject_and_recipient(
    kind: DsnKind, sender: str, extra: dict[str, Any], to: str, subject: str
) -> None:
    message = compose_dsn(_report(_envelope(sender), kind=kind, **extra))
    fields = {h.name: h.message_value().decode() for h in message.headers}
    assert fields["To"] == " " + to
    assert fields["Subject"] == " " + subject
    assert message.recipients == (to,)


@pytest.mark.parametrize(
    "extra",
    [
        {"kind": DsnKind.DELAY, "envelope": _envelope("<>")},
        {"kind": DsnKind.DELAY, "postmaster_copy": "postmaster"},
        {"recipients": ()},
    ],
)
def test_refused_reports(extra: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        compose_dsn(_report(**{"envelope": _envelope(), **extra}))


def test_missing_transcript_and_too_large() -> None:
    message = compose_dsn(_report(_envelope(), transcript=None, headers_only=True))
    assert b"   ----- Transcript of session is unavailable -----\n" in message.body
    assert b"Content-Type: text/rfc822-headers\n" in message.body
    assert b"hello" not in message.body
    assert message.headers_only


@pytest.mark.parametrize(
    ("text", "decoded"),
    [("a+2Bb", "a+b"), ("plain", "plain"), ("x+3Dy+2b", "x=y+"), ("+2", "+2")],
)
def test_xtext_decode(text: str, decoded: str) -> None:
    assert xtext_decode(text) == decoded


def test_arpadate_utc() -> None:
    assert arpadate(1_796_541_401) == "Sun, 6 Dec 2026 07:16:41 GMT"
