"""mta.maps.aliases.read_aliases and the maps that read alias files as text.

The rules engine's own parse of alias names (traces, "cannot alias non-local
names") is compared with Sendmail in tests/diff (local_rulesets.mc); here the
context is a NullContext, which takes every name as local.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mta.config.model import MapDecl
from mta.core.errors import Location
from mta.maps.aliases import read_aliases
from mta.maps.base import AliasName, LookupStatus, MapEnv, NullContext
from mta.maps.registry import MapSet

ODD = (
    "# comment\n"
    "Bob: bob,\n"
    "\talice\n"
    "bad line\n"
    "  continues the bad line\n"
    "empty:   \n"
    "PostMaster: root  \n"
    "# a comment swallows the line after it\n"
    "  ignored: x\n"
    "\n"
    "  after an empty line\n"
    "bob: dup\n"
)


class _Quoted(NullContext):
    """A context whose parse refuses names that start with a quote and one that is remote."""

    def alias_name(self, text: str, where: str) -> AliasName | None:
        name = text.split(":", 1)[0].strip()
        if name.startswith('"'):
            return None
        return AliasName(name, name, name != "far")


def test_entries_errors_and_statistics(tmp_path: Path) -> None:
    path = tmp_path / "aliases"
    path.write_text(ODD)
    table: dict[str, str] = {}
    ctx = NullContext()
    stats = read_aliases(str(path), table, ctx, verbose=True)
    assert stats is not None
    # continuation lines join without their newline; later duplicates replace
    assert table == {"bob": "dup", "postmaster": "root  "}
    assert ctx.messages == [
        f"{path}: line 5: missing colon",
        f"{path}: line 6: empty:   ... missing value for alias",
        f"{path}: line 11: Non-continuation line starts with space",
        f"{path}: 3 aliases, longest 10 bytes, 35 bytes total",
    ]
    assert (stats.aliases, stats.longest, stats.total, stats.errors) == (3, 10, 35, 3)


def test_quiet_without_verbose_and_none_for_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "aliases"
    path.write_text("a: b\n")
    ctx = NullContext()
    assert read_aliases(str(path), {}, ctx, verbose=False) is not None
    assert ctx.messages == []
    assert read_aliases(str(tmp_path / "missing"), {}, ctx, verbose=True) is None


def test_unusable_and_remote_names(tmp_path: Path) -> None:
    path = tmp_path / "aliases"
    path.write_text('"q: x\nfar: y\nnear: z\n')
    table: dict[str, str] = {}
    ctx = _Quoted()
    read_aliases(str(path), table, ctx, verbose=False)
    assert table == {"near": "z"}
    assert ctx.messages == [
        f'{path}: line 1: "q: x... illegal alias name',
        f"{path}: line 2: far... cannot alias non-local names",
    ]


def _mapset(alias_file: str, decls: tuple[MapDecl, ...] = ()) -> MapSet:
    env = MapEnv(options={"AliasFile": alias_file}, verbose=True)
    return MapSet({d.name: d for d in decls}, env)


@pytest.mark.parametrize("key", ["postmaster", "POSTMASTER"])
def test_alias_map_without_database_reads_the_text(tmp_path: Path, key: str) -> None:
    (tmp_path / "aliases").write_text("PostMaster: root\n")
    maps = _mapset(str(tmp_path / "aliases"))
    ctx = NullContext()
    result = maps.lookup("aliases", key, (), ctx)
    assert (result.status, result.value) == (LookupStatus.FOUND, "root")
    assert ctx.messages[0] == (f"WARNING: cannot open alias database {tmp_path}/aliases; "
                               "reading text version")
    assert ctx.messages[1].endswith("1 aliases, longest 4 bytes, 14 bytes total")
    miss = maps.lookup("Alias0", "nobody", (), ctx)
    assert (miss.status, miss.exit_code) == (LookupStatus.NOT_FOUND, 0)


def test_other_implicit_maps_do_not_fall_back(tmp_path: Path) -> None:
    (tmp_path / "table").write_text("a: b\n")
    decl = MapDecl("impl", "implicit", (str(tmp_path / "table"),), Location("test.cf", 1))
    maps = _mapset(str(tmp_path / "none"), (decl,))
    ctx = NullContext()
    result = maps.lookup("impl", "a", (), ctx)
    assert result.status is LookupStatus.TEMPFAIL
    assert ctx.messages == []


def test_stab_maps_share_the_symbol_table(tmp_path: Path) -> None:
    (tmp_path / "one").write_text("a: from-one\n")
    (tmp_path / "two").write_text("b: from-two\n")
    where = Location("test.cf", 1)
    decls = (MapDecl("one", "stab", (str(tmp_path / "one"),), where),
             MapDecl("two", "stab", (str(tmp_path / "two"),), where))
    maps = _mapset(str(tmp_path / "none"), decls)
    ctx = NullContext()
    assert maps.lookup("one", "a", (), ctx).value == "from-one"
    assert maps.lookup("one", "b", (), ctx).status is LookupStatus.NOT_FOUND
    assert maps.lookup("two", "b", (), ctx).value == "from-two"
    assert maps.lookup("one", "b", (), ctx).value == "from-two"  # read by "two" meanwhile
