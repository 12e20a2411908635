"""Tests for mta.rules.engine and mta.rules.testmode against hostile rulesets and input.

DESCRIPTION
    A ruleset that calls itself on every rule (Sendmail itself never finishes
    it: 100 loop tries at each of 50 recursion levels) ends with a syserr and
    EX_CONFIG; a rule that doubles its input stops at "expansion too long";
    a rule that rewrites to itself hits the loop guard; a 100 KB address is
    refused with Sendmail's length message; a missing local mailer is reported
    as Sendmail reports it. The `sendmail -bt` command runs the same cases in a
    subprocess and must exit with status 70 and no traceback.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mta.config.loader import load_cf
from mta.config.model import Op, OpKind
from mta.rules.engine import EX_CONFIG, EX_DATAERR, EX_OK, MAX_RULE_TRIES, RuleEngine
from mta.rules.testmode import TestMode

CF = """\
V10/Berkeley
Mlocal, P=/bin/true, F=l, A=local $u
S1
R$*		$> 1 $1
S2
R$*		$1
S3
R$+		$: $1 $1
R$+		$1 $1
S4
R$+ @ $+	$@ $1 < @ $2 >
"""


def _engine() -> tuple[RuleEngine, list[str]]:
    lines: list[str] = []
    engine = RuleEngine(load_cf("hostile.cf", text=CF), None, out=lines.append)
    return engine, lines


def test_endless_recursion_ends_with_a_syserr() -> None:
    engine, lines = _engine()
    tokens, _, _ = engine.tokenize("a")
    assert tokens is not None
    assert engine.rewrite(tokens, 1) == EX_CONFIG
    assert lines[-1] == f"rewrite: too much work in ruleset 1 ({MAX_RULE_TRIES} rule tries max)"
    assert "rewrite: excessive recursion (max 50), ruleset 1" in lines
    assert engine.exit_stat == 70
    # the budget is per top-level call: an ordinary ruleset still runs afterwards
    tokens, _, _ = engine.tokenize("u@h")
    assert tokens is not None
    assert engine.rewrite(tokens, 4) == EX_OK
    assert tokens == ["u", "<", "@", "h", ">"]


@pytest.mark.parametrize(
    ("ruleset", "status", "message"),
    [(2, EX_OK, "Infinite loop in ruleset 2, rule 1"),
     (3, EX_DATAERR, "rewrite: expansion too long")],
)
def test_runaway_rules(ruleset: int, status: int, message: str) -> None:
    engine, lines = _engine()
    tokens, _, _ = engine.tokenize("x")
    assert tokens is not None
    assert engine.rewrite(tokens, ruleset) == status
    assert message in lines


def test_huge_address_is_refused_in_test_mode() -> None:
    engine, _ = _engine()
    out: list[str] = []
    mode = TestMode(engine, None, out.append)
    mode.line("4 " + "a" * 100_000 + "@example.test")
    text = "".join(out)
    assert text.startswith('Address "' + "a" * 255 + '" too long (255 bytes max)')
    assert "input:" not in text


def test_missing_local_mailer_is_reported() -> None:
    config = load_cf("nolocal.cf", text="V10/Berkeley\nS0\n")
    assert "No local mailer defined" in config.warnings


def test_sendmail_bt_survives_hostile_input(tmp_path: Path) -> None:
    cf = tmp_path / "hostile.cf"
    cf.write_text(CF)
    stdin = "1 a\n3 c\n4 " + "b" * 100_000 + "\n/parse " + "c" * 100_000 + "\n"
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("sendmail")), "-bt", "-C", str(cf)],
        input=stdin.encode(), capture_output=True, timeout=120, check=False,
    )
    out = proc.stdout.decode("latin-1")
    assert proc.returncode == 70, proc.stderr
    assert b"Traceback" not in proc.stderr
    assert "rewrite: too much work in ruleset 1" in out
    assert "rewrite: expansion too long" in out
    assert 'Address "' + "b" * 255 + '" too long (255 bytes max)' in out
    assert "c" * 100 + "..." + "c" * 100 + "... Address too long" in out  # from prescan
    assert "Cannot parse" in out


def test_unopenable_map_is_an_os_error(tmp_path: Path) -> None:
    """Sendmail's map open failure is a syserr with errno set: exit status 71."""
    cf = tmp_path / "map.cf"
    cf.write_text(CF + f"Kacc hash {tmp_path}/missing/acc\nS5\nR$*\t$: $(acc $1 $)\n")
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("sendmail")), "-bt", "-C", str(cf)],
        input=b"5 a\n", capture_output=True, timeout=60, check=False,
    )
    out = proc.stdout.decode("latin-1")
    assert f'hash map "acc": missing map file {tmp_path}/missing/acc.db' in out
    assert "== Ruleset 5 (5) status 75" in out
    assert proc.returncode == 71


def _reference_match(pattern: list[str], tokens: list[str]) -> list[tuple[int, int]] | None:
    """Sendmail's matcher for literals, $*, $+ and $-, one token at a time."""
    mlist: list[list[int]] = []
    rv = av = 0
    n, nl = len(tokens), len(pattern)
    while av < n or rv < nl:
        ok = True
        if rv >= nl:
            ok = False
        else:
            p = pattern[rv]
            if av >= n and p != "$*":
                ok = False
            elif p == "$*":
                mlist.append([rv, av, av - 1])
            elif p in ("$+", "$-"):
                mlist.append([rv, av, av])
                av += 1
            elif tokens[av] == p:
                av += 1
            else:
                ok = False
        if ok:
            rv += 1
            continue
        while mlist:
            entry = mlist[-1]
            av = entry[2] + 1
            if av < n and pattern[entry[0]] in ("$*", "$+"):
                entry[2] = av
                av += 1
                rv = entry[0] + 1
                break
            mlist.pop()
        else:
            return None
    return [(e[1], e[2]) for e in mlist]


@given(
    st.lists(st.sampled_from(["$*", "$+", "$-", "a", "b", "<", ">"]), max_size=7),
    st.lists(st.sampled_from(["a", "b", "c", "<", ">"]), max_size=9),
)
@settings(max_examples=1500, deadline=None)
def test_matcher_binds_as_sendmail_does(pattern: list[str], tokens: list[str]) -> None:
    """The matcher's shortcut past $* and $+ before a literal changes no binding."""
    cf = "V10/Berkeley\nS1\nR" + " ".join(pattern) + "\t$@ x\n"
    engine = RuleEngine(load_cf("match.cf", text=cf), None)
    rule = engine.rules[1][0]
    # the pattern as the loader kept it (an unbalanced ">" is dropped, as Sendmail does)
    spelled = [str(tok) for tok in rule.lhs_tokens]
    got = engine._match(rule, list(tokens), list(tokens), engine.classes)
    bindings = None if got is None else [(got[i + 1], got[i + 2]) for i in range(0, len(got), 3)]
    assert bindings == _reference_match(spelled, tokens)


def test_replacement_out_of_bounds_at_run_time() -> None:
    """The loader warns; the rule still runs and the rewrite stops with EX_CONFIG."""
    config = load_cf("bounds.cf", text="V10/Berkeley\nS5\nR$+\t$2\n")
    assert "bounds.cf: line 3: replacement $2 out of bounds" in config.warnings
    lines: list[str] = []
    engine = RuleEngine(config, None, out=lines.append)
    tokens, _, _ = engine.tokenize("a")
    assert tokens is not None
    assert engine.rewrite(tokens, 5) == EX_CONFIG
    assert lines == ["rewrite: ruleset 0: replacement $2 out of bounds"]


SUBR_CF = """\
V10/Berkeley
SEmpty=5
SOther=6
R$*		$@ other $1
S1
R$*		$: $>Empty $>Other $1
S2
R$*		$: $1 y
"""


def test_a_call_of_an_empty_ruleset_hides_the_next_call() -> None:
    """Sendmail drops "$>Empty" and does not look at the token that takes its place."""
    engine = RuleEngine(load_cf("subr.cf", text=SUBR_CF), None)
    pvp = ["x"]
    assert engine.rewrite(pvp, 1) == EX_OK
    assert engine.printav(pvp) == " $> Other x"


def test_a_call_among_the_tokens_is_made_after_any_rule() -> None:
    """callsubr() runs after every rule, so a "$>" the tokens carry is called."""
    engine = RuleEngine(load_cf("subr.cf", text=SUBR_CF), None)
    pvp = [Op(OpKind.CALLSUBR), "Other", "x"]
    assert engine.rewrite(pvp, 2) == EX_OK
    assert pvp == ["other", "x", "y"]


def test_a_deferred_macro_that_scans_to_nothing_ends_the_ruleset_with_dataerr() -> None:
    """$&x whose value is only blanks: no tokens, so the ruleset stops with EX_DATAERR."""
    cf = "V10/Berkeley\nS1\nR$*\t\t$: $1 $&x\nR$*\t\t$: $1 more\n"
    lines: list[str] = []
    engine = RuleEngine(load_cf("deferred.cf", text=cf), None, out=lines.append)
    engine.macros.define("x", " ")
    pvp = ["a"]
    assert engine.rewrite(pvp, 1) == EX_DATAERR
    assert pvp == ["a"] and lines == []
