"""newaliases: rebuild the alias databases named by the AliasFile option.

SYNOPSIS
    newaliases [-C cf]
    status = rebuild_aliases(config, out=sys.stdout)     # what `sendmail -bi` calls

DESCRIPTION
    Loads the .cf (default /etc/mail/sendmail.cf), takes its AliasFile option
    (one or more "class:path" or "path" entries, comma separated; default
    /etc/mail/aliases) and rebuilds each database with mta.maps.aliases, printing
    for each file the line Sendmail prints:
    "/etc/mail/aliases: N aliases, longest M bytes, T bytes total".
    Warnings about bad lines go to standard error, prefixed "FILE: line N:".

DIAGNOSTICS
    Exit status (sysexits): 0 on success; EX_SOFTWARE (70) when a line had an
    error (missing colon or value), as Sendmail's -bi; EX_NOINPUT (66) for an
    alias file that cannot be read; EX_CANTCREAT (73) for a database that cannot
    be written; EX_CONFIG (78) for a .cf that cannot be loaded; EX_USAGE (64)
    for bad arguments.

SEE ALSO
    mta.maps.aliases, mta.cli.praliases, newaliases(1).
"""

from __future__ import annotations

import getopt
import os
import sqlite3
import sys
from collections.abc import Sequence
from typing import TextIO

from mta.config.model import Config
from mta.core.errors import ConfigError
from mta.maps.aliases import build_alias_db, parse_alias_file_option

DEFAULT_CF = "/etc/mail/sendmail.cf"


def rebuild_aliases(config: Config, *, out: TextIO, err: TextIO | None = None) -> int:
    """Rebuild every alias database of config's AliasFile option.

    Args:
        config: the loaded .cf.
        out: where the statistics lines go.
        err: where warnings go (default: standard error).

    Returns:
        The exit status (sysexits).

    Side effects:
        Replaces FILE.db for each alias file.
    """
    err = sys.stderr if err is None else err
    try:
        sources = parse_alias_file_option(config.options.get("AliasFile"))
    except ConfigError as exc:
        err.write(f"{exc}\n")
        return os.EX_CONFIG
    status = 0
    for source in sources:
        try:
            stats = build_alias_db(source.path, err=err)
        except (OSError, UnicodeDecodeError) as exc:
            if isinstance(exc, OSError) and exc.filename == source.path:
                err.write(f"Can't open {source.path}: {exc.strerror}\n")
                status = status or os.EX_NOINPUT
            else:
                err.write(f"{source.path}: {exc}\n")
                status = status or os.EX_CANTCREAT
            continue
        except sqlite3.Error as exc:
            err.write(f"{source.path}.db: {exc}\n")
            status = status or os.EX_CANTCREAT
            continue
        out.write(stats.summary() + "\n")
        if stats.errors:
            status = status or os.EX_SOFTWARE
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """Run newaliases; return the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        opts, rest = getopt.getopt(args, "C:")
    except getopt.GetoptError as exc:
        sys.stderr.write(f"newaliases: {exc.msg}\nUsage: newaliases [-C cf]\n")
        return os.EX_USAGE
    if rest:
        sys.stderr.write("Usage: newaliases [-C cf]\n")
        return os.EX_USAGE
    cf = dict(opts).get("-C", DEFAULT_CF)
    from mta.config.loader import load_cf  # the loader is written in parallel

    try:
        config = load_cf(cf)
    except (ConfigError, OSError) as exc:
        sys.stderr.write(f"{exc}\n")
        return os.EX_CONFIG
    return rebuild_aliases(config, out=sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
