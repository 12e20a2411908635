"""A tiny authoritative DNS responder on 127.0.0.1 for map tests (dnspython, UDP, a thread).

DESCRIPTION
    ZONE maps (name, type) to rdata texts; a name listed in SERVFAIL gets
    SERVFAIL, a name in DROP gets no answer at all (so the client times out),
    any other name under the zone NXDOMAIN.
"""

from __future__ import annotations

import socket
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
    ) -> None:
        self.records = {(n.lower().rstrip(".") + ".", t): v for (n, t), v in records.items()}
        self.drop = {n.lower().rstrip(".") + "." for n in drop}
        self.servfail = {n.lower().rstrip(".") + "." for n in servfail}
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._stop = False

    def _serve(self) -> None:
        while not self._stop:
            try:
                data, peer = self.sock.recvfrom(4096)
            except OSError:
                return
            query = dns.message.from_wire(data)
            question = query.question[0]
            name = question.name.to_text().lower()
            rdtype = dns.rdatatype.to_text(question.rdtype)
            if name in self.drop:
                continue
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
            self.sock.sendto(reply.to_wire(), peer)

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
