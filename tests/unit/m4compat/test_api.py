"""Unit tests of the Python API's hooks: expand(resolve_include=, fail_on_error=)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from m4compat import M4Exit, M4Fatal, expand


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "real.m4").write_text("real[__file__]\n")
    (tmp_path / "mine.m4").write_text("mine[__file__:__line__]\n")
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "searched.m4").write_text("searched[__file__]\n")
    return tmp_path


def _mine(name: str) -> str | None:
    return "mine.m4" if name.startswith("/well/known/") else None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("include(`/well/known/x.m4')", "mine[mine.m4:1]\n"),
        ("sinclude(`/well/known/y.m4')", "mine[mine.m4:1]\n"),
        ("include(`real.m4')", "real[real.m4]\n"),
        ("include(`searched.m4')", "searched[dir/searched.m4]\n"),
        ("sinclude(`absent.m4')", ""),
    ],
)
def test_resolver_is_asked_first_and_none_searches_as_usual(
    files: Path, text: str, expected: str
) -> None:
    err = io.BytesIO()
    assert expand(text, resolve_include=_mine, include_path=["dir"], stderr=err) == expected
    assert err.getvalue() == b""


def test_resolved_path_names_the_file_in_messages(files: Path) -> None:
    (files / "mine.m4").write_text("\n`unterminated\n")
    err = io.BytesIO()
    with pytest.raises(M4Fatal):
        expand("include(`/well/known/x.m4')", resolve_include=_mine, stderr=err)
    assert err.getvalue() == b"m4compat:mine.m4:2: ERROR: end of file in string\n"


def test_resolved_path_that_does_not_exist_is_reported_under_the_given_name(files: Path) -> None:
    err = io.BytesIO()
    out = expand(
        "include(`x.m4')done\n", resolve_include=lambda name: "gone.m4", name="in", stderr=err
    )
    assert out == "done\n"
    assert err.getvalue() == b"m4compat:in:1: cannot open `x.m4': No such file or directory\n"


def test_resolver_sees_file_system_names(files: Path) -> None:
    seen: list[str] = []
    target = os.fsdecode(b"caf\xc3\xa9-\xff.m4")  # UTF-8 and a byte that is not
    Path(os.fsencode(target).decode("utf-8", "surrogateescape")).write_text("ok\n")

    def resolve(name: str) -> str | None:
        seen.append(name)
        return target

    assert expand("include(`n\u00e9.m4')", resolve_include=resolve) == "ok\n"
    assert seen == ["n\u00e9.m4"]


def test_undivert_of_a_file_is_not_resolved(files: Path) -> None:
    assert expand("undivert(`real.m4')", resolve_include=lambda name: "mine.m4") == (
        "real[__file__]\n"
    )


@pytest.mark.parametrize(
    ("text", "status", "output"),
    [
        ("a\ninclude(`absent')b\n", 1, "a\nb\n"),
        ("a\ninclude(`absent')m4exit(0)b\n", 1, "a\n"),
        ("a\nm4exit(3)b\n", 3, "a\n"),
    ],
)
def test_fail_on_error_raises_with_the_output(text: str, status: int, output: str) -> None:
    with pytest.raises(M4Exit) as info:
        expand(text, fail_on_error=True, stderr=io.BytesIO())
    assert info.value.status == status
    assert info.value.output == output  # type: ignore[attr-defined]


def test_without_fail_on_error_a_failed_include_still_returns() -> None:
    err = io.BytesIO()
    assert expand("a\ninclude(`absent')b\n", stderr=err) == "a\nb\n"
    assert b"cannot open `absent'" in err.getvalue()


def test_fail_on_error_keeps_warnings_and_clean_runs_quiet() -> None:
    err = io.BytesIO()
    assert expand("define(`x', `1', `extra')x\n", fail_on_error=True, stderr=err) == "1\n"
    assert b"Warning: excess arguments" in err.getvalue()
