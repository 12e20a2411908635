"""`hoststat` and `purgestat`: list or expire the persistent host status (sendmail -bh/-bH).

SYNOPSIS
    hoststat  [-v] [-C file.cf] [-O HostStatusDirectory=dir] [-O QueueDirectory=dir]
    purgestat [-C file.cf] [-O Timeout.hoststatus=30m] [-oXvalue]
    status = main_hoststat(["-C", "/etc/mail/sendmail.cf", "-v"])

DESCRIPTION
    Both read the .cf (default /etc/mail/sendmail.cf) with the command-line
    options winning over its O lines, as `sendmail` does, and work on
    HostStatusDirectory (relative to QueueDirectory when not absolute; see
    mta.deliver.hoststatus).

    hoststat prints what Sendmail 8.17 prints for `sendmail -bh`: a header
    and one line per host file with the host name, how long ago it was used
    and the result of that use (cut to 25 bytes; 78 with -v or the Verbose
    option). An empty tree prints nothing.

    purgestat (`sendmail -bH`) removes the status files that are older than
    Timeout.hoststatus (by modification time, as Sendmail does) and the
    emptied "label." directories, and prints nothing.

    Sendmail's whole command line is accepted (these are sendmail invoked
    under other names), so `sendmail -bh ...` calls main_hoststat() with
    its own arguments; the other flags are ignored.

DIAGNOSTICS
    Exit status (sysexits): 0 (EX_OK), also when HostStatusDirectory is not
    set (nothing is printed) or cannot be used: then, as Sendmail, the line
    "Warning: Cannot use HostStatusDirectory = DIR: reason" goes to standard
    output. 72 (EX_OSFILE) with "FILE: line 0: cannot open: reason" when the
    .cf cannot be opened, 78 (EX_CONFIG) when it is refused, 64 (EX_USAGE)
    for a bad command line.

SEE ALSO
    mta.deliver.hoststatus, mta.cli.sendmail, mta.cli.mailq; hoststat(8),
    purgestat(8).
"""

from __future__ import annotations

import errno
import getopt
import os
import sys
import time
from collections.abc import Mapping, Sequence

from mta.cli.common import add_option, load_config, write_out
from mta.deliver.hoststatus import DEFAULT_TIMEOUT, HostStatusStore, resolve_directory
from mta.util.sysexits import ExitCode

DEFAULT_CF = "/etc/mail/sendmail.cf"
# sendmail's getopt string: letters followed by ':' take an argument
_OPTSTRING = "A:B:b:C:cD:d:e:F:f:Gh:IiL:M:mN:nO:o:p:Q:q:R:r:sTtV:vX:"


def main_hoststat(argv: Sequence[str] | None = None) -> int:
    """Entry point of `hoststat` (= sendmail -bh); returns the exit status."""
    return _main("hoststat", argv)


def main_purgestat(argv: Sequence[str] | None = None) -> int:
    """Entry point of `purgestat` (= sendmail -bH); returns the exit status."""
    return _main("purgestat", argv)


def _main(command: str, argv: Sequence[str] | None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        opts, _rest = getopt.getopt(args, _OPTSTRING)
    except getopt.GetoptError as exc:
        sys.stderr.write(f"{command}: {exc.msg}\n")
        return int(ExitCode.EX_USAGE)
    cf = DEFAULT_CF
    verbose = False
    overrides: dict[str, str] = {}
    for flag, value in opts:
        letter = flag[1:]
        if letter == "C":
            cf = value
        elif letter == "v":
            verbose = True
        elif letter in "Oo":
            add_option(letter, value, overrides)
    config, status = load_config(cf, overrides)
    if config is None:
        return status
    options = config.options
    store = store_from_options(options)
    if store is None:
        return int(ExitCode.EX_OK)
    now = time.time()
    if command == "purgestat":
        store.purge(now)
        return int(ExitCode.EX_OK)
    verbose = verbose or _verbose(options)
    write_out(store.listing(now, verbose=verbose))
    return int(ExitCode.EX_OK)


def store_from_options(options: Mapping[str, str]) -> HostStatusStore | None:
    """The store named by HostStatusDirectory/QueueDirectory/Timeout.hoststatus.

    Returns None when the option is unset, or when the directory cannot be
    used (after printing Sendmail's warning on standard output).
    """
    directory = resolve_directory(options.get("HostStatusDirectory"),
                                  options.get("QueueDirectory"))
    if directory is None:
        return None
    try:
        if not os.path.isdir(directory):
            os.stat(directory)
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR))
    except OSError as exc:
        write_out(f"Warning: Cannot use HostStatusDirectory = "
               f"{options.get('HostStatusDirectory')}: {exc.strerror}\n")
        return None
    return HostStatusStore(directory, _timeout(options))


def _timeout(options: Mapping[str, str]) -> int:
    from mta.config.options import OptionValueError, option_value

    try:
        value = option_value(options, "Timeout.hoststatus")
    except (OptionValueError, ValueError):
        return DEFAULT_TIMEOUT
    return int(value) if isinstance(value, int | float) else DEFAULT_TIMEOUT


def _verbose(options: Mapping[str, str]) -> bool:
    from mta.config.options import OptionValueError, option_value

    if "Verbose" not in options:
        return False
    try:
        value = option_value(options, "Verbose")
    except (OptionValueError, ValueError):
        return False
    return bool(value)


if __name__ == "__main__":
    sys.exit(main_hoststat())
