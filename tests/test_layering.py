"""Import rules of DESIGN.md section 3.2, checked on the source tree with ast.

DESCRIPTION
    Walks every .py file under mta/ and m4compat/, collects its imports
    (absolute, relative, inside functions and under TYPE_CHECKING alike, plus
    importlib.import_module("constant")) and reports each import that breaks a
    rule, as "path:line: rule-id: source imports target (why)":

    - m4compat-deps: m4compat imports only the stdlib, lark and itself, and click
      only in m4compat/cli.py.
    - m4compat-no-mta: m4compat never imports mta (the .cf text is the contract).
    - layer-order: mta.cli > mta.app > mta.smtp|mta.deliver > mta.rules > mta.maps
      > mta.config|mta.queue|mta.net > mta.core > mta.util; no package imports
      one above it.
    - siblings: packages on the same line (| in DESIGN) do not import each other.
    - cli-only-m4compat: within mta only mta.cli imports m4compat.
    - queue-deps: mta.queue imports from mta only mta.core and mta.util.
    - smtp-policy-only: mta.smtp imports from mta.rules only mta.rules.check (the
      Policy facade) and nothing from mta.maps.
    - rules-pure: mta.rules imports none of mta.smtp, mta.deliver, mta.queue.
    - unplaced: a module directly under mta/ that is not in the layer order, or
      an import of one; DESIGN.md and LAYERS below must be updated together.

    Packages that do not exist yet are simply absent, so the check passes on a
    partial tree. The checker is plain ast rather than import-linter so that it
    needs no extra dependency and sees files that do not import cleanly yet;
    its own tests build small trees in tmp_path and expect each rule to fire.

DIAGNOSTICS
    test_tree_follows_import_rules fails with the full list of violations.
    A file that does not parse (syntax-error) or whose relative import climbs
    above its top-level package (bad-relative-import) is reported too, because
    it would otherwise escape the check.

SEE ALSO
    DESIGN.md sections 3 and 3.2, tests/test_docs.py.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
CHECKED_PACKAGES = ("mta", "m4compat")

# DESIGN.md 3.2, top to bottom; packages in one tuple are siblings.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("mta.cli",),
    ("mta.app",),
    ("mta.smtp", "mta.deliver"),
    ("mta.rules",),
    ("mta.maps",),
    ("mta.config", "mta.queue", "mta.net"),
    ("mta.core",),
    ("mta.util",),
)
LAYER_OF: Mapping[str, int] = {pkg: i for i, layer in enumerate(LAYERS) for pkg in layer}

M4COMPAT_THIRD_PARTY = frozenset({"lark"})
M4COMPAT_CLI_ONLY = frozenset({"click"})
M4COMPAT_CLI_MODULE = "m4compat.cli"
QUEUE_MAY_IMPORT = ("mta.queue", "mta.core", "mta.util")
SMTP_POLICY_MODULE = "mta.rules.check"
RULES_MUST_NOT_IMPORT = ("mta.smtp", "mta.deliver", "mta.queue")


@dataclass(frozen=True, slots=True)
class ImportRef:
    """One imported name, resolved to an absolute dotted path."""

    target: str
    line: int


@dataclass(frozen=True, slots=True)
class Violation:
    path: str
    line: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.rule}: {self.message}"


def module_name(path: Path, root: Path) -> str:
    """Dotted module name of a file below root (mta/rules/__init__.py -> mta.rules)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _top_package(name: str) -> str | None:
    """The mta.X package (or top-level mta module) that name belongs to, else None."""
    parts = name.split(".")
    if parts[0] != "mta" or len(parts) < 2:
        return None
    return f"mta.{parts[1]}"


def collect_imports(tree: ast.AST, module: str, is_package: bool) -> Iterator[ImportRef]:
    """Yield every import in tree as an absolute target.

    `from A import b` yields A.b, so that `from mta.rules import engine` is seen
    as importing mta.rules.engine and not just the mta.rules package.

    Raises:
        ValueError: a relative import climbs above the top-level package.
    """
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield ImportRef(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".") if package else []
                if node.level > len(anchor):
                    raise ValueError(f"line {node.lineno}: relative import beyond {package!r}")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                target = base if alias.name == "*" else f"{base}.{alias.name}"
                yield ImportRef(target, node.lineno)
        elif isinstance(node, ast.Call) and _is_import_module_call(node):
            arg = node.args[0]
            # Relative names need the package argument, which is rarely a constant.
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                if not arg.value.startswith("."):
                    yield ImportRef(arg.value, node.lineno)


def _is_import_module_call(node: ast.Call) -> bool:
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    return name in {"import_module", "__import__"} and bool(node.args)


def _is_stdlib(target: str) -> bool:
    return target.split(".")[0] in sys.stdlib_module_names


def check_m4compat_import(source: str, ref: ImportRef) -> tuple[str, str] | None:
    """Return (rule, why) if a module of m4compat may not import ref.target."""
    top = ref.target.split(".")[0]
    if top == "mta":
        return "m4compat-no-mta", "m4compat never imports mta; the .cf text is the contract"
    if top == "m4compat" or _is_stdlib(ref.target) or top in M4COMPAT_THIRD_PARTY:
        return None
    if top in M4COMPAT_CLI_ONLY:
        if _within(source, M4COMPAT_CLI_MODULE):
            return None
        return "m4compat-deps", f"{top} may be imported only in {M4COMPAT_CLI_MODULE}"
    return "m4compat-deps", "m4compat imports only the stdlib, lark and (in cli.py) click"


def check_mta_import(source: str, ref: ImportRef) -> tuple[str, str] | None:
    """Return (rule, why) if a module of mta may not import ref.target."""
    target = ref.target
    src_pkg = _top_package(source)
    if _within(target, "m4compat"):
        if src_pkg == "mta.cli":
            return None
        return "cli-only-m4compat", "only mta.cli may import m4compat"
    dst_pkg = _top_package(target)
    if src_pkg is None or dst_pkg is None or src_pkg == dst_pkg:
        return None
    if src_pkg == "mta.queue" and not any(_within(target, p) for p in QUEUE_MAY_IMPORT):
        return "queue-deps", "mta.queue imports from mta only mta.core and mta.util"
    if src_pkg == "mta.smtp":
        if dst_pkg == "mta.rules" and not _within(target, SMTP_POLICY_MODULE):
            why = f"mta.smtp may import from mta.rules only {SMTP_POLICY_MODULE}"
            return "smtp-policy-only", why
        if dst_pkg == "mta.maps":
            return "smtp-policy-only", "mta.smtp asks Policy, never the maps"
    if src_pkg == "mta.rules" and any(_within(target, p) for p in RULES_MUST_NOT_IMPORT):
        return "rules-pure", "mta.rules must not import smtp, deliver or queue"
    src_layer, dst_layer = LAYER_OF.get(src_pkg), LAYER_OF.get(dst_pkg)
    if src_layer is None:
        return None  # check_tree reports the unplaced source once, not at every import
    if dst_layer is None:
        return "unplaced", f"{dst_pkg} is not in the layer order"
    if dst_layer < src_layer:
        return "layer-order", f"{src_pkg} is below {dst_pkg} and must not import it"
    if dst_layer == src_layer:
        return "siblings", f"{src_pkg} and {dst_pkg} are siblings and must not import each other"
    return None


def check_tree(root: Path) -> list[Violation]:
    """Check every .py file of the checked packages below root."""
    violations: list[Violation] = []
    unplaced: set[str] = set()
    for top in CHECKED_PACKAGES:
        for path in sorted((root / top).rglob("*.py")):
            pkg = _top_package(module_name(path, root))
            if pkg is not None and pkg not in LAYER_OF and pkg not in unplaced:
                unplaced.add(pkg)  # once per package, at its first file
                rel = path.relative_to(root).as_posix()
                violations.append(Violation(rel, 1, "unplaced", f"{pkg} is not in the layer order"))
            violations += check_file(path, root)
    return violations


def check_file(path: Path, root: Path) -> list[Violation]:
    rel = path.relative_to(root).as_posix()
    module = module_name(path, root)
    try:
        tree = ast.parse(path.read_bytes(), filename=rel)
    except SyntaxError as exc:
        return [Violation(rel, exc.lineno or 1, "syntax-error", str(exc))]
    try:
        refs = list(collect_imports(tree, module, is_package=path.name == "__init__.py"))
    except ValueError as exc:
        return [Violation(rel, 1, "bad-relative-import", str(exc))]
    found: list[Violation] = []
    check = check_m4compat_import if _within(module, "m4compat") else check_mta_import
    for ref in refs:
        broken = check(module, ref)
        if broken is not None:
            rule, why = broken
            found.append(Violation(rel, ref.line, rule, f"{module} imports {ref.target} ({why})"))
    return found


def test_tree_follows_import_rules() -> None:
    violations = check_tree(REPO_ROOT)
    assert not violations, "imports that break DESIGN.md 3.2:\n" + "\n".join(map(str, violations))


# --- the checker's own tests, on synthetic trees ---------------------------------------

# path -> source; every tree also gets the __init__.py files its packages need.
CheckerCase = tuple[dict[str, str], list[tuple[str, int, str]]]

CHECKER_CASES: dict[str, CheckerCase] = {
    "clean-tree": (
        {
            "m4compat/expander.py": "from __future__ import annotations\nimport re\nimport lark\n"
            "from .scanner import Token\nfrom m4compat import errors\n",
            "m4compat/scanner.py": "Token = object\n",
            "m4compat/errors.py": "",
            "m4compat/cli.py": "import click\nfrom . import expander\n",
            "mta/cli/sendmail.py": "import m4compat\nfrom mta.app import runtime\nimport click\n",
            "mta/app/runtime.py": "from mta.smtp import server\nfrom mta.deliver import runner\n",
            "mta/smtp/session.py": "from mta.rules.check import Policy\n"
            "from mta.rules import check\n"
            "from mta.queue.store import QueueStore\n"
            "from ..config import model\n",
            "mta/deliver/runner.py": "from mta.rules import resolve\n"
            "from mta.maps import registry\n",
            "mta/rules/engine.py": "from mta.maps.base import LookupResult\nfrom . import tokens\n"
            "from ..config.model import Config\n",
            "mta/maps/registry.py": "from mta.net import dns\nfrom mta.config import model\n",
            "mta/queue/store.py": "from mta.core.envelope import Envelope\n"
            "from ..util import fsio\n",
            "mta/core/reply.py": "from mta.util.sysexits import EX_OK\nimport dns.resolver\n",
            "mta/util/fsio.py": "import os\n",
        },
        [],
    ),
    "m4compat-imports-mta": (
        {"m4compat/expander.py": "import os\n\nfrom mta.core import reply\n"},
        [("m4compat/expander.py", 3, "m4compat-no-mta")],
    ),
    "m4compat-third-party": (
        {"m4compat/output.py": "import yaml\n", "m4compat/source.py": "import click\n"},
        [("m4compat/output.py", 1, "m4compat-deps"), ("m4compat/source.py", 1, "m4compat-deps")],
    ),
    "lower-imports-higher": (
        {"mta/core/errors.py": "def f():\n    from mta.config.model import Config\n"},
        [("mta/core/errors.py", 2, "layer-order")],
    ),
    "relative-import-upwards": (
        {"mta/util/fsio.py": "from ..core import reply\n"},
        [("mta/util/fsio.py", 1, "layer-order")],
    ),
    "siblings-smtp-deliver": (
        {"mta/deliver/runner.py": "from mta.smtp.wire import Framer\n"},
        [("mta/deliver/runner.py", 1, "siblings")],
    ),
    "siblings-config-net": (
        {"mta/config/loader.py": "import mta.net.dns\n"},
        [("mta/config/loader.py", 1, "siblings")],
    ),
    "m4compat-outside-cli": (
        {"mta/app/runtime.py": "from m4compat import expand\n"},
        [("mta/app/runtime.py", 1, "cli-only-m4compat")],
    ),
    "queue-imports-config": (
        {"mta/queue/fsqueue.py": "from mta.config.model import QueueGroup\n"},
        [("mta/queue/fsqueue.py", 1, "queue-deps")],
    ),
    "smtp-imports-engine": (
        {
            "mta/smtp/commands.py": "from mta.rules.engine import RuleEngine\n"
            "from mta.rules import pattern\nimport mta.rules\nfrom mta.maps import base\n"
        },
        [
            ("mta/smtp/commands.py", 1, "smtp-policy-only"),
            ("mta/smtp/commands.py", 2, "smtp-policy-only"),
            ("mta/smtp/commands.py", 3, "smtp-policy-only"),
            ("mta/smtp/commands.py", 4, "smtp-policy-only"),
        ],
    ),
    "rules-imports-queue": (
        {"mta/rules/check.py": "from mta.queue import store\nfrom mta.smtp import session\n"},
        [("mta/rules/check.py", 1, "rules-pure"), ("mta/rules/check.py", 2, "rules-pure")],
    ),
    "dynamic-import": (
        {"mta/maps/registry.py": "import importlib\nimportlib.import_module('mta.deliver.x')\n"},
        [("mta/maps/registry.py", 2, "layer-order")],
    ),
    "unplaced-package": (
        {"mta/extras/thing.py": "from mta.core import reply\n"},
        [("mta/extras/__init__.py", 1, "unplaced")],
    ),
    "import-of-unplaced-package": (
        {"mta/app/runtime.py": "from mta.extras import thing\n"},
        [("mta/app/runtime.py", 1, "unplaced")],
    ),
    "syntax-error": (
        {"mta/core/broken.py": "def f(:\n"},
        [("mta/core/broken.py", 1, "syntax-error")],
    ),
    "relative-beyond-top": (
        {"mta/core/reply.py": "from ... import x\n"},
        [("mta/core/reply.py", 1, "bad-relative-import")],
    ),
}


def _write_tree(root: Path, files: Mapping[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        for parent in path.relative_to(root).parents:
            if parent != Path(".") and not (root / parent / "__init__.py").exists():
                (root / parent / "__init__.py").write_text("")


@pytest.mark.parametrize(("files", "expected"), CHECKER_CASES.values(), ids=CHECKER_CASES.keys())
def test_checker_reports_each_rule(
    tmp_path: Path, files: dict[str, str], expected: list[tuple[str, int, str]]
) -> None:
    _write_tree(tmp_path, files)
    found = sorted((v.path, v.line, v.rule) for v in check_tree(tmp_path))
    assert found == sorted(expected)


def test_violation_names_file_line_and_rule(tmp_path: Path) -> None:
    _write_tree(tmp_path, {"mta/util/timespec.py": "\n\nimport mta.core.reply\n"})
    (violation,) = check_tree(tmp_path)
    assert str(violation) == (
        "mta/util/timespec.py:3: layer-order: mta.util.timespec imports mta.core.reply "
        "(mta.util is below mta.core and must not import it)"
    )


@pytest.mark.parametrize(
    ("module", "is_package", "source", "targets"),
    [
        ("mta.rules.engine", False, "from . import tokens", ["mta.rules.tokens"]),
        ("mta.rules", True, "from . import tokens", ["mta.rules.tokens"]),
        ("mta.rules.engine", False, "from ..maps.base import X", ["mta.maps.base.X"]),
        ("mta.rules.engine", False, "from .. import maps", ["mta.maps"]),
        ("m4compat.builtins.core", False, "from ..expander import *", ["m4compat.expander"]),
        ("m4compat.cli", False, "import a.b as c, d", ["a.b", "d"]),
    ],
)
def test_collect_imports_resolves_relative_names(
    module: str, is_package: bool, source: str, targets: list[str]
) -> None:
    refs = collect_imports(ast.parse(source), module, is_package)
    assert [r.target for r in refs] == targets
