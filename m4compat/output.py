"""Output and diversions.

SYNOPSIS
    out = Output(sink)
    out.divert(2); out.write("text"); out.undivert([2]); out.finish()

DESCRIPTION
    Mirrors GNU m4's output.c: diversion 0 is standard output, negative diversions
    discard text, and positive ones are kept in memory until undiverted or until
    the end, when they are appended to standard output in numeric order. `current`
    is the list text goes to (None while discarding), so the expander appends to it
    directly on its fast path.

    With -s (synclines) the expander ships text through ship(), which emits
    `#line N "FILE"` lines the way GNU m4 does: a sync line is considered only at
    the start of an output line, and the file name is added when the line count
    was invalidated (invalidate_sync(): a file pushed or closed, a diversion
    switched or inserted), as GNU's output_current_line < 1 test does.

    Standard output is written in large chunks; flush() is called before anything
    else may write to the same file descriptor (syscmd, esyscmd, m4exit).

DIAGNOSTICS
    OSError from the sink propagates (the command reports it).

SEE ALSO
    m4compat.builtins.control (divert, undivert, divnum)
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing itself costs ~10 ms to import
if TYPE_CHECKING:
    from typing import BinaryIO

# Standard output is written once this many pieces of text are waiting.
_FLUSH_PARTS = 8192


class Output:
    """Diversion 0 goes to the sink; others are buffered lists of text."""

    def __init__(self, sink: BinaryIO | None) -> None:
        self.sink = sink
        self.stdout_parts: list[str] = []
        self.diversions: dict[int, list[str]] = {}
        self.number = 0
        self.current: list[str] | None = self.stdout_parts
        # Sync line state (GNU output_current_line, start_of_output_line); -1 is
        # "invalidated", as GNU's push_file leaves it before the first token.
        self.sync_line = -1
        self.at_line_start = True
        # The first error writing standard output: output after it is dropped and
        # the run goes on, as with GNU's stdio; the command reports it at exit.
        self.write_error: OSError | None = None

    def divert(self, number: int) -> None:
        if number == self.number:
            return  # diverting to the current diversion changes nothing, not even sync
        self.number = number
        if number == 0:
            self.current = self.stdout_parts
        elif number < 0:
            self.current = None
        else:
            self.current = self.diversions.setdefault(number, [])
        # GNU forces a sync line, with the file name, after switching diversions.
        self.sync_line = -1

    def write(self, text: str) -> None:
        current = self.current
        if current is not None:
            current.append(text)
            if len(current) > _FLUSH_PARTS and current is self.stdout_parts:
                self.flush()

    def ship(self, text: str, line: int, file: str) -> None:
        """Write a token's text with sync lines (-s); line/file are the token's start."""
        current = self.current
        if current is None:
            return
        # Even an empty token (`') gets its sync line, as in GNU.
        if self.at_line_start:
            self.at_line_start = False
            self.sync_line += 1
            if self.sync_line != line:
                head = f"#line {line}"
                # GNU names the file only after the line count was invalidated
                # (a file pushed or closed, a diversion switched), not whenever
                # the file changes: a count that newlines inside a token brought
                # back to 1 or more gives the bare form.
                if self.sync_line < 1 and file:
                    head += f' "{file}"'
                current.append(head + "\n")
                self.sync_line = line
        newlines = text.count("\n")
        if newlines:
            # Each newline but a final one starts a line that is counted at once.
            self.sync_line += newlines - (1 if text.endswith("\n") else 0)
            self.at_line_start = text.endswith("\n")
        current.append(text)

    def undivert(self, numbers: list[int]) -> None:
        """Append the named diversions to the current one and empty them."""
        for number in numbers:
            if number == self.number or number <= 0:
                continue
            parts = self.diversions.pop(number, None)
            text = "".join(parts) if parts else ""
            # GNU drops a diversion left empty from its table, so undiverting it
            # does nothing at all, not even invalidate the sync line count.
            if text:
                self.insert(text)

    def insert(self, text: str) -> None:
        """Insert an undiverted diversion's text at the current position.

        GNU then forces a sync line with the file name, since the inserted text
        came from elsewhere (not so for undivert of a file).
        """
        self.write(text)
        self.sync_line = -1

    def undivert_all(self) -> None:
        self.undivert(sorted(self.diversions))

    def diversion_text(self, number: int) -> str:
        return "".join(self.diversions.get(number, ()))

    def sink_fd(self) -> int | None:
        """The file descriptor behind standard output, if there is one."""
        if self.sink is None:
            return None
        try:
            return self.sink.fileno()
        except (AttributeError, OSError, ValueError):
            return None

    def flush(self) -> None:
        if self.stdout_parts and self.sink is not None:
            data = "".join(self.stdout_parts).encode("latin-1")
            self.stdout_parts.clear()
            if self.write_error is None:
                try:
                    self.sink.write(data)
                    self.sink.flush()
                except OSError as exc:
                    self.write_error = exc

    def finish(self) -> None:
        """End of input: undivert everything to standard output and flush."""
        self.divert(0)
        self.undivert_all()
        self.flush()
