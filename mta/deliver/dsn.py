"""Compose Sendmail 8.17's delivery status notifications: bounces, delay warnings, receipts.

SYNOPSIS
    report = DsnReport(envelope=envelope, body=df_bytes, kind=DsnKind.FAILURE,
                       recipients=(DsnRecipient("<bob@example.net>", DsnAction.FAILED, "5.1.1",
                                                reason="550 5.1.1 User unknown",
                                                remote_mta="mx.example.net", last_attempt=now),),
                       transcript=transcript_text, host_name="mail.example.test",
                       qid=new_qid, now=now)
    message = compose_dsn(report)       # DsnMessage: sender "", recipients, headers, body
    data = message.as_bytes(cf_headers) # the .cf H lines (Received, Date, From ...) first

DESCRIPTION
    A pure function from what the delivery agent knows about a message
    (its qf envelope and df body, the outcome of each recipient, the
    transcript of the delivery attempts) to the notification Sendmail 8.17
    queues for it, with the same fields, wording, order and line layout.
    Everything below was read from messages the real sendmail made
    (tests/diff/test_dsn_real.py; fixtures in tests/unit/deliver/data/dsn/):

    - The DSN's own header fields, in this order: To: (the original
      envelope sender as stored in the qf S record, or the postmaster
      address as configured), MIME-Version: 1.0, Content-Type:
      multipart/report; report-type=delivery-status; boundary="QID.TIME/$j"
      (folded before boundary= with a tab), Content-Transfer-Encoding: 8bit
      when the original had 8-bit data, Subject:, Auto-Submitted:. With
      SendMimeErrors=False only To:, Subject: and Auto-Submitted:. The
      fields Sendmail adds from the .cf H lines (Return-Path, Received,
      Date, From: "$x <$g>" with $x = DSN_FULL_NAME, Full-Name, Message-Id)
      are not made here: they come first, and the caller adds them as it
      does for any message it queues (DsnMessage.as_bytes takes them).
    - Subject and Auto-Submitted per kind: "Returned mail: see transcript
      for details" / "(failure)"; "Warning: could not send message for
      past 4 hours" / "(warning-timeout)"; "Return receipt" /
      "(return-receipt)"; a copy for the postmaster (PostmasterCopy, or
      the bounce of a message from the null sender) "Postmaster notify:
      see transcript for details" / "(postmaster-notification)".
    - The body: "This is a MIME-encapsulated message", the boundary, the
      warning box (delay warnings), "The original message was received at
      <arrival date>", "from $_", "with id QID" (postmaster copies), then
      the sections "The following addresses had permanent fatal errors"
      (address, "    (reason: ...)", "    (expanded from: ...)") and "...
      had successful delivery notifications" ("<addr>  (successfully
      delivered to mailbox)"), and the transcript; delayed recipients are
      reported in the delivery-status part only. Delay warnings end the
      transcript with "Warning: message still undelivered after 4 hours"
      and "Will keep trying until message is 5 days old".
    - The message/delivery-status part: Original-Envelope-Id (ENVID,
      xtext decoded), Reporting-MTA: dns; $j, Received-From-MTA (when the
      DSN is made in the SMTP session of the client), Arrival-Date; per
      recipient Original-Recipient (ORCPT as "type;value", xtext
      decoded), Final-Recipient, X-Actual-Recipient, Action, Status,
      Remote-MTA, Diagnostic-Code, Last-Attempt-Date, Will-Retry-Until
      (delayed recipients the mailer deferred:
      arrival + Timeout.queuereturn). Values are cut
      where Sendmail cuts them (800 characters, ORCPT type 100 and value 700).
    - The returned content: message/rfc822 with the whole original
      message, or text/rfc822-headers with its header only for RET=HDRS,
      for return receipts, for PostmasterCopy copies and when the caller
      says so (a message refused as too large: Sendmail returns its header
      only). Without MIME: "----- Original message follows -----" or
      "----- Message header follows -----" and "----- Message body
      suppressed -----". Sendmail 8.17 returns big messages whole: no
      truncation was observed (MaxMessageSize does not shorten a bounce).
    - Dates are written as Sendmail's arpadate() writes them, in local time.

DIAGNOSTICS
    compose_dsn raises ValueError for a report Sendmail never sends: a
    delay warning for a message from the null sender or to the postmaster,
    or no recipient outcome at all.

SEE ALSO
    mta.queue.qfformat (QueueEnvelope, QueueHeader), mta.deliver.mailer
    (header_value), mta.util.timespec (format_interval); RFC 3461, RFC 3462,
    RFC 3464; Sendmail options SendMimeErrors, PostmasterCopy,
    DoubleBounceAddress, Timeout.queuewarn, Timeout.queuereturn.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass

from mta.deliver.mailer import header_value
from mta.queue.qfformat import QueueEnvelope, QueueHeader, QueueRecipient
from mta.rules.macros import MacroEnv
from mta.util.timespec import arpadate, format_interval

DSN_FULL_NAME = "Mail Delivery Subsystem"  # $x of the DSN: the .cf From: line uses it
DSN_SENDER_NAME = "MAILER-DAEMON"  # the qf S record of a DSN (the null sender)
DEFAULT_DOUBLE_BOUNCE_ADDRESS = "postmaster"  # option DoubleBounceAddress
DEFAULT_WARN_AFTER = 4 * 3600  # Timeout.queuewarn
DEFAULT_RETURN_AFTER = 5 * 86400  # Timeout.queuereturn

_MIME_PREAMBLE = "This is a MIME-encapsulated message"
_WARNING_BOX = (
    "    **********************************************\n"
    "    **      THIS IS A WARNING MESSAGE ONLY      **\n"
    "    **  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **\n"
    "    **********************************************\n"
)
_FAILED_SECTION = "   ----- The following addresses had permanent fatal errors -----\n"
_SUCCESS_SECTION = (
    "   ----- The following addresses had successful delivery notifications -----\n"
)
_TRANSCRIPT = "   ----- Transcript of session follows -----\n"
_NO_TRANSCRIPT = "   ----- Transcript of session is unavailable -----\n"
_ORIGINAL_FOLLOWS = "   ----- Original message follows -----\n"
_HEADER_FOLLOWS = "   ----- Message header follows -----\n"
_BODY_SUPPRESSED = "   ----- Message body suppressed -----\n"
_XTEXT = re.compile(r"\+([0-9A-Fa-f]{2})")


class DsnKind(enum.Enum):
    """Why the notification is sent."""

    FAILURE = "failure"  # "Returned mail: see transcript for details"
    DELAY = "delay"  # "Warning: could not send message for past ..."
    RECEIPT = "receipt"  # "Return receipt": NOTIFY=SUCCESS outcomes only


class DsnAction(enum.Enum):
    """The fate of one recipient, with Sendmail's Action: text as value."""

    FAILED = "failed"
    DELAYED = "delayed"
    DELIVERED = "delivered (to mailbox)"
    DELIVERED_TO_LIST = "delivered (to mailing list)"
    RELAYED = "relayed (to non-DSN-aware mailer)"
    EXPANDED = "expanded (to multi-recipient alias)"


# The note after the address in "successful delivery notifications".
_SUCCESS_NOTE = {
    DsnAction.DELIVERED: "successfully delivered to mailbox",
    DsnAction.DELIVERED_TO_LIST: "successfully delivered to mailing list",
    DsnAction.RELAYED: "relayed to non-DSN-aware mailer",
    DsnAction.EXPANDED: "expanded by alias",
}


@dataclass(frozen=True, slots=True)
class DsnRecipient:
    """What happened to one recipient, as the DSN reports it.

    Attributes:
        address: the address as the lists print it ("<bob@example.net>",
            or an alias value such as "error:5.1.1:550 User unknown").
        action: the outcome.
        status: the enhanced status code ("5.1.1", "4.3.0", "2.1.5").
        final_recipient: the Final-Recipient value ("rfc822; bob@example.net",
            the qf r record); None makes "rfc822; " + address without <>.
        original_recipient: the ORCPT as stored (qf Q record, xtext):
            "rfc822;Bob+2B1@example.net".
        actual_recipient: X-Actual-Recipient value ("rfc822; bob@mail.host")
            when the mailer's recipient differs from the final recipient.
        reason: the status text (SMTP reply or error text): the "(reason: )"
            line of a failure and the Diagnostic-Code text.
        diagnostic_type: the mailer's diagnostic type (T= third part): "SMTP",
            "X-Unix".
        diagnostic: the Diagnostic-Code text when it differs from reason (a file
            delivery's sysexits number, "73").
        remote_mta: the host the mailer talked to ("[192.0.2.1]", "mx.example.net").
        remote_mta_type: the mailer's MTA type (T= first part), "DNS".
        expanded_from: the alias this recipient came from ("<list@example.test>").
        last_attempt: time of the last delivery attempt (seconds since the epoch).
        success_noted: NOTIFY=SUCCESS was asked for: a success (or expansion) is
            in the human-readable part too, not only in the per-recipient one.
        will_retry_until: write Will-Retry-Until for a delayed recipient.
            Sendmail 8.17 writes it when the mailer deferred the recipient
            (a program mailer exiting EX_TEMPFAIL), not when an SMTP server
            refused the RCPT with a 4xx reply (observed).
    """

    address: str
    action: DsnAction
    status: str
    final_recipient: str | None = None
    original_recipient: str | None = None
    actual_recipient: str | None = None
    reason: str | None = None
    diagnostic_type: str = "SMTP"
    diagnostic: str | None = None  # the Diagnostic-Code text when it is not the reason
    remote_mta: str | None = None
    remote_mta_type: str = "DNS"
    expanded_from: str | None = None
    last_attempt: int = 0
    success_noted: bool = True
    will_retry_until: bool = True

    @classmethod
    def from_queue(
        cls,
        recipient: QueueRecipient,
        action: DsnAction,
        status: str,
        *,
        reason: str | None = None,
        remote_mta: str | None = None,
        actual_recipient: str | None = None,
        last_attempt: int = 0,
    ) -> DsnRecipient:
        """Make the outcome of a qf recipient: address, r record and ORCPT taken from it.

        Args:
            recipient: the recipient of the queued message.
            action: the outcome.
            status: the enhanced status code.
            reason: as the attribute.
            remote_mta: as the attribute.
            actual_recipient: as the attribute.
            last_attempt: as the attribute.
        """
        return cls(
            recipient.address,
            action,
            status,
            final_recipient=recipient.final_recipient,
            original_recipient=recipient.orcpt,
            actual_recipient=actual_recipient,
            reason=reason,
            remote_mta=remote_mta,
            last_attempt=last_attempt,
        )


@dataclass(frozen=True, slots=True)
class DsnReport:
    """Everything compose_dsn needs: the original message and what happened to it.

    Attributes:
        envelope: the original message's qf envelope (sender, ENVID, RET,
            headers, macros $_ and the rest, arrival time T, qid, 8-bit flag).
        body: the original df body (LF line ends).
        kind: failure, delay warning or return receipt.
        recipients: the outcomes to report, in Sendmail's send-queue order.
        transcript: the transcript text (lines ending in LF), None when none
            was kept ("Transcript of session is unavailable").
        host_name: $j, the reporting MTA.
        qid: the queue id of the DSN itself (in the boundary).
        now: when the DSN is made (in the boundary), seconds since the epoch.
        warn_after: Timeout.queuewarn in seconds (the delay warning's subject).
        return_after: Timeout.queuereturn in seconds (Will-Retry-Until).
        postmaster_copy: the PostmasterCopy address when this is the copy
            for the postmaster.
        double_bounce_address: DoubleBounceAddress: where a bounce of a
            message from the null sender goes.
        headers_only: return only the header (Sendmail does for a message
            refused as too large); RET=HDRS is read from the envelope.
        mime: SendMimeErrors: multipart/report, or plain text when False.
        received_from: the SMTP client's host name when the DSN is made
            during its session (Received-From-MTA), else None.
        return_path: the value of $g in the returned header (Return-Path:
            <$g>); None: the envelope sender without angle brackets.
    """

    envelope: QueueEnvelope
    body: bytes
    kind: DsnKind
    recipients: tuple[DsnRecipient, ...]
    transcript: str | None
    host_name: str
    qid: str
    now: int
    warn_after: int = DEFAULT_WARN_AFTER
    return_after: int = DEFAULT_RETURN_AFTER
    postmaster_copy: str | None = None
    double_bounce_address: str = DEFAULT_DOUBLE_BOUNCE_ADDRESS
    headers_only: bool = False
    mime: bool = True
    received_from: str | None = None
    return_path: str | None = None
    mailer_flags: str | None = None


@dataclass(frozen=True, slots=True)
class DsnMessage:
    """The notification to queue.

    Attributes:
        sender: the envelope sender, always the null sender "" (qf S
            record DSN_SENDER_NAME).
        recipients: where it goes: the original sender, or the postmaster.
        headers: the DSN's own header fields in order, in qf form (condition "").
        body: the df body (LF line ends).
        headers_only: True when only the original header is returned (the
            qf F record of the DSN then has "n").
        full_name: $x for the .cf From: line ("Mail Delivery Subsystem").
    """

    sender: str
    recipients: tuple[str, ...]
    headers: tuple[QueueHeader, ...]
    body: bytes
    headers_only: bool
    full_name: str = DSN_FULL_NAME

    def as_bytes(self, first: Iterable[QueueHeader] = ()) -> bytes:
        """Return the whole message: the first headers, the DSN's, a blank line, the body."""
        fields = [h.name.encode() + b":" + h.message_value() + b"\n" for h in first]
        fields += [h.name.encode() + b":" + h.message_value() + b"\n" for h in self.headers]
        return b"".join(fields) + b"\n" + self.body


def compose_dsn(report: DsnReport) -> DsnMessage:
    """Compose the DSN Sendmail 8.17 queues for report.

    Args:
        report: the original message and the outcomes to report.

    Returns:
        The notification: envelope, header fields and body.

    Raises:
        ValueError: see the module DIAGNOSTICS.
    """
    envelope = report.envelope
    if not report.recipients:
        raise ValueError("a DSN needs at least one recipient outcome")
    null_sender = envelope.sender.strip() in ("", "<>")
    to_postmaster = report.postmaster_copy is not None or null_sender
    if report.kind is DsnKind.DELAY and to_postmaster:
        raise ValueError("Sendmail sends delay warnings to a non-null sender only")
    if report.postmaster_copy is not None:
        to = report.postmaster_copy
    elif null_sender:
        to = report.double_bounce_address
    else:
        to = envelope.sender
    subject, auto = _subject(report, to_postmaster)
    headers_only = (
        report.headers_only
        or envelope.ret == "HDRS"
        or report.kind is DsnKind.RECEIPT
        or report.postmaster_copy is not None
    )
    boundary = f"{report.qid}.{report.now}/{report.host_name}"
    eight_bit = envelope.has_8bit

    fields: list[tuple[str, str]] = [("To", to)]
    if report.mime:
        fields += [
            ("MIME-Version", "1.0"),
            (
                "Content-Type",
                f'multipart/report; report-type=delivery-status;\n\tboundary="{boundary}"',
            ),
        ]
        if eight_bit:
            fields.append(("Content-Transfer-Encoding", "8bit"))
    fields += [("Subject", subject), ("Auto-Submitted", f"auto-generated ({auto})")]
    headers = tuple(QueueHeader.from_message(name, " " + value) for name, value in fields)

    returned = _returned_message(report)
    text = _human_part(report, to_postmaster).encode("utf-8", "surrogateescape")
    if report.mime:
        body = _mime_body(report, boundary, text, returned, headers_only, eight_bit)
    else:
        body = _plain_body(text, returned, headers_only)
    return DsnMessage(
        sender="",
        recipients=(to,),
        headers=headers,
        body=body,
        headers_only=headers_only,
    )


def _subject(report: DsnReport, to_postmaster: bool) -> tuple[str, str]:
    if report.kind is DsnKind.DELAY:
        period = format_interval(report.warn_after)
        return f"Warning: could not send message for past {period}", "warning-timeout"
    if to_postmaster:
        return "Postmaster notify: see transcript for details", "postmaster-notification"
    if report.kind is DsnKind.RECEIPT:
        return "Return receipt", "return-receipt"
    return "Returned mail: see transcript for details", "failure"


def _human_part(report: DsnReport, to_postmaster: bool) -> str:
    """The text from the warning box to the end of the transcript."""
    envelope = report.envelope
    out: list[str] = []
    if report.kind is DsnKind.DELAY:
        out.append(_WARNING_BOX + "\n")
    out.append(f"The original message was received at {arpadate(envelope.created)}\n")
    client = envelope.macro("_")
    if client:
        out.append(f"from {client}\n")
    if to_postmaster:
        out.append(f"with id {envelope.qid}\n")
    out.append("\n")
    failed = [r for r in report.recipients if r.action is DsnAction.FAILED]
    if failed:
        out.append(_FAILED_SECTION)
        for rcpt in failed:
            out.append(rcpt.address + "\n")
            if rcpt.reason:
                out.append(f"    (reason: {rcpt.reason})\n")
            if rcpt.expanded_from:
                out.append(f"    (expanded from: {rcpt.expanded_from})\n")
        out.append("\n")
    succeeded = [r for r in report.recipients if r.action in _SUCCESS_NOTE and r.success_noted]
    if succeeded:
        out.append(_SUCCESS_SECTION)
        for rcpt in succeeded:
            out.append(f"{rcpt.address}  ({_SUCCESS_NOTE[rcpt.action]})\n")
        out.append("\n")
    transcript = report.transcript
    if report.kind is DsnKind.DELAY:
        transcript = (transcript or "") + (
            f"Warning: message still undelivered after {format_interval(report.warn_after)}\n"
            f"Will keep trying until message is {format_interval(report.return_after)} old\n"
        )
    if transcript is None:
        out.append(_NO_TRANSCRIPT)
    else:
        out.append(_TRANSCRIPT)
        out.append(transcript if not transcript or transcript.endswith("\n") else transcript + "\n")
    out.append("\n")
    return "".join(out)


def _status_part(report: DsnReport) -> str:
    """The message/delivery-status content (RFC 3464), blank line after each group."""
    envelope = report.envelope
    lines: list[str] = []
    if envelope.envid is not None:
        lines.append(f"Original-Envelope-Id: {_cut(xtext_decode(envelope.envid))}")
    lines.append(f"Reporting-MTA: dns; {_cut(report.host_name)}")
    if report.received_from is not None:
        lines.append(f"Received-From-MTA: DNS; {_cut(report.received_from)}")
    lines.append(f"Arrival-Date: {arpadate(envelope.created)}")
    lines.append("")
    for rcpt in report.recipients:
        if rcpt.original_recipient is not None:
            kind, _, value = rcpt.original_recipient.partition(";")
            lines.append(f"Original-Recipient: {kind[:100]};{xtext_decode(value)[:700]}")
        final = rcpt.final_recipient or "rfc822; " + _bare(rcpt.address)
        lines.append(f"Final-Recipient: {final}")
        if rcpt.actual_recipient is not None:
            lines.append(f"X-Actual-Recipient: {rcpt.actual_recipient}")
        lines.append(f"Action: {rcpt.action.value}")
        lines.append(f"Status: {rcpt.status}")
        if rcpt.remote_mta is not None:
            lines.append(f"Remote-MTA: {rcpt.remote_mta_type}; {_cut(rcpt.remote_mta)}")
        diagnostic = rcpt.diagnostic or rcpt.reason
        if diagnostic:
            lines.append(f"Diagnostic-Code: {rcpt.diagnostic_type}; {_cut(diagnostic)}")
        if rcpt.last_attempt:
            lines.append(f"Last-Attempt-Date: {arpadate(rcpt.last_attempt)}")
        if rcpt.action is DsnAction.DELAYED and rcpt.will_retry_until:
            retry_until = envelope.created + report.return_after
            lines.append(f"Will-Retry-Until: {arpadate(retry_until)}")
        lines.append("")
    return "\n".join(lines) + "\n"


def _mime_body(
    report: DsnReport,
    boundary: str,
    text: bytes,
    returned: tuple[bytes, bytes],
    headers_only: bool,
    eight_bit: bool,
) -> bytes:
    header, body = returned
    delimiter = b"--" + boundary.encode() + b"\n"
    parts = [
        _MIME_PREAMBLE.encode() + b"\n\n",
        delimiter,
        b"\n",
        text,
        delimiter,
        b"Content-Type: message/delivery-status\n\n",
        _status_part(report).encode("utf-8", "surrogateescape"),
        delimiter,
    ]
    content_type = "text/rfc822-headers" if headers_only else "message/rfc822"
    parts.append(f"Content-Type: {content_type}\n".encode())
    if eight_bit:
        parts.append(b"Content-Transfer-Encoding: 8bit\n")
    parts += [b"\n", header]
    if not headers_only:
        parts += [b"\n", body]
    parts.append(b"\n--" + boundary.encode() + b"--\n\n")
    return b"".join(parts)


def _plain_body(text: bytes, returned: tuple[bytes, bytes], headers_only: bool) -> bytes:
    header, body = returned
    if headers_only:
        tail = [_HEADER_FOLLOWS.encode(), b"\n", header, b"\n", _BODY_SUPPRESSED.encode()]
    else:
        tail = [_ORIGINAL_FOLLOWS.encode(), b"\n", header, b"\n", body]
    return text + b"".join(tail) + b"\n"


def _returned_message(report: DsnReport) -> tuple[bytes, bytes]:
    """The original header (macro references expanded) and body, each ending in LF."""
    envelope = report.envelope
    macros = MacroEnv(dict(envelope.macros))
    return_path = report.return_path
    if return_path is None:
        return_path = _bare(envelope.sender)
    macros.define("g", return_path)
    lines = [
        h.name.encode() + b":" + header_value(h.value, macros) + b"\n"
        for h in envelope.headers
        if _header_wanted(h, envelope, report.mailer_flags)
    ]
    body = report.body
    if body and not body.endswith(b"\n"):
        body += b"\n"
    return b"".join(lines), body


def _header_wanted(header: QueueHeader, envelope: QueueEnvelope,
                   mailer_flags: str | None) -> bool:
    """Headers conditional on a macro ("?${name}?") go only when it has a value; those
    conditional on mailer flags ("?x?") when the mailer that writes the DSN (the
    *file* mailer, whose flags are mailer_flags; None: no check) has one of them."""
    condition = header.condition or ""
    if condition.startswith("${") and condition.endswith("}"):
        return bool(envelope.macro(condition[2:-1]))
    if condition.startswith("$") and len(condition) == 2:
        return bool(envelope.macro(condition[1]))
    if condition and mailer_flags is not None:
        return any(flag in mailer_flags for flag in condition)
    return True


def xtext_decode(text: str) -> str:
    """Undo RFC 3461 xtext ("a+2Bb" -> "a+b"), as Sendmail does for ENVID and ORCPT."""
    return _XTEXT.sub(lambda m: chr(int(m[1], 16)), text)


def _cut(text: str, limit: int = 800) -> str:
    return text[:limit]


def _bare(address: str) -> str:
    address = address.strip()
    if address.startswith("<") and address.endswith(">"):
        return address[1:-1]
    return address

