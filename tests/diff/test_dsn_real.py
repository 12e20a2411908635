"""Differential test: our DSNs (mta.deliver.dsn) against the ones the real Sendmail 8.17 sends.

DESCRIPTION
    A private site (a .cf compiled by GNU m4 with the real sendmail-cf
    macros) is bind-mounted at /mnt inside the namespace of
    tests/diff/nsenv.py, so the real sendmail never sees the host network.
    Its mailers: "dump" appends a delivery to /mnt/out/<user> (domain
    dump.test), "fail" (fail.test) exits 67 (EX_NOUSER) for users named
    nouser*, 75 (EX_TEMPFAIL) for temp*, and esmtp for smtp.test goes to a
    small SMTP server on 127.0.0.2 (tests/support/nssmtp.py, started in the namespace
    for each run) that refuses RCPT for unknown* (550 5.1.1) and later*
    (451 4.3.0); the alias "bad" is "error:5.1.1:550 User unknown here".

    Each SCENARIO queues a message with `sendmail -bs -odq`, runs
    the queue (with options such as Timeout.queuewarn=1s,
    SendMimeErrors=False, PostmasterCopy) and takes the DSN from the queue:
    its sender is tempbox@fail.test (or the postmaster alias pmhold goes
    there), whose mailer defers, so the DSN stays queued as Sendmail wrote
    it (qf and df). The test then gives compose_dsn the same inputs (the
    original qf and df, the outcomes and transcript the scenario is known
    to produce; the DSN's queue id, its creation time and the per-recipient
    Last-Attempt-Date are read from the real DSN, as nothing else can know
    them) and asserts that our header fields equal the real qf's H records
    that Sendmail's DSN code writes (all but Received: and the .cf H lines
    with a condition) and that our body equals the real df byte for byte.

    test_our_queue_run_makes_the_same_dsn then gives our `sendmail -q -v` the
    message the real one was given (its qf and df, in a copy of the site with
    our alias map) and compares the whole DSN it queues with the real one's,
    qf and df line for line (queue ids, dates, T, K and the I record masked),
    and what -v printed and the exit status.

    Run as a script (as root) to regenerate the unit-test fixtures of
    tests/unit/deliver/data/dsn/:
        .venv/bin/python tests/diff/test_dsn_real.py --write-fixtures

DIAGNOSTICS
    Skipped with a reason when not root, when unshare or namespaces do not
    work, or when /usr/sbin/sendmail, GNU m4 or sendmail-cf are missing.

SEE ALSO
    mta/deliver/dsn.py, tests/unit/deliver/test_dsn.py,
    tests/diff/test_queue_real.py (the Site helper), tests/diff/nsenv.py.
"""

from __future__ import annotations

import difflib
import email.utils
import json
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import nsenv
from test_queue_real import (
    CF_M4,
    GNU_M4,
    REAL_SENDMAIL,
    RUN_ENV,
    SENDMAIL_ARGS,
    Site,
    _smtp,
)
from test_queue_real import unavailable_reason as _queue_unavailable_reason

from mta.queue.qfformat import parse_qf

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_DIR = ROOT / "tests" / "unit" / "deliver" / "data" / "dsn"
UNIT_TEST = ROOT / "tests" / "unit" / "deliver" / "test_dsn.py"
NS = nsenv.NS_ROOT
HOSTS = (
    *nsenv.TEST_HOSTS,
    ("127.0.0.2", ("mx.smtp.test",)),
    ("192.0.2.99", ("dump.test",)),
    ("192.0.2.97", ("fail.test",)),
    ("192.0.2.98", ("smtp.test",)),
)

MC = nsenv.site_mc_head(CF_M4, "mta.deliver.dsn differential test") + f"""\
FEATURE(`use_cw_file')dnl
FEATURE(`accept_unresolvable_domains')dnl
FEATURE(`no_default_msa')dnl
MAILER(`local')dnl
MAILER(`smtp')dnl
LOCAL_CONFIG
Mdump,	P={NS}/deliver.sh, F=lsnDFMPhu, S=EnvFromL, R=EnvToL, A=deliver.sh $u
Mfail,	P={NS}/fail.sh, F=lsnDFMPhu, S=EnvFromL, R=EnvToL, A=fail.sh $u
LOCAL_RULE_0
R$+ < @ dump.test . > $*	$#dump $: $1
R$+ < @ fail.test . > $*	$#fail $: $1
R$+ < @ smtp.test . > $*	$#esmtp $@ [127.0.0.2] $: $1 < @ smtp.test . >
"""
ALIASES = (
    "postmaster: pm@dump.test\nMAILER-DAEMON: postmaster\npmhold: tempbox@fail.test\n"
    "bad: error:5.1.1:550 User unknown here\nroot: rootbox@dump.test\n"
)
DELIVER_SH = f'#!/bin/sh\ncat >> "{NS}/out/$1"\n'
FAIL_SH = """#!/bin/sh
cat >/dev/null
case "$1" in
nouser*) echo "$1: no such mailbox here"; exit 67;;
temp*) echo "mailbox $1 busy"; exit 75;;
esac
exit 70
"""
# Runs the rest of its arguments with the fake SMTP server listening on 127.0.0.2:25.
WITH_SMTP_SH = f"""#!/bin/sh
"{sys.executable}" {NS}/nssmtp.py 127.0.0.2 25 {NS}/fake.pid --name mx.smtp.test
"$@"
rc=$?
kill $(cat {NS}/fake.pid)
exit $rc
"""
def unavailable_reason() -> str | None:
    """Return why this test cannot run here, or None."""
    return _queue_unavailable_reason()


# --------------------------------------------------------------------------- the site


def build_site(root: Path) -> Site:
    """Write the site files, compile the .cf with GNU m4, build the aliases."""
    work = root / "site"
    for sub in ("mqueue", "out"):
        (work / sub).mkdir(parents=True, exist_ok=True)
    (work / "mqueue").chmod(0o700)
    (work / "out").chmod(0o777)  # the dump mailer runs as DefaultUser
    work.chmod(0o755)
    (work / "queue.mc").write_text(MC)
    cf = subprocess.run(
        [str(GNU_M4), str(work / "queue.mc")], capture_output=True, check=True, env=RUN_ENV
    )
    (work / "queue.cf").write_bytes(cf.stdout)
    (work / "local-host-names").write_text("mail.example.test\n")
    (work / "aliases").write_text(ALIASES)
    for name, text in (
        ("deliver.sh", DELIVER_SH),
        ("fail.sh", FAIL_SH),
        ("with-smtp.sh", WITH_SMTP_SH),
        ("nssmtp.py", nsenv.NSSMTP_SOURCE),
    ):
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


def _queue(site: Site, commands: tuple[bytes, ...]) -> None:
    replies = site.dialogue(commands)
    assert replies[-2].startswith(b"250 2.0.0"), replies


# --------------------------------------------------------------------------- scenarios

UNKNOWN1 = {
    "address": "<unknown1@smtp.test>",
    "action": "FAILED",
    "status": "5.1.1",
    "final_recipient": "rfc822; unknown1@smtp.test",
    "reason": "550 5.1.1 <unknown1@smtp.test>... User unknown",
    "remote_mta": "[127.0.0.2]",
}
UNKNOWN1_TRANSCRIPT = (
    "... while talking to [127.0.0.2]:\n"
    ">>> RCPT To:<unknown1@smtp.test>\n"
    "<<< 550 5.1.1 <unknown1@smtp.test>... User unknown\n"
    "550 5.1.1 <unknown1@smtp.test>... User unknown\n"
)
BAD_ALIAS = {
    "address": "error:5.1.1:550 User unknown here",
    "action": "FAILED",
    "status": "5.1.1",
    "final_recipient": "rfc822; bad@mail.example.test",
    "actual_recipient": "rfc822; 5.1.1:550.user.unknown.here@mail.example.test",
    "reason": "550 5.1.1 User unknown",
    "diagnostic_type": "X-Unix",
    "expanded_from": "<bad@mail.example.test>",
}
BAD_TRANSCRIPT = "550 5.1.1 error:5.1.1:550 User unknown here... User unknown\n"


@dataclass(frozen=True)
class Scenario:
    """One message, the queue run that makes a DSN of it, and what compose_dsn is told."""

    sender: str
    rcpts: tuple[str, ...]  # RCPT TO arguments (address and parameters)
    message: str
    recipients: tuple[dict[str, Any], ...]  # DsnRecipient fields; action by enum name
    transcript: str | None
    kind: str = "FAILURE"
    mail_params: str = ""
    queue_options: tuple[str, ...] = ()
    sleep: float = 0.0
    dsn_to: str = "<tempbox@fail.test>"  # which DSN of the run is compared
    report: dict[str, Any] = field(default_factory=dict)  # further DsnReport fields


SCENARIOS: dict[str, Scenario] = {
    "failure": Scenario(
        "<tempbox@fail.test>",
        ("<unknown1@smtp.test>", "<nouser@fail.test>", "<bad@mail.example.test>",
         "<ok@dump.test>"),
        "Subject: test 1\nFrom: Alice <alice@dump.test>\nTo: whoever\n\nbody line\n",
        (
            {
                "address": "<nouser@fail.test>",
                "action": "FAILED",
                "status": "5.1.1",
                "final_recipient": "rfc822; nouser@fail.test",
                "actual_recipient": "rfc822; nouser@mail.example.test",
            },
            BAD_ALIAS,
            UNKNOWN1,
        ),
        BAD_TRANSCRIPT
        + "nouser: no such mailbox here\n550 5.1.1 <nouser@fail.test>... User unknown\n"
        + UNKNOWN1_TRANSCRIPT,
    ),
    "delay": Scenario(
        "<tempbox@fail.test>",
        ("<later1@smtp.test>", "<tempuser@fail.test>", "<ok@dump.test>"),
        "Subject: test 2\n\nbody line\n",
        (
            {
                "address": "<tempuser@fail.test>",
                "action": "DELAYED",
                "status": "4.2.0",
                "final_recipient": "rfc822; tempuser@fail.test",
                "actual_recipient": "rfc822; tempuser@mail.example.test",
            },
            {
                "address": "<later1@smtp.test>",
                "action": "DELAYED",
                "status": "4.3.0",
                "final_recipient": "rfc822; later1@smtp.test",
                "reason": "451 4.3.0 Please try again later",
                "remote_mta": "[127.0.0.2]",
                "will_retry_until": False,
            },
        ),
        "mailbox tempuser busy\n"
        "<tempuser@fail.test>... Deferred: fail mailer (/mnt/fail.sh) exited with EX_TEMPFAIL\n"
        "... while talking to [127.0.0.2]:\n"
        ">>> RCPT To:<later1@smtp.test>\n"
        "<<< 451 4.3.0 Please try again later\n"
        "<later1@smtp.test>... Deferred: 451 4.3.0 Please try again later\n",
        kind="DELAY",
        queue_options=("-O", "Timeout.queuewarn=1s"),
        sleep=1.2,
        report={"warn_after": 1},
    ),
    "ret_hdrs": Scenario(
        "<tempbox@fail.test>",
        ("<unknown2@smtp.test> NOTIFY=FAILURE ORCPT=rfc822;Orig+2Bx@elsewhere.test",),
        "Subject: test 3\n\nbody line\n",
        (
            {
                **UNKNOWN1,
                "address": "<unknown2@smtp.test>",
                "final_recipient": "rfc822; unknown2@smtp.test",
                "original_recipient": "rfc822;Orig+2Bx@elsewhere.test",
                "reason": "550 5.1.1 <unknown2@smtp.test>... User unknown",
            },
        ),
        UNKNOWN1_TRANSCRIPT.replace("unknown1", "unknown2"),
        mail_params=" RET=HDRS ENVID=env-42",
    ),
    "receipt": Scenario(
        "<tempbox@fail.test>",
        ("<ok@dump.test> NOTIFY=SUCCESS",
         "<ok2@smtp.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;ok2@smtp.test"),
        "Subject: test 4\n\nbody line\n",
        (
            {
                "address": "<ok@dump.test>",
                "action": "DELIVERED",
                "status": "2.1.5",
                "final_recipient": "rfc822; ok@dump.test",
                "actual_recipient": "rfc822; ok@mail.example.test",
            },
            {
                "address": "<ok2@smtp.test>",
                "action": "RELAYED",
                "status": "2.1.5",
                "final_recipient": "rfc822; ok2@smtp.test",
                "original_recipient": "rfc822;ok2@smtp.test",
                "reason": "250 2.1.5 Recipient ok",
                "remote_mta": "[127.0.0.2]",
            },
        ),
        "<ok@dump.test>... Successfully delivered\n"
        "<ok2@smtp.test>... relayed; expect no further notifications\n",
        kind="RECEIPT",
        mail_params=" ENVID=e-7",
    ),
    "double_bounce": Scenario(
        "<>",
        ("<unknown3@smtp.test>",),
        "Subject: test 5\n\nbody line\n",
        (
            {
                **UNKNOWN1,
                "address": "<unknown3@smtp.test>",
                "final_recipient": "RFC822; unknown3@smtp.test",
                "actual_recipient": "rfc822; unknown3@smtp.test",
                "reason": "550 5.1.1 <unknown3@smtp.test>... User unknown",
            },
        ),
        UNKNOWN1_TRANSCRIPT.replace("unknown1", "unknown3"),
        queue_options=("-O", "DoubleBounceAddress=pmhold"),
        dsn_to="pmhold",
        report={"double_bounce_address": "pmhold"},
    ),
    "postmaster_copy": Scenario(
        "<tempbox@fail.test>",
        ("<unknown1@smtp.test>",),
        "Subject: test 11\n\nbody line\n",
        (UNKNOWN1,),
        UNKNOWN1_TRANSCRIPT,
        queue_options=("-O", "PostmasterCopy=pmhold"),
        dsn_to="pmhold",
        report={"postmaster_copy": "pmhold"},
    ),
    "no_mime": Scenario(
        "<tempbox@fail.test>",
        ("<unknown1@smtp.test>", "<bad@mail.example.test>"),
        "Subject: test 6\n\nbody line\n",
        (BAD_ALIAS, UNKNOWN1),
        BAD_TRANSCRIPT + UNKNOWN1_TRANSCRIPT,
        queue_options=("-O", "SendMimeErrors=False"),
        report={"mime": False},
    ),
    "no_mime_hdrs": Scenario(
        "<tempbox@fail.test>",
        ("<unknown1@smtp.test>",),
        "Subject: test 8\n\nbody line\n",
        (UNKNOWN1,),
        UNKNOWN1_TRANSCRIPT,
        mail_params=" RET=HDRS",
        queue_options=("-O", "SendMimeErrors=False"),
        report={"mime": False},
    ),
    "no_mime_delay": Scenario(
        "<tempbox@fail.test>",
        ("<later1@smtp.test>",),
        "Subject: test 9\n\nbody line\n",
        (
            {
                "address": "<later1@smtp.test>",
                "action": "DELAYED",
                "status": "4.3.0",
                "final_recipient": "rfc822; later1@smtp.test",
                "reason": "451 4.3.0 Please try again later",
                "remote_mta": "[127.0.0.2]",
                "will_retry_until": False,
            },
        ),
        "... while talking to [127.0.0.2]:\n"
        ">>> RCPT To:<later1@smtp.test>\n"
        "<<< 451 4.3.0 Please try again later\n"
        "<later1@smtp.test>... Deferred: 451 4.3.0 Please try again later\n",
        kind="DELAY",
        queue_options=("-O", "SendMimeErrors=False", "-O", "Timeout.queuewarn=1s"),
        sleep=1.2,
        report={"mime": False, "warn_after": 1},
    ),
    "mixed_8bit": Scenario(
        "<tempbox@fail.test>",
        ("<unknown1@smtp.test>", "<later1@smtp.test>", "<ok@dump.test> NOTIFY=SUCCESS"),
        "Subject: test 10\n\n8bit b\xc3\xa9dy\n",
        (
            {
                "address": "<ok@dump.test>",
                "action": "DELIVERED",
                "status": "2.1.5",
                "final_recipient": "rfc822; ok@dump.test",
                "actual_recipient": "rfc822; ok@mail.example.test",
            },
            UNKNOWN1,
        ),
        "<ok@dump.test>... Successfully delivered\n"
        "... while talking to [127.0.0.2]:\n"
        ">>> RCPT To:<later1@smtp.test>\n"
        "<<< 451 4.3.0 Please try again later\n"
        "<later1@smtp.test>... Deferred: 451 4.3.0 Please try again later\n"
        ">>> RCPT To:<unknown1@smtp.test>\n"
        "<<< 550 5.1.1 <unknown1@smtp.test>... User unknown\n"
        "550 5.1.1 <unknown1@smtp.test>... User unknown\n",
        mail_params=" ENVID=a+2Bb",
    ),
}


@dataclass(frozen=True)
class Case:
    """What one scenario gave: the original qf/df, the real DSN's qf/df and the inputs."""

    name: str
    orig_qf: bytes
    orig_df: bytes
    dsn_qf: bytes
    dsn_df: bytes
    inputs: dict[str, Any]
    run_status: int = 0  # the exit status of the real `sendmail -q -v`
    run_output: str = ""  # and what it printed

    def write(self, target: Path) -> None:
        target.mkdir(parents=True, exist_ok=True)
        for suffix, data in (
            ("orig.qf", self.orig_qf),
            ("orig.df", self.orig_df),
            ("dsn.qf", self.dsn_qf),
            ("dsn.df", self.dsn_df),
        ):
            (target / f"{self.name}.{suffix}").write_bytes(data)
        (target / f"{self.name}.json").write_text(json.dumps(self.inputs, indent=2) + "\n")


def _qf_files(site: Site) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in site.queue.iterdir() if p.name.startswith("qf")}


def _to_of(qf: bytes) -> str | None:
    for header in parse_qf(qf).headers:
        if header.name == "To" and header.condition == "":
            return header.message_value().decode().strip()
    return None


def run_scenario(site: Site, name: str) -> Case:
    """Make the real sendmail send the DSN of scenario name; return what it wrote."""
    scenario = SCENARIOS[name]
    site.clear_queue()
    sender = scenario.sender
    commands = _smtp(
        "EHLO client.example.test\n",
        f"MAIL FROM:{sender}{scenario.mail_params}\n",
        *(f"RCPT TO:{rcpt}\n" for rcpt in scenario.rcpts),
        "DATA\n",
        scenario.message + ".\n",
        "QUIT\n",
    )
    _queue(site, commands)
    before = _qf_files(site)
    assert len(before) == 1, sorted(before)
    orig_name, orig_qf = next(iter(before.items()))
    original = (orig_name, orig_qf, (site.queue / ("df" + orig_name[2:])).read_bytes())
    time.sleep(scenario.sleep)
    # -v keeps the queue run in the foreground; its exit status is that of the last
    # recipient that failed for good (EX_NOUSER ...), kept for our run to match
    run = _with_smtp(site, [str(REAL_SENDMAIL), *SENDMAIL_ARGS, "-q", "-v",
                            *scenario.queue_options])
    dsns = {
        n: data for n, data in _qf_files(site).items() if b"\nSMAILER-DAEMON\n" in data
    }
    chosen = [n for n, data in dsns.items() if _to_of(data) == scenario.dsn_to]
    assert len(chosen) == 1, f"{name}: DSNs {[(n, _to_of(d)) for n, d in dsns.items()]}"
    dsn_name = chosen[0]
    dsn_qf = dsns[dsn_name]
    dsn_df = (site.queue / ("df" + dsn_name[2:])).read_bytes()
    dsn = parse_qf(dsn_qf, qid=dsn_name[2:])
    attempts = [
        int(email.utils.parsedate_to_datetime(line.split(b": ", 1)[1].decode()).timestamp())
        for line in dsn_df.split(b"\n")
        if line.startswith(b"Last-Attempt-Date: ")
    ]
    recipients = [dict(r) for r in scenario.recipients]
    if scenario.report.get("mime", True):  # without MIME there is no delivery-status part
        assert len(attempts) == len(recipients), f"{name}: {attempts}"
        for rcpt, attempt in zip(recipients, attempts, strict=True):
            rcpt["last_attempt"] = attempt
    inputs = {
        "kind": scenario.kind,
        "recipients": recipients,
        "transcript": scenario.transcript,
        "host_name": nsenv.HOSTNAME,
        "original_qid": original[0][2:],
        "qid": dsn.qid,
        "now": dsn.created,
        **scenario.report,
    }
    orig_qf, orig_df = original[1], original[2]
    return Case(name, orig_qf, orig_df, dsn_qf, dsn_df, inputs, run.returncode,
                run.stdout.decode("latin-1"))


# --------------------------------------------------------------------------- the tests

needs_real = pytest.mark.skipif(unavailable_reason() is not None, reason=str(unavailable_reason()))
pytestmark = [pytest.mark.differential, needs_real]


def _unit_module() -> ModuleType:
    return nsenv.load_module(UNIT_TEST, "_dsn_unit_cases")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return build_site(tmp_path_factory.mktemp("dsn_real"))


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_dsn_matches_real(site: Site, name: str, tmp_path: Path) -> None:
    case = run_scenario(site, name)
    case.write(tmp_path)
    _unit_module().check_case(tmp_path, name)


# --------------------------------------------------------------------------- our queue run

OUR_SENDMAIL = ROOT / ".venv" / "bin" / "sendmail"
_DATE = re.compile(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d [^\n;]+")


@pytest.fixture(scope="module")
def our_site(tmp_path_factory: pytest.TempPathFactory, site: Site) -> Site:
    """A copy of the site for our sendmail: the same .cf and scripts, our alias map."""
    root = tmp_path_factory.mktemp("dsn_ours")
    work = root / "site"
    shutil.copytree(site.root, work, symlinks=True,
                    ignore=shutil.ignore_patterns("aliases.db", "mqueue", "out"))
    for sub, mode in (("mqueue", 0o700), ("out", 0o777)):
        (work / sub).mkdir()
        (work / sub).chmod(mode)
    env = nsenv.NsEnv(root / "state", binds=((work, NS),), hosts=HOSTS)
    env.prepare()
    built = subprocess.run(env.argv([str(OUR_SENDMAIL), *SENDMAIL_ARGS, "-bi"]),
                           capture_output=True, env=RUN_ENV, timeout=120, check=False)
    assert built.returncode == 0, built
    return Site(work, env)


def _masked(qf: bytes, df: bytes, qids: dict[str, str]) -> list[str]:
    """A DSN's qf and df as lines, with what differs between two runs replaced: the
    queue ids (by the names in qids), times, dates, the T, K and I records."""
    text = (qf + b"=====\n" + df).decode("latin-1")
    for qid, word in qids.items():
        text = text.replace(qid, word)
    text = _DATE.sub("DATE", text)
    text = re.sub(r"^([TK])\d+$", r"\1X", text, flags=re.M)
    text = re.sub(r"^I\d+/\d+/\d+\n", "", text, flags=re.M)
    text = re.sub(r"\b\d{12}\.(DSN|ORIG)", r"X.\1", text)  # $t in Message-Id
    text = re.sub(r"\.\d{9,}/", ".EPOCH/", text)  # the MIME boundary
    return text.split("\n")


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_our_queue_run_makes_the_same_dsn(site: Site, our_site: Site, name: str) -> None:
    """The queue run of our sendmail, given the message the real one was given, makes
    the DSN the real one made: its queue file and its data file, line for line; and
    `sendmail -q -v` says what the real one says and exits as it does."""
    case = run_scenario(site, name)
    scenario = SCENARIOS[name]
    our_site.clear_queue()
    orig_qid = case.inputs["original_qid"]
    (our_site.queue / f"qf{orig_qid}").write_bytes(case.orig_qf)
    (our_site.queue / f"df{orig_qid}").write_bytes(case.orig_df)
    # -v, as for the real one: the queue run in the foreground, done before the fake
    # SMTP server goes away
    run = _with_smtp(our_site, [str(OUR_SENDMAIL), *SENDMAIL_ARGS, "-q", "-v",
                                *scenario.queue_options])
    # what -v says, and the status of the last recipient that failed for good
    # (EX_NOUSER), else 0
    said = nsenv.mask_qf(run.stdout.decode("latin-1")).splitlines()
    expected = nsenv.mask_qf(case.run_output).splitlines()
    assert said == expected, "\n".join(difflib.unified_diff(expected, said, "real", "ours",
                                                           lineterm=""))
    assert run.returncode == case.run_status
    dsns = {n: data for n, data in _qf_files(our_site).items()
            if b"\nSMAILER-DAEMON\n" in data and _to_of(data) == scenario.dsn_to}
    assert len(dsns) == 1, f"{name}: our DSNs {sorted(_qf_files(our_site))}"
    our_name, our_qf = next(iter(dsns.items()))
    our_df = (our_site.queue / f"df{our_name[2:]}").read_bytes()
    real = _masked(case.dsn_qf, case.dsn_df, {case.inputs["qid"]: "DSN", orig_qid: "ORIG"})
    ours = _masked(our_qf, our_df, {our_name[2:]: "DSN", orig_qid: "ORIG"})
    assert ours == real, "\n".join(difflib.unified_diff(real, ours, "real", "ours",
                                                           lineterm=""))


# --------------------------------------------------------------------------- regeneration


def write_fixtures(target: Path = FIXTURE_DIR) -> None:
    """Regenerate tests/unit/deliver/data/dsn/ from the real sendmail (run as root)."""
    import tempfile

    reason = unavailable_reason()
    if reason:
        raise SystemExit(f"cannot run the real sendmail: {reason}")
    with tempfile.TemporaryDirectory() as tmp:
        real_site = build_site(Path(tmp))
        for name in SCENARIOS:
            run_scenario(real_site, name).write(target)
            print(f"{target}/{name}.*")


if __name__ == "__main__":
    if sys.argv[1:] == ["--write-fixtures"]:
        write_fixtures()
    elif sys.argv[1:2] == ["--show"]:  # debugging: print what the real sendmail sent
        with __import__("tempfile").TemporaryDirectory() as tmp:
            real_site = build_site(Path(tmp))
            for name in sys.argv[2:]:
                case = run_scenario(real_site, name)
                sys.stdout.write(case.dsn_qf.decode("latin-1") + case.dsn_df.decode("latin-1"))
    else:
        raise SystemExit(f"usage: {sys.argv[0]} --write-fixtures | --show NAME...")
