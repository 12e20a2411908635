"""Atomic file replacement and continuation-line reading.

SYNOPSIS
    with atomic_path("/etc/mail/access.db") as tmp:   # a fresh path in the same directory
        build_database(tmp)                            # renamed over the target on success
    with atomic_write("/var/spool/x") as fh: fh.write(text)
    if syncfs_available(): syncfs("/var/spool/mqueue")   # the whole file system, once
    for number, line in read_lines_with_continuation(path): ...

DESCRIPTION
    Sendmail's tf -> fsync -> rename -> fsync(dir) discipline as two context
    managers. atomic_path() hands out a temporary path next to the target (so
    rename(2) stays inside one file system); on a clean exit the file is
    fsync()ed, renamed over the target and the directory is fsync()ed, so a
    reader sees either the old file or the whole new one, even after a crash.
    On an exception the temporary file is removed and the target is untouched.
    atomic_write() is the same for a file written through one file object.

    syncfs() makes everything written to one file system durable in one
    call (Linux syncfs(2), through ctypes: the os module lacks it). The queue
    uses it to commit the files of many messages at once. It is offered only
    on Linux 5.8 or later, where syncfs(2) reports write-back errors; before
    that it returned 0 even when data was lost.

    read_lines_with_continuation() joins physical lines that start with a
    space or a tab to the line before them, as sendmail does for the .cf, the
    aliases file and F-class files, and yields the 1-based number of the first
    physical line of each logical line.

DIAGNOSTICS
    OSError from the file system passes through unchanged (the caller knows
    the user-facing wording); the temporary file never survives a failure.

SEE ALSO
    mta.maps.classes.hashdb, mta.cli.makemap, mta.maps.aliases.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from typing import IO, Any


def read_to_end(fd: int) -> bytes:
    """Everything left to read from the open file descriptor fd."""
    chunks: list[bytes] = []
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)


def fsync_directory(directory: str) -> None:
    """fsync() a directory so that a rename in it is durable.

    Args:
        directory: the directory path ("" means the current directory).
    """
    fd = os.open(directory or ".", os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_SYNCFS: list[Callable[[int], int] | None] = []  # the libc function, once looked up


def _syncfs_function() -> Callable[[int], int] | None:
    if not _SYNCFS:
        function: Any = None
        release = os.uname().release.split(".")
        try:
            recent = (int(release[0]), int(release[1].split("-")[0])) >= (5, 8)
        except (IndexError, ValueError):
            recent = False
        if sys.platform == "linux" and recent:
            with contextlib.suppress(OSError, AttributeError):
                function = ctypes.CDLL(None, use_errno=True).syncfs  # releases the GIL
                function.argtypes = [ctypes.c_int]
                function.restype = ctypes.c_int
        _SYNCFS.append(function)
    return _SYNCFS[0]


def syncfs_available() -> bool:
    """Whether syncfs() can be used here (Linux 5.8 or later)."""
    return _syncfs_function() is not None


def syncfs(path: str) -> None:
    """Write everything of the file system that holds path to disk (syncfs(2)).

    Raises:
        OSError: the write-back failed, or syncfs is not available.
    """
    function = _syncfs_function()
    if function is None:
        raise OSError(38, "syncfs is not available")  # ENOSYS
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        if function(fd) != 0:
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code), path)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(target: str, *, mode: int | None = None, suffix: str = ".tmp") -> Iterator[str]:
    """Yield a temporary path beside target; rename it over target on success.

    The temporary file exists (empty, mode 0600 unless mode is given) when the
    block starts; the block may also remove and recreate it (as a database
    library does). Nothing is renamed when the block raises.

    Args:
        target: the final path.
        mode: permission bits for the new file (default: those of the existing
            target, else 0644 filtered by the umask).
        suffix: suffix of the temporary name (useful to keep an extension).

    Yields:
        The temporary path.

    Side effects:
        Creates, fsyncs and renames the temporary file; fsyncs the directory.
    """
    directory = os.path.dirname(target)
    base = os.path.basename(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{base}.", suffix=suffix, dir=directory or ".")
    os.close(fd)
    try:
        yield tmp
        if mode is None:
            try:
                mode = os.stat(target).st_mode & 0o7777
            except FileNotFoundError:
                umask = os.umask(0)
                os.umask(umask)
                mode = 0o644 & ~umask
        os.chmod(tmp, mode)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
        fsync_directory(directory)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def atomic_write(
    target: str, *, mode: int | None = None, encoding: str = "utf-8"
) -> Iterator[IO[str]]:
    """Open a temporary text file beside target; rename it over target on success.

    Args:
        target: the final path.
        mode: permission bits, as for atomic_path.
        encoding: text encoding.

    Yields:
        The open file object; it is flushed and fsynced before the rename.
    """
    with atomic_path(target, mode=mode) as tmp, open(tmp, "w", encoding=encoding) as fh:
        yield fh
        fh.flush()
        os.fsync(fh.fileno())


@contextlib.contextmanager
def atomic_write_bytes(target: str, *, mode: int | None = None) -> Iterator[IO[bytes]]:
    """Open a temporary binary file beside target; rename it over target on success.

    Args:
        target: the final path.
        mode: permission bits, as for atomic_path.

    Yields:
        The open file object; it is flushed and fsynced before the rename.
    """
    with atomic_path(target, mode=mode) as tmp, open(tmp, "wb") as fh:
        yield fh
        fh.flush()
        os.fsync(fh.fileno())


def join_continuations(lines: list[str]) -> Iterator[tuple[int, str]]:
    """Join lines starting with space or tab to the previous one.

    Args:
        lines: physical lines without their line ends.

    Yields:
        (first physical line number, logical line) pairs. The newline between
        joined lines is kept as "\\n" so callers can decide how to treat it.
    """
    current: str | None = None
    first = 0
    for number, line in enumerate(lines, 1):
        if current is not None and line[:1] in (" ", "\t"):
            current += "\n" + line
            continue
        if current is not None:
            yield first, current
        current, first = line, number
    if current is not None:
        yield first, current


def read_lines_with_continuation(path: str, encoding: str = "utf-8") -> Iterator[tuple[int, str]]:
    """Read path and yield its logical lines (see join_continuations).

    Args:
        path: the file to read.
        encoding: its encoding; errors raise UnicodeDecodeError.

    Yields:
        (line number, logical line) pairs.
    """
    with open(path, encoding=encoding, newline="\n") as fh:
        physical = [line.rstrip("\n") for line in fh]
    yield from join_continuations(physical)
