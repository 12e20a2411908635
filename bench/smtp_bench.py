"""Benchmark our SMTP daemon against the real Sendmail 8.17: messages/second, and RSS when idle.

SYNOPSIS
    .venv/bin/python bench/smtp_bench.py [--messages 5000] [--sessions 20] [--size 2048]
                                         [--idle 1000] [--rounds 3]
                                         [--client both|smtp-source|asyncio]

DESCRIPTION
    Both daemons run with the same .cf (compiled by GNU m4 with the real
    sendmail-cf from a small .mc: no DNS, no interface probing, no load
    average limits), queue-only (-odq) into a private queue directory, with
    full durability (Sendmail fsyncs df, tf/qf and the directory; we fsync
    df, qf and the directory before the 250). Each runs inside its own
    network namespace (tests/diff/nsenv.py), where this script runs again
    and starts the load generator, two of them in turn (--client both, the
    default; or one). Postfix's smtp-source (C, so it takes little of the
    CPU the daemons compete for), unpacked from Debian's postfix package
    into build/postfix with apt-get download and dpkg -x, never installed:
    --sessions sessions at once (-s), each sending its share of --messages
    messages with --size bytes of payload over one connection (-d; HELO,
    MAIL, RCPT, DATA, each answered before the next: smtp-source does not
    pipeline). And this script's own asyncio client (EHLO, and MAIL, RCPT,
    DATA pipelined when PIPELINING is offered, as a busy relay sends); it
    alone runs when smtp-source cannot be had.
    The figure is messages acknowledged (250 after DATA) per second of wall
    time, from the first connection to the last 250; every message must be
    acknowledged and found in the queue afterwards.

    Then, for our daemon only, --idle connections are opened and left
    waiting after the greeting, and the daemon's resident set size (VmRSS)
    is printed with them open.

    For each client the two daemons take turns for --rounds rounds (real
    first in odd rounds, ours in even ones), each with a fresh queue
    directory; the script prints both rates, the CPU time the machine spent
    per message outside the load generator, the ratio ours / real of each
    round and the client's median ratio (the target is at least 1.0).
    Rounds, and turns, because the figures wander: on ext4 without a
    journal, for one, creating a file costs more
    while many files were deleted in the last minutes (the inode allocator
    steps over them; the end of a bench run deletes tens of thousands), and
    both daemons create two files per message. Nothing is asserted: it
    prints figures. It says first whether our daemon runs the modules
    compiled by mypyc (make native) or plain Python. Run as root
    (namespaces).

DIAGNOSTICS
    Exit status 2 when the real sendmail, GNU m4, sendmail-cf or the
    namespaces are missing; 1 when a run fails (its output is printed).

SEE ALSO
    tests/diff/smtp_dialogues.py (the same namespace set-up for the
    dialogue comparison), tests/diff/nsenv.py, mta.smtp.server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
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
PORT = 2525
POSTFIX = ROOT / "build" / "postfix"  # smtp-source, unpacked from Debian's postfix package
MC = """divert(0)dnl
include(`/usr/share/sendmail/cf/m4/cf.m4')dnl
OSTYPE(`linux')dnl
define(`confDONT_PROBE_INTERFACES', `True')dnl
define(`confTO_IDENT', `0')dnl
define(`confREFUSE_LA', `1000')dnl
define(`confQUEUE_LA', `1000')dnl
define(`confDELAY_LA', `1000')dnl
define(`confMAX_DAEMON_CHILDREN', `0')dnl
define(`confCONNECTION_RATE_THROTTLE', `0')dnl
define(`confPID_FILE', `@DIR@/sendmail.pid')dnl
define(`ALIAS_FILE', `@DIR@/aliases')dnl
define(`STATUS_FILE', `@DIR@/statistics')dnl
FEATURE(`no_default_msa')dnl
MAILER(`local')dnl
MAILER(`smtp')dnl
"""


# ---------------------------------------------------------------- inside the namespace


async def _session(port: int, count: int, body: bytes, done: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)

    async def reply() -> tuple[int, list[bytes]]:
        lines = []
        while True:
            line = await asyncio.wait_for(reader.readline(), 60)
            if not line:
                raise ConnectionError("closed")
            lines.append(line)
            if line[3:4] != b"-":
                return int(line[:3]), lines

    await reply()
    writer.write(b"EHLO bench.example.test\r\n")
    await writer.drain()
    _code, lines = await reply()
    pipelining = any(b"PIPELINING" in line for line in lines)
    for _ in range(count):
        envelope = [b"MAIL FROM:<>\r\n", b"RCPT TO:<root@localhost>\r\n",
                    b"DATA\r\n"]
        if pipelining:
            writer.write(b"".join(envelope))
            await writer.drain()
            codes = [(await reply())[0] for _ in envelope]
        else:
            codes = []
            for command in envelope:
                writer.write(command)
                await writer.drain()
                codes.append((await reply())[0])
        if codes != [250, 250, 354]:
            raise RuntimeError(f"envelope refused: {codes}")
        writer.write(body + b".\r\n")
        await writer.drain()
        code, lines = await reply()
        if code != 250:
            raise RuntimeError(f"DATA refused: {lines}")
        done[0] += 1
    writer.write(b"QUIT\r\n")
    await writer.drain()
    writer.close()


async def _load(port: int, messages: int, sessions: int, size: int) -> dict[str, float]:
    line = b"x" * 70 + b"\r\n"
    body = b"Subject: bench\r\n\r\n" + line * max(1, (size - 20) // len(line))
    shares = [messages // sessions + (1 if i < messages % sessions else 0)
              for i in range(sessions)]
    done = [0]
    busy0, own0 = _busy_seconds(), _own_seconds()
    start = time.perf_counter()
    await asyncio.gather(*(_session(port, n, body, done) for n in shares if n))
    elapsed = time.perf_counter() - start
    # CPU of the whole machine less the load generator's own: the daemon's share
    # (and whatever else runs; this machine should be quiet)
    server_cpu = (_busy_seconds() - busy0) - (_own_seconds() - own0)
    return {"acknowledged": done[0], "seconds": elapsed, "rate": done[0] / elapsed,
            "cpu_ms": 1000 * server_cpu / max(1, done[0])}


def _source_load(tool: str, port: int, messages: int, sessions: int,
                 size: int) -> dict[str, float]:
    """The same load from Postfix's smtp-source (C, HELO, no pipelining)."""
    argv = [tool, "-d", "-s", str(sessions), "-m", str(messages), "-l", str(size), "-f", "",
            "-t", "root@localhost", "-M", "bench.example.test", f"127.0.0.1:{port}"]
    env = {**os.environ, "LD_LIBRARY_PATH": str(Path(tool).parents[1] / "lib" / "postfix")}
    busy0, own0 = _busy_seconds(), _children_seconds()
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    server_cpu = (_busy_seconds() - busy0) - (_children_seconds() - own0)
    if proc.returncode != 0:  # smtp-source stops at the first unexpected reply
        raise RuntimeError(f"smtp-source failed: {proc.stderr[-1000:]}")
    return {"acknowledged": messages, "seconds": elapsed, "rate": messages / elapsed,
            "cpu_ms": 1000 * server_cpu / max(1, messages)}


def _children_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _busy_seconds() -> float:
    """Non-idle CPU time of the whole machine so far (/proc/stat), in seconds."""
    fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _own_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _idle(port: int, count: int, pid: int) -> dict[str, float]:
    conns = []
    for _ in range(count):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        await reader.readline()
        conns.append(writer)
    await asyncio.sleep(1)
    rss = _rss_kb(pid)
    for writer in conns:
        writer.close()
    return {"idle": count, "rss_kb": rss}


def _rss_kb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return float(line.split()[1])
    return 0.0


def inner(args: argparse.Namespace) -> int:
    """Start the daemon, run the load (and the idle test), print JSON, stop it."""
    site = Path(args.site)
    queue = site / "mqueue"
    log = open(site / "daemon.log", "wb")
    result: dict[str, float] = {}
    try:
        proc = nsenv.start_daemon(json.loads(args.command), str(site), PORT, log)
    except RuntimeError:
        log.close()
        raise
    try:
        if args.client == "asyncio":
            result.update(asyncio.run(_load(PORT, args.messages, args.sessions, args.size)))
        else:
            result.update(_source_load(args.tool, PORT, args.messages, args.sessions,
                                       args.size))
        result["queued"] = len(list(queue.glob("qf*")))
        if args.idle:
            result.update(asyncio.run(_idle(PORT, args.idle, proc.pid)))
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
    print(json.dumps(result))
    return 0


# ---------------------------------------------------------------- outside


def smtp_source() -> str | None:
    """Postfix's smtp-source, from the Debian package unpacked under build/ (not installed)."""
    tool = POSTFIX / "usr" / "sbin" / "smtp-source"
    if not tool.exists():
        with tempfile.TemporaryDirectory() as tmp:
            got = subprocess.run(["apt-get", "download", "postfix"], cwd=tmp,
                                 capture_output=True, check=False)
            debs = list(Path(tmp).glob("postfix_*.deb"))
            if got.returncode != 0 or not debs:
                return None
            subprocess.run(["dpkg", "-x", str(debs[0]), str(POSTFIX)], check=True)
    return str(tool) if tool.exists() else None


def run(root: Path, name: str, command: list[str], args: argparse.Namespace,
        idle: int) -> dict[str, float]:
    site = nsenv.daemon_site(root, name, MC)
    env = nsenv.NsEnv(root / "state", binds=((root, nsenv.NS_ROOT),))
    env.prepare()
    inner_argv = [sys.executable, str(Path(__file__).resolve()), "--inner",
                  "--site", f"{nsenv.NS_ROOT}/{name}", "--command", json.dumps(command),
                  "--messages", str(args.messages), "--sessions", str(args.sessions),
                  "--size", str(args.size), "--idle", str(idle), "--client", args.client,
                  "--tool", args.tool or ""]
    proc = subprocess.run(env.argv(inner_argv), capture_output=True, text=True, check=False)
    if proc.returncode != 0 or not proc.stdout.strip():
        log = (site / "daemon.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{name}: {proc.stderr[-2000:]}\n{log}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--size", type=int, default=2048)
    parser.add_argument("--idle", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--client", choices=("both", "smtp-source", "asyncio"), default="both")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--tool", help=argparse.SUPPRESS)
    parser.add_argument("--site", help=argparse.SUPPRESS)
    parser.add_argument("--command", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inner:
        return inner(args)
    reason = nsenv.unavailable_reason()
    missing = [p for p in (REAL[0], "/usr/bin/m4", "/usr/share/sendmail/cf/m4/cf.m4",
                           OURS[0]) if not os.path.exists(p)]
    if reason or missing:
        print(f"cannot run: {reason or 'missing ' + ', '.join(missing)}", file=sys.stderr)
        return 2
    clients = ["smtp-source", "asyncio"] if args.client == "both" else [args.client]
    if "smtp-source" in clients:
        args.tool = smtp_source()
        if args.tool is None:
            print("smtp-source unavailable (apt-get download postfix failed): "
                  "only the asyncio client", file=sys.stderr)
            clients = ["asyncio"]
    sys.path.insert(0, str(ROOT))
    from mta.util import native  # importing mta loads the build, as our sendmail does

    print(f"== ours runs {native.state()}")
    root = Path(tempfile.mkdtemp(prefix="smtp-bench-"))
    root.chmod(0o755)
    medians = []
    try:
        for client in clients:
            args.client = client
            last_client = client == clients[-1]
            print(f"== {args.messages} messages of {args.size} bytes over {args.sessions} "
                  f"sessions from {client}, queue-only, fsynced; {args.rounds} round(s), real "
                  "and ours in turn")
            ratios = []
            ours: dict[str, float] = {}
            for number in range(1, args.rounds + 1):
                idle = args.idle if last_client and number == args.rounds else 0
                # who goes first alternates: the file system may favour one of them
                # (files deleted shortly before make creating files dearer)
                tag = f"{client}{number}"
                if number % 2:
                    real = run(root, f"real-{tag}", REAL, args, 0)
                    ours = run(root, f"ours-{tag}", OURS, args, idle)
                else:
                    ours = run(root, f"ours-{tag}", OURS, args, idle)
                    real = run(root, f"real-{tag}", REAL, args, 0)
                for name, result in (("real sendmail", real), ("ours", ours)):
                    print(f"   {name:14} {result['rate']:8.0f} msg/s  "
                          f"({result['acknowledged']:.0f} in {result['seconds']:.2f} s, "
                          f"{result['queued']:.0f} queued, {result['cpu_ms']:.2f} ms CPU each)")
                ratios.append(ours["rate"] / real["rate"])
                print(f"   ratio ours / real: {ratios[-1]:.2f}x")
            medians.append(statistics.median(ratios))
            print(f"== median ratio ours / real with {client}: {medians[-1]:.2f}x "
                  "(target >= 1.0)")
            if idle := (args.idle if last_client else 0):
                print(f"== {idle} idle connections to ours: RSS {ours['rss_kb'] / 1024:.1f} MiB")
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
