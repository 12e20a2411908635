"""TLS contexts from the .cf options, for STARTTLS as server and as client.

SYNOPSIS
    server = server_context(config.options)     # None without ServerCertFile/ServerKeyFile
    client = client_context(config.options)     # always a context: opportunistic TLS

DESCRIPTION
    The server side needs ServerCertFile and ServerKeyFile; without both,
    STARTTLS is not offered. The client side is what Sendmail does when a
    server offers STARTTLS: it uses TLS whether or not the certificate
    verifies (the result only goes into ${verify} for the tls_server
    ruleset), presents ClientCertFile/ClientKeyFile when both are set, and
    trusts CACertFile/CACertPath for the verification it reports.

DIAGNOSTICS
    A certificate or key that cannot be loaded is logged and left out: the
    server then offers no STARTTLS, the client goes on without its own
    certificate.

SEE ALSO
    mta.smtp.session (STARTTLS as server), mta.deliver.smtpclient;
    Sendmail op.me 6.4 (STARTTLS options).
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Mapping

log = logging.getLogger("mta.tls")


def server_context(options: Mapping[str, str]) -> ssl.SSLContext | None:
    """The STARTTLS context from ServerCertFile/ServerKeyFile, None when unusable."""
    cert, key = options.get("ServerCertFile"), options.get("ServerKeyFile")
    if not cert or not key:
        return None
    try:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as exc:
        log.warning("STARTTLS: cannot use %s and %s: %s", cert, key, exc)
        return None
    return context


def client_context(options: Mapping[str, str]) -> ssl.SSLContext:
    """The context the delivery agent uses when a server offers STARTTLS."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # opportunistic, as Sendmail: never fail on it
    cert, key = options.get("ClientCertFile"), options.get("ClientKeyFile")
    if cert and key:
        try:
            context.load_cert_chain(cert, key)
        except (OSError, ssl.SSLError) as exc:
            log.warning("STARTTLS: cannot use %s and %s: %s", cert, key, exc)
    ca_file, ca_path = options.get("CACertFile"), options.get("CACertPath")
    if ca_file or ca_path:
        try:
            context.load_verify_locations(cafile=ca_file or None, capath=ca_path or None)
        except (OSError, ssl.SSLError) as exc:
            log.warning("STARTTLS: cannot read CA certificates: %s", exc)
    return context
