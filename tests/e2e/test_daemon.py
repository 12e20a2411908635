"""End-to-end: our `sendmail -bD` on the default etc-mail config, driven by real clients.

DESCRIPTION
    The fixture compiles etc-mail/sendmail.mc with `mta compile` into a
    private directory (MAIL_SETTINGS_DIR, QUEUE_DIR and the port under
    tmp_path), builds the maps with our makemap, starts `sendmail -bD` on
    127.0.0.1 and a free port in a subprocess, and stops it afterwards.
    Clients are smtplib and raw sockets; the queue is read back with
    mta.queue.qfformat. Policy beyond the loopback client (relay denial from
    outside, access rejects) is measured against the real Sendmail by
    tests/diff/test_smtp_dialogues.py, which needs other client addresses.

SEE ALSO
    mta.app.daemon, mta.smtp.session, tests/diff/test_smtp_dialogues.py.
"""

from __future__ import annotations

import os
import smtplib
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BIN, Daemon, build_site, greeting, start_daemon, stop_daemon


def test_message_is_queued_before_250(daemon: Daemon) -> None:
    with smtplib.SMTP("127.0.0.1", daemon.port, timeout=30) as client:
        code, banner = client.ehlo("client.example.test")
        assert code == 250
        assert b"ENHANCEDSTATUSCODES" in banner and b"PIPELINING" in banner
        refused = client.sendmail("", ["root@localhost"],
                                  b"Subject: hello\r\n\r\nline 1\r\n.dotted\r\n")
        assert refused == {}
    envelopes = daemon.envelopes()
    assert len(envelopes) == 1
    env = envelopes[0]
    assert env.sender == "<>"  # type: ignore[attr-defined]
    assert [r.address for r in env.recipients] == ["<root@localhost>"]  # type: ignore[attr-defined]
    # the .cf's H lines for the fields the message lacks come first, as in Sendmail's
    # qf; From: is $g alone for the null sender, which is empty: left out
    fields = [(h.name, h.condition) for h in env.headers]  # type: ignore[attr-defined]
    assert fields == [("Return-Path", "P"), ("Received", ""), ("Date", "D"),
                      ("Message-Id", "M"), ("Subject", "")]
    # the priority counts the message as it came: 30000 a recipient, its own bytes
    assert env.priority == 30000 + len(b"Subject: hello\n\nline 1\n.dotted\n")  # type: ignore[attr-defined]
    assert dict(env.macros)["r"] == "ESMTP"  # type: ignore[attr-defined]
    # one maillog line in Sendmail's form, with the Message-Id the .cf added
    msgid = next(h.value.decode().strip() for h in env.headers  # type: ignore[attr-defined]
                 if h.name == "Message-Id")
    size = len(b"Subject: hello\n\nline 1\n.dotted\n")
    assert (f"{env.qid}: from=<>, size={size}, class=0, nrcpts=1, msgid={msgid}, "  # type: ignore[attr-defined]
            "proto=ESMTP, daemon=MTA, relay=") in daemon.log.read_text()
    assert env.headers[0].value == b" <\x81g>"  # type: ignore[attr-defined]
    assert "8" not in env.flags  # type: ignore[attr-defined]
    df = daemon.queue / ("df" + env.qid)  # type: ignore[attr-defined]
    if not df.exists():
        df = daemon.queue / "df" / ("df" + env.qid)  # type: ignore[attr-defined]
    assert df.read_bytes() == b"line 1\n.dotted\n"


def test_local_sender_gets_from_and_full_name(daemon: Daemon) -> None:
    # as Sendmail 8.17 writes it: From: "$x <$g>" with the sender qualified by its
    # mailer's header rewriting, Full-Name: from passwd, recipients in RCPT order,
    # each with its "RFC822; address" final-recipient record
    with smtplib.SMTP("127.0.0.1", daemon.port, timeout=30) as client:
        _code, greeting = client.ehlo("client.example.test")
        here = greeting.split()[0].decode()  # $j, one of this host's names
        client.sendmail(f"root@{here}", ["root@localhost", "postmaster@localhost"],
                        b"Subject: two\r\n\r\nhello there\r\n")
    (env,) = daemon.envelopes()
    fields = {h.name: h.value.decode("latin-1") for h in env.headers}  # type: ignore[attr-defined]
    assert fields["From"] == f" root <root@{here}>"
    assert fields["Full-Name"] == " root"
    assert [(r.address, r.final_recipient) for r in env.recipients] == [  # type: ignore[attr-defined]
        ("<root@localhost>", "RFC822; root@localhost"),
        ("<postmaster@localhost>", "RFC822; postmaster@localhost")]
    assert env.priority == 60000 + len(b"Subject: two\n\nhello there\n")  # type: ignore[attr-defined]


def test_access_map_rejects_sender(daemon: Daemon) -> None:
    with smtplib.SMTP("127.0.0.1", daemon.port, timeout=30) as client:
        client.ehlo("client.example.test")
        code, text = client.mail("spammer@bad.test")
        assert (code, text[:5]) == (550, b"5.7.1")
        code, _ = client.mail("<>")
        assert code == 250
    assert daemon.qf_files() == []


def _dialogue(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.recv(4096)  # greeting
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        return _read_to_close(s)


def _read_to_close(s: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    chunks = []
    while True:
        chunk = s.recv(65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _codes(replies: bytes) -> list[str]:
    return [line[:3].decode() for line in replies.split(b"\r\n") if line[3:4] == b" "]


def test_pipelined_transaction(daemon: Daemon) -> None:
    # EHLO is answered first: Sendmail refuses input sent before the EHLO reply
    with socket.create_connection(("127.0.0.1", daemon.port), timeout=30) as s:
        s.recv(4096)
        s.sendall(b"EHLO client.example.test\r\n")
        reply = b""
        while not reply.endswith(b"250 HELP\r\n"):
            reply += s.recv(4096)
        s.sendall(b"MAIL FROM:<>\r\nRCPT TO:<root@localhost>\r\nRCPT TO:<postmaster@localhost>"
                  b"\r\nDATA\r\n")
        replies = b""
        while replies.count(b"\r\n") < 4:
            replies += s.recv(4096)
        assert _codes(replies) == ["250", "250", "250", "354"]
        s.sendall(b"Subject: x\r\n\r\nbody\r\n.\r\nQUIT\r\n")
        tail = _read_to_close(s)
    assert _codes(tail) == ["250", "221"]
    assert len(daemon.qf_files()) == 1


@pytest.mark.parametrize(
    "smuggled",
    [b"\n.\n", b"\r.\r", b"\n.\r\n", b"\r\n.\n"],
    ids=["LF.LF", "CR.CR", "LF.CRLF", "CRLF.LF"],
)
def test_smuggling_never_splits_a_message(daemon: Daemon, smuggled: bytes) -> None:
    script = (b"HELO client.example.test\r\n")
    with socket.create_connection(("127.0.0.1", daemon.port), timeout=30) as s:
        s.recv(4096)
        s.sendall(script)
        s.recv(4096)
        s.sendall(b"MAIL FROM:<>\r\n")
        s.recv(4096)
        s.sendall(b"RCPT TO:<root@localhost>\r\n")
        s.recv(4096)
        s.sendall(b"DATA\r\n")
        s.recv(4096)
        s.sendall(b"Subject: a\r\n\r\nfirst" + smuggled
                  + b"MAIL FROM:<>\r\nRCPT TO:<postmaster@localhost>\r\nDATA\r\n"
                  + b"Subject: b\r\n\r\nsecond\r\n.\r\n")
        s.shutdown(socket.SHUT_WR)
        rest = _read_to_close(s)
    # the bare line end is refused at once (421 4.5.0) and nothing is queued
    assert _codes(rest)[:1] == ["421"]
    assert daemon.qf_files() == []


def test_bs_mode_runs_a_session_on_stdin(daemon: Daemon) -> None:
    cf = daemon.queue.parent / "mail" / "sendmail.cf"
    proc = subprocess.Popen([str(BIN / "sendmail"), "-bs", "-C", str(cf)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdin is not None and proc.stdout is not None

    def reply() -> str:
        while True:
            line = proc.stdout.readline()  # type: ignore[union-attr]
            if not line or line[3:4] != b"-":
                return line[:3].decode()

    def say(text: bytes) -> str:
        proc.stdin.write(text)  # type: ignore[union-attr]
        proc.stdin.flush()  # type: ignore[union-attr]
        return reply()

    try:
        codes = [reply()]
        for command in (b"EHLO me\r\n", b"MAIL FROM:<>\r\n", b"RCPT TO:<root@localhost>\r\n",
                        b"DATA\r\n", b"Subject: stdin\r\n\r\nhi\r\n.\r\n", b"QUIT\r\n"):
            codes.append(say(command))
    finally:
        proc.stdin.close()
        proc.wait(30)
    assert codes == ["220", "250", "250", "250", "354", "250", "221"]
    assert len(daemon.qf_files()) == 1


def test_ehlo_pipelined_with_more_is_a_protocol_error(daemon: Daemon) -> None:
    # Sendmail refuses input sent before the reply to EHLO, then rejects commands
    replies = _dialogue(daemon.port, b"EHLO a.example\r\nMAIL FROM:<>\r\nQUIT\r\n")
    assert _codes(replies) == ["554", "550", "221"]


@pytest.mark.parametrize("in_data", [False, True], ids=["command", "data"])
def test_silent_client_times_out(tmp_path: Path, in_data: bool) -> None:
    # Timeout.command / Timeout.datablock: 421 4.4.2, the connection closes, nothing queued
    cf, queue, port = build_site(tmp_path)
    daemon = start_daemon(cf, queue, port, tmp_path / "daemon.log",
                          ("Timeout.command=1s", "Timeout.datablock=1s"))
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
            s.recv(4096)
            if in_data:
                s.sendall(b"HELO a.example\r\n")
                s.recv(4096)
                for command in (b"MAIL FROM:<>\r\n", b"RCPT TO:<root@localhost>\r\n",
                                b"DATA\r\n"):
                    s.sendall(command)
                    s.recv(4096)
                s.sendall(b"Subject: half\r\n\r\nsome of the body\r\n")
            rest = _read_to_close(s)
        assert _codes(rest) == ["421"] and b"4.4.2" in rest
        assert daemon.qf_files() == []
    finally:
        stop_daemon(daemon.proc)


def test_auth_against_the_password_file(tmp_path: Path) -> None:
    # `mta passwd` stores a salted hash; Sendmail.conf (auxprop_plugin: mta) points at it
    passwd = tmp_path / "smtp-passwd"
    for user, password in (("alice", "wonderland"), ("bob", "builder")):
        subprocess.run([str(BIN / "mta"), "passwd", "-f", str(passwd), user],
                       input=password + "\n", text=True, check=True)
    assert "wonderland" not in passwd.read_text()
    sasl = tmp_path / "sasl2"
    sasl.mkdir()
    (sasl / "Sendmail.conf").write_text(
        f"pwcheck_method: auxprop\nauxprop_plugin: mta\nmta_passwd_path: {passwd}\n")
    cf, queue, port = build_site(tmp_path)
    daemon = start_daemon(cf, queue, port, tmp_path / "daemon.log",
                          ("AuthMechanisms=PLAIN LOGIN",), env={"SASL_CONF_PATH": str(sasl)})
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
            client.ehlo("client.example.test")
            assert client.has_extn("auth") and "PLAIN" in client.esmtp_features["auth"]
            with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
                client.login("alice", "not-it")
            assert refused.value.smtp_code == 535
            code, _ = client.login("alice", "wonderland")
            assert code == 235
    finally:
        stop_daemon(daemon.proc)


def test_client_names_come_from_dns(tmp_path: Path) -> None:
    # the reverse and forward lookups of a client go to the name server the daemon
    # is given (MTA_NAMESERVER): 127.0.0.2 has a name that leads back, 127.0.0.3
    # one that does not ("may be forged", as Sendmail marks it), 127.0.0.4 none
    sys.path.insert(0, str(Path(__file__).parents[1] / "support"))
    from dnsserver import DnsServer

    zone = {("2.0.0.127.in-addr.arpa", "PTR"): ["client.example.test."],
            ("client.example.test", "A"): ["127.0.0.2"],
            ("3.0.0.127.in-addr.arpa", "PTR"): ["liar.example.test."],
            ("liar.example.test", "A"): ["192.0.2.1"]}
    with DnsServer(zone) as dns:
        cf, queue, port = build_site(tmp_path)
        daemon = start_daemon(cf, queue, port, tmp_path / "daemon.log",
                              env={"MTA_NAMESERVER": f"127.0.0.1:{dns.port}"})
        try:
            for source in ("127.0.0.2", "127.0.0.3", "127.0.0.4"):
                with smtplib.SMTP("127.0.0.1", port, source_address=(source, 0),
                                  timeout=30) as client:
                    client.sendmail("", ["root@localhost"], f"Subject: {source}\r\n\r\nhi\r\n")
            labels = sorted(dict(e.macros)["_"] for e in daemon.envelopes())
        finally:
            stop_daemon(daemon.proc)
    assert labels == ["[127.0.0.4]", "client.example.test [127.0.0.2]",
                      "liar.example.test [127.0.0.3] (may be forged)"]


def test_sighup_restarts_with_the_new_cf_and_keeps_the_old_on_error(tmp_path: Path) -> None:
    import signal
    import time

    cf, queue, port = build_site(tmp_path)
    daemon = start_daemon(cf, queue, port, tmp_path / "daemon.log")
    try:
        assert b"restarted" not in greeting(port, b"", time.monotonic() + 30)
        original = cf.read_text()
        cf.write_text(original + "O SmtpGreetingMessage=$j restarted\n")
        daemon.proc.send_signal(signal.SIGHUP)
        assert b"restarted" in greeting(port, b"restarted", time.monotonic() + 60)
        assert daemon.proc.poll() is None  # the same process (-bD), run again
        # a .cf that does not load leaves the running daemon as it is
        cf.rename(cf.with_suffix(".away"))
        daemon.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 60
        while b"restart:" not in daemon.log.read_bytes() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert b"the running configuration stays" in daemon.log.read_bytes()
        assert b"restarted" in greeting(port, b"restarted", time.monotonic() + 30)
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
            assert client.sendmail("", ["root@localhost"], b"Subject: x\r\n\r\nafter\r\n") == {}
    finally:
        stop_daemon(daemon.proc)
    assert len(daemon.qf_files()) == 1


def test_a_session_goes_on_through_a_restart(tmp_path: Path) -> None:
    # SIGHUP: the daemon runs itself again on the same listening sockets, and a session
    # that was open then goes on to its 250, as a Sendmail child goes on while its
    # parent restarts; meanwhile new clients get the new configuration
    import signal
    import time

    cf, queue, port = build_site(tmp_path)
    daemon = start_daemon(cf, queue, port, tmp_path / "daemon.log",
                          env={"MTA_WORKERS": "2"})
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
            client.ehlo("client.test")
            assert client.mail("")[0] == 250
            cf.write_text(cf.read_text() + "O SmtpGreetingMessage=$j restarted\n")
            daemon.proc.send_signal(signal.SIGHUP)
            assert b"restarted" in greeting(port, b"restarted", time.monotonic() + 60)
            assert daemon.proc.poll() is None  # the same process, run again
            assert client.rcpt("root@localhost")[0] == 250
            assert client.data(b"Subject: through a restart\r\n\r\nhi\r\n")[0] == 250
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
            assert client.sendmail("", ["root@localhost"], b"Subject: after\r\n\r\nx\r\n") \
                == {}
    finally:
        stop_daemon(daemon.proc)
    subjects = sorted(h.message_value().decode() for e in daemon.envelopes()
                      for h in e.headers if h.name == "Subject")
    assert subjects == [" after", " through a restart"]


def test_max_daemon_children_holds_for_the_whole_daemon(tmp_path: Path) -> None:
    # two workers (MTA_WORKERS), MaxDaemonChildren=2: the third client is refused,
    # whichever worker the kernel gives it to
    cf, queue, port = build_site(tmp_path)
    daemon = start_daemon(cf, queue, port, tmp_path / "daemon.log", ("MaxDaemonChildren=2",),
                          env={"MTA_WORKERS": "2"})
    import time

    held: list[socket.socket] = []
    try:
        # start_daemon's own probe connection may still be counted for a moment:
        # a client refused then tries again
        deadline = time.monotonic() + 30
        while len(held) < 2 and time.monotonic() < deadline:
            conn = socket.create_connection(("127.0.0.1", port), timeout=30)
            if conn.recv(4096).startswith(b"220"):
                held.append(conn)
            else:
                conn.close()
                time.sleep(0.1)
        assert len(held) == 2
        with socket.create_connection(("127.0.0.1", port), timeout=30) as third:
            assert _read_to_close(third).startswith(b"421 4.3.2")
        held.pop().close()
        deadline = time.monotonic() + 30
        while True:  # the closed session is given back; a new client gets in
            with socket.create_connection(("127.0.0.1", port), timeout=30) as again:
                line = again.recv(4096)
            if line.startswith(b"220") or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert line.startswith(b"220")
    finally:
        for conn in held:
            conn.close()
        stop_daemon(daemon.proc)


def _port_is_free(port: int) -> bool:
    """Whether a plain bind (no SO_REUSEPORT) gets the port: nobody listens there."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def test_a_daemon_stopped_at_once_leaves_no_worker_listening(tmp_path: Path) -> None:
    # SIGTERM right after the port opens, before the daemon has set up its signal
    # handling: once the daemon has exited no worker of it may hold the port (the
    # next daemon would share it through SO_REUSEPORT, and its clients be reset)
    import time

    cf, queue, port = build_site(tmp_path)
    for n in range(10):
        daemon = start_daemon(cf, queue, port, tmp_path / f"daemon{n}.log",
                              env={"MTA_WORKERS": "2"})
        time.sleep(n / 100)  # signals at different points of the start
        stop_daemon(daemon.proc)
        assert daemon.proc.returncode == 0, daemon.log.read_text()
        assert _port_is_free(port)


def test_a_port_in_use_is_waited_for_not_shared(tmp_path: Path) -> None:
    # a second daemon on the port of a running one does not share it (SO_REUSEPORT
    # would let it): it says so, waits, and serves once the first has stopped
    import time

    cf, queue, port = build_site(tmp_path)
    first = start_daemon(cf, queue, port, tmp_path / "first.log", env={"MTA_WORKERS": "2"})
    second_log = tmp_path / "second.log"
    try:
        with open(second_log, "wb") as err:
            second = subprocess.Popen([str(BIN / "sendmail"), "-bD", "-C", str(cf),
                                       "-O", "DeliveryMode=queue",
                                       "-O", "SmtpGreetingMessage=$j second"],
                                      stdout=err, stderr=subprocess.STDOUT,
                                      env={**os.environ, "MTA_WORKERS": "2"})
        try:
            deadline = time.monotonic() + 30
            while b"trying again" not in second_log.read_bytes():
                assert second.poll() is None and time.monotonic() < deadline, \
                    second_log.read_text()
                time.sleep(0.05)
            assert b"second" not in greeting(port, b"", time.monotonic() + 30)
            stop_daemon(first.proc)
            assert b"second" in greeting(port, b"second", time.monotonic() + 60)
        finally:
            stop_daemon(second)
        assert second.returncode == 0
    finally:
        stop_daemon(first.proc)


def _set_load(path: Path, load: float) -> None:
    """The load average the daemon reads (MTA_LOADAVG: a file in /proc/loadavg's form)."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(f"{load:.2f} {load:.2f} {load:.2f} 1/100 4242\n")
    tmp.replace(path)


def test_refuse_la_closes_the_port_until_the_load_falls(tmp_path: Path) -> None:
    # as Sendmail: at RefuseLA the daemon stops listening (clients are refused at
    # once), logs it, and listens again once the load has stayed lower for 15 s
    import time

    loadfile = tmp_path / "loadavg"
    _set_load(loadfile, 0.5)
    cf, queue, port = build_site(tmp_path)
    daemon = start_daemon(cf, queue, port, tmp_path / "daemon.log", ("RefuseLA=10",),
                          env={"MTA_LOADAVG": str(loadfile), "MTA_WORKERS": "2"})
    try:
        assert greeting(port, b"220", time.monotonic() + 30).startswith(b"220")
        _set_load(loadfile, 14.6)
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=10).close()
            except ConnectionRefusedError:
                break
            assert time.monotonic() < deadline, "still accepting at load 15"
            time.sleep(0.2)
        assert b"rejecting connections on daemon MTA: load average: 15" in \
            daemon.log.read_bytes()
        _set_load(loadfile, 2.0)
        assert greeting(port, b"220", time.monotonic() + 60).startswith(b"220")
        assert b"accepting connections again for daemon MTA" in daemon.log.read_bytes()
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
            assert client.sendmail("", ["root@localhost"], b"Subject: x\r\n\r\nhi\r\n") == {}
    finally:
        stop_daemon(daemon.proc)
    assert daemon.proc.returncode == 0
    assert len(daemon.qf_files()) == 1


def test_delay_la_slows_each_command_by_a_second(tmp_path: Path) -> None:
    # at DelayLA the greeting and every command wait a second (a lower bound only)
    import time

    loadfile = tmp_path / "loadavg"
    _set_load(loadfile, 7.0)
    cf, queue, port = build_site(tmp_path)
    daemon = start_daemon(cf, queue, port, tmp_path / "daemon.log",
                          ("DelayLA=5", "RefuseLA=50"), env={"MTA_LOADAVG": str(loadfile)})
    try:
        started = time.monotonic()
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
            assert client.noop()[0] == 250
            assert client.noop()[0] == 250
        # greeting, NOOP, NOOP, QUIT
        assert time.monotonic() - started >= 4.0
    finally:
        stop_daemon(daemon.proc)


@pytest.mark.skipif(os.geteuid() != 0, reason="dropping to RunAsUser needs root")
def test_run_as_user_after_binding() -> None:
    # started as root, the daemon binds, writes its pid file, then it and every
    # worker run as RunAsUser (nobody), whose queue directory they write to
    import pwd
    import shutil
    import tempfile

    nobody = pwd.getpwnam("nobody")
    top = Path(tempfile.mkdtemp(prefix="runas-"))
    try:
        top.chmod(0o755)  # nobody must reach the .cf and the maps
        cf, queue, port = build_site(top)
        queue.mkdir(exist_ok=True)
        os.chown(queue, nobody.pw_uid, nobody.pw_gid)
        for path in top.rglob("*"):
            if path.is_dir():
                path.chmod(0o755)
            elif path != queue:
                path.chmod(0o644)
        pid_file = top / "sendmail.pid"
        daemon = start_daemon(cf, queue, port, top / "daemon.log",
                              (f"RunAsUser={nobody.pw_name}", f"PidFile={pid_file}"),
                              env={"MTA_WORKERS": "2"})
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
                assert client.sendmail("", ["root@localhost"], b"Subject: x\r\n\r\nhi\r\n") == {}
            workers = [daemon.proc.pid, *map(int, subprocess.run(
                ["pgrep", "-P", str(daemon.proc.pid)], capture_output=True, text=True,
                check=False).stdout.split())]
            uids = set()
            for pid in workers:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("Uid:"):
                        uids.add(int(line.split()[1]))
            # the daemon and its two workers (MTA_WORKERS)
            assert len(workers) == 3 and uids == {nobody.pw_uid}
            assert pid_file.read_text().split("\n")[0] == str(daemon.proc.pid)
            qf = daemon.qf_files()
            assert len(qf) == 1 and qf[0].stat().st_uid == nobody.pw_uid
        finally:
            stop_daemon(daemon.proc)
    finally:
        shutil.rmtree(top, ignore_errors=True)
