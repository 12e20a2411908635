"""The `m4compat` command: a drop-in for GNU m4 1.4.19's command line.

SYNOPSIS
    m4compat [OPTION]... [FILE]...
    main(["-I", "/usr/share/sendmail/cf", "sendmail.mc"]) -> exit status

DESCRIPTION
    Parses options the way GNU getopt_long does for m4 (options and files in any
    order, "--" ends options, long options may be abbreviated to a unique prefix,
    optional arguments of -d and --debug only when attached) and prints GNU m4's
    own messages for bad usage. As in m4 1.4.19, -D, -U, -s, -t, --debugfile and
    the input files take effect in command-line order; all other options apply to
    the whole run. With no file, or with "-", standard input is read.

    The option parser is written here rather than with click: GNU m4's interface
    needs in-order processing of options mixed with files, short options with
    optional attached arguments (-d, -dV) and getopt's exact diagnostics, none of
    which click offers; importing click would also cost ~25 ms per run of a
    command that GNU m4 finishes in ~15 ms.

DIAGNOSTICS
    Exit status 0 on success, 1 after errors (or warnings under -E), 63 for a
    frozen file of a newer version, or the m4exit status.

SEE ALSO
    m4compat.expander, m4compat.frozen, GNU m4 manual "Invoking m4"
"""

from __future__ import annotations

import errno
import io
import os
import signal
import sys
from collections.abc import Callable, Sequence

from m4compat.debug import parse_debug_flags
from m4compat.errors import M4Exit, M4Fatal, format_message
from m4compat.expander import Expander, Options, run_callable
from m4compat.location import Location, from_os, fsname
from m4compat.symtab import Macro

TYPE_CHECKING = False  # typing itself costs ~10 ms to import
if TYPE_CHECKING:
    from typing import Any, BinaryIO, TextIO

VERSION_TEXT = """\
m4 (GNU M4) 1.4.19
Copyright (C) 2021 Free Software Foundation, Inc.
License GPLv3+: GNU GPL version 3 or later <https://gnu.org/licenses/gpl.html>.
This is free software: you are free to change and redistribute it.
There is NO WARRANTY, to the extent permitted by law.

Written by Rene' Seindal.
"""

HELP_TEXT = """\
Usage: {prog} [OPTION]... [FILE]...
Process macros in FILEs.  If no FILE or if FILE is `-', standard input
is read.

Mandatory or optional arguments to long options are mandatory or optional
for short options too.

Operation modes:
      --help                   display this help and exit
      --version                output version information and exit
  -E, --fatal-warnings         once: warnings become errors, twice: stop
                                 execution at first error
  -i, --interactive            unbuffer output, ignore interrupts
  -P, --prefix-builtins        force a `m4_' prefix to all builtins
  -Q, --quiet, --silent        suppress some warnings for builtins
      --warn-macro-sequence[=REGEXP]
                               warn if macro definition matches REGEXP,
                                 default \\$\\({[^}]*}\\|[0-9][0-9]+\\)

Preprocessor features:
  -D, --define=NAME[=VALUE]    define NAME as having VALUE, or empty
  -I, --include=DIRECTORY      append DIRECTORY to include path
  -s, --synclines              generate `#line NUM "FILE"' lines
  -U, --undefine=NAME          undefine NAME

Limits control:
  -g, --gnu                    override -G to re-enable GNU extensions
  -G, --traditional            suppress all GNU extensions
  -H, --hashsize=PRIME         set symbol lookup hash table size [509]
  -L, --nesting-limit=NUMBER   change nesting limit, 0 for unlimited [0]

Frozen state files:
  -F, --freeze-state=FILE      produce a frozen state on FILE at end
  -R, --reload-state=FILE      reload a frozen state from FILE at start

Debugging:
  -d, --debug[=FLAGS]          set debug level (no FLAGS implies `aeq')
      --debugfile[=FILE]       redirect debug and trace output to FILE
                                 (default stderr, discard if empty string)
  -l, --arglength=NUM          restrict macro tracing size
  -t, --trace=NAME             trace NAME when it is defined

FLAGS is any of:
  a   show actual arguments
  c   show before collect, after collect and after call
  e   show expansion
  f   say current input file name
  i   show changes in input files
  l   say current input line number
  p   show results of path searches
  q   quote values as necessary, with a or e flag
  t   trace for all macro calls, not only traceon'ed
  x   add a unique macro call id, useful with c flag
  V   shorthand for all of the above flags

If defined, the environment variable `M4PATH' is a colon-separated list
of directories included after any specified by `-I'.

Exit status is 0 for success, 1 for failure, 63 for frozen file version
mismatch, or whatever value was passed to the m4exit macro.

Report bugs to: bug-m4@gnu.org
GNU M4 home page: <https://www.gnu.org/software/m4/>
General help using GNU software: <https://www.gnu.org/gethelp/>
"""

DEFAULT_MACRO_SEQUENCE = r"\$\({[^}]*}\|[0-9][0-9]+\)"

# Short options: letter -> argument mode (0 none, 1 required, 2 optional attached).
_SHORT = {
    "B": 1, "D": 1, "E": 0, "F": 1, "G": 0, "H": 1, "I": 1, "L": 1, "N": 1, "P": 0,
    "Q": 0, "R": 1, "S": 1, "T": 1, "U": 1, "d": 2, "e": 0, "g": 0, "i": 0, "l": 1,
    "o": 1, "s": 0, "t": 1,
}  # fmt: skip

# Long options in GNU m4's table order (getopt lists ambiguities in this order).
_LONG: list[tuple[str, int, str]] = [
    ("arglength", 1, "l"),
    ("debug", 2, "d"),
    ("define", 1, "D"),
    ("debugfile", 2, "debugfile"),
    ("diversions", 1, "N"),
    ("error-output", 1, "o"),
    ("fatal-warnings", 0, "E"),
    ("freeze-state", 1, "F"),
    ("gnu", 0, "g"),
    ("hashsize", 1, "H"),
    ("help", 0, "help"),
    ("include", 1, "I"),
    ("interactive", 0, "i"),
    ("nesting-limit", 1, "L"),
    ("prefix-builtins", 0, "P"),
    ("quiet", 0, "Q"),
    ("reload-state", 1, "R"),
    ("silent", 0, "Q"),
    ("synclines", 0, "s"),
    ("trace", 1, "t"),
    ("traditional", 0, "G"),
    ("undefine", 1, "U"),
    ("version", 0, "version"),
    ("warn-macro-sequence", 2, "warn-macro-sequence"),
]


class UsageError(Exception):
    """Bad command line: the message is getopt's, without the program name."""


class Action:
    """An option or file that takes effect in command-line order."""

    __slots__ = ("kind", "value")

    def __init__(self, kind: str, value: str | None) -> None:
        self.kind = kind  # "D", "U", "s", "t", "debugfile", "file"
        self.value = value


def _parse(argv: Sequence[str]) -> tuple[list[tuple[str, str | None]], list[Action]]:
    """Split argv into global options and in-order actions, getopt_long style."""
    options: list[tuple[str, str | None]] = []
    ordered: list[Action] = []
    i = 0
    only_files = False
    args = list(argv)
    while i < len(args):
        arg = args[i]
        i += 1
        if only_files or arg == "-" or not arg.startswith("-"):
            ordered.append(Action("file", arg))
            continue
        if arg == "--":
            only_files = True
            continue
        if arg.startswith("--"):
            body = arg[2:]
            name, eq, value = body.partition("=")
            matches = [opt for opt in _LONG if opt[0].startswith(name)]
            exact = [opt for opt in matches if opt[0] == name]
            if exact:
                matches = exact
            elif len({opt[2] for opt in matches}) == 1 and matches:
                matches = matches[:1]
            if not matches:
                raise UsageError(f"unrecognized option '{arg}'")
            if len(matches) > 1:
                names = " ".join(f"'--{opt[0]}'" for opt in matches)
                raise UsageError(f"option '{arg}' is ambiguous; possibilities: {names}")
            full, mode, key = matches[0]
            if mode == 0 and eq:
                raise UsageError(f"option '--{full}' doesn't allow an argument")
            opt_value: str | None = value if eq else None
            if mode == 1 and not eq:
                if i >= len(args):
                    raise UsageError(f"option '--{full}' requires an argument")
                opt_value = args[i]
                i += 1
            _route(key, opt_value, options, ordered)
            continue
        # A cluster of short options.
        j = 1
        while j < len(arg):
            letter = arg[j]
            j += 1
            short_mode = _SHORT.get(letter)
            if short_mode is None:
                raise UsageError(f"invalid option -- '{letter}'")
            mode = short_mode
            opt_value = None
            if mode == 1:
                if j < len(arg):
                    opt_value = arg[j:]
                elif i < len(args):
                    opt_value = args[i]
                    i += 1
                else:
                    raise UsageError(f"option requires an argument -- '{letter}'")
                j = len(arg)
            elif mode == 2:
                opt_value = arg[j:] if j < len(arg) else None
                j = len(arg)
            _route(letter, opt_value, options, ordered)
    return options, ordered


def _route(
    key: str,
    value: str | None,
    options: list[tuple[str, str | None]],
    ordered: list[Action],
) -> None:
    if key in ("D", "U", "s", "t", "debugfile"):
        ordered.append(Action(key, value))
    else:
        options.append((key, value))


_LONG_MIN, _LONG_MAX = -(1 << 63), (1 << 63) - 1
# GNU's -H table of bucket pointers cannot be allocated beyond this (the user
# address space of x86-64 Linux; glibc itself refuses anything above PTRDIFF_MAX).
_MAX_ALLOCATION = 1 << 47
_POINTER_SIZE = 8


def _strtol(text: str) -> int:
    """C strtol(text, NULL, 10) on LP64: whitespace, sign, digits; saturates at LONG_MIN/MAX."""
    body = text.lstrip(" \t\n\v\f\r")
    sign = 1
    if body[:1] in ("+", "-"):
        sign = -1 if body[0] == "-" else 1
        body = body[1:]
    digits = ""
    for ch in body:
        if not ("0" <= ch <= "9"):
            break
        digits += ch
    value = sign * int(digits) if digits else 0
    return min(max(value, _LONG_MIN), _LONG_MAX)


def _atoi(text: str) -> int:
    """C atoi, that is (int) strtol(text, NULL, 10): the long wraps to 32 bits."""
    return (_strtol(text) + (1 << 31)) % (1 << 32) - (1 << 31)


def main(
    argv: Sequence[str] | None = None,
    program: str | None = None,
    stdin: BinaryIO | None = None,
    stdout: BinaryIO | None = None,
    stderr: BinaryIO | None = None,
) -> int:
    """Run m4compat with argv (without the program name); return the exit status."""
    if argv is None:
        argv = sys.argv[1:]
        # Die quietly on a closed pipe (`m4compat big.m4 | head`), as GNU m4 does.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    if program is None:
        program = _program_name(from_os(sys.argv[0]) if sys.argv else "m4compat")
    # m4 text is bytes held as Latin-1 characters: arguments (file names, -D
    # values) are turned back into the bytes they were given as.
    argv = [from_os(arg) for arg in argv]
    # A standard stream closed by the caller (`m4 <&-') is None in sys: reading or
    # writing it then fails with EBADF, as it does for GNU m4.
    stdin = stdin if stdin is not None else _std_stream(sys.stdin)
    stdout = stdout if stdout is not None else _std_stream(sys.stdout)
    stderr_guard = _StderrGuard(stderr if stderr is not None else _std_stream(sys.stderr))
    errout: BinaryIO = stderr_guard  # type: ignore[assignment]

    def say(message: str) -> None:
        errout.write((message + "\n").encode("latin-1", "replace"))
        errout.flush()

    try:
        options_list, ordered = _parse(argv)
    except UsageError as exc:
        say(f"{program}: {exc}")
        say(f"Try `{program} --help' for more information.")
        return 1

    options = Options(program=program)
    freeze_to: str | None = None
    reload_from: str | None = None
    macro_sequence: str | None = None
    include_path: list[str] = []
    hash_too_big = False
    for key, value in options_list:
        if key == "help":
            return _print_and_exit(stdout, HELP_TEXT.replace("{prog}", program), say, program)
        if key == "version":
            text = VERSION_TEXT
            if _utf8_locale():
                # gnulib's proper_name_utf8: the accented name where the locale can show it.
                text = text.replace("Rene'", "Ren\u00e9")
            return _print_and_exit(stdout, text, say, program, "utf-8")
        if key == "E":
            options.fatal_warnings += 1
        elif key == "P":
            options.prefix_builtins = True
        elif key == "Q":
            options.quiet = True
        elif key == "G":
            options.traditional = True
        elif key == "g":
            options.traditional = False
        elif key == "i":
            options.interactive = True
        elif key == "e":
            say(f"{program}: warning: `m4 -e' is deprecated, use `-i' instead")
            options.interactive = True
        elif key in ("B", "S", "T"):
            say(f"{program}: warning: `m4 -{key}' may be removed in a future release")
        elif key == "N":
            say(f"{program}: warning: `m4 {_n_spelling(argv)}' is deprecated")
        elif key == "H":
            # A dict needs no size (-F writes symbols in GNU's bucket order, though),
            # but GNU allocates size_t(strtol(arg)) bucket
            # pointers once the options are read: a negative or absurd size is
            # "memory exhausted" there. (Sizes that merely exceed the machine's
            # memory fail in GNU too; that depends on the machine and is not copied.)
            assert value is not None
            buckets = _strtol(value) % (1 << 64)
            hash_too_big = buckets * _POINTER_SIZE > _MAX_ALLOCATION
            options.hash_size = buckets or 65537  # 0: the default (not the 509 --help says)
        elif key == "I":
            assert value is not None
            include_path.append(value)
        elif key == "L":
            assert value is not None
            options.nesting_limit = max(_atoi(value), 0)  # GNU: <= 0 is unlimited
        elif key == "l":
            assert value is not None
            options.arg_length = max(_atoi(value), 0)  # GNU: <= 0 is unlimited
        elif key == "d":
            flags = parse_debug_flags(value or "", options.debug)
            if flags is None:
                say(f"{program}: bad debug flags: `{value}'")
            else:
                options.debug = flags
        elif key == "o":
            ordered.insert(0, Action("debugfile", value))
        elif key == "F":
            freeze_to = value
        elif key == "R":
            reload_from = value
        elif key == "warn-macro-sequence":
            macro_sequence = value if value else DEFAULT_MACRO_SEQUENCE
    if hash_too_big:
        say(f"{program}: memory exhausted")  # gnulib xalloc_die, before any input
        return 1
    m4path = from_os(os.environ.get("M4PATH", ""))
    if m4path:
        include_path += [d if d else "." for d in m4path.split(":")]
    options.include_path = include_path

    expander = Expander(options, stdout=stdout, stderr=errout, builtins=reload_from is None)
    if macro_sequence is not None:
        expander.set_macro_sequence(macro_sequence)
    status = 0

    stdin_state = _StdinState()

    def run() -> None:
        nonlocal status
        if reload_from is not None:
            from m4compat.frozen import reload_state

            reload_state(expander, reload_from)
        saw_file = False
        for action in ordered:
            if action.kind == "file":
                assert action.value is not None
                saw_file = True
                _process_input(expander, action.value, stdin, stdin_state)
            else:
                _apply(expander, action)
        if not saw_file:
            _process_input(expander, "-", stdin, stdin_state)
        expander.run_wrapups()
        if freeze_to is not None:
            from m4compat.frozen import freeze_state

            freeze_state(expander, freeze_to)
            expander.output.flush()
        else:
            expander.output.finish()

    try:
        run_callable(run)
    except M4Fatal as exc:
        expander.report_fatal(exc)
        status = exc.status
    except M4Exit as exc:
        status = exc.status
        if status == 0 and expander.exit_status:
            status = expander.exit_status
    except RecursionError:
        # GNU m4 dies from its stack-overflow handler without flushing its buffers.
        expander.output.stdout_parts.clear()
        say(f"{program}: stack overflow")
        status = 1
    else:
        status = expander.exit_status
    # GNU's close_stdin / close_stdout at exit: a failed read of standard input, a
    # failed write of standard output (reported once), of standard error (silently).
    if stdin_state.read_failed:
        say(format_message(program, None, "error closing file: Bad file descriptor"))
        status = 1
    error = expander.output.write_error
    try:
        expander.output.flush()
        expander.debug_stream.flush()
        stdout.flush()
    except OSError as exc:
        error = error or exc
    if isinstance(error, BrokenPipeError):
        status = status or 1
    elif error is not None:
        say(format_message(program, None, f"write error: {error.strerror}"))
        status = 1
    expander.close()
    if expander.debug_stream.error is not None:
        say(f"{program}: error writing to debug stream: {expander.debug_stream.error.strerror}")
        status = 1
    if stderr_guard.failed:
        status = 1
    return status


class _ClosedStream(io.RawIOBase):
    """A standard stream that was closed when the program started."""

    def readable(self) -> bool:
        return True

    def writable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))

    def write(self, data: Any) -> int:
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))

    def fileno(self) -> int:
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))


def _std_stream(stream: TextIO | None) -> BinaryIO:
    if stream is None:
        return _ClosedStream()  # type: ignore[return-value]
    return stream.buffer


class _StderrGuard:
    """Standard error as GNU's stdio treats it: a failed write is remembered, not fatal."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.failed = False

    def write(self, data: bytes) -> int:
        try:
            return self.raw.write(data)
        except OSError:
            self.failed = True
            return len(data)

    def flush(self) -> None:
        try:
            self.raw.flush()
        except OSError:
            self.failed = True

    def fileno(self) -> int:
        return self.raw.fileno()


def _print_and_exit(
    stdout: BinaryIO, text: str, say: Callable[[str], None], program: str, encoding: str = "latin-1"
) -> int:
    """--help and --version: exit status 0, or 1 with "write error" when stdout fails."""
    try:
        stdout.write(text.encode(encoding))
        stdout.flush()
    except OSError as exc:
        say(format_message(program, None, f"write error: {exc.strerror}"))
        return 1
    return 0


def _utf8_locale() -> bool:
    """Whether the environment's locale exists and uses UTF-8 (only --version asks)."""
    import locale

    try:
        locale.setlocale(locale.LC_CTYPE, "")
        return locale.nl_langinfo(locale.CODESET) == "UTF-8"
    except (locale.Error, AttributeError):
        return False
    finally:
        locale.setlocale(locale.LC_CTYPE, "C")


def _n_spelling(argv: Sequence[str]) -> str:
    for arg in argv:
        if arg.startswith("--di"):
            return "--diversions"
    return "-N"


def _apply(expander: Expander, action: Action) -> None:
    value = action.value
    if action.kind == "D":
        assert value is not None
        name, _, text = value.partition("=")
        expander.symtab.define(name, Macro(name, text))
    elif action.kind == "U":
        assert value is not None
        expander.symtab.undefine(value)
    elif action.kind == "s":
        expander.options.synclines = True
    elif action.kind == "t":
        assert value is not None
        expander.symtab.traced.add(value)
    elif action.kind == "debugfile":
        if value is None:
            expander.debug_stream.set_file(None)
        elif not expander.debug_stream.set_file(value):
            try:
                open(fsname(value), "ab").close()
                reason = "unknown error"
            except OSError as exc:
                reason = exc.strerror or str(exc)
            expander.error(f"cannot set debug file `{value}': {reason}")


class _StdinState:
    read_failed = False


def _process_input(expander: Expander, name: str, stdin: BinaryIO, state: _StdinState) -> None:
    if name == "-":
        try:
            data = stdin.read()
        except OSError:
            # GNU sees end of file, reports the error when it closes the input,
            # and once more at exit (close_stdin).
            state.read_failed = True
            expander.process_file("", "stdin")
            expander.failure_at(Location("stdin", 1), "read error")
            return
        expander.process_file(data.decode("latin-1"), "stdin")
        return
    # Input files are searched on the include path too (GNU m4_path_search).
    path = expander.find_include(name, top_level=True) or name
    try:
        with open(fsname(path), "rb") as handle:
            data = handle.read()
    except OSError as exc:
        # Not fatal even under -E -E: GNU goes on with the next input.
        expander.report_plain(f"cannot open `{name}': {exc.strerror}")
        expander.exit_status = 1
        return
    expander.process_file(data.decode("latin-1"), path)


def _program_name(argv0: str) -> str:
    base = os.path.basename(argv0)
    if base in ("__main__.py", "-c", ""):
        return "m4compat"
    if base.startswith("lt-"):
        base = base[3:]
    return base


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
