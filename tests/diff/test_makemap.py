"""Differential tests: our makemap against Sendmail 8.17's /usr/sbin/makemap.

DESCRIPTION
    Each case feeds the same text and arguments to both programs, each in its
    own fresh directory, and compares exit status, standard error (with the
    program path and the directory normalised), standard output of the build,
    and the `-u` dump of the result sorted by line (Berkeley DB hash order is
    not key order). Skipped when /usr/sbin/makemap is missing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REAL = "/usr/sbin/makemap"
OURS = [sys.executable, "-m", "mta.cli.makemap"]

pytestmark = [
    pytest.mark.differential,
    pytest.mark.skipif(
        not os.path.exists(REAL), reason="real makemap (sendmail-bin) not installed"
    ),
]

LONG = "k " + "v" * 3000 + "\nk2 v2\n" + "x" * 2100 + " v\n"

CASES: list[tuple[str, list[str], str]] = [
    ("basic", ["hash", "m"], "Foo\tbar\n# comment\n\nkey2  value with  spaces\nKEY3\t\tv3\n"),
    ("duplicate", ["hash", "m"], "foo a\nFOO b\nfoo c\n"),
    ("duplicate_replace", ["-r", "hash", "m"], "foo a\nFOO b\n"),
    ("duplicate_allowed_f", ["-f", "hash", "m"], "foo a\nFOO b\n"),
    ("no_rhs", ["hash", "m"], "onlykey\nk2   \nk3 v\n"),
    ("empty_rhs_e", ["-e", "hash", "m"], "onlykey\nk2 \nk3\tv\n"),
    ("leading_space", ["hash", "m"], "  lead x\n\tlead2 y\nok v\n"),
    ("delimiter", ["-t", ":", "hash", "m"], "a:b c\nd :e\n f:g\nh\na::x\nc: d\n:f\n"),
    ("delimiter_multi", ["-t", "ab", "hash", "m"], "xay\nx y\n"),
    ("comment_char", ["-D", "%", "hash", "m"], "%x y\n#a b\nk v %c\n"),
    ("cr_kept", ["hash", "m"], "a b\r\nc\td \n"),
    ("no_final_newline", ["hash", "m"], "a b\nc d"),
    ("nul", ["-N", "hash", "m"], "a b\nC d\n"),
    ("btree", ["btree", "m"], "b 2\na 1\n"),
    ("implicit", ["implicit", "m"], "b 2\na 1\n"),
    ("verbose", ["-v", "hash", "m"], "A b\nc d\n"),
    ("combined_flags", ["-Nf", "-t:", "hash", "m"], "A:b\n"),
    ("permuted_flag", ["hash", "m", "-f"], "A b\n"),
    ("ignored_flags", ["-c", "10", "-s", "-i", "foo", "hash", "m"], "x y\n"),
    ("long_lines", ["hash", "m"], LONG),
    ("unknown_type", ["foo", "m"], "a b\n"),
    ("usage_one_arg", ["hash"], ""),
    ("usage_three_args", ["hash", "a", "b"], ""),
    ("bad_option", ["-z", "hash", "m"], ""),
    ("missing_optarg", ["hash", "m", "-t"], ""),
    ("list", ["-l"], ""),
    ("missing_dir", ["hash", "nodir/m"], "a b\n"),
    ("missing_cf", ["-C", "/nonexistent.cf", "hash", "m"], "a b\n"),
    ("dump_missing", ["-u", "hash", "m"], ""),
]


def _run(cmd: list[str], args: list[str], text: str, cwd: Path) -> tuple[int, str, str]:
    proc = subprocess.run(
        [*cmd, *args], input=text.encode(), capture_output=True, cwd=cwd, check=False
    )
    prog = cmd[-1] if cmd[0] == REAL else REAL
    err = proc.stderr.decode("utf-8", "replace").replace(str(cwd), "DIR")
    err = err.replace(sys.executable + " -m mta.cli.makemap", prog)
    err = err.replace("-m: ", prog + ": ")  # argv[0] of "python -m" is the module path
    return proc.returncode, proc.stdout.decode("utf-8", "replace"), err


def _dump(cmd: list[str], args: list[str], cwd: Path) -> list[str]:
    type_and_name = [a for a in args if not a.startswith("-")][-2:]
    if len(type_and_name) != 2 or not (cwd / "m.db").exists():
        return []
    proc = subprocess.run([*cmd, "-u", *type_and_name], capture_output=True, cwd=cwd, check=False)
    return sorted(proc.stdout.decode("utf-8", "replace").splitlines())


@pytest.mark.parametrize(("name", "args", "text"), CASES, ids=[c[0] for c in CASES])
def test_same_as_real_makemap(name: str, args: list[str], text: str, tmp_path: Path) -> None:
    real_dir, our_dir = tmp_path / "real", tmp_path / "ours"
    real_dir.mkdir(mode=0o700)
    our_dir.mkdir(mode=0o700)
    real = _run([REAL], args, text, real_dir)
    ours = _run(OURS, args, text, our_dir)
    if name == "list":  # Debian's build has no ndbm; ours lists dbm first as ndbm builds do
        assert ours[1].splitlines()[1:] == real[1].splitlines()
        return
    if name == "missing_optarg" or name == "bad_option":
        # getopt names the program by argv[0]; compare the rest of the line
        assert ours[0] == real[0]
        assert ours[2].split(":", 1)[1] == real[2].split(":", 1)[1]
        return
    assert ours == real
    assert _dump(OURS, args, our_dir) == _dump([REAL], args, real_dir)
