"""Unit tests of makemap, newaliases and praliases, run as subprocesses of our CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mta.config.model import MapDecl
from mta.core.errors import Location
from mta.maps.base import LookupStatus, MapEnv, NullContext
from mta.maps.registry import MapSet


def run(module: str, *args: str, text: str = "", cwd: Path) -> tuple[int, str, str]:
    proc = subprocess.run(
        [sys.executable, "-m", f"mta.cli.{module}", *args],
        input=text.encode(),
        capture_output=True,
        cwd=cwd,
        check=False,
    )
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


@pytest.mark.parametrize(
    ("args", "text", "status", "dump", "err"),
    [
        (["hash", "m"], "A b\nc d e\n", 0, "a\tb\nc\td e\n", ""),
        (["-f", "hash", "m"], "A b\n", 0, "A\tb\n", ""),
        (["hash", "m"], "a b\na c\n", 65, "a\tb\n", "makemap: m: line 2: key a: duplicate key\n"),
        (["-r", "hash", "m"], "a b\na c\n", 0, "a\tc\n", ""),
        (["dbm", "m"], "a b\n", 0, "a\tb\n", ""),
        (["hash", "m"], "a \xe9\n", 0, "a\t\xe9\n", ""),
        (["hash", "m"], "k v\n", 0, "k\tv\n", ""),
    ],
)
def test_makemap_build_and_dump(
    tmp_path: Path, args: list[str], text: str, status: int, dump: str, err: str
) -> None:
    assert run("makemap", *args, text=text, cwd=tmp_path)[::2] == (status, err)
    assert run("makemap", "-u", args[-2], "m", cwd=tmp_path) == (0, dump, "")


def test_makemap_non_utf8_line_is_reported(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "mta.cli.makemap", "hash", "m"],
        input=b"a \xff\nb c\n",
        capture_output=True,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 65
    assert proc.stderr == b"makemap: m: line 1: not UTF-8\n"


def test_makemap_output_is_read_by_hash_map(tmp_path: Path) -> None:
    run("makemap", "-N", "hash", "access", text="From:Spam.Example REJECT\n", cwd=tmp_path)
    decl = MapDecl("access", "hash", (str(tmp_path / "access"),), Location("x.cf", 1))
    result = MapSet({"access": decl}, MapEnv()).lookup(
        "access", "From:spam.example", (), NullContext()
    )
    assert (result.status, result.value) == (LookupStatus.FOUND, "REJECT")


ALIASES = """# comment
postmaster: root
Root: joe, "|/usr/bin/prog arg",
\t/var/mail/file, :include:/etc/list
err: error:5.1.1 550 no such user
dup: a
dup: b
bad line without colon
 leading: x
empty:
"""


def test_newaliases_and_praliases(tmp_path: Path) -> None:
    aliases = tmp_path / "aliases"
    aliases.write_text(ALIASES)
    import io

    from mta.maps.aliases import build_alias_db

    err = io.StringIO()
    stats = build_alias_db(str(aliases), err=err)
    assert stats.summary() == f"{aliases}: 6 aliases, longest 61 bytes, 149 bytes total"
    assert err.getvalue() == (
        f"{aliases}: line 7: dup... Warning: duplicate alias name dup\n"
        f"{aliases}: line 10: empty:... missing value for alias\n"
    )
    status, out, _ = run("praliases", "-f", str(aliases), cwd=tmp_path)
    assert status == 0
    assert out.splitlines() == [
        "@:@",
        "bad.line.without.colon.leading:x",
        "dup:b",
        "err:error:5.1.1 550 no such user",
        "postmaster:root",
        'root:joe, "|/usr/bin/prog arg",\t/var/mail/file, :include:/etc/list',
    ]
    assert run("praliases", "-f", str(aliases), "root", "Root", cwd=tmp_path)[1].splitlines()[
        1:
    ] == ["Root: No such key"]


def test_praliases_missing_db(tmp_path: Path) -> None:
    status, out, err = run("praliases", "-f", str(tmp_path / "none"), cwd=tmp_path)
    assert (status, out) == (0, "")
    assert err == f"praliases: {tmp_path}/none: open: Unknown database type\n"


def test_rebuild_aliases_from_config(tmp_path: Path) -> None:
    import io

    from mta.cli.newaliases import rebuild_aliases
    from mta.config.model import Config

    (tmp_path / "a1").write_text("x: y\n")
    (tmp_path / "a2").write_text("z: w\nbad\n")
    config = Config(
        path="x.cf",
        version_level=10,
        version_vendor="Berkeley",
        macros={},
        classes={},
        options={"AliasFile": f"hash:{tmp_path}/a1, {tmp_path}/a2,{tmp_path}/none"},
        rulesets={},
        ruleset_names={},
        mailers={},
        headers=(),
        maps={},
    )
    out, err = io.StringIO(), io.StringIO()
    assert rebuild_aliases(config, out=out, err=err) == 70
    assert out.getvalue().splitlines() == [
        f"{tmp_path}/a1: 1 aliases, longest 1 bytes, 2 bytes total",
        f"{tmp_path}/a2: 1 aliases, longest 1 bytes, 2 bytes total",
    ]
    assert f"Can't open {tmp_path}/none: No such file or directory" in err.getvalue()
