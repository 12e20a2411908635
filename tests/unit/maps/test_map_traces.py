"""Tests for the -d38.2 map traces (MapEnv.debug / MapEnv.trace, MapSet.report).

DESCRIPTION
    The expected lines are those sendmail 8.17 -bt -d38.2 prints for the same
    K lines: parse traces while the .cf is read, open traces at the first
    lookup, and the arith/arpa lookup traces; nothing below level 2.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mta.config.model import MapDecl
from mta.core.errors import Location
from mta.maps.base import MapEnv, NullContext
from mta.maps.classes.hashdb import DbWriter
from mta.maps.registry import MapSet


def build(tmp_path: Path, lines: list[str], level: int, options: dict[str, str] | None = None
          ) -> tuple[MapSet, list[str], dict[int, int]]:
    decls = {}
    for n, line in enumerate(lines, 1):
        name, cls, *args = line.replace("@DIR@", str(tmp_path)).split()
        decls[name] = MapDecl(name, cls, tuple(args), Location("t.cf", n))
    out: list[str] = []
    debug = {38: level}
    env = MapEnv(options=options or {}, debug=debug, trace=out.append)
    return MapSet(decls, env), out, debug


@pytest.fixture
def files(tmp_path: Path) -> Path:
    with DbWriter(str(tmp_path / "virt.db")) as db:
        db.put("x", "y")
    (tmp_path / "pct").write_text("k0:v0\n")
    return tmp_path


def test_parse_traces_in_order(files: Path) -> None:
    ms, out, _ = build(
        files,
        ["re regex -s1 -d, ^(a+)(b*)$", "pct text -z: @DIR@/pct", "seq sequence pct nosuch"],
        2,
        {"AliasFile": "/etc/mail/aliases"},
    )
    assert out == []
    assert ms.report == [
        "regex_map_init: mapname 're', args '-s1 -d, ^(a+)(b*)$'",
        "seq_map_parse(seq, pct nosuch)",
        "t.cf: line 3: Sequence map seq: unknown member map nosuch",
        "seq_map_parse(aliases.files, )",
    ]
    assert ms.warnings == ["t.cf: line 3: Sequence map seq: unknown member map nosuch"]


def test_no_parse_traces_below_level_2(files: Path) -> None:
    ms, _, _ = build(files, ["seq sequence"], 1, {"AliasFile": "/etc/mail/aliases"})
    assert ms.report == []


@pytest.mark.parametrize(
    ("decl", "key", "lines"),
    [
        ("v hash -o @DIR@/virt", "x", ["hash_map_open(v, @DIR@/virt, 0)"]),
        ("v btree @DIR@/virt", "x", ["bt_map_open(v, @DIR@/virt, 0)"]),
        ("v implicit @DIR@/virt", "x",
         ["impl_map_open(v, @DIR@/virt, 0)", "hash_map_open(v, @DIR@/virt, 0)"]),
        ("m hash @DIR@/none", "x",
         ["hash_map_open(m, @DIR@/none, 0)", "\tmissing map file: No such file or directory"]),
        ("m implicit @DIR@/none", "x",
         ["impl_map_open(m, @DIR@/none, 0)", "hash_map_open(m, @DIR@/none, 0)",
          "\tmissing map file: No such file or directory"]),
        ("t text -z: @DIR@/pct", "k0",
         ["text_map_open(t, @DIR@/pct, 0)", "text_map_open(t, @DIR@/pct): delimiter = :"]),
        ("t text @DIR@/pct", "k0",
         ["text_map_open(t, @DIR@/pct, 0)",
          "text_map_open(t, @DIR@/pct): delimiter = (white space)"]),
        ("t text @DIR@/none", "k0", ["text_map_open(t, @DIR@/none, 0)", "\tunsafe map file: 2"]),
        ("u user", "root", ["user_map_open(u, 0)"]),
        ("s stab @DIR@/none", "x", ["stab_map_open(s, @DIR@/none, 0)"]),
        ("h switch hosts", "x", ["switch_map_open(h, hosts, 0)"]),
        ("d dequote", '"x"', []),
        ("n null", "x", []),
        ("a arith", "+", ["arith_map_lookup: key '+'", "arith_map_lookup: arg '+'"]),
        ("r arpa", "1.2.3.4",
         ["arpa_map_lookup: key '1.2.3.4'", "arpa_map_lookup: r=1, result='4.3.2.1'"]),
        ("r arpa", "xyz", ["arpa_map_lookup: key 'xyz'", "arpa_map_lookup: r=0, result=''"]),
    ],
)
def test_open_and_lookup_traces(files: Path, decl: str, key: str, lines: list[str]) -> None:
    ms, out, _ = build(files, [decl], 2)
    mobj = ms.get(decl.split()[0])
    assert mobj is not None
    mobj.test_lookup(key, NullContext())
    assert out == [line.replace("@DIR@", str(files)) for line in lines]
    out.clear()
    mobj.test_lookup(key, NullContext())  # opened once: only lookup traces repeat
    assert all("_map_open" not in line for line in out)


def test_arith_trace_lists_key_then_args(files: Path) -> None:
    ms, out, _ = build(files, ["a arith"], 2)
    assert ms.lookup("a", "+", ("1", "2"), NullContext()).value == "3"
    assert out == [
        "arith_map_lookup: key '+'",
        "arith_map_lookup: arg '+'",
        "arith_map_lookup: arg '1'",
        "arith_map_lookup: arg '2'",
    ]


def test_debug_table_is_read_live(files: Path) -> None:
    """The -bt "-d38.2" command changes the shared table; the next open traces."""
    ms, out, debug = build(files, ["v hash @DIR@/virt", "w hash @DIR@/virt"], 0)
    ms.lookup("v", "x", (), NullContext())
    assert out == []
    debug[38] = 2
    ms.lookup("w", "x", (), NullContext())
    assert out == [f"hash_map_open(w, {files}/virt, 0)"]
