"""Queue the DSNs of a delivery attempt: bounces and delay warnings, as new messages.

SYNOPSIS
    qids = await queue_dsn(queue, config, envelope, body, recipients, now=now,
                           kind=DsnKind.FAILURE)

DESCRIPTION
    Sendmail's returntosender(): the outcomes of the recipients become one
    DSN (mta.deliver.dsn.compose_dsn) per destination: the original
    envelope sender, or the owner-ALIAS of the alias a recipient came
    from. The DSN goes into the queue like any message, with the null
    sender, the F flags Sendmail gives its own DSNs ("r" for a response,
    "n" when only the header is returned), and the header fields the .cf's
    H lines add (Received, Date, From: Mail Delivery Subsystem
    <MAILER-DAEMON@$j>, Message-Id), in front of the DSN's own fields.

    The DSN is durable before queue_dsn returns; only then may the caller
    drop the recipients it reports from the original qf file, so a crash
    in between sends a DSN twice but never loses one.

DIAGNOSTICS
    OSError from the queue passes through (the caller keeps the message as
    it was). A report compose_dsn refuses (a delay warning for a message
    from the null sender) queues nothing.

SEE ALSO
    mta.deliver.dsn, mta.deliver.runner, mta.queue.fsqueue.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from mta.config.macros import expand, translate_dollars
from mta.config.model import Config
from mta.deliver.dsn import (
    DSN_SENDER_NAME,
    DsnAction,
    DsnKind,
    DsnRecipient,
    DsnReport,
    compose_dsn,
)
from mta.deliver.router import RcptState, Recipient
from mta.queue.fsqueue import FsQueue
from mta.queue.qfformat import (
    QueueEnvelope,
    QueueHeader,
    QueueRecipient,
    envelope_flags,
    initial_priority,
)
from mta.rules.macros import MacroEnv
from mta.util.timespec import arpadate

_SKIP_HEADERS = frozenset({"to", "subject", "mime-version", "content-type",
                           "content-transfer-encoding", "auto-submitted", "full-name"})


def dsn_recipient(rcpt: Recipient, now: float) -> DsnRecipient:
    """The DSN's view of one recipient's outcome."""
    reply = rcpt.reply
    action = {RcptState.BADADDR: DsnAction.FAILED,
              RcptState.SENT: DsnAction.RELAYED if rcpt.relayed else DsnAction.DELIVERED,
              }.get(rcpt.state, DsnAction.DELAYED)
    if rcpt.timed_out:
        status = "4.4.7"
    elif reply is not None and reply.status:
        status = reply.status
    else:
        status = "5.0.0" if action is DsnAction.FAILED else (
            "4.0.0" if action is DsnAction.DELAYED else "2.0.0")
    reason = reply.line() if reply is not None else None
    mailer = rcpt.address.mailer if rcpt.address is not None else None
    kinds = (mailer.mailer_type.split("/") if mailer is not None and mailer.mailer_type
             else [])
    actual = diagnostic = None
    if mailer is not None and mailer.path == "[FILE]" and rcpt.exit_status is not None:
        # as Sendmail's: the file as the actual recipient, its sysexits number as the
        # diagnostic, the bare text as the reason
        actual = f"{kinds[1] if len(kinds) > 1 else 'X-Unix'}; {rcpt.paddr}"
        diagnostic = str(rcpt.exit_status)
        reason = reply.text if reply is not None else reason
    return DsnRecipient(
        rcpt.paddr,
        action,
        status,
        final_recipient=rcpt.final_recipient,
        original_recipient=rcpt.orcpt,
        actual_recipient=actual,
        reason=reason,
        diagnostic=diagnostic,
        diagnostic_type=kinds[2] if len(kinds) > 2 else "SMTP",
        remote_mta=rcpt.remote_mta.split(" ")[0].rstrip(".") if rcpt.remote_mta else None,
        remote_mta_type=kinds[0] if kinds else "DNS",
        expanded_from=rcpt.parent.paddr if rcpt.parent is not None else None,
        last_attempt=int(now),
    )


def _cf_headers(config: Config, macros: MacroEnv) -> list[QueueHeader]:
    """The .cf H lines a DSN gets in front of its own fields, expanded now."""
    out: list[QueueHeader] = []
    for template in config.headers:
        name = template.name.lower()
        if template.check_ruleset or name.startswith("resent-") or name in _SKIP_HEADERS:
            continue
        condition = "".join(sorted(template.flags))
        if name == "return-path":
            out.append(QueueHeader(template.name, b" <\x81g>", condition))
            continue
        value = expand(template.value, macros.get).strip()
        if value:
            out.append(QueueHeader.from_message(template.name, " " + value, condition))
    return out


async def queue_dsn(queue: FsQueue, config: Config, base_macros: MacroEnv,
                    envelope: QueueEnvelope, body: bytes, recipients: Sequence[Recipient], *,
                    now: float, kind: DsnKind, transcript: str | None,
                    settings_warn: int, settings_return: int,
                    postmaster_copy: str | None = None) -> list[str]:
    """Queue the DSN(s) for recipients; returns the new queue ids.

    With postmaster_copy (PostmasterCopy), a bounce also goes, header only,
    to that address.

    Raises:
        OSError: the queue could not take a DSN (nothing is half-written).
    """
    by_owner: dict[str | None, list[Recipient]] = {}
    for rcpt in recipients:
        owner = rcpt.owner_address() if kind is DsnKind.FAILURE else None
        by_owner.setdefault(owner, []).append(rcpt)
    host = config.macros.get("j") or "localhost"
    host = expand(host, base_macros.get)
    jobs: list[tuple[QueueEnvelope, list[Recipient], str | None]] = []
    for owner, group in by_owner.items():
        target = envelope if owner is None else _with_sender(envelope, owner)
        jobs.append((target, group, None))
        if postmaster_copy and kind is DsnKind.FAILURE:
            jobs.append((target, group, postmaster_copy))
    qids = []
    for target, group, copy_to in jobs:
        writer = queue.create_body()
        try:
            report = DsnReport(
                envelope=target, body=body, kind=kind,
                recipients=tuple(dsn_recipient(r, now) for r in group),
                transcript=transcript, host_name=host, qid=writer.qid, now=int(now),
                warn_after=settings_warn, return_after=settings_return,
                postmaster_copy=copy_to,
                double_bounce_address=config.options.get("DoubleBounceAddress") or "postmaster",
                mime=(config.options.get("SendMimeErrors", "True")[:1].lower() in "ty1"))
            try:
                message = compose_dsn(report)
            except ValueError:
                queue.abort(writer.qid)
                continue
            macros = base_macros.copy()
            for name, value in (("i", writer.qid), ("x", message.full_name),
                                ("g", DSN_SENDER_NAME), ("_", "localhost"),
                                ("s", "localhost"), ("r", ""), ("b", arpadate(now)),
                                ("t", time.strftime("%Y%m%d%H%M", time.localtime(now))),
                                ("u", None)):
                macros.define(name, None if value is None else
                              translate_dollars(value, 10, comments=False))
            headers = (*_cf_headers(config, macros), *message.headers)
            writer.write(message.body)
            size = len(message.body) + sum(len(h.name) + len(h.value) + 2 for h in headers)
            rcpts = tuple(QueueRecipient.from_rcpt(
                r if r.startswith("<") else f"<{r}>",
                final_recipient=f"RFC822; {r.strip('<>')}") for r in message.recipients)
            dsn_envelope = QueueEnvelope(
                qid=writer.qid, sender=DSN_SENDER_NAME, recipients=rcpts, headers=headers,
                macros=(("_", "localhost"), ("s", "localhost")),
                created=int(now), priority=initial_priority(size, len(rcpts)),
                flags=envelope_flags(has_8bit=not message.body.isascii(),
                                     headers_only=message.headers_only, response=True),
            )
            await queue.commit(dsn_envelope)
        except BaseException:
            queue.abort(writer.qid)
            raise
        qids.append(writer.qid)
    return qids


def _with_sender(envelope: QueueEnvelope, owner: str) -> QueueEnvelope:
    from dataclasses import replace

    address = owner if owner.startswith("<") else f"<{owner}>"
    return replace(envelope, sender=address)
