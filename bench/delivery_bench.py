"""Benchmark our queue runner against the real Sendmail 8.17: queued messages delivered per second.

SYNOPSIS
    .venv/bin/python bench/delivery_bench.py [--messages 5000] [--size 2048] [--rounds 3]
                                             [--timeout SECONDS] [--delayed-ack]

DESCRIPTION
    --messages messages (one recipient each, --size bytes of body) are
    written once into a template queue directory by mta.queue.fsqueue
    (Sendmail's qf/df format, which the real sendmail reads: see
    tests/diff/test_queue_real.py), and the same files are copied into a
    fresh queue of each site before its run, so both queue runners start
    from identical queues.

    Each site is the house configuration etc-mail/sendmail.mc with the
    same -D defines: ours compiled by `mta compile`, the real one by GNU m4
    with the real sendmail-cf. Its tables are those of etc-mail/, built by
    the site's own makemap and `sendmail -bi`, except the mailertable, which
    sends the test domain (sink.test) to esmtp:[127.0.0.2]; the esmtp, smtp
    and relay mailers connect to the sink's port (-D ESMTP_MAILER_ARGS=TCP $h
    PORT, ...). Queue-only, no DNS and no interface probing (the load
    average limits are raised so that a busy machine does not make Sendmail
    skip its run).

    Each run happens inside its own network namespace (tests/diff/nsenv.py),
    where this script runs again: it starts an SMTP sink on 127.0.0.2
    (asyncio, EHLO with PIPELINING and 8BITMIME, no disk: it counts the
    messages it acknowledged), then times `sendmail -q -C cf -O
    QueueDirectory=...` from its start until it and every process it left
    behind have exited (Sendmail's -q forks the runner and returns at once;
    this script is their subreaper, PR_SET_CHILD_SUBREAPER). The figure is
    messages the sink acknowledged per second of that wall time; every
    message must reach the sink, else the run is marked SHORT.

    The sink ACKs every segment at once (TCP_QUICKACK). Sendmail writes the
    message and then ".\r\n" in two writes without TCP_NODELAY, so against
    a receiver that delays its ACKs (the Linux default, --delayed-ack) the
    final dot waits for the delayed ACK (Nagle): about 40 ms a message, and
    real Sendmail drops to some 20 messages a second, which measures the
    TCP stack rather than the queue runner. CPU is the queue runner's and its children's
    (getrusage RUSAGE_CHILDREN), per message; the sink's own CPU is
    printed apart.

    The two runners take turns for --rounds rounds (real first in odd
    rounds, ours in even ones); the script prints both rates, the ratio
    ours / real of each round and the median ratio (the target is at least
    1.0). Nothing is asserted: it prints figures. It says first whether our
    queue runner runs the modules compiled by mypyc (make native) or plain
    Python. Run as root (namespaces).

DIAGNOSTICS
    Exit status 2 when the real sendmail, its makemap, GNU m4, sendmail-cf
    or the namespaces are missing; 1 when a run fails or times out (its log
    is printed).

SEE ALSO
    bench/smtp_bench.py (the same namespace set-up for the SMTP daemon),
    tests/diff/nsenv.py, mta.deliver.runner, mta.app.queuerun.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "diff"))

import nsenv  # noqa: E402

REAL = ["/usr/sbin/sendmail"]
OURS = [str(ROOT / ".venv" / "bin" / "sendmail")]
REAL_MAKEMAP = "/usr/sbin/makemap"
OURS_MAKEMAP = str(ROOT / ".venv" / "bin" / "makemap")
OURS_MTA = str(ROOT / ".venv" / "bin" / "mta")
ETC = ROOT / "etc-mail"
MTA_PORT = 2525
SINK_ADDR = "127.0.0.2"
SINK_PORT = 2526
SINK_DOMAIN = "sink.test"
SENDER = "bench@mail.example.test"
TABLES = ("access", "aliases", "local-host-names", "relay-domains", "trusted-users",
          "virtusertable", "helpfile")
MAPS = ("access", "mailertable", "virtusertable")


# ---------------------------------------------------------------- inside the namespace


class _Counts:
    def __init__(self) -> None:
        self.messages = 0
        self.recipients = 0
        self.bytes = 0
        self.connections = 0


class _SinkProtocol(asyncio.Protocol):
    """A minimal SMTP server that accepts everything and keeps nothing."""

    EHLO = (b"250-sink.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n"
            b"250-SIZE 0\r\n250 ENHANCEDSTATUSCODES\r\n")

    def __init__(self, counts: _Counts, quickack: bool) -> None:
        self.counts = counts
        self.quickack = quickack
        self.sock: socket.socket | None = None
        self.buffer = bytearray()
        self.in_data = False
        self.scan_from = 0  # where to resume looking for the end of DATA
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.counts.connections += 1
        if self.quickack:
            self.sock = transport.get_extra_info("socket")
        transport.write(b"220 sink.test ESMTP bench sink\r\n")

    def data_received(self, data: bytes) -> None:
        if self.sock is not None:  # ACK now, and again next time (the kernel resets it)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        buffer = self.buffer
        buffer += data
        out: list[bytes] = []
        pos = 0
        close = False
        while pos < len(buffer):
            if self.in_data:
                if buffer.startswith(b".\r\n", pos):  # empty body
                    end = pos + 3
                else:
                    found = buffer.find(b"\r\n.\r\n", max(pos, self.scan_from))
                    if found < 0:
                        self.scan_from = max(pos, len(buffer) - 4)
                        break
                    end = found + 5
                self.counts.messages += 1
                self.counts.bytes += end - pos
                self.in_data = False
                pos = end
                out.append(b"250 2.0.0 Ok: queued\r\n")
                continue
            eol = buffer.find(b"\n", pos)
            if eol < 0:
                break
            verb = bytes(buffer[pos:pos + 4]).upper()
            pos = eol + 1
            if verb == b"MAIL":
                out.append(b"250 2.1.0 Ok\r\n")
            elif verb == b"RCPT":
                self.counts.recipients += 1
                out.append(b"250 2.1.5 Ok\r\n")
            elif verb == b"DATA":
                self.in_data = True
                self.scan_from = pos
                out.append(b"354 End data with <CR><LF>.<CR><LF>\r\n")
            elif verb == b"EHLO":
                out.append(self.EHLO)
            elif verb in (b"HELO", b"RSET", b"NOOP"):
                out.append(b"250 2.0.0 Ok\r\n")
            elif verb == b"QUIT":
                out.append(b"221 2.0.0 Bye\r\n")
                close = True
                break
            else:
                out.append(b"502 5.5.2 Not implemented\r\n")
        del buffer[:pos]
        self.scan_from = max(0, self.scan_from - pos)
        assert self.transport is not None
        if out:
            self.transport.write(b"".join(out))
        if close:
            self.transport.close()


def _children_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _own_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _reap_one() -> bool:
    """Reap what children have exited; False when none is left."""
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return False
        if pid == 0:
            return True


def _kill_children() -> None:
    """SIGKILL every child of this process (the queue runners it adopted too) and reap them."""
    me = str(os.getpid())
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if stat[stat.rindex(")") + 2:].split()[1] == me:
                try:
                    os.kill(int(entry), signal.SIGKILL)
                except ProcessLookupError:
                    pass
    deadline = time.monotonic() + 10
    while _reap_one() and time.monotonic() < deadline:
        time.sleep(0.01)


def _become_subreaper() -> None:
    import ctypes

    PR_SET_CHILD_SUBREAPER = 36
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def _queued(queue: Path) -> int:
    return sum(1 for name in os.listdir(queue) if name.startswith("qf"))


async def _deliver(command: list[str], site: Path, messages: int, timeout: float,
                   quickack: bool) -> dict[str, float]:
    counts = _Counts()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: _SinkProtocol(counts, quickack), SINK_ADDR,
                                      SINK_PORT,
                                      reuse_address=True)
    queue = site / "mqueue"
    cf = str(site / "sendmail.cf")
    before = _queued(queue)
    cpu0, own0 = _children_seconds(), _own_seconds()
    with open(site / "queuerun.log", "wb") as log:
        start = time.perf_counter()
        proc = await asyncio.create_subprocess_exec(
            *command, "-q", "-C", cf, "-O", f"QueueDirectory={queue}",
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = start + timeout
        try:
            status = await asyncio.wait_for(proc.wait(), timeout)
            # Sendmail's `-q` forks the queue runner and exits at once: this process is
            # its subreaper (see inner), so the run ends when no child of ours is left
            while _reap_one():
                if time.perf_counter() > deadline:
                    raise TimeoutError
                await asyncio.sleep(0.002)
        except TimeoutError:
            _kill_children()
            raise RuntimeError(f"sendmail -q did not finish within {timeout:g} s "
                               f"({counts.messages} delivered)") from None
        elapsed = time.perf_counter() - start
        left = _queued(queue)
    cpu = _children_seconds() - cpu0
    server.close()
    await asyncio.sleep(0.1)  # let connections closed by QUIT finish
    return {"status": status, "queued": before, "delivered": counts.messages,
            "recipients": counts.recipients, "connections": counts.connections,
            "left": left, "seconds": elapsed, "rate": counts.messages / elapsed,
            "cpu_ms": 1000 * cpu / max(1, counts.messages),
            "sink_cpu_ms": 1000 * (_own_seconds() - own0) / max(1, counts.messages)}


def inner(args: argparse.Namespace) -> int:
    """Build the alias database, run the queue into the sink, print JSON."""
    site = Path(args.site)
    command = json.loads(args.command)
    _become_subreaper()  # orphaned queue runners come back to us: waited for, CPU counted
    with open(site / "newaliases.log", "wb") as log:
        subprocess.run([*command, "-bi", "-C", str(site / "sendmail.cf")], stdout=log,
                       stderr=subprocess.STDOUT, timeout=120, check=False)
    try:
        result = asyncio.run(_deliver(command, site, args.messages, args.timeout,
                                      not args.delayed_ack))
    except (RuntimeError, OSError) as exc:
        print(exc, file=sys.stderr)
        return 1
    print(json.dumps(result))
    return 0


# ---------------------------------------------------------------- outside


def fill_template(queue: Path, messages: int, size: int) -> None:
    """Queue messages messages of size body bytes, one recipient each, with mta.queue."""
    sys.path.insert(0, str(ROOT))
    from mta.queue.fsqueue import FsQueue
    from mta.queue.qfformat import (
        QueueEnvelope,
        QueueHeader,
        QueueRecipient,
        envelope_flags,
        initial_priority,
    )

    queue.mkdir(parents=True)
    line = b"x" * 71 + b"\n"
    body = (line * (size // len(line) + 1))[:max(1, size - 1)] + b"\n"
    now = int(time.time())
    date = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(now))
    store = FsQueue(queue, sync_mode="files")

    async def write_all() -> None:
        for number in range(messages):
            writer = store.create_body()
            writer.write(body)
            qid = writer.qid
            rcpt = f"user{number}@{SINK_DOMAIN}"
            headers = (
                QueueHeader("Return-Path", b" <\x81g>", "P"),
                QueueHeader.from_message(
                    "Received", f" from client.example.test (client [192.0.2.1])\n\tby "
                    f"mail.example.test with ESMTP id {qid};\n\t{date}"),
                QueueHeader.from_message("Date", f" {date}"),
                QueueHeader.from_message("From", f" Bench <{SENDER}>"),
                QueueHeader.from_message("To", f" <{rcpt}>"),
                QueueHeader.from_message("Subject", f" delivery bench {number}"),
                QueueHeader.from_message("Message-Id", f" <{qid}@mail.example.test>"),
            )
            await store.commit(QueueEnvelope(
                qid=qid, sender=f"<{SENDER}>",
                recipients=(QueueRecipient.from_rcpt(f"<{rcpt}>"),),
                headers=headers,
                macros=(("_", "client [192.0.2.1]"), ("r", "ESMTP"),
                        ("s", "client.example.test"), ("daemon_flags", "")),
                created=now, priority=initial_priority(len(body) + 300, 1),
                flags=envelope_flags(has_8bit=False)))

    with FsQueue.fsync_disabled():
        asyncio.run(write_all())


def build_site(root: Path, name: str, ours: bool) -> Path:
    """root/name: the .cf made from etc-mail/sendmail.mc, its tables and an empty mqueue/."""
    site = root / name
    (site / "mqueue").mkdir(parents=True)
    site.chmod(0o755)
    inside = f"{nsenv.NS_ROOT}/{name}"
    for table in TABLES:
        if (ETC / table).exists():
            shutil.copy(ETC / table, site / table)
    (site / "mailertable").write_text(f"{SINK_DOMAIN}\tesmtp:[{SINK_ADDR}]\n")
    mailer_args = f"TCP $h {SINK_PORT}"
    defines = [f"MTA_PORT={MTA_PORT}", f"MAIL_SETTINGS_DIR={inside}/",
               f"QUEUE_DIR={inside}/mqueue", f"confPID_FILE={inside}/sendmail.pid",
               f"ESMTP_MAILER_ARGS={mailer_args}", f"SMTP_MAILER_ARGS={mailer_args}",
               f"RELAY_MAILER_ARGS={mailer_args}", "confDONT_PROBE_INTERFACES=True",
               "confQUEUE_LA=1000", "confREFUSE_LA=1000", "confDELAY_LA=1000"]
    mc = ETC / "sendmail.mc"
    if ours:
        subprocess.run([OURS_MTA, "compile", *(f"-D{d}" for d in defines), str(mc),
                        "-o", str(site / "sendmail.cf")], check=True, capture_output=True)
    else:
        cf = subprocess.run(["m4", *(f"-D{d}" for d in defines), str(mc)],
                            capture_output=True, check=True)
        (site / "sendmail.cf").write_bytes(cf.stdout)
    makemap = OURS_MAKEMAP if ours else REAL_MAKEMAP
    for table in MAPS:
        with open(site / table, "rb") as text:
            subprocess.run([makemap, "hash", str(site / table)], stdin=text,
                           capture_output=True, check=True)
    return site


def copy_queue(template: Path, queue: Path) -> None:
    for entry in os.scandir(template):
        shutil.copy2(entry.path, queue / entry.name)


def run(root: Path, name: str, ours: bool, template: Path,
        args: argparse.Namespace) -> dict[str, float]:
    site = build_site(root, name, ours)
    copy_queue(template, site / "mqueue")
    env = nsenv.NsEnv(root / "state", binds=((root, nsenv.NS_ROOT),),
                      hosts=(*nsenv.TEST_HOSTS, (SINK_ADDR, (SINK_DOMAIN,))))
    env.prepare()
    inner_argv = [sys.executable, str(Path(__file__).resolve()), "--inner",
                  "--site", f"{nsenv.NS_ROOT}/{name}",
                  "--command", json.dumps(OURS if ours else REAL),
                  "--messages", str(args.messages), "--timeout", str(args.timeout),
                  *(["--delayed-ack"] if args.delayed_ack else [])]
    proc = subprocess.Popen(env.argv(inner_argv), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=args.timeout + 180)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        stderr += "\n(killed: no answer from the namespace)"
    if proc.returncode != 0 or not stdout.strip():
        log = site / "queuerun.log"
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise RuntimeError(f"{name}: {stderr[-2000:]}\n{tail}")
    result: dict[str, float] = json.loads(stdout.strip().splitlines()[-1])
    shutil.rmtree(site, ignore_errors=True)  # 2 x messages files less for the next run
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--size", type=int, default=2048)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=None,
                        help="seconds one queue run may take (default: 600 + 0.2 s a message)")
    parser.add_argument("--delayed-ack", action="store_true",
                        help="let the sink's kernel delay its ACKs (see DESCRIPTION)")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--site", help=argparse.SUPPRESS)
    parser.add_argument("--command", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.timeout is None:
        args.timeout = 600 + 0.2 * args.messages
    if args.inner:
        return inner(args)
    reason = nsenv.unavailable_reason()
    missing = [p for p in (REAL[0], REAL_MAKEMAP, "/usr/bin/m4",
                           "/usr/share/sendmail/cf/m4/cf.m4", OURS[0], OURS_MTA, OURS_MAKEMAP)
               if not os.path.exists(p)]
    if reason or missing:
        print(f"cannot run: {reason or 'missing ' + ', '.join(missing)}", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT))
    from mta.util import native  # importing mta loads the build, as our sendmail does

    print(f"== ours runs {native.state()}")
    root = Path(tempfile.mkdtemp(prefix="delivery-bench-"))
    root.chmod(0o755)
    try:
        template = root / "template"
        fill_template(template, args.messages, args.size)
        acks = "delayed ACKs" if args.delayed_ack else "quick ACKs"
        print(f"== {args.messages} queued messages of {args.size} bytes, one recipient each, "
              f"delivered by `sendmail -q` to a sink on {SINK_ADDR}:{SINK_PORT} ({acks}); "
              f"{args.rounds} round(s), real and ours in turn")
        ratios = []
        for number in range(1, args.rounds + 1):
            # who goes first alternates: the file system may favour one of them
            if number % 2:
                real = run(root, f"real-{number}", False, template, args)
                ours = run(root, f"ours-{number}", True, template, args)
            else:
                ours = run(root, f"ours-{number}", True, template, args)
                real = run(root, f"real-{number}", False, template, args)
            for name, result in (("real sendmail", real), ("ours", ours)):
                short = "" if result["delivered"] == args.messages else "  SHORT"
                print(f"   {name:14} {result['rate']:8.0f} msg/s  "
                      f"({result['delivered']:.0f} of {result['queued']:.0f} delivered in "
                      f"{result['seconds']:.2f} s over {result['connections']:.0f} "
                      f"connection(s), {result['left']:.0f} left queued, "
                      f"{result['cpu_ms']:.2f} ms CPU each, sink "
                      f"{result['sink_cpu_ms']:.2f} ms; exit {result['status']:.0f}){short}")
            ratios.append(ours["rate"] / real["rate"] if real["rate"] else float("inf"))
            print(f"   ratio ours / real: {ratios[-1]:.2f}x")
        print(f"== median ratio ours / real: {statistics.median(ratios):.2f}x (target >= 1.0)")
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", None)
        print(f"bench failed: {exc}{': ' + detail.decode(errors='replace') if detail else ''}",
              file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
