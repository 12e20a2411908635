"""Unit tests of the map classes: lookup semantics per class, on real files in tmp_path."""

from __future__ import annotations

import os
import socket
import sqlite3
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlitedict import SqliteDict

from mta.config.model import MapDecl
from mta.core.errors import Location
from mta.maps.base import LookupResult, LookupStatus, MapEnv, NullContext
from mta.maps.classes import hashdb
from mta.maps.classes.hashdb import DbWriter
from mta.maps.classes.host import make_resolver
from mta.maps.classes.program import netstring, read_netstring
from mta.maps.classes.text import CONDELSE_MARK
from mta.maps.registry import MapSet

sys.path.insert(0, str(Path(__file__).parents[2] / "support"))
from dnsserver import DnsServer

HERE = Location("test.cf", 1)
FOUND, NOT_FOUND, TEMPFAIL = LookupStatus.FOUND, LookupStatus.NOT_FOUND, LookupStatus.TEMPFAIL


def mapset(*lines: str, env: MapEnv | None = None) -> MapSet:
    decls = {}
    for n, line in enumerate(lines, 1):
        name, cls, *args = line.split()
        decls[name] = MapDecl(name, cls, tuple(args), Location("test.cf", n))
    return MapSet(decls, env)


def look(ms: MapSet, name: str, key: str, *args: str) -> tuple[LookupStatus, str | None]:
    r = ms.lookup(name, key, args, NullContext())
    return r.status, r.value


def make_db(path: Path, pairs: dict[str, str]) -> None:
    with DbWriter(str(path) + ".db") as db:
        for k, v in pairs.items():
            db.put(k, v)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    make_db(
        tmp_path / "t",
        {"foo": "bar", "pct": "u=%1 k=%0 %% %9.", "nul\0": "v\0", "plain": "p", "MiXed": "m"},
    )
    return tmp_path / "t"


@pytest.mark.parametrize(
    ("flags", "key", "args", "expected"),
    [
        ("", "foo", (), (FOUND, "bar")),
        ("", "FOO", (), (FOUND, "bar")),
        ("-f", "FOO", (), (NOT_FOUND, None)),
        ("-f", "MiXed", (), (FOUND, "m")),
        ("", "MiXed", (), (NOT_FOUND, None)),  # stored mixed case, lookup folds
        ("", '"foo"', (), (FOUND, "bar")),  # quotes stripped
        ("-q", '"foo"', (), (NOT_FOUND, None)),
        ("-a.X", "foo", (), (FOUND, "bar.X")),
        ("-m", "FOO", (), (FOUND, "FOO")),
        ("-m -a!", "foo", (), (FOUND, "foo!")),
        ("", "pct", ("one",), (FOUND, "u=one k=pct % .")),
        ("", "nul", (), (FOUND, "v")),  # found with the trailing NUL, value NUL dropped
        ("-O", "nul", (), (NOT_FOUND, None)),
        ("-N", "nul", (), (FOUND, "v")),
        ("-N", "plain", (), (NOT_FOUND, None)),
        ("", "missing", (), (NOT_FOUND, None)),
    ],
)
@pytest.mark.parametrize("cls", ["hash", "btree", "dbm", "implicit"])
def test_db_lookup(
    db: Path, cls: str, flags: str, key: str, args: tuple[str, ...], expected: tuple[object, ...]
) -> None:
    ms = mapset(f"m {cls} {flags} {db}")
    assert look(ms, "m", key, *args) == expected


def test_db_missing_file_tempfails_once_with_message(tmp_path: Path) -> None:
    ms = mapset(f"m hash {tmp_path}/none", f"o hash -o {tmp_path}/none", f"i implicit {tmp_path}/x")
    ctx = NullContext()
    assert ms.lookup("m", "k", (), ctx).status is TEMPFAIL
    assert ms.lookup("m", "k", (), ctx).status is TEMPFAIL
    assert ctx.messages == [
        f'hash map "m": missing map file {tmp_path}/none.db: No such file or directory'
    ]
    assert ms.lookup("o", "k", (), ctx).status is NOT_FOUND
    assert ms.lookup("i", "k", (), ctx).status is TEMPFAIL  # implicit: quiet, but tempfail
    assert len(ctx.messages) == 1
    assert ms.get("m") is not None and ms.get("m").tempfail_text is None  # type: ignore[union-attr]


def test_db_no_tempfail_flag(tmp_path: Path) -> None:
    ms = mapset(f"m hash -t -T<TMPF> {tmp_path}/none")
    assert look(ms, "m", "k") == (NOT_FOUND, None)
    assert ms.get("m").tempfail_text == "<TMPF>"  # type: ignore[union-attr]


@pytest.mark.parametrize("content", [b"garbage, not sqlite" * 100, b""])
def test_db_corrupt_file_is_tempfail_not_traceback(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "c.db").write_bytes(content)
    ms = mapset(f"m hash {tmp_path}/c")
    ctx = NullContext()
    assert ms.lookup("m", "k", (), ctx).status is TEMPFAIL
    assert "error reading map file" in ctx.messages[0]


def test_db_non_utf8_blob_value_is_tempfail(tmp_path: Path) -> None:
    con = sqlite3.connect(tmp_path / "b.db")
    con.execute('CREATE TABLE "unnamed" (key TEXT PRIMARY KEY, value BLOB)')
    con.execute('INSERT INTO "unnamed" VALUES (?, ?)', ("k", b"\xff\xfe"))
    con.commit()
    con.close()
    ms = mapset(f"m hash {tmp_path}/b")
    assert look(ms, "m", "k")[0] is TEMPFAIL


def test_db_reopens_after_rebuild(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the file is looked at again once RECHECK_SECONDS have passed (0 here)
    monkeypatch.setattr(hashdb, "RECHECK_SECONDS", 0.0)
    make_db(tmp_path / "r", {"k": "old"})
    ms = mapset(f"m hash {tmp_path}/r")
    assert look(ms, "m", "k") == (FOUND, "old")
    make_db(tmp_path / "r", {"k": "new"})
    assert look(ms, "m", "k") == (FOUND, "new")


def test_db_is_not_looked_at_before_the_recheck_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hashdb, "RECHECK_SECONDS", 3600.0)
    make_db(tmp_path / "r", {"k": "old"})
    ms = mapset(f"m hash {tmp_path}/r")
    assert look(ms, "m", "k") == (FOUND, "old")
    make_db(tmp_path / "r", {"k": "new"})
    assert look(ms, "m", "k") == (FOUND, "old")  # no stat per lookup in a busy daemon


def test_db_is_sqlitedict_compatible(tmp_path: Path) -> None:
    make_db(tmp_path / "s", {"a": "1"})
    with SqliteDict(str(tmp_path / "s.db"), encode=str, decode=str) as d:
        assert dict(d.items()) == {"a": "1"}
    with SqliteDict(str(tmp_path / "w.db"), encode=str, decode=str, autocommit=True) as d:
        d["b"] = "2"
    assert look(mapset(f"m hash {tmp_path}/w"), "m", "b") == (FOUND, "2")


@pytest.mark.parametrize(
    ("decl", "key", "args", "expected"),
    [
        ("t text {txt}", "a", (), (FOUND, "a")),
        ("t text {txt}", "A", (), (FOUND, "a")),
        ("t text -f {txt}", "A", (), (NOT_FOUND, None)),
        ("t text -k1 -v2 {txt}", "b", (), (FOUND, "c")),
        ("t text -z: -v2 {txt}", "x", (), (FOUND, "z")),
        ("t text -k 1 -v 2 {txt}", "B", (), (FOUND, "c")),
        ("t text {txt}", "# c", (), (NOT_FOUND, None)),
        ("d dequote", '"ab"', (), (FOUND, "ab")),
        ("d dequote", 'a"b"c', (), (FOUND, "abc")),
        ("d dequote", '"a b"', (), (NOT_FOUND, None)),
        ("d dequote -S_", '"a b"', (), (FOUND, "a_b")),
        ("d dequote", "ab", (), (NOT_FOUND, None)),
        ("d dequote", '"a', (), (NOT_FOUND, None)),
        ("a arith", "+", ("1", "2"), (FOUND, "3")),
        ("a arith", "-", ("1", "5"), (FOUND, "-4")),
        ("a arith", "/", ("7", "2"), (FOUND, "3")),
        ("a arith", "/", ("7", "0"), (NOT_FOUND, None)),
        ("a arith", "l", ("1", "2"), (FOUND, "TRUE")),
        ("a arith", "=", ("1", "2"), (FOUND, "FALSE")),
        ("a arith", "+", ("x", "2"), (FOUND, "2")),  # strtol: "x" is 0, as in Sendmail
        ("a arith", "+", ("1",), (NOT_FOUND, None)),
        ("r arpa", "1.2.3.4", (), (FOUND, "4.3.2.1")),
        ("r arpa", "IPv6:::1", (), (FOUND, "1" + ".0" * 31)),
        ("r arpa", "foo", (), (NOT_FOUND, None)),
        ("n null", "x", (), (NOT_FOUND, None)),
        ("u user", "root", (), (FOUND, "root")),
        ("u user -vdir", "root", (), (FOUND, "/root")),
        ("u user -vuid", "root", (), (FOUND, "0")),
        ("u user", "no-such-user-xyz", (), (NOT_FOUND, None)),
        ("g syslog", "hello", (), (FOUND, "")),
        ("p program /bin/echo -n", "hello", (), (FOUND, "hello")),
        ("p program /bin/false", "hello", (), (NOT_FOUND, None)),
        ("p program /nonexistent/prog", "x", (), (TEMPFAIL, None)),
        ("x regex ^[0-9]+$", "123", (), (FOUND, "")),
        ("x regex ^[0-9]+$", "12a", (), (NOT_FOUND, None)),
        ("x regex -n ^[0-9]+$", "12a", (), (FOUND, "")),
        (
            "x regex -s1,2 ^([a-z]+)@([a-z.]+)$",
            "joe@ex.com",
            (),
            (FOUND, f"joe{CONDELSE_MARK}ex.com"),
        ),
        ("x regex -s2 -d+ ^([a-z]+)@([a-z.]+)$", "joe@ex.com", (), (FOUND, "ex.com")),
        ("x regex -m ^a.*", "abc", (), (FOUND, "abc")),
        ("x regex -aFOUND ^a[[:digit:]]$", "A5", (), (FOUND, "FOUND")),
        ("x regex -f ^abc$", "ABC", (), (NOT_FOUND, None)),
        ("x regex ^[0-9]+$", '"123"', (), (NOT_FOUND, None)),  # regex keeps quotes
        ("x regex ^a{2}[\\d]$", "aad", (), (FOUND, "")),  # backslash is literal in brackets
        ("x regex -b ^\\(a\\)*$", "aa", (), (FOUND, "")),
        ("x regex -b ^a+$", "a+", (), (FOUND, "")),  # + is literal in a BRE
    ],
)
def test_small_classes(
    tmp_path: Path, decl: str, key: str, args: tuple[str, ...], expected: tuple[object, ...]
) -> None:
    txt = tmp_path / "t.txt"
    txt.write_text("a b c\nx:y:z\n# c\nKey V1 V2\n")
    ms = mapset(decl.replace("{txt}", str(txt)))
    assert not ms.warnings
    assert look(ms, decl.split()[0], key, *args) == expected


def test_macro_map_sets_and_clears() -> None:
    ms = mapset("m macro")
    ctx = NullContext()
    assert ms.lookup("m", "{x}", ("v",), ctx) == LookupResult(FOUND, "")
    assert ctx.macro("x") == "v"
    ms.lookup("m", "{x}", (), ctx)
    assert ctx.macro("x") is None


def test_sequence_and_switch(tmp_path: Path) -> None:
    make_db(tmp_path / "one", {"a": "1"})
    make_db(tmp_path / "two", {"a": "2", "b": "2"})
    switch = tmp_path / "service.switch"
    switch.write_text("# comment\naliases\tfiles\nhosts files\n")
    ms = mapset(
        f"one hash {tmp_path}/one",
        f"two hash {tmp_path}/two",
        f"bad hash {tmp_path}/none",
        "s sequence one two",
        "s2 sequence bad two",
        "s3 sequence bad one",
        "s4 sequence one nosuch",
        f"al.files hash {tmp_path}/two",
        "al switch aliases",
        env=MapEnv(service_switch_file=str(switch)),
    )
    assert look(ms, "s", "a") == (FOUND, "1")
    assert look(ms, "s", "b") == (FOUND, "2")
    assert look(ms, "s", "c") == (NOT_FOUND, None)
    assert look(ms, "s2", "b") == (FOUND, "2")
    assert look(ms, "s3", "c") == (TEMPFAIL, None)
    assert ms.warnings == ["test.cf: line 7: Sequence map s4: unknown member map nosuch"]
    assert look(ms, "al", "b") == (FOUND, "2")


@pytest.mark.parametrize(
    ("line", "warning"),
    [
        ("b hash", "test.cf: line 1: No file name for hash map b"),
        ("b hash -x /f", "test.cf: line 1: Illegal option x map b"),
        ("b nosuchclass /f", "test.cf: line 1: Class nosuchclass not available"),
        ("b regex ^(a", None),
        ("b dns -RFOO", "test.cf: line 1: dns map b: wrong type FOO"),
        ("b socket bogus:x", "test.cf: line 1: socket map b: bad socket spec bogus:x"),
    ],
)
def test_bad_declarations_are_collected(line: str, warning: str | None) -> None:
    ms = mapset(line)
    assert len(ms.warnings) == 1
    if warning is not None:
        assert ms.warnings[0] == warning
    assert ms.is_declared("b")


def test_builtin_host_map_only() -> None:
    ms = mapset()
    assert ms.get("host") is not None
    assert ms.get("dequote") is None and ms.get("arith") is None


@pytest.fixture
def dns_env(tmp_path: Path) -> Iterator[tuple[MapEnv, Path]]:
    records = {
        ("mail.example.test", "A"): ["192.0.2.1"],
        ("www.example.test", "CNAME"): ["mail.example.test."],
        ("example.test", "MX"): ["20 mx2.example.test.", "10 mx1.example.test."],
        ("example.test", "TXT"): ['"v=spf1 -all"'],
        ("1.2.0.192.in-addr.arpa", "PTR"): ["mail.example.test."],
        ("2.0.0.127.bl.test", "A"): ["127.0.0.2"],
    }
    switch = tmp_path / "service.switch"
    switch.write_text("hosts files dns\n")
    hosts = tmp_path / "hosts"
    hosts.write_text("10.0.0.1 filehost.example.test filehost\n")
    with DnsServer(records, drop=frozenset({"slow.example.test"})) as server:
        env = MapEnv(
            resolver=lambda: make_resolver("127.0.0.1", server.port, lifetime=0.5),
            hosts_file=str(hosts),
            service_switch_file=str(switch),
        )
        yield env, switch


@pytest.mark.parametrize(
    ("decl", "key", "expected"),
    [
        ("host", "mail.example.test", (FOUND, "mail.example.test.")),
        ("host", "www.example.test", (FOUND, "mail.example.test.")),
        ("host", "filehost", (FOUND, "filehost.example.test.")),
        ("host", "[192.0.2.1]", (FOUND, "mail.example.test.")),
        ("host", "[10.0.0.1]", (FOUND, "filehost.example.test.")),
        ("host", "nosuch.example.test", (NOT_FOUND, None)),
        ("host", "slow.example.test", (TEMPFAIL, None)),
        ("mx bestmx", "example.test", (FOUND, "mx1.example.test.")),
        ("mx bestmx -z:", "example.test", (FOUND, "mx1.example.test.:mx2.example.test.")),
        ("mx bestmx", "nosuch.example.test", (NOT_FOUND, None)),
        ("d dns -RA", "mail.example.test", (FOUND, "192.0.2.1")),
        ("d dns -RTXT", "example.test", (FOUND, "v=spf1 -all")),
        ("d dns -RPTR", "1.2.0.192.in-addr.arpa", (FOUND, "mail.example.test")),
        ("d dns -RMX -z, -Z1", "example.test", (FOUND, "mx2.example.test")),
        ("d dns -RA -a.LISTED", "2.0.0.127.bl.test", (FOUND, "127.0.0.2.LISTED")),
        ("d dns -RA", "3.0.0.127.bl.test", (NOT_FOUND, None)),
        ("d dns -RA", "slow.example.test", (TEMPFAIL, None)),
        ("d dns -RA -t", "slow.example.test", (NOT_FOUND, None)),
    ],
)
def test_network_classes(
    dns_env: tuple[MapEnv, Path], decl: str, key: str, expected: tuple[object, ...]
) -> None:
    env, _ = dns_env
    words = decl.split()
    ms = (
        mapset(" ".join([words[0], *words[1:]]) if len(words) > 1 else "", env=env)
        if len(words) > 1
        else MapSet({}, env)
    )
    assert look(ms, words[0], key) == expected


def test_host_tempfail_message(dns_env: tuple[MapEnv, Path]) -> None:
    env, _ = dns_env
    ctx = NullContext()
    assert MapSet({}, env).lookup("host", "slow.example.test", (), ctx).status is TEMPFAIL
    assert ctx.messages == ["slow.example.test: Name server timeout"]


@pytest.fixture
def sockmap(tmp_path: Path) -> Iterator[str]:
    path = str(tmp_path / "sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    table = {"m alice": b"OK alice@example.test", "m temp": b"TEMP busy", "m perm": b"PERM no"}

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            while True:
                try:
                    request = read_netstring(conn).decode()
                except (ValueError, OSError):
                    return
                conn.sendall(netstring(table.get(request, b"NOTFOUND ")))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield path
    server.close()


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("alice", (FOUND, "alice@example.test")),
        ("bob", (NOT_FOUND, None)),
        ("temp", (TEMPFAIL, None)),
        ("perm", (NOT_FOUND, None)),
    ],
)
def test_socket_map(sockmap: str, key: str, expected: tuple[object, ...]) -> None:
    ms = mapset(f"m socket unix:{sockmap}")
    assert look(ms, "m", key) == expected


def test_socket_map_unreachable_is_tempfail(tmp_path: Path) -> None:
    """A missing unix socket is reported when the map opens; a refused port is quiet."""
    ms = mapset(f"m socket unix:{tmp_path}/nothing")
    ctx = NullContext()
    assert ms.lookup("m", "k", (), ctx).status is TEMPFAIL
    assert ms.lookup("m", "k", (), ctx).status is TEMPFAIL
    assert ctx.messages == [
        f'socket map "m": local socket name {tmp_path}/nothing unsafe: No such file or directory']
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    ms = mapset(f"n socket inet:{port}@127.0.0.1")
    ctx = NullContext()
    assert ms.lookup("n", "k", (), ctx).status is TEMPFAIL
    assert ctx.messages == []


def test_switch_names_a_member_map_nobody_declared(tmp_path: Path) -> None:
    switch = tmp_path / "service.switch"
    switch.write_text("foo files bar\n")
    make_db(tmp_path / "one", {"a": "1"})
    ms = mapset(f"sw.files hash {tmp_path}/one", "sw switch foo",
                env=MapEnv(service_switch_file=str(switch)))
    ctx = NullContext()
    assert ms.lookup("sw", "a", (), ctx).value == "1"
    assert ctx.messages == ["Switch map sw: unknown member map sw.bar"]


def test_program_map_never_uses_a_shell(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    ms = mapset("p program /bin/echo")
    assert look(ms, "p", f"x; touch {marker}") == (FOUND, f"x; touch {marker}")
    assert not os.path.exists(marker)


def test_alias_file_option_makes_the_alias_maps(tmp_path: Path) -> None:
    """AliasFile=a,hash:b gives Alias0, Alias1, aliases.files and aliases, as Sendmail's."""
    make_db(tmp_path / "a", {"postmaster\0": "root\0", "@\0": "@\0"})
    make_db(tmp_path / "b", {"alice\0": "alice@example.test\0"})
    (tmp_path / "service.switch").write_text("aliases files\n")
    env = MapEnv(options={"AliasFile": f"{tmp_path}/a, hash:{tmp_path}/b",
                          "ServiceSwitchFile": f"{tmp_path}/service.switch"})
    ms = MapSet({}, env)
    assert look(ms, "aliases", "POSTMASTER") == (FOUND, "root")
    assert look(ms, "aliases", "alice") == (FOUND, "alice@example.test")
    assert look(ms, "aliases.files", "alice") == (FOUND, "alice@example.test")
    assert look(ms, "Alias0", "postmaster") == (FOUND, "root")
    assert look(ms, "Alias0", "alice") == (NOT_FOUND, None)
    assert look(ms, "Alias1", "alice") == (FOUND, "alice@example.test")
    missing = ms.lookup("aliases", "nobody", (), NullContext())
    assert (missing.status, missing.exit_code) == (NOT_FOUND, 68)
    assert ms.get("Alias0").decl.class_name == "implicit"  # type: ignore[union-attr]
    assert ms.get("Alias1").decl.class_name == "hash"  # type: ignore[union-attr]
    # a K line of the same name wins
    own = mapset(f"aliases hash {tmp_path}/b", env=env)
    assert look(own, "aliases", "postmaster") == (NOT_FOUND, None)
    # no AliasFile, no alias maps; a class that cannot hold aliases is a warning
    assert MapSet({}, MapEnv()).get("aliases") is None
    bad = MapSet({}, MapEnv(options={"AliasFile": "nis:mail.aliases"}))
    assert bad.get("aliases") is None
    assert bad.warnings == ["Unknown alias class nis"]
