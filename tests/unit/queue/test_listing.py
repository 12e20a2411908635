"""Tests for mta.queue.listing: the `sendmail -bp` text for queue directories.

DESCRIPTION
    Queue files are written with format_qf (and FsQueue) into tmp_path; the
    expected texts are what the real Sendmail 8.17.1.9 printed for the same
    files (tests/diff/test_mailq_real.py repeats the comparison live).
    TZ is UTC, so the Q-Time column is fixed.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mta.queue.fsqueue import FsQueue
from mta.queue.listing import (
    COLUMNS,
    VERBOSE_COLUMNS,
    ListingOptions,
    QueueMatch,
    QueueMode,
    SortOrder,
    _prtstr,
    format_queue_listing,
    queue_listing_status,
    queue_summary,
)
from mta.queue.qfformat import QueueEnvelope, QueueHeader, QueueRecipient, format_qf

T0 = 1607238000  # Sun Dec  6 07:00:00 2020 UTC
TOTAL = "\t\tTotal requests: {}\n"


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def put(
    directory: Path,
    qid: str,
    *,
    sender: str = "<a@example.test>",
    rcpts: tuple[str, ...] = ("<b@example.net>",),
    body: bytes | None = b"hello\n",
    created: int = T0,
    priority: int = 30100,
    prefix: str = "qf",
    df_directory: Path | None = None,
    **fields: str,
) -> None:
    """Write prefix+qid (format_qf) and dfQID."""
    envelope = QueueEnvelope(
        qid=qid, sender=sender,
        recipients=tuple(QueueRecipient.from_rcpt(r) for r in rcpts),
        headers=(QueueHeader.from_message("Subject", b" x"),),
        created=created, priority=priority, flags=fields.pop("flags", "s"), **fields,  # type: ignore[arg-type]
    )
    (directory / f"{prefix}{qid}").write_bytes(format_qf(envelope))
    if body is not None:
        ((df_directory or directory) / f"df{qid}").write_bytes(body)


def raw(directory: Path, qid: str, qf: bytes, body: bytes = b"") -> None:
    (directory / f"qf{qid}").write_bytes(qf)
    (directory / f"df{qid}").write_bytes(body)


def header(directory: Path, count: int, *, verbose: bool = False) -> str:
    plural = "" if count == 1 else "s"
    return f"\t\t{directory} ({count} request{plural})\n{VERBOSE_COLUMNS if verbose else COLUMNS}\n"


# ---------------------------------------------------------------- whole listings


def test_empty_queue(tmp_path: Path) -> None:
    assert format_queue_listing(str(tmp_path)) == f"{tmp_path} is empty\n" + TOTAL.format(0)


def test_one_message(tmp_path: Path) -> None:
    put(tmp_path, "0B6H0000000001")
    assert format_queue_listing(str(tmp_path)) == (
        header(tmp_path, 1)
        + "0B6H0000000001        6 Sun Dec  6 07:00 <a@example.test>\n"
        "\t\t\t\t\t <b@example.net>\n" + TOTAL.format(1)
    )


def test_one_message_verbose(tmp_path: Path) -> None:
    put(tmp_path, "0B6H0000000001")
    assert format_queue_listing(str(tmp_path), verbose=True) == (
        header(tmp_path, 1, verbose=True)
        + "0B6H0000000001        6      30100 Dec  6 07:00 <a@example.test>\n"
        "\t\t\t\t\t\t<b@example.net>\n" + TOTAL.format(1)
    )


def test_written_by_fsqueue(tmp_path: Path) -> None:
    queue = FsQueue(tmp_path)

    async def commit() -> str:
        writer = queue.create_body()
        writer.write(b"x" * 1234)
        await queue.commit(QueueEnvelope(
            qid=writer.qid, sender="<>", recipients=(QueueRecipient.from_rcpt("<p@q.r>"),),
            created=T0 + 3600, priority=5))
        return writer.qid

    with FsQueue.fsync_disabled():
        qid = asyncio.run(commit())
    assert format_queue_listing(str(tmp_path)) == (
        header(tmp_path, 1)
        + f"{qid}     1234 Sun Dec  6 08:00 <>\n\t\t\t\t\t <p@q.r>\n" + TOTAL.format(1)
    )


def test_priority_order_status_body_type_and_long_addresses(tmp_path: Path) -> None:
    put(tmp_path, "0B6H0000000001", priority=90000)
    put(tmp_path, "0B6H0000000002", priority=30000, created=T0 + 60,
        status_message="Deferred: Connection refused by mx.example.net", body_type="8BITMIME")
    put(tmp_path, "0B6H0000000003", priority=30001, created=T0 + 120, sender="<>",
        rcpts=("<x@y.z>", "<p@q.r>", "<" + "l" * 60 + "@example.org>"))
    put(tmp_path, "0B6H0000000004", priority=60000, created=T0 + 180,
        sender="<" + "s" * 50 + "@example.com>", body_type="7BIT")
    put(tmp_path, "0B6H0000000005", priority=30002, created=T0 + 240, status_message="x" * 120)
    put(tmp_path, "0B6H0000000006", priority=10, created=T0 + 240,
        sender="<we\\ird\x01\xe9@example.com>", rcpts=("<back\\slash@x>", "tab\there"))
    assert format_queue_listing(str(tmp_path)) == header(tmp_path, 6) + (
        "0B6H0000000006        6 Sun Dec  6 07:04 <we\\\\ird\\001\\303\\251@example.com>\n"
        "\t\t\t\t\t <back\\\\slash@x>\n"
        "\t\t\t\t\t tab\\011here\n"
        "0B6H0000000002        6 Sun Dec  6 07:01 <a@example.test>\n"
        "      8BITMIME   (Deferred: Connection refused by mx.example.net)\n"
        "\t\t\t\t\t <b@example.net>\n"
        "0B6H0000000003        6 Sun Dec  6 07:02 <>\n"
        "\t\t\t\t\t <x@y.z>\n"
        "\t\t\t\t\t <p@q.r>\n"
        "\t\t\t\t\t <lllllllllllllllllllllllllllllllllllll\n"
        "0B6H0000000005        6 Sun Dec  6 07:04 <a@example.test>\n"
        "                 (" + "x" * 60 + ")\n"
        "\t\t\t\t\t <b@example.net>\n"
        "0B6H0000000004        6 Sun Dec  6 07:03 <" + "s" * 38 + "\n"
        "          7BIT\n"
        "\t\t\t\t\t <b@example.net>\n"
        "0B6H0000000001        6 Sun Dec  6 07:00 <a@example.test>\n"
        "\t\t\t\t\t <b@example.net>\n"
    ) + TOTAL.format(6)


def test_locked_qf_is_starred(tmp_path: Path) -> None:
    put(tmp_path, "0B6H0000000001")
    with open(tmp_path / "qf0B6H0000000001", "rb") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        locked = format_queue_listing(str(tmp_path))
    assert "0B6H0000000001*       6 Sun Dec  6 07:00" in locked
    assert "0B6H0000000001        6" in format_queue_listing(str(tmp_path))


def test_verbose_control_records_warning_and_late_status(tmp_path: Path) -> None:
    raw(tmp_path, "0B6H0000000007",
        b"V8\nT1607238000\nK1607238000\nN1\nP5\nFw\nC:root\nSfoo\nCuser:1:1\nRPF:bar\n"
        b"Mlate status\nR:baz\n.\n")
    text = format_queue_listing(str(tmp_path), verbose=True)
    assert text == header(tmp_path, 1, verbose=True) + (
        "0B6H0000000007 \n\t\t\t\t\t\t(---:root---)       0          5+Dec  6 07:00 foo\n"
        "\t\t\t\t\t\t(---user:1:1---)\n\t\t\t\t\t\tbar\n\t\t\t\t\t\tbaz\n\t\t (late status)\n"
    ) + TOTAL.format(1)


def test_damaged_control_files(tmp_path: Path) -> None:
    raw(tmp_path, "0B6H0000000004", b"garbage\n", b"1234")
    raw(tmp_path, "0B6H0000000008", b"V8\nP-7\nS<x>\nR<y>\n.\n")
    raw(tmp_path, "A", b"V8\nT1607238000\nP4\nSshort\nRx\n")
    assert format_queue_listing(str(tmp_path)) == header(tmp_path, 3) + (
        "0B6H0000000008        0 Thu Jan  1 00:00 <x> (no control file)\n"
        "            A        0 Sun Dec  6 07:00 short\n"
        "0B6H0000000004  (no control file)\n"
    ) + TOTAL.format(3)


def test_long_line_is_read_in_pieces(tmp_path: Path) -> None:
    raw(tmp_path, "0B6H0000000001",
        b"V8\nT1607238000\nP6\nS" + b"x" * 2046 + b"R:zzz\nR:normal\n.\n", b"abc")
    assert format_queue_listing(str(tmp_path)) == header(tmp_path, 1) + (
        "0B6H0000000001        3 Sun Dec  6 07:00 " + "x" * 39 + "\n"
        "\t\t\t\t\t zzz\n\t\t\t\t\t normal\n"
    ) + TOTAL.format(1)


def test_missing_df_file_has_size_minus_one(tmp_path: Path) -> None:
    put(tmp_path, "0B6H0000000001", body=None)
    assert "0B6H0000000001       -1 Sun Dec  6 07:00" in format_queue_listing(str(tmp_path))


def test_quarantined_and_lost_listings(tmp_path: Path) -> None:
    put(tmp_path, "0B6H0000000001", prefix="hf", priority=90000,
        quarantine_reason="suspicious stuff here")
    put(tmp_path, "0B6H0000000002", prefix="Qf")
    assert format_queue_listing(str(tmp_path)) == f"{tmp_path} is empty\n" + TOTAL.format(0)
    quarantined = ListingOptions(mode=QueueMode.QUARANTINE)
    assert format_queue_listing(str(tmp_path), options=quarantined) == header(tmp_path, 1) + (
        "0B6H0000000001        6 Sun Dec  6 07:00 <a@example.test>\n"
        "     QUARANTINE: suspicious stuff here\n\t\t\t\t\t <b@example.net>\n"
    ) + TOTAL.format(1)
    lost = format_queue_listing(str(tmp_path), options=ListingOptions(mode=QueueMode.LOST))
    assert "0B6H0000000002?       6 Sun Dec  6 07:00 <a@example.test>\n" in lost


def test_q_record_in_a_qf_file_is_listed(tmp_path: Path) -> None:
    put(tmp_path, "0B6H0000000002", quarantine_reason="q in a qf file")
    assert "\n     QUARANTINE: q in a qf file\n" in format_queue_listing(str(tmp_path))
    # a recipient filter makes Sendmail read on to the q record: then it is skipped
    only = ListingOptions(recipients=(QueueMatch("example"),))
    assert " is empty\n" in format_queue_listing(str(tmp_path), options=only)


def test_directory_entries_that_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "qfDIR").mkdir()
    raw(tmp_path, "N" * 19, b"V8\nT1607238000\nP5\nSlen21\n.\n")
    put(tmp_path, "0B6H0000000001")
    quiet = format_queue_listing(str(tmp_path))
    assert quiet.startswith(f"gatherq: {tmp_path}/qfDIR is not a regular file")
    assert "(1 request)" in quiet
    loud = format_queue_listing(str(tmp_path), verbose=True)
    assert f"gatherq: qf{'N' * 19} too long, 21 max characters\n" in loud


def test_qf_and_df_subdirectories(tmp_path: Path) -> None:
    (tmp_path / "qf").mkdir()
    (tmp_path / "df").mkdir()
    put(tmp_path / "qf", "0B6H0000000001", df_directory=tmp_path / "df")
    assert format_queue_listing(str(tmp_path)).startswith(
        f"\t\t{tmp_path}/df (1 request)\n{COLUMNS}\n0B6H0000000001        6 ")


def test_missing_queue_directory(tmp_path: Path) -> None:
    missing = str(tmp_path / "none")
    assert queue_listing_status(missing) == (
        f"can not chdir({missing}/): No such file or directory\n", 78)
    assert queue_listing_status(str(tmp_path))[1] == 0


# ---------------------------------------------------------------- markers, limits, filters


def test_too_young_and_queue_only_markers(tmp_path: Path) -> None:
    now = T0 + 100000
    raw(tmp_path, "0B6H0000000002", b"V8\nT%d\nK%d\nN1\nP7\nSyoung\nR:r\n.\n" % (now, now))
    raw(tmp_path, "0B6H0000000003", b"V8\nT%d\nK%d\nN0\nP8\nSyoungN0\nR:r\n.\n" % (now, now))
    raw(tmp_path, "0B6H0000000004",
        b"V8\nT%d\nK%d\nN1\nP900000\nShighpri\nR:r\n.\n" % (now, now - 10000))
    aged = format_queue_listing(str(tmp_path), now=now,
                                options=ListingOptions(min_queue_age=3600, load_average=0))
    assert "0B6H0000000002-" in aged and "0B6H0000000003 " in aged
    assert "0B6H0000000004 " in aged
    busy = ListingOptions(queue_la=0, queue_factor=500000, load_average=0)
    loaded = format_queue_listing(str(tmp_path), now=now, options=busy)
    assert "0B6H0000000004X" in loaded and "0B6H0000000002 " in loaded


def test_max_queue_run_size(tmp_path: Path) -> None:
    for n, priority in enumerate((5, 6, 7), 1):
        put(tmp_path, f"0B6H000000000{n}", priority=priority)
    text = format_queue_listing(str(tmp_path), options=ListingOptions(max_queue_run=2))
    assert text.startswith(f"\t\t{tmp_path} (3 requests, only 2 printed)\n")
    assert text.count("<a@example.test>") == 2 and text.endswith(TOTAL.format(3))


@pytest.mark.parametrize(
    ("options", "listed"),
    [
        (ListingOptions(ids=(QueueMatch("0000000002"),)), {"2"}),
        (ListingOptions(ids=(QueueMatch("0000000002", negate=True),)), {"1", "3"}),
        (ListingOptions(ids=(QueueMatch("0000000002"), QueueMatch("03"))), {"2", "3"}),
        (ListingOptions(senders=(QueueMatch("CAROL"),)), {"2"}),
        (ListingOptions(recipients=(QueueMatch("partner"),)), {"3"}),
        (ListingOptions(recipients=(QueueMatch("partner", negate=True),)), {"1", "2"}),
        (ListingOptions(ids=(QueueMatch("zzz"),)), set()),
    ],
)
def test_filters(tmp_path: Path, options: ListingOptions, listed: set[str]) -> None:
    put(tmp_path, "0B6H0000000001", priority=1)
    put(tmp_path, "0B6H0000000002", priority=2, sender="<carol@example.test>")
    put(tmp_path, "0B6H0000000003", priority=3, rcpts=("<d@partner.test>",))
    text = format_queue_listing(str(tmp_path), options=options)
    found = {line[13] for line in text.splitlines() if line.startswith("0B6H")}
    assert found == listed
    assert text.endswith(TOTAL.format(len(listed)))


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        (SortOrder.PRIORITY, ["3", "1", "2"]),
        (SortOrder.TIME, ["2", "3", "1"]),
        (SortOrder.FILENAME, ["1", "2", "3"]),
        (SortOrder.HOST, ["2", "1", "3"]),
    ],
)
def test_sort_orders(tmp_path: Path, order: SortOrder, expected: list[str]) -> None:
    put(tmp_path, "0B6H0000000001", priority=20, created=T0 + 300, rcpts=("<x@b.example>",))
    put(tmp_path, "0B6H0000000002", priority=30, created=T0, rcpts=("<x@a.example>",))
    put(tmp_path, "0B6H0000000003", priority=10, created=T0 + 100, rcpts=("<x@c.example>",))
    text = format_queue_listing(str(tmp_path), options=ListingOptions(sort_order=order))
    assert [line[13] for line in text.splitlines() if line.startswith("0B6H")] == expected


def test_unopened_orders_show_priority_zero(tmp_path: Path) -> None:
    put(tmp_path, "0B6H0000000001", priority=20)
    text = format_queue_listing(str(tmp_path), verbose=True,
                                options=ListingOptions(sort_order=SortOrder.NONE))
    assert "0B6H0000000001        6          0 Dec  6 07:00" in text


@pytest.mark.parametrize(
    ("value", "order"),
    [("priority", SortOrder.PRIORITY), ("Host", SortOrder.HOST), ("t", SortOrder.TIME),
     ("filename", SortOrder.FILENAME), ("modification", SortOrder.MODIFICATION),
     ("none", SortOrder.NONE), (None, SortOrder.PRIORITY), ("", SortOrder.PRIORITY)],
)
def test_sort_order_from_option(value: str | None, order: SortOrder) -> None:
    assert SortOrder.from_option(value) is order


# ---------------------------------------------------------------- prtstr, -bP


@pytest.mark.parametrize(
    ("raw_text", "limit", "shown"),
    [
        (b"<a@b>", 39, "<a@b>"),
        (b"x" * 50, 39, "x" * 39),
        (b"a\\b", 39, "a\\\\b"),
        (b"\\", 1, ""),
        (b"tab\there", 38, "tab\\011here"),
        (b"\xc3\xa9", 39, "\\303\\251"),
        (b"abc\x01", 4, "abc"),  # no room for \\001
        (b"ab\x01", 6, "ab"),
        (b"ab\x01", 7, "ab\\001"),
        (b"a\x00b", 39, "a"),
    ],
)
def test_prtstr(raw_text: bytes, limit: int, shown: str) -> None:
    assert _prtstr(raw_text, limit) == shown


def test_queue_summary_without_shared_memory() -> None:
    assert queue_summary() == "Data unavailable: shared memory not updated\n"


def test_directory_mtime_order_is_not_needed_for_modification(tmp_path: Path) -> None:
    put(tmp_path, "0B6H0000000001")
    put(tmp_path, "0B6H0000000002")
    os.utime(tmp_path / "qf0B6H0000000001", (T0 + 10, T0 + 10))
    os.utime(tmp_path / "qf0B6H0000000002", (T0, T0))
    text = format_queue_listing(str(tmp_path),
                                options=ListingOptions(sort_order=SortOrder.MODIFICATION))
    assert [line[13] for line in text.splitlines() if line.startswith("0B6H")] == ["2", "1"]
