"""Documentation rules of DESIGN.md section 4.1, checked on the source tree.

DESCRIPTION
    Every module under mta/ and m4compat/ starts with a docstring in the
    man-page style of the house: a one-line summary, then sections whose
    headers stand alone on a line. DESCRIPTION is required and must have an
    indented body; SYNOPSIS, DIAGNOSTICS and SEE ALSO are optional but, where
    present, come in that order around it.

    Every OptionSpec in mta/core/params.py (the one option table) has a
    non-empty doc, our version of Postfix's check-postconf-undocumented. The
    specs are found by importing the module and walking its globals and the
    containers in them, so a table built in a loop is checked too. The check is
    skipped while params.py does not exist.

DIAGNOSTICS
    One test per module, named by its path, so a failure says which file lacks
    what. The option test lists every undocumented option at once.

SEE ALSO
    DESIGN.md section 4.1, tests/test_layering.py.
"""

from __future__ import annotations

import ast
import importlib
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
DOCUMENTED_PACKAGES = ("mta", "m4compat")
PARAMS_FILE = REPO_ROOT / "mta" / "core" / "params.py"
PARAMS_MODULE = "mta.core.params"

# DESIGN.md 4.1 order; only DESCRIPTION is mandatory.
SECTION_ORDER = ("SYNOPSIS", "DESCRIPTION", "DIAGNOSTICS", "SEE ALSO")
REQUIRED_SECTION = "DESCRIPTION"


def _modules() -> list[Path]:
    return sorted(p for pkg in DOCUMENTED_PACKAGES for p in (REPO_ROOT / pkg).rglob("*.py"))


def docstring_problems(source: str | bytes) -> list[str]:
    """Return what is wrong with the module docstring of source (empty list: fine)."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        return [f"does not parse: {exc}"]
    doc = ast.get_docstring(tree, clean=True)
    if not doc:
        return ["has no module docstring"]
    lines = doc.splitlines()
    problems: list[str] = []
    if not lines[0].strip() or lines[0].strip() in SECTION_ORDER:
        problems.append("docstring does not start with a one-line summary")
    headers = [(i, line) for i, line in enumerate(lines) if line.rstrip() in SECTION_ORDER]
    names = [line.rstrip() for _, line in headers]
    if REQUIRED_SECTION not in names:
        problems.append(f"docstring has no {REQUIRED_SECTION} section")
    else:
        start = names.index(REQUIRED_SECTION)
        body_from = headers[start][0] + 1
        body_to = headers[start + 1][0] if start + 1 < len(headers) else len(lines)
        body = [line for line in lines[body_from:body_to] if line.strip()]
        if not body or not all(line.startswith((" ", "\t")) for line in body):
            problems.append(f"{REQUIRED_SECTION} section has no indented body")
    if names != sorted(names, key=SECTION_ORDER.index):
        problems.append(f"sections {names} are not in the order {list(SECTION_ORDER)}")
    return problems


@pytest.mark.parametrize(
    "path", _modules(), ids=lambda p: p.relative_to(REPO_ROOT).as_posix() if p else ""
)
def test_module_docstring_has_description(path: Path) -> None:
    problems = docstring_problems(path.read_bytes())
    assert not problems, f"{path.relative_to(REPO_ROOT)}: " + "; ".join(problems)


def _specs_in(value: object, spec_type: type, depth: int = 0) -> Iterator[object]:
    """Yield OptionSpec instances in value, looking two container levels deep."""
    if isinstance(value, spec_type):
        yield value
        return
    children: list[object]
    if isinstance(value, Mapping):
        children = list(value.values())
    elif isinstance(value, list | tuple | set | frozenset):
        children = list(value)
    else:
        return
    if depth < 2:
        for child in children:
            yield from _specs_in(child, spec_type, depth + 1)


def undocumented_options(params: ModuleType) -> list[str]:
    """Names of the OptionSpec values in params whose doc is missing or blank.

    Raises:
        AssertionError: params has no OptionSpec class or no spec at all, so the
            check would pass without checking anything.
    """
    spec_type = getattr(params, "OptionSpec", None)
    assert isinstance(spec_type, type), f"{params.__name__} defines no OptionSpec class"
    # Keyed by id: the same spec may sit in a dict and also in a name-indexed alias table.
    specs = {id(s): s for v in vars(params).values() for s in _specs_in(v, spec_type)}
    assert specs, f"{params.__name__} has no OptionSpec instances at module level"
    return sorted(str(getattr(s, "name", s)) for s in specs.values() if not _doc_of(s))


def _doc_of(spec: object) -> str:
    doc = getattr(spec, "doc", None)
    return doc.strip() if isinstance(doc, str) else ""


def test_every_option_is_documented() -> None:
    if not PARAMS_FILE.exists():
        pytest.skip(
            f"{PARAMS_FILE.relative_to(REPO_ROOT)} does not exist yet: the option table "
            "(OptionSpec) arrives in a later issue"
        )
    sys.path.insert(0, str(REPO_ROOT))
    try:
        params = importlib.import_module(PARAMS_MODULE)
    finally:
        sys.path.remove(str(REPO_ROOT))
    undocumented = undocumented_options(params)
    assert not undocumented, "options without doc: " + ", ".join(undocumented)


def _fake_params(**table: object) -> ModuleType:
    module = ModuleType("fake_params")

    @dataclass(frozen=True)
    class OptionSpec:
        name: str
        doc: str

    module.OptionSpec = OptionSpec  # type: ignore[attr-defined]
    for key, value in table.items():
        setattr(module, key, value(OptionSpec) if callable(value) else value)
    return module


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ({"OPTIONS": lambda S: {"A": S("A", "Alpha."), "B": S("B", "Beta.")}}, []),
        ({"OPTIONS": lambda S: {"A": S("A", ""), "B": S("B", "  ")}}, ["A", "B"]),
        ({"OPTIONS": lambda S: (S("A", "Alpha."), S("C", ""))}, ["C"]),
        ({"MAX_HOP": lambda S: S("MaxHopCount", "")}, ["MaxHopCount"]),
        ({"BY_LETTER": lambda S: {"groups": [S("Q", "")]}}, ["Q"]),
    ],
)
def test_option_checker(table: dict[str, object], expected: list[str]) -> None:
    assert undocumented_options(_fake_params(**table)) == expected


def test_option_checker_refuses_an_empty_table() -> None:
    with pytest.raises(AssertionError, match="no OptionSpec instances"):
        undocumented_options(_fake_params(OPTIONS={}))


@pytest.mark.parametrize(
    ("source", "problems"),
    [
        (
            '"""Do a thing.\n\nSYNOPSIS\n    f()\n\nDESCRIPTION\n    Owns f.\n\n'
            'SEE ALSO\n    g\n"""\n',
            [],
        ),
        ('"""Do a thing.\n\nDESCRIPTION\n    Owns f.\n"""\nimport os\n', []),
        ("import os\n", ["has no module docstring"]),
        ('"""Do a thing."""\n', ["docstring has no DESCRIPTION section"]),
        ('"""Do a thing.\n\nDescription: owns f.\n"""\n', ["docstring has no DESCRIPTION section"]),
        (
            '"""Do a thing.\n\nDESCRIPTION\n\nDIAGNOSTICS\n    none\n"""\n',
            ["DESCRIPTION section has no indented body"],
        ),
        (
            '"""Do a thing.\n\nDESCRIPTION\n    Owns f.\n\nSYNOPSIS\n    f()\n"""\n',
            [
                "sections ['DESCRIPTION', 'SYNOPSIS'] are not in the order "
                "['SYNOPSIS', 'DESCRIPTION', 'DIAGNOSTICS', 'SEE ALSO']"
            ],
        ),
        (
            '"""\nDESCRIPTION\n    Owns f.\n"""\n',
            ["docstring does not start with a one-line summary"],
        ),
        ("def f(:\n", ["does not parse: invalid syntax (<unknown>, line 1)"]),
    ],
)
def test_docstring_checker(source: str, problems: list[str]) -> None:
    assert docstring_problems(source) == problems
