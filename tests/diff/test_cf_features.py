"""Differential test: FEATUREs of our sendmail-cf library at compile time, against the real one.

DESCRIPTION
    tests/diff/test_cf_verdicts.py compares how the .cf files of the two
    macro libraries behave in `sendmail -bt`. This file compares what the
    compilers themselves say and declare, for the FEATUREs added to our
    library after the first verdict cases (queuegroup, notsticky,
    nopercenthack, rhsbl, check_other, prefixmod, ...) and QUEUE_GROUP:

    - test_misuse_gives_the_same_kind_of_diagnostic: an .mc with a misused
      FEATURE (a missing, unknown or illegal argument, a FEATURE that needs
      access_db without it) is compiled by GNU m4 with the real sendmail-cf
      and by `mta compile`; both must report the same kind of diagnostic:
      "error" (the real one prints *** ERROR or fails, ours fails), "warning"
      or none. KIND_EXCEPTIONS lists the few misuses the real sendmail-cf
      lets through silently and ours does not, with the reason;
    - test_declarations_match: for each correct use, the map names of the K
      lines, the O options and the Q lines of both .cf files must agree (the
      rulesets differ in names and shape: their behaviour is what the
      verdict cases compare);
    - test_own_mc_compiles_with_ours: every tests/diff/mc/*.mc that the real
      sendmail-cf compiles without an error compiles with ours too (except
      those naming a FEATURE, HACK or SITECONFIG we do not have), and for
      queue-tuning.mc (queue groups, FEATURE(queuegroup)) the O and Q lines
      are the same.

DIAGNOSTICS
    Skipped when GNU m4, the real sendmail-cf or .venv/bin/mta is missing. A
    failure shows both compilers' messages.

SEE ALSO
    tests/diff/test_cf_verdicts.py, tests/diff/cf/*.mc (the verdict cases of
    these FEATUREs), m4compat/cf/feature/.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.differential

GNU_M4 = Path("/usr/bin/m4")
CF_M4 = Path("/usr/share/sendmail/cf/m4/cf.m4")
REPO_ROOT = Path(__file__).resolve().parents[2]
OUR_MTA = REPO_ROOT / ".venv" / "bin" / "mta"
MC_DIR = Path(__file__).resolve().parent / "mc"
ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C", "LC_ALL": "C"}
TIMEOUT_SECONDS = 120

HEAD = f"include(`{CF_M4}')dnl\nOSTYPE(`linux')dnl\n"
ACCESS = "FEATURE(`access_db')dnl\n"
TAIL = "MAILER(`local')dnl\nMAILER(`smtp')dnl\n"


@dataclass(frozen=True, slots=True)
class Compiled:
    status: int
    cf: str
    stderr: str


def _run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        argv, cwd=cwd, env=ENV, capture_output=True, timeout=TIMEOUT_SECONDS, check=False
    )


def compile_real(mc: Path, *, include_dirs: tuple[str, ...] = ()) -> Compiled:
    """GNU m4 with the real sendmail-cf."""
    argv = [str(GNU_M4), *(f"-I{d}" for d in include_dirs), mc.name]
    proc = _run(argv, mc.parent)
    return Compiled(proc.returncode, proc.stdout.decode("latin-1"), proc.stderr.decode("latin-1"))


def compile_ours(mc: Path) -> Compiled:
    """`mta compile` with our library."""
    out = mc.with_suffix(".ours.cf")
    out.unlink(missing_ok=True)
    proc = _run([str(OUR_MTA), "compile", mc.name, "-o", out.name], mc.parent)
    cf = out.read_text(encoding="latin-1") if out.exists() else ""
    return Compiled(proc.returncode, cf, proc.stderr.decode("latin-1"))


def real_kind(result: Compiled) -> str:
    """error, warning or none: what the real sendmail-cf said."""
    text = result.stderr
    if result.status != 0 or "ERROR" in text or re.search(r"requires (an )?(two )?argument", text):
        return "error"
    if "WARNING" in text.upper():
        return "warning"
    return "none"


def our_kind(result: Compiled) -> str:
    """error, warning or none: what our library said."""
    if result.status != 0:
        return "error"
    if "warning:" in result.stderr:
        return "warning"
    return "none"


@pytest.fixture
def require_tools() -> None:
    if not GNU_M4.is_file():
        pytest.skip(f"{GNU_M4} is missing (install the Debian package m4)")
    if not CF_M4.is_file():
        pytest.skip(f"{CF_M4} is missing (install the Debian package sendmail-cf)")
    if not OUR_MTA.is_file():
        pytest.skip(f"{OUR_MTA} is missing (make the virtualenv)")


def _both(tmp_path: Path, body: str, tail: str = TAIL) -> tuple[Compiled, Compiled]:
    mc = tmp_path / "test.mc"
    mc.write_text(HEAD + body + tail)
    return compile_real(mc), compile_ours(mc)


def _report(real: Compiled, ours: Compiled) -> str:
    return (
        f"real sendmail-cf: exit {real.status}, stderr {real.stderr.strip()!r}\n"
        f"ours: exit {ours.status}, stderr {ours.stderr.strip()!r}"
    )


# (id, .mc body between HEAD and TAIL)
MISUSES: tuple[tuple[str, str], ...] = (
    ("queuegroup-without-access_db", "FEATURE(`queuegroup')dnl\n"),
    ("nopercenthack-without-argument", "FEATURE(`nopercenthack')dnl\n"),
    ("nopercenthack-unknown-argument", "FEATURE(`nopercenthack', `bogus')dnl\n"),
    ("nopercenthack-capital-reject", "FEATURE(`nopercenthack', `Reject')dnl\n"),
    ("prefixmod-without-arguments", "FEATURE(`prefixmod')dnl\n"),
    ("prefixmod-without-flags", "FEATURE(`prefixmod', `x')dnl\n"),
    ("rhsbl-without-zone", ACCESS + "FEATURE(`rhsbl')dnl\n"),
    ("rhsbl-without-access_db", "FEATURE(`rhsbl', `rhs.example.test')dnl\n"),
    ("xconnect-without-access_db", "HACK(`xconnect')dnl\n"),
    ("dnsblaccess-without-access_db", "HACK(`dnsblaccess', `bl.example.test')dnl\n"),
    ("spamtrap-without-access_db", "HACK(`spamtrap')dnl\n"),
    ("msp_nullclient-without-hub", "HACK(`msp_nullclient')dnl\n"),
    ("tls_failures", "FEATURE(`tls_failures')dnl\n"),
    ("domainmap-without-arguments", "FEATURE(`domainmap')dnl\n"),
    ("domainmap-without-map", "FEATURE(`domainmap', `example.com')dnl\n"),
    ("unknown-feature", "FEATURE(`queuegroups')dnl\n"),
    ("unknown-hack", "HACK(`nosuchhack')dnl\n"),
)
# Misuses the real sendmail-cf compiles without a word into a .cf that does not
# work; ours says so. id -> (real kind, our kind, why)
KIND_EXCEPTIONS: dict[str, tuple[str, str, str]] = {
    "rhsbl-without-zone": (
        "none",
        "warning",
        "the real one looks up DOMAIN.. (an empty zone) without a word",
    ),
    "spamtrap-without-access_db": (
        "none",
        "error",
        "the real .cf then calls an undefined ruleset SearchList",
    ),
    "domainmap-without-arguments": (
        "none",
        "error",
        "the real one declares a map domain_ of no class for an empty domain",
    ),
    "domainmap-without-map": (
        "none",
        "error",
        "the real one declares the map with no class (K domain_example_com -T<TEMP>)",
    ),
    "rhsbl-without-access_db": (
        "none",
        "error",
        "the real .cf then calls an undefined ruleset SearchList and map macro",
    ),
}


@pytest.mark.usefixtures("require_tools")
@pytest.mark.parametrize(("case_id", "body"), [pytest.param(i, b, id=i) for i, b in MISUSES])
def test_misuse_gives_the_same_kind_of_diagnostic(tmp_path: Path, case_id: str, body: str) -> None:
    real, ours = _both(tmp_path, body)
    kinds = (real_kind(real), our_kind(ours))
    expected = KIND_EXCEPTIONS.get(case_id)
    if expected is not None:
        assert kinds == expected[:2], f"{expected[2]}\n{_report(real, ours)}"
        return
    assert kinds[0] == kinds[1], f"diagnostic kinds {kinds}\n{_report(real, ours)}"
    if kinds[1] == "error":
        assert not ours.cf, "ours wrote a .cf despite the error"


# (id, .mc body): correct uses whose declarations are compared
USES: tuple[tuple[str, str], ...] = (
    (
        "queuegroup",
        "QUEUE_GROUP(`bulk', `P=/var/spool/mqueue/bulk, R=2, I=1h')dnl\n"
        "QUEUE_GROUP(`slow', `P=/var/spool/mqueue/slow, R=1')dnl\n"
        + ACCESS
        + "FEATURE(`queuegroup', `mqueue')dnl\n",
    ),
    ("queuegroup-without-default", ACCESS + "FEATURE(`queuegroup')dnl\n"),
    ("notsticky", "FEATURE(`notsticky')dnl\n"),
    ("nopercenthack-reject", "FEATURE(`nopercenthack', `reject')dnl\n"),
    ("nopercenthack-nospecial", "FEATURE(`nopercenthack', `nospecial')dnl\n"),
    ("rhsbl", ACCESS + "FEATURE(`rhsbl', `rhs.example.test')dnl\n"),
    (
        "rhsbl-after-dnsbl",
        ACCESS
        + "FEATURE(`dnsbl', `bl.example.test')dnl\nFEATURE(`rhsbl', `rhs.example.test')dnl\n",
    ),
    ("check_other", "FEATURE(`check_other')dnl\n"),
    ("check_other-regex", "FEATURE(`check_other', `^(GET|POST)')dnl\n"),
    ("prefixmod", "FEATURE(`prefixmod', `x', `n')dnl\n"),
    ("bitdomain", "FEATURE(`bitdomain')dnl\n"),
    ("bitdomain-map", "FEATURE(`bitdomain', `text -k0 -v1 /etc/mail/bitdomain.txt')dnl\n"),
    ("uucpdomain", "FEATURE(`uucpdomain')dnl\n"),
    ("mtamark", ACCESS + "FEATURE(`mtamark')dnl\n"),
    (
        "mtamark-twice",
        "define(`MTAMARK_TO', `10')dnl\nFEATURE(`mtamark')dnl\n"
        "FEATURE(`mtamark', `\"550 no\"', `t', `_x._smtp._srv')dnl\n",
    ),
    ("drac", "FEATURE(`drac')dnl\n"),
    ("drac-map", "FEATURE(`drac', `btree /etc/mail/dracd')dnl\n"),
    ("xconnect", ACCESS + "HACK(`xconnect')dnl\n"),
    ("spamtrap", ACCESS + "HACK(`spamtrap')dnl\n"),
    ("msp_nullclient", "HACK(`msp_nullclient', `[mailhub.example.com]')dnl\n"),
    ("tls_session_features", ACCESS + "FEATURE(`tls_session_features')dnl\n"),
    ("vnet", "FEATURE(`vnet')dnl\n"),
    (
        "domainmap",
        "FEATURE(`domainmap', `example.com', `hash /etc/mail/example-users')dnl\n"
        "FEATURE(`domainmap', `sub-x.example.org', `text -k0 -v1 /etc/mail/x.txt')dnl\n",
    ),
    ("tls_session_features-without-access_db", "FEATURE(`tls_session_features')dnl\n"),
    (
        "msp_nullclient-own-settings",
        "define(`DEBIAN_MSP')dnl\ndefine(`STATUS_FILE', `/var/lib/x/sendmail.st')dnl\n"
        "DAEMON_OPTIONS(`Name=MSP, Port=2525')dnl\nHACK(`msp_nullclient', `hub.example.com')dnl\n",
    ),
    ("dnsblaccess", ACCESS + "HACK(`dnsblaccess')dnl\n"),
    (
        "dnsblaccess-all-arguments",
        ACCESS + "define(`EDNSBL_TO', `9')dnl\n"
        "HACK(`dnsblaccess', `bl.example.test', `\"550 x\"', `t', `bltag')dnl\n",
    ),
)

_K_RE = re.compile(r"^K\s*(\S+)\s+(\S+)", re.MULTILINE)
_O_RE = re.compile(r"^O ([^=\s]+)", re.MULTILINE)
_Q_RE = re.compile(r"^Q.*$", re.MULTILINE)


def declarations(cf: str) -> tuple[dict[str, str], list[str], list[str]]:
    """The maps (name -> class), the O option names and the Q lines of a .cf."""
    maps = {name: kind for name, kind in _K_RE.findall(cf)}
    return maps, sorted(set(_O_RE.findall(cf))), _Q_RE.findall(cf)


@pytest.mark.usefixtures("require_tools")
@pytest.mark.parametrize(("case_id", "body"), [pytest.param(i, b, id=i) for i, b in USES])
def test_declarations_match(tmp_path: Path, case_id: str, body: str) -> None:
    # HACK(msp_nullclient) brings its own mailers (a second MAILER() is an error)
    real, ours = _both(tmp_path, body, "" if case_id.startswith("msp_nullclient") else TAIL)
    assert real_kind(real) == "none" and our_kind(ours) == "none", _report(real, ours)
    real_maps, real_opts, real_q = declarations(real.cf)
    our_maps, our_opts, our_q = declarations(ours.cf)
    # the real sendmail-cf declares some maps of its own rulesets (e.g. "arith"
    # always, "macro" on demand); ours declares its helpers always: compare the
    # maps each side has that the other lacks, minus those helpers
    helpers = {"arith", "macro", "dequote", "resolve", "host", "domainmap_regex"}
    missing = {n: k for n, k in real_maps.items() if n not in our_maps and n not in helpers}
    extra = {n: k for n, k in our_maps.items() if n not in real_maps and n not in helpers}
    assert not missing and not extra, f"maps only real: {missing}; only ours: {extra}"
    differing = {n: (real_maps[n], our_maps[n]) for n in real_maps.keys() & our_maps.keys()
                 if real_maps[n] != our_maps[n] and n not in helpers}  # fmt: skip
    assert not differing, f"map classes differ (real, ours): {differing}"
    only_real, only_ours = set(real_opts) - set(our_opts), set(our_opts) - set(real_opts)
    assert real_opts == our_opts, f"O options: only real {only_real}, only ours {only_ours}"
    assert real_q == our_q


# tests/diff/mc/*.mc that name what our library does not have (yet)
_UNSUPPORTED = re.compile(r"FEATURE\(`(?:bcc|check_cert_altnames|sts)'|SITECONFIG")


_M_LINE_RE = re.compile(r"^M([^,\s]+),(.*)$", re.MULTILINE)


def mailer_fields(cf: str) -> dict[str, dict[str, str]]:
    """The M lines of a .cf (continuations joined): mailer -> field -> value.

    S= and R= name rulesets, which the two libraries name differently: left out.
    """
    joined = re.sub(r"\n\t+", " ", cf)
    mailers = {}
    for name, rest in _M_LINE_RE.findall(joined):
        fields = {}
        for part in re.split(r",\s*", rest.strip()):
            key, sep, value = part.partition("=")
            if sep and key.strip() not in ("S", "R"):
                fields[key.strip()] = value.strip()
        mailers[name] = fields
    return mailers


def _own_mcs() -> list[Path]:
    return sorted(p for p in MC_DIR.glob("*.mc") if not p.name.startswith(("error-", "warning-")))


@pytest.mark.usefixtures("require_tools")
@pytest.mark.parametrize("mc", [pytest.param(p, id=p.name) for p in _own_mcs()])
def test_own_mc_compiles_with_ours(tmp_path: Path, mc: Path) -> None:
    text = mc.read_text(encoding="latin-1")
    copy = tmp_path / mc.name
    copy.write_text(text)
    missing = _UNSUPPORTED.search(text)
    if missing:
        # what our library lacks is refused, at its line, never compiled into a .cf
        # that would do something else
        line = text[:missing.start()].count("\n") + 1
        ours = compile_ours(copy)
        assert ours.status != 0 and not ours.cf, ours.stderr
        assert f"{mc.name}:{line}:" in ours.stderr, ours.stderr
        return
    real = compile_real(copy, include_dirs=(str(CF_M4.parents[1]),))
    if real_kind(real) == "error":
        pytest.skip(f"the real sendmail-cf does not compile {mc.name} either")
    ours = compile_ours(copy)
    assert ours.status == 0, _report(real, ours)
    if mc.name == "queue-tuning.mc":
        real_q, our_q = declarations(real.cf)[2], declarations(ours.cf)[2]
        assert real_q == our_q
        assert real_q, "queue-tuning.mc declares queue groups"
        real_lines = sorted(set(re.findall(r"^O .*$", real.cf, re.MULTILINE)))
        our_lines = sorted(set(re.findall(r"^O .*$", ours.cf, re.MULTILINE)))
        assert real_lines == our_lines
        assert re.search(r"^Squeuegroup", ours.cf, re.MULTILINE)
        # the mailers' flags (MODIFY_MAILER_FLAGS of SMTP, ESMTP, LOCAL) and queue groups
        assert mailer_fields(real.cf) == mailer_fields(ours.cf)
