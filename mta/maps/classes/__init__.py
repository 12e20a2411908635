"""The built-in map classes, imported by an explicit list.

DESCRIPTION
    Importing this package registers every class below with @map_class (in
    mta.maps.registry); the list is explicit so tools and readers can see it.
    hashdb: hash btree dbm implicit; text: text stab null user dequote macro
    arith arpa syslog regex; sequence: sequence switch; host: host bestmx dns;
    program: program socket.

SEE ALSO
    mta.maps.registry, DESIGN.md 4.6 example 2.
"""

from __future__ import annotations

from mta.maps.classes import hashdb, host, program, sequence, text

__all__ = ["hashdb", "host", "program", "sequence", "text"]
