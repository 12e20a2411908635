"""Differential test: the queue files our daemon writes against the real Sendmail 8.17's.

DESCRIPTION
    Both daemons run in the test namespace (tests/diff/nsenv.py) with the same
    .cf (GNU m4 and the real sendmail-cf, from MC below), queue-only, and get
    the same SMTP transactions from one client (CASES: the null sender, local
    senders with and without a passwd entry, two recipients, a message with
    its own From, Date and Message-Id, a client without a host name). Their
    qf files must be equal line for line once the queue ids, the times and
    the creation time T are masked: the same macros in the same order, the
    same final-recipient records, recipients in the same order, the same
    priority, and the header fields the .cf adds with the same values
    (From: "$x <$g>" with the sender rewritten for a header and the full
    name from passwd; none for the null sender; Received with "[address]"
    alone for a client without a name; dates in Sendmail's arpadate form;
    H lines with a macro condition, "H?${client_addr}?", kept with it;
    Received always, also behind the message's own; address fields
    rewritten as commaize() writes them, and the b flag when there is a
    To:, Cc: or Apparently-To:);
    and, with DSN parameters (DSN_CASES), the same F flags, Z (ENVID), Q
    (ORCPT) and R flags for RET=, ENVID=, NOTIFY= and ORCPT=; and the text
    of a refused RCPT of the transaction as the M record.

DIAGNOSTICS
    Skipped with a reason when the namespaces, the real sendmail, GNU m4 or
    sendmail-cf are missing.

SEE ALSO
    tests/diff/test_queue_real.py (the qf format both ways),
    mta/app/queuesink.py, mta/smtp/session.py (_default_headers).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import nsenv

ROOT = Path(__file__).resolve().parents[2]
REAL = "/usr/sbin/sendmail"
OURS = str(ROOT / ".venv" / "bin" / "sendmail")
PORT = 2525
# the submission sites' .mc without its QUEUE_DIR (this site's daemons are given
# theirs), and H lines with conditions
MC = nsenv.SUBMISSION_SITE_MC.replace("define(`QUEUE_DIR', `@DIR@/mqueue')dnl\n", "") + """\
LOCAL_CONFIG
H?${client_addr}?X-Client: ${client_addr} here
H?$r?X-Proto: $r
H?${nosuch}?X-None: none
"""
# (client source address, sender, recipients, message)
CASES: list[tuple[str, str, list[str], str]] = [
    ("127.0.0.1", "", ["root@localhost"], "Subject: null sender\r\n\r\nhi\r\n"),
    ("127.0.0.1", "root@localhost", ["root@localhost"], "Subject: local\r\n\r\nhi\r\n"),
    ("127.0.0.1", "nobody@mail.example.test", ["root@localhost"],
     "Subject: j\r\n\r\nhi\r\n"),
    ("127.0.0.1", "someone@mail.example.test", ["root@localhost"],
     "Subject: no passwd entry\r\n\r\nhi\r\n"),
    ("127.0.0.1", "root@localhost", ["root@localhost", "postmaster@localhost"],
     "Subject: two\r\n\r\nhello there\r\n"),
    ("127.0.0.1", "someone@mail.example.test", ["root@localhost"],
     "From: Me <me@x.example>\r\nMessage-Id: <abc@x>\r\n"
     "Date: Mon, 1 Jan 2024 00:00:00 +0000\r\nSubject: full\r\n\r\nbody\r\n"),
    ("127.0.0.4", "", ["root@localhost"], "Subject: no name\r\n\r\nhi\r\n"),
    ("127.0.0.1", "root@localhost", ["root@localhost"],
     "Resent-From: someone@example.net\r\nReceived: from elsewhere by relay;\r\n"
     "\tMon, 1 Jan 2024 00:00:00 +0000\r\nTo: a@example.net,\r\n b@example.net\r\n"
     "Subject: resent\r\n\r\nhi\r\n"),
    ("127.0.0.1", "root@localhost", ["root@localhost"],
     "To: " + ", ".join(f"user{n}@a-rather-long-domain-name.example.net" for n in range(4))
     + "\r\nCc: A Name <a@example.net>,\r\n  \"Q, R\" <q@example.net> (c)\r\n"
     "Reply-To: a@example.net,\r\n b@example.net\r\nSubject: address fields\r\n\r\nhi\r\n"),
    ("127.0.0.1", "root@localhost", ["root@localhost"],
     "Bcc: a@example.net\r\nSubject: bcc only\r\n\r\nhi\r\n"),
    ("127.0.0.1", "root@localhost", ["root@localhost"], "\r\nbody without a header\r\n"),
    ("127.0.0.1", "root@localhost", ["root@localhost"], "Subject: no body\r\n"),
    # Precedence: the class of the .cf's P lines (any case) weighs on P; unknown: 0
    ("127.0.0.1", "root@localhost", ["root@localhost"],
     "Precedence: bulk\r\nSubject: bulk\r\n\r\nhi\r\n"),
    ("127.0.0.1", "root@localhost", ["root@localhost"],
     "Precedence: Special-Delivery\r\nSubject: special\r\n\r\nhi\r\n"),
    ("127.0.0.1", "root@localhost", ["root@localhost"],
     "Precedence: nonsense\r\nSubject: unknown\r\n\r\nhi\r\n"),
    ("127.0.0.1", "root@localhost", ["root@localhost"],
     "Precedence: junk\r\nPrecedence: list\r\nSubject: two of them\r\n\r\nhi\r\n"),
    # a refused recipient before the good one: its text becomes the M record
    ("127.0.0.1", "root@localhost", ["nosuchuser@localhost", "root@localhost"],
     "Subject: one refused\r\n\r\nhi\r\n"),
]
# DSN parameters (RFC 3461) for a case: (MAIL parameters, RCPT parameters)
DSN_CASES: list[tuple[str, str, list[str], str | bytes, list[str], list[str]]] = [
    ("127.0.0.1", "root@localhost", ["root@localhost", "postmaster@localhost"],
     "Subject: dsn\r\n\r\nhi\r\n", ["RET=HDRS", "ENVID=QQ314159"],
     ["NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;root@example.test"]),
    ("127.0.0.1", "root@localhost", ["root@localhost"], "Subject: never\r\n\r\nhi\r\n",
     ["RET=FULL", "BODY=8BITMIME"], ["NOTIFY=NEVER"]),
    ("127.0.0.1", "root@localhost", ["root@localhost"],
     b"Subject: caf\xc3\xa9\r\n\r\ncaf\xc3\xa9 cr\xc3\xa8me\r\n", ["BODY=8BITMIME"], []),
    # bulk mail comes back without its body, even with RET=FULL
    ("127.0.0.1", "root@localhost", ["root@localhost"],
     "Precedence: bulk\r\nSubject: bulk, full\r\n\r\nhi\r\n", ["RET=FULL"], []),
    ("127.0.0.1", "root@localhost", ["root@localhost"],
     "Precedence: junk\r\nSubject: junk, hdrs\r\n\r\nhi\r\n", ["RET=HDRS"], []),
]


def inner(site: str, command: str) -> int:
    """Inside the namespace: start the daemon, send CASES, print the qf files as JSON."""
    import smtplib

    queue = f"{site}/mqueue"
    proc = nsenv.start_daemon([command], site, PORT)
    files = []
    try:
        cases = [(*case, [], []) for case in CASES] + DSN_CASES
        for source, sender, recipients, message, mail_options, rcpt_options in cases:
            before = set(os.listdir(queue))
            with smtplib.SMTP("127.0.0.1", PORT, source_address=(source, 0),
                              local_hostname="helo.example", timeout=30) as client:
                client.sendmail(sender, recipients, message, mail_options, rcpt_options)
            new = sorted(n for n in set(os.listdir(queue)) - before if n.startswith("qf"))
            files.append([Path(queue, n).read_bytes().decode("latin-1") for n in new])
    finally:
        proc.terminate()
        proc.wait(10)
    print(json.dumps(files))
    return 0


def _run(root: Path, name: str, command: str) -> list[list[str]]:
    nsenv.daemon_site(root, name, MC)
    env = nsenv.NsEnv(root / "state", binds=((root, nsenv.NS_ROOT),))
    env.prepare()
    proc = subprocess.run(env.argv([sys.executable, __file__, f"{nsenv.NS_ROOT}/{name}",
                                    command]), capture_output=True, text=True, timeout=300,
                          check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return [[nsenv.mask_qf(text) for text in files] for files in json.loads(proc.stdout)]


def test_queue_files_as_real_sendmail_writes_them(tmp_path: Path) -> None:
    nsenv.skip_unless_real(REAL, "/usr/bin/m4", "/usr/share/sendmail/cf/m4/cf.m4", OURS)
    real, ours = nsenv.run_both(tmp_path, _run, REAL, OURS)
    cases = [*CASES, *DSN_CASES]
    assert len(real) == len(ours) == len(cases)
    for case, theirs, mine in zip(cases, real, ours, strict=True):
        assert len(theirs) == 1, case
        assert mine == theirs, case


if __name__ == "__main__":
    sys.exit(inner(sys.argv[1], sys.argv[2]))
