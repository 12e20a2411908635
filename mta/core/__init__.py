"""Shared mail vocabulary: errors, replies, the option table.

DESCRIPTION
    Imported by every layer above util; imports only mta.util and the stdlib.
"""
