"""File and shell builtins: include, sinclude, syscmd, esyscmd, sysval, mkstemp, maketemp.

SYNOPSIS
    include(`file.m4')   sinclude(`maybe.m4')
    syscmd(`cmd')        esyscmd(`cmd')   sysval
    mkstemp(`/tmp/fooXXXXXX')

DESCRIPTION
    Mirrors GNU m4 1.4.19. include searches the name as given, then the -I
    directories and M4PATH (absolute names are not searched), and pushes the file
    on the input stack so it is read before the rest of the current expansion;
    sinclude is silent when the file is missing. A program using the Python API
    may give the expander an include_resolver (m4compat.expand's resolve_include):
    it is asked first for each include and sinclude name, the path it returns is
    read instead (and becomes __file__), and None lets the search run as usual.
    The m4compat command never sets one.

    syscmd runs the command with /bin/sh -c (as m4 does: the command is the m4
    program's own text), standard output flushed first so that the command's
    output lands in order; its output goes straight to standard output, not to
    the current diversion. esyscmd expands to the command's output. sysval is
    the exit status of the last command, or the signal number times 256 when it
    was killed. mkstemp creates a new file from a template whose last six X's
    (padded to six) are replaced, and expands to its quoted name; so does
    maketemp, except under -G, where it only puts the process id in place of the
    X's, as POSIX describes it.

DIAGNOSTICS
    "cannot open `FILE': REASON" (include; exit status 1),
    "NAME: cannot create tempfile `TEMPLATE': REASON" (mkstemp).

SEE ALSO
    m4compat.expander.find_include, GNU m4 manual "File Inclusion", "Shell commands"
"""

from __future__ import annotations

import errno
import os

from m4compat.builtins import Argv, builtin
from m4compat.location import fsname

TYPE_CHECKING = False  # typing itself costs ~10 ms to import
if TYPE_CHECKING:
    from m4compat.expander import Expander


def _include(ctx: Expander, argv: Argv, silent: bool) -> str:
    name = argv[1]
    resolver = ctx.include_resolver
    path = resolver(name) if resolver is not None else None
    if path is None:
        path = ctx.find_include(name)
    if path is None:
        if not silent:
            reason = os.strerror(errno.EISDIR if os.path.isdir(fsname(name)) else errno.ENOENT)
            ctx.failure(f"cannot open `{name}': {reason}")
        return ""
    try:
        with open(fsname(path), "rb") as handle:
            data = handle.read()
    except OSError as exc:
        if not silent:
            ctx.failure(f"cannot open `{name}': {exc.strerror}")
        return ""
    ctx.push_file(data.decode("latin-1"), path)
    return ""


@builtin("include", min_args=1, max_args=1, blind=True)
def m4_include(ctx: Expander, argv: Argv) -> str:
    return _include(ctx, argv, silent=False)


@builtin("sinclude", min_args=1, max_args=1, blind=True)
def m4_sinclude(ctx: Expander, argv: Argv) -> str:
    return _include(ctx, argv, silent=True)


def _run(ctx: Expander, command: str, capture: bool) -> str:
    """Run command with /bin/sh -c; return its output when capturing."""
    ctx.output.flush()
    ctx.debug_stream.flush()
    stdout_fd = None if capture else ctx.output.sink_fd()
    read_fd = write_fd = -1
    actions: list[tuple[int, int, int] | tuple[int, int]] = []
    if stdout_fd is None:
        read_fd, write_fd = os.pipe()
        actions = [(os.POSIX_SPAWN_DUP2, write_fd, 1), (os.POSIX_SPAWN_CLOSE, read_fd)]
    elif stdout_fd != 1:
        actions = [(os.POSIX_SPAWN_DUP2, stdout_fd, 1)]
    try:
        # posix_spawn rather than subprocess: same effect, and importing subprocess
        # would cost a noticeable share of a whole sendmail.cf compile.
        # The command is the input's bytes (read as Latin-1), not UTF-8 text.
        argv = [b"sh", b"-c", command.encode("latin-1")]
        pid = os.posix_spawn("/bin/sh", argv, os.environ, file_actions=actions)
    except OSError as exc:
        for fd in (read_fd, write_fd):
            if fd >= 0:
                os.close(fd)
        ctx.error(f"cannot run command `{command}': {exc.strerror}")
        ctx.sysval = 127
        return ""
    chunks: list[bytes] = []
    if read_fd >= 0:
        os.close(write_fd)
        while data := os.read(read_fd, 65536):
            chunks.append(data)
        os.close(read_fd)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        ctx.sysval = os.WTERMSIG(status) << 8
    else:
        ctx.sysval = os.WEXITSTATUS(status)
        if ctx.sysval == 127 and not capture:
            # GNU m4 reports the shell's "command not found" status this way.
            ctx.report_plain("syscmd subprocess failed")
    text = b"".join(chunks).decode("latin-1")
    if capture:
        return text
    if text:
        # No file descriptor behind our stdout (API use): the command's output still
        # goes to standard output, never into the current diversion.
        ctx.output.stdout_parts.append(text)
    return ""


@builtin("syscmd", min_args=1, max_args=1, blind=True)
def m4_syscmd(ctx: Expander, argv: Argv) -> str:
    return _run(ctx, argv[1], capture=False)


@builtin("esyscmd", min_args=1, max_args=1, blind=True, gnu_only=True)
def m4_esyscmd(ctx: Expander, argv: Argv) -> str:
    return _run(ctx, argv[1], capture=True)


@builtin("sysval")  # GNU does not check sysval's argument count
def m4_sysval(ctx: Expander, argv: Argv) -> str:
    return str(ctx.sysval)


_TEMP_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _mkstemp(ctx: Expander, argv: Argv) -> str:
    template = argv[1]
    # GNU pads the template to six trailing X's and glibc's mkstemp replaces the
    # last six: a longer run of X's keeps the ones before them.
    trailing = len(template) - len(template.rstrip("X"))
    stem = (template + "X" * max(0, 6 - trailing))[:-6]
    for _ in range(100):
        name = stem + "".join(_TEMP_CHARS[b % len(_TEMP_CHARS)] for b in os.urandom(6))
        try:
            fd = os.open(fsname(name), os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        except OSError as exc:
            ctx.error(f"{argv[0]}: cannot create tempfile `{template}': {exc.strerror}")
            return ""
        os.close(fd)
        return ctx.quote(name)
    ctx.error(f"{argv[0]}: cannot create tempfile `{template}': {os.strerror(errno.EEXIST)}")
    return ""


@builtin("mkstemp", min_args=1, max_args=1, blind=True)
def m4_mkstemp(ctx: Expander, argv: Argv) -> str:
    return _mkstemp(ctx, argv)


@builtin("maketemp", min_args=1, max_args=1, blind=True)
def m4_maketemp(ctx: Expander, argv: Argv) -> str:
    if ctx.options.traditional:
        return _maketemp_traditional(ctx, argv[1])
    return _mkstemp(ctx, argv)


def _maketemp_traditional(ctx: Expander, template: str) -> str:
    """maketemp under -G, as POSIX words it: trailing X's become the process id.

    No file is created and the result is not quoted. Like GNU, the first
    character is never replaced, a short run of X's takes the last digits of the
    pid and a long one is padded with zeros in front of it.
    """
    ctx.error("recommend using mkstemp instead")
    keep = len(template)
    while keep > 1 and template[keep - 1] == "X":
        keep -= 1
    count = len(template) - keep
    pid = str(os.getpid())
    if len(pid) > count:
        return template[:keep] + (pid[len(pid) - count :] if count else "")
    return template[:keep] + pid.rjust(count, "0")
