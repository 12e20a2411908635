"""Run `sendmail -bt` sessions of two implementations and compare them line by line.

SYNOPSIS
    site = build_site(REAL, host_dir, "/mnt/real", Path("bt/kitchen.mc"))
    real = run_bt(env, REAL, "/mnt/real", stdin_file, flags=("-d21.12",))
    result = compare(inputs, real, ours, dirs=("/mnt/real", "/mnt/ours"))
    print(result.report())

DESCRIPTION
    A site is one directory holding everything a .cf refers to: the text maps
    of site/ and their databases built by the implementation's own makemap
    (the real /usr/sbin/makemap for the real sendmail, .venv/bin/makemap for
    ours), the class files, service.switch (`hosts files`, `aliases files`),
    an empty mqueue/, and sendmail.cf compiled by GNU m4 with the real
    sendmail-cf macros from an .mc template whose @DIR@ is the site's path as
    seen inside the namespace. Both .cf files therefore differ only in that
    directory, and outputs are compared after replacing it with @DIR@ (the
    only normalisation: nothing else is masked).

    A session feeds every input line of a case through one process, stdin a
    regular file. Sendmail prints the prompt "> " before reading each line,
    and does not echo the line when stdin is a file, so the transcript is the
    banner, then one prompt per input line followed by that line's output,
    then a last prompt at end of input. split_transcript() cuts it at the
    prompts: a "> " at the start of the transcript, after a newline or right
    after another prompt. compare() pairs the pieces with the input lines.

DIAGNOSTICS
    SiteError when m4 or a makemap fails (its stderr is in the message).
    run_bt never raises for a failing sendmail: status, stdout and stderr are
    data. A transcript whose prompt count does not match the input is
    reported as a framing mismatch and then compared as a whole.

SEE ALSO
    tests/diff/test_bt.py, tests/diff/nsenv.py, bench/bt_bench.py,
    Sendmail Installation and Operation Guide (op.me) "Testing the configuration".
"""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import nsenv
from nsenv import NsEnv

BT_DIR = Path(__file__).resolve().parent
SITE_DIR = BT_DIR / "site"
REPO_ROOT = BT_DIR.parents[2]

GNU_M4 = Path("/usr/bin/m4")
CF_M4 = Path("/usr/share/sendmail/cf/m4/cf.m4")
REAL_SENDMAIL = Path("/usr/sbin/sendmail")
REAL_MAKEMAP = Path("/usr/sbin/makemap")
OUR_SENDMAIL = REPO_ROOT / ".venv" / "bin" / "sendmail"
OUR_MAKEMAP = REPO_ROOT / ".venv" / "bin" / "makemap"

# Text files of site/ compiled into databases: file name -> makemap type.
MAPS: dict[str, str] = {
    "access": "hash",
    "mailertable": "hash",
    "virtusertable": "hash",
    "genericstable": "hash",
    "domaintable": "hash",
}
PROMPT = "> "
DIR_PLACEHOLDER = "@DIR@"
TIMEOUT_SECONDS = 300
DIFF_LINES_SHOWN = 60  # per mismatch
# The same environment for both programs: no locale, no user-specific settings.
RUN_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C", "LC_ALL": "C"}


class SiteError(Exception):
    """A site could not be built (m4 or makemap failed)."""


@dataclass(frozen=True, slots=True)
class Implementation:
    """A sendmail and the makemap that builds its maps."""

    label: str
    sendmail: tuple[str, ...]
    makemap: tuple[str, ...]


REAL = Implementation("real", (str(REAL_SENDMAIL),), (str(REAL_MAKEMAP),))
OURS = Implementation("ours", (str(OUR_SENDMAIL),), (str(OUR_MAKEMAP),))


@dataclass(frozen=True, slots=True)
class Transcript:
    """What one -bt session printed."""

    stdout: str
    stderr: str
    status: int


@dataclass(frozen=True, slots=True)
class InputLine:
    """One -bt input line and where it comes from."""

    source: str
    lineno: int
    text: str

    @property
    def where(self) -> str:
        return f"{self.source}:{self.lineno}"


@dataclass(frozen=True, slots=True)
class Split:
    """A transcript cut at its prompts: banner, then one piece per prompt."""

    banner: str
    pieces: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One difference: an input line (or banner/stderr/status) and its diff."""

    label: str
    diff: str


@dataclass(frozen=True, slots=True)
class Comparison:
    """Per-line outcome of expected (reference) against got."""

    total: int
    identical: int
    mismatches: tuple[Mismatch, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def report(self, limit: int = 40) -> str:
        """Return the mismatches as text, at most limit of them."""
        head = f"{self.identical} of {self.total} -bt inputs identical"
        parts = [head] + [f"=== {m.label}\n{m.diff}" for m in self.mismatches[:limit]]
        if len(self.mismatches) > limit:
            parts.append(f"... and {len(self.mismatches) - limit} more mismatches")
        return "\n".join(parts)


def unavailable_reason() -> str | None:
    """Why real Sendmail cannot be compared with here (a missing Debian package
    or no namespaces), or None when it can."""
    for path, what in (
        (REAL_SENDMAIL, "real sendmail (Debian sendmail-bin)"),
        (REAL_MAKEMAP, "real makemap (Debian sendmail-bin)"),
        (GNU_M4, "GNU m4"),
        (CF_M4, "sendmail-cf macros (Debian sendmail-cf)"),
    ):
        if not path.exists():
            return f"{what} not installed: {path} is missing"
    return nsenv.unavailable_reason()


def read_inputs(paths: Iterable[Path]) -> list[InputLine]:
    """Return the input lines of the files, in order, with their origin."""
    lines: list[InputLine] = []
    for path in paths:
        text = path.read_text(encoding="latin-1")
        for number, line in enumerate(
            text.split("\n")[:-1] if text.endswith("\n") else text.split("\n"), start=1
        ):
            lines.append(InputLine(path.name, number, line))
    return lines


def write_stdin(lines: Sequence[InputLine], path: Path) -> Path:
    """Write the lines as one stdin file (latin-1, so any byte survives)."""
    path.write_text("".join(line.text + "\n" for line in lines), encoding="latin-1")
    return path


def _run(argv: Sequence[str], *, stdin: Path | None = None, cwd: Path | None = None) -> None:
    with open(stdin if stdin is not None else os.devnull, "rb") as fin:
        proc = subprocess.run(
            list(argv),
            stdin=fin,
            capture_output=True,
            cwd=cwd,
            env=RUN_ENV,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    if proc.returncode != 0:
        raise SiteError(
            f"{' '.join(argv)} exited {proc.returncode}: "
            f"{proc.stderr.decode('latin-1', 'replace').strip()}"
        )


def compile_mc(template: Path, ns_dir: str, host_dir: Path) -> Path:
    """Compile template with @DIR@ = ns_dir by GNU m4 and sendmail-cf into host_dir.

    Returns:
        The host path of sendmail.cf.

    Raises:
        SiteError: m4 failed.
    """
    mc = host_dir / "sendmail.mc"
    mc.write_text(template.read_text().replace(DIR_PLACEHOLDER, ns_dir))
    cf = host_dir / "sendmail.cf"
    with open(mc, "rb") as fin:
        proc = subprocess.run(
            [str(GNU_M4)],
            stdin=fin,
            capture_output=True,
            cwd=host_dir,
            env=RUN_ENV,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    if proc.returncode != 0 or proc.stderr:
        raise SiteError(f"m4 {template.name}: {proc.stderr.decode('latin-1', 'replace')}")
    cf.write_bytes(proc.stdout)
    return cf


def build_site(
    impl: Implementation, host_dir: Path, ns_dir: str, template: Path, *, site_dir: Path = SITE_DIR
) -> Path:
    """Fill host_dir (seen as ns_dir in the namespace) with the site files for impl.

    Returns:
        The host path of sendmail.cf.

    Raises:
        SiteError: m4 or impl's makemap failed.

    Side effects:
        Creates host_dir, copies site_dir into it, runs makemap for each of MAPS.
    """
    build_maps(impl, host_dir, site_dir=site_dir)
    return compile_mc(template, ns_dir, host_dir)


def build_maps(impl: Implementation, host_dir: Path, *, site_dir: Path = SITE_DIR) -> None:
    """Copy the files of site_dir into host_dir and build their databases with impl's makemap.

    Raises:
        SiteError: impl's makemap failed.

    Side effects:
        Creates host_dir (0755) and host_dir/mqueue, runs makemap for each of MAPS
        and for the aliases file.
    """
    host_dir.mkdir(parents=True, exist_ok=True)
    host_dir.chmod(0o755)
    (host_dir / "mqueue").mkdir(mode=0o700, exist_ok=True)
    for source in sorted(site_dir.iterdir()):
        shutil.copyfile(source, host_dir / source.name)
    for name, kind in MAPS.items():
        _run([*impl.makemap, kind, str(host_dir / name)], stdin=host_dir / name, cwd=host_dir)
    # aliases.db as newaliases writes it (NUL-terminated keys and values, the "@"
    # entry), made by each side's makemap: sendmail -bi would need the namespace
    alias_input = host_dir / "aliases.makemap"
    alias_input.write_text(_alias_map_text(host_dir / "aliases"))
    _run([*impl.makemap, "-N", "hash", str(host_dir / "aliases")], stdin=alias_input, cwd=host_dir)


def _alias_map_text(aliases: Path) -> str:
    """The "name value" lines of a one-line-per-alias aliases file, then "@ @"."""
    lines = []
    for line in aliases.read_text().splitlines():
        name, sep, value = line.partition(":")
        if sep and not line.startswith("#"):
            lines.append(f"{name.strip()} {value.strip()}\n")
    return "".join(lines) + "@ @\n"


def bt_argv(impl: Implementation, ns_dir: str, flags: Sequence[str] = ()) -> list[str]:
    """Return the -bt command line; the same flags for every implementation."""
    return [
        *impl.sendmail,
        "-C",
        f"{ns_dir}/sendmail.cf",
        "-bt",
        *flags,
        "-O",
        f"QueueDirectory={ns_dir}/mqueue",
        "-O",
        f"ServiceSwitchFile={ns_dir}/service.switch",
    ]


def run_bt(
    env: NsEnv, impl: Implementation, ns_dir: str, stdin: Path, flags: Sequence[str] = ()
) -> Transcript:
    """Run one -bt session of impl inside env with stdin from a file.

    Returns:
        The transcript; a program that cannot start gives status 127 and the
        error in stderr, so that the caller can compare it like any output.
    """
    try:
        with open(stdin, "rb") as fin:
            proc = subprocess.run(
                env.argv(bt_argv(impl, ns_dir, flags)),
                stdin=fin,
                capture_output=True,
                cwd="/",
                env=RUN_ENV,
                timeout=TIMEOUT_SECONDS,
                check=False,
            )
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode("latin-1") if isinstance(exc.stdout, bytes) else ""
        return Transcript(out, f"timed out after {TIMEOUT_SECONDS}s", -1)
    return Transcript(proc.stdout.decode("latin-1"), proc.stderr.decode("latin-1"), proc.returncode)


def normalize(text: str, ns_dir: str) -> str:
    """Replace the site directory prefix by @DIR@ (and nothing else)."""
    return text.replace(ns_dir, DIR_PLACEHOLDER)


def split_transcript(text: str) -> Split:
    """Cut a -bt transcript at its prompts (see DESCRIPTION)."""
    starts: list[int] = []
    pos = text.find(PROMPT)
    while pos != -1:
        at_prompt = (
            pos == 0 or text[pos - 1] == "\n" or (bool(starts) and starts[-1] + len(PROMPT) == pos)
        )
        if at_prompt:
            starts.append(pos)
            pos = text.find(PROMPT, pos + len(PROMPT))
        else:
            pos = text.find(PROMPT, pos + 1)
    if not starts:
        return Split(text, ())
    ends = [*starts[1:], len(text)]
    pieces = tuple(text[s + len(PROMPT) : e] for s, e in zip(starts, ends, strict=True))
    return Split(text[: starts[0]], pieces)


def _udiff(expected: str, got: str, names: tuple[str, str]) -> str:
    lines = difflib.unified_diff(
        expected.splitlines(keepends=True),
        got.splitlines(keepends=True),
        fromfile=names[0],
        tofile=names[1],
        lineterm="\n",
    )
    shown = [line if line.endswith("\n") else line + "\n\\ no newline\n" for line in lines]
    if len(shown) > DIFF_LINES_SHOWN:
        more = len(shown) - DIFF_LINES_SHOWN
        shown = [*shown[:DIFF_LINES_SHOWN], f"... ({more} more diff lines)\n"]
    text = "".join(shown)
    return text or f"(differ only in the final newline)\n{expected!r}\n{got!r}\n"


def compare(
    inputs: Sequence[InputLine],
    expected: Transcript,
    got: Transcript,
    *,
    dirs: tuple[str, str],
    labels: tuple[str, str] = ("real", "ours"),
) -> Comparison:
    """Compare got against expected, per input line, after normalize().

    Args:
        inputs: the lines fed to both sessions.
        expected: the reference transcript (real sendmail).
        got: the transcript under test.
        dirs: the site directories of expected and got, as seen in the namespace.
        labels: names used in the diffs.

    Returns:
        The number of identical input lines and one Mismatch per differing
        line, plus mismatches for the exit status, stderr, the banner and the
        final piece (these do not count as input lines).
    """
    exp_out, got_out = normalize(expected.stdout, dirs[0]), normalize(got.stdout, dirs[1])
    exp_split, got_split = split_transcript(exp_out), split_transcript(got_out)
    mismatches: list[Mismatch] = []
    identical = 0
    # Exit status and stderr first: when a program fails, they say why.
    if expected.status != got.status:
        mismatches.append(
            Mismatch("exit status", f"{labels[0]}: {expected.status}\n{labels[1]}: {got.status}\n")
        )
    exp_err, got_err = normalize(expected.stderr, dirs[0]), normalize(got.stderr, dirs[1])
    if exp_err != got_err:
        mismatches.append(Mismatch("stderr", _udiff(exp_err, got_err, labels)))
    want = len(inputs) + 1
    if len(exp_split.pieces) != want or len(got_split.pieces) != want:
        # Framing lost: say so, and show the whole transcripts' diff once.
        mismatches.append(
            Mismatch(
                f"framing: {want} prompts expected; {labels[0]} printed "
                f"{len(exp_split.pieces)}, {labels[1]} printed {len(got_split.pieces)}",
                "" if exp_out == got_out else _udiff(exp_out, got_out, labels),
            )
        )
        if exp_out == got_out:
            identical = len(inputs)
    else:
        if exp_split.banner != got_split.banner:
            mismatches.append(
                Mismatch("banner", _udiff(exp_split.banner, got_split.banner, labels))
            )
        for line, exp, out in zip(inputs, exp_split.pieces, got_split.pieces, strict=False):
            if exp == out:
                identical += 1
            else:
                mismatches.append(Mismatch(f"{line.where}: {line.text}", _udiff(exp, out, labels)))
        if exp_split.pieces[-1] != got_split.pieces[-1]:
            mismatches.append(
                Mismatch(
                    "after the last input line",
                    _udiff(exp_split.pieces[-1], got_split.pieces[-1], labels),
                )
            )
    return Comparison(len(inputs), identical, tuple(mismatches))
