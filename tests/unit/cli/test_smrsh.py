"""Unit tests of smrsh: run as a subprocess with SMRSH_DIR in tmp_path, and its rewriting."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mta.cli.smrsh import SmrshError, rewrite_command, smrsh_dir
from mta.util.sysexits import ExitCode

ECHO_ARGS = '#!/bin/sh\necho "$0 [$*] PATH=$PATH HOME=${HOME-unset}"\ncat\n'


@pytest.fixture
def cmddir(tmp_path: Path) -> Path:
    bindir = tmp_path / "smrsh"
    bindir.mkdir()
    prog = bindir / "vacation"
    prog.write_text(ECHO_ARGS)
    prog.chmod(0o755)
    real = tmp_path / "real-filter"
    real.write_text('#!/bin/sh\necho "filter $*"\nexit 3\n')
    real.chmod(0o755)
    (bindir / "filter").symlink_to(real)
    noexec = bindir / "noexec"
    noexec.write_text("#!/bin/sh\necho no\n")
    noexec.chmod(0o644)
    (bindir / "subdir").mkdir()
    return bindir


def smrsh(cmddir: Path, *args: str, stdin: bytes = b"") -> tuple[int, str, str]:
    env = {**os.environ, "SMRSH_DIR": str(cmddir), "HOME": "/nonexistent"}
    proc = subprocess.run(
        [sys.executable, "-m", "mta.cli.smrsh", *args],
        input=stdin,
        capture_output=True,
        env=env,
        check=False,
        timeout=60,
    )
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


def test_program_in_directory_runs_with_stripped_path(cmddir: Path) -> None:
    status, out, err = smrsh(cmddir, "-c", "/usr/bin/vacation -t 1d alice", stdin=b"message\n")
    assert (status, err) == (0, "")
    assert out == (
        f"{cmddir}/vacation [-t 1d alice] PATH=/bin:/usr/bin:/usr/ucb HOME=unset\nmessage\n"
    )


def test_symlink_in_directory_is_followed(cmddir: Path) -> None:
    assert smrsh(cmddir, "-c", "exec filter x") == (3, "filter x\n", "")


def test_or_and_and_are_allowed(cmddir: Path) -> None:
    status, out, _ = smrsh(cmddir, "-c", "filter a || exit 75")
    assert (status, out) == (75, "filter a\n")
    status, out, _ = smrsh(cmddir, "-c", "echo first && vacation b")
    assert status == 0
    assert out.startswith(f"first\n{cmddir}/vacation [b]")


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("cat /etc/passwd", 'smrsh: "cat" not available for sendmail programs (stat failed)\n'),
        ("/bin/sh -c id", 'smrsh: "sh" not available for sendmail programs (stat failed)\n'),
        ("subdir", 'smrsh: "subdir" not available for sendmail programs (not a file)\n'),
        ("noexec", 'smrsh: "noexec" not available for sendmail programs\n'),
        ("exec", 'smrsh: "exec" not available for sendmail programs (stat failed)\n'),
        ("exec ", "smrsh: missing command to exec\n"),
        ("vacation a || cat", 'smrsh: "cat" not available for sendmail programs (stat failed)\n'),
    ],
)
def test_program_outside_directory_is_refused(cmddir: Path, command: str, message: str) -> None:
    assert smrsh(cmddir, "-c", command) == (ExitCode.EX_UNAVAILABLE, "", message)


@pytest.mark.parametrize(
    ("command", "char"),
    [
        ("vacation a; id", ";"),
        ("vacation;id", None),
        ("vacation a > /tmp/x", ">"),
        ("vacation < /etc/passwd", "<"),
        ("vacation | cat", "|"),
        ("vacation & id", "&"),
        ("vacation `id`", "`"),
        ("vacation $(id)", "$"),
        ("vacation (x)", "("),
        ("vacation x ^ y", "^"),
        ("vacation a\nid", "\n"),
        ("vacation a\rid", "\r"),
        ("vacation a || b x; id", ";"),
    ],
)
def test_metacharacters_are_refused(cmddir: Path, command: str, char: str | None) -> None:
    if command == "vacation;id":  # one word: smrsh.c looks for a program "vacation;id"
        expected = 'smrsh: "vacation;id" not available for sendmail programs (stat failed)\n'
        assert smrsh(cmddir, "-c", command) == (ExitCode.EX_UNAVAILABLE, "", expected)
        return
    if command.endswith("b x; id"):
        (cmddir / "b").write_text("#!/bin/sh\n")
        (cmddir / "b").chmod(0o755)
    status, out, err = smrsh(cmddir, "-c", command)
    assert (status, out, err) == (
        ExitCode.EX_UNAVAILABLE,
        "",
        f"smrsh: cannot use {char} in command\n",
    )


def test_high_bit_metacharacter_is_refused(cmddir: Path) -> None:
    with pytest.raises(SmrshError) as info:
        rewrite_command(b"vacation \xbb", os.fsencode(cmddir))  # ';' | 0x80
    assert info.value.exit_code == ExitCode.EX_UNAVAILABLE


@pytest.mark.parametrize("args", [[], ["-c"], ["-x", "vacation"], ["-c", "a", "b"], ["-c", "  "]])
def test_usage(cmddir: Path, args: list[str]) -> None:
    assert smrsh(cmddir, *args) == (ExitCode.EX_USAGE, "", "Usage: smrsh -c command\n")


def test_command_too_long(cmddir: Path) -> None:
    status, _, err = smrsh(cmddir, "-c", "vacation " + "x" * 1000)
    assert status == ExitCode.EX_UNAVAILABLE
    assert err.startswith("smrsh: command too long: vacation xxx")


@pytest.mark.parametrize(
    ("command", "line"),
    [
        (b"/usr/bin/vacation -a b", b"D/vacation -a b"),
        (b"  exec   /x/vacation", b"exec D/vacation"),
        # smrsh.c skips the blanks after && and || when it copies the next command
        (b"vacation a || exit 75", b"D/vacation a ||exit 75"),
        (b"echo x && exec vacation", b"echo x &&exec D/vacation"),
    ],
)
def test_rewrite_command(cmddir: Path, command: bytes, line: bytes) -> None:
    d = os.fsencode(cmddir)
    assert rewrite_command(command, d) == line.replace(b"D/", d + b"/")


@pytest.mark.parametrize(
    ("environ", "result"),
    [
        ({}, b"/etc/mail/smrsh"),
        ({"SMRSH_DIR": "/x/y/"}, b"/x/y"),
        ({"SMRSH_DIR": ""}, b"/etc/mail/smrsh"),
    ],
)
def test_smrsh_dir(environ: dict[str, str], result: bytes) -> None:
    assert smrsh_dir(environ) == result
