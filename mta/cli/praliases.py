"""praliases: print the alias databases.

SYNOPSIS
    praliases [-C cf] [-f file] [key...]

DESCRIPTION
    Prints every entry of the alias databases as "key:value" lines (the "@"
    completion marker included, as Sendmail's praliases does), or only the
    given keys, looked up exactly as typed ("KEY: No such key" when absent).
    -f names one alias file (its FILE.db is read); otherwise the AliasFile
    option of the .cf (-C, default /etc/mail/sendmail.cf) names them.

DIAGNOSTICS
    "praliases: FILE: open: Unknown database type" for a database that is
    missing or unreadable (the words Sendmail's build prints); that file is
    skipped. Exit status 0, EX_USAGE (64) for bad arguments, EX_CONFIG (78)
    when the .cf cannot be loaded.

SEE ALSO
    mta.maps.aliases, mta.cli.newaliases, praliases(8).
"""

from __future__ import annotations

import getopt
import os
import sqlite3
import sys
from collections.abc import Sequence

from mta.core.errors import ConfigError
from mta.maps.aliases import AliasSource, lookup_alias, parse_alias_file_option, read_alias_db

USAGE = "usage: praliases [-C cffile] [-f aliasfile] [key ...]\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Run praliases; return the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        opts, keys = getopt.getopt(args, "C:f:")
    except getopt.GetoptError:
        sys.stderr.write(USAGE)
        return os.EX_USAGE
    flags = dict(opts)
    sources: list[AliasSource]
    if "-f" in flags:
        sources = [AliasSource("implicit", flags["-f"])]
    else:
        from mta.config.loader import load_cf  # the loader is written in parallel

        try:
            config = load_cf(flags.get("-C", "/etc/mail/sendmail.cf"))
            sources = parse_alias_file_option(config.options.get("AliasFile"))
        except (ConfigError, OSError) as exc:
            sys.stderr.write(f"praliases: {exc}\n")
            return os.EX_CONFIG
    out = sys.stdout
    for source in sources:
        try:
            entries = read_alias_db(source.path)
        except (OSError, sqlite3.Error, UnicodeDecodeError):
            sys.stderr.write(f"praliases: {source.path}: open: Unknown database type\n")
            continue
        if not keys:
            for key, value in entries:
                out.write(f"{key}:{value}\n")
            continue
        for key in keys:
            found = lookup_alias(source.path, key)
            out.write(f"{key}:{found}\n" if found is not None else f"{key}: No such key\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
