"""Unit tests for mta.deliver.mime against conversions the real Sendmail 8.17 made.

DESCRIPTION
    Each case of data/mime/ (made by tests/diff/test_mime_real.py) has
    the message as rendered for an SMTP mailer (NAME.in: the header a
    server with 8BITMIME got, the body as queued), what a server without
    8BITMIME got from the same queue run (NAME.out; absent when nothing
    was sent) and the run's inputs (NAME.json: EightBitMode, BODY=,
    DefaultCharSet, host name and queue id). mime8to7 must give NAME.out
    byte for byte. A second comparison runs with another host name and
    queue id and masks only those two words of X-MIME-Autoconverted.

    The round trips decode our output with Python's email package and
    compare every leaf part with the input's (base64 carries LF as CRLF,
    as Sendmail encodes it).
"""

from __future__ import annotations

import email
import email.message
import email.policy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mta.core.reply import Reply
from mta.deliver.mime import (
    MimeClasses,
    convert_8to7,
    has_8bit,
    is_mime,
    mime8to7,
    needs_conversion,
)

DATA = Path(__file__).parent / "data" / "mime"
CASES = sorted(p.stem for p in DATA.glob("*.json"))
_AUTOCONVERTED = re.compile(
    rb"^(X-MIME-Autoconverted: from 8bit to \S+ by )(\S+)( id )(\S+)$", re.M
)


def _run(directory: Path, name: str, host: str | None = None, qid: str | None = None) -> Any:
    meta: dict[str, Any] = json.loads((directory / f"{name}.json").read_text())
    message = (directory / f"{name}.in").read_bytes()
    return meta, mime8to7(
        message,
        host=host or meta["host"],
        qid=qid or meta["qid"],
        mode=meta["mode"],
        body_type=meta["body_type"],
        charset=meta["charset"],
    )


def check_case(directory: Path, name: str) -> None:
    """Assert that mime8to7 gives what the real Sendmail sent (used by the differential test)."""
    meta: dict[str, Any] = json.loads((directory / f"{name}.json").read_text())
    if "qid" not in meta:  # refused at submission: the SMTP server's job, not ours
        assert meta["data_reply"] == "554 5.6.1 Eight bit data not allowed", meta
        return
    _meta, result = _run(directory, name)
    expected = directory / f"{name}.out"
    assert result.reply is None
    assert expected.exists()
    assert result.message.decode("latin-1") == expected.read_bytes().decode("latin-1")


@pytest.mark.parametrize("name", CASES)
def test_fixture(name: str) -> None:
    check_case(DATA, name)


def _mask(text: bytes) -> bytes:
    return _AUTOCONVERTED.sub(rb"\1HOST\3QID", text)


@pytest.mark.parametrize("name", [c for c in CASES if (DATA / f"{c}.out").exists()])
def test_fixture_masked(name: str) -> None:
    _meta, result = _run(DATA, name, host="other.example.test", qid="0123456789abcd")
    expected = (DATA / f"{name}.out").read_bytes()
    assert _mask(result.message) == _mask(expected)
    assert b"0123456789abcd" not in _AUTOCONVERTED.sub(b"", result.message)


# --------------------------------------------------------------------------- round trips


def _leaves(message: email.message.Message) -> list[bytes]:
    """The decoded leaf bodies, base64 CRLF made LF."""
    found: list[bytes] = []
    for part in message.walk():
        if part.is_multipart() or part.get_content_type() == "message/rfc822":
            continue
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        if part.get("Content-Transfer-Encoding", "").lower() == "base64":
            payload = payload.replace(b"\r\n", b"\n")
        found.append(payload)
    return found


# edges: its own test below; no_final: without the closing boundary the last LF is
# content for Sendmail (it encodes it) but not for Python's parser.
@pytest.mark.parametrize(
    "name",
    [c for c in CASES if (DATA / f"{c}.out").exists() and c not in ("edges", "no_final")],
)
def test_round_trip_fixture(name: str) -> None:
    _meta, result = _run(DATA, name)
    policy = email.policy.default
    original = email.message_from_bytes((DATA / f"{name}.in").read_bytes(), policy=policy)
    ours = email.message_from_bytes(result.message, policy=policy)
    assert _leaves(ours) == _leaves(original)
    if result.converted:
        assert result.message.isascii() or b"X-MIME-Autoconverted" not in result.message


def test_round_trip_edges() -> None:
    """The edge case body (long lines, dots, blanks, "=") decodes to the input."""
    _meta, result = _run(DATA, "edges")
    original = (DATA / "edges.in").read_bytes().split(b"\n\n", 1)[1]
    ours = email.message_from_bytes(result.message)
    assert ours.get_payload(decode=True) == original


_TEXT = b"MIME-Version: 1.0\nContent-Type: text/plain; charset=x\n\n"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_round_trip_any_body(data: bytes) -> None:
    body = data.replace(b"\r", b"") + b"\n"
    converted = convert_8to7(_TEXT + body, host="h.test", qid="q1")
    assert converted.isascii()
    assert all(len(line) <= 76 for line in converted.split(b"\n"))
    part = email.message_from_bytes(converted)
    decoded = part.get_payload(decode=True)
    if part["Content-Transfer-Encoding"] == "base64":
        assert decoded == body.replace(b"\n", b"\r\n")
    else:
        assert decoded == body


@settings(max_examples=100, deadline=None)
@given(st.lists(st.binary(min_size=1, max_size=120), min_size=1, max_size=4))
def test_round_trip_multipart(parts: list[bytes]) -> None:
    bodies = [p.replace(b"\r", b"").replace(b"\n", b" ") + b"\n" for p in parts]
    message = b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=zz\n\n"
    for body in bodies:
        message += b"--zz\nContent-Type: text/plain\n\n" + body
    message += b"--zz--\n"
    converted = convert_8to7(message, host="h.test", qid="q1")
    assert converted.isascii()
    got = _leaves(email.message_from_bytes(converted))
    # the LF before a boundary belongs to the boundary (RFC 2046 5.1.1)
    assert got == [b[:-1] for b in bodies]


# --------------------------------------------------------------------------- decisions

LATIN = b"Subject: x\n\ncaf\xe9\n"
LATIN_MIME = b"Subject: x\nMIME-Version: 1.0\n\ncaf\xe9\n"
ASCII = b"Subject: x\n\ncafe\n"


@pytest.mark.parametrize(
    ("message", "mode", "body_type", "mailer_8bit", "dont_mime", "expected"),
    [
        (ASCII, "mimefy", None, False, False, False),
        (LATIN, "mimefy", None, False, False, True),
        (LATIN, "m", "8BITMIME", False, False, True),
        (LATIN, "strict", None, False, False, True),
        (LATIN, "pass8", None, False, False, False),
        (LATIN, "pass8", "8BITMIME", False, False, True),
        (LATIN_MIME, "p", None, False, False, True),
        (LATIN, "mimefy", None, True, False, False),
        (LATIN, "mimefy", None, False, True, True),  # refused
        (LATIN_MIME, "pass8", None, False, True, False),
        (b"Subject: caf\xe9\n\nplain\n", "m", None, False, False, True),
    ],
)
def test_needs_conversion(
    message: bytes,
    mode: str,
    body_type: str | None,
    mailer_8bit: bool,
    dont_mime: bool,
    expected: bool,
) -> None:
    assert (
        needs_conversion(
            message, mode=mode, body_type=body_type, mailer_8bit=mailer_8bit, dont_mime=dont_mime
        )
        is expected
    )


def test_refusal() -> None:
    result = mime8to7(LATIN, host="h", qid="q", mode="s", dont_mime=True, server="[127.0.0.2]")
    assert result.reply == Reply(554, "5.6.3", "[127.0.0.2] does not support 8BITMIME")
    assert not result.converted


def test_unchanged() -> None:
    assert mime8to7(ASCII, host="h", qid="q").message == ASCII
    assert mime8to7(LATIN, host="h", qid="q", mode="pass8").message == LATIN
    assert mime8to7(LATIN, host="h", qid="q", mailer_8bit=True).converted is False


def test_bad_mode() -> None:
    with pytest.raises(ValueError, match="EightBitMode"):
        needs_conversion(LATIN, mode="x")


def test_predicates() -> None:
    assert has_8bit(LATIN) and not has_8bit(ASCII)
    assert is_mime(LATIN_MIME) and not is_mime(LATIN) and is_mime(LATIN, "8bitmime")


def test_quoted_printable_class() -> None:
    """$=q forces quoted-printable where the ratio says base64."""
    message = b"MIME-Version: 1.0\nContent-Type: text/plain\n\n\xe9\xe9\xe9\n"
    assert b"base64" in convert_8to7(message, host="h", qid="q")
    classes = MimeClasses(quoted_printable=frozenset({"text"}))
    converted = convert_8to7(message, host="h", qid="q", classes=classes)
    assert converted.endswith(b"\n\n=E9=E9=E9\n")


def test_missing_boundary_uses_dashes() -> None:
    message = (
        b"MIME-Version: 1.0\nContent-Type: multipart/mixed\n\n-----\n\nxxxxxxxx\xe9\n-------\n"
    )
    converted = convert_8to7(message, host="h", qid="q")
    assert b"\n\n-----\nContent-Transfer-Encoding: quoted-printable\n" in converted
    assert converted.endswith(b"\n\nxxxxxxxx=E9\n-------\n")
