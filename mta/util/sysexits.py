"""Process exit codes from <sysexits.h>, as Sendmail and its tools use them.

SYNOPSIS
    from mta.util.sysexits import ExitCode
    raise SystemExit(ExitCode.EX_USAGE)
    ExitCode.EX_CONFIG.name == "EX_CONFIG"

DESCRIPTION
    ExitCode is an IntEnum with the BSD sysexits values (the same numbers as
    os.EX_* on Unix, written out here so the table also exists where os lacks
    them). Sendmail exits with these codes, mailers report them, and its
    syserr()/usrerr() set them: a configuration or internal error is
    EX_SOFTWARE or EX_CONFIG, a bad command-line value EX_USAGE, a missing
    service EX_UNAVAILABLE, a temporary failure EX_TEMPFAIL.

    Members are named exactly as in C (EX_OK, EX_USAGE, ...) so that grepping
    for a Sendmail name finds ours.

DIAGNOSTICS
    None: this module only defines the enum.

SEE ALSO
    sysexits(3), mta.cli, DESIGN.md 4.3.
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """An exit status from <sysexits.h> (values equal os.EX_* on Unix)."""

    EX_OK = 0  # successful termination
    EX_USAGE = 64  # command line usage error
    EX_DATAERR = 65  # data format error
    EX_NOINPUT = 66  # cannot open input
    EX_NOUSER = 67  # addressee unknown
    EX_NOHOST = 68  # host name unknown
    EX_UNAVAILABLE = 69  # service unavailable
    EX_SOFTWARE = 70  # internal software error
    EX_OSERR = 71  # system error (e.g., can't fork)
    EX_OSFILE = 72  # critical OS file missing
    EX_CANTCREAT = 73  # can't create (user) output file
    EX_IOERR = 74  # input/output error
    EX_TEMPFAIL = 75  # temporary failure; the user is invited to retry
    EX_PROTOCOL = 76  # remote error in protocol
    EX_NOPERM = 77  # permission denied
    EX_CONFIG = 78  # configuration error


EX_OK = ExitCode.EX_OK
EX_USAGE = ExitCode.EX_USAGE
EX_DATAERR = ExitCode.EX_DATAERR
EX_NOINPUT = ExitCode.EX_NOINPUT
EX_NOUSER = ExitCode.EX_NOUSER
EX_NOHOST = ExitCode.EX_NOHOST
EX_UNAVAILABLE = ExitCode.EX_UNAVAILABLE
EX_SOFTWARE = ExitCode.EX_SOFTWARE
EX_OSERR = ExitCode.EX_OSERR
EX_OSFILE = ExitCode.EX_OSFILE
EX_CANTCREAT = ExitCode.EX_CANTCREAT
EX_IOERR = ExitCode.EX_IOERR
EX_TEMPFAIL = ExitCode.EX_TEMPFAIL
EX_PROTOCOL = ExitCode.EX_PROTOCOL
EX_NOPERM = ExitCode.EX_NOPERM
EX_CONFIG = ExitCode.EX_CONFIG


def dsn_to_exit_status(dsn: str) -> int:
    """The exit status Sendmail's dsntoexitstat() gives an enhanced status ("5.1.2")."""
    if dsn.startswith("2"):
        return EX_OK
    if dsn.startswith("4"):
        return EX_TEMPFAIL
    if not dsn.startswith("5"):
        return EX_CONFIG
    parts = dsn[1:].lstrip(".").split(".")
    subject = atoi(parts[0]) if parts else 0
    detail = atoi(parts[1]) if len(parts) > 1 else 0
    table: dict[int, dict[int, int]] = {
        1: {0: EX_DATAERR, 1: EX_NOUSER, 6: EX_NOUSER, 2: EX_NOHOST, 8: EX_NOHOST,
            3: EX_USAGE, 7: EX_USAGE, 4: EX_UNAVAILABLE, 5: EX_CONFIG},
        2: {0: EX_UNAVAILABLE, 1: EX_UNAVAILABLE, 2: EX_UNAVAILABLE, 4: EX_UNAVAILABLE,
            3: EX_DATAERR},
        4: {0: EX_IOERR, 1: EX_TEMPFAIL, 3: EX_TEMPFAIL, 5: EX_TEMPFAIL, 2: EX_IOERR,
            4: EX_PROTOCOL, 6: EX_CONFIG, 7: EX_UNAVAILABLE},
    }
    whole = {0: EX_UNAVAILABLE, 3: EX_OSERR, 5: EX_PROTOCOL, 6: EX_UNAVAILABLE, 7: EX_DATAERR}
    if subject in whole:
        return whole[subject]
    return table.get(subject, {}).get(detail, EX_UNAVAILABLE)


def atoi(text: str) -> int:
    """C's atoi(): leading blanks, a sign, then ASCII digits; 0 when there are none."""
    start = 0
    while start < len(text) and text[start] in " \t\n\r\f\v":
        start += 1
    sign = -1 if text[start:start + 1] == "-" else 1
    if text[start:start + 1] in ("-", "+"):
        start += 1
    end = start
    while end < len(text) and "0" <= text[end] <= "9":
        end += 1
    return sign * int(text[start:end]) if end > start else 0
