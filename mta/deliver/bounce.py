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
from mta.core.reply import Reply
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
    queued_size,
)
from mta.rules.engine import RuleEngine
from mta.rules.macros import MacroEnv
from mta.util.timespec import arpadate

_SKIP_HEADERS = frozenset({"to", "subject", "mime-version", "content-type",
                           "content-transfer-encoding", "auto-submitted"})
ERRORFUDGE = 1024  # what returntosender() adds to the size of a message it returns
# returntosender() sets these on the DSN's envelope; its other macros (such as
# ${daemon_flags}) come from the message it reports on
_DSN_MACROS = (("_", "localhost"), ("r", ""), ("s", "localhost"))


def dsn_recipient(rcpt: Recipient, now: float, host: str = "localhost") -> DsnRecipient:
    """The DSN's view of one recipient's outcome; host is $j (the X-Actual-Recipient of
    a user without a domain)."""
    reply = rcpt.reply
    action = {RcptState.BADADDR: DsnAction.FAILED,
              RcptState.SENT: DsnAction.RELAYED if rcpt.relayed else DsnAction.DELIVERED,
              RcptState.EXPANDED: DsnAction.EXPANDED,
              }.get(rcpt.state, DsnAction.DELAYED)
    if rcpt.timed_out:
        status = "4.4.7"
    elif reply is not None and reply.status:
        status = reply.status
    else:
        status = "5.0.0" if action is DsnAction.FAILED else (
            "4.0.0" if action is DsnAction.DELAYED else "2.0.0")
    mailer = rcpt.address.mailer if rcpt.address is not None else None
    if action is DsnAction.RELAYED and rcpt.rcpt_reply is not None:
        # what the server said to the RCPT is what the DSN quotes (not its DATA reply)
        reply = rcpt.rcpt_reply
        status = reply.status or status
    elif action is DsnAction.DELIVERED and mailer is not None and "l" in mailer.flags:
        status = "2.1.5"  # delivered by a final mailer, as Sendmail's deliver() notes it
    reason = reply.line() if reply is not None else None
    kinds = (mailer.mailer_type.split("/") if mailer is not None and mailer.mailer_type
             else [])
    actual = diagnostic = None
    if mailer is not None and mailer.path == "[FILE]" and rcpt.exit_status is not None:
        # as Sendmail's: the file as the actual recipient, its sysexits number as the
        # diagnostic, the bare text as the reason
        actual = f"{kinds[1] if len(kinds) > 1 else 'X-Unix'}; {rcpt.paddr}"
        diagnostic = str(rcpt.exit_status)
        reason = reply.text if reply is not None else reason
    elif rcpt.user:
        # errbody(): the mailer's address type (T= second part, rfc822 when none) and
        # the user as the mailer got it, with @$j when it has no domain; shown when it
        # differs from Final-Recipient, which a lower-case "rfc822" always does
        addr_type = kinds[1] if len(kinds) > 1 and kinds[1] else "rfc822"
        if addr_type.lower() == "rfc822":
            user = rcpt.user if "@" in rcpt.user else f"{rcpt.user}@{host}"
            actual = f"rfc822; {user}"
        else:
            actual = f"{addr_type}; {rcpt.user}"
        if actual == rcpt.final_recipient:
            actual = None
    if rcpt.unparsed or (rcpt.exit_status is not None and mailer is not None
                         and mailer.path != "[FILE]"):
        # nothing to quote: the parse refused it, or a program said it with its exit
        # status (the transcript has its words); Sendmail sets no q_rstatus
        reason = None
    elif reply is not None and rcpt.remote_mta is None and reason is not None:
        # a local verdict ("nosuchuser... User unknown") is kept without the address,
        # as Sendmail's q_rstatus; the transcript line still names it
        for shown in (rcpt.paddr, rcpt.paddr.strip("<>")):
            if reply.text.startswith(f"{shown}... "):
                reason = Reply(reply.code, reply.status,
                               reply.text[len(shown) + 4:]).line()
                break
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
        # a server's own deferral (Sendmail's QS_RETRY) promises no retry date; what
        # was deferred here ("Deferred: Connection refused by ...") does
        will_retry_until=not rcpt.deferred_by_server,
        expanded_from=rcpt.parent.paddr if rcpt.parent is not None else None,
        last_attempt=int(now),
        success_noted="SUCCESS" in rcpt.notify,
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
                    postmaster_copy: str | None = None,
                    original_size: int | None = None,
                    submission: bool = False,
                    engine: RuleEngine | None = None) -> list[str]:
    """Queue the DSN(s) for recipients; returns the new queue ids.

    With postmaster_copy (PostmasterCopy), a bounce also goes, header only,
    to that address. The DSN's P is Sendmail's: the reported message's size
    (original_size, as collect() counted it; else as a queue run counts it,
    queued_size) plus 1024 when the message goes back whole, else none, plus
    the recipient factor. With engine, the r record of a DSN's recipient has
    the address type (address_type) of the mailer of the reported message's
    sender, as Sendmail's recipient() gives it. The DSN's F record never
    has "8" (Sendmail does not collect what it composes). submission: the DSN is
    made by the process that took the message from the command line, and keeps,
    as Sendmail's does there (one made in a queue run does not), the F "d" of RET=,
    the ENVID, and B8BITMIME for a message with 8-bit data.

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
    file_mailer = config.mailers.get("*file*")
    qids = []
    for target, group, copy_to in jobs:
        writer = queue.create_body()
        try:
            report = DsnReport(
                envelope=target, body=body, kind=kind,
                recipients=tuple(dsn_recipient(r, now, host) for r in group),
                transcript=transcript, host_name=host, qid=writer.qid, now=int(now),
                warn_after=settings_warn, return_after=settings_return,
                postmaster_copy=copy_to,
                double_bounce_address=config.options.get("DoubleBounceAddress") or "postmaster",
                mime=(config.options.get("SendMimeErrors", "True")[:1].lower() in "ty1"),
                mailer_flags="".join(sorted(file_mailer.flags)) if file_mailer is not None
                else None)
            try:
                message = compose_dsn(report)
            except ValueError:
                queue.abort(writer.qid)
                continue
            macros = base_macros.copy()
            for name, value in (("i", writer.qid), ("x", message.full_name),
                                ("a", arpadate(now)),
                                ("g", DSN_SENDER_NAME), ("_", "localhost"),
                                ("s", "localhost"), ("r", ""), ("b", arpadate(now)),
                                ("t", time.strftime("%Y%m%d%H%M", time.localtime(now))),
                                ("u", None)):
                macros.define(name, None if value is None else
                              translate_dollars(value, 10, comments=False))
            headers = (*_cf_headers(config, macros), *message.headers)
            writer.write(message.body)
            size = 0 if message.headers_only else ERRORFUDGE + (
                original_size if original_size is not None
                else queued_size(target, len(body)))
            # as returntosender() queues them: the address as the sender was given,
            # notified on failure only; the r record's type is that of the mailer
            # of the sender of the message reported on (recipient() takes e_from's)
            addr_type = address_type(engine, target.sender)
            rcpts = tuple(QueueRecipient(
                r, "PF", final_recipient=_final_recipient(r, host, addr_type))
                for r in message.recipients)
            dsn_envelope = QueueEnvelope(
                qid=writer.qid, sender=DSN_SENDER_NAME, recipients=rcpts, headers=headers,
                macros=_dsn_macros(target.macros),
                created=int(now), priority=initial_priority(size, len(rcpts)),
                flags=envelope_flags(headers_only=message.headers_only, response=True,
                                     ret=target.ret if submission else None),
                envid=target.envid if submission else None,
                body_type="8BITMIME" if submission and target.has_8bit else None,
            )
            await queue.commit(dsn_envelope)
        except BaseException:
            queue.abort(writer.qid)
            raise
        qids.append(writer.qid)
    return qids


def address_type(engine: RuleEngine | None, address: str) -> str:
    """The address type of the mailer address resolves to (the second part of its
    T=, "RFC822" for local and esmtp), "rfc822" when it has none; "RFC822" without
    an engine to ask. The null sender is MAILER-DAEMON's (local)."""
    if address.strip() in ("", "<>"):
        address = "MAILER-DAEMON"
    if engine is None:
        return "RFC822"
    from mta.rules.resolve import parseaddr

    saved = engine.out, engine.smtp_errors, engine.exit_stat
    engine.out, engine.smtp_errors = _ignore, []
    try:
        parsed = parseaddr(engine, address)
    finally:
        engine.out, engine.smtp_errors, engine.exit_stat = saved
    kinds = parsed.mailer.mailer_type.split("/") if parsed is not None \
        and parsed.mailer is not None and parsed.mailer.mailer_type else []
    return kinds[1] if len(kinds) > 1 and kinds[1] else "rfc822"


def _ignore(_text: str) -> None:
    """Where address_type() sends what the parse would print."""


def _final_recipient(address: str, host: str, kind: str) -> str:
    """The r record of a DSN's recipient: "TYPE; user@domain" (TYPE: address_type()),
    @$j added to a bare user."""
    bare = address.strip().strip("<>")
    return f"{kind}; {bare if '@' in bare else f'{bare}@{host}'}"


def _dsn_macros(inherited: Sequence[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """The $ records of a DSN: _, r and s as returntosender() sets them, then what the
    reported message had of the others, in Sendmail's order (by macro id: the
    one-letter ones by character first, the long ones as they came)."""
    kept = [(name, value) for name, value in inherited
            if name not in {n for n, _v in _DSN_MACROS}]
    merged = [*_DSN_MACROS, *kept]
    return tuple(sorted(merged, key=lambda item: (len(item[0]) > 1,
                                                  item[0] if len(item[0]) == 1 else "")))


def _with_sender(envelope: QueueEnvelope, owner: str) -> QueueEnvelope:
    from dataclasses import replace

    address = owner if owner.startswith("<") else f"<{owner}>"
    return replace(envelope, sender=address)
