"""Sendmail's helpers for strings in messages.

SYNOPSIS
    shortenstring("very.long.local.part.with.many.dots.in.it", 33)
    # "very.long.local...many.dots.in.it"

DESCRIPTION
    shortenstring() copies Sendmail's shortenstring(): text shorter than the
    limit comes back as it is; longer text keeps its head and its tail around
    "...", so that a message names a long host or address in bounded space.
    The limit is capped at MAXSHORTSTR, as Sendmail caps it.

SEE ALSO
    mta.rules.engine (user error prefixes), mta.maps.classes.host ("Name server
    timeout" messages).
"""

from __future__ import annotations

MAXSHORTSTR = 203


def shortenstring(text: str, limit: int) -> str:
    """shortenstring(): text itself when shorter than limit, else head...tail."""
    if len(text) < limit:
        return text
    limit = min(limit, MAXSHORTSTR)
    if limit < 10:
        return text[:limit] if limit < 5 else text[:limit - 3] + "..."
    half = (limit - 3) // 2
    return text[:half] + "..." + text[len(text) - half:]
