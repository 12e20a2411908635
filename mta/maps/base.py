"""Map class interface: lookup results, the lookup context, the MapClass base.

SYNOPSIS
    result = mapset.lookup("access", "From:spammer@example.com", (), ctx)
    if result.status is LookupStatus.FOUND: use(result.value)

DESCRIPTION
    Sendmail's three lookup outcomes are data, not exceptions: FOUND (with the
    value, after -a/-m/%n processing), NOT_FOUND, TEMPFAIL. Lookups are
    synchronous: the rules engine is a pure CPU-bound function, and the daemon
    runs a whole ruleset call in a worker thread, so network map classes (dns,
    host, bestmx, socket) may block there.

    LookupContext is what a map class may ask of the running engine: macro
    values (macro and arith classes, $&x), macro stores (macro class), and a
    channel for the messages Sendmail prints during a lookup.

DIAGNOSTICS
    ConfigError for a bad map declaration (raised when the map is built);
    lookups never raise for missing keys or temporary failures.

SEE ALSO
    mta.maps.registry, mta.maps.args, Sendmail op.me section 5.10 ("K -- key
    file declaration").
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol


class LookupStatus(enum.Enum):
    FOUND = "found"
    NOT_FOUND = "notfound"
    TEMPFAIL = "tempfail"


@dataclass(frozen=True, slots=True)
class LookupResult:
    status: LookupStatus
    value: str | None = None


NOT_FOUND = LookupResult(LookupStatus.NOT_FOUND)
TEMPFAIL = LookupResult(LookupStatus.TEMPFAIL)


class LookupContext(Protocol):
    """What a lookup may ask of its caller (the rules engine or a CLI)."""

    def macro(self, name: str) -> str | None:
        """Value of macro name ("j", "client_addr", ...), or None when unset."""
        ...

    def define_macro(self, name: str, value: str | None) -> None:
        """Set (or with None, clear) a macro: the macro map class stores here."""
        ...

    def message(self, text: str) -> None:
        """A line Sendmail would print during this lookup (e.g. a DNS error)."""
        ...


@dataclass(frozen=True, slots=True)
class MapEnv:
    """Settings a map class may need besides its K line: options by long name."""

    options: Mapping[str, str] = field(default_factory=dict)
