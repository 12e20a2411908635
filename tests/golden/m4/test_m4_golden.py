"""Golden tests: m4compat must be byte-identical to GNU m4 1.4.19 on every case.

SYNOPSIS
    pytest tests/golden/m4                           # `python -m m4compat` against the goldens
    pytest tests/golden/m4 -k eval_                  # a subset, by case name
    M4COMPAT_CMD=/usr/bin/m4 pytest tests/golden/m4  # check the goldens against GNU m4 itself
    pytest tests/golden/m4 --update-golden           # rewrite goldens from OUR output (see below)
    python tests/golden/m4/regen.py [NAME ...]       # rewrite goldens from GNU m4 (make golden)

DESCRIPTION
    One test per case in tests/golden/m4/cases/ (the case format is described in
    regen.py's docstring: NAME.m4 [+ NAME.args, NAME.stdin] -> NAME.out, NAME.err,
    NAME.rc). Each case runs `[sys.executable, "-m", "m4compat", *args]` with the
    cases directory as working directory, the fixed environment of regen.py
    (LC_ALL=C, PATH=/usr/bin:/bin, plus PYTHONPATH=<repo root> so the package is
    importable without installing), NAME.stdin on standard input, and a timeout.
    Standard output, standard error and the exit status must all equal the golden
    files; a mismatch is shown as a unified diff of each part that differs.

    M4COMPAT_CMD (environment variable): a command, split with shlex, to run
    instead of `python -m m4compat`. Its first word is executed with argv[0] set to
    "m4compat" (GNU m4 prints argv[0] verbatim in messages), so
    M4COMPAT_CMD=/usr/bin/m4 must pass every case: use it to check the runner and
    the goldens.

    --update-golden (pytest option, registered in tests/conftest.py): instead of
    comparing, write our own output into NAME.out/.err/.rc (changed cases are
    reported as skipped, "golden updated"). Use it ONLY when deliberately diverging
    from GNU m4, and say why in the commit; the normal way to refresh goldens is
    regen.py, which takes them from GNU m4.

DIAGNOSTICS
    A case without golden files fails with a hint to run regen.py. A run that
    exceeds the timeout fails (the usual cause: infinite recursion or a read
    from stdin that never ends).

SEE ALSO
    tests/golden/m4/regen.py, tests/unit/m4compat/test_properties.py, DESIGN.md 4.5.
"""

from __future__ import annotations

import difflib
import importlib.util
import os
import shlex
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest


def _load_regen() -> ModuleType:
    # Loaded by path under a private name: other golden suites may have a regen.py too.
    path = Path(__file__).resolve().parent / "regen.py"
    spec = importlib.util.spec_from_file_location("_m4_golden_regen", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


regen = _load_regen()

REPO_ROOT = Path(__file__).resolve().parents[3]


def _command() -> tuple[list[str], str | None]:
    """Return (command, argv0) for the program under test."""
    override = os.environ.get("M4COMPAT_CMD")
    if override:
        return shlex.split(override), regen.PROGRAM_NAME
    return [sys.executable, "-m", "m4compat"], None


def _text(data: bytes) -> list[str]:
    return data.decode("utf-8", "backslashreplace").splitlines(keepends=True)


def _diff(label: str, expected: bytes, actual: bytes) -> str:
    lines = difflib.unified_diff(
        _text(expected), _text(actual), f"expected {label}", f"actual {label}", lineterm="\n"
    )
    body = "".join(line if line.endswith("\n") else line + "\n\\ No newline\n" for line in lines)
    return body


@pytest.mark.parametrize("name", regen.case_names())
def test_golden(name: str, request: pytest.FixtureRequest) -> None:
    command, argv0 = _command()
    extra_env = {"PYTHONPATH": str(REPO_ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    try:
        actual = regen.run_case(name, command, argv0=argv0, extra_env=extra_env)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{name}: no exit within {regen.TIMEOUT_SECONDS} seconds")

    if request.config.getoption("--update-golden"):
        if regen.write_expected(name, actual):
            pytest.skip(f"golden updated from our output: {name}")
        return

    expected = regen.read_expected(name)
    if expected is None:
        pytest.fail(f"{name}: golden files missing; run python tests/golden/m4/regen.py {name}")

    problems = []
    if actual.stdout != expected.stdout:
        problems.append(_diff("stdout", expected.stdout, actual.stdout))
    if actual.stderr != expected.stderr:
        problems.append(_diff("stderr", expected.stderr, actual.stderr))
    if actual.returncode != expected.returncode:
        problems.append(f"exit status: expected {expected.returncode}, got {actual.returncode}\n")
    if problems:
        args = shlex.join(regen.command_args(name))
        pytest.fail(f"case {name} (m4compat {args}) differs:\n" + "".join(problems), pytrace=False)
