"""Tests for the `sendmail` command line (mta.cli.sendmail).

DESCRIPTION
    The macros Sendmail's main() defines before it reads the .cf, and what a
    -bt session run through the console script prints for them (the same
    lines as sendmail 8.17: see "${opMode}" in tests/diff/bt/commands.in).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mta.cli.sendmail import startup_macros
from mta.config.hostinfo import HostIdentity

# FEATURE(redirect)'s rules as the real sendmail-cf writes them: ${opMode} is
# expanded when the .cf is read, so the error needs it defined before that
REDIRECT_CF = """V10/Berkeley
CPREDIRECT
Sredirect
R$* < @ $+ .REDIRECT. >\t\t$: $1 < @ $2 . REDIRECT . > < ${opMode} >
R$* < @ $+ .REDIRECT. > <i>\t$: $1 < @ $2 . REDIRECT. >
R$* < @ $+ .REDIRECT. > < $- >\t$#error $@ 5.1.1 $: "551 User has moved; please try " <$1@$2>
Sdetail
R$*\t\t\t$: < $&{addr_type} > $1
"""


@pytest.mark.parametrize("mode", ["t", "m", "d", "i", "v"])
def test_opmode_is_the_letter_of_the_b_option(mode: str) -> None:
    macros = startup_macros(HostIdentity({"j": "mail.example.test", "w": "mail"}), mode)
    assert macros["opMode"] == mode
    assert macros["deliveryMode"] == "b"  # the default while the .cf is read
    assert macros["j"] == "mail.example.test"


def test_bt_macros_before_and_after_reading_the_cf(tmp_path: Path) -> None:
    cf = tmp_path / "redirect.cf"
    cf.write_text(REDIRECT_CF)
    stdin = (
        "${opMode}\nredirect user < @ new.example.REDIRECT. >\n"
        "${deliveryMode}\n${addr_type}\ndetail x\n"
    )
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("sendmail")), "-bt", "-C", str(cf)],
        input=stdin.encode(), capture_output=True, timeout=120, check=False,
    )
    out = proc.stdout.decode("latin-1")
    assert "> t\n" in out, out
    assert (
        'redirect         returns: $# error $@ 5 . 1 . 1 $: "551 User has moved; please try "'
        " < user @ new . example >\n"
    ) in out, out
    # after reading, test mode delivers interactively and parses envelope recipients
    assert "> i\n> e r\n" in out, out
    assert "detail           returns: < e r > x\n" in out, out


@pytest.mark.parametrize(("version", "note"), [
    ("8", "Warning: .cf file is out of date: sendmail 8.17.1.9 supports version 10, "
          ".cf file is version 8\n"),
    ("10", ""),
])
def test_bt_notes_an_old_version_level_before_the_banner(
    tmp_path: Path, version: str, note: str
) -> None:
    cf = tmp_path / "old.cf"
    cf.write_text(f"V{version}/Berkeley\nS0\nMlocal, P=/bin/true, F=l, A=local $u\n")
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("sendmail")), "-bt", "-C", str(cf)],
        input=b"", capture_output=True, timeout=120, check=False,
    )
    # a message(), not a syserr: standard output, and the exit status stays 0
    assert proc.stdout.decode("latin-1").startswith(note + "ADDRESS TEST MODE"), proc.stdout
    assert proc.returncode == 0, proc.stderr
