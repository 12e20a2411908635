"""Tests for mta.smtp.auth: PLAIN decoding, Sendmail.conf and the saslauthd protocol."""

from __future__ import annotations

import asyncio
import base64
import struct
from pathlib import Path

import pytest

from mta.smtp.auth import (
    PasswordFile,
    SaslAuthd,
    b64decode,
    backend_from_config,
    decode_plain,
    hash_password,
    set_password,
    verify_password,
)


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


def test_password_hashes_are_salted_and_checked() -> None:
    stored = hash_password("wonderland")
    assert stored.startswith("scrypt$") and "wonderland" not in stored
    assert stored != hash_password("wonderland")  # a new salt each time
    assert verify_password(stored, "wonderland")
    assert not verify_password(stored, "Wonderland")
    assert not verify_password("plain:text", "plain:text")


def test_set_password_edits_the_file(tmp_path: Path) -> None:
    path = str(tmp_path / "smtp-passwd")
    set_password(path, "alice", "wonderland")
    set_password(path, "bob", "builder")
    assert (tmp_path / "smtp-passwd").stat().st_mode & 0o777 == 0o600
    assert [line.split(":")[0] for line in Path(path).read_text().splitlines()] == \
        ["alice", "bob"]
    set_password(path, "alice", None)
    assert Path(path).read_text().startswith("bob:")
    with pytest.raises(ValueError):
        set_password(path, "a:b", "x")


@pytest.mark.asyncio
async def test_backend_from_sendmail_conf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    passwd = tmp_path / "smtp-passwd"
    set_password(str(passwd), "alice", "wonderland")
    (tmp_path / "Sendmail.conf").write_text(
        f"pwcheck_method: auxprop\nauxprop_plugin: mta\nmta_passwd_path: {passwd}\n"
        "mech_list: PLAIN LOGIN CRAM-MD5\n")
    monkeypatch.setenv("SASL_CONF_PATH", str(tmp_path))
    backend = backend_from_config()
    assert isinstance(backend, PasswordFile) and backend.mechanisms == ("PLAIN", "LOGIN")
    assert await backend.check("alice", "wonderland")
    assert not await backend.check("alice", "nope")
    assert not await backend.check("carol", "wonderland")
    (tmp_path / "Sendmail.conf").write_text("pwcheck_method: saslauthd\n")
    assert isinstance(backend_from_config(), SaslAuthd)
    (tmp_path / "Sendmail.conf").write_text("pwcheck_method: ldapdb\n")
    assert backend_from_config() is None
