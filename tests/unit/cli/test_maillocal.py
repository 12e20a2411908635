"""Unit tests of mail.local, run as subprocesses with a private spool (MAIL_SPOOL_DIR)."""

from __future__ import annotations

import grp
import mailbox
import os
import pwd
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from mta.cli.maillocal import parse_path, worse_status
from mta.util.sysexits import ExitCode

ALICE, BOB, CAROL = "ml-alice", "ml-bob", "ml-carol"  # made-up users, not in passwd
ME = pwd.getpwuid(os.geteuid()).pw_name
MESSAGE = b"From: Bob <bob@example.org>\nSubject: hi\n\nFrom the start\nbye\n"


@pytest.fixture(autouse=True)
def _made_up_users_do_not_exist() -> None:
    for name in (ALICE, BOB, CAROL):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        pytest.skip(f"user {name} exists on this system")


def run(
    *args: str, stdin: bytes = MESSAGE, spool: Path | None, env: dict[str, str] | None = None
) -> tuple[int, bytes, str]:
    environ = {k: v for k, v in os.environ.items() if k != "MAIL_SPOOL_DIR"}
    if spool is not None:
        environ["MAIL_SPOOL_DIR"] = str(spool)
    environ.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-m", "mta.cli.maillocal", *args],
        input=stdin,
        capture_output=True,
        env=environ,
        check=False,
        timeout=60,
    )
    return proc.returncode, proc.stdout, proc.stderr.decode()


def messages(path: Path) -> list[mailbox.mboxMessage]:
    box = mailbox.mbox(str(path), create=False)
    try:
        return list(box)
    finally:
        box.close()


def test_delivers_to_each_user(tmp_path: Path) -> None:
    assert run("-f", "bob@example.org", ALICE, BOB, spool=tmp_path) == (0, b"", "")
    for user in (ALICE, BOB):
        (msg,) = messages(tmp_path / user)
        assert msg.get_from().startswith("bob@example.org ")
        assert msg.items() == [("From", "Bob <bob@example.org>"), ("Subject", "hi")]
        assert msg.get_payload() == ">From the start\nbye\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [ALICE, BOB]  # locks are gone


def test_two_messages_in_a_row_and_r_option(tmp_path: Path) -> None:
    run("-f", "one@example.org", ALICE, spool=tmp_path)
    run("-d", "-r", "<>", ALICE, stdin=b"Subject: two\n\nsecond\n", spool=tmp_path)
    first, second = messages(tmp_path / ALICE)
    assert first["Subject"] == "hi" and second["Subject"] == "two"
    assert second.get_from().startswith("MAILER-DAEMON ")
    assert second.get_payload() == "second\n"


def test_s_option_overrides_environment(tmp_path: Path) -> None:
    (tmp_path / "other").mkdir()
    assert run("-s", str(tmp_path / "other"), "-f", "a@b", ALICE, spool=tmp_path)[0] == 0
    assert len(messages(tmp_path / "other" / ALICE)) == 1
    assert not (tmp_path / ALICE).exists()


def test_default_sender_is_the_invoking_user(tmp_path: Path) -> None:
    run(ALICE, spool=tmp_path)
    (msg,) = messages(tmp_path / ALICE)
    assert msg.get_from().split()[0] == ME


@pytest.mark.parametrize("bad", ["bad!name", "../etc", ".hidden", "a/b", "x\x01y"])
def test_unknown_or_refused_user(tmp_path: Path, bad: str) -> None:
    status, _, err = run("-f", "a@b", bad, ALICE, spool=tmp_path)
    assert (status, err) == (ExitCode.EX_NOUSER, f"mail.local: unknown user: {bad}\n")
    assert len(messages(tmp_path / ALICE)) == 1  # the others still get it
    assert sorted(p.name for p in tmp_path.iterdir()) == [ALICE]


def test_last_permanent_failure_is_the_exit_status(tmp_path: Path) -> None:
    (tmp_path / BOB).symlink_to(tmp_path / "elsewhere")
    status, _, err = run("-f", "a@b", "bad!x", BOB, ALICE, spool=tmp_path)
    assert status == ExitCode.EX_CANTCREAT
    assert err.splitlines() == [
        "mail.local: unknown user: bad!x",
        f"mail.local: {tmp_path / BOB}: is a symbolic link",
    ]
    assert len(messages(tmp_path / ALICE)) == 1


@pytest.mark.parametrize(
    ("statuses", "result"),
    [
        ([], ExitCode.EX_OK),
        ([ExitCode.EX_OK, ExitCode.EX_OK], ExitCode.EX_OK),
        ([ExitCode.EX_NOUSER, ExitCode.EX_OK], ExitCode.EX_NOUSER),
        ([ExitCode.EX_NOUSER, ExitCode.EX_CANTCREAT], ExitCode.EX_CANTCREAT),
        ([ExitCode.EX_TEMPFAIL, ExitCode.EX_NOUSER], ExitCode.EX_TEMPFAIL),
        ([ExitCode.EX_NOUSER, ExitCode.EX_TEMPFAIL, ExitCode.EX_OK], ExitCode.EX_TEMPFAIL),
    ],
)
def test_worse_status(statuses: list[int], result: int) -> None:
    status: int = ExitCode.EX_OK
    for new in statuses:
        status = worse_status(status, new)
    assert status == result


def test_known_user_gets_mailbox_of_their_own(tmp_path: Path) -> None:
    assert run("-f", "a@b", ME, spool=tmp_path)[0] == 0
    st = (tmp_path / ME).stat()
    assert st.st_uid == os.geteuid()
    assert oct(st.st_mode & 0o777) == "0o600"
    if os.geteuid() == 0:
        try:
            mail_gid = grp.getgrnam("mail").gr_gid
        except KeyError:
            mail_gid = pwd.getpwnam(ME).pw_gid
        assert st.st_gid == mail_gid
    assert len(messages(tmp_path / ME)) == 1


@pytest.mark.skipif(os.geteuid() != 0, reason="the system-spool rule applies to root")
def test_root_on_system_spool_needs_a_real_user() -> None:
    status, _, err = run("-f", "a@b", ALICE, spool=None)
    assert (status, err) == (ExitCode.EX_NOUSER, f"mail.local: unknown user: {ALICE}\n")


def test_home_file_needs_a_home(tmp_path: Path) -> None:
    status, _, err = run("-h", "mbox", ALICE, spool=tmp_path)
    assert (status, err) == (
        ExitCode.EX_UNAVAILABLE,
        f"mail.local: {ALICE}: User missing home directory\n",
    )


@pytest.mark.parametrize(
    ("args", "err"),
    [
        ([], "usage: mail.local"),
        (["-f", "a", "-r", "b", ALICE], "mail.local: Multiple -f options\nusage: mail.local"),
        (["-x", ALICE], "mail.local: option -x not recognized\nusage: mail.local"),
    ],
)
def test_usage_errors(tmp_path: Path, args: list[str], err: str) -> None:
    status, _, stderr = run(*args, spool=tmp_path)
    assert status == ExitCode.EX_USAGE
    assert stderr.startswith(err)


def test_unknown_user_database(tmp_path: Path) -> None:
    status, _, err = run("-D", "ldap", ALICE, spool=tmp_path)
    assert status == ExitCode.EX_UNAVAILABLE
    assert "Can not open mailbox database ldap" in err


def lmtp(lines: list[str], tmp_path: Path, *args: str) -> tuple[int, list[str]]:
    data = "".join(line + "\r\n" for line in lines).encode()
    status, out, err = run("-l", *args, stdin=data, spool=tmp_path)
    assert err == ""
    return status, out.decode().split("\r\n")[:-1]


def test_lmtp_one_reply_per_accepted_recipient(tmp_path: Path) -> None:
    host = socket.gethostname() or "localhost"
    status, replies = lmtp(
        [
            "LHLO client.example.org",
            "MAIL FROM:<bob@example.org> BODY=8BITMIME",
            f"RCPT TO:<{ALICE}+box@example.org>",
            "RCPT TO:<no!such@example.org>",
            f"RCPT TO:<{CAROL}>",
            "DATA",
            "Subject: over lmtp",
            "",
            "..leading dot",
            "From here",
            ".",
            "QUIT",
        ],
        tmp_path,
    )
    assert status == 0
    assert replies == [
        f"220 {host} LMTP ready",
        f"250-{host}",
        "250-8BITMIME",
        "250-ENHANCEDSTATUSCODES",
        "250 PIPELINING",
        "250 2.5.0 Ok",
        "250 2.1.5 Ok",
        "550 5.1.1 User unknown",
        "250 2.1.5 Ok",
        "354 Go ahead",
        f"250 2.1.5 {ALICE} Ok",
        f"250 2.1.5 {CAROL} Ok",
        "221 2.0.0 Bye",
    ]
    for user in (ALICE, CAROL):
        (msg,) = messages(tmp_path / user)
        assert msg.get_from().startswith("bob@example.org ")
        assert msg["Subject"] == "over lmtp"
        assert msg.get_payload() == ".leading dot\n>From here\n"


def test_lmtp_failed_delivery_gets_its_own_reply(tmp_path: Path) -> None:
    (tmp_path / BOB).symlink_to(tmp_path / "elsewhere")
    status, replies = lmtp(
        ["LHLO x", "MAIL FROM:<>", f"RCPT TO:<{BOB}>", f"RCPT TO:<{ALICE}>", "DATA",
         "Subject: s", "", "body", ".", "QUIT"],
        tmp_path, "-7",
    )  # fmt: skip
    assert status == 0
    assert "250-8BITMIME" not in replies
    assert replies[-4:] == [
        "354 Go ahead",
        f"550 5.2.0 {tmp_path / BOB}: is a symbolic link",
        f"250 2.1.5 {ALICE} Ok",
        "221 2.0.0 Bye",
    ]
    (msg,) = messages(tmp_path / ALICE)
    assert msg.get_from().startswith("MAILER-DAEMON ")


def test_lmtp_command_errors(tmp_path: Path) -> None:
    host = socket.gethostname() or "localhost"
    status, replies = lmtp(
        [
            "DATA",
            f"RCPT TO:<{ALICE}>",
            "MAIL FROM:bob",
            "MAIL FROM:<bob@example.org>",
            "MAIL FROM:<bob@example.org>",
            "RCPT TO:alice",
            "DATA",
            "VRFY alice",
            "NOOP",
            "HELO x",
            "LHLO a",
            "LHLO b",
            "RSET",
            "quit",
        ],
        tmp_path,
    )
    assert status == 0
    assert replies[1:] == [
        "503 5.5.1 No recipients",
        "503 5.5.1 Need MAIL command",
        "501 5.5.4 Syntax error in parameters",
        "250 2.5.0 Ok",
        "503 5.5.1 Nested MAIL command",
        "501 5.5.4 Syntax error in parameters",
        "503 5.5.1 No recipients",
        "252 2.3.3 Try RCPT to attempt delivery",
        "250 2.0.0 Ok",
        "500 5.5.2 Syntax error",
        f"250-{host}",
        "250-8BITMIME",
        "250-ENHANCEDSTATUSCODES",
        "250 PIPELINING",
        f"503 {host} Duplicate LHLO",
        "250 2.0.0 Ok",
        "221 2.0.0 Bye",
    ]


def test_lmtp_end_of_input_in_data_drops_the_message(tmp_path: Path) -> None:
    status, replies = lmtp(
        ["LHLO x", "MAIL FROM:<a@b>", f"RCPT TO:<{ALICE}>", "DATA", "Subject: cut"], tmp_path
    )
    assert status == 0
    assert replies[-1] == "354 Go ahead"
    assert not (tmp_path / ALICE).exists()


def test_lmtp_refuses_users_on_the_command_line(tmp_path: Path) -> None:
    status, out, _ = run("-l", ALICE, stdin=b"", spool=tmp_path)
    assert status == ExitCode.EX_TEMPFAIL
    assert out == b"421 Users should not be specified in command line if LMTP required\r\n"


@pytest.mark.parametrize(
    ("text", "rcpt", "result"),
    [
        ("<alice@example.org>", False, "alice@example.org"),
        ("<alice@example.org>", True, "alice"),
        ("<alice+box@example.org>", True, "alice"),
        ("<alice+box@example.org>", False, "alice+box@example.org"),
        ("<@relay.example,@b.example:alice@example.org>", True, "alice"),
        ("<>", False, "MAILER-DAEMON"),
        ("<a@b> SIZE=10", False, "a@b"),
        ('<"a b"@c>', False, '"a b"@c'),
        ("<a@b>x", False, None),
        ("a@b", False, None),
        ("<a@b", False, None),
        ("<@relay", True, None),
    ],
)
def test_parse_path(text: str, rcpt: bool, result: str | None) -> None:
    assert parse_path(text, rcpt=rcpt) == result


def test_console_script_is_installed(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "mail.local"
    if not script.exists():
        pytest.skip("mail.local console script not installed")
    env = {**os.environ, "MAIL_SPOOL_DIR": str(tmp_path)}
    proc = subprocess.run(
        [str(script), "-f", "a@b", ALICE], input=MESSAGE, env=env, capture_output=True, check=False
    )
    assert proc.returncode == 0
    assert len(messages(tmp_path / ALICE)) == 1
