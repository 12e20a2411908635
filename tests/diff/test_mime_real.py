"""Differential test: mta.deliver.mime against the 8-to-7-bit MIME conversion of Sendmail 8.17.

DESCRIPTION
    A private site (a .cf compiled by GNU m4 with the real sendmail-cf
    macros, EightBitMode=mimefy) is bind-mounted at /mnt inside the
    namespace of tests/diff/nsenv.py, so the real sendmail never sees the
    host network. Two small SMTP servers run in the namespace while the
    queue runs (tests/support/nssmtp.py): 127.0.0.2 offers no 8BITMIME (seven.test goes
    there through the esmtp mailer) and 127.0.0.3 offers 8BITMIME
    (eight.test, through "esmtp8", the esmtp mailer with F=8, which sends
    the message as it is). Each server writes every message it takes to
    /mnt/out/ADDRESS-N.eml (DATA with CRLF made LF and dots unstuffed) and
    its envelope to ADDRESS-N.env.

    Each CASE queues one message for x@seven.test and y@eight.test with
    `sendmail -bs -odq` and runs the queue (`sendmail -q -v`, maybe with
    -O EightBitMode=...). The header eight.test got, with the body as it
    was queued, is the message as rendered for an SMTP mailer (the input
    of mime8to7); what seven.test got is Sendmail's conversion (the
    expected output). Both deliveries come
    from one queue file, so their headers match line for line. When
    Sendmail refuses to send to seven.test, the case records the error
    line of the -v transcript instead.

    The test gives our mime8to7 the input with the host name and queue id
    of the run and asserts that it returns exactly what seven.test got.

    Run as a script (as root) to regenerate the unit-test fixtures of
    tests/unit/deliver/data/mime/:
        .venv/bin/python tests/diff/test_mime_real.py --write-fixtures
    or to look at one case:
        .venv/bin/python tests/diff/test_mime_real.py --show NAME

DIAGNOSTICS
    Skipped with a reason when not root, when unshare or namespaces do not
    work, or when /usr/sbin/sendmail, GNU m4 or sendmail-cf are missing.

SEE ALSO
    mta/deliver/mime.py, tests/unit/deliver/test_mime.py,
    tests/diff/test_dsn_real.py, tests/diff/test_queue_real.py (Site).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import nsenv
from test_queue_real import CF_M4, GNU_M4, REAL_SENDMAIL, RUN_ENV, SENDMAIL_ARGS, Site, _smtp
from test_queue_real import unavailable_reason as _queue_unavailable_reason

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_DIR = ROOT / "tests" / "unit" / "deliver" / "data" / "mime"
UNIT_TEST = ROOT / "tests" / "unit" / "deliver" / "test_mime.py"
NS = nsenv.NS_ROOT
SEVEN, EIGHT = "127.0.0.2", "127.0.0.3"
HOSTS = (
    *nsenv.TEST_HOSTS,
    (SEVEN, ("mx.seven.test",)),
    (EIGHT, ("mx.eight.test",)),
    ("192.0.2.97", ("seven.test",)),
    ("192.0.2.98", ("eight.test",)),
)

MC = nsenv.site_mc_head(CF_M4, "mta.deliver.mime differential test") + f"""\
define(`confEIGHT_BIT_HANDLING', `mimefy')dnl
FEATURE(`use_cw_file')dnl
FEATURE(`accept_unresolvable_domains')dnl
FEATURE(`no_default_msa')dnl
MAILER(`local')dnl
MAILER(`smtp')dnl
LOCAL_CONFIG
Mesmtp8,	P=[IPC], F=mDFMuXa8, S=EnvFromSMTP/HdrFromSMTP, R=EnvToSMTP, E=\\r\\n, L=990,
		T=DNS/RFC822/SMTP, A=TCP $h
LOCAL_RULE_0
R$+ < @ seven.test . > $*	$#esmtp $@ [{SEVEN}] $: $1 < @ seven.test . >
R$+ < @ eight.test . > $*	$#esmtp8 $@ [{EIGHT}] $: $1 < @ eight.test . >
"""
ALIASES = "postmaster: pm@eight.test\nMAILER-DAEMON: postmaster\nroot: pm@eight.test\n"
# Runs the rest of its arguments with both SMTP servers listening.
WITH_SMTP_SH = f"""#!/bin/sh
"{sys.executable}" {NS}/nssmtp.py {SEVEN} 25 {NS}/seven.pid --keywords ENHANCEDSTATUSCODES \
    --messages /mnt/out
"{sys.executable}" {NS}/nssmtp.py {EIGHT} 25 {NS}/eight.pid --messages /mnt/out
"$@"
rc=$?
kill $(cat {NS}/seven.pid) $(cat {NS}/eight.pid)
exit $rc
"""


def unavailable_reason() -> str | None:
    """Return why this test cannot run here, or None."""
    return _queue_unavailable_reason()


# --------------------------------------------------------------------------- cases

LATIN1 = (
    "Subject: latin-1\nMIME-Version: 1.0\nContent-Type: text/plain; charset=iso-8859-1\n"
    "Content-Transfer-Encoding: 8bit\n\nCaf\xe9 cr\xe8me br\xfbl\xe9e.\nA plain line.\n"
)
UTF8 = (
    "Subject: utf-8\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: 8bit\n\n"
    + "Gr\xfc\xdfe aus K\xf6ln, na\xefve caf\xe9.\nEnd of text.\n".encode().decode("latin-1")
)
MOSTLY_8BIT = (
    "Subject: mostly 8-bit\nMIME-Version: 1.0\nContent-Type: text/plain; charset=koi8-r\n\n"
    "\xf0\xd2\xc9\xd7\xc5\xd4, \xcd\xc9\xd2!\n\xe4\xcf \xd3\xd7\xc9\xc4\xc1\xce\xc9\xd1.\n"
)
MULTIPART = (
    "Subject: multipart\nMIME-Version: 1.0\n"
    'Content-Type: multipart/mixed; boundary="=_b1"\n\n'
    "Preamble with 8-bit: caf\xe9\n"
    "--=_b1\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\n"
    "Part one: caf\xe9\n"
    "--=_b1\nContent-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: 7bit\n\n"
    "Part two is plain.\n"
    "--=_b1\nContent-Type: text/plain\n\nPart three has no CTE.\n\n"
    "--=_b1--\nEpilogue \xe9t\xe9\n"
)
NESTED = (
    "Subject: nested\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=outer\n\n"
    '--outer\nContent-Type: multipart/alternative; boundary="inner"\n\n'
    "--inner\nContent-Type: text/plain; charset=iso-8859-1\n"
    "Content-Transfer-Encoding: 8bit\n\nAlt text: \xe0 bient\xf4t\n"
    "--inner\nContent-Type: text/html; charset=iso-8859-1\n"
    "Content-Transfer-Encoding: 8bit\n\n<p>\xe0 bient\xf4t</p>\n"
    "--inner--\n"
    "--outer\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n"
    "AAECAwQFBgcICQ==\n"
    "--outer\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: binary\n\n"
    "bin\xff\xfe\x80data\n"
    "--outer--\n"
)
RFC822 = (
    'Subject: forwarded\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b2"\n\n'
    "--b2\nContent-Type: text/plain\n\nSee the attached message.\n"
    "--b2\nContent-Type: message/rfc822\n\n"
    "From: someone@elsewhere.test\nSubject: inner\n\nInner body \xe9\xe9.\n"
    "--b2\nContent-Type: message/rfc822\n\n"
    "Subject: inner mime\nMIME-Version: 1.0\nContent-Type: text/plain; charset=latin1\n"
    "Content-Transfer-Encoding: 8bit\n\nInner mime body \xe9.\n"
    "--b2--\n"
)
TOP_RFC822 = (
    "Subject: top rfc822\nMIME-Version: 1.0\nContent-Type: message/rfc822\n\n"
    "Subject: inner\n\nInner \xe9.\n"
)
NO_MIME = "Subject: no mime\n\nNo MIME headers, but 8-bit: caf\xe9.\n"
NO_MIME_CTE = "Subject: no mime, cte\nContent-Transfer-Encoding: 8bit\n\nOnly a CTE: caf\xe9.\n"
NO_TYPE = "Subject: no type\nMIME-Version: 1.0\n\nMIME-Version but no Content-Type: \xe9.\n"
HEADER_8BIT = (
    "Subject: caf\xe9 in the subject\nMIME-Version: 1.0\n"
    "Content-Transfer-Encoding: 8bit\nContent-Type: text/plain; charset=utf-8\n\nBody is 7-bit.\n"
)
CTE_COMMENT = (
    "Subject: cte with a comment, 8-bit subject \xe9\nMIME-Version: 1.0\n"
    "Content-Transfer-Encoding:   8BIT  (eight bits)\nContent-Type: text/plain\n\nPlain body.\n"
)
QP_ALREADY = (
    "Subject: qp with 8-bit\nMIME-Version: 1.0\nContent-Type: text/plain\n"
    "Content-Transfer-Encoding: quoted-printable\n\nraw \xe9 and =E9\n"
)
_LONG = "x" * 70
# fmt: off
EDGES = (
    "Subject: edges\nMIME-Version: 1.0\nContent-Type: text/plain; charset=iso-8859-1\n\n"
    "\xe9\n"
    + "a" * 100 + "\xe9" + "b" * 80 + "\n"
    + _LONG + "abcd.efgh\n"
    + _LONG + "ab.cdefgh\n"
    + _LONG + "a.bcdefgh\n"
    + _LONG + "abc..defg\n"
    + _LONG + "abcdefgh.\n"
    + _LONG + "\xe9\xe9\xe9\xe9\n"
    + _LONG + "ab \tcdef\n"
    + _LONG + "abc" + " " * 8 + "\n"
    + "x" * 72 + "\n" + "x" * 73 + "\n" + "x" * 75 + "\n" + "x" * 76 + "\n"
    + "trailing space \ntrailing tab\t\nboth \t \n"
    + ".\n..\n. \n.x\n"
    + "From the start\nFrom: header-like\n>From quoted\nFrom\n"
    + "equals = sign ==\nctrl \x01\x1b chars\nnul-free \x7f del\n"
    + "\n\n"
    + "--not-a-boundary\n"
    + "last line without newline \xe9"
)
BASE64_EDGES = (
    "Subject: base64 sizes\nMIME-Version: 1.0\nContent-Type: text/plain; charset=x-user\n\n"
    + "\xe9" * 53 + "\n" + "\xe8\xe9" * 40 + "\n\n" + "tail"
)
# fmt: on
SIGNED = (
    "Subject: signed\nMIME-Version: 1.0\n"
    'Content-Type: multipart/signed; boundary=s1; protocol="application/pgp-signature"\n\n'
    "--s1\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\n"
    "Signed caf\xe9\n--s1\nContent-Type: application/pgp-signature\n\nSIG\n--s1--\n"
)
MULTIPART_CTE = (
    "Subject: multipart with a CTE\nMIME-Version: 1.0\nContent-Transfer-Encoding: 8bit\n"
    'Content-Type: multipart/mixed;\n boundary="m1"  (a comment)\nX-After: kept\n\n'
    "--m1  \nContent-Transfer-Encoding: 8bit\nContent-Type: text/plain\n\nA \xe9\n"
    "--m1\n\nNo header at all \xe9\n"
    "--m1\nContent-Type: text/plain\n\n"
    "--m1--  \n"
)
DIGEST = (
    "Subject: digest\nMIME-Version: 1.0\nContent-Type: multipart/digest; boundary=d1\n\n"
    "--d1\n\nFrom: joe\nSubject: one\n\nDigest entry \xe9\n"
    "--d1\nContent-Type: text/plain\n\nPlain \xe9\n"
    "--d1--\n"
)
NO_FINAL = (
    "Subject: no final boundary\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=f1\n\n"
    "--f1\nContent-Type: text/plain\n\nText \xe9\n"
)
SEVEN_BIT = "Subject: seven\nMIME-Version: 1.0\n\nAll 7-bit.\n"


@dataclass(frozen=True)
class Case:
    """One message and how the queue run is made."""

    message: str
    mail_params: str = " BODY=8BITMIME"
    queue_options: tuple[str, ...] = ()
    mode: str = "mimefy"  # EightBitMode of the queue run
    receive_options: tuple[str, ...] = ()  # for `sendmail -bs`


CASES: dict[str, Case] = {
    "latin1": Case(LATIN1),
    "utf8": Case(UTF8),
    "mostly_8bit": Case(MOSTLY_8BIT),
    "multipart": Case(MULTIPART),
    "nested": Case(NESTED),
    "rfc822": Case(RFC822),
    "top_rfc822": Case(TOP_RFC822),
    "no_mime": Case(NO_MIME),
    "no_mime_nobody": Case(NO_MIME, mail_params=""),
    "no_mime_cte": Case(NO_MIME_CTE),
    "no_type": Case(NO_TYPE),
    "header_8bit": Case(HEADER_8BIT),
    "cte_comment": Case(CTE_COMMENT),
    "qp_already": Case(QP_ALREADY),
    "edges": Case(EDGES),
    "base64_edges": Case(BASE64_EDGES),
    "signed": Case(SIGNED),
    "multipart_cte": Case(MULTIPART_CTE),
    "digest": Case(DIGEST),
    "no_final": Case(NO_FINAL),
    "seven_bit": Case(SEVEN_BIT, mail_params=""),
    "strict_mime": Case(LATIN1, queue_options=("-O", "EightBitMode=strict"), mode="strict"),
    "strict_no_mime": Case(NO_MIME, queue_options=("-O", "EightBitMode=strict"), mode="strict"),
    "pass8_mime": Case(LATIN1, queue_options=("-O", "EightBitMode=pass8"), mode="pass8"),
    "pass8_no_mime": Case(NO_MIME, queue_options=("-O", "EightBitMode=pass8"), mode="pass8"),
    "pass8_no_mime_nobody": Case(
        NO_MIME, mail_params="", queue_options=("-O", "EightBitMode=pass8"), mode="pass8"
    ),
    "strict_receive": Case(
        NO_MIME, mail_params="", receive_options=("-O", "EightBitMode=strict"), mode="strict"
    ),
    "strict_receive_mime": Case(
        LATIN1, mail_params="", receive_options=("-O", "EightBitMode=strict"), mode="strict"
    ),
    "strict_receive_body": Case(
        NO_MIME, receive_options=("-O", "EightBitMode=strict"), mode="strict"
    ),
    "charset": Case(NO_MIME, queue_options=("-O", "DefaultCharSet=iso-8859-15")),
}


@dataclass(frozen=True)
class Result:
    """What one case gave: the rendered input, Sendmail's conversion or its error."""

    name: str
    sent: bytes  # the DATA the 8BITMIME server got (the input)
    converted: bytes | None  # the DATA the 7-bit server got
    meta: dict[str, object]

    def write(self, target: Path) -> None:
        target.mkdir(parents=True, exist_ok=True)
        (target / f"{self.name}.in").write_bytes(self.sent)
        out = target / f"{self.name}.out"
        if self.converted is not None:
            out.write_bytes(self.converted)
        elif out.exists():
            out.unlink()
        (target / f"{self.name}.json").write_text(json.dumps(self.meta, indent=2) + "\n")


# --------------------------------------------------------------------------- the site


def build_site(root: Path) -> Site:
    """Write the site files, compile the .cf with GNU m4, build the aliases."""
    work = root / "site"
    for sub in ("mqueue", "out"):
        (work / sub).mkdir(parents=True, exist_ok=True)
    (work / "mqueue").chmod(0o700)
    (work / "out").chmod(0o777)
    work.chmod(0o755)
    (work / "mime.mc").write_text(MC)
    cf = subprocess.run(
        [str(GNU_M4), str(work / "mime.mc")], capture_output=True, check=True, env=RUN_ENV
    )
    (work / "queue.cf").write_bytes(cf.stdout)
    (work / "local-host-names").write_text("mail.example.test\n")
    (work / "aliases").write_text(ALIASES)
    for name, text in (("with-smtp.sh", WITH_SMTP_SH), ("nssmtp.py", nsenv.NSSMTP_SOURCE)):
        (work / name).write_text(text)
        (work / name).chmod(0o755)
    env = nsenv.NsEnv(root / "state", binds=((work, NS),), hosts=HOSTS)
    env.prepare()
    site = Site(work, env)
    newaliases = site.run(["-bi"])
    if newaliases.returncode != 0:
        raise RuntimeError(f"sendmail -bi failed: {newaliases.stderr!r}")
    return site


def _with_smtp(site: Site, command: list[str]) -> subprocess.CompletedProcess[bytes]:
    argv = site.env.argv([f"{NS}/with-smtp.sh", *command])
    return subprocess.run(argv, capture_output=True, env=RUN_ENV, timeout=180, check=False)


def _dot_stuff(text: str) -> str:
    return "".join("." + line if line.startswith(".") else line for line in text.splitlines(True))


def _received(site: Site, address: str) -> list[tuple[str, bytes]]:
    found = []
    for path in sorted(site.out.glob(f"{address}-*.eml")):
        env = path.with_suffix(".env").read_text()
        found.append((env, path.read_bytes()))
    return found


_AUTOCONVERTED = re.compile(rb"X-MIME-Autoconverted: from 8bit to \S+ by (\S+) id (\S+)")
_QID = re.compile(rb"\n\tby \S+ \([^)]*\) with \S+ id (\S+)")


def run_case(site: Site, name: str) -> Result:
    """Queue the case's message, run the queue, return what the two servers got."""
    case = CASES[name]
    site.clear_queue()
    commands = _smtp(
        "EHLO client.example.test\n",
        f"MAIL FROM:<sender@eight.test>{case.mail_params}\n",
        "RCPT TO:<x@seven.test>\n",
        "RCPT TO:<y@eight.test>\n",
        "DATA\n",
        _dot_stuff(case.message) + ("" if case.message.endswith("\n") else "\n") + ".\n",
        "QUIT\n",
    )
    replies = site.dialogue(commands, *case.receive_options)
    data_reply = replies[-2].decode("latin-1")
    charset = [o.split("=", 1)[1] for o in case.queue_options if o.startswith("DefaultCharSet=")]
    meta: dict[str, object] = {
        "mode": case.mode,
        "body_type": "8BITMIME" if "BODY=8BITMIME" in case.mail_params else None,
        "charset": charset[0] if charset else None,
        "data_reply": data_reply.strip(),
    }
    if not data_reply.startswith("250"):
        return Result(name, case.message.encode("latin-1"), None, meta)
    run = _with_smtp(site, [str(REAL_SENDMAIL), *SENDMAIL_ARGS, "-q", "-v", *case.queue_options])
    transcript = run.stdout.decode("latin-1")
    eight = [m for env, m in _received(site, EIGHT) if "<y@eight.test>" in env]
    seven = [m for env, m in _received(site, SEVEN) if "<x@seven.test>" in env]
    assert len(eight) == 1, f"{name}: {transcript}"
    # The header as rendered for an SMTP mailer; the body as queued (the df): with
    # F=8 Sendmail still walks a MIME body (fixing its boundaries), so the body
    # eight.test got is not always the one the conversion starts from.
    body = case.message.encode("latin-1").split(b"\n\n", 1)[1]
    sent = eight[0].split(b"\n\n", 1)[0] + b"\n\n" + body + (b"" if body.endswith(b"\n") else b"\n")
    qid = _QID.search(sent)
    assert qid is not None, sent
    meta["host"] = nsenv.HOSTNAME
    meta["qid"] = qid.group(1).decode().rstrip(";")
    seven_env = [env for env, _m in _received(site, SEVEN) if "<x@seven.test>" in env]
    if seven_env:
        meta["mail_from"] = seven_env[0].splitlines()[0]
    if not seven:
        errors = [
            line
            for line in transcript.splitlines()
            if "x@seven.test" in line and (" 5." in line or " 4." in line or "... " in line)
        ]
        meta["error"] = errors
    return Result(name, sent, seven[0] if seven else None, meta)


# --------------------------------------------------------------------------- the tests

needs_real = pytest.mark.skipif(unavailable_reason() is not None, reason=str(unavailable_reason()))
pytestmark = [pytest.mark.differential, needs_real]


def _unit_module() -> ModuleType:
    return nsenv.load_module(UNIT_TEST, "_mime_unit_cases")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return build_site(tmp_path_factory.mktemp("mime_real"))


@pytest.mark.parametrize("name", sorted(CASES))
def test_mime_matches_real(site: Site, name: str, tmp_path: Path) -> None:
    run_case(site, name).write(tmp_path)
    _unit_module().check_case(tmp_path, name)


# --------------------------------------------------------------------------- regeneration


def write_fixtures(target: Path = FIXTURE_DIR, names: list[str] | None = None) -> None:
    """Regenerate tests/unit/deliver/data/mime/ from the real sendmail (run as root)."""
    import tempfile

    reason = unavailable_reason()
    if reason:
        raise SystemExit(f"cannot run the real sendmail: {reason}")
    with tempfile.TemporaryDirectory() as tmp:
        real_site = build_site(Path(tmp))
        for name in names or list(CASES):
            run_case(real_site, name).write(target)
            print(f"{target}/{name}.*")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--write-fixtures"]:
        write_fixtures(names=sys.argv[2:] or None)
    elif sys.argv[1:2] == ["--show"]:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            real_site = build_site(Path(tmp))
            for case_name in sys.argv[2:]:
                result = run_case(real_site, case_name)
                print(json.dumps(result.meta, indent=2))
                sys.stdout.write("=== in\n" + result.sent.decode("latin-1"))
                if result.converted is not None:
                    sys.stdout.write("=== out\n" + result.converted.decode("latin-1"))
    else:
        raise SystemExit(f"usage: {sys.argv[0]} --write-fixtures [NAME...] | --show NAME...")
