"""Address parsing for delivery and for -bt's /parse, /try, /canon and /mx.

SYNOPSIS
    test_command(mode, "parse", "user@example.com")

DESCRIPTION
    Placeholder for Sendmail's parseaddr()/remotename(); the -bt commands that
    need them answer "not available" until it is written.

DIAGNOSTICS
    None.

SEE ALSO
    mta.rules.testmode.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mta.rules.testmode import TestMode


def test_command(mode: TestMode, word: str, arg: str) -> None:
    """Run /parse, /try, /canon or /mx for test mode."""
    mode.println(f'Unknown "/" command /{word}')
