"""Tests for -bt's /canon, /mx and /map in mta.rules.testmode.

DESCRIPTION
    A small .cf whose HostsFile and ServiceSwitchFile point into tmp_path;
    the expected lines are what sendmail 8.17 -bt prints for the same hosts
    file and "hosts files" (see tests/diff/bt/commands.in for the
    differential run of the same commands).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mta.config.loader import load_cf
from mta.maps.base import MapEnv
from mta.maps.classes.hashdb import DbWriter
from mta.maps.registry import MapSet
from mta.rules.engine import RuleEngine
from mta.rules.testmode import TestMode

HOSTS = (
    "127.0.0.1\tmail.example.test mail localhost\n"
    "192.0.2.10\tgw.example.test gw\n"
    "198.51.100.7\tremote.example.net remote\n"
)


def session(tmp_path: Path) -> tuple[TestMode, list[str]]:
    (tmp_path / "hosts").write_text(HOSTS)
    (tmp_path / "service.switch").write_text("hosts files\n")
    with DbWriter(str(tmp_path / "virt.db")) as db:
        db.put("@virtual.test", "%1@mailhub.example.com")
    cf = "\n".join(
        [
            "V10",
            "Dmexample.test",
            f"O HostsFile={tmp_path}/hosts",
            f"O ServiceSwitchFile={tmp_path}/service.switch",
            f"Kvirtuser hash -o {tmp_path}/virt",
            f"Kgone hash -o {tmp_path}/gone",
            "Kbad hash",
            "Karith arith",
            "S0",
            "",
        ]
    )
    config = load_cf("t.cf", text=cf)
    maps = MapSet(config.maps, MapEnv(options=config.options))
    out: list[str] = []
    engine = RuleEngine(config, maps, test_mode=True)
    mode = TestMode(engine, maps, out.append)
    return mode, out


@pytest.mark.parametrize(
    ("line", "printed"),
    [
        ("/canon mail", "getcanonname(mail) returns mail.example.test\n"),
        ("/canon gw", "getcanonname(gw) returns gw.example.test\n"),
        ("/canon remote", "getcanonname(remote) returns remote.example.net\n"),
        ("/canon localhost", "getcanonname(localhost) returns mail.example.test\n"),
        ("/canon MAIL.EXAMPLE.TEST", "getcanonname(MAIL.EXAMPLE.TEST) returns mail.example.test\n"),
        ("/canon nohost.invalid", "getcanonname(nohost.invalid) returns nohost.invalid\n"),
        ("/canon [192.0.2.10]", "getcanonname([192.0.2.10]) returns [192.0.2.10]\n"),
        ("/canon\tgw  ", "getcanonname(gw) returns gw.example.test\n"),
        ("/canon a b", "getcanonname(a b) returns a b\n"),
        ("/canon", "Usage: /canon address\n"),
        ("/canon " + "a" * 255, f"getcanonname({'a' * 255}) returns {'a' * 255}\n"),
        ("/canon " + "a" * 256, "Name too long\n"),
        ("/mx gw", "getmxrr(gw) returns 0 value(s):\n"),
        ("/mx [192.0.2.10]", "getmxrr([192.0.2.10]) returns 1 value(s):\n\t[192.0.2.10]\n"),
        ("/mx [gw]", "getmxrr([gw]) returns 1 value(s):\n\tgw.example.test.\n"),
        ("/mx", "Usage: /mx address\n"),
        ("/map virtuser @virtual.test",
         "map_lookup: virtuser (@virtual.test) returns @mailhub.example.com (0)\n"),
        ("/map host nohost.invalid", "map_lookup: host (nohost.invalid) no match (68)\n"),
        ("/map host gw", "map_lookup: host (gw) returns gw.example.test. (0)\n"),
        ("/map arith + 1 2", "map_lookup: arith (+ 1 2) no match (78)\n"),
        ("/map gone key", 'Map named "gone" not open\n'),
        ("/map bad key", 'Map named "bad" not open\n'),
        ("/map nosuchmap key", 'Map named "nosuchmap" not found\n'),
        ("/map arith", "No key specified\n"),
        ("/map", "Usage: /map mapname key\n"),
    ],
)
def test_slash_commands(tmp_path: Path, line: str, printed: str) -> None:
    mode, out = session(tmp_path)
    mode.line(line)
    assert "".join(out) == printed
