"""Tests for the pure parts of mta.deliver.runner: settings, groups, selection, transcripts."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from mta.config.loader import load_cf
from mta.deliver.router import RcptState, Recipient
from mta.deliver.runner import (
    RunnerSettings,
    Selector,
    _groups,
    error_transcript,
    queue_groups,
)
from mta.queue.qfformat import QueueEnvelope, QueueRecipient
from mta.rules.resolve import Address

BASE = ("V10/Berkeley\nMsmtp, P=[IPC], F=mDFMuXa, r=2, A=TCP $h\n"
        "Mlocal, P=/bin/true, F=lsw, A=x $u\n")


def test_settings_from_options() -> None:
    config = load_cf("x.cf", text=BASE + (
        "O Timeout.queuewarn=1h\nO Timeout.queuereturn=2d\nO Timeout.rcpt=30s\n"
        "O Timeout.connect=10s\nO MinQueueAge=15m\nO ClientPortOptions=Addr=127.0.0.9,Family=inet\n"
        "O PostmasterCopy=pm\nO MaxQueueChildren=3\nO QueueLA=12\n"))
    settings = RunnerSettings.from_config(config)
    assert (settings.queue_warn, settings.queue_return, settings.min_queue_age) == (
        3600, 2 * 86400, 900)
    assert settings.timeouts.rcpt == 30 and settings.timeouts.connect == 10
    assert settings.timeouts.datafinal == 3600  # the default
    assert settings.source_address == "127.0.0.9" and settings.family == socket.AF_INET
    assert (settings.postmaster_copy, settings.parallel, settings.queue_la) == ("pm", 3, 12)
    assert settings.tls is not None  # opportunistic STARTTLS


def test_queue_groups(tmp_path: Path) -> None:
    for name in ("q1", "q2", "bulk"):
        (tmp_path / name).mkdir()
    config = load_cf("x.cf", text=BASE + (
        f"O QueueDirectory={tmp_path}/q*\n"
        f"Qbulk, P={tmp_path}/bulk, R=4, I=1h\n"
        "Qslow, Runners=1\n"))
    groups = queue_groups(config, "/var/spool/mqueue")
    assert [(g.name, g.directories, g.runners, g.interval) for g in groups] == [
        ("mqueue", (f"{tmp_path}/q1", f"{tmp_path}/q2"), 0, 0),
        ("bulk", (f"{tmp_path}/bulk",), 4, 3600),
        ("slow", (f"{tmp_path}/q1", f"{tmp_path}/q2"), 1, 0),
    ]


@pytest.mark.parametrize(("selector", "expected"), [
    (Selector(), True),
    (Selector(recipient=(("bob", False),)), True),
    (Selector(recipient=(("bob", True),)), False),
    (Selector(sender=(("ALICE", False),)), True),
    (Selector(qid=(("ABC", False),)), False),
    (Selector(qid=(("ABC", True),)), True),
])
def test_selector(selector: Selector, expected: bool) -> None:
    envelope = QueueEnvelope(qid="6B61234", sender="<alice@x>",
                             recipients=(QueueRecipient("<bob@y>", "P"),))
    assert selector.matches(envelope) is expected


def test_groups_by_mailer_and_host_up_to_m() -> None:
    config = load_cf("x.cf", text=BASE)
    smtp, local = config.mailers["smtp"], config.mailers["local"]

    def rcpt(mailer_name: str, host: str | None, user: str) -> Recipient:
        mailer = smtp if mailer_name == "smtp" else local
        return Recipient(user, address=Address(user, mailer_name, mailer, host, user))

    sendq = [rcpt("smtp", "a.test", "1"), rcpt("smtp", "b.test", "2"),
             rcpt("smtp", "A.TEST", "3"), rcpt("local", None, "u"), rcpt("local", None, "v"),
             rcpt("smtp", "a.test", "4")]
    sendq[1].state = RcptState.SENT
    groups = [[r.paddr for r in g] for g in _groups(sendq)]
    assert groups == [["1", "3"], ["u"], ["v"], ["4"]]  # r=2; local has no F=m


def test_error_transcript_pairs_pipelined_commands_with_their_replies() -> None:
    lines = ["<<< 220 mx ESMTP", ">>> EHLO me", "<<< 250-mx", "<<< 250 PIPELINING",
             ">>> MAIL From:<a@b>", ">>> RCPT To:<c@d>", ">>> RCPT To:<e@f>",
             "<<< 250 ok", "<<< 550 5.1.1 no such user", "<<< 250 ok", ">>> DATA",
             "<<< 554-5.6.0 refused", "<<< 554 5.6.0 really", ">>> QUIT", "<<< 221 bye"]
    assert error_transcript("mx.test. [192.0.2.1]", lines) == [
        "... while talking to mx.test.:",
        ">>> RCPT To:<c@d>", "<<< 550 5.1.1 no such user",
        ">>> DATA", "<<< 554-5.6.0 refused", "<<< 554 5.6.0 really"]
    assert error_transcript("mx.test. [192.0.2.1]", lines[:4]) == []


def test_controlling_ids_follow_getctladdr() -> None:
    from mta.deliver.runner import controlling_ids

    owner = Recipient("<alice@localhost>", uid=1000, gid=100)
    forwarded = Recipient("|/usr/bin/vacation alice", parent=owner)
    assert controlling_ids(forwarded) == (1000, 100)  # the .forward's owner
    assert controlling_ids(owner) == (1000, 100)  # a passwd user is its own
    alias = Recipient("/var/log/archive", parent=Recipient("<list@localhost>"))
    assert controlling_ids(alias) is None  # from the aliases file: DefaultUser
    queued = Recipient("/home/bob/mbox", controller="bob:1001:101:<bob@localhost>")
    assert controlling_ids(queued) == (1001, 101)  # the C record of a queued member


@pytest.mark.parametrize("damage", ["no df", "bad qf"])
def test_a_message_that_cannot_be_read_is_set_aside_not_deleted(tmp_path: Path,
                                                                 damage: str) -> None:
    import asyncio

    from mta.deliver.runner import QueueRunner
    from mta.maps.base import MapEnv
    from mta.maps.registry import MapSet
    from mta.queue.fsqueue import FsQueue
    from mta.queue.qfformat import format_qf
    from mta.rules.engine import RuleEngine

    config = load_cf("x.cf", text=BASE + "S0\nR$*\t$#local $: $1\n")
    engine = RuleEngine(config, MapSet(config.maps, MapEnv(options=config.options)))
    queue = FsQueue(str(tmp_path))
    qid = "6B69AAAA000001"
    envelope = QueueEnvelope(qid=qid, sender="<a@b>", recipients=(QueueRecipient("<c@d>", "P"),))
    qf = tmp_path / f"qf{qid}"
    qf.write_bytes(format_qf(envelope) if damage == "no df" else b"V8\nnot a queue file\n")
    if damage == "bad qf":
        (tmp_path / f"df{qid}").write_bytes(b"body\n")
    runner = QueueRunner(config, engine, queue, env=MapEnv(options=config.options))
    asyncio.run(runner.deliver(qid))
    assert not qf.exists()
    assert (tmp_path / f"Qf{qid}").exists()  # kept for the administrator, as loseqfile()
