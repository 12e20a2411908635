"""Debug flags, trace lines and debug messages (-d, -t, traceon, debugmode, debugfile).

SYNOPSIS
    flags = parse_debug_flags("aeq", current=0)       # None when invalid
    tracer.trace_pre(name, call_id, level, args, location)

DESCRIPTION
    Mirrors GNU m4's debug.c. The flags are a bit set (a c e f i l p q t x, V for all
    of them); "+flags" adds to and "-flags" removes from the current set, an empty
    string means the default "aeq". Trace lines look like

        m4trace:FILE:LINE: -LEVEL- id N: name(`arg1', `arg2') -> `expansion'

    where FILE: and LINE: appear with the f and l flags (and only when there is a
    current line), "id N: " with x, the arguments with a, the expansion with e,
    quotes with q, and with c the call is shown in three lines (before argument
    collection "name ...", after it "name(args) -> ???", after the call
    "name(...) -> `expansion'"). Arguments and expansions of -l/--arglength
    characters or more are cut to that length followed by "...".

    Debug messages ("m4debug:FILE:LINE: input exhausted", path searches) use the
    same location rule. All of this goes to the debug stream: standard error, a
    file named by --debugfile/debugfile, or nowhere.

DIAGNOSTICS
    parse_debug_flags returns None for an unknown flag letter; callers report it.

SEE ALSO
    m4compat.expander (calls the tracer), m4compat.builtins.control
"""

from __future__ import annotations

import enum
import os

from m4compat.location import Location, fsname

TYPE_CHECKING = False  # typing itself costs ~10 ms to import
if TYPE_CHECKING:
    from typing import BinaryIO


class Debug(enum.IntFlag):
    NONE = 0
    ARGS = 1 << 0  # a
    EXPANSION = 1 << 1  # e
    QUOTE = 1 << 2  # q
    ALL = 1 << 3  # t
    LINE = 1 << 4  # l
    FILE = 1 << 5  # f
    PATH = 1 << 6  # p
    CALL = 1 << 7  # c
    INPUT = 1 << 8  # i
    CALLID = 1 << 9  # x


_LETTERS = {
    "a": Debug.ARGS,
    "e": Debug.EXPANSION,
    "q": Debug.QUOTE,
    "t": Debug.ALL,
    "l": Debug.LINE,
    "f": Debug.FILE,
    "p": Debug.PATH,
    "c": Debug.CALL,
    "i": Debug.INPUT,
    "x": Debug.CALLID,
}
VERBOSE = Debug(sum(_LETTERS.values()))
DEFAULT = Debug.ARGS | Debug.EXPANSION | Debug.QUOTE


def parse_debug_flags(text: str, current: Debug) -> Debug | None:
    """Apply a GNU flag string to current; None when a letter is unknown."""
    mode = ""
    if text[:1] in ("+", "-"):
        mode, text = text[0], text[1:]
    if not text:
        # No letters means the default set, also after + or - (GNU).
        text = "aeq"
    flags = Debug.NONE
    for letter in text:
        if letter == "V":
            flags |= VERBOSE
        elif letter in _LETTERS:
            flags |= _LETTERS[letter]
        else:
            return None
    if mode == "+":
        return current | flags
    if mode == "-":
        return current & ~flags
    return flags


class DebugStream:
    """Where trace and debug output goes: stderr, a file, or nowhere.

    Like GNU's debug_set_file, a debug stream that is the same file as standard
    output (`2>&1`, --debugfile=/dev/stdout) is written through standard output's
    buffer instead, so that both appear in the order they were produced.
    """

    def __init__(self, stderr: BinaryIO) -> None:
        self.stderr = stderr
        self.stream: BinaryIO | None = stderr
        self._file: BinaryIO | None = None
        self._stdout_parts: list[str] | None = None
        self._stdout_fd: int | None = None
        self.to_stdout = False
        # The first failure to write or close a debug file ("error writing to
        # debug stream"); the command reports it at exit.
        self.error: OSError | None = None

    def attach_stdout(self, parts: list[str], fd: int | None) -> None:
        """Standard output's pending text and file descriptor, for the same-file check."""
        self._stdout_parts = parts
        self._stdout_fd = fd
        self._check_same_file()

    def _check_same_file(self) -> None:
        self.to_stdout = False
        if self.stream is None or self._stdout_fd is None:
            return
        try:
            out = os.fstat(self._stdout_fd)
            dbg = os.fstat(self.stream.fileno())
        except (OSError, ValueError, AttributeError):
            return
        if out.st_ino == dbg.st_ino and out.st_dev == dbg.st_dev and out.st_ino != 0:
            self.to_stdout = True

    def write(self, text: str) -> None:
        if self.to_stdout:
            assert self._stdout_parts is not None
            self._stdout_parts.append(text)
        elif self.stream is not None:
            try:
                self.stream.write(text.encode("latin-1", "replace"))
                if self.stream is self.stderr:
                    self.stream.flush()
            except OSError as exc:
                self.error = self.error or exc

    def set_file(self, name: str | None) -> bool:
        """None: back to stderr; "": discard; else append to the named file."""
        if name is None:
            new: BinaryIO | None = self.stderr
            handle = None
        elif name == "":
            new = handle = None
        else:
            try:
                handle = open(fsname(name), "ab")
            except OSError:
                return False
            new = handle
        if self._file is not None:
            try:
                self._file.close()
            except OSError as exc:
                self.error = self.error or exc
        self._file = handle
        self.stream = new
        self._check_same_file()
        return True

    def flush(self) -> None:
        if self.stream is not None and not self.to_stdout:
            try:
                self.stream.flush()
            except OSError as exc:
                self.error = self.error or exc


class Tracer:
    """Formats trace lines and debug messages for the current flags."""

    def __init__(self, stream: DebugStream) -> None:
        self.stream = stream
        self._flags = Debug.NONE
        # Plain bool for the per-call check (IntFlag operations are slow).
        self.trace_all = False
        self.arg_length = 0  # 0: unlimited
        self.lquote = "`"
        self.rquote = "'"

    @property
    def flags(self) -> Debug:
        return self._flags

    @flags.setter
    def flags(self, value: Debug) -> None:
        self._flags = value
        self.trace_all = bool(value & Debug.ALL)

    def _header(self, location: Location, level: int, call_id: int) -> str:
        flags = self.flags
        parts = ["m4trace:"]
        if location.line:
            if flags & Debug.FILE:
                parts.append(f"{location.file}:")
            if flags & Debug.LINE:
                parts.append(f"{location.line}:")
        parts.append(f" -{level}- ")
        if flags & Debug.CALLID:
            parts.append(f"id {call_id}: ")
        return "".join(parts)

    def _quote(self, text: str) -> str:
        # GNU marks a value of exactly the limit's length as cut, too.
        if self.arg_length and len(text) >= self.arg_length:
            text = text[: self.arg_length] + "..."
        if self.flags & Debug.QUOTE:
            return f"{self.lquote}{text}{self.rquote}"
        return text

    def trace_prepre(self, name: str, call_id: int, level: int, location: Location) -> None:
        self.stream.write(f"{self._header(location, level, call_id)}{name} ...\n")

    def trace_pre(
        self,
        name: str,
        call_id: int,
        level: int,
        args: list[str | None],
        location: Location,
        builtin_names: list[str | None],
    ) -> None:
        """args[i] is None where the argument is a builtin; builtin_names gives its name."""
        line = [self._header(location, level, call_id), name]
        if args and self.flags & Debug.ARGS:
            shown = [
                f"<{builtin_names[i]}>" if arg is None else self._quote(arg)
                for i, arg in enumerate(args)
            ]
            line.append("(" + ", ".join(shown) + ")")
        if self.flags & Debug.CALL:
            line.append(" -> ???\n")
            self.stream.write("".join(line))
            self._pending = ""
            return
        self._pending = "".join(line)

    def trace_post(
        self,
        name: str,
        call_id: int,
        level: int,
        nargs: int,
        expansion: str | None,
        location: Location,
    ) -> None:
        if self.flags & Debug.CALL:
            line = self._header(location, level, call_id) + name + ("(...)" if nargs else "")
        else:
            line = self._pending
        if expansion is not None and self.flags & Debug.EXPANSION:
            line += " -> " + self._quote(expansion)
        self.stream.write(line + "\n")
        self._pending = ""

    def drop_pending(self) -> None:
        """Forget the unfinished trace line (GNU loses it when debugmode changes flags)."""
        self._pending = ""

    def message(self, text: str, location: Location) -> None:
        """A "m4debug:" line."""
        prefix = "m4debug:"
        if location.line:
            if self.flags & Debug.FILE:
                prefix += f"{location.file}:"
            if self.flags & Debug.LINE:
                prefix += f"{location.line}:"
        self.stream.write(f"{prefix} {text}\n")

    _pending = ""
