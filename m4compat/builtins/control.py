"""Output, syntax and debugging builtins: divert, undivert, divnum, changequote, changecom,
m4wrap, m4exit, errprint, traceon, traceoff, dumpdef, debugmode, debugfile.

SYNOPSIS
    divert(1)text divert   undivert(1, `file')   changequote([, ])
    m4wrap(`at end')       m4exit(2)             traceon(`foo')

DESCRIPTION
    Mirrors GNU m4 1.4.19. changequote with no arguments restores ` and '; an
    empty left quote disables quoting and a missing or empty right quote with a
    non-empty left one means '. changecom with no arguments or an empty start
    disables comments; a missing or empty end means newline. undivert of an
    argument that is not a number includes that file unread (a GNU extension,
    searched on the include path). m4wrap text is saved with the location of the
    call and reread after the input ends, last saved first. dumpdef writes
    "name:<TAB>definition" lines to the debug stream, sorted by name.
    traceon/traceoff without arguments act on every defined name.

DIAGNOSTICS
    "cannot undivert `FILE': REASON", "undefined macro `NAME'" (dumpdef),
    "Debugmode: bad debug flags: `FLAGS'", "cannot set debug file `FILE': REASON",
    "exit status out of range: `N'": through the expander's error(). m4exit raises
    M4Exit.

SEE ALSO
    m4compat.output, m4compat.debug, GNU m4 manual "Diverting output", "Debugging"
"""

from __future__ import annotations

import errno
import os

from m4compat.builtins import Argv, builtin
from m4compat.builtins.text import numeric_arg
from m4compat.debug import Debug, parse_debug_flags
from m4compat.errors import M4Exit
from m4compat.location import fsname
from m4compat.scanner import DEFAULT_ECOMM, DEFAULT_LQUOTE, DEFAULT_RQUOTE

TYPE_CHECKING = False  # typing itself costs ~10 ms to import
if TYPE_CHECKING:
    from m4compat.expander import Expander


@builtin("divert", max_args=1)
def m4_divert(ctx: Expander, argv: Argv) -> str:
    number = 0
    if len(argv) > 1:
        parsed = numeric_arg(ctx, argv[0], argv[1])
        if parsed is None:
            return ""
        number = parsed
    ctx.output.divert(number)
    return ""


@builtin("undivert")
def m4_undivert(ctx: Expander, argv: Argv) -> str:
    output = ctx.output
    if len(argv) == 1:
        output.undivert_all()
        return ""
    for arg in argv[1:]:
        number = _strtol_whole(arg)
        if number is not None:
            output.undivert([number])
        elif ctx.options.traditional:
            ctx.error(f"non-numeric argument to builtin `{argv[0]}'")
        else:
            path = ctx.find_include(arg)
            if path is None:
                ctx.error(f"cannot undivert `{arg}': {os.strerror(_missing_errno(arg))}")
                continue
            try:
                with open(fsname(path), "rb") as handle:
                    data = handle.read().decode("latin-1")
            except OSError as exc:
                ctx.error(f"cannot undivert `{arg}': {exc.strerror}")
                continue
            output.write(data)
    return ""


def _strtol_whole(text: str) -> int | None:
    """C strtol(text, &end, 10) with *end == '\\0' and no leading space; else None."""
    if text[:1].isspace():
        return None
    body = text.lstrip()
    if not body:
        return 0
    sign = 1
    digits = body
    if body[0] in "+-":
        sign = -1 if body[0] == "-" else 1
        digits = body[1:]
    if not digits:
        return None
    if not digits.isascii() or not digits.isdigit():
        return None
    return sign * int(digits)


def _missing_errno(path: str) -> int:
    if os.path.isdir(fsname(path)):
        return errno.EISDIR
    return errno.ENOENT


@builtin("divnum", max_args=0)
def m4_divnum(ctx: Expander, argv: Argv) -> str:
    return str(ctx.output.number)


@builtin("changequote", max_args=2)
def m4_changequote(ctx: Expander, argv: Argv) -> str:
    # GNU set_quotes: no arguments restore the defaults; an empty left quote
    # disables quoting (the right quote is kept, __file__ and $@ still use it); a
    # missing right quote, or an empty one after a non-empty left one, is '.
    if len(argv) == 1:
        lquote, rquote = DEFAULT_LQUOTE, DEFAULT_RQUOTE
    else:
        lquote = argv[1]
        given = argv[2] if len(argv) > 2 else None
        rquote = DEFAULT_RQUOTE if given is None or (lquote and not given) else given
    ctx.scanner.set_quotes(lquote, rquote)
    return ""


@builtin("changecom", max_args=2)
def m4_changecom(ctx: Expander, argv: Argv) -> str:
    # GNU set_comment: no arguments disable comments; an empty start disables
    # them too (the end is kept); a missing end, or an empty one after a
    # non-empty start, is newline.
    if len(argv) == 1:
        bcomm = ecomm = ""
    else:
        bcomm = argv[1]
        given = argv[2] if len(argv) > 2 else None
        ecomm = DEFAULT_ECOMM if given is None or (bcomm and not given) else given
    ctx.scanner.set_comment(bcomm, ecomm)
    return ""


@builtin("m4wrap", min_args=1, blind=True)
def m4_m4wrap(ctx: Expander, argv: Argv) -> str:
    text = argv[1] if ctx.options.traditional else " ".join(argv[1:])
    ctx.wrapups.append((text, ctx.location()))
    return ""


@builtin("m4exit", max_args=1)
def m4_m4exit(ctx: Expander, argv: Argv) -> str:
    status = 0
    if len(argv) > 1:
        parsed = numeric_arg(ctx, argv[0], argv[1])
        if parsed is None:
            status = 1
        elif not 0 <= parsed <= 255:
            ctx.error(f"exit status out of range: `{parsed}'")
            status = 1
        else:
            status = parsed
    raise M4Exit(status)


@builtin("errprint", min_args=1, blind=True)
def m4_errprint(ctx: Expander, argv: Argv) -> str:
    ctx.output.flush()
    ctx.debug_stream.flush()
    ctx.stderr.write(" ".join(argv[1:]).encode("latin-1", "replace"))
    ctx.stderr.flush()
    return ""


@builtin("traceon")
def m4_traceon(ctx: Expander, argv: Argv) -> str:
    if len(argv) == 1:
        ctx.symtab.traced.update(ctx.symtab.defs)
    else:
        ctx.symtab.traced.update(argv[1:])
    return ""


@builtin("traceoff")
def m4_traceoff(ctx: Expander, argv: Argv) -> str:
    if len(argv) == 1:
        ctx.symtab.traced.clear()
    else:
        ctx.symtab.traced.difference_update(argv[1:])
    return ""


@builtin("dumpdef")
def m4_dumpdef(ctx: Expander, argv: Argv) -> str:
    # Undefined names are reported first, in argument order; then the sorted list.
    names = list(ctx.symtab.defs) if len(argv) == 1 else list(argv[1:])
    found = []
    for name in names:
        macro = ctx.lookup(name)
        if macro is None:
            ctx.error(f"undefined macro `{name}'")
        else:
            found.append((name, macro))
    quote = bool(ctx.tracer.flags & Debug.QUOTE)
    lines: list[str] = []
    for name, macro in sorted(found, key=lambda item: item[0]):
        if macro.builtin is not None:
            lines.append(f"{name}:\t<{macro.builtin.name}>\n")
        elif quote:
            lines.append(f"{name}:\t{ctx.quote(macro.text)}\n")
        else:
            lines.append(f"{name}:\t{macro.text}\n")
    _write_lines(ctx, lines)
    return ""


def _write_lines(ctx: Expander, lines: list[str]) -> None:
    if lines:
        ctx.debug_stream.write("".join(lines))


@builtin("debugmode", max_args=1, gnu_only=True)
def m4_debugmode(ctx: Expander, argv: Argv) -> str:
    if len(argv) == 1:
        ctx.tracer.flags = Debug.NONE
        return ""
    flags = parse_debug_flags(argv[1], ctx.tracer.flags)
    if flags is None:
        ctx.error(f"Debugmode: bad debug flags: `{argv[1]}'")
    else:
        ctx.tracer.flags = flags
        ctx.tracer.drop_pending()
    return ""


@builtin("debugfile", max_args=1, gnu_only=True)
def m4_debugfile(ctx: Expander, argv: Argv) -> str:
    if len(argv) == 1:
        ctx.debug_stream.set_file(None)
        return ""
    name = argv[1]
    if not ctx.debug_stream.set_file(name):
        reason = _open_error(name)
        ctx.error(f"cannot set debug file `{name}': {reason}")
    return ""


def _open_error(name: str) -> str:
    try:
        with open(fsname(name), "ab"):
            pass
    except OSError as exc:
        return exc.strerror or str(exc)
    return os.strerror(0)

