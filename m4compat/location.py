"""Source locations for diagnostics and traces.

SYNOPSIS
    loc = Location("sendmail.mc", 12)
    f"{loc.file}:{loc.line}"

DESCRIPTION
    A Location names the input file and line a macro call or token came from, the
    way GNU m4 reports "m4:FILE:LINE: message". Text pushed back by macro
    expansion has no location of its own: it reports the location of the file
    being read underneath it, as GNU m4 does.

    File names, like all m4 text, are held as Latin-1 decoded bytes (one
    character per byte); fsname() gives back the bytes the operating system
    needs, so a name with 8-bit characters opens the file GNU m4 would open.

SEE ALSO
    m4compat.errors, m4compat.source
"""

from __future__ import annotations

import os


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


def fsname(name: str) -> bytes:
    """The file name bytes of name, an m4 string (Latin-1 decoded bytes)."""
    return name.encode("latin-1")


def from_os(text: str) -> str:
    """A command-line argument or environment value (str as Python decoded it) as m4 text."""
    return os.fsencode(text).decode("latin-1")
