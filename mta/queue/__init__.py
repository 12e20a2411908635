"""The durable message store: Sendmail-compatible queue files and queue ids.

DESCRIPTION
    mta.queue.qid makes Sendmail 8.17 queue ids, mta.queue.qfformat reads and
    writes qf files byte for byte as Sendmail 8.17 does, and
    mta.queue.fsqueue keeps messages in a queue directory (df body, qf
    envelope and header) with the tf -> fsync -> rename -> fsync(dir)
    discipline and group commit. Imports only mta.core, mta.util and the
    stdlib (DESIGN.md 3.2), so mailq and the queue tests need no config.
"""
