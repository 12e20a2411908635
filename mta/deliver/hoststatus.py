"""Persistent host status (HostStatusDirectory), in Sendmail 8.17's files and layout.

SYNOPSIS
    store = HostStatusStore("/var/spool/mqueue/.hoststat", timeout=1800)
    cached = store.should_skip("mx.example.com", now)   # HostStatus or None
    if cached is None:
        ... connect, talk ...
        store.record("mx.example.com", HostStatus(EX_TEMPFAIL, errno=111,
                     dsn="4.4.1", updated=int(now)))
    text = store.listing(now, verbose=False)            # sendmail -bh
    store.purge(now)                                     # sendmail -bH

DESCRIPTION
    Sendmail keeps one small file per remote host (mci.c, the "persistent
    MCI" code) under HostStatusDirectory; a relative directory is taken
    relative to the queue directory (resolve_directory). The file of a
    host is found by splitting the name at its dots and walking the labels
    right to left: "mx.example.com" is DIR/com./example./mx. Every label
    but the leftmost is a directory and gets a trailing dot; labels are
    lowered (ASCII) and "/" becomes ":". A bracketed address loses its
    brackets and must be a valid IPv4 or IPv6 address: "[127.0.0.9]" is
    DIR/9./0./0./127. Trailing dots are dropped; an empty name, one that
    starts with a dot or contains "..", has no file (status_path gives
    None). host_from_path does the reverse walk of Sendmail's
    mci_traverse_persistent: the last component, then every parent
    directory whose name ends in "." ("9./0./0./127" lists as 127.0.0.9).

    A file holds one letter-keyed line each, written as Sendmail 8.17
    writes them (observed): "V0", "E<errno>", "H<h_errno>",
    "S<sysexits status>" always; "D<DSN status>" and "R<SMTP reply>" when
    set (each cut to 80 bytes, newlines and other control characters
    replaced as denlstring() does: here by a space); "U<time of last use>"
    and a final ".". The file is opened read-write (created 0600,
    directories 0755), locked with flock(2) LOCK_EX|LOCK_NB (Sendmail on
    Linux has HASFLOCK; a fcntl lock is not seen by it), truncated and
    rewritten; a lock held by another process means somebody else is
    updating the host and the update is dropped (mci_unlock_host). Reading
    takes LOCK_SH|LOCK_NB; when that is refused the host counts as being
    tried elsewhere (EX_TEMPFAIL, as mci_get does). Parsing stops at "."; an
    unknown letter, or a file without "V" and without "." is damaged.

    should_skip is the check mci_get and deliver() make before connecting:
    a status whose U time is at least `timeout` (Timeout.hoststatus,
    default 30m) old is stale and ignored; otherwise a non-zero exit status
    (EX_TEMPFAIL after a refused connection or a 421 greeting, EX_UNAVAILABLE
    after a 5xx greeting, ...) means the host is not tried and the mail gets
    the saved status. A later success is recorded with exit status 0 and so
    clears it.

    listing() is mci_print_persistent: a header line, then per file
    "%c%-39s %12s " (marker "*" when the file is locked, host name, age as
    pintvl brief "D+HH:MM:SS") and the result cut to 25 bytes (78 with
    verbose): the R text when present, "Deferred: <strerror(E)>" (cut to
    width-10) for EX_TEMPFAIL with an errno, the sysexits text without its
    reply code for another exit status ("4.0.0 Deferred", "5.1.2 Host
    unknown", "Unknown mailer error N"), "OK" or "OK: <strerror(E)>". The
    header comes with the first file, so an empty tree prints nothing.
    Files are visited in readdir order, names starting with "." skipped.

    purge() is mci_purge_persistent over the tree: a file whose mtime is
    more than `timeout` seconds old is removed; a directory whose name ends
    in "." is removed when nothing was left in it and its own mtime is old
    enough (removing a file updates it, so empty directories usually stay
    until the next purge, as with Sendmail).

DIAGNOSTICS
    OSError from the file system reaches the caller of record() only when
    the directory tree cannot be made or written (Sendmail syserr()s then);
    load()/should_skip() treat a missing or unreadable file as "no status".
    listing() reports a damaged file with a line "PATH: line 0: PATH: could
    not read status file" (Sendmail's syserr text; its line number is a
    left-over of other input and is not reproduced) and goes on.

SEE ALSO
    mta.cli.hoststat, mta.util.timespec.format_interval; Sendmail
    Installation and Operation Guide, HostStatusDirectory and
    Timeout.hoststatus; tests/diff/test_hoststat_real.py.
"""

from __future__ import annotations

import errno as errno_mod
import fcntl
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass

from mta.util.fsio import read_to_end
from mta.util.sysexits import ExitCode, atoi
from mta.util.timespec import format_interval

DEFAULT_TIMEOUT = 30 * 60  # Timeout.hoststatus
DEFAULT_DIRECTORY = ".hoststat"  # what the sendmail-cf macros suggest (confHOST_STATUS_DIRECTORY)
STATUS_VERSION = 0
MAX_TEXT = 80  # D and R lines: "%.80s"
FILE_MODE = 0o600
DIR_MODE = 0o755
HOST_COLUMN = 39
LISTING_HEADER = (
    " -------------- Hostname --------------- How long ago ---------Results---------\n"
)

# sysexits texts as Sendmail's SysExMsg[] gives them after the reply code (&msg[5]).
_SYSEX_TEXT: dict[int, str] = {
    64: "5.0.0 Command line usage error",
    65: "5.6.0 Data format error",
    66: "5.3.0 Cannot open input",
    67: "5.1.1 User unknown",
    68: "5.1.2 Host unknown",
    69: "5.0.0 Service unavailable",
    70: "5.3.0 Internal error",
    71: "4.0.0 Operating system error",
    72: "5.3.5 System file missing",
    73: "5.0.0 Can't create output",
    74: "4.0.0 I/O error",
    75: "4.0.0 Deferred",
    76: "5.5.0 Remote protocol error",
    77: "5.0.0 Insufficient permission",
    78: "5.3.5 Local configuration error",
}


class DamagedStatusFile(ValueError):
    """A host status file that Sendmail's mci_read_persistent would refuse."""


@dataclass(frozen=True, slots=True)
class HostStatus:
    """The saved outcome of the last use of one host (an MCI's persistent part).

    Attributes:
        exit_status: sysexits value (0 when the host is usable; EX_TEMPFAIL,
            EX_UNAVAILABLE, ... make deliveries skip it until stale).
        errno: the system error of the connection attempt (111 refused, ...).
        h_errno: the resolver error (1 HOST_NOT_FOUND, 2 TRY_AGAIN, ...).
        dsn: DSN status ("4.4.1"), or None (no D line).
        reply_text: the SMTP reply ("451 4.3.0 busy"), "" (an empty R line,
            written after a 421 greeting) or None (no R line).
        updated: the U time, seconds since the epoch.
    """

    exit_status: int = 0
    errno: int = 0
    h_errno: int = 0
    dsn: str | None = None
    reply_text: str | None = None
    updated: int = 0

    def format(self) -> bytes:
        """The file text, as mci_store_persistent writes it."""
        lines = [
            f"V{STATUS_VERSION}",
            f"E{self.errno}",
            f"H{self.h_errno}",
            f"S{self.exit_status}",
        ]
        if self.dsn is not None:
            lines.append("D" + _denl(self.dsn)[:MAX_TEXT])
        if self.reply_text is not None:
            lines.append("R" + _denl(self.reply_text)[:MAX_TEXT])
        lines += [f"U{self.updated}", "."]
        return ("\n".join(lines) + "\n").encode("latin-1", "replace")

    @classmethod
    def parse(cls, data: bytes) -> HostStatus:
        """Read a file text as mci_read_persistent does.

        Raises:
            DamagedStatusFile: an unknown line letter, or no "." and no "V".
        """
        values: dict[str, int] = {"E": 0, "H": 0, "S": 0, "U": 0}
        texts: dict[str, str | None] = {"D": None, "R": None}
        version = -1
        lines = data.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()  # fgets() gives nothing after the last newline
        for number, raw in enumerate(lines, start=1):
            line = raw.decode("latin-1")
            key, rest = line[:1], line[1:]
            if key == ".":
                return cls._build(values, texts)
            if key == "V":
                version = atoi(rest)
            elif key in values:
                values[key] = atoi(rest)
            elif key in texts:
                texts[key] = rest
            else:
                raise DamagedStatusFile(f'line {number}: Unknown host status line "{line}"')
        if version < 0:
            raise DamagedStatusFile("incomplete (missing dot for EOF)")
        return cls._build(values, texts)

    @classmethod
    def _build(cls, values: dict[str, int], texts: dict[str, str | None]) -> HostStatus:
        return cls(values["S"], values["E"], values["H"], texts["D"], texts["R"], values["U"])

    @property
    def usable(self) -> bool:
        """True when the host may be tried (exit status EX_OK)."""
        return self.exit_status == ExitCode.EX_OK

    def result_text(self, *, verbose: bool = False) -> str:
        """The Results column of `hoststat` (mci_print_persistent)."""
        width = 78 if verbose else 25
        if self.reply_text is not None:
            return self.reply_text[:width]
        if self.exit_status == ExitCode.EX_TEMPFAIL and self.errno != 0:
            return "Deferred: " + errstring(self.errno)[: width - 10]
        if self.exit_status != 0:
            text = _SYSEX_TEXT.get(self.exit_status, f"Unknown mailer error {self.exit_status}")
            return text[:width]
        if self.errno == 0:
            return "OK"
        return "OK: " + errstring(self.errno)[: width - 4]

    def deferral_text(self, host: str) -> str:
        """The status message of a mail deferred because the host is cached as down.

        Observed in the qf M record after a queue run that skipped the host:
        "Deferred: Connection refused by [127.0.0.9]" (errno saved) or just
        "Deferred" (no errno, e.g. after a 421 greeting). host is the name
        as the mailer was given it ("[127.0.0.9]", "mx.example.com.").
        """
        if self.errno == 0:
            return "Deferred"
        return "Deferred: " + errstring(self.errno, host)


def errstring(number: int, host: str | None = None) -> str:
    """Sendmail's errstring(): strerror, with the host for refused/down/timed out."""
    if host is not None:
        if number == errno_mod.ECONNREFUSED:
            return f"Connection refused by {host}"
        if number == errno_mod.EHOSTDOWN:
            return f"Host {host} is down"
        if number in (errno_mod.ETIMEDOUT, errno_mod.ECONNRESET):
            return f"{os.strerror(number)} with {host}"
    text = os.strerror(number)
    if text.startswith("Unknown error"):
        return "Unknown error"  # observed: Sendmail 8.17 prints no number
    return text


def _denl(text: str) -> str:
    return "".join(" " if ch in "\r\n" else ch for ch in text)


# --------------------------------------------------------------------------- paths


def resolve_directory(directory: str | None, queue_directory: str | None) -> str | None:
    """HostStatusDirectory as Sendmail uses it: relative to the queue directory."""
    if not directory:
        return None
    if os.path.isabs(directory) or not queue_directory:
        return directory
    return os.path.join(queue_directory, directory)


def status_path(directory: str, host: str) -> str | None:
    """The file of host under directory (mci_generate_persistent_path), or None."""
    if not host or host.startswith("."):
        return None
    bracketed = host.startswith("[")
    name = host[1:] if bracketed else host
    name = name.rstrip(".]" if bracketed else ".")
    if bracketed and not _is_address(name):
        return None
    if not name or ".." in name:
        return None
    labels = name.split(".")
    parts: list[str] = []
    for index in range(len(labels) - 1, -1, -1):
        label = "".join(_fold(ch) for ch in labels[index])
        parts.append(label + "." if index > 0 else label)
    return os.path.join(directory, *parts)


def _fold(ch: str) -> str:
    if ch == "/":
        return ":"
    return ch.lower() if "A" <= ch <= "Z" else ch


def _is_address(text: str) -> bool:
    address = text[5:] if text[:5].lower() == "ipv6:" else text
    try:
        socket.inet_pton(socket.AF_INET6, address)
        return True
    except OSError:
        pass
    try:
        socket.inet_aton(text)  # inet_addr() takes the same short forms
        return True
    except OSError:
        return False


def host_from_path(path: str) -> str:
    """The host name of a status file path (mci_traverse_persistent's reverse walk)."""
    labels: list[str] = []
    end = len(path) - 1
    while True:
        start = end
        while start > 0 and path[start - 1] != "/":
            start -= 1
        if path[end] == ".":
            end -= 1
        labels.append(path[start:end + 1])
        end = start - 2
        if not (end > 0 and path[end] == "."):
            break
    return ".".join(labels)


# --------------------------------------------------------------------------- the store


@dataclass(frozen=True, slots=True)
class HostStatusEntry:
    """One file found by walk(): its path, host name, status and lock.

    status is None when the file could not be opened (opened is False) or
    is damaged (opened is True).
    """

    path: str
    host: str
    status: HostStatus | None
    locked: bool
    opened: bool = True


@dataclass(frozen=True, slots=True)
class HostStatusStore:
    """The HostStatusDirectory tree of one configuration.

    Attributes:
        directory: the tree's root (already resolved against the queue directory).
        timeout: Timeout.hoststatus in seconds.
    """

    directory: str
    timeout: int = DEFAULT_TIMEOUT

    def path(self, host: str) -> str | None:
        """The status file of host, or None for a name Sendmail keeps no file for."""
        return status_path(self.directory, host)

    def load(self, host: str) -> HostStatus | None:
        """The saved status of host; None when there is none or it cannot be read.

        A file locked by a writer reads as EX_TEMPFAIL (mci_get's "lock failed").
        """
        path = self.path(host)
        if path is None:
            return None
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            return None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return HostStatus(exit_status=int(ExitCode.EX_TEMPFAIL))
            try:
                return HostStatus.parse(read_to_end(fd))
            except DamagedStatusFile:
                return None
        finally:
            os.close(fd)

    def should_skip(self, host: str, now: float) -> HostStatus | None:
        """The saved status that forbids trying host now, or None to go ahead.

        A status is stale (None) once updated + timeout <= now; a fresh one
        with a non-zero exit status is returned (the host is not tried).
        """
        status = self.load(host)
        if status is None or status.usable:
            return None
        if status.updated and status.updated + self.timeout <= int(now):
            return None
        return status

    def record(self, host: str, status: HostStatus) -> bool:
        """Write status for host (mci_unlock_host + mci_store_persistent).

        Returns False when nothing was written: no file for this name, or
        another process holds the lock.

        Raises:
            OSError: the directories or the file cannot be made or written.
        """
        path = self.path(host)
        if path is None:
            return False
        os.makedirs(os.path.dirname(path), mode=DIR_MODE, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, FILE_MODE)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            data = status.format()
            while data:
                data = data[os.write(fd, data):]
            return True
        finally:
            os.close(fd)  # releases the lock

    def walk(self) -> list[HostStatusEntry]:
        """Every status file of the tree, in Sendmail's (readdir) order."""
        return list(self._walk(self.directory))

    def _walk(self, path: str) -> Iterator[HostStatusEntry]:
        if not os.path.exists(path):
            return
        if os.path.isdir(path):
            try:
                names = os.listdir(path)
            except OSError:
                return
            for name in names:
                if not name.startswith("."):
                    yield from self._walk(os.path.join(path, name))
        elif os.path.isfile(path):
            yield _read_entry(path)

    def listing(self, now: float, *, verbose: bool = False) -> str:
        """What `sendmail -bh` prints for this tree (empty when it has no files)."""
        out: list[str] = []
        for entry in self.walk():
            if not out:
                out.append(LISTING_HEADER)
            if entry.status is None:
                if not entry.opened:
                    continue  # Sendmail skips a file it cannot open, silently
                out.append(f"{entry.path}: line 0: {entry.path}: could not read status file\n")
                continue
            age = format_interval(int(now) - entry.status.updated, brief=True)
            marker = "*" if entry.locked else " "
            out.append(f"{marker}{entry.host:<{HOST_COLUMN}} {age:>12} "
                       f"{entry.status.result_text(verbose=verbose)}\n")
        return "".join(out)

    def purge(self, now: float) -> int:
        """Remove files (and emptied "label." directories) older than the timeout.

        Returns the number of files removed.
        """
        removed: list[str] = []
        self._purge(self.directory, int(now), removed)
        return len(removed)

    def _purge(self, path: str, now: int, removed: list[str]) -> int:
        """mci_traverse_persistent(mci_purge_persistent): 0 removed, 1 left, -1 error."""
        try:
            os.stat(path)
        except OSError:
            return -1
        if os.path.isdir(path):
            try:
                names = os.listdir(path)
            except OSError:
                return -1
            left = False
            for name in names:
                if name.startswith("."):
                    continue
                ret = self._purge(os.path.join(path, name), now, removed)
                if ret < 0:
                    return ret
                if ret == 1:
                    left = True
            if left:
                return 1
            return self._purge_one(path, now, is_file=False)
        if os.path.isfile(path):
            ret = self._purge_one(path, now, is_file=True)
            if ret == 0:
                removed.append(path)
            return ret
        return 0

    def _purge_one(self, path: str, now: int, *, is_file: bool) -> int:
        try:
            mtime = int(os.stat(path).st_mtime)
        except OSError:
            return -1
        if now - mtime <= self.timeout:
            return 1
        try:
            if is_file:
                os.unlink(path)
            else:
                if not path.endswith("."):
                    return 1
                os.rmdir(path)
        except OSError:
            return -1
        return 0


def _read_entry(path: str) -> HostStatusEntry:
    host = host_from_path(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return HostStatusEntry(path, host, None, False, opened=False)
    try:
        try:
            status: HostStatus | None = HostStatus.parse(read_to_end(fd))
        except DamagedStatusFile:
            status = None
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            locked = False
        except BlockingIOError:
            locked = True
    finally:
        os.close(fd)
    return HostStatusEntry(path, host, status, locked)
