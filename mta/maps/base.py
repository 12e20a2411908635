"""Map class interface: lookup results, the lookup context, the MapClass base.

SYNOPSIS
    result = mapset.lookup("access", "From:spammer@example.com", (), ctx)
    if result.status is LookupStatus.FOUND: use(result.value)

DESCRIPTION
    Sendmail's three lookup outcomes are data, not exceptions: FOUND (with the
    value, after -a/-m/%n processing), NOT_FOUND, TEMPFAIL; a result may also
    carry the sysexits code the class reported (LookupResult.code), which
    `sendmail -bt`'s /map prints (MapClass.test_lookup). Lookups are
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

import abc
import enum
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Protocol

from mta.config.model import MapDecl
from mta.core.errors import ConfigError
from mta.maps.args import MapArg, MapOptions, parse_map_args
from mta.util.sysexits import ExitCode

if TYPE_CHECKING:
    import dns.resolver


class LookupStatus(enum.Enum):
    FOUND = "found"
    NOT_FOUND = "notfound"
    TEMPFAIL = "tempfail"


# sysexits values a class lookup reports besides its result (Sendmail's *statp),
# as plain ints from mta.util.sysexits
EX_OK = int(ExitCode.EX_OK)
EX_DATAERR = int(ExitCode.EX_DATAERR)
EX_NOUSER = int(ExitCode.EX_NOUSER)
EX_NOTFOUND = int(ExitCode.EX_NOHOST)  # Sendmail's EX_NOTFOUND is EX_NOHOST
EX_TEMPFAIL = int(ExitCode.EX_TEMPFAIL)
EX_CONFIG = int(ExitCode.EX_CONFIG)

_DEFAULT_CODE = {"found": EX_OK, "notfound": EX_OK, "tempfail": EX_TEMPFAIL}


@dataclass(frozen=True, slots=True)
class LookupResult:
    """A lookup outcome; code is the sysexits value the class reported, if any.

    Sendmail's class lookup hooks return a value and set a status: most leave
    EX_OK for "not found" (hash, regex), others say EX_NOTFOUND (text, host,
    sequence), EX_NOUSER (user), EX_CONFIG (arith without operands) or a
    program's exit status. `sendmail -bt`'s /map prints it; rules only care
    about TEMPFAIL.
    """

    status: LookupStatus
    value: str | None = None
    code: int | None = None
    # time.monotonic() after which the same lookup may answer differently (a
    # cached DNS answer); None: not before the map's data changes
    expires: float | None = None

    @property
    def exit_code(self) -> int:
        """The reported code, or 0 (75 for TEMPFAIL) when the class set none."""
        return self.code if self.code is not None else _DEFAULT_CODE[self.status.value]


NOT_FOUND = LookupResult(LookupStatus.NOT_FOUND)
TEMPFAIL = LookupResult(LookupStatus.TEMPFAIL)
NOT_FOUND_NOTFOUND = LookupResult(LookupStatus.NOT_FOUND, code=EX_NOTFOUND)


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

    def os_error(self, text: str) -> None:
        """A syserr() with errno set (a map file that cannot be opened): printed,
        and the exit status becomes EX_OSERR unless one is set already."""
        ...

    def syserr(self, text: str) -> None:
        """A syserr() (a bad line in a file read for a map): printed, and the exit
        status becomes EX_SOFTWARE unless one is set already."""
        ...

    def alias_name(self, text: str, where: str) -> AliasName | None:
        """The alias name text parsed as Sendmail's readaliases() parses it (its
        ruleset traces printed, messages prefixed with where); None if unusable."""
        ...


@dataclass(frozen=True, slots=True)
class AliasName:
    """An alias name as parseaddr() resolved it."""

    user: str  # q_user: the key the alias is stored under
    paddr: str  # the name as written, for messages
    local: bool  # the mailer may have aliases (F=A)


@dataclass(frozen=True, slots=True)
class MapEnv:
    """Settings a map class may need besides its K line: options by long name."""

    options: Mapping[str, str] = field(default_factory=dict)
    # Builds the dnspython resolver for the dns/host/bestmx classes; None means
    # the system resolver (/etc/resolv.conf). Tests point it at a loopback server.
    resolver: Callable[[], dns.resolver.Resolver] | None = None
    # Where "hosts: files" reads; None means the HostsFile option, else /etc/hosts.
    hosts_file: str | None = None
    # Where the switch class and host map read the service switch; None means the
    # ServiceSwitchFile option, else /etc/mail/service.switch.
    service_switch_file: str | None = None
    # Sendmail's TRACEFLAGS (category -> level), read at each use: the -bt driver
    # shares its live table, so "-d38.2" typed in test mode reaches the maps too.
    debug: Mapping[int, int] = field(default_factory=dict)
    # Where debug lines go (Sendmail's sm_dprintf); None drops them.
    trace: Callable[[str], object] | None = None
    # Sendmail's Verbose (set in test mode): maps say more, e.g. the statistics of
    # an alias file read as text.
    verbose: bool = False
    # The symbol table's aliases (Sendmail's ST_ALIAS entries), shared by every map
    # of this environment: what stab maps and alias maps without a database read
    # from their text files (mta.maps.aliases.read_aliases).
    stab: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def tt(self, category: int, level: int) -> bool:
        """Sendmail's tTd(category, level)."""
        return self.debug.get(category, 0) >= level

    def dprint(self, text: str, category: int = 38, level: int = 2) -> None:
        """Print one debug line when tTd(category, level) holds (map traces: 38.2)."""
        if self.trace is not None and self.tt(category, level):
            self.trace(text)


def file_identity(path: str) -> tuple[int, int, int, int] | None:
    """(device, inode, mtime in ns, size) of path, None when it cannot be stat'ed."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)


class MapFlag(enum.Flag):
    """Class properties (Sendmail's MCF_* flags)."""

    NONE = 0
    ALIAS_OK = enum.auto()  # MCF_ALIASOK: may back AliasFile
    REBUILDABLE = enum.auto()  # MCF_REBUILDABLE: newaliases/makemap can build it
    OPTIONAL_FILE = enum.auto()  # MCF_OPTFILE: file name may be omitted
    NOT_PERSISTENT = enum.auto()  # MCF_NOTPERSIST: reopen for each lookup


class NullContext:
    """A LookupContext with no macros that drops messages (for CLIs and tests)."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.macros: dict[str, str] = {}

    def macro(self, name: str) -> str | None:
        """Return a macro set with define_macro, else None."""
        return self.macros.get(name)

    def define_macro(self, name: str, value: str | None) -> None:
        """Remember (or forget) a macro value."""
        if value is None:
            self.macros.pop(name, None)
        else:
            self.macros[name] = value

    def message(self, text: str) -> None:
        """Collect a message in .messages."""
        self.messages.append(text)

    def os_error(self, text: str) -> None:
        """Collect a system error in .messages, like message()."""
        self.messages.append(text)

    def syserr(self, text: str) -> None:
        """Collect a system error in .messages, like message()."""
        self.messages.append(text)

    def alias_name(self, text: str, where: str) -> AliasName | None:
        """Without rules: the text before the colon, blanks as dots, taken as local."""
        name = ".".join(text.split(":", 1)[0].split())
        return AliasName(name, name, True) if name else None


# ---------------------------------------------------------------------------
# The map class base (Sendmail's MAPCLASS table entry plus map_lookup()).

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fold_case(text: str) -> str:
    """Lower-case ASCII letters only, as Sendmail's makelower() in the C locale."""
    return text.translate(_ASCII_LOWER)


def strip_quotes(text: str) -> str:
    """Remove double quotes and the backslash of backslash-escapes (Sendmail stripquotes)."""
    if '"' not in text and "\\" not in text:
        return text
    out: list[str] = []
    chars = iter(text)
    for c in chars:
        if c == "\\":
            out.append(next(chars, ""))
        elif c != '"':
            out.append(c)
    return "".join(out)


def rewrite_value(value: str, arguments: Sequence[str]) -> str:
    """Replace %0..%9 by arguments[n] (Sendmail map_rewrite).

    Args:
        value: the stored value.
        arguments: arguments[0] is the key, then the $@ arguments of the lookup.

    Returns:
        The substituted text: "%n" past the arguments gives nothing, "%%" one
        "%", a "%" before any other character stays as it is ("%x"), and so
        does a "%" at the end (checked with sendmail 8.17 -bt).
    """
    if "%" not in value:
        return value
    out: list[str] = []
    i, n = 0, len(value)
    while i < n:
        c = value[i]
        i += 1
        if c != "%":
            out.append(c)
            continue
        if i >= n:
            out.append("%")
            break
        c = value[i]
        i += 1
        if c == "%":
            out.append("%")
        elif c.isascii() and c.isdigit():
            k = int(c)
            if k < len(arguments):
                out.append(arguments[k])
        else:
            out.append("%" + c)
    return "".join(out)


class MapOpenError(Exception):
    """A map could not be opened; the text is what Sendmail prints after 'CLASS map "NAME": '.

    debug is the line Sendmail's open routine prints at -d38.2 before that
    message (e.g. "\tmissing map file: No such file or directory").
    """

    def __init__(
        self, text: str, *, temporary: bool = True, quiet: bool = False, debug: str | None = None
    ) -> None:
        super().__init__(text)
        self.text = text
        self.temporary = temporary
        self.quiet = quiet  # no message (Sendmail's implicit class fails silently)
        self.debug = debug


class MapClass(abc.ABC):
    """A K-line map class: parse -> open -> lookup/store -> close.

    Subclasses set name (and flags, file_ext, folds_key) and implement fetch().
    lookup() is Sendmail's map_lookup() around the class hook: it opens the map
    on first use, strips quotes, honours -D and -t; fetch() sees the key after
    stripquotes and returns the value before -a (table classes call
    table_result() for -m and %n).
    """

    name: ClassVar[str]
    file_ext: ClassVar[str | None] = None
    flags: ClassVar[MapFlag] = MapFlag.NONE
    extra_letters: ClassVar[str] = ""
    extra_with_value: ClassVar[str] = ""
    # True when an answer depends only on the key, the arguments and the map's
    # data (see identity()), so that the rules engine may remember it. False for
    # classes with side effects (macro, syslog) or outside answers (program, dns).
    reusable: ClassVar[bool] = False
    # How many maps (of any MapSet) have been opened so far: MapSet.opened_count()
    opens: ClassVar[int] = 0

    def __init__(self, decl: MapDecl, env: MapEnv, mapset: MapResolver | None = None) -> None:
        self.decl = decl
        self.env = env
        self.mapset = mapset
        self.options = self.parse(decl)  # sendmail: map_parse
        self._opened = False
        self._open_error: MapOpenError | None = None
        # set by MapSet for the maps of the AliasFile option (Alias0, Alias1, ...)
        self.for_aliases = False

    @classmethod
    def parse_options(cls, decl: MapDecl) -> MapOptions:
        """Parse K-line flags with the shared parser and this class's extra letters."""
        return parse_map_args(
            decl,
            file_optional=MapFlag.OPTIONAL_FILE in cls.flags,
            extra_letters=cls.extra_letters,
            extra_with_value=cls.extra_with_value,
        )

    def parse(self, decl: MapDecl) -> MapOptions:
        """Parse the declaration; subclasses may check more and raise ConfigError."""
        return self.parse_options(decl)

    @property
    def opened(self) -> bool:
        """True once the map has been opened (successfully or not)."""
        return self._opened

    def answers_reusable(self) -> bool:
        """Whether answers may be remembered (the class's `reusable`)."""
        return self.reusable

    def identity(self) -> object:
        """A value that changes when the map's data changes; None for no file."""
        return None

    @property
    def tempfail_text(self) -> str | None:
        """The -T text, or None."""
        return self.options.tempfail_append

    @property
    def is_optional(self) -> bool:
        """True for -o maps."""
        return MapArg.OPTIONAL in self.options.flags

    @classmethod
    def parse_trace(cls, decl: MapDecl) -> str | None:
        """The line the class's parse routine prints at -d38.2, if it prints one."""
        return None

    def open_for(self, ctx: LookupContext) -> None:
        """open(), for classes whose opening prints or parses through the caller."""
        self.open()

    def open(self) -> None:  # noqa: B027 - sendmail: null_map_open
        """Open the map; raise MapOpenError when it cannot be used.

        A class whose Sendmail open routine traces at -d38.2 prints that line
        first with self.env.dprint ("hash_map_open(NAME, FILE, 0)": -bt opens
        read-only, mode 0).
        """

    def close(self) -> None:  # noqa: B027 - sendmail: null_map_close
        """Release files and connections."""

    def store(self, key: str, value: str) -> None:
        """Store key -> value (read-only classes raise ConfigError)."""
        raise ConfigError(f"map class {self.name!r} is read-only", self.decl.location)

    @abc.abstractmethod
    def fetch(self, key: str, args: Sequence[str], ctx: LookupContext) -> LookupResult:
        """Class lookup hook: key has had its quotes stripped (unless -q)."""

    def ensure_open(self, ctx: LookupContext) -> LookupResult | None:
        """Open on first use; return the result to give when the map is unusable."""
        if not self._opened:
            self._opened = True
            MapClass.opens += 1
            try:
                self.open_for(ctx)
            except MapOpenError as err:
                self._open_error = err
                if err.debug is not None:
                    self.env.dprint(err.debug)
                if not self.is_optional and not err.quiet:
                    ctx.os_error(f'{self.name} map "{self.decl.name}": {err.text}')
        if self._open_error is None:
            return None
        if self.is_optional or not self._open_error.temporary:
            return NOT_FOUND
        return TEMPFAIL

    def lookup(self, key: str, args: Sequence[str], ctx: LookupContext) -> LookupResult:
        """Look key up: Sendmail's map_lookup() semantics.

        Args:
            key: the key as the rules engine built it.
            args: the $@ arguments (for %1..%9).
            ctx: the caller's context (macros, messages).

        Returns:
            FOUND with the final value (after -m, %n and -a), NOT_FOUND or
            TEMPFAIL (never raised).
        """
        options = self.options
        unusable = self.ensure_open(ctx)
        if unusable is not None:
            if unusable.status is LookupStatus.TEMPFAIL and MapArg.NO_TEMPFAIL in options.flags:
                return NOT_FOUND
            return unusable
        if MapArg.DEFER in options.flags and self.env.options.get("DeliveryMode", "")[:1] == "d":
            return TEMPFAIL
        if MapArg.KEEP_QUOTES not in options.flags:
            key = strip_quotes(key)
        result = self.fetch(key, args, ctx)
        if result.status is LookupStatus.FOUND:
            value = result.value or ""
            if options.append:
                value += options.append
            return LookupResult(LookupStatus.FOUND, value, expires=result.expires)
        if result.status is LookupStatus.TEMPFAIL and MapArg.NO_TEMPFAIL in options.flags:
            return NOT_FOUND if result.expires is None else LookupResult(
                LookupStatus.NOT_FOUND, expires=result.expires)
        return result

    def test_lookup(self, key: str, ctx: LookupContext) -> LookupResult | None:
        """`sendmail -bt` /map: the class hook called directly, as Sendmail's test mode does.

        The key keeps its quotes, there are no $@ arguments (so %1..%9 give
        nothing; %0 is the key), -D and -T do not apply, -a does. The result's
        exit_code is what /map prints in parentheses.

        Returns:
            None when the map could not be opened and is optional (-o): Sendmail
            says 'Map named "NAME" not open'. A map that failed to open without
            -o answers EX_TEMPFAIL, as Sendmail's stand-in "bogus" class does.
        """
        unusable = self.ensure_open(ctx)
        if unusable is not None:
            return None if self.is_optional else TEMPFAIL
        result = self.fetch(key, (), ctx)
        if result.status is LookupStatus.FOUND and self.options.append:
            return LookupResult(LookupStatus.FOUND, (result.value or "") + self.options.append,
                                result.code)
        return result

    def stab_lookup(self, key: str, args: Sequence[str]) -> LookupResult:
        """stab_map_lookup(): key in the shared symbol table of aliases (MapEnv.stab).

        Found: the value (-m: the key) with %n filled in; not found: NOT_FOUND
        with EX_OK, as Sendmail's /map shows "no match (0)".
        """
        value = self.env.stab.get(fold_case(key))
        return NOT_FOUND if value is None else self.table_result(key, value, args)

    def fold(self, key: str) -> str:
        """The key as stored: lower-cased unless -f."""
        return key if MapArg.NO_FOLD in self.options.flags else fold_case(key)

    def table_result(self, key: str, value: str | None, args: Sequence[str]) -> LookupResult:
        """Turn a stored value into a result: -m returns the key, else %n substitution."""
        if value is None:
            return NOT_FOUND
        if MapArg.MATCH_ONLY in self.options.flags:
            return LookupResult(LookupStatus.FOUND, key)
        return LookupResult(LookupStatus.FOUND, rewrite_value(value, (key, *args)))


class MapResolver(Protocol):
    """What a map may ask of its MapSet (sequence and switch look up other maps)."""

    def get(self, name: str) -> MapClass | None:
        """The map declared under name, or None."""
        ...
