"""sendmail.cf text to a frozen Config model.

DESCRIPTION
    load_cf() in loader.py reads a .cf the way Sendmail 8.17's readcf() does and
    returns model.Config; nothing here runs rules or opens maps.
"""
