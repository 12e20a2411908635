"""Tests for mta.rules.resolve (parseaddr, buildaddr, remotename) and mta.rules.headers.

DESCRIPTION
    crackaddr templates for phrases, comments, quotes, groups and broken
    syntax (the same inputs are in tests/diff/bt/parse.in, where /parse
    compares our "Cracked address" lines with Sendmail 8.17's); parseaddr and
    remotename over a small hand-written .cf: the mailer triple, lower-casing
    by F=u/F=h, $#error with its message, exit status and address state, the
    prog mailer for "|command", unknown mailers; and the small helpers
    (isenhsc, shortenstring, dsn_to_exit_status, error message prefixes).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mta.config.loader import load_cf
from mta.config.tokens import xputs
from mta.maps.registry import MapSet
from mta.rules.engine import RuleEngine, isenhsc, shortenstring
from mta.rules.headers import crackaddr, must_quote_chars
from mta.rules.resolve import (
    RF_HEADERADDR,
    RF_SENDERADDR,
    AddressState,
    parseaddr,
    remotename,
)
from mta.util.sysexits import (
    EX_CONFIG,
    EX_DATAERR,
    EX_NOHOST,
    EX_NOUSER,
    EX_OK,
    EX_PROTOCOL,
    EX_SOFTWARE,
    EX_TEMPFAIL,
    EX_UNAVAILABLE,
    EX_USAGE,
    dsn_to_exit_status,
)


@pytest.mark.parametrize(
    ("address", "template"),
    [
        ("user@example.test", "$g"),
        ("Real Name <user@example.test>", "Real Name <$g>"),
        ('"Last, First" <user@example.test>', '"Last, First" <$g>'),
        ("user@example.test (Comment here)", "$g (Comment here)"),
        ("(lead) user@example.test", "(lead) $g"),
        ("Joe Q. Public <joe@example.test> (comment) trailing",
         '"Joe Q. Public" <$g> (comment) trailing'),
        ("<<user@example.test>>", '"<"<$g>'),
        ("a <b> <c@d>", '"a <b>" <$g>'),
        ("group: a@b, c@d;", "group: $g;"),
        ('"quoted \\" inside" <q@example.test>', '"quoted \\" inside" <$g>'),
        ("back\\slash <x@example.test>", '"back\\slash" <$g>'),
        ("host::user", "$g"),
        ("user@example.test (unclosed comment", "$g (unclosed comment)"),
        ('"unclosed quote <x@example.test>', "$g"),
        ("<x@example.test", "<$g>"),
        ("  spaced   <s@example.test>", "  spaced   <$g>"),
        ("o'brien <ob@example.test>", "\"o'brien\" <$g>"),
        ("[ipv6:::1]:user", '"[ipv6:::1]":$g'),
        ("((nested) comment) n@example.test", "((nested) comment) $g"),
        ("a)b@example.test", "$g"),
    ],
)
def test_crackaddr(address: str, template: str) -> None:
    assert xputs(crackaddr(address)) == template


def test_crackaddr_overflow_gives_bare_angle_template() -> None:
    phrase = "x" * 300
    assert xputs(crackaddr(f"{phrase} <user@example.test>")) == "<$g>"


def test_crackaddr_colon_ok_keeps_group_syntax_out() -> None:
    assert xputs(crackaddr("group: a@b;", colon_ok=True)) == "$g"
    assert must_quote_chars(".") == "@,;:\\()[]."


CF = """\
V10/Berkeley
DjMAIL.EXAMPLE.TEST
Mlocal, P=/bin/true, F=ls|, S=0, R=0, A=local $u
Mesmtp, P=[IPC], F=mDFMuXa, S=EnvFrom, R=EnvTo, A=TCP $h
S3
R$* < $* > $*	$2
SEnvFrom=10
R$*		$@ $1 @ sender . test
SEnvTo=11
R$*		$@ $1
S0
R$+ @ gone . test	$#error $@ 5.1.2 $: "553 Host gone"
R$+ @ nouser . test	$#error $@ nouser $: 550 No such user
R$+ @ tmp . test	$#error $@ 4.4.3 $: "451 Try later"
R$+ @ odd . test	$#nosuchmailer $@ x $: $1
R$+ @ nohost . test	$#esmtp $: $1
R$+ @ $+		$#esmtp $@ $2 $: $1 @ $2
R$+		$#local $: $1
"""


@pytest.fixture
def lines() -> list[str]:
    """What the engine prints."""
    return []


@pytest.fixture
def engine(lines: list[str]) -> RuleEngine:
    return RuleEngine(load_cf("test.cf", text=CF), None, out=lines.append)


@pytest.mark.parametrize(
    ("address", "mailer", "host", "user"),
    [
        ("User@Example.Test", "esmtp", "example.test", "User@Example.Test"),
        ("Bob", "local", None, "bob"),
        ('"|/usr/bin/vacation bob"', "prog", None, '"|/usr/bin/vacation bob"'),
        ("Real Name <user@example.test>", "esmtp", "example.test", "user@example.test"),
    ],
)
def test_parseaddr_triples(engine: RuleEngine, address: str, mailer: str, host: str | None,
                           user: str) -> None:
    result = parseaddr(engine, address)
    assert result is not None
    assert (result.mailer_name, result.host, result.user) == (mailer, host, user)
    assert result.state is AddressState.OK
    assert engine.exit_stat == EX_OK


@pytest.mark.parametrize(
    ("address", "host", "message", "status", "state"),
    [
        ("x@gone.test", "5.1.2", "x@gone.test... Host gone", EX_NOHOST, AddressState.BADADDR),
        ("x@nouser.test", "nouser", "x@nouser.test... No such user", EX_NOUSER,
         AddressState.BADADDR),
        ("x@tmp.test", "4.4.3", "Try later", EX_TEMPFAIL, AddressState.QUEUEUP),
    ],
)
def test_parseaddr_error_mailer(engine: RuleEngine, lines: list[str], address: str, host: str,
                                message: str, status: int, state: AddressState) -> None:
    result = parseaddr(engine, address)
    assert result is not None
    assert (result.mailer_name, result.host, result.state) == ("*error*", host, state)
    assert lines[-1] == message
    assert engine.exit_stat == status


def test_parseaddr_configuration_errors_are_syserrs(engine: RuleEngine, lines: list[str]) -> None:
    odd = parseaddr(engine, "x@odd.test")
    assert odd is not None and odd.state is AddressState.BADADDR
    assert "buildaddr: unknown mailer nosuchmailer" in lines
    assert engine.exit_stat == EX_SOFTWARE
    nohost = parseaddr(engine, "x@nohost.test")
    assert nohost is not None and nohost.mailer_name == "*error*"
    assert "buildaddr: no host" in lines


def test_parseaddr_refuses_overlong_and_unscannable(engine: RuleEngine, lines: list[str]) -> None:
    long_address = "a" * 200 + "@" + "b" * 100 + ".test"
    assert parseaddr(engine, long_address) is None
    assert lines[-1].endswith('too long (255 bytes max)')
    assert lines[-1].startswith("a" * 100 + "...")
    assert parseaddr(engine, "") is None


@pytest.mark.parametrize(
    ("flags", "address", "expected"),
    [
        (RF_SENDERADDR, "Joe <joe>", "Joe <joe@sender.test>"),
        (0, "joe (Joe)", "joe (Joe)"),
        (RF_SENDERADDR | RF_HEADERADDR, "joe", "joe@sender.test"),
    ],
)
def test_remotename(engine: RuleEngine, flags: int, address: str, expected: str) -> None:
    mailer = engine.config.mailers["esmtp"]
    assert remotename(engine, address, mailer, flags) == (expected, EX_OK)


@pytest.mark.parametrize(
    ("text", "delim", "length"),
    [("5.1.3 text", " ", 5), ("4.123.456", "", 9), ("5.1234.1 x", " ", 0), ("3.1.1 x", " ", 0),
     ("5.1.", "", 0), ("550 x", " ", 0)],
)
def test_isenhsc(text: str, delim: str, length: int) -> None:
    assert isenhsc(text, delim) == length


def test_shortenstring() -> None:
    assert shortenstring("short", 203) == "short"
    long_text = "h" * 150 + "t" * 150
    assert shortenstring(long_text, 203) == "h" * 100 + "..." + "t" * 100
    assert shortenstring("abcdefgh", 8) == "abcde..."


@pytest.mark.parametrize(
    ("dsn", "status"),
    [("2.0.0", EX_OK), ("4.4.1", EX_TEMPFAIL), ("5.1.0", EX_DATAERR), ("5.1.1", EX_NOUSER),
     ("5.1.2", EX_NOHOST), ("5.1.3", EX_USAGE), ("5.1.5", EX_CONFIG), ("5.2.3", EX_DATAERR),
     ("5.3.0", 71), ("5.4.4", EX_PROTOCOL), ("5.7.1", EX_DATAERR), ("5.9.9", EX_UNAVAILABLE),
     ("6.0.0", EX_CONFIG)],
)
def test_dsn_to_exit_status(dsn: str, status: int) -> None:
    assert dsn_to_exit_status(dsn) == status


def test_usrerr_prefix_only_for_mailbox_codes(engine: RuleEngine, lines: list[str]) -> None:
    engine.e_to = "who@example.test"
    engine.usrerr("553 5.1.3 bad one")
    engine.usrerr("501 5.1.3 syntax")
    engine.usrerr("plain text é")
    assert lines[-3:] == [
        "who@example.test... bad one", "syntax", "who@example.test... plain text i"]


def test_a_map_that_fails_for_now_queues_the_address(tmp_path: Path) -> None:
    """A temporary map failure in ruleset 0: QUEUEUP, and Sendmail's 050 message."""
    cf = CF.replace("S0\n", f"Kgone implicit {tmp_path}/missing\nS0\n"
                             "R$+ @ later . test\t$: $(gone $1 $) @ later . test\n", 1)
    lines: list[str] = []
    config = load_cf("later.cf", text=cf)
    engine = RuleEngine(config, MapSet(config.maps), out=lines.append)
    result = parseaddr(engine, "u@later.test")
    assert result is not None
    assert (result.state, result.status) == (AddressState.QUEUEUP, "4.4.3")
    assert lines == ["u@later.test... Transient parse error -- message queued for future delivery"]
