"""Compiled builds of the hot modules (mypyc), used only while they match the sources.

SYNOPSIS
    make native                         # build when missing or stale (main(["ensure"]))
    python -c 'from mta.util.native import main; main(["status"])'
    MTA_NATIVE=0 sendmail -bt ...       # run the pure-Python modules all the same

DESCRIPTION
    The rewriting engine runs Sendmail's rulesets token by token, and in pure
    Python that is several times slower than Sendmail's C. mypyc (part of mypy,
    already a development dependency) compiles the same typed source to a C
    extension; nothing else is written twice, and the Python modules remain the
    reference that the engine's tests run against too (make test, MTA_NATIVE=0).

    build compiles the modules listed in COMPILED into build/native/ beside the
    checkout and writes a manifest with the SHA-256 of every .py file of the
    mta package at that moment. install(), called when the mta package is
    imported, puts a finder in front of sys.meta_path only when that manifest
    exists, was made for this interpreter (its extension suffix) and every
    source still has the recorded hash: a compiled module can carry constants
    and signatures of the modules it imports, so a change anywhere in mta turns
    the whole build off until the next build. A stale build is never half used.

DIAGNOSTICS
    install() returns False and changes nothing when the build is missing,
    stale or made for another Python, when its shared library does not load,
    or when MTA_NATIVE=0 is set; state() and status say which, and a library
    that does not load is also reported on standard error. build exits
    non-zero with mypyc's or the C compiler's messages.

SEE ALSO
    Makefile (native, install, test), bench/bt_bench.py, mypyc documentation.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import sys
from collections.abc import Sequence
from importlib.machinery import EXTENSION_SUFFIXES, ExtensionFileLoader, ModuleSpec
from pathlib import Path
from types import ModuleType

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # mta/
SOURCE_ROOT = PACKAGE_DIR.parent
BUILD_DIR = SOURCE_ROOT / "build" / "native"
GROUP = "mta_native"  # mypyc's shared library is GROUP__mypyc

# The modules compiled: the rewriting engine and what it calls on every token, and
# the per-message work of the SMTP daemon around it.
COMPILED = (
    "mta.config.tokens",
    "mta.config.macros",
    "mta.rules.macros",
    "mta.rules.engine",
    "mta.rules.testmode",
    "mta.rules.resolve",
    "mta.rules.check",
    "mta.smtp.wire",
    "mta.queue.qfformat",
    "mta.core.reply",
    "mta.smtp.session",
    "mta.queue.qid",
    "mta.queue.fsqueue",
    "mta.app.queuesink",
    "mta.rules.headers",
    "mta.deliver.router",
    "mta.deliver.mailer",
    "mta.deliver.smtpclient",
    "mta.deliver.runner",
)

_installed: bool | None = None
_reason = "install() has not run"


def _ext_suffix() -> str:
    return EXTENSION_SUFFIXES[0]


def source_hashes(root: Path = SOURCE_ROOT) -> dict[str, str]:
    """SHA-256 of every .py file of the mta package, by path relative to root."""
    hashes: dict[str, str] = {}
    for path in sorted((root / "mta").rglob("*.py")):
        hashes[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


def _read_manifest(build_dir: Path = BUILD_DIR) -> dict[str, object] | None:
    try:
        data = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def check(root: Path = SOURCE_ROOT, build_dir: Path = BUILD_DIR) -> tuple[bool, str]:
    """Whether the build in build_dir is usable for the sources under root, and why."""
    usable, why, _files = _check(root, build_dir)
    return usable, why


def _check(root: Path, build_dir: Path) -> tuple[bool, str, dict[str, str]]:
    """check(), with the manifest's extension files (module name -> relative path)."""
    if os.environ.get("MTA_NATIVE", "") == "0":
        return False, "MTA_NATIVE=0 is set", {}
    manifest = _read_manifest(build_dir)
    if manifest is None:
        return False, f"no build ({build_dir / 'manifest.json'} is missing; run: make native)", {}
    if manifest.get("suffix") != _ext_suffix():
        return False, f"built for another Python ({manifest.get('suffix')})", {}
    if manifest.get("sources") != source_hashes(root):
        return False, "stale: the sources changed since the build (run: make native)", {}
    files = manifest.get("files")
    if not isinstance(files, dict) or not files or not all(
        isinstance(k, str) and isinstance(v, str) and (build_dir / v).is_file()
        for k, v in files.items()
    ):
        return False, "incomplete build (an extension file is missing)", {}
    return True, f"current ({len(files) - 1} modules compiled)", files


class _Finder:
    """Finds the compiled modules (and mypyc's shared library) in BUILD_DIR.

    A sys.meta_path finder with importlib.abc.MetaPathFinder's protocol, without
    importing that module (about 30 ms, a tenth of a sendmail -bt start).
    """

    def __init__(self, files: dict[str, Path]) -> None:
        self.files = files

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        location = self.files.get(fullname)
        if location is None:
            return None
        spec = ModuleSpec(fullname, ExtensionFileLoader(fullname, str(location)),
                          origin=str(location))
        spec.has_location = True  # module.__file__ is the extension file
        return spec


def install() -> bool:
    """Use the compiled modules from now on, if the build is current; once per process.

    The build's shared library is loaded here: if it does not load (a library
    it needs is gone), the finder is taken out again, plain Python runs, and a
    line on standard error says so.
    """
    global _installed, _reason
    if _installed is not None:
        return _installed
    _installed = False
    usable, _reason, files = _check(SOURCE_ROOT, BUILD_DIR)
    if not usable:
        return False
    if any(name in sys.modules for name in files):
        _reason = "a compiled module was imported as Python first"
        return False
    finder = _Finder({name: BUILD_DIR / rel for name, rel in files.items()})
    sys.meta_path.insert(0, finder)
    try:
        importlib.import_module(f"{GROUP}__mypyc")
    except Exception as exc:  # whatever stops it loading: run the .py files
        sys.meta_path.remove(finder)
        sys.modules.pop(f"{GROUP}__mypyc", None)
        _reason = f"the build does not load ({exc}); run: make native"
        print(f"mta: {_reason}; running plain Python", file=sys.stderr)
        return False
    _installed = True
    return True


def active() -> bool:
    """Whether the compiled modules are in use in this process."""
    return _installed is True


def state() -> str:
    """In words: compiled or plain Python in this process, and why."""
    return f"compiled ({_reason})" if active() else f"plain Python ({_reason})"


def build() -> int:
    """Compile COMPILED into BUILD_DIR and write the manifest; returns an exit status."""
    import shutil
    import tempfile

    from mypyc.build import mypycify  # development dependency (mypy)
    from setuptools import Distribution

    before = source_hashes()
    paths = [name.replace(".", "/") + ".py" for name in COMPILED]
    work = Path(tempfile.mkdtemp(prefix="mta-native-"))
    cwd = os.getcwd()
    try:
        os.chdir(SOURCE_ROOT)
        extensions = mypycify(paths, opt_level="3", group_name=GROUP,
                              target_dir=str(work / "c"))
        dist = Distribution({"name": "mta-native", "ext_modules": extensions})
        cmd = dist.get_command_obj("build_ext")
        cmd.build_lib = str(work / "lib")
        cmd.build_temp = str(work / "tmp")
        cmd.parallel = os.cpu_count() or 1
        dist.run_command("build_ext")
    finally:
        os.chdir(cwd)
    if source_hashes() != before:
        shutil.rmtree(work, ignore_errors=True)
        print("native: the sources changed during the build; run it again", file=sys.stderr)
        return 1
    suffix = _ext_suffix()
    files: dict[str, str] = {}
    for name in (*COMPILED, f"{GROUP}__mypyc"):
        rel = name.replace(".", "/") + suffix
        if not (work / "lib" / rel).is_file():
            print(f"native: {rel} was not built", file=sys.stderr)
            return 1
        files[name] = rel
    staging = BUILD_DIR.with_name("native.new")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(work / "lib", staging)
    manifest = {"suffix": suffix, "files": files, "sources": before}
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n",
                                           encoding="utf-8")
    shutil.rmtree(BUILD_DIR, ignore_errors=True)
    staging.rename(BUILD_DIR)
    shutil.rmtree(work, ignore_errors=True)
    print(f"native: {len(COMPILED)} modules compiled into {BUILD_DIR}")
    return 0


def main(argv: Sequence[str]) -> int:
    """build (always), ensure (build unless current) or status; an exit status."""
    if list(argv) == ["build"]:
        return build()
    if list(argv) == ["ensure"]:
        if active() or os.environ.get("MTA_NATIVE", "") == "0":
            return 0
        print(f"native: {_reason}; building")
        return build()
    if list(argv) == ["status"]:
        print(f"native: {state()}")
        return 0 if active() else 1
    print("usage: main([build|ensure|status])", file=sys.stderr)
    return 64
