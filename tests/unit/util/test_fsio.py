"""Unit tests of mta.util.fsio."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mta.util.fsio import atomic_path, atomic_write, atomic_write_bytes, join_continuations


def test_atomic_write_replaces_and_keeps_mode(tmp_path: Path) -> None:
    target = tmp_path / "f"
    target.write_text("old")
    target.chmod(0o640)
    with atomic_write(str(target)) as fh:
        fh.write("new")
        assert target.read_text() == "old"  # not visible before the end
    assert target.read_text() == "new"
    assert target.stat().st_mode & 0o777 == 0o640
    assert os.listdir(tmp_path) == ["f"]


def test_failure_leaves_target_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "f"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_write_bytes(str(target)) as fh:
        fh.write(b"partial")
        raise RuntimeError("boom")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["f"]


def test_atomic_path_new_file(tmp_path: Path) -> None:
    target = tmp_path / "new.db"
    with atomic_path(str(target), mode=0o600) as tmp:
        assert os.path.dirname(tmp) == str(tmp_path)
        Path(tmp).write_text("x")
    assert target.read_text() == "x" and target.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["a", " b", "\tc", "d"], [(1, "a\n b\n\tc"), (4, "d")]),
        ([" lead", "x"], [(1, " lead"), (2, "x")]),
        ([], []),
    ],
)
def test_join_continuations(lines: list[str], expected: list[tuple[int, str]]) -> None:
    assert list(join_continuations(lines)) == expected
