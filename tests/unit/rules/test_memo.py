"""Tests for the memo of ruleset calls in mta.rules.engine.

DESCRIPTION
    Every case runs the same -bt lines through an engine with the memo and one
    without it; the transcripts must be identical, and where a line repeats a
    call the memo must have replayed it (memo_hits). The cases change what a
    remembered call depends on between the lines: a macro read with $&, a
    class, a map file rebuilt under the same name, a macro set by the macro
    map class, the recursion depth and the rule-try budget at which the same
    call comes back, and a map whose open error is printed once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

import mta.rules.engine as engine_module
from mta.config.loader import load_cf
from mta.maps.base import MapEnv
from mta.maps.classes.hashdb import DbWriter
from mta.maps.classes.host import CANON_CACHE_SECONDS
from mta.maps.registry import MapSet
from mta.rules.engine import RuleEngine
from mta.rules.macros import MacroEnv
from mta.rules.testmode import TestMode

RULES = """\
V10/Berkeley
Mlocal, P=/bin/true, F=l, A=local $u
Kacc hash {tmp}/acc
Kgone hash {tmp}/missing/gone
Kset macro
Kseq sequence acc
Kcount program {tmp}/count.sh
O HostsFile={tmp}/hosts
O ServiceSwitchFile={tmp}/service.switch
S1
R$*			$: $>2 $1
R$* < @ $* >		$: $1 < @ $(acc $2 $: nokey $) >
S2
R$+ @ $+		$: $1 < @ $2 >
R$*			$: $1 $&x
S3
R$=L			$@ local
R$*			$@ other
S4
R$*			$: $(gone $1 $) $(seq $1 $)
S5
R$*			$: $(set {{x}} $@ $1 $) $>2 u@h
S6
R$*			$: $(count $1 $)
S7
R$*			$: $(undeclared $1 $)
S8
R$*			$: $[ $1 $]
S20
Rx $*			$@ $>20 $1
S21
Ry $*			$@ $>21 $1
Rx $*			$@ $>20 x $1
S22
R$* z $*		$1 $2
R$* y $*		$1 $2
R$* x $*		$1 $2
R$* w $*		$1 $2
R$*			$: $>23 $1
S23
R$* a $*		$1 b $2
"""


def _transcript(tmp_path: Path, lines: list[str], *, memo: bool,
                between: Mapping[int, Callable[[], object]] | None = None) -> tuple[str, int]:
    """Run lines through a fresh -bt session; between[i]() runs before line i."""
    (tmp_path / "hosts").write_text("192.0.2.1\ta.example.test a\n")
    (tmp_path / "service.switch").write_text("hosts files\n")
    script = tmp_path / "count.sh"
    script.write_text(f"#!/bin/sh\necho x >> {tmp_path}/calls\nwc -l < {tmp_path}/calls\n")
    script.chmod(0o755)
    (tmp_path / "calls").write_text("")
    with DbWriter(str(tmp_path / "acc.db")) as db:
        db.put("h", "first")
    config = load_cf("memo.cf", text=RULES.format(tmp=tmp_path))
    maps = MapSet(config.maps, MapEnv(options=config.options))
    engine = RuleEngine(config, maps, test_mode=True, memo=memo)
    out: list[str] = []
    mode = TestMode(engine, maps, out.append)
    for i, line in enumerate(lines):
        if between and i in between:
            between[i]()
        mode.line(line)
    return "".join(out) + f"syserr_count={engine.syserr_count}\n", engine.memo_hits


def _both(tmp_path: Path, lines: list[str],
          between: Mapping[int, Callable[[], object]] | None = None) -> tuple[str, int]:
    with_memo, hits = _transcript(tmp_path, lines, memo=True, between=between)
    without, none = _transcript(tmp_path, lines, memo=False, between=between)
    assert none == 0
    assert with_memo == without
    return with_memo, hits


def test_a_repeated_line_is_replayed_identically(tmp_path: Path) -> None:
    text, hits = _both(tmp_path, ["1 u@h", "1 u@h", "1 U@h"])
    assert hits >= 1
    assert text.count("returns: u < @ first >") == 2
    assert "returns: U < @ first >" in text


def test_a_macro_change_is_seen(tmp_path: Path) -> None:
    text, _ = _both(tmp_path, ["2 a", ".Dxone", "2 a", ".Dxtwo", "2 a", ".Dxtwo", "2 a"])
    assert "returns: a one" in text
    assert text.count("returns: a two") == 2


def test_a_class_change_is_seen(tmp_path: Path) -> None:
    text, _ = _both(tmp_path, ["3 me", ".CLme", "3 me"])
    assert "returns: other" in text
    assert "returns: local" in text


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """time.monotonic(), moved by hand: clock[0] is now."""
    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    return now


def _rebuild_later(tmp_path: Path, clock: list[float]) -> Callable[[], None]:
    """A between-step: acc.db answers "second" for h, and the recheck interval passes."""
    def step() -> None:
        with DbWriter(str(tmp_path / "acc.db")) as db:
            db.put("h", "second")
        clock[0] += engine_module.MEMO_RECHECK
    return step


def test_a_rebuilt_map_is_seen_after_the_recheck_interval(tmp_path: Path,
                                                         clock: list[float]) -> None:
    def start() -> None:
        clock[0] = 1000.0

    text, hits = _both(tmp_path, ["1 u@h", "1 u@h", "1 u@h"],
                       between={0: start, 2: _rebuild_later(tmp_path, clock)})
    assert hits >= 1
    assert text.count("returns: u < @ first >") == 2
    assert text.count("returns: u < @ second >") == 1
    # within the interval the memo still answers from the old file (documented)
    start()
    rebuild = _rebuild_later(tmp_path, [0.0])  # a clock of its own: this one stands still
    text, _ = _transcript(tmp_path, ["1 u@h", "1 u@h"], memo=True, between={1: rebuild})
    assert text.count("returns: u < @ first >") == 2


def test_remembered_map_answers_follow_a_rebuilt_map(tmp_path: Path, clock: list[float]) -> None:
    """Other calls asking the same key share the answer, until the file changes."""
    def start() -> None:
        clock[0] = 1000.0

    text, _ = _both(tmp_path, ["1 u@h", "1 v@h", "1 w@h"],
                    between={0: start, 2: _rebuild_later(tmp_path, clock)})
    assert "returns: u < @ first >" in text
    assert "returns: v < @ first >" in text
    assert "returns: w < @ second >" in text


def test_macro_map_side_effects_are_not_replayed(tmp_path: Path) -> None:
    text, _ = _both(tmp_path, ["5 one", "2 a", "5 two", "2 a", "5 one", "2 a"])
    assert text.count("returns: a one") == 2
    assert text.count("returns: a two") == 1


def test_a_map_open_error_is_printed_once(tmp_path: Path) -> None:
    text, _ = _both(tmp_path, ["4 h", "4 h"])
    assert text.count('missing map file') == 1


def test_host_answers_expire(tmp_path: Path, clock: list[float]) -> None:
    def move() -> None:
        (tmp_path / "hosts").write_text("192.0.2.1\tb.example.test a\n")

    def later() -> None:
        clock[0] += CANON_CACHE_SECONDS + 1

    def again() -> None:
        clock[0] = 1000.0  # the second engine starts from the same time

    text, hits = _both(tmp_path, ["8 a", "8 a", "8 a", "8 a"],
                       between={1: move, 3: later, 0: again})
    assert hits >= 1
    assert text.count("returns: a . example . test") == 3
    assert text.count("returns: b . example . test") == 1


def test_answers_from_outside_are_asked_again(tmp_path: Path) -> None:
    text, _ = _both(tmp_path, ["6 a", "6 a"])
    assert "returns: 1" in text
    assert "returns: 2" in text


def test_errors_are_raised_again(tmp_path: Path) -> None:
    text, _ = _both(tmp_path, ["7 a", "7 a"])
    assert text.count("rewrite: map undeclared not found") == 2
    assert "syserr_count=2" in text


def test_replays_still_count_recursion(tmp_path: Path) -> None:
    # the calls of 20 remembered from the first two lines come back 45 levels deep
    x10 = "x " * 10
    text, hits = _both(tmp_path, ["20 " + x10, "21 y y " + x10, "21 " + "y " * 45 + x10])
    assert hits >= 1
    assert text.count("rewrite: excessive recursion (max 50), ruleset 20") == 1


def test_replays_still_count_rule_tries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "MAX_RULE_TRIES", 30)
    # ruleset 23 on 8 a's tries its rule 9 times; from 22 it comes after 5 tries
    word = "a " * 8
    text, hits = _both(tmp_path, ["23 " + word, "22 " + word, "23 " + word])
    assert hits >= 1
    assert "too much work" not in text
    # 9 tries are within 12, but not after 22's 5: the replay must not hide that
    monkeypatch.setattr(engine_module, "MAX_RULE_TRIES", 12)
    text, _ = _both(tmp_path, ["23 " + word, "22 " + word])
    assert "rewrite: too much work in ruleset 22 (12 rule tries max)" in text


def test_sessions_with_their_own_macros_share_what_they_read_alike(tmp_path: Path) -> None:
    # a daemon swaps one MacroEnv per session onto the shared engine (mta.rules.check):
    # a remembered call is replayed for another environment only when the macros
    # it read have the same values there
    (tmp_path / "hosts").write_text("")
    config = load_cf("memo.cf", text=RULES.format(tmp=tmp_path))
    engine = RuleEngine(config, MapSet(config.maps, MapEnv(options=config.options)))

    def run(x: str | None, y: str = "same") -> tuple[str, int]:
        env = MacroEnv(config.macros)
        if x is not None:
            env.define("x", x)
        env.define("y", y)  # not read by ruleset 2: it must not matter
        engine.macros = env
        tokens = ["a"]
        hits = engine.memo_hits
        engine.rewrite(tokens, 2)
        return " ".join(tokens), engine.memo_hits - hits

    assert run("one") == ("a one", 0)
    assert run("one", y="other") == ("a one", 1)
    assert run("two") == ("a two", 0)
    assert run(None) == ("a", 0)
    assert run("two") == ("a two", 1)


def test_a_shared_lookup_sees_a_rebuilt_map(tmp_path: Path, clock: list[float]) -> None:
    # the daemon's alias question between rulesets (mta.rules.check._user_known)
    (tmp_path / "hosts").write_text("")
    with DbWriter(str(tmp_path / "acc.db")) as db:
        db.put("h", "first")
    config = load_cf("memo.cf", text=RULES.format(tmp=tmp_path))
    engine = RuleEngine(config, MapSet(config.maps, MapEnv(options=config.options)))
    assert engine.shared_lookup("acc", "h").value == "first"
    assert engine.shared_lookup("acc", "h").value == "first"
    _rebuild_later(tmp_path, clock)()
    assert engine.shared_lookup("acc", "h").value == "second"
    assert engine.shared_lookup("acc", "nokey").value is None
