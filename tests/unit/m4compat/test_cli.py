"""Unit tests of m4compat.cli's option parsing (getopt_long as GNU m4 uses it)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from m4compat.cli import UsageError, _atoi, _parse, _strtol, main

GNU_M4 = "/usr/bin/m4"


def parsed(*argv: str) -> tuple[list[tuple[str, str | None]], list[tuple[str, str | None]]]:
    options, ordered = _parse(argv)
    return options, [(a.kind, a.value) for a in ordered]


def test_in_order_actions_and_global_options() -> None:
    options, ordered = parsed("a.m4", "-Dx=1", "-I", "inc", "-", "-Ux", "--", "-odd")
    assert ordered == [
        ("file", "a.m4"),
        ("D", "x=1"),
        ("file", "-"),
        ("U", "x"),
        ("file", "-odd"),
    ]
    assert options == [("I", "inc")]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["-dV"], [("d", "V")]),
        (["-d"], [("d", None)]),
        (["--debug"], [("d", None)]),
        (["--debug=aq"], [("d", "aq")]),
        (["-EEQ"], [("E", None), ("E", None), ("Q", None)]),
        (["--pre"], [("P", None)]),
        (["--nesting", "5"], [("L", "5")]),
        (["--silent"], [("Q", None)]),
    ],
)
def test_short_clusters_optional_arguments_and_abbreviations(
    argv: list[str], expected: list[tuple[str, str | None]]
) -> None:
    assert parsed(*argv)[0] == expected


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["-z"], "invalid option -- 'z'"),
        (["--nope"], "unrecognized option '--nope'"),
        (["-D"], "option requires an argument -- 'D'"),
        (["--define"], "option '--define' requires an argument"),
        (["--help=1"], "option '--help' doesn't allow an argument"),
        (
            ["--de"],
            "option '--de' is ambiguous; possibilities: '--debug' '--define' '--debugfile'",
        ),
    ],
)
def test_usage_errors(argv: list[str], message: str) -> None:
    with pytest.raises(UsageError) as info:
        _parse(argv)
    assert str(info.value) == message


def test_main_reports_usage_errors_like_gnu() -> None:
    err = io.BytesIO()
    assert main(["-z"], program="m4", stdout=io.BytesIO(), stderr=err) == 1
    assert err.getvalue() == (
        b"m4: invalid option -- 'z'\nTry `m4 --help' for more information.\n"
    )


def test_main_reads_stdin_and_defines() -> None:
    out = io.BytesIO()
    status = main(
        ["-Dname=world", "-"],
        program="m4",
        stdin=io.BytesIO(b"hello name\n"),
        stdout=out,
        stderr=io.BytesIO(),
    )
    assert (status, out.getvalue()) == (0, b"hello world\n")


@pytest.mark.parametrize(
    ("text", "strtol", "atoi"),
    [
        ("12", 12, 12),
        ("  -7x", -7, -7),
        ("+3", 3, 3),
        ("0x10", 0, 0),
        ("abc", 0, 0),
        ("", 0, 0),
        ("4294967299", 4294967299, 3),  # atoi is (int) strtol: the long wraps to 32 bits
        ("2147483648", 2147483648, -2147483648),
        ("99999999999999999999", (1 << 63) - 1, -1),  # strtol saturates at LONG_MAX
        ("-99999999999999999999", -(1 << 63), 0),
    ],
)
def test_strtol_and_atoi_like_glibc(text: str, strtol: int, atoi: int) -> None:
    assert (_strtol(text), _atoi(text)) == (strtol, atoi)


@pytest.mark.parametrize("size", ["-1", "2305843009213693952", "99999999999999999999"])
def test_impossible_hash_size_is_memory_exhausted(size: str) -> None:
    out, err = io.BytesIO(), io.BytesIO()
    status = main(["-H", size, "-"], program="m4", stdin=io.BytesIO(b"x\n"), stdout=out, stderr=err)
    assert (status, out.getvalue(), err.getvalue()) == (1, b"", b"m4: memory exhausted\n")


@pytest.mark.differential
@pytest.mark.skipif(not os.path.exists(GNU_M4), reason="GNU m4 (/usr/bin/m4) is not installed")
def test_8bit_file_names_and_arguments_match_gnu(tmp_path: Path) -> None:
    """Names and -D values are bytes, UTF-8 or not, as for GNU m4 (no Python str in between)."""
    latin, utf8 = b"l\xe9", "caf\u00e9".encode()
    (tmp_path / os.fsdecode(latin + b".m4")).write_bytes(b"in latin\n")
    (tmp_path / os.fsdecode(utf8 + b".m4")).write_bytes(b"in utf8\n")
    (tmp_path / os.fsdecode(b"inc" + latin)).mkdir()
    (tmp_path / os.fsdecode(b"inc" + latin + b"/deep.m4")).write_bytes(b"deep __file__\n")
    (tmp_path / "main.m4").write_bytes(
        b"x y include(`" + utf8 + b".m4')undivert(`" + latin + b".m4')include(`deep.m4')"
        b"debugfile(`" + latin + b".log')traceon(`len')len(`z')debugfile"
        b"include(`no" + latin + b"')\n"
    )
    args = [b"-Dx=" + utf8, b"-Dy=" + latin, b"-I", b"inc" + latin, b"-dp", b"main.m4"]
    env = {**os.environ, "LC_ALL": "C"}
    gnu = subprocess.run(
        [b"m4", *args], executable=GNU_M4, cwd=tmp_path, env=env, capture_output=True
    )
    gnu_log = (tmp_path / os.fsdecode(latin + b".log")).read_bytes()
    (tmp_path / os.fsdecode(latin + b".log")).unlink()
    ours = subprocess.run(
        [sys.executable.encode(), b"-m", b"m4compat", *args], cwd=tmp_path, env=env,
        capture_output=True,
    )
    assert gnu.stdout.startswith(utf8 + b" " + latin + b" in utf8\nin latin\ndeep inc")
    assert (ours.returncode, ours.stdout) == (gnu.returncode, gnu.stdout)
    assert ours.stderr.replace(b"m4compat:", b"m4:") == gnu.stderr
    assert (tmp_path / os.fsdecode(latin + b".log")).read_bytes() == gnu_log


MIXED = b"""a
traceon(`len')len(x)
errprint(`err1
')b
dumpdef(`len')c
len(1,2)d
syscmd(`echo sys; echo syserr >&2')f
debugmode(`aeq')len(`q')g
"""

# Shell redirections around the program, as a user would write them.
STREAM_CASES = [
    "-di mixed.m4 2>&1 | cat",  # debug output shares stdout's file: GNU writes it through stdout
    "-tlen --debugfile=/dev/stdout mixed.m4 2>/dev/null | cat",
    "mixed.m4 > /dev/full",
    "mixed.m4 >&-",
    "-F /dev/full mixed.m4",
    "--debugfile=/dev/full -tlen mixed.m4",
    "- <&-",
    "mixed.m4 - mixed.m4 <&-",
    "--help > /dev/full",
    "-di mixed.m4 2>&-",
    "mixed.m4 2>/dev/full",
]


@pytest.mark.differential
@pytest.mark.skipif(not os.path.exists(GNU_M4), reason="GNU m4 (/usr/bin/m4) is not installed")
@pytest.mark.parametrize("redirections", STREAM_CASES)
def test_standard_streams_match_gnu(tmp_path: Path, redirections: str) -> None:
    """Closed or full standard streams and shared stdout/stderr: same bytes and status."""
    (tmp_path / "mixed.m4").write_bytes(MIXED)
    env = {**os.environ, "LC_ALL": "C", "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    results = []
    # exec -a gives GNU m4 the program name `python -m m4compat` prints.
    for program in (f"exec -a m4compat {GNU_M4}", f"{sys.executable} -m m4compat"):
        proc = subprocess.run(
            ["bash", "-c", f"( {program} {redirections} ) 2>&1"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
        )
        results.append((proc.returncode, proc.stdout))
    assert results[1] == results[0]
