"""The inbound SMTP server: framing, sessions, listeners.

DESCRIPTION
    wire.py is the sans-IO framing (bytes in, events out) shared by the
    daemon, `sendmail -bs`, the fuzzers and the smuggling tests; the session
    and server modules drive it and ask mta.rules.check for every policy
    decision. Nothing here is imported by the layers below.
"""
