"""List a queue directory as `mailq` (sendmail -bp) does, byte for byte.

SYNOPSIS
    text = format_queue_listing("/var/spool/mqueue")
    text = format_queue_listing(path, verbose=True, options=ListingOptions(
        sort_order=SortOrder.TIME, recipients=(QueueMatch("example.net"),)))
    text, status = queue_listing_status(path)      # what `mailq` prints, exit status
    summary = queue_summary()                       # what `sendmail -bP` prints

DESCRIPTION
    Copies gatherq(), sortq() and print_single_queue() of Sendmail 8.17
    (queue.c), checked against the real sendmail -bp on the same directory
    (tests/diff/test_mailq_real.py). The qf files are read the way Sendmail
    reads them for the listing, line by line and without parse_qf, so a
    damaged file lists as Sendmail lists it:

    - gatherq: every directory entry named qf* (hf* for the quarantine
      listing, Qf* for the lost one) shorter than 21 characters, in readdir
      order; only P, T, K, N (and R, S, q when a filter asks) are read, each
      line cut to 256 bytes; the file is locked "shared, do not wait" with
      flock(2) (Sendmail on Linux has HASFLOCK): a job whose lock is refused
      is being delivered and gets "*". A missing P record sorts last
      (priority 0x7fffffff); a qf with a q record is skipped only when a
      filter makes Sendmail read that far. MaxQueueRunSize keeps the first N
      jobs of the directory (", only N printed"), the count is of all.
    - sortq: QueueSortOrder priority (the default), host, time, filename,
      modification or none; a stable sort (glibc's qsort is a merge sort),
      so equal keys keep readdir order. filename, modification and none do
      not open the qf file: no lock marker, priority 0.
    - print_single_queue: "%13s" queue id, a marker ("*" locked, "?" lost
      listing, "-" too young for MinQueueAge/MaxQueueAge, "X" when the load
      average says queue only, else " "), "%8ld" df size (-1 when no df),
      ctime() of the T record ("%.16s", local time), the sender cut to 39
      bytes (verbose: priority, "+" for a delay warning, 78 bytes), then
      "QUARANTINE: reason", the body type ("%10.10s") and "(M record)",
      recipients one a line after five tabs and a space, cut to 38 bytes
      (verbose: six tabs, 71 bytes, and C records as "(---user---)").
      Non-printable bytes show as \\ooo and a backslash is doubled (prtstr).
      A file without a T record ends in " (no control file)". Lines are
      read in 2047-byte pieces (fgets into a MAXLINE buffer): a longer line
      goes on as a record of its own, as in Sendmail.
    - printqueue: "PATH is empty" or the "\\t\\tPATH (N requests)" block,
      then "\\t\\tTotal requests: N". PATH is the QueueDirectory as given,
      plus "/df" when the directory has a df/ subdirectory (Sendmail's
      qid_printqueue does that).

    The text is returned as str with one character per byte (latin-1), as
    Sendmail writes bytes: encode it with latin-1 to get its output.

DIAGNOSTICS
    queue_listing_status returns "can not chdir(DIR/): error" and EX_CONFIG
    (78) for a queue directory that cannot be entered, as Sendmail does.
    format_queue_listing raises OSError then. Entries that are not regular
    files add "gatherq: DIR/NAME is not a regular file" to the text, names
    that are too long add "gatherq: NAME too long, 21 max characters" with
    verbose, as Sendmail prints them on standard output.

    Not reproduced: what Sendmail prints when the df file is missing (its
    readqf() adds diagnostics such as "readqf: cannot open ./dfQID", and
    aborts on a damaged qf); here the size is -1 and nothing more. Queue
    groups (Q lines, QueueDirectory=.../q*), QueueSortOrder=random and
    shuffle (listed by priority here), -qG, and the MSP queue are not done.

SEE ALSO
    mta.queue.fsqueue (file names and layout), mta.queue.qfformat (records),
    mta.cli.mailq; Sendmail queue.c: gatherq, sortq, print_single_queue,
    printnqe; op.me "QueueSortOrder", "MinQueueAge", "QueueLA".
"""

from __future__ import annotations

import enum
import errno
import fcntl
import os
import stat
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

from mta.util import loadavg
from mta.util.sysexits import ExitCode

MAXQFNAME = 21  # a qf name this long or longer is skipped (observed)
MAXLINE = 2048  # print_single_queue reads with fgets into buf[MAXLINE]
MAXNAME_I = 256  # gatherq reads lines into lbuf[MAXNAME_I + 1] (observed)
MAXNAME = 256
NO_PRIORITY = 0x7FFFFFFF  # gatherq's priority before a P record is seen
DEFAULT_QUEUE_FACTOR = 600000
COLUMNS = "-----Q-ID----- --Size-- -----Q-Time----- ------------Sender/Recipient-----------"
VERBOSE_COLUMNS = "-----Q-ID----- --Size-- -Priority- ---Q-Time--- --------Sender/Recipient--------"
NO_SHARED_MEMORY = "Data unavailable: shared memory not updated\n"

# gatherq's "need" bits
_NEED_P = 0o1
_NEED_T = 0o2
_NEED_R = 0o4
_NEED_S = 0o10
_NEED_H = 0o20
_HAS_QUARANTINE = 0o40
_NEED_QUARANTINE = 0o100


class QueueMode(enum.Enum):
    """Which control files are listed; the value is their first letter."""

    NORMAL = "q"  # qf files (sendmail -bp)
    QUARANTINE = "h"  # hf files (sendmail -bp -qQ)
    LOST = "Q"  # Qf files (sendmail -bp -qL)


class SortOrder(enum.Enum):
    """QueueSortOrder, by the first letter of the option value."""

    PRIORITY = "p"
    HOST = "h"
    TIME = "t"
    FILENAME = "f"
    MODIFICATION = "m"
    RANDOM = "r"
    NONE = "n"

    @classmethod
    def from_option(cls, value: str | None) -> SortOrder:
        """Return the order for a QueueSortOrder value (priority when unknown or empty)."""
        letter = (value or "p").strip()[:1].lower()
        for order in cls:
            if order.value == letter:
                return order
        return cls.PRIORITY


@dataclass(frozen=True, slots=True)
class QueueMatch:
    """One -qI/-qR/-qS/-qQ filter: a substring, or (negate) its absence."""

    text: str
    negate: bool = False


@dataclass(frozen=True, slots=True)
class ListingOptions:
    """The options and command-line filters that change the listing.

    Attributes:
        mode: which control files to list (-qQ, -qL).
        sort_order: QueueSortOrder.
        ids: -qI filters (substring of the file name, case sensitive).
        senders: -qS filters (substring of the S record, any case).
        recipients: -qR filters (substring of an R record's address, any case).
        quarantine_reasons: -qQreason filters (substring of the q record).
        max_queue_run: MaxQueueRunSize (0: no limit).
        min_queue_age: MinQueueAge in seconds.
        max_queue_age: MaxQueueAge in seconds.
        queue_la: QueueLA; None: 8 per online processor, as Sendmail.
        queue_factor: QueueFactor.
        load_average: the load average to use; None: the system's, rounded.
    """

    mode: QueueMode = QueueMode.NORMAL
    sort_order: SortOrder = SortOrder.PRIORITY
    ids: tuple[QueueMatch, ...] = ()
    senders: tuple[QueueMatch, ...] = ()
    recipients: tuple[QueueMatch, ...] = ()
    quarantine_reasons: tuple[QueueMatch, ...] = ()
    max_queue_run: int = 0
    min_queue_age: int = 0
    max_queue_age: int = 0
    queue_la: int | None = None
    queue_factor: int = DEFAULT_QUEUE_FACTOR
    load_average: int | None = None


@dataclass(slots=True)
class _Work:
    """One job of the work list (Sendmail's struct work)."""

    name: str
    host: bytes | None = None
    lock: bool = False
    too_young: bool = False
    priority: int = 0
    ctime: int = 0
    mtime: float = 0.0
    order: int = 0  # readdir position, for the stable sorts


@dataclass(slots=True)
class _Gathered:
    work: list[_Work] = field(default_factory=list)
    count: int = 0  # what gatherq returns: the number of requests
    notes: list[str] = field(default_factory=list)


def format_queue_listing(
    queue_dir: str,
    *,
    now: float | None = None,
    verbose: bool = False,
    options: ListingOptions | None = None,
) -> str:
    """Return what `sendmail -bp` prints for queue_dir.

    Args:
        queue_dir: the QueueDirectory, as configured (it is printed as given).
        now: the current time for MinQueueAge/MaxQueueAge (default: time.time()).
        verbose: the -v listing (priority column, C records, longer fields).
        options: sort order, filters and load settings (default: Sendmail's).

    Returns:
        The listing, one character per output byte (latin-1), ending in
        "\\t\\tTotal requests: N\\n".

    Raises:
        OSError: queue_dir cannot be listed.
    """
    opts = options or ListingOptions()
    os.listdir(queue_dir)  # Sendmail's chdir: fail here, not half-way
    text, count = _print_single_queue(queue_dir, opts, verbose=verbose,
                                      now=time.time() if now is None else now)
    return text + f"\t\tTotal requests: {count}\n"


def queue_listing_status(
    queue_dir: str,
    *,
    now: float | None = None,
    verbose: bool = False,
    options: ListingOptions | None = None,
) -> tuple[str, int]:
    """Return the text and the exit status of `sendmail -bp` for queue_dir.

    Returns:
        (listing, EX_OK), or ("can not chdir(DIR/): reason\\n", EX_CONFIG)
        when the directory cannot be entered (Sendmail prints that on
        standard output).
    """
    try:
        return format_queue_listing(queue_dir, now=now, verbose=verbose,
                                    options=options), int(ExitCode.EX_OK)
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        return f"can not chdir({queue_dir}/): {reason}\n", int(ExitCode.EX_CONFIG)


def queue_summary(shared_memory: bool = False) -> str:
    """Return what `sendmail -bP` prints.

    Sendmail counts the queue for -bP only in shared memory
    (SharedMemoryKey), kept up to date by a running daemon; without it (the
    default) it prints "Data unavailable: shared memory not updated", the
    only case done here.
    """
    if shared_memory:
        raise NotImplementedError("queue counts in shared memory are not kept")
    return NO_SHARED_MEMORY


# ---------------------------------------------------------------- gatherq


def _display_name(queue_dir: str) -> str:
    """qid_printqueue(): the directory as configured, plus "/df" with a df/ subdirectory."""
    return queue_dir + "/df" if os.path.isdir(os.path.join(queue_dir, "df")) else queue_dir


def _qf_directory(queue_dir: str) -> str:
    sub = os.path.join(queue_dir, "qf")
    return sub if os.path.isdir(sub) else queue_dir


def _df_directory(queue_dir: str) -> str:
    sub = os.path.join(queue_dir, "df")
    return sub if os.path.isdir(sub) else queue_dir


def _contains(needle: str, haystack: bytes, *, ignore_case: bool) -> bool:
    """Sendmail's strcontainedin()."""
    text = haystack.decode("latin-1")
    if ignore_case:
        return needle.lower() in text.lower()
    return needle in text


def _passes(checks: Sequence[QueueMatch], value: bytes, *, ignore_case: bool) -> bool:
    """True when some check matches (a negated one: does not contain)."""
    return any(
        _contains(c.text, value, ignore_case=ignore_case) != c.negate for c in checks
    )


def _atol(raw: bytes) -> int:
    """C atol(): optional blanks and sign, then digits; 0 when there are none."""
    text = raw.decode("latin-1").lstrip(" \t\n\v\f\r")
    sign = 1
    if text[:1] in ("+", "-"):
        sign = -1 if text[0] == "-" else 1
        text = text[1:]
    digits = ""
    for ch in text:
        if not "0" <= ch <= "9":
            break
        digits += ch
    return sign * int(digits) if digits else 0


def _short_lines(fh: BinaryIO, limit: int) -> Iterator[bytes]:
    """gatherq's reading: each line cut to limit bytes, without its newline."""
    for line in fh:
        yield line.rstrip(b"\n")[:limit]


def _gatherq(queue_dir: str, opts: ListingOptions, *, verbose: bool, now: float) -> _Gathered:
    qf_dir = _qf_directory(queue_dir)
    shown = _display_name(queue_dir)
    letter = opts.mode.value
    cheap = opts.sort_order in (
        SortOrder.FILENAME, SortOrder.MODIFICATION, SortOrder.NONE, SortOrder.RANDOM
    ) and not (opts.quarantine_reasons or opts.senders or opts.recipients)
    out = _Gathered()
    slots = 0  # Sendmail's wn + 1
    # errno as Sendmail's syserr() sees it: ENOENT left over from its startup (no xf/
    # subdirectory) until gatherq opens a qf file or prints (observed)
    stale_errno = True
    for position, name in enumerate(os.listdir(qf_dir)):
        if not (name[:1] == letter and name[1:2] == "f"):
            continue
        if len(name.encode("utf-8", "surrogateescape")) >= MAXQFNAME:
            if verbose:
                out.notes.append(f"gatherq: {name} too long, {MAXQFNAME} max characters\n")
                stale_errno = False
            continue
        if opts.ids and not _passes(opts.ids, name.encode("utf-8", "surrogateescape"),
                                    ignore_case=False):
            continue
        slots += 1
        if opts.max_queue_run > 0 and slots > opts.max_queue_run:
            continue  # counted, not listed
        path = os.path.join(qf_dir, name)
        try:
            info = os.stat(path)
        except OSError:
            slots -= 1
            continue
        if not stat.S_ISREG(info.st_mode):
            if not (name[:1] in "dqhQx" and len(name) == 2):
                reason = ": No such file or directory" if stale_errno else ""
                out.notes.append(f"gatherq: {shown}/{name} is not a regular file{reason}\n")
                stale_errno = False
            slots -= 1
            continue
        work = _Work(name, mtime=info.st_mtime, order=position)
        if cheap:
            out.work.append(work)
            continue
        stale_errno = False
        if _read_for_gather(work, path, opts, now):
            out.work.append(work)
        else:
            slots -= 1
    out.count = slots
    return out


def _read_for_gather(work: _Work, path: str, opts: ListingOptions, now: float) -> bool:
    """Fill work from the qf as gatherq does; False when a filter drops the job."""
    work.priority = NO_PRIORITY
    need = _NEED_P | _NEED_T
    if opts.sort_order is SortOrder.HOST:
        need |= _NEED_H
    if opts.senders:
        need |= _NEED_S
    if opts.recipients:
        need |= _NEED_R
    if opts.quarantine_reasons:
        need |= _NEED_QUARANTINE
    try:
        fh = open(path, "rb")
    except OSError:
        return True  # listed all the same: print_single_queue reports the error
    with fh:
        work.lock = not _try_shared_lock(fh.fileno())
        version = 0
        for line in _short_lines(fh, MAXNAME_I):
            if need == 0:
                break
            kind, value = line[:1], line[1:]
            if kind == b"V":
                version = _atol(value)
            elif kind == b"P":
                work.priority = _atol(value)
                need &= ~_NEED_P
            elif kind == b"T":
                work.ctime = _atol(value)
                need &= ~_NEED_T
            elif kind == b"q":
                if opts.mode is QueueMode.NORMAL:
                    need |= _HAS_QUARANTINE
                elif opts.mode is QueueMode.QUARANTINE:
                    if not opts.quarantine_reasons or _passes(
                        opts.quarantine_reasons, value, ignore_case=False
                    ):
                        need &= ~_NEED_QUARANTINE
            elif kind == b"R":
                if work.host is None and b"@" in value:
                    work.host = value.rsplit(b"@", 1)[1][::-1].lower()
                    need &= ~_NEED_H
                if not opts.recipients:
                    need &= ~_NEED_R
                    continue
                address = value
                if version > 0:
                    address = value.partition(b":")[2] if b":" in value else value
                if _passes(opts.recipients, address, ignore_case=True):
                    need &= ~_NEED_R
            elif kind == b"S":
                if opts.senders and _passes(opts.senders, value, ignore_case=True):
                    need &= ~_NEED_S
            elif kind == b"K":
                _check_age(work, _atol(value), opts, now)
            elif kind == b"N":
                if _atol(value) == 0:
                    work.too_young = False
    return not need & (_HAS_QUARANTINE | _NEED_QUARANTINE | _NEED_R | _NEED_S)


def _check_age(work: _Work, last_try: int, opts: ListingOptions, now: float) -> None:
    if opts.max_queue_age > 0:
        delay = min(last_try - work.ctime, opts.max_queue_age)
        if int(now) - last_try < delay:
            work.too_young = True
        return
    age = int(now) - last_try
    if age >= 0 and opts.min_queue_age > 0 and age < opts.min_queue_age:
        work.too_young = True


def _try_shared_lock(fd: int) -> bool:
    """lockfile(fd, LOCK_SH|LOCK_NB) with flock(2); the lock goes with the close."""
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


# ---------------------------------------------------------------- sortq


def _sortq(work: list[_Work], order: SortOrder) -> list[_Work]:
    if order is SortOrder.HOST:
        return _sort_by_host(work)
    if order is SortOrder.TIME:
        return sorted(work, key=lambda w: w.ctime)
    if order is SortOrder.FILENAME:
        return sorted(work, key=lambda w: w.name.encode("utf-8", "surrogateescape"))
    if order is SortOrder.MODIFICATION:
        return sorted(work, key=lambda w: int(w.mtime))
    if order is SortOrder.NONE:
        return list(work)
    return sorted(work, key=lambda w: w.priority)  # priority; random is not reproducible


def _sort_by_host(work: list[_Work]) -> list[_Work]:
    """workcmpf1, lock every job of a host that has a locked job, then workcmpf2."""
    first = sorted(work, key=lambda w: (w.host is not None, w.host or b"", not w.lock, w.priority))
    i = 0
    while i < len(first):
        if not first[i].lock:
            i += 1
            continue
        locked = first[i]
        i += 1
        while i < len(first) and first[i].host == locked.host:
            first[i].lock = True
            i += 1
    return sorted(first, key=lambda w: (w.lock, w.host is not None, w.host or b"", w.priority))


# ---------------------------------------------------------------- print_single_queue


def _print_single_queue(queue_dir: str, opts: ListingOptions, *, verbose: bool,
                        now: float) -> tuple[str, int]:
    """One directory's listing and its number of requests."""
    gathered = _gatherq(queue_dir, opts, verbose=verbose, now=now)
    work = _sortq(gathered.work, opts.sort_order)
    shown = _display_name(queue_dir)
    out = list(gathered.notes)
    count = gathered.count
    if count <= 0:
        out.append(f"{shown} is empty\n")
        return "".join(out), 0
    head = f"\t\t{shown} ({count} request{'' if count == 1 else 's'}"
    if opts.max_queue_run > 0 and count > opts.max_queue_run:
        head += f", only {opts.max_queue_run} printed"
    out.append(head + ")\n" + (VERBOSE_COLUMNS if verbose else COLUMNS) + "\n")
    queue_later = _queue_only_test(opts)
    qf_dir, df_dir = _qf_directory(queue_dir), _df_directory(queue_dir)
    for job in work:
        out.append(_print_job(job, qf_dir, df_dir, opts, verbose, queue_later))
    return "".join(out), count


def _queue_only_test(opts: ListingOptions) -> tuple[int, int, int]:
    """(CurrentLA, QueueLA, QueueFactor) for shouldqueue()."""
    return queue_only_test(opts.queue_la, opts.queue_factor, opts.load_average)


def queue_only_test(queue_la: int | None, queue_factor: int,
                    load_average: int | None = None) -> tuple[int, int, int]:
    """(CurrentLA, QueueLA, QueueFactor) for should_queue(), as Sendmail computes them.

    CurrentLA is the one-minute load average rounded (load_average when
    given); QueueLA defaults to 8 per online processor.
    """
    current = load_average if load_average is not None else loadavg.current()
    if queue_la is None:
        queue_la = 8 * loadavg.processors()
    return current, queue_la, queue_factor


def should_queue(priority: int, test: tuple[int, int, int]) -> bool:
    """Sendmail's shouldqueue(): is the load too high to work on a job of this priority?"""
    current, queue_la, factor = test
    if current < queue_la:
        return False
    return priority > int(factor / (current - queue_la + 1))


def _print_job(job: _Work, qf_dir: str, df_dir: str, opts: ListingOptions, verbose: bool,
               queue_later: tuple[int, int, int]) -> str:
    out = [f"{job.name[2:]:>13}"]
    try:
        fh = open(os.path.join(qf_dir, job.name), "rb")
    except OSError as exc:
        if exc.errno == errno.EPERM:
            out.append(" (permission denied)\n")
        elif exc.errno == errno.ENOENT:
            out.append(" (job completed)\n")
        else:
            out.append(f" ({os.strerror(exc.errno or 0)})\n")
        return "".join(out)
    try:
        size = os.stat(os.path.join(df_dir, "d" + job.name[1:])).st_size
    except OSError:
        size = -1  # Sendmail's readqf() would print more here (not reproduced)
    if job.lock:
        out.append("*")
    elif opts.mode is QueueMode.LOST:
        out.append("?")
    elif job.too_young:
        out.append("-")
    elif should_queue(job.priority, queue_later):
        out.append("X")
    else:
        out.append(" ")
    with fh:
        out.append(_print_records(fh.read(), job, size, verbose))
    return "".join(out)


def _fgets_pieces(data: bytes) -> Iterator[bytes]:
    """sm_io_fgets(buf, MAXLINE) then fixcrlf(buf, true): pieces of at most 2047 bytes."""
    start = 0
    limit = MAXLINE - 1
    while start < len(data):
        end = data.find(b"\n", start, start + limit)
        stop = start + limit if end < 0 else end + 1
        piece = data[start:stop]
        start = stop
        if piece.endswith(b"\n"):
            piece = piece[:-2] if piece.endswith(b"\r\n") else piece[:-1]
        yield piece.split(b"\0", 1)[0]


def _print_records(data: bytes, job: _Work, size: int, verbose: bool) -> str:
    out: list[str] = []
    submit_time = 0
    warning = False
    version = 0
    quarantine = status = body_type = b""
    width = 100 if verbose else 60
    for buf in _fgets_pieces(data):
        kind, value = buf[:1], buf[1:]
        if kind == b"V":
            version = _atol(value)
        elif kind == b"M":
            status = value[: MAXLINE - 1]
        elif kind == b"q":
            quarantine = value[: MAXLINE - 1]
        elif kind == b"B":
            body_type = value[:MAXNAME]
        elif kind == b"S":
            if verbose:
                out.append(f"{size:8d} {job.priority:10d}{'+' if warning else ' '}"
                           f"{_ctime(submit_time)[4:16]} ")
                out.append(_prtstr(value, 78))
            else:
                out.append(f"{size:8d} {_ctime(submit_time)[:16]} ")
                out.append(_prtstr(value, 39))
            if quarantine:
                out.append("\n     QUARANTINE: " + _latin1(quarantine[:width]))
                quarantine = b""
            if status or body_type:
                out.append(f"\n    {_latin1(body_type[:10]):>10}")
                if status:
                    out.append(f"   ({_latin1(status[:width])})")
                status = b""
        elif kind == b"C":
            if verbose:
                out.append(f"\n\t\t\t\t\t\t(---{_latin1(value[:64])}---)")
        elif kind == b"R":
            address = value
            if version >= 1:
                if b":" not in value:
                    continue
                address = value.partition(b":")[2]
            if verbose:
                out.append("\n\t\t\t\t\t\t" + _prtstr(address, 71))
            else:
                out.append("\n\t\t\t\t\t " + _prtstr(address, 38))
            if verbose and status:
                out.append(f"\n\t\t ({_latin1(status[:100])})")
                status = b""
        elif kind == b"T":
            submit_time = _atol(value)
        elif kind == b"F":
            if b"w" in value:
                warning = True
    if submit_time == 0:
        out.append(" (no control file)")
    out.append("\n")
    return "".join(out)


def _latin1(raw: bytes) -> str:
    return raw.split(b"\0", 1)[0].decode("latin-1")


def _ctime(seconds: int) -> str:
    """C ctime() in the local time zone ("Sun Dec  6 07:00:00 2020")."""
    try:
        return time.ctime(seconds)
    except (OverflowError, OSError, ValueError):
        return "(null)"


def _prtstr(raw: bytes, limit: int) -> str:
    """Sendmail's prtstr(): at most limit bytes, \\\\ doubled, others as \\ooo."""
    out: list[str] = []
    left = limit
    for byte in raw:
        if left <= 0:
            break
        left -= 1
        if byte == 0:
            break
        if byte == 0x5C:
            if left > 0:
                left -= 1
                out.append("\\\\")
            else:
                left -= 1
        elif 0x20 <= byte < 0x7F:
            out.append(chr(byte))
        else:
            left -= 3
            if left > 0:
                out.append(f"\\{byte:03o}")
    return "".join(out)
