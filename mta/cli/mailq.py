"""`mailq`: list the mail queue, as `sendmail -bp` does.

SYNOPSIS
    mailq [-v] [-C file.cf] [-O QueueDirectory=dir | -oQdir] [-q[!]Isubstr]
          [-q[!]Rsubstr] [-q[!]Ssubstr] [-qQ[substr]] [-qL] [-Ac|-Am]
    status = main(["-C", "/etc/mail/sendmail.cf", "-v"])

DESCRIPTION
    Reads the .cf (default /etc/mail/sendmail.cf; /etc/mail/submit.cf with
    -Ac) with the command-line options winning over its O lines, takes the
    options that shape the listing (QueueDirectory, QueueSortOrder,
    MaxQueueRunSize, MinQueueAge, MaxQueueAge, QueueLA, QueueFactor,
    Verbose, TimeZoneSpec) and prints mta.queue.listing's text on standard
    output, byte for byte what Sendmail 8.17 prints for the same directory.

    Sendmail's command line is accepted as a whole (mailq is sendmail
    invoked under another name), so `sendmail -bp ...` calls main() with its
    own arguments. -q takes the queue filters: I (queue id), R (recipient),
    S (sender), Q (quarantined jobs, with an optional reason), L (lost
    jobs), each negated by a leading "!"; -qG (queue groups) and a queue
    run interval are accepted and ignored.

    TimeZoneSpec decides the time zone of the Q-Time column as in Sendmail:
    unset clears TZ (the system's zone), empty keeps the caller's TZ, any
    other value becomes TZ.

DIAGNOSTICS
    Exit status (sysexits): 0 (EX_OK) after a listing; 72 (EX_OSFILE) with
    "FILE: line 0: cannot open: reason" on standard output when the .cf
    cannot be opened, as the real sendmail; 78 (EX_CONFIG) when the .cf is
    refused or the queue directory cannot be entered ("can not
    chdir(DIR/): reason", standard output); 64 (EX_USAGE) for a bad
    command line.

SEE ALSO
    mta.queue.listing, mta.cli.sendmail, mta.config.loader; mailq(1).
"""

from __future__ import annotations

import getopt
import os
import sys
import time
from collections.abc import Mapping, Sequence

from mta.cli.common import add_option, load_config, write_out
from mta.queue.listing import (
    DEFAULT_QUEUE_FACTOR,
    ListingOptions,
    QueueMatch,
    QueueMode,
    SortOrder,
    queue_listing_status,
)
from mta.util.sysexits import ExitCode

DEFAULT_CF = "/etc/mail/sendmail.cf"
SUBMIT_CF = "/etc/mail/submit.cf"
DEFAULT_QUEUE_DIR = "mqueue"  # what Sendmail uses when QueueDirectory is empty (observed)
# sendmail's getopt string: letters followed by ':' take an argument
_OPTSTRING = "A:B:b:C:cD:d:e:F:f:Gh:IiL:M:mN:nO:o:p:Q:q:R:r:sTtV:vX:"


class _Usage(Exception):
    pass


class _Filters:
    """The -q options, collected in command-line order."""

    def __init__(self) -> None:
        self.mode = QueueMode.NORMAL
        self.ids: list[QueueMatch] = []
        self.senders: list[QueueMatch] = []
        self.recipients: list[QueueMatch] = []
        self.reasons: list[QueueMatch] = []

    def add(self, value: str) -> None:
        """Take one -q argument as Sendmail's main() does for -bp."""
        negate = value.startswith("!")
        if negate:
            value = value[1:]
        kind, text = value[:1], value[1:]
        if kind == "I":
            self.ids.append(QueueMatch(text, negate))
        elif kind == "R":
            self.recipients.append(QueueMatch(text, negate))
        elif kind == "S":
            self.senders.append(QueueMatch(text, negate))
        elif kind == "Q":
            if text:
                self.reasons.append(QueueMatch(text, negate))
            self.mode = QueueMode.QUARANTINE
        elif kind == "L":
            self.mode = QueueMode.LOST
        # G (queue group), f, p and an interval do not change a listing


def main(argv: Sequence[str] | None = None) -> int:
    """Run mailq; return the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        opts, _rest = getopt.getopt(args, _OPTSTRING)
    except getopt.GetoptError as exc:
        sys.stderr.write(f"mailq: {exc.msg}\n")
        return int(ExitCode.EX_USAGE)
    cf: str | None = None
    submit = False
    verbose = False
    overrides: dict[str, str] = {}
    filters = _Filters()
    for flag, value in opts:
        letter = flag[1:]
        if letter == "C":
            cf = value
        elif letter == "A":
            submit = value == "c"
        elif letter == "v":
            verbose = True
        elif letter == "q":
            filters.add(value)
        elif letter in "Oo":
            add_option(letter, value, overrides)
    return list_queue(cf or (SUBMIT_CF if submit else DEFAULT_CF), overrides,
                      verbose=verbose, filters=filters)


def list_queue(
    cf: str,
    overrides: Mapping[str, str],
    *,
    verbose: bool = False,
    filters: _Filters | None = None,
) -> int:
    """Load cf with overrides and print the queue listing; return the exit status.

    Side effects:
        Writes the listing to standard output; sets or clears TZ by TimeZoneSpec.
    """
    config, status = load_config(cf, dict(overrides))
    if config is None:
        return status
    options = config.options
    _set_time_zone(options.get("TimeZoneSpec"))
    chosen = filters or _Filters()
    listing = ListingOptions(
        mode=chosen.mode,
        sort_order=SortOrder.from_option(options.get("QueueSortOrder")),
        ids=tuple(chosen.ids),
        senders=tuple(chosen.senders),
        recipients=tuple(chosen.recipients),
        quarantine_reasons=tuple(chosen.reasons),
        max_queue_run=_int_option(options, "MaxQueueRunSize", 0) or 0,
        min_queue_age=_int_option(options, "MinQueueAge", 0) or 0,
        max_queue_age=_int_option(options, "MaxQueueAge", 0) or 0,
        queue_la=_int_option(options, "QueueLA", None),
        queue_factor=_int_option(options, "QueueFactor", DEFAULT_QUEUE_FACTOR) or 0,
    )
    verbose = verbose or _int_option(options, "Verbose", 0) != 0
    queue_dir = options.get("QueueDirectory") or DEFAULT_QUEUE_DIR
    text, status = queue_listing_status(queue_dir, verbose=verbose, options=listing)
    write_out(text)
    return status


def _int_option(options: Mapping[str, str], name: str, default: int | None) -> int | None:
    """The typed value of a numeric, time or boolean option, or default when unset or bad."""
    from mta.config.options import OptionValueError, option_value

    if name not in options:
        return default
    try:
        value = option_value(options, name)
    except (OptionValueError, ValueError):
        return default
    if isinstance(value, bool | int):
        return int(value)
    return default


def _set_time_zone(spec: str | None) -> None:
    """Sendmail's TimeZoneSpec: unset clears TZ, empty keeps it, else it becomes TZ."""
    if spec is None:
        os.environ.pop("TZ", None)
    elif spec:
        os.environ["TZ"] = spec
    time.tzset()


if __name__ == "__main__":
    sys.exit(main())
