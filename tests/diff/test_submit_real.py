"""Differential test: command-line submission against the real Sendmail 8.17.

DESCRIPTION
    The same command lines (`sendmail -C sendmail.cf -odq [flags] args < message`,
    CASES) are run with the real sendmail and with ours, each in the test
    namespace (tests/diff/nsenv.py) on a site of its own with the same .cf
    (GNU m4 and the real sendmail-cf) and aliases. Compared for each case:
    the exit status, what was printed, and the queue files written, line for
    line once the queue ids, the times and the creation time T are masked:
    the records and their order, the recipients (with -t, from the header
    after the arguments, each list last first; aliases expanded), the header
    fields the .cf adds (Received with "for" for one address given, Date,
    From with the full name, Full-Name, Message-Id) and the body as the dot
    rules, CRLF, a Unix From line and a header without a final newline leave
    it; for a recipient that fails, the dead.letter or the DSN (its queue
    files as returntosender() writes them, the body included).

DIAGNOSTICS
    Skipped with a reason when the namespaces, the real sendmail, GNU m4 or
    sendmail-cf are missing.

SEE ALSO
    mta/app/submit.py, tests/diff/notes/sendmail-submission.md,
    tests/diff/test_qf_daemon.py (the same for SMTP).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import nsenv

ROOT = Path(__file__).resolve().parents[2]
REAL = "/usr/sbin/sendmail"
OURS = str(ROOT / ".venv" / "bin" / "sendmail")
MC = nsenv.SUBMISSION_SITE_MC
R = "bob@remote.example.net"
PLAIN = "Subject: plain test\n\nhello world\n"
# (arguments after -odq, standard input)
CASES: list[tuple[list[str], str | bytes]] = [
    ([R], PLAIN),
    ([R, "carol@remote.example.net"], PLAIN),
    ([f"{R},carol@remote.example.net"], PLAIN),
    (["root"], PLAIN),
    (["Bob <bob@remote.example.net>"], PLAIN),
    ([R], "From: Alice Sender <alice@mail.example.test>\nTo: Someone <bob@remote.example.net>\n"
          "Date: Mon, 1 Jan 2024 00:00:00 +0000\nMessage-Id: <given@example.test>\n"
          "Subject: full headers\n\nbody\n"),
    (["-t"], 'To: bob@remote.example.net, "Joe" <joe@remote.example.net>\n'
             "Cc: carol@remote.example.net\nBcc: hidden@remote.example.net\n"
             "Subject: t test\n\nhello\n"),
    (["-t", R, "extra@remote.example.net"],
     'To: bob@remote.example.net, "Joe" <joe@remote.example.net>\nSubject: t plus\n\nhi\n'),
    (["-t"], "Bcc: hidden@remote.example.net\nSubject: bcc only\n\nhi\n"),
    (["-t"], "To: old@remote.example.net\nResent-To: new@remote.example.net\n"
             "Resent-From: alice@mail.example.test\nSubject: resent\n\nhi\n"),
    ([R], "Subject: dots\n\nline1\n..two\n.x\n...three\n. \n.\nafter\n"),
    (["-i", R], "Subject: dots\n\nline1\n..two\n.x\n...three\n. \n.\nafter\n"),
    (["-oi", R], "Subject: dots\n\n..two\n.\nafter\n"),
    ([R], b"Subject: crlf\r\nX-A: a\r\n\r\nline one\r\nbare\rcr\r\n"),
    ([R], "From alice Mon Jan  1 00:00:00 2024\nSubject: unix from\n\nbody\n"),
    ([R], "Subject: header only nonl"),
    ([R], "Subject: x\nX-Last: nonl"),
    ([R], "Subject: x\n\nlast no newline"),
    ([R], ""),
    ([R], "Subject: header only\nX-B: b\n"),
    ([R], "just a body line\nSubject: not a header\n"),
    ([R], "\nbody after an empty line\n"),
    ([R], "From:\nDate: \nSubject: empty\nX-Empty:\n\nhi\n"),
    ([R], "To: c@remote.example.net,\n  d@remote.example.net\nSubject: folded\n\nhi\n"),
    ([R], "Precedence: bulk\nSubject: bulk\n\nhi\n"),
    ([R], b"Subject: caf\xc3\xa9\n\ncr\xc3\xa8me\n"),
    (["-f", "<bob@remote.example.net>", "carol@remote.example.net"], PLAIN),
    (["-f", "Some One <bob@remote.example.net>", "carol@remote.example.net"], PLAIN),
    (["-f", "ghost", "-F", "X Y", "carol@remote.example.net"], PLAIN),
    (["-F", "Dr. X", R], PLAIN),
    (["-F", "Plain Name", "-f", "sender@remote.example.net", R], PLAIN),
    (["-N", "success,delay", R], PLAIN),
    (["-N", "never", R], PLAIN),
    (["-R", "hdrs", "-V", "env-id-42", R], PLAIN),
    (["-R", "full", R], PLAIN),
    (["-B", "8BITMIME", R], PLAIN),
    (["-B", "7BIT", R], PLAIN),
    (["postmaster", "root"], PLAIN),
    (["staff"], PLAIN),
    (["fwd"], PLAIN),
    (["staff", "nobody"], PLAIN),
    (["root", R, "nobody"], PLAIN),
    # an address that fails: the message is saved in ~/dead.letter (a private /root
    # here), or not (-oeq)
    (["nosuchuser"], PLAIN),
    (["root", "nosuchuser"], PLAIN),
    (["bad<address"], PLAIN),
    (["-oeq", "root", "nosuchuser"], PLAIN),
    (["nosuchuser"], "From: Someone <someone@remote.example.net>\nSubject: dl\n\n"
                     "From the start\nbody\n"),
    (["root", "root"], PLAIN),
    ([], PLAIN),
    (["-t"], "Subject: no rcpt\n\nx\n"),
    (["-t"], "To: Group: a@remote.example.net, b@remote.example.net;\nSubject: g2\n\nx\n"),
    (["-N", "bogus", R], PLAIN),
    (["-R", "bogus", R], PLAIN),
    (["-V", "bad id", R], PLAIN),
    (["-f", "a", "-f", "b", R], PLAIN),
    # errors in -t header addresses: no F "s", the message mailed back (the DSN is
    # tried at once; the local mailer cannot run here, so it stays queued, and
    # "Operating system error" is printed), not saved in dead.letter
    (["-t"], "To: nosuchuser\nSubject: u\n\nx\n"),
    (["-t"], "To: nosuchuser, c@remote.example.net\nSubject: u\n\nx\n"),
    (["-t"], "To: undisclosed-recipients:;\nSubject: u\n\nx\n"),
    (["-t", R], "To: undisclosed-recipients:;\nSubject: u\n\nx\n"),
    (["-t", R], "To: c@remote.example.net\nSubject: u\n\nx\n"),
    (["undisclosed-recipients:;"], PLAIN),
    (["-oem", "nosuchuser"], PLAIN),
    (["-oee", "root", "nosuchuser"], PLAIN),
    # the DSN of a submission: an alias of several members is reported "expanded";
    # RET=, ENVID and 8-bit data carry over; a remote sender's DSN defers
    (["-oem", "root", "staff", "nosuchuser"], PLAIN),
    (["-oem", "-N", "success,failure", "staff", "nosuchuser"], PLAIN),
    (["-oem", "fwd", "nosuchuser", "root"], PLAIN),
    (["-t"], "To: staff, nosuchuser\nSubject: u\n\nx\n"),
    (["-oem", "-R", "hdrs", "nosuchuser"], PLAIN),
    (["-N", "success,failure", "staff", "nosuchuser"], PLAIN),
    (["-oem", "-R", "full", "-V", "envid1", "nosuchuser"], PLAIN),
    (["-oem", "-f", "bob@remote.example.net", "nosuchuser"], PLAIN),
    (["-oem", "nosuchuser"], b"Subject: u\n\ncaf\xc3\xa9\n"),
    # addresses refused as such; "a b c" is three (OldStyleHeaders)
    (["<>"], PLAIN),
    (["@"], PLAIN),
    (["|/bin/true"], PLAIN),
    (["/tmp/somefile"], PLAIN),
    (["a@b@c"], PLAIN),
    (["foo@"], PLAIN),
    (['"unbalanced'], PLAIN),
    (["a b c"], PLAIN),
    (["x@[1.2.3"], PLAIN),
    (["-oem", "@"], PLAIN),
    ([":include:/etc/passwd"], PLAIN),
]


def inner(site: str, command: str) -> int:
    """Inside the namespace: build the aliases, run CASES, print what each did as JSON."""
    subprocess.run([command, "-C", f"{site}/sendmail.cf", "-bi"], check=True,
                   capture_output=True, timeout=60)
    queue = Path(site, "mqueue")
    results = []
    for args, message in CASES:
        for old in queue.iterdir():
            old.unlink()
        data = message.encode() if isinstance(message, str) else message
        done = subprocess.run([command, "-C", f"{site}/sendmail.cf", "-odq", *args],
                              input=data, capture_output=True, timeout=60,
                              env={"PATH": "/usr/sbin:/usr/bin:/bin", "HOME": site})
        files = {}
        for path in sorted(queue.iterdir()):
            if path.name[:2] in ("qf", "df"):
                files[path.name[:2] + str(len(files))] = path.read_bytes().decode("latin-1")
        dead = Path(f"{site}-home/dead.letter")  # root's home in the namespace
        saved = dead.read_bytes().decode("latin-1") if dead.exists() else None
        dead.unlink(missing_ok=True)
        results.append({"rc": done.returncode, "out": done.stdout.decode("latin-1"),
                        "files": sorted(files.values()), "dead.letter": saved})
    print(json.dumps(results))
    return 0


def _run(root: Path, name: str, command: str) -> list[dict[str, object]]:
    site = nsenv.daemon_site(root, name, MC)
    # root's home inside is a directory of the site (a passwd file of our own bound
    # over /etc/passwd), so that dead.letter lands there and not in the host's /root
    home = root / f"{name}-home"
    home.mkdir(mode=0o700)
    passwd = root / f"{name}-passwd"
    passwd.write_text("".join(
        re.sub(r"^(root:[^:]*:0:0:[^:]*:)[^:]*:", rf"\g<1>{nsenv.NS_ROOT}/{name}-home:", line)
        for line in Path("/etc/passwd").read_text().splitlines(keepends=True)))
    with open(site / "aliases", "a") as fh:
        fh.write("staff: root, nobody, bob@remote.example.net\nfwd: carol@remote.example.net\n")
    env = nsenv.NsEnv(root / "state", binds=((root, nsenv.NS_ROOT), (passwd, "/etc/passwd")))
    env.prepare()
    proc = subprocess.run(env.argv([sys.executable, __file__, f"{nsenv.NS_ROOT}/{name}",
                                    command]), capture_output=True, text=True, timeout=600,
                          check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    results: list[dict[str, object]] = json.loads(proc.stdout)
    for result in results:
        result["out"] = nsenv.mask_qf(str(result["out"])).replace(f"{nsenv.NS_ROOT}/{name}-home",
                                                          "HOME")
        if result["dead.letter"] is not None:
            result["dead.letter"] = re.sub(r"(?m)^From (\S+) .*$", r"From \1 DATE",
                                           nsenv.mask_qf(str(result["dead.letter"])))
        result["files"] = [_mask(text) for text in result["files"]]  # type: ignore[attr-defined]
    return results


def _mask(text: str) -> str:
    """mask_qf, and what else holds the time (a DSN's K record and its MIME boundary);
    the I record (the df's device and i-number) is dropped: ours does not write it."""
    text = re.sub(r"^K\d{9,}$", "KX", nsenv.mask_qf(text), flags=re.M)
    text = re.sub(r"^I\d+/\d+/\d+\n", "", text, flags=re.M)
    return re.sub(r"\bQID\.\d{9,}/", "QID.EPOCH/", text)


def test_submissions_as_real_sendmail_queues_them(tmp_path: Path) -> None:
    nsenv.skip_unless_real(REAL, "/usr/bin/m4", "/usr/share/sendmail/cf/m4/cf.m4", OURS)
    real, ours = nsenv.run_both(tmp_path, _run, REAL, OURS)
    assert len(real) == len(ours) == len(CASES)
    different = [(case, theirs, mine) for case, theirs, mine in zip(CASES, real, ours,
                                                                    strict=True)
                 if theirs != mine]
    assert not different, "\n\n".join(
        f"{case!r}\nreal: {theirs!r}\nours: {mine!r}" for case, theirs, mine in different[:5])


if __name__ == "__main__":
    sys.exit(inner(sys.argv[1], sys.argv[2]))
