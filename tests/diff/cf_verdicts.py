"""Compare the verdicts of .cf files made by our sendmail-cf library and by the real one.

SYNOPSIS
    .venv/bin/python tests/diff/cf_verdicts.py [CONFIG...] [--aspect load|cf|engine]...
        [--ours-compiler mta|real|'COMMAND {mc} {cf}'] [--limit N] [--strict] [-j N (2)]
        [--keep DIR] [--list] [--show-input CONFIG]

    workspace = Workspace(tmp_dir)
    case = Case(workspace, "virtual", ours_compiler="mta")
    case.load().ok, case.cf().report(), case.engine().report()

DESCRIPTION
    The acceptance test of our sendmail-cf library (issue 5). Each case is an
    .mc of tests/diff/cf/ (they include the real
    /usr/share/sendmail/cf/m4/cf.m4 and name their maps under @DIR@), compiled
    twice with @DIR@ = /mnt/CONFIG, the case's site directory inside the
    test namespace (tests/diff/nsenv.py):

    - "real.cf": GNU m4 with the real sendmail-cf macros (as bt/harness.py);
    - "ours.cf": by the ours compiler: `.venv/bin/mta compile sendmail.mc -o
      sendmail.cf` (the default, "mta"), GNU m4 again ("real": the control,
      which must give 100% identical verdicts), or any command with {mc} and
      {cf} placeholders (to try a hand-broken .cf: "sh -c 'm4 {mc} | sed
      s/denied/refused/ > {cf}'"). The compiler runs in the site directory.

    The site is tests/diff/cf/site/ with its databases, built once per run by
    the real makemap and once by ours, and copied for each case into three
    trees, each of which the namespace mounts at /mnt, so that every .cf
    sees its site at the same path and no output needs normalising:

        tree    .cf       maps by         run by
        real    real.cf   real makemap    real sendmail    the reference
        ourscf  ours.cf   real makemap    real sendmail    aspects "cf" and "load"
        ours    ours.cf   our makemap     our sendmail     aspect "engine"

    Names resolve as the site's service.switch says, "hosts files dns": the
    namespace's /etc/hosts (nsenv.TEST_HOSTS), then a DNS server on
    127.0.0.1:53 inside the namespace that answers from site/dns.zone (block
    lists, MX records, SERVFAIL names) and says NXDOMAIN to anything else,
    the same to both sendmails.

    The -bt input of a case (tests/diff/cf_inputs.py: 3,0, /parse and /try
    for 300 addresses, check_mail and check_rcpt under client contexts,
    check_relay and greet_pause for many clients) goes through one process
    per tree; Case.results() runs the sessions of the trees it needs at the
    same time, then keeps only the comparisons (a transcript is megabytes).
    Aspects:

    - "load" (b): `sendmail -C ours.cf -bt </dev/null` (with the same -O
      options as every run here) exits 0, prints nothing on stderr and the
      same banner as real.cf does;
    - "cf" (c): the real sendmail gives the same verdict with ours.cf as with
      real.cf for every input line (tests/diff/cf_extract.py says what a
      verdict is; where Sendmail stopped an excessive recursion, the ruleset
      names in its message and in the calls left undone are masked, see
      mask_recursion());
    - "engine" (a): our sendmail gives the same verdicts on ours.cf (with our
      makemap's maps) as the real sendmail does.

    Exit status, stderr, banner and framing (one prompt per input line) of the
    two sessions must agree as well; they are reported as notes.

DIAGNOSTICS
    unavailable_reason() says why the comparison cannot run here (no GNU m4,
    no sendmail-cf, no real sendmail or makemap, no namespaces); pytest skips
    with it and the script exits 2 printing it. A compiler or makemap failure
    is a CaseError: the aspects that need it fail with its message. The script
    exits 1 when any aspect of any case differs.

SEE ALSO
    tests/diff/test_cf_verdicts.py, tests/diff/cf_inputs.py,
    tests/diff/cf_extract.py, tests/diff/bt/harness.py, issue 5 "Acceptance".
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import cf_extract
import cf_inputs
import nsenv
from bt import harness
from bt.harness import OURS, REAL, Implementation, InputLine, Transcript

DIFF_DIR = Path(__file__).resolve().parent
REPO_ROOT = DIFF_DIR.parents[1]
CF_DIR = DIFF_DIR / "cf"
SITE_DIR = CF_DIR / "site"
CONFIGS: tuple[str, ...] = tuple(sorted(p.stem for p in CF_DIR.glob("*.mc")))
OUR_MTA = REPO_ROOT / ".venv" / "bin" / "mta"
COMPILER_ENV = "CF_VERDICTS_OURS_COMPILER"
DEFAULT_COMPILER = "mta"
ASPECTS = ("load", "cf", "engine")
TREES: dict[str, Implementation] = {"real": REAL, "ourscf": REAL, "ours": OURS}
TIMEOUT_SECONDS = harness.TIMEOUT_SECONDS
COMPILE_TIMEOUT_SECONDS = 60  # GNU m4 takes 0.02 s, m4compat well under 1 s: a loop ends here


class CaseError(Exception):
    """A .cf or a site could not be made (compiler or makemap failed)."""


unavailable_reason = harness.unavailable_reason


def ours_compiler_default() -> str:
    """The ours compiler named by $CF_VERDICTS_OURS_COMPILER, else "mta"."""
    return os.environ.get(COMPILER_ENV) or DEFAULT_COMPILER


def site_dir_in_namespace(config: str) -> str:
    """Where the site of config is, seen from inside the namespace."""
    return f"{nsenv.NS_ROOT}/{config}"


@dataclass(frozen=True, slots=True)
class Compiled:
    """A .cf made from an .mc, and what the compiler said."""

    cf: Path
    stderr: str
    seconds: float


def compile_mc(compiler: str, template: Path, ns_dir: str, host_dir: Path) -> Compiled:
    """Compile template (@DIR@ = ns_dir) into host_dir/sendmail.cf.

    Args:
        compiler: "real" (GNU m4 and sendmail-cf), "mta" (`mta compile`), or a
            command line with {mc} and {cf} placeholders.
        template: the .mc with @DIR@ placeholders.
        ns_dir: the site directory inside the namespace.
        host_dir: where the .mc is written and the compiler runs.

    Raises:
        CaseError: the compiler failed or wrote no .cf.
    """
    mc = host_dir / "sendmail.mc"
    cf = host_dir / "sendmail.cf"
    mc.write_text(template.read_text().replace(harness.DIR_PLACEHOLDER, ns_dir))
    cf.unlink(missing_ok=True)
    stdout_to_cf = False
    if compiler == "real":
        argv, stdout_to_cf = [str(harness.GNU_M4), mc.name], True
    elif compiler == "mta":
        argv = [str(OUR_MTA), "compile", mc.name, "-o", cf.name]
    else:
        places = {"{mc}": str(mc), "{cf}": str(cf)}
        argv = [_fill(word, places) for word in shlex.split(compiler)]
    started = time.monotonic()
    try:
        proc = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            cwd=host_dir,
            env=harness.RUN_ENV,
            timeout=COMPILE_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CaseError(f"{template.name}: compiler {compiler!r} did not run: {exc}") from exc
    seconds = time.monotonic() - started
    stderr = proc.stderr.decode("latin-1", "replace")
    if proc.returncode != 0:
        raise CaseError(
            f"{template.name}: compiler {compiler!r} exited {proc.returncode} (messages about "
            f"{mc.name} are about {template.name}, same lines):\n{stderr.strip()}"
        )
    if stdout_to_cf:
        cf.write_bytes(proc.stdout)
    if not cf.exists():
        raise CaseError(f"{template.name}: compiler {compiler!r} wrote no {cf.name}")
    return Compiled(cf, stderr, seconds)


def _fill(word: str, places: dict[str, str]) -> str:
    for key, value in places.items():
        word = word.replace(key, value)
    return word


class Workspace:
    """The directories of one run: the map sets, the three trees, the namespaces.

    Thread-safe: cases of one workspace may run in parallel.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()
        self._maps: dict[str, Path] = {}
        self.state = root / "state"
        self.envs: dict[str, nsenv.NsEnv] = {}
        for tree in TREES:
            mount = root / "trees" / tree
            mount.mkdir(parents=True, exist_ok=True)
            mount.chmod(0o755)
            self.envs[tree] = nsenv.NsEnv(
                self.state, binds=((mount, nsenv.NS_ROOT),), dns_zone=SITE_DIR / "dns.zone"
            )
        self.envs["real"].prepare()

    def tree_dir(self, tree: str, config: str) -> Path:
        """The host path of config's site in tree."""
        return self.root / "trees" / tree / config

    def maps(self, impl: Implementation) -> Path:
        """The site with its databases built by impl's makemap (built once).

        Raises:
            CaseError: the makemap failed.
        """
        with self._lock:
            if impl.label not in self._maps:
                target = self.root / f"maps-{impl.label}"
                try:
                    harness.build_maps(impl, target, site_dir=SITE_DIR)
                except harness.SiteError as exc:
                    raise CaseError(f"{impl.label} makemap: {exc}") from exc
                for leftover in target.glob("*.makemap"):
                    leftover.unlink()
                self._maps[impl.label] = target
            return self._maps[impl.label]

    def make_site(self, tree: str, config: str) -> Path:
        """Copy the map set of tree's implementation to config's site in tree."""
        source = self.maps(TREES[tree])
        target = self.tree_dir(tree, config)
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(source, target)
        target.chmod(0o755)
        return target


# --------------------------------------------------------------------------- comparison


@dataclass(frozen=True, slots=True)
class VerdictMismatch:
    """One input line whose verdicts differ."""

    line: InputLine
    context: str
    expected: cf_extract.Verdict
    got: cf_extract.Verdict


@dataclass(slots=True)
class VerdictComparison:
    """Verdicts of expected (the reference) against got, counted per kind of line."""

    labels: tuple[str, str]
    counts: dict[str, list[int]] = field(default_factory=dict)  # kind -> [identical, total]
    mismatches: list[VerdictMismatch] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # status, stderr, banner, framing

    @property
    def identical(self) -> int:
        return sum(c[0] for c in self.counts.values())

    @property
    def total(self) -> int:
        return sum(c[1] for c in self.counts.values())

    @property
    def ok(self) -> bool:
        return not self.mismatches and not self.notes

    def summary(self) -> str:
        """One line: "N of M verdicts identical (3,0 a/b, /parse c/d, ...)"."""
        kinds = ", ".join(f"{k} {i}/{t}" for k, (i, t) in self.counts.items())
        return f"{self.identical} of {self.total} verdicts identical ({kinds})"

    def report(self, limit: int = 10) -> str:
        """The summary, the notes and the first limit mismatches."""
        out = [self.summary()]
        out += [f"  NOTE {note}" for note in self.notes]
        for mismatch in self.mismatches[:limit]:
            out.append(f"  {mismatch.line.where}: {mismatch.line.text}")
            if mismatch.context:
                out.append(f"      [{mismatch.context}]")
            out += verdict_diff(mismatch.expected.shown, mismatch.got.shown, self.labels)
        if len(self.mismatches) > limit:
            out.append(f"  ... and {len(self.mismatches) - limit} more mismatching lines")
        return "\n".join(out)


def verdict_diff(expected: Sequence[str], got: Sequence[str], labels: tuple[str, str]) -> list[str]:
    """Lines of both verdicts: common ones once, then '-' (expected) and '+' (got)."""
    out = [f"      (- {labels[0]}, + {labels[1]})"]
    matcher = difflib.SequenceMatcher(a=list(expected), b=list(got), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out += [f"        {line}" for line in expected[i1:i2]]
            continue
        out += [f"      - {line}" for line in expected[i1:i2]]
        out += [f"      + {line}" for line in got[j1:j2]]
    if not expected and not got:
        out.append("        (no output on either side)")
    return out


class _Context:
    """The macros the .D lines set so far and the /tryflags: a label for a report."""

    def __init__(self) -> None:
        self.macros: dict[str, str] = {}
        self.tryflags = "ER"

    def feed(self, text: str) -> None:
        if text.startswith(".D") and len(text) > 2:
            body = text[2:]
            if body.startswith("{"):
                name, _, value = body[1:].partition("}")
            else:
                name, value = body[0], body[1:]
            self.macros[name] = value.strip()
        elif text.startswith("/tryflags "):
            self.tryflags = text.split(None, 1)[1].strip()

    def label(self, kind: str) -> str:
        if kind == "/try":
            return f"tryflags {self.tryflags}"
        if not kind.startswith("check_") and kind != "greet_pause":
            return ""
        m = self.macros
        if not m:
            return "no client macros set"
        parts = [f"client {m.get('client_name', '')} [{m.get('client_addr', '')}] "
                 f"{m.get('client_resolve', '')}".rstrip()]  # fmt: skip
        if m.get("s"):
            parts.append(f"helo {m['s']}")
        if kind == "check_rcpt" and m.get("f"):
            parts.append(f"sender {m['f']}")
        extra = [f"{k}={m[k]}" for k in ("daemon_flags", "auth_type") if m.get(k)]
        return ", ".join(parts + extra)


# Sendmail stops a rewrite that recurses too deeply with "rewrite: excessive
# recursion (max 50), ruleset NAME" and leaves the calls it had not made yet
# ("$> NAME") in the result: both name rulesets the macro library chose, not
# behaviour, so in such a piece they are masked.
_RECURSION_RE = re.compile(r"(rewrite: excessive recursion \(max \d+\), ruleset )\S+")
_PENDING_CALL_RE = re.compile(r"\$> \S+")


def mask_recursion(piece: str) -> str:
    """piece with the ruleset names of an excessive recursion masked (else unchanged)."""
    if "excessive recursion" not in piece:
        return piece
    return _PENDING_CALL_RE.sub("$> *", _RECURSION_RE.sub(r"\1*", piece))


def compare_verdicts(
    inputs: Sequence[InputLine],
    expected: Transcript,
    got: Transcript,
    *,
    labels: tuple[str, str],
    strict: bool = False,
    dirs: tuple[str, str] | None = None,
) -> VerdictComparison:
    """Compare the verdict of every input line in two -bt transcripts.

    Args:
        inputs: the lines fed to both sessions.
        expected: the reference transcript.
        got: the transcript under test.
        labels: names of the two sides for reports.
        strict: passed to cf_extract.extract().
        dirs: site directories to normalise to @DIR@, when they differ.

    Returns:
        Counts per kind of line (SETUP lines are compared but not counted) and
        one mismatch per differing line; differing exit status, stderr, banner
        and prompt counts are notes.
    """
    result = VerdictComparison(labels)
    exp_out, got_out = expected.stdout, got.stdout
    exp_err, got_err = expected.stderr, got.stderr
    if dirs is not None:
        exp_out, exp_err = (harness.normalize(t, dirs[0]) for t in (exp_out, exp_err))
        got_out, got_err = (harness.normalize(t, dirs[1]) for t in (got_out, got_err))
    if expected.status != got.status:
        result.notes.append(f"exit status: {labels[0]} {expected.status}, {labels[1]} {got.status}")
    if exp_err != got_err:
        result.notes.append(
            f"stderr differs: {labels[0]} {exp_err.strip()[:300]!r}, "
            f"{labels[1]} {got_err.strip()[:300]!r}"
        )
    exp_split, got_split = harness.split_transcript(exp_out), harness.split_transcript(got_out)
    if exp_split.banner != got_split.banner:
        result.notes.append(
            f"banner differs: {labels[0]} {exp_split.banner[:300]!r}, "
            f"{labels[1]} {got_split.banner[:300]!r}"
        )
    want = len(inputs) + 1
    for label, split in zip(labels, (exp_split, got_split), strict=True):
        if len(split.pieces) != want:
            result.notes.append(
                f"framing: {label} printed {len(split.pieces)} prompts for {len(inputs)} input "
                "lines (one per line and one at the end expected); lines after the break "
                "are compared out of step"
            )
    context = _Context()
    for line, exp_piece, got_piece in zip(inputs, exp_split.pieces, got_split.pieces, strict=False):
        kind = cf_extract.kind_of(line.text)
        # the same output is the same verdict: extract only where the text differs
        same = exp_piece == got_piece
        if not same:
            exp_v = cf_extract.extract(line.text, mask_recursion(exp_piece), strict=strict)
            got_v = cf_extract.extract(line.text, mask_recursion(got_piece), strict=strict)
            same = exp_v.key == got_v.key
        if kind != cf_extract.SETUP:
            counts = result.counts.setdefault(kind, [0, 0])
            counts[0] += same
            counts[1] += 1
        if not same:
            result.mismatches.append(VerdictMismatch(line, context.label(kind), exp_v, got_v))
        context.feed(line.text)
    if len(exp_split.pieces) == want == len(got_split.pieces):
        if exp_split.pieces[-1] != got_split.pieces[-1]:
            result.notes.append(
                f"output after the last input line differs: {labels[0]} "
                f"{exp_split.pieces[-1][:300]!r}, {labels[1]} {got_split.pieces[-1][:300]!r}"
            )
    return result


# --------------------------------------------------------------------------- cases


@dataclass(frozen=True, slots=True)
class LoadResult:
    """Aspect "load": what `sendmail -C ours.cf -bt </dev/null` did."""

    problems: tuple[str, ...]
    ours: Transcript
    real: Transcript

    @property
    def ok(self) -> bool:
        return not self.problems

    def report(self) -> str:
        if self.ok:
            return "loads cleanly (exit 0, empty stderr, same banner as real.cf)"
        return "\n".join(self.problems)


class Case:
    """One .mc: its two .cf files, its sessions and its three aspects (lazy, cached)."""

    def __init__(
        self,
        workspace: Workspace,
        config: str,
        *,
        ours_compiler: str = DEFAULT_COMPILER,
        strict: bool = False,
    ) -> None:
        self.workspace = workspace
        self.config = config
        self.mc = CF_DIR / f"{config}.mc"
        self.ours_compiler = ours_compiler
        self.strict = strict
        self.ns_dir = site_dir_in_namespace(config)
        self._compiled: dict[str, Compiled] = {}
        self._transcripts: dict[str, Transcript] = {}
        self._errors: dict[str, CaseError] = {}
        self._inputs: list[InputLine] | None = None
        self._stdin: Path | None = None

    # inputs ----------------------------------------------------------------
    @property
    def inputs(self) -> list[InputLine]:
        if self._inputs is None:
            name = f"{self.config}.bt"
            lines = cf_inputs.case_lines(self.mc)
            self._inputs = [InputLine(name, n, text) for n, text in enumerate(lines, start=1)]
        return self._inputs

    def stdin(self) -> Path:
        if self._stdin is None:
            path = self.workspace.root / "inputs" / f"{self.config}.bt"
            path.parent.mkdir(exist_ok=True)
            self._stdin = harness.write_stdin(self.inputs, path)
        return self._stdin

    # .cf files ---------------------------------------------------------------
    def _once(self, key: str, make: Callable[[], Compiled]) -> None:
        if key in self._errors:
            raise self._errors[key]
        if key not in self._compiled:
            try:
                self._compiled[key] = make()
            except CaseError as exc:
                self._errors[key] = exc
                raise

    def real_cf(self) -> Compiled:
        """real.cf in tree "real" (site built first)."""

        def make() -> Compiled:
            host = self.workspace.make_site("real", self.config)
            return compile_mc("real", self.mc, self.ns_dir, host)

        self._once("real", make)
        return self._compiled["real"]

    def ours_cf(self) -> Compiled:
        """ours.cf in tree "ourscf"; trees "ours" gets a copy when needed."""

        def make() -> Compiled:
            host = self.workspace.make_site("ourscf", self.config)
            return compile_mc(self.ours_compiler, self.mc, self.ns_dir, host)

        self._once("ourscf", make)
        return self._compiled["ourscf"]

    def _ours_tree(self) -> None:
        def make() -> Compiled:
            compiled = self.ours_cf()
            host = self.workspace.make_site("ours", self.config)
            shutil.copyfile(compiled.cf, host / "sendmail.cf")
            shutil.copyfile(compiled.cf.with_name("sendmail.mc"), host / "sendmail.mc")
            return Compiled(host / "sendmail.cf", compiled.stderr, 0.0)

        self._once("ours", make)

    def _prepare(self, tree: str) -> None:
        if tree == "real":
            self.real_cf()
        elif tree == "ourscf":
            self.ours_cf()
        else:
            self._ours_tree()

    # sessions ---------------------------------------------------------------
    def transcript(self, tree: str) -> Transcript:
        """The -bt session of the whole input in tree (run once)."""
        if tree not in self._transcripts:
            self._prepare(tree)
            # A session cut short (fewer prompts than input lines, seen now and
            # then when the machine is busy) is run again, twice at most; one
            # that fails the same way each time is compared as it is.
            for _attempt in range(3):
                transcript = harness.run_bt(
                    self.workspace.envs[tree], TREES[tree], self.ns_dir, self.stdin()
                )
                pieces = harness.split_transcript(transcript.stdout).pieces
                if len(pieces) == len(self.inputs) + 1:
                    break
            out = self.workspace.root / "transcripts"
            out.mkdir(exist_ok=True)
            (out / f"{self.config}.{tree}.out").write_text(transcript.stdout, encoding="latin-1")
            (out / f"{self.config}.{tree}.err").write_text(
                f"{transcript.stderr}[exit {transcript.status}]\n", encoding="latin-1"
            )
            self._transcripts[tree] = transcript
        return self._transcripts[tree]

    def _empty_session(self, tree: str) -> Transcript:
        self._prepare(tree)
        empty = self.workspace.root / "inputs" / "empty"
        empty.parent.mkdir(exist_ok=True)
        empty.write_bytes(b"")
        return harness.run_bt(self.workspace.envs[tree], TREES[tree], self.ns_dir, empty)

    # aspects ------------------------------------------------------------------
    def load(self) -> LoadResult:
        """Aspect (b): ours.cf loads in the real sendmail without a word."""
        ours = self._empty_session("ourscf")
        real = self._empty_session("real")
        problems = []
        if ours.status != 0:
            problems.append(f"exit status {ours.status} (real.cf: {real.status})")
        if ours.stderr:
            problems.append(f"stderr: {ours.stderr.strip()[:2000]}")
        if ours.stdout != real.stdout:
            problems.append(f"stdout {ours.stdout[:2000]!r}, real.cf: {real.stdout[:2000]!r}")
        if "ADDRESS TEST MODE" not in ours.stdout:
            problems.append("no test-mode banner")
        if real.status != 0 or real.stderr:
            problems.append(f"(real.cf itself: exit {real.status}, stderr {real.stderr!r})")
        return LoadResult(tuple(problems), ours, real)

    def cf(self) -> VerdictComparison:
        """Aspect (c): real sendmail, real.cf against ours.cf."""
        return compare_verdicts(
            self.inputs,
            self.transcript("real"),
            self.transcript("ourscf"),
            labels=("real.cf", "ours.cf"),
            strict=self.strict,
        )

    def engine(self) -> VerdictComparison:
        """Aspect (a): ours.cf in the real sendmail against ours.cf in our sendmail."""
        return compare_verdicts(
            self.inputs,
            self.transcript("ourscf"),
            self.transcript("ours"),
            labels=("real engine", "our engine"),
            strict=self.strict,
        )

    def compiler_notes(self) -> list[str]:
        """What the two compilers printed on stderr, when it differs."""
        real, ours = self._compiled.get("real"), self._compiled.get("ourscf")
        if real is None or ours is None or real.stderr == ours.stderr:
            return []
        return [f"compiler messages differ: real.cf {real.stderr.strip()!r}, "
                f"ours.cf {ours.stderr.strip()!r}"]  # fmt: skip

    def results(self, aspects: Sequence[str] = ASPECTS) -> dict[str, AspectResult]:
        """Run the aspects, their sessions at the same time, and forget the transcripts.

        Returns:
            aspect -> LoadResult, VerdictComparison, or the CaseError that kept
            it from running.
        """
        needs = {"load": ("real", "ourscf"), "cf": ("real", "ourscf"), "engine": ("ourscf", "ours")}
        trees = list(dict.fromkeys(tree for aspect in aspects for tree in needs[aspect]))
        failed: dict[str, CaseError] = {}
        for tree in trees:
            try:
                self._prepare(tree)
            except CaseError as exc:
                failed[tree] = exc
        with_input = {tree for aspect in aspects if aspect != "load" for tree in needs[aspect]}
        sessions = [tree for tree in trees if tree in with_input and tree not in failed]
        can_load = "load" in aspects and not any(tree in failed for tree in needs["load"])
        with ThreadPoolExecutor(max_workers=len(trees) + 1) as pool:
            running = [pool.submit(self.transcript, tree) for tree in sessions]
            loaded = pool.submit(self.load) if can_load else None
            for future in running:
                future.result()
            load = loaded.result() if loaded is not None else None
        out: dict[str, AspectResult] = {}
        for aspect in aspects:
            broken = [failed[t] for t in needs[aspect] if t in failed]
            if broken:
                out[aspect] = broken[0]
            elif aspect == "load":
                assert load is not None
                out[aspect] = load
            else:
                out[aspect] = self.cf() if aspect == "cf" else self.engine()
        self._transcripts.clear()
        return out


AspectResult = LoadResult | VerdictComparison | CaseError


# --------------------------------------------------------------------------- script


@dataclass(frozen=True, slots=True)
class CaseOutcome:
    """Everything one case gave: its aspects' results, notes and time taken."""

    config: str
    lines: int
    results: dict[str, AspectResult]
    notes: tuple[str, ...]
    seconds: float

    @property
    def ok(self) -> bool:
        return all(not isinstance(r, CaseError) and r.ok for r in self.results.values())

    def report(self, limit: int = 10) -> str:
        """A header line, then one block per aspect (mismatches up to limit each)."""
        out = []
        for aspect, result in self.results.items():
            if isinstance(result, CaseError):
                out.append(f"  {aspect:<6} ERROR: {result}".replace("\n", "\n    "))
            elif isinstance(result, LoadResult):
                head = "ok" if result.ok else "FAILED"
                text = result.report().replace("\n", "\n    ")
                out.append(f"  load   {head}: {text}")
            else:
                text = result.report(limit).replace("\n", "\n  ")
                out.append(f"  {aspect:<6} {'ok' if result.ok else 'MISMATCH'}: {text}")
        out += [f"  NOTE {note}" for note in self.notes]
        head = (f"{self.config}: {self.lines} input lines, "
                f"{'all as real' if self.ok else 'DIFFERENCES'} ({self.seconds:.1f}s)")  # fmt: skip
        return "\n".join([head, *out])


def run_case(case: Case, aspects: Sequence[str] = ASPECTS) -> CaseOutcome:
    """Run the aspects of case and sum them up."""
    started = time.monotonic()
    results = case.results(aspects)
    return CaseOutcome(
        case.config,
        len(case.inputs),
        results,
        tuple(case.compiler_notes()),
        time.monotonic() - started,
    )


class Runner:
    """Outcomes of cases, each computed once, jobs cases at a time, ahead of need.

    get(config) starts config and the jobs - 1 cases after it in order (the
    order in which they will be asked for), then waits for config: while a
    test looks at one case, the next one runs.
    """

    def __init__(
        self,
        workspace: Workspace,
        order: Sequence[str],
        *,
        ours_compiler: str = DEFAULT_COMPILER,
        strict: bool = False,
        jobs: int = 2,
    ) -> None:
        self.workspace = workspace
        self.order = list(order)
        self.ours_compiler = ours_compiler
        self.strict = strict
        self.jobs = max(1, jobs)
        self._pool = ThreadPoolExecutor(max_workers=self.jobs)
        self._futures: dict[str, Future[CaseOutcome]] = {}

    def _start(self, config: str) -> None:
        if config not in self._futures:
            case = Case(
                self.workspace, config, ours_compiler=self.ours_compiler, strict=self.strict
            )
            self._futures[config] = self._pool.submit(run_case, case)

    def get(self, config: str) -> CaseOutcome:
        """The outcome of config (all aspects)."""
        self._start(config)
        if config in self.order:
            index = self.order.index(config)
            for following in self.order[index + 1 : index + self.jobs]:
                self._start(following)
        return self._futures[config].result()

    def close(self) -> None:
        """Stop: cases not started are dropped, running ones are waited for."""
        self._pool.shutdown(wait=True, cancel_futures=True)


# The input lines whose "cf" verdicts are known to differ: each line of the
# file is "CONFIG LINENO DIGEST  # TEXT", DIGEST a hash of the input line (so that
# a changed generator does not silently match old entries). The test fails on
# any other difference and on a listed line that now agrees (the list can only
# shrink); `cf_verdicts.py --write-known` rewrites it from a full run.
KNOWN_FILE = CF_DIR / "known-differences"


def known_key(config: str, line: InputLine) -> str:
    """The known-differences key of an input line of a case."""
    digest = hashlib.sha256(line.text.encode("latin-1")).hexdigest()[:12]
    return f"{config} {line.lineno} {digest}"


def load_known(path: Path = KNOWN_FILE) -> set[str]:
    """The keys listed in the known-differences file (empty when there is none)."""
    if not path.exists():
        return set()
    keys = set()
    for raw in path.read_text(encoding="latin-1").splitlines():
        entry = raw.split("#", 1)[0].strip()
        if entry:
            keys.add(entry)
    return keys


def write_known(outcomes: Sequence[CaseOutcome], path: Path = KNOWN_FILE) -> int:
    """Write the "cf" mismatches of outcomes as the known differences; return their count."""
    rows = []
    for outcome in outcomes:
        result = outcome.results.get("cf")
        if not isinstance(result, VerdictComparison):
            continue
        for mismatch in result.mismatches:
            shown = mismatch.line.text.encode("unicode_escape").decode("ascii")
            rows.append(f"{known_key(outcome.config, mismatch.line)}  # {shown}")
    header = (
        "# Input lines of tests/diff/cf_inputs.py whose verdicts differ between the real\n"
        "# sendmail-cf and ours (aspect cf of tests/diff/cf_verdicts.py): CONFIG LINENO\n"
        "# DIGEST  # the line. Regenerate with tests/diff/cf_verdicts.py --write-known.\n"
    )
    path.write_text(header + "".join(row + "\n" for row in rows), encoding="latin-1")
    return len(rows)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cf_verdicts.py",
        description="Compare -bt verdicts of .cf files compiled by our sendmail-cf library "
        "and by the real one (issue 5 acceptance).",
    )
    parser.add_argument("configs", nargs="*", metavar="CONFIG", help=f"of {', '.join(CONFIGS)}")
    parser.add_argument(
        "--aspect",
        action="append",
        choices=ASPECTS,
        help="load: ours.cf loads in real sendmail; cf: real.cf vs ours.cf verdicts; "
        "engine: our sendmail vs real on ours.cf (default: all three)",
    )
    parser.add_argument(
        "--ours-compiler",
        default=ours_compiler_default(),
        help="mta (.venv/bin/mta compile), real (GNU m4 + sendmail-cf: the control), or a "
        f"command with {{mc}} and {{cf}}; default ${COMPILER_ENV} or mta",
    )
    parser.add_argument("--limit", type=int, default=10, help="mismatches shown per aspect")
    parser.add_argument(
        "--strict", action="store_true", help="compare non-$# check results as printed"
    )
    parser.add_argument("-j", "--jobs", type=int, default=2, help="cases run in parallel (2)")
    parser.add_argument("--keep", type=Path, help="work in this directory and keep it")
    parser.add_argument("--list", action="store_true", help="list the cases and input sizes")
    parser.add_argument("--show-input", metavar="CONFIG", help="print the -bt input of a case")
    parser.add_argument(
        "--write-known",
        action="store_true",
        help=f"write the cf mismatches of this run (all cases) to {KNOWN_FILE.name}",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.show_input:
        lines = cf_inputs.case_lines(CF_DIR / f"{args.show_input}.mc")
        sys.stdout.buffer.write(("\n".join(lines) + "\n").encode("latin-1"))
        return 0
    if args.list:
        for config in CONFIGS:
            mc = CF_DIR / f"{config}.mc"
            lines = cf_inputs.case_lines(mc)
            verdicts = sum(cf_extract.kind_of(line) != cf_extract.SETUP for line in lines)
            print(
                f"{config:<14} {len(cf_inputs.addresses(mc))} addresses, {len(lines)} -bt lines, "
                f"{verdicts} of them with a verdict"
            )
        return 0
    unknown = [c for c in args.configs if c not in CONFIGS]
    if unknown:
        print(f"unknown case(s) {', '.join(unknown)}; known: {', '.join(CONFIGS)}", file=sys.stderr)
        return 64
    reason = unavailable_reason()
    if reason is not None:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 2
    aspects = tuple(dict.fromkeys(args.aspect or ASPECTS))
    configs = args.configs or list(CONFIGS)
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        root, cleanup = args.keep.resolve(), None
    else:
        cleanup = tempfile.TemporaryDirectory(prefix="cf-verdicts-")
        root = Path(cleanup.name)
    started = time.monotonic()
    print(f"ours compiler: {args.ours_compiler}; aspects: {', '.join(aspects)}", flush=True)
    try:
        workspace = Workspace(root)
        cases = [
            Case(workspace, c, ours_compiler=args.ours_compiler, strict=args.strict)
            for c in configs
        ]
        all_ok = True
        outcomes = []
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            for outcome in pool.map(lambda case: run_case(case, aspects), cases):
                all_ok &= outcome.ok
                outcomes.append(outcome)
                print(outcome.report(args.limit), flush=True)
        if args.write_known:
            if args.configs or "cf" not in aspects:
                print("--write-known needs all cases and the cf aspect", file=sys.stderr)
                return 64
            print(f"{write_known(outcomes)} known differences written to {KNOWN_FILE}")
    finally:
        if cleanup is not None:
            cleanup.cleanup()
    verdict = "all identical" if all_ok else "DIFFERENCES found"
    print(f"{len(configs)} cases, {verdict}, {time.monotonic() - started:.1f}s")
    if args.keep is not None:
        print(f"work files kept in {root} (trees/TREE/CONFIG/, inputs/CONFIG.bt, transcripts/)")
    return 0 if all_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
