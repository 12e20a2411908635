"""Differential test: m4compat against GNU m4 on real sendmail.mc files.

DESCRIPTION
    Compiles every .mc of the corpus with /usr/bin/m4 (GNU 1.4.19) and with
    `python -m m4compat`, run the same way (same argv after the program name,
    same working directory, same environment), against the macro tree of the
    Debian package sendmail-cf in /usr/share/sendmail/cf. stdout must be
    byte-identical, and so must stderr and the exit status once the program
    name that prefixes diagnostics is normalised to "m4".

    Corpus:
    - shipped/cf/*.mc: the package's example configurations, compiled the way
      the upstream cf/cf/Makefile does it: `m4 ../m4/cf.m4 NAME.mc` in cf/cf.
    - shipped/debian/*.mc: Debian's templates, compiled in their own directory
      (they include cf.m4 by absolute path). sendmail.mc also includes
      /etc/mail/m4/dialup.m4 and provider.m4 with include(), not sinclude(),
      so on a machine without sendmail-base both programs must print "cannot
      open" and exit 1. Because that depends on the machine, two extra cases
      pin both states with a rewritten copy pointing into tmp_path.
    - mc/*.mc next to this file: realistic site configurations written for
      this project (one per typical use), plus deliberate mistakes so that
      error output is compared as well. They use include(`m4/cf.m4') and are
      compiled as `m4 -I /usr/share/sendmail/cf NAME.mc`.

    Masked output: cf/m4/cfhead.m4 runs sh/makeinfo.sh, which writes
    "##### built by USER@HOST on `date`" and "##### in `pwd`". The date
    differs between two GNU runs a second apart, and user, host and directory
    depend on the machine, so only those values are replaced by placeholders
    (first occurrence of each line, which is the header). Everything else,
    including the "##### using DIR as configuration include directory" line
    (derived from __file__, hence deterministic) is compared as is.

DIAGNOSTICS
    Each case is skipped with a reason when /usr/bin/m4 or /usr/share/sendmail/cf
    is missing. A mismatch fails with the exit statuses, a unified diff of
    stdout (truncated) and both stderr texts. tests/diff/conftest.py prints how
    many cases were byte-identical at the end of the run.

SEE ALSO
    tests/diff/conftest.py, bench/m4_bench.py, DESIGN.md section 4.5 (differential).
"""

from __future__ import annotations

import difflib
import os
import re
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.differential

GNU_M4 = Path("/usr/bin/m4")
CF_DIR = Path("/usr/share/sendmail/cf")
REPO_ROOT = Path(__file__).resolve().parents[2]
MC_DIR = Path(__file__).resolve().parent / "mc"

# m4compat may be far slower than GNU m4 while it is young; a hang must still end.
TIMEOUT_SECONDS = 300
DIFF_LINES_SHOWN = 80

_BUILT_BY_RE = re.compile(rb"^##### built by .*@.* on .*$", re.MULTILINE)
_BUILT_IN_RE = re.compile(rb"^##### in .*$", re.MULTILINE)
# GNU m4 prefixes diagnostics with argv[0]; `python -m m4compat` may print its own
# name, its console-script path or __main__.py there. The lookahead keeps this to
# prefixes (name followed by ':'), so errprint text is left alone.
_PROG_NAME_RE = re.compile(
    rb"(?:\S*python[\d.]* -m m4compat|(?:\S*/)?m4compat(?:/__main__\.py)?|(?:\S*/)?__main__\.py)"
    rb"(?=:)"
)


@dataclass(frozen=True, slots=True)
class Case:
    """One compilation: argv after the program name, run in cwd."""

    case_id: str
    cwd: Path
    args: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RunResult:
    status: int
    stdout: bytes
    stderr: bytes


def _shipped_cases() -> list[Case]:
    cases = [
        Case(f"shipped/cf/{mc.name}", mc.parent, ("../m4/cf.m4", mc.name))
        for mc in sorted((CF_DIR / "cf").glob("*.mc"))
    ]
    cases += [
        Case(f"shipped/debian/{mc.name}", mc.parent, (mc.name,))
        for mc in sorted((CF_DIR / "debian").glob("*.mc"))
    ]
    return cases


def _own_cases() -> list[Case]:
    return [
        Case(f"mc/{mc.name}", MC_DIR, ("-I", str(CF_DIR), mc.name))
        for mc in sorted(MC_DIR.glob("*.mc"))
    ]


def _params(cases: Sequence[Case], missing_reason: str) -> list[object]:
    # An empty parameter list would be reported as an anonymous skip; one named
    # placeholder says why the corpus is absent.
    if not cases:
        return [pytest.param(None, id="corpus-missing", marks=pytest.mark.skip(missing_reason))]
    return [pytest.param(case, id=case.case_id) for case in cases]


def _environment() -> dict[str, str]:
    """Environment shared by both programs, so syscmd(sh makeinfo.sh) sees the same."""
    env = dict(os.environ)
    # Diagnostics such as "No such file or directory" come from strerror(); keep
    # them in English for both programs.
    env["LC_ALL"] = "C"
    # `python -m m4compat` runs in the corpus directory, so the package has to be
    # found through PYTHONPATH when it is not installed into the interpreter.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def _run(argv: Sequence[str], cwd: Path, executable: str | None = None) -> RunResult:
    try:
        proc = subprocess.run(
            list(argv),
            executable=executable,
            cwd=cwd,
            env=_environment(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{argv[0]} did not finish within {TIMEOUT_SECONDS}s: {' '.join(argv)}")
    return RunResult(proc.returncode, proc.stdout, proc.stderr)


def run_gnu(args: Sequence[str], cwd: Path) -> RunResult:
    # argv[0] "m4" makes GNU print "m4:FILE:LINE:" rather than "/usr/bin/m4:...".
    return _run(["m4", *args], cwd, executable=str(GNU_M4))


def run_m4compat(args: Sequence[str], cwd: Path) -> RunResult:
    return _run([sys.executable, "-m", "m4compat", *args], cwd)


def mask_stdout(text: bytes) -> bytes:
    """Replace the build user, host, date and directory in the makeinfo.sh header."""
    text = _BUILT_BY_RE.sub(b"##### built by <user>@<host> on <date>", text, count=1)
    return _BUILT_IN_RE.sub(b"##### in <dir>", text, count=1)


def normalise_stderr(text: bytes) -> bytes:
    return _PROG_NAME_RE.sub(b"m4", text)


def _diff(expected: bytes, actual: bytes, label: str) -> str:
    lines = list(
        difflib.unified_diff(
            expected.decode("latin-1").splitlines(keepends=True),
            actual.decode("latin-1").splitlines(keepends=True),
            f"{label} (GNU m4)",
            f"{label} (m4compat)",
        )
    )
    shown = "".join(lines[:DIFF_LINES_SHOWN])
    if len(lines) > DIFF_LINES_SHOWN:
        shown += f"\n... {len(lines) - DIFF_LINES_SHOWN} more diff lines\n"
    return shown


def assert_same(case: Case) -> None:
    """Compile case with both programs and fail with a readable report on any difference."""
    gnu = run_gnu(case.args, case.cwd)
    ours = run_m4compat(case.args, case.cwd)
    gnu_out, our_out = mask_stdout(gnu.stdout), mask_stdout(ours.stdout)
    gnu_err, our_err = normalise_stderr(gnu.stderr), normalise_stderr(ours.stderr)
    problems: list[str] = []
    if gnu.status != ours.status:
        problems.append(f"exit status: GNU m4 {gnu.status}, m4compat {ours.status}")
    if gnu_out != our_out:
        problems.append("stdout differs:\n" + _diff(gnu_out, our_out, "stdout"))
    if gnu_err != our_err:
        problems.append(
            "stderr differs:\n"
            f"--- GNU m4:\n{gnu_err.decode('latin-1')}\n"
            f"--- m4compat:\n{our_err.decode('latin-1')}"
        )
    if problems:
        command = " ".join(["m4", *case.args])
        pytest.fail(
            f"{case.case_id}: `{command}` in {case.cwd}\n" + "\n".join(problems), pytrace=False
        )


_CF_MISSING = f"{CF_DIR} is missing (install the Debian package sendmail-cf)"


@pytest.fixture
def require_tools() -> None:
    if not GNU_M4.is_file():
        pytest.skip(f"{GNU_M4} is missing (install the Debian package m4)")
    if not (CF_DIR / "m4" / "cf.m4").is_file():
        pytest.skip(_CF_MISSING)


@pytest.mark.usefixtures("require_tools")
@pytest.mark.parametrize("case", _params(_shipped_cases(), _CF_MISSING))
def test_shipped_mc(case: Case) -> None:
    assert_same(case)


@pytest.mark.usefixtures("require_tools")
@pytest.mark.parametrize("case", _params(_own_cases(), f"no .mc files in {MC_DIR}"))
def test_own_mc(case: Case) -> None:
    assert_same(case)


def _etc_m4_present(etc_m4: Path) -> None:
    etc_m4.mkdir()
    (etc_m4 / "dialup.m4").write_text("define(`confCON_EXPENSIVE', `True')dnl\n")
    (etc_m4 / "provider.m4").write_text("define(`SMART_HOST', `[smtp.provider.example]')dnl\n")


def _etc_m4_missing(etc_m4: Path) -> None:
    assert not etc_m4.exists()


@pytest.mark.usefixtures("require_tools")
@pytest.mark.parametrize(
    "prepare",
    [
        pytest.param(_etc_m4_present, id="etc-mail-m4-present"),
        pytest.param(_etc_m4_missing, id="etc-mail-m4-missing"),
    ],
)
def test_debian_sendmail_mc_includes(tmp_path: Path, prepare: Callable[[Path], None]) -> None:
    """debian/sendmail.mc with its /etc/mail/m4 includes pointed at tmp_path."""
    original = (CF_DIR / "debian" / "sendmail.mc").read_bytes()
    if b"/etc/mail/m4/" not in original:
        pytest.skip("this sendmail-cf's debian/sendmail.mc has no /etc/mail/m4 includes")
    etc_m4 = tmp_path / "etc-mail-m4"
    prepare(etc_m4)
    (tmp_path / "sendmail.mc").write_bytes(
        original.replace(b"/etc/mail/m4/", str(etc_m4).encode() + b"/")
    )
    assert_same(Case("debian/sendmail.mc", tmp_path, ("sendmail.mc",)))


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        (
            b"#####\n##### built by root@vm on Wed Nov 25 02:41:20 UTC 2026\n"
            b"##### in /usr/share/sendmail/cf/cf\n"
            b"##### using ../ as configuration include directory\n",
            b"#####\n##### built by <user>@<host> on <date>\n##### in <dir>\n"
            b"##### using ../ as configuration include directory\n",
        ),
        # Only the header lines are masked: a later look-alike must still be compared.
        (
            b"##### built by a@b on c\n##### in d\nR##### in e\n##### in f\n",
            b"##### built by <user>@<host> on <date>\n##### in <dir>\nR##### in e\n##### in f\n",
        ),
    ],
)
def test_mask_stdout(raw: bytes, masked: bytes) -> None:
    assert mask_stdout(raw) == masked


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        (b"m4:x.mc:3: cannot open `y'\n", b"m4:x.mc:3: cannot open `y'\n"),
        (b"m4compat:x.mc:3: cannot open `y'\n", b"m4:x.mc:3: cannot open `y'\n"),
        (b"/w/.venv/bin/m4compat:x.mc:3: oops\n", b"m4:x.mc:3: oops\n"),
        (b"/w/m4compat/__main__.py:x.mc:3: oops\n", b"m4:x.mc:3: oops\n"),
        (b"*** ERROR: textm4compat:x.mc:1: oops\n", b"*** ERROR: textm4:x.mc:1: oops\n"),
        (b"m4compat is great\n", b"m4compat is great\n"),
    ],
)
def test_normalise_stderr(raw: bytes, normalised: bytes) -> None:
    assert normalise_stderr(raw) == normalised
