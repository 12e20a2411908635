#!/usr/bin/env python3
"""Differential fuzzer: m4compat against GNU m4 1.4.19.

SYNOPSIS
    .venv/bin/python tests/golden/m4/fuzz.py [--seed N] [--count N] [--seconds S]
        [--jobs J] [--out DIR] [--focus FEAT,...] [--only FEAT,...] [--no-adapt]
        [--ours-path DIR] [--no-shrink] [--verbose] [--drop-known NAME,...]
    .venv/bin/python tests/golden/m4/fuzz.py --replay SEED:INDEX [--run]
    .venv/bin/python tests/golden/m4/fuzz.py --features

DESCRIPTION
    A developer tool, not a pytest test. It generates random but meaningful m4
    programs from a grammar of constructs (one generator per "feature": define,
    pushdef, defn, indir, ifelse, $@/$#/$N, bounded recursion, nested quotes,
    changequote/changecom mid-stream, comments, dnl, diversions, m4wrap, string
    and regex builtins, format, eval, errprint, __line__/__file__, words formed
    across expansion boundaries, partial quotes/parens, whitespace variants,
    trace/debug flags and dumpdef, include/sinclude of files it creates,
    syscmd/esyscmd of deterministic commands, m4exit) plus random command-line
    options (-E -Q -G -P -s -L -t -d -D -U -l ...).

    The second round of features (select them all with --only new or --focus
    new) stresses quote and comment delimiters that are prefixes of each other
    or overlap, delimiters split across macro expansions, quotes and comments
    opened by an expansion and closed in the file, included files that end
    without a newline or in mid-token, -I search order and M4PATH, undivert of
    files, diversions inside arguments and m4wrap, m4exit inside m4wrap,
    includes and arguments, -s sync lines, -d i/p flags and debugfile changes,
    frozen files (a first run freezes a random state with -F, the compared run
    reloads it with -R), several input files with - and -D/-U between them, -G,
    very long lines and arguments, CR LF input, $ edge cases in bodies, defn
    and pushdef stacks holding builtins, indir/builtin with renamed builtins,
    and the recursion idioms of the GNU manual (forloop, foreach, foreachq,
    argn, join, reverse, cond, curry, stack_foreach, copy/rename).

    Each program is run by GNU m4 (/usr/bin/m4, through a symlink named
    "m4compat" so its messages carry the same program name) and by m4compat
    (python -m m4compat with PYTHONPATH=--ours-path, default the repository
    root), each in a fresh temporary working directory, with LC_ALL=C, the same
    arguments and a 5 second timeout. Standard output, standard error and the
    exit status are compared byte for byte, and so are the files a run creates
    (debug files, and frozen files, which m4compat writes in GNU's hash-table
    order). A case may set environment variables (M4PATH) and runs to do first
    in the same directory (the -F run of a frozen state; their output is
    compared too). Programs that time out in GNU m4 or overflow its stack are
    skipped; a timeout of m4compat alone is retried once (a loaded machine).

    On a mismatch the input is shrunk by delta debugging (whole command-line
    options, lines of the input and of the included files, then tokens) while
    the mismatch persists, is not explained by a known bug (see KNOWN; so that
    shrinking does not slide onto one) and, if m4compat crashed with a
    traceback or timed out, while it still does. The minimal case is saved in --out as
    fuzz-SEED-INDEX/ (input.m4, args, the created files, gnu.out/err/rc and
    ours.out/err/rc) and summarised on standard output.

    Program INDEX of a run with --seed SEED depends only on SEED, INDEX and the
    feature weights in effect for its batch; weights start from the defaults
    (--focus multiplies the named features by 5, --only uses just those) and,
    unless --no-adapt, are raised after every batch of --batch programs for the
    features that took part in mismatches. Batches are processed whole, so a
    run is reproducible whatever --jobs is. --replay SEED:INDEX prints program
    INDEX as generated with the default weights (add --run to run and compare).

    Constructs with known, accepted differences are never generated: regex
    alternation (\\|) and nested stars (GNU picks the POSIX leftmost-longest
    match), NUL bytes, eval with unary radix or huge widths, and anything
    nondeterministic (maketemp/mkstemp, dates, pids).

OPTIONS
    --seed N        base seed (default 1).
    --count N       number of programs (default 500).
    --seconds S     stop after S seconds (default: no limit).
    --jobs J        parallel workers (default: CPU count).
    --batch B       programs per batch (default 40).
    --out DIR       where minimal cases go (default /tmp/m4fuzz).
    --ours-path DIR PYTHONPATH for m4compat (e.g. a snapshot made with
                    git archive HEAD m4compat | tar -x -C DIR).
    --no-shrink     save the mismatching program as generated.
    --drop-known N  ignore these entries of KNOWN (comma-separated), e.g. once
                    their bugs are fixed, so that they hide nothing else.
    --features      list the feature names ("new" names the second round).

EXIT STATUS
    0 if no mismatch was found, 1 otherwise, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[2]
GNU_M4 = "/usr/bin/m4"
PROGRAM_NAME = "m4compat"
TIMEOUT = 5.0
INPUT_NAME = "input.m4"


# --------------------------------------------------------------------------- cases


@dataclass
class Case:
    """One fuzz program: input text, command-line options, created files, stdin."""

    text: str
    args: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    stdin: str = ""
    tail: list[str] = field(default_factory=list)  # operands after input.m4
    features: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)  # e.g. M4PATH
    pre: list[list[str]] = field(default_factory=list)  # runs before the main one (-F ...)

    def argv(self) -> list[str]:
        return [*self.args, INPUT_NAME, *self.tail]

    def but(self, **changes) -> Case:
        """A copy with some fields replaced (lists and dicts are copied)."""
        fields = {"text": self.text, "args": list(self.args), "files": dict(self.files),
                  "stdin": self.stdin, "tail": list(self.tail), "features": list(self.features),
                  "env": dict(self.env), "pre": [list(p) for p in self.pre]}
        fields.update(changes)
        return Case(**fields)


@dataclass(frozen=True)
class Result:
    stdout: bytes
    stderr: bytes
    rc: int  # -999 on timeout

    @property
    def timed_out(self) -> bool:
        return self.rc == -999

    @property
    def crashed(self) -> bool:
        return b"Traceback (most recent call last)" in self.stderr


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {"LC_ALL": "C", "PATH": "/usr/bin:/bin"}
    if extra:
        env.update(extra)
    return env


class Runner:
    """Runs a Case under GNU m4 and under m4compat."""

    def __init__(self, ours_path: Path) -> None:
        self.ours_path = ours_path
        self.tmp = Path(tempfile.mkdtemp(prefix="m4fuzz-"))
        self.link = self.tmp / PROGRAM_NAME
        self.link.symlink_to(GNU_M4)
        self.runs = 0

    def close(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _command(self, which: str, argv: list[str],
                 env_extra: dict[str, str]) -> tuple[list[str], str | None, dict[str, str]]:
        if which == "gnu":
            return [PROGRAM_NAME, *argv], str(self.link), _env(env_extra)
        env = _env({"PYTHONPATH": str(self.ours_path), "PYTHONDONTWRITEBYTECODE": "1",
                    **env_extra})
        return [sys.executable, "-m", "m4compat", *argv], None, env

    def _start(self, case: Case, which: str) -> tuple[subprocess.Popen[bytes], Path, bytes]:
        work = Path(tempfile.mkdtemp(prefix=which + "-", dir=self.tmp))
        (work / INPUT_NAME).write_bytes(case.text.encode("latin-1"))
        for name, content in case.files.items():
            path = work / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content.encode("latin-1"))
        prelude = b""
        for i, pre in enumerate(case.pre):
            argv, executable, env = self._command(which, pre, case.env)
            try:
                done = subprocess.run(argv, executable=executable, stdin=subprocess.DEVNULL,
                                      capture_output=True, cwd=work, env=env,
                                      timeout=TIMEOUT, check=False)
                prelude += (b"[pre %d rc=%d]\n" % (i, done.returncode) + done.stdout
                            + b"[pre err]\n" + done.stderr + b"[main]\n")
            except subprocess.TimeoutExpired:
                prelude += b"[pre %d timeout]\n" % i
        argv, executable, env = self._command(which, case.argv(), case.env)
        proc = subprocess.Popen(
            argv,
            executable=executable,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=work,
            env=env,
            start_new_session=True,
        )
        return proc, work, prelude

    @staticmethod
    def _created(case: Case, work: Path) -> bytes:
        """The files a run created (debug files, frozen files...), name and content."""
        out = b""
        for path in sorted(work.rglob("*")):
            rel = str(path.relative_to(work))
            if not path.is_file() or rel == INPUT_NAME or rel in case.files:
                continue
            out += b"[created " + rel.encode() + b"]\n" + path.read_bytes()[:5000]
        return out

    @staticmethod
    def _finish(proc: subprocess.Popen[bytes], stdin: bytes, deadline: float) -> Result:
        try:
            out, err = proc.communicate(stdin, timeout=max(0.1, deadline - time.monotonic()))
            return Result(out, err, proc.returncode)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, 9)
            except OSError:
                pass
            out, err = proc.communicate()
            return Result(out[:2000], err[:2000], -999)

    def run(self, case: Case) -> tuple[Result, Result]:
        """Return (gnu, ours)."""
        self.runs += 1
        stdin = case.stdin.encode("latin-1")
        gproc, gdir, gpre = self._start(case, "gnu")
        oproc, odir, opre = self._start(case, "ours")
        deadline = time.monotonic() + TIMEOUT
        gnu = self._finish(gproc, stdin, deadline)
        ours = self._finish(oproc, stdin, deadline)
        if case.pre or gpre or opre:
            gnu = Result(gpre + gnu.stdout, gnu.stderr, gnu.rc)
            ours = Result(opre + ours.stdout, ours.stderr, ours.rc)
        gc, oc = self._created(case, gdir), self._created(case, odir)
        if gc or oc:
            gnu = Result(gnu.stdout + gc, gnu.stderr, gnu.rc)
            ours = Result(ours.stdout + oc, ours.stderr, ours.rc)
        shutil.rmtree(gdir, ignore_errors=True)
        shutil.rmtree(odir, ignore_errors=True)
        return gnu, ours


def differs(gnu: Result, ours: Result) -> bool:
    if gnu.timed_out or b"internal error detected" in gnu.stderr:
        return False  # GNU hung or crashed (e.g. substr with a huge length)
    if b"stack overflow" in gnu.stderr:
        return False  # unbounded recursion: GNU does not even flush its debug file
    return gnu != ours


# --------------------------------------------------------------------------- known bugs

# Discrepancies already reported (each has a tests/golden/m4/cases/fuzz_* case). A
# mismatch that disappears once both results are normalised by every entry is
# counted as known and not shrunk (--all turns this off). Each entry is
# (name, applies(case), normalise(bytes-of-stdout-or-stderr) per stream).


def _drop_lines(pattern: bytes):
    rx = re.compile(pattern)
    return lambda data: b"".join(ln for ln in data.splitlines(keepends=True)
                                 if not rx.search(ln))


def _sub(pattern: bytes, repl: bytes):
    rx = re.compile(pattern)
    return lambda data: rx.sub(repl, data)


def _sort_lines(data: bytes) -> bytes:
    return b"".join(sorted(data.splitlines(keepends=True)))


def _same(data: bytes) -> bytes:
    return data


KNOWN: list[tuple[str, object, object, object]] = [
    # (name, applies(case) -> bool, normalise stdout, normalise stderr)
    #
    # Empty: every bug the fuzzer found has a golden case in cases/ and is fixed;
    # 3,400 programs of all features with the former entries and the former
    # acceptable() exclusions dropped (seeds 2718, 8675309, 4711) found no
    # mismatch. Add an entry here while a newly found bug is open, so that
    # shrinking does not slide onto it.
]


RC_MAY_DIFFER = ("fuzz_ifelse_no_args_crash", "fuzz2_traditional_no_include_path",
                 "fuzz2_cmdline_file_include_path", "fuzz2_fatal_missing_file_continues",
                 "fuzz2_letter_quote_word_in_arg")


def known(case: Case, gnu: Result, ours: Result) -> str | None:
    """Return the names of the known bugs that explain the mismatch, or None."""
    g_out, g_err, o_out, o_err = gnu.stdout, gnu.stderr, ours.stdout, ours.stderr
    used = []
    applicable = []
    for name, applies, n_out, n_err in KNOWN:
        if not applies(case):  # type: ignore[operator]
            continue
        applicable.append(name)
        a = (n_out(g_out), n_err(g_err), n_out(o_out), n_err(o_err))  # type: ignore[operator]
        if a != (g_out, g_err, o_out, o_err):
            used.append(name)
            g_out, g_err, o_out, o_err = a
    if used and (g_out, g_err) == (o_out, o_err) and (
            gnu.rc == ours.rc or any(n in applicable for n in RC_MAY_DIFFER)):
        return ",".join(used)
    return None


# --------------------------------------------------------------------------- filters

def acceptable(case: Case) -> bool:
    """False for programs whose results cannot be compared (random file names).

    NUL bytes, regex alternation and nested repetition, and eval in radix 1 used
    to be excluded here as known differences; they no longer differ.
    """
    texts = [case.text, *case.files.values(), case.stdin]
    for t in texts:
        if "mkstemp" in t or "maketemp" in t:
            return False
    return True


# --------------------------------------------------------------------------- generator

NAMES = ["foo", "bar", "baz", "x", "y", "ab", "abc", "q1", "_u", "cnt", "show", "rev", "w"]
WORDS = ["hello", "a", "b", "c", "1", "42", "-", "x", "abc", "foo", "bar", "de", "fine"]
BUILTINS0 = ["divnum", "__line__", "__file__", "sysval", "__gnu__", "__unix__", "dnl"]
QUOTE_PAIRS = [
    ("[", "]"),
    ("<<", ">>"),
    ("{", "}"),
    ("`", "'"),
    ('"', '"'),
    ("q[", "]q"),
    ("<!--", "-->"),
    ("((", "))"),
    ("[", ""),
    ("", ""),
    ("|", "|"),
    ("$", "$"),
    ("_", "_"),
    ("#", "#"),
    ("(", ")"),
    (",", ","),
    ("\\", "/"),
    ("'", "`"),
    ("\xc2\xab", "\xc2\xbb"),
    ("\xab", "\xbb"),
]
COMMENT_PAIRS = [
    ("#", "\n"),
    ("//", "\n"),
    ("/*", "*/"),
    ("<!--", "-->"),
    ("", ""),
    ("%", ""),
    ("[", "]"),
    ("`", "'"),
    ("(", ")"),
    ("a", "b"),
    ("dnl", "\n"),
]
WS = [" ", "  ", "\t", "\n", "\r", "\f", "\v", " \t\n", "\r\n"]


# Round 2: (lquote, rquote, comment start, comment end) that are prefixes of each
# other or overlap.
OVERLAP_DELIMS = [
    ("<<", "<", "<!", ">"),
    ("<", "<<", "#", "\n"),
    ("[[", "]", "[#", "]"),
    ("[", "]]", "[[", "]"),
    ('"', '""', "#", "\n"),
    ("ab", "a", "b", "c"),
    ("<<", ">>", "<", ">"),
    ("<!--", "-->", "<!", ">"),
    ("{", "}}", "{{", "}"),
    ("((", ")", "(*", "*)"),
    ("`", "''", "``", "'"),
    ("--", "-", "---", "\n"),
    ("[", "]", "[", "]"),
    ("<", ">", "<<", ">>"),
    ("#", "#", "#", "\n"),
    ("/*", "*/", "/", "\n"),
    ("xx", "x", "xxx", "x"),
    ("<<<", ">", "<<", "\n"),
    ("[", "[", "]", "]"),
]
SPLIT_DELIMS = [
    ("<<", ">>", "<!--", "-->"),
    ("[[", "]]", "/*", "*/"),
    ("{-", "-}", "(*", "*)"),
    ("ab", "ba", "cd", "dc"),
    ("<[", "]>", "<#", "\n"),
]
# Bodies of included files that end without a newline or in mid-token.
INC_EDGE_BODIES = [
    "abc", "le", "len", "len(a", "foo(a,", "`open quote", "`open\nmulti", "#comment no newline",
    "define(`x', `1')x", "dnl", "dnl no newline", "changequote([,])", "[abc", "divert(1)",
    "m4exit(3)", "x'", "'close", "a,b)", "__line__", "define(`e', `in e')e\n", "", "\n",
    "ifelse(a,", "`a'`", "changecom(`/*', `*/')/* open", "define(`de", "x\r", "`a\r\n",
    "define(`fine', `F')de", "m4wrap(`w')", "divert(-1)", "undivert(", "(", "errprint(`e')",
]
# Lines of a state to freeze with -F.
FREEZE_LINES = [
    "define(`fa', `A$1')", "pushdef(`fs', 1)pushdef(`fs', 2)", "define(`fl', defn(`len'))",
    "changequote([,])", "changequote(<<,>>)", "changecom(`/*', `*/')", "changecom",
    "divert(1)frozen diversion\ndivert", "m4wrap(`fw')", "undefine(`len')",
    "define(`fb', `multi\nline')", "traceon(`fa')", "debugmode(`aeq')",
    "define(`fc', `$0 $# $@')", "define(`fd', defn(`define'))", "define(`fl1', `\xe9\xff')",
    "define(`', `empty name')", "divert(2)two\ndivert(-1)x\ndivert", "divert(1)",
    "define(`fq', `quote`'s and #')", "m4exit(0)", "define(`fnl', `\n')",
    "pushdef(`fa', defn(`len'))", "define(`define', `D')", "pushdef(`len', `L')",
    "define(`fb', defn(`len', `index'))", "errprint(`pre')", "debugfile(`dbgf.txt')",
    "define(`fc', `\r\n')", "undefine(`fs')", "pushdef(`fs')", "define(`m4_len', `ml')",
    "divert(3)\n\n", "divert(1)a\rb\ndivert", "define(`fd', `a, b')fd",
    "changequote(`', `')", "changequote([)", "changecom(`#', `')", "changecom(`', `x')",
]
DELIM_QUOTES = [("`", "'"), ("[", "]"), ("{{{", "}}}"), ("@<", "@>")]


class Gen:
    """Random program generator; every feature method returns m4 text."""

    def __init__(self, rng: random.Random, weights: dict[str, float]) -> None:
        self.r = rng
        self.weights = weights
        self.lq, self.rq = "`", "'"
        self.bc, self.ec = "#", "\n"
        self.prefix = ""
        self.traditional = False
        self.files: dict[str, str] = {}
        self.features: set[str] = set()
        self.depth = 0
        self.in_body = False
        self.extra_args: list[str] = []
        self.env: dict[str, str] = {}
        self.pre: list[list[str]] = []
        self.tail: list[str] = []
        self.stdin = ""
        self.crlf = False

    # ---- helpers
    def c(self, seq):
        return self.r.choice(seq)

    def p(self, prob: float) -> bool:
        return self.r.random() < prob

    def b(self, name: str) -> str:
        return self.prefix + name

    def q(self, s: str) -> str:
        return f"{self.lq}{s}{self.rq}"

    def t(self, template: str) -> str:
        """Expand a template: « » are the current quotes, M_name a builtin name."""
        s = re.sub(r"M_(\w+)", lambda m: self.b(m.group(1)), template)
        return s.replace("«", self.lq).replace("»", self.rq)

    def ws(self) -> str:
        return self.c(WS) if self.p(0.15) else ""

    def name(self) -> str:
        return self.c(NAMES)

    def num(self) -> str:
        return self.c(["0", "1", "2", "3", "5", "-1", "-3", "10", "99", " 2", "x", "", "1x",
                       "07", "0x10", "2147483647", "-2147483648", "4294967296", "+3"])

    def word(self) -> str:
        r = self.r.random()
        if r < 0.4:
            return self.name()
        if r < 0.55:
            return self.b(self.c(BUILTINS0))
        return self.c(WORDS)

    def dollar(self) -> str:
        return self.c(["$1", "$2", "$3", "$#", "$*", "$@", "$0", "$10", "${1}", "$$", "$",
                       "$11", "$1$2", "$01"])

    def call(self, name: str, args: list[str] | None = None) -> str:
        if args is None:
            args = [self.arg() for _ in range(self.r.choice([0, 1, 1, 2, 2, 3, 4]))]
        if not args and self.p(0.3):
            return name
        sep = self.c([",", ",", ", ", ",\n", ",\t", " ,"])
        return f"{name}({sep.join(args)})"

    def arg(self) -> str:
        self.depth += 1
        try:
            r = self.r.random()
            ws = self.ws()
            if self.depth > 3 or r < 0.25:
                return ws + self.word()
            if r < 0.45:
                return ws + self.q(self.text())
            if r < 0.6:
                return ws + self.expr()
            if r < 0.65:
                return ""
            if r < 0.7:
                return ws + self.num()
            if r < 0.75:
                return f"({self.word()}, {self.word()})"
            if r < 0.8 and self.in_body:
                return self.dollar()
            if r < 0.85:
                return self.q(self.c(["(", ")", ",", "((", ", (", "`", "'"]))
            if r < 0.9 and self.bc:
                return self.comment()
            return ws + self.q(self.q(self.text()))
        finally:
            self.depth -= 1

    def text(self) -> str:
        parts = []
        for _ in range(self.r.randint(1, 4)):
            r = self.r.random()
            if r < 0.5:
                parts.append(self.word())
            elif r < 0.6 and self.in_body:
                parts.append(self.dollar())
            elif r < 0.7:
                parts.append(self.q(self.word()))
            elif r < 0.8 and self.depth < 3:
                self.depth += 1
                parts.append(self.expr())
                self.depth -= 1
            else:
                parts.append(self.c([" ", ",", "(", ")", "\n", "#", "\t", "  ", "()"]))
        return self.c(["", " ", ""]).join(parts)

    def comment(self) -> str:
        end = self.ec if self.ec else "\n"
        inner = self.c(["a, b", "x)", "(", "foo(1)", self.q("z"), "dnl", "__line__"])
        return f"{self.bc}{inner}{end}"

    def expr(self) -> str:
        """A macro call that expands to something."""
        r = self.r.random()
        if r < 0.3:
            return self.call(self.name())
        if r < 0.45:
            return self.call(self.b("len"), [self.arg()])
        if r < 0.55:
            return self.call(self.b(self.c(["incr", "decr"])), [self.c(["1", "$#", "5", "-2"])
                                                                if self.in_body else self.num()])
        if r < 0.65:
            return self.call(self.b("ifelse"), [self.arg() for _ in range(self.r.randint(1, 5))])
        if r < 0.7:
            return self.call(self.b("ifdef"), [self.q(self.name()), self.arg(), self.arg()])
        if r < 0.8:
            return self.call(self.b("substr"), [self.q(self.text()), self.num(), self.num()])
        if r < 0.85:
            return self.call(self.b("eval"), [self.eexpr(2)])
        if r < 0.9:
            return self.call(self.b("defn"), [self.q(self.c([*NAMES, "len", "define"]))])
        return self.call(self.b("shift"), [self.arg() for _ in range(self.r.randint(0, 3))])

    def body(self) -> str:
        old = self.in_body
        self.in_body = True
        try:
            return self.text()
        finally:
            self.in_body = old

    # ---- features
    def f_define(self) -> str:
        kind = self.c(["define", "define", "pushdef"])
        nm = self.name()
        s = self.call(self.b(kind), [self.ws() + self.q(nm), self.ws() + self.q(self.body())])
        if self.p(0.7):
            s += self.c(["", "\n", "dnl\n"]) + self.call(nm)
        return s

    def f_call(self) -> str:
        return self.call(self.name())

    def f_pushdef(self) -> str:
        nm = self.name()
        out = []
        for _ in range(self.r.randint(1, 5)):
            op = self.c(["pushdef", "pushdef", "popdef", "undefine", "define"])
            if op in ("pushdef", "define"):
                out.append(self.call(self.b(op), [self.q(nm), self.q(self.body())]))
            else:
                names = [self.q(nm)] + ([self.q(self.name())] if self.p(0.3) else [])
                out.append(self.call(self.b(op), names))
            if self.p(0.5):
                out.append(nm)
        return self.c(["", "\n", "dnl\n"]).join(out)

    def f_defn(self) -> str:
        nm = self.name()
        src = self.c([*NAMES, "len", "define", "ifelse", "dnl", "defn", "divnum", "undefined",
                      "__line__", "m4exit", "incr", "pushdef", "eval", "shift", "index"])
        r = self.r.random()
        if r < 0.3:
            return self.t(f"M_define(«{nm}», M_defn(«{src}»))") + self.call(nm)
        if r < 0.5:
            return self.t(f"M_pushdef(«{nm}», M_defn(«{src}», «{self.name()}»))") + self.call(nm)
        if r < 0.65:
            return self.t(f"M_defn(«{src}»)")
        if r < 0.8:
            return self.t(f"M_define(«{nm}», «a»M_defn(«{src}»)«b»)") + self.call(nm)
        return self.t(f"M_define(M_defn(«{src}»), «z»)M_defn(«{nm}», «{src}»)")

    def f_indir(self) -> str:
        nm = self.c([*NAMES, "len", "define", "indir", "builtin", "", "undefined", "eval",
                     "ifelse", "substr", "dnl", "m4_len", "__file__"])
        args = [self.arg() for _ in range(self.r.randint(0, 3))]
        op = self.c(["indir", "builtin"])
        s = self.call(self.b(op), [self.q(nm), *args])
        if self.p(0.3):
            s = self.t(f"M_define(«{self.name()}», «»)") + s
        if self.p(0.2):
            s = self.call(self.b(op), [self.t(f"M_defn(«{self.c(['len', 'define', 'x'])}»)"),
                                       *args])
        return s

    def f_ifelse(self) -> str:
        n = self.c([0, 1, 2, 3, 4, 5, 6, 7])
        args = [self.arg() for _ in range(n)]
        if self.p(0.5):
            return self.call(self.b("ifelse"), args) if args else self.b("ifelse") + "()"
        return self.call(self.b("ifdef"), [self.q(self.name()), *args[:3]])

    def f_args(self) -> str:
        nm = self.c(["show", "w", "x"])
        body = self.c(["$#|$0|$*|$@", "[$1|$2|$3]", "$10,${1}0,$1$0", "$@", "$*", "`$@'",
                       "$#:shift($@)", "M_shift(M_shift($@))", "$0($2)", "$9$10$11",
                       "«$1»", "««$@»»", "$#$#"])
        d = self.t(f"M_define(«{nm}», «{body}»)")
        calls = []
        for _ in range(self.r.randint(1, 3)):
            n = self.c([0, 1, 2, 3, 10, 11, 12])
            args = [self.c(["a", "b", self.q("c,d"), " e", "", self.q(self.q("f")), "(g,h)",
                            "1", "2", self.q("$1")]) for _ in range(n)]
            calls.append(self.call(nm, args) if args else self.c([nm, nm + "()"]))
        return d + self.c(["", "\n"]) + "\n".join(calls)

    def f_recursion(self) -> str:
        n = self.r.randint(0, 12)
        templates = [
            f"M_define(«cnt», «M_ifelse(«$1», «{n}», «», «$1 cnt(M_incr($1))»)»)cnt(0)",
            "M_define(«rev», «M_ifelse(«$#», «0», , «$#», «1», ««$1»», "
            "«rev(M_shift($@)),««$1»»»)»)rev(a,b,c,d)",
            f"M_define(«down», «M_ifelse(M_eval($1 <= 0), 1, «done», «$1.down(M_decr($1))»)»)"
            f"down({n})",
            "M_define(«join», «M_ifelse(«$#», «1», «$1», «$1-join(M_shift($@))»)»)"
            "join(a, b, c)",
            f"M_define(«fact», «M_ifelse(«$1», «0», «1», «M_eval($1*fact(M_decr($1)))»)»)"
            f"fact({min(n, 10)})",
            "M_define(«forloop», «M_pushdef(«$1», «$2»)_forloop($@)M_popdef(«$1»)»)"
            "M_define(«_forloop», «$4«»M_ifelse($1, «$3», «», "
            "«M_define(«$1», M_incr($1))$0($@)»)»)"
            f"forloop(«i», 1, {n}, «i,»)",
            "M_define(«nest», «M_ifelse(M_len(«$1»), 5, «$1», «nest(«($1)»)»)»)nest(«»)",
            f"M_define(«cnt», «M_ifelse(«$1», «{n}», , «M_pushdef(«v», $1)cnt(M_incr($1))»)»)"
            "cnt(0)v M_popdef(«v»)v",
        ]
        return self.t(self.c(templates))

    def f_quote(self) -> str:
        r = self.r.random()
        if r < 0.3:
            return self.q(self.q(self.text()) + self.text() + self.q(""))
        if r < 0.5:
            nm = self.name()
            return self.t(f"M_define(«{nm}», ««{self.text()}»»)") + nm + self.q("") + nm
        if r < 0.7:
            return self.call(self.name(), [self.q(self.q("a") + ", " + self.q("b"))])
        if r < 0.85:
            return self.q("") + self.word() + self.q("") + self.word()
        return self.lq * self.r.randint(1, 3) + self.text() + self.rq * self.r.randint(1, 3)

    def f_changequote(self) -> str:
        lq, rq = self.c(QUOTE_PAIRS)
        r = self.r.random()
        if r < 0.1:
            s = self.b("changequote")
            lq, rq = "`", "'"
        elif r < 0.2:
            s = self.b("changequote") + "()"
            lq, rq = "`", "'"
        elif r < 0.3:
            s = self.b("changequote") + f"({lq})"
            rq = "'" if lq else ""
        else:
            s = self.b("changequote") + f"({lq},{rq})"
        self.lq, self.rq = lq, rq
        if not self.lq:
            self.lq = self.rq = ""
        self.features.add("changequote")
        if not s.endswith(")"):
            s += " "
        return s + self.c(["", "\n", "dnl\n", self.q(self.text()), self.f_define()])

    def f_changecom(self) -> str:
        bc, ec = self.c(COMMENT_PAIRS)
        r = self.r.random()
        if r < 0.15:
            s = self.b("changecom")
            bc, ec = "", ""
        elif r < 0.3:
            s = self.b("changecom") + (f"({bc})" if bc != "" else "()")
            ec = "\n" if bc else ""
        else:
            s = self.b("changecom") + f"({self.q(bc)},{self.q(ec)})"
            ec = ec or "\n"
        self.bc, self.ec = bc, ec
        sep = self.c([" " if not s.endswith(")") else "", "\n"])
        return s + sep + (self.comment() if bc else "") + self.text()

    def f_comment(self) -> str:
        if not self.bc:
            return self.text()
        r = self.r.random()
        if r < 0.4:
            return self.word() + self.comment() + self.word()
        if r < 0.7:
            return self.call(self.name(), [self.word(), self.comment() + self.word()])
        return self.t(f"M_define(«{self.name()}», «{self.bc}{self.body()}»)")

    def f_dnl(self) -> str:
        r = self.r.random()
        if r < 0.3:
            return self.call(self.name(), [self.word() + " " + self.b("dnl") + " junk\n",
                                           self.word()])
        if r < 0.5:
            return self.b("dnl") + f"({self.arg()})" + self.c(["", " rest", "\n"])
        if r < 0.7:
            return self.t(f"M_define(«{self.name()}», «a M_dnl b»)") + "\n" + self.name() + " x"
        if r < 0.8:
            return self.b("dnl")  # perhaps at end of file
        return self.word() + self.b("dnl") + self.c(WS) + "after"

    def f_divert(self) -> str:
        parts = []
        for _ in range(self.r.randint(1, 6)):
            r = self.r.random()
            if r < 0.35:
                n = self.c(["1", "2", "-1", "0", "9", "10", "-5", "", "x", " 3", "2147483647",
                            "1a", "-2147483648"])
                parts.append(self.b("divert") + (f"({n})" if self.p(0.9) else ""))
            elif r < 0.6:
                nums = self.r.sample(["1", "2", "0", "-1", "10", "x", self.q("inc.m4"),
                                      self.q("nofile"), "", "9", " 2"], self.r.randint(0, 3))
                parts.append(self.call(self.b("undivert"), nums) if nums else self.b("undivert"))
            elif r < 0.7:
                parts.append(self.b("divnum"))
            elif r < 0.8:
                nm = self.name()
                parts.append(self.t(f"M_define(«{nm}», M_undivert({self.c(['1', '2'])}))")
                             + nm)
            elif r < 0.9:
                parts.append(self.t(self.c([
                    "M_divert(1)x\nM_divert(0)M_undivert(1)M_undivert(1)",
                    "M_divert(2)a M_divert(1)b M_undivert(2)M_divert M_undivert",
                    "M_divert(1)abc M_m4exit",
                    "M_divert(-1)M_define(«x», «y»)M_divert x",
                    "M_divert(1)M_m4wrap(«w»)",
                    "M_divert(1)M_undivert(1)M_divnum",
                    "M_divert(3)three\nM_divert(1)one\nM_divert(2)two\nM_divert(-1)",
                    "M_divert(1)M_errprint(«e»)M_syscmd(«echo s»)M_divert",
                    "M_divert(1)M_esyscmd(«echo s»)M_divert M_undivert",
                ])))
            else:
                parts.append(self.text())
        self.ensure_inc()
        return self.c(["", "\n", "dnl\n"]).join(parts)

    def ensure_inc(self) -> None:
        if "inc.m4" not in self.files:
            self.files["inc.m4"] = self.c([
                "included\n",
                "define(`incm', `from inc')incm __line__ __file__\n",
                "no newline at end",
                "line1\nline2 __line__\n",
                "divert(1)in-inc\ndivert(0)\n",
                "dnl only\n",
                "foo(a,\nb)\n",
                "`unclosed quote\n",
                "len(\n",
            ])

    def f_m4wrap(self) -> str:
        r = self.r.random()
        if r < 0.3:
            return self.call(self.b("m4wrap"), [self.q(self.text())])
        if r < 0.5:
            return self.t(f"M_m4wrap(«M_m4wrap(«inner{self.word()}»)outer»)")
        if r < 0.65:
            return self.call(self.b("m4wrap"), [self.q(self.word()), self.q(self.word())])
        if r < 0.8:
            return self.t(f"M_m4wrap(«M_divert(1)wrapped M_divnum»)text{self.word()}")
        return self.t(f"M_m4wrap(«__line__ M_m4exit({self.c(['0', '3', ''])})»)"
                      if self.p(0.5) else "M_m4wrap(«a»)M_m4wrap(«b»)M_m4wrap(«c»)")

    def f_string(self) -> str:
        op = self.c(["len", "index", "substr", "translit", "translit", "substr"])
        s = self.q(self.c(["abcdef", "hello world", "", "aAbB", "a-z", "x\ny", "$1",
                           "abcabc"]))
        if op == "len":
            args = [s] + ([s] if self.p(0.2) else [])
        elif op == "index":
            args = [s, self.q(self.c(["c", "", "zz", "ab", "b"]))] + ([s] if self.p(0.1)
                                                                       else [])
            args = args[: self.c([0, 1, 2, 2, 2, 3])]
        elif op == "substr":
            args = [s, self.num(), self.num()][: self.c([1, 2, 3, 3, 4])]
            if len(args) == 4:
                args.append("9")
        else:
            frm = self.c(["a-z", "abc", "z-a", "a-", "-a", "a-c-e", "", "aaa", "\\-", "a\\-z",
                          "A-Za-z", "lo", "b-b"])
            to = self.c(["A-Z", "xyz", "", "_", "z-a", "0-9", "A", "a-c"])
            args = [s, self.q(frm), self.q(to)][: self.c([1, 2, 3, 3, 3])]
        return self.call(self.b(op), args) if args else self.b(op)

    def regex(self) -> str:
        if self.p(0.08):
            return self.c(["\\(", "a\\{", "[", "\\)", "a\\{2,1\\}", "[[:foo:]]", "\\{1\\}",
                           "x\\{99999\\}", "*a", "^*", "\\", "a**", "[b-a]"])
        pieces = []
        for _ in range(self.r.randint(1, 4)):
            r = self.r.random()
            if r < 0.35:
                pieces.append(self.c(["a", "b", "c", "x", " ", "1", "o", "l"]))
            elif r < 0.5:
                pieces.append(self.c([".", "[a-c]", "[^b]", "\\w", "\\W", "[[:digit:]]",
                                      "[]a]", "[a-]", "[[:alpha:]]", "\\b", "\\<", "\\>",
                                      "\\B", "[.]", "\\."]))
            elif r < 0.75:
                pieces.append(self.c(["a", "b", ".", "[a-c]", "o"]) +
                              self.c(["*", "\\+", "\\?", "\\{2\\}", "\\{1,2\\}", "\\{0,\\}"]))
            else:
                inner = self.c(["a", "b", "ab", ".", "[bc]", "x", "l"])
                pieces.append("\\(" + inner + "\\)" + self.c(["", "", "*", "\\+"]))
                if self.p(0.3):
                    pieces.append("\\1")
        rx = "".join(pieces)
        if self.p(0.15):
            rx = "^" + rx
        if self.p(0.15):
            rx += "$"
        return rx

    def f_regex(self) -> str:
        subj = self.q(self.c(["abcabc", "hello world", "aab", "", "xx\nyy", "foo bar baz",
                              "a1b2c3", "ababab", "  lead", "loll", "b"]))
        rx = self.q(self.regex())
        if self.p(0.5):
            args = [subj, rx]
            if self.p(0.6):
                args.append(self.q(self.c(["[\\0]", "<\\1>", "\\&", "&", "\\\\", "x", "",
                                           "\\9", "\\2\\1", "-\\0-", "\\", "$1"])))
            args = args[: self.c([1, 2, 3, 3, 3])]
            if self.p(0.05):
                args.append("extra")
            return self.call(self.b("regexp"), args)
        args = [subj, rx]
        if self.p(0.7):
            args.append(self.q(self.c(["[\\0]", "<\\1>", "\\&", "&", "\\\\", "X", "",
                                       "\\9", "\\2\\1", "-\\0-", "\\", "\n"])))
        args = args[: self.c([1, 2, 2, 3, 3])]
        return self.call(self.b("patsubst"), args)

    def f_format(self) -> str:
        spec = "".join(self.c(["%d", "%s", "%5d", "%-5s|", "%05d", "%x", "%X", "%o", "%c",
                               "%5.2f", "%e", "%g", "%%", "%.3s", "%*d", "%-*d", "%+d", "% d",
                               "%#x", "%#o", "%i", "%u", "%z", "%", "%.0f", "%10.4s", "%ld",
                               "%hd", "%lld", "%a", "%5%", "%.*s", "%G", "%E", "%F", "%-05d",
                               "abc", " ", "%#5.3x", "%.10d", "%c%c", "%s%s%s"])
                       for _ in range(self.r.randint(1, 3)))
        args = [self.q(spec)]
        for _ in range(self.r.randint(0, 4)):
            args.append(self.c(["1", "-5", "42", "abc", "", "3.5", "0x1f", "65", "2147483648",
                                "1e3", " 7", "7 ", "-0", "4", "hello", "1.5e300", "inf"]))
        return self.call(self.b("format"), args)

    def eexpr(self, d: int) -> str:
        r = self.r.random()
        if d <= 0 or r < 0.3:
            return self.c(["0", "1", "2", "7", "-3", "10", "0x1F", "0b101", "0r36:zz", "017",
                           "2147483647", "-2147483648", "4294967296", "09", "0x", "0b2",
                           "0r1:111", "0r37:1", "x", "", "00", "1a", "0r2:", "99999999999"])
        if r < 0.45:
            return self.c(["-", "+", "~", "!", "- -", "--", "++"]) + self.eexpr(d - 1)
        if r < 0.8:
            op = self.c(["+", "-", "*", "/", "%", "**", "<<", ">>", "&", "|", "^", "&&", "||",
                         "==", "!=", "<", "<=", ">", ">=", "=", "/", "%", "**"])
            return f"{self.eexpr(d - 1)}{self.c(['', ' '])}{op}{self.c(['', ' '])}" \
                   f"{self.eexpr(d - 1)}"
        if r < 0.9:
            return f"({self.eexpr(d - 1)})"
        if r < 0.95:
            return f"{self.eexpr(d - 1)} ? {self.eexpr(d - 1)} : {self.eexpr(d - 1)}"
        return self.c(["1 +", "(1", "1)", "1 2", "1,2", "()", "a+1", "1 ? 2", "--1", "1e5",
                       "0x10000000000000000", "-(-2147483648)", "-2147483648/-1",
                       "-2147483648%-1", "2**31", "2**-1", "0**0", "0**-1", "1<<32", "1<<-1",
                       "-1>>1", "5/0", "5%0", "1 ? 5/0 : 2", "0 && 1/0", "1 || 1/0"])

    def f_arith(self) -> str:
        r = self.r.random()
        if r < 0.2:
            return self.call(self.b(self.c(["incr", "decr"])),
                             [self.num()] + ([self.num()] if self.p(0.1) else []))
        args = [self.eexpr(3)]
        if self.p(0.35):
            args.append(self.c(["2", "8", "16", "36", "10", "0", "37", "-2", "x", "", "3"]))
            if self.p(0.5):
                args.append(self.c(["0", "1", "5", "10", "-1", "x", "", "20"]))
        if self.p(0.03):
            args.append("9")
        return self.call(self.b("eval"), args)

    def f_errprint(self) -> str:
        args = [self.q(self.c(["msg", "line\n", "", "a", "$1"]))
                for _ in range(self.r.randint(0, 3))]
        if self.p(0.3):
            args.append(self.b("__line__"))
        return self.call(self.b("errprint"), args) if args else self.b("errprint")

    def f_location(self) -> str:
        ln, fl = self.b("__line__"), self.b("__file__")
        r = self.r.random()
        nm = self.name()
        if r < 0.25:
            return f"{self.b('len')}(\n{ln}\n)\n{ln}"
        if r < 0.5:
            return (self.t(f"M_define(«{nm}», «{ln}:{fl}»)") + "\n\n" + nm +
                    self.c(["", "(\n)", "(a,\nb)"]) + " " + ln)
        if r < 0.7:
            return self.call(self.name(), [ln, "\n" + ln, self.q("\n") + ln])
        if r < 0.85:
            return self.t(f"M_errprint(«x»\n)M_divnum(\n)M_eval(1/0,\n2)\n{ln}")
        return f"{self.b('ifelse')}(a,\nb,\n{ln},\n{ln}{fl})"

    def f_boundary(self) -> str:
        templates = [
            "M_define(«x», «ab»)M_define(«abc», «[ABC]»)x«»c xc x()c",
            "M_define(«pre», «de»)pre«»fine(«q», «z»)q",
            "M_define(«mk», «$1$2»)mk(«le», «n»)(«abc»)",
            "M_define(«n», «len»)n(«xyz») n «xyz»",
            "M_define(«e», «M_»)e«»len(«ab»)",
            "M_define(«a1», «foo»)M_define(«foo2», «Y»)a1«»2 a1«2»",
            "M_define(«tail», «fo»)tail«»o(1) tail«o»(1)",
            "M_define(«p», «M_len»)p(«abc»)p «»(abc)",
            "M_define(«d», «M_defn(«len»)»)d(«zz»)",
            "M_define(«u», «_»)M_define(«_u», «U»)u«»u u«_»u",
            "M_define(«num», «12»)num«»34 M_eval(num«»34+1)",
        ]
        return self.t(self.c(templates))

    def f_partial(self) -> str:
        templates = [
            "M_define(«open», «M_len(»)open«abc»)",
            "M_define(«rp», «)»)M_len(abc rp, x)",
            "M_define(«lq», ««»)lq«x»",
            "M_define(«lp», «(»)M_len lp«ab»)",
            "M_define(«cm», «,»)M_ifelse(a cm a, b, c)",
            "M_define(«half», «««x»)half»»",
            "M_define(«call», «foo(»)M_define(«foo», «<$1>»)call«a)»",
            "M_define(«qq», «M_changequote([,])»)qq[x]M_changequote«»`y'",
            "M_define(«sh», «M_shift(»)sh a,b,c)",
            "M_define(«op», «(»)M_define(«f», «[$1]»)f«»op«z»)",
            "M_define(«cmt», «#»)cmt (foo) «»x",
        ]
        return self.t(self.c(templates))

    def f_parens(self) -> str:
        r = self.r.random()
        nm = self.name()
        if r < 0.3:
            return f"{nm}(a (b, c) d, (e))"
        if r < 0.5:
            return f"{self.b('len')}((,))" + self.c(["", f"{nm}((a)(b)"])
        if r < 0.7:
            return f"{nm}(a)(b){nm}(()"
        if r < 0.8:
            return f"{self.b('ifelse')}(a, (b, c"  # unterminated at EOF maybe
        if r < 0.9:
            return self.lq + "unterminated quote " + self.word()
        return self.bc + "unterminated comment" if self.bc else "x"

    def f_empty(self) -> str:
        nm = self.name()
        return self.c([
            f"{nm}() {nm}(,) {nm}( , ) {nm}({self.q('')})",
            self.call(self.b("define"), []) + self.b("define") + "()",
            self.t("M_define(«», «empty»)M_indir(«»)"),
            self.t(f"M_define(«{nm}»)[{nm}]"),
            self.t(f"M_define(«{nm}», «$#»){nm} {nm}() {nm}(,) {nm}( ) {nm}(«»)"),
            self.t("M_len() M_len M_index() M_substr() M_translit()"),
            self.t("M_undefine() M_popdef() M_pushdef() M_defn()"),
        ])

    def f_ws(self) -> str:
        nm = self.name()
        a, b2, c = self.c(WS), self.c(WS), self.c(WS)
        return self.c([
            self.t(f"M_define({a}«{nm}»{b2},{c}«v»{a}){nm}"),
            self.t(f"M_len({a}«ab»{b2})"),
            f"{nm}{a}(x)",
            self.t(f"M_ifelse({a}a{b2},{c}a,{a}yes{b2},no)"),
            f"text{a}with{b2}whitespace{c}",
            self.t(f"M_define(«{nm}», «$1|$2»){nm}({a}x{b2},{c}y{a})"),
        ])

    def f_trace(self) -> str:
        r = self.r.random()
        nm = self.name()
        flags = "".join(self.r.sample("aceflqtxipV", self.r.randint(0, 4)))
        if r < 0.25:
            return (self.call(self.b("traceon"), [self.q(self.c([nm, "len", "define", "eval",
                                                                  "ifelse", "incr"]))])
                    if self.p(0.7) else self.b("traceon"))
        if r < 0.4:
            return self.call(self.b("traceoff"), [self.q(nm)] if self.p(0.5) else [])
        if r < 0.6:
            pre = self.c(["", "+", "-", ""])
            return self.call(self.b("debugmode"), [self.q(pre + flags)] if self.p(0.85)
                             else [])
        if r < 0.8:
            names = [self.q(self.c([*NAMES, "len", "define", "undefined"]))
                     for _ in range(self.r.randint(0, 3))]
            return self.call(self.b("dumpdef"), names) if names else self.b("dumpdef")
        return self.t(f"M_traceon(«{nm}»)M_define(«{nm}», «$1:$#»){nm}(a, «b»)"
                      f"M_traceoff(«{nm}»){nm}(c)")

    def f_include(self) -> str:
        fname = self.c(["inc1.m4", "inc2.m4", "sub/inc3.m4", "missing.m4", "inc1.m4", ""])
        if fname and fname != "missing.m4" and fname not in self.files:
            self.files[fname] = self.include_body()
        op = self.c(["include", "sinclude", "include", "undivert"])
        s = self.call(self.b(op), [self.q(fname)])
        if self.p(0.2):
            s = self.call(self.name(), [s, "x"])
        if self.p(0.1):
            s = self.t(f"M_define(«{self.name()}», M_include(«{fname}»))")
        return s

    def include_body(self) -> str:
        lines = []
        for _ in range(self.r.randint(1, 4)):
            lines.append(self.c([
                "define(`incm', `from inc $1')incm(x)",
                "__line__:__file__",
                "plain text",
                "dnl comment",
                "foo(a,\nb)",
                "`quoted'",
                "divert(1)div1 divert",
                "m4wrap(`wrapped from __file__')",
                "errprint(__file__:__line__\n)",
                "len(",
            ]))
        return "\n".join(lines) + self.c(["\n", "", "\n\n"])

    def f_sys(self) -> str:
        cmd = self.c(["echo hi", 'printf "a\\nb"', "exit 3", "echo err >&2", "true",
                      'printf "define(zz, ZZ)zz"', "echo $((1+2))", 'printf ""',
                      "exit 0", "false", "echo a; exit 2", "kill -9 $$", 'printf "%s" x y',
                      "cat", 'echo "len(abc)"', "echo `x'", "printf \"a\\rb\""])
        op = self.c(["syscmd", "esyscmd"])
        s = self.call(self.b(op), [self.q(cmd)])
        if self.p(0.5):
            s += self.b("sysval")
        if self.p(0.2):
            s = self.t("M_divert(1)before M_divert") + s
        return s

    def f_m4exit(self) -> str:
        code = self.c(["", "0", "1", "3", "255", "256", "-1", "x", "1a", "2, 3"])
        s = self.b("m4exit") + (f"({code})" if code or self.p(0.5) else "")
        if self.p(0.3):
            s = self.t("M_divert(2)diverted M_divert") + s
        if self.p(0.3):
            s = self.t("M_m4wrap(«wrap»)") + s
        return s

    def f_misc(self) -> str:
        return self.c([
            self.t("M___gnu__ M___unix__ M___windows__ M_ifdef(«__unix__», yes, no)"),
            self.t("M_sysval M_divnum M___program__"),
            self.t("M_changeword(«x»)"),
            self.t("M_define(«__line__», «L»)__line__ M___line__"),
            self.t("M_undefine(«len»)len(«abc»)"),
            self.t("M_define(«define», «D»)define(«a»)"),
            self.t("M_pushdef(«dnl», «X»)dnl M_popdef(«dnl»)dnl keep"),
            self.t("M_defn(«__gnu__»)|M_defn(«__file__»)"),
            "m4_len(abc) m4_define",
            self.t("M_ifdef(«m4_len», p, np)"),
        ])

    def f_latin1(self) -> str:
        return self.t(self.c([
            "caf\xe9 foo\xe9bar \xe9foo",
            "M_len(«\xe9\xff»)",
            "M_translit(«abc\xe9», «a-\xff», «A»)",
            "M_regexp(«\xe9t\xe9», «[\xe0-\xff]»)",
            "M_patsubst(«\xe9t\xe9 \xe9», «\\w+», «<\\&>»)",
            "M_format(«%c», 233)",
            "M_substr(«\xe9abc», 1)",
            "M_index(«ab\xe9c», «\xe9»)",
            "M_define(«x», «\xe9$1\xe9»)x(\xe9)",
            "M_translit(«hello», «a-z», «\xc0-\xda»)",
        ]))

    def f_debugfile(self) -> str:
        return self.t(self.c([
            "M_debugfile(«»)M_traceon(«len»)M_len(«abc»)M_debugfile",
            "M_debugfile(«dbg.tmp»)M_traceon(«len»)M_len(«abc»)M_debugfile()"
            "M_syscmd(«cat dbg.tmp»)",
            "M_debugfile(«nodir/x»)M_traceon(«len»)M_len(«a»)",
            "M_debugfile(«dbg.tmp»)M_errprint(«e»)M_dumpdef(«len»)M_debugfile"
            "M_syscmd(«cat dbg.tmp»)",
            "M_debugfile",
            "M_debugfile(«a», «b»)",
        ]))

    def f_multiline(self) -> str:
        nm = self.name()
        return self.t(self.c([
            f"{nm}(a,\nb)\nafter",
            "«multi\nline»\nx",
            f"M_define(«{nm}», «a\nb»){nm}\n{nm}\n",
            "M_len(\n«a»\n)\n",
            f"M_define(«{nm}», «$1»){nm}(«x\ny»)\n{nm}(\n\n)z\n",
            "M_ifelse(a,\na,\n«yes\n»,\nno)\n",
            "x\r\ny\r\nM_len(«a\r\nb»)\r\n",
            "M_dnl\n\n\nM_dnl(\n)\nafter\n",
            "M_divert(1)\nd1\nM_divert\nmain\nM_undivert(1)\nend\n",
            "M_include(«inc1.m4»)\nafter include\n",
            "M_m4wrap(«w1\nw2\n»)\nx\n",
            'M_syscmd(«printf "a\\nb\\n"»)\nM_esyscmd(«printf "c\\nd"»)\n',
        ])) + ("" if "inc1.m4" in self.files else self._add_inc1())

    def _add_inc1(self) -> str:
        self.files["inc1.m4"] = self.include_body()
        return ""

    # ---- round 2: delimiters, files, options and state

    def reset_delims(self) -> str:
        """Text that restores the default quotes and comments (mostly)."""
        self.lq, self.rq, self.bc, self.ec = "`", "'", "#", "\n"
        return "\n" + self.b("changequote") + "`'" + self.b("changecom") + "(`#')"

    def set_delims(self, lq: str, rq: str, bc: str, ec: str) -> str:
        """changecom then changequote (quoted with quotes that occur in neither)."""
        s = self.reset_delims()
        a, z = next(((a, z) for a, z in DELIM_QUOTES
                     if not any(a in d or z in d or a[:1] in d for d in (lq, rq, bc, ec))),
                    ("`", "'"))
        if a != "`":
            s += self.b("changequote") + f"({a}, {z})"
        if bc:
            s += self.b("changecom") + f"({a}{bc}{z}" + (f", {a}{ec}{z})" if ec != "\n"
                                                          else ")")
        else:
            s += self.b("changecom")
        s += self.b("changequote") + f"({a}{lq}{z}, {a}{rq}{z})"
        self.lq, self.rq, self.bc, self.ec = lq, rq, bc, ec or "\n"
        return s

    def frag_text(self, frags: list[str], n: int) -> str:
        pool = [*frags, "x", "ab", " ", "\n", "(", ")", ",", self.name(), self.word(),
                self.b("len") + "(", "dnl", self.b("__line__")]
        return "".join(self.c(pool) for _ in range(n))

    def f_delims(self) -> str:
        """Quote and comment delimiters that are prefixes of each other or overlap."""
        lq, rq, bc, ec = self.c(OVERLAP_DELIMS)
        if self.p(0.3):
            lq, rq = rq, lq
        if self.p(0.2):
            bc, ec = ec if ec != "\n" else bc, bc if ec != "\n" else "\n"
        s = self.set_delims(lq, rq, bc, ec)
        frags = [lq, rq, bc, ec, lq[:1], rq[:1], bc[:1], lq + rq, bc + lq, rq + rq,
                 lq + lq, lq[:-1] if len(lq) > 1 else lq, rq[1:] or rq]
        parts = [s]
        for _ in range(self.r.randint(1, 4)):
            r = self.r.random()
            if r < 0.4:
                parts.append(self.frag_text(frags, self.r.randint(2, 8)))
            elif r < 0.6:
                parts.append(self.b("len") + "(" + self.frag_text(frags, self.r.randint(1, 5))
                             + ")")
            elif r < 0.75:
                nm = self.name()
                parts.append(self.b("define") + f"({lq}{nm}{rq}, {lq}"
                             + self.frag_text(frags, self.r.randint(1, 4)) + f"{rq})" + nm)
            elif r < 0.85:
                parts.append(self.b("index") + f"({lq}{self.frag_text(frags, 3)}{rq}, "
                             f"{lq}{self.c(frags)}{rq})")
            else:
                parts.append(self.b("dumpdef") + f"({lq}{self.name()}{rq})")
        parts.append(self.c(["\n", "", "\n" + rq + ec + "\n"]))
        if self.p(0.6):
            parts.append(self.reset_delims() + "\n")
        return "".join(parts)

    def f_splitdelim(self) -> str:
        """Macros expanding to part of a delimiter; quotes/comments that start in an
        expansion and end in the file."""
        lq, rq, bc, ec = self.c(OVERLAP_DELIMS + SPLIT_DELIMS)
        pieces = {"L1": lq[:1], "L2": lq[1:], "R1": rq[:1], "R2": rq[1:], "C1": bc[:1],
                  "C2": bc[1:], "E1": ec[:1], "LQ": lq, "RQ": rq, "BC": bc, "EC": ec}
        s = self.reset_delims()
        defs = []
        for nm, val in pieces.items():
            if val and "`" not in val and "'" not in val and self.p(0.6):
                defs.append(self.b("define") + f"(`{nm}', `{val}')")
        s += "".join(defs) + self.set_delims(lq, rq, bc, ec)
        toks = [k for k in pieces if pieces[k]] + [lq, rq, bc, ec, "x", " ", "\n", "y",
                                                   "(", ")", ",", self.name(), "()", "«»"]
        parts = [s]
        for _ in range(self.r.randint(1, 3)):
            seq = "".join(self.c(toks) for _ in range(self.r.randint(3, 10)))
            seq = seq.replace("«»", "")
            if self.p(0.3):
                seq = self.b("len") + "(" + seq + ")"
            elif self.p(0.2):
                seq = self.b("define") + f"({lq}zz{rq}, {seq})zz"
            parts.append(seq)
        parts.append("\n")
        if self.p(0.5):
            parts.append(self.reset_delims() + "\n")
        return "".join(parts)

    def f_span(self) -> str:
        """A quote or comment opened by a macro's expansion and closed in the file."""
        s = self.reset_delims()
        return s + self.t(self.c([
            "M_define(«oq», M_changequote([,])[`]M_changequote)oq text' more\n",
            "M_define(«oq», M_changequote([,])[`]M_changequote)M_len(oq a, b')\n",
            "M_define(«cq», M_changequote([,])[']M_changequote)«abc cq def'\n",
            "M_define(«oc», «#»)oc comment (here\nafter\n",
            "M_define(«oc», «#»)M_len(oc x, y\n)\n",
            "M_changecom(«/*», «*/»)M_define(«oc», «/»)oc* in comment */ out\n",
            "M_changecom(«/*», «*/»)M_define(«ec», «*/»)/* ec still */ out\n",
            "M_changequote(«<<», «>>»)M_define(<<lt>>, <<<>>)lt<quoted>> lt lt<x>>\n",
            "M_changequote(«<<», «>>»)M_define(<<gt>>, <<>>>)<<a gt>> b>>\n",
            "M_define(«oq», M_changequote([,])[`]M_changequote)oq\n",
            "M_define(«two», M_changequote([,])[``]M_changequote)two a' b' c\n",
            "M_define(«m», M_changequote([,])[`$1]M_changequote)m(x) y' z\n",
            "M_changecom(«<!», «>»)M_define(«lt», «<»)lt! comment> lt x\n",
            "M_define(«oq», M_changequote([,])[`]M_changequote)M_define(«w», oq)w'\n",
            "M_changequote(«[[», «]]»)M_define([[b]], [[[]])b[x]] b[[y]]\n",
        ])) + self.reset_delims() + "\n"

    def f_incedge(self) -> str:
        """include/sinclude of files that end without a newline or in mid-token."""
        name = self.c(["e1.m4", "e2.m4", "sub/e3.m4"])
        if name not in self.files:
            self.files[name] = self.c(INC_EDGE_BODIES)
        op = self.c(["include", "sinclude", "include"])
        inc = self.call(self.b(op), [self.q(name)])
        after = self.c(["", "n(abc)", "(abc)", "rest", "'", "b)", ", x)", "\n", "x'y",
                        "ne", ")", "2", "dnl\n", "fine(`q', 1)q"])
        r = self.r.random()
        if r < 0.5:
            s = inc + after
        elif r < 0.7:
            s = self.b("len") + "(" + inc + after + ")"
        elif r < 0.85:
            s = self.t(f"M_define(«{self.name()}», ") + inc + ")" + after
        else:
            s = inc + inc + after
        return s + self.c(["", "\n", " " + self.b("__line__") + "\n"])

    def f_paths(self) -> str:
        """-I search order and M4PATH."""
        for d in ("d1", "d2", "d3"):
            for nm in ("p.m4", "q.m4"):
                key = f"{d}/{nm}"
                if key not in self.files and self.p(0.5):
                    self.files[key] = f"{key} __file__:__line__\n"
        if "p.m4" not in self.files and self.p(0.5):
            self.files["p.m4"] = "cwd p.m4 __file__\n"
        for _ in range(self.r.randint(0, 3)):
            self.extra_args.append("-I" + self.c(["d1", "d2", "d3", "d1/", ".", "nodir",
                                                  "d2/../d1"]))
        if self.p(0.4):
            self.env["M4PATH"] = ":".join(self.r.sample(["d1", "d2", "d3", "", "nodir", "."],
                                                       self.r.randint(1, 3)))
        if self.p(0.15):
            self.tail.append(self.c(["q.m4", "p.m4", "d1/p.m4", "missing.m4"]))
        names = ["p.m4", "q.m4", "d1/p.m4", "d2/q.m4", "./p.m4", "missing.m4", "d3",
                 "../p.m4", "d1//p.m4"]
        out = []
        for _ in range(self.r.randint(1, 3)):
            out.append(self.call(self.b(self.c(["include", "sinclude", "undivert"])),
                                 [self.q(self.c(names))]))
        return "\n".join(out)

    def f_undivfile(self) -> str:
        if "u.txt" not in self.files:
            self.files["u.txt"] = self.c(["verbatim `q' len(x) #c\n", "no newline",
                                          "a\nb\n", "", "dnl\ndefine(`z', 1)z"])
        return self.t(self.c([
            "M_undivert(«u.txt»)",
            "M_divert(1)M_undivert(«u.txt»)M_divert(0)x M_undivert(1)",
            "M_undivert(«u.txt», 1, «u.txt»)",
            "M_len(M_undivert(«u.txt»))",
            "M_define(«k», M_undivert(«u.txt»))[k]",
            "M_undivert(«nofile»)M_undivert(«d1»)",
            "M_divert(-1)M_undivert(«u.txt»)M_divert",
            "M_undivert(«u.txt»)M_undivert(«u.txt»)",
            "M_m4wrap(«M_undivert(«u.txt»)»)",
            "M_divert(2)two M_divert(1)M_undivert(«u.txt»)M_undivert(2)M_divert M_undivert",
        ]))

    def f_divarg(self) -> str:
        """Diversions inside arguments and inside m4wrap."""
        return self.t(self.c([
            "foo(M_divert(1)a M_divert(0)b)",
            "M_len(M_divert(1)xyz M_divert)",
            "M_define(«m», «M_divert(1)$1M_divert»)m(x)y M_undivert",
            "M_m4wrap(«M_divert(1)w1 M_divert(0)w0 M_undivert(1)»)",
            "M_m4wrap(«M_divert(-1)»)M_m4wrap(«gone»)",
            "M_divert(1)one\nM_m4wrap(«M_undivert»)M_divert",
            "M_divert(2)two\nM_divert(1)one\nM_m4wrap(«M_undivert(2)M_divnum»)M_divert",
            "M_ifelse(M_divert(1), «», «e», «ne»)M_divert(0)",
            "M_m4wrap(«M_divert(1)»)M_m4wrap(«x»)",
            "M_divert(1)M_define(«d», «[M_divnum]»)d M_divert d",
            "M_define(«x», M_divert(3)«text»M_divert)x M_undivert(3)",
            "M_m4wrap(«M_m4wrap(«M_divert(1)in»)M_divert(1)out»)",
            "M_divert(1)M_m4wrap(«wrapped in 1»)M_divert(0)",
            "M_m4wrap(«M_divert(-1)M_undivert(1)»)M_divert(1)gone?M_divert",
        ]))

    def f_exitin(self) -> str:
        """m4exit inside m4wrap, included files and arguments."""
        if "ex.m4" not in self.files:
            self.files["ex.m4"] = self.c(["before m4exit(4) after\n", "m4exit\n",
                                          "divert(1)d1 m4exit(2)", "m4wrap(`w')m4exit(1)",
                                          "len(m4exit(3))"])
        return self.t(self.c([
            "M_len(M_m4exit(2))",
            "M_m4wrap(«a M_m4exit(3) b»)M_m4wrap(«c»)",
            "M_include(«ex.m4»)tail",
            "M_divert(1)x M_m4wrap(«M_m4exit»)",
            "M_m4wrap(«M_divert(1)pending M_m4exit(5)»)",
            "M_m4wrap(«M_m4wrap(«nested»)M_m4exit(1)»)",
            "foo(a, M_m4exit(7), b)",
            "M_define(«e», «M_m4exit($1)»)e(6)",
            "M_m4wrap(«M_include(«ex.m4»)»)",
            "M_divert(1)one M_divert(2)two M_divert(-1)M_m4exit",
            "M_ifelse(M_m4exit(1))",
            "M_m4wrap(«M_errprint(«e»)M_m4exit(256)»)",
            "M_traceon(«m4exit»)M_m4exit(1, 2)",
        ]))

    def f_sync(self) -> str:
        """-s sync lines with include, divert, m4wrap, multi-line arguments, comments."""
        if "-s" not in self.extra_args and self.p(0.8):
            self.extra_args.append("-s")
        if "s1.m4" not in self.files:
            self.files["s1.m4"] = self.c(["a\nb\n", "x", "foo(1,\n2)\nz\n", "\n\n\nq\n",
                                          "#c\nd\n", "`q\nq'\nr\n", "dnl\nline\n"])
        nm = self.name()
        return self.t(self.c([
            "M_include(«s1.m4»)after\n",
            "a M_include(«s1.m4») b\nc\n",
            f"M_define(«{nm}», «$1»){nm}(a,\nb,\nc)\nnext\n",
            "M_len(«a\nb»)\nM_len(\n«x»)\n",
            "# comment\nspanning\n",
            "x # comment\ny\n",
            "M_divert(1)d1\nd2\nM_divert\nmain\nM_undivert(1)\n",
            "M_m4wrap(«w1\nw2\n»)\nbody\n",
            "M_m4wrap(«M_include(«s1.m4»)»)\n",
            "«quoted\nacross\nlines»\nend\n",
            "M_define(«nl», «\n»)a nl b nl\nc\n",
            "M_define(«two», «x\ny»)two\ntwo two\n",
            "\n\n\nM_dnl\n\nM_dnl x\nz\n",
            "M_changecom(«/*», «*/»)/* multi\nline */\nafter\n",
            "foo(«\n»)\nbar(\n)\n",
            "M_syscmd(«echo hi»)\nx\n",
            "M_divert(-1)\nhidden\nM_divert\nshown\n",
            "M_ifelse(a,\na,\nyes,\nno)\n",
        ]))

    def f_debuginc(self) -> str:
        """-d flags that show input files (i, p) and debugfile changes mid-run."""
        if self.p(0.5):
            self.extra_args.append("-d" + "".join(self.r.sample("aceflqtxip", 3)) + "ip")
        if self.p(0.2):
            self.extra_args.append("--debugfile=dopt.txt")
        if "di.m4" not in self.files:
            self.files["di.m4"] = self.c(["in di\n", "define(`dd', 1)dd\n", "len(x)",
                                          "include(`di2.m4')\n"])
            self.files["di2.m4"] = "deeper __file__\n"
        return self.t(self.c([
            "M_include(«di.m4»)x\n",
            "M_debugmode(«ip»)M_include(«di.m4»)M_debugmode(«-i»)M_include(«di.m4»)\n",
            "M_sinclude(«nofile»)M_include(«nofile»)\n",
            "M_debugfile(«dbg1.txt»)M_traceon(«len»)M_len(a)M_debugfile(«dbg2.txt»)"
            "M_len(b)M_debugfile\n",
            "M_debugfile(«dbg1.txt»)M_include(«di.m4»)M_debugfile()M_len(c)\n",
            "M_traceon M_include(«di.m4»)M_traceoff\n",
            "M_debugmode(«V»)M_include(«di.m4»)M_debugmode\n",
            "M_debugfile(«dbg1.txt»)M_dumpdef(«len»)M_debugfile(«dbg1.txt»)M_dumpdef(«eval»)\n",
            "M_m4wrap(«M_include(«di.m4»)»)M_debugmode(«ip»)\n",
            "M_debugmode(«p»)M_include(«./di.m4»)M_include(«sub/../di.m4»)\n",
        ]))

    def f_freeze(self) -> str:
        """Freeze a random state (-F) in a first run and reload it (-R) in the main one."""
        nm = self.name()
        lines = [self.c(FREEZE_LINES) for _ in range(self.r.randint(1, 6))]
        pre_text = "".join(lines) + self.c(["", "\n", "no newline"])
        self.files["pre.m4"] = pre_text
        pre = ["-F", "state.m4f"]
        if self.p(0.2):
            pre.insert(0, self.c(["-P", "-G", "-s", "-Dfrz=1", "-Ulen"]))
        pre.append("pre.m4")
        self.pre = [pre]
        self.extra_args.append("--reload-state=state.m4f")
        uses = ["fa", "fb", "fc", "fs", "fd", "fl", "len(abc)", "define", "m4_len(x)",
                "frz", "undivert", "divnum", "__file__", "__line__", "dumpdef(`fa')",
                "[fa]", "<<fa>>", "`fa'", "#c\n", "/*c*/", "popdef(`fs')fs", "fw",
                nm, "ifdef(`fa', yes, no)", "traceon(`fa')fa(1)"]
        return " ".join(self.c(uses) for _ in range(self.r.randint(2, 6))) + "\n"

    def f_multifile(self) -> str:
        """Several input files, -, and -D/-U between them."""
        if "f2.m4" not in self.files:
            self.files["f2.m4"] = self.c(["f2 x=x __file__:__line__\n", "define(`x', `f2')",
                                          "`open", "len(", "#open comment", "x", "\n",
                                          "divert(1)f2div\n", "m4wrap(`f2wrap')"])
        ops = []
        for _ in range(self.r.randint(1, 4)):
            ops.append(self.c(["f2.m4", "-", "-Dx=D", "-Ux", "-Dx", "--define=x=long",
                               "f2.m4", "-", "--", "-s", "-tx", "-Dlen=L", "-Ulen"]))
        self.tail.extend(ops)
        if "-" in ops and not self.stdin:
            self.stdin = self.c(["stdin x __file__:__line__\n", "define(`x', `S')x\n",
                                 "no newline x", "`unterminated", "m4exit(2)"])
        return self.c(["x\n", "x __file__\n", "define(`x', `in')", "len(", "`open",
                       "x", "divert(2)two\n"])

    def f_trad(self) -> str:
        """-G traditional mode with GNU-only constructs."""
        if "-G" not in self.extra_args:
            self.extra_args.append("-G")
        return self.t(self.c([
            "M_define(«x», «$10 $11»)x(1,2,3,4,5,6,7,8,9,10,11)",
            "M_format(«%d», 1) M_patsubst(«abc», «b», «X») M_regexp(«abc», «b»)",
            "M_indir(«len», «abc») M_builtin(«len», «abc»)",
            "M___gnu__ M___unix__ M___file__ M___line__ M___program__",
            "M_esyscmd(«echo hi») M_debugmode(«t») M_debugfile",
            "M_ifdef(«format», y, n) M_ifdef(«__gnu__», y, n)",
            "M_define(«x», «${1}»)x(a)",
            "M_changeword(«x») M_mkstemp",
            "M_shift(a,b) M_divert(1)M_undivert(1, «inc.m4»)M_divert",
            "M_m4wrap(«a», «b») M_errprint(«x», «y»)",
            "M_defn(«format»)M_define(«format», «F»)format",
            "M_undivert(«inc.m4»)M_include(«inc.m4»)",
        ])) + ("" if "inc.m4" in self.files else self._ensure_inc_r2())

    def _ensure_inc_r2(self) -> str:
        self.ensure_inc()
        return ""

    def f_long(self) -> str:
        """Very long lines, arguments and nesting."""
        n = self.c([300, 1000, 5000, 20000])
        return self.t(self.c([
            "M_len(«" + "x" * n + "»)",
            "M_define(«L», «" + "ab" * (n // 2) + "»)M_len(L)",
            "«" * 50 + "deep" + "»" * 50,
            "M_len(" + "(" * 200 + ")" * 200 + ")",
            "M_define(«c», «$#»)c(" + ",".join(["a"] * 300) + ")",
            "M_define(«l», «$1»)l(«" + "y" * n + "»)",
            "x" * n + "\n",
            "M_substr(«" + "0123456789" * (n // 10) + "», " + str(n - 5) + ")",
            "M_translit(«" + "abc" * (n // 3) + "», «a-c», «A-C»)",
            "M_define(«s», «M_shift($@)»)M_len(s(" + ",".join(["b"] * 200) + "))",
            "M_index(«" + "a" * n + "b», «ab»)",
            "M_eval(" + "1+" * 500 + "1)",
            "M_eval(" + "(" * 100 + "1" + ")" * 100 + ")",
            "M_define(«r», «M_ifelse($1, 0, , «.r(M_decr($1))»)»)r(300)",
        ]))

    def f_crlf(self) -> str:
        """CR LF line ends."""
        if self.p(0.3):
            self.crlf = True
        return self.t(self.c([
            "M_define(«x»,\r\n«a\r\nb»)x\r\n",
            "M_dnl\r\nafter\r\n",
            "# comment\r\nx\r\n",
            "foo(a,\r\nb)\r\n",
            "M_len(«\r\n»)\r\n",
            "M_define(«x», «y»)x\rx\r\n",
            "M_changecom(«#», «\r»)# c\rout\r\n",
            "M_index(«a\r\nb», «\n»)\r\n",
            "M_translit(«a\r\nb», «\r»)\r\n",
            "M_ifelse(«a\r», «a», yes, no)\r\n",
            "M_include(«crlf.m4»)x\r\n",
        ])) + self._crlf_inc()

    def _crlf_inc(self) -> str:
        self.files.setdefault("crlf.m4", "line1\r\n__line__\r\ndefine(`c', `C')c\r\n")
        return ""

    def f_dollar2(self) -> str:
        """$ edge cases in macro bodies."""
        body = "".join(self.c(["$", "$$", "${", "${1}", "$10", "$#", "$#1", "$*$@", "$-1",
                               "$ 1", "$0$0", "$00", "$1x", "$@$", "$\n", "$9", "$((1))",
                               "$$1", "${10}", "$1$", "${", "}", "$a", "$*", " "])
                       for _ in range(self.r.randint(1, 5)))
        if self.p(0.3):
            body += "$"
        nm = self.name()
        d = self.b(self.c(["define", "pushdef"])) + f"({self.q(nm)}, {self.q(body)})"
        calls = []
        for _ in range(self.r.randint(1, 3)):
            n = self.c([0, 1, 2, 9, 10, 11])
            args = [self.c(["a", "b", "", "$1", self.q("$2"), "1"]) for _ in range(n)]
            calls.append(f"{nm}({','.join(args)})" if n else self.c([nm, nm + "()"]))
        return d + " ".join(calls)

    def f_stack(self) -> str:
        """defn/pushdef/popdef stacks that hold builtins."""
        return self.t(self.c([
            "M_pushdef(«len», M_defn(«index»))len(«abc», «b»)M_popdef(«len»)len(«abc»)",
            "M_pushdef(«x», M_defn(«len»))M_pushdef(«x», «user»)x M_popdef(«x»)x(«abc»)",
            "M_define(«x», M_defn(«len», «index»))x(«ab»)",
            "M_define(«x», M_defn(«len»)M_defn(«len»))x(«ab»)",
            "M_define(«x», «a»M_defn(«len»))x(«ab»)",
            "M_popdef(«len»)M_popdef(«len»)len(«x»)",
            "M_pushdef(«len», «L»)M_undefine(«len»)len(«x»)",
            "M_pushdef(«len», «L»)M_pushdef(«len», «M»)M_dumpdef(«len»)M_popdef(«len»)len",
            "M_pushdef(«d», M_defn(«define»))d(«y», 1)y M_popdef(«d»)d",
            "M_define(«len», M_defn(«len»))len(«abc»)",
            "M_pushdef(«ifelse», M_defn(«ifdef»))M_ifelse(«ifelse», a, b)M_popdef(«ifelse»)",
            "M_pushdef(«x», M_defn(«dnl»))x gone\nM_popdef(«x»)x",
            "M_define(«x», M_defn(«m4exit»))M_traceon(«x»)x(0)",
            "M_pushdef(«x», M_defn(«divnum»))M_defn(«x»)x",
            "M_define(«y», M_defn(«undefined»))[y]",
            "M_pushdef(«a», 1)M_pushdef(«a», M_defn(«a»)2)a M_popdef(«a»)a",
            "M_define(«x», M_defn(«__file__»))x M_define(«__file__», «F»)x __file__",
            "M_pushdef(«eval», M_defn(«incr»))eval(1) M_popdef(«eval»)eval(1+1)",
        ]))

    def f_renamed(self) -> str:
        """indir/builtin with renamed and undefined builtins."""
        return self.t(self.c([
            "M_define(«mylen», M_defn(«len»))M_undefine(«len»)M_indir(«mylen», «abc») "
            "M_builtin(«len», «abc») mylen(«abc»)",
            "M_define(«mylen», M_defn(«len»))M_builtin(«mylen», «abc»)",
            "M_undefine(«len»)M_indir(«len», «x»)",
            "M_builtin(«indir», «len», «abc») M_indir(«builtin», «len», «xy»)",
            "M_define(«d», M_defn(«define»))d(«y», 1)y",
            "M_define(«mylen», M_defn(«len»))M_traceon(«mylen»)mylen(«ab»)M_indir(«mylen», x)",
            "M_define(«b», M_defn(«builtin»))M_undefine(«builtin»)b(«len», «abc»)",
            "M_define(«i», M_defn(«indir»))M_undefine(«indir»)i(«i», «len», «abc»)",
            "M_traceon(«len»)M_builtin(«len», «ab»)M_indir(«len», «ab»)",
            "M_define(«len», «user»)M_builtin(«len», «abc») M_indir(«len», «abc»)",
            "M_indir(«indir», «indir», «len», «q»)",
            "M_define(«x», «[$0]»)M_indir(«x»)M_builtin(«x»)",
            "M_define(«z», M_defn(«ifelse»))z(a, a, y, n) M_indir(«z», a, b, y, n)",
            "M_builtin(«define», «q», «Q»)q M_builtin(«defn», «q»)",
            "M_builtin(«dnl»)after\nM_indir(«dnl»)after2\n",
            "M_builtin(«m4exit», 3)",
            "M_define(«s», M_defn(«shift»))s(a,b,c) M_indir(«s», a, b)",
        ]))

    def f_idioms(self) -> str:
        """Recursion idioms from the GNU manual (written anew)."""
        n = self.r.randint(0, 6)
        lst = self.c(["«a, b, c»", "«»", "«x»", "«(a), «b,c», d»", "«1,2,3,4,5»"])
        return self.t(self.c([
            # forloop, robust version
            "M_define(«forloop», «M_ifelse(M_eval(«($2) <= ($3)»), «1», "
            "«M_pushdef(«$1»)_$0(«$1», M_eval(«$2»), M_eval(«$3»), «$4»)M_popdef(«$1»)»)»)"
            "M_define(«_forloop», «M_define(«$1», «$2»)$4«»M_ifelse(«$2», «$3», «», "
            "«$0(«$1», M_incr(«$2»), «$3», «$4»)»)»)"
            f"forloop(«i», 1, {n}, «[i]»)",
            # foreach
            "M_define(«foreach», «M_pushdef(«$1»)_$0(«$1», (M_dquote(M_dquote_elt($2))), "
            "«$3»)M_popdef(«$1»)»)"
            "M_define(«_arg1», «$1»)"
            "M_define(«_foreach», «M_ifelse(«$2», «(«»)», «», "
            "«M_define(«$1», _arg1$2)$3«»$0(«$1», (M_dquote(M_shift$2)), «$3»)»)»)"
            "M_define(«dquote», ««$@»»)"
            "M_define(«dquote_elt», «M_ifelse(«$#», «0», «», «$#», «1», «««$1»»», "
            "«««$1»»,$0(M_shift($@))»)»)"
            f"foreach(«x», ({lst}), «<x>»)",
            # foreachq
            "M_define(«foreachq», «M_ifelse(«$2», «», «», "
            "«M_pushdef(«$1»)_$0($@)M_popdef(«$1»)»)»)"
            "M_define(«_arg1q», ««$1»»)M_define(«_rest», «M_ifelse(«$#», «1», «», "
            "«M_dquote(M_shift($@))»)»)M_define(«dquote», ««$@»»)"
            "M_define(«_foreachq», «M_ifelse(«$2», «», «», "
            "«M_define(«$1», _arg1q($2))$3«»$0(«$1», _rest($2), «$3»)»)»)"
            f"foreachq(«x», {lst}, «{{x}}»)",
            # argn
            "M_define(«argn», «M_ifelse(«$1», 1, ««$2»», "
            "«argn(M_decr(«$1»), M_shift(M_shift($@)))»)»)"
            f"argn({max(n, 1)}, a, b, c, d, e, f, g)",
            # join
            "M_define(«join», «M_ifelse(«$#», «2», ««$2»», "
            "«M_ifelse(«$2», «», «», ««$2»_»)$0(«$1», M_shift(M_shift($@)))»)»)"
            "M_define(«_join», «M_ifelse(«$#$2», «2», «», "
            "«M_ifelse(«$2», «», «», ««$1$2»»)$0(«$1», M_shift(M_shift($@)))»)»)"
            "join(«-», «a», «b», «», «c»)",
            # reverse
            "M_define(«reverse», «M_ifelse(«$#», «0», , «$#», «1», ««$1»», "
            "«reverse(M_shift($@)), «$1»»)»)"
            f"reverse({lst})",
            # cond
            "M_define(«cond», «M_ifelse(«$#», «1», «$1», «M_ifelse($1, «$2», «$3», "
            "«$0(M_shift(M_shift(M_shift($@))))»)»)»)"
            "M_define(«side», «M_define(«s», M_incr(s))«$1»»)M_define(«s», 0)"
            "cond(«side(1)», «1», «one», «side(2)», «2», «two», «none») s",
            # curry
            "M_define(«curry», «$1(M_shift($@,)_$0»)M_define(«_curry», ««$1»)»)"
            "M_define(«show», «[$1][$2]»)curry(«show», «a»)(«b»)",
            # stack_foreach
            "M_pushdef(«st», 1)M_pushdef(«st», 2)M_pushdef(«st», 3)"
            "M_define(«stack_foreach», «_stack_reverse(«$1», «tmp-$1»)"
            "_stack_reverse(«tmp-$1», «$1», «$2(M_defn(«$1»))»)»)"
            "M_define(«_stack_reverse», «M_ifdef(«$1», «M_pushdef(«$2», M_defn(«$1»))$3«»"
            "M_popdef(«$1»)$0($@)»)»)"
            "stack_foreach(«st», «<»)st",
            # copy / rename
            "M_define(«copy», «M_ifdef(«$2», «M_errprint(«$2 exists»)», "
            "«M_define(«$2», M_defn(«$1»))»)»)"
            "M_define(«rename», «copy($@)M_undefine(«$1»)»)"
            "rename(«len», «LEN»)LEN(«abcd») len(«x»)",
            # capitalize
            "M_define(«upcase», «M_translit(«$*», «a-z», «A-Z»)»)"
            "M_define(«capitalize», «M_regexp(«$1», «^\\(\\w\\)\\(\\w*\\)», "
            "«upcase(«\\1»)«\\2»»)»)capitalize(«hello world»)",
            # sum with recursion and eval
            "M_define(«sum», «M_ifelse(«$#», «1», «$1», «M_eval($1 + sum(M_shift($@)))»)»)"
            "sum(1, 2, 3, 4, 5)",
            # nargs / quote
            "M_define(«nargs», «$#»)M_define(«quote», «M_ifelse(«$#», «0», «», ««$*»»)»)"
            "nargs(quote(a, b)) nargs(quote()) nargs() nargs(«»)",
        ]))

    def f_m4path(self) -> str:
        """Includes found through M4PATH only."""
        self.files.setdefault("mp/m.m4", "from mp __file__\n")
        self.env["M4PATH"] = self.c(["mp", "mp:", ":mp", "nodir:mp", "mp/", "./mp"])
        return self.call(self.b(self.c(["include", "sinclude", "undivert"])),
                         [self.q(self.c(["m.m4", "mp/m.m4", "x.m4"]))])

    FEATURES: tuple[str, ...] = (
        "define", "call", "pushdef", "defn", "indir", "ifelse", "args", "recursion", "quote",
        "changequote", "changecom", "comment", "dnl", "divert", "m4wrap", "string", "regex",
        "format", "arith", "errprint", "location", "boundary", "partial", "parens", "empty",
        "ws", "trace", "include", "sys", "m4exit", "misc", "latin1", "debugfile", "multiline",
        *("delims", "splitdelim", "span", "incedge", "paths", "undivfile", "divarg", "exitin",
          "sync", "debuginc", "freeze", "multifile", "trad", "long", "crlf", "dollar2", "stack",
          "renamed", "idioms", "m4path"),
    )

    # ---- options and whole programs
    def options(self) -> tuple[list[str], list[str], str]:
        args: list[str] = []
        tail: list[str] = []
        stdin = ""
        opts = [
            (0.12, lambda: ["-E"]), (0.03, lambda: ["-EE"]), (0.08, lambda: ["-Q"]),
            (0.1, lambda: ["-G"]), (0.1, lambda: ["-P"]), (0.15, lambda: ["-s"]),
            (0.06, lambda: [f"-L{self.c(['1', '2', '3', '5', '10', '0'])}"]),
            (0.1, lambda: [f"-t{self.c(['foo', 'len', 'define', 'x', 'ifelse', 'eval'])}"]),
            (0.15, lambda: [f"-d{''.join(self.r.sample('aceflqtxipV', self.r.randint(0, 4)))}"
                            ]),
            (0.08, lambda: [f"-D{self.c(['foo', 'x', 'len', 'n1'])}"
                            f"{self.c(['', '=', '=val', '=a,b'])}"]),
            (0.06, lambda: [f"-U{self.c(['len', 'define', 'dnl', 'foo', 'eval'])}"]),
            (0.04, lambda: [f"-l{self.c(['1', '3', '0'])}"]),
            (0.03, lambda: ["-i"]), (0.03, lambda: ["-e"]), (0.03, lambda: ["-g"]),
            (0.03, lambda: ["--warn-macro-sequence"]),
            (0.02, lambda: [f"-I{self.c(['sub', 'nodir'])}"]),
            (0.02, lambda: ["-B5"]), (0.02, lambda: ["-S5"]), (0.02, lambda: ["-T5"]),
        ]
        for prob, make in opts:
            if self.p(prob):
                args.extend(make())
        self.r.shuffle(args)
        if self.p(0.05):
            tail.append("-")
            stdin = self.c(["stdin text __line__ __file__\n", "define(`s', `S')s\n",
                            "no newline"])
        if self.p(0.04):
            tail.append("inc1.m4")
            self.files.setdefault("inc1.m4", self.include_body())
        return args, tail, stdin

    def program(self) -> Case:
        args, tail, stdin = self.options()
        if "-P" in args:
            self.prefix = "m4_"
        self.traditional = "-G" in args
        if any(a.startswith("-I") for a in args):
            self.files.setdefault("sub/inc1.m4", "in sub: __file__\n")
        feats = self.FEATURES
        w = [self.weights.get(f, 1.0) for f in feats]
        parts = []
        for _ in range(self.r.randint(2, 12)):
            f = self.r.choices(feats, w)[0]
            self.features.add(f)
            parts.append(getattr(self, "f_" + f)())
            parts.append(self.c(["\n", "\n", "", " ", "dnl\n", "\n\n"]))
        if self.p(0.85) and not "".join(parts).endswith("\n"):
            parts.append("\n")
        text = "".join(parts)
        if self.crlf:
            text = text.replace("\r\n", "\n").replace("\n", "\r\n")
        for a in self.extra_args:
            if a not in args or not a.startswith("-I"):
                args.insert(self.r.randint(0, len(args)), a)
        return Case(text, args, dict(self.files), stdin or self.stdin, [*tail, *self.tail],
                    sorted(self.features), dict(self.env), [list(p) for p in self.pre])


DEFAULT_WEIGHTS = {"m4exit": 0.3, "call": 0.6, "misc": 0.5}


def generate(seed: int, index: int, weights: dict[str, float]) -> Case:
    for attempt in range(50):
        rng = random.Random(f"{seed}:{index}:{attempt}")
        case = Gen(rng, weights).program()
        if acceptable(case):
            return case
    return Case("x\n")


# --------------------------------------------------------------------------- shrinking

_TOKEN = re.compile(r"[A-Za-z_][A-Za-z_0-9]*|[0-9]+|\s+|.", re.S)


def ddmin(items: list, test) -> list:
    """Delta debugging: a locally minimal sublist of ITEMS for which TEST holds."""
    n = 2
    while len(items) >= 2:
        chunk = math.ceil(len(items) / n)
        reduced = False
        for start in range(0, len(items), chunk):
            comp = items[:start] + items[start + chunk:]
            if comp != items and test(comp):
                items = comp
                n = max(n - 1, 2)
                reduced = True
                break
        if not reduced:
            if n >= len(items):
                break
            n = min(n * 2, len(items))
    if len(items) == 1 and test([]):
        return []
    return items


class Shrinker:
    def __init__(self, runner: Runner, case: Case, gnu: Result, ours: Result,
                 budget: float, all_bugs: bool = False) -> None:
        self.runner = runner
        self.all_bugs = all_bugs
        self.crash = ours.crashed
        self.timeout = ours.timed_out
        self.deadline = time.monotonic() + budget
        self.best = case
        self.best_results = (gnu, ours)

    def interesting(self, case: Case) -> bool:
        if time.monotonic() > self.deadline or not acceptable(case):
            return False
        gnu, ours = self.runner.run(case)
        if not differs(gnu, ours):
            return False
        if self.crash and not ours.crashed:
            return False
        if self.timeout != ours.timed_out:
            return False
        if not self.all_bugs and known(case, gnu, ours):
            return False  # do not slide from a new bug onto a known one
        self.best_results = (gnu, ours)
        return True

    def shrink(self) -> Case:
        case = self.best
        for _ in range(4):
            before = (case.text, case.args, case.files, case.tail, case.stdin, case.env,
                      case.pre)
            # command-line options and operands
            case.args = ddmin(list(case.args), lambda a: self.interesting(case.but(args=a)))
            case.tail = ddmin(list(case.tail), lambda t: self.interesting(case.but(tail=t)))
            if case.env and self.interesting(case.but(env={})):
                case.env = {}
            case.pre = ddmin(list(case.pre), lambda p: self.interesting(case.but(pre=p)))
            # created files
            for name in list(case.files):
                rest = {k: v for k, v in case.files.items() if k != name}
                if self.interesting(case.but(files=rest)):
                    case.files = rest
                    continue
                lines = case.files[name].splitlines(keepends=True)

                def with_file(ls: list[str], name: str = name) -> bool:
                    files = dict(case.files)
                    files[name] = "".join(ls)
                    return self.interesting(case.but(files=files))

                case.files[name] = "".join(ddmin(lines, with_file))
            if case.stdin and self.interesting(case.but(stdin="")):
                case.stdin = ""
            # the input: lines, then tokens
            lines = case.text.splitlines(keepends=True)
            case.text = "".join(ddmin(lines, lambda ls: self.interesting(
                case.but(text="".join(ls)))))
            toks = _TOKEN.findall(case.text)
            case.text = "".join(ddmin(toks, lambda ts: self.interesting(
                case.but(text="".join(ts)))))
            # simplify whitespace runs to one space / newline
            toks = _TOKEN.findall(case.text)
            for i, tok in enumerate(toks):
                if tok.isspace() and len(tok) > 1:
                    for repl in ("\n" if "\n" in tok else " ",):
                        trial = [*toks[:i], repl, *toks[i + 1:]]
                        if self.interesting(case.but(text="".join(trial))):
                            toks = trial
            case.text = "".join(toks)
            if before == (case.text, case.args, case.files, case.tail, case.stdin, case.env,
                          case.pre):
                break
        # make sure best_results belong to the final case
        self.interesting(case)
        return case


# --------------------------------------------------------------------------- driver


@dataclass
class Finding:
    index: int
    case: Case
    gnu: Result
    ours: Result
    original: Case


def _worker_init(ours_path: str) -> None:
    global _RUNNER
    _RUNNER = Runner(Path(ours_path))


_RUNNER: Runner | None = None


def _work(job: tuple[int, int, dict[str, float], bool, bool]) -> Finding | str | None:
    seed, index, weights, shrink, all_bugs = job
    assert _RUNNER is not None
    case = generate(seed, index, weights)
    gnu, ours = _RUNNER.run(case)
    if ours.timed_out and not gnu.timed_out:
        gnu, ours = _RUNNER.run(case)  # a loaded machine: make sure the timeout is real
    if not differs(gnu, ours):
        return None
    if not all_bugs:
        k = known(case, gnu, ours)
        if k:
            return k
    original = case.but()
    if shrink:
        sh = Shrinker(_RUNNER, case.but(), gnu, ours, budget=240, all_bugs=all_bugs)
        case = sh.shrink()
        gnu, ours = sh.best_results
    return Finding(index, case, gnu, ours, original)


def _short(data: bytes, limit: int = 300) -> str:
    s = data.decode("latin-1")
    return repr(s if len(s) <= limit else s[:limit] + "...")


def save(out: Path, seed: int, f: Finding) -> Path:
    d = out / f"fuzz-{seed}-{f.index}"
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    (d / INPUT_NAME).write_bytes(f.case.text.encode("latin-1"))
    (d / "args").write_text(" ".join([*f.case.args, "{input}", *f.case.tail]) + "\n")
    if f.case.stdin:
        (d / "stdin").write_bytes(f.case.stdin.encode("latin-1"))
    if f.case.env:
        (d / "env").write_text("".join(f"{k}={v}\n" for k, v in f.case.env.items()))
    if f.case.pre:
        (d / "pre").write_text("".join(" ".join(p) + "\n" for p in f.case.pre))
    for name, content in f.case.files.items():
        p = d / "files" / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(content.encode("latin-1"))
    for who, res in (("gnu", f.gnu), ("ours", f.ours)):
        (d / f"{who}.out").write_bytes(res.stdout)
        (d / f"{who}.err").write_bytes(res.stderr)
        (d / f"{who}.rc").write_text(f"{res.rc}\n")
    (d / "original.m4").write_bytes(f.original.text.encode("latin-1"))
    (d / "features").write_text(" ".join(f.original.features) + "\n")
    return d


def report(d: Path, f: Finding) -> None:
    print(f"=== mismatch #{f.index} -> {d}")
    print(f"    args:  {f.case.args} {f.case.tail}")
    if f.case.env:
        print(f"    env:   {f.case.env}")
    for pre in f.case.pre:
        print(f"    pre:   {pre}")
    if f.case.stdin:
        print(f"    stdin: {f.case.stdin!r}")
    for name, content in f.case.files.items():
        print(f"    file {name}: {content!r}")
    print(f"    input: {_short(f.case.text.encode('latin-1'), 1500)}")
    for label, a, b in (("out", f.gnu.stdout, f.ours.stdout),
                        ("err", f.gnu.stderr, f.ours.stderr)):
        if a != b:
            print(f"    gnu {label}:  {_short(a)}")
            print(f"    ours {label}: {_short(b)}")
    if f.gnu.rc != f.ours.rc:
        print(f"    rc: gnu {f.gnu.rc} ours {f.ours.rc}")
    sys.stdout.flush()


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description="Differential fuzzer: m4compat vs GNU m4.")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=500)
    ap.add_argument("--seconds", type=float, default=None)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--batch", type=int, default=40)
    ap.add_argument("--out", type=Path, default=Path("/tmp/m4fuzz"))
    ap.add_argument("--ours-path", type=Path, default=REPO_ROOT)
    ap.add_argument("--focus", default="")
    ap.add_argument("--only", default="")
    ap.add_argument("--no-adapt", action="store_true")
    ap.add_argument("--no-shrink", action="store_true")
    ap.add_argument("--replay", default=None)
    ap.add_argument("--run", action="store_true")
    ap.add_argument("--features", action="store_true")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--all", action="store_true", help="also shrink known bugs (KNOWN)")
    ap.add_argument("--drop-known", default="",
                    help="comma-separated KNOWN entries to ignore (e.g. once fixed)")
    opts = ap.parse_args(argv)
    drop = set(filter(None, opts.drop_known.split(",")))
    KNOWN[:] = [k for k in KNOWN if k[0] not in drop]

    if opts.features:
        print(" ".join(Gen.FEATURES))
        return 0
    weights = {f: DEFAULT_WEIGHTS.get(f, 1.0) for f in Gen.FEATURES}
    new = ",".join(Gen.FEATURES[Gen.FEATURES.index("delims"):])
    opts.focus = opts.focus.replace("new", new)
    opts.only = opts.only.replace("new", new)
    for names in (opts.focus, opts.only):
        for name in filter(None, names.split(",")):
            if name not in weights:
                ap.error(f"unknown feature {name!r}; see --features")
    if opts.only:
        keep = set(opts.only.split(","))
        weights = {f: (1.0 if f in keep else 0.0) for f in weights}
    for name in filter(None, opts.focus.split(",")):
        weights[name] *= 5.0

    if opts.replay:
        seed_s, _, index_s = opts.replay.partition(":")
        case = generate(int(seed_s), int(index_s), weights)
        print(f"# args: {case.args} {case.tail}  features: {case.features}")
        if case.env or case.pre or case.stdin:
            print(f"# env: {case.env} pre: {case.pre} stdin: {case.stdin!r}")
        for name, content in case.files.items():
            print(f"# file {name}: {content!r}")
        sys.stdout.write(case.text)
        if opts.run:
            runner = Runner(opts.ours_path)
            try:
                gnu, ours = runner.run(case)
            finally:
                runner.close()
            print(f"# gnu:  {gnu}\n# ours: {ours}\n# differ: {differs(gnu, ours)}")
        return 0

    start = time.monotonic()
    found = 0
    done = 0
    seen: set[str] = set()
    known_hits: dict[str, int] = {}
    with concurrent.futures.ProcessPoolExecutor(
        max_workers=opts.jobs, initializer=_worker_init, initargs=(str(opts.ours_path),)
    ) as pool:
        index = 0
        while index < opts.count:
            if opts.seconds is not None and time.monotonic() - start > opts.seconds:
                break
            n = min(opts.batch, opts.count - index)
            jobs = [(opts.seed, i, dict(weights), not opts.no_shrink, opts.all)
                    for i in range(index, index + n)]
            index += n
            for f in pool.map(_work, jobs):
                done += 1
                if f is None:
                    continue
                if isinstance(f, str):
                    known_hits[f] = known_hits.get(f, 0) + 1
                    continue
                found += 1
                if not opts.no_adapt:
                    for feat in f.original.features:
                        weights[feat] = min(weights[feat] + 1.0 / len(f.original.features),
                                            6.0)
                key = f.case.text + "\0" + " ".join(f.case.args)
                if key in seen:
                    print(f"=== mismatch #{f.index}: duplicate of an earlier minimal case")
                    continue
                seen.add(key)
                report(save(opts.out, opts.seed, f), f)
            if opts.verbose:
                print(f"... {done} programs, {found} mismatches, "
                      f"{time.monotonic() - start:.0f}s", file=sys.stderr)
    for name, hits in sorted(known_hits.items()):
        print(f"known: {name}: {hits}")
    print(f"{done} programs, {found} new mismatches ({len(seen)} distinct minimal cases), "
          f"{time.monotonic() - start:.0f}s")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
