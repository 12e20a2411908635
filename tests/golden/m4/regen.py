#!/usr/bin/env python3
"""Regenerate the m4 golden files from GNU m4 1.4.19.

SYNOPSIS
    python tests/golden/m4/regen.py              # every case (also drops orphaned results)
    python tests/golden/m4/regen.py NAME [NAME]  # only these cases (NAME or NAME.m4)
    make golden

DESCRIPTION
    The corpus lives in tests/golden/m4/cases/. One case is one top-level file
    NAME.m4 plus optional companions, all written by hand for this project:

    NAME.m4     the input file.
    NAME.args   optional, one line split with shlex: the command-line arguments
                given before the input file name. If the word {input} appears in
                it, every {input} is replaced by NAME.m4 and the file name is not
                appended (so a case can put options after the file, read stdin
                with "-", or name several files).
    NAME.stdin  optional: the bytes fed to standard input (otherwise stdin is empty).

    and the expected results, made by this script from GNU m4 and never edited
    by hand:

    NAME.out    standard output, byte for byte.
    NAME.err    standard error, byte for byte.
    NAME.rc     the exit status, one integer and a newline.

    Every case runs with the cases directory as its working directory (so file
    names in messages are relative: "m4compat:NAME.m4:3: ..."), with a fixed
    environment (LC_ALL=C, PATH=/usr/bin:/bin, nothing else; in particular no
    M4PATH) and a timeout. GNU m4 prints argv[0] verbatim as its program name in
    messages, in --help and in __program__, so it is run through a symlink named
    "m4compat" (in a temporary directory) with argv[0] set to "m4compat": its
    output then matches what our `python -m m4compat` prints.

    Files that cases include live in subdirectories of cases/ (inc/, incdir*/);
    only top-level *.m4 files are cases. A case that creates files (mkstemp,
    debugfile) removes them itself with syscmd(rm -f ...); *.tmp is git-ignored.

    The pytest runner tests/golden/m4/test_m4_golden.py imports the helpers below
    (case_names, command_line, run_case, ...), so both always run a case the same
    way.

DIAGNOSTICS
    Exits 2 without touching anything when /usr/bin/m4 is missing or is not
    GNU M4 1.4.19, or when a named case does not exist. Prints one line per case
    whose expected files changed. A case that GNU m4 does not finish within 10
    seconds is reported and left alone, and the exit status is then 1.

SEE ALSO
    tests/golden/m4/test_m4_golden.py (the runner; M4COMPAT_CMD, --update-golden),
    DESIGN.md section 4.5, the GNU m4 1.4.19 manual.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES_DIR = HERE / "cases"
GNU_M4 = "/usr/bin/m4"
GNU_VERSION_LINE = "m4 (GNU M4) 1.4.19"
PROGRAM_NAME = "m4compat"
TIMEOUT_SECONDS = 30.0
RESULT_SUFFIXES = (".out", ".err", ".rc")


@dataclass(frozen=True, slots=True)
class Result:
    """What one run of a case produced."""

    stdout: bytes
    stderr: bytes
    returncode: int


def case_names() -> list[str]:
    """Return the names of all cases (top-level NAME.m4 files), sorted."""
    return sorted(p.stem for p in CASES_DIR.glob("*.m4") if p.is_file())


def command_args(name: str) -> list[str]:
    """Return the arguments after the program name for case NAME (see module doc)."""
    input_name = f"{name}.m4"
    args_file = CASES_DIR / f"{name}.args"
    if not args_file.exists():
        return [input_name]
    words = shlex.split(args_file.read_text(encoding="utf-8"))
    if any("{input}" in word for word in words):
        return [word.replace("{input}", input_name) for word in words]
    return [*words, input_name]


def stdin_bytes(name: str) -> bytes:
    """Return what case NAME reads on standard input (empty unless NAME.stdin exists)."""
    stdin_file = CASES_DIR / f"{name}.stdin"
    return stdin_file.read_bytes() if stdin_file.exists() else b""


def environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Return the fixed environment every case runs in (plus EXTRA, e.g. PYTHONPATH)."""
    env = {"LC_ALL": "C", "PATH": "/usr/bin:/bin"}
    if extra:
        env.update(extra)
    return env


def run_case(
    name: str,
    command: list[str],
    *,
    argv0: str | None = None,
    extra_env: dict[str, str] | None = None,
    timeout: float = TIMEOUT_SECONDS,
) -> Result:
    """Run case NAME with COMMAND (the program and its leading arguments).

    Args:
        name: the case name (NAME.m4 in CASES_DIR).
        command: e.g. [sys.executable, "-m", "m4compat"] or [symlink].
        argv0: if given, command[0] is executed with this as argv[0].
        extra_env: variables added to the fixed environment.
        timeout: seconds before the run is killed (subprocess.TimeoutExpired).

    Returns:
        The captured stdout, stderr and exit status.
    """
    argv = [*command, *command_args(name)]
    executable = None
    if argv0 is not None:
        executable = argv[0]
        argv[0] = argv0
    before = set(os.listdir(CASES_DIR))
    try:
        proc = subprocess.run(
            argv,
            executable=executable,
            input=stdin_bytes(name),
            capture_output=True,
            cwd=CASES_DIR,
            env=environment(extra_env),
            timeout=timeout,
            check=False,
        )
    finally:
        # mkstemp/maketemp cases create files with random names: leave no trace.
        for leftover in set(os.listdir(CASES_DIR)) - before:
            path = CASES_DIR / leftover
            if path.is_file():
                path.unlink()
    return Result(proc.stdout, proc.stderr, proc.returncode)


def read_expected(name: str) -> Result | None:
    """Return the golden result of case NAME, or None if a file is missing."""
    paths = [CASES_DIR / f"{name}{suffix}" for suffix in RESULT_SUFFIXES]
    if not all(p.exists() for p in paths):
        return None
    out, err, rc = (p.read_bytes() for p in paths)
    return Result(out, err, int(rc.decode("ascii").strip()))


def write_expected(name: str, result: Result) -> bool:
    """Write RESULT as the golden files of case NAME; return True if anything changed."""
    changed = False
    contents = (result.stdout, result.stderr, f"{result.returncode}\n".encode("ascii"))
    for suffix, data in zip(RESULT_SUFFIXES, contents, strict=True):
        path = CASES_DIR / f"{name}{suffix}"
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
            changed = True
    return changed


def check_gnu_m4() -> str | None:
    """Return None if /usr/bin/m4 is GNU M4 1.4.19, else the reason it is not usable."""
    if not os.access(GNU_M4, os.X_OK):
        return f"{GNU_M4} is missing or not executable"
    try:
        proc = subprocess.run(
            [GNU_M4, "--version"], capture_output=True, env=environment(), timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"cannot run {GNU_M4} --version: {exc}"
    first = proc.stdout.decode("utf-8", "replace").splitlines()[:1]
    if first != [GNU_VERSION_LINE]:
        return f"{GNU_M4} is {first[0] if first else '?'!r}, not {GNU_VERSION_LINE!r}"
    return None


def _orphans() -> list[Path]:
    names = set(case_names())
    return sorted(
        p for suffix in RESULT_SUFFIXES for p in CASES_DIR.glob(f"*{suffix}") if p.stem not in names
    )


def main(argv: list[str]) -> int:
    problem = check_gnu_m4()
    if problem:
        print(f"regen.py: refusing to run: {problem}", file=sys.stderr)
        return 2
    all_names = case_names()
    wanted = [a.removesuffix(".m4") for a in argv] or all_names
    unknown = [n for n in wanted if n not in all_names]
    if unknown:
        print(f"regen.py: no such case: {' '.join(unknown)}", file=sys.stderr)
        return 2
    changed = 0
    failed = []
    with tempfile.TemporaryDirectory(prefix="m4golden-") as tmp:
        link = Path(tmp) / PROGRAM_NAME
        link.symlink_to(GNU_M4)
        for name in wanted:
            try:
                result = run_case(name, [str(link)], argv0=PROGRAM_NAME, timeout=10.0)
            except subprocess.TimeoutExpired:
                print(f"regen.py: {name}: GNU m4 timed out; golden files not written")
                failed.append(name)
                continue
            if write_expected(name, result):
                changed += 1
                print(f"updated {name} (exit {result.returncode})")
    if not argv and not failed:
        for orphan in _orphans():
            orphan.unlink()
            print(f"removed orphan {orphan.name}")
    print(f"{len(wanted)} cases, {changed} changed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
