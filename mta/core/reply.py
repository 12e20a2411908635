"""SMTP replies with enhanced status codes.

SYNOPSIS
    raise SmtpError(Reply(550, "5.7.1", "Relaying denied"))
    for line in reply.wire_lines(): ...

DESCRIPTION
    Every reply the server sends and every verdict a check ruleset returns is a Reply:
    a basic code (RFC 5321 4.2), an enhanced status (RFC 3463) and text. The first digit
    of code and status must agree; this is checked once, here.

DIAGNOSTICS
    ValueError for a malformed code or status: a programming or configuration error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_STATUS_RE = re.compile(r"[245]\.\d{1,3}\.\d{1,3}")


@dataclass(frozen=True, slots=True)
class Reply:
    """One SMTP reply: code, enhanced status (or None) and text (may be multi-line)."""

    code: int
    status: str | None
    text: str

    def __post_init__(self) -> None:
        if not 200 <= self.code <= 599:
            raise ValueError(f"SMTP code out of range: {self.code}")
        if self.status is not None and (
            not _STATUS_RE.fullmatch(self.status) or self.status[0] != str(self.code)[0]
        ):
            raise ValueError(f"status {self.status!r} does not match code {self.code}")

    @property
    def is_temporary(self) -> bool:
        return 400 <= self.code < 500

    def line(self) -> str:
        """The reply as one line of text: "550 5.1.1 User unknown" (logs, qf M records, DSNs)."""
        prefix = f"{self.status} " if self.status else ""
        return f"{self.code} {prefix}{self.text}"

    def wire_lines(self) -> list[str]:
        """Return the reply as wire lines (without CRLF), using '-' on all but the last."""
        texts = self.text.split("\n")
        prefix = f"{self.status} " if self.status else ""
        return [
            f"{self.code}{' ' if i == len(texts) - 1 else '-'}{prefix}{t}"
            for i, t in enumerate(texts)
        ]


class SmtpError(Exception):
    """End the current SMTP command with a non-2xx reply."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(" | ".join(reply.wire_lines()))
        self.reply = reply


RELAY_DENIED = Reply(550, "5.7.1", "Relaying denied")
