"""Append a message to a Unix mbox file, locked and all-or-nothing, as mail.local does.

SYNOPSIS
    deliver_mbox("/var/mail/alice", stream, sender="bob@example.org")
    deliver_mbox(path, b"Subject: hi\\n\\nbody\\n", sender="", when=0.0,
                 uid=1000, gid=8, write_as=(1000, 1000), lock=LockPolicy(timeout=5))
    except MboxError as exc: exit(exc.exit_code) / send(exc.reply)

    chroot, path = safe_file_target("/safe/logs/f", "/safe")   # ("/safe", "/logs/f")
    append_file(path, rendered, new_mode=0o600, regular_only=True)  # the *file* mailer

DESCRIPTION
    The mailbox append of Sendmail's mail.local(8) (deliver() and lockmbox() in
    mail.local.c), as a library for mta.cli.maillocal and the local mailer:

    1. Dot-lock: PATH.lock is created with O_CREAT|O_EXCL (content "0", as
       mail.local writes, so that pid-checking lockers leave it alone). While it
       exists the attempt is repeated every LockPolicy.poll seconds; a lock file
       older than LockPolicy.stale_after (300 s, mail.local's LOCKTO_RM) is
       removed; after LockPolicy.timeout (400 s, LOCKTO_GLOB) delivery fails
       with EX_TEMPFAIL. Age is taken from the lock's mtime (mail.local uses
       ctime), so a holder that touches its lock keeps it fresh, as liblockfile's
       lockfile_touch() does.
    2. The mailbox is opened O_WRONLY|O_APPEND|O_NOFOLLOW (a new one O_CREAT|O_EXCL
       with mode 0600 and, when uid/gid are given, fchown'ed to them). A symbolic
       link, a file with more than one link, anything but a regular file, a file
       owned by someone other than uid (when given), or a file that changed
       between lstat() and open() is refused, as mail.local refuses them.
    3. A POSIX record lock (fcntl.lockf, whole file) is taken, with the same
       deadline. We use fcntl locks rather than flock(2) because they also work
       over NFS and are what Dovecot and mutt take next to the dot-lock.
    4. The size is remembered; the "From SENDER DATE" line (DATE in asctime()
       format, local time, as ctime(3) gives it to mail.local; SENDER
       "MAILER-DAEMON" for the null sender, angle brackets dropped, white space
       replaced by "_" so the line stays parseable) is written, then the message:
       CRLF line ends become LF, every line starting with "From " is written as
       ">From " (mboxo; mail.local escapes only such lines after a blank line, we
       escape them all so that readers which split on any "From " line, like
       Python's mailbox.mbox, see the same message), a final newline is supplied
       if the message lacks one, and one blank line follows the message.
    5. fsync(); on any failure from step 4 on, the file is truncated back to the
       remembered size, so no partial message stays behind.

    With add_from_line=False a message that already starts with "From " keeps
    that line as its From_ line (it is not escaped); otherwise a From_ line is
    always written. With escape_from=False the body is copied unescaped (for
    callers that already did it). The message is read from the stream's current
    position to its end.

    With write_as=(uid, gid) (the caller must be root) the dot-lock and the
    creation of a new mailbox are done with the caller's ids, and the open,
    lock, write and truncate with effective ids uid/gid, restored afterwards:
    mail.local's setreuid(0, uid), so that quotas are charged to the user.

    The *file* mailer (an alias or .forward entry "/path") is not mail.local:
    append_file() writes as Sendmail's mailfile() does, in the child that
    mta.deliver.runner forks (chroot and ids done already). No dot-lock and no
    owner check; the file is flock'ed, the rendered message (its From_ line
    included) is appended with a blank line after it and fsync'ed. /dev/null
    is not opened. Refused (EX_CANTCREAT): a symbolic link, a directory, a
    file with an execute bit or more than one link, and, with regular_only
    (SafeFileEnvironment chroot), a FIFO or device; a file that cannot be
    opened (missing directory, permission denied). Without regular_only a
    FIFO or device is opened and written (a FIFO nobody reads: EX_TEMPFAIL
    after open_timeout) and its failing fsync is EX_IOERR, as in Sendmail.
    safe_file_target() maps a name into the SafeFileEnvironment chroot.

DIAGNOSTICS
    MboxError carries a sysexits code (exit_code) and an LMTP/SMTP Reply:
    EX_TEMPFAIL 451 4.3.0 for a lock that cannot be had (timeout, or the lock
    file cannot be created); EX_TEMPFAIL 450 4.2.0 for write/fsync errors (disk
    full, I/O) and temporary open errors; EX_UNAVAILABLE 552 5.2.2 for a quota
    overrun when bounce_quota is set (mail.local -b); EX_CANTCREAT 550 5.2.0 for
    a refused (linked, irregular, wrongly owned) or unopenable mailbox;
    EX_TEMPFAIL 451 4.3.0 when the message stream cannot be read.
    append_file() raises MboxError with EX_CANTCREAT, EX_TEMPFAIL or EX_IOERR
    and a text for the log ("cannot open /f: Symbolic links not allowed");
    the reply the recipient gets is made from the code by the runner.

SEE ALSO
    mta.cli.maillocal, mta.deliver.runner, mta.util.sysexits, mail.local(8),
    mbox(5), RFC 4155; Sendmail op.me 5.6 (SafeFileEnvironment, TempFileMode).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import io
import os
import re
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

from mta.core.errors import MtaError
from mta.core.reply import Reply
from mta.util.sysexits import ExitCode

MAILER_DAEMON = "MAILER-DAEMON"
LOCK_SUFFIX = ".lock"
_CHUNK = 64 * 1024  # read and write unit
_WHITE_RE = re.compile(r"\s")

# mail.local's e_to_sys(): errno values taken as temporary.
_TEMPORARY_ERRNOS = frozenset(
    getattr(errno, name)
    for name in (
        "EDQUOT",
        "EAGAIN",
        "EBUSY",
        "EPROCLIM",
        "EUSERS",
        "ECONNABORTED",
        "ECONNREFUSED",
        "ECONNRESET",
        "EDEADLK",
        "EFBIG",
        "EHOSTDOWN",
        "EHOSTUNREACH",
        "EMFILE",
        "ENETDOWN",
        "ENETRESET",
        "ENETUNREACH",
        "ENFILE",
        "ENOBUFS",
        "ENOMEM",
        "ENOSPC",
        "EROFS",
        "ESTALE",
        "ETIMEDOUT",
        "EWOULDBLOCK",
        "EIO",
        "EINTR",
    )
    if hasattr(errno, name)
)


@dataclass(frozen=True, slots=True)
class LockPolicy:
    """How long to wait for the mailbox locks (seconds)."""

    timeout: float = 400.0  # mail.local LOCKTO_GLOB: give up (EX_TEMPFAIL)
    stale_after: float = 300.0  # mail.local LOCKTO_RM: remove an older dot-lock
    poll: float = 1.0  # pause between attempts (mail.local sleeps 5 s)


class MboxError(MtaError):
    """A failed mailbox delivery: a sysexits code and the LMTP reply for it."""

    def __init__(self, exit_code: ExitCode, reply: Reply) -> None:
        super().__init__(reply.text)
        self.exit_code = exit_code
        self.reply = reply

    @property
    def is_temporary(self) -> bool:
        """True when the delivery may succeed later (EX_TEMPFAIL)."""
        return self.exit_code == ExitCode.EX_TEMPFAIL


class _ReadError(Exception):
    """The message stream could not be read (wraps the OSError)."""


def format_from_line(sender: str, when: float) -> bytes:
    """Return the mbox From_ line (with its newline) for sender at time when.

    The null sender ("" or "<>") becomes MAILER-DAEMON; surrounding angle
    brackets are dropped and white space becomes "_".
    """
    name = sender.strip()
    if name.startswith("<") and name.endswith(">"):
        name = name[1:-1]
    name = _WHITE_RE.sub("_", name) or MAILER_DAEMON
    return f"From {name} {time.asctime(time.localtime(when))}\n".encode("utf-8", "surrogateescape")


def _temp_or(code: ExitCode, err: OSError) -> ExitCode:
    return ExitCode.EX_TEMPFAIL if err.errno in _TEMPORARY_ERRNOS else code


def _strerror(err: OSError) -> str:
    return err.strerror or str(err)


def _refuse(path: str, why: str, code: ExitCode = ExitCode.EX_CANTCREAT) -> MboxError:
    if code == ExitCode.EX_TEMPFAIL:
        return MboxError(code, Reply(450, "4.2.0", f"{path}: {why}"))
    return MboxError(code, Reply(550, "5.2.0", f"{path}: {why}"))


class _DotLock:
    """PATH.lock, created exclusively and removed on release (mail.local lockmbox)."""

    def __init__(self, path: str, policy: LockPolicy, deadline: float) -> None:
        self.name = path + LOCK_SUFFIX
        self.mailbox = path
        self.policy = policy
        self.deadline = deadline
        self._ino: int | None = None

    def acquire(self) -> None:
        while True:
            try:
                fd = os.open(self.name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
            except FileExistsError:
                pass
            except OSError as exc:
                raise self._failed(_strerror(exc)) from exc
            else:
                try:
                    self._ino = os.fstat(fd).st_ino
                    os.write(fd, b"0")
                finally:
                    os.close(fd)
                return
            try:
                age = time.time() - os.lstat(self.name).st_mtime
            except FileNotFoundError:
                continue  # released meanwhile: try again at once
            except OSError as exc:
                raise self._failed(_strerror(exc)) from exc
            if age > self.policy.stale_after:
                try:
                    os.unlink(self.name)
                except FileNotFoundError:
                    pass
                except OSError as exc:
                    raise self._failed(f"cannot remove stale lock: {_strerror(exc)}") from exc
                continue
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                raise self._failed("timed out")
            time.sleep(min(self.policy.poll, remaining))

    def release(self) -> None:
        if self._ino is None:
            return
        try:
            if os.lstat(self.name).st_ino == self._ino:
                os.unlink(self.name)
        except OSError:
            pass
        self._ino = None

    def _failed(self, why: str) -> MboxError:
        return MboxError(
            ExitCode.EX_TEMPFAIL,
            Reply(451, "4.3.0", f"lockmailbox {self.mailbox} failed: {why}"),
        )


def _lock_file(fd: int, path: str, policy: LockPolicy, deadline: float) -> None:
    """Take an exclusive fcntl lock on fd, polling until deadline."""
    while True:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except OSError as exc:
            if exc.errno not in (errno.EACCES, errno.EAGAIN):
                raise _refuse(path, f"lock: {_strerror(exc)}", ExitCode.EX_TEMPFAIL) from exc
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise MboxError(
                ExitCode.EX_TEMPFAIL,
                Reply(451, "4.3.0", f"lockmailbox {path} failed: timed out (fcntl lock)"),
            )
        time.sleep(min(policy.poll, remaining))


@contextmanager
def effective_ids(uid: int, gid: int, *, path: str) -> Iterator[None]:
    """Run the body with effective uid and gid (mail.local's setreuid), then restore.

    Raises:
        MboxError: EX_TEMPFAIL 450 4.2.0 when the ids cannot be taken (not root);
            path names the mailbox in its text.
    """
    old_uid, old_gid = os.geteuid(), os.getegid()
    try:
        os.setegid(gid)
        os.seteuid(uid)
    except OSError as exc:
        os.seteuid(old_uid)
        os.setegid(old_gid)
        raise _refuse(path, f"seteuid({uid}): {_strerror(exc)}", ExitCode.EX_TEMPFAIL) from exc
    try:
        yield
    finally:
        os.seteuid(old_uid)
        os.setegid(old_gid)


@contextmanager
def _ids_or_same(ids: tuple[int, int] | None, path: str) -> Iterator[None]:
    if ids is None:
        yield
    else:
        with effective_ids(*ids, path=path):
            yield


def _lstat(path: str) -> os.stat_result | None:
    """lstat(path), or None when it does not exist."""
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _refuse(path, _strerror(exc), _temp_or(ExitCode.EX_CANTCREAT, exc)) from exc


def _check_existing(path: str, st: os.stat_result, uid: int | None) -> None:
    """Refuse what mail.local refuses: links, irregular files, wrong owners."""
    if stat.S_ISLNK(st.st_mode):
        raise _refuse(path, "is a symbolic link")
    if st.st_nlink != 1:
        raise _refuse(path, "too many links")
    if not stat.S_ISREG(st.st_mode):
        raise _refuse(path, "irregular file")
    if uid is not None and st.st_uid != uid:
        raise _refuse(path, f"wrong ownership ({st.st_uid})")


def _create(path: str, mode: int, uid: int | None, gid: int | None) -> int | None:
    """Create a new mailbox exclusively; return its fd, or None if it appeared meanwhile."""
    try:
        fd = os.open(
            path,
            os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
            mode,
        )
    except FileExistsError:
        return None
    except OSError as exc:
        raise _refuse(path, _strerror(exc), _temp_or(ExitCode.EX_CANTCREAT, exc)) from exc
    if uid is not None or gid is not None:
        try:
            os.fchown(fd, -1 if uid is None else uid, -1 if gid is None else gid)
        except OSError as exc:
            os.close(fd)
            raise MboxError(
                ExitCode.EX_TEMPFAIL, Reply(451, "4.3.0", f"chown {uid}.{gid}: {path}")
            ) from exc
    return fd


def _open_existing(path: str, before: os.stat_result) -> int:
    """Open an existing mailbox for appending and check it is the file lstat saw."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _refuse(path, "is a symbolic link") from exc
        raise _refuse(path, _strerror(exc), _temp_or(ExitCode.EX_CANTCREAT, exc)) from exc
    after = os.fstat(fd)
    if (
        after.st_nlink != 1
        or not stat.S_ISREG(after.st_mode)
        or (after.st_dev, after.st_ino, after.st_uid)
        != (before.st_dev, before.st_ino, before.st_uid)
    ):
        os.close(fd)
        raise _refuse(path, "fstat: file changed after open", ExitCode.EX_TEMPFAIL)
    return fd


def _render(
    stream: BinaryIO, from_line: bytes, keep_from: bool, escape_from: bool
) -> Iterator[bytes]:
    """Yield the mbox bytes of the message: From_ line, escaped body, blank line."""

    def read() -> bytes:
        try:
            return stream.readline(_CHUNK)
        except OSError as exc:
            raise _ReadError(exc) from exc

    first = read()
    if keep_from and first.startswith(b"From "):
        escape_first = False  # the message's own From_ line
    else:
        yield from_line
        escape_first = escape_from
    at_start = True  # the next piece starts a line
    carry_cr = False  # the last piece ended with a CR that may start a CRLF
    escape = escape_first
    piece = first
    while piece:
        if carry_cr:
            carry_cr = False
            if piece.startswith(b"\n"):
                yield b"\n"
                at_start = True
                piece = piece[1:]
                if not piece:
                    piece = read()
                    continue
            else:
                yield b"\r"  # a bare CR is kept
                at_start = False
        if at_start and escape and piece.startswith(b"From "):
            yield b">"
        escape = escape_from
        if piece.endswith(b"\r\n"):
            piece = piece[:-2] + b"\n"
        elif piece.endswith(b"\r"):
            carry_cr = True
            piece = piece[:-1]
        if piece:
            yield piece
            at_start = piece.endswith(b"\n")
        piece = read()
    if carry_cr:
        yield b"\r"
        at_start = False
    yield b"\n" if at_start else b"\n\n"


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _append(fd: int, chunks: Iterator[bytes]) -> None:
    """Write the chunks in batches of about _CHUNK bytes."""
    batch: list[bytes] = []
    size = 0
    for chunk in chunks:
        batch.append(chunk)
        size += len(chunk)
        if size >= _CHUNK:
            _write_all(fd, b"".join(batch))
            batch, size = [], 0
    if batch:
        _write_all(fd, b"".join(batch))


def deliver_mbox(
    path: str,
    message: BinaryIO | bytes,
    *,
    sender: str,
    when: float | None = None,
    add_from_line: bool = True,
    escape_from: bool = True,
    uid: int | None = None,
    gid: int | None = None,
    write_as: tuple[int, int] | None = None,
    mode: int = 0o600,
    bounce_quota: bool = False,
    lock: LockPolicy | None = None,
) -> None:
    """Append message to the mbox file path, locked, all or nothing.

    Args:
        path: the mailbox file (created if missing; never through a symlink).
        message: the message (RFC 5322 text, LF or CRLF line ends) as bytes, or a
            binary stream read from its current position to the end.
        sender: the envelope sender for the From_ line ("" or "<>": MAILER-DAEMON).
        when: the From_ line time (seconds since the epoch; default now).
        add_from_line: False keeps a "From " line the message already starts with.
        escape_from: write body lines starting with "From " as ">From ".
        uid: owner for a new mailbox; an existing one owned by another uid is refused.
        gid: group for a new mailbox.
        write_as: (uid, gid) effective ids for opening and writing (caller is root).
        mode: permission bits of a new mailbox.
        bounce_quota: a quota overrun is permanent (EX_UNAVAILABLE), as mail.local -b.
        lock: lock timing (default LockPolicy()).

    Raises:
        MboxError: delivery failed; the mailbox is as it was before the call.

    Side effects:
        Creates and removes path + ".lock"; may create path; appends to it and
        fsyncs it.
    """
    policy = lock or LockPolicy()
    stream: BinaryIO = io.BytesIO(message) if isinstance(message, bytes) else message
    from_line = format_from_line(sender, time.time() if when is None else when)
    deadline = time.monotonic() + policy.timeout
    dot_lock = _DotLock(path, policy, deadline)
    def write(fd: int) -> None:
        _write_locked(fd, path, stream, from_line, add_from_line, escape_from, bounce_quota,
                      policy, deadline)

    dot_lock.acquire()
    try:
        while True:
            before = _lstat(path)
            if before is None:
                fd = _create(path, mode, uid, gid)
                if fd is None:
                    continue  # created by someone else meanwhile: check it as existing
                if write_as is None:
                    write(fd)
                    return
                before = os.fstat(fd)
                os.close(fd)  # reopened below with the user's ids, as mail.local does
            else:
                _check_existing(path, before, uid)
            with _ids_or_same(write_as, path):
                fd = _open_existing(path, before)
                write(fd)
            return
    finally:
        dot_lock.release()


def _write_locked(
    fd: int,
    path: str,
    stream: BinaryIO,
    from_line: bytes,
    add_from_line: bool,
    escape_from: bool,
    bounce_quota: bool,
    policy: LockPolicy,
    deadline: float,
) -> None:
    """Lock fd, append the message, fsync; truncate back on failure; close fd."""
    try:
        _lock_file(fd, path, policy, deadline)
        start = os.fstat(fd).st_size
        try:
            _append(fd, _render(stream, from_line, not add_from_line, escape_from))
            os.fsync(fd)
        except BaseException as exc:
            try:
                os.ftruncate(fd, start)
            except OSError:
                pass
            if isinstance(exc, _ReadError):
                cause = exc.args[0]
                raise MboxError(
                    ExitCode.EX_TEMPFAIL,
                    Reply(451, "4.3.0", f"Temporary file: {_strerror(cause)}"),
                ) from cause
            if isinstance(exc, OSError):
                if exc.errno == getattr(errno, "EDQUOT", None) and bounce_quota:
                    raise MboxError(
                        ExitCode.EX_UNAVAILABLE, Reply(552, "5.2.2", f"{path}: {_strerror(exc)}")
                    ) from exc
                raise _refuse(path, _strerror(exc), ExitCode.EX_TEMPFAIL) from exc
            raise
    finally:
        os.close(fd)



# --------------------------------------------------------------------------- the *file* mailer

DEV_NULL = "/dev/null"
_EXEC_BITS = stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH


def safe_file_target(path: str, safe_env: str | None) -> tuple[str | None, str]:
    """Where a *file* delivery writes under SafeFileEnvironment: (chroot directory, path).

    With no SafeFileEnvironment, or "/", there is no chroot and the path stays.
    Otherwise a path that begins with the directory (as a string: with /safe,
    "/safe/logs/f", "/logs/f" and "/safelogs/f" all become "/logs/f") has it
    stripped, and what is left is taken from the root of the chroot.
    """
    if not safe_env or safe_env == "/":
        return None, path
    root = safe_env.rstrip("/") or "/"
    if path.startswith(root):
        path = path[len(root):]
    return root, "/" + path.lstrip("/")


def refuse_file(text: str, code: ExitCode = ExitCode.EX_CANTCREAT) -> MboxError:
    """The error of a refused or failed file delivery: its sysexits code and text.

    Sendmail reports only the exit status of its file-writing child (EX_CANTCREAT
    "Can't create output", EX_TEMPFAIL "Deferred", EX_IOERR "I/O error"); the
    text ("cannot open PATH: reason", as Sendmail prints it) is for the log.
    """
    if code == ExitCode.EX_CANTCREAT:
        return MboxError(code, Reply(550, "5.3.0", text))
    return MboxError(code, Reply(451, "4.0.0", text))


def check_file_target(path: str, st: os.stat_result, *, regular_only: bool) -> None:
    """Refuse what Sendmail's file mailer will not write to (lstat result st).

    A symbolic link, a directory, a file with an execute bit or more than one
    link is refused always; with regular_only (a chroot SafeFileEnvironment)
    so is anything but a regular file (a FIFO, a device). Without it a FIFO or
    device is opened and written, as Sendmail does.

    Raises:
        MboxError: EX_CANTCREAT.
    """
    if stat.S_ISLNK(st.st_mode):
        raise refuse_file(f"cannot open {path}: Symbolic links not allowed")
    if stat.S_ISDIR(st.st_mode):
        raise refuse_file(f"cannot deliver to {path}: a directory")
    if st.st_mode & _EXEC_BITS:
        raise refuse_file(f"cannot deliver to {path}: an execute bit is set")
    if regular_only and not stat.S_ISREG(st.st_mode):
        raise refuse_file(f"cannot deliver to {path}: not a regular file")
    if stat.S_ISREG(st.st_mode) and st.st_nlink > 1:
        raise refuse_file(f"cannot deliver to {path}: more than one link")


def _open_target(path: str, before: os.stat_result | None, mode: int,
                 deadline: float) -> int:
    """Open path for appending (create it when before is None), never through a link.

    A FIFO without a reader is waited for until deadline (Timeout.fileopen),
    then EX_TEMPFAIL, as Sendmail's open times out.
    """
    flags = os.O_WRONLY | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC
    if before is None:
        flags |= os.O_CREAT | os.O_EXCL
    elif not stat.S_ISREG(before.st_mode):
        flags |= os.O_NONBLOCK  # a FIFO without a reader: ENXIO, then wait
    while True:
        try:
            fd = os.open(path, flags, mode)
        except OSError as exc:
            if exc.errno == errno.ENXIO and before is not None \
                    and stat.S_ISFIFO(before.st_mode) and time.monotonic() < deadline:
                time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
                continue
            if exc.errno == errno.ENXIO and before is not None and stat.S_ISFIFO(before.st_mode):
                raise refuse_file(f"cannot open {path}: timed out",
                                  ExitCode.EX_TEMPFAIL) from exc
            if exc.errno == errno.ELOOP:
                raise refuse_file(f"cannot open {path}: Symbolic links not allowed") from exc
            raise refuse_file(f"cannot open {path}: {_strerror(exc)}",
                              _temp_or(ExitCode.EX_CANTCREAT, exc)) from exc
        if flags & os.O_NONBLOCK:
            fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
        return fd


def append_file(path: str, message: bytes, *, new_mode: int = 0o600,
                regular_only: bool = False, open_timeout: float = 60.0,
                keep_mode: int | None = None, same_as: tuple[int, int] | None = None) -> None:
    """Append message to path as Sendmail's *file* mailer does (mailfile()).

    Called in the child that already runs as the writing user (and inside the
    SafeFileEnvironment chroot): /dev/null takes the message without being
    opened; an existing target must pass check_file_target(); a missing one
    is created with new_mode (TempFileMode) and owned by the writer. The file
    is locked (flock, as Sendmail on Linux), the message is appended as it
    is (its From_ line included) with one blank line after it, and fsync'ed;
    a write or fsync error truncates the file back and is EX_IOERR (deferred).
    Afterwards the file gets keep_mode (the mode it had, set-id bits
    included, which a write by a non-root user clears), else the mode it
    was created with. With same_as (st_dev, st_ino: the file whose set-id bits
    chose the writer) any other file is refused ("file changed").

    Raises:
        MboxError: EX_CANTCREAT for a refused or unopenable file, EX_TEMPFAIL for
            a transient open error or a FIFO nobody reads, EX_IOERR for a failed
            write.
    """
    if path == DEV_NULL:
        return
    deadline = time.monotonic() + open_timeout
    while True:
        try:
            before: os.stat_result | None = os.lstat(path)
        except FileNotFoundError:
            before = None
        except OSError as exc:
            raise refuse_file(f"cannot open {path}: {_strerror(exc)}",
                              _temp_or(ExitCode.EX_CANTCREAT, exc)) from exc
        if before is not None:
            check_file_target(path, before, regular_only=regular_only)
        if same_as is not None and (before is None
                                    or (before.st_dev, before.st_ino) != same_as):
            raise refuse_file(f"{path}: file changed after the writer was chosen")
        try:
            fd = _open_target(path, before, new_mode, deadline)
        except MboxError as exc:
            if before is None and isinstance(exc.__cause__, FileExistsError):
                continue  # created meanwhile: check it as an existing file
            raise
        break
    try:
        after = os.fstat(fd)
        if before is not None and (after.st_dev, after.st_ino) != (before.st_dev, before.st_ino):
            raise refuse_file(f"{path}: file changed after open")
        if before is not None:
            check_file_target(path, after, regular_only=regular_only)
        _write_file(fd, path, message, after)
        mode = keep_mode if keep_mode is not None else (
            new_mode if before is None else stat.S_IMODE(after.st_mode))
        if stat.S_ISREG(after.st_mode):
            with contextlib.suppress(OSError):
                os.fchmod(fd, stat.S_IMODE(mode))
    finally:
        os.close(fd)


def _write_file(fd: int, path: str, message: bytes, st: os.stat_result) -> None:
    """Lock fd, append message and fsync; truncate back and raise EX_IOERR on failure."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError as exc:
        raise refuse_file(f"cannot lock {path}: {_strerror(exc)}",
                          _temp_or(ExitCode.EX_CANTCREAT, exc)) from exc
    start = os.fstat(fd).st_size
    try:
        _append(fd, _render(io.BytesIO(message), b"", True, False))
        os.fsync(fd)
    except OSError as exc:
        if stat.S_ISREG(st.st_mode):
            with contextlib.suppress(OSError):
                os.ftruncate(fd, start)
        raise refuse_file(f"{path}: {_strerror(exc)}", ExitCode.EX_IOERR) from exc
