"""Unit tests of mta.queue.fsqueue: commit, abort, failures, cancellation, group commit."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mta.queue import fsqueue
from mta.queue.fsqueue import FsQueue, QueueError
from mta.queue.qfformat import (
    QueueEnvelope,
    QueueFormatError,
    QueueHeader,
    QueueRecipient,
    envelope_flags,
    format_qf,
    initial_priority,
)
from mta.queue.qid import parse_qid

BODY = b"line one\n.dot-unstuffed line\n" + b"x" * 2000 + b"\n"


def envelope(qid: str, *, attempts: int = 0, sender: str = "<alice@example.test>") -> QueueEnvelope:
    return QueueEnvelope(
        qid=qid,
        sender=sender,
        recipients=(QueueRecipient.from_rcpt("<bob@example.net>"),),
        headers=(
            QueueHeader("Return-Path", b" <\x81g>", "P"),
            QueueHeader.from_message("Subject", b" test"),
        ),
        macros=(("r", "ESMTP"), ("s", "client.example.test")),
        created=1796526000,
        attempts=attempts,
        priority=initial_priority(len(BODY) + 30, 1),
        flags=envelope_flags(),
    )


@pytest.fixture
def no_fsync() -> Iterator[None]:
    with FsQueue.fsync_disabled():
        yield


MODES = ["fs", "files"] if fsqueue.syncfs_available() else ["files"]


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    """Every test that takes a queue runs with each group-commit mode this machine has."""
    return str(request.param)


@pytest.fixture
def queue(tmp_path: Path, mode: str) -> FsQueue:
    return FsQueue(tmp_path, sync_mode=mode)


def files(directory: Path) -> list[str]:
    return sorted(os.listdir(directory))


async def settle() -> None:
    """Wait until every worker thread is idle, so clean-ups after failures have run.

    The barrier needs all workers of the shared pool at once, which happens
    only when no earlier job (nor its done-callbacks) is still running.
    """
    barrier = threading.Barrier(fsqueue._WORKERS + 1)
    for _ in range(fsqueue._WORKERS):
        FsQueue._executor().submit(barrier.wait, 10)
    await asyncio.to_thread(barrier.wait, 10)


async def commit_one(queue: FsQueue, body: bytes = BODY) -> QueueEnvelope:
    writer = queue.create_body()
    writer.write(body)
    env = envelope(writer.qid)
    await queue.commit(env)
    return env


# --------------------------------------------------------------------------- happy paths


@pytest.mark.asyncio
async def test_commit_writes_df_and_qf_and_no_tf(queue: FsQueue, tmp_path: Path) -> None:
    env = await commit_one(queue)  # with real fsyncs
    qid = env.qid
    assert files(tmp_path) == [f"df{qid}", f"qf{qid}"]
    assert (tmp_path / f"df{qid}").read_bytes() == BODY
    assert (tmp_path / f"qf{qid}").read_bytes() == format_qf(env)
    assert queue.load(qid) == env
    assert queue.walk() == [qid]
    assert queue.body_size(qid) == len(BODY)
    for name in files(tmp_path):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o600
    assert parse_qid(qid).pid == os.getpid()


@pytest.mark.asyncio
async def test_body_written_in_chunks(queue: FsQueue, tmp_path: Path, no_fsync: None) -> None:
    writer = queue.create_body()
    for i in range(0, len(BODY), 7):
        writer.write(BODY[i : i + 7])
    assert writer.size == len(BODY)
    assert files(tmp_path) == []  # a small body stays in memory until commit
    await queue.commit(envelope(writer.qid))
    assert (tmp_path / f"df{writer.qid}").read_bytes() == BODY


@pytest.mark.asyncio
async def test_large_body_spills_to_df_before_commit(tmp_path: Path, no_fsync: None) -> None:
    queue = FsQueue(tmp_path, buffer_size=100)
    writer = queue.create_body()
    writer.write(b"a" * 60)
    assert files(tmp_path) == []
    writer.write(b"b" * 60)
    assert files(tmp_path) == [f"df{writer.qid}"]
    writer.write(b"c" * 1000)
    await queue.commit(envelope(writer.qid))
    assert (tmp_path / f"df{writer.qid}").read_bytes() == b"a" * 60 + b"b" * 60 + b"c" * 1000


@pytest.mark.asyncio
async def test_empty_body(queue: FsQueue, tmp_path: Path, no_fsync: None) -> None:
    env = await commit_one(queue, b"")
    assert queue.body_size(env.qid) == 0 and queue.load(env.qid) == env


@pytest.mark.asyncio
async def test_open_body_with_a_given_qid(queue: FsQueue, tmp_path: Path, no_fsync: None) -> None:
    writer = queue.open_body("6B62wBSI005985")
    writer.write(b"x\n")
    with pytest.raises(QueueError, match="already open"):
        queue.open_body("6B62wBSI005985")
    await queue.commit(envelope("6B62wBSI005985"))
    assert queue.walk() == ["6B62wBSI005985"]


@pytest.mark.asyncio
async def test_rewrite_existing_qf(queue: FsQueue, tmp_path: Path, no_fsync: None) -> None:
    env = await commit_one(queue)
    later = envelope(env.qid, attempts=1)
    await queue.commit(later)  # no body writer: a rewrite after a delivery attempt
    assert queue.load(env.qid) == later
    assert (tmp_path / f"df{env.qid}").read_bytes() == BODY
    assert files(tmp_path) == [f"df{env.qid}", f"qf{env.qid}"]


@pytest.mark.asyncio
async def test_subdirectory_layout(tmp_path: Path, no_fsync: None) -> None:
    (tmp_path / "qf").mkdir()
    (tmp_path / "df").mkdir()
    queue = FsQueue(tmp_path)
    env = await commit_one(queue)
    assert files(tmp_path / "qf") == [f"qf{env.qid}"]
    assert files(tmp_path / "df") == [f"df{env.qid}"]
    assert queue.walk() == [env.qid] and queue.load(env.qid) == env


@pytest.mark.asyncio
async def test_walk_skips_other_files(queue: FsQueue, tmp_path: Path, no_fsync: None) -> None:
    env = await commit_one(queue)
    for name in ("tfABC", "dfXYZ", "hfQQQ", "xfX", "qf../x", "Qf123", "qf"):
        if "/" not in name:
            (tmp_path / name).write_bytes(b"")
    assert queue.walk() == [env.qid]


@pytest.mark.asyncio
async def test_remove(queue: FsQueue, tmp_path: Path, no_fsync: None) -> None:
    env = await commit_one(queue)
    queue.remove(env.qid)
    assert files(tmp_path) == [] and queue.walk() == []


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        FsQueue(tmp_path / "nope")


@pytest.mark.parametrize("qid", ["../x", "a/b", "", "x\n"])
def test_unsafe_qid(queue: FsQueue, qid: str) -> None:
    with pytest.raises(QueueError, match="unsafe queue id"):
        queue.open_body(qid)
    with pytest.raises(QueueError, match="unsafe queue id"):
        queue.load(qid)


def test_fsync_disabled_restores() -> None:
    assert FsQueue.fsync_enabled
    with FsQueue.fsync_disabled():
        assert not FsQueue.fsync_enabled
    assert FsQueue.fsync_enabled


# --------------------------------------------------------------------------- abort


@pytest.mark.parametrize("buffer_size", [1 << 20, 10], ids=["in-memory", "spilled"])
def test_abort_leaves_nothing(tmp_path: Path, buffer_size: int) -> None:
    queue = FsQueue(tmp_path, buffer_size=buffer_size)
    writer = queue.create_body()
    writer.write(BODY)
    queue.abort(writer.qid)
    assert files(tmp_path) == []
    with pytest.raises(QueueError, match="closed"):
        writer.write(b"more")


def test_abort_unknown_qid_removes_df_and_tf(queue: FsQueue, tmp_path: Path) -> None:
    (tmp_path / "dfAA1").write_bytes(b"x")
    (tmp_path / "tfAA1").write_bytes(b"x")
    queue.abort("AA1")
    assert files(tmp_path) == []


@pytest.mark.asyncio
async def test_abort_after_commit_is_refused(queue: FsQueue, no_fsync: None) -> None:
    env = await commit_one(queue)
    with pytest.raises(QueueError, match="already committed"):
        queue.abort(env.qid)
    assert queue.walk() == [env.qid]


@pytest.mark.asyncio
async def test_commit_without_body_or_qf(queue: FsQueue, tmp_path: Path) -> None:
    with pytest.raises(QueueError, match="without a body writer"):
        await queue.commit(envelope("6B62wBSI005985"))
    assert files(tmp_path) == []


# --------------------------------------------------------------------------- failures


def _fail(exc: BaseException) -> Callable[..., None]:
    def raiser(*args: object, **kwargs: object) -> None:
        raise exc

    return raiser


@pytest.mark.asyncio
@pytest.mark.parametrize("buffer_size", [1 << 20, 10], ids=["in-memory", "spilled"])
@pytest.mark.parametrize(("mode", "target"), [
    (mode, target) for mode in MODES
    for target in (("os.replace", "os.write", "syncfs", "syncfs-after-rename") if mode == "fs"
                   else ("os.replace", "os.fsync", "os.write", "fsync_directory"))])
async def test_failure_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str, buffer_size: int, mode: str
) -> None:
    queue = FsQueue(tmp_path, buffer_size=buffer_size, sync_mode=mode)
    writer = queue.create_body()
    writer.write(BODY)
    if target in ("fsync_directory", "syncfs"):
        monkeypatch.setattr(fsqueue, target, _fail(OSError(5, "EIO")))
    elif target == "syncfs-after-rename":  # the round that makes the rename durable
        real_syncfs = fsqueue.syncfs
        calls = [0]

        def second_fails(path: str) -> None:
            calls[0] += 1
            if calls[0] == 2:
                raise OSError(5, "EIO")
            real_syncfs(path)

        monkeypatch.setattr(fsqueue, "syncfs", second_fails)
    else:
        module, name = target.split(".")
        monkeypatch.setattr(getattr(fsqueue, module), name, _fail(OSError(28, "ENOSPC")))
    with pytest.raises(OSError):
        await queue.commit(envelope(writer.qid))
    monkeypatch.undo()
    await settle()
    assert files(tmp_path) == []


@pytest.mark.asyncio
async def test_format_error_leaves_nothing(tmp_path: Path, mode: str) -> None:
    queue = FsQueue(tmp_path, buffer_size=10, sync_mode=mode)
    writer = queue.create_body()
    writer.write(BODY)
    assert files(tmp_path) == [f"df{writer.qid}"]
    with pytest.raises(QueueFormatError):
        await queue.commit(envelope(writer.qid, sender="<a>\nRPFD:<evil>"))
    assert files(tmp_path) == []


@pytest.mark.asyncio
async def test_failed_rewrite_keeps_the_old_qf(
    queue: FsQueue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_fsync: None
) -> None:
    env = await commit_one(queue)
    monkeypatch.setattr(fsqueue.os, "replace", _fail(OSError(28, "ENOSPC")))
    with pytest.raises(OSError):
        await queue.commit(envelope(env.qid, attempts=1))
    monkeypatch.undo()
    await settle()
    assert queue.load(env.qid) == env
    assert files(tmp_path) == [f"df{env.qid}", f"qf{env.qid}"]


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", ["df", "tf"])
async def test_a_queue_id_in_use_fails_without_touching_the_other_file(
    queue: FsQueue, tmp_path: Path, no_fsync: None, kind: str
) -> None:
    # O_EXCL on df and tf: another message's (or writer's) file stays as it is
    writer = queue.create_body()
    writer.write(BODY)
    (tmp_path / f"{kind}{writer.qid}").write_bytes(b"someone else's")
    with pytest.raises(FileExistsError):
        await queue.commit(envelope(writer.qid))
    await settle()
    assert files(tmp_path) == [f"{kind}{writer.qid}"]
    assert (tmp_path / f"{kind}{writer.qid}").read_bytes() == b"someone else's"


@pytest.mark.asyncio
# the stages that run in a worker thread: the file writes and the directory fsync
# in the files mode; the syncfs rounds before and after the rename in the fs mode
@pytest.mark.parametrize(("mode", "stage"), [
    (mode, stage) for mode in MODES
    for stage in (("datasync", "renamesync") if mode == "fs" else ("write", "dirsync"))])
async def test_cancelled_commit_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stage: str, mode: str
) -> None:
    queue = FsQueue(tmp_path, sync_mode=mode)
    started = threading.Event()
    release = threading.Event()
    original: Callable[..., None] = {
        "dirsync": fsqueue.fsync_directory, "datasync": fsqueue.syncfs,
        "renamesync": fsqueue.syncfs, "write": fsqueue.os.replace}[stage]
    calls = [0]
    slow_call = 2 if stage == "renamesync" else 1  # the round after the rename

    def slow(*args: str) -> None:
        calls[0] += 1
        if calls[0] == slow_call:
            started.set()
            release.wait(5)
        original(*args)

    if stage == "dirsync":
        monkeypatch.setattr(fsqueue, "fsync_directory", slow)
    elif stage in ("datasync", "renamesync"):
        monkeypatch.setattr(fsqueue, "syncfs", slow)
    else:
        monkeypatch.setattr(fsqueue.os, "replace", slow)
    writer = queue.create_body()
    writer.write(BODY)
    task = asyncio.create_task(queue.commit(envelope(writer.qid)))
    assert await asyncio.to_thread(started.wait, 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    release.set()
    await settle()
    monkeypatch.undo()
    assert files(tmp_path) == []


def _sync_name(mode: str) -> str:
    """The function of fsqueue whose calls are the shared rounds in mode."""
    return "syncfs" if mode == "fs" else "fsync_directory"


def _rounds(queue: FsQueue) -> int:
    group = queue._data_sync if queue.sync_mode == "fs" else queue._sync
    assert group is not None
    return group.rounds


# --------------------------------------------------------------------------- concurrency


@pytest.mark.asyncio
async def test_fifty_concurrent_commits_all_land(queue: FsQueue, tmp_path: Path) -> None:
    envelopes = await asyncio.gather(*(commit_one(queue, BODY + bytes([i])) for i in range(50)))
    qids = {e.qid for e in envelopes}
    assert len(qids) == 50 and set(queue.walk()) == qids
    assert not [n for n in files(tmp_path) if n.startswith("tf")]
    for env in envelopes:
        assert queue.load(env.qid) == env
    assert 1 <= _rounds(queue) <= 100  # two rounds a commit at the most


@pytest.mark.asyncio
async def test_sync_rounds_are_shared(
    queue: FsQueue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    original = getattr(fsqueue, _sync_name(mode))

    def slow_sync(directory: str) -> None:
        time.sleep(0.05)
        original(directory)

    monkeypatch.setattr(fsqueue, _sync_name(mode), slow_sync)
    await asyncio.gather(*(commit_one(queue) for _ in range(20)))
    assert _rounds(queue) <= 4
    assert len(queue.walk()) == 20


@pytest.mark.asyncio
async def test_every_rename_is_covered_by_a_later_sync(
    queue: FsQueue, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    events: list[tuple[str, float, str]] = []
    lock = threading.Lock()
    real_replace, real_sync = fsqueue.os.replace, getattr(fsqueue, _sync_name(mode))

    def replace(src: str, dst: str) -> None:
        real_replace(src, dst)
        with lock:
            events.append(("rename", time.monotonic(), os.path.basename(dst)[2:]))

    def sync(directory: str) -> None:
        with lock:
            events.append(("sync-start", time.monotonic(), ""))
        time.sleep(0.002)
        real_sync(directory)
        with lock:
            events.append(("sync-end", time.monotonic(), ""))

    monkeypatch.setattr(fsqueue.os, "replace", replace)
    monkeypatch.setattr(fsqueue, _sync_name(mode), sync)
    returned: dict[str, float] = {}

    async def one() -> None:
        env = await commit_one(queue)
        returned[env.qid] = time.monotonic()

    await asyncio.gather(*(one() for _ in range(30)))
    syncs = [
        (start[1], end[1])
        for start, end in zip(
            [e for e in events if e[0] == "sync-start"],
            [e for e in events if e[0] == "sync-end"],
            strict=True,
        )
    ]
    for kind, when, qid in events:
        if kind == "rename":
            assert any(when < start and end <= returned[qid] for start, end in syncs), qid


@pytest.mark.skipif("fs" not in MODES, reason="syncfs(2) needs Linux 5.8 or later")
@pytest.mark.asyncio
async def test_syncfs_rounds_are_shared_and_cover_every_tf_before_its_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue = FsQueue(tmp_path, sync_mode="fs")
    events: list[tuple[str, str]] = []
    lock = threading.Lock()
    real_open, real_replace, real_syncfs = fsqueue.os.open, fsqueue.os.replace, fsqueue.syncfs

    def record(kind: str, name: str) -> None:
        with lock:
            events.append((kind, name))

    def opened(path: str, *args: int) -> int:
        fd = real_open(path, *args)
        if os.path.basename(path).startswith("tf"):
            record("tf", os.path.basename(path)[2:])
        return fd

    def replace(src: str, dst: str) -> None:
        record("rename", os.path.basename(dst)[2:])
        real_replace(src, dst)

    def slow_syncfs(path: str) -> None:
        record("syncfs-start", "")
        time.sleep(0.02)
        real_syncfs(path)
        record("syncfs-end", "")

    monkeypatch.setattr(fsqueue.os, "open", opened)
    monkeypatch.setattr(fsqueue.os, "replace", replace)
    monkeypatch.setattr(fsqueue, "syncfs", slow_syncfs)
    await asyncio.gather(*(commit_one(queue) for _ in range(20)))
    monkeypatch.undo()
    assert len(queue.walk()) == 20
    assert queue._data_sync is not None and queue._data_sync.rounds <= 4
    for index, (kind, qid) in enumerate(events):
        if kind != "rename":
            continue
        written = events.index(("tf", qid))
        starts = [i for i, e in enumerate(events) if e[0] == "syncfs-start" and i > written]
        assert starts, qid
        end = events.index(("syncfs-end", ""), starts[0])
        assert end < index, qid


@pytest.mark.asyncio
async def test_quarantined_message_is_an_hf_file(queue: FsQueue, tmp_path: Path,
                                                 no_fsync: None) -> None:
    # Sendmail keeps a quarantined message's control file as hfQID: queue runs skip it
    body = queue.create_body()
    body.write(b"held\n")
    await queue.commit(dataclasses.replace(envelope(body.qid), quarantine_reason="Held"))
    assert files(tmp_path) == sorted(["df" + body.qid, "hf" + body.qid])
    assert queue.walk() == []
    with pytest.raises(QueueError):
        queue.abort(body.qid)
    queue.remove(body.qid)
    assert files(tmp_path) == []
