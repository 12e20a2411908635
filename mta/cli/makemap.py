"""makemap: build a map database from text on standard input.

SYNOPSIS
    makemap [-C file] [-N] [-c size] [-d] [-D c] [-e] [-f] [-l] [-o] [-r] [-s]
            [-t delim] [-u] [-v] type mapname < text
    makemap hash /etc/mail/access < /etc/mail/access      # -> /etc/mail/access.db
    makemap -u hash /etc/mail/access                       # dump "key<TAB>value"

DESCRIPTION
    A drop-in for Sendmail 8.17's makemap. Types hash, btree, implicit and dbm
    all build our sqlitedict-compatible MAPNAME.db (mta.maps.classes.hashdb);
    -l lists them, -x lists them with their extension.

    Input is read as Sendmail reads it: in chunks of at most 1023 bytes (a longer
    line is reported "line too long (1024 bytes max)" once per chunk, and every
    chunk counts as a line); blank lines and lines starting with the comment
    character (#, or -D c) are skipped; the key runs to the first white space
    (or -t character) and the value starts after the run of them and keeps the
    rest of the line, carriage return and trailing blanks included. Without -t a
    line starting with white space is a "syntax error (leading space)". Keys are
    lower-cased (ASCII letters only) unless -f. -N stores a NUL after keys and
    values. A duplicate key is an error unless -r (replace) or -d (allowed: we
    keep the first value, as a lookup of a Berkeley DB with duplicates would).
    -o adds to an existing map. -v prints each pair as "key=`k', val=`v'".
    -c, -C (only checked for readability), -s and -i are accepted and ignored.

    The database is written to a temporary file in the same directory in one
    transaction and renamed over the old one (fsync, rename, fsync directory),
    so a reader never sees a half-built map.

    Keys and values are text: input that is not UTF-8 is reported for its line
    ("not UTF-8") and skipped, where Sendmail would store the raw bytes.

DIAGNOSTICS
    Messages go to standard error as "makemap: MAPNAME: line N: ..." and the exit
    status is a sysexits code: 0, EX_USAGE (64) for bad arguments, EX_DATAERR (65)
    when any input line had an error, EX_NOINPUT (66) for an unreadable -C file,
    EX_CANTCREAT (73) for an unknown type or a map that cannot be opened.

SEE ALSO
    mta.maps.classes.hashdb, mta.util.fsio, makemap(8).
"""

from __future__ import annotations

import getopt
import os
import sqlite3
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO, TextIO

from mta.maps.base import fold_case
from mta.maps.classes.hashdb import DbWriter, db_path, read_db

TYPES: tuple[tuple[str, str], ...] = (
    ("dbm", "db"),
    ("hash", "db"),
    ("btree", "db"),
    ("implicit", "db"),
)
USAGE = (
    "Usage: makemap [-C cffile] [-N] [-c cachesize] [-D commentchar]\n"
    "               [-d] [-e] [-f] [-i type] [-l] [-o] [-r] [-s] [-t delimiter]\n"
    "               [-u] [-v] type mapname\n"
)
CHUNK = 1023  # Sendmail reads with fgets() into a 1024-byte buffer
_WHITE = b" \t"


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """The input-side flags of makemap."""

    fold: bool = True  # not -f
    include_nul: bool = False  # -N
    allow_empty: bool = False  # -e
    replace: bool = False  # -r
    allow_duplicates: bool = False  # -d
    append: bool = False  # -o
    verbose: bool = False  # -v
    comment: bytes = b"#"  # -D
    delimiter: bytes | None = None  # -t


def _split(line: bytes, options: BuildOptions) -> tuple[bytes, bytes | None]:
    """Split a line into key and value (None when there is no value)."""
    delim = options.delimiter
    if delim is None:
        end = 0
        n = len(line)
        while end < n and line[end] not in _WHITE:
            end += 1
        start = end
        while start < n and line[start] in _WHITE:
            start += 1
    else:
        end = line.find(delim)
        if end < 0:
            end = len(line)
        start = end
        while line[start : start + 1] == delim:
            start += 1
    if start >= len(line):
        return line[:end], None
    return line[:end], line[start:]


def build(
    stream: BinaryIO,
    path: str,
    mapname: str,
    options: BuildOptions,
    *,
    err: TextIO,
    out: TextIO,
) -> int:
    """Read text from stream and build the database at path.

    Args:
        stream: the input (binary).
        path: the database file (with .db).
        mapname: the name used in messages (as given on the command line).
        options: the flags.
        err: where error messages go.
        out: where -v lines go.

    Returns:
        0, or EX_DATAERR when any line had an error.

    Raises:
        OSError, sqlite3.Error: the database cannot be written.
    """
    status = 0
    lineno = 0
    nul = "\0" if options.include_nul else ""
    comment = options.comment
    with DbWriter(path, append=options.append, replace=options.replace) as db:
        while True:
            chunk = stream.readline(CHUNK)
            if not chunk:
                break
            lineno += 1
            if chunk.endswith(b"\n"):
                line = chunk[:-1]
            elif len(chunk) == CHUNK and stream.peek(1)[:1]:  # type: ignore[attr-defined]
                err.write(f"makemap: {mapname}: line {lineno}: line too long (1024 bytes max)\n")
                status = os.EX_DATAERR
                continue
            else:
                line = chunk
            if not line or line.startswith(comment):
                continue
            if options.delimiter is None and line[:1] in (b" ", b"\t"):
                err.write(f"makemap: {mapname}: line {lineno}: syntax error (leading space)\n")
                status = os.EX_DATAERR
                continue
            raw_key, raw_value = _split(line, options)
            if raw_value is None:
                if not options.allow_empty:
                    key_text = raw_key.decode("utf-8", "replace")
                    err.write(f"makemap: {mapname}: line {lineno}: no RHS for LHS {key_text}\n")
                    status = os.EX_DATAERR
                    continue
                raw_value = b""
            try:
                key = raw_key.decode("utf-8")
                value = raw_value.decode("utf-8")
            except UnicodeDecodeError:
                err.write(f"makemap: {mapname}: line {lineno}: not UTF-8\n")
                status = os.EX_DATAERR
                continue
            if options.fold:
                key = fold_case(key)
            if options.verbose:
                out.write(f"key=`{key}', val=`{value}'\n")
            if not db.put(key + nul, value + nul) and not (
                options.replace or options.allow_duplicates
            ):
                err.write(f"makemap: {mapname}: line {lineno}: key {key}: duplicate key\n")
                status = os.EX_DATAERR
    return status


def dump(path: str, *, out: TextIO) -> None:
    """Print every pair of the database as "key<TAB>value" (trailing NULs dropped).

    Raises:
        OSError, sqlite3.Error, UnicodeDecodeError: the file cannot be read.
    """
    for key, value in read_db(path):
        out.write(f"{key.removesuffix(chr(0))}\t{value.removesuffix(chr(0))}\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Run makemap; return the exit status (console script entry point)."""
    args = list(sys.argv[1:] if argv is None else argv)
    prog = sys.argv[0] if sys.argv and sys.argv[0] else "makemap"
    err, out = sys.stderr, sys.stdout
    try:
        opts, rest = getopt.gnu_getopt(args, "C:Nc:deflorst:uvxD:i:")
    except getopt.GetoptError as exc:
        if "requires argument" in exc.msg:
            err.write(f"{prog}: option requires an argument -- '{exc.opt}'\n")
        else:
            err.write(f"{prog}: invalid option -- '{exc.opt}'\n")
        err.write(USAGE)
        return os.EX_USAGE
    flags: dict[str, str] = {}
    for name, value in opts:
        flags[name[1]] = value
    if "l" in flags or "x" in flags:
        for type_name, ext in TYPES:
            out.write(f"{type_name}:{ext}\n" if "x" in flags else f"{type_name}\n")
        return 0
    if len(rest) != 2:
        err.write(USAGE)
        return os.EX_USAGE
    type_name, mapname = rest
    delimiter: bytes | None = None
    if "t" in flags:
        if flags["t"]:
            delimiter = os.fsencode(flags["t"])[:1]
        else:
            err.write("Invalid separator\n")
    if "C" in flags:
        try:
            with open(flags["C"], "rb"):
                pass
        except OSError as exc:
            err.write(f"makemap: {flags['C']}: {exc.strerror}\n")
            return os.EX_NOINPUT
    if type_name not in {t for t, _ in TYPES}:
        err.write(f"makemap: error opening type {type_name} map {mapname}: Unknown database type\n")
        return os.EX_CANTCREAT
    path = db_path(mapname)
    if "u" in flags:
        if not os.path.exists(path):
            err.write(
                f"makemap: error opening type {type_name} map {mapname}: "
                "No such file or directory\n"
            )
            return os.EX_CANTCREAT
        try:
            dump(path, out=out)
        except (OSError, sqlite3.Error, UnicodeDecodeError) as exc:
            err.write(f"makemap: error opening type {type_name} map {mapname}: {exc}\n")
            return os.EX_CANTCREAT
        return 0
    options = BuildOptions(
        fold="f" not in flags,
        include_nul="N" in flags,
        allow_empty="e" in flags,
        replace="r" in flags,
        allow_duplicates="d" in flags,
        append="o" in flags,
        verbose="v" in flags,
        comment=os.fsencode(flags["D"])[:1] if flags.get("D") else b"#",
        delimiter=delimiter,
    )
    directory = os.path.dirname(path) or "."
    if not os.path.isdir(directory):
        err.write(
            f"makemap: error opening type {type_name} map {mapname}: No such file or directory\n"
        )
        return os.EX_CANTCREAT
    try:
        return build(sys.stdin.buffer, path, mapname, options, err=err, out=out)
    except (OSError, sqlite3.Error) as exc:
        text = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        err.write(f"makemap: error opening type {type_name} map {mapname}: {text}\n")
        return os.EX_CANTCREAT


if __name__ == "__main__":
    sys.exit(main())
