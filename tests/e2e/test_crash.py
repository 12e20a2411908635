"""kill -9 of the daemon while 20 clients send: what got a 250 is in the queue, whole.

DESCRIPTION
    Twenty client threads send messages with a unique Subject and a body
    made from it, each on its own connection, and note which messages got
    the 250 to the end of DATA. Once enough are acknowledged the daemon gets
    SIGKILL in the middle of the traffic. Then, on the queue directory:

    - every acknowledged message has its qf file, which parses, and its df
      file with exactly the body that was sent;
    - every queued message was at least sent to the end of DATA (a message
      can be on disk and not acknowledged, when the kill came between the
      fsync and the reply; nothing else may be there);
    - after a restart on the same queue the daemon starts, keeps every
      queued message and has removed what was half-written (tf files, df
      files without a qf).

SEE ALSO
    mta.queue.fsqueue (commit before 250), mta.app.queuesink.remove_leftovers.
"""

from __future__ import annotations

import os
import signal
import smtplib
import threading
from pathlib import Path

from conftest import build_site, start_daemon, stop_daemon

from mta.queue.qfformat import parse_qf

CLIENTS = 20
ACKED_BEFORE_KILL = 200


def _body(tag: str) -> bytes:
    return b"".join(f"{tag} line {i}\r\n".encode() for i in range(30))


def test_kill_9_loses_no_acknowledged_message(tmp_path: Path) -> None:
    cf, queue, port = build_site(tmp_path)
    daemon = start_daemon(cf, queue, port, tmp_path / "daemon.log")
    acked: set[str] = set()
    sent: set[str] = set()  # the end of DATA went out
    lock = threading.Lock()
    stop = threading.Event()
    enough = threading.Event()

    def client(n: int) -> None:
        count = 0
        while not stop.is_set():
            try:
                with smtplib.SMTP("127.0.0.1", port, timeout=20) as smtp:
                    while not stop.is_set():
                        tag = f"m-{n}-{count}"
                        count += 1
                        message = f"Subject: {tag}\r\n\r\n".encode() + _body(tag)
                        with lock:
                            sent.add(tag)
                        smtp.sendmail("", ["root@localhost"], message)
                        with lock:
                            acked.add(tag)
                            if len(acked) >= ACKED_BEFORE_KILL:
                                enough.set()
            except (OSError, smtplib.SMTPException):
                if stop.is_set():
                    return

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    try:
        for t in threads:
            t.start()
        assert enough.wait(120), f"only {len(acked)} messages acknowledged"
        os.kill(daemon.proc.pid, signal.SIGKILL)
        daemon.proc.wait(10)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
        stop_daemon(daemon.proc)

    def queued() -> dict[str, tuple[Path, Path]]:
        found = {}
        for qf in queue.glob("qf*"):
            envelope = parse_qf(qf.read_bytes(), qid=qf.name[2:])
            subject = next(h for h in envelope.headers if h.name == "Subject")
            found[subject.message_value().decode().strip()] = (qf, queue / ("df" + qf.name[2:]))
        return found

    with lock:
        acked_now, sent_now = set(acked), set(sent)
    on_disk = queued()
    assert acked_now <= set(on_disk), sorted(acked_now - set(on_disk))[:10]
    assert set(on_disk) <= sent_now
    for tag, (_qf, df) in on_disk.items():
        assert df.read_bytes() == _body(tag).replace(b"\r\n", b"\n"), tag

    again = start_daemon(cf, queue, port, tmp_path / "daemon.log")
    try:
        assert set(queued()) == set(on_disk)
        leftovers = [p.name for p in queue.iterdir()
                     if p.name.startswith("tf")
                     or (p.name.startswith("df") and not (queue / ("qf" + p.name[2:])).exists())]
        assert leftovers == []
    finally:
        stop_daemon(again.proc)
