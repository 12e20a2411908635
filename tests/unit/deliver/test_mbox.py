"""Unit tests of mta.deliver.mbox: format, locking, refusals and all-or-nothing appends."""

from __future__ import annotations

import errno
import mailbox
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mta.deliver.mbox import LockPolicy, MboxError, deliver_mbox, format_from_line
from mta.util.sysexits import ExitCode

QUICK = LockPolicy(timeout=0.05, stale_after=300.0, poll=0.01)
MESSAGE = b"From: Bob <bob@example.org>\nTo: alice@example.org\nSubject: hello\n\nline 1\nline 2\n"


def read_mbox(path: Path) -> list[mailbox.mboxMessage]:
    box = mailbox.mbox(str(path), create=False)
    try:
        return list(box)
    finally:
        box.close()


def test_message_reads_back_with_mailbox_mbox(tmp_path: Path) -> None:
    box = tmp_path / "alice"
    deliver_mbox(str(box), MESSAGE, sender="bob@example.org", when=0.0)
    (msg,) = read_mbox(box)
    assert msg.get_from() == "bob@example.org " + time.asctime(time.localtime(0.0))
    assert msg.items() == [
        ("From", "Bob <bob@example.org>"),
        ("To", "alice@example.org"),
        ("Subject", "hello"),
    ]
    assert msg.get_payload() == "line 1\nline 2\n"
    assert oct(box.stat().st_mode & 0o777) == "0o600"


def test_two_messages_in_a_row(tmp_path: Path) -> None:
    box = tmp_path / "alice"
    deliver_mbox(str(box), MESSAGE, sender="bob@example.org")
    deliver_mbox(str(box), b"Subject: second\n\nbody 2\n", sender="carol@example.org")
    first, second = read_mbox(box)
    assert first["Subject"] == "hello" and first.get_payload() == "line 1\nline 2\n"
    assert second["Subject"] == "second" and second.get_payload() == "body 2\n"
    assert second.get_from().startswith("carol@example.org ")


@pytest.mark.parametrize(
    ("message", "body"),
    [
        (b"Subject: x\n\nFrom the start\nok\n", b"Subject: x\n\n>From the start\nok\n\n"),
        (
            b"Subject: x\n\na\nFrom here\n>From there\n",
            b"Subject: x\n\na\n>From here\n>From there\n\n",
        ),
        (b"Subject: x\r\n\r\nFrom crlf\r\nend\r\n", b"Subject: x\n\n>From crlf\nend\n\n"),
        (b"Subject: x\n\nno final newline", b"Subject: x\n\nno final newline\n\n"),
        (b"Subject: x\n\nbare\rCR\n", b"Subject: x\n\nbare\rCR\n\n"),
        (b"", b"\n"),
        (b"From x\n", b">From x\n\n"),
    ],
)
def test_body_is_escaped_and_terminated(tmp_path: Path, message: bytes, body: bytes) -> None:
    box = tmp_path / "box"
    deliver_mbox(str(box), message, sender="s@example.org", when=0.0)
    assert box.read_bytes() == format_from_line("s@example.org", 0.0) + body


def test_escape_from_off_copies_body(tmp_path: Path) -> None:
    box = tmp_path / "box"
    deliver_mbox(str(box), b"S: x\n\nFrom y\n", sender="s", when=0.0, escape_from=False)
    assert box.read_bytes() == format_from_line("s", 0.0) + b"S: x\n\nFrom y\n\n"


def test_existing_from_line_is_kept_when_asked(tmp_path: Path) -> None:
    box = tmp_path / "box"
    message = b"From old@example.org Mon Jan  1 00:00:00 2024\nSubject: x\n\nFrom b\n"
    deliver_mbox(str(box), message, sender="new@example.org", add_from_line=False)
    assert box.read_bytes() == message.replace(b"\nFrom b", b"\n>From b") + b"\n"
    (msg,) = read_mbox(box)
    assert msg.get_from() == "old@example.org Mon Jan  1 00:00:00 2024"


def test_add_from_line_false_still_writes_one_when_missing(tmp_path: Path) -> None:
    box = tmp_path / "box"
    deliver_mbox(str(box), b"Subject: x\n\n", sender="a@b", when=0.0, add_from_line=False)
    assert box.read_bytes() == format_from_line("a@b", 0.0) + b"Subject: x\n\n\n"


@pytest.mark.parametrize(
    ("sender", "shown"),
    [("", "MAILER-DAEMON"), ("<>", "MAILER-DAEMON"), ("<a@b>", "a@b"), ("a b@c", "a_b@c")],
)
def test_from_line_sender(sender: str, shown: str) -> None:
    assert format_from_line(sender, 0.0) == (
        f"From {shown} {time.asctime(time.localtime(0.0))}\n".encode()
    )


def test_stream_is_read_from_its_position(tmp_path: Path) -> None:
    box = tmp_path / "box"
    with (tmp_path / "spool").open("w+b") as spool:
        spool.write(b"junk\n" + MESSAGE)
        spool.seek(5)
        deliver_mbox(str(box), spool, sender="bob@example.org")
    (msg,) = read_mbox(box)
    assert msg["Subject"] == "hello"


_LINE_TEXT = st.text(
    alphabet=st.sampled_from(list("From abc:>\t.")), min_size=0, max_size=12
).filter(lambda s: not s.startswith("From "))


@settings(max_examples=50, deadline=None)
@given(body_lines=st.lists(_LINE_TEXT, max_size=8))
def test_body_round_trips_through_mailbox_mbox(
    tmp_path_factory: pytest.TempPathFactory, body_lines: list[str]
) -> None:
    box = tmp_path_factory.mktemp("rt") / "box"
    body = "".join(line + "\n" for line in body_lines)
    deliver_mbox(str(box), b"Subject: t\n\n" + body.encode(), sender="s@x")
    deliver_mbox(str(box), b"Subject: u\n\n" + body.encode(), sender="s@x")
    assert [m.get_payload() for m in read_mbox(box)] == [body, body]


def test_stale_dot_lock_is_removed(tmp_path: Path) -> None:
    box = tmp_path / "box"
    lock = tmp_path / "box.lock"
    lock.write_text("0")
    old = time.time() - 301
    os.utime(lock, (old, old))
    deliver_mbox(str(box), MESSAGE, sender="a@b", lock=QUICK)
    assert len(read_mbox(box)) == 1
    assert not lock.exists()


def test_fresh_dot_lock_makes_delivery_tempfail(tmp_path: Path) -> None:
    box = tmp_path / "box"
    deliver_mbox(str(box), MESSAGE, sender="a@b")
    before = box.read_bytes()
    lock = tmp_path / "box.lock"
    lock.write_text("0")
    with pytest.raises(MboxError) as info:
        deliver_mbox(str(box), MESSAGE, sender="a@b", lock=QUICK)
    assert info.value.exit_code == ExitCode.EX_TEMPFAIL
    assert info.value.is_temporary
    assert (info.value.reply.code, info.value.reply.status) == (451, "4.3.0")
    assert lock.exists()  # not ours: left alone
    assert box.read_bytes() == before


def test_our_dot_lock_is_removed_after_delivery(tmp_path: Path) -> None:
    deliver_mbox(str(tmp_path / "box"), MESSAGE, sender="a@b")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["box"]


HOLD_LOCK = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND)
fcntl.lockf(fd, fcntl.LOCK_EX)
print("locked", flush=True)
sys.stdin.read()
"""


def test_fcntl_lock_held_by_another_process_makes_delivery_tempfail(tmp_path: Path) -> None:
    box = tmp_path / "box"
    deliver_mbox(str(box), MESSAGE, sender="a@b")
    before = box.read_bytes()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(box)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "locked\n"
        with pytest.raises(MboxError) as info:
            deliver_mbox(str(box), MESSAGE, sender="a@b", lock=QUICK)
        assert info.value.exit_code == ExitCode.EX_TEMPFAIL
    finally:
        holder.kill()
        holder.wait()
    assert box.read_bytes() == before
    assert not (tmp_path / "box.lock").exists()
    deliver_mbox(str(box), MESSAGE, sender="a@b", lock=QUICK)  # free again
    assert len(read_mbox(box)) == 2


def test_symlinked_mailbox_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.write_bytes(b"precious\n")
    (tmp_path / "box").symlink_to(target)
    with pytest.raises(MboxError) as info:
        deliver_mbox(str(tmp_path / "box"), MESSAGE, sender="a@b")
    assert info.value.exit_code == ExitCode.EX_CANTCREAT
    assert (info.value.reply.code, info.value.reply.status) == (550, "5.2.0")
    assert "symbolic link" in info.value.reply.text
    assert target.read_bytes() == b"precious\n"
    assert not (tmp_path / "box.lock").exists()


def test_dangling_symlink_is_refused(tmp_path: Path) -> None:
    (tmp_path / "box").symlink_to(tmp_path / "nowhere")
    with pytest.raises(MboxError) as info:
        deliver_mbox(str(tmp_path / "box"), MESSAGE, sender="a@b")
    assert info.value.exit_code == ExitCode.EX_CANTCREAT
    assert not (tmp_path / "nowhere").exists()


def test_hard_linked_mailbox_is_refused(tmp_path: Path) -> None:
    box = tmp_path / "box"
    box.write_bytes(b"")
    os.link(box, tmp_path / "other")
    with pytest.raises(MboxError) as info:
        deliver_mbox(str(box), MESSAGE, sender="a@b")
    assert info.value.exit_code == ExitCode.EX_CANTCREAT
    assert "too many links" in info.value.reply.text
    assert box.read_bytes() == b""


def test_directory_as_mailbox_is_refused(tmp_path: Path) -> None:
    (tmp_path / "box").mkdir()
    with pytest.raises(MboxError) as info:
        deliver_mbox(str(tmp_path / "box"), MESSAGE, sender="a@b")
    assert info.value.exit_code == ExitCode.EX_CANTCREAT


def test_wrong_owner_is_refused(tmp_path: Path) -> None:
    box = tmp_path / "box"
    box.write_bytes(b"")
    with pytest.raises(MboxError) as info:
        deliver_mbox(str(box), MESSAGE, sender="a@b", uid=os.geteuid() + 1)
    assert info.value.exit_code == ExitCode.EX_CANTCREAT
    assert "wrong ownership" in info.value.reply.text


def test_missing_directory_tempfails(tmp_path: Path) -> None:
    with pytest.raises(MboxError) as info:
        deliver_mbox(str(tmp_path / "no" / "box"), MESSAGE, sender="a@b", lock=QUICK)
    assert info.value.exit_code == ExitCode.EX_TEMPFAIL


def _failing_write(box: Path, monkeypatch: pytest.MonkeyPatch, err: int) -> None:
    """Make os.write on box's file write 10 bytes once, then fail with err."""
    ino = box.stat().st_ino
    real_write = os.write
    calls = []

    def write(fd: int, data: bytes) -> int:
        if os.fstat(fd).st_ino != ino:
            return real_write(fd, data)
        calls.append(len(data))
        if len(calls) == 1:
            return real_write(fd, bytes(data[:10]))
        raise OSError(err, os.strerror(err))

    monkeypatch.setattr(os, "write", write)


@pytest.mark.parametrize(
    ("err", "bounce_quota", "code", "reply"),
    [
        (errno.ENOSPC, False, ExitCode.EX_TEMPFAIL, (450, "4.2.0")),
        (errno.EIO, False, ExitCode.EX_TEMPFAIL, (450, "4.2.0")),
        (errno.EDQUOT, False, ExitCode.EX_TEMPFAIL, (450, "4.2.0")),
        (errno.EDQUOT, True, ExitCode.EX_UNAVAILABLE, (552, "5.2.2")),
    ],
)
def test_write_failure_truncates_back(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    err: int,
    bounce_quota: bool,
    code: ExitCode,
    reply: tuple[int, str],
) -> None:
    box = tmp_path / "box"
    deliver_mbox(str(box), MESSAGE, sender="a@b")
    before = box.read_bytes()
    _failing_write(box, monkeypatch, err)
    with pytest.raises(MboxError) as info:
        deliver_mbox(str(box), MESSAGE * 3, sender="a@b", bounce_quota=bounce_quota)
    monkeypatch.undo()
    assert info.value.exit_code == code
    assert (info.value.reply.code, info.value.reply.status) == reply
    assert box.read_bytes() == before
    assert not (tmp_path / "box.lock").exists()


def test_unreadable_stream_truncates_back(tmp_path: Path) -> None:
    box = tmp_path / "box"
    deliver_mbox(str(box), MESSAGE, sender="a@b")
    before = box.read_bytes()

    class Broken:
        def __init__(self) -> None:
            self.calls = 0

        def readline(self, limit: int = -1) -> bytes:
            self.calls += 1
            if self.calls < 3:
                return b"Subject: x\n"
            raise OSError(errno.EIO, "Input/output error")

    with pytest.raises(MboxError) as info:
        deliver_mbox(str(box), Broken(), sender="a@b")  # type: ignore[arg-type]
    assert info.value.exit_code == ExitCode.EX_TEMPFAIL
    assert box.read_bytes() == before


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the file away")
def test_new_mailbox_gets_owner_and_group(tmp_path: Path) -> None:
    box = tmp_path / "box"
    deliver_mbox(str(box), MESSAGE, sender="a@b", uid=0, gid=8, write_as=(0, 0))
    assert (box.stat().st_uid, box.stat().st_gid) == (0, 8)
    deliver_mbox(str(box), MESSAGE, sender="a@b", uid=0, gid=8, write_as=(0, 0))
    assert len(read_mbox(box)) == 2
