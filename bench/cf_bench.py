"""Benchmark `mta compile` against GNU m4 with the real sendmail-cf on etc-mail/sendmail.mc.

SYNOPSIS
    make bench
    .venv/bin/python bench/cf_bench.py [--runs 20] [--mc etc-mail/sendmail.mc]

DESCRIPTION
    Compiles the project's default sendmail.mc two ways, as an administrator
    would, one whole process per compilation (interpreter start-up included):

    - ours: `.venv/bin/mta compile sendmail.mc` (m4compat in process, with our
      macro library m4compat/cf in place of the real sendmail-cf);
    - theirs: `/usr/bin/m4 sendmail.mc`, whose first line already includes
      /usr/share/sendmail/cf/m4/cf.m4, the real sendmail-cf of Debian.

    Both write the .cf to standard output (here /dev/null) and run in the
    directory of the .mc. They take turns, --runs times each, so that load on
    the machine hits both alike, and the script prints both medians (and
    minima) and the ratio ours / theirs; the target is at most 8.

    Before timing, each is run once: both must succeed, and the sizes of the
    two .cf files are printed, with whether ours loads in our .cf loader
    (mta.config.loader) without warnings, so that a figure for a broken build
    is marked as such. The same is then timed on an empty .mc, which gives the
    start-up cost of each program (the floor under its figure). Nothing is
    asserted: the script prints figures and exits 0 unless a program cannot
    be run at all.

DIAGNOSTICS
    Exit status 2 when /usr/bin/m4, the sendmail-cf tree, .venv/bin/mta or the
    .mc is missing; 1 when one of the two compilations fails (its first lines
    of standard error are printed; the other figure is still timed).

SEE ALSO
    bench/m4_bench.py (m4compat against GNU m4 on the same sendmail-cf),
    mta.cli.compile, etc-mail/sendmail.mc.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

# the process runner and timer of the m4 bench (this directory is on sys.path)
from m4_bench import Program, describe_failure, run_capture, time_alternating

REPO_ROOT = Path(__file__).resolve().parents[1]
GNU_M4 = Path("/usr/bin/m4")
CF_M4 = Path("/usr/share/sendmail/cf/m4/cf.m4")
MTA = REPO_ROOT / ".venv" / "bin" / "mta"
DEFAULT_MC = REPO_ROOT / "etc-mail" / "sendmail.mc"
TARGET_RATIO = 8.0


def loader_verdict(cf_text: bytes) -> str:
    """Whether our .cf loader takes the .cf, in words."""
    try:
        from mta.config.loader import load_cf
    except ImportError as exc:  # run without the package on the path
        return f"not checked ({exc})"
    try:
        config = load_cf("sendmail.cf", text=cf_text.decode("latin-1"))
    except Exception as exc:  # whatever the loader raises is the verdict
        return f"does NOT load in mta.config.loader ({exc})"
    if config.warnings:
        return f"loads in mta.config.loader with {len(config.warnings)} warning(s)"
    return "loads in mta.config.loader"


def report(names: Sequence[str], samples: Sequence[Sequence[float]], indent: str = "   ") -> float:
    """Print median and minimum per program; return the ratio of the medians (ours first)."""
    width = max(len(name) for name in names)
    medians = [statistics.median(times) for times in samples]
    for name, times, median in zip(names, samples, medians, strict=True):
        print(
            f"{indent}{name:<{width}}  median {median * 1000:8.1f} ms"
            f"   min {min(times) * 1000:8.1f} ms"
        )
    return medians[0] / medians[1]


def bench(ours: Program, theirs: Program, mc: Path, runs: int) -> bool:
    print(f"== {mc.name} (in {mc.parent}), one whole process per compilation")
    print(f"   ours:   {' '.join(ours.argv)} {mc.name} > /dev/null")
    print(f"   theirs: {' '.join(theirs.argv)} {mc.name} > /dev/null   (real sendmail-cf)")
    ok = True
    programs = (ours, theirs)
    for program in programs:
        outcome = run_capture(program, [mc.name], mc.parent)
        if outcome.status != 0:
            print(f"   {program.name} fails on {mc.name}: {describe_failure(outcome)}")
            ok = False
            continue
        extra = f", {loader_verdict(outcome.stdout)}" if program is ours else ""
        print(f"   {program.name}: {len(outcome.stdout)} bytes of .cf{extra}")
    ours_times, their_times = time_alternating(programs, [mc.name], mc.parent, runs)
    print(f"   runs: {runs} each, alternating")
    ratio = report([p.name for p in programs], [ours_times, their_times])
    verdict = "within" if ratio <= TARGET_RATIO else "ABOVE"
    print(f"   ratio ours / theirs: {ratio:.2f}x ({verdict} the {TARGET_RATIO:g}x target)")
    with tempfile.TemporaryDirectory(prefix="cfbench-") as tmp:
        empty = Path(tmp) / "empty.mc"
        empty.write_text("")
        startup = time_alternating(programs, [empty.name], empty.parent, runs)
    print("   start-up alone (an empty .mc):")
    report([p.name for p in programs], startup, indent="     ")
    return ok


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark mta compile against GNU m4 with the real sendmail-cf."
    )
    parser.add_argument("--runs", type=int, default=20, help="runs per program (default 20)")
    parser.add_argument("--mc", type=Path, default=DEFAULT_MC, help="the .mc to compile")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(argv)
    mc = options.mc.resolve()
    for needed, hint in (
        (GNU_M4, " (install the Debian package m4)"),
        (CF_M4, " (install the Debian package sendmail-cf)"),
        (MTA, " (run make install)"),
        (mc, ""),
    ):
        if not needed.exists():
            print(f"cf_bench: {needed} is missing{hint}", file=sys.stderr)
            return 2
    os.environ.pop("M4PATH", None)  # both programs would search it
    ours = Program("mta compile", (str(MTA), "compile"), dict(os.environ))
    theirs = Program("GNU m4", (str(GNU_M4),), dict(os.environ))
    return 0 if bench(ours, theirs, mc, options.runs) else 1


if __name__ == "__main__":
    sys.exit(main())
