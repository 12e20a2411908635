"""The input stack: files and pushed-back text, read as one stream.

SYNOPSIS
    stack = InputStack()
    stack.push_file(text, "sendmail.mc")
    stack.push_string(expansion)
    stack.location()            # Location of the file being read

DESCRIPTION
    GNU m4 reads from a stack of input blocks: files (the command-line inputs and
    included files), strings pushed back by macro expansion for rescanning, and
    builtin tokens pushed back by defn. Tokens may span block boundaries: a word
    begun at the end of an expansion goes on in the text below it, and so do quoted
    strings and comments. The scanner therefore works on the top block with regular
    expressions and asks this module to continue across blocks when a match runs
    into a block's end.

    Files are read whole and decoded as Latin-1 so that every byte maps to one
    character and comes out unchanged (GNU m4 is 8-bit clean and its word syntax is
    the ASCII one of the C locale).

    Line numbers follow GNU m4: the line counter of a file advances when the
    character after a newline is read, not when the newline is read, and text
    pushed back by expansion reports the file and line where it was pushed (the
    macro call's). Lines are counted lazily (only when a location is asked for).

DIAGNOSTICS
    None raised here; end of input is reported as an empty stack.

SEE ALSO
    m4compat.scanner (token reading), m4compat.expander
"""

from __future__ import annotations

import enum

from m4compat.location import NOWHERE, Location

TYPE_CHECKING = False  # typing itself costs ~10 ms to import
if TYPE_CHECKING:
    from m4compat.builtins import BuiltinSpec


class BlockKind(enum.Enum):
    FILE = enum.auto()
    STRING = enum.auto()
    MACDEF = enum.auto()  # a builtin token pushed back by defn


# A location that is cheap to take and resolved only when a message, trace or
# __line__ needs it: a resolved Location, or (file block, position) meaning "the
# line of that file once the character before position has been read".
if TYPE_CHECKING:
    from typing import TypeAlias

    LocRef: TypeAlias = "Location | tuple[Block, int]"


class Block:
    """One input block; pos only grows."""

    __slots__ = ("_line_count", "_line_pos", "kind", "loc", "macdef", "name", "pos", "text")

    def __init__(
        self,
        kind: BlockKind,
        text: str,
        name: str = "",
        macdef: BuiltinSpec | None = None,
        loc: LocRef | None = None,
    ) -> None:
        self.kind = kind
        self.text = text
        self.pos = 0
        self.name = name
        self.macdef = macdef
        # Pushed-back text reports the location it was pushed at (GNU keeps file
        # and line in every input block): a macro's expansion reports its call.
        self.loc = loc
        self._line_pos = 0
        self._line_count = 0

    def line_at(self, pos: int) -> int:
        """The GNU current line of this file block once text[:pos] has been read."""
        if pos >= self._line_pos:
            self._line_count += self.text.count("\n", self._line_pos, pos)
            self._line_pos = pos
            count = self._line_count
        else:
            count = self.text.count("\n", 0, pos)
        if pos and self.text[pos - 1] == "\n":
            count -= 1  # the newline was read, the next character not yet
        return count + 1

    def line(self) -> int:
        """The GNU current line of this file block at its read position."""
        return self.line_at(self.pos)


def resolve(ref: LocRef) -> Location:
    """The Location a LocRef stands for."""
    if ref.__class__ is tuple:
        block, pos = ref
        return Location(block.name, block.line_at(pos))
    return ref  # type: ignore[return-value]


class InputStack:
    """The stack of input blocks; the last element is read first."""

    __slots__ = ("blocks", "exhausted_file")

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        # Name and last line of the most recent file that ran out, for messages at
        # the very end of input (GNU keeps reporting the last file).
        self.exhausted_file: Location | None = None

    def push_file(self, text: str, name: str) -> Block:
        block = Block(BlockKind.FILE, text, name)
        self.blocks.append(block)
        return block

    def push_string(self, text: str, location: LocRef) -> None:
        if text:
            self.blocks.append(Block(BlockKind.STRING, text, loc=location))

    def push_macdef(self, spec: BuiltinSpec) -> None:
        self.blocks.append(Block(BlockKind.MACDEF, "", macdef=spec))

    def here(self) -> LocRef:
        """A reference to the location GNU m4 would report now (see LocRef)."""
        # here_in() inlined: this runs for every macro call.
        for block in reversed(self.blocks):
            if block.kind is BlockKind.FILE:
                return (block, block.pos)
            if block.loc is not None:
                return block.loc
        if self.exhausted_file is not None:
            return self.exhausted_file
        return NOWHERE

    @staticmethod
    def here_in(blocks: list[Block], exhausted_file: Location | None) -> LocRef:
        """here() for a stack of blocks (the top last) over exhausted_file."""
        for block in reversed(blocks):
            if block.kind is BlockKind.FILE:
                return (block, block.pos)
            if block.loc is not None:
                return block.loc
        if exhausted_file is not None:
            return exhausted_file
        return NOWHERE

    def token_start(self) -> LocRef:
        """Where the token starting at the top block's position is reported.

        GNU takes a token's line after reading its first character.
        """
        if self.blocks:
            block = self.blocks[-1]
            if block.kind is BlockKind.FILE:
                return (block, block.pos + 1)
        return self.here()

    def location(self) -> Location:
        """File and line GNU m4 would report now."""
        return resolve(self.here())

    def current_file_block(self) -> Block | None:
        for block in reversed(self.blocks):
            if block.kind is BlockKind.FILE:
                return block
        return None
