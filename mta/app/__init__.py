"""The composition root: builds the runtime from a .cf and runs the daemon.

DESCRIPTION
    mta.app.runtime loads a .cf with the host's identity and builds the maps,
    the rule engine and the Policy; mta.app.daemon runs the SMTP server on it.
"""
