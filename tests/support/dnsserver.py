"""A tiny authoritative DNS responder on loopback for tests (dnspython, UDP, a thread).

SYNOPSIS
    with DnsServer({("a.test", "A"): ["192.0.2.1"]}) as server: ...   # port 0
    python dnsserver.py ZONEFILE [ADDRESS [PORT]]    # serve in the background

DESCRIPTION
    The records map (name, type) to rdata texts; a name listed in servfail
    gets SERVFAIL, a name in drop gets no answer at all (so the client times
    out), any other name NXDOMAIN.

    Run as a program it reads a zone file (read_zone), binds ADDRESS:PORT
    (127.0.0.1:53 by default), then forks: the parent prints the server's pid
    and exits once the socket is bound, so a shell can start it with
    pid=$(python dnsserver.py zone) and query it at once; the child answers
    until it is killed. tests/diff/nsenv.py starts it so inside the test
    network namespace, where the real sendmail and ours both resolve through it.

FILES
    A zone file has one record a line: "name TYPE rdata..." (TYPE as dnspython
    spells it: A, AAAA, MX, TXT, CNAME, PTR), or "name SERVFAIL", or
    "name DROP". Blank lines and lines starting with # are ignored.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
from collections.abc import Iterator, Mapping

import dns.flags
import dns.message
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset


class DnsServer:
    """Answer queries from a fixed table until stopped."""

    def __init__(
        self,
        records: Mapping[tuple[str, str], list[str]],
        *,
        drop: frozenset[str] = frozenset(),
        servfail: frozenset[str] = frozenset(),
        address: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.records = {(n.lower().rstrip(".") + ".", t): v for (n, t), v in records.items()}
        self.drop = {n.lower().rstrip(".") + "." for n in drop}
        self.servfail = {n.lower().rstrip(".") + "." for n in servfail}
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((address, port))
        self.port = self.sock.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._stop = False
        self.errors: list[str] = []
        self.log = os.environ.get("DNSSERVER_LOG", "")

    def _serve(self) -> None:
        while not self._stop:
            try:
                data, peer = self.sock.recvfrom(4096)
            except OSError:
                return
            try:
                reply = self._answer(data)
            except Exception as exc:  # a test server must outlive a query it cannot answer
                self.errors.append(f"{type(exc).__name__}: {exc}")
                if self.log:
                    with open(self.log, "a", encoding="utf-8") as fh:
                        fh.write(f"{type(exc).__name__}: {exc} for {data!r}\n")
                continue
            if reply is not None:
                self.sock.sendto(reply, peer)

    def _answer(self, data: bytes) -> bytes | None:
        """The wire reply to one query, or None to drop it."""
        query = dns.message.from_wire(data)
        question = query.question[0]
        name = question.name.to_text().lower()
        rdtype = dns.rdatatype.to_text(question.rdtype)
        if name in self.drop:
            return None
        reply = dns.message.make_response(query)
        reply.flags |= dns.flags.AA
        if name in self.servfail:
            reply.set_rcode(dns.rcode.SERVFAIL)
        elif (name, "CNAME") in self.records and rdtype != "CNAME":
            target = self.records[(name, "CNAME")][0]
            reply.answer.append(dns.rrset.from_text(name, 60, "IN", "CNAME", target))
            for text in self.records.get((target.lower(), rdtype), []):
                reply.answer.append(dns.rrset.from_text(target, 60, "IN", rdtype, text))
        elif (name, rdtype) in self.records:
            for text in self.records[(name, rdtype)]:
                reply.answer.append(dns.rrset.from_text(name, 60, "IN", rdtype, text))
        elif not any(n == name for n, _ in self.records):
            reply.set_rcode(dns.rcode.NXDOMAIN)
        return reply.to_wire()

    def __enter__(self) -> DnsServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop = True
        self.sock.close()


def running(
    records: Mapping[tuple[str, str], list[str]], **kwargs: frozenset[str]
) -> Iterator[DnsServer]:
    """Generator for a pytest fixture: a started server."""
    with DnsServer(records, **kwargs) as server:
        yield server


def read_zone(
    text: str,
) -> tuple[dict[tuple[str, str], list[str]], frozenset[str], frozenset[str]]:
    """Parse zone file text (see FILES) into (records, drop, servfail)."""
    records: dict[tuple[str, str], list[str]] = {}
    drop: set[str] = set()
    servfail: set[str] = set()
    for lineno, line in enumerate(text.splitlines(), 1):
        fields = line.split(None, 2)
        if not fields or fields[0].startswith("#"):
            continue
        if len(fields) == 2 and fields[1] in ("SERVFAIL", "DROP"):
            (servfail if fields[1] == "SERVFAIL" else drop).add(fields[0])
        elif len(fields) == 3:
            records.setdefault((fields[0], fields[1].upper()), []).append(fields[2])
        else:
            expected = "'name TYPE rdata', 'name SERVFAIL' or 'name DROP'"
            raise ValueError(f"zone:{lineno}: expected {expected}")
    return records, frozenset(drop), frozenset(servfail)


def main(argv: list[str]) -> int:
    """Serve ZONEFILE on ADDRESS:PORT from a forked child; print its pid."""
    if not 1 <= len(argv) <= 3:
        print("usage: dnsserver.py ZONEFILE [ADDRESS [PORT]]", file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as fh:
        records, drop, servfail = read_zone(fh.read())
    address = argv[1] if len(argv) > 1 else "127.0.0.1"
    port = int(argv[2]) if len(argv) > 2 else 53
    server = DnsServer(records, drop=drop, servfail=servfail, address=address, port=port)
    pid = os.fork()
    if pid:
        print(pid, flush=True)
        return 0
    # the child: let go of the caller's stdout so that $(...) returns
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    server._serve()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
