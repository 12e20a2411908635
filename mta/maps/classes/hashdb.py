"""hash, btree, dbm and implicit maps, stored as sqlitedict-compatible files.

SYNOPSIS
    Kaccess hash -T<TMPF> -o /etc/mail/access     # reads /etc/mail/access.db
    with DbWriter("/etc/mail/access.db") as db: db.put("from:spam.example", "REJECT")
    for key, value in read_db("/etc/mail/access.db"): ...

DESCRIPTION
    Sendmail's hash and btree classes (Berkeley DB) and dbm (ndbm) all become
    one SQLite file holding the layout sqlitedict uses: a table "unnamed" with
    (key TEXT PRIMARY KEY, value BLOB), where every value is a plain str (the
    sqlitedict encode/decode is the identity; nothing is ever pickled). So
    SqliteDict(path, encode=str, decode=str) opens our files, and we open its.

    File names: the K-line file gets ".db" appended unless it already ends in
    ".db", as Sendmail does for hash and btree. dbm uses the same single ".db"
    file instead of ndbm's ".dir"/".pag" pair, so `makemap dbm x` and
    `Kx dbm x` agree with each other. implicit (Sendmail: try hash, then dbm)
    reads that same file; it is the class of an AliasFile without a class.

    Lookups follow db_map_lookup(): the key is folded to lower case unless -f;
    it is tried without and then with a trailing NUL (only with it under -N,
    only without under -O); a trailing NUL of the value is dropped. The file is
    opened read-only at the first lookup and reopened when its inode or mtime
    changes (makemap replaces it by rename), so a rebuilt table is seen at once.

    DbWriter builds a new file beside the target in one transaction with
    journaling off, then fsyncs and renames it into place (mta.util.fsio).

DIAGNOSTICS
    A missing file is the MapOpenError "missing map file PATH: No such file or
    directory" (printed once, lookups TEMPFAIL; with -o: not found; the implicit
    class prints nothing but TEMPFAILs all the same, except for the maps of the
    AliasFile option, which read their text file as stab maps do). A file that
    is not an SQLite database, lacks the table, or holds text that is not UTF-8
    gives the message "error reading map file PATH: ..." and TEMPFAIL.
    DbWriter raises sqlite3.Error / OSError for the caller to word.

SEE ALSO
    mta.cli.makemap, mta.maps.aliases, mta.util.fsio, sqlitedict.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import time
from collections.abc import Iterator, Sequence
from types import TracebackType

from mta.config.model import MapDecl
from mta.maps.args import MapArg
from mta.maps.base import (
    NOT_FOUND,
    TEMPFAIL,
    LookupContext,
    LookupResult,
    MapClass,
    MapEnv,
    MapFlag,
    MapOpenError,
    MapResolver,
    file_identity,
)
from mta.maps.registry import map_class
from mta.util.fsio import atomic_path

TABLE = "unnamed"
_CREATE = f'CREATE TABLE IF NOT EXISTS "{TABLE}" (key TEXT PRIMARY KEY, value BLOB)'
_SELECT = f'SELECT value FROM "{TABLE}" WHERE key = ?'

# How long a lookup trusts that the .db file is unchanged before it looks again.
RECHECK_SECONDS = 1.0


def db_path(file: str) -> str:
    """The database file of a K-line or makemap name: name + ".db" unless it ends so."""
    return file if file.endswith(".db") else file + ".db"


def _as_text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return str(value)


def read_db(path: str) -> Iterator[tuple[str, str]]:
    """Yield every (key, value) of a database file, in key order.

    Raises:
        sqlite3.Error: not a database, or no table.
        UnicodeDecodeError: a BLOB value that is not UTF-8.
    """
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        for key, value in con.execute(f'SELECT key, value FROM "{TABLE}" ORDER BY key'):
            yield _as_text(key), _as_text(value)
    finally:
        con.close()


class DbWriter:
    """Build a database file atomically.

    Args:
        path: the final file (with its .db).
        append: start from the existing file's contents (makemap -o).
        replace: a duplicate key replaces the earlier value (makemap -r).
    """

    def __init__(self, path: str, *, append: bool = False, replace: bool = False) -> None:
        self.path = path
        self.append = append
        self.replace = replace
        self._stack = contextlib.ExitStack()
        self._con: sqlite3.Connection | None = None
        self._insert = (
            f'INSERT OR REPLACE INTO "{TABLE}" (key, value) VALUES (?, ?)'
            if replace
            else f'INSERT OR IGNORE INTO "{TABLE}" (key, value) VALUES (?, ?)'
        )
        self._exists = f'SELECT 1 FROM "{TABLE}" WHERE key = ?'

    def __enter__(self) -> DbWriter:
        tmp = self._stack.enter_context(atomic_path(self.path, suffix=".db"))
        if self.append and os.path.exists(self.path):
            shutil.copyfile(self.path, tmp)
        con = sqlite3.connect(tmp, isolation_level=None)
        self._stack.callback(con.close)
        con.execute("PRAGMA journal_mode=OFF")
        con.execute("PRAGMA synchronous=OFF")
        con.execute(_CREATE)
        con.execute("BEGIN")
        self._con = con
        return self

    def put(self, key: str, value: str) -> bool:
        """Store key -> value; return False for a duplicate key (kept or replaced per -r)."""
        con = self._con
        assert con is not None, "DbWriter used outside its with block"
        if self.replace:
            duplicate = con.execute(self._exists, (key,)).fetchone() is not None
            con.execute(self._insert, (key, value))
            return not duplicate
        return con.execute(self._insert, (key, value)).rowcount == 1

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        con = self._con
        if con is not None and exc_type is None:
            con.execute("COMMIT")
        self._con = None
        self._stack.__exit__(exc_type, exc, tb)


_ANSWERS_KEPT = 4096


class _DbMap(MapClass):
    """Shared lookup for the sqlite-backed classes."""

    file_ext = ".db"
    flags = MapFlag.ALIAS_OK | MapFlag.REBUILDABLE
    reusable = True

    def __init__(self, decl: MapDecl, env: MapEnv, mapset: MapResolver | None = None) -> None:
        super().__init__(decl, env, mapset)
        self._con: sqlite3.Connection | None = None
        self._identity: tuple[int, int, int] | None = None
        self._recheck_at = 0.0
        self.path = db_path(self.options.file or "")
        # answers read from the file as it is now (emptied when it is replaced)
        self._answers: dict[str, str | None] = {}

    # the name of Sendmail's open routine, for the -d38.2 trace
    open_trace_name = "hash"

    def open(self) -> None:
        """Open the file read-only (MapOpenError when it is missing)."""
        name, file = self.decl.name, self.options.file
        self.env.dprint(f"{self.open_trace_name}_map_open({name}, {file}, 0)")
        try:
            st = os.stat(self.path)
        except OSError as err:
            raise MapOpenError(
                f"missing map file {self.path}: {err.strerror}",
                debug=f"\tmissing map file: {err.strerror}",
            ) from None
        self._connect(st)

    def _connect(self, st: os.stat_result) -> None:
        if self._con is not None:
            self._con.close()
        self._answers.clear()
        self._con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        self._identity = (st.st_dev, st.st_ino, st.st_mtime_ns)
        self._recheck_at = time.monotonic() + RECHECK_SECONDS

    def identity(self) -> object:
        """The .db file's identity: a rebuilt map (renamed into place) changes it."""
        return file_identity(self.path)

    def close(self) -> None:
        """Close the connection."""
        if self._con is not None:
            self._con.close()
            self._con = None

    def _get(self, key: str, ctx: LookupContext) -> str | LookupResult | None:
        try:
            now = time.monotonic()
            if self._con is None or now >= self._recheck_at:
                # a rebuilt map (makemap renames it into place) is seen within
                # RECHECK_SECONDS, as a Sendmail child sees it on its next connection
                self._recheck_at = now + RECHECK_SECONDS
                st = os.stat(self.path)
                if (st.st_dev, st.st_ino, st.st_mtime_ns) != self._identity or self._con is None:
                    self._connect(st)
            answers = self._answers
            if key in answers:
                return answers[key]
            assert self._con is not None
            row = self._con.execute(_SELECT, (key,)).fetchone()
        except (OSError, sqlite3.Error) as err:
            ctx.message(
                f'{self.name} map "{self.decl.name}": error reading map file {self.path}: {err}'
            )
            self.close()
            self._identity = None
            return TEMPFAIL
        if len(answers) >= _ANSWERS_KEPT:
            answers.clear()
        if row is None:
            answers[key] = None
            return None
        try:
            answers[key] = text = _as_text(row[0])
            return text
        except UnicodeDecodeError as err:
            ctx.message(
                f'{self.name} map "{self.decl.name}": error reading map file {self.path}: {err}'
            )
            return TEMPFAIL

    def fetch(self, key: str, args: Sequence[str], ctx: LookupContext) -> LookupResult:
        """db_map_lookup: fold, try without/with NUL, drop a trailing NUL of the value."""
        stored = self.fold(key)
        flags = self.options.flags
        candidates: tuple[str, ...]
        if MapArg.INCLUDE_NUL in flags:
            candidates = (stored + "\0",)
        elif MapArg.NEVER_NUL in flags:
            candidates = (stored,)
        else:
            candidates = (stored, stored + "\0")
        for candidate in candidates:
            value = self._get(candidate, ctx)
            if isinstance(value, LookupResult):
                return value
            if value is not None:
                return self.table_result(key, value.removesuffix("\0"), args)
        return NOT_FOUND

    def store(self, key: str, value: str) -> None:
        """Store through a writer in append mode (slow; used for single updates)."""
        with DbWriter(self.path, append=True, replace=True) as db:
            db.put(self.fold(key), value)


@map_class
class HashMap(_DbMap):
    """Sendmail "hash" (Berkeley DB hash): our sqlite file."""

    name = "hash"


@map_class
class BtreeMap(_DbMap):
    """Sendmail "btree" (Berkeley DB btree): our sqlite file."""

    name = "btree"
    open_trace_name = "bt"


@map_class
class DbmMap(_DbMap):
    """Sendmail "dbm" (ndbm .dir/.pag): our single sqlite .db file."""

    name = "dbm"
    open_trace_name = "ndbm"


@map_class
class ImplicitMap(_DbMap):
    """Sendmail "implicit" (hash, else dbm): our sqlite .db file; missing file = quiet tempfail."""

    name = "implicit"
    flags = MapFlag.ALIAS_OK | MapFlag.REBUILDABLE | MapFlag.OPTIONAL_FILE

    def __init__(self, decl: MapDecl, env: MapEnv, mapset: MapResolver | None = None) -> None:
        super().__init__(decl, env, mapset)
        self._from_text = False

    def open_for(self, ctx: LookupContext) -> None:
        """A missing file prints nothing, and lookups TEMPFAIL (not found with -o).

        Checked with sendmail 8.17 -bt: "$(implmiss x $: def $)" gives "def" and
        "status 75" with no message; /map says "no match (75)". An alias map
        instead says (in test mode) "WARNING: cannot open alias database FILE;
        reading text version" and reads FILE as a stab map does.
        """
        self.env.dprint(f"impl_map_open({self.decl.name}, {self.options.file}, 0)")
        try:
            self.open()
        except MapOpenError as err:
            if not self.for_aliases:  # a map of AliasFile reads the text file instead
                raise MapOpenError(err.text, quiet=True, debug=err.debug) from None
            from mta.maps.aliases import read_aliases  # it imports this package

            path = self.options.file or ""
            if self.env.verbose:
                ctx.message(f"WARNING: cannot open alias database {path}; reading text version")
            if read_aliases(path, self.env.stab, ctx, verbose=self.env.verbose) is None:
                raise MapOpenError(err.text, quiet=True, debug=err.debug) from None
            self._from_text = True

    def answers_reusable(self) -> bool:
        """Answers from the symbol table are not: another file read can add to it."""
        return not self._from_text and super().answers_reusable()

    def fetch(self, key: str, args: Sequence[str], ctx: LookupContext) -> LookupResult:
        """From the database, or after the text fallback from the symbol table."""
        if self._from_text:
            return self.stab_lookup(key, args)
        return super().fetch(key, args, ctx)
