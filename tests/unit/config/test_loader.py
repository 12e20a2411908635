"""mta.config.loader: messages for bad lines, as Sendmail 8.17 prints them."""

from __future__ import annotations

import pytest

from mta.config.loader import load_cf


@pytest.mark.parametrize(
    ("first_line", "message"),
    [
        ("Vabc", 'v.cf: line 1: invalid argument to V line: "abc"'),
        ("V", 'v.cf: line 1: invalid argument to V line: ""'),
        # a $x is Sendmail's byte 0201 and the name; the message loses the 8th bit
        ("V$j10", 'v.cf: line 1: invalid argument to V line: "\x01j10"'),
        ("VERSIONID($Id: generic-linux.mc,v 8.2)",
         'v.cf: line 1: invalid argument to V line: "ERSIONID(\x01Id: generi"'),
    ],
)
def test_a_bad_version_line(first_line: str, message: str) -> None:
    config = load_cf("v.cf", text=first_line + "\nMlocal, P=/bin/true, F=l, A=local $u\n")
    assert config.warnings[0] == message
    assert config.version_level == 0


def test_unbalanced_brackets_in_a_rule_are_kept_silently() -> None:
    # readcf() prescans both sides with "ignore" set: no "Unbalanced" message,
    # and the lone '>', '<' or '"' stays a token (sendmail 8.17 -bt =S shows it)
    text = (
        "V10/Berkeley\nStest\n"
        "R$* @ localhost >\t$@ m $1 >\n"
        "R$* <\t$@ lt $1 <\n"
        'R$* " x\t$@ q $1\n'
        "Mlocal, P=/bin/true, F=l, A=local $u\n"
    )
    config = load_cf("u.cf", text=text)
    assert config.warnings == ()
    rules = config.rulesets[config.ruleset_names["test"]].rules
    assert [str(t) for t in rules[0].lhs][1:] == ["@", "localhost", ">"]
    assert [str(t) for t in rules[0].rhs][-1] == ">"
    assert [str(t) for t in rules[1].lhs][1:] == ["<"]
    assert [str(t) for t in rules[1].rhs][-1] == "<"
    assert [str(t) for t in rules[2].lhs][1:] == ['" x']


def _rule_texts(text: str) -> tuple[list[str], list[str]]:
    return _rule_texts_with(text)


def _rule_texts_with(
    text: str, *, macros: dict[str, str] | None = None, overrides: dict[str, str] | None = None
) -> tuple[list[str], list[str]]:
    """The first rule of ruleset "test", its LHS and RHS tokens as text."""
    config = load_cf("r.cf", text=text, macros=macros, overrides=overrides)
    rule = config.rulesets[config.ruleset_names["test"]].rules[0]
    return [str(t) for t in rule.lhs], [str(t) for t in rule.rhs]


@pytest.mark.parametrize(
    ("version", "lhs_tail", "rhs_tail"),
    [("8", ["x"], ["m"]), ("10", ["(", "c", ")", "x"], ["m", "(", "d", ")"])],
)
def test_parentheses_in_a_rule_are_comments_below_version_9(
    version: str, lhs_tail: list[str], rhs_tail: list[str]
) -> None:
    # readcf() scans rules with IntTokenTab below V9 and TokTypeNoC from V9 on
    lhs, rhs = _rule_texts(
        f"V{version}/Berkeley\nStest\nR$* (c) x\t$@ m (d)\nMlocal, P=/bin/true, F=l, A=local $u\n"
    )
    assert lhs[1:] == lhs_tail
    assert rhs[1:] == rhs_tail


@pytest.mark.parametrize(
    ("option_line", "overrides", "expanded"),
    [
        ("", {}, "b"),  # the startup default, as sendmail -bt's main() defines it
        ("O DeliveryMode=deferred\n", {}, "d"),
        ("O DeliveryMode=\n", {}, "i"),
        ("Odq\n", {}, "q"),  # short form: the letter d
        ("O DeliveryMode=d\n", {"DeliveryMode": "q"}, "q"),  # -O/-odq are sticky
    ],
)
def test_a_delivery_mode_option_defines_the_macro_while_reading(
    option_line: str, overrides: dict[str, str], expanded: str
) -> None:
    # setoption() defines ${deliveryMode} at once, so a later rule expands it
    _lhs, rhs = _rule_texts_with(
        f"V10/Berkeley\n{option_line}Stest\nR$*\t$@ < ${{deliveryMode}} >\n"
        "Mlocal, P=/bin/true, F=l, A=local $u\n",
        macros={"deliveryMode": "b"},
        overrides=overrides,
    )
    assert rhs[1:] == ["<", expanded, ">"]


def test_a_rule_before_any_ruleset_is_refused() -> None:
    # readcf() has no current ruleset until the first S line; the message shows
    # the line as held, each "$" as byte 0201 less its 8th bit
    config = load_cf(
        "r.cf",
        text="V10/Berkeley\nR$* x\t$@ y $&j $=w\nS1\nR$* z\t$@ w\n"
        "Mlocal, P=/bin/true, F=l, A=local $u\n",
    )
    assert config.warnings == (
        'r.cf: line 2: missing valid ruleset for "R\x01* x\t\x01@ y \x01&j \x01=w"',
    )
    assert 0 not in config.rulesets
    assert len(config.rulesets[1].rules) == 1


@pytest.mark.parametrize(
    ("version", "level_warnings"),
    [
        ("10", ()),
        # not at the V line: after the file, without a line number
        ("11", ("Warning: .cf version level (11) exceeds sendmail version 8.17.1.9 "
                "functionality (10)",)),
    ],
)
def test_a_version_level_above_10_is_reported_after_the_file(
    version: str, level_warnings: tuple[str, ...]
) -> None:
    config = load_cf("v.cf", text=f"V{version}\nS0\n")
    assert config.warnings == (*level_warnings, "No local mailer defined")
