"""Command-line submission: `sendmail [flags] address... < message`, and `sendmail -t`.

SYNOPSIS
    status = submit(runtime, SubmitArgs(recipients=["bob@example.net"]), data)
    collected = collect(data, ignore_dots=False)     # the header and body as read

DESCRIPTION
    What Sendmail 8.17's collect() and main() do with a message given on
    standard input, as seen in the queue files of the real program:

    - collect: CRLF becomes LF (a bare CR stays); without -i (IgnoreDots) a
      line "." ends the message and a leading ".." loses one dot; a Unix
      "From " first line is dropped and its date becomes the Date: field;
      the header ends at the first empty line (which is dropped) or at the
      first line that is no header field (which starts the body); a last
      header line without a newline is lost, a last body line without one
      stays so. The priority counts every byte read, as Sendmail's does.
    - the sender: the -f/-r address (S record as given), else the login
      name; $_ is login@localhost, ${daemon_flags} "c u". A user who is not
      trusted (class t, TrustedUser) and sets another sender gets an
      X-Authentication-Warning field (PrivacyOptions authwarnings). $x, the
      full name in From: and Full-Name:, is -F (quoted when it needs it)
      or the passwd entry's, for a local sender only.
    - the recipients: the arguments, each one a list (its addresses queued
      last first, as Sendmail's sendtolist() prepends them); with -t also
      To:, Cc: and Bcc: (Resent-To/Cc/Bcc when the message has Resent-
      fields), after the arguments; the same address twice once. Each gets
      "R<flags>:address as given", "rRFC822; user" (user@$j for a local
      one) and, when its mailer has F=5 (submit.cf's relay), the C record
      Sendmail writes for it.
    - the header: the .cf's H lines for what the message lacks (an empty
      From: or Date: counts as lacking), with Received: "for ADDRESS" when
      exactly one address was given on the command line; then the
      message's own fields, address fields through commaize().

    The message is queued (df, then the qf, fsynced) in the .cf's
    QueueDirectory, and then delivered as DeliveryMode says: interactive
    (submit.cf's) in this process before it exits, background in a child
    it leaves running, queue or deferred not at all. Mail is never lost:
    what cannot be delivered now waits in the queue for the next run.

    A recipient that fails (it does not parse, or its alias or user is
    unknown) is dealt with as Sendmail's savemail() does, by ErrorMode: p
    prints the error and saves the message in the caller's ~/dead.letter,
    or mails a DSN back when that cannot be written; q says nothing; m, w
    and e mail a DSN back at once (e then exits 0). An error in a -t header
    address is counted while the message is read: the message is mailed
    back even in mode p, and its qf has no F "s" (Sendmail does not split
    it). The DSN is Sendmail's returntosender() one (mta.deliver.bounce):
    the failures, aliases of several members ("expanded"), the transcript.

DIAGNOSTICS
    Returns a sysexits status: EX_OK also when delivery was deferred;
    EX_USAGE for no recipients ("Recipient names must be specified") and
    for an address that does not parse (its message printed as Sendmail
    prints it, "address... Unbalanced '<'"; the message is still queued
    for the others); EX_OK with "No recipient addresses found in header"
    for -t without any (nothing is queued, as Sendmail); EX_CANTCREAT or
    EX_OSERR when the queue cannot be written.

SEE ALSO
    mta.cli.sendmail (the options), mta.queue.fsqueue, mta.deliver.runner,
    mta.smtp.session.default_headers.
"""

from __future__ import annotations

import logging
import os
import pwd
import re
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mta.util.sysexits import ExitCode

log = logging.getLogger("mta.submit")

if TYPE_CHECKING:  # the command line imports this module for SubmitArgs: keep it light
    from mta.app.runtime import Runtime
    from mta.deliver.router import Recipient
    from mta.queue.fsqueue import FsQueue
    from mta.queue.qfformat import QueueEnvelope, QueueRecipient
    from mta.rules.engine import RuleEngine
    from mta.rules.resolve import Address

_HEADER_LINE = re.compile(rb"[!-9;-~]+[ \t]*:")
_UNIX_FROM = re.compile(rb"From \S+\s+(\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4})")


@dataclass
class SubmitArgs:
    """What the command line says about one submission."""

    recipients: list[str] = field(default_factory=list)
    read_headers: bool = False  # -t
    ignore_dots: bool = False  # -i, -oi (IgnoreDots)
    sender: str | None = None  # -f or -r
    sender_flag: str = "f"
    full_name: str | None = None  # -F
    notify: tuple[str, ...] | None = None  # -N, upper case
    ret: str | None = None  # -R full|hdrs
    envid: str | None = None  # -V
    body_type: str | None = None  # -B 7BIT|8BITMIME
    verbose: bool = False  # -v: deliver now, saying what happens
    traffic_log: str | None = None  # -X FILE: the input and the SMTP traffic
    # -X's file opened already (open_traffic_log, before the switch to RunAsUser)
    traffic: Callable[[str], None] | None = None


@dataclass
class Collected:
    """The message as collect() read it."""

    headers: list[tuple[str, str]]  # (name, text after the colon with its folding, LF)
    body: bytes
    size: int  # the bytes read, after CRLF -> LF and the dot rules: what P counts
    eight_bit: bool
    unix_from_date: int | None = None  # the time of a Unix "From " first line


def collect(data: bytes, *, ignore_dots: bool) -> Collected:
    """Read a message as Sendmail's collect() reads standard input (see DESCRIPTION)."""
    lines = data.split(b"\n")
    ends = [True] * (len(lines) - 1) + [False]  # the last piece has no newline
    if lines and lines[-1] == b"":
        lines.pop()
        ends.pop()
    read: list[tuple[bytes, bool]] = []
    for line, newline in zip(lines, ends, strict=True):
        if newline and line.endswith(b"\r"):
            line = line[:-1]
        if not ignore_dots and line[:1] == b".":
            if line in (b".", b".\r"):
                break
            if line.startswith(b".."):
                line = line[1:]
        read.append((line, newline))
    size = sum(len(line) + newline for line, newline in read)
    unix_date: int | None = None
    if read and read[0][0].startswith(b"From "):
        match = _UNIX_FROM.match(read[0][0])
        if match:
            try:
                unix_date = int(time.mktime(time.strptime(
                    " ".join(match.group(1).decode().split()), "%a %b %d %H:%M:%S %Y")))
            except ValueError:
                unix_date = None
        read.pop(0)
    headers: list[tuple[str, str]] = []
    i = 0
    if read and read[0][0] == b"":
        i = 1  # an empty first line: no header at all, and the line is gone
    else:
        while i < len(read):
            line, newline = read[i]
            if line == b"":
                i += 1
                break
            match = _HEADER_LINE.match(line)
            if match is None:
                break
            if not newline:  # the last header line without a newline is lost
                i += 1
                break
            name = line[:match.end() - 1].rstrip(b" \t").decode("latin-1")
            value = line[match.end():]
            i += 1
            while i < len(read) and read[i][0][:1] in (b" ", b"\t") and read[i][1]:
                value += b"\n" + read[i][0]
                i += 1
            headers.append((name, value.decode("latin-1")))
    body = b"\n".join(line for line, _newline in read[i:])
    if read[i:] and read[-1][1]:
        body += b"\n"
    eight_bit = not data.isascii()
    return Collected(headers, body, size, eight_bit, unix_date)


def gecos_name(gecos: str, login: str) -> str:
    """Sendmail's buildfname(): up to the first "," or ";", "&" as the login capitalized."""
    cut = re.split(r"[,;]", gecos, maxsplit=1)[0]
    return cut.replace("&", login[:1].upper() + login[1:])


_RFC822_SPECIALS = set('()<>@,;:\\".[]')


def quote_full_name(name: str) -> str:
    """-F as main() takes it: quoted unless it is a good RFC 822 phrase already (no
    specials outside quotes and comments)."""
    depth = 0
    quoted = False
    escaped = False
    for ch in name:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif quoted:
            quoted = ch != '"'
        elif ch == '"':
            quoted = True
        elif ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        elif depth == 0 and ch in _RFC822_SPECIALS:
            return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return name


def _strip(address: str) -> str:
    """An address without its phrase, comment and angle brackets ("" for "<>")."""
    text = re.sub(r"\([^()]*\)", "", address).strip()
    if "<" in text and ">" in text:
        text = text[text.rindex("<") + 1:text.rindex(">")]
    return text.strip()


def submit(runtime: Runtime, args: SubmitArgs, data: bytes, *,
           print_error: Callable[[str], None] = print) -> int:
    """Queue the message data for args (see DESCRIPTION) and deliver it as DeliveryMode
    says; returns the exit status."""
    import asyncio

    from mta.app.queuesink import message_class, priority_factors
    from mta.core.hdrinfo import ADDRESS_FIELDS, RECIPIENT_FIELDS
    from mta.deliver.router import split_addresses
    from mta.queue.fsqueue import FsQueue, queue_file_mode
    from mta.queue.qfformat import (
        QueueEnvelope,
        QueueFormatError,
        QueueHeader,
        QueueRecipient,
        envelope_flags,
        initial_priority,
    )
    from mta.rules.check import define_plain
    from mta.rules.headers import MACRO_G, commaize, crackaddr, must_quote_chars
    from mta.rules.resolve import parseaddr
    from mta.smtp.session import SUBMISSION_DAEMON_FLAGS, default_headers, privacy_options
    from mta.util.privs import invoker_login
    from mta.util.timespec import arpadate

    config = runtime.config
    engine = runtime.engine
    options = config.options
    # ErrorMode: p print (the default), q quiet, m or w mail back, e mail back and exit 0
    error_mode = (options.get("ErrorMode") or "p")[:1].lower()
    if error_mode != "p":
        engine.out = _quiet
    if not args.verbose:
        engine.notes = _quiet  # message(): a map's "KEY: Name server timeout"
    ignore_dots = args.ignore_dots or _option_true(options, "IgnoreDots")
    traffic = args.traffic if args.traffic is not None else open_traffic_log(args.traffic_log)
    if traffic is not None:
        for line in data.split(b"\n")[:-1] if data.endswith(b"\n") else data.split(b"\n"):
            traffic("<<< " + line.rstrip(b"\r").decode("latin-1"))
        traffic("<<< [EOF]")
    got = collect(data, ignore_dots=ignore_dots)
    login, gecos = invoker_login()
    j = engine.macros.get("j") or "localhost"
    table = engine.tables.ext
    present = {name.lower() for name, value in got.headers
               if value.strip() or name.lower() not in ("from", "date")}
    own = [(name, value) for name, value in got.headers
           if value.strip() or name.lower() not in ("from", "date")]

    def split(text: str, delimiter: str) -> list[str]:
        return split_addresses(text, table, delimiter)

    listed = _listed(args, got, split,
                     old_style=_option_true(options, "OldStyleHeaders"))
    if not listed:
        if args.read_headers:
            print_error("No recipient addresses found in header")
            return int(ExitCode.EX_OK)
        print_error("Recipient names must be specified")
        return int(ExitCode.EX_USAGE)
    status = int(ExitCode.EX_OK)
    seen: set[str] = set()
    recipients: list[QueueRecipient] = []
    # what the parse says of an address ("bad<x... Unbalanced '<'") is printed, makes
    # the exit status 64 and, when the address still parses, the qf's M record
    printed: list[str] = []
    shown = engine.out

    def note(text: str) -> None:
        printed.append(text)
        shown(text)

    engine.out = note
    parse_error: str | None = None
    # what did not parse fails as savemail() sees it (dead.letter or a DSN)
    unparsed: list[Recipient] = []
    # an error in a -t header address: Sendmail's collect() counted it, so the message
    # is neither split (no F "s") nor saved in dead.letter but mailed back
    header_errors = False
    for raw, from_header in listed:
        key = _dedup_key(_strip(raw))
        if key in seen:
            continue
        seen.add(key)
        engine.exit_stat = 0
        engine.smtp_errors = []  # kept, for the reply of an address that fails
        printed.clear()
        address = parseaddr(engine, raw)
        errors, engine.smtp_errors = engine.smtp_errors, None
        for _number, _status, text in errors:
            note(text)
        said = [line for line in printed if line.startswith(raw[:40] + "... ")]
        if said:
            status = int(ExitCode.EX_USAGE)
            parse_error = said[-1]
            header_errors = header_errors or from_header
        if address is None or engine.exit_stat:
            status = int(ExitCode.EX_USAGE)
            header_errors = header_errors or from_header
            unparsed.append(_unparsed(raw, address, errors, j))
            continue
        recipients.append(QueueRecipient(address=raw, flags=_recipient_flags(args.notify),
                                          final_recipient=_final(raw, address.user, j)))
    engine.out = shown
    if not recipients and not unparsed:
        return status or int(ExitCode.EX_USAGE)
    delivery_mode = (options.get("DeliveryMode") or "background")[:1].lower()
    counted = len(recipients)  # what the priority counts: the failed ones too
    error_text: str | None = parse_error
    failed: list[Recipient] = []
    reported: list[Recipient] = []
    if delivery_mode != "d":  # deferred: no lookups now, the queue run does them
        recipients, failed, reported = _expand(engine, recipients)
        counted = len(recipients) + len(failed)
        named = {raw for raw, from_header in listed if from_header}
        header_errors = header_errors or any(_root(r).paddr in named for r in failed)
        if failed:
            # giveresponse(EX_NOUSER) for an unknown user; the other refusals ("Cannot
            # mail directly to programs") are usrerr()s, which leave EX_USAGE
            unknown = any(r.reply is not None and r.reply.text.endswith("User unknown")
                          for r in failed)
            status = int(ExitCode.EX_NOUSER if unknown else ExitCode.EX_USAGE)
            last = failed[-1].reply
            # the qf's M record: the last error, without the address
            error_text = last.text.split("... ", 1)[-1] if last is not None else None
            if error_mode == "p":
                for rcpt in failed:
                    print_error(rcpt.reply.text if rcpt.reply is not None
                                else f"{rcpt.paddr}... failed")
    failed = unparsed + failed
    reported = unparsed + reported
    # savemail(): print mode saves in dead.letter, unless the header's errors ask
    # for the message to be mailed back
    save_mode = "m" if header_errors and error_mode == "p" else error_mode
    sender_arg = args.sender
    sender, g, full_name = _sender(args, login, gecos, engine)
    trusted = engine.classes.contains("t", login) or login == options.get("TrustedUser")
    warn = sender_arg is not None and not trusted and g != login
    queue_dir = options.get("QueueDirectory") or "/var/spool/mqueue"
    try:
        Path(queue_dir).mkdir(parents=True, exist_ok=True)
        queue = FsQueue(queue_dir, file_mode=queue_file_mode(options))
    except OSError as exc:
        print_error(f"cannot use queue directory {queue_dir}: {exc.strerror or exc}")
        return int(ExitCode.EX_CANTCREAT)
    writer = queue.create_body()
    qid = writer.qid
    macros = engine.macros.copy()
    now = time.time()
    date_time = got.unix_from_date if got.unix_from_date is not None else now
    # $u ("for ADDRESS" in Received:): exactly one address given on the command line,
    # as it was given (with -t too, whatever the header adds; also when it failed)
    single = args.recipients[0] if len(args.recipients) == 1 and \
        sum(1 for _raw, from_header in listed if not from_header) == 1 else None
    values: list[tuple[str, str | None]] = [
        ("_", f"{login}@localhost"), ("daemon_flags", SUBMISSION_DAEMON_FLAGS),
        ("a", arpadate(int(date_time))), ("b", arpadate(int(now))),
        ("t", time.strftime("%Y%m%d%H%M", time.localtime(now))),
        ("i", qid), ("g", g), ("x", full_name), ("u", single)]
    for macro, macro_value in values:
        define_plain(macros, macro, macro_value)
    resent = any(name.lower().startswith("resent-") for name in present)
    generated = default_headers(config, present, resent, macros)
    must_quote = must_quote_chars(options.get("MustQuoteChars"))
    header_records: list[QueueHeader] = []
    for name, value, condition in generated:
        if name.lower() in ("from", "resent-from") and full_name:
            value = " " + crackaddr(value.strip(), must_quote=must_quote).replace(MACRO_G, g) \
                if "<" in value else value
        header_records.append(QueueHeader(name, value.encode("latin-1", "replace"),
                                          condition))
    if warn and "authwarnings" in privacy_options(options.get("PrivacyOptions", "")):
        header_records.append(QueueHeader(
            "X-Authentication-Warning",
            f" {j}: {login} set sender to {sender_arg} using -{args.sender_flag}"
            .encode("latin-1", "replace"), ""))
    for name, value in own:
        text = commaize(name, value, table) if name.lower() in ADDRESS_FIELDS else value
        header_records.append(QueueHeader.from_message(name, text.encode("latin-1")))
    try:
        writer.write(got.body)  # past DataFileBufferSize the df is written now
    except OSError as exc:
        queue.abort(qid)
        print_error(f"collect: Cannot write ./df{qid}: {exc.strerror or exc}")
        return int(ExitCode.EX_OSERR)
    precedence = message_class({k.lower(): v for k, v in config.priorities.items()}, own)
    class_factor, recipient_factor = priority_factors(options)
    auth = None if (warn or not g) else (g if "@" in g else f"{g}@{j}")
    envelope = QueueEnvelope(
        qid=qid, sender=sender, recipients=tuple(recipients), headers=tuple(header_records),
        macros=(("_", f"{login}@localhost"), ("daemon_flags", SUBMISSION_DAEMON_FLAGS)),
        created=int(now), priority=initial_priority(got.size, counted, precedence,
                                                    class_factor=class_factor,
                                                    recipient_factor=recipient_factor),
        status_message=error_text,
        body_type=("7BIT" if args.body_type == "8BITMIME" and not got.eight_bit
                   else args.body_type),
        flags=envelope_flags(has_8bit=got.eight_bit, ret=args.ret,
                             delete_bcc=any(name.lower() in RECIPIENT_FIELDS
                                            for name, _v in own),
                             headers_only=precedence < 0, split=not header_errors),
        auth=auth, envid=args.envid)
    if not recipients:  # every one failed: nothing to queue
        queue.abort(qid)
    else:
        try:
            asyncio.run(queue.commit(envelope))
        except (OSError, QueueFormatError) as exc:
            queue.abort(qid)
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            print_error(f"queueup: cannot create queue file ./qf{qid}: {why}")
            return int(ExitCode.EX_OSERR if isinstance(exc, OSError)
                       else ExitCode.EX_SOFTWARE)
        _deliver(runtime, queue, qid, mode="i" if args.verbose else None,
                 errors=print_error if error_mode == "p" else None,
                 verbose=print_error if args.verbose else None, traffic=traffic)
    if failed:
        return _errors_back(runtime, queue, envelope, got.body, reported, save_mode,
                            print_error if error_mode == "p" else None, status, got.size)
    return status


def _listed(args: SubmitArgs, got: Collected, split: Callable[[str, str], list[str]], *,
            old_style: bool = False) -> list[tuple[str, bool]]:
    """The recipients as given, each with whether the header named it: each argument's
    list, then with -t To:, Cc: and Bcc: (Resent-To/Cc/Bcc when there are such
    fields); each list last first, as Sendmail's sendtolist() queues it. With
    OldStyleHeaders an argument is split at blanks ("a b c" is three), until one
    has a ",", ";", "<" or "(" (from then on, as Sendmail's EF_OLDSTYLE, at commas)."""
    listed: list[tuple[str, bool]] = []
    for argument in args.recipients:
        if old_style and any(c in argument for c in ",;<("):
            old_style = False
        listed.extend((raw, False)
                      for raw in reversed(split(argument, " " if old_style else ",")))
    if args.read_headers:
        resent = any(name.lower() in ("resent-to", "resent-cc", "resent-bcc")
                     for name, _v in got.headers)
        wanted = ("resent-to", "resent-cc", "resent-bcc") if resent else ("to", "cc", "bcc")
        for name, value in got.headers:
            if name.lower() in wanted:
                listed.extend((raw, True)
                              for raw in reversed(split(value.replace("\n", " "), ",")))
    return listed


def _root(rcpt: Recipient) -> Recipient:
    """The address as given that rcpt was expanded from."""
    while rcpt.parent is not None:
        rcpt = rcpt.parent
    return rcpt


def _unparsed(raw: str, address: Address | None,
              errors: Sequence[tuple[str, str | None, str]], host: str) -> Recipient:
    """An address the parse refused (ruleset 0 said $#error), as a failed recipient:
    its reply is what was printed, its user the error text (which the DSN shows as
    the recipient, quoted, at $j); no reason line (Sendmail sets no q_rstatus)."""
    from mta.core.reply import Reply
    from mta.deliver.router import RcptState, Recipient

    number, status, text = errors[0] if errors else ("553", "5.1.3",
                                                     f"{raw}... Invalid address")
    if status is None or status[:1] != number[:1]:
        status = f"{number[:1]}.0.0"
    reply = Reply(int(number) if number.isdigit() else 553, status, text)
    return Recipient(raw, final_recipient=_final(raw, address.user if address else "", host),
                     address=address, reply=reply, state=RcptState.BADADDR, unparsed=True)


def _final(raw: str, user: str, host: str) -> str:
    """The r record, as Sendmail's recipient() makes it: the user when it has an "@",
    else the address as given (without brackets) when that has one, else user@$j."""
    if "@" in user:
        return f"RFC822; {user}"
    if "@" in raw:
        bare = raw.strip()
        return f"RFC822; {bare[1:-1] if bare.startswith('<') and bare.endswith('>') else bare}"
    return f"RFC822; {user}@{host}"


def _sender(args: SubmitArgs, login: str, gecos: str,
            engine: RuleEngine) -> tuple[str, str, str | None]:
    """(S record, $g, $x): the -f/-r address as given, else the login; $g without its
    phrase and brackets; the full name (-F, quoted when it needs it, else the passwd
    entry's) only for a local sender."""
    if args.sender is None:
        return login, login, (quote_full_name(args.full_name) if args.full_name
                              else gecos_name(gecos, login) or None)
    g = _strip(args.sender)
    if not _is_local(g, engine):
        return args.sender, g, None
    if args.full_name:
        return args.sender, g, quote_full_name(args.full_name)
    if g == login:
        return args.sender, g, gecos_name(gecos, login) or None
    user = g.split("@", 1)[0]
    entry = _passwd(user)
    return args.sender, g, gecos_name(entry, user) if entry else None


def _quiet(_text: str) -> None:
    """Where the messages go when ErrorMode does not print them."""


def _expand(engine: RuleEngine, queued: list[QueueRecipient]
            ) -> tuple[list[QueueRecipient], list[Recipient], list[Recipient]]:
    """recipient() for each address, as Sendmail's command line does before it queues:
    aliases, .forward, ruleset 5 (F=5: the MSP's relay and its C records). Returns
    what stays, in the order Sendmail queues it (by host, local ones first, else as
    the send queue has it), what failed, and what a DSN reports: the failed ones and
    each alias of several members given as such ("expanded"), in send-queue order.
    """
    from mta.deliver.router import RcptState, Router
    from mta.queue.qfformat import RCPT_PRIMARY

    expanded = Router(engine).expand(queued, macros=engine.macros)
    failed = [r for r in expanded if r.state is RcptState.BADADDR]
    reported = [r for r in expanded if r.state is RcptState.BADADDR or (
        r.state is RcptState.EXPANDED and RCPT_PRIMARY in r.flags and len(r.children) > 1)]
    kept = [r for r in expanded if r.state in (RcptState.OK, RcptState.QUEUEUP)]
    kept.sort(key=lambda r: (r.host or "").lower())
    return [r.to_queue() for r in kept], failed, reported


def _errors_back(runtime: Runtime, queue: FsQueue, envelope: QueueEnvelope, body: bytes,
                 failed: list[Recipient], mode: str, out: Callable[[str], None] | None,
                 status: int, size: int) -> int:
    """What Sendmail's savemail() does with the recipients that failed (failed: what
    the DSN reports, expanded aliases included), by ErrorMode:
    print (the errors are out already) and save the message in ~/dead.letter (when
    that cannot be written, mail it back); quiet; mail a DSN back to the sender now
    (m, w; e, which then exits 0). out prints (ErrorMode p), else None; size is the
    message's, as P counts it. Returns the exit status (status, or EX_OK for e)."""
    if mode == "q":
        return status
    if mode == "p":
        path = dead_letter(runtime, envelope, body)
        if path is not None:
            if out is not None:
                out(f"{path}... Saved message in {path}")
            return status
        # no dead.letter to be had (as for Sendmail's MSP running as smmsp): the
        # message goes back to the sender instead, as savemail() falls through
        mode = "m"
    import asyncio

    from mta.deliver.bounce import queue_dsn
    from mta.deliver.dsn import DsnKind
    from mta.deliver.router import RcptState
    from mta.deliver.runner import RunnerSettings

    settings = RunnerSettings.from_config(runtime.config)
    lines = []
    for rcpt in failed:
        if rcpt.state is RcptState.BADADDR and rcpt.reply is not None:
            lines.append(f"{rcpt.reply.line()}\n")
        elif rcpt.state is RcptState.EXPANDED and "SUCCESS" in rcpt.notify:
            # what alias() says (to the transcript) of a list asked NOTIFY=SUCCESS
            lines.append(f"{rcpt.paddr}... expanded to multiple addresses\n")
    transcript = "".join(lines)
    try:
        qids = asyncio.run(queue_dsn(
            queue, runtime.config, runtime.engine.macros, envelope, body, failed,
            now=time.time(), kind=DsnKind.FAILURE, transcript=transcript or None,
            settings_warn=settings.queue_warn, settings_return=settings.queue_return,
            postmaster_copy=settings.postmaster_copy, original_size=size,
            submission=True, engine=runtime.engine))
    except OSError as exc:
        sys.stderr.write(f"cannot queue the error report: {exc.strerror or exc}\n")
        return int(ExitCode.EX_OSERR)
    for qid in qids:
        _deliver(runtime, queue, qid, mode="i", errors=out)
    return int(ExitCode.EX_OK) if mode == "e" else status


def dead_letter(runtime: Runtime, envelope: QueueEnvelope, body: bytes) -> str | None:
    """Append the message, as the *file* mailer writes it (a From_ line, Return-Path,
    no Full-Name), to the user's ~/dead.letter; its path, None when it cannot be."""
    import fcntl

    from mta.deliver.mailer import render_message
    from mta.rules.check import define_plain, using_macros
    from mta.util.privs import invoker_uid
    from mta.util.timespec import ctime

    mailer = runtime.config.mailers.get("*file*")
    try:
        home = pwd.getpwuid(invoker_uid()).pw_dir
    except KeyError:
        return None
    if mailer is None or not home:
        return None
    engine = runtime.engine
    macros = engine.macros.copy()
    sender = envelope.sender.strip("<>")
    define_plain(macros, "g", sender)
    define_plain(macros, "d", ctime(time.time()))
    with using_macros(engine, macros):
        data = render_message(engine, envelope, mailer, body, macros=macros, unix_from=True)
    if not data.endswith(b"\n"):
        data += b"\n"
    path = os.path.join(home, "dead.letter")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, data + b"\n")
    except OSError:
        return None
    finally:
        os.close(fd)
    return path


def _dedup_key(address: str) -> str:
    local, at, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}" if at else address


def _recipient_flags(notify: tuple[str, ...] | None) -> str:
    """R flags of a recipient given directly: P, then N and S/F/D as -N says (F D
    without it), in Sendmail's order."""
    if notify is None:
        return "PFD"
    if notify == ("NEVER",):
        return "PN"
    return "PN" + "".join(letter for word, letter in (("SUCCESS", "S"), ("FAILURE", "F"),
                                                     ("DELAY", "D")) if word in notify)


def _is_local(address: str, engine: RuleEngine) -> bool:
    """A sender without a domain, or one of this host's ($=w)."""
    if "@" not in address:
        return True
    return engine.classes.contains("w", address.rsplit("@", 1)[1].rstrip("."))


def _passwd(user: str) -> str:
    try:
        return pwd.getpwnam(user).pw_gecos
    except KeyError:
        return ""


def _option_true(options: Mapping[str, str], name: str) -> bool:
    """A true/false option set to true (Sendmail's atobool: a bare "O Name" is true)."""
    from mta.config.options import atobool

    return name in options and atobool(options[name])


def open_traffic_log(path: str | None) -> Callable[[str], None] | None:
    """-X FILE: a function that appends "PID LINE" to it (None without -X, or when it
    cannot be opened: that is said, and the mail goes on without a log). Sendmail
    opens it as it reads the command line, as the caller."""
    if not path:
        return None
    try:
        fh = open(path, "a", encoding="latin-1", errors="replace")  # open while we run
    except OSError as exc:
        print(f"cannot open traffic log {path}: {exc.strerror or exc}", file=sys.stderr)
        return None
    pid = os.getpid()

    def write(line: str) -> None:
        fh.write(f"{pid} {line}\n")
        fh.flush()

    return write


def _deliver(runtime: Runtime, queue: FsQueue, qid: str, mode: str | None = None,
             verbose: Callable[[str], None] | None = None,
             traffic: Callable[[str], None] | None = None,
             errors: Callable[[str], None] | None = None) -> None:
    """DeliveryMode: interactive here and now, background in a child, else not; with
    verbose, what happens (-v); with errors (ErrorMode p), a deferral that a local
    mailer's exit status words ("Operating system error"), as giveresponse() prints
    it even without -v."""
    if mode is None:
        mode = (runtime.config.options.get("DeliveryMode") or "background")[:1].lower()
    if mode not in ("i", "b"):
        return
    if mode == "b":
        if os.fork() > 0:
            return
        os.setsid()
        # as Sendmail's disconnect(): the caller reading our output is not kept waiting
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.close(null)
    import asyncio

    from mta.app.daemon import make_runner

    runner = make_runner(runtime, queue)
    runner.verbose = verbose
    runner.traffic = traffic

    async def once() -> None:
        try:
            await runner.deliver(qid, fresh=True)
        finally:
            await runner.drain()

    try:
        asyncio.run(once())
        if errors is not None and mode == "i":
            _report_bare_deferral(queue, qid, errors)
    except Exception:
        if mode != "b":
            raise
        # the message stays queued for the next queue run; say why in the log
        log.exception("%s: background delivery failed", qid)
    finally:
        if mode == "b":
            logging.shutdown()
            os._exit(0)


def _report_bare_deferral(queue: FsQueue, qid: str, errors: Callable[[str], None]) -> None:
    from mta.deliver.program import BARE_DEFERRALS
    from mta.queue.qfformat import QueueFormatError

    try:
        left = queue.load(qid)
    except (OSError, QueueFormatError):
        return  # delivered (the qf is gone) or unreadable: nothing to say
    if left.status_message in BARE_DEFERRALS:
        errors(left.status_message)


def verify(runtime: Runtime, addresses: Sequence[str], *, verbose: bool = False,
           out: Callable[[str], None] = print) -> int:
    """sendmail -bv: what delivery would do with each address, as Sendmail prints it.

    Errors first (as the addresses are parsed), then one line per final
    address: "alice... deliverable: mailer local, user alice" (", host H"
    when the mailer has one); with -v, "staff... aliased to ..." before an
    alias's members. A user who is not root is told first that the answer
    may mislead. Returns EX_USAGE without addresses or for one that does not
    parse, EX_NOUSER when an address cannot be delivered, else EX_OK.
    """
    from mta.deliver.router import RcptState, Router, split_addresses
    from mta.queue.qfformat import QueueRecipient
    from mta.rules.resolve import parseaddr

    engine = runtime.engine
    table = engine.tables.ext
    listed = [a for argument in addresses for a in reversed(split_addresses(argument, table))]
    if not listed:
        out("Recipient names must be specified")
        return int(ExitCode.EX_USAGE)
    if os.getuid() != 0:
        out("Notice: -bv may give misleading output for non-privileged user")
    status = int(ExitCode.EX_OK)
    queued: list[QueueRecipient] = []
    for raw in listed:
        engine.exit_stat = 0
        address = parseaddr(engine, raw)
        if address is None or engine.exit_stat:
            status = int(ExitCode.EX_USAGE)
            continue
        queued.append(QueueRecipient(address=raw, flags="PFD"))
    expanded = Router(engine).expand(queued, macros=engine.macros)
    failed = [r for r in expanded if r.state is RcptState.BADADDR]
    for rcpt in failed:
        if rcpt.reply is not None:
            out(rcpt.reply.text)
    for rcpt in expanded:
        if rcpt.state is RcptState.EXPANDED:
            # an alias (ruleset 5's replacement keeps the address as it was given)
            if verbose and rcpt.children and rcpt.children[0].paddr != rcpt.paddr:
                out(f"{rcpt.paddr}... aliased to "
                    + ", ".join(child.paddr for child in rcpt.children))
        elif rcpt.state in (RcptState.OK, RcptState.QUEUEUP):
            where = f", host {rcpt.host}" if rcpt.host else ""
            out(f"{rcpt.paddr}... deliverable: mailer {rcpt.mailer_name}{where}, "
                f"user {rcpt.user}")
    if failed:
        return int(ExitCode.EX_NOUSER)
    return status
