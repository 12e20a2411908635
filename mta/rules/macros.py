"""Runtime macros and classes: the mutable layer over a Config's D and C lines.

SYNOPSIS
    env = MacroEnv(config.macros)
    env.define("client_addr", "192.0.2.1"); env.get("j")
    classes = ClassTable(config); classes.add("w", "example.com"); classes.contains("w", "x")

DESCRIPTION
    Sendmail keeps macros per envelope and classes in its symbol table; `-bt`
    (.D, .C) and the SMTP session change them at run time. Values are stored
    encoded (mta.config.macros), so "$j" inside a value stays a reference.
    ClassTable keeps, besides membership (case-insensitive, as Sendmail's
    stab()), the first spelling of every word and the order words were first
    entered: `$=X` in -bt lists words in Sendmail's symbol-table order (hash
    bucket, then insertion), which dump_order() reproduces.

DIAGNOSTICS
    None.

SEE ALSO
    mta.config.macros, mta.rules.engine, Sendmail op.me 5.2-5.3.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from typing import Final

from mta.config.model import Config

STABSIZE = 2003
ST_CLASS = 1


def stab_hash(name: str, symtype: int = ST_CLASS) -> int:
    """Sendmail's stab() hash bucket for name."""
    h = symtype
    for ch in name:
        c = ord(ch.lower()) & 0xFF
        h = ((h << 1) ^ c) % STABSIZE
    return h


_GENERATIONS = itertools.count(1)


class MacroEnv:
    """Macro name -> encoded value, over the values of the .cf."""

    __slots__ = ("_values", "generation")

    def __init__(self, base: Mapping[str, str] | None = None) -> None:
        self._values: dict[str, str] = dict(base or {})
        # changes with every change, so that results remembered for the old values
        # can be recognised (RuleEngine's memo); drawn from one counter for all
        # environments, so that an engine whose macros are swapped (one MacroEnv
        # per SMTP session) never mistakes one environment for another
        self.generation = next(_GENERATIONS)

    def get(self, name: str) -> str | None:
        return self._values.get(name)

    def define(self, name: str, value: str | None) -> None:
        if self._values.get(name) == value:
            return
        self.generation = next(_GENERATIONS)
        if value is None:
            self._values.pop(name, None)
        else:
            self._values[name] = value

    def copy(self) -> MacroEnv:
        return MacroEnv(self._values)


_EMPTY: Final[set[str]] = set()  # members() of an unknown class; never changed


class ClassTable:
    """Class name -> member words (lower-cased), with Sendmail's listing order."""

    __slots__ = ("_longest", "_members", "_order", "_spelling", "generation")

    def __init__(self, config: Config | None = None) -> None:
        self.generation = 0  # counts additions, as MacroEnv.generation does
        self._members: dict[str, set[str]] = {}
        self._longest: dict[str, int] = {}  # class -> length of its longest word
        self._spelling: dict[str, str] = {}
        self._order: dict[str, int] = {}
        if config is not None:
            for low in config.class_word_order:
                self._order.setdefault(low, len(self._order))
            for name, words in config.classes.items():
                for w in words:
                    self.add(name, w)

    def add(self, name: str, word: str) -> None:
        low = word.lower()
        members = self._members.setdefault(name, set())
        if low not in members:
            self.generation += 1
        members.add(low)
        if len(low) > self._longest.get(name, 0):
            self._longest[name] = len(low)
        self._spelling.setdefault(low, word)
        self._order.setdefault(low, len(self._order))

    def add_all(self, name: str, words: Iterable[str]) -> None:
        for w in words:
            self.add(name, w)

    def contains(self, name: str, word: str) -> bool:
        members = self._members.get(name)
        return members is not None and word.lower() in members

    def members(self, name: str) -> set[str]:
        """The lower-cased words of class name (do not change the set)."""
        return self._members.get(name, _EMPTY)

    def longest(self, name: str) -> int:
        """The length of the longest word of class name (0 when it is empty)."""
        return self._longest.get(name, 0)

    def dump_order(self, name: str) -> list[str]:
        """Words of class name in the order Sendmail's `$=X` prints them."""
        words = self._members.get(name, set())
        ordered = sorted(words, key=lambda w: (stab_hash(w), self._order.get(w, 0)))
        return [self._spelling.get(w, w) for w in ordered]
