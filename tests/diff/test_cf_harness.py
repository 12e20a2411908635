"""Unit tests of the sendmail-cf verdict harness: extraction, comparison, inputs, cases.

DESCRIPTION
    tests/diff/cf_extract.py decides what a -bt "verdict" is, so its rules are
    pinned here on transcript pieces written the way the real Sendmail 8.17
    prints them (copied from real runs, shortened): top-level returns found
    by nesting, the accept normalisation of check results, message lines, the
    hook rulesets. compare_verdicts() is checked on hand-made transcripts,
    cf_inputs on its promises (300 distinct addresses per case, fixed seed,
    no prompt-like or empty-valued lines), the .mc files on their
    conventions, and compile_mc() on a compiler command with placeholders.
    Nothing here needs m4, sendmail or namespaces.

SEE ALSO
    tests/diff/test_cf_verdicts.py (the differential tests themselves).
"""

from __future__ import annotations

import re
from pathlib import Path

import cf_extract
import cf_inputs
import cf_verdicts
import pytest
from bt.harness import InputLine, Transcript
from cf_extract import Trace, Verdict, extract, kind_of, parse_trace, top_level_returns

CF_DIR = cf_verdicts.CF_DIR


def _trace(name: str, kind: str, tokens: str = "") -> str:
    """A trace line as Sendmail prints it: "%-16.16s %7s:" and the tokens."""
    return f"{name[:16]:<16} {kind:>7}:{' ' + tokens if tokens else ''}"


# --- trace lines -------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("canonify           input: u @ x . test", Trace("canonify", False, "u @ x . test")),
        ("canonify         returns: u < @ x . >", Trace("canonify", True, "u < @ x . >")),
        ("Basic_check_rela returns: RELAY", Trace("Basic_check_rela", True, "RELAY")),
        ("RelayTLS           input:", Trace("RelayTLS", False, "")),
        ("3                returns: a", Trace("3", True, "a")),
        ("mailer local, user user", None),
        ("Cracked address = $g", None),
        ("user@... Hostname required", None),
        ("Undefined ruleset check_mail", None),
        ("Rcode = 0, addr = user@example.com", None),
        ("a b c d e f g h i returns: x", None),
    ],
)  # fmt: skip
def test_parse_trace(line: str, expected: Trace | None) -> None:
    assert parse_trace(line) == expected
    if expected is not None:
        kind = "returns" if expected.returns else "input"
        assert _trace(expected.name, kind, expected.tokens) == line


def test_top_level_returns_follows_nesting() -> None:
    """Nested calls, a recursion of one name, and a call that never printed returns:."""
    lines = [
        Trace("parse", False, "a"),
        Trace("Mailertable", False, "a"),
        Trace("Mailertable", False, "a"),
        Trace("Recurse", False, "a"),  # returns early: no returns: line
        Trace("Mailertable", True, "b"),
        Trace("Mailertable", True, "b"),
        Trace("parse", True, "$# esmtp"),
        Trace("parse", False, "c"),
        Trace("parse", True, "$# local"),
    ]
    assert top_level_returns(lines) == [
        Trace("parse", True, "$# esmtp"),
        Trace("parse", True, "$# local"),
    ]


# --- extraction on real-looking pieces ------------------------------------------

USER = "user < @ remote . example . net . >"
ESMTP = f"$# esmtp $@ remote . example . net . $: {USER}"
PIECE_3_0 = "\n".join(
    [
        _trace("canonify", "input", "user @ remote . example . net"),
        _trace("Canonify2", "input", "user < @ remote . example . net >"),
        _trace("Canonify2", "returns", "user < @ remote . example . net . >"),
        _trace("canonify", "returns", "user < @ remote . example . net . >"),
        _trace("parse", "input", "user < @ remote . example . net . >"),
        _trace("Parse0", "input", "user < @ remote . example . net . >"),
        _trace("Parse0", "returns", "user < @ remote . example . net . >"),
        _trace("Parse1", "input", "user < @ remote . example . net . >"),
        _trace("canonify", "input", "x"),  # a nested canonify must not count
        _trace("canonify", "returns", "x"),
        _trace("Parse1", "returns", ESMTP),
        _trace("parse", "returns", ESMTP),
        "",
    ]
)  # fmt: skip


def test_extract_3_0_is_canonify_then_parse() -> None:
    verdict = extract("3,0 user@remote.example.net", PIECE_3_0)
    assert verdict.key == (
        f"3 returns: {USER}",
        f"0 returns: {ESMTP}",
    )
    assert verdict.shown[0].startswith("canonify returns: ")
    assert verdict.shown[1].startswith("parse returns: $# esmtp")


def test_extract_ignores_subroutine_names() -> None:
    """The same verdict through differently named and split subroutines is the same key."""
    other = PIECE_3_0.replace("Canonify2", "MyCanonX9").replace("Parse1", "Route1")
    other = other.replace(_trace("Parse0", "returns", USER) + "\n", "")
    other = other.replace(_trace("Parse0", "input", USER) + "\n", "")
    line = "3,0 user@remote.example.net"
    assert extract(line, other).key == extract(line, PIECE_3_0).key


def test_extract_keeps_message_lines() -> None:
    piece = "\n".join(
        [
            "<user@example.test... Unbalanced '<'",
            _trace("canonify", "input", "< user @ example . test >"),
            _trace("canonify", "returns", "user < @ example . test . >"),
            _trace("parse", "input", "user < @ example . test . >"),
            _trace("parse", "returns", "$# local $: user"),
            "",
        ]
    )
    key = extract("3,0 <user@example.test", piece).key
    assert key == (
        "3 returns: user < @ example . test . >",
        "0 returns: $# local $: user",
        "<user@example.test... Unbalanced '<'",
    )


PIECE_RCPT_DENIED = "\n".join(
    [
        _trace("check_rcpt", "input", "< user @ remote . example . net >"),
        _trace("Basic_check_rcpt", "input", "< user @ remote . example . net >"),
        _trace("Basic_check_rcpt", "returns", '$# error $@ 5 . 7 . 1 $: "550 Relaying denied"'),
        _trace("check_rcpt", "returns", '$# error $@ 5 . 7 . 1 $: "550 Relaying denied"'),
        "",
    ]
)


def test_extract_check_error_is_compared_as_printed() -> None:
    verdict = extract("check_rcpt <user@remote.example.net>", PIECE_RCPT_DENIED)
    assert verdict.key == ('check_rcpt returns: $# error $@ 5 . 7 . 1 $: "550 Relaying denied"',)


def test_extract_check_go_on_is_accept_unless_strict() -> None:
    piece = "\n".join(
        [
            _trace("check_rcpt", "input", "< u @ example . test >"),
            _trace("checkrcpt", "input", "< u @ example . test >"),
            _trace("checkrcpt", "returns", "RELAY"),
            _trace("check_rcpt", "returns", "< ? > u < @ example . test >"),
            "",
        ]
    )
    line = "check_rcpt <u@example.test>"
    rest = "< ? > u < @ example . test >"
    assert extract(line, piece).key == ("check_rcpt returns: accept",)
    assert extract(line, piece).shown == (f"check_rcpt returns: accept ({rest})",)
    assert extract(line, piece, strict=True).key == (f"check_rcpt returns: {rest}",)
    assert extract(line, piece.replace(rest, "OK")).key == extract(line, piece).key
    # $# OK and $# RELAY let the command through as well: rscheck() refuses
    # only for $# error and $# discard
    for go_on in ("$# OK", "$# RELAY"):
        assert extract(line, piece.replace(rest, go_on)).key == extract(line, piece).key
    discard = piece.replace(rest, "$# discard $: discard")
    assert extract(line, discard).key == ("check_rcpt returns: $# discard $: discard",)


def test_extract_hook_counts_as_its_check() -> None:
    piece = "\n".join(
        [
            _trace("Test_check_relay", "input", "x"),
            _trace("check_relay", "input", "spam . bad . test $| 203 . 0 . 113 . 5"),
            _trace("check_relay", "returns", '$# error $: "550 Go away"'),
            _trace("Test_check_relay", "returns", '$# error $: "550 Go away"'),
            "",
        ]
    )
    assert kind_of("Test_check_relay 203.0.113.5") == "check_relay"
    assert extract("Test_check_relay 203.0.113.5", piece).key == (
        'Test_check_relay returns: $# error $: "550 Go away"',
    )
    accepted = piece.replace('$# error $: "550 Go away"', "OK")
    assert extract("Test_check_relay x", accepted).key == ("Test_check_relay returns: accept",)


@pytest.mark.parametrize(
    ("line", "piece", "key"),
    [
        ("check_mail <u>", "Undefined ruleset check_mail\n", ("Undefined ruleset check_mail",)),
        (
            "/parse user@",
            "Cracked address = $g\nParsing envelope recipient address\n"
            + _trace("canonify", "input", "user @")
            + "\n"
            + _trace("canonify", "returns", "user < @ >")
            + "\nuser@... Hostname required\n"
            'mailer *error*, host 5.1.3, user "553 Hostname required"\n',
            (
                "Cracked address = $g",
                "Parsing envelope recipient address",
                "user@... Hostname required",
                'mailer *error*, host 5.1.3, user "553 Hostname required"',
            ),
        ),
        (
            "/try esmtp bob",
            "Trying envelope sender address bob for mailer esmtp\n"
            + _trace("EnvFromSMTP", "input", "bob")
            + "\nRcode = 0, addr = bob@example.com\n",
            (
                "Trying envelope sender address bob for mailer esmtp",
                "Rcode = 0, addr = bob@example.com",
            ),
        ),
        (".D{client_addr} 127.0.0.1", "", ()),
        ("3,0 x", "== Ruleset 3,0 (3) status 65\n", ("== Ruleset 3,0 (#) status 65",)),
        (
            "check_rcpt <u>",
            "== Ruleset check_rcpt (175) status 75\n",
            ("== Ruleset check_rcpt (#) status 75",),
        ),
    ],
)  # fmt: skip
def test_extract_other_lines(line: str, piece: str, key: tuple[str, ...]) -> None:
    assert extract(line, piece).key == key


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("3,0 a@b", "3,0"),
        ("/parse a@b", "/parse"),
        ("/try esmtp a@b", "/try"),
        ("/tryflags HS", cf_extract.SETUP),
        (".D{client_addr} 1.2.3.4", cf_extract.SETUP),
        (".Df a@b", cf_extract.SETUP),
        ("", cf_extract.SETUP),
        ("# comment", cf_extract.SETUP),
        ("check_rcpt <a@b>", "check_rcpt"),
        ("Test_greet_pause 1.2.3.4", "greet_pause"),
        ("Test_other x", "Test_other"),
    ],
)
def test_kind_of(line: str, kind: str) -> None:
    assert kind_of(line) == kind


# --- comparison ------------------------------------------------------------------


def _lines(*texts: str) -> list[InputLine]:
    return [InputLine("t.bt", n, text) for n, text in enumerate(texts, start=1)]


BANNER = "ADDRESS TEST MODE (ruleset 3 NOT automatically invoked)\nEnter <ruleset> <address>\n"


def test_compare_verdicts_counts_and_reports() -> None:
    inputs = _lines(".D{client_name} remote.example.net", ".Df a@b", "check_rcpt <u@x>", "3,0 u")
    denied = PIECE_RCPT_DENIED
    accept = denied.replace('$# error $@ 5 . 7 . 1 $: "550 Relaying denied"', "OK")
    real = Transcript(f"{BANNER}> > > {denied}> {PIECE_3_0}> ", "", 0)
    renamed = PIECE_3_0.replace("Canonify2", "Xanonify2")
    ours = Transcript(f"{BANNER}> > > {accept}> {renamed}> ", "", 0)
    result = cf_verdicts.compare_verdicts(inputs, real, ours, labels=("real.cf", "ours.cf"))
    assert result.counts == {"check_rcpt": [0, 1], "3,0": [1, 1]}
    assert (result.identical, result.total, result.ok) == (1, 2, False)
    assert [m.line.lineno for m in result.mismatches] == [3]
    assert result.mismatches[0].context == "client remote.example.net [], sender a@b"
    report = result.report()
    assert report.startswith("1 of 2 verdicts identical (check_rcpt 0/1, 3,0 1/1)")
    assert '- check_rcpt returns: $# error $@ 5 . 7 . 1 $: "550 Relaying denied"' in report
    assert "+ check_rcpt returns: accept (OK)" in report
    assert "t.bt:3: check_rcpt <u@x>" in report
    same = cf_verdicts.compare_verdicts(inputs, real, real, labels=("a", "b"))
    assert same.ok and same.identical == same.total == 2


def test_compare_verdicts_notes_status_stderr_and_framing() -> None:
    inputs = _lines("3,0 u")
    real = Transcript(f"{BANNER}> {PIECE_3_0}> ", "", 0)
    broken = Transcript(f"{BANNER}> {PIECE_3_0}", "readcf: trouble\n", 71)
    result = cf_verdicts.compare_verdicts(inputs, real, broken, labels=("real.cf", "ours.cf"))
    notes = "\n".join(result.notes)
    assert "exit status: real.cf 0, ours.cf 71" in notes
    assert "stderr differs" in notes and "readcf: trouble" in notes
    assert "framing: ours.cf printed 1 prompts for 1 input lines" in notes
    assert not result.ok and result.identical == 1


def test_verdict_diff_marks_sides() -> None:
    lines = cf_verdicts.verdict_diff(("a", "b"), ("a", "c"), ("real", "ours"))
    assert lines == ["      (- real, + ours)", "        a", "      - b", "      + c"]


# --- inputs ----------------------------------------------------------------------


def test_configs_are_enough() -> None:
    assert len(cf_verdicts.CONFIGS) >= 8


@pytest.mark.parametrize("config", cf_verdicts.CONFIGS)
def test_case_inputs(config: str) -> None:
    """300 distinct addresses, the same every time, and lines that keep -bt framing sane."""
    mc = CF_DIR / f"{config}.mc"
    addresses = cf_inputs.addresses(mc)
    assert len(addresses) >= 300 and len(set(addresses)) == len(addresses)
    assert addresses[: len(cf_inputs.CORE_ADDRESSES)] == list(cf_inputs.CORE_ADDRESSES)
    assert addresses == cf_inputs.addresses(mc)
    for address in addresses:
        assert address.strip() and address[0] not in "> \t" and "\n" not in address
    lines = cf_inputs.case_lines(mc)
    kinds = {kind_of(line) for line in lines}
    assert {"3,0", "/parse", "/try", "check_mail", "check_rcpt", "check_relay"} <= kinds
    for line in lines:
        if line.startswith(".D"):
            # an empty value makes $&x scan to nothing: the ruleset ends with status 65
            assert re.fullmatch(r"\.D(\{\w+\}|\w) \S.*", line), line
    assert sum(kind_of(line) != cf_extract.SETUP for line in lines) >= 5 * len(addresses)


def test_case_inputs_differ_between_cases() -> None:
    first, second = (cf_inputs.addresses(CF_DIR / f"{c}.mc") for c in cf_verdicts.CONFIGS[:2])
    assert first != second


@pytest.mark.parametrize("config", cf_verdicts.CONFIGS)
def test_mc_conventions(config: str) -> None:
    """The real include path, maps under @DIR@, and the check_relay hook."""
    text = (CF_DIR / f"{config}.mc").read_text()
    assert "include(`/usr/share/sendmail/cf/m4/cf.m4')" in text
    assert "@DIR@/" in text
    assert "Test_check_relay" in cf_inputs.hook_rulesets(CF_DIR / f"{config}.mc")
    for path in re.findall(r"@DIR@/([\w.-]+)", text):
        if path not in ("statistics", "mqueue"):
            assert (cf_verdicts.SITE_DIR / path).exists(), path


def test_site_words_come_from_the_site() -> None:
    domains, locals_ = cf_inputs.site_words()
    assert {"virtual.test", "route.test", ".route.test", "relay.test"} <= set(domains)
    assert {"info", "sales", "alice", "spammer", "postmaster"} <= set(locals_)
    assert not [d for d in domains if re.fullmatch(r"[\d.]+", d)]


# --- compiling ---------------------------------------------------------------------


def test_compile_mc_with_a_command(tmp_path: Path) -> None:
    """{mc} and {cf} are filled in; @DIR@ is the namespace path; failures are CaseErrors."""
    template = tmp_path / "t.mc"
    template.write_text("dnl maps in @DIR@/access\n")
    site = tmp_path / "site"
    site.mkdir()
    compiled = cf_verdicts.compile_mc("cp {mc} {cf}", template, "/mnt/t", site)
    assert compiled.cf.read_text() == "dnl maps in /mnt/t/access\n"
    with pytest.raises(cf_verdicts.CaseError, match="exited 3"):
        cf_verdicts.compile_mc("sh -c 'echo oops >&2; exit 3'", template, "/mnt/t", site)
    with pytest.raises(cf_verdicts.CaseError, match=r"wrote no sendmail\.cf"):
        cf_verdicts.compile_mc("true", template, "/mnt/t", site)
    with pytest.raises(cf_verdicts.CaseError, match="did not run"):
        cf_verdicts.compile_mc(str(tmp_path / "no-such-compiler"), template, "/mnt/t", site)


def test_verdict_is_a_value() -> None:
    assert Verdict(("a",), ("a",)) == Verdict(("a",), ("a",))
