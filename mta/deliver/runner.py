"""The queue runner: deliver queued messages through the .cf's mailers.

SYNOPSIS
    runner = QueueRunner(config, engine, queue, env=MapEnv(options=config.options))
    await runner.run_queue()                   # one queue run of its directory
    await runner.deliver(qid)                  # one message now (DeliveryMode=background)
    await runner.aclose()                      # QUIT the cached SMTP connections

DESCRIPTION
    One delivery attempt of a message, as Sendmail's dowork()/sendall():

    1. the qf file is locked (flock, as Sendmail locks it, so that neither a
       Sendmail queue run nor a second runner of ours works on it at the
       same time) and read; a qf that does not parse is renamed to QfQID
       and left alone, as Sendmail does;
    2. the recipients are expanded (mta.deliver.router: ruleset 0,
       aliases, .forward, duplicates);
    3. a message that came through more relays than MaxHopCount fails for
       every recipient ("554 5.4.6 Too many hops");
    4. the recipients of one mailer and host go out together when the
       mailer takes several (F=m, at most m=; over SMTP their RCPT commands
       go last first, as Sendmail's deliver() chains them); [IPC] mailers
       through mta.deliver.smtpclient (MX walk, connection cache), programs through
       mta.deliver.program, [FILE] in a forked child as Sendmail's mailfile():
       it chroots into SafeFileEnvironment (a name that starts with that
       directory has it stripped; no chroot for "/"; without root the chroot
       and so the delivery fail, as Sendmail's), takes the writer's ids
       (file_writer(): the set-user-ID owner of an aliases-file target, the
       controlling user, else DefaultUser; never root) and appends with
       mta.deliver.mbox.append_file (links, directories, execute bits and,
       under a chroot, anything but a regular file are refused: EX_CANTCREAT
       "Can't create output", status 5.3.0; a write error defers);
    5. what failed for good is returned to the sender in a DSN (to the
       owner- alias when there is one); what is still deferred past
       Timeout.queuereturn fails too; past Timeout.queuewarn the sender
       gets one delay warning;
    6. the queue is updated: a DSN is committed before the qf changes, and
       the qf is rewritten (tf, fsync, rename) with only the recipients
       still deferred (sorted by host again, as Sendmail writes them), the
       attempt count and time, the priority raised by
       RetryFactor and the reason in its M record; with none left the qf
       and then the df are removed.

    A crash at any point therefore loses nothing: at worst the recipients
    whose delivery was in flight get the message twice.

    A queue run takes the qf files in QueueSortOrder (priority by
    default), skips those younger than MinQueueAge since their last
    attempt and those locked by someone else, and works on up to
    MaxQueueChildren (default 8 here) messages at once.

DIAGNOSTICS
    Delivery problems are recipient states and log lines ("QID: to=...,
    stat=Deferred: ..."), never exceptions; an OSError while rewriting the
    queue is logged and the message stays as it was.

SEE ALSO
    mta.deliver.router, mta.deliver.mailer, mta.deliver.smtpclient,
    mta.deliver.program, mta.deliver.dsn, mta.queue.fsqueue; Sendmail op.me
    4.1 (queue runs), 5.6 (Timeout.queuewarn, Timeout.queuereturn,
    SafeFileEnvironment, TempFileMode, Timeout.fileopen);
    tests/diff/test_safefile_real.py (file deliveries against Sendmail 8.17).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import fcntl
import functools
import glob
import grp
import itertools
import logging
import math
import os
import pwd
import socket
import ssl
import stat
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from mta.config.macros import expand, translate_dollars
from mta.config.model import Config, MailerDef
from mta.config.options import atobool, option_value
from mta.core.errors import MtaError
from mta.core.hdrinfo import TRACE_FIELDS
from mta.core.reply import Reply
from mta.deliver import smtpclient
from mta.deliver.bounce import queue_dsn
from mta.deliver.dsn import DsnKind
from mta.deliver.hoststatus import HostStatus, HostStatusStore, resolve_directory
from mta.deliver.lmtp import deliver_lmtp
from mta.deliver.mailer import (
    MailerKind,
    mailer_argv,
    mailer_kind,
    render_message,
    smtp_port,
)
from mta.deliver.mbox import (
    DEV_NULL,
    MboxError,
    append_file,
    refuse_file,
    safe_file_target,
)
from mta.deliver.mime import Mime7Result, mime8to7
from mta.deliver.program import (
    BARE_DEFERRALS,
    EXIT_REPLIES,
    TRANSIENT,
    clean_environment,
    exit_reply,
    program_reply,
    run_program,
)
from mta.deliver.router import RcptState, Recipient, Router, queue_order
from mta.maps.base import MapEnv
from mta.net.tls import client_context
from mta.queue.fsqueue import FsQueue
from mta.queue.listing import queue_only_test, should_queue
from mta.queue.qfformat import (
    ENVELOPE_FLAG_ORDER,
    FLAG_RESPONSE,
    FLAG_WARNING_SENT,
    QueueEnvelope,
    QueueFormatError,
    parse_qf,
    queued_size,
)
from mta.rules.check import Policy, using_macros
from mta.rules.engine import RuleEngine, stripquotes
from mta.rules.macros import MacroEnv
from mta.rules.resolve import PROG_MAILER, RF_CANONICAL, RF_SENDERADDR, remotename
from mta.util.fsio import read_to_end
from mta.util.sysexits import (
    EX_CANTCREAT,
    EX_OK,
    EX_TEMPFAIL,
    EX_UNAVAILABLE,
    dsn_to_exit_status,
)
from mta.util.timespec import ctime, format_interval

log = logging.getLogger("mta.deliver")

DEFAULT_PARALLEL = 8


@dataclass(frozen=True, slots=True)
class RunnerSettings:
    """The options a queue run reads, in seconds and counts."""

    queue_warn: int = 4 * 3600
    queue_return: int = 5 * 86400
    min_queue_age: int = 0
    retry_factor: int = 90000
    max_hop_count: int = 25
    sort_order: str = "priority"
    max_run_size: int = 0
    parallel: int = DEFAULT_PARALLEL
    cache_size: int = 2
    cache_timeout: float = 300.0
    helo_name: str = "localhost"
    timeouts: smtpclient.ClientTimeouts = field(default_factory=smtpclient.ClientTimeouts)
    source_address: str | None = None  # ClientPortOptions Addr=
    family: socket.AddressFamily = socket.AF_UNSPEC  # ClientPortOptions Family=
    tls: ssl.SSLContext | None = None  # STARTTLS when a server offers it
    postmaster_copy: str | None = None
    queue_la: int | None = None  # QueueLA; None: 8 per processor
    queue_factor: int = 600000
    default_user: tuple[int, int] = (1, 1)  # DefaultUser: programs and files without an owner
    eight_bit_mode: str = "p"  # EightBitMode: 8-bit mail to a server without 8BITMIME
    host_status_timeout: int = 1800  # Timeout.hoststatus
    default_charset: str | None = None  # DefaultCharSet of a Content-Type mime8to7 adds
    try_null_mx: bool = False  # TryNullMXList: a domain whose MX points back is tried itself
    safe_file_env: str | None = None  # SafeFileEnvironment: chroot of file deliveries
    temp_file_mode: int = 0o600  # TempFileMode: a file a delivery creates
    file_open_timeout: float = 60.0  # Timeout.fileopen: a FIFO nobody reads

    @classmethod
    def from_config(cls, config: Config) -> RunnerSettings:
        """The settings from the .cf's options (a value Sendmail refuses counts as unset)."""
        options = config.options

        def value(name: str, default: Any) -> Any:
            try:
                found = option_value(options, name)
            except (KeyError, ValueError, MtaError):
                return default
            return default if found is None else found

        def number(name: str, default: int) -> int:
            found = value(name, default)
            return int(found) if isinstance(found, (int, float)) else default

        def timeout(name: str, default: float) -> float:
            seconds = number(f"Timeout.{name}", 0)
            return float(seconds) if seconds > 0 else default

        defaults = smtpclient.ClientTimeouts()
        connect = number("Timeout.connect", 0)
        timeouts = smtpclient.ClientTimeouts(
            connect=float(connect) if connect > 0 else None,
            greeting=timeout("initial", defaults.greeting),
            helo=timeout("helo", defaults.helo),
            starttls=timeout("starttls", defaults.starttls),
            mail=timeout("mail", defaults.mail),
            rcpt=timeout("rcpt", defaults.rcpt),
            datainit=timeout("datainit", defaults.datainit),
            datablock=timeout("datablock", defaults.datablock),
            datafinal=timeout("datafinal", defaults.datafinal),
            rset=timeout("rset", defaults.rset),
            quit=timeout("quit", defaults.quit),
        )
        port_options = value("ClientPortOptions", {})
        if not isinstance(port_options, dict):
            port_options = {}
        family = {"inet": socket.AF_INET, "inet6": socket.AF_INET6}.get(
            str(port_options.get("Family", "")).lower(), socket.AF_UNSPEC)
        return cls(
            queue_warn=number("Timeout.queuewarn", 4 * 3600),
            queue_return=number("Timeout.queuereturn", 5 * 86400),
            min_queue_age=number("MinQueueAge", 0),
            retry_factor=number("RetryFactor", 90000),
            max_hop_count=number("MaxHopCount", 25),
            sort_order=(options.get("QueueSortOrder") or "priority").lower(),
            max_run_size=number("MaxQueueRunSize", 0),
            parallel=number("MaxQueueChildren", 0) or DEFAULT_PARALLEL,
            cache_size=max(1, number("ConnectionCacheSize", 2)),
            cache_timeout=float(number("ConnectionCacheTimeout", 300)),
            helo_name=config.macros.get("j") or "localhost",
            timeouts=timeouts,
            source_address=port_options.get("Addr") or None,
            family=family,
            tls=client_context(options),
            postmaster_copy=options.get("PostmasterCopy") or None,
            queue_la=number("QueueLA", 0) or None,
            queue_factor=number("QueueFactor", 600000),
            default_user=_user_ids(options.get("DefaultUser") or "1:1"),
            eight_bit_mode=(options.get("EightBitMode") or "p")[:1].lower(),
            host_status_timeout=number("Timeout.hoststatus", 1800),
            default_charset=options.get("DefaultCharSet") or None,
            try_null_mx="TryNullMXList" in options and atobool(options["TryNullMXList"]),
            safe_file_env=options.get("SafeFileEnvironment") or None,
            temp_file_mode=number("TempFileMode", 0o600),
            file_open_timeout=timeout("fileopen", 60.0),
        )


@dataclass(slots=True)
class RunStats:
    """What one queue run did."""

    tried: int = 0
    removed: int = 0  # messages finished and gone from the queue
    deferred: int = 0  # messages left in the queue
    skipped: int = 0  # locked by someone else or too young


class QueueRunner:
    """Delivers the messages of one queue directory with one RuleEngine."""

    def __init__(self, config: Config, engine: RuleEngine, queue: FsQueue, *,
                 env: MapEnv | None = None, settings: RunnerSettings | None = None) -> None:
        self.config = config
        self.engine = engine
        self.queue = queue
        self.env = env or MapEnv(options=config.options)
        self.settings = settings or RunnerSettings.from_config(config)
        self.router = Router(engine)
        self.policy = Policy(engine)
        # ConnectionCacheSize is per delivery process in Sendmail; our deliveries
        # that run side by side stand for that many processes
        self.cache = smtpclient.ConnectionCache(
            self.settings.cache_size * max(1, self.settings.parallel),
            self.settings.cache_timeout)
        self._active: set[str] = set()
        self._environment = clean_environment(config.environment)
        self._tasks: set[asyncio.Task[None]] = set()
        self._semaphore: asyncio.Semaphore | None = None
        self._load = (0, 0, 0)
        self._client_options: dict[str, smtpclient.ClientOptions] = {}  # by mailer
        # -v (a submission's verbose mode): what happens, line by line, as Sendmail's
        self.verbose: Callable[[str], None] | None = None
        # Sendmail's ExitStat: the sysexits status of the last recipient that failed
        # for good (what `sendmail -q -v` exits with), 0 while none has
        self.exit_status = 0
        # -X: the SMTP traffic, for the traffic log
        self.traffic: Callable[[str], None] | None = None
        directory = resolve_directory(config.options.get("HostStatusDirectory"),
                                      queue.directory)
        self.hosts: HostStatusCache | None = None
        if directory:
            with contextlib.suppress(OSError):  # Sendmail makes it when it first writes
                os.makedirs(directory, mode=0o755, exist_ok=True)
            if os.path.isdir(directory):
                self.hosts = HostStatusCache(
                    HostStatusStore(directory, self.settings.host_status_timeout))
        self._load_until = -math.inf

    def schedule(self, qid: str) -> None:
        """Deliver qid soon, in the background (DeliveryMode=background after a 250)."""
        task = asyncio.get_running_loop().create_task(self._scheduled(qid))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _scheduled(self, qid: str) -> None:
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(max(1, self.settings.parallel))
        async with self._semaphore:
            try:
                await self.deliver(qid, force=False, fresh=True)
            except Exception:  # a fault of ours: the message stays queued for the next run
                log.exception("%s: delivery failed", qid)

    async def drain(self) -> None:
        """Wait for the scheduled deliveries, then close the cached connections."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.aclose()

    async def aclose(self) -> None:
        """Close the cached SMTP connections."""
        await self.cache.aclose()

    # ------------------------------------------------------------ queue runs

    def candidates(self, *, shard: tuple[int, int] = (0, 1)) -> list[str]:
        """The queue ids of one run (of one shard, see run_queue), in QueueSortOrder."""
        entries: list[tuple[tuple[int, ...], str]] = []
        order = self.settings.sort_order
        load = self._load_test()
        k, n = shard
        for qid in self.queue.walk():
            if n > 1 and zlib.crc32(qid.encode()) % n != k:
                continue
            try:
                with open(self.queue.qf_path(qid), "rb") as fh:
                    head = fh.read(256)
            except OSError:
                continue
            values = _qf_numbers(head)
            if should_queue(values.get("P", 0), load):
                continue  # Sendmail's shouldqueue(): the load is too high for this job
            key: tuple[int, ...]
            if order.startswith("t"):  # time: oldest first
                key = (values.get("T", 0),)
            elif order.startswith("f") or order.startswith("r"):
                key = (0,)
            else:
                key = (values.get("P", 0), values.get("T", 0))
            entries.append((key, qid))
        entries.sort()
        qids = [qid for _key, qid in entries]
        if self.settings.max_run_size > 0:
            qids = qids[:self.settings.max_run_size]
        return qids

    async def run_queue(self, *, force: bool = True, selector: Selector | None = None,
                        shard: tuple[int, int] = (0, 1)) -> RunStats:
        """One queue run over every message (sendmail -q); force ignores MinQueueAge.

        shard (k, n): only the messages whose queue id hashes to k modulo n, so
        that n processes can share one run without meeting on the same files.
        """
        stats = RunStats()
        listed = self.candidates(shard=shard)
        qids = iter(enumerate(listed, 1))

        async def worker() -> None:
            for number, qid in qids:  # each worker takes the next message when it is free
                if self.verbose is not None:  # -v, as Sendmail's runqueue() says it
                    self.verbose("")
                    self.verbose(f"Running {self.queue.directory.rstrip('/')}/{qid} "
                                 f"(sequence {number} of {len(listed)})")
                try:
                    outcome = await self.deliver(qid, force=force, selector=selector)
                except Exception:  # a fault of ours: the message stays for the next run
                    log.exception("%s: delivery failed", qid)
                    outcome = False
                if outcome is None:
                    stats.skipped += 1
                else:
                    stats.tried += 1
                    if outcome:
                        stats.removed += 1
                    else:
                        stats.deferred += 1

        await asyncio.gather(*(worker() for _ in range(max(1, self.settings.parallel))))
        return stats

    def _load_test(self) -> tuple[int, int, int]:
        """QueueLA's inputs, looked at once a second (the load average is that slow)."""
        now = time.monotonic()
        if now >= self._load_until:
            self._load = queue_only_test(self.settings.queue_la, self.settings.queue_factor)
            self._load_until = now + 1.0
        return self._load

    async def deliver(self, qid: str, *, force: bool = True,
                      selector: Selector | None = None, fresh: bool = False) -> bool | None:
        """One delivery attempt of qid.

        fresh: the attempt right after the message was queued (DeliveryMode
        background or interactive), which Sendmail makes from the envelope in
        memory: its priority does not grow by RetryFactor, as it does each time
        a queue run reads the qf (readqf()).

        Returns:
            True when the message is finished (gone from the queue), False
            when some of it stays queued, None when it was not tried (locked,
            too young, gone, not selected).
        """
        if qid in self._active:
            return None
        self._active.add(qid)
        try:
            try:
                fd = os.open(self.queue.qf_path(qid), os.O_RDWR)
            except OSError:
                return None
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    return None  # someone else works on it
                try:
                    data = read_to_end(fd)
                    envelope = parse_qf(data, qid=qid)
                except QueueFormatError as exc:
                    self._lose_qf(qid, f"bad queue file: {exc}")
                    return None
                if selector is not None and not selector.matches(envelope):
                    return None
                if not force and should_queue(envelope.priority, self._load_test()):
                    return None  # QueueLA: the next queue run takes it
                now = time.time()
                if not force and envelope.last_attempt and \
                        now - envelope.last_attempt < self.settings.min_queue_age:
                    return None
                return await self._attempt(envelope, now, fresh=fresh)
            finally:
                os.close(fd)  # drops the lock
        finally:
            self._active.discard(qid)

    # ------------------------------------------------------------ one message

    def _lose_qf(self, qid: str, why: str) -> None:
        """Sendmail's loseqfile(): set a queue file that cannot be worked on aside as
        QfQID, for the administrator (nothing is deleted), and say so."""
        lost = os.path.join(self.queue.qf_directory, "Qf" + qid)
        try:
            os.rename(self.queue.qf_path(qid), lost)
        except OSError as exc:
            log.error("%s: %s; cannot rename it to %s: %s", qid, why, lost, exc.strerror)
            return
        log.error("%s: %s; renamed to %s", qid, why, lost)

    def _macros(self, envelope: QueueEnvelope, now: float) -> MacroEnv:
        macros = self.engine.macros.copy()
        for name, value in envelope.macros:
            macros.define(name, translate_dollars(value, 10, comments=False))
        sender = envelope.sender.strip()
        bare = sender[1:-1] if sender.startswith("<") and sender.endswith(">") else sender
        macros.define("i", envelope.qid)
        macros.define("f", translate_dollars(bare, 10, comments=False))
        macros.define("d", ctime(now))
        return macros

    async def _attempt(self, envelope: QueueEnvelope, now: float, *,
                       fresh: bool = False) -> bool:
        qid = envelope.qid
        try:
            with open(self.queue.df_path(qid), "rb") as fh:
                body = fh.read()
        except FileNotFoundError:
            self._lose_qf(qid, "missing data file")
            return True
        macros = self._macros(envelope, now)
        sendq = self.router.expand(envelope.recipients, macros=macros)
        hops = sum(1 for h in envelope.headers if h.name.lower() in TRACE_FIELDS)
        if hops > self.settings.max_hop_count:
            for rcpt in sendq:
                if rcpt.state is RcptState.OK:
                    rcpt.fail(Reply(554, "5.4.6", f"Too many hops {hops} "
                                    f"({self.settings.max_hop_count} max)"))
        self._check_compat(envelope, sendq, macros)
        # what failed before any delivery (aliases, check_compat) is in the transcript
        # first, as Sendmail writes it when it happens
        if self.verbose is not None:
            _say_expansion(sendq, self.verbose)
        self._note_early(envelope, sendq, now)
        for group in _groups(sendq):
            await self._deliver_group(envelope, body, group, macros, now)
        self._note_early(envelope, sendq, now)
        return await self._finish(envelope, body, sendq, now, fresh=fresh)

    def _note_early(self, envelope: QueueEnvelope, sendq: list[Recipient], now: float) -> None:
        for rcpt in sendq:
            if rcpt.state in (RcptState.BADADDR, RcptState.QUEUEUP) and rcpt.reply is not None \
                    and not rcpt.logged:
                self._log_rcpt(envelope, rcpt, now, None)
                _note(rcpt, _transcript_line(rcpt))

    def _check_compat(self, envelope: QueueEnvelope, sendq: list[Recipient],
                      macros: MacroEnv) -> None:
        """check_compat "sender $| recipient" before each delivery, as Sendmail's deliver()."""
        if not self.policy.has("check_compat"):
            return
        for rcpt in sendq:
            if rcpt.state is not RcptState.OK:
                continue
            verdict = self.policy.check("check_compat", envelope.sender, rcpt.paddr,
                                        macros=macros, e_to=rcpt.paddr)
            if verdict.reply is not None:
                rcpt.fail(verdict.reply)
            elif verdict.discard:
                rcpt.state = RcptState.SENT
                rcpt.reply = Reply(250, "2.0.0", "discarded")

    async def _deliver_group(self, envelope: QueueEnvelope, body: bytes,
                             group: list[Recipient], macros: MacroEnv, now: float) -> None:
        first = group[0]
        address = first.address
        mailer = address.mailer if address is not None else None
        if mailer is None:
            for rcpt in group:
                rcpt.fail(Reply(554, "5.3.5", "mailer not found"))
            return
        macros.define("h", first.host)
        kind = mailer_kind(mailer)
        with using_macros(self.engine, macros) as engine:
            sender = _bare(envelope.sender)
            if FLAG_RESPONSE in envelope.flags and kind is MailerKind.SMTP:
                sender = ""  # a DSN goes out with MAIL FROM:<>
            # deliver(): $g is the sender as the mailer's rules write it; the null
            # sender too ("MAILER-DAEMON" through EnvFromL, nothing through SMTP)
            g, _status = remotename(engine, sender or "<>", mailer,
                                    RF_SENDERADDR | RF_CANONICAL)
            macros.define("g", translate_dollars(g, 10, comments=False))
            data = render_message(engine, envelope, mailer, body, macros=macros,
                                  unix_from=kind is not MailerKind.SMTP)
        verbose = self.verbose
        if verbose is not None:
            where = f"{first.host} via {mailer.name}" if first.host else mailer.name
            # e_to: every recipient of the delivery, in the order of its "tochain"
            # (the send queue's last first), as Sendmail's deliver() joins them
            verbose(f"{','.join(r.paddr for r in reversed(group))}... "
                    f"Connecting to {where}...")
        told: set[int] = set()  # the recipients -v spoke of already (refused RCPTs)
        if kind is MailerKind.SMTP:
            told = await self._smtp(envelope, group, mailer, macros, data, g,
                                    queued_size(envelope, len(body)))
        elif kind is MailerKind.FILE:
            await self._file(envelope, group, data)
        elif kind is MailerKind.PROGRAM:
            await self._program(group, mailer, macros, data)
        else:
            for rcpt in group:
                rcpt.fail(Reply(451, "4.3.5", f"mailer {mailer.name}: {mailer.path} "
                                "is not supported"))
        for rcpt in group:
            self._log_rcpt(envelope, rcpt, now, mailer)
            if verbose is not None and id(rcpt) not in told:
                verbose(f"{rcpt.paddr}... {_outcome(rcpt)}")
            if kind is MailerKind.SMTP:
                continue  # _smtp wrote its lines, each after the reply it was
            if rcpt.state in (RcptState.BADADDR, RcptState.QUEUEUP) and rcpt.reply is not None:
                _note(rcpt, _file_transcript_line(rcpt) if kind is MailerKind.FILE
                      else _transcript_line(rcpt))
            elif rcpt.state is RcptState.SENT and "SUCCESS" in rcpt.notify \
                    and "l" in mailer.flags:
                _note(rcpt, f"{_shown(rcpt)}... Successfully delivered")

    async def _smtp(self, envelope: QueueEnvelope, group: list[Recipient], mailer: MailerDef,
                    macros: MacroEnv, data: bytes, g: str, size: int) -> set[int]:
        """Deliver group by SMTP; returns the ids of the recipients whose outcome -v
        said already (a refused RCPT, right after the server's reply)."""
        host = group[0].host or ""
        destinations = await smtpclient.resolve_destinations(
            host, self.env, port=smtp_port(mailer, macros),
            local_domain=self.config.macros.get("m"), try_mx="0" not in mailer.flags,
            local_names=self.engine.classes.members("w"),
            try_null_mx=self.settings.try_null_mx)
        if destinations.failure is not None:
            for rcpt in group:
                rcpt.fail(destinations.failure)
                _note(rcpt, _transcript_line(rcpt))
            return set()
        # deliver() links the recipients into its "tochain" by putting each one in front,
        # and smtp sends the RCPT commands along that chain: the send queue's last first
        chain = group[::-1]
        outbound = tuple(smtpclient.OutboundRecipient(
            rcpt.user, notify=_notify(rcpt), orcpt=rcpt.orcpt) for rcpt in chain)
        convert = None
        if envelope.has_8bit and "8" not in mailer.flags:
            convert = functools.partial(
                _convert_8to7, host=self.settings.helo_name, qid=envelope.qid,
                mode=self.settings.eight_bit_mode, body_type=envelope.body_type,
                charset=self.settings.default_charset)
        told: set[int] = set()
        verbose = self.verbose

        def refused(index: int, reply: Reply) -> None:
            if verbose is None:
                return
            rcpt = chain[index]
            told.add(id(rcpt))
            said = deferred_text(reply) if reply.code < 500 else \
                reply.text.split("... ", 1)[-1]
            verbose(f"{rcpt.paddr}... {said}")

        message = smtpclient.OutboundMessage(
            sender=g, recipients=outbound, data=data, size=size,
            body_type=envelope.body_type,
            envid=envelope.envid, ret=envelope.ret, has_8bit=envelope.has_8bit,
            convert=convert, refused=refused if verbose is not None else None)
        options = self._client_options.get(mailer.name)
        if options is None:
            settings = self.settings
            options = self._client_options[mailer.name] = smtpclient.ClientOptions(
                helo_name=settings.helo_name, timeouts=settings.timeouts,
                always_esmtp="a" in mailer.flags, tls_context=settings.tls,
                source_address=settings.source_address, family=settings.family,
                line_limit=mailer.line_limit or 990, verbose=self.verbose,
                traffic=self.traffic)
        report = await smtpclient.deliver_message(destinations, message, options, self.cache,
                                                  self.hosts)
        talk = error_transcript(report.relay, report.transcript) \
            if not report.all_sent else []
        for rcpt, result in zip(chain, report.results, strict=True):
            rcpt.remote_mta = result.relay or report.relay
            if result.reply.code < 300:
                rcpt.state = RcptState.SENT
                rcpt.reply = result.reply
                rcpt.rcpt_reply = result.rcpt_reply
                rcpt.relayed = not result.dsn  # NOTIFY did not go along: we report
            else:
                rcpt.fail(result.reply)
        _note_smtp(chain, talk)
        return told

    async def _file(self, envelope: QueueEnvelope, group: list[Recipient],
                    data: bytes) -> None:
        """Append to each file as Sendmail's *file* mailer (mailfile()): in a child that
        chroots into SafeFileEnvironment and runs as the writer file_writer() picks."""
        settings = self.settings
        for rcpt in group:
            chroot, path = safe_file_target(rcpt.user, settings.safe_file_env)
            if path == DEV_NULL:  # taken without being opened, chroot or not
                rcpt.state = RcptState.SENT
                rcpt.reply = Reply(250, "2.0.0", "Ok")
                continue
            writer = file_writer(os.path.join(chroot, path.lstrip("/")) if chroot else path,
                                 controlling_ids(rcpt), settings.default_user)
            job = FileJob(path, chroot, writer, settings.temp_file_mode,
                          settings.file_open_timeout)
            status, why = await asyncio.to_thread(_append_as, job, data)
            if status == 0:
                rcpt.state = RcptState.SENT
                rcpt.reply = Reply(250, "2.0.0", "Ok")
                continue
            if why:
                log.info("%s: %s", envelope.qid, why)
            rcpt.exit_status = status
            rcpt.fail(_file_reply(status))

    async def _program(self, group: list[Recipient], mailer: MailerDef, macros: MacroEnv,
                       data: bytes) -> None:
        argv = mailer_argv(mailer, [_program_user(rcpt.user, mailer) for rcpt in group],
                           macros)
        first = group[0]
        macros.define("z", first.home)
        directories = [translate_dollars(d, 10, comments=False) for d in mailer.directories]
        directories = [expand(d, macros.get) for d in directories]
        user = None
        if "S" not in mailer.flags:
            # the controlling user (a .forward's owner), else DefaultUser, as Sendmail
            user = self._run_as(first)
        if "z" in mailer.flags:  # LMTP: one reply per recipient
            replies = await deliver_lmtp(
                mailer.path, argv, sender=macros_g(macros), recipients=[r.user for r in group],
                data=data, environment=self._environment, helo_name=self.settings.helo_name,
                directories=directories or ["/"], user=user)
            for rcpt, reply in zip(group, replies, strict=True):
                if reply.code < 300:
                    rcpt.state = RcptState.SENT
                    rcpt.reply = reply
                else:
                    rcpt.fail(reply)
            return
        if mailer.eol == "\r\n":
            data = data.replace(b"\n", b"\r\n")
        result = await run_program(mailer.path, argv, data, environment=self._environment,
                                   directories=directories or ["/"], user=user,
                                   local="l" in mailer.flags)
        reply = program_reply(result.status, mailer.name, mailer.path)
        printed = [line for line in result.output.splitlines() if line.strip()]
        for rcpt in group:
            rcpt.reply = reply
            rcpt.exit_status = result.status
            if result.status != 0:
                _note(rcpt, *printed)
            if result.status == 0:
                rcpt.state = RcptState.SENT
            elif result.status in TRANSIENT:
                rcpt.state = RcptState.QUEUEUP
            else:
                rcpt.state = RcptState.BADADDR

    def _run_as(self, rcpt: Recipient) -> tuple[int, int]:
        """Who runs a program or writes a file for rcpt: its controlling user, never
        root (DefaultUser instead), as Sendmail's deliver() decides."""
        ids = controlling_ids(rcpt)
        if ids is None or ids[0] == 0:
            return self.settings.default_user
        return ids

    # ------------------------------------------------------------ afterwards

    async def _finish(self, envelope: QueueEnvelope, body: bytes, sendq: list[Recipient],
                      now: float, *, fresh: bool = False) -> bool:
        age = now - envelope.created
        deferred = [r for r in sendq if r.state is RcptState.QUEUEUP]
        if deferred and age >= self.settings.queue_return:
            period = format_interval(self.settings.queue_return)
            for rcpt in deferred:
                # the last reason stays the diagnostic; the status says why it ends
                rcpt.state = RcptState.BADADDR
                rcpt.timed_out = f"Cannot send message for {period}"
            deferred = []
        failed = [r for r in sendq if r.state is RcptState.BADADDR]
        for rcpt in failed:
            code = _failure_status(rcpt)
            # a message that waited too long ends without an error of this run
            if not rcpt.timed_out and code not in (EX_OK, EX_TEMPFAIL):
                self.exit_status = code
        flags = envelope.flags
        warn = [r for r in deferred if "DELAY" in r.notify]
        returns = [r for r in failed if "FAILURE" in r.notify]
        # NOTIFY=SUCCESS: a receipt for what a final mailer delivered, and for what
        # went to an SMTP server without DSN ("relayed"); one with DSN reports itself
        receipts = [r for r in sendq if r.state is RcptState.SENT and "SUCCESS" in r.notify
                    and r.address is not None and r.address.mailer is not None
                    and (mailer_kind(r.address.mailer) is not MailerKind.SMTP or r.relayed)]
        if returns and self._is_double_bounce(envelope):
            # a bounce is never bounced: the postmaster's copy of a failed DSN failed too
            for rcpt in returns:
                log.warning("%s: %s: double bounce lost: %s", envelope.qid, rcpt.paddr,
                            rcpt.reply.line() if rcpt.reply is not None else "")
            returns = []
        try:
            if returns:
                # one DSN reports the failures and the successes asked for, in
                # send-queue order, as Sendmail's returntosender() does
                reported = {id(r) for r in returns + receipts}
                await self._return_to_sender(
                    envelope, body, [r for r in sendq if id(r) in reported], now,
                    delay=False, sendq=sendq)
            elif receipts:
                await self._return_to_sender(envelope, body, receipts, now, delay=False,
                                             kind=DsnKind.RECEIPT, sendq=sendq)
            if warn and FLAG_WARNING_SENT not in flags and age >= self.settings.queue_warn \
                    and await self._return_to_sender(envelope, body, warn, now, delay=True,
                                                     sendq=sendq):
                # on record only when one went out (none for the null sender's DSN)
                flags = "".join(c for c in ENVELOPE_FLAG_ORDER
                                if c in flags + FLAG_WARNING_SENT)
        except OSError as exc:
            log.error("%s: cannot queue a DSN: %s; the message stays as it was", envelope.qid,
                      exc)
            return False
        if not deferred:
            self.queue.remove(envelope.qid)
            return True
        # Sendmail delivers in the order it writes them: its M is the first deferral
        ordered = queue_order(deferred)
        reason = next((r.reply for r in ordered if r.reply is not None), None)
        status = deferred_text(reason)
        # the df's I record: Sendmail knows the df's i-number once it has read the qf
        # (a queue run) or written the df in queueup() (a DSN), not after collect()
        inode = envelope.df_inode
        if inode is None and (not fresh or FLAG_RESPONSE in envelope.flags):
            with contextlib.suppress(OSError):
                info = os.stat(self.queue.df_path(envelope.qid))
                inode = (os.major(info.st_dev), os.minor(info.st_dev), info.st_ino)
        updated = replace(
            envelope,
            recipients=tuple(r.to_queue(_server_deferral(r)) for r in ordered),
            attempts=envelope.attempts + 1,
            last_attempt=int(now),
            priority=envelope.priority + (0 if fresh else self.settings.retry_factor),
            status_message=status,
            flags=flags,
            df_inode=inode,
        )
        try:
            await self.queue.commit(updated)
        except OSError as exc:
            log.error("%s: cannot rewrite the queue file: %s", envelope.qid, exc)
        return False

    def _is_double_bounce(self, envelope: QueueEnvelope) -> bool:
        """A DSN (F flag r) that went to the postmaster (DoubleBounceAddress)."""
        if FLAG_RESPONSE not in envelope.flags:
            return False
        target = (self.config.options.get("DoubleBounceAddress") or "postmaster").lower()
        wanted = {target, target.split("@", 1)[0], "postmaster"}
        return any(_bare(r.address).lower() in wanted for r in envelope.recipients)

    async def _return_to_sender(self, envelope: QueueEnvelope, body: bytes,
                                recipients: list[Recipient], now: float, *,
                                delay: bool, kind: DsnKind | None = None,
                                sendq: Sequence[Recipient] = ()) -> list[str]:
        """Queue the DSN of recipients (and schedule its delivery); its queue ids."""
        # the transcript is the envelope's: every recipient's lines, as they came
        lines: list[str] = []
        for rcpt in sorted((r for r in sendq or recipients if r.noted >= 0),
                           key=lambda r: r.noted):
            for line in rcpt.transcript:
                if not lines or line != lines[-1]:
                    lines.append(line)
        if FLAG_RESPONSE in envelope.flags:  # a DSN that fails goes to the postmaster
            envelope = replace(envelope, sender="<>")
        qids = await queue_dsn(
            self.queue, self.config, self.engine.macros, envelope, body, recipients, now=now,
            kind=kind or (DsnKind.DELAY if delay else DsnKind.FAILURE),
            transcript="".join(line + "\n" for line in lines) if lines else None,
            settings_warn=self.settings.queue_warn, settings_return=self.settings.queue_return,
            postmaster_copy=self.settings.postmaster_copy, engine=self.engine)
        if delay and qids and self.verbose is not None:
            # -v: the subject of the warning that goes out (none for a DSN's own delay)
            self.verbose("Warning: could not send message for past "
                         + format_interval(self.settings.queue_warn))
        if kind is DsnKind.RECEIPT:
            what = "Return receipt"
        elif delay:
            what = "delayed"
        else:
            # the first failure (a DSN may report successes too)
            failure = next((r.reply for r in recipients
                            if r.state is RcptState.BADADDR and r.reply is not None), None)
            what = failure.text if failure is not None else "failed"
        for qid in qids:
            log.info("%s: %s: DSN: %s", envelope.qid, qid, what)
            self.schedule(qid)
        return qids

    def _log_rcpt(self, envelope: QueueEnvelope, rcpt: Recipient, now: float,
                  mailer: MailerDef | None) -> None:
        rcpt.logged = True
        if rcpt.state is RcptState.SENT:
            stat = f"Sent ({rcpt.reply.text})" if rcpt.reply is not None else "Sent"
        elif rcpt.state is RcptState.QUEUEUP:
            stat = deferred_text(rcpt.reply)
        elif rcpt.state is RcptState.BADADDR and rcpt.reply is not None:
            stat = rcpt.reply.line()
        else:
            return
        delay = format_interval(max(0, int(now - envelope.created)), brief=True)
        xdelay = format_interval(max(0, int(time.time() - now)), brief=True)
        parts = [f"to={rcpt.paddr}", f"delay={delay}", f"xdelay={xdelay}"]
        if mailer is not None:
            parts.append(f"mailer={mailer.name}")
        parts.append(f"pri={envelope.priority}")
        if rcpt.remote_mta:
            parts.append(f"relay={rcpt.remote_mta}")
        if rcpt.reply is not None and rcpt.reply.status:
            parts.append(f"dsn={rcpt.reply.status}")
        parts.append(f"stat={stat}")
        log.info("%s: %s", envelope.qid, ", ".join(parts))


class HostStatusCache:
    """The runner's side of HostStatusDirectory: what the SMTP client asks and tells.

    A host whose last try failed at connection or greeting time is not tried
    again until Timeout.hoststatus has passed (its saved reason defers the
    mail); each try is written down as Sendmail writes it: a connection
    failure with its errno (exit EX_TEMPFAIL, 4.4.1), a refusing greeting
    (EX_TEMPFAIL 4.5.0, or EX_UNAVAILABLE 5.5.0 with the reply), a finished
    transaction with exit 0 and its last reply, which makes the host usable.
    """

    def __init__(self, store: HostStatusStore) -> None:
        self.store = store

    def skip(self, destination: smtpclient.Destination) -> Reply | None:
        try:
            saved = self.store.should_skip(destination.host, time.time())
        except OSError as exc:  # the host is tried; the status directory needs a look
            log.warning("host status of %s: %s", destination.host, exc)
            return None
        if saved is None:
            return None
        text = saved.deferral_text(destination.host)
        if saved.exit_status == EX_TEMPFAIL:
            return Reply(451, "4.4.1" if saved.errno else "4.0.0", text)
        status = saved.dsn if saved.dsn and saved.dsn[:1] == "5" else "5.0.0"
        return Reply(554, status, saved.reply_text or text)

    def record(self, destination: smtpclient.Destination, reply: Reply, *, stage: str,
               errno: int) -> None:
        status_text = reply.line()
        if stage == "connect":
            status = HostStatus(EX_TEMPFAIL, errno, 0, "4.4.1", None, int(time.time()))
        elif stage == "greeting":
            if reply.is_temporary:
                status = HostStatus(EX_TEMPFAIL, 0, 0, "4.5.0", "", int(time.time()))
            else:
                status = HostStatus(EX_UNAVAILABLE, 0, 0, "5.5.0", status_text,
                                    int(time.time()))
        else:
            status = HostStatus(0, 0, 0, reply.status, status_text, int(time.time()))
        try:
            self.store.record(destination.host, status)
        except OSError as exc:
            log.warning("host status of %s: %s", destination.host, exc)


@dataclass(frozen=True, slots=True)
class QueueGroupDirs:
    """A queue group (a Q line, or "mqueue" for QueueDirectory) and its directories."""

    name: str
    directories: tuple[str, ...]
    runners: int = 0  # R=/Runners=: messages worked on at once (0: MaxQueueChildren)
    interval: int = 0  # I=/Interval=: seconds between its queue runs (0: the -q interval)


def _expand_directory(path: str) -> tuple[str, ...]:
    """A queue path; "/var/spool/mqueue/q*" stands for every directory it matches."""
    if not path.endswith("*"):
        return (path,)
    return tuple(sorted(d for d in glob.glob(path) if os.path.isdir(d))) or (path[:-1],)


def queue_groups(config: Config, default_directory: str) -> list[QueueGroupDirs]:
    """The default queue group and those of the Q lines, with their directories.

    A group without P= (Path=) shares the default group's directories.
    """
    from mta.util.timespec import TimeUnit, convtime

    base = config.options.get("QueueDirectory") or default_directory
    default_dirs = _expand_directory(base)
    groups = [QueueGroupDirs("mqueue", default_dirs)]
    for name, group in config.queue_groups.items():
        eq = group.equates
        path = eq.get("P") or eq.get("Path")
        runners = eq.get("R") or eq.get("Runners") or "0"
        interval = eq.get("I") or eq.get("Interval") or ""
        groups.append(QueueGroupDirs(
            name, _expand_directory(path) if path else default_dirs,
            runners=int(runners) if runners.isdigit() else 0,
            interval=convtime(interval, TimeUnit.MINUTES) if interval else 0))
    return groups


@dataclass(frozen=True, slots=True)
class Selector:
    """-qI/-qR/-qS (with ! to negate): which messages a queue run takes."""

    qid: tuple[tuple[str, bool], ...] = ()
    recipient: tuple[tuple[str, bool], ...] = ()
    sender: tuple[tuple[str, bool], ...] = ()

    def matches(self, envelope: QueueEnvelope) -> bool:
        def ok(rules: tuple[tuple[str, bool], ...], values: Sequence[str]) -> bool:
            if not rules:
                return True
            return any(any(text.lower() in v.lower() for v in values) != negate
                       for text, negate in rules)

        return (ok(self.qid, [envelope.qid])
                and ok(self.recipient, [r.address for r in envelope.recipients])
                and ok(self.sender, [envelope.sender]))


def _groups(sendq: list[Recipient]) -> list[list[Recipient]]:
    """Recipients in state OK, grouped by mailer and host where the mailer takes several."""
    groups: list[list[Recipient]] = []
    index: dict[tuple[str, str], list[Recipient]] = {}
    for rcpt in sendq:
        if rcpt.state is not RcptState.OK or rcpt.address is None:
            continue
        mailer = rcpt.address.mailer
        if mailer is None or "m" not in mailer.flags:
            groups.append([rcpt])
            continue
        key = (mailer.name, (rcpt.host or "").lower())
        group = index.get(key)
        limit = mailer.max_rcpts or 100
        if group is None or len(group) >= limit:
            group = []
            index[key] = group
            groups.append(group)
        group.append(rcpt)
    return groups


def error_transcript(relay: str | None, lines: Sequence[str]) -> list[str]:
    """The part of an SMTP transcript that Sendmail keeps for a DSN.

    Only the replies that are errors (4xx, 5xx), each after the command it
    answers, under "... while talking to HOST:" (Sendmail's reply() writes
    just these to the transcript). Commands and replies are paired in
    order, so pipelined commands find their replies.
    """
    pending: collections.deque[str] = collections.deque()
    out: list[str] = []
    reply: list[str] = []
    for line in lines:
        if line.startswith(">>> "):
            pending.append(line)
            continue
        if not line.startswith("<<< "):
            continue
        reply.append(line)
        text = line[4:]
        if len(text) > 3 and text[3] == "-":
            continue  # more lines of this reply follow
        command = pending.popleft() if pending and reply[0] != lines[0] else None
        if text[:1] in ("4", "5"):
            if not out and relay:
                out.append(f"... while talking to {relay.split(' ')[0]}:")
            if command is not None:
                out.append(command)
            out.extend(reply)
        reply = []
    return out


def _outcome(rcpt: Recipient) -> str:
    """What -v says of a recipient after its attempt: "Sent (text)", the deferral or the
    error, as Sendmail's."""
    reply = rcpt.reply
    if rcpt.state is RcptState.SENT:
        return f"Sent ({reply.text})" if reply is not None and reply.text != "Ok" else "Sent"
    if rcpt.state is RcptState.QUEUEUP:
        return deferred_text(reply)
    if reply is None:
        return "failed"
    return reply.text.split("... ", 1)[-1] if "... " in reply.text else reply.text


def deferred_text(reason: Reply | None) -> str:
    """The M record and the log's stat= of a deferral, as Sendmail words them: what
    failed here says "Deferred: Connection refused by HOST" itself, a server's reply
    is "Deferred: 451 4.3.0 text"."""
    if reason is None:
        return "Deferred"
    if reason.text.startswith("Deferred") or reason.text in BARE_DEFERRALS:
        return reason.text
    return f"Deferred: {reason.line()}"


def _say_expansion(sendq: Sequence[Recipient], say: Callable[[str], None]) -> None:
    """-v: each alias with what it stands for, and what failed before any delivery."""
    for rcpt in sendq:
        if rcpt.state is RcptState.EXPANDED and rcpt.children \
                and rcpt.children[0].paddr != rcpt.paddr:
            say(f"{rcpt.paddr}... aliased to " + ", ".join(c.paddr for c in rcpt.children))
        elif rcpt.state is RcptState.BADADDR and rcpt.reply is not None:
            say(rcpt.reply.text)


def _failure_status(rcpt: Recipient) -> int:
    """The sysexits status a recipient that failed leaves as Sendmail's ExitStat: its
    mailer's exit status, else what its reply's enhanced status stands for."""
    if rcpt.exit_status:
        return rcpt.exit_status
    reply = rcpt.reply
    if reply is not None and reply.status:
        return dsn_to_exit_status(reply.status)
    return int(EX_UNAVAILABLE)


def _server_deferral(rcpt: Recipient) -> str | None:
    """The M record Sendmail 8.17 writes for a recipient an SMTP server deferred
    itself ("Deferred: 451 4.3.0 text"); None for other deferrals."""
    return deferred_text(rcpt.reply) if rcpt.deferred_by_server else None


_NOTED = itertools.count()  # when a recipient's part of the transcript began


def _note(rcpt: Recipient, *lines: str) -> None:
    """Add lines to the transcript (rcpt's part of it, which keeps its place)."""
    if rcpt.noted < 0:
        rcpt.noted = next(_NOTED)
    rcpt.transcript.extend(line for line in lines if line)


def _shown(rcpt: Recipient) -> str:
    return rcpt.paddr if rcpt.paddr.startswith("<") else f"<{rcpt.paddr}>"


def _note_smtp(chain: Sequence[Recipient], talk: Sequence[str]) -> None:
    """The transcript of one SMTP delivery, as Sendmail writes it while it reads the
    replies: "... while talking to HOST:", then for each recipient in RCPT order its
    command and error reply and at once what that meant for it ("<a@b>... Deferred:
    451 ..."); an error to MAIL or DATA before the first recipient it failed; a
    recipient that went to a server without DSN and asked NOTIFY=SUCCESS: "relayed"."""
    header = [line for line in talk if line.startswith("... ")]
    blocks: list[tuple[str | None, list[str]]] = []
    for line in talk:
        if line.startswith("... "):
            continue
        if line.startswith(">>> ") or not blocks:
            command = line[4:] if line.startswith(">>> ") else ""
            rcpt_to = command[8:].split(" ", 1)[0] if command.upper().startswith("RCPT TO:") \
                else None
            blocks.append((rcpt_to, []))
        blocks[-1][1].append(line)
    others = [line for rcpt_to, lines in blocks if rcpt_to is None for line in lines]
    first = True
    for rcpt in chain:
        if rcpt.state is RcptState.SENT:
            if rcpt.relayed and "SUCCESS" in rcpt.notify:
                _note(rcpt, f"{_shown(rcpt)}... relayed; expect no further notifications")
            continue
        if rcpt.state not in (RcptState.BADADDR, RcptState.QUEUEUP):
            continue
        lines = list(header) if first else []
        own = [line for rcpt_to, block in blocks
               if rcpt_to is not None and rcpt_to.strip("<>") == rcpt.user.strip("<>")
               for line in block]
        lines.extend(own)
        if not own and others:
            lines.extend(others)
            others = []
        _note(rcpt, *lines, _transcript_line(rcpt))
        first = False


def _transcript_line(rcpt: Recipient) -> str:
    """The line Sendmail's transcript has for a recipient that failed, "550 5.1.1
    <a@b>... text" (a program's exit status with its sysexits code), or was
    deferred, "<a@b>... Deferred: 451 4.3.0 text" (no code in front)."""
    reply = rcpt.reply
    if reply is None:
        return ""
    text = reply.text
    shown = rcpt.paddr if rcpt.paddr.startswith("<") else f"<{rcpt.paddr}>"
    if rcpt.state is RcptState.QUEUEUP:
        said = deferred_text(reply)
        return said if "... " in said else f"{shown}... {said}"
    if "... " not in text:
        text = f"{shown}... {text}"
    if rcpt.exit_status is not None:
        reply = EXIT_REPLIES.get(rcpt.exit_status, reply)
    return Reply(reply.code, reply.status, text).line()


@dataclass(frozen=True, slots=True)
class FileWriter:
    """Who appends to a file, as Sendmail's mailfile() picks: ids, groups, mode to keep."""

    uid: int
    gid: int
    groups: tuple[int, ...]
    keep_mode: int | None  # the file's mode (set-id bits too), restored after the write
    borrowed: tuple[int, int] | None = None  # (st_dev, st_ino) whose set-id bits chose us


@dataclass(frozen=True, slots=True)
class FileJob:
    """One *file* delivery for the child: the path (inside chroot, when set)."""

    path: str
    chroot: str | None
    writer: FileWriter
    new_mode: int = 0o600  # TempFileMode: a file that does not exist yet
    open_timeout: float = 60.0  # Timeout.fileopen


def file_writer(target: str, ctl: tuple[int, int] | None,
                default: tuple[int, int]) -> FileWriter:
    """The user a file delivery runs as, as Sendmail's mailfile() selects it.

    target is the file as seen from outside the chroot; ctl the controlling
    user (controlling_ids: a .forward's or :include:'s owner), None for an
    aliases-file entry. An existing file's set-user-ID bit makes its owner the
    writer, and its set-group-ID bit its group, but only for an aliases-file
    entry (a user's .forward cannot borrow them); otherwise the controlling
    user writes, else DefaultUser. Root never writes: uid or gid 0 becomes
    DefaultUser's. A controlling user gets its supplementary groups
    (initgroups), anyone else only the one group. When set-id bits chose the
    writer, the child writes only to that same file (borrowed: device, inode).
    """
    try:  # lstat: a link is refused anyway, and lends no set-id bits
        st: os.stat_result | None = os.lstat(target)
    except OSError:
        st = None
    mode = st.st_mode if st is not None else 0
    if ctl is not None:
        mode &= ~(stat.S_ISUID | stat.S_ISGID)
    if st is not None and mode & stat.S_ISUID:
        uid = st.st_uid
    elif ctl is not None and ctl[0] != 0:
        uid = ctl[0]
    else:
        uid = default[0]
    if st is not None and mode & stat.S_ISGID:
        gid = st.st_gid
    elif ctl is not None and ctl == (default[0], 0):
        gid = default[1]  # an alias marked to run as DefaultUser
    elif ctl is not None and ctl[0] != 0:
        gid = ctl[1]
    else:
        gid = default[1]
    uid = uid or default[0]
    gid = gid or default[1]
    groups: tuple[int, ...] = (gid,)
    if ctl is not None and uid == ctl[0]:
        with contextlib.suppress(KeyError, OSError):
            groups = tuple(os.getgrouplist(pwd.getpwuid(uid).pw_name, gid))
    borrowed = (st.st_dev, st.st_ino) if st is not None and mode & (
        stat.S_ISUID | stat.S_ISGID) else None
    return FileWriter(uid, gid, groups, stat.S_IMODE(mode) if st is not None else None,
                      borrowed)


def _append_as(job: FileJob, data: bytes) -> tuple[int, str]:
    """Append data to job.path in a forked child; return its sysexits status and why.

    The child has everything loaded already (a new interpreter might not be
    readable by the writer). It chroots into job.chroot (SafeFileEnvironment)
    before it gives up root, as Sendmail's mailfile(); without root the
    chroot fails and so does the delivery (EX_CANTCREAT "Cannot chroot", as
    Sendmail run as a RunAsUser). Then, when root, it takes the writer's
    groups, gid and uid, appends (mbox.append_file: only a regular file under
    a chroot) and exits.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: chroot, drop to the writer, append, report, exit
        code = int(EX_TEMPFAIL)
        try:
            os.close(read_end)
            if job.chroot is not None:
                try:
                    os.chroot(job.chroot)
                    os.chdir("/")
                except OSError as exc:
                    raise refuse_file(f"mailfile: Cannot chroot({job.chroot}): "
                                      f"{exc.strerror}") from exc
            if os.geteuid() == 0:
                writer = job.writer
                os.setgroups(list(writer.groups))
                os.setgid(writer.gid)
                os.setuid(writer.uid)
            append_file(job.path, data, new_mode=job.new_mode,
                        regular_only=job.chroot is not None,
                        open_timeout=job.open_timeout, keep_mode=job.writer.keep_mode,
                        same_as=job.writer.borrowed)
            code = 0
        except MboxError as exc:
            code = int(exc.exit_code)
            with contextlib.suppress(OSError):
                os.write(write_end, exc.reply.text.encode("utf-8", "replace"))
        except BaseException as exc:
            with contextlib.suppress(OSError):
                os.write(write_end, f"mailfile: {job.path}: {exc}".encode("utf-8", "replace"))
        finally:
            os._exit(code)
    os.close(write_end)
    chunks = []
    while chunk := os.read(read_end, 4096):
        chunks.append(chunk)
    os.close(read_end)
    _pid, wait_status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(wait_status)
    return (code if code >= 0 else int(EX_TEMPFAIL)), b"".join(chunks).decode("utf-8", "replace")


# What a failed file delivery reports, by the child's exit status: Sendmail's
# giveresponse() text; the status is markfailure()'s (EX_CANTCREAT: 5.3.0).
FILE_CANTCREAT = Reply(550, "5.3.0", "Can't create output")


def _file_reply(status: int) -> Reply:
    """The reply of a failed file delivery, from the child's sysexits status."""
    if status == EX_CANTCREAT:
        return FILE_CANTCREAT
    return exit_reply(status)


def _file_transcript_line(rcpt: Recipient) -> str:
    """The transcript line of a failed file delivery, as Sendmail's giveresponse()
    writes it: the file name as it is, and the sysexits reply's status
    ("550 5.0.0 /f... Can't create output"), not markfailure()'s."""
    reply = rcpt.reply
    if reply is None:
        return ""
    if rcpt.state is RcptState.QUEUEUP:  # a deferral has no code in front
        return f"{rcpt.paddr}... {deferred_text(reply)}"
    if reply == FILE_CANTCREAT:
        reply = exit_reply(EX_CANTCREAT)
    return Reply(reply.code, reply.status, f"{rcpt.paddr}... {reply.text}").line()


def controlling_ids(rcpt: Recipient) -> tuple[int, int] | None:
    """(uid, gid) of rcpt's controlling user, as Sendmail's getctladdr() finds it.

    rcpt itself when it is a passwd user, else the nearest ancestor that is
    (the owner of the .forward that named it), else the C record a queued
    member keeps ("user:uid:gid:address"); None for what came from the
    aliases file or an SMTP client.
    """
    node: Recipient | None = rcpt
    while node is not None:
        if node.uid is not None and node.gid is not None:
            return (node.uid, node.gid)
        node = node.parent
    parts = (rcpt.controller or "").split(":")
    if len(parts) >= 3 and parts[1].isdigit() and parts[2].isdigit():
        return (int(parts[1]), int(parts[2]))
    return None


def _program_user(user: str, mailer: MailerDef) -> str:
    """$u for a program: quotes gone for F=s, and the "|" that chose the prog mailer."""
    if "s" in mailer.flags:
        user = stripquotes(user)
    if mailer.name == PROG_MAILER and user.startswith("|"):
        user = user[1:]
    return user


def _convert_8to7(data: bytes, server: str, *, host: str, qid: str, mode: str,
                  body_type: str | None, charset: str | None) -> Mime7Result:
    return mime8to7(data, host=host, qid=qid, mode=mode, body_type=body_type,
                    charset=charset, server=server)


def _user_ids(text: str) -> tuple[int, int]:
    """DefaultUser: "uid:gid", "user:group" or a user name (its own group), as Sendmail."""
    user, _, group = text.partition(":")
    try:
        if user.isdigit():
            uid = int(user)
            gid = pwd.getpwuid(uid).pw_gid if not group else -1
        else:
            entry = pwd.getpwnam(user)
            uid, gid = entry.pw_uid, entry.pw_gid
        if group:
            gid = int(group) if group.isdigit() else grp.getgrnam(group).gr_gid
    except (KeyError, ValueError):
        return (1, 1)
    return (uid, gid)


def macros_g(macros: MacroEnv) -> str:
    """$g as plain text (the sender the mailer gets)."""
    value = macros.get("g")
    return expand(value, macros.get) if value else ""


def _notify(rcpt: Recipient) -> tuple[str, ...] | None:
    """NOTIFY= for RCPT, in the order Sendmail writes the words."""
    if "N" not in rcpt.flags:
        return None
    words = tuple(w for w in ("SUCCESS", "FAILURE", "DELAY") if w in rcpt.notify)
    return words or ("NEVER",)


def _bare(sender: str) -> str:
    sender = sender.strip()
    if sender.startswith("<") and sender.endswith(">"):
        sender = sender[1:-1]
    return sender


def _qf_numbers(head: bytes) -> dict[str, int]:
    values: dict[str, int] = {}
    for line in head.split(b"\n"):
        if line[:1] in (b"T", b"P", b"K") and line[1:].lstrip(b"-").isdigit():
            values[line[:1].decode()] = int(line[1:])
    return values
