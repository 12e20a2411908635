"""Source locations for diagnostics and traces.

SYNOPSIS
    loc = Location("sendmail.mc", 12)
    f"{loc.file}:{loc.line}"

DESCRIPTION
    A Location names the input file and line a macro call or token came from, the
    way GNU m4 reports "m4:FILE:LINE: message". Text pushed back by macro
    expansion has no location of its own: it reports the location of the file
    being read underneath it, as GNU m4 does.

SEE ALSO
    m4compat.errors, m4compat.source
"""

from __future__ import annotations


class Location:
    """An immutable (file, line) pair.

    A plain slotted class: dataclasses and typing.NamedTuple cost more to import
    than GNU m4 takes for a whole run, and the command's start-up time counts.
    """

    __slots__ = ("file", "line")

    file: str
    line: int

    def __init__(self, file: str, line: int) -> None:
        object.__setattr__(self, "file", file)
        object.__setattr__(self, "line", line)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Location is immutable")

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Location) and self.file == other.file and self.line == other.line
        )

    def __hash__(self) -> int:
        return hash((self.file, self.line))

    def __repr__(self) -> str:
        return f"Location({self.file!r}, {self.line})"

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


NOWHERE = Location("", 0)
