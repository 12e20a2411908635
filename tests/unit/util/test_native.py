"""mta.util.native: a compiled build is used only while it matches every source."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mta.util import native


def _tree(tmp_path: Path) -> tuple[Path, Path]:
    """A source root with two mta modules and a build that matches it."""
    root = tmp_path / "src"
    (root / "mta" / "rules").mkdir(parents=True)
    (root / "mta" / "__init__.py").write_text("")
    (root / "mta" / "rules" / "engine.py").write_text("X = 1\n")
    build = tmp_path / "build"
    (build / "mta" / "rules").mkdir(parents=True)
    suffix = native._ext_suffix()
    (build / "mta" / "rules" / f"engine{suffix}").write_bytes(b"\x7fELF")
    (build / f"g__mypyc{suffix}").write_bytes(b"\x7fELF")
    manifest = {
        "suffix": suffix,
        "files": {"mta.rules.engine": f"mta/rules/engine{suffix}", "g__mypyc": f"g__mypyc{suffix}"},
        "sources": native.source_hashes(root),
    }
    (build / "manifest.json").write_text(json.dumps(manifest))
    return root, build


@pytest.fixture(autouse=True)
def _native_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MTA_NATIVE", raising=False)


def test_a_matching_build_is_usable(tmp_path: Path) -> None:
    root, build = _tree(tmp_path)
    assert native.check(root, build) == (True, "current (1 modules compiled)")


def test_any_changed_source_makes_the_whole_build_stale(tmp_path: Path) -> None:
    root, build = _tree(tmp_path)
    (root / "mta" / "__init__.py").write_text("# edited\n")  # not a compiled module
    usable, why = native.check(root, build)
    assert not usable and why.startswith("stale")


def test_a_new_source_file_makes_the_build_stale(tmp_path: Path) -> None:
    root, build = _tree(tmp_path)
    (root / "mta" / "rules" / "new.py").write_text("")
    assert native.check(root, build)[0] is False


def test_missing_manifest_other_python_and_missing_file(tmp_path: Path) -> None:
    root, build = _tree(tmp_path)
    manifest = json.loads((build / "manifest.json").read_text())
    assert native.check(root, tmp_path / "nowhere")[1].startswith("no build")
    (build / "manifest.json").write_text(json.dumps({**manifest, "suffix": ".cpython-27.so"}))
    assert native.check(root, build)[1].startswith("built for another Python")
    (build / "manifest.json").write_text(json.dumps(manifest))
    (build / f"g__mypyc{native._ext_suffix()}").unlink()
    assert native.check(root, build)[1].startswith("incomplete build")
    (build / "manifest.json").write_text("{not json")
    assert native.check(root, build)[1].startswith("no build")


def test_mta_native_0_turns_it_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, build = _tree(tmp_path)
    monkeypatch.setenv("MTA_NATIVE", "0")
    assert native.check(root, build) == (False, "MTA_NATIVE=0 is set")


def _engine_file(env: dict[str, str]) -> str:
    code = "import mta.rules.engine as e; print(e.__file__)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, check=True)
    return done.stdout.strip()


def test_the_engine_module_follows_the_check() -> None:
    """With a current build the compiled engine is imported, with MTA_NATIVE=0 the .py."""
    env = {k: v for k, v in os.environ.items() if k != "MTA_NATIVE"}
    usable, _why = native.check()
    compiled = _engine_file(env)
    assert compiled.endswith(native._ext_suffix()) is usable
    assert _engine_file({**env, "MTA_NATIVE": "0"}).endswith("engine.py")


def test_a_build_that_does_not_load_leaves_plain_python(tmp_path: Path) -> None:
    """A current manifest over a broken shared library: install() backs out."""
    root, build = _tree(tmp_path)
    code = f"""
import os, sys
from pathlib import Path
from mta.util import native
del os.environ["MTA_NATIVE"]
native.SOURCE_ROOT, native.BUILD_DIR, native.GROUP = Path({str(root)!r}), Path({str(build)!r}), "g"
native._installed = None
before = list(sys.meta_path)
print(native.check(native.SOURCE_ROOT, native.BUILD_DIR)[0], native.install(), native.active(),
      sys.meta_path == before)
print(native.state())
"""
    env = {**os.environ, "MTA_NATIVE": "0"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          check=True)
    first, state = done.stdout.splitlines()
    assert first.split() == ["True", "False", "False", "True"]
    assert state.startswith("plain Python (the build does not load (")
    assert state.endswith("); run: make native)")
    assert done.stderr.startswith("mta: the build does not load (")
    assert done.stderr.rstrip().endswith("run: make native; running plain Python")
