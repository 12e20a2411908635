"""Outbound delivery: mailers, the SMTP client, bounces and the queue runner.

DESCRIPTION
    The mta.deliver package takes messages from the queue and hands them to
    mailers: [IPC] mailers through the asynchronous SMTP client
    (mta.deliver.smtpclient), local and program mailers through subprocesses.
    It may import mta.rules, mta.maps, mta.config, mta.queue, mta.core and
    mta.util, never mta.smtp (DESIGN.md 3.2: the queue is the only hand-off).
"""
