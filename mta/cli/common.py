"""What the small commands share: -O/-o options, reading the .cf, writing the output.

SYNOPSIS
    add_option(letter, value, overrides)          # -O Name=value, -oXvalue
    config, status = load_config(cf, overrides)   # None and a sysexits code on failure
    write_out(text)                               # one byte per character, flushed

DESCRIPTION
    mailq, hoststat and purgestat read the .cf only for its options and
    report a .cf that does not open as Sendmail does ("FILE: line 0: cannot
    open: REASON" on standard output, EX_OSFILE), one that is refused with
    the loader's message and EX_CONFIG.

DIAGNOSTICS
    Unknown -O/-o options are reported on standard error and skipped.

SEE ALSO
    mta.cli.mailq, mta.cli.hoststat, mta.config.options.
"""

from __future__ import annotations

import sys
from collections.abc import MutableMapping

from mta.config.model import Config
from mta.core.errors import ConfigError
from mta.util.sysexits import ExitCode


def add_option(letter: str, value: str, overrides: MutableMapping[str, str]) -> None:
    """Take -O Name=value (letter "O") or -oXvalue (letter "o") into overrides."""
    from mta.config.options import read_option

    parsed = read_option(value, long_form=letter == "O", command_line=letter == "O")
    if parsed.spec is None:
        sys.stderr.write(f"{parsed.error}\n")
        return
    overrides[parsed.name] = parsed.value


def load_config(cf: str, overrides: MutableMapping[str, str]) -> tuple[Config | None, int]:
    """The .cf with the command line's options, or None and the exit status."""
    try:
        with open(cf, "rb"):
            pass
    except OSError as exc:
        write_out(f"{cf}: line 0: cannot open: {exc.strerror}\n")
        return None, int(ExitCode.EX_OSFILE)
    from mta.config.loader import load_cf

    try:
        return load_cf(cf, overrides=dict(overrides)), int(ExitCode.EX_OK)
    except ConfigError as exc:
        write_out(f"{exc}\n")
        return None, int(ExitCode.EX_CONFIG)


def write_out(text: str) -> None:
    """Write text to standard output, one byte per character (latin-1), flushed."""
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("latin-1", "replace"))
    sys.stdout.buffer.flush()
