"""Exceptions that end an operation, and the Location of a configuration line.

SYNOPSIS
    raise ConfigError("unknown mailer flag", Location("/etc/mail/sendmail.cf", 12))
    raise TempFailure(Reply(451, "4.4.3", "Name server timeout"))

DESCRIPTION
    MtaError is the root. ConfigError is fatal at load time and prints as Sendmail
    prints configuration errors ("FILE: line N: message"). TempFailure and
    PermFailure carry a Reply for delivery and DNS outcomes (DESIGN 4.3).

DIAGNOSTICS
    None: this module only defines the types.

SEE ALSO
    mta.core.reply, DESIGN.md 4.3.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mta.core.reply import Reply


@dataclass(frozen=True, slots=True)
class Location:
    """A line of a configuration file (1-based), printed as Sendmail prints it."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}: line {self.line}"


class MtaError(Exception):
    """Root of the mta exceptions."""


class ConfigError(MtaError):
    """A bad .cf line, option, map declaration or table; carries where it was found."""

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(f"{location}: {message}" if location else message)
        self.message = message
        self.location = location


class TempFailure(MtaError):
    """A temporary failure (4xx): the operation may be retried later."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(" | ".join(reply.wire_lines()))
        self.reply = reply


class PermFailure(MtaError):
    """A permanent failure (5xx)."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(" | ".join(reply.wire_lines()))
        self.reply = reply
