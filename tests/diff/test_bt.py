"""Differential test: our `sendmail -bt` against the real Sendmail 8.17 on real .cf files.

DESCRIPTION
    Each case is an .mc template of tests/diff/bt/ (access_db, mailertable,
    virtusertable, genericstable and masquerading, delay_checks, relay-domains
    and relay_entire_domain, LOCAL_CONFIG/LOCAL_RULE_n/LOCAL_RULESETS), compiled
    by GNU m4 with the real sendmail-cf macros, a list of input files (*.in,
    one -bt input per line; random.in is made by bt/make_random.py over random
    addresses) and the debug flags of the run. Per case:

    - three sites are built under one directory that the namespace mounts at
      /mnt: /mnt/real (maps by /usr/sbin/makemap), /mnt/ours (maps by our
      makemap) and /mnt/ctrl (real makemap again, at another path);
    - the real sendmail runs on /mnt/real and /mnt/ctrl, ours on /mnt/ours,
      each once for all input lines, with the same flags, environment,
      /etc/hosts, host name and service switch (tests/diff/nsenv.py);
    - test_bt_control requires real/real to be identical line for line: it
      proves that the harness (site directory normalisation, framing at the
      prompts, determinism of the namespace) adds no differences of its own;
    - test_bt requires ours to match real line for line, and reports each
      differing input line with a unified diff (expected = real).

    test_split_transcript and test_compare_* check the harness's own logic
    on hand-made transcripts; they need no binary and are not differential.

    Both differential tests attach ("bt_identical", n) and ("bt_total", m) to their report;
    tests/diff/conftest.py sums them into "N of M -bt inputs identical".

DIAGNOSTICS
    Skipped with a reason when /usr/sbin/sendmail, /usr/sbin/makemap, GNU m4,
    sendmail-cf or unprivileged namespaces are missing. A case whose site
    cannot be built (for instance our makemap does not exist yet) fails with
    the makemap error and counts 0 identical lines.

SEE ALSO
    tests/diff/bt/harness.py, tests/diff/nsenv.py, bench/bt_bench.py,
    DESIGN.md section 4.5.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nsenv
import pytest
from bt import harness
from bt.harness import REAL, Comparison, Implementation, SiteError, Transcript

BT_DIR = harness.BT_DIR
REAL_DIR = f"{nsenv.NS_ROOT}/real"
OURS_DIR = f"{nsenv.NS_ROOT}/ours"
CTRL_DIR = f"{nsenv.NS_ROOT}/ctrl"

ADDRESSES, CHECKS, PARSE, EDGE = "addresses.in", "checks.in", "parse.in", "edge.in"
# Last in every case: it ends with lines that switch debug flags on for the rest of the run.
COMMANDS = "commands.in"


@dataclass(frozen=True, slots=True)
class BtCase:
    """One sendmail process per implementation: an .mc, its inputs, its flags."""

    name: str
    mc: str
    inputs: tuple[str, ...]
    flags: tuple[str, ...] = ()


CASES = (
    BtCase("relay_access", "relay_access.mc", (ADDRESSES, CHECKS, "relay_access.in", COMMANDS)),
    BtCase("mailertable", "mailertable.mc", (ADDRESSES, "mailertable.in", PARSE, EDGE, COMMANDS)),
    BtCase("virtusertable", "virtusertable.mc", (ADDRESSES, "virtusertable.in", CHECKS, COMMANDS)),
    BtCase("masquerade", "masquerade.mc", (ADDRESSES, "masquerade.in", PARSE, COMMANDS)),
    BtCase("delay_checks", "delay_checks.mc", ("delay_checks.in", CHECKS, COMMANDS)),
    BtCase(
        "local_rulesets", "local_rulesets.mc", ("local_rulesets.in", ADDRESSES, CHECKS, COMMANDS)
    ),
    BtCase(
        "kitchen",
        "kitchen.mc",
        (
            ADDRESSES,
            CHECKS,
            PARSE,
            "relay_access.in",
            "mailertable.in",
            "virtusertable.in",
            "masquerade.in",
            "delay_checks.in",
            EDGE,
            COMMANDS,
        ),
    ),
    # random.in: lines over random addresses (tests/diff/bt/make_random.py)
    BtCase("random", "kitchen.mc", ("random.in",)),
    BtCase("features", "features.mc", ("features.in", COMMANDS)),
    BtCase("kitchen-d21.12", "kitchen.mc", ("debug.in",), ("-d21.12",)),
    BtCase("kitchen-d38.2", "kitchen.mc", ("debug.in",), ("-d38.2",)),
)


@dataclass(frozen=True, slots=True)
class CaseRun:
    """Everything a case produced: inputs and the three transcripts."""

    inputs: tuple[harness.InputLine, ...]
    real: Transcript
    ctrl: Transcript
    ours: Transcript | None
    ours_error: str | None


def _run_case(case: BtCase, root: Path) -> CaseRun:
    mount = root / "mnt"
    mount.mkdir(mode=0o755)
    env = nsenv.NsEnv(root / "state", binds=((mount, nsenv.NS_ROOT),))
    env.prepare()
    inputs = tuple(harness.read_inputs(BT_DIR / name for name in case.inputs))
    stdin = harness.write_stdin(inputs, root / "stdin")
    template = BT_DIR / case.mc

    def session(impl: Implementation, ns_dir: str) -> Transcript:
        harness.build_site(impl, mount / Path(ns_dir).name, ns_dir, template)
        return harness.run_bt(env, impl, ns_dir, stdin, case.flags)

    real = session(REAL, REAL_DIR)
    ctrl = session(REAL, CTRL_DIR)
    try:
        ours: Transcript | None = session(harness.OURS, OURS_DIR)
        error = None
    except SiteError as exc:
        ours, error = None, str(exc)
    return CaseRun(inputs, real, ctrl, ours, error)


@pytest.fixture(scope="module")
def case_runs() -> dict[str, CaseRun]:
    """A cache: each case runs once (lazily), and both tests of the case share it."""
    return {}


def _get(
    case: BtCase, cache: dict[str, CaseRun], tmp_path_factory: pytest.TempPathFactory
) -> CaseRun:
    reason = harness.unavailable_reason()
    if reason is not None:
        pytest.skip(reason)
    if case.name not in cache:
        cache[case.name] = _run_case(case, tmp_path_factory.mktemp(f"bt-{case.name}"))
    return cache[case.name]


def _record(request: pytest.FixtureRequest, kind: str, result: Comparison) -> None:
    request.node.user_properties.append((f"bt_{kind}_identical", result.identical))
    request.node.user_properties.append((f"bt_{kind}_total", result.total))


@pytest.mark.differential
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bt_control(
    case: BtCase,
    case_runs: dict[str, CaseRun],
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> None:
    """The real sendmail twice, on two site directories: the harness must see no difference."""
    run = _get(case, case_runs, tmp_path_factory)
    result = harness.compare(
        run.inputs, run.real, run.ctrl, dirs=(REAL_DIR, CTRL_DIR), labels=("real", "real-ctrl")
    )
    _record(request, "control", result)
    assert result.ok, result.report()
    # The framing must hold on the reference itself: one prompt per line, plus one at EOF.
    pieces = harness.split_transcript(run.real.stdout).pieces
    assert len(pieces) == len(run.inputs) + 1, "prompt count of the real transcript"
    banner = harness.split_transcript(run.real.stdout).banner
    assert "ADDRESS TEST MODE" in banner, run.real.stdout[:500]


@pytest.mark.differential
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bt(
    case: BtCase,
    case_runs: dict[str, CaseRun],
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> None:
    """Our sendmail -bt against the real one, input line by input line."""
    run = _get(case, case_runs, tmp_path_factory)
    if run.ours is None:
        _record(request, "ours", Comparison(len(run.inputs), 0))
        pytest.fail(f"our site could not be built: {run.ours_error}", pytrace=False)
    result = harness.compare(run.inputs, run.real, run.ours, dirs=(REAL_DIR, OURS_DIR))
    _record(request, "ours", result)
    if not result.ok:
        pytest.fail(result.report(), pytrace=False)


@pytest.mark.parametrize(
    ("text", "banner", "pieces"),
    [
        ("B\n> a\n> > b\n> ", "B\n", ("a\n", "", "b\n", "")),
        ("> x > y\n> ", "", ("x > y\n", "")),
        ("no prompt", "no prompt", ()),
        ("B\n> line\n> > x", "B\n", ("line\n", "", "x")),
    ],
)
def test_split_transcript(text: str, banner: str, pieces: tuple[str, ...]) -> None:
    """The transcript is cut only at prompts: start of text, after a newline or a prompt."""
    split = harness.split_transcript(text)
    assert (split.banner, split.pieces) == (banner, pieces)


def test_compare_reports_each_line() -> None:
    """A difference on one line is reported for that line only, with its input."""
    inputs = [harness.InputLine("t.in", n, f"3,0 u{n}") for n in (1, 2)]
    real = Transcript("B\n> one\n> two /mnt/real/x\n> ", "", 0)
    ours = Transcript("B\n> one\n> TWO /mnt/ours/x\n> ", "", 0)
    same = Transcript("B\n> one\n> two /mnt/ours/x\n> ", "", 0)
    result = harness.compare(inputs, real, ours, dirs=("/mnt/real", "/mnt/ours"))
    assert (result.identical, result.total) == (1, 2)
    assert [m.label for m in result.mismatches] == ["t.in:2: 3,0 u2"]
    assert "-two @DIR@/x" in result.mismatches[0].diff
    assert "+TWO @DIR@/x" in result.mismatches[0].diff
    assert harness.compare(inputs, real, same, dirs=("/mnt/real", "/mnt/ours")).ok


def test_compare_framing_and_status() -> None:
    """A missing prompt, other stderr or another exit status are mismatches too."""
    inputs = [harness.InputLine("t.in", 1, "x")]
    real = Transcript("B\n> a\n> ", "", 0)
    short = Transcript("B\n> a\n", "boom\n", 1)
    result = harness.compare(inputs, real, short, dirs=("/r", "/o"))
    labels = [m.label.split(":")[0] for m in result.mismatches]
    assert labels == ["exit status", "stderr", "framing"]
    assert result.identical == 0
