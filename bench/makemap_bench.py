"""Benchmark: makemap of a generated 1,000,000-line access file, ours against Sendmail's.

DESCRIPTION
    Generates an access-style table (N lines, default 1,000,000; fixed seed),
    then runs /usr/sbin/makemap and our makemap (python -m mta.cli.makemap) on it
    in the same run, each in a fresh 0700 directory, and prints wall time and
    peak memory (ru_maxrss of that child, from wait4) of both, and the ratios.
    The target is ours within 3x of the real program's time.

    Usage: .venv/bin/python bench/makemap_bench.py [LINES]
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time

REAL = "/usr/sbin/makemap"
ACTIONS = ("REJECT", "OK", "RELAY", "DISCARD", 'ERROR:"550 5.7.1 go away"')
PREFIXES = ("Connect:", "From:", "To:", "")


def generate(path: str, lines: int) -> None:
    """Write an access table of the given size."""
    rng = random.Random(1)
    with open(path, "w") as fh:
        for i in range(lines):
            prefix = PREFIXES[rng.randrange(4)]
            fh.write(f"{prefix}host{i}.example{i % 977}.com\t{ACTIONS[i % 5]}\n")


def run(argv: list[str], stdin_path: str, cwd: str) -> tuple[float, int, int]:
    """Run argv with stdin from stdin_path; return (seconds, max RSS in KiB, status)."""
    with open(stdin_path, "rb") as stdin:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=stdin, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss, proc.returncode


def main() -> int:
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    base = tempfile.mkdtemp(prefix="makemap-bench.")
    source = os.path.join(base, "access")
    generate(source, lines)
    results: dict[str, tuple[float, int, int]] = {}
    commands = {
        "real": [REAL, "hash", "access"],
        "ours": [sys.executable, "-m", "mta.cli.makemap", "hash", "access"],
    }
    for name, argv in commands.items():
        if name == "real" and not os.path.exists(REAL):
            print(f"{name}: {REAL} not installed, skipped")
            continue
        workdir = os.path.join(base, name)
        os.mkdir(workdir, 0o700)
        results[name] = run(argv, source, workdir)
        seconds, rss, status = results[name]
        size = os.path.getsize(os.path.join(workdir, "access.db"))
        print(f"{name}: {lines} lines in {seconds:.2f} s, peak RSS {rss / 1024:.1f} MiB, "
              f"exit {status}, access.db {size / 1e6:.1f} MB")
    if "real" in results and "ours" in results:
        t = results["ours"][0] / results["real"][0]
        m = results["ours"][1] / results["real"][1]
        print(f"ratio ours/real: time {t:.2f}x, peak memory {m:.2f}x (target: time within 3x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
