"""The aliases file: syntax, building the alias database, reading it back.

SYNOPSIS
    specs = parse_alias_file_option(config.options["AliasFile"])   # [AliasSource(...)]
    stats = build_alias_db("/etc/mail/aliases", err=sys.stderr)     # -> AliasStats
    print(stats.summary())   # "/etc/mail/aliases: 3 aliases, longest 20 bytes, 40 bytes total"
    value = lookup_alias("/etc/mail/aliases", "postmaster")
    read_aliases(path, env.stab, ctx, verbose=True)   # the text file as stab maps read it

DESCRIPTION
    Sendmail's alias file syntax (readaliases() in alias.c, as documented in
    aliases(5)): "name: value"; a line starting with a space or a tab continues
    the previous one (the newline is dropped, the blank kept); "#" lines and
    empty lines are skipped. The name is lower-cased (ASCII), its words joined
    by "." as Sendmail's BlankSub does; the value is kept as written (addresses,
    "|program", /file, :include:/path, error:code text) without leading or
    trailing white space. A later duplicate replaces the earlier one with the
    warning "FILE: line N: NAME... Warning: duplicate alias name NAME".

    The database is MAPFILE.db, built atomically (mta.maps.classes.hashdb), with
    the "@" -> "@" entry Sendmail writes last to mark a complete build. The
    statistics line counts every alias line (duplicates too); "longest" is the
    longest value and "total" the sum of name and value lengths, as Sendmail
    prints them.

    Unlike Sendmail, newaliases does not run names through ruleset 0 (that
    needs the rules engine): a name that is not a local address is stored as
    written. read_aliases(), which fills the symbol table of stab maps and of
    alias maps without a database, does, through the caller's context.

DIAGNOSTICS
    "FILE: line N: TEXT... missing colon" and "FILE: line N: NAME:... missing
    value for alias" for bad lines (AliasStats.errors counts them). OSError and
    sqlite3.Error pass through for the caller to report. parse_alias_file_option
    raises ConfigError for an unknown map class.

SEE ALSO
    mta.cli.newaliases, mta.cli.praliases, aliases(5), Sendmail op.me 3.3.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TextIO

from mta.core.errors import ConfigError
from mta.maps.base import LookupContext, fold_case
from mta.maps.classes.hashdb import DbWriter, db_path, read_db
from mta.util.fsio import join_continuations

DEFAULT_ALIAS_FILE = "/etc/mail/aliases"
_DB_CLASSES = frozenset({"hash", "btree", "dbm", "implicit"})


@dataclass(frozen=True, slots=True)
class AliasSource:
    """One AliasFile entry: map class and file."""

    class_name: str
    path: str


@dataclass(frozen=True, slots=True)
class AliasStats:
    """What a build counted."""

    path: str
    aliases: int
    longest: int
    total: int
    errors: int

    def summary(self) -> str:
        """The line Sendmail prints after a rebuild."""
        return (
            f"{self.path}: {self.aliases} aliases, longest {self.longest} bytes, "
            f"{self.total} bytes total"
        )


def read_aliases(path: str, table: dict[str, str], ctx: LookupContext, *,
                 verbose: bool) -> AliasStats | None:
    """Read an alias file into a symbol table, as Sendmail's readaliases() does.

    What stab maps, and alias maps without a database, answer from. A line and
    the lines after it that start with a space or a tab make one entry, joined
    without their newlines; "#" and empty entries are skipped. The name, up to
    the first colon outside quotes and angle brackets, is parsed through the
    rules (ctx.alias_name: ruleset traces in test mode) and must resolve to a
    mailer with F=A; the entry is stored under the parsed user (case-folded;
    "postmaster" in any case as "postmaster"), the value as written after the
    colon and its leading blanks. Bad entries get Sendmail's system errors,
    "FILE: line N: ..." with the number of the entry's last line; with verbose
    the statistics line follows. (Sendmail's CheckAliases, which also parses
    every value, is not done.)

    Returns:
        The statistics, or None when the file cannot be read.
    """
    try:
        with open(path, "rb") as fh:
            text = fh.read().decode("latin-1")
    except OSError:
        return None
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    count = longest = total = errors = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        while i < len(lines) and lines[i][:1] in (" ", "\t"):
            line += lines[i]
            i += 1
        where = f"{path}: line {i}: "
        if not line or line[0] == "#":
            continue
        if line[0] in " \t":
            ctx.syserr(where + "Non-continuation line starts with space")
            errors += 1
            continue
        colon = line.find(":")
        if colon < 0:
            ctx.syserr(where + "missing colon")
            errors += 1
            continue
        name = ctx.alias_name(line, where)
        if name is None:
            ctx.syserr(f"{where}{line[:40]}... illegal alias name")
            errors += 1
            continue
        value = line[colon + 1:].lstrip(_C_SPACE)
        if not name.local:
            ctx.syserr(f"{where}{name.paddr}... cannot alias non-local names")
            errors += 1
            continue
        user = name.user
        if user.lower() == "postmaster":
            user = "postmaster"
        if not value.strip(_C_SPACE):
            ctx.syserr(f"{where}{line[:40]}... missing value for alias")
            errors += 1
            continue
        table[fold_case(user)] = value
        count += 1
        total += len(user) + len(value)
        longest = max(longest, len(value))
    stats = AliasStats(path, count, longest, total, errors)
    if verbose:
        ctx.message(stats.summary())
    return stats


_C_SPACE = " \t\n\v\f\r"  # isspace() in the C locale


def parse_alias_file_option(text: str | None) -> list[AliasSource]:
    """Split the AliasFile option ("hash:/a, /b") into sources.

    Raises:
        ConfigError: a class that cannot hold aliases.
    """
    if not text:
        return [AliasSource("implicit", DEFAULT_ALIAS_FILE)]
    sources: list[AliasSource] = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        class_name, sep, path = item.partition(":")
        if not sep or "/" in class_name:
            class_name, path = "implicit", item
        if class_name not in _DB_CLASSES:
            raise ConfigError(f"Unknown alias class {class_name}")
        sources.append(AliasSource(class_name, path.strip()))
    return sources


def parse_aliases(
    lines: list[str], path: str, *, err: TextIO
) -> tuple[list[tuple[int, str, str]], int]:
    """Parse alias file lines into (line number, name, value) entries.

    Args:
        lines: physical lines without line ends.
        path: the file name for messages.
        err: where warnings and errors go.

    Returns:
        The entries in file order (duplicates included) and the error count.
    """
    entries: list[tuple[int, str, str]] = []
    errors = 0
    kept: list[str] = []
    seen: set[str] = set()
    for line in lines:  # comments do not join continuations; drop them first
        kept.append("" if line.startswith("#") else line)
    for number, logical in join_continuations(kept):
        text = logical.replace("\n", "")
        if not text.strip():
            continue
        name, colon, value = text.partition(":")
        if not colon:
            err.write(f"{path}: line {number}: {text}... missing colon\n")
            errors += 1
            continue
        name = ".".join(name.split())
        value = value.strip()
        if not value:
            err.write(f"{path}: line {number}: {name}:... missing value for alias\n")
            errors += 1
            continue
        name = fold_case(name)
        if name in seen:
            err.write(f"{path}: line {number}: {name}... Warning: duplicate alias name {name}\n")
        seen.add(name)
        entries.append((number, name, value))
    return entries, errors


def build_alias_db(path: str, *, err: TextIO, target: str | None = None) -> AliasStats:
    """Read the alias file at path and rebuild path.db (or target) atomically.

    Raises:
        OSError: the file cannot be read or the database written.
        UnicodeDecodeError: the file is not UTF-8.
        sqlite3.Error: the database cannot be written.
    """
    with open(path, encoding="utf-8", newline="\n") as fh:
        lines = [line.rstrip("\n") for line in fh]
    entries, errors = parse_aliases(lines, path, err=err)
    longest = total = 0
    with DbWriter(target or db_path(path), replace=True) as db:
        for _number, name, value in entries:
            db.put(name, value)
            longest = max(longest, len(value))
            total += len(name) + len(value)
        db.put("@", "@")
    return AliasStats(path, len(entries), longest, total, errors)


def read_alias_db(path: str) -> list[tuple[str, str]]:
    """All (name, value) pairs of the alias database of path, "@" included.

    Raises:
        OSError, sqlite3.Error, UnicodeDecodeError: the database cannot be read.
    """
    file = db_path(path)
    with open(file, "rb"):
        pass  # raise FileNotFoundError before sqlite would create nothing useful
    return [(k.removesuffix("\0"), v.removesuffix("\0")) for k, v in read_db(file)]


def lookup_alias(path: str, name: str) -> str | None:
    """The value stored for name (exactly as given) in the database of path, or None."""
    try:
        con = sqlite3.connect(f"file:{db_path(path)}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        for key in (name, name + "\0"):
            row = con.execute('SELECT value FROM "unnamed" WHERE key = ?', (key,)).fetchone()
            if row is not None:
                value = row[0]
                text = value.decode("utf-8") if isinstance(value, bytes) else str(value)
                return text.removesuffix("\0")
    except sqlite3.Error:
        return None
    finally:
        con.close()
    return None
