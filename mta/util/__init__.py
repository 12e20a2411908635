"""Helpers with no mail knowledge: atomic files, time specs, sysexits.

DESCRIPTION
    The bottom layer of mta; imports only the standard library.
"""
