"""Small map classes: text, stab, null, user, dequote, macro, arith, arpa, syslog, regex.

SYNOPSIS
    Kdequote dequote                 $(dequote "a"b $)            -> ab
    Karith arith                     $(arith + $@ 1 $@ 2 $)       -> 3
    Kmyre regex -s1 -d. ^(.*)@x$     Kt text -k1 -v2 -z: /etc/t
    Kstorage macro                   $(storage {name} $@ value $)  (sets ${name})

DESCRIPTION
    Each class copies the documented behaviour of its Sendmail 8.17 namesake,
    checked with `sendmail -bt` and /map (which also shows the status a class
    reports with "not found": text and null EX_NOTFOUND, user EX_NOUSER, arpa
    EX_DATAERR, the others EX_OK):

    text     reads the file at each lookup; lines split at the -z character or at
             runs of white space; -k/-v pick 0-based columns (both default 0, so
             the key column itself is returned); keys compare without case unless -f;
             "#" lines and empty lines are skipped.
    stab     Sendmail's internal symbol table of aliases: opening reads the file as
             an alias file (mta.maps.aliases.read_aliases) into the table that all
             maps share; a lookup finds what any file read so far holds.
    null     always "not found".
    user     passwd entry of the key; -v selects name, passwd, uid, gid, gecos,
             dir or shell (or 1-7); the default is the name.
    dequote  removes quotes and backslash escapes; not found when the key has no
             quote, unbalanced quotes/angles/comments, or (without -S) white space.
    macro    $(m {x} $@ v $) sets macro x to v (clears it without v); value "".
    arith    the key's first character is the operator, the first two args the
             operands (C strtol, base 0: "0x10", "010", "12abc" is 12, "x" is 0):
             + - * / % | & give numbers (64-bit wrap-around, at most 15
             characters, as Sendmail's buffer); l (less than) and = give
             TRUE/FALSE; r a random number in [a, b]. Division by zero: not
             found; fewer than two args or another operator: not found, EX_CONFIG.
    arpa     reverses an IPv4 address, or an "IPv6:" address into nibbles.
    syslog   logs the key (mta.maps.syslog logger, NOTICE) and returns "".
    regex    POSIX regex (extended unless -b) matched without case unless -f:
             found = "" (or -m: the key; -s: the listed groups joined by -d,
             default Sendmail's $| operator byte 0x9b); -n inverts the match.

    The POSIX pattern is translated to Python re: bracket expressions keep
    backslashes literal and understand [:class:]; leftmost-longest alternation
    is not emulated (Python takes the first alternative that matches).

DIAGNOSTICS
    ConfigError for a regex that does not compile ("pattern-compile-error: ...").
    Lookups return NOT_FOUND/TEMPFAIL; a text map whose file is missing gives
    "unsafe map file PATH: No such file or directory" once and TEMPFAIL.

SEE ALSO
    mta.maps.base, Sendmail op.me 5.10 and cf/README ("Using the regex map").
"""

from __future__ import annotations

import errno
import ipaddress
import logging
import os
import pwd
import random
import re
from collections.abc import Mapping, Sequence

from mta.config.model import MapDecl
from mta.core.errors import ConfigError
from mta.maps.args import MapArg, MapOptions
from mta.maps.base import (
    EX_CONFIG,
    EX_DATAERR,
    EX_NOUSER,
    NOT_FOUND,
    NOT_FOUND_NOTFOUND,
    TEMPFAIL,
    LookupContext,
    LookupResult,
    LookupStatus,
    MapClass,
    MapFlag,
    MapOpenError,
    file_identity,
    fold_case,
)
from mta.maps.registry import map_class

CONDELSE_MARK = "\x9b"  # Sendmail's $| operator byte: the default regex -s delimiter
_log = logging.getLogger("mta.maps.syslog")


def _found(value: str) -> LookupResult:
    return LookupResult(LookupStatus.FOUND, value)


@map_class
class TextMap(MapClass):
    """Columns of a flat file, read at every lookup."""

    name = "text"
    reusable = True

    def open(self) -> None:
        """Check that the file exists."""
        path = self.options.file or ""
        self.env.dprint(f"text_map_open({self.decl.name}, {path}, 0)")
        if not os.path.isfile(path):
            # Sendmail 8.17 names no reason here; its debug line has the errno number
            raise MapOpenError(
                f"unsafe map file {path}", debug=f"\tunsafe map file: {errno.ENOENT}"
            )
        delim = self.options.column_delimiter
        self.env.dprint(
            f"text_map_open({self.decl.name}, {path}): delimiter = "
            + ("(white space)" if delim is None else delim)
        )

    def identity(self) -> object:
        """The file's identity: it is read again at each lookup."""
        return file_identity(self.options.file or "")

    def _columns(self, line: str) -> list[str]:
        delim = self.options.column_delimiter
        return line.split(delim) if delim else line.split()

    def fetch(self, key: str, args: Sequence[str], ctx: LookupContext) -> LookupResult:
        """Scan the file for a line whose key column equals key."""
        keycol = int(self.options.key_column or 0)
        valcol = int(self.options.value_column or 0)
        fold = MapArg.NO_FOLD not in self.options.flags
        wanted = fold_case(key) if fold else key
        try:
            with open(self.options.file or "", encoding="utf-8", errors="strict") as fh:
                for raw in fh:
                    line = raw.rstrip("\n")
                    if not line or line.startswith("#"):
                        continue
                    cols = self._columns(line)
                    if keycol >= len(cols):
                        continue
                    have = fold_case(cols[keycol]) if fold else cols[keycol]
                    if have == wanted:
                        value = cols[valcol] if valcol < len(cols) else ""
                        return self.table_result(key, value, args)
        except (OSError, UnicodeDecodeError) as err:
            ctx.message(f'text map "{self.decl.name}": {self.options.file}: {err}')
            return TEMPFAIL
        return NOT_FOUND_NOTFOUND


@map_class
class StabMap(MapClass):
    """Sendmail's symbol-table map: the aliases of its file, read as an alias file.

    Opening reads the file with mta.maps.aliases.read_aliases into the symbol
    table that every map of the MapSet shares (MapEnv.stab): a key is found
    when any file read so far has that alias. A missing file fails quietly.
    """

    name = "stab"

    def open_for(self, ctx: LookupContext) -> None:
        """stab_map_open(): read the file into the symbol table."""
        from mta.maps.aliases import read_aliases  # it imports this package

        path = self.options.file or ""
        self.env.dprint(f"stab_map_open({self.decl.name}, {path}, 0)")
        if read_aliases(path, self.env.stab, ctx, verbose=self.env.verbose) is None:
            raise MapOpenError(f"{path}: No such file or directory", quiet=True)

    def fetch(self, key: str, args: Sequence[str], ctx: LookupContext) -> LookupResult:
        """stab_map_lookup(): the alias value (or with -m the key); EX_OK either way."""
        return self.stab_lookup(key, args)


@map_class
class NullMap(MapClass):
    """Always "not found"."""

    name = "null"
    reusable = True
    flags = MapFlag.OPTIONAL_FILE | MapFlag.ALIAS_OK

    def fetch(self, key: str, args: Sequence[str], ctx: LookupContext) -> LookupResult:
        """Always NOT_FOUND (EX_NOTFOUND)."""
        return NOT_FOUND_NOTFOUND


_PASSWD_FIELDS: Mapping[str, int] = {
    "name": 0,
    "passwd": 1,
    "uid": 2,
    "gid": 3,
    "gecos": 4,
    "dir": 5,
    "shell": 6,
}


@map_class
class UserMap(MapClass):
    """Fields of the passwd entry named by the key."""

    name = "user"
    flags = MapFlag.OPTIONAL_FILE

    def open(self) -> None:
        """Nothing to open; traces as Sendmail's user_map_open."""
        self.env.dprint(f"user_map_open({self.decl.name}, 0)")

    def parse(self, decl: MapDecl) -> MapOptions:
        """Check the -v field name."""
        options = self.parse_options(decl)
        field = options.value_column
        if (
            field is not None
            and field not in _PASSWD_FIELDS
            and not (field.isdigit() and 1 <= int(field) <= 7)
        ):
            raise ConfigError(f"User map {decl.name}: unknown column name {field}", decl.location)
        return options

    def fetch(self, key: str, args: Sequence[str], ctx: LookupContext) -> LookupResult:
        """getpwnam(key), then the -v field."""
        try:
            entry = pwd.getpwnam(key)
        except (KeyError, ValueError):
            return LookupResult(LookupStatus.NOT_FOUND, code=EX_NOUSER)
        field = self.options.value_column or "name"
        index = int(field) - 1 if field.isdigit() else _PASSWD_FIELDS[field]
        return self.table_result(key, str(tuple(entry)[index]), args)


@map_class
class DequoteMap(MapClass):
    """Remove quoting from the key."""

    name = "dequote"
    reusable = True
    flags = MapFlag.OPTIONAL_FILE

    def parse(self, decl: MapDecl) -> MapOptions:
        """Dequote always sees the quotes (Sendmail sets MF_KEEPQUOTES)."""
        options = self.parse_options(decl)
        return MapOptions(
            flags=options.flags | MapArg.KEEP_QUOTES,
            file=options.file,
            rest=options.rest,
            append=options.append,
            tempfail_append=options.tempfail_append,
            space_sub=options.space_sub,
            warnings=options.warnings,
        )

    def fetch(self, key: str, args: Sequence[str], ctx: LookupContext) -> LookupResult:
        """Dequote key; NOT_FOUND when there is nothing (valid) to dequote."""
        sub = self.options.space_sub
        out: list[str] = []
        backslash = quoted = False
        quotes = comments = angles = spaces = 0
        for c in key:
            if backslash:
                backslash = False
                out.append(c)
                continue
            if c == " " and sub:
                c = sub
            if c == "\\":
                backslash = True
                continue
            if c == "(":
                comments += 1
            elif c == ")":
                comments -= 1
                if comments < 0:
                    return NOT_FOUND
            elif c in " \t":
                spaces += 1
            if comments > 0:
                out.append(c)
                continue
            if c == '"':
                quoted = not quoted
                quotes += 1
                continue
            if c == "<":
                angles += 1
            elif c == ">":
                angles -= 1
                if angles < 0:
                    return NOT_FOUND
            out.append(c)
        if angles or comments or backslash or quoted or quotes == 0 or spaces:
            return NOT_FOUND
        return _found("".join(out))


@map_class
class MacroMap(MapClass):
    """Set or clear a macro: $(macro {name} $@ value $)."""

    name = "macro"
    flags = MapFlag.OPTIONAL_FILE

    def fetch(self, key: str, args: Sequence[str], ctx: LookupContext) -> LookupResult:
        """Define macro key as args[0] (clear when absent or empty); value ""."""
        name = key[1:-1] if key.startswith("{") and key.endswith("}") else key
        ctx.define_macro(name, args[0] if args and args[0] else None)
        return _found("")


LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1
ARITH_RESULT_MAX = 15  # Sendmail formats the result into a 16-byte buffer
_C_SPACE = " \t\n\v\f\r"


def strtol(text: str) -> int:
    """C strtol(text, NULL, 0) with 64-bit longs: "0x1f", "017", "12abc" -> 12; saturates."""
    i, n = 0, len(text)
    while i < n and text[i] in _C_SPACE:
        i += 1
    negative = False
    if i < n and text[i] in "+-":
        negative = text[i] == "-"
        i += 1
    base = 10
    if text[i:i + 2].lower() == "0x" and i + 2 < n and text[i + 2] in "0123456789abcdefABCDEF":
        base, i = 16, i + 2
    elif text[i:i + 1] == "0":
        base = 8
    digits = "0123456789abcdef"[:base]
    value = 0
    while i < n and text[i].lower() in digits:
        value = value * base + digits.index(text[i].lower())
        i += 1
    value = -value if negative else value
    return max(LONG_MIN, min(LONG_MAX, value))


def _wrap(value: int) -> int:
    """The value as a two's-complement 64-bit long."""
    return (value - LONG_MIN) % 2**64 + LONG_MIN


def _c_div(a: int, b: int) -> int:
    quotient = abs(a) // abs(b)
    return quotient if (a < 0) == (b < 0) else -quotient


def _arith(op: str, a: int, b: int) -> int | bool | None:
    """One arith operation on longs; None: no result ("not found", status EX_OK)."""
    if op == "|":
        return a | b
    if op == "&":
        return a & b
    if op == "+":
        return _wrap(a + b)
    if op == "-":
        return _wrap(a - b)
    if op == "*":
        return _wrap(a * b)
    if op in "/%":
        if b == 0:
            return None
        quotient = _c_div(a, b)
        return _wrap(quotient) if op == "/" else a - b * quotient
    if op == "l":
        return a < b
    if op == "=":
        return a == b
    # "r": a random number in [a, b]
    span = _wrap(b - a + 1)
    if span <= 0:
        return None
    return _wrap(random.randrange(span) + a)


@map_class
class ArithMap(MapClass):
    """Integer arithmetic: the key's first character is the operator, two args the operands."""

    name = "arith"
    reusable = True
    flags = MapFlag.OPTIONAL_FILE

    def fetch(self, key: str, args: Sequence[str], ctx: LookupContext) -> LookupResult:
        """Apply the operator to strtol() of the first two args.

        Fewer than two args or an unknown operator: not found with EX_CONFIG
        (so -bt's /map, which passes no args, says "no match (78)"); division
        by zero or an empty "r" range: not found. Operands are not checked
        ("x" is 0), results wrap like C longs and keep at most 15 characters.
        """
        self.env.dprint(f"arith_map_lookup: key '{key}'")
        for arg in (key, *args):  # Sendmail's argument vector starts with the key
            self.env.dprint(f"arith_map_lookup: arg '{arg}'")
        op = key[:1]
        if len(args) < 2 or op not in ARITH_OPERATORS:
            return LookupResult(LookupStatus.NOT_FOUND, code=EX_CONFIG)
        result = _arith(op, strtol(args[0]), strtol(args[1]))
        if result is None:
            return NOT_FOUND
        if isinstance(result, bool):
            return _found("TRUE" if result else "FALSE")
        return _found(str(result)[:ARITH_RESULT_MAX])


ARITH_OPERATORS = "|&%+-*/l=r"


@map_class
class ArpaMap(MapClass):
    """Reverse an address for in-addr.arpa / ip6.arpa lookups."""

    name = "arpa"
    reusable = True
    flags = MapFlag.OPTIONAL_FILE

    def fetch(self, key: str, args: Sequence[str], ctx: LookupContext) -> LookupResult:
        """IPv4 -> reversed octets; "IPv6:addr" -> reversed nibbles."""
        self.env.dprint(f"arpa_map_lookup: key '{key}'")
        try:
            if key[:5].lower() == "ipv6:":
                v6 = ipaddress.IPv6Address(key[5:])
                value = ".".join(reversed(v6.exploded.replace(":", "")))
            else:
                value = ".".join(reversed(str(ipaddress.IPv4Address(key)).split(".")))
        except ValueError:
            self.env.dprint("arpa_map_lookup: r=0, result=''")
            return LookupResult(LookupStatus.NOT_FOUND, code=EX_DATAERR)
        self.env.dprint(f"arpa_map_lookup: r=1, result='{value}'")
        return _found(value)


@map_class
class SyslogMap(MapClass):
    """Log the key; the value is ""."""

    name = "syslog"
    flags = MapFlag.OPTIONAL_FILE

    def fetch(self, key: str, args: Sequence[str], ctx: LookupContext) -> LookupResult:
        """Log key at NOTICE level (mta.maps.syslog)."""
        _log.log(logging.INFO + 5, "%s", key)
        return _found("")


_POSIX_CLASSES: Mapping[str, str] = {
    "alpha": "a-zA-Z",
    "digit": "0-9",
    "alnum": "0-9a-zA-Z",
    "upper": "A-Z",
    "lower": "a-z",
    "space": " \\t\\n\\r\\f\\v",
    "blank": " \\t",
    "punct": "!-/:-@\\[-`{-~",
    "print": " -~",
    "graph": "!-~",
    "cntrl": "\\x00-\\x1f\\x7f",
    "xdigit": "0-9A-Fa-f",
}


def posix_to_python(pattern: str, *, extended: bool = True) -> str:
    """Translate a POSIX regular expression (ERE, or BRE when not extended) to Python re.

    Raises:
        ValueError: an unknown [:class:] or an unterminated bracket expression.
    """
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "[":
            j = i + 1
            body: list[str] = []
            if j < n and pattern[j] == "^":
                body.append("^")
                j += 1
            if j < n and pattern[j] == "]":
                body.append("\\]")
                j += 1
            while j < n and pattern[j] != "]":
                if pattern.startswith("[:", j):
                    end = pattern.find(":]", j + 2)
                    if end < 0 or pattern[j + 2 : end] not in _POSIX_CLASSES:
                        raise ValueError(f"bad character class at {pattern[j:]!r}")
                    body.append(_POSIX_CLASSES[pattern[j + 2 : end]])
                    j = end + 2
                    continue
                ch = pattern[j]
                body.append("\\" + ch if ch in "\\[&~|" else ch)
                j += 1
            if j >= n:
                raise ValueError("unterminated bracket expression")
            out.append("[" + "".join(body) + "]")
            i = j + 1
            continue
        if extended:
            if c == "\\" and i + 1 < n:
                out.append(pattern[i : i + 2])
                i += 2
                continue
            if c == "{" and not re.match(r"\{\d+(,\d*)?\}", pattern[i:]):
                out.append("\\{")
            else:
                out.append(c)
        else:
            if c == "\\" and i + 1 < n:
                nxt = pattern[i + 1]
                out.append(nxt if nxt in "(){}|+?" else "\\" + nxt)
                i += 2
                continue
            out.append("\\" + c if c in "(){}|+?" else c)
        i += 1
    return "".join(out)


@map_class
class RegexMap(MapClass):
    """POSIX regular expression match on the key."""

    name = "regex"
    reusable = True
    extra_letters = "nb"
    extra_with_value = "sd"

    @classmethod
    def parse_trace(cls, decl: MapDecl) -> str | None:
        """regex_map_init's -d38.2 line."""
        return f"regex_map_init: mapname '{decl.name}', args '{' '.join(decl.args)}'"

    def parse(self, decl: MapDecl) -> MapOptions:
        """Compile the pattern (the file field and the rest words)."""
        options = self.parse_options(decl)
        pattern = " ".join(w for w in (options.file, *options.rest) if w is not None)
        flags = 0 if MapArg.NO_FOLD in options.flags else re.IGNORECASE
        try:
            translated = posix_to_python(pattern, extended="b" not in options.extra)
            self._regex = re.compile(translated, flags)
        except (ValueError, re.error) as err:
            raise ConfigError(f"pattern-compile-error: {err}", decl.location) from None
        self._groups: tuple[int, ...] = ()
        if "s" in options.extra:
            spec = options.extra["s"][-1]
            try:
                self._groups = tuple(int(g) for g in spec.split(",") if g)
            except ValueError:
                raise ConfigError(f"regex map {decl.name}: bad -s {spec}", decl.location) from None
            if any(g > self._regex.groups for g in self._groups):
                raise ConfigError(f"too many substitutions in regex map {decl.name}", decl.location)
        self._delimiter = options.extra["d"][-1][:1] if "d" in options.extra else CONDELSE_MARK
        return MapOptions(
            flags=options.flags | MapArg.KEEP_QUOTES,
            file=options.file,
            rest=options.rest,
            append=options.append,
            tempfail_append=options.tempfail_append,
            space_sub=options.space_sub,
            extra=options.extra,
            warnings=options.warnings,
        )

    def fetch(self, key: str, args: Sequence[str], ctx: LookupContext) -> LookupResult:
        """Search key; -n inverts; -m returns the key; -s returns the groups."""
        match = self._regex.search(key)
        if "n" in self.options.extra:
            return NOT_FOUND if match else _found("")
        if match is None:
            return NOT_FOUND
        if MapArg.MATCH_ONLY in self.options.flags:
            return _found(key)
        if self._groups:
            return _found(self._delimiter.join(match.group(g) or "" for g in self._groups))
        return _found("")
