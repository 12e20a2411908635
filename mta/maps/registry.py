"""The map class registry and MapSet, the named maps of one configuration.

SYNOPSIS
    @map_class
    class HashMap(MapClass): name = "hash"; ...
    mapset = MapSet(config.maps, MapEnv(options=config.options))
    result = mapset.lookup("access", "connect:10.1.2.3", (), ctx)
    mapset.get("host").tempfail_text; mapset.warnings

DESCRIPTION
    map_class registers a MapClass subclass under its name (Sendmail's MAPDEF
    table); a second registration of a name raises at import time. The class
    modules are imported by an explicit list in mta.maps.classes.

    MapSet builds one map object per K line, in .cf order, plus the maps
    Sendmail creates on its own when no K line names it: only "host" (used by
    $[ $], declared as "host host -a. -D"); a K line named host replaces it.
    (dequote, macro and arith exist only when the .cf declares them, as
    sendmail-cf's proto does: verified against sendmail 8.17 -bt.) Maps are
    opened lazily, at their first lookup, as Sendmail does (so the "missing
    map file" message appears then).

    A bad declaration does not stop loading, as in Sendmail: its ConfigError
    text ("FILE: line N: No file name for hash map bar") and the non-fatal flag
    warnings are collected in .warnings, and the name is remembered as declared
    but not open (is_declared() is true, get() returns None). .report holds
    those warnings and, when the MapEnv's debug flags have 38.2, the parse
    traces Sendmail prints ("seq_map_parse(NAME, ARGS)", "regex_map_init: ...",
    and "seq_map_parse(aliases.files, )" for the AliasFile option), in order.

DIAGNOSTICS
    RuntimeError for a class registered twice (programming error).
    get_map_class raises ConfigError for an unknown class name.

SEE ALSO
    mta.maps.base, mta.maps.args, mta.maps.classes, Sendmail op.me 5.10.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TypeVar

from mta.config.model import MapDecl
from mta.core.errors import ConfigError, Location
from mta.maps.base import NOT_FOUND, LookupContext, LookupResult, MapClass, MapEnv

_MAP_CLASSES: dict[str, type[MapClass]] = {}
M = TypeVar("M", bound=type[MapClass])

# Maps Sendmail 8.17 defines itself (name -> class and args), unless a K line
# does. Only "host" (for $[ $]): a .cf without "Kdequote dequote" gets
# 'Map named "dequote" not found' from real sendmail -bt, so we add no others.
_BUILTIN_MAPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (("host", "host", ("-a.", "-D")),)


def map_class(cls: M) -> M:
    """Register cls under cls.name.

    Raises:
        RuntimeError: the name is already registered.
    """
    if cls.name in _MAP_CLASSES:
        raise RuntimeError(f"map class {cls.name!r} registered twice")
    _MAP_CLASSES[cls.name] = cls
    return cls


def get_map_class(name: str, where: Location | None = None) -> type[MapClass]:
    """Return the class registered under name.

    Raises:
        ConfigError: no such class (Sendmail: "Class X not available").
    """
    _load_classes()
    try:
        return _MAP_CLASSES[name]
    except KeyError:
        raise ConfigError(f"Class {name} not available", where) from None


def map_class_names() -> list[str]:
    """The registered class names, sorted."""
    _load_classes()
    return sorted(_MAP_CLASSES)


def _load_classes() -> None:
    import mta.maps.classes  # noqa: F401  (explicit import list fills the registry)


class MapSet:
    """The maps of one configuration, by name."""

    def __init__(self, decls: Mapping[str, MapDecl], env: MapEnv | None = None) -> None:
        """Build (but do not open) every declared map.

        Args:
            decls: the K lines by map name (Config.maps).
            env: options and resolver settings.
        """
        _load_classes()
        self.env = env if env is not None else MapEnv()
        self._maps: dict[str, MapClass] = {}
        self._declared: set[str] = set()
        self.warnings: list[str] = []
        # what Sendmail prints while it reads the K lines: warnings and -d38.2 traces
        self.report: list[str] = []
        for name, decl in decls.items():
            self._declared.add(name)
            try:
                cls = get_map_class(decl.class_name, decl.location)
                trace = cls.parse_trace(decl)
                if trace is not None and self.env.tt(38, 2):
                    self.report.append(trace)
                m = cls(decl, self.env, self)
            except ConfigError as err:
                self._warn(str(err))
                continue
            for warning in m.options.warnings:
                self._warn(warning)
            self._maps[name] = m
        alias_option = self.env.options.get("AliasFile", "").strip()
        if alias_option:
            if self.env.tt(38, 2):
                # Sendmail's setalias() declares "aliases.files sequence" before its
                # members, so its trace names none
                self.report.append("seq_map_parse(aliases.files, )")
            self._add_alias_maps(alias_option)
        for name, class_name, args in _BUILTIN_MAPS:
            if name not in self._declared:
                decl = MapDecl(name, class_name, args, Location("<builtin>", 0))
                self._maps[name] = _MAP_CLASSES[class_name](decl, self.env, self)

    def _add_alias_maps(self, option: str) -> None:
        """The maps Sendmail makes for AliasFile: Alias0..N, aliases.files, aliases.

        Each AliasFile entry is a map AliasN of its class (implicit unless it says
        "class:file"); "aliases.files" is the sequence of them, and "aliases" the
        switch map over the "aliases" service (files unless the service switch
        says otherwise), as -bt's /map shows them.
        """
        from mta.maps.aliases import parse_alias_file_option  # it imports map classes

        try:
            sources = parse_alias_file_option(option)
        except ConfigError as err:
            self._warn(str(err))
            return
        where = Location("<AliasFile>", 0)
        members: list[str] = []
        for i, source in enumerate(sources):
            name = f"Alias{i}"
            if name not in self._declared:
                decl = MapDecl(name, source.class_name, (source.path,), where)
                alias_map = _MAP_CLASSES[source.class_name](decl, self.env, self)
                alias_map.for_aliases = True
                self._maps[name] = alias_map
            members.append(name)
        for name, class_name, args in (("aliases.files", "sequence", tuple(members)),
                                       ("aliases", "switch", ("aliases",))):
            if name not in self._declared:
                decl = MapDecl(name, class_name, args, where)
                self._maps[name] = _MAP_CLASSES[class_name](decl, self.env, self)

    def _warn(self, text: str) -> None:
        self.warnings.append(text)
        self.report.append(text)

    def get(self, name: str) -> MapClass | None:
        """The map object named name, or None when there is none (or it failed to parse)."""
        return self._maps.get(name)

    def is_declared(self, name: str) -> bool:
        """True when a K line named the map (even if its declaration was bad)."""
        return name in self._declared or name in self._maps

    def __iter__(self) -> Iterator[str]:
        return iter(self._maps)

    def lookup(self, name: str, key: str, args: Sequence[str], ctx: LookupContext) -> LookupResult:
        """Look key up in map name (NOT_FOUND when there is no such map).

        Args:
            name: the map name.
            key: the key text.
            args: the $@ arguments.
            ctx: the caller's context.

        Returns:
            The LookupResult; never raises for missing keys or temporary failures.
        """
        m = self._maps.get(name)
        if m is None:
            return NOT_FOUND
        return m.lookup(key, args, ctx)

    def stamp(self) -> tuple[object, ...]:
        """The identities of the opened maps: it changes when one's data changes."""
        return tuple(m.identity() for m in self._maps.values() if m.opened)

    def opened_count(self) -> int:
        """A count that grows whenever a map is opened (successfully or not).

        It counts the maps of every MapSet in the process (MapClass.opens): the
        rules engine only asks whether it changed, on every top-level rewrite.
        """
        return MapClass.opens

    def reusable(self, name: str) -> bool:
        """Whether answers of map name may be remembered (MapClass.answers_reusable)."""
        m = self._maps.get(name)
        return m is not None and m.answers_reusable()

    def close(self) -> None:
        """Close every map."""
        for m in self._maps.values():
            m.close()
