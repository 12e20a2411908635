"""Exceptions and message formatting of the macro processor.

SYNOPSIS
    raise M4Fatal("end of file in string", Location("x.m4", 3))
    raise M4Exit(2)

DESCRIPTION
    GNU m4 has three kinds of diagnostics: warnings ("PROG:FILE:LINE: Warning: ..."),
    errors that only set the exit status to 1 ("PROG:FILE:LINE: ..."), and fatal
    errors that print the same way and stop at once. Warnings and non-fatal errors
    are reported through the expander's warn()/error() methods and never raise;
    fatal errors raise M4Fatal, which the command line turns into the message and
    the exit status. M4Exit carries the status of m4exit (and of -E -E).

    format_message() builds the exact GNU text: the program name, then the
    location when there is one, then the message.

DIAGNOSTICS
    These classes are the diagnostics.

SEE ALSO
    m4compat.expander (warn, error), m4compat.cli (exit status)
"""

from __future__ import annotations

from m4compat.location import Location


class M4Error(Exception):
    """Root of the m4compat exceptions."""


class M4Fatal(M4Error):
    """A fatal error: print the message and exit with the given status."""

    def __init__(self, message: str, location: Location | None, status: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.status = status


class M4Exit(M4Error):
    """Stop processing now with this exit status (m4exit, or -E -E after an error)."""

    def __init__(self, status: int) -> None:
        super().__init__(f"exit {status}")
        self.status = status


def format_message(program: str, location: Location | None, message: str) -> str:
    """Return "PROG:FILE:LINE: message" (or "PROG: message" without a location)."""
    if location is None or (not location.file and location.line == 0):
        return f"{program}: {message}"
    return f"{program}:{location.file}:{location.line}: {message}"
