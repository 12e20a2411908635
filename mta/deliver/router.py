"""Recipient expansion: ruleset 0, aliases, :include:, ~/.forward and duplicates.

SYNOPSIS
    router = Router(engine)
    sendq = router.expand(envelope.recipients, macros=macros)
    for rcpt in sendq:
        if rcpt.state is RcptState.OK: deliver(rcpt.address.mailer, rcpt.address.host, ...)

DESCRIPTION
    Mirrors Sendmail's sendtolist(), recipient(), alias(), include() and
    forward() (recipient.c, alias.c) as a queue run uses them. Each queued
    recipient is parsed with parseaddr() (rulesets 3 and 0, then the
    mailer's R= rewriting); the result becomes one Recipient on the send
    queue, in order, with the state Sendmail gives it:

    - a mailer with F=A (the local mailer) looks the user up in the aliases
      map; a hit expands into the members, each parsed again one level
      deeper, and the alias itself becomes EXPANDED (never delivered). The
      owner-NAME alias, when there is one, is remembered as the address
      that bounces of the members go to;
    - a mailer with F=w (passwd users) needs the user in the passwd
      database ("550 5.1.1 User unknown" otherwise); then the first file of
      ForwardPath ($z/.forward.$w:$z/.forward) that exists and is safe (the
      user's or root's, not writable by group or others) expands the user
      like an alias;
    - a member that names its own ancestor ("root: root, ops" or "\\user"
      in a .forward) is delivered as it is, without expanding it again;
    - "|program", "/file" and ":include:file" are allowed only as the
      result of an alias, a .forward or an :include: (Sendmail: "Cannot mail
      directly to programs"), never when a client asks for them directly;
    - an address equal to one already on the queue (same mailer, host and
      user) is a DUPLICATE and not delivered twice;
    - more than MaxAliasRecursion levels end with "554 5.4.6 aliasing/
      forwarding loop broken".

    Queued recipients that carry the A flag or a C record are the result of
    an earlier expansion and keep that standing.

DIAGNOSTICS
    Nothing raises for bad addresses: a Recipient gets state BADADDR (with
    the reply the rules or the lookup gave) or QUEUEUP (a map or the alias
    database failed temporarily).

SEE ALSO
    mta.rules.resolve (parseaddr), mta.maps.aliases, mta.deliver.runner;
    Sendmail op.me 2.3 (aliases), 2.4 (forwarding), 5.6 (ForwardPath).
"""

from __future__ import annotations

import enum
import os
import pwd
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from mta.config.macros import expand, translate_dollars
from mta.config.model import Op, OpKind
from mta.config.tokens import prescan
from mta.core.reply import Reply
from mta.maps.base import LookupStatus
from mta.queue.qfformat import (
    RCPT_ALIAS,
    RCPT_HAS_NOTIFY,
    RCPT_NOTIFY_DELAY,
    RCPT_NOTIFY_FAILURE,
    RCPT_NOTIFY_SUCCESS,
    RCPT_PRIMARY,
    RECIPIENT_FLAG_ORDER,
    QueueRecipient,
)
from mta.rules.check import maplocaluser, using_macros
from mta.rules.engine import RuleEngine
from mta.rules.macros import MacroEnv
from mta.rules.resolve import (
    FILE_MAILER,
    INCLUDE_MAILER,
    PROG_MAILER,
    Address,
    AddressState,
    parseaddr,
)

DEFAULT_MAX_ALIAS_RECURSION = 10
_PING_FLAGS = RCPT_HAS_NOTIFY + RCPT_NOTIFY_SUCCESS + RCPT_NOTIFY_FAILURE + RCPT_NOTIFY_DELAY


class RcptState(enum.Enum):
    """Sendmail's q_state values that a queue run uses."""

    OK = "ok"  # to be delivered
    SENT = "sent"
    QUEUEUP = "queueup"  # deferred: stays in the queue
    BADADDR = "badaddr"  # failed for good: bounce
    EXPANDED = "expanded"  # an alias, include or .forward: its members stand for it
    DUPLICATE = "duplicate"  # the same address is on the queue already


@dataclass(slots=True, eq=False)
class Recipient:
    """One entry of the send queue (Sendmail's ADDRESS)."""

    paddr: str  # the address as given: "<bob@example.net>", "|/usr/bin/vacation bob"
    flags: str = ""  # R record letters
    orcpt: str | None = None
    final_recipient: str | None = None
    controller: str | None = None  # the C record
    parent: Recipient | None = None
    address: Address | None = None
    state: RcptState = RcptState.OK
    reply: Reply | None = None  # why it failed or was deferred (the DSN diagnostic)
    remote_mta: str | None = None
    owner: str | None = None  # owner-ALIAS, who gets the bounces of the members
    self_reference: bool = False  # deliver without aliasing or forwarding again
    home: str | None = None
    uid: int | None = None
    gid: int | None = None
    level: int = 0
    children: list[Recipient] = field(default_factory=list)
    logged: bool = False  # its to= line is in the log
    transcript: list[str] = field(default_factory=list)  # for the DSN: what went wrong
    timed_out: str | None = None  # "Cannot send message for 5 days": deferred too long
    relayed: bool = False  # sent to an SMTP server that did not take NOTIFY= along
    alias_ids: tuple[int, int] | None = None  # an alias: the ids its members run as
    exit_status: int | None = None  # a local mailer's sysexits status (the DSN's X-Unix code)
    unparsed: bool = False  # refused by the parse itself: the DSN gives no reason line
    noted: int = -1  # when its part of the transcript began (-1: nothing in it)
    rcpt_reply: Reply | None = None  # delivered by SMTP: the reply to its RCPT

    @property
    def mailer_name(self) -> str:
        return self.address.mailer_name if self.address is not None else ""

    @property
    def host(self) -> str | None:
        return self.address.host if self.address is not None else None

    @property
    def user(self) -> str:
        return self.address.user if self.address is not None else ""

    @property
    def key(self) -> tuple[str, str, str]:
        """What sameaddr() compares: mailer, host (without case) and user."""
        return (self.mailer_name, (self.host or "").lower(), self.user)

    @property
    def expanded_from_alias(self) -> bool:
        return self.parent is not None or RCPT_ALIAS in self.flags or self.controller is not None

    @property
    def notify(self) -> frozenset[str]:
        """The NOTIFY conditions: SUCCESS/FAILURE/DELAY (FAILURE and DELAY without NOTIFY=)."""
        if RCPT_HAS_NOTIFY not in self.flags:
            return frozenset({"FAILURE", "DELAY"})
        names = {"S": "SUCCESS", "F": "FAILURE", "D": "DELAY"}
        return frozenset(names[c] for c in self.flags if c in names)

    def owner_address(self) -> str | None:
        """The nearest owner- alias above this recipient (where its bounces go)."""
        node: Recipient | None = self
        while node is not None:
            if node.owner:
                return node.owner
            node = node.parent
        return None

    def fail(self, reply: Reply) -> None:
        self.state = RcptState.QUEUEUP if reply.is_temporary else RcptState.BADADDR
        self.reply = reply

    @property
    def deferred_by_server(self) -> bool:
        """An SMTP server's own 4xx for this recipient (Sendmail's QS_RETRY), not a
        deferral worded here ("Deferred: Connection refused by ...")."""
        reply = self.reply
        return self.remote_mta is not None and reply is not None \
            and reply.code // 100 == 4 and not reply.text.startswith("Deferred")

    def to_queue(self, message: str | None = None) -> QueueRecipient:
        """The qf records for a recipient that stays in the queue (message: its M)."""
        return QueueRecipient(self.paddr, self.flags, self.orcpt, self.final_recipient,
                              self.c_record(), message)

    def c_record(self) -> str | None:
        """The C record Sendmail's printctladdr() writes: for an address that another
        one (an alias, a .forward, ruleset 5) put here, "user:uid:gid:that address"
        with the first known user from here up (getctladdr()), or ":that address"
        when there is none or it is root; else the C record it came with."""
        named_by = self.parent
        if named_by is None:
            return self.controller
        node: Recipient | None = self
        while node is not None and node.uid is None and node.alias_ids is None:
            node = node.parent
        if node is None:
            return f":{named_by.paddr}"
        uid, gid = (node.uid, node.gid) if node.uid is not None else node.alias_ids or (0, 0)
        if uid == 0 or not node.user:
            return f":{named_by.paddr}"
        return f"{node.user}:{uid}:{gid}:{named_by.paddr}"


def queue_order(recipients: Iterable[Recipient]) -> list[Recipient]:
    """recipients in the order Sendmail writes them to a qf file: by destination host
    without case (those without a host, local ones, first), the recipients of one host
    in the order given. Sendmail sorts them so when it queues a new message and again
    when a queue run rewrites the qf with the recipients still deferred
    (tests/diff/test_delivery_real.py, "deferred_order")."""
    return sorted(recipients, key=lambda rcpt: (rcpt.host or "").lower())


def _flags(letters: Iterable[str]) -> str:
    chosen = set(letters)
    return "".join(c for c in RECIPIENT_FLAG_ORDER if c in chosen)


class Router:
    """Expands queued recipients into the send queue with one RuleEngine."""

    def __init__(self, engine: RuleEngine, *, local_host: str | None = None) -> None:
        self.engine = engine
        options = engine.config.options
        try:
            self.max_level = int(options.get("MaxAliasRecursion") or DEFAULT_MAX_ALIAS_RECURSION)
        except ValueError:
            self.max_level = DEFAULT_MAX_ALIAS_RECURSION
        # the .cf's value comes with its macros encoded, as every option's
        self.forward_path = options.get("ForwardPath") or translate_dollars(
            "$z/.forward.$w:$z/.forward", 10, comments=False)
        self.local_host = local_host or engine.config.macros.get("w") or ""
        self.alias_ids = _alias_ids(options.get("DefaultUser"))
        self._sendq: list[Recipient] = []
        self._seen: dict[tuple[str, str, str], Recipient] = {}

    def expand(self, recipients: Iterable[QueueRecipient], *, macros: MacroEnv) -> list[Recipient]:
        """Build the send queue for the queued recipients (in order, expansions after each).

        Args:
            recipients: the R records of the qf file.
            macros: the envelope's macro environment (the rules may read it).

        Returns:
            Every Recipient, expanded ones included; deliver those in state OK.
        """
        self._sendq = []
        self._seen = {}
        with using_macros(self.engine, macros):
            for queued in recipients:
                rcpt = Recipient(queued.address, queued.flags, queued.orcpt,
                                 queued.final_recipient, queued.controller)
                self._recipient(rcpt)
        return self._sendq

    # ------------------------------------------------------------ recipient()

    def _parse(self, rcpt: Recipient) -> bool:
        if rcpt.address is not None:  # made by ruleset 5 (maplocaluser): parsed already
            return True
        engine = self.engine
        engine.smtp_errors = []
        engine.exit_stat = 0
        text = rcpt.paddr
        if text.startswith("\\"):
            rcpt.self_reference = True  # "\user": deliver, do not alias or forward
            text = text[1:]
        address = parseaddr(engine, text)
        errors = [e for e in engine.smtp_errors if e[0][:1] in "45"]
        engine.smtp_errors = []
        rcpt.address = address
        if address is None or address.state is AddressState.BADADDR:
            rcpt.fail(_error_reply(errors, "553", "5.1.3", f"{text}... Invalid address"))
            return False
        if address.state is AddressState.QUEUEUP:
            rcpt.fail(_error_reply(errors, "451", "4.4.3",
                                   f"{text}... Transient parse error -- message queued "
                                   "for future delivery"))
            return False
        if address.user.startswith("\\"):
            address.user = address.user[1:]
            rcpt.self_reference = True
        return True

    def _recipient(self, rcpt: Recipient) -> None:
        """Sendmail's recipient(): parse, check, expand and enqueue one address."""
        self._sendq.append(rcpt)
        if rcpt.level > self.max_level:
            rcpt.fail(Reply(554, "5.4.6", f"{rcpt.paddr}... aliasing/forwarding loop broken "
                            f"({rcpt.level} aliases deep; {self.max_level} max)"))
            return
        if not self._parse(rcpt):
            return
        name = rcpt.mailer_name
        if name in (PROG_MAILER, FILE_MAILER, INCLUDE_MAILER) and not rcpt.expanded_from_alias:
            what = {PROG_MAILER: "programs", FILE_MAILER: "files",
                    INCLUDE_MAILER: ":include:s"}[name]
            rcpt.fail(Reply(550, "5.7.1", f"{rcpt.paddr}... Cannot mail directly to {what}"))
            return
        duplicate = self._seen.get(rcpt.key)
        if duplicate is not None:
            if self._is_ancestor(duplicate, rcpt):
                # "a: a, b" or "\\a" in a's .forward: the address names itself,
                # so it is delivered as it is, without expanding it again
                rcpt.self_reference = True
            else:
                # as Sendmail: the one queued first stays; unless it was given
                # directly itself, it takes the flags of this one (P included)
                if RCPT_PRIMARY not in duplicate.flags:
                    duplicate.flags = _flags(duplicate.flags + rcpt.flags)
                rcpt.state = RcptState.DUPLICATE
                return
        self._seen[rcpt.key] = rcpt
        if name == INCLUDE_MAILER:
            self._include(rcpt)
            return
        mailer = rcpt.address.mailer if rcpt.address is not None else None
        if mailer is None:
            return
        if "A" in mailer.flags and not rcpt.self_reference:
            self._alias(rcpt)
            if rcpt.state is not RcptState.OK:
                return
        # F=5: ruleset 5 after the aliases, before the passwd lookup (LUSER_RELAY,
        # the MSP's relay)
        if "5" in mailer.flags and self._ruleset5(rcpt):
            return
        if "w" in mailer.flags:
            try:
                entry = pwd.getpwnam(rcpt.user)
            except KeyError:
                rcpt.fail(Reply(550, "5.1.1",
                                f"{rcpt.paddr.strip('<>') or rcpt.paddr}... User unknown"))
                return
            rcpt.home, rcpt.uid, rcpt.gid = entry.pw_dir, entry.pw_uid, entry.pw_gid
            if not rcpt.self_reference:
                self._forward(rcpt)

    def _ruleset5(self, rcpt: Recipient) -> bool:
        """Sendmail's maplocaluser(): the user through ruleset 5; a mailer triple that
        differs from the recipient's replaces it (True: rcpt is done with).

        The replacement keeps the address as given, its flags, ORCPT and final
        recipient; its C record names the address it replaced.
        """
        if rcpt.address is None:
            return False
        address = maplocaluser(self.engine, rcpt.address, home=rcpt.home)
        if address is None:
            return False
        if isinstance(address, str):  # MAPLOCALUSER_TEMPFAIL
            rcpt.fail(Reply(451, "4.4.3", f"{rcpt.paddr}... Transient parse error -- "
                            "message queued for future delivery"))
            return True
        child = Recipient(rcpt.paddr, rcpt.flags, rcpt.orcpt, rcpt.final_recipient,
                          controller=_controller(rcpt) or f":{rcpt.paddr}", parent=rcpt,
                          address=address, level=rcpt.level)
        rcpt.state = RcptState.EXPANDED
        rcpt.children.append(child)
        self._recipient(child)
        return True

    @staticmethod
    def _is_ancestor(candidate: Recipient, rcpt: Recipient) -> bool:
        node = rcpt.parent
        while node is not None:
            if node is candidate:
                return True
            node = node.parent
        return False

    # ------------------------------------------------------------ expansions

    def _sendtolist(self, text: str, parent: Recipient) -> None:
        """Sendmail's sendtolist(): each comma-separated member, one level down.

        The members go on the send queue last first (sendtolist() collects them
        by prepending); one alone keeps the P flag of the address it replaces.
        """
        members = split_addresses(text, self.engine.tables.ext)
        for member in reversed(members):
            flags = _flags(c for c in parent.flags if c in _PING_FLAGS)
            if len(members) == 1 and RCPT_PRIMARY in parent.flags:
                flags = _flags(flags + RCPT_PRIMARY)
            # the final recipient of a DSN stays the address the sender gave
            child = Recipient(member, _flags(flags + RCPT_ALIAS), parent.orcpt,
                              parent.final_recipient, controller=_controller(parent),
                              parent=parent, level=parent.level + 1)
            parent.children.append(child)
            self._recipient(child)

    def _alias(self, rcpt: Recipient) -> None:
        engine = self.engine
        maps = engine.maps
        if maps is None or maps.get("aliases") is None:
            return
        found = maps.lookup("aliases", rcpt.user, [], engine)
        if found.status is LookupStatus.TEMPFAIL:
            rcpt.fail(Reply(451, "4.3.0", f"{rcpt.paddr}... alias database unavailable"))
            return
        if found.status is not LookupStatus.FOUND or found.value is None:
            return
        rcpt.state = RcptState.EXPANDED
        rcpt.alias_ids = self.alias_ids
        owner_key = "owner-owner" if rcpt.user.startswith("owner-") else "owner-" + rcpt.user
        owner = maps.lookup("aliases", owner_key, [], engine)
        if owner.status is LookupStatus.FOUND and owner.value:
            value = owner.value.strip()
            rcpt.owner = owner_key if any(c in value for c in ',:/|"') else value
        self._sendtolist(found.value, rcpt)

    def _include(self, rcpt: Recipient) -> None:
        path = rcpt.user
        try:
            with open(path, encoding="latin-1") as handle:
                st = os.fstat(handle.fileno())
                if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                    rcpt.fail(Reply(550, "5.7.1", f"{rcpt.paddr}... Cannot open {path}: "
                                    "Group writable file"))
                    return
                lines = handle.read().splitlines()
        except FileNotFoundError:
            rcpt.fail(Reply(550, "5.1.1", f"{rcpt.paddr}... Cannot open {path}: "
                            "No such file or directory"))
            return
        except OSError as exc:
            rcpt.fail(Reply(451, "4.2.4", f"{rcpt.paddr}... Cannot open {path}: "
                            f"{exc.strerror}"))
            return
        rcpt.state = RcptState.EXPANDED
        for line in lines:
            line = line.strip()
            if line and not line.startswith("#"):
                self._sendtolist(line, rcpt)

    def _forward(self, rcpt: Recipient) -> None:
        for path in self._forward_files(rcpt):
            try:
                st = os.stat(path)
            except OSError:
                continue
            if not stat.S_ISREG(st.st_mode) or st.st_uid not in (rcpt.uid, 0) \
                    or st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                continue  # Sendmail skips an unsafe .forward ("forward: ... unsafe")
            try:
                with open(path, encoding="latin-1") as handle:
                    lines = handle.read().splitlines()
            except OSError:
                continue
            members = [line.strip() for line in lines
                       if line.strip() and not line.lstrip().startswith("#")]
            if members:
                rcpt.state = RcptState.EXPANDED
            for line in members:
                self._sendtolist(line, rcpt)
            return

    def _forward_files(self, rcpt: Recipient) -> Iterator[str]:
        values = {"z": rcpt.home or "", "u": rcpt.user, "w": self.local_host}
        for part in self.forward_path.split(":"):
            path = expand(part, values.get)
            if path:
                yield path


def _alias_ids(default_user: str | None) -> tuple[int, int]:
    """The ids an alias gives its members' C records: DefaultUser's ("uid:gid" or a
    user name); without the option uid 1 and gid 0, as Sendmail 8.17 writes them."""
    if not default_user:
        return (1, 0)
    user, _, group = default_user.partition(":")
    try:
        entry = pwd.getpwuid(int(user)) if user.isdigit() else pwd.getpwnam(user)
        uid, gid = entry.pw_uid, entry.pw_gid
    except (KeyError, ValueError):
        uid, gid = (int(user), 0) if user.isdigit() else (1, 0)
    if group.isdigit():
        gid = int(group)
    return (uid, gid)


def _controller(parent: Recipient) -> str | None:
    """The C record of a member: the user whose alias, include or .forward named it."""
    if parent.uid is not None:
        return f"{parent.user}:{parent.uid}:{parent.gid}:{parent.paddr}"
    return parent.controller


def _error_reply(errors: list[tuple[str, str | None, str]], code: str, enh: str,
                 text: str) -> Reply:
    if errors:
        number, status, message = errors[0]
        first = number[:1]
        if status is None or status[:1] != first:
            status = f"{first}.0.0"
        try:
            return Reply(int(number), status, message)
        except ValueError:
            pass
    return Reply(int(code), enh, text)


def split_addresses(text: str, table: list[int], delimiter: str = ",") -> list[str]:
    """The comma-separated addresses of an alias value or a .forward line (with
    delimiter " ", the blank-separated ones of an old-style list).

    Delimiters inside quotes, comments and angle brackets do not split (prescan
    finds where each address ends).
    """
    out: list[str] = []
    p, n = 0, len(text)
    while p < n:
        while p < n and (text[p].isspace() or text[p] == delimiter):
            p += 1
        if p >= n:
            break
        _tokens, end, _errors = prescan(text[p:], table, delimiter)
        end = max(end, 1)
        member = text[p:p + end].strip()
        if member:
            out.append(member)
        p += end
    return out


def queue_group_of(engine: RuleEngine, address: str, macros: MacroEnv) -> str | None:
    """The queue group of a recipient, as Sendmail picks it when it queues a message.

    The queuegroup ruleset's "$# name" (it gets the user part of the parsed
    address), else the mailer's Q=; None for the default group or an address
    that does not parse. A group the .cf does not declare counts as none.
    """
    groups = engine.config.queue_groups
    with using_macros(engine, macros):
        parsed = parseaddr(engine, address)
        if parsed is None or parsed.mailer is None or parsed.state is not AddressState.OK:
            return None
        name: str | None = None
        ruleset = engine.config.ruleset_names.get("queuegroup")
        if ruleset is not None:
            tokens, _end, _errors = prescan(parsed.user, engine.tables.ext)
            if tokens is not None:
                engine.rewrite(tokens, ruleset)
                if len(tokens) >= 2 and isinstance(tokens[0], Op) \
                        and tokens[0].kind is OpKind.CANONNET:
                    name = str(tokens[1])
        if name is None:
            name = parsed.mailer.equates.get("Q")
    return name if name in groups else None
