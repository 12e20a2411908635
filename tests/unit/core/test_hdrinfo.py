"""Tests of mta.core.hdrinfo: the field sets derived from Sendmail's header table."""

from __future__ import annotations

from mta.core.hdrinfo import (
    ADDRESS_FIELDS,
    RECIPIENT_FIELDS,
    TRACE_FIELDS,
    HeaderFlag,
    header_flags,
)


def test_derived_sets() -> None:
    # the b flag: To, Cc and Apparently-To, not Bcc nor Resent- (checked with Sendmail's qf)
    assert RECIPIENT_FIELDS == {"to", "cc", "apparently-to"}
    assert TRACE_FIELDS == {"received", "x400-received", "via", "mail-from"}
    assert {"from", "reply-to", "sender", "to", "cc", "bcc", "resent-to"} <= ADDRESS_FIELDS
    assert not {"subject", "received", "message-id", "date"} & ADDRESS_FIELDS


def test_flags_by_name_in_any_case() -> None:
    assert header_flags("Resent-Bcc") == HeaderFlag.RCPT | HeaderFlag.BCC | HeaderFlag.RESENT
    assert header_flags("X-Mailer") == HeaderFlag.NONE
