"""A Sendmail-compatible queue directory: df body, qf envelope, group-committed fsyncs.

SYNOPSIS
    queue = FsQueue("/var/spool/mqueue")
    body = queue.create_body()                  # a new queue id: body.qid
    body.write(chunk)                           # as DATA arrives (LF line ends, unstuffed)
    await queue.commit(QueueEnvelope(qid=body.qid, ...))   # durable: now reply 250
    queue.abort(body.qid)                       # instead of commit: drop df and tf
    envelope = queue.load(qid); for qid in queue.walk(): ...

DESCRIPTION
    Files are named as Sendmail names them, so Sendmail's own tools work on
    the directory: mailq (sendmail -bp) lists what we queue, and a Sendmail
    queue run delivers it. The body goes to dfQID, the envelope and header
    to qfQID (mta.queue.qfformat); if the directory has qf/ and df/
    subdirectories the files go there, as with Sendmail. Files are created
    with mode 0600 (Sendmail's QueueFileMode default).

    Like Sendmail's memory-buffered df (DataFileBufferSize), a body stays in
    memory until it outgrows buffer_size; then dfQID is created with O_EXCL
    and written as DATA arrives. A typical message therefore touches the
    disk only in commit(), in one worker-thread job, and the event loop
    never waits on the directory lock that the commits of other sessions
    hold. O_EXCL on df and tf is the final guard against a queue id in use:
    commit then fails and nothing is overwritten.

    commit() makes a message durable before it returns, with Sendmail's
    discipline: df and tfQID written and on disk, tf renamed to qfQID, the
    directory on disk; only then may the caller reply 250. The disk waits
    are shared between the commits of concurrent sessions (group commit),
    in one of two ways (sync_mode):

    "fs" (the default where Linux 5.8+ offers syncfs(2)): the event loop
    writes df and tf itself (page-cache writes, no waiting), then the commit
    joins the next round of one syncfs of the queue's file system, renames
    tf to qf and joins the next round again, which makes the rename (the
    directory) durable. A round covers every write and rename done before
    it began, so one round carries the renames of some commits and the
    files of others, and 20 concurrent sessions pay for a few syncfs calls
    instead of 60 fsyncs and as many thread hand-offs (those, with the GIL,
    cost more CPU than the rest of the queue work).
    syncfs also writes whatever else is pending on that file system: a
    queue on its own file system keeps that small.

    "files" (elsewhere, or with MTA_QUEUE_SYNC=files): a worker thread
    creates or flushes df and fsyncs it, writes tf, fsyncs it and renames
    it; then the commit joins the next round of directory fsyncs. The file
    fsyncs of concurrent commits run in parallel threads, which lets the
    file system journal batch them.

    Invariant: commit() either returns with the message durable, or raises
    (also when cancelled) and leaves no file of a new message behind: tf,
    qf and df are removed (a qf whose fsync failed is not trusted). A
    commit that rewrites an existing qf (no body writer, qf present) only
    removes its own tf on failure; the old qf stays. One commit per queue
    id at a time; an FsQueue belongs to one event loop at a time.

    Not done here: qf locking. Sendmail's queue runners lock a qf while they
    work on it; a delivery agent of ours that shares a queue directory with
    them must take the same lock.

    FsQueue.fsync_enabled = False (or the FsQueue.fsync_disabled() context
    manager) skips every fsync. It is for unit tests only: a message
    committed that way may be lost in a crash.

DIAGNOSTICS
    OSError from the file system passes through unchanged (the SMTP layer
    turns it into 451 4.3.0); QueueError for interface misuse (abort of a
    committed message, commit of an unknown queue id, an unsafe queue id);
    QueueFormatError from format_qf/parse_qf.

SEE ALSO
    mta.queue.qfformat, mta.queue.qid, mta.util.fsio (the same discipline
    for single files); Sendmail Installation and Operation Guide appendix B.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import io
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import ClassVar

from mta.core.errors import MtaError
from mta.queue.qfformat import QueueEnvelope, format_qf, parse_qf
from mta.queue.qid import QidGenerator, is_safe_qid
from mta.util.fsio import fsync_directory, syncfs, syncfs_available

QUEUE_FILE_MODE = 0o600
DATA_FILE_BUFFER_SIZE = 64 * 1024  # Sendmail's DataFileBufferSize is 4096
_FILE_BUFFER = 64 * 1024
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
_WORKERS = 32

def queue_file_mode(options: Mapping[str, str]) -> int:
    """QueueFileMode (octal) of the .cf, else Sendmail's default: 0660 when the .cf
    sets RunAsUser (so that root and RunAsUser both read the files), 0600."""
    value = (options.get("QueueFileMode") or "").strip()
    if value:
        try:
            return int(value, 8) & 0o7777
        except ValueError:
            pass
    return 0o660 if options.get("RunAsUser") else QUEUE_FILE_MODE


def _open_new(path: str, mode: int) -> int:
    """Create path for writing with exactly mode, whatever the umask takes away."""
    fd = os.open(path, _CREATE_FLAGS, mode)
    if mode & _UMASK:
        try:
            os.fchmod(fd, mode)
        except OSError:
            os.close(fd)
            raise
    return fd


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _current_umask()

# One generator for the whole process, so that two FsQueue objects never hand out one id.
_GENERATOR = QidGenerator()


class QueueError(MtaError):
    """A queue operation that the caller must not ask for (interface misuse)."""


class BodyWriter:
    """Collects a message body for dfQID; made by FsQueue.create_body/open_body.

    Like Sendmail's memory-buffered df file (DataFileBufferSize), the body
    stays in memory until it grows past buffer_size; only then is dfQID
    created (O_EXCL) and written. A small message therefore touches the
    disk only in commit(), in one worker-thread job.

    Attributes:
        qid: the queue id.
        path: the df file.
        size: bytes written so far (what mailq will print as the size).
    """

    def __init__(self, qid: str, path: str, *, mode: int, buffer_size: int) -> None:
        self.qid = qid
        self.path = path
        self.size = 0
        self._mode = mode
        self._buffer_size = buffer_size
        self._buffer = bytearray()
        self._file: io.BufferedWriter | None = None  # set once spilled to disk
        self.created = False  # True once this writer has created the df file
        self.closed = False

    def write(self, data: bytes) -> None:
        """Append data to the body (made durable by FsQueue.commit).

        Sendmail's df holds the body only, lines ending in LF, after
        dot-unstuffing: that is what the caller writes. Past buffer_size the
        df file is created and written here (blocking, but rare).

        Raises:
            QueueError: the body was already committed or aborted.
            FileExistsError: dfQID exists already (the id is taken).
        """
        if self.closed:
            raise QueueError(f"{self.qid}: body is closed")
        self.size += len(data)
        if self._file is not None:
            self._file.write(data)
            return
        self._buffer += data
        if len(self._buffer) > self._buffer_size:
            self._file = self._create()
            self._file.write(self._buffer)
            self._buffer = bytearray()

    def contents(self) -> bytes:
        """The body written so far (read back from dfQID once it went to disk)."""
        if self._file is None:
            return bytes(self._buffer)
        self._file.flush()
        with open(self.path, "rb") as fh:
            return fh.read() + bytes(self._buffer)

    def _create(self) -> io.BufferedWriter:
        fd = _open_new(self.path, self._mode)
        self.created = True
        return io.BufferedWriter(io.FileIO(fd, "wb"), buffer_size=_FILE_BUFFER)

    def _finish(self, fsync: bool) -> None:
        """Create the df if needed, write, fsync when asked, close (worker thread)."""
        self.closed = True
        if self._file is None:  # the usual small body: one create, one write
            fd = _open_new(self.path, self._mode)
            self.created = True
            try:
                _write_all(fd, self._buffer)
                self._buffer = bytearray()
                if fsync:
                    os.fsync(fd)
            finally:
                os.close(fd)
            return
        file = self._file
        try:
            if self._buffer:
                file.write(self._buffer)
                self._buffer = bytearray()
            file.flush()
            if fsync:
                os.fsync(file.fileno())
        finally:
            file.close()

    def _discard(self) -> None:
        """Close without writing and remove the df file if this writer made it."""
        self.closed = True
        self._buffer = bytearray()
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
        if self.created:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)


def default_sync_mode() -> str:
    """ "fs" where syncfs(2) can be trusted, else "files"; MTA_QUEUE_SYNC=files forces that."""
    if os.environ.get("MTA_QUEUE_SYNC", "").lower() == "files" or not syncfs_available():
        return "files"
    return "fs"


@dataclass(slots=True)
class _CommitState:
    """What one commit has done so far, for the undo after a failure."""

    qid: str
    body: BodyWriter | None
    target: str = ""  # qfQID, or hfQID for a quarantined message
    tf: str = ""  # set once this commit has created tfQID (and so may remove it)
    renamed: bool = False


class _GroupSync:
    """Shares one blocking sync call between the commits of one event loop.

    A waiter joins the next round that has not started yet; a single runner
    task starts rounds one after another (each runs work() in a worker
    thread) while there are waiters. So every write or rename done before
    wait() is covered by a round that began after it. Between two rounds
    the runner lets the event loop turn once, so that the commits a round
    has woken rename and join the next one before it starts.
    """

    def __init__(self, work: Callable[[], None], executor: concurrent.futures.Executor):
        self.loop = asyncio.get_running_loop()
        self._work = work
        self._executor = executor
        # the waiters of the next round, each on a future of its own (a cancelled
        # waiter cancels only that one, so no shield is needed)
        self._next: list[asyncio.Future[None]] | None = None
        self._runner: asyncio.Task[None] | None = None
        self.rounds = 0  # number of rounds run (for tests and benchmarks)

    async def wait(self) -> None:
        waiters = self._next
        if waiters is None:
            waiters = self._next = []
        mine: asyncio.Future[None] = self.loop.create_future()
        waiters.append(mine)
        if self._runner is None:
            self._runner = self.loop.create_task(self._run())
        await mine

    async def _run(self) -> None:
        batch: list[asyncio.Future[None]] | None = None
        try:
            while self._next:
                batch, self._next = self._next, None
                try:
                    await self.loop.run_in_executor(self._executor, self._work)
                except Exception as exc:
                    _settle(batch, exc)
                else:
                    _settle(batch, None)
                batch = None
                self.rounds += 1
                # let the commits just woken take their next step (a rename, then
                # wait() again) before the next round starts, so that it carries them
                await asyncio.sleep(0)
        finally:
            self._runner = None
            for pending in (batch, self._next):  # only when the runner itself is cancelled
                if pending:
                    _settle(pending, QueueError("queue sync was cancelled"))
            self._next = None


def _settle(waiters: list[asyncio.Future[None]], error: BaseException | None) -> None:
    """End a round for its waiters (those still waiting: a cancelled one is done)."""
    for waiter in waiters:
        if waiter.done():
            continue
        if error is None:
            waiter.set_result(None)
        else:
            waiter.set_exception(error)
            waiter.add_done_callback(_consume_exception)  # its waiter may be cancelled


def _consume_exception(future: asyncio.Future[None]) -> None:
    """Mark a waiter's exception as retrieved (its task may have been cancelled)."""
    if not future.cancelled():
        future.exception()


class FsQueue:
    """A queue directory in Sendmail's format.

    Args:
        directory: the queue directory (QueueDirectory); must exist.
        file_mode: permission bits of new files, exactly (QueueFileMode: see
            queue_file_mode()).
        buffer_size: body bytes kept in memory before dfQID is created
            (Sendmail's DataFileBufferSize).
        qid_generator: where queue ids come from (default: one per process).
        sync_mode: "fs" or "files" (see above); default: default_sync_mode().
    """

    fsync_enabled: ClassVar[bool] = True
    _executor_lock: ClassVar[threading.Lock] = threading.Lock()
    _shared_executor: ClassVar[concurrent.futures.ThreadPoolExecutor | None] = None

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        file_mode: int = QUEUE_FILE_MODE,
        buffer_size: int = DATA_FILE_BUFFER_SIZE,
        qid_generator: QidGenerator | None = None,
        sync_mode: str | None = None,
    ) -> None:
        self.directory = os.fspath(directory)
        if not os.path.isdir(self.directory):
            raise FileNotFoundError(f"queue directory does not exist: {self.directory}")
        qf_sub = os.path.join(self.directory, "qf")
        df_sub = os.path.join(self.directory, "df")
        self.qf_directory = qf_sub if os.path.isdir(qf_sub) else self.directory
        self.df_directory = df_sub if os.path.isdir(df_sub) else self.directory
        self._qf_prefix = os.path.join(self.qf_directory, "")
        self._df_prefix = os.path.join(self.df_directory, "")
        # one directory per file system that holds queue files: what syncfs() is given
        self._sync_targets = tuple({os.stat(d).st_dev: d for d in
                                    (self.df_directory, self.qf_directory)}.values())
        self.file_mode = file_mode
        self.buffer_size = buffer_size
        self._generator = qid_generator or _GENERATOR
        self._bodies: dict[str, BodyWriter] = {}
        self.sync_mode = sync_mode or default_sync_mode()
        if self.sync_mode not in ("fs", "files"):
            raise ValueError(f"unknown queue sync mode: {self.sync_mode}")
        self._sync: _GroupSync | None = None  # directory fsync rounds
        self._data_sync: _GroupSync | None = None  # syncfs rounds ("fs" mode)

    # ------------------------------------------------------------ test switch

    @classmethod
    @contextlib.contextmanager
    def fsync_disabled(cls) -> Iterator[None]:
        """Run the block with every fsync skipped (unit tests only: not crash-safe)."""
        saved = cls.fsync_enabled
        cls.fsync_enabled = False
        try:
            yield
        finally:
            cls.fsync_enabled = saved

    # ------------------------------------------------------------ paths

    def qf_path(self, qid: str) -> str:
        return self._qf_prefix + "qf" + _checked(qid)

    def hf_path(self, qid: str) -> str:
        """A quarantined message's control file (Sendmail keeps it as hfQID)."""
        return self._qf_prefix + "hf" + _checked(qid)

    def tf_path(self, qid: str) -> str:
        return self._qf_prefix + "tf" + _checked(qid)

    def df_path(self, qid: str) -> str:
        return self._df_prefix + "df" + _checked(qid)

    # ------------------------------------------------------------ writing

    def new_qid(self) -> str:
        """Return a fresh queue id (see mta.queue.qid); no file is created."""
        return self._generator.next()

    def open_body(self, qid: str) -> BodyWriter:
        """Start the body of a message whose queue id the caller already has.

        Raises:
            QueueError: the id is not safe for a file name, or already open.
        """
        if qid in self._bodies:
            raise QueueError(f"{qid}: body already open")
        writer = BodyWriter(
            qid, self.df_path(qid), mode=self.file_mode, buffer_size=self.buffer_size
        )
        self._bodies[qid] = writer
        return writer

    def create_body(self) -> BodyWriter:
        """Start a new message: a fresh queue id and its body writer.

        No file is made yet; dfQID is created with O_EXCL when the body
        outgrows the buffer or at commit, which is the final guard against
        a queue id that is in use (commit then fails, nothing is overwritten).
        """
        return self.open_body(self.new_qid())

    async def commit(self, envelope: QueueEnvelope) -> None:
        """Write qfQID for envelope and make the message durable.

        The body must have been written through create_body/open_body (a new
        message), or the qf must exist already (a rewrite after a delivery
        attempt). Returns only when df, qf and the directory entries are on
        disk.

        Raises:
            QueueError: neither an open body nor a qf file for envelope.qid.
            QueueFormatError: the envelope cannot be written.
            FileExistsError: dfQID or tfQID exists (the queue id is in use).
            OSError: the file system failed.

        Side effects:
            On any exception (and on cancellation) the files this commit
            created for a new message are removed: nothing half-written stays
            behind. A rewrite keeps the old qf when it fails before the rename.
        """
        qid = envelope.qid
        body = self._bodies.pop(qid, None)
        if body is None and not os.path.exists(self.qf_path(qid)):
            raise QueueError(f"{qid}: commit without a body writer or an existing qf file")
        target = self.hf_path(qid) if envelope.quarantine_reason else self.qf_path(qid)
        state = _CommitState(qid, body, target)
        try:
            data = format_qf(envelope)
        except BaseException:
            self._undo(state)
            raise
        if self.sync_mode == "fs":
            await self._commit_grouped(state, data)
            return
        fsync = self.fsync_enabled
        future = self._executor().submit(self._write_files, state, data, fsync)
        try:
            await asyncio.wrap_future(future)
            if fsync:
                await self._group("directory").wait()
        except BaseException:
            if future.cancel():  # never started: only the body may be on disk
                self._undo(state)
            else:  # wait for the thread, then undo (even if we are cancelled again)
                future.add_done_callback(lambda _: self._undo(state))
            raise

    async def _commit_grouped(self, state: _CommitState, data: bytes) -> None:
        """The "fs" mode: write here, then share syncfs and directory fsync rounds."""
        fsync = self.fsync_enabled
        try:
            if state.body is not None:
                state.body._finish(False)
            tf = self.tf_path(state.qid)
            fd = _open_new(tf, self.file_mode)
            state.tf = tf
            try:
                _write_all(fd, data)
            finally:
                os.close(fd)
            if fsync:
                await self._group("data").wait()
            os.replace(tf, state.target)
            state.renamed = True
            if fsync:  # the next syncfs (it also carries other commits' data)
                await self._group("data").wait()
        except BaseException:
            self._undo(state)
            raise

    def _write_files(self, state: _CommitState, data: bytes, fsync: bool) -> None:
        """df write and fsync, tf write and fsync, rename tf to qf (worker thread)."""
        if state.body is not None:
            state.body._finish(fsync)
        tf = self.tf_path(state.qid)
        fd = _open_new(tf, self.file_mode)
        try:
            try:
                _write_all(fd, data)
                if fsync:
                    os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tf, state.target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tf)
            raise
        state.renamed = True

    def _undo(self, state: _CommitState) -> None:
        """Remove the qf and df that a failed commit of a new message created."""
        if state.tf and not state.renamed:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(state.tf)
        body = state.body
        if body is None:  # a rewrite: its tf is gone, the old or new qf stays valid
            return
        if state.renamed:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(state.target)
        body._discard()  # removes the df only if this writer created it

    def abort(self, qid: str) -> None:
        """Drop a message that was not committed: forget its body, remove df and tf.

        Raises:
            QueueError: qfQID exists (the message is committed; use remove()).
        """
        if os.path.exists(self.qf_path(qid)) or os.path.exists(self.hf_path(qid)):
            raise QueueError(f"{qid}: already committed; use remove()")
        body = self._bodies.pop(qid, None)
        if body is not None:
            body._discard()  # our own df only: the id may belong to someone else
            return
        for name in (self.tf_path(qid), self.df_path(qid)):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)

    def remove(self, qid: str) -> None:
        """Remove a committed message (qf first, so walk() no longer sees it)."""
        for name in (self.qf_path(qid), self.hf_path(qid), self.df_path(qid), self.tf_path(qid)):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)

    # ------------------------------------------------------------ reading

    def load(self, qid: str) -> QueueEnvelope:
        """Read and parse qfQID.

        Raises:
            FileNotFoundError: no such message.
            QueueFormatError: the qf file is damaged.
        """
        with open(self.qf_path(qid), "rb") as fh:
            return parse_qf(fh.read(), qid=qid)

    def walk(self) -> list[str]:
        """Return the queue ids that have a qf file, sorted (tf, df and hf are skipped)."""
        return sorted(
            name[2:]
            for name in os.listdir(self.qf_directory)
            if name.startswith("qf") and is_safe_qid(name[2:])
        )

    def body_size(self, qid: str) -> int:
        """Return the size of dfQID, the size mailq prints."""
        return os.stat(self.df_path(qid)).st_size

    # ------------------------------------------------------------ internals

    def _group(self, kind: str) -> _GroupSync:
        """The shared rounds of this event loop: "directory" fsyncs or "data" syncfs calls."""
        loop = asyncio.get_running_loop()
        if kind == "directory":
            if self._sync is None or self._sync.loop is not loop:
                self._sync = _GroupSync(self._fsync_directories, self._executor())
            return self._sync
        if self._data_sync is None or self._data_sync.loop is not loop:
            self._data_sync = _GroupSync(self._syncfs, self._executor())
        return self._data_sync

    def _fsync_directories(self) -> None:
        for directory in dict.fromkeys((self.qf_directory, self.df_directory)):
            fsync_directory(directory)

    def _syncfs(self) -> None:
        """One syncfs per file system that holds qf or df files (qf/ and df/ may differ)."""
        for directory in self._sync_targets:
            syncfs(directory)

    @classmethod
    def _executor(cls) -> concurrent.futures.ThreadPoolExecutor:
        with cls._executor_lock:
            if cls._shared_executor is None:
                cls._shared_executor = concurrent.futures.ThreadPoolExecutor(
                    max_workers=_WORKERS, thread_name_prefix="fsqueue"
                )
            return cls._shared_executor


def _forget_threads_after_fork() -> None:
    """In a child made by fork() the pool's threads are gone, though the pool still
    counts one as idle: a first job would wait for ever. The child makes its own."""
    FsQueue._executor_lock = threading.Lock()
    FsQueue._shared_executor = None


os.register_at_fork(after_in_child=_forget_threads_after_fork)


def _write_all(fd: int, data: bytes | bytearray) -> None:
    """os.write until all of data is written (a short write goes on where it stopped)."""
    written = os.write(fd, data)
    if written < len(data):
        view = memoryview(data)[written:]
        while view:
            view = view[os.write(fd, view):]


def _checked(qid: str) -> str:
    if not is_safe_qid(qid):
        raise QueueError(f"unsafe queue id: {qid!r}")
    return qid
