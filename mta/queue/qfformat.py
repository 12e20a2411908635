"""Read and write Sendmail 8.17 queue control (qf) files, version 8.

SYNOPSIS
    envelope = QueueEnvelope(qid=qid, sender="<alice@example.test>",
                             recipients=(QueueRecipient.from_rcpt("<bob@example.net>"),),
                             headers=(QueueHeader.from_message("Subject", b" hello"),),
                             created=int(time.time()), priority=initial_priority(size, 1),
                             flags=envelope_flags())
    data = format_qf(envelope)                  # bytes, exactly as Sendmail writes them
    envelope == parse_qf(data, qid=qid)

DESCRIPTION
    A qf file is a series of records, one letter followed by its value on
    one line; a line that starts with a space or a tab continues the record
    before it (this is how folded headers are kept); the last line is a
    single ".". Sendmail keeps the message header in the qf file and only
    the body in the df file. format_qf writes the records in the order
    Sendmail 8.17.1.9 writes them, which was read from files the real
    sendmail queued (tests/diff/test_queue_real.py repeats the comparison):

        V8                    queue file version
        T<seconds>            creation time
        K<seconds>            last delivery attempt (0: none yet)
        N<count>              delivery attempts so far
        P<priority>           queue order; initial_priority() gives the first value
        I<major>/<minor>/<inode>   the df file's i-number; Sendmail adds it
                              when it rewrites the file after a queue run
        d<directory>          df directory when not beside the qf (position
                              not observed; written right after I)
        B<body type>          absent when no BODY= was given; Sendmail writes
                              7BIT for BODY=8BITMIME when no 8-bit byte came
        M<message>            status text that mailq prints in parentheses
        F<flags>              envelope flags (ENVELOPE_FLAG_ORDER), always written
        $<macro><value>       saved macros, e.g. "$rESMTP", "${daemon_flags}c u"
        q<reason>             quarantine reason (an hf file)
        S<sender>             envelope sender as Sendmail stores it ("<a@b>", "root")
        A<auth>               AUTH= parameter, or $f@$j for a local submission
        Z<envid>              ENVID= parameter (xtext, as received)
        !<mode> <seconds>     DELIVERBY: one byte of DeliverByMode bits, a space, seconds
        per recipient: M<why it waits> (after S: 8.17 writes one for a recipient
                       that an SMTP server deferred), C<controlling user> (when
                       it changes: it holds until the next C; a bare C ends it),
                       Q<ORCPT>, r<final recipient>, R<flags>:<address>
        H?<condition>?<name>:<value>   one per header, in message order
        .

    QueueEnvelope.recipients is in file order. Sendmail sorts them by
    destination host before it writes them (its "host signature", found
    with DNS or /etc/hosts: [192.0.2.20], gw.example.test,
    partner.test, remote.example.net ...), recipients of one host in RCPT
    order. The order does not change delivery; a caller that wants
    Sendmail's exact bytes passes them in that order.

    Header values are bytes in Sendmail's queue-file form: the text after
    the colon exactly as received (leading space, folding with LF and a
    space or tab), except that each data byte 0x80-0x9F or 0xFF is preceded
    by 0xFF, because Sendmail uses those bytes as macro markers: an
    unquoted 0x81 followed by a macro name is a macro reference expanded at
    delivery time (Return-Path: <\\x81g> is <$g>). QueueHeader.from_message
    does the quoting, QueueHeader.message_value undoes it. All other fields
    are text; Sendmail refuses 8-bit envelope addresses and HELO names
    without SMTPUTF8, and any byte that does occur survives a round trip
    (UTF-8 with surrogateescape).

    The message size is not in the qf file: mailq prints the size of the
    df file (see FsQueue.body_size).

DIAGNOSTICS
    parse_qf raises QueueFormatError (an MtaError) naming the line for a
    file without the final "." line, data after it, a version other than
    V8, an unknown record letter, a malformed record or a second V, T, S
    or similar record. format_qf raises QueueFormatError for a value that
    would break the line structure (a newline not followed by a space or
    tab, a header name with a colon, a recipient flag with a colon).

SEE ALSO
    mta.queue.fsqueue, mta.queue.qid; Sendmail Installation and Operation
    Guide appendix B "Queue file formats"; RFC 3461 (DSN parameters),
    RFC 2852 (DELIVERBY).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from dataclasses import dataclass

from mta.core.errors import MtaError

QF_VERSION = 8
ENCODING = "utf-8"
ERRORS = "surrogateescape"

# F record letters, in the order Sendmail writes them (observed: "w8dns", "rns", "8bs", "bs",
# "dns"; w and r were never seen together, so their relative order is assumed).
ENVELOPE_FLAG_ORDER = "wr8bdns"
FLAG_WARNING_SENT = "w"  # a delay warning has been sent
FLAG_RESPONSE = "r"  # this message is a bounce or other response
FLAG_HAS_8BIT = "8"  # the body or header contains 8-bit data
FLAG_DELETE_BCC = "b"  # remove Bcc: before delivery (the header has To:, Cc: or Apparently-To:)
FLAG_RET_PARAM = "d"  # the sender gave RET=
FLAG_NO_BODY_RETURN = "n"  # RET=HDRS: return only the header in a DSN
FLAG_SPLIT = "s"  # the envelope has been split (set on every message Sendmail queues)

# R record flag letters, in Sendmail's order (observed: "PNSF", "PND", "PFD", "FDA").
RECIPIENT_FLAG_ORDER = "PNSFDA"
RCPT_PRIMARY = "P"  # given by RCPT TO or on the command line, not from an alias
RCPT_HAS_NOTIFY = "N"  # NOTIFY= was given (N alone means NOTIFY=NEVER)
RCPT_NOTIFY_SUCCESS = "S"
RCPT_NOTIFY_FAILURE = "F"
RCPT_NOTIFY_DELAY = "D"
RCPT_ALIAS = "A"  # the result of an alias expansion
DEFAULT_NOTIFY = ("FAILURE", "DELAY")  # what Sendmail assumes without NOTIFY=
# Header fields whose presence makes Sendmail set FLAG_DELETE_BCC (lower case).

# Bytes Sendmail prefixes with METAQUOTE (0xFF) in header values.
_METAQUOTE = 0xFF
_META_BYTES = frozenset([*range(0x80, 0xA0), 0xFF])
_BAD_NEWLINE = re.compile(r"\n(?![ \t])")
_BAD_NEWLINE_BYTES = re.compile(rb"\n(?![ \t])")
_INT_RE = re.compile(r"-?[0-9]+")
_INODE_RE = re.compile(r"(-?[0-9]+)/(-?[0-9]+)/([0-9]+)")
_DELIVER_BY_RE = re.compile(r"(.) (-?[0-9]+)", re.DOTALL)


class QueueFormatError(MtaError):
    """A queue file that cannot be read, or an envelope that cannot be written."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(f"line {line}: {message}" if line is not None else message)
        self.message = message
        self.line = line


class DeliverByMode(enum.IntFlag):
    """The mode byte of the "!" record (RFC 2852 BY=time;R|N[T]).

    Observed: BY=3600;R is written "!\\x02 3600", BY=600;NT "!\\x11 600".
    """

    NOTIFY = 0x01
    RETURN = 0x02
    TRACE = 0x10


@dataclass(frozen=True, slots=True)
class DeliverBy:
    """DELIVERBY deadline: seconds after arrival and the mode (the "!" record)."""

    seconds: int
    mode: DeliverByMode


@dataclass(frozen=True, slots=True)
class QueueHeader:
    """One H record: condition, name and value in queue-file form.

    Attributes:
        name: the field name ("Subject").
        value: the bytes after the colon, in queue-file form (see the module
            DESCRIPTION): b" hello", b" a\\n  folded line".
        condition: the text between the question marks: "" for a header
            of the message ("H??"), mailer flag letters such as "P" or "D"
            for one made from a .cf H line, or "${macro}"; None writes no
            "?...?" part at all (not done by Sendmail 8.17).
    """

    name: str
    value: bytes
    condition: str | None = ""

    @classmethod
    def from_message(cls, name: str, value: bytes | str, condition: str | None = "") -> QueueHeader:
        """Make a header from the text after the colon as it is in the message.

        Args:
            name: the field name.
            value: the raw value (bytes, or text encoded as UTF-8), with its
                leading space and folding exactly as received, lines ending
                in LF.
            condition: as for the attribute.

        Returns:
            The header with the 8-bit bytes quoted as Sendmail quotes them.
        """
        raw = value.encode(ENCODING, ERRORS) if isinstance(value, str) else value
        return cls(name, quote_header_value(raw), condition)

    def message_value(self) -> bytes:
        """Return the value with Sendmail's quoting removed.

        Unquoted macro markers (b"\\x81g") are left in place for the caller
        to expand.
        """
        return unquote_header_value(self.value)


@dataclass(frozen=True, slots=True)
class QueueRecipient:
    """One recipient: the R record and the C, Q and r records before it.

    Attributes:
        address: the address as Sendmail stores it ("<bob@example.net>").
        flags: R flag letters (RECIPIENT_FLAG_ORDER), e.g. "PFD".
        orcpt: ORCPT= parameter as received ("rfc822;bob@example.net"), Q record.
        final_recipient: DSN Final-Recipient value ("RFC822; bob@example.net"), r record.
        controller: controlling user ("user:uid:gid:alias"), from the C record in
            force: Sendmail writes one when it changes, and it holds for every later
            recipient until the next one (a bare C ends it).
        message: why this recipient waits ("Deferred: 451 4.3.0 ..."), the M record
            Sendmail 8.17 writes first of its records (the envelope's M comes
            before the S record).
    """

    address: str
    flags: str = ""
    orcpt: str | None = None
    final_recipient: str | None = None
    controller: str | None = None
    message: str | None = None

    @classmethod
    def from_rcpt(
        cls,
        address: str,
        *,
        notify: tuple[str, ...] | None = None,
        orcpt: str | None = None,
        final_recipient: str | None = None,
        primary: bool = True,
        controller: str | None = None,
    ) -> QueueRecipient:
        """Make a recipient from the arguments of an RCPT TO command.

        Args:
            address: the address as stored ("<bob@example.net>").
            notify: the NOTIFY= keywords ("SUCCESS", "FAILURE", "DELAY" or
                "NEVER"); None when the parameter was not given (Sendmail
                then notifies on FAILURE and DELAY).
            orcpt: the ORCPT= value, if any.
            final_recipient: the r record; Sendmail writes "RFC822; " and the
                address without angle brackets (after canonicalization).
            primary: False for the result of an alias expansion.
            controller: the controlling user (the C record in force).

        Returns:
            The recipient with its R flags in Sendmail's order.

        Raises:
            ValueError: an unknown NOTIFY keyword.
        """
        letters = {RCPT_PRIMARY} if primary else set()
        words = {w.upper() for w in (DEFAULT_NOTIFY if notify is None else notify)}
        unknown = words - {"SUCCESS", "FAILURE", "DELAY", "NEVER"}
        if unknown:
            raise ValueError(f"unknown NOTIFY keyword: {sorted(unknown)}")
        if notify is not None:
            letters.add(RCPT_HAS_NOTIFY)
        letters |= {w[0] for w in words if w != "NEVER"}
        flags = "".join(c for c in RECIPIENT_FLAG_ORDER if c in letters)
        return cls(address, flags, orcpt, final_recipient, controller)

    @property
    def notify(self) -> tuple[str, ...] | None:
        """NOTIFY keywords given with RCPT TO, ("NEVER",) or None when none were given."""
        if RCPT_HAS_NOTIFY not in self.flags:
            return None
        words = tuple(
            word
            for letter, word in (("S", "SUCCESS"), ("F", "FAILURE"), ("D", "DELAY"))
            if letter in self.flags
        )
        return words or ("NEVER",)


@dataclass(frozen=True, slots=True)
class QueueEnvelope:
    """Everything a qf file holds (the header, the envelope, the queue state).

    Attributes:
        qid: the queue id (not stored in the file; its name says it).
        sender: S record.
        recipients: C/Q/r/R groups, in file order (Sendmail: the order of the RCPT commands).
        headers: H records in message order.
        macros: $ records as (name, value); a one-letter name is written
            "$r", a longer one "${daemon_flags}".
        created: T, creation time in seconds since the epoch.
        last_attempt: K, time of the last delivery attempt (0: none).
        attempts: N, number of delivery attempts.
        priority: P (smaller is sooner; see initial_priority).
        df_inode: I, (major, minor, inode) of the df file.
        data_directory: d, directory of the df file when elsewhere.
        body_type: B, "7BIT" or "8BITMIME" (None: no BODY= given).
        status_message: M, shown by mailq.
        flags: F letters (ENVELOPE_FLAG_ORDER; envelope_flags() builds them).
        quarantine_reason: q.
        auth: A, the AUTH= parameter.
        envid: Z, the ENVID= parameter.
        deliver_by: !, the DELIVERBY parameter.
    """

    qid: str
    sender: str
    recipients: tuple[QueueRecipient, ...] = ()
    headers: tuple[QueueHeader, ...] = ()
    macros: tuple[tuple[str, str], ...] = ()
    created: int = 0
    last_attempt: int = 0
    attempts: int = 0
    priority: int = 0
    df_inode: tuple[int, int, int] | None = None
    data_directory: str | None = None
    body_type: str | None = None
    status_message: str | None = None
    flags: str = ""
    quarantine_reason: str | None = None
    auth: str | None = None
    envid: str | None = None
    deliver_by: DeliverBy | None = None

    @property
    def ret(self) -> str | None:
        """The RET= parameter: "HDRS", "FULL" or None when not given."""
        if FLAG_RET_PARAM not in self.flags:
            return None
        return "HDRS" if FLAG_NO_BODY_RETURN in self.flags else "FULL"

    @property
    def has_8bit(self) -> bool:
        return FLAG_HAS_8BIT in self.flags

    @property
    def delete_bcc(self) -> bool:
        return FLAG_DELETE_BCC in self.flags

    def macro(self, name: str) -> str | None:
        """Return the saved value of macro name ("r", "daemon_flags"), or None."""
        for key, value in self.macros:
            if key == name:
                return value
        return None


def queued_size(envelope: QueueEnvelope, body_size: int) -> int:
    """The size Sendmail's readqf() gives a message from its files (SIZE=, a DSN's
    priority): the df's size and, for each H record, its length less three (the
    "H??" it takes for the prefix), continuation lines included."""
    size = body_size
    for header in envelope.headers:
        prefix = 1 + (len(header.condition) + 2 if header.condition is not None else 0)
        size += prefix + len(header.name) + 1 + len(header.value) - 3
    return size


def envelope_flags(
    *,
    has_8bit: bool = False,
    delete_bcc: bool = False,
    ret: str | None = None,
    headers_only: bool = False,
    split: bool = True,
    warning_sent: bool = False,
    response: bool = False,
) -> str:
    """Return the F record letters for these properties, in Sendmail's order.

    Args:
        has_8bit: 8-bit data was seen in the header or body.
        delete_bcc: remove Bcc: headers; Sendmail sets it when the header
            has a To:, Cc: or Apparently-To: field (mta.core.hdrinfo
            .RECIPIENT_FIELDS), not
            for Bcc: or Resent-To: alone.
        ret: the RET= parameter, "FULL" or "HDRS" (None: not given).
        headers_only: return only the header in a DSN without a RET=
            parameter (Sendmail's own DSNs have "rns").
        split: Sendmail 8.17 sets this on every message it queues.
        warning_sent: a delay warning DSN has gone out.
        response: the message is a DSN or other response.

    Raises:
        ValueError: ret is not FULL, HDRS or None.
    """
    if ret is not None and ret.upper() not in ("FULL", "HDRS"):
        raise ValueError(f"RET must be FULL or HDRS: {ret!r}")
    letters = {
        FLAG_WARNING_SENT: warning_sent,
        FLAG_RESPONSE: response,
        FLAG_HAS_8BIT: has_8bit,
        FLAG_DELETE_BCC: delete_bcc,
        FLAG_RET_PARAM: ret is not None,
        FLAG_NO_BODY_RETURN: headers_only or (ret is not None and ret.upper() == "HDRS"),
        FLAG_SPLIT: split,
    }
    return "".join(c for c in ENVELOPE_FLAG_ORDER if letters[c])


def initial_priority(
    message_size: int,
    recipient_count: int,
    message_class: int = 0,
    *,
    class_factor: int = 1800,
    recipient_factor: int = 30000,
) -> int:
    """Return the P value Sendmail gives a new message.

    size + recipients * RecipientFactor - class * ClassFactor, with the
    default option values (checked: 90 bytes, 2 recipients -> P60090).

    Args:
        message_size: header plus blank line plus body, lines ending in LF.
        recipient_count: number of recipients.
        message_class: the Precedence: class (0 when none).
        class_factor: option ClassFactor (1800).
        recipient_factor: option RecipientFactor (30000).
    """
    return message_size + recipient_count * recipient_factor - message_class * class_factor


def quote_header_value(raw: bytes) -> bytes:
    """Prefix each byte 0x80-0x9F and 0xFF with 0xFF, as Sendmail does in qf headers."""
    if not any(b in _META_BYTES for b in raw):
        return raw
    out = bytearray()
    for b in raw:
        if b in _META_BYTES:
            out.append(_METAQUOTE)
        out.append(b)
    return bytes(out)


def unquote_header_value(value: bytes) -> bytes:
    """Undo quote_header_value; unquoted marker bytes are kept."""
    if _METAQUOTE not in value:
        return value
    out = bytearray()
    quoted = False
    for b in value:
        if b == _METAQUOTE and not quoted:
            quoted = True
            continue
        out.append(b)
        quoted = False
    if quoted:  # a trailing 0xFF quotes nothing: keep it
        out.append(_METAQUOTE)
    return bytes(out)


# ---------------------------------------------------------------- writing


def format_qf(envelope: QueueEnvelope) -> bytes:
    """Return the qf file for envelope, byte for byte as Sendmail 8.17 writes it.

    Raises:
        QueueFormatError: a value would break the record structure.
    """
    e = envelope
    lines: list[str] = [
        f"V{QF_VERSION}",
        f"T{e.created}",
        f"K{e.last_attempt}",
        f"N{e.attempts}",
        f"P{e.priority}",
    ]
    if e.df_inode is not None:
        major, minor, inode = e.df_inode
        lines.append(f"I{major}/{minor}/{inode}")
    _optional(lines, "d", e.data_directory)
    _optional(lines, "B", e.body_type)
    _optional(lines, "M", e.status_message)
    lines.append("F" + _text("flags", e.flags))
    for name, value in e.macros:
        lines.append(f"${_macro_name(name)}{_text('macro value', value)}")
    _optional(lines, "q", e.quarantine_reason)
    lines.append("S" + _text("sender", e.sender))
    _optional(lines, "Z", e.envid)  # as Sendmail 8.17's queueup(): Z before A
    _optional(lines, "A", e.auth)
    if e.deliver_by is not None:
        mode = int(e.deliver_by.mode)
        if not 0 <= mode <= 0xFF or mode == 0x0A:
            raise QueueFormatError(f"deliver-by mode not writable: {mode:#x}")
        lines.append(f"!{chr(mode)} {e.deliver_by.seconds}")
    controller: str | None = None  # the C record in force, as printctladdr() keeps it
    for rcpt in e.recipients:
        _optional(lines, "M", rcpt.message)
        if rcpt.controller != controller:  # written when it changes; a bare C ends it
            lines.append("C" + _text("controlling user", rcpt.controller or ""))
            controller = rcpt.controller
        _optional(lines, "Q", rcpt.orcpt)
        _optional(lines, "r", rcpt.final_recipient)
        if ":" in rcpt.flags:
            raise QueueFormatError(f"recipient flags contain a colon: {rcpt.flags!r}")
        lines.append(f"R{_text('recipient flags', rcpt.flags)}:{_text('recipient', rcpt.address)}")
    head = "\n".join(lines).encode(ENCODING, ERRORS) + b"\n"
    parts = [head]
    for header in e.headers:
        parts.append(_format_header(header))
    parts.append(b".\n")
    return b"".join(parts)


def _optional(lines: list[str], letter: str, value: str | None) -> None:
    if value is not None:
        lines.append(letter + _text(letter, value))


def _text(what: str, value: str) -> str:
    if "\n" in value and _BAD_NEWLINE.search(value):
        raise QueueFormatError(f"{what} has a line break that is not a continuation: {value!r}")
    return value


def _macro_name(name: str) -> str:
    if len(name) == 1 and name not in "{\n":
        return name
    if not name or any(c in name for c in "{}\n"):
        raise QueueFormatError(f"bad macro name: {name!r}")
    return "{" + name + "}"


def _format_header(header: QueueHeader) -> bytes:
    name = header.name
    if not name or ":" in name or "\n" in name or name[0] in " \t":
        raise QueueFormatError(f"bad header name: {name!r}")
    if header.condition is None:
        if name.startswith("?"):
            raise QueueFormatError(f"header name starts with '?' but has no condition: {name!r}")
        prefix = "H"
    else:
        if "?" in header.condition or "\n" in header.condition:
            raise QueueFormatError(f"bad header condition: {header.condition!r}")
        prefix = f"H?{header.condition}?"
    if b"\n" in header.value and _BAD_NEWLINE_BYTES.search(header.value):
        raise QueueFormatError(f"header {name} has a line break that is not folding")
    return (prefix + name + ":").encode(ENCODING, ERRORS) + header.value + b"\n"


# ---------------------------------------------------------------- reading


def _records(data: bytes) -> Iterator[tuple[int, bytes]]:
    """Yield (line number, record) with continuation lines joined by LF; stop at '.'."""
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    else:
        raise QueueFormatError(
            "queue file does not end with a newline (truncated?)", len(lines) or None
        )
    current: bytes | None = None
    first = 0
    for number, line in enumerate(lines, 1):
        if line[:1] in (b" ", b"\t"):
            if current is None:
                raise QueueFormatError("continuation line without a record", number)
            current += b"\n" + line
            continue
        if current is not None:
            yield first, current
        if line == b".":
            if number != len(lines):
                raise QueueFormatError("data after the final '.' line", number + 1)
            return
        if line == b"":
            raise QueueFormatError("empty line", number)
        current, first = line, number
    raise QueueFormatError(
        "queue file has no final '.' line (incomplete or truncated)", len(lines) or None
    )


_TEXT_RECORDS = {
    "d": "data_directory",
    "B": "body_type",
    "M": "status_message",
    "F": "flags",
    "q": "quarantine_reason",
    "S": "sender",
    "A": "auth",
    "Z": "envid",
}
_INT_RECORDS = {"T": "created", "K": "last_attempt", "N": "attempts", "P": "priority"}
_RECIPIENT_PREFIX_RECORDS = {"Q": "orcpt", "r": "final_recipient"}


def parse_qf(data: bytes, *, qid: str = "") -> QueueEnvelope:
    """Parse a version 8 qf file.

    Args:
        data: the whole file.
        qid: the queue id, taken from the file name (the file does not hold it).

    Returns:
        The envelope; format_qf(result) == data for every file Sendmail
        8.17 writes.

    Raises:
        QueueFormatError: see the module DIAGNOSTICS.
    """
    texts: dict[str, str] = {}
    ints: dict[str, int] = {}
    df_inode: tuple[int, int, int] | None = None
    deliver_by: DeliverBy | None = None
    macros: list[tuple[str, str]] = []
    recipients: list[QueueRecipient] = []
    headers: list[QueueHeader] = []
    pending: dict[str, str] = {}  # Q, r and M records waiting for their R record
    controller: str | None = None  # the C record in force
    seen: set[str] = set()

    def once(letter: str, number: int) -> None:
        if letter in seen:
            raise QueueFormatError(f"more than one {letter} record", number)
        seen.add(letter)

    for number, raw in _records(data):
        letter = chr(raw[0])
        if number == 1 and letter != "V":
            raise QueueFormatError("first line is not a V (version) record", number)
        if letter == "H":
            headers.append(_parse_header(raw[1:], number))
            continue
        text = raw[1:].decode(ENCODING, ERRORS)
        if letter == "V":
            if number != 1:
                raise QueueFormatError("V record is not the first line", number)
            if text != str(QF_VERSION):
                raise QueueFormatError(f"unsupported queue file version V{text}", number)
        elif letter in _INT_RECORDS:
            once(letter, number)
            if not _INT_RE.fullmatch(text):
                raise QueueFormatError(f"{letter} record is not a number: {text!r}", number)
            ints[_INT_RECORDS[letter]] = int(text)
        elif letter == "M" and "S" in seen:  # after the sender: a recipient's
            if "message" in pending:
                raise QueueFormatError("two M records for one recipient", number)
            pending["message"] = text
        elif letter in _TEXT_RECORDS:
            once(letter, number)
            texts[_TEXT_RECORDS[letter]] = text
        elif letter == "I":
            once(letter, number)
            match = _INODE_RE.fullmatch(text)
            if not match:
                raise QueueFormatError(f"I record is not major/minor/inode: {text!r}", number)
            df_inode = (int(match[1]), int(match[2]), int(match[3]))
        elif letter == "!":
            once(letter, number)
            match = _DELIVER_BY_RE.fullmatch(text)
            if not match:
                raise QueueFormatError(f"bad deliver-by record: {text!r}", number)
            deliver_by = DeliverBy(int(match[2]), DeliverByMode(ord(match[1])))
        elif letter == "$":
            macros.append(_parse_macro(text, number))
        elif letter == "C":
            # readqf(): a C record holds for every later recipient until the next one;
            # a bare C ends it
            controller = text or None
        elif letter in _RECIPIENT_PREFIX_RECORDS:
            key = _RECIPIENT_PREFIX_RECORDS[letter]
            if key in pending:
                raise QueueFormatError(f"two {letter} records for one recipient", number)
            pending[key] = text
        elif letter == "R":
            flags, colon, address = text.partition(":")
            if not colon:
                raise QueueFormatError(f"R record without flags and colon: {text!r}", number)
            recipients.append(
                QueueRecipient(
                    address,
                    flags,
                    orcpt=pending.get("orcpt"),
                    final_recipient=pending.get("final_recipient"),
                    controller=controller,
                    message=pending.get("message"),
                )
            )
            pending = {}
        else:
            raise QueueFormatError(f"unknown record type {letter!r}", number)
    if pending:
        raise QueueFormatError("Q, r or M record without the R record it belongs to")
    if "sender" not in texts:
        raise QueueFormatError("no S (sender) record")
    return QueueEnvelope(
        qid=qid,
        sender=texts["sender"],
        recipients=tuple(recipients),
        headers=tuple(headers),
        macros=tuple(macros),
        created=ints.get("created", 0),
        last_attempt=ints.get("last_attempt", 0),
        attempts=ints.get("attempts", 0),
        priority=ints.get("priority", 0),
        df_inode=df_inode,
        data_directory=texts.get("data_directory"),
        body_type=texts.get("body_type"),
        status_message=texts.get("status_message"),
        flags=texts.get("flags", ""),
        quarantine_reason=texts.get("quarantine_reason"),
        auth=texts.get("auth"),
        envid=texts.get("envid"),
        deliver_by=deliver_by,
    )


def _parse_macro(text: str, line: int) -> tuple[str, str]:
    if text.startswith("{"):
        name, brace, value = text[1:].partition("}")
        if not brace or not name:
            raise QueueFormatError(f"bad macro record: ${text}", line)
        return name, value
    if not text:
        raise QueueFormatError("macro record without a name", line)
    return text[0], text[1:]


def _parse_header(raw: bytes, line: int) -> QueueHeader:
    condition: str | None = None
    if raw.startswith(b"?"):
        end = raw.find(b"?", 1)
        if end < 0:
            raise QueueFormatError("header condition has no closing '?'", line)
        condition = raw[1:end].decode(ENCODING, ERRORS)
        raw = raw[end + 1 :]
    name, colon, value = raw.partition(b":")
    if not colon or not name or b"\n" in name:
        raise QueueFormatError("header record without 'name:'", line)
    return QueueHeader(name.decode(ENCODING, ERRORS), value, condition)
