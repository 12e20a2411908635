"""Tests for mta.smtp.auth: PLAIN decoding, Sendmail.conf and the saslauthd protocol."""

from __future__ import annotations

import asyncio
import base64
import struct
from pathlib import Path

import pytest

from mta.smtp.auth import SaslAuthd, b64decode, decode_plain


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\0alice\0secret", ("alice", "secret", "")),
        (b"bob\0alice\0secret", ("alice", "secret", "bob")),
        (b"alice\0secret", None),
    ],
)
def test_decode_plain(data: bytes, expected: tuple[str, str, str] | None) -> None:
    assert decode_plain(data) == expected


def test_b64decode_is_strict() -> None:
    assert b64decode(base64.b64encode(b"x").decode()) == b"x"
    assert b64decode("!!!notbase64!!!") is None


async def _saslauthd(path: str, accounts: dict[str, str]) -> asyncio.AbstractServer:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        fields = []
        for _ in range(4):
            size = struct.unpack("!H", await reader.readexactly(2))[0]
            fields.append((await reader.readexactly(size)).decode())
        ok = accounts.get(fields[0]) == fields[1] and fields[2] == "smtp"
        reply = b"OK" if ok else b"NO bad password"
        writer.write(struct.pack("!H", len(reply)) + reply)
        await writer.drain()
        writer.close()

    return await asyncio.start_unix_server(answer, path)


@pytest.mark.asyncio
async def test_saslauthd_protocol(tmp_path: Path) -> None:
    mux = str(tmp_path / "mux")
    server = await _saslauthd(mux, {"alice": "wonderland"})
    try:
        backend = SaslAuthd(mux)
        assert await backend.check("alice", "wonderland")
        assert not await backend.check("alice", "nope")
        assert not await SaslAuthd(str(tmp_path / "none")).check("alice", "wonderland")
    finally:
        server.close()
        await server.wait_closed()
