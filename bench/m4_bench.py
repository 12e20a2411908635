"""Benchmark m4compat against GNU m4 on the real workload and on growing inputs.

SYNOPSIS
    make bench
    .venv/bin/python bench/m4_bench.py [--runs 30] [--mc FILE] [--sizes 1,2,4,8]

DESCRIPTION
    Part 1 compiles a realistic sendmail.mc (tests/diff/mc/company-gateway.mc:
    OSTYPE, DOMAIN, 23 FEATUREs, MASQUERADE_AS, DAEMON_OPTIONS,
    LOCAL_CONFIG, LOCAL_RULESETS and MAILERs; the largest .cf of the
    differential corpus) against the sendmail-cf tree in /usr/share/sendmail/cf,
    as a user would: one whole process per compilation,
    `m4compat -I /usr/share/sendmail/cf company-gateway.mc > /dev/null`, so interpreter
    start-up and the syscmd() that cf.m4 runs are included. The two programs
    take turns, --runs times each, so that load on the machine hits both alike.
    It prints the medians and the ratio m4compat / GNU m4 (target: at most 8).

    Part 2 checks that run time grows linearly with input size. It writes a
    synthetic macro-heavy input (define/undefine, nested calls with arguments,
    recursion over $@, ifelse, eval, quoting and changequote, diversions and
    undivert, dnl lines) of 1, 2, 4 and 8 MiB built from one repeated block, times
    both programs on each (median of --growth-runs) and prints seconds, MiB/s
    and, per program, time-per-MiB of the largest input over the smallest:
    about 1.0 is linear, 2.0 on 8 vs 1 MiB would hint at quadratic behaviour.
    The same ratio is also given net of process start-up, measured on an empty
    input, because start-up alone makes the smallest input look slow per MiB.

    Before timing, each program is run once on each input and the outputs are
    compared, so a figure for a wrong answer is marked as such. The build date
    and directory lines that sendmail-cf writes are masked for that comparison.
    Nothing is asserted: the script prints figures and exits 0 unless a program
    cannot be run at all.

DIAGNOSTICS
    Exit status 2 when /usr/bin/m4, the sendmail-cf tree or the .mc is missing;
    1 when m4compat cannot run (for instance before the engine exists). The
    first lines of its stderr are printed.

SEE ALSO
    tests/diff/test_sendmail_cf.py (the same corpus, checked for identity).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
GNU_M4 = Path("/usr/bin/m4")
CF_DIR = Path("/usr/share/sendmail/cf")
DEFAULT_MC = REPO_ROOT / "tests" / "diff" / "mc" / "company-gateway.mc"
CONSOLE_SCRIPT = REPO_ROOT / ".venv" / "bin" / "m4compat"
TARGET_RATIO = 8.0
MIB = 1 << 20

_BUILD_LINES_RE = re.compile(rb"^##### (?:built by .*|in .*)$", re.MULTILINE)

# Definitions shared by every block of the synthetic input; they are defined once
# so the symbol table stays the same size however long the input is.
_PROLOGUE = """\
divert(-1)dnl
This prologue is discarded: diversion -1 throws text away.
define(`pair', `[$1=$2]')
define(`nest', `pair(`$1', pair(`$2', `$3'))')
define(`twice', `$1$1')
define(`join', `ifelse(`$#', `1', `$1', `$1,join(shift($@))')')
define(`classify', `ifelse(eval(`$1' % 3), `0', `fizz', eval(`$1' % 5), `0', `buzz', `$1')')
define(`counter', `0')
define(`bump', `define(`counter', incr(counter))counter')
divert(0)dnl
"""

# One block; {i} is replaced by a running number so no two blocks are identical
# and block-local macros get fresh names (defined and undefined in the block).
_BLOCK = """\
dnl block {i}: a comment that dnl removes together with its newline
define(`local{i}', `<$1:$2:$#>')dnl
local{i}(`alpha', `beta', `gamma') nest(`a{i}', `b', `c') twice(`xy')
join(`one', `two', `three', `four', `five') classify({i}) bump
divert(1)dnl
deferred line {i}: pair(`k{i}', `v{i}') `quoted (parens), commas, and `nested' quotes'
divert(0)dnl
ifelse(`{i}', `0', `zero', `nonzero {i}') ifdef(`local{i}', `defined', `undefined')
changequote([, ])[square [quoted] text {i}, with `backquotes']changequote
pushdef(`local{i}', `shadow')local{i} popdef(`local{i}')local{i}(`p', `q')
undefine(`local{i}')dnl
# a comment line with pair(`not', `expanded') inside
{flush}"""

_FLUSH_EVERY = 64  # blocks between undivert(1) calls, so diversion 1 stays small


@dataclass(frozen=True, slots=True)
class Program:
    """A command line prefix plus the environment it needs."""

    name: str
    argv: tuple[str, ...]
    env: dict[str, str]


@dataclass(frozen=True, slots=True)
class Outcome:
    status: int
    stdout: bytes
    stderr: bytes


def gnu_program() -> Program:
    return Program("GNU m4", (str(GNU_M4),), dict(os.environ))


def m4compat_program() -> Program:
    """The installed console script if there is one, else `python -m m4compat`."""
    env = dict(os.environ)
    if CONSOLE_SCRIPT.exists():
        return Program("m4compat", (str(CONSOLE_SCRIPT),), env)
    # Without an install the package is found through PYTHONPATH, since the
    # programs run in the directory of the input, not in the repository.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH")) if p)
    return Program("m4compat", (sys.executable, "-m", "m4compat"), env)


def run_capture(program: Program, args: Sequence[str], cwd: Path) -> Outcome:
    proc = subprocess.run(
        [*program.argv, *args],
        cwd=cwd,
        env=program.env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        check=False,
    )
    return Outcome(proc.returncode, proc.stdout, proc.stderr)


def time_once(program: Program, args: Sequence[str], cwd: Path) -> float:
    """Wall-clock seconds for one whole process, stdout to /dev/null as in `> /dev/null`."""
    start = time.perf_counter()
    subprocess.run(
        [*program.argv, *args],
        cwd=cwd,
        env=program.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return time.perf_counter() - start


def time_alternating(
    programs: Sequence[Program], args: Sequence[str], cwd: Path, runs: int
) -> list[list[float]]:
    """Time each program runs times, taking turns, and return the samples per program."""
    samples: list[list[float]] = [[] for _ in programs]
    for _ in range(runs):
        for i, program in enumerate(programs):
            samples[i].append(time_once(program, args, cwd))
    return samples


def describe_failure(outcome: Outcome) -> str:
    lines = outcome.stderr.decode("utf-8", "replace").splitlines()[:5]
    return f"exit status {outcome.status}" + "".join(f"\n      {line}" for line in lines)


def check_agreement(gnu: Outcome, ours: Outcome) -> str:
    """One word for the table: do the two programs agree on this input?"""
    same_out = _BUILD_LINES_RE.sub(b"", gnu.stdout) == _BUILD_LINES_RE.sub(b"", ours.stdout)
    if same_out and gnu.status == ours.status:
        return "identical"
    return "DIFFERENT"


def synthetic_input(size: int) -> str:
    """Macro-heavy m4 text of at least size bytes (the last block may overshoot)."""
    parts = [_PROLOGUE]
    length = len(_PROLOGUE)
    i = 0
    while length < size:
        flush = "undivert(1)dnl\n" if i % _FLUSH_EVERY == _FLUSH_EVERY - 1 else ""
        block = _BLOCK.format(i=i, flush=flush)
        parts.append(block)
        length += len(block)
        i += 1
    parts.append("undivert(1)dnl\n")
    return "".join(parts)


def bench_sendmail_mc(gnu: Program, ours: Program, mc: Path, runs: int) -> bool:
    """Part 1; returns False when m4compat cannot compile the .mc at all."""
    args = ("-I", str(CF_DIR), mc.name)
    print(f"== sendmail.mc: {' '.join(['m4', *args])} > /dev/null  (in {mc.parent})")
    print(f"   m4compat command: {' '.join(ours.argv)}")
    gnu_check = run_capture(gnu, args, mc.parent)
    our_check = run_capture(ours, args, mc.parent)
    if gnu_check.status != 0:
        print(f"   GNU m4 fails on {mc.name}: {describe_failure(gnu_check)}")
    if not our_check.stdout and our_check.status != 0:
        print(f"   m4compat cannot compile {mc.name}: {describe_failure(our_check)}")
        return False
    print(f"   output: {check_agreement(gnu_check, our_check)} ({len(gnu_check.stdout)} bytes)")
    gnu_times, our_times = time_alternating((gnu, ours), args, mc.parent, runs)
    gnu_median, our_median = statistics.median(gnu_times), statistics.median(our_times)
    ratio = our_median / gnu_median
    verdict = "within" if ratio <= TARGET_RATIO else "ABOVE"
    print(f"   runs: {runs} each, alternating")
    print(f"   GNU m4   median {gnu_median * 1000:9.1f} ms   min {min(gnu_times) * 1000:9.1f} ms")
    print(f"   m4compat median {our_median * 1000:9.1f} ms   min {min(our_times) * 1000:9.1f} ms")
    print(f"   ratio m4compat / GNU m4: {ratio:.2f}x ({verdict} the {TARGET_RATIO:g}x target)")
    return True


def bench_growth(gnu: Program, ours: Program, sizes_mib: Sequence[int], runs: int) -> bool:
    """Part 2; returns False when m4compat cannot process the synthetic input."""
    print(f"\n== linear growth: synthetic input, median of {runs} run(s) per size")
    per_mib: dict[str, list[float]] = {"GNU m4": [], "m4compat": []}
    net_per_mib: dict[str, list[float]] = {"GNU m4": [], "m4compat": []}
    with tempfile.TemporaryDirectory(prefix="m4bench-") as tmp:
        # Process start-up (large for a Python program) is a constant that makes
        # small inputs look slow per MiB; measuring it on an empty input lets the
        # growth figure be given net of it as well.
        empty = Path(tmp) / "empty.m4"
        empty.write_text("")
        startup = [
            statistics.median(t)
            for t in time_alternating((gnu, ours), (empty.name,), empty.parent, runs)
        ]
        print(
            f"   start-up on an empty input: GNU m4 {startup[0]:.3f} s, m4compat {startup[1]:.3f} s"
        )
        header = f"   {'MiB':>5} {'GNU s':>9} {'GNU MiB/s':>10} {'m4compat s':>11} {'MiB/s':>8}"
        print(f"{header} {'ratio':>7}  output")
        for size in sizes_mib:
            path = Path(tmp) / f"synthetic-{size}mib.m4"
            path.write_text(synthetic_input(size * MIB))
            mib = path.stat().st_size / MIB
            args = (path.name,)
            gnu_check = run_capture(gnu, args, path.parent)
            our_check = run_capture(ours, args, path.parent)
            if not our_check.stdout and our_check.status != 0:
                print(f"   m4compat cannot process {path.name}: {describe_failure(our_check)}")
                return False
            agreement = check_agreement(gnu_check, our_check)
            gnu_times, our_times = time_alternating((gnu, ours), args, path.parent, runs)
            gnu_s, our_s = statistics.median(gnu_times), statistics.median(our_times)
            per_mib["GNU m4"].append(gnu_s / mib)
            per_mib["m4compat"].append(our_s / mib)
            net_per_mib["GNU m4"].append(max(gnu_s - startup[0], 0.0) / mib)
            net_per_mib["m4compat"].append(max(our_s - startup[1], 0.0) / mib)
            print(
                f"   {mib:5.2f} {gnu_s:9.3f} {mib / gnu_s:10.2f} {our_s:11.3f} {mib / our_s:8.2f}"
                f" {our_s / gnu_s:6.1f}x  {agreement}"
            )
    if len(sizes_mib) > 1:
        first, last = sizes_mib[0], sizes_mib[-1]
        print(f"   time per MiB at {last} MiB / at {first} MiB (about 1.0 means linear):")
        for name in per_mib:
            raw, net = per_mib[name], net_per_mib[name]
            net_text = f"{net[-1] / net[0]:.2f}" if net[0] > 0 else "n/a"
            print(f"   {name:>9}: {raw[-1] / raw[0]:.2f}   net of start-up: {net_text}")
    return True


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark m4compat against GNU m4.")
    parser.add_argument("--runs", type=int, default=30, help="runs per program on the .mc")
    parser.add_argument(
        "--growth-runs", type=int, default=3, help="runs per program and size in part 2"
    )
    parser.add_argument("--mc", type=Path, default=DEFAULT_MC, help="the .mc to compile")
    parser.add_argument(
        "--sizes",
        default="1,2,4,8",
        help="comma-separated synthetic input sizes in MiB, smallest first ('' skips part 2)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(argv)
    sizes = [int(s) for s in options.sizes.split(",") if s.strip()]
    mc = options.mc.resolve()
    for needed, package in ((GNU_M4, "m4"), (CF_DIR / "m4" / "cf.m4", "sendmail-cf"), (mc, None)):
        if not needed.exists():
            hint = f" (install the Debian package {package})" if package else ""
            print(f"m4_bench: {needed} is missing{hint}", file=sys.stderr)
            return 2
    gnu, ours = gnu_program(), m4compat_program()
    ok = bench_sendmail_mc(gnu, ours, mc, options.runs)
    if sizes:
        ok = bench_growth(gnu, ours, sizes, options.growth_runs) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
