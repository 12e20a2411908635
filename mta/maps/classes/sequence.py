"""sequence and switch maps: several maps tried in order, and the service switch.

SYNOPSIS
    Kall sequence local remote          # first map that finds the key wins
    Kaliases switch aliases             # tries aliases.files, aliases.nis, ... per the switch file
    services = read_service_switch("/etc/mail/service.switch")

DESCRIPTION
    sequence: the members are maps declared earlier in the .cf. A lookup asks each
    member in turn (each with its own flags); the first FOUND wins; when none finds
    the key and a member had a temporary failure, the result is TEMPFAIL.

    switch: the one argument names a service ("hosts", "aliases", ...). The
    methods listed for it in the service switch file (ServiceSwitchFile option,
    default /etc/mail/service.switch; lines "service method..."; "#" comments) name
    the member maps "MAPNAME.method"; members that are not declared are skipped,
    as Sendmail's switch_map_open does. Without a switch file, "hosts" is
    "dns files" and everything else "files" (Sendmail's defaults).

DIAGNOSTICS
    An unknown member of a sequence is reported as "Sequence map NAME: unknown
    member map MEMBER" (a warning, as in Sendmail) and skipped; one of a switch,
    when the switch opens, as the system error "Switch map NAME: unknown member
    map NAME.METHOD".

SEE ALSO
    mta.maps.classes.host (the host map also reads the "hosts" service).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

from mta.config.model import MapDecl
from mta.maps.args import MapOptions
from mta.maps.base import (
    EX_NOTFOUND,
    TEMPFAIL,
    LookupContext,
    LookupResult,
    LookupStatus,
    MapClass,
    MapEnv,
    MapFlag,
    file_identity,
)
from mta.maps.registry import map_class

DEFAULT_SWITCH_FILE = "/etc/mail/service.switch"
_DEFAULT_SERVICES: Mapping[str, tuple[str, ...]] = {"hosts": ("dns", "files")}


def switch_file(env: MapEnv) -> str:
    """The service switch file from the environment, the option, or the default."""
    return env.service_switch_file or env.options.get("ServiceSwitchFile") or DEFAULT_SWITCH_FILE


def read_service_switch(path: str) -> dict[str, tuple[str, ...]] | None:
    """Parse a service switch file: {service: methods}, or None when it cannot be read."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return None
    services: dict[str, tuple[str, ...]] = {}
    for line in lines:
        words = line.split("#", 1)[0].replace(":", " ", 1).split()
        if words:
            services[words[0]] = tuple(words[1:])
    return services


# path -> (when to look at the file again, its identity, its services): a daemon asks
# for every lookup of a switch map, and the file seldom changes
_SWITCH_CACHE: dict[str, tuple[float, object, dict[str, tuple[str, ...]] | None]] = {}
SWITCH_RECHECK_SECONDS = 1.0


def _cached_switch(path: str) -> dict[str, tuple[str, ...]] | None:
    now = time.monotonic()
    hit = _SWITCH_CACHE.get(path)
    if hit is not None and now < hit[0]:
        return hit[2]
    identity = file_identity(path)
    if hit is not None and hit[1] == identity:
        _SWITCH_CACHE[path] = (now + SWITCH_RECHECK_SECONDS, identity, hit[2])
        return hit[2]
    services = read_service_switch(path)
    _SWITCH_CACHE[path] = (now + SWITCH_RECHECK_SECONDS, identity, services)
    return services


def service_methods(env: MapEnv, service: str) -> tuple[str, ...]:
    """The methods configured for service (Sendmail's switch_map_find)."""
    services = _cached_switch(switch_file(env))
    if services is None:
        return _DEFAULT_SERVICES.get(service, ("files",))
    return services.get(service, _DEFAULT_SERVICES.get(service, ("files",)))


class _StackedMap(MapClass):
    """Shared lookup over member maps."""

    flags = MapFlag.OPTIONAL_FILE | MapFlag.ALIAS_OK

    def member_names(self) -> tuple[str, ...]:
        """Names of the member maps, in lookup order."""
        raise NotImplementedError

    def fetch(self, key: str, args: Sequence[str], ctx: LookupContext) -> LookupResult:
        """First member that finds key wins; TEMPFAIL if any member tempfailed.

        Not found reports the last member's status, or EX_NOTFOUND when it had none.
        """
        tempfailed = False
        code = 0
        for member_name in self.member_names():
            member = self.mapset.get(member_name) if self.mapset is not None else None
            if member is None or member is self:
                continue
            result = member.lookup(key, args, ctx)
            if result.status is LookupStatus.FOUND:
                return result
            tempfailed = tempfailed or result.status is LookupStatus.TEMPFAIL
            code = result.exit_code
        if tempfailed:
            return TEMPFAIL
        return LookupResult(LookupStatus.NOT_FOUND, code=code or EX_NOTFOUND)

    def answers_reusable(self) -> bool:
        """Reusable when every member is (a switch map's members: those of now)."""
        if self.mapset is None:
            return False
        members = [self.mapset.get(name) for name in self.member_names()]
        return all(m is not None and m is not self and m.answers_reusable() for m in members)


@map_class
class SequenceMap(_StackedMap):
    """Try the listed maps in order."""

    name = "sequence"

    @classmethod
    def parse_trace(cls, decl: MapDecl) -> str | None:
        """seq_map_parse's -d38.2 line."""
        return f"seq_map_parse({decl.name}, {' '.join(decl.args)})"

    def parse(self, decl: MapDecl) -> MapOptions:
        """Members are all words after the flags; unknown ones are warned about."""
        options = self.parse_options(decl)
        members = tuple(w for w in (options.file, *options.rest) if w)
        known: list[str] = []
        warnings = list(options.warnings)
        for member in members:
            if self.mapset is not None and self.mapset.get(member) is None:
                warnings.append(
                    f"{decl.location}: Sequence map {decl.name}: unknown member map {member}"
                )
            else:
                known.append(member)
        self._members = tuple(known)
        return MapOptions(
            flags=options.flags,
            file=options.file,
            rest=options.rest,
            append=options.append,
            tempfail_append=options.tempfail_append,
            warnings=tuple(warnings),
        )

    def member_names(self) -> tuple[str, ...]:
        """The known members, in order."""
        return self._members



@map_class
class SwitchMap(_StackedMap):
    """Members named MAPNAME.method from the service switch file."""

    name = "switch"
    flags = MapFlag.ALIAS_OK

    def open_for(self, ctx: LookupContext) -> None:
        """switch_map_open(): its traces, and a system error for each member map
        MAPNAME.method of the service that no K line (or AliasFile) declares."""
        self.env.dprint(f"switch_map_open({self.decl.name}, {self.options.file}, 0)")
        for member in self.member_names():
            if self.mapset is None or self.mapset.get(member) is None:
                ctx.syserr(f"Switch map {self.decl.name}: unknown member map {member}")

    def identity(self) -> object:
        """The service switch file's: an edit changes the members (and the answers)."""
        return file_identity(switch_file(self.env))

    def member_names(self) -> tuple[str, ...]:
        """MAPNAME.method for each method of the service (read at each lookup)."""
        service = self.options.file or ""
        return tuple(f"{self.decl.name}.{m}" for m in service_methods(self.env, service))
