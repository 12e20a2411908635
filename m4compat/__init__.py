"""GNU m4 1.4.19-compatible macro processor.

SYNOPSIS
    from m4compat import expand
    text = expand("define(`x', `1')x\\n")                  # -> "1\\n"
    cf = expand(open("sendmail.mc").read(), include_path=["/usr/share/sendmail/cf"])
    text = expand(mc, resolve_include=lambda name: mine.get(name), fail_on_error=True)

DESCRIPTION
    expand() runs the macro processor over one input text, as if it were a file
    named on the command line, and returns what GNU m4 would write to standard
    output (m4wrap text and diversions included). Like GNU m4 it works on bytes:
    the text is encoded as UTF-8 (len counts bytes) and the output decoded back,
    with surrogateescape for bytes that are not UTF-8 (so are -D names and values
    and the file name; include_path holds file system paths). Warnings and errors go to the
    given stderr stream (default: sys.stderr). The `m4compat` command
    (m4compat.cli) is the full drop-in for the m4 program.

    Two keywords serve programs that build on m4 (mta compile) and have no
    command-line counterpart: resolve_include is asked first for the file name
    of every include and sinclude, and the path it returns is read instead
    (it is then __file__ and the name in messages); None from it lets the usual
    search run. fail_on_error turns the exit status GNU m4 would end with into
    an exception: errors that do not stop m4 (a failed include, an error under
    -E) leave it nonzero, and m4 still writes all its output.

DIAGNOSTICS
    M4Error (M4Fatal, M4Exit) when processing stops early; the partial output is
    on the exception's `output` attribute. With fail_on_error, M4Exit(status)
    also when the run ends with a nonzero exit status (and for m4exit(0) after
    such an error), output attached likewise.

SEE ALSO
    m4compat.cli, m4compat.expander
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Mapping, Sequence

from m4compat.errors import M4Error, M4Exit, M4Fatal
from m4compat.expander import Expander, Options, run_callable
from m4compat.location import from_os
from m4compat.symtab import Macro

TYPE_CHECKING = False  # typing itself costs ~10 ms to import
if TYPE_CHECKING:
    from typing import BinaryIO

__all__ = ["M4Error", "M4Exit", "M4Fatal", "expand"]


def expand(
    text: str,
    *,
    name: str = "stdin",
    defines: Mapping[str, str] | None = None,
    include_path: Sequence[str] = (),
    prefix_builtins: bool = False,
    traditional: bool = False,
    nesting_limit: int = 0,
    stderr: BinaryIO | None = None,
    resolve_include: Callable[[str], str | None] | None = None,
    fail_on_error: bool = False,
) -> str:
    """Expand text and return the output.

    Args:
        text: the m4 input.
        name: the file name reported by __file__ and in messages.
        defines: -D definitions applied before the input.
        include_path: -I directories.
        prefix_builtins, traditional, nesting_limit: -P, -G, -L.
        stderr: where diagnostics go (bytes); default sys.stderr.buffer.
        resolve_include: called with the name given to include/sinclude (a file
            system path string); returns the path to read instead, or None to
            search as usual.
        fail_on_error: raise M4Exit when the exit status would be nonzero.

    Raises:
        M4Fatal, M4Exit: processing stopped; `.output` holds the output so far.
        M4Exit: (fail_on_error) the run had errors; `.output` holds all output.
    """
    options = Options(
        program="m4compat",
        prefix_builtins=prefix_builtins,
        traditional=traditional,
        nesting_limit=nesting_limit,
        include_path=[from_os(directory) for directory in include_path],
    )
    err = stderr if stderr is not None else sys.stderr.buffer
    sink = io.BytesIO()
    expander = Expander(options, stdout=sink, stderr=err)
    for key, value in (defines or {}).items():
        key = _encode(key)
        expander.symtab.define(key, Macro(key, _encode(value)))
    if resolve_include is not None:
        expander.include_resolver = _m4_resolver(resolve_include)

    source = _encode(text)

    def run() -> None:
        expander.process_file(source, _encode(name))
        expander.finish()

    try:
        run_callable(run)
    except M4Error as exc:
        if isinstance(exc, M4Fatal):
            expander.report_fatal(exc)
        expander.output.flush()
        output = _decode(sink.getvalue())
        if fail_on_error and isinstance(exc, M4Exit) and not exc.status and expander.exit_status:
            failed = M4Exit(expander.exit_status)
            failed.output = output  # type: ignore[attr-defined]
            raise failed from exc
        exc.output = output  # type: ignore[attr-defined]
        raise
    finally:
        expander.close()
    expander.output.flush()
    output = _decode(sink.getvalue())
    if fail_on_error and expander.exit_status:
        failed = M4Exit(expander.exit_status)
        failed.output = output  # type: ignore[attr-defined]
        raise failed
    return output


def _m4_resolver(resolve: Callable[[str], str | None]) -> Callable[[str], str | None]:
    """Wrap a resolver of file system paths as one of m4 text (Latin-1 decoded bytes)."""

    def resolver(name: str) -> str | None:
        path = resolve(os.fsdecode(name.encode("latin-1")))
        return None if path is None else from_os(path)

    return resolver


def _encode(text: str) -> str:
    """Python text as m4 text: its UTF-8 bytes, one Latin-1 character each."""
    return text.encode("utf-8", "surrogateescape").decode("latin-1")


def _decode(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")
