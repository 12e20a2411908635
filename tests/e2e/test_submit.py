"""Command-line submission: `sendmail [flags] address... < message` and `sendmail -t`.

DESCRIPTION
    Our sendmail, run as a subprocess on a private site (conftest.build_site)
    with DeliveryMode queue (-odq), so that the queue file it writes can be
    read: its records are those the real Sendmail 8.17 writes for the same
    command line (seen in its queue files: the record order, R/r records,
    the Received: line with "for ADDRESS" only for one address given on the
    command line, Date/From/Full-Name/Message-Id only when the message lacks
    them, -t with Bcc, the dot rules of -i, CRLF, a Unix From line, the
    exit codes). Host names resolve only through a name server on loopback.
"""

from __future__ import annotations

import getpass
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import BIN, build_site

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from dnsserver import DnsServer

ZONE = {("remote.example.net", "A"): ["192.0.2.7"], ("remote.example.net", "MX"):
        ["10 remote.example.net."]}


@dataclass
class Site:
    cf: Path
    queue: Path
    env: dict[str, str]

    def send(self, args: list[str], message: bytes) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(BIN / "sendmail"), "-C", str(self.cf), *args],
                              input=message.decode("latin-1"), capture_output=True,
                              text=True, timeout=60, env={**os.environ, **self.env})

    def qf(self) -> str:
        (path,) = sorted(self.queue.rglob("qf*"))
        return path.read_bytes().decode("latin-1")

    def df(self) -> bytes:
        (path,) = sorted(self.queue.rglob("df*"))
        return path.read_bytes()

    def clear(self) -> None:
        for path in self.queue.rglob("*f*"):
            path.unlink()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    cf, queue, _port = build_site(tmp_path)
    with DnsServer(ZONE) as dns:
        yield Site(cf, queue, {"MTA_NAMESERVER": f"127.0.0.1:{dns.port}"})


def _masked(qf: str) -> str:
    """T, the queue id, the dates and $j as words."""
    text = re.sub(r"(?m)^T\d+$", "TX", qf)
    text = re.sub(r"\b[0-9A-Za-z]{8}\d{6}\b", "QID", text)
    text = re.sub(r"\w{3}, \d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d [-+\w]+", "DATE", text)
    return re.sub(r"<\d{12}\.", "<MINUTE.", text)


def test_a_plain_submission_is_queued_as_sendmail_queues_it(site: Site) -> None:
    done = site.send(["-odq", "bob@remote.example.net"], b"Subject: plain test\n\nhello world\n")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    user = getpass.getuser()
    j = re.search(r"by (\S+) \(", site.qf()).group(1)  # type: ignore[union-attr]
    assert _masked(site.qf()) == (
        "V8\nTX\nK0\nN0\nP30033\nFs\n"
        f"$_{user}@localhost\n${{daemon_flags}}c u\nS{user}\nA{user}@{j}\n"
        "rRFC822; bob@remote.example.net\nRPFD:bob@remote.example.net\n"
        "H?P?Return-Path: <\x81g>\n"
        f"H??Received: (from {user}@localhost)\n\tby {j} (8.17.1.9/8.17.1.9) id QID\n"
        "\tfor bob@remote.example.net; DATE\n"
        "H?D?Date: DATE\n"
        f"H?F?From: {user} <{user}>\n"
        f"H?x?Full-Name: {user}\n"
        f"H?M?Message-Id: <MINUTE.QID@{j}>\n"
        "H??Subject: plain test\n.\n")
    assert site.df() == b"hello world\n"


def test_t_takes_to_cc_bcc_after_the_arguments_each_list_last_first(site: Site) -> None:
    message = (b'To: bob@remote.example.net, "Joe" <joe@remote.example.net>\n'
               b"Cc: carol@remote.example.net\nBcc: hidden@remote.example.net\n"
               b"Subject: t test\n\nhello\n")
    done = site.send(["-odq", "-t", "bob@remote.example.net", "extra@remote.example.net"],
                     message)
    assert done.returncode == 0, done.stdout
    qf = site.qf()
    assert re.findall(r"(?m)^R(\w*):(.*)$", qf) == [
        ("PFD", "bob@remote.example.net"), ("PFD", "extra@remote.example.net"),
        ("PFD", '"Joe" <joe@remote.example.net>'), ("PFD", "carol@remote.example.net"),
        ("PFD", "hidden@remote.example.net")]
    assert "\nP150142\nFbs\n" in qf
    # -t: Received has no "for", the Bcc: stays in the queue file (F b removes it later)
    assert re.search(r"id \w+;\n\tDATE", _masked(qf))
    assert "H??Bcc: hidden@remote.example.net\n" in qf


def test_t_without_recipients_and_no_recipients_at_all(site: Site) -> None:
    done = site.send(["-odq", "-t"], b"Subject: no rcpt\n\nx\n")
    assert (done.returncode, done.stdout) == (0, "No recipient addresses found in header\n")
    done = site.send(["-odq"], b"Subject: none\n\nx\n")
    assert (done.returncode, done.stdout) == (64, "Recipient names must be specified\n")
    assert list(site.queue.rglob("qf*")) == []


def test_dots_line_ends_and_the_last_lines(site: Site) -> None:
    message = b"Subject: dots\r\n\r\nline1\r\n..two\n.x\n...three\n. \n.\nafter\n"
    assert site.send(["-odq", "bob@remote.example.net"], message).returncode == 0
    assert site.df() == b"line1\n.two\n.x\n..three\n. \n"
    site.clear()
    assert site.send(["-odq", "-i", "bob@remote.example.net"], message).returncode == 0
    assert site.df() == b"line1\n..two\n.x\n...three\n. \n.\nafter\n"
    site.clear()
    # a last header line without a newline is lost; a last body line keeps none
    assert site.send(["-odq", "bob@remote.example.net"], b"Subject: x\nX-Last: nonl")\
        .returncode == 0
    assert "X-Last" not in site.qf() and "H??Subject: x\n" in site.qf()
    site.clear()
    assert site.send(["-odq", "bob@remote.example.net"], b"Subject: x\n\nlast no newline")\
        .returncode == 0
    assert site.df() == b"last no newline"


def test_unix_from_line_gives_the_date_and_own_fields_are_kept(site: Site) -> None:
    message = (b"From alice Mon Jan  1 00:00:00 2024\nFrom: Alice <alice@remote.example.net>\n"
               b"Message-Id: <given@example.test>\nSubject: own\n\nbody\n")
    done = site.send(["-odq", "bob@remote.example.net"], message)
    assert done.returncode == 0, done.stdout
    qf = site.qf()
    date = time.strftime("%a, %-d %b %Y %H:%M:%S", time.localtime(time.mktime(
        time.strptime("Mon Jan 1 00:00:00 2024", "%a %b %d %H:%M:%S %Y"))))
    assert f"H?D?Date: {date}" in qf
    assert "H?F?From" not in qf and "H?M?Message-Id" not in qf
    assert "H??From: Alice <alice@remote.example.net>\nH??Message-Id: <given@example.test>\n" \
        in qf
    assert "From alice" not in site.df().decode()


def test_sender_full_name_and_dsn_options(site: Site) -> None:
    done = site.send(["-odq", "-f", "Some One <bob@remote.example.net>", "-F", "Dr. X",
                      "-N", "success,delay", "-R", "hdrs", "-V", "env-id-42",
                      "carol@remote.example.net"], b"Subject: opts\n\nhi\n")
    assert done.returncode == 0, done.stdout
    qf = site.qf()
    assert "\nFdns\n" in qf
    assert "\nSSome One <bob@remote.example.net>\nZenv-id-42\nAbob@remote.example.net\n" in qf
    assert "\nRPNSD:carol@remote.example.net\n" in qf
    # -f to another host: no $x, so no full name (the -F is for local senders)
    assert "H?F?From: bob@remote.example.net\n" in qf and "Full-Name" not in qf
    site.clear()
    done = site.send(["-odq", "-F", "Dr. X", "carol@remote.example.net"], b"Subject: f\n\nhi\n")
    user = getpass.getuser()
    assert f'H?F?From: "Dr. X" <{user}>\n' in site.qf()
    assert 'H?x?Full-Name: "Dr. X"\n' in site.qf()


@pytest.mark.parametrize(("args", "message"), [
    (["-N", "bogus"], "Invalid -N argument"),
    (["-R", "bogus"], "Invalid -R value"),
    (["-V", "bad id"], "Invalid syntax in -V flag"),
    (["-f", "a", "-f", "b"], 'More than one "from" person'),
])
def test_bad_options(site: Site, args: list[str], message: str) -> None:
    done = site.send(["-odq", *args, "bob@remote.example.net"], b"Subject: x\n\nx\n")
    assert (done.returncode, done.stdout) == (64, message + "\n")
    assert list(site.queue.rglob("qf*")) == []


@pytest.mark.parametrize(("mode", "status", "reports"), [("q", 67, 0), ("m", 67, 1),
                                                       ("e", 0, 1)])
def test_unknown_local_user_by_error_mode(site: Site, mode: str, status: int,
                                          reports: int) -> None:
    # (ErrorMode p, the default, prints the error and saves the message in the user's
    # ~/dead.letter: tests/diff/test_submit_real.py has it, with a home of its own)
    done = site.send(["-odq", f"-oe{mode}", "root", "nosuchuser"], b"Subject: x\n\nhi\n")
    assert (done.returncode, done.stdout) == (status, "")
    queued = [p.read_bytes().decode("latin-1") for p in sorted(site.queue.rglob("qf*"))]
    message = [q for q in queued if "Returned mail" not in q]
    assert len(message) == 1 and "\nRPFD:root\n" in message[0]
    assert "\nMUser unknown\n" in message[0]
    # m and e: a DSN goes back to the sender at once (here it waits: no local mailer)
    assert len(queued) - 1 == reports


@pytest.fixture
def client_queue() -> Iterator[Path]:
    """The MSP's queue directory. Run as root, the MSP becomes RunAsUser (smmsp, as the
    real one): its queue then belongs to smmsp, mode 2770 as Debian makes it, in a
    directory smmsp may enter (pytest's own are root's, 0700)."""
    top = Path(tempfile.mkdtemp(prefix="msp-"))
    try:
        top.chmod(0o755)
        directory = top / "clientmqueue"
        directory.mkdir()
        if os.geteuid() == 0:
            try:
                entry = pwd.getpwnam("smmsp")
            except KeyError:
                pytest.fail("run as root, the MSP needs the user smmsp (RunAsUser)")
            os.chown(directory, entry.pw_uid, entry.pw_gid)
            directory.chmod(0o2770)
        yield directory
    finally:
        shutil.rmtree(top, ignore_errors=True)


def test_submit_cf_relays_to_the_daemon_or_waits_in_its_own_queue(
        tmp_path: Path, client_queue: Path) -> None:
    from conftest import ETC, start_daemon, stop_daemon

    cf, queue, port = build_site(tmp_path)
    submit_cf = tmp_path / "mail" / "submit.cf"
    subprocess.run([str(BIN / "mta"), "compile", f"-DMTA_PORT={port}",
                    f"-DMSP_QUEUE_DIR={client_queue}", str(ETC / "submit.mc"),
                    "-o", str(submit_cf)], check=True)
    with DnsServer(ZONE) as dns:
        env = {**os.environ, "MTA_NAMESERVER": f"127.0.0.1:{dns.port}"}

        def sendmail(*args: str, data: bytes = b"") -> subprocess.CompletedProcess[bytes]:
            return subprocess.run([str(BIN / "sendmail"), "-C", str(submit_cf), *args],
                                  input=data, capture_output=True, timeout=60, env=env)

        # nothing listens: exit 0, and the message waits in the submission queue
        done = sendmail("bob@remote.example.net", data=b"Subject: msp\n\nhello\n")
        assert (done.returncode, done.stdout, done.stderr) == (0, b"", b"")
        (qf,) = client_queue.glob("qf*")
        text = qf.read_text("latin-1")
        # as Sendmail: the attempt made before exiting leaves P as it was (no RetryFactor)
        assert "\nN1\nP30020\nMDeferred: Connection refused by [127.0.0.1]\n" in text
        assert "\nC:bob@remote.example.net\nrRFC822; bob@remote.example.net\n" \
               "RPFD:bob@remote.example.net\n" in text
        assert "/Submit) id " in text
        daemon = start_daemon(cf, queue, port, tmp_path / "daemon.log", env=env)
        try:
            done = sendmail("-qf")
            assert done.returncode == 0, done.stderr
            assert list(client_queue.glob("qf*")) == []
            (relayed,) = daemon.envelopes()
            assert [r.address for r in relayed.recipients] == ["<bob@remote.example.net>"]
            # a submission while the daemon listens goes straight through
            done = sendmail("carol@remote.example.net", data=b"Subject: now\n\nhi\n")
            assert done.returncode == 0, done.stdout
            assert list(client_queue.glob("qf*")) == []
            assert len(daemon.envelopes()) == 2
            # -v: delivered now, and what happens is told as Sendmail tells it
            done = sendmail("-v", "dave@remote.example.net", data=b"Subject: v\n\nhi\n")
            lines = done.stdout.decode().splitlines()
            assert done.returncode == 0, done.stdout
            assert lines[0] == "dave@remote.example.net... Connecting to [127.0.0.1] via relay..."
            assert lines[1].startswith("220 ")
            assert any(line.startswith(">>> EHLO ") for line in lines)
            assert ">>> RCPT To:<dave@remote.example.net>" in lines and ">>> ." in lines
            sent = [line for line in lines if line.startswith("dave@remote.example.net... Sent (")]
            assert len(sent) == 1 and "Message accepted for delivery" in sent[0]
            assert lines[-3:-1] == ["Closing connection to [127.0.0.1]", ">>> QUIT"]
            assert lines[-1].startswith("221 ")
            assert len(daemon.envelopes()) == 3
            # -X: the input and the SMTP conversation, each line after our pid
            log = tmp_path / "traffic"
            done = sendmail("-X", str(log), "erin@remote.example.net",
                            data=b"Subject: x\n\nhi\n")
            assert done.returncode == 0, done.stdout
            lines = [line.split(" ", 1)[1] for line in log.read_text().splitlines()]
            assert lines[:4] == ["<<< Subject: x", "<<< ", "<<< hi", "<<< [EOF]"]
            assert lines[4] == "=== CONNECT [127.0.0.1]" and lines[5].startswith("<<< 220 ")
            assert ">>> RCPT To:<erin@remote.example.net>" in lines and ">>> ." in lines
        finally:
            stop_daemon(daemon.proc)


def test_bv_says_what_delivery_would_do(site: Site) -> None:
    done = site.send(["-bv", "root", "nosuchuser", "bob@remote.example.net"], b"")
    assert done.returncode == 67
    assert done.stdout.splitlines() == [
        "nosuchuser... User unknown",
        "root... deliverable: mailer local, user root",
        "bob@remote.example.net... deliverable: mailer esmtp, host remote.example.net., "
        "user bob@remote.example.net"]
    done = site.send(["-bv", "-v", "postmaster"], b"")
    assert (done.returncode, done.stdout.splitlines()) == (
        0, ["postmaster... aliased to root", "root... deliverable: mailer local, user root"])
    done = site.send(["-bv"], b"")
    assert (done.returncode, done.stdout) == (64, "Recipient names must be specified\n")


def test_bp_and_the_other_names(site: Site, tmp_path: Path) -> None:
    done = site.send(["-bP"], b"")
    assert (done.returncode, done.stdout) == (0, "Data unavailable: shared memory not updated\n")
    assert site.send(["-odq", "root"], b"Subject: x\n\nhi\n").returncode == 0
    done = site.send(["-bP", "-O", "SharedMemoryKey=4242"], b"")
    assert done.stdout == f"{site.queue}: entries=1\n\t\tTotal requests: 1\n"
    # called as mailq (a link, as Debian installs it), it lists the queue
    link = tmp_path / "mailq"
    link.symlink_to(BIN / "sendmail")
    listed = subprocess.run([str(link), "-C", str(site.cf)], capture_output=True, text=True,
                            timeout=60, env={**os.environ, **site.env})
    assert listed.returncode == 0 and "Total requests: 1" in listed.stdout


def test_unknown_option_letters() -> None:
    # as Sendmail's getopt says it, with the name it was called by; -U (SMTPUTF8,
    # which an 8.17 build without EAI refuses) fails without a word
    program = str(BIN / "sendmail")
    done = subprocess.run([program, "-Z"], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (64, f"{program}: illegal option -- Z\n")
    done = subprocess.run([program, "-U", "root"], capture_output=True, text=True,
                          timeout=60, input="")
    assert (done.returncode, done.stdout, done.stderr) == (64, "", "")


def test_submit_cf_queues_an_address_it_could_repair(tmp_path: Path,
                                                     client_queue: Path) -> None:
    # as the real MSP: "bad<address" is reported (exit 64) and still queued, its
    # repaired form relayed later, the message in the M record
    from conftest import ETC

    submit_cf = tmp_path / "submit.cf"
    subprocess.run([str(BIN / "mta"), "compile", "-DMTA_PORT=1",
                    f"-DMSP_QUEUE_DIR={client_queue}", str(ETC / "submit.mc"),
                    "-o", str(submit_cf)], check=True)
    done = subprocess.run([str(BIN / "sendmail"), "-C", str(submit_cf), "-odq", "bad<address"],
                          input=b"Subject: plain test\n\nhello world\n", capture_output=True,
                          timeout=60)
    assert (done.returncode, done.stdout) == (64, b"bad<address... Unbalanced '<'\n")
    (qf,) = client_queue.glob("qf*")
    text = qf.read_text("latin-1")
    assert "\nMbad<address... Unbalanced '<'\nFs\n" in text
    assert re.search(r"\nC:bad<address\nrRFC822; address@\S+\nRPFD:bad<address\n", text)


def test_background_delivery_ends_and_leaves_the_message_queued(site: Site) -> None:
    # -odb: the delivery goes on in a child after the command has returned; a
    # deferral rewrites the qf there (a thread pool of the parent's, which a forked
    # child had no threads for, once made it wait for ever holding the qf's lock)
    done = site.send(["-odb", "bob@[127.0.0.9]"], b"Subject: background\n\nhi\n")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    deadline = time.monotonic() + 60
    while "\nN1\n" not in site.qf() and time.monotonic() < deadline:
        time.sleep(0.1)
    text = site.qf()
    assert "\nN1\n" in text and "\nMDeferred: Connection refused by [127.0.0.9]\n" in text


def test_the_priority_takes_the_cf_factors(site: Site) -> None:
    # P = size + recipients * RecipientFactor - class * ClassFactor, with the .cf's
    # values (a submission took the defaults whatever the .cf said)
    message = b"Subject: plain test\nPrecedence: bulk\n\nhello world\n"
    done = site.send(["-odq", "-O", "RecipientFactor=1000", "-O", "ClassFactor=7",
                      "bob@remote.example.net", "carol@remote.example.net"], message)
    assert done.returncode == 0, done.stdout
    # 50 bytes, 2 recipients, Precedence bulk = class -60 in the .cf's P lines
    assert "\nP2470\n" in site.qf()
