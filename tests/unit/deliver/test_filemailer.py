"""Unit tests of the *file* mailer: SafeFileEnvironment, Sendmail's file-safety rules, writers.

What Sendmail 8.17 does (found by running it, tests/diff/test_safefile_real.py):
with SafeFileEnvironment=/safe it chroots into /safe and strips "/safe" from the
front of the name as a string; only a regular file is written there. A symbolic
link, a directory, a file with an execute bit or a second hard link is refused
always; without a chroot (unset, or "/") a FIFO or a device is opened and
written, and its failing fsync defers the message ("I/O error"). Every refusal
is EX_CANTCREAT, "Can't create output", DSN status 5.3.0; /dev/null takes the
message without being opened.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mta.core.reply import Reply
from mta.deliver import runner
from mta.deliver.mbox import (
    MboxError,
    append_file,
    check_file_target,
    safe_file_target,
)
from mta.deliver.router import RcptState, Recipient
from mta.deliver.runner import (
    FILE_CANTCREAT,
    FileJob,
    FileWriter,
    RunnerSettings,
    _append_as,
    _file_reply,
    _file_transcript_line,
    file_writer,
)
from mta.util.sysexits import ExitCode

MESSAGE = b"From alice@example.org Sun Dec  6 09:52:52 2026\nSubject: hi\n\nbody\n"
ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(not ROOT, reason="needs root (chroot, ids)")
DEFAULT = (1, 1)


@pytest.mark.parametrize(("path", "env", "expected"), [
    ("/var/log/f", None, (None, "/var/log/f")),
    ("/var/log/f", "", (None, "/var/log/f")),
    ("/var/log/f", "/", (None, "/var/log/f")),  # "/": no chroot
    ("/safe/logs/f", "/safe", ("/safe", "/logs/f")),  # the prefix is stripped
    ("/logs/f", "/safe", ("/safe", "/logs/f")),  # the same file
    ("/safe/logs/f", "/safe/", ("/safe", "/logs/f")),  # a trailing slash is ignored
    ("/safelogs/f", "/safe", ("/safe", "/logs/f")),  # a string prefix, as Sendmail
    ("/safe", "/safe", ("/safe", "/")),  # the directory itself: refused later
    ("/other/f", "/safe", ("/safe", "/other/f")),  # inside the chroot
])
def test_safe_file_target(path: str, env: str | None,
                          expected: tuple[str | None, str]) -> None:
    assert safe_file_target(path, env) == expected


def test_settings_read_the_file_options() -> None:
    from mta.config.loader import load_cf

    config = load_cf("x.cf", text="V10\nO SafeFileEnvironment=/safe\nO TempFileMode=0640\n"
                                  "O Timeout.fileopen=5s\n")
    settings = RunnerSettings.from_config(config)
    assert (settings.safe_file_env, settings.temp_file_mode, settings.file_open_timeout) == (
        "/safe", 0o640, 5.0)
    plain = RunnerSettings.from_config(load_cf("x.cf", text="V10\n"))
    assert (plain.safe_file_env, plain.temp_file_mode, plain.file_open_timeout) == (
        None, 0o600, 60.0)


# --------------------------------------------------------------------------- append_file


def test_appends_as_is_with_a_blank_line_after(tmp_path: Path) -> None:
    target = tmp_path / "f"
    target.write_bytes(b"old\n")
    target.chmod(0o640)
    append_file(str(target), MESSAGE)
    assert target.read_bytes() == b"old\n" + MESSAGE + b"\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # an existing file keeps its mode


def test_a_new_file_gets_temp_file_mode(tmp_path: Path) -> None:
    target = tmp_path / "new"
    old = os.umask(0o077)
    try:
        append_file(str(target), MESSAGE, new_mode=0o644)
    finally:
        os.umask(old)
    assert target.read_bytes() == MESSAGE + b"\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_dev_null_is_not_opened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a device is refused where only regular files may be written (a chroot), but
    # /dev/null takes the message without being opened or even looked at
    opened: list[str] = []
    real_open, real_lstat = os.open, os.lstat

    def spy_open(path: str, *args: object, **kwargs: object) -> int:
        opened.append(path)
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    def spy_lstat(path: str, *args: object, **kwargs: object) -> os.stat_result:
        opened.append(path)
        return real_lstat(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", spy_open)
    monkeypatch.setattr(os, "lstat", spy_lstat)
    append_file("/dev/null", MESSAGE, regular_only=True)
    assert opened == []
    append_file(str(tmp_path / "f"), MESSAGE)  # the spies do see a real file
    assert str(tmp_path / "f") in opened


def _refusal(path: Path, **kwargs: object) -> MboxError:
    with pytest.raises(MboxError) as caught:
        append_file(str(path), MESSAGE, **kwargs)  # type: ignore[arg-type]
    return caught.value


def test_a_symlink_is_refused(tmp_path: Path) -> None:
    (tmp_path / "target").write_bytes(b"")
    (tmp_path / "link").symlink_to("target")
    error = _refusal(tmp_path / "link")
    assert error.exit_code == ExitCode.EX_CANTCREAT
    assert error.reply.text == f"cannot open {tmp_path}/link: Symbolic links not allowed"
    assert (tmp_path / "target").read_bytes() == b""
    (tmp_path / "dangling").symlink_to("nowhere")
    assert _refusal(tmp_path / "dangling").exit_code == ExitCode.EX_CANTCREAT
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("kind", ["directory", "exec", "hardlink"])
def test_refused_always(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "t"
    if kind == "directory":
        target.mkdir(mode=0o600)  # no execute bit: refused as a directory
    else:
        target.write_bytes(b"")
        if kind == "exec":
            target.chmod(0o610)
        else:
            os.link(target, tmp_path / "second")
    error = _refusal(target)
    assert error.exit_code == ExitCode.EX_CANTCREAT
    if kind != "directory":
        assert target.read_bytes() == b""


@pytest.mark.parametrize("mode", [0o666, 0o660, 0o4644])
def test_writable_by_others_or_setuid_is_written(tmp_path: Path, mode: int) -> None:
    target = tmp_path / "t"
    target.write_bytes(b"")
    target.chmod(mode)
    append_file(str(target), MESSAGE, keep_mode=mode)
    assert target.read_bytes() == MESSAGE + b"\n"
    assert stat.S_IMODE(target.stat().st_mode) == mode


def test_only_the_file_whose_set_id_bits_chose_the_writer(tmp_path: Path) -> None:
    target = tmp_path / "t"
    target.write_bytes(b"")
    st = target.stat()
    append_file(str(target), MESSAGE, same_as=(st.st_dev, st.st_ino))
    (tmp_path / "other").write_bytes(b"")
    os.replace(tmp_path / "other", target)  # replaced meanwhile: another inode
    error = _refusal(target, same_as=(st.st_dev, st.st_ino))
    assert error.exit_code == ExitCode.EX_CANTCREAT
    assert target.read_bytes() == b""


def test_a_missing_directory_cannot_be_opened(tmp_path: Path) -> None:
    error = _refusal(tmp_path / "nodir" / "f")
    assert (error.exit_code, error.reply.text) == (
        ExitCode.EX_CANTCREAT, f"cannot open {tmp_path}/nodir/f: No such file or directory")


@pytest.mark.skipif(ROOT, reason="root may write anything")
def test_permission_denied_is_permanent(tmp_path: Path) -> None:
    target = tmp_path / "ro"
    target.write_bytes(b"")
    target.chmod(0o400)
    assert _refusal(target).exit_code == ExitCode.EX_CANTCREAT


def test_a_fifo_under_a_chroot_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo, 0o600)
    error = _refusal(fifo, regular_only=True)
    assert error.exit_code == ExitCode.EX_CANTCREAT
    with pytest.raises(MboxError):
        check_file_target(str(fifo), os.lstat(fifo), regular_only=True)
    check_file_target(str(fifo), os.lstat(fifo), regular_only=False)


def test_a_fifo_without_a_chroot_is_written_then_deferred(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo, 0o600)
    got: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as handle:
            got.append(handle.read())

    reader = threading.Thread(target=read)
    reader.start()
    error = _refusal(fifo, open_timeout=10.0)
    reader.join(10)
    assert got == [MESSAGE + b"\n"]  # written, as Sendmail does
    assert error.exit_code == ExitCode.EX_IOERR  # fsync fails: "I/O error", deferred


def test_a_fifo_nobody_reads_times_out_temporarily(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo, 0o600)
    started = time.monotonic()
    error = _refusal(fifo, open_timeout=0.3)
    assert error.exit_code == ExitCode.EX_TEMPFAIL  # Timeout.fileopen: "Deferred"
    assert 0.25 < time.monotonic() - started < 5


def test_a_device_without_a_chroot_is_deferred() -> None:
    error = _refusal(Path("/dev/zero"))
    assert error.exit_code == ExitCode.EX_IOERR


# --------------------------------------------------------------------------- the writer


def _file(tmp_path: Path, mode: int, uid: int = 8, gid: int = 12) -> str:
    target = tmp_path / "f"
    target.write_bytes(b"")
    if ROOT:
        os.chown(target, uid, gid)
    target.chmod(mode)
    return str(target)


@needs_root
@pytest.mark.parametrize(("mode", "ctl", "expected"), [
    (0o600, None, (1, 1, 0o600)),  # an aliases-file entry: DefaultUser
    (0o4644, None, (8, 1, 0o4644)),  # set-user-ID: the owner writes
    (0o2644, None, (1, 12, 0o2644)),  # set-group-ID: the file's group
    (0o6644, None, (8, 12, 0o6644)),
    (0o600, (1000, 100), (1000, 100, 0o600)),  # a .forward: its owner
    (0o4644, (1000, 100), (1000, 100, 0o644)),  # who cannot borrow the set-id bits
    (0o600, (0, 0), (1, 1, 0o600)),  # never root
])
def test_file_writer(tmp_path: Path, mode: int, ctl: tuple[int, int] | None,
                     expected: tuple[int, int, int]) -> None:
    writer = file_writer(_file(tmp_path, mode), ctl, DEFAULT)
    assert (writer.uid, writer.gid, writer.keep_mode) == expected


@needs_root
def test_file_writer_never_root_through_set_id_bits(tmp_path: Path) -> None:
    writer = file_writer(_file(tmp_path, 0o6644, uid=0, gid=0), None, DEFAULT)
    assert (writer.uid, writer.gid) == DEFAULT


def test_file_writer_for_a_new_file(tmp_path: Path) -> None:
    writer = file_writer(str(tmp_path / "new"), None, DEFAULT)
    assert (writer.uid, writer.gid, writer.groups, writer.keep_mode) == (1, 1, (1,), None)


# --------------------------------------------------------------------------- the child


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A directory anyone may enter and write (pytest's tmp_path is root's alone)."""
    path = Path(tempfile.mkdtemp(prefix="mta-filemailer-"))
    path.chmod(0o1777)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _job(path: str, chroot: str | None, **kwargs: object) -> FileJob:
    writer = FileWriter(os.geteuid() or DEFAULT[0], os.getegid() or DEFAULT[1],
                        (os.getegid() or DEFAULT[1],), None)
    return FileJob(path, chroot, writer, **kwargs)  # type: ignore[arg-type]


@needs_root
def test_child_chroots_into_the_safe_directory(tmp_path: Path) -> None:
    safe = tmp_path / "safe"
    (safe / "logs").mkdir(parents=True)
    (safe / "logs").chmod(0o777)
    (tmp_path / "logs").mkdir()  # the same name outside: never written
    chroot, path = safe_file_target(f"{safe}/logs/f", str(safe))
    assert _append_as(_job(path, chroot), MESSAGE) == (0, "")
    assert (safe / "logs" / "f").read_bytes() == MESSAGE + b"\n"
    assert (safe / "logs" / "f").stat().st_uid == DEFAULT[0]  # DefaultUser made it
    assert not (tmp_path / "logs" / "f").exists()
    # a link that points outside resolves inside the chroot, and is refused anyway
    (safe / "logs" / "out").symlink_to(str(tmp_path / "victim"))
    status, why = _append_as(_job("/logs/out", str(safe)), MESSAGE)
    assert (status, why) == (ExitCode.EX_CANTCREAT,
                             "cannot open /logs/out: Symbolic links not allowed")
    assert not (tmp_path / "victim").exists()


@needs_root
def test_child_writes_as_the_owner_of_a_setuid_file(open_dir: Path) -> None:
    target = Path(_file(open_dir, 0o4600))  # owned by 8, writable by no one else
    job = FileJob(str(target), None, file_writer(str(target), None, DEFAULT))
    assert _append_as(job, MESSAGE) == (0, "")
    assert target.read_bytes() == MESSAGE + b"\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o4600  # the bit survives the write


def test_child_without_root_cannot_chroot(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(path: str) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "chroot", refuse)  # what a non-root process gets
    status, why = _append_as(_job("/logs/f", str(tmp_path)), MESSAGE)
    assert (status, why) == (ExitCode.EX_CANTCREAT,
                             f"mailfile: Cannot chroot({tmp_path}): Operation not permitted")


@needs_root
def test_as_a_non_root_user(open_dir: Path) -> None:
    """Run as nobody (a RunAsUser): no chroot, so no delivery under one; "/" still works."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the child reports through the pipe)
        try:
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            nobody = FileWriter(65534, 65534, (65534,), None)
            results = [_append_as(FileJob("/f", str(open_dir), nobody), MESSAGE),
                       _append_as(FileJob(str(open_dir / "g"), None, nobody), MESSAGE)]
            os.write(write_end, repr(results).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as handle:
        report = handle.read().decode()
    os.waitpid(pid, 0)
    assert report == repr([
        (int(ExitCode.EX_CANTCREAT),
         f"mailfile: Cannot chroot({open_dir}): Operation not permitted"),
        (0, "")])
    assert (open_dir / "g").read_bytes() == MESSAGE + b"\n"
    assert (open_dir / "g").stat().st_uid == 65534
    assert not (open_dir / "f").exists()


def test_child_without_chroot(open_dir: Path) -> None:
    target = open_dir / "f"
    assert _append_as(_job(str(target), None), MESSAGE) == (0, "")
    assert target.read_bytes() == MESSAGE + b"\n"


# --------------------------------------------------------------------------- replies


def test_replies_and_transcript() -> None:
    assert _file_reply(ExitCode.EX_CANTCREAT) == Reply(550, "5.3.0", "Can't create output")
    assert _file_reply(ExitCode.EX_IOERR).is_temporary
    assert _file_reply(ExitCode.EX_TEMPFAIL).is_temporary
    rcpt = Recipient("/logs/f")
    rcpt.fail(FILE_CANTCREAT)
    assert rcpt.state is RcptState.BADADDR
    # Sendmail's transcript has the sysexits status; its DSN and log have 5.3.0
    assert _file_transcript_line(rcpt) == "550 5.0.0 /logs/f... Can't create output"


def test_runner_module_keeps_no_mbox_for_files() -> None:
    assert not hasattr(runner, "deliver_mbox")  # files are not mailboxes (no dot-lock)
