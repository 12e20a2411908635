"""Tests for the status a class lookup reports, MapClass.test_lookup (-bt /map) and arith.

DESCRIPTION
    Every expected value here was read from sendmail 8.17 -bt: "/map NAME KEY"
    prints "returns VALUE (CODE)" or "no match (CODE)", and rules such as
    "R$* : $* : $*  $: $(arith $1 $@ $2 $@ $3 $)" show the arith results.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mta.config.model import MapDecl
from mta.core.errors import Location
from mta.maps.base import LookupResult, LookupStatus, MapEnv, NullContext
from mta.maps.classes.hashdb import DbWriter
from mta.maps.classes.text import strtol
from mta.maps.registry import MapSet

FOUND, NOT_FOUND, TEMPFAIL = LookupStatus.FOUND, LookupStatus.NOT_FOUND, LookupStatus.TEMPFAIL


@pytest.fixture
def maps(tmp_path: Path) -> MapSet:
    with DbWriter(str(tmp_path / "v.db")) as db:
        db.put("@virtual.test", "%1@mailhub.example.com")
        db.put("from:spammer@", "REJECT")
        db.put("k0", "v%0x")
    (tmp_path / "pct").write_text("k1:[%1][%2]\nkx:a%xb\n")
    (tmp_path / "service.switch").write_text("hosts files\n")
    lines = [
        f"v hash {tmp_path}/v",
        f"vapp hash -a.APP {tmp_path}/v",
        f"vm hash -m {tmp_path}/v",
        f"missing hash {tmp_path}/nonexistent",
        f"missingopt hash -o {tmp_path}/nonexistent",
        f"implmiss implicit {tmp_path}/nonexistent",
        f"pct text -z: -k0 -v1 {tmp_path}/pct",
        "arith arith",
        "null null",
        "usr user",
        "arpa arpa",
        "re regex ^a+$",
        "dq dequote",
        "seq sequence pct null",
        "seqv sequence v",
        "prog program /bin/false",
        "store macro",
    ]
    decls = {}
    for n, line in enumerate(lines, 1):
        name, cls, *args = line.split()
        decls[name] = MapDecl(name, cls, tuple(args), Location("t.cf", n))
    return MapSet(decls, MapEnv(service_switch_file=str(tmp_path / "service.switch")))


@pytest.mark.parametrize(
    ("name", "key", "expected"),
    [
        # %1.. are empty in /map, %0 is the key, -a applies, quotes stay in the key
        ("v", "@virtual.test", (FOUND, "@mailhub.example.com", 0)),
        ("v", "k0", (FOUND, "vk0x", 0)),
        ("v", "nosuchkey", (NOT_FOUND, None, 0)),
        ("v", '"From:spammer@"', (NOT_FOUND, None, 0)),
        ("v", "From:spammer@", (FOUND, "REJECT", 0)),
        ("vapp", "@virtual.test", (FOUND, "@mailhub.example.com.APP", 0)),
        ("vm", "@virtual.test", (FOUND, "@virtual.test", 0)),
        ("missing", "foo", (TEMPFAIL, None, 75)),
        ("implmiss", "x", (TEMPFAIL, None, 75)),
        ("pct", "k1", (FOUND, "[][]", 0)),
        ("pct", "kx", (FOUND, "a%xb", 0)),
        ("pct", "nokey", (NOT_FOUND, None, 68)),
        ("arith", "+ 1 2", (NOT_FOUND, None, 78)),
        ("arith", "+", (NOT_FOUND, None, 78)),
        ("null", "x", (NOT_FOUND, None, 68)),
        ("usr", "nosuchuserxx", (NOT_FOUND, None, 67)),
        ("usr", "root", (FOUND, "root", 0)),
        ("arpa", "1.2.3.4", (FOUND, "4.3.2.1", 0)),
        ("arpa", "xyz", (NOT_FOUND, None, 65)),
        ("re", "aaa", (FOUND, "", 0)),
        ("re", "bbb", (NOT_FOUND, None, 0)),
        ("dq", "abc", (NOT_FOUND, None, 0)),
        ("dq", '"abc"', (FOUND, "abc", 0)),
        ("seq", "k1", (FOUND, "[][]", 0)),
        ("seq", "nokey", (NOT_FOUND, None, 68)),
        ("seqv", "nokey", (NOT_FOUND, None, 68)),
        ("prog", "x", (NOT_FOUND, None, 1)),
        ("store", "{X} y", (FOUND, "", 0)),
    ],
)
def test_test_lookup(maps: MapSet, name: str, key: str, expected: tuple[object, ...]) -> None:
    mobj = maps.get(name)
    assert mobj is not None
    result = mobj.test_lookup(key, NullContext())
    assert result is not None
    assert (result.status, result.value, result.exit_code) == expected


def test_test_lookup_optional_map_not_open(maps: MapSet) -> None:
    """A -o map whose file is missing: None ('Map named "X" not open'), no message."""
    ctx = NullContext()
    mobj = maps.get("missingopt")
    assert mobj is not None
    assert mobj.test_lookup("x", ctx) is None
    assert ctx.messages == []


def test_open_messages(maps: MapSet, tmp_path: Path) -> None:
    """hash prints its open failure once; implicit says nothing (both tempfail)."""
    ctx = NullContext()
    for name in ("missing", "missing", "implmiss"):
        assert maps.lookup(name, "k", (), ctx).status is TEMPFAIL
    assert ctx.messages == [
        f'hash map "missing": missing map file {tmp_path}/nonexistent.db: '
        "No such file or directory"
    ]


def test_rules_lookup_keeps_args_for_percent(maps: MapSet) -> None:
    """In rules the $@ arguments fill %1.. (the virtusertable idiom)."""
    assert maps.lookup("v", "@virtual.test", ("user",), NullContext()) == LookupResult(
        FOUND, "user@mailhub.example.com"
    )


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0", 0),
        ("42", 42),
        ("  7", 7),
        ("-7", -7),
        ("+5", 5),
        ("0x10", 16),
        ("0X1f", 31),
        ("-0x1f", -31),
        ("010", 8),
        ("08", 0),
        ("0x", 0),
        ("12abc", 12),
        ("1 2", 1),
        ("x", 0),
        ("", 0),
        ("99999999999999999999", 2**63 - 1),
        ("-99999999999999999999", -(2**63)),
    ],
)
def test_strtol(text: str, value: int) -> None:
    assert strtol(text) == value


@pytest.mark.parametrize(
    ("op", "a", "b", "expected"),
    [
        ("+", "1", "2", "3"),
        ("*", "6", "7", "42"),
        ("/", "7", "0", None),
        ("%", "7", "0", None),
        ("%", "-7", "2", "-1"),
        ("/", "-7", "2", "-3"),
        ("l", "2", "3", "TRUE"),
        ("=", "3", "3", "TRUE"),
        ("=", "3", "4", "FALSE"),
        ("x", "3", "3", None),
        ("+", "0x10", "010", "24"),
        ("+", "12abc", "-3", "9"),
        ("+", "9223372036854775807", "1", "-92233720368547"),  # wraps, then 15 characters
        ("*", "99999999999", "99999999999", "186471184942302"),
        ("-", "-9223372036854775807", "99999", "922337203685467"),
        ("+", "99999999999999999999", "0", "922337203685477"),
        ("r", "5", "5", "5"),
        ("r", "6", "5", None),
        ("|", "6", "1", "7"),
        ("&", "6", "3", "2"),
        ("+x", "1", "2", "3"),  # only the first character is the operator
        ("+", "1", "", "1"),
        ("+", "", "", "0"),
        ("+", "1 2", "3", "4"),
    ],
)
def test_arith(maps: MapSet, op: str, a: str, b: str, expected: str | None) -> None:
    result = maps.lookup("arith", op, (a, b), NullContext())
    if expected is None:
        assert result.status is NOT_FOUND
    else:
        assert result == LookupResult(FOUND, expected)


def test_arith_random_in_range(maps: MapSet) -> None:
    for _ in range(50):
        result = maps.lookup("arith", "r", ("3", "5"), NullContext())
        assert result.value in {"3", "4", "5"}


def test_arith_unknown_operator_is_config_status(maps: MapSet) -> None:
    result = maps.lookup("arith", "?", ("1", "2"), NullContext())
    assert (result.status, result.exit_code) == (NOT_FOUND, 78)
