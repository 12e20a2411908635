"""Tests for mta.deliver.lmtp: LMTP to our mail.local -l, one reply per recipient."""

from __future__ import annotations

import asyncio
import mailbox
import sys
from pathlib import Path

from mta.deliver.lmtp import deliver_lmtp

MAIL_LOCAL = str(Path(sys.executable).parent / "mail.local")
MESSAGE = b"Subject: hi\n\nline\n.dot\nFrom me\n"


def _run(spool: Path, recipients: list[str], program: str = MAIL_LOCAL) -> list[tuple[int, str]]:
    replies = asyncio.run(deliver_lmtp(
        program, ["mail.local", "-l", "-p", str(spool)], sender="alice@example.test",
        recipients=recipients, data=MESSAGE, environment={}, helo_name="mx.test"))
    return [(r.code, r.status or "") for r in replies]


def test_each_recipient_gets_its_own_reply(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").write_text("")
    (tmp_path / "bad").symlink_to(tmp_path / "elsewhere")  # mail.local refuses symlinks
    replies = _run(tmp_path, ["good", "bad", "bad/name"])
    assert replies[0] == (250, "2.1.5")
    assert replies[1][0] >= 400 and replies[2][0] >= 500  # after DATA; at RCPT
    (message,) = list(mailbox.mbox(str(tmp_path / "good")))
    assert message.get_payload() == "line\n.dot\n>From me\n"
    assert message.get_from().startswith("alice@example.test")


def test_a_program_that_cannot_run_defers_everyone(tmp_path: Path) -> None:
    replies = _run(tmp_path, ["a", "b"], program=str(tmp_path / "missing"))
    assert replies == [(451, "4.0.0"), (451, "4.0.0")]


def test_a_program_that_says_nothing_defers(tmp_path: Path) -> None:
    replies = _run(tmp_path, ["a"], program="/bin/true")
    assert replies == [(451, "4.4.2")]
