"""Differential test: our `mailq` against the real `sendmail -bp`, byte for byte.

DESCRIPTION
    The site of tests/diff/test_queue_real.py (the real sendmail-cf's .cf,
    a queue directory, bind-mounted at /mnt in the namespace of
    tests/diff/nsenv.py, so the real sendmail never sees the host network)
    gets a queue written by mta.queue.FsQueue: different priorities and
    creation times, two jobs of equal priority (readdir order is kept), an
    M status record, several recipients, addresses longer than the columns,
    a backslash and 8-bit bytes, the null sender "<>", BODY=8BITMIME, a
    delay-warning flag, a quarantined job (hf file) and a qf locked with
    flock(2) by this test while both commands run (Sendmail lists it with
    "*"). Then the real `sendmail -bp -C site.cf` and ours (the `mailq` and
    `sendmail -bp` console scripts of this virtualenv, run in the same
    namespace) list it with the same arguments, and stdout and the exit
    status must be identical. TZ is set and TimeZoneSpec is empty, so both
    print the Q-Time in that zone.

    Also compared: the empty queue, a missing queue directory, a .cf that
    cannot be opened, -v, -qQ, -qR/-qS/-qI filters, QueueSortOrder=time,
    host and filename, MaxQueueRunSize and QueueLA.

DIAGNOSTICS
    Skipped with a reason when not root, when unshare or namespaces do not
    work, or when /usr/sbin/sendmail, GNU m4 or sendmail-cf are missing.

SEE ALSO
    mta/queue/listing.py, mta/cli/mailq.py, tests/diff/test_queue_real.py,
    tests/unit/queue/test_listing.py.
"""

from __future__ import annotations

import asyncio
import difflib
import fcntl
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from test_queue_real import CF, NS, QUEUE, REAL_SENDMAIL, RUN_ENV, Site, build_site
from test_queue_real import unavailable_reason as _queue_unavailable

from mta.queue.fsqueue import FsQueue
from mta.queue.qfformat import QueueEnvelope, QueueHeader, QueueRecipient, envelope_flags

OUR_MAILQ = Path(sys.executable).with_name("mailq")
OUR_SENDMAIL = Path(sys.executable).with_name("sendmail")
TZ = "America/New_York"
BASE_TIME = 1607238000  # Sun Dec  6 07:00:00 2020 UTC
ENV = {**RUN_ENV, "TZ": TZ}


def unavailable_reason() -> str | None:
    """Why the real sendmail cannot be run here, or None."""
    reason = _queue_unavailable()
    if reason is None and not OUR_MAILQ.exists():
        return f"our mailq console script is not installed ({OUR_MAILQ})"
    return reason


needs_real = pytest.mark.skipif(unavailable_reason() is not None, reason=str(unavailable_reason()))
pytestmark = [pytest.mark.differential, needs_real]

# (sender, recipients, body, minutes after BASE_TIME, priority, extra envelope fields)
MESSAGES: tuple[tuple[str, tuple[str, ...], bytes, int, int, dict[str, object]], ...] = (
    ("<alice@example.test>", ("<bob@remote.example.net>",), b"hello\n", 0, 90000, {}),
    (
        "<carol@example.test>",
        ("<dave@partner.test>", "<erin@remote.example.net>", "<frank@gw.example.test>"),
        b"three recipients\n",
        1,
        30000,
        {"status_message": "Deferred: Connection refused by mx.partner.test",
         "body_type": "8BITMIME", "flags": envelope_flags(has_8bit=True)},
    ),
    ("<>", ("<postmaster@example.test>",), b"bounce\n" * 40, 2, 30000, {}),
    (
        "<" + "very.long.sender.name" * 3 + "@example.test>",
        ("<" + "r" * 70 + "@remote.example.net>", "<back\\slash@example.test>"),
        b"x" * 5000 + b"\n",
        3,
        60000,
        {"body_type": "7BIT", "status_message": "s" * 130},
    ),
    (
        "<caf\u00e9@example.test>",
        ("<u\u0101@remote.example.net>",),
        b"8bit\n",
        4,
        10,
        {"flags": envelope_flags(warning_sent=True)},
    ),
    (
        "<held@example.test>",
        ("<q@remote.example.net>",),
        b"quarantined\n",
        5,
        40000,
        {"quarantine_reason": "suspicious attachment"},
    ),
    ("<lock@example.test>", ("<l@partner.test>",), b"being delivered\n", 6, 20000, {}),
)
LOCKED = len(MESSAGES) - 1  # the message whose qf the test locks

ARGUMENT_SETS: tuple[tuple[str, ...], ...] = (
    (),
    ("-v",),
    ("-qQ",),
    ("-qQ", "-v"),
    ("-qRremote.example.net",),
    ("-q!Sexample.test",),
    ("-OQueueSortOrder=time",),
    ("-OQueueSortOrder=host",),
    ("-OQueueSortOrder=filename",),
    ("-OMaxQueueRunSize=2",),
    ("-OQueueLA=0", "-OQueueFactor=50000"),
)


def _write_queue(queue_dir: Path) -> list[str]:
    """Commit MESSAGES with FsQueue; return their queue ids in MESSAGES order."""
    queue = FsQueue(queue_dir)
    qids: list[str] = []

    async def write_all() -> None:
        for sender, rcpts, body, minutes, priority, extra in MESSAGES:
            writer = queue.create_body()
            writer.write(body)
            fields: dict[str, object] = {"flags": envelope_flags(), **extra}
            envelope = QueueEnvelope(
                qid=writer.qid,
                sender=sender,
                recipients=tuple(QueueRecipient.from_rcpt(r) for r in rcpts),
                headers=(QueueHeader.from_message("Subject", b" mailq test"),),
                macros=(("r", "ESMTP"),),
                created=BASE_TIME + 60 * minutes,
                priority=priority,
                **fields,  # type: ignore[arg-type]
            )
            await queue.commit(envelope)
            qids.append(writer.qid)

    with FsQueue.fsync_disabled():
        asyncio.run(write_all())
    return qids


def _run(site: Site, program: Path, args: Sequence[str]) -> subprocess.CompletedProcess[bytes]:
    argv = site.env.argv([str(program), "-C", CF, "-O", f"QueueDirectory={QUEUE}",
                          "-O", "TimeZoneSpec=", "-bp", *args])
    return subprocess.run(argv, capture_output=True, env=ENV, timeout=120, check=False)


def _assert_same(site: Site, args: Sequence[str], program: Path = OUR_MAILQ) -> bytes:
    real = _run(site, REAL_SENDMAIL, args)
    ours = _run(site, program, args)
    diff = "".join(difflib.unified_diff(
        real.stdout.decode("latin-1").splitlines(True),
        ours.stdout.decode("latin-1").splitlines(True), "real", "ours"))
    assert ours.stdout == real.stdout, f"{args}:\n{diff}\nours stderr: {ours.stderr!r}"
    assert ours.returncode == real.returncode, (args, real.stderr, ours.stderr)
    return real.stdout


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return build_site(tmp_path_factory.mktemp("mailq_real"))


@pytest.fixture(scope="module")
def queued(site: Site) -> Iterator[list[str]]:
    """The queue of MESSAGES, with the qf of MESSAGES[LOCKED] locked as a delivery locks it."""
    site.clear_queue()
    qids = _write_queue(site.queue)
    with open(site.queue / f"qf{qids[LOCKED]}", "rb") as locked:
        fcntl.flock(locked, fcntl.LOCK_EX)
        yield qids
    site.clear_queue()


def test_empty_queue(site: Site) -> None:
    site.clear_queue()
    assert _assert_same(site, ()) == f"{NS}/mqueue is empty\n\t\tTotal requests: 0\n".encode()


@pytest.mark.parametrize("args", ARGUMENT_SETS, ids=lambda a: " ".join(a) or "plain")
def test_listing_is_identical(site: Site, queued: list[str], args: tuple[str, ...]) -> None:
    out = _assert_same(site, args)
    if not args:
        assert f"{queued[LOCKED]}*".encode() in out  # the flock was seen
        assert b"Total requests: 6\n" in out


def test_sendmail_bp_entry_point(site: Site, queued: list[str]) -> None:
    _assert_same(site, ("-v",), program=OUR_SENDMAIL)


def test_one_message(site: Site) -> None:
    site.clear_queue()
    queue = FsQueue(site.queue)

    async def one() -> None:
        writer = queue.create_body()
        writer.write(b"body\n")
        await queue.commit(QueueEnvelope(
            qid=writer.qid, sender="<a@example.test>",
            recipients=(QueueRecipient.from_rcpt("<b@remote.example.net>"),),
            created=BASE_TIME, priority=30005, flags=envelope_flags()))

    with FsQueue.fsync_disabled():
        asyncio.run(one())
    out = _assert_same(site, ())
    assert b"(1 request)" in out and b"Sun Dec  6 02:00 <a@example.test>\n" in out
    site.clear_queue()


@pytest.mark.parametrize(
    "args",
    [("-OQueueDirectory=/mnt/nonexistent",), ("-oQ/mnt/nonexistent",)],
    ids=["-O", "-oQ"],
)
def test_missing_queue_directory(site: Site, args: tuple[str, ...]) -> None:
    _assert_same(site, args)


def test_cf_that_cannot_be_opened(site: Site) -> None:
    results = [
        subprocess.run(site.env.argv([str(p), "-C", f"{NS}/none.cf", "-bp"]),
                       capture_output=True, env=ENV, timeout=120, check=False)
        for p in (REAL_SENDMAIL, OUR_MAILQ)
    ]
    assert results[1].stdout == results[0].stdout
    assert results[1].returncode == results[0].returncode == 72
