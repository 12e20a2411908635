"""SMTP AUTH (PLAIN, LOGIN) for the server, with passwords checked by saslauthd.

SYNOPSIS
    backend = SaslAuthd.from_config()            # reads Sendmail.conf as Cyrus SASL does
    ok = await backend.check("alice", "secret", service="smtp", realm="")
    user, password, authzid = decode_plain(b64text)

DESCRIPTION
    Sendmail does SMTP AUTH through Cyrus SASL, configured by the file
    Sendmail.conf on SASL's search path (/etc/sasl2, /etc/sasl,
    /usr/lib/sasl2 and the multiarch /usr/lib/*/sasl2; the first that has
    it wins). With "pwcheck_method: saslauthd" the password goes to the
    saslauthd daemon over its socket (saslauthd_path, default
    /var/run/saslauthd/mux) as four counted strings (a 2-byte big-endian
    length, then the bytes: user, password, service, realm); the answer is
    one counted string that starts with "OK" or "NO". mech_list limits the
    mechanisms. This module speaks that protocol, so a host's existing
    saslauthd setup works with our daemon as with Sendmail.

    Only PLAIN and LOGIN are offered: the mechanisms whose password a
    saslauthd can check.

DIAGNOSTICS
    check() returns False for a refused password and for a saslauthd that
    cannot be reached (logged); it never raises for bad input.

SEE ALSO
    mta.smtp.session (the AUTH command), RFC 4954, RFC 4616 (PLAIN),
    Sendmail op.me 5.6 (AuthMechanisms, AuthOptions).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import glob
import logging
import struct
from dataclasses import dataclass

log = logging.getLogger(__name__)

SUPPORTED = ("PLAIN", "LOGIN")
DEFAULT_SASLAUTHD = "/var/run/saslauthd/mux"
_SEARCH_PATH = ("/etc/sasl2", "/etc/sasl", "/usr/lib/sasl2", "/usr/lib/*/sasl2")


@dataclass(frozen=True, slots=True)
class SaslAuthd:
    """Password checks through a saslauthd socket."""

    path: str
    mechanisms: tuple[str, ...] = SUPPORTED

    @classmethod
    def from_config(cls, app: str = "Sendmail") -> SaslAuthd | None:
        """The backend Sendmail.conf describes, or None when SASL is not set up for it."""
        for pattern in _SEARCH_PATH:
            for directory in sorted(glob.glob(pattern)):
                conf = _read_conf(f"{directory}/{app}.conf")
                if conf is None:
                    continue
                if conf.get("pwcheck_method", "").lower() != "saslauthd":
                    return None
                mechs = tuple(m.upper() for m in conf.get("mech_list", "").split()) or SUPPORTED
                return cls(conf.get("saslauthd_path", DEFAULT_SASLAUTHD),
                           tuple(m for m in mechs if m in SUPPORTED))
        return None

    async def check(self, user: str, password: str, *, service: str = "smtp",
                    realm: str = "") -> bool:
        """Ask saslauthd whether password is user's."""
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_unix_connection(self.path), 10)
        except (TimeoutError, OSError) as exc:
            log.warning("saslauthd %s: %s", self.path, exc)
            return False
        try:
            writer.write(b"".join(_counted(s) for s in (user, password, service, realm)))
            await writer.drain()
            size = struct.unpack("!H", await asyncio.wait_for(reader.readexactly(2), 30))[0]
            answer = await asyncio.wait_for(reader.readexactly(size), 30)
            return answer.startswith(b"OK")
        except (TimeoutError, OSError, asyncio.IncompleteReadError) as exc:
            log.warning("saslauthd %s: %s", self.path, exc)
            return False
        finally:
            writer.close()


def _counted(text: str) -> bytes:
    data = text.encode("utf-8", "surrogateescape")
    return struct.pack("!H", len(data)) + data


def _read_conf(path: str) -> dict[str, str] | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return None
    conf = {}
    for line in lines:
        key, colon, value = line.partition(":")
        if colon and not key.lstrip().startswith("#"):
            conf[key.strip().lower()] = value.strip()
    return conf


def b64decode(text: str) -> bytes | None:
    """Strict base64, or None (Sendmail: 501 5.5.4 cannot BASE64 decode)."""
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None


def decode_plain(data: bytes) -> tuple[str, str, str] | None:
    """RFC 4616: authzid NUL authcid NUL passwd -> (authcid, password, authzid)."""
    parts = data.split(b"\0")
    if len(parts) != 3:
        return None
    authzid, authcid, password = (p.decode("utf-8", "surrogateescape") for p in parts)
    return authcid, password, authzid
