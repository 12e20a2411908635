"""An SMTP server for the differential tests, run as a program inside their namespace.

SYNOPSIS
    python nssmtp.py ADDRESS PORT PIDFILE [--name NAME] [--keywords K1,K2,...]
                     [--messages DIR] [--raw FILE]

DESCRIPTION
    Binds ADDRESS:PORT, forks (the parent exits once the socket listens, so a
    shell script can start it and go on), writes the child's pid to PIDFILE
    and serves every connection in a thread of its own until it is killed.
    The real sendmail and ours deliver to it in the same namespace, so the
    tests can compare what each sent.

    Replies: the greeting and EHLO name NAME (default mx.test); EHLO offers
    the KEYWORDS (default 8BITMIME,ENHANCEDSTATUSCODES). RCPT to a local part
    starting with "unknown" gets 550 5.1.1 "User unknown", one starting with
    "later" 451 4.3.0, every other one 250; DATA without an accepted
    recipient gets 503. These texts end up in the DSN transcripts of
    tests/diff/test_dsn_real.py, so they stay as they are.

    Records: with --messages DIR, each message as DIR/ADDRESS-N.eml (the
    data, dot-stuffing undone, LF line ends) and DIR/ADDRESS-N.env (its MAIL
    and RCPT lines); with --raw FILE, every byte a connection sent, appended
    to FILE when its message or the connection ends.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import threading

LOCK = threading.Lock()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("address")
    parser.add_argument("port", type=int)
    parser.add_argument("pidfile")
    parser.add_argument("--name", default="mx.test")
    parser.add_argument("--keywords", default="8BITMIME,ENHANCEDSTATUSCODES")
    parser.add_argument("--messages")
    parser.add_argument("--raw")
    args = parser.parse_args()
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((args.address, args.port))
    server.listen(50)
    if os.fork():
        sys.exit(0)
    with open(args.pidfile, "w") as f:
        f.write(str(os.getpid()))
    raw = open(args.raw, "ab", buffering=0) if args.raw else None
    count = [0]

    def serve(conn: socket.socket) -> None:
        reader = conn.makefile("rb")
        received: list[bytes] = []

        def say(text: str) -> None:
            conn.sendall(text.encode() + b"\r\n")

        def flush() -> None:
            if raw is not None:
                with LOCK:
                    raw.write(b"".join(received))
            received.clear()

        say(f"220 {args.name} ESMTP fake")
        envelope: list[str] = []
        accepted = 0
        try:
            while True:
                line = reader.readline()
                if not line:
                    return
                received.append(line)
                command = line.decode("latin-1").strip()
                verb = command[:4].upper()
                if verb == "EHLO":
                    lines = [f"{args.name} Hello", *filter(None, args.keywords.split(","))]
                    say("\r\n".join(f"250{' ' if i == len(lines) - 1 else '-'}{text}"
                                    for i, text in enumerate(lines)))
                elif verb == "HELO":
                    say(f"250 {args.name} Hello")
                elif verb == "MAIL":
                    envelope, accepted = [command], 0
                    say("250 2.1.0 Sender ok")
                elif verb == "RCPT":
                    envelope.append(command)
                    local = command.split(":", 1)[1].strip().lstrip("<").split("@")[0].lower()
                    if local.startswith("unknown"):
                        domain = args.name.split(".", 1)[-1]
                        say(f"550 5.1.1 <{local}@{domain}>... User unknown")
                    elif local.startswith("later"):
                        say("451 4.3.0 Please try again later")
                    else:
                        accepted += 1
                        say("250 2.1.5 Recipient ok")
                elif verb == "DATA":
                    if not accepted:
                        say("503 5.0.0 Need RCPT (recipient)")
                        continue
                    say("354 Go ahead")
                    data = []
                    while True:
                        chunk = reader.readline()
                        received.append(chunk)
                        if chunk in (b".\r\n", b""):
                            break
                        if chunk.startswith(b"."):
                            chunk = chunk[1:]
                        data.append(chunk.replace(b"\r\n", b"\n"))
                    if args.messages:
                        with LOCK:
                            count[0] += 1
                            name = f"{args.messages}/{args.address}-{count[0]}"
                        with open(name + ".eml", "wb") as f:
                            f.write(b"".join(data))
                        with open(name + ".env", "w") as f:
                            f.write("\n".join(envelope) + "\n")
                    flush()
                    say("250 2.0.0 Message accepted")
                elif verb == "RSET":
                    envelope, accepted = [], 0
                    say("250 2.0.0 Reset")
                elif verb == "NOOP":
                    say("250 2.0.0 OK")
                elif verb == "QUIT":
                    say("221 2.0.0 Bye")
                    return
                else:
                    say("500 5.5.1 Command unrecognized")
        except OSError:
            pass
        finally:
            flush()
            conn.close()

    while True:
        conn, _ = server.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
