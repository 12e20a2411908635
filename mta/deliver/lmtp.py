"""LMTP to a mailer program (F=z): mail.local -l and the like, over its stdin and stdout.

SYNOPSIS
    replies = await deliver_lmtp("/usr/libexec/mail.local", ["mail.local", "-l"],
                                 sender="alice@example.test", recipients=["bob"],
                                 data=message, environment=env, helo_name="mail.example.test")
    replies[0]      # Reply(250, "2.1.5", "bob Ok") or the 4xx/5xx for bob

DESCRIPTION
    What Sendmail does for a mailer with F=z (RFC 2033): the program is
    started with A=, greets with 220, gets LHLO, MAIL, one RCPT per
    recipient and, when one of them was accepted, DATA and the message
    (CRLF lines, dot-stuffed); after the final dot it answers once per
    accepted recipient, in RCPT order, so each recipient has its own
    outcome. QUIT ends the dialogue.

DIAGNOSTICS
    A program that cannot be started, closes its output, answers out of
    turn or does not answer within the timeout gives every recipient still
    open a temporary failure (451 4.4.2 or 451 4.5.0), never an exception.

SEE ALSO
    mta.deliver.program, mta.deliver.smtpclient (reply parsing, dot-stuffing),
    mta.cli.maillocal (our mail.local -l), RFC 2033.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping, Sequence

from mta.core.reply import Reply
from mta.deliver.program import spawn
from mta.deliver.smtpclient import parse_reply, smtp_data

_LOST = Reply(451, "4.4.2", "Connection to mailer lost")


class _Broken(Exception):
    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.text)
        self.reply = reply


async def _read_reply(stdout: asyncio.StreamReader, timeout: float) -> Reply:
    lines: list[str] = []
    while True:
        try:
            raw = await asyncio.wait_for(stdout.readline(), timeout)
        except TimeoutError:
            raise _Broken(Reply(451, "4.4.2", "Timeout waiting for mailer")) from None
        if not raw:
            raise _Broken(_LOST)
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        lines.append(line)
        if len(line) < 4 or line[3] != "-":
            break
    try:
        return parse_reply(lines)
    except ValueError:
        raise _Broken(Reply(451, "4.5.0", f"Protocol error from mailer: {lines[-1]!r}")) \
            from None


async def deliver_lmtp(path: str, argv: Sequence[str], *, sender: str,
                       recipients: Sequence[str], data: bytes,
                       environment: Mapping[str, str], helo_name: str,
                       directories: Sequence[str] = (), user: tuple[int, int] | None = None,
                       timeout: float = 600.0) -> list[Reply]:
    """Deliver data to recipients through an LMTP mailer program.

    Returns:
        One Reply per recipient, in order.
    """
    try:
        proc = await spawn(path, argv, environment=environment, directories=directories,
                           user=user, stderr=asyncio.subprocess.DEVNULL)
    except OSError as exc:
        reply = Reply(451, "4.0.0", f"Cannot exec {path}: {exc.strerror}")
        return [reply] * len(recipients)
    assert proc.stdin is not None and proc.stdout is not None
    stdin, stdout = proc.stdin, proc.stdout
    results: list[Reply | None] = [None] * len(recipients)

    async def command(text: str) -> Reply:
        stdin.write(text.encode("utf-8", "surrogateescape") + b"\r\n")
        await stdin.drain()
        return await _read_reply(stdout, timeout)

    try:
        greeting = await _read_reply(stdout, timeout)
        if greeting.code != 220:
            raise _Broken(greeting if not greeting.code < 400 else _LOST)
        hello = await command(f"LHLO {helo_name}")
        if hello.code != 250:
            raise _Broken(hello)
        mail = await command(f"MAIL From:<{sender}>")
        if mail.code != 250:
            raise _Broken(mail)
        accepted = []
        for i, rcpt in enumerate(recipients):
            reply = await command(f"RCPT To:<{rcpt}>")
            if reply.code == 250:
                accepted.append(i)
            else:
                results[i] = reply
        if accepted:
            start = await command("DATA")
            if start.code != 354:
                raise _Broken(start)
            stdin.write(smtp_data(data))
            await stdin.drain()
            for i in accepted:
                results[i] = await _read_reply(stdout, timeout)
        with contextlib.suppress(_Broken, ConnectionError):
            await command("QUIT")
    except _Broken as exc:
        results = [r if r is not None else exc.reply for r in results]
    except (ConnectionError, BrokenPipeError):
        results = [r if r is not None else _LOST for r in results]
    finally:
        with contextlib.suppress(Exception):
            stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
    return [r if r is not None else _LOST for r in results]
