"""The shared K-line flag parser (Sendmail's map_parseargs).

SYNOPSIS
    options = parse_map_args(decl, file_optional=False)
    options.file, options.append, MapArg.NO_FOLD in options.flags

DESCRIPTION
    A K line is "Kname class flags... file [rest]". The common flags are:

        -A  append values of duplicate keys (alias rebuild)   -a<text>  append on found
        -D  no lookup in deferred delivery mode                -T<text>  append on tempfail
        -f  do not fold the key to lower case                  -S<c>     space substitute
        -m  match only: return the key                         -k<col>   key column
        -N  keys include a trailing NUL                        -v<col>   value column
        -O  keys never include a trailing NUL                  -z<c>     column delimiter
        -o  optional: a missing file is "not found"
        -q  keep quotes in the key
        -t  a temporary failure reads as "not found"

    As in Sendmail, a value is glued to its letter ("-a.FOUND"); -k, -v and -z
    also accept it as the next word. -z understands \\n, \\t and \\\\. Each class may
    accept extra letters (regex: -n -b -s -d; dns: -R -Z -d -r; ...): those are
    returned in MapOptions.extra, letter -> list of values ("" for a bare flag).
    An unknown letter is not fatal: Sendmail prints "Illegal option X map NAME"
    and goes on, so the text is returned in MapOptions.warnings. The first
    word that does not start with "-" is the file; the words after it are rest.

DIAGNOSTICS
    ConfigError("No file name for CLASS map NAME", decl.location) when the class
    needs a file and none is given.

SEE ALSO
    mta.maps.base (MapClass.parse), Sendmail op.me 5.10 ("K -- key file declaration").
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from mta.config.model import MapDecl
from mta.core.errors import ConfigError


class MapArg(enum.Flag):
    """The boolean K-line flags (Sendmail's MF_* map flags)."""

    NONE = 0
    APPEND = enum.auto()  # -A  MF_APPEND
    DEFER = enum.auto()  # -D  MF_DEFER
    NO_FOLD = enum.auto()  # -f  MF_NOFOLDCASE
    MATCH_ONLY = enum.auto()  # -m  MF_MATCHONLY
    INCLUDE_NUL = enum.auto()  # -N  MF_INCLNULL
    NEVER_NUL = enum.auto()  # -O  (clears MF_TRY1NULL)
    OPTIONAL = enum.auto()  # -o  MF_OPTIONAL
    KEEP_QUOTES = enum.auto()  # -q  MF_KEEPQUOTES
    NO_TEMPFAIL = enum.auto()  # -t  MF_NODEFER


_BOOL_LETTERS: Mapping[str, MapArg] = {
    "A": MapArg.APPEND,
    "D": MapArg.DEFER,
    "f": MapArg.NO_FOLD,
    "m": MapArg.MATCH_ONLY,
    "N": MapArg.INCLUDE_NUL,
    "O": MapArg.NEVER_NUL,
    "o": MapArg.OPTIONAL,
    "q": MapArg.KEEP_QUOTES,
    "t": MapArg.NO_TEMPFAIL,
}
_NEXT_WORD_LETTERS = frozenset("kvz")


@dataclass(frozen=True, slots=True)
class MapOptions:
    """Parsed K-line arguments."""

    flags: MapArg = MapArg.NONE
    file: str | None = None
    rest: tuple[str, ...] = ()
    append: str | None = None  # -a
    tempfail_append: str | None = None  # -T
    space_sub: str | None = None  # -S
    key_column: str | None = None  # -k
    value_column: str | None = None  # -v
    column_delimiter: str | None = None  # -z (None: runs of white space)
    extra: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


def unescape_delimiter(text: str) -> str:
    """Return the -z character: first char of text, with \\n \\t \\\\ understood."""
    if not text:
        return ""
    if text[0] != "\\":
        return text[0]
    return {"n": "\n", "t": "\t"}.get(text[1:2], "\\")


def parse_map_args(
    decl: MapDecl,
    *,
    file_optional: bool = False,
    extra_letters: str = "",
    extra_with_value: str = "",
    words: tuple[str, ...] | None = None,
) -> MapOptions:
    """Parse the flags and file of a K line.

    Args:
        decl: the declaration (its args and location are used).
        file_optional: the class may have no file (MCF_OPTFILE).
        extra_letters: class-specific flags without a value.
        extra_with_value: class-specific flags with a glued value (or the next word).
        words: parse these words instead of decl.args.

    Returns:
        The MapOptions.

    Raises:
        ConfigError: no file for a class that needs one.
    """
    args = list(decl.args if words is None else words)
    flags = MapArg.NONE
    values: dict[str, str] = {}
    extra: dict[str, list[str]] = {}
    warnings: list[str] = []
    i = 0
    while i < len(args) and args[i].startswith("-"):
        word = args[i]
        i += 1
        letter, value = word[1:2], word[2:]
        if letter in extra_letters or letter in extra_with_value:
            if letter in extra_with_value and not value and i < len(args) and letter in "kvz":
                value = args[i]
                i += 1
            extra.setdefault(letter, []).append(value)
        elif letter in _BOOL_LETTERS:
            flags |= _BOOL_LETTERS[letter]
        elif letter in ("a", "T", "S", "k", "v", "z"):
            if letter in _NEXT_WORD_LETTERS and not value and i < len(args):
                if letter == "z":
                    value = " "  # Sendmail reads the blank after "-z" as the delimiter
                else:
                    value = args[i]
                    i += 1
            values[letter] = value
        else:
            warnings.append(f"{decl.location}: Illegal option {letter} map {decl.name}")
    file = args[i] if i < len(args) else None
    rest = tuple(args[i + 1 :])
    if file is None and not file_optional:
        raise ConfigError(f"No file name for {decl.class_name} map {decl.name}", decl.location)
    return MapOptions(
        flags=flags,
        file=file,
        rest=rest,
        append=values.get("a"),
        tempfail_append=values.get("T"),
        space_sub=values["S"][:1] if values.get("S") else None,
        key_column=values.get("k"),
        value_column=values.get("v"),
        column_delimiter=unescape_delimiter(values["z"]) or None if "z" in values else None,
        extra={k: tuple(v) for k, v in extra.items()},
        warnings=tuple(warnings),
    )
