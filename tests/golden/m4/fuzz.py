#!/usr/bin/env python3
"""Differential fuzzer: m4compat against GNU m4 1.4.19.

SYNOPSIS
    .venv/bin/python tests/golden/m4/fuzz.py [--seed N] [--count N] [--seconds S]
        [--jobs J] [--out DIR] [--focus FEAT,...] [--only FEAT,...] [--no-adapt]
        [--ours-path DIR] [--no-shrink] [--verbose]
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

    Each program is run by GNU m4 (/usr/bin/m4, through a symlink named
    "m4compat" so its messages carry the same program name) and by m4compat
    (python -m m4compat with PYTHONPATH=--ours-path, default the repository
    root), each in a fresh temporary working directory, with LC_ALL=C, the same
    arguments and a 5 second timeout. Standard output, standard error and the
    exit status are compared byte for byte. Programs that time out in GNU m4 are
    skipped.

    On a mismatch the input is shrunk by delta debugging (whole command-line
    options, lines of the input and of the included files, then tokens) while
    the mismatch persists (and, if m4compat crashed with a traceback or timed
    out, while it still does). The minimal case is saved in --out as
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
    --features      list the feature names.

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

    def argv(self) -> list[str]:
        return [*self.args, INPUT_NAME, *self.tail]


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

    def _start(self, case: Case, which: str) -> tuple[subprocess.Popen[bytes], Path]:
        work = Path(tempfile.mkdtemp(prefix=which + "-", dir=self.tmp))
        (work / INPUT_NAME).write_bytes(case.text.encode("latin-1"))
        for name, content in case.files.items():
            path = work / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content.encode("latin-1"))
        if which == "gnu":
            argv = [PROGRAM_NAME, *case.argv()]
            executable: str | None = str(self.link)
            env = _env()
        else:
            argv = [sys.executable, "-m", "m4compat", *case.argv()]
            executable = None
            env = _env({"PYTHONPATH": str(self.ours_path), "PYTHONDONTWRITEBYTECODE": "1"})
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
        return proc, work

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
        gproc, gdir = self._start(case, "gnu")
        oproc, odir = self._start(case, "ours")
        deadline = time.monotonic() + TIMEOUT
        gnu = self._finish(gproc, stdin, deadline)
        ours = self._finish(oproc, stdin, deadline)
        shutil.rmtree(gdir, ignore_errors=True)
        shutil.rmtree(odir, ignore_errors=True)
        return gnu, ours


def differs(gnu: Result, ours: Result) -> bool:
    if gnu.timed_out or b"internal error detected" in gnu.stderr:
        return False  # GNU hung or crashed (e.g. substr with a huge length)
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
    ("fuzz_eof_in_arglist_line", lambda c: True, _same,
     _sub(rb":\d+: ERROR: end of file in (argument list|comment)", b":N: ERROR: EOF")),
    ("fuzz_quiet_keeps_warnings", lambda c: any("Q" in a for a in c.args), _same,
     _drop_lines(rb"Warning:")),
    ("fuzz_indir_builtin_token_name", lambda c: re.search(r"(indir|builtin)\(\S*defn", c.text),
     _same, _drop_lines(rb"invalid macro name ignored|undefined macro `'|too few arguments")),
    ("fuzz_debug_second_file_location", lambda c: bool(c.tail), _same,
     _sub(rb"m4debug:[^\n]*: input read from", b"m4debug: input read from")),
    ("fuzz_sync_divert_same", lambda c: any("s" in a for a in c.args) and "divert" in c.text,
     _drop_lines(rb"^#line"), _same),
    ("fuzz_m4wrap_word_join",
     lambda c: (c.text + "".join(c.files.values())).count("m4wrap") >= 2,
     lambda d: b"", _drop_lines(rb"end of file treated as newline")),
    ("fuzz_dumpdef_warning_order", lambda c: "dumpdef" in c.text, _same, _sort_lines),
    ("fuzz_changecom_word_in_arg", lambda c: re.search(r"changecom\(\W?[A-Za-z_]", c.text),
     lambda d: b"", lambda d: b""),
    ("fuzz_changequote_regex_chars", lambda c: re.search(r"changequote\([|.*+?]", c.text),
     lambda d: b"", lambda d: b""),
    ("fuzz_changequote_empty_start_rquote",
     lambda c: re.search(r"changequote\((\)|,[^)])", c.text), lambda d: b"", lambda d: b""),
    ("fuzz_trace_arglength_exact", lambda c: any(a.startswith("-l") for a in c.args), _same,
     _sub(rb"\.\.\.", b"")),
    ("fuzz_debugmode_sign_only", lambda c: re.search(r"debugmode\(\W?[-+]\W?\)", c.text),
     _same, lambda d: b""),
    ("fuzz_debugmode_trace_self", lambda c: "debugmode(" in c.text, _same,
     _drop_lines(rb"^\n$|debugmode")),
    ("fuzz_trace_patsubst_empty", lambda c: "patsubst" in c.text, _same,
     _sub(rb"(patsubst[^\n]*?) -> (`')?\n", b"\\1\n")),
    ("fuzz_ifelse_no_args_crash", lambda c: True, _same,
     lambda d: b"ifelse-crash" if b"in m4_ifelse" in d else d),
]


def known(case: Case, gnu: Result, ours: Result) -> str | None:
    """Return the names of the known bugs that explain the mismatch, or None."""
    g_out, g_err, o_out, o_err = gnu.stdout, gnu.stderr, ours.stdout, ours.stderr
    used = []
    for name, applies, n_out, n_err in KNOWN:
        if not applies(case):  # type: ignore[operator]
            continue
        a = (n_out(g_out), n_err(g_err), n_out(o_out), n_err(o_err))  # type: ignore[operator]
        if a != (g_out, g_err, o_out, o_err):
            used.append(name)
            g_out, g_err, o_out, o_err = a
    if used and (g_out, g_err) == (o_out, o_err) and (
            gnu.rc == ours.rc or "fuzz_ifelse_no_args_crash" in used):
        return ",".join(used)
    return None


# --------------------------------------------------------------------------- filters

_NESTED_STAR = re.compile(r"\\\([^()]*[*+?][^()]*\\\)\s*(\*|\\\+|\\\?|\\\{)")
_UNARY_EVAL = re.compile(r"eval\([^()]*,\s*1\s*[,)]")


def acceptable(case: Case) -> bool:
    """False for programs that use a construct with a known, accepted difference."""
    texts = [case.text, *case.files.values(), case.stdin]
    for t in texts:
        if "\0" in t or "\\|" in t or _NESTED_STAR.search(t) or _UNARY_EVAL.search(t):
            return False
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

    FEATURES: tuple[str, ...] = (
        "define", "call", "pushdef", "defn", "indir", "ifelse", "args", "recursion", "quote",
        "changequote", "changecom", "comment", "dnl", "divert", "m4wrap", "string", "regex",
        "format", "arith", "errprint", "location", "boundary", "partial", "parens", "empty",
        "ws", "trace", "include", "sys", "m4exit", "misc", "latin1", "debugfile", "multiline",
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
        return Case(text, args, dict(self.files), stdin, tail, sorted(self.features))


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
                 budget: float) -> None:
        self.runner = runner
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
        self.best_results = (gnu, ours)
        return True

    def shrink(self) -> Case:
        case = self.best
        for _ in range(4):
            before = (case.text, case.args, case.files, case.tail, case.stdin)
            # command-line options and operands
            case.args = ddmin(list(case.args), lambda a: self.interesting(
                Case(case.text, a, case.files, case.stdin, case.tail)))
            case.tail = ddmin(list(case.tail), lambda t: self.interesting(
                Case(case.text, case.args, case.files, case.stdin, t)))
            # created files
            for name in list(case.files):
                rest = {k: v for k, v in case.files.items() if k != name}
                if self.interesting(Case(case.text, case.args, rest, case.stdin, case.tail)):
                    case.files = rest
                    continue
                lines = case.files[name].splitlines(keepends=True)

                def with_file(ls: list[str], name: str = name) -> bool:
                    files = dict(case.files)
                    files[name] = "".join(ls)
                    return self.interesting(Case(case.text, case.args, files, case.stdin,
                                                 case.tail))

                case.files[name] = "".join(ddmin(lines, with_file))
            if case.stdin and self.interesting(Case(case.text, case.args, case.files, "",
                                                    case.tail)):
                case.stdin = ""
            # the input: lines, then tokens
            lines = case.text.splitlines(keepends=True)
            case.text = "".join(ddmin(lines, lambda ls: self.interesting(
                Case("".join(ls), case.args, case.files, case.stdin, case.tail))))
            toks = _TOKEN.findall(case.text)
            case.text = "".join(ddmin(toks, lambda ts: self.interesting(
                Case("".join(ts), case.args, case.files, case.stdin, case.tail))))
            # simplify whitespace runs to one space / newline
            toks = _TOKEN.findall(case.text)
            for i, tok in enumerate(toks):
                if tok.isspace() and len(tok) > 1:
                    for repl in ("\n" if "\n" in tok else " ",):
                        trial = [*toks[:i], repl, *toks[i + 1:]]
                        if self.interesting(Case("".join(trial), case.args, case.files,
                                                 case.stdin, case.tail)):
                            toks = trial
            case.text = "".join(toks)
            if before == (case.text, case.args, case.files, case.tail, case.stdin):
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
    if not differs(gnu, ours):
        return None
    if not all_bugs:
        k = known(case, gnu, ours)
        if k:
            return k
    original = Case(case.text, list(case.args), dict(case.files), case.stdin, list(case.tail),
                    case.features)
    if shrink:
        sh = Shrinker(_RUNNER, Case(case.text, list(case.args), dict(case.files), case.stdin,
                                    list(case.tail), case.features), gnu, ours, budget=240)
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
    for name, content in f.case.files.items():
        print(f"    file {name}: {content!r}")
    print(f"    input: {f.case.text!r}")
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
    opts = ap.parse_args(argv)

    if opts.features:
        print(" ".join(Gen.FEATURES))
        return 0
    weights = {f: DEFAULT_WEIGHTS.get(f, 1.0) for f in Gen.FEATURES}
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
