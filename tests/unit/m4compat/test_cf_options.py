"""Tests of the option tables of our sendmail-cf library (m4compat/cf/m4/options.m4).

DESCRIPTION
    options.m4 turns the documented confNAMEs (and ALIAS_FILE, HELP_FILE,
    QUEUE_DIR, STATUS_FILE), DAEMON_OPTIONS, CLIENT_OPTIONS, INPUT_MAIL_FILTER
    and MAIL_FILTER into the O, D, T, H and X lines of a .cf.  These tests
    compile small .mc snippets with m4compat through a harness that loads
    options.m4 (and our ostype/domain files) on its own, without the rest of
    the library, and expands the macros the generator expands:
    _CF_EARLY_OPTIONS, _CF_LOCAL_MACROS, diversion 10, _CF_OPTIONS,
    _CF_TRUSTED_USERS and _CF_HEADERS.

    The differential tests (marked `differential`) compile the same snippet
    with GNU m4 and the real sendmail-cf and compare those lines; the
    expected lines come from the real package at test time.

SEE ALSO
    m4compat/cf/CONVENTIONS.md, m4compat/cf/m4/options.m4
"""

from __future__ import annotations

import io
import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

import m4compat
from m4compat import expand

CF_DIR = Path(m4compat.__file__).parent / "cf"
GNU_M4 = "/usr/bin/m4"
REAL_CF = Path("/usr/share/sendmail/cf/m4/cf.m4")

# Stand-ins for the parts of cf.m4 the option files use.  FEATURE loads only
# the feature files of this suite; the other directives do nothing.
_HARNESS = """\
divert(-1)
define(`_CF_DIR_', `{cf}/')
define(`_CF_DEFAULT', `ifdef(`$1', `', `define(`$1', `$2')')')
define(`_CF_WARNING', `errprint(`warning: $1
')')
define(`_CF_ERROR', `errprint(`error: $1
')')
define(`_CF_LOAD', `undefine(`_CF_LOADED_')sinclude(_CF_DIR_`$1/$2.m4')ifdef(`_CF_LOADED_', `',
\t`_CF_ERROR(`unknown $1 $2')')')
define(`OSTYPE', `_CF_LOAD(`ostype', `$1')')
define(`DOMAIN', `_CF_LOAD(`domain', `$1')')
define(`HACK', `_CF_LOAD(`hack', `$1')')
define(`FEATURE', `define(`_CF_FEATURE_$1_', `1')ifelse(`$1', `no_default_msa',
\t`_CF_LOAD(`feature', `$1')')')
define(`MODIFY_MAILER_FLAGS', `')
define(`EXPOSED_USER', `')
include(_CF_DIR_`m4/options.m4')
m4wrap(`divert(0)changecom()_CF_EARLY_OPTIONS`'_CF_LOCAL_MACROS`'undivert(10)`'_CF_OPTIONS`'\
_CF_TRUSTED_USERS`'_CF_HEADERS')
divert(0)dnl
"""


def compile_ours(mc: str, *, comments: bool = True) -> tuple[str, str]:
    """Compile an .mc body with options.m4 and our ostype/domain files: (output, stderr).

    comments=False turns m4 comments off before anything is read, as the real
    sendmail-cf does (so "# FEATURE(...)" in an .mc is expanded).
    """
    err = io.BytesIO()
    text = ("" if comments else "changecom()") + _HARNESS.replace("{cf}", str(CF_DIR)) + mc
    out = expand(text, name="test.mc", stderr=err)
    return out, err.getvalue().decode()


_KINDS = {
    "O": re.compile(r"^O "),
    "D": re.compile(r"^D(?:[jnZ]|\{sendmailMTACluster\})"),
    "T": re.compile(r"^T"),
    "H": re.compile(r"^H"),
    "X": re.compile(r"^X"),
}


def lines_of(cf: str) -> dict[str, list[str]]:
    """The option-related lines of a .cf by kind, in order; H lines keep their continuations."""
    found: dict[str, list[str]] = {kind: [] for kind in _KINDS}
    rows = cf.split("\n")
    for i, row in enumerate(rows):
        for kind, pattern in _KINDS.items():
            if pattern.match(row):
                j = i + 1
                while kind == "H" and j < len(rows) and rows[j].startswith("\t"):
                    row += "\n" + rows[j]
                    j += 1
                found[kind].append(row)
    return found


def options(mc: str) -> list[str]:
    out, err = compile_ours(mc)
    assert "error" not in err, err
    return lines_of(out)["O"]


def _table() -> list[tuple[str, str]]:
    """(macro, option name) of every _CF_O line in options.m4."""
    text = (CF_DIR / "m4" / "options.m4").read_text()
    return re.findall(r"_CF_O\(`([A-Za-z_0-9]+)', `([A-Za-z.0-9-]+)'\)", text)


# -- defaults ------------------------------------------------------------------------

DEFAULT_OPTIONS = [
    "O SevenBitInput=False",
    "O AliasWait=10",
    "O AliasFile=/etc/mail/aliases",
    "O MinFreeBlocks=100",
    "O BlankSub=.",
    "O HoldExpensive=False",
    "O DeliveryMode=background",
    "O TempFileMode=0600",
    "O HelpFile=/etc/mail/helpfile",
    "O SendMimeErrors=True",
    "O ForwardPath=$z/.forward.$w:$z/.forward",
    "O ConnectionCacheSize=2",
    "O ConnectionCacheTimeout=5m",
    "O UseErrorsTo=False",
    "O LogLevel=9",
    "O CheckAliases=False",
    "O OldStyleHeaders=True",
    "O DaemonPortOptions=Name=MTA",
    "O DaemonPortOptions=Port=587, Name=MSA, M=E",
    "O PrivacyOptions=authwarnings",
    "O QueueDirectory=/var/spool/mqueue",
    "O Timeout.queuereturn=5d",
    "O Timeout.queuewarn=4h",
    "O SuperSafe=True",
    "O SmtpGreetingMessage=$j Sendmail $v/$Z; $b",
    "O UnixFromLine=From $g $d",
    "O OperatorChars=.:%@!^/[]+",
]


def test_defaults_of_an_empty_mc() -> None:
    out, err = compile_ours("")
    assert err == ""
    found = lines_of(out)
    assert found["O"] == DEFAULT_OPTIONS
    assert found["D"] == ["DnMAILER-DAEMON", "DZ8.17.1.9"]
    assert found["T"] == ["Troot", "Tdaemon", "Tuucp"]
    assert found["X"] == []
    assert [h.split(":")[0] for h in found["H"]] == [
        "H?P?Return-Path", "HReceived", "H?D?Resent-Date", "H?D?Date", "H?F?Resent-From",
        "H?F?From", "H?x?Full-Name", "H?M?Resent-Message-Id", "H?M?Message-Id",
    ]  # fmt: skip
    assert found["H"][1].count("\n\t") == 5


def test_the_table_names_each_macro_and_option_once() -> None:
    table = _table()
    assert len(table) > 150
    assert len({macro for macro, _ in table}) == len(table)
    assert len({name for _, name in table}) == len(table)


@pytest.mark.parametrize(("macro", "name"), _table())
def test_each_macro_gives_its_option_line(macro: str, name: str) -> None:
    mc = "define(`_CF_MILTERS_')" if macro.startswith("confMILTER_") else ""
    found = options(mc + f"define(`{macro}', `v1, v2')")
    assert f"O {name}=v1, v2" in found
    assert f"O {name}" in options(mc + f"define(`{macro}', `')")


# -- values --------------------------------------------------------------------------


def test_an_empty_value_drops_the_equals_sign() -> None:
    found = options("define(`confLOG_LEVEL', `')define(`ALIAS_FILE', `')")
    assert "O LogLevel" in found
    assert "O AliasFile" in found


def test_undefine_removes_a_default_line() -> None:
    found = options("undefine(`confLOG_LEVEL')undefine(`ALIAS_FILE')undefine(`confSAFE_QUEUE')")
    assert not [line for line in found if line.startswith(("O LogLevel", "O AliasFile"))]
    assert "O SuperSafe=True" not in found


def test_help_file_and_queue_directory_are_always_written() -> None:
    found = options("undefine(`HELP_FILE')undefine(`QUEUE_DIR')")
    assert "O HelpFile=/etc/mail/helpfile" in found
    assert "O QueueDirectory=/var/spool/mqueue" in found
    found = options("define(`HELP_FILE', `')define(`QUEUE_DIR', `/q/*')")
    assert "O HelpFile=" in found
    assert "O QueueDirectory=/q/*" in found


def test_values_are_expanded_when_written() -> None:
    found = options(
        "define(`confCOPY_ERRORS_TO', `PM')define(`PM', `postmaster')"
        "define(`MAIL_SETTINGS_DIR', `/opt/mail/')"
    )
    assert "O PostmasterCopy=postmaster" in found
    assert "O AliasFile=/opt/mail/aliases" in found
    assert "O HelpFile=/opt/mail/helpfile" in found


def test_commas_and_quotes_in_values() -> None:
    found = options("define(`confPRIVACY_FLAGS', ``goaway,noetrn'')define(`ALIAS_FILE', `/a,/b')")
    assert "O PrivacyOptions=goaway,noetrn" in found
    assert "O AliasFile=/a,/b" in found


@pytest.mark.parametrize(
    ("value", "expected"),
    [("USE_SYSTEM", None), ("USE_TZ", "O TimeZoneSpec="), ("EST5EDT", "O TimeZoneSpec=EST5EDT")],
)
def test_time_zone(value: str, expected: str | None) -> None:
    found = [line for line in options(f"define(`confTIME_ZONE', `{value}')") if "TimeZone" in line]
    assert found == ([expected] if expected else [])


def test_obsolete_macros_warn() -> None:
    out, err = compile_ours(
        "define(`confAUTO_REBUILD', `True')define(`confDEF_GROUP_ID', `6')"
        "define(`confUNSAFE_GROUP_WRITES', `True')"
    )
    assert err.count("warning:") == 3
    assert "confAUTO_REBUILD is obsolete" in err
    found = lines_of(out)["O"]
    assert "O UnsafeGroupWrites=True" in found
    assert not [line for line in found if "Rebuild" in line or "Group=" in line]


# -- listeners -----------------------------------------------------------------------


def _daemons(mc: str) -> list[str]:
    return [line[len("O DaemonPortOptions=") :] for line in options(mc) if "DaemonPort" in line]


@pytest.mark.parametrize(
    ("mc", "expected"),
    [
        ("", ["Name=MTA", "Port=587, Name=MSA, M=E"]),
        ("FEATURE(`no_default_msa')", ["Name=MTA"]),
        ("DAEMON_OPTIONS(`Port=25, Addr=127.0.0.1, Name=MTA')",
         ["Port=25, Addr=127.0.0.1, Name=MTA", "Port=587, Name=MSA, M=E"]),
        ("DAEMON_OPTIONS(`Name=A')DAEMON_OPTIONS(`Name=B')",
         ["Name=A", "Name=B", "Port=587, Name=MSA, M=E"]),
        ("DAEMON_OPTIONS(`Name=A')FEATURE(`no_default_msa')", ["Name=A"]),
        ("define(`_NETINET6_')",
         ["Name=MTA-v4, Family=inet", "Name=MTA-v6, Family=inet6", "Port=587, Name=MSA, M=E"]),
        ("define(`_NETINET6_')DAEMON_OPTIONS(`Name=X')", ["Name=X", "Port=587, Name=MSA, M=E"]),
        ("DAEMON_OPTIONS(`Port=P')define(`P', `2525')", ["Port=2525", "Port=587, Name=MSA, M=E"]),
    ],
)  # fmt: skip
def test_daemon_options(mc: str, expected: list[str]) -> None:
    assert _daemons(mc) == expected


def test_client_options() -> None:
    found = options(
        "CLIENT_OPTIONS(`Family=inet, Address=192.0.2.1')"
        "CLIENT_OPTIONS(`Family=inet6, Address=::1')"
    )
    assert [line for line in found if "ClientPort" in line] == [
        "O ClientPortOptions=Family=inet, Address=192.0.2.1",
        "O ClientPortOptions=Family=inet6, Address=::1",
    ]


# -- mail filters --------------------------------------------------------------------


def test_mail_filters() -> None:
    out, err = compile_ours(
        "INPUT_MAIL_FILTER(`f1', `S=local:/run/f1.sock, F=T')\n"
        "MAIL_FILTER(`f2', `S=inet:3333@localhost')\n"
        "INPUT_MAIL_FILTER(`f3', `S=local:/run/f3.sock')\n"
    )
    assert err == ""
    found = lines_of(out)
    assert found["X"] == [
        "Xf1, S=local:/run/f1.sock, F=T",
        "Xf2, S=inet:3333@localhost",
        "Xf3, S=local:/run/f3.sock",
    ]
    assert "O InputMailFilters=f1, f3" in found["O"]
    assert [line.split("=")[0] for line in found["O"] if "Milter" in line] == [
        "O Milter.macros.connect", "O Milter.macros.helo", "O Milter.macros.envfrom",
        "O Milter.macros.envrcpt", "O Milter.macros.eom",
    ]  # fmt: skip


def test_filter_list_can_be_set_after_the_filters() -> None:
    found = options("INPUT_MAIL_FILTER(`a', `S=x')define(`confINPUT_MAIL_FILTERS', `b')")
    assert "O InputMailFilters=b" in found


def test_no_milter_options_without_filters() -> None:
    assert not [line for line in options("") if "Milter" in line]


# -- macros, trusted users, headers --------------------------------------------------


def test_local_macros() -> None:
    out, _ = compile_ours(
        "define(`confDOMAIN_NAME', `$w.example.org')define(`confMAILER_NAME', `Mailer-Daemon')"
        "define(`confCF_VERSION', `site-1')define(`confLDAP_CLUSTER', `c1')"
        "define(`confTRUSTED_USERS', `www list')define(`confDONT_BLAME_SENDMAIL', `safe')"
    )
    found = lines_of(out)
    assert found["D"] == [
        "D{sendmailMTACluster}c1", "Dj$w.example.org", "DnMailer-Daemon", "DZ8.17.1.9/site-1",
    ]  # fmt: skip
    assert found["T"] == ["Troot", "Tdaemon", "Tuucp", "Twww list"]
    assert out.index("O DontBlameSendmail=safe") < out.index("Dj$w")


def test_header_formats() -> None:
    found = lines_of(
        compile_ours(
            "define(`confFROM_HEADER', `<$g>')define(`confMESSAGEID_HEADER', `<$t@$j>')"
            "define(`confRECEIVED_HEADER', `by $j id $i; $b')"
        )[0]
    )["H"]
    assert "H?F?From: <$g>" in found
    assert "H?F?Resent-From: <$g>" in found
    assert "H?M?Message-Id: <$t@$j>" in found
    assert "HReceived: by $j id $i; $b" in found


# -- library files -------------------------------------------------------------------

_MINE = sorted(
    [
        *(CF_DIR / "ostype").glob("*.m4"),
        *(CF_DIR / "domain").glob("*.m4"),
        *(CF_DIR / "hack").glob("*.m4"),
        CF_DIR / "feature" / "no_default_msa.m4",
    ]
)


@pytest.mark.parametrize("path", _MINE, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_library_file_layout(path: Path) -> None:
    text = path.read_text()
    assert text.startswith("divert(-1)define(`_CF_LOADED_')\n")
    assert text.rstrip("\n").endswith("divert(-1)")


@pytest.mark.parametrize(
    "mc",
    [
        "",
        *(f"OSTYPE(`{p.stem}')" for p in sorted((CF_DIR / "ostype").glob("*.m4"))),
        *(f"DOMAIN(`{p.stem}')" for p in sorted((CF_DIR / "domain").glob("*.m4"))),
        *(f"HACK(`{p.stem}')" for p in sorted((CF_DIR / "hack").glob("*.m4"))),
        "FEATURE(`no_default_msa')",
    ],
)
def test_files_mean_the_same_with_m4_comments_off(mc: str) -> None:
    assert compile_ours(mc, comments=False) == compile_ours(mc)


@pytest.mark.parametrize("name", sorted(p.stem for p in (CF_DIR / "ostype").glob("*.m4")))
def test_each_ostype_loads(name: str) -> None:
    out, err = compile_ours(f"OSTYPE(`{name}')")
    assert "error" not in err
    assert lines_of(out)["O"]


def test_linux_and_debian() -> None:
    found = options("OSTYPE(`debian')DOMAIN(`debian-mta')")
    assert "O StatusFile=/var/lib/sendmail/sendmail.st" in found
    assert "O TrustedUser=smmta" in found
    assert "O PrivacyOptions=    restrictqrun,restrictexpand" in found
    assert "O MustQuoteChars=.'" in found
    assert _daemons("OSTYPE(`linux')DOMAIN(`debian-msp')") == ["Name=MTA"]


def test_hacks() -> None:
    out, err = compile_ours("HACK(`nodns')HACK(`cssubdomain')HACK(`debian_auth')")
    assert err == ""
    assert "O DontProbeInterfaces=True" in lines_of(out)["O"]
    assert lines_of(out)["T"][-1] == "Tsendmail"
    assert "R$* < @ $=w .CS.Berkeley.EDU > $*\t$: $1 < @ $j > $3\n" in out
    assert "\nSLocal_trust_auth\nR$*\t$: $&{auth_authen}\t" in out


# -- differential ----------------------------------------------------------------------

_NEEDS_REAL = (
    pytest.mark.differential,
    pytest.mark.skipif(not os.path.exists(GNU_M4), reason="GNU m4 is not installed at /usr/bin/m4"),
    pytest.mark.skipif(not REAL_CF.exists(), reason=f"sendmail-cf is not installed ({REAL_CF})"),
)


def against_real(test: Callable[..., None]) -> Callable[..., None]:
    """Mark a test that runs GNU m4 with the real sendmail-cf."""
    for mark in _NEEDS_REAL:
        test = mark(test)
    return test


def compile_real(mc: str, tmp_path: Path) -> str:
    (tmp_path / "real.mc").write_text(mc)
    result = subprocess.run(
        [GNU_M4, str(REAL_CF), "real.mc"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"LC_ALL": "C"},
        check=False,
    )
    return result.stdout


def assert_same_lines(mc: str, tmp_path: Path, kinds: str = "ODTHX") -> None:
    real = lines_of(compile_real(mc, tmp_path))
    ours = lines_of(compile_ours(mc)[0])
    for kind in kinds:
        assert ours[kind] == real[kind], f"{kind} lines differ for:\n{mc}"


@against_real
@pytest.mark.parametrize("value", ["v1, v2", ""], ids=["value", "empty"])
def test_every_option_against_sendmail_cf(value: str, tmp_path: Path) -> None:
    # (a value must not name its own macro: values are expanded when written)
    values = {macro: value and f"{macro.lower()} {value}" for macro, _ in _table()}
    defines = "".join(f"define(`{macro}', `{text}')dnl\n" for macro, text in values.items())
    mc = f"OSTYPE(`bsd4.4')dnl\nMAIL_FILTER(`f', `S=local:/f.sock')dnl\n{defines}"
    assert_same_lines(mc, tmp_path)


@against_real
@pytest.mark.parametrize(
    "mc",
    [
        "",
        "FEATURE(`no_default_msa')",
        "DAEMON_OPTIONS(`Port=25, Addr=127.0.0.1, Name=MTA')",
        "DAEMON_OPTIONS(`Name=A')DAEMON_OPTIONS(`Name=B')",
        "FEATURE(`no_default_msa')DAEMON_OPTIONS(`Name=A')DAEMON_OPTIONS(`Port=587, Name=MSA')",
        "define(`_NETINET6_')",
        "CLIENT_OPTIONS(`Family=inet, Address=192.0.2.1')CLIENT_OPTIONS(`Family=inet6')",
        "INPUT_MAIL_FILTER(`f1', `S=local:/a, F=T')MAIL_FILTER(`f2', `S=inet:1@localhost')"
        "INPUT_MAIL_FILTER(`f3', `S=local:/c')",
        "define(`confINPUT_MAIL_FILTERS', `x')INPUT_MAIL_FILTER(`f1', `S=local:/a')",
        "MAIL_FILTER(`f', `S=a')undefine(`confMILTER_MACROS_CONNECT')"
        "define(`confMILTER_MACROS_EOH', `{x}')",
        "define(`confTIME_ZONE', `USE_TZ')",
        "define(`confTIME_ZONE', `USE_SYSTEM')",
        "define(`MAIL_SETTINGS_DIR', `/opt/mail/')",
        "undefine(`ALIAS_FILE')undefine(`confLOG_LEVEL')undefine(`confOPERATORS')",
        "define(`confDOMAIN_NAME', `$w.example.org')define(`confCF_VERSION', `x')"
        "define(`confTRUSTED_USERS', `a b')define(`confLDAP_CLUSTER', `c')",
        "define(`confFROM_HEADER', `<$g>')define(`confMESSAGEID_HEADER', `<$t@$j>')",
        "define(`confPRIVACY_FLAGS', ``goaway,noetrn'')define(`ALIAS_FILE', ``/a,/b'')",
        "define(`HELP_FILE', `')define(`QUEUE_DIR', `/q/q*')define(`STATUS_FILE', `')",
        "FEATURE(`nouucp')define(`confTRUSTED_USERS', `www')",
    ],
)
def test_scenarios_against_sendmail_cf(mc: str, tmp_path: Path) -> None:
    assert_same_lines(f"OSTYPE(`bsd4.4')dnl\n{mc}\n", tmp_path)


_OSTYPES = sorted(p.stem for p in (CF_DIR / "ostype").glob("*.m4"))


@against_real
@pytest.mark.parametrize("name", _OSTYPES)
def test_ostype_against_sendmail_cf(name: str, tmp_path: Path) -> None:
    assert_same_lines(f"OSTYPE(`{name}')\n", tmp_path, kinds="OT")


@against_real
@pytest.mark.parametrize(
    "mc",
    [
        "OSTYPE(`linux')DOMAIN(`generic')",
        "OSTYPE(`debian')DOMAIN(`debian-mta')",
        "OSTYPE(`debian')DOMAIN(`debian-msp')",
        "OSTYPE(`linux')define(`confDONT_BLAME_SENDMAIL', `safe')DOMAIN(`debian-mta')",
        "OSTYPE(`linux')HACK(`nodns')",
        "OSTYPE(`linux')HACK(`virthost_by_ip')",
        "OSTYPE(`linux')HACK(`debian_auth')",
        "OSTYPE(`linux')define(`confTRUSTED_USERS', `www')HACK(`debian_auth')",
    ],
)
def test_domain_and_hack_against_sendmail_cf(mc: str, tmp_path: Path) -> None:
    assert_same_lines(mc + "\n", tmp_path, kinds="ODTH")
