"""Map classes (Sendmail's MAPDEF table) and the named maps of a .cf.

DESCRIPTION
    registry.MapSet holds the maps a Config declares (K lines) and answers
    lookups for the rules engine; classes/ holds the map classes.
"""
