"""Sendmail's header table: what the message fields it knows are (HdrInfo of conf.c).

SYNOPSIS
    header_flags("Reply-To")            # HeaderFlag.FROM
    "cc" in ADDRESS_FIELDS; "to" in RECIPIENT_FIELDS; "received" in TRACE_FIELDS

DESCRIPTION
    One table for what the SMTP session, the queue writer and the delivery
    need to know of a field by its name, as Sendmail keeps it in HdrInfo:

    - ADDRESS_FIELDS (FROM or RCPT): written one address after another, as
      commaize() writes them;
    - RECIPIENT_FIELDS (RCPT, not BCC, not RESENT: To, Cc, Apparently-To):
      their presence sets the qf's b flag (delete Bcc:);
    - TRACE_FIELDS (Received, X400-Received, Via, Mail-From): the .cf's H
      line for one is added even when the message has the field already.

    Names are compared in lower case; a field not in the table has no flags.

DIAGNOSTICS
    None.

SEE ALSO
    mta.smtp.session (default header fields), mta.app.queuesink (commaize,
    the b flag), Sendmail's conf.c (HdrInfo).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping


class HeaderFlag(enum.Flag):
    """The H_* flags of Sendmail's header table that matter here."""

    NONE = 0
    FROM = enum.auto()  # an originator field
    RCPT = enum.auto()  # a recipient field
    BCC = enum.auto()  # a blind copy field
    RESENT = enum.auto()  # a Resent- field
    TRACE = enum.auto()  # a trace field (added by every relay)


_F = HeaderFlag
HEADER_INFO: Mapping[str, HeaderFlag] = {
    "resent-sender": _F.FROM | _F.RESENT,
    "resent-from": _F.FROM | _F.RESENT,
    "resent-reply-to": _F.FROM | _F.RESENT,
    "sender": _F.FROM,
    "from": _F.FROM,
    "reply-to": _F.FROM,
    "errors-to": _F.FROM,
    "disposition-notification-to": _F.FROM,
    "to": _F.RCPT,
    "resent-to": _F.RCPT | _F.RESENT,
    "cc": _F.RCPT,
    "resent-cc": _F.RCPT | _F.RESENT,
    "bcc": _F.RCPT | _F.BCC,
    "resent-bcc": _F.RCPT | _F.BCC | _F.RESENT,
    "apparently-to": _F.RCPT,
    "resent-message-id": _F.RESENT,
    "resent-date": _F.RESENT,
    "received": _F.TRACE,
    "x400-received": _F.TRACE,
    "via": _F.TRACE,
    "mail-from": _F.TRACE,
}


def header_flags(name: str) -> HeaderFlag:
    """The flags of the field called name (any case); NONE for a field not in the table."""
    return HEADER_INFO.get(name.lower(), HeaderFlag.NONE)


ADDRESS_FIELDS = frozenset(n for n, f in HEADER_INFO.items() if f & (_F.FROM | _F.RCPT))
RECIPIENT_FIELDS = frozenset(n for n, f in HEADER_INFO.items()
                             if f & _F.RCPT and not f & (_F.BCC | _F.RESENT))
TRACE_FIELDS = frozenset(n for n, f in HEADER_INFO.items() if f & _F.TRACE)
