"""A receiving SMTP server for tests: records what it is sent, answers as told.

SYNOPSIS
    with SmtpSink("127.0.0.2") as sink:          # a thread on 127.0.0.2:<free port>
        sink.rcpt_replies["bad@example.test"] = "550 5.1.1 User unknown"
        ... deliver to sink.port ...
        sink.wait_for(1); sink.messages[0].data

DESCRIPTION
    ESMTP with PIPELINING, 8BITMIME, SIZE and DSN; each transaction that
    ends with 250 after the final dot is one SinkMessage (sender, recipients
    with their parameters, the data with CRLF line ends turned into LF and
    dot-stuffing undone). Replies can be set per recipient address, for the
    greeting and for the end of DATA (data_reply), so a test can make a host
    refuse, defer or fail one recipient. It listens until stopped; the
    context manager stops it.
"""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from dataclasses import dataclass, field


@dataclass
class SinkMessage:
    sender: str
    recipients: list[str]
    data: bytes
    mail_params: str = ""
    rcpt_params: list[str] = field(default_factory=list)


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def reply(self, text: str) -> None:
        self.wfile.write(text.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        sink = self.server.sink
        sink.connections += 1
        self.reply(sink.greeting)
        if not sink.greeting.startswith("220"):
            return
        sender: str | None = None
        recipients: list[str] = []
        rcpt_params: list[str] = []
        mail_params = ""
        while True:
            line = self.rfile.readline()
            if not line:
                return
            text = line.decode("latin-1").rstrip("\r\n")
            verb = text[:4].upper()
            sink.commands.append(text)
            if verb == "EHLO":
                lines = [sink.name, *sink.keywords]
                self.reply("\r\n".join(f"250{' ' if i == len(lines) - 1 else '-'}{line}"
                                         for i, line in enumerate(lines)))
            elif verb == "HELO":
                self.reply(f"250 {sink.name}")
            elif verb == "MAIL":
                address, _, mail_params = text[10:].partition(">")
                sender = address.lstrip("<")
                recipients, rcpt_params = [], []
                self.reply(sink.mail_reply)
            elif verb == "RCPT":
                address, _, params = text[8:].partition(">")
                address = address.lstrip("<")
                answer = sink.rcpt_replies.get(address.lower(), "250 2.1.5 Ok")
                if answer.startswith("2"):
                    recipients.append(address)
                    rcpt_params.append(params.strip())
                self.reply(answer)
            elif verb == "DATA":
                if not recipients:
                    self.reply("503 5.5.1 No recipients")
                    continue
                self.reply("354 go ahead")
                lines = []
                while True:
                    raw = self.rfile.readline()
                    if not raw:
                        return  # the client went away in the middle: no message
                    if raw in (b".\r\n", b".\n"):
                        break
                    if raw.startswith(b".."):
                        raw = raw[1:]
                    lines.append(raw.replace(b"\r\n", b"\n"))
                answer = sink.data_reply
                if sink.data_delay:
                    time.sleep(sink.data_delay)
                if answer.startswith("2"):
                    with sink.lock:
                        sink.messages.append(SinkMessage(sender or "", recipients,
                                                         b"".join(lines), mail_params.strip(),
                                                         rcpt_params))
                        sink.arrived.notify_all()
                self.reply(answer)
                sender, recipients = None, []
            elif verb == "RSET":
                sender, recipients = None, []
                self.reply("250 2.0.0 Reset")
            elif verb == "NOOP":
                self.reply("250 2.0.0 Ok")
            elif verb == "QUIT":
                self.reply("221 2.0.0 Bye")
                return
            else:
                self.reply("502 5.5.2 Unknown command")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    sink: SmtpSink


class SmtpSink:
    """A threaded SMTP server on address:port (port 0 picks a free one)."""

    def __init__(self, address: str = "127.0.0.1", port: int = 0, name: str = "sink.test") -> None:
        self.address = address
        self.name = name
        self.greeting = f"220 {name} ESMTP sink"
        self.mail_reply = "250 2.1.0 Ok"
        self.data_reply = "250 2.0.0 Ok: queued"
        self.rcpt_replies: dict[str, str] = {}
        self.data_delay = 0.0  # seconds to wait before answering the final dot
        self.keywords = ["PIPELINING", "8BITMIME", "SIZE 10000000", "DSN",
                         "ENHANCEDSTATUSCODES"]  # the EHLO reply
        self.messages: list[SinkMessage] = []
        self.commands: list[str] = []
        self.connections = 0
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)
        self._server = _Server((address, port), _Handler)
        self._server.sink = self
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> SmtpSink:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wait_for(self, count: int, timeout: float = 30.0) -> list[SinkMessage]:
        """Wait until count messages have arrived (or timeout) and return them."""
        with self.lock:
            self.arrived.wait_for(lambda: len(self.messages) >= count, timeout)
            return list(self.messages)


def free_port(address: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((address, 0))
        return int(s.getsockname()[1])
