"""Tests of the mailer files of our sendmail-cf library (m4compat/cf/mailer/).

DESCRIPTION
    The mailers other than local and smtp: procmail, uucp (uucp, uucp-old,
    suucp, uucp-new, uucp-dom, uucp-uudom), usenet, fax, pop, cyrus (cyrus,
    cyrusbb), cyrusv2, mail11, phquery (ph), qpage, ssh and xagent.

    Each .mc is compiled in process by mta.cli.compile.compile_mc, with our
    library in place of the real sendmail-cf, and the .cf is read by
    mta.config.loader.load_cf: the M lines must be there with the fields the
    real package writes for the same defines (P=, F=, A=, T=, M=, U=, E=, L=,
    ...; S= and R= name our rulesets), the pseudo domains must be in class P,
    and parseaddr must send the pseudo domains (host.UUCP, number.FAX, POP,
    group.USENET, node.DECNET) to their mailers.

    The differential tests (marked `differential`) compile the same .mc files
    with GNU m4 and the real sendmail-cf and compare the fields of every M
    line, the real S= and R= ruleset names translated to ours; the expected
    values come from the real package at test time.

SEE ALSO
    m4compat/cf/CONVENTIONS.md, m4compat/cf/mailer/*.m4,
    tests/unit/m4compat/test_cf_options.py
"""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import pytest

from m4compat import expand
from mta.cli.compile import LIBRARY_DIR, CompileError, compile_mc
from mta.config.loader import load_cf
from mta.config.macros import translate_dollars
from mta.config.model import OP_BASE, Config, MailerDef, OpKind
from mta.config.tokens import decode_op
from mta.rules.engine import RuleEngine
from mta.rules.resolve import parseaddr

GNU_M4 = "/usr/bin/m4"
REAL_CF = Path("/usr/share/sendmail/cf/m4/cf.m4")
RULES_M4 = Path(LIBRARY_DIR) / "m4" / "rules.m4"

HEAD = """\
include(`/usr/share/sendmail/cf/m4/cf.m4')dnl
OSTYPE(`linux')dnl
"""


def mailers_mc(*names: str, defines: str = "") -> str:
    """An .mc body: the head, the defines, then MAILER(name) for each name."""
    return HEAD + defines + "".join(f"MAILER(`{name}')dnl\n" for name in names)


# Sendmail allows 25 M lines (three are built in), so the mailers are split.
MC_MAILERS = mailers_mc("local", "smtp", "procmail", "uucp", "usenet", "fax", "pop", "cyrus",
                        "mail11", "phquery", "qpage")
MC_MORE = mailers_mc("local", "smtp", "cyrusv2", "ssh", "xagent",
                     defines="define(`SSH_MAILER_USER', `mail')dnl\n"
                             "define(`SSH_MAILER_DIR', `/var/spool/ssh')dnl\n")

# Every documented macro of the mailers set to a value of its own.
_MACROS = {
    "PROCMAIL": ("PATH", "FLAGS", "ARGS", "MAX", "QGRP"),
    "UUCP": ("PATH", "FLAGS", "ARGS", "MAX", "CHARSET", "QGRP"),
    "USENET": ("PATH", "FLAGS", "ARGS", "MAX", "QGRP"),
    "FAX": ("PATH", "ARGS", "MAX", "QGRP"),
    "POP": ("PATH", "FLAGS", "ARGS", "QGRP"),
    "CYRUS": ("PATH", "FLAGS", "ARGS", "MAX", "USER", "QGRP"),
    "CYRUS_BB": ("FLAGS", "ARGS"),
    "MAIL11": ("PATH", "FLAGS", "ARGS", "QGRP"),
    "PH": ("PATH", "FLAGS", "ARGS", "QGRP"),
    "QPAGE": ("PATH", "FLAGS", "ARGS", "MAX", "QGRP"),
    "CYRUSV2": ("FLAGS", "ARGS", "MAXMSGS", "MAXRCPTS", "CHARSET", "QGRP"),
    "SSH": ("PATH", "FLAGS", "ARGS", "MAX", "MAXMSGS", "MAXRCPTS", "CHARSET", "QGRP", "USER",
            "DIR"),
    "XAGENT": ("PATH", "FLAGS", "ARGS", "MAX"),
}


def _marker(prefix: str, what: str) -> str:
    """A value for PREFIX_MAILER_WHAT that a field can be traced back to."""
    if what in ("MAX", "MAXMSGS", "MAXRCPTS"):
        return str(1000 + 10 * list(_MACROS).index(prefix) + len(what))
    if what == "FLAGS":
        return "Z" + str(list(_MACROS).index(prefix) % 10)
    if what == "USER":
        return "mail:mail"
    return f"{prefix.lower()}-{what.lower()}"


_ALL_DEFINES = "".join(
    f"define(`{prefix}_MAILER_{what}', `{_marker(prefix, what)}')dnl\n"
    for prefix, whats in _MACROS.items() for what in whats)
MC_DEFINES = mailers_mc("local", "smtp", "procmail", "uucp", "usenet", "fax", "pop", "cyrus",
                        "mail11", "phquery", "qpage", defines=_ALL_DEFINES)
MC_DEFINES_MORE = mailers_mc("local", "smtp", "cyrusv2", "ssh", "xagent", defines=_ALL_DEFINES)
# A queue group given as an empty string is left out; other empty values are written.
MC_EMPTY = mailers_mc("local", "smtp", "procmail", "uucp", "fax", "cyrus", "qpage", "cyrusv2",
                      defines="".join(f"define(`{name}', `')dnl\n" for name in (
                          "PROCMAIL_MAILER_QGRP", "PROCMAIL_MAILER_MAX", "UUCP_MAILER_MAX",
                          "CYRUS_MAILER_USER", "CYRUS_MAILER_QGRP", "FAX_MAILER_MAX",
                          "QPAGE_MAILER_MAX", "CYRUSV2_MAILER_MAXMSGS", "CYRUSV2_MAILER_QGRP")))
# uucp before smtp: no uucp-dom and uucp-uudom, and a warning.
MC_UUCP_FIRST = mailers_mc("local", "uucp", "smtp")
# the UUCP neighbours of classes U, Y and Z, and another default UUCP mailer
MC_UUCP_CLASSES = mailers_mc("local", "smtp", "uucp", "usenet", "fax", "pop", "mail11",
                             defines="define(`confUUCP_MAILER', `uucp-new')dnl\n") + """\
LOCAL_CONFIG
CUoldhost
CYnewhost
CZdomhost
"""

_UUCP = {"P": "/usr/bin/uux", "M": "100000", "T": "X-UUCP/X-UUCP/X-Unix",
         "A": "uux - -r -a$g -gC $h!rmail ($u)"}
_UUCP_OLD = {**_UUCP, "F": "DFMhuUd", "S": "from_uucp", "R": "env_to_uucp/hdr_to_uucp"}
_UUCP_NEW = {**_UUCP_OLD, "F": "mDFMhuUd"}
_CYRUS = {"P": "/usr/sbin/cyrdeliver", "S": "env_from_local", "R": "env_to_local/hdr_to_local",
          "U": "cyrus:mail", "T": "DNS/RFC822/X-Unix"}

# The fields of the M lines of MC_MAILERS and MC_MORE, as written in the .cf.
EXPECTED = {
    "procmail": {"P": "/usr/bin/procmail", "F": "DFMSPhnu9", "S": "env_from_smtp/hdr_from_smtp",
                 "R": "env_to_smtp/hdr_from_smtp", "T": "DNS/RFC822/X-Unix",
                 "A": "procmail -Y -m $h $f $u"},
    "uucp": _UUCP_OLD,
    "uucp-old": _UUCP_OLD,
    "suucp": _UUCP_NEW,
    "uucp-new": _UUCP_NEW,
    "uucp-dom": {**_UUCP, "F": "mDFMhud", "S": "env_from_uucp_dom/hdr_from_smtp",
                 "R": "env_to_smtp"},
    "uucp-uudom": {**_UUCP, "F": "mDFMhud", "S": "env_from_uucp_uudom/hdr_from_smtp",
                   "R": "env_to_smtp"},
    "usenet": {"P": "/usr/lib/news/inews", "F": "rsDFMmn", "S": "env_from_local",
               "R": "env_to_local", "T": "X-Usenet/X-Usenet/X-Unix", "A": "inews -m -h -n $u"},
    "fax": {"P": "/usr/bin/faxmail", "F": "DFMhu", "S": "14", "R": "24", "M": "100000",
            "T": "X-Phone/X-FAX/X-Unix", "A": "faxmail -d $u@$h $f"},
    "pop": {"P": "/usr/lib/mh/spop", "F": "lsDFMqPenu", "S": "env_from_local",
            "R": "env_to_local/hdr_to_local", "T": "DNS/RFC822/X-Unix", "A": "pop $u"},
    "cyrus": {**_CYRUS, "F": "lsDFMnPqAh5@/:|", "A": "cyrdeliver -e -m $h -- $u"},
    "cyrusbb": {**_CYRUS, "F": "lsDFMnPu", "A": "cyrdeliver -e -m $u"},
    "mail11": {"P": "/usr/etc/mail11", "F": "nsFx", "S": "mail11_from", "R": "mail11_to",
               "T": "DNS/X-DECnet/X-Unix", "A": "mail11 $g $x $h $u"},
    "ph": {"P": "/usr/local/etc/phquery", "F": "nrDFMehmu", "S": "env_from_local",
           "R": "env_to_local/hdr_to_local", "T": "DNS/RFC822/X-Unix", "A": "phquery -- $u"},
    "qpage": {"P": "/usr/local/bin/qpage", "F": "mDFMs", "M": "4096", "T": "DNS/RFC822/X-Unix",
              "A": "qpage -l0 -m -P$u"},
    "cyrusv2": {"P": "[IPC]", "F": "lsDFMnqXzA@/:|m", "S": "env_from_smtp/hdr_from_local",
                "R": "env_to_local/hdr_to_local", "E": "\r\n", "T": "DNS/RFC822/SMTP",
                "A": "FILE /var/run/cyrus/socket/lmtp"},
    "ssh": {"P": "/usr/bin/ssh", "F": "mDFMuX", "S": "env_from_smtp/hdr_from_smtp",
            "R": "env_to_smtp", "E": "\r\n", "L": "990", "T": "DNS/RFC822/SMTP", "U": "mail",
            "D": "/var/spool/ssh",
            "A": "ssh -o BatchMode=yes -o EscapeChar=none  -- $h /usr/sbin/sendmail -bs"},
    "xagent": {"P": "/usr/lib/xagent", "F": "DFMueXLn", "S": "11/31", "R": "21/31",
               "T": "DNS/RFC822/X-Unix", "A": "xagent $h $u", "E": "\n"},
}
MORE = ("cyrusv2", "ssh", "xagent")

# The real package's names of the rulesets that S= and R= name, and ours.
RULESET_NAMES = {
    "EnvFromL": "env_from_local", "HdrFromL": "hdr_from_local", "EnvToL": "env_to_local",
    "HdrToL": "hdr_to_local", "EnvFromSMTP": "env_from_smtp", "HdrFromSMTP": "hdr_from_smtp",
    "EnvToSMTP": "env_to_smtp", "MasqSMTP": "masq_relay", "FromU": "from_uucp",
    "EnvToU": "env_to_uucp", "HdrToU": "hdr_to_uucp", "EnvFromUD": "env_from_uucp_dom",
    "EnvFromUUD": "env_from_uucp_uudom", "Mail11From": "mail11_from", "Mail11To": "mail11_to",
}
# The mailers of the files under test (local, prog and the SMTP ones are not).
OURS = frozenset(EXPECTED)


def compile_ours(mc: str, tmp_path: Path) -> tuple[str, str]:
    """Compile an .mc with our library: (the .cf text, the messages)."""
    path = tmp_path / "test.mc"
    path.write_text(mc)
    err = io.BytesIO()
    try:
        text = compile_mc(str(path), stderr=err)
    except CompileError:
        pytest.fail("mta compile failed:\n" + err.getvalue().decode())
    return text, err.getvalue().decode()


def load(text: str) -> Config:
    """Our loader's reading of a .cf, as Sendmail would see it on a host named mail."""
    return load_cf("test.cf", text=text,
                   macros={"w": "mail", "j": "mail.example.test", "m": "example.test"},
                   classes=[("w", "mail"), ("w", "mail.example.test"), ("w", "localhost")])


def written(mailer: MailerDef) -> dict[str, str]:
    """The fields of an M line as the .cf spells them ($x for a macro reference)."""
    out = {}
    for key, value in mailer.equates.items():
        text = []
        for ch in value:
            op = decode_op(ch) if ord(ch) >= OP_BASE else None
            if op is None:
                text.append(ch)
            elif op.kind is OpKind.MACROEXPAND:
                name = str(op.arg)
                text.append("$" + name if len(name) == 1 else "${" + name + "}")
            else:
                raise AssertionError(f"operator {op} in field {key}= of M{mailer.name}")
        out[key] = "".join(text)
    return out


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Config]:
    """The .cf files of MC_MAILERS and MC_MORE, loaded."""
    tmp = tmp_path_factory.mktemp("mailers")
    return {"mailers": load(compile_ours(MC_MAILERS, tmp)[0]),
            "more": load(compile_ours(MC_MORE, tmp)[0])}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_mailer_fields(compiled: dict[str, Config], name: str) -> None:
    config = compiled["more" if name in MORE else "mailers"]
    assert [w for w in config.warnings if f"M{name}:" in w or f"mailer {name}:" in w] == []
    assert name in config.mailers
    assert written(config.mailers[name]) == EXPECTED[name]


def test_argv_and_limits(compiled: dict[str, Config]) -> None:
    mailers = compiled["mailers"].mailers
    words = ("uux", "-", "-r", "-a$g", "-gC", "$h!rmail", "($u)")
    assert mailers["uucp"].argv == tuple(translate_dollars(word, 10) for word in words)
    assert mailers["uucp"].max_size == 100000
    assert mailers["qpage"].max_size == 4096
    assert mailers["cyrus"].user == "cyrus:mail"
    assert compiled["more"].mailers["ssh"].line_limit == 990
    assert compiled["more"].mailers["xagent"].eol == "\n"


def test_rulesets_named_by_the_mailers_exist(compiled: dict[str, Config]) -> None:
    for config in compiled.values():
        names = set(config.ruleset_names)
        for mailer in config.mailers.values():
            for key in ("S", "R"):
                for ruleset in mailer.equates.get(key, "").split("/"):
                    if ruleset and not ruleset.isdigit():
                        assert ruleset in names, f"M{mailer.name} {key}={ruleset}"


def test_pseudo_domains_are_in_class_p(compiled: dict[str, Config]) -> None:
    words = {word.lower() for word in compiled["mailers"].classes.get("P", ())}
    assert {"fax", "pop", "decnet"} <= words
    # usenet is not a pseudo domain: group.USENET@host is resolved as any host;
    # nor is UUCP, whose sender domains check_mail still looks up
    assert "usenet" not in words
    assert "uucp" not in words


def test_defines_reach_the_fields(tmp_path: Path) -> None:
    mailers = load(compile_ours(MC_DEFINES, tmp_path)[0]).mailers
    more = load(compile_ours(MC_DEFINES_MORE, tmp_path)[0]).mailers
    procmail = written(mailers["procmail"])
    assert (procmail["P"], procmail["F"], procmail["A"]) == (
        "procmail-path", "DFM" + _marker("PROCMAIL", "FLAGS"), "procmail-args")
    assert procmail["M"] == _marker("PROCMAIL", "MAX")
    assert written(mailers["uucp-dom"])["C"] == "uucp-charset"
    assert written(mailers["usenet"])["A"] == "usenet-args $u"
    assert written(mailers["usenet"])["F"] == _marker("USENET", "FLAGS")
    assert written(mailers["fax"])["F"] == "DFMhu"  # fixed, there is no FAX_MAILER_FLAGS
    assert written(mailers["cyrusbb"])["A"] == "cyrus_bb-args"
    assert written(mailers["cyrusbb"])["U"] == "mail:mail"
    assert written(more["ssh"])["r"] == _marker("SSH", "MAXRCPTS")
    assert written(more["cyrusv2"])["F"] == "lsDFMnqXz" + _marker("CYRUSV2", "FLAGS")
    for mailer in ("procmail", "uucp", "usenet", "fax", "pop", "cyrus", "mail11", "ph", "qpage"):
        assert "Q" in mailers[mailer].equates
    assert "Q" not in more["xagent"].equates


def test_empty_values(tmp_path: Path) -> None:
    mailers = load(compile_ours(MC_EMPTY, tmp_path)[0]).mailers
    assert "Q" not in mailers["procmail"].equates
    assert "Q" not in mailers["cyrus"].equates
    assert mailers["procmail"].equates["M"] == ""
    assert mailers["cyrus"].equates["U"] == ""
    assert mailers["cyrusv2"].equates["m"] == ""


def test_uucp_before_smtp(tmp_path: Path) -> None:
    text, messages = compile_ours(MC_UUCP_FIRST, tmp_path)
    assert "warning: the smtp mailer must be loaded before the uucp mailers" in messages
    mailers = load(text).mailers
    assert {"uucp", "uucp-old", "suucp", "uucp-new", "smtp", "esmtp"} <= set(mailers)
    assert "uucp-dom" not in mailers and "uucp-uudom" not in mailers


def test_ssh_without_user_and_directory(tmp_path: Path) -> None:
    text, messages = compile_ours(mailers_mc("local", "smtp", "ssh"), tmp_path)
    assert "warning: SSH_MAILER_USER must be defined" in messages
    assert "warning: SSH_MAILER_DIR must be defined" in messages
    assert written(load(text).mailers["ssh"])["U"] == "SSH_MAILER_USER"  # as the real package


# Stand-ins for the parts of cf.m4 a mailer file uses; at the end, every
# diversion the mailer files write and class P.
_HARNESS = """\
divert(-1)
define(`_CF_DEFAULT', `ifdef(`$1', `', `define(`$1', `$2')')')
define(`_CF_WARNING', `errprint(`warning: $1
')')
define(`_CF_CLASS_ADD', `define(`_CF_CLASS_$1_', `$2')')
define(`_CF_MAILER_smtp_', `1')
m4wrap(`divert(0)changecom()CP: ifdef(`_CF_CLASS_P_', `_CF_CLASS_P_')
undivert(4, 7, 11, 21, 22, 23)')
"""
_FILES = ("procmail", "uucp", "usenet", "fax", "pop", "cyrus", "cyrusv2", "mail11", "phquery",
          "qpage", "ssh", "xagent")


def expand_mailer_file(name: str, *, comments: bool) -> tuple[str, str]:
    """A mailer file read on its own: (what it writes, its messages)."""
    err = io.BytesIO()
    path = Path(LIBRARY_DIR) / "mailer" / f"{name}.m4"
    text = ("" if comments else "changecom()") + _HARNESS + f"include(`{path}')"
    return expand(text, name="test.m4", stderr=err), err.getvalue().decode()


@pytest.mark.parametrize("name", _FILES)
def test_files_mean_the_same_with_m4_comments_off(name: str) -> None:
    output, messages = expand_mailer_file(name, comments=True)
    assert f"M{name if name != 'phquery' else 'ph'}," in output
    assert expand_mailer_file(name, comments=False) == (output, messages)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> RuleEngine:
    text = compile_ours(MC_UUCP_CLASSES, tmp_path_factory.mktemp("routes"))[0]
    return RuleEngine(load(text), None, out=lambda line: None)


def _hook(number: int) -> pytest.MarkDecorator:
    return pytest.mark.skipif(f"undivert({number})" not in RULES_M4.read_text(),
                              reason=f"rules.m4 does not read diversion {number} yet")


@pytest.mark.parametrize(
    ("address", "triple"),
    [
        ("user@oldhost.UUCP", ("uucp-old", "oldhost", "oldhost!user")),
        ("newhost!user", ("uucp-new", "newhost", "newhost!user")),
        ("domhost!a!b", ("uucp-uudom", "domhost", "a!b@domhost.UUCP")),
        ("user@elsewhere.UUCP", ("uucp-new", "elsewhere", "elsewhere!user")),
        ("user@555-1234.FAX", ("fax", "555-1234", "user")),
        ("user@POP", ("pop", None, "user")),
        ("comp.mail.misc.USENET", ("usenet", "usenet", "comp.mail.misc")),
        ("user@node.DECNET", ("mail11", "node", "user")),
        ("user@mail.DECNET", ("local", None, "user")),
        ("user@example.net", ("esmtp", "example.net", "user@example.net")),
        pytest.param("comp.mail.misc.USENET@mail.example.test",
                     ("usenet", "usenet", "comp.mail.misc"), marks=_hook(21)),
        pytest.param("node::user", ("mail11", "node", "user"), marks=_hook(22)),
        pytest.param("1.2::user", ("mail11", "1.2", "user"), marks=_hook(22)),
    ],
)
def test_routes(engine: RuleEngine, address: str, triple: tuple[str, str | None, str]) -> None:
    result = parseaddr(engine, address)
    assert result is not None
    if triple[0] == "uucp-uudom":
        # the user goes through the SMTP recipient ruleset: only the mailer and host here
        assert (result.mailer_name, result.host) == triple[:2]
    else:
        assert (result.mailer_name, result.host, result.user) == triple


# --- differential: the real sendmail-cf ----------------------------------------


def _real_missing() -> str | None:
    if not os.access(GNU_M4, os.X_OK):
        return f"{GNU_M4} is not installed"
    if not REAL_CF.exists():
        return f"the real sendmail-cf ({REAL_CF}) is not installed"
    return None


differential = pytest.mark.skipif(_real_missing() is not None, reason=_real_missing() or "")


def compile_real(mc: str, tmp_path: Path) -> str:
    """Compile an .mc with GNU m4 and the real sendmail-cf."""
    path = tmp_path / "real.mc"
    path.write_text(mc)
    proc = subprocess.run([GNU_M4, str(path)], capture_output=True, text=True, check=True,
                          cwd=tmp_path)
    return proc.stdout


def _in_our_names(fields: dict[str, str]) -> dict[str, str]:
    out = dict(fields)
    for key in ("S", "R"):
        if key in out:
            out[key] = "/".join(RULESET_NAMES.get(name, name) for name in out[key].split("/"))
    return out


@pytest.mark.differential
@differential
@pytest.mark.parametrize("case", ["MC_MAILERS", "MC_MORE", "MC_DEFINES", "MC_DEFINES_MORE",
                                  "MC_EMPTY", "MC_UUCP_FIRST", "MC_UUCP_CLASSES"])
def test_fields_as_the_real_package(tmp_path: Path, case: str) -> None:
    mc = globals()[case]
    real = load(compile_real(mc, tmp_path)).mailers
    ours = load(compile_ours(mc, tmp_path)[0]).mailers
    real_names = {name for name in real if name in OURS}
    assert real_names, "no mailer of these files in the real .cf"
    assert {name for name in ours if name in OURS} == real_names
    for name in sorted(real_names):
        assert written(ours[name]) == _in_our_names(written(real[name])), f"M{name}"
