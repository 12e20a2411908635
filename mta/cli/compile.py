"""mta compile: turn a sendmail.mc into a sendmail.cf with m4compat and our cf library.

SYNOPSIS
    mta compile [-D name[=value]]... [-I dir]... FILE.mc [-o FILE.cf]
    main(["-D", "MTA_PORT=2525", "-o", "sendmail.cf", "sendmail.mc"]) -> exit status
    text = compile_mc("sendmail.mc", defines={"MTA_PORT": "2525"})

DESCRIPTION
    Runs m4compat in this process over one .mc, with our sendmail-cf-compatible
    macro library (m4compat/cf, package data of m4compat) standing in for the
    real sendmail-cf, always, even where the real one is installed:

    - include/sinclude of a file under a well-known sendmail-cf root,
      /usr/share/sendmail/cf/ (Debian) or /usr/share/sendmail-cf/ (RHEL), reads
      the same relative path in our library (so the usual first line
      include(`/usr/share/sendmail/cf/m4/cf.m4') gets our m4/cf.m4);
    - a relative name ending in m4/cf.m4 (`../m4/cf.m4' as the .mc files of a
      cf/cf directory have it, `m4/cf.m4' found through -I) gets our m4/cf.m4.

    Every other name is searched as GNU m4 searches it: as given (relative to
    the current directory), then the -I directories in order, then M4PATH.
    -D name=value (or -D name, an empty definition) is defined before the file
    is read, as m4 -D does; a later -D of the same name wins. FILE.mc may be
    "-" for standard input.

    m4's own messages, "m4compat:FILE:LINE: text", are printed as
    "FILE:LINE: text" (and "mta compile: text" without a location); our
    library prints "FILE:LINE: message" itself. The .cf is written only when
    the run was clean: to standard output, or with -o through
    mta.util.fsio.atomic_write_bytes, so a reader never sees half a file. Warnings
    (m4's "Warning:" and the library's "warning:") are printed and do not fail.

    No click here: the command's start-up time counts against GNU m4 running
    the real sendmail-cf (bench/cf_bench.py), and importing click costs more
    than GNU m4 takes for the whole job; mta.cli.main dispatches here directly.

DIAGNOSTICS
    Exit status (sysexits): 0 on success; 1 when m4 reported an error (a fatal
    one, an error message such as "cannot open", an m4exit with a nonzero
    status, the library's own errors, which end in m4exit(1), or a recursion
    too deep, GNU m4's "stack overflow"): nothing is written to standard
    output and an existing -o file is left untouched; EX_USAGE (64) for bad
    arguments; EX_NOINPUT (66) when FILE.mc cannot be read; EX_CANTCREAT (73)
    when the -o file cannot be written; EX_IOERR (74) when standard output fails.
    compile_mc raises CompileError (errors already reported) and OSError (the
    input cannot be read).

SEE ALSO
    m4compat.expand (resolve_include, fail_on_error), m4compat/cf/CONVENTIONS.md,
    mta.cli.main, etc-mail/Makefile, bench/cf_bench.py, m4(1).
"""

from __future__ import annotations

import getopt
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence

import m4compat
from mta.util.sysexits import EX_CANTCREAT, EX_IOERR, EX_NOINPUT, EX_OK, EX_USAGE

TYPE_CHECKING = False  # typing itself costs start-up time
if TYPE_CHECKING:
    from typing import BinaryIO

PROGRAM = "mta compile"
USAGE = "Usage: mta compile [-D name[=value]]... [-I dir]... FILE.mc [-o FILE.cf]\n"
HELP = (
    USAGE
    + """\
Compile a sendmail .mc file into a .cf with m4 and the mta sendmail-cf library.

  -D, --define=NAME[=VALUE]  define NAME as VALUE (or empty) before reading FILE.mc
  -I, --include=DIR          search DIR for included files after the current directory
  -o, --output=FILE          write the .cf to FILE (atomically; only on success)
  -h, --help                 print this help and exit

Includes of /usr/share/sendmail/cf/..., /usr/share/sendmail-cf/... and of a
relative .../m4/cf.m4 read the mta library instead of the real sendmail-cf.
Exit status: 0 ok, 1 m4 or .mc errors, 64 usage, 66 no input, 73 cannot write.
"""
)

LIBRARY_DIR = os.path.join(os.path.dirname(os.path.abspath(m4compat.__file__)), "cf")
"""Our sendmail-cf-compatible macro library (m4compat/cf), the default library."""

SYSTEM_CF_ROOTS = ("/usr/share/sendmail/cf/", "/usr/share/sendmail-cf/")
"""Where the real sendmail-cf lives (Debian, RHEL); includes under them are ours."""

CF_M4 = "m4/cf.m4"
_M4_PREFIX = b"m4compat:"
_WARNING_RE = re.compile(rb"(?:.*:[0-9]+:)? Warning: ")  # after "m4compat:"


class CompileError(Exception):
    """The .mc did not compile; the messages have been written already.

    Attributes:
        status: the exit status m4 ended with (1 when it ended cleanly but
            printed an error).
    """

    def __init__(self, status: int) -> None:
        super().__init__(f"m4 reported errors (status {status})")
        self.status = status


def library_resolver(library: str = LIBRARY_DIR) -> Callable[[str], str | None]:
    """The include hook that puts library in place of the real sendmail-cf.

    Args:
        library: the directory of the macro library (it holds m4/cf.m4).

    Returns:
        A function of an include name returning the library path to read, or
        None to let m4 search for the name as usual.
    """
    cf_m4 = os.path.join(library, CF_M4)

    def resolve(name: str) -> str | None:
        if name.startswith("/"):
            path = "/" + os.path.normpath(name).lstrip("/")
            for root in SYSTEM_CF_ROOTS:
                if path.startswith(root):
                    return os.path.join(library, path[len(root) :])
            return None
        if name == CF_M4 or name.endswith("/" + CF_M4):
            return cf_m4
        return None

    return resolve


class _Messages:
    """m4's diagnostics stream: drops the "m4compat:" prefix, notes errors.

    Written by the expander in bytes, possibly a part of a line at a time;
    complete lines go on to out at once, so they interleave with anything
    else the process prints.
    """

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.errors = 0
        self._partial = b""

    def write(self, data: bytes) -> int:
        lines = (self._partial + data).split(b"\n")
        self._partial = lines.pop()
        for line in lines:
            self.out.write(self._rewrite(line) + b"\n")
        return len(data)

    def _rewrite(self, line: bytes) -> bytes:
        if not line.startswith(_M4_PREFIX):
            return line  # the library's errprint, traces
        rest = line[len(_M4_PREFIX) :]
        if not _WARNING_RE.match(rest):
            self.errors += 1
        if rest.startswith(b" "):
            return PROGRAM.encode() + b":" + rest
        return rest

    def flush(self) -> None:
        self.out.flush()

    def close(self) -> None:
        """Pass on a last line that had no newline."""
        if self._partial:
            self.out.write(self._rewrite(self._partial) + b"\n")
            self._partial = b""
        self.out.flush()


def _search_path(include_path: Sequence[str]) -> list[str]:
    """-I directories, then M4PATH's (an empty entry is "."), as GNU m4 orders them."""
    m4path = os.environ.get("M4PATH")
    if not m4path:
        return list(include_path)
    return [*include_path, *(d or "." for d in m4path.split(":"))]


def compile_mc(
    path: str,
    *,
    defines: Mapping[str, str] | None = None,
    include_path: Sequence[str] = (),
    library: str = LIBRARY_DIR,
    stderr: BinaryIO | None = None,
) -> str:
    """Compile the .mc at path and return the .cf text.

    Args:
        path: the .mc file ("-" for standard input); also the name in messages.
        defines: -D definitions, made before the file is read.
        include_path: -I directories, searched after the current directory.
        library: the macro library put in place of the real sendmail-cf.
        stderr: where messages go (bytes); default standard error.

    Returns:
        The .cf text (str; bytes that are not UTF-8 are surrogate escapes).

    Raises:
        OSError: the .mc cannot be read.
        CompileError: m4 or the library reported an error.
    """
    if path == "-":
        data, name = sys.stdin.buffer.read(), "stdin"
    else:
        with open(path, "rb") as handle:
            data, name = handle.read(), path
    messages = _Messages(stderr if stderr is not None else sys.stderr.buffer)
    sink: BinaryIO = messages  # type: ignore[assignment]  # write/flush is all m4 uses
    try:
        text = m4compat.expand(
            data.decode("utf-8", "surrogateescape"),
            name=name,
            defines=defines,
            include_path=_search_path(include_path),
            stderr=sink,
            resolve_include=library_resolver(library),
            fail_on_error=True,
        )
    except m4compat.M4Error as exc:
        status = getattr(exc, "status", 1)
        messages.close()
        raise CompileError(status or 1) from None
    except RecursionError:  # what GNU m4 reports as "m4: stack overflow"
        messages.close()
        message = f"{PROGRAM}: {name}: stack overflow (endless macro recursion)\n"
        messages.out.write(message.encode("utf-8", "surrogateescape"))
        raise CompileError(1) from None
    messages.close()
    if messages.errors:
        raise CompileError(1)
    return text


def _parse_define(value: str) -> tuple[str, str]:
    name, _, text = value.partition("=")
    return name, text


def main(argv: Sequence[str] | None = None, *, library: str = LIBRARY_DIR) -> int:
    """Run `mta compile` with argv (the words after "compile"); return the exit status.

    Args:
        argv: the arguments; default sys.argv[1:].
        library: the macro library (tests give a fixture library here).
    """
    args = list(sys.argv[1:] if argv is None else argv)
    err = sys.stderr
    try:
        opts, operands = getopt.gnu_getopt(
            args, "D:I:o:h", ["define=", "include=", "output=", "help"]
        )
    except getopt.GetoptError as exc:
        err.write(f"{PROGRAM}: {exc.msg}\n{USAGE}")
        return EX_USAGE
    defines: dict[str, str] = {}
    include_path: list[str] = []
    output: str | None = None
    for flag, value in opts:
        if flag in ("-h", "--help"):
            sys.stdout.write(HELP)
            return EX_OK
        if flag in ("-D", "--define"):
            name, text = _parse_define(value)
            if not name:
                err.write(f"{PROGRAM}: -D needs a macro name: {value!r}\n{USAGE}")
                return EX_USAGE
            defines[name] = text
        elif flag in ("-I", "--include"):
            include_path.append(value)
        elif output is not None:
            err.write(f"{PROGRAM}: more than one -o\n{USAGE}")
            return EX_USAGE
        elif not value:
            err.write(f"{PROGRAM}: -o needs a file name\n{USAGE}")
            return EX_USAGE
        else:
            output = value
    if len(operands) != 1:
        what = "no .mc file given" if not operands else "more than one .mc file given"
        err.write(f"{PROGRAM}: {what}\n{USAGE}")
        return EX_USAGE
    source = operands[0]
    try:
        text = compile_mc(source, defines=defines, include_path=include_path, library=library)
    except CompileError:
        err.write(f"{PROGRAM}: {source}: not compiled (errors above)\n")
        return 1
    except OSError as exc:
        err.write(f"{PROGRAM}: cannot open {source}: {exc.strerror}\n")
        return EX_NOINPUT
    data = text.encode("utf-8", "surrogateescape")
    if output is None:
        try:
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        except OSError as exc:
            err.write(f"{PROGRAM}: write error: {exc.strerror}\n")
            return EX_IOERR
        return EX_OK
    from mta.util.fsio import atomic_write_bytes  # only -o needs tempfile and friends

    try:
        with atomic_write_bytes(output) as handle:
            handle.write(data)
    except OSError as exc:
        err.write(f"{PROGRAM}: cannot write {output}: {exc.strerror}\n")
        return EX_CANTCREAT
    return EX_OK


if __name__ == "__main__":
    sys.exit(main())
