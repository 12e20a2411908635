"""Differential test: the submission program run by root becomes RunAsUser, as Sendmail 8.17.

DESCRIPTION
    submit.cf (FEATURE(`msp'), made by GNU m4 from the real sendmail-cf) says
    `O RunAsUser=smmsp`. Root runs `sendmail -C submit.cf -odq ...` (the
    default mode -bm, -t, -bs) with the real sendmail and with ours, each in
    the test namespace (tests/diff/nsenv.py) on a site of its own whose
    client queue is smmsp:smmsp 2770, as Debian's /var/spool/mqueue-client.
    Compared for each case (CASES): the exit status, what was printed, the
    owner (uid, gid) and mode of each queue file, the queue files' masked
    contents and what landed in a dead.letter. The passwd file of the
    namespace (bound over /etc/passwd) gives root and smmsp homes in the
    site (0700 each): the MSP running as smmsp cannot write root's, so a
    message with a recipient that failed goes back to the sender as a DSN
    instead; and nothing may land in smmsp's (the caller's home counts).

    Also: sendmail.cf (no RunAsUser: nothing switches, root's files 0600,
    dead.letter written), a RunAsUser naming no user in submit.cf ("must
    have RunAsUser set to non root user", 78) and in sendmail.cf (readcf's
    syserr, 70, nothing queued), one naming no group (70 too), RunAsUser=root
    for the MSP (78), and a RunAsUser given as a uid.

    Some aspects of some cases differ for reasons that have nothing to do
    with RunAsUser; those cases compare less (CASES, "skip"): the DSN's text
    (a Final-Recipient for "@"), and -bs's text and replies (the HELO reply,
    ${daemon_flags} and the C record of the qf).

DIAGNOSTICS
    Skipped with a reason when the namespaces, the real sendmail, GNU m4,
    sendmail-cf or the smmsp user and group are missing.

    `.venv/bin/python tests/diff/test_submit_runas_real.py real|ours` prints
    what one of them did, case by case (SENDMAIL_UNDER_TEST: another
    command as ours).

SEE ALSO
    mta/util/privs.py, mta/cli/sendmail.py, tests/diff/test_submit_real.py,
    tests/diff/notes/sendmail-submission.md (section 1, RunAsUser).
"""

from __future__ import annotations

import contextlib
import grp
import json
import os
import pwd
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import nsenv

ROOT = Path(__file__).resolve().parents[2]
REAL = "/usr/sbin/sendmail"
OURS = os.environ.get("SENDMAIL_UNDER_TEST") or str(ROOT / ".venv" / "bin" / "sendmail")
MC = nsenv.SUBMISSION_SITE_MC
# cf/cf/submit.mc of sendmail-cf with the client queue in the site (MSP_QUEUE_DIR, as
# Debian's submit.mc sets it); @RUNAS@: defines that come before FEATURE(`msp')
SUBMIT_MC = """divert(0)dnl
include(`/usr/share/sendmail/cf/m4/cf.m4')dnl
VERSIONID(`submit test')dnl
OSTYPE(`linux')dnl
define(`confCF_VERSION', `Submit')dnl
define(`__OSTYPE__',`')dnl
define(`confTIME_ZONE', `USE_TZ')dnl
define(`confDONT_INIT_GROUPS', `True')dnl
define(`confTO_IDENT', `0')dnl
define(`MSP_QUEUE_DIR', `@DIR@/clientmqueue')dnl
@RUNAS@FEATURE(`msp', `[127.0.0.1]')dnl
"""
# the submit.cf variants: their RunAsUser (TrustedUser stays smmsp, which the MSP
# feature would make the same unknown name: that is the loader's message, not ours)
SUBMIT_VARIANTS = {
    "submit": "",
    "unknown": "define(`confRUN_AS_USER', `nosuchrunas')dnl\n"
               "define(`confTRUSTED_USER', `smmsp')dnl\n",
    "numeric": "define(`confRUN_AS_USER', `@SMMSP_UID@')dnl\n"
               "define(`confTRUSTED_USER', `smmsp')dnl\n",
    "badgroup": "define(`confRUN_AS_USER', `smmsp:nosuchgroupx')dnl\n",
    "asroot": "define(`confRUN_AS_USER', `root')dnl\n",
}
R = "bob@remote.example.net"
PLAIN = "Subject: plain test\n\nhello world\n"
# -bs: each line is sent after a reply (the greeting first), as Sendmail refuses
# input that comes before its greeting; a "\r" in one is a line break within it
BS = "\n".join(["HELO client.example.test", "MAIL FROM:<root>",
                "RCPT TO:<bob@remote.example.net>", "DATA", "Subject: bs test\r\rhello\r.",
                "QUIT"])
BS_LUSER = "\n".join(["HELO client.example.test", "MAIL FROM:<root>",
                      "RCPT TO:<nosuchuser@mail.example.test>", "RCPT TO:<root@mail.example.test>",
                      "RCPT TO:<bob@remote.example.net>", "DATA",
                      "Subject: bs test\r\rhello\r.", "QUIT"])
# (.cf, the arguments after -C CF -odq, standard input, aspects not compared)
CASES: list[tuple[str, list[str], str, frozenset[str]]] = [
    ("submit", [R], PLAIN, frozenset()),
    ("submit", ["-t"], 'To: bob@remote.example.net, "Joe" <joe@remote.example.net>\n'
                       "Cc: carol@remote.example.net\nSubject: t test\n\nhello\n", frozenset()),
    ("submit", ["-f", "alice@remote.example.net", R], PLAIN, frozenset()),
    # a local name: the MSP relays it as it is (no passwd look-up)
    ("submit", ["nosuchuser"], PLAIN, frozenset()),
    # an address that does not parse: said, and queued for the others (no dead.letter)
    ("submit", ["root", "bad<address"], PLAIN, frozenset()),
    # a recipient that fails in the MSP: root's dead.letter cannot be written as
    # smmsp, so a DSN goes back to root instead (queued in the client queue)
    ("submit", [R, "@"], PLAIN, frozenset({"text"})),
    # -bs: greets "root@localhost", ${daemon_flags} "c u"; F=5 mailers: a C record
    # for what ruleset 5 sends elsewhere (submit.cf: everything), an unknown local
    # user accepted for LUSER_RELAY, the recipients sorted by host
    ("submit", ["-bs"], BS, frozenset()),
    ("sendmail", ["-bs"], BS, frozenset()),
    ("submit", ["-bs"], BS_LUSER, frozenset()),
    ("luser", ["-bs"], BS_LUSER, frozenset()),
    # -bv: through submit.cf root is smmsp too, hence the notice
    ("submit", ["-bv", "nosuchuser", R], "", frozenset()),
    ("sendmail", ["-bv", "root", R], "", frozenset()),
    # delivered at once (the MTA is down): the attempt leaves N1, K, M, and no I
    # record (a df that collect() wrote), as smmsp
    ("submit", ["-odi", R], PLAIN, frozenset()),
    # no RunAsUser: root writes the queue, and can write its ~/dead.letter
    ("sendmail", [R], PLAIN, frozenset()),
    ("sendmail", ["root", "nosuchuser"], PLAIN, frozenset()),
    ("sendmail", ["-odi", R], PLAIN, frozenset()),
    ("unknown", [R], PLAIN, frozenset()),
    ("unknown-mta", [R], PLAIN, frozenset()),
    ("numeric", [R], PLAIN, frozenset()),
    ("badgroup", [R], PLAIN, frozenset()),
    ("asroot", [R], PLAIN, frozenset()),
]


def inner(site: str, command: str) -> int:
    """Inside the namespace: run CASES, print what each did as JSON."""
    subprocess.run([command, "-C", f"{site}/sendmail.cf", "-bi"], check=True,
                   capture_output=True, timeout=60)
    queues = [Path(site, "mqueue"), Path(site, "clientmqueue")]
    homes = {"root": Path(f"{site}-home"), "smmsp": Path(f"{site}-smmsp")}
    results = []
    for cf, args, message, _skip in CASES:
        for queue in queues:
            for old in queue.iterdir():
                old.unlink()
        odq = [] if any(a.startswith("-od") for a in args) else ["-odq"]
        argv = [command, "-C", f"{site}/{cf}.cf", *odq, *args]
        env = {"PATH": "/usr/sbin:/usr/bin:/bin", "HOME": str(homes["root"])}
        if args == ["-bs"]:
            done = _dialogue(argv, env, message.split("\n"))
        else:
            done = subprocess.run(argv, input=message.encode(), capture_output=True,
                                  timeout=60, env=env)
        files = []
        for queue in queues:
            for path in sorted(queue.iterdir()):
                if path.name[:2] in ("qf", "df"):
                    info = path.stat()
                    files.append({"queue": queue.name, "kind": path.name[:2],
                                  "uid": info.st_uid, "gid": info.st_gid,
                                  "mode": oct(stat.S_IMODE(info.st_mode)),
                                  "text": path.read_bytes().decode("latin-1")})
        dead = {}
        for user, home in homes.items():
            letter = home / "dead.letter"
            if letter.exists():
                dead[user] = letter.read_bytes().decode("latin-1")
                letter.unlink()
        results.append({"rc": done.returncode, "out": done.stdout.decode("latin-1"),
                        "files": files, "dead.letter": dead})
    print(json.dumps(results))
    return 0


def _dialogue(argv: list[str], env: dict[str, str],
              lines: list[str]) -> subprocess.CompletedProcess[bytes]:
    """An SMTP session on the standard input of argv (-bs): each line after a reply."""
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=env)
    assert proc.stdin is not None and proc.stdout is not None
    out = b""
    for line in [None, *lines]:
        if line is not None:
            try:
                proc.stdin.write(line.replace("\r", "\r\n").encode() + b"\r\n")
                proc.stdin.flush()
            except BrokenPipeError:  # it has ended the session
                break
        while True:  # the reply, up to its last line ("250 ...", not "250-...")
            got = proc.stdout.readline()
            out += got
            if not got or got[3:4] != b"-":
                break
    with contextlib.suppress(BrokenPipeError):
        proc.stdin.close()
    out += proc.stdout.read()
    return subprocess.CompletedProcess(argv, proc.wait(timeout=60), out, b"")


def _mask(text: str, name: str) -> str:
    """Queue ids, times and the site's path replaced by words."""
    text = nsenv.mask_qf(text).replace(f"{nsenv.NS_ROOT}/{name}", "SITE")
    text = re.sub(r"(?m)^From (\S+) .*$", r"From \1 DATE", text)
    text = re.sub(r"(?m)^K\d{9,}$", "KX", text)  # the time of an attempt
    return re.sub(r"\w{3}, \s?\d{1,2} \w{3} \d{4} HH:MM:SS [-+]?\w+", "DATE", text)


def _site(root: Path, name: str) -> Path:
    """The site of one run: sendmail.cf and aliases (nsenv.daemon_site), the client
    queue, the submit.cf variants, unknown-mta.cf, and a passwd file whose root and
    smmsp have their homes in the site."""
    site = nsenv.daemon_site(root, name, MC)
    smmsp = pwd.getpwnam("smmsp")
    smmsp_gid = grp.getgrnam("smmsp").gr_gid
    client = site / "clientmqueue"
    client.mkdir()
    os.chown(client, smmsp.pw_uid, smmsp_gid)
    client.chmod(0o2770)
    inside = f"{nsenv.NS_ROOT}/{name}"
    for cf, runas in SUBMIT_VARIANTS.items():
        mc = SUBMIT_MC.replace("@DIR@", inside).replace("@RUNAS@", runas)
        (site / f"{cf}.mc").write_text(mc.replace("@SMMSP_UID@", str(smmsp.pw_uid)))
        made = subprocess.run(["m4", str(site / f"{cf}.mc")], capture_output=True, check=True)
        (site / f"{cf}.cf").write_bytes(made.stdout)
    # sendmail.cf with LUSER_RELAY: ruleset 5 sends an unknown local user there
    mc = MC.replace("@DIR@", inside).replace(
        "MAILER(`local')dnl", "define(`LUSER_RELAY', `local:postmaster')dnl\nMAILER(`local')dnl")
    (site / "luser.mc").write_text(mc)
    made = subprocess.run(["m4", str(site / "luser.mc")], capture_output=True, check=True)
    (site / "luser.cf").write_bytes(made.stdout)
    # sendmail.cf with a RunAsUser that names no user
    text = (site / "sendmail.cf").read_text()
    assert "\n#O RunAsUser=sendmail\n" in text
    (site / "unknown-mta.cf").write_text(text.replace("\n#O RunAsUser=sendmail\n",
                                                      "\nO RunAsUser=nosuchrunas\n"))
    # the homes, never the host's /root or /var/lib/sendmail (smmsp's, writable by it)
    (root / f"{name}-home").mkdir(mode=0o700)
    (root / f"{name}-smmsp").mkdir(mode=0o700)
    os.chown(root / f"{name}-smmsp", smmsp.pw_uid, smmsp_gid)
    lines = []
    for line in Path("/etc/passwd").read_text().splitlines(keepends=True):
        line = re.sub(r"^(root:[^:]*:0:0:[^:]*:)[^:]*:", rf"\g<1>{inside}-home:", line)
        lines.append(re.sub(rf"^(smmsp:[^:]*:{smmsp.pw_uid}:[^:]*:[^:]*:)[^:]*:",
                            rf"\g<1>{inside}-smmsp:", line))
    (root / f"{name}-passwd").write_text("".join(lines))
    return site


def _run(root: Path, name: str, command: str) -> list[dict[str, object]]:
    """What command did with CASES in its own site, masked."""
    _site(root, name)
    env = nsenv.NsEnv(root / "state", binds=((root, nsenv.NS_ROOT),
                                              (root / f"{name}-passwd", "/etc/passwd")))
    env.prepare()
    proc = subprocess.run(env.argv([sys.executable, __file__,
                                    f"{nsenv.NS_ROOT}/{name}", command]),
                          capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    results: list[dict[str, object]] = json.loads(proc.stdout)
    for result in results:
        result["out"] = _mask(str(result["out"]), name)
        result["dead.letter"] = {user: _mask(text, name) for user, text
                                 in result["dead.letter"].items()}  # type: ignore[attr-defined]
        for entry in result["files"]:  # type: ignore[attr-defined]
            entry["text"] = _mask(entry["text"], name)
    return results


def _compared(result: dict[str, object], skip: frozenset[str]) -> dict[str, object]:
    """What of a result is compared: all but the aspects in skip."""
    shown = {key: value for key, value in result.items() if key not in skip}
    if "text" in skip:
        shown["files"] = [{key: value for key, value in entry.items() if key != "text"}
                          for entry in result["files"]]  # type: ignore[attr-defined]
    return shown


def skip_unless_runnable() -> None:
    """Skip, saying why, when this test cannot run here."""
    nsenv.skip_unless_real(REAL, "/usr/bin/m4", "/usr/share/sendmail/cf/m4/cf.m4",
                           "/usr/share/sendmail/cf/feature/msp.m4", OURS)
    try:
        pwd.getpwnam("smmsp")
        grp.getgrnam("smmsp")
    except KeyError:
        pytest.skip("no smmsp user or group")


def test_submissions_as_root_switch_to_run_as_user(tmp_path: Path) -> None:
    skip_unless_runnable()
    real, ours = nsenv.run_both(tmp_path, _run, REAL, OURS)
    assert len(real) == len(ours) == len(CASES)
    # the switch itself, in the real program: the MSP's files are smmsp's, 0660
    smmsp = pwd.getpwnam("smmsp")
    assert {(f["uid"], f["mode"]) for f in real[0]["files"]} == {  # type: ignore[attr-defined]
        (smmsp.pw_uid, "0o660")}
    different = [(case[:3], _compared(theirs, case[3]), _compared(mine, case[3]))
                 for case, theirs, mine in zip(CASES, real, ours, strict=True)
                 if _compared(theirs, case[3]) != _compared(mine, case[3])]
    assert not different, "\n\n".join(
        f"{case!r}\nreal: {theirs!r}\nours: {mine!r}" for case, theirs, mine in different[:5])


if __name__ == "__main__":
    if len(sys.argv) == 3:
        sys.exit(inner(sys.argv[1], sys.argv[2]))
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp).chmod(0o755)
        top = Path(tmp, "site")
        top.mkdir(mode=0o755)
        which = sys.argv[1] if len(sys.argv) > 1 else "real"
        for case, got in zip(CASES, _run(top, which, REAL if which == "real" else OURS),
                             strict=True):
            print(json.dumps({"case": case[:3], **got}, indent=1))
