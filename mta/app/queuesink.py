"""The queue as the SMTP sessions see it: one FsQueue message per accepted DATA.

SYNOPSIS
    sink = QueueSink("/var/spool/mqueue", runtime)
    writer = sink.begin()                        # a queue id and an open df file
    writer.write_body(chunk)                     # CRLF lines as received, unstuffed
    await writer.commit(txn, headers)            # qf written and fsynced: reply 250
    writer.abort()                               # or: nothing stays behind

DESCRIPTION
    The SMTP layer knows nothing of queue files and the queue nothing of SMTP
    (DESIGN 3.2: mta.smtp and mta.queue are apart), so this adapter in the
    composition root turns a session's transaction into a QueueEnvelope as
    Sendmail 8.17 would write it: the body in dfQID with LF line ends, the
    header in qfQID (H?? records in message order, the Received: line the
    session made first), recipients in the order they came, each with its
    "RFC822; address" final-recipient record, the macros Sendmail saves
    ($_, $r, $s, ${daemon_flags}), the F flags (8 for 8-bit data, d/n for
    RET=, s), the priority from the message's own size, the recipient count
    and its Precedence: class (the .cf's P lines; ClassFactor and
    RecipientFactor). (All checked against the qf files of Sendmail 8.17.)

    With queue groups (Q lines), each recipient's group is the queuegroup
    ruleset's or its mailer's Q=; a message whose recipients all belong to
    one group goes to that group's directory, one with several groups is
    split into a queue file per group (new ids for the parts that move), as
    Sendmail splits it. The parts that move are durable before the part
    that stays is written.

    At start-up the sink removes what a killed daemon left half-written: tf
    files, and df files whose qf never came (no 250 was sent for them).

DIAGNOSTICS
    OSError from the file system passes through; the session answers 451.

SEE ALSO
    mta.queue.fsqueue, mta.queue.qfformat, mta.smtp.session.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path

from mta.app.runtime import Runtime
from mta.core.hdrinfo import ADDRESS_FIELDS, RECIPIENT_FIELDS
from mta.deliver.router import queue_group_of
from mta.deliver.runner import queue_groups
from mta.queue.fsqueue import BodyWriter, FsQueue, queue_file_mode
from mta.queue.qfformat import (
    QueueEnvelope,
    QueueHeader,
    QueueRecipient,
    envelope_flags,
    initial_priority,
)
from mta.rules.headers import commaize
from mta.smtp.session import Transaction

log = logging.getLogger("mta.queue")


class QueueSink:
    """Creates one QueueWriter per message on an FsQueue."""

    def __init__(self, directory: Path | str, runtime: Runtime, *, cleanup: bool = True) -> None:
        Path(directory).mkdir(parents=True, exist_ok=True)
        mode = queue_file_mode(runtime.config.options)
        self.queue = FsQueue(str(directory), file_mode=mode)
        self.runtime = runtime
        self.removed = remove_leftovers(self.queue) if cleanup else []
        # the Q lines' queues (a message goes where its recipients' queue group is)
        self.groups: dict[str, FsQueue] = {}
        for group in queue_groups(runtime.config, str(directory))[1:]:
            path = group.directories[0]
            if os.path.realpath(path) != os.path.realpath(self.queue.directory):
                with contextlib.suppress(OSError):
                    self.groups[group.name] = FsQueue(path, file_mode=mode)
        config = runtime.config
        self.priorities = {name.lower(): value for name, value in config.priorities.items()}
        self.class_factor, self.recipient_factor = priority_factors(config.options)
        # called with the queue id of each message once it is durable (the daemon's
        # background delivery)
        self.on_commit: Callable[[str], None] | None = None
        # the same for a part queued in a queue group's directory: (its queue, its id)
        self.on_group_commit: Callable[[FsQueue, str], None] | None = None

    def begin(self) -> QueueWriter:
        writer = QueueWriter(self.queue, self.queue.create_body(), self.runtime.engine.tables.ext,
                             self.priorities, self.class_factor, self.recipient_factor)
        writer.on_commit = self.on_commit
        writer.on_group_commit = self.on_group_commit
        if self.groups:
            writer.placement = self._placement
        return writer

    def _placement(self, recipients: list[str]) -> list[tuple[FsQueue | None, list[int]]]:
        """The recipients (indexes) of each queue group, in order of first use; None
        is the default queue."""
        engine = self.runtime.engine
        macros = engine.macros.copy()
        order: dict[str | None, list[int]] = {}
        for i, address in enumerate(recipients):
            name = queue_group_of(engine, address, macros)
            order.setdefault(name if name in self.groups else None, []).append(i)
        return [(self.groups[name] if name is not None else None, indexes)
                for name, indexes in order.items()]


class QueueWriter:
    """One message on its way into the queue."""

    def __init__(self, queue: FsQueue, body: BodyWriter, table: list[int],
                 priorities: dict[str, int] | None = None, class_factor: int = 1800,
                 recipient_factor: int = 30000) -> None:
        self.queue = queue
        self.priorities = priorities or {}  # the P lines, lower-case names
        self.class_factor = class_factor
        self.recipient_factor = recipient_factor
        self.table = table  # the .cf's token table, for commaize()
        self.body = body
        self.qid = body.qid
        self.size = 0
        self.eight_bit = False
        self._cr = False  # the last chunk ended with a CR (its LF may come next)
        self.on_commit: Callable[[str], None] | None = None
        # with queue groups: which queue gets which recipients (QueueSink._placement)
        self.placement: Callable[[list[str]], list[tuple[FsQueue | None, list[int]]]] | None \
            = None
        self.on_group_commit: Callable[[FsQueue, str], None] | None = None

    def precedence(self, headers: list[tuple[str, str, str | None]]) -> int:
        """The message's class (message_class() of its own fields)."""
        return message_class(self.priorities,
                             [(name, text) for name, text, condition in headers
                              if condition is None])

    def write_body(self, data: bytes) -> None:
        """Append body bytes, CRLF turned into LF as in Sendmail's df files."""
        if self._cr:
            data = b"\r" + data
            self._cr = False
        if data.endswith(b"\r"):
            data = data[:-1]
            self._cr = True
        out = data.replace(b"\r\n", b"\n")
        if not self.eight_bit and not out.isascii():
            self.eight_bit = True
        self.size += len(out)
        self.body.write(out)

    async def commit(self, txn: Transaction, headers: list[tuple[str, str, str | None]],
                     macros: dict[str, str] | None = None, size: int | None = None) -> None:
        """Write the qf file for txn and make the message durable.

        A header with condition None is the message's own (its 8-bit bytes are
        quoted as Sendmail quotes them); one with a condition comes from an H
        line, written as given (a deferred macro marker stays a marker).
        """
        if self._cr:
            self.body.write(b"\r")
            self.size += 1
            self._cr = False
        table = self.table
        header_records = tuple(
            # the session holds the message's bytes one to one as latin-1 text
            QueueHeader.from_message(name, (commaize(name, value, table)
                                            if name.lower() in ADDRESS_FIELDS else value)
                                     .encode("latin-1")) if condition is None
            else QueueHeader(name, value.encode("latin-1", "replace"), condition)
            for name, value, condition in headers)
        # the priority counts the message as it came (its own header and body, the
        # bytes before commaize and quoting), not the fields the .cf adds
        if size is None:
            size = sum(len(n) + 1 + len(v) + 1 for n, v, c in headers if c is None) + 1 \
                + self.size
        if not self.eight_bit:  # the message's own fields (an H line's marker is no data)
            self.eight_bit = not all(v.isascii() for _n, v, c in headers if c is None)
        # in Sendmail's order: by destination host, local ones first, else as given
        ordered = sorted(txn.recipients, key=lambda r: r.host.lower())
        recipients = tuple(
            QueueRecipient.from_rcpt(
                f"<{r.address}>",
                notify=tuple(w.strip() for w in r.notify.split(",")) if r.notify else None,
                orcpt=r.orcpt,
                final_recipient=f"RFC822; {r.address}",
                controller=r.controller,
            )
            for r in ordered
        )
        saved = tuple((macros or {}).items())
        message_class = self.precedence(headers)
        envelope = QueueEnvelope(
            qid=self.qid,
            sender=f"<{txn.sender}>" if txn.sender else "<>",
            recipients=recipients,
            headers=header_records,
            macros=saved,
            created=int(time.time()),
            priority=initial_priority(size, len(recipients), message_class,
                                      class_factor=self.class_factor,
                                      recipient_factor=self.recipient_factor),
            # BODY=8BITMIME over a message without 8-bit bytes: Sendmail's collect()
            # records it as 7BIT
            body_type="7BIT" if txn.body == "8BITMIME" and not self.eight_bit else txn.body,
            # junk mail (a negative class) comes back without its body, RET=FULL or not
            flags=envelope_flags(has_8bit=self.eight_bit, ret=txn.ret, delete_bcc=any(
                c is None and n.lower() in RECIPIENT_FIELDS for n, _v, c in headers),
                headers_only=message_class < 0),
            quarantine_reason=txn.quarantine,
            status_message=txn.status_message,
            auth=txn.auth,
            envid=txn.envid,
        )
        if self.placement is not None:
            parts = self.placement([r.address for r in ordered])
            if len(parts) > 1 or parts[0][0] is not None:
                await self._commit_split(envelope, parts)
                return
        await self.queue.commit(envelope)
        if self.on_commit is not None:
            self.on_commit(self.qid)

    async def _commit_split(self, envelope: QueueEnvelope,
                            parts: list[tuple[FsQueue | None, list[int]]]) -> None:
        """Sendmail's split by queue group: a queue file per group, in its directory.

        The other groups' copies are made durable first; the default queue's
        own part (if any) last, so that a failure leaves no half of a message.
        """
        body = self.body.contents()
        own: list[int] | None = None
        made: list[tuple[FsQueue, str]] = []
        try:
            for queue, indexes in parts:
                if queue is None:
                    own = indexes
                    continue
                # a message that moves whole keeps its id; split parts get new ones
                qid = self.qid if len(parts) == 1 else queue.new_qid()
                writer = queue.open_body(qid)
                writer.write(body)
                part = replace(envelope, qid=qid,
                               recipients=tuple(envelope.recipients[i] for i in indexes))
                await queue.commit(part)
                made.append((queue, qid))
            if own is not None:
                await self.queue.commit(replace(
                    envelope, recipients=tuple(envelope.recipients[i] for i in own)))
                if self.on_commit is not None:
                    self.on_commit(self.qid)
            else:
                self.queue.abort(self.qid)
        except BaseException:
            for queue, qid in made:
                queue.remove(qid)
            raise
        log.info("%s: split by queue group into %s", self.qid,
                 ", ".join(qid for _queue, qid in made))
        if self.on_group_commit is not None:
            for queue, qid in made:
                self.on_group_commit(queue, qid)

    def abort(self) -> None:
        """Forget the message: its files go."""
        self.queue.abort(self.qid)


def message_class(priorities: Mapping[str, int], fields: Iterable[tuple[str, str]]) -> int:
    """A message's class: its first Precedence: field through the .cf's P lines
    (priorities, names in lower case; an unknown one is 0), as Sendmail's priencode()."""
    for name, text in fields:
        if name.lower() == "precedence":
            return priorities.get(text.strip().lower(), 0)
    return 0


def priority_factors(options: Mapping[str, str]) -> tuple[int, int]:
    """(ClassFactor, RecipientFactor) of the .cf, for initial_priority()."""
    return (_option_int(options, "ClassFactor", 1800),
            _option_int(options, "RecipientFactor", 30000))


def _option_int(options: Mapping[str, str], name: str, default: int) -> int:
    try:
        return int(options.get(name) or default)
    except ValueError:
        return default


def remove_leftovers(queue: FsQueue) -> list[str]:
    """At start-up: remove what a killed daemon left half-written (tf files, a df
    whose qf or hf never came): none of it was acknowledged. Returns the names."""
    removed = []
    for directory in dict.fromkeys((queue.qf_directory, queue.df_directory)):
        for name in sorted(os.listdir(directory)):
            kind, qid = name[:2], name[2:]
            if kind == "tf" or (kind == "df" and not os.path.exists(queue.qf_path(qid))
                                and not os.path.exists(queue.hf_path(qid))):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(os.path.join(directory, name))
                removed.append(name)
    return removed
