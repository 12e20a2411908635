"""Tests for mta.rules.check: the Policy facade over hand-written check rulesets."""

from __future__ import annotations

import pytest

from mta.config.loader import load_cf
from mta.core.reply import Reply
from mta.rules.check import Policy, Verdict
from mta.rules.engine import RuleEngine

CF = """\
V10/Berkeley
Mlocal, P=/bin/true, F=lsDFM, A=local $u
S0
R$*		$#local $: $1
Scheck_mail
R<$* @ bad.test>	$#error $@ 5.7.1 $: "550 Access denied"
R<$* @ plain.test>	$#error $: "553 Plain text"
R<$* @ temp.test>	$#error $@ 4.3.2 $: "451 Try later"
R<$* @ gone.test>	$#discard $: discard
R<$* @ held.test>	$#error $@ quarantine $: "Held for review"
R$*			$@ OK
Scheck_relay
R$* $| 192.0.2.1	$#error $@ 5.7.1 $: "550 Your network is refused"
R$* $| $*		$# OK
Ssrv_features
R$*			$# P S
"""


@pytest.fixture
def policy() -> Policy:
    return Policy(RuleEngine(load_cf("check.cf", text=CF), None))


@pytest.mark.parametrize(
    ("arg", "expected"),
    [
        ("<a@ok.test>", Verdict(result=" OK")),
        ("<a@bad.test>", Reply(550, "5.7.1", "<a@bad.test>... Access denied")),
        ("<a@plain.test>", Reply(553, "5.0.0", "<a@plain.test>... Plain text")),
        ("<a@temp.test>", Reply(451, "4.3.2", "Try later")),
    ],
)
def test_check_mail_replies(policy: Policy, arg: str, expected: object) -> None:
    verdict = policy.check("check_mail", arg, macros=policy.engine.macros.copy(), e_to=arg)
    if isinstance(expected, Reply):
        assert verdict.reply == expected
    else:
        assert verdict.reply is None


def test_discard_and_quarantine(policy: Policy) -> None:
    macros = policy.engine.macros.copy()
    assert policy.check("check_mail", "<a@gone.test>", macros=macros).discard
    assert policy.check("check_mail", "<a@held.test>", macros=macros).quarantine == \
        "Held for review"


def test_check_relay_takes_two_arguments(policy: Policy) -> None:
    macros = policy.engine.macros.copy()
    refused = policy.check("check_relay", "x.test", "192.0.2.1", macros=macros)
    assert refused.reply == Reply(550, "5.7.1", "Your network is refused")
    assert policy.check("check_relay", "y.test", "192.0.2.2", macros=macros).accepted


def test_srv_features_value_and_missing_ruleset(policy: Policy) -> None:
    macros = policy.engine.macros.copy()
    assert policy.check("srv_features", "", macros=macros).value == "P S"
    assert policy.check("check_eom", "100", macros=macros) == Verdict()


@pytest.mark.parametrize(
    ("text", "path", "rest", "status"),
    [
        ("<a@b> SIZE=5", "<a@b>", " SIZE=5", None),
        ("a@b BODY=8BITMIME", "a@b", " BODY=8BITMIME", None),
        ('<"a b"@c> X=1', '<"a b"@c>', " X=1", None),
        ("<alice@example.net", "<alice@example.net", "", "5.0.0"),
    ],
)
def test_split_address(policy: Policy, text: str, path: str, rest: str,
                       status: str | None) -> None:
    got_path, got_rest, error = policy.split_address(text)
    assert (got_path, got_rest) == (path, rest)
    assert (error.status if error else None) == status
