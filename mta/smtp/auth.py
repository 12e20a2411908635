"""SMTP AUTH (PLAIN, LOGIN) for the server, with passwords checked by saslauthd.

SYNOPSIS
    backend = backend_from_config()              # reads Sendmail.conf as Cyrus SASL does
    ok = await backend.check("alice", "secret", service="smtp", realm="")
    user, password, authzid = decode_plain(b64text)
    set_password("/etc/mail/smtp-passwd", "alice", "secret")   # what `mta passwd` does

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

    Our own password file is the other method: "pwcheck_method: auxprop"
    with "auxprop_plugin: mta" and "mta_passwd_path: FILE" (default
    /etc/mail/smtp-passwd). FILE has a line "user:scrypt$n$r$p$salt$hash" per
    user (base64 salt and hash, 16 random salt bytes, scrypt n=2**14, r=8,
    p=1), written by `mta passwd`; no password is ever stored in clear. The
    scrypt check runs in a thread, so a login does not stall other sessions.

    SASL_CONF_PATH (directories separated by colons) replaces the search
    path, as it does for Cyrus SASL.

    Only PLAIN and LOGIN are offered: the mechanisms whose password these
    methods can check.

DIAGNOSTICS
    check() returns False for a refused password and for a saslauthd or a
    password file that cannot be used (logged); it never raises for bad
    input. set_password raises ValueError for a user name with ":" or a line
    break, OSError when the file cannot be written.

SEE ALSO
    mta.smtp.session (the AUTH command), RFC 4954, RFC 4616 (PLAIN),
    Sendmail op.me 5.6 (AuthMechanisms, AuthOptions).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import glob
import hashlib
import hmac
import logging
import os
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
    def from_config(cls, app: str = "Sendmail") -> SaslAuthd | PasswordFile | None:
        """The backend Sendmail.conf describes (see backend_from_config)."""
        return backend_from_config(app)

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


DEFAULT_PASSWD = "/etc/mail/smtp-passwd"
_SCRYPT = (2**14, 8, 1)


def backend_from_config(app: str = "Sendmail") -> SaslAuthd | PasswordFile | None:
    """The password check Sendmail.conf asks for, or None when SASL is not set up."""
    path = os.environ.get("SASL_CONF_PATH")
    patterns = path.split(":") if path else _SEARCH_PATH
    for pattern in patterns:
        for directory in sorted(glob.glob(pattern)):
            conf = _read_conf(f"{directory}/{app}.conf")
            if conf is None:
                continue
            mechs = tuple(m.upper() for m in conf.get("mech_list", "").split()) or SUPPORTED
            mechs = tuple(m for m in mechs if m in SUPPORTED)
            methods = conf.get("pwcheck_method", "").lower().split()
            if "saslauthd" in methods:
                return SaslAuthd(conf.get("saslauthd_path", DEFAULT_SASLAUTHD), mechs)
            if "auxprop" in methods and conf.get("auxprop_plugin", "").lower() == "mta":
                return PasswordFile(conf.get("mta_passwd_path", DEFAULT_PASSWD), mechs)
            return None
    return None


@dataclass(frozen=True, slots=True)
class PasswordFile:
    """Password checks against salted scrypt hashes in a file (see DESCRIPTION)."""

    path: str
    mechanisms: tuple[str, ...] = SUPPORTED

    async def check(self, user: str, password: str, *, service: str = "smtp",
                    realm: str = "") -> bool:
        """Is password user's? (The hash is computed in a worker thread.)"""
        stored = _read_passwords(self.path).get(user)
        if stored is None:
            return False
        return await asyncio.to_thread(verify_password, stored, password)


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """The stored form of password: "scrypt$n$r$p$salt$hash"."""
    n, r, p = _SCRYPT
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8", "surrogateescape"), salt=salt, n=n, r=r,
                            p=p, dklen=32)
    return "$".join(("scrypt", str(n), str(r), str(p), base64.b64encode(salt).decode(),
                     base64.b64encode(digest).decode()))


def verify_password(stored: str, password: str) -> bool:
    """Does password match the stored hash? False for a malformed entry."""
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(password.encode("utf-8", "surrogateescape"),
                             salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(base64.b64decode(digest)))
    except (ValueError, binascii.Error):
        return False
    return hmac.compare_digest(got, base64.b64decode(digest))


def _read_passwords(path: str) -> dict[str, str]:
    try:
        with open(path, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except OSError as exc:
        log.warning("password file %s: %s", path, exc.strerror)
        return {}
    entries = {}
    for line in lines:
        user, colon, stored = line.partition(":")
        if colon and user and not line.startswith("#"):
            entries[user] = stored
    return entries


def set_password(path: str, user: str, password: str | None) -> None:
    """Set (or with None remove) user's entry; the file is replaced atomically, mode 0600."""
    from mta.util.fsio import atomic_write

    if not user or ":" in user or "\n" in user:
        raise ValueError(f"bad user name: {user!r}")
    entries = _read_passwords(path) if os.path.exists(path) else {}
    if password is None:
        entries.pop(user, None)
    else:
        entries[user] = hash_password(password)
    with atomic_write(path, mode=0o600) as fh:
        for name, stored in entries.items():
            fh.write(f"{name}:{stored}\n")


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
