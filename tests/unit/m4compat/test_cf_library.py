"""Unit tests of our sendmail-cf library (m4compat/cf) as `mta compile` uses it.

The differential tests (tests/diff/test_cf_verdicts.py) compare the behaviour
of the compiled rulesets with the real sendmail-cf's; these tests pin down the
library's own contract: its messages (FILE:LINE of the .mc directive, and no
.cf after an error), what some directives write into the .cf, and that every
compiled .cf loads in our loader.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from mta.cli.compile import CompileError, compile_mc
from mta.config.loader import load_cf

HEAD = "include(`/usr/share/sendmail/cf/m4/cf.m4')dnl\nOSTYPE(`linux')dnl\n"
TAIL = "MAILER(`local')dnl\nMAILER(`smtp')dnl\n"


def _compile(tmp_path: Path, body: str, *, head: str = HEAD, tail: str = TAIL) -> tuple[str, str]:
    """Compile head+body+tail as test.mc; return (the .cf, the messages)."""
    mc = tmp_path / "test.mc"
    mc.write_text(head + body + tail)
    err = io.BytesIO()
    cf = compile_mc(str(mc), stderr=err)
    return cf, err.getvalue().decode()


def _fails(tmp_path: Path, body: str, *, head: str = HEAD, tail: str = TAIL) -> str:
    """Compile and expect failure; return the messages."""
    mc = tmp_path / "test.mc"
    mc.write_text(head + body + tail)
    err = io.BytesIO()
    with pytest.raises(CompileError):
        compile_mc(str(mc), stderr=err)
    return err.getvalue().decode()


def _loads(tmp_path: Path, cf: str) -> None:
    path = tmp_path / "sendmail.cf"
    path.write_text(cf)
    load_cf(path)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("FEATURE(`acces_db')dnl\n", 'test.mc:3: unknown FEATURE "acces_db"'),
        ("FEATURE(`dnsbl')dnl\n", "test.mc:3: FEATURE(dnsbl) needs the block list zone"),
        ("FEATURE(`nullclient')dnl\n", "test.mc:3: FEATURE(nullclient) needs the name of the hub"),
        ("DOMAIN(`nosuch')dnl\n", 'test.mc:3: unknown DOMAIN "nosuch"'),
        ("HACK(`nosuch')dnl\n", 'test.mc:3: unknown HACK "nosuch"'),
        ("MAILER(`nosuch')dnl\n", 'test.mc:3: unknown MAILER "nosuch"'),
    ],
)
def test_errors_name_the_line_of_the_directive(tmp_path: Path, body: str, message: str) -> None:
    assert message in _fails(tmp_path, body)


def test_a_feature_after_a_mailer_is_an_error(tmp_path: Path) -> None:
    messages = _fails(tmp_path, "", tail=TAIL + "FEATURE(`use_cw_file')dnl\n")
    assert "test.mc:5: FEATURE(use_cw_file) must come before the first MAILER()" in messages


def test_an_mc_without_ostype_is_an_error_unless_it_says_so(tmp_path: Path) -> None:
    head = "include(`/usr/share/sendmail/cf/m4/cf.m4')dnl\n"
    assert "no OSTYPE" in _fails(tmp_path, "", head=head)
    cf, _ = _compile(tmp_path, "define(`__OSTYPE__', `')dnl\n", head=head)
    assert "Mlocal," in cf


def test_warnings_do_not_fail_and_name_the_directive(tmp_path: Path) -> None:
    cf, messages = _compile(tmp_path, "OSTYPE(`bsd4.4')dnl\n")
    assert "test.mc:3: warning: OSTYPE(bsd4.4) after OSTYPE(linux)" in messages
    _loads(tmp_path, cf)


def test_access_db_without_tempfail_flag_gets_it(tmp_path: Path) -> None:
    cf, messages = _compile(tmp_path, "FEATURE(`access_db', `hash -o /etc/mail/access')dnl\n")
    assert "Kaccess hash -T<TMPF> -o /etc/mail/access\n" in cf
    assert "test.mc:3: warning:" in messages


def test_nullclient_forwards_everything_to_its_hub(tmp_path: Path) -> None:
    cf, _ = _compile(tmp_path, "FEATURE(`nullclient', `hub.example.test')dnl\n", tail="")
    for line in ("DShub.example.test", "DHhub.example.test", "DMhub.example.test"):
        assert line + "\n" in cf
    assert "\nMrelay," in cf and "\nMlocal," in cf
    _loads(tmp_path, cf)


def test_modify_mailer_flags_adds_and_removes_in_order(tmp_path: Path) -> None:
    body = "MODIFY_MAILER_FLAGS(`LOCAL', `-Sf')dnl\nMODIFY_MAILER_FLAGS(`LOCAL', `+e')dnl\n"
    cf, _ = _compile(tmp_path, body)
    flags = cf.split("\nMlocal,", 1)[1].split("F=", 1)[1].split(",", 1)[0]
    assert "S" not in flags and "f" not in flags and flags.endswith("e")
    _loads(tmp_path, cf)


def test_msp_hands_local_recipients_to_the_mta(tmp_path: Path) -> None:
    head = "include(`/usr/share/sendmail/cf/m4/cf.m4')dnl\n"
    cf, _ = _compile(tmp_path, "FEATURE(`msp', `[127.0.0.1]')dnl\n", head=head, tail="")
    assert "D{MTAHost}[127.0.0.1]\n" in cf
    assert "O DaemonPortOptions=Name=NoMTA, Addr=127.0.0.1, M=E\n" in cf
    assert "$# relay $@ ${MTAHost}" in cf
    _loads(tmp_path, cf)


def test_the_mc_is_read_with_comments_off_as_sendmail_cf_does(tmp_path: Path) -> None:
    # a "#" line in the .mc does not hide a directive: FEATURE(nouucp) takes effect
    cf, _ = _compile(tmp_path, "# FEATURE(`nouucp')\n")
    assert "CO @ % \n" in cf or "CO @ %\n" in cf


def test_local_config_and_rulesets_land_in_their_sections(tmp_path: Path) -> None:
    body = (
        "LOCAL_CONFIG\nKtestmap hash /etc/mail/testmap\n"
        "LOCAL_RULESETS\nSLocal_check_rcpt\nR$* < @ bad . test > $*\t$#error $: 550 no\n"
        "divert(0)dnl\n"
    )
    cf, _ = _compile(tmp_path, body)
    assert cf.index("Ktestmap") < cf.index("\nScanonify=3")
    assert cf.index("R$* < @ bad . test >") > cf.index("\nScheck_rcpt")
    _loads(tmp_path, cf)


def test_ldap_routing_declares_its_maps(tmp_path: Path) -> None:
    body = (
        "define(`confLDAP_DEFAULT_SPEC', `-h ldap.example.test')dnl\n"
        "FEATURE(`ldap_routing', , , `bounce')dnl\nLDAPROUTE_DOMAIN(`example.test')dnl\n"
    )
    cf, messages = _compile(tmp_path, body)
    assert messages == ""
    assert "\nKldapmh ldap -1 -T<TMPF> -v mailHost -k " in cf
    assert "\nKldapmra ldap -1 -T<TMPF> -v mailRoutingAddress -k " in cf
    assert "\nC{LDAPRoute}example.test\n" in cf
    assert '"550 User unknown"' in cf


def test_access_db_skip_argument_makes_skip_end_a_search(tmp_path: Path) -> None:
    with_skip, _ = _compile(tmp_path, "FEATURE(`access_db', , `skip')dnl\n")
    without, _ = _compile(tmp_path, "FEATURE(`access_db')dnl\n")
    # with the argument every access search answers "nothing found" on SKIP;
    # without it SKIP is an unknown value, as in Sendmail
    ends = with_skip.count("R< SKIP > $*\t\t$@ <?>") + with_skip.count("R$* $| < SKIP >\t\t$@ <?>")
    assert ends == 7
    assert "SKIP" not in without
    dotted, _ = _compile(tmp_path, "FEATURE(`access_db', , `skip', `lookupdotdomain')dnl\n")
    assert "$(access $1:.$3" in dotted and "$(access $1:.$3" not in with_skip


def test_block_bad_helo_makes_loopback_literals_ours(tmp_path: Path) -> None:
    cf, _ = _compile(tmp_path, "FEATURE(`access_db')dnl\nFEATURE(`block_bad_helo')dnl\n")
    cw = " ".join(line[2:] for line in cf.splitlines() if line.startswith("Cw"))
    cr = " ".join(line[2:] for line in cf.splitlines() if line.startswith("CR"))
    assert {"[127.0.0.1]", "[IPv6:0:0:0:0:0:0:0:1]", "[IPv6:::1]"} <= set(cw.split())
    assert {"127.0.0.1", "IPv6:0:0:0:0:0:0:0:1", "IPv6:::1"} <= set(cr.split())
    plain, _ = _compile(tmp_path, "FEATURE(`access_db')dnl\n")
    assert "[IPv6:::1]" not in plain


def test_rules_written_through_macros_keep_their_operators(tmp_path: Path) -> None:
    # $#, $@, $* and $1 in an m4 macro body are that macro's arguments unless
    # quoted apart; these rules come out of macros and must read as written
    cf, _ = _compile(
        tmp_path,
        "FEATURE(`access_db')dnl\n"
        "FEATURE(`enhdnsbl', `bl.example.test', `', `t', `127.0.0.2.', `127.0.0.3.')dnl\n",
    )
    lines = cf.splitlines()
    assert (
        'R< <TMPF> > $*\t\t$# error $@ 4.3.0 $: "451 Temporary system failure. '
        'Please try again later."' in lines
    )
    assert "R$* $| <?> 127.0.0.2.\t\t$: $1 $| <HIT>" in lines
    assert "R$* $| <?> 127.0.0.3.\t\t$: $1 $| <HIT>" in lines
    _loads(tmp_path, cf)
