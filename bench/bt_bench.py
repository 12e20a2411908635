"""Benchmark our `sendmail -bt` against the real Sendmail 8.17 on the same 10,000 lines.

SYNOPSIS
    .venv/bin/python bench/bt_bench.py [--lines 10000] [--runs 3] [--mc mailertable.mc]

DESCRIPTION
    Builds one site per implementation from tests/diff/bt/mailertable.mc (access_db,
    mailertable, domaintable, a smart host), compiled by GNU m4 with the real
    sendmail-cf: the maps of the real site are built by /usr/sbin/makemap, those of
    ours by .venv/bin/makemap, exactly as tests/diff/test_bt.py does. It then
    writes --lines -bt input lines, alternating `3,0 ADDRESS` and
    `check_rcpt <ADDRESS>` over addresses varied by a fixed-seed generator (local,
    remote, mailertable and domaintable domains, relay attacks with % ! @route and
    quoted parts, IP literals, trailing dots, comments, upper case), and feeds them
    to `sendmail -bt` of both implementations, one process each, inside the same
    kind of private namespace (tests/diff/nsenv.py), with the same flags.

    The two programs take turns, --runs times each; the figures are the medians of
    the wall-clock time of a whole process (start-up and .cf loading included):
    lines per second for each, and ours/real as the ratio of times (how many times
    slower ours is; below 1.0 it is faster).

    It also says whether our side runs the engine compiled by mypyc (make native,
    mta.util.native) or plain Python; MTA_NATIVE=0 in the environment times the
    latter.

    --self-check puts the real sendmail and makemap on our side, to check the
    bench itself: it must report all lines identical and a ratio near 1.0.

    Before timing, the first run's transcripts are compared line by line with
    tests/diff/bt/harness.compare, and the number of identical lines is printed, so
    that a speed figure for wrong answers is marked as such. Nothing is asserted.

DIAGNOSTICS
    Exit status 2 when the real sendmail, makemap, GNU m4, sendmail-cf or the
    namespaces (root, unshare) are missing; 1 when our side cannot be built or
    run (for instance before mta.cli.sendmail exists): then the real figures are
    still printed, with the first lines of our error.

SEE ALSO
    tests/diff/test_bt.py, tests/diff/bt/harness.py, bench/m4_bench.py.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

REPO_ROOT = Path(__file__).resolve().parents[1]
DIFF_DIR = REPO_ROOT / "tests" / "diff"

LOCALS = (
    "user",
    "alice",
    "bob",
    "root",
    "postmaster",
    "info",
    "sales",
    "john.smith",
    "First.Last",
    "x",
    "a-b_c",
    "user+tag",
    "MixedCase",
    "12345",
    '"quoted user"',
    '"odd@local"',
    "very.long.local.part.with.many.dots.in.it",
)
DOMAINS = (
    "example.test",
    "mail.example.test",
    "EXAMPLE.TEST",
    "localhost",
    "route.test",
    "x.route.test",
    "partner.test",
    "error.test",
    "old.example.test",
    "legacy.test",
    "remote.example.net",
    "remote",
    "gw",
    "relay.test",
    "host.relay.test",
    "bad.test",
    "spam.bad.test",
    "unknown.invalid",
    "[127.0.0.1]",
    "[192.0.2.10]",
    "example.test.",
    "some.where.example.org",
    "a.b.c.d.e.f.example.com",
)
SHAPES = (
    "{l}@{d}",
    "{l}@{d}",
    "{l}@{d}",
    "{l}",
    "<{l}@{d}>",
    "{l}%{d2}@{d}",
    "{l}!{d2}@{d}",
    "{d2}!{l}",
    "@{d}:{l}@{d2}",
    "{l}@{d2}@{d}",
    '"{l}@{d2}"@{d}',
    "{l} (comment) @{d}",
    "Name <{l}@{d}>",
    "{l}@{d}.",
    "{l}@@{d}",
)


def make_lines(count: int, seed: int = 8171) -> list[str]:
    """Return count -bt input lines: 3,0 and check_rcpt in turn over varied addresses."""
    rng = random.Random(seed)
    lines: list[str] = []
    for number in range(count):
        shape = rng.choice(SHAPES)
        address = shape.format(l=rng.choice(LOCALS), d=rng.choice(DOMAINS), d2=rng.choice(DOMAINS))
        if number % 2 == 0:
            lines.append(f"3,0 {address}")
        else:
            lines.append(f"check_rcpt {address if address.startswith('<') else f'<{address}>'}")
    return lines


def _load() -> tuple[ModuleType, ModuleType]:
    """Import the test harness (tests/diff is not a package)."""
    sys.path.insert(0, str(DIFF_DIR))
    import nsenv
    from bt import harness

    return nsenv, harness


def _engine_kind() -> str:
    """Whether our sendmail runs the mypyc-compiled engine (mta.util.native) or plain Python."""
    from mta.util import native  # importing mta loads the build, as in our sendmail

    return native.state()


def _time(argv: Sequence[str], stdin: Path) -> float:
    with open(stdin, "rb") as fin:
        start = time.perf_counter()
        subprocess.run(
            list(argv),
            stdin=fin,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd="/",
            check=False,
        )
        return time.perf_counter() - start


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--lines", type=int, default=10_000, help="-bt input lines (10000)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each program (3)")
    parser.add_argument("--mc", default="mailertable.mc", help="template in tests/diff/bt/")
    parser.add_argument(
        "--self-check",
        action="store_true",
        help="run the real sendmail and makemap in place of ours (checks the bench itself)",
    )
    args = parser.parse_args(argv)

    nsenv, harness = _load()
    for path in (harness.REAL_SENDMAIL, harness.REAL_MAKEMAP, harness.GNU_M4, harness.CF_M4):
        if not path.exists():
            print(f"bt_bench: {path} is missing", file=sys.stderr)
            return 2
    reason = nsenv.unavailable_reason()
    if reason is not None:
        print(f"bt_bench: {reason}", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="bt-bench-") as tmp:
        root = Path(tmp)
        mount = root / "mnt"
        mount.mkdir(mode=0o755)
        env = nsenv.NsEnv(root / "state", binds=((mount, nsenv.NS_ROOT),))
        env.prepare()
        template = harness.BT_DIR / args.mc
        stdin = root / "stdin"
        stdin.write_text("".join(line + "\n" for line in make_lines(args.lines)))
        inputs = harness.read_inputs([stdin])
        real_dir, ours_dir = f"{nsenv.NS_ROOT}/real", f"{nsenv.NS_ROOT}/ours"

        harness.build_site(harness.REAL, mount / "real", real_dir, template)
        real_cmd = env.argv(harness.bt_argv(harness.REAL, real_dir))
        ours_cmd: list[str] | None = None
        ours_error = ""
        ours_impl = harness.REAL if args.self_check else harness.OURS
        try:
            harness.build_site(ours_impl, mount / "ours", ours_dir, template)
            ours_cmd = env.argv(harness.bt_argv(ours_impl, ours_dir))
        except harness.SiteError as exc:
            ours_error = str(exc)

        print(f"{args.lines} -bt lines ({args.mc}), median of {args.runs} runs, whole process")
        if not args.self_check:
            print(f"our engine: {_engine_kind()}")
        real_once = harness.run_bt(env, harness.REAL, real_dir, stdin)
        if ours_cmd is not None:
            ours_once = harness.run_bt(env, ours_impl, ours_dir, stdin)
            result = harness.compare(inputs, real_once, ours_once, dirs=(real_dir, ours_dir))
            print(f"correctness: {result.identical} of {result.total} lines identical")
            if ours_once.status != real_once.status and not ours_once.stdout:
                ours_error = ours_once.stderr
                ours_cmd = None

        real_times: list[float] = []
        ours_times: list[float] = []
        for _ in range(args.runs):
            real_times.append(_time(real_cmd, stdin))
            if ours_cmd is not None:
                ours_times.append(_time(ours_cmd, stdin))

    real_s = statistics.median(real_times)
    print(f"real sendmail: {real_s:8.3f} s  {args.lines / real_s:10.0f} lines/s")
    if ours_cmd is None:
        print("ours: not available:")
        print("\n".join("  " + line for line in ours_error.strip().splitlines()[-6:]))
        return 1
    ours_s = statistics.median(ours_times)
    print(f"ours:          {ours_s:8.3f} s  {args.lines / ours_s:10.0f} lines/s")
    print(f"ratio ours/real (time): {ours_s / real_s:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
