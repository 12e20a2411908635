"""Definition and flow builtins: define, undefine, defn, pushdef, popdef, indir, builtin, ifdef,
ifelse, shift, dnl, __file__, __line__, __program__.

SYNOPSIS
    define(`name', `expansion')   pushdef / popdef / undefine
    defn(`name')                  ifelse(a, b, then, ..., else)

DESCRIPTION
    Mirrors GNU m4 1.4.19 builtin.c for these macros. Arguments that are builtin
    tokens (from defn) are read from ctx.raw_argv: define(`foo', defn(`len'))
    makes foo the len builtin. defn of a user macro returns its text quoted with the
    current quotes; defn of a single builtin pushes the builtin token back, and a
    builtin among several names is dropped with "cannot concatenate builtin".
    ifelse with one argument expands to nothing (the GNU comment idiom); with
    2 arguments it warns about too few.

DIAGNOSTICS
    "undefined macro `NAME'" (indir), "undefined builtin `NAME'" (builtin),
    "Warning: end of file treated as newline" (dnl at end of input): all through
    the expander's error()/warn().

SEE ALSO
    m4compat.symtab, m4compat.expander, GNU m4 manual "Definitions", "Conditionals"
"""

from __future__ import annotations

from m4compat.builtins import BUILTINS, Argv, BuiltinSpec, builtin
from m4compat.symtab import Macro

TYPE_CHECKING = False  # typing itself costs ~10 ms to import
if TYPE_CHECKING:
    from m4compat.expander import Expander


def _define(ctx: Expander, argv: Argv, push: bool) -> str:
    raw = ctx.raw_argv
    name = raw[1]
    if not isinstance(name, str):
        ctx.warn(f"{argv[0]}: invalid macro name ignored")
        return ""
    if len(raw) < 3:
        macro = Macro(name, "")
    else:
        value = raw[2]
        if isinstance(value, BuiltinSpec):
            macro = Macro(name, builtin=value)
        else:
            macro = Macro(name, value)
            ctx.check_macro_sequence(name, value)
    if push:
        ctx.symtab.pushdef(name, macro)
    else:
        ctx.symtab.define(name, macro)
    return ""


@builtin("define", min_args=1, max_args=2, blind=True)
def m4_define(ctx: Expander, argv: Argv) -> str:
    return _define(ctx, argv, push=False)


@builtin("pushdef", min_args=1, max_args=2, blind=True)
def m4_pushdef(ctx: Expander, argv: Argv) -> str:
    return _define(ctx, argv, push=True)


@builtin("undefine", min_args=1, blind=True)
def m4_undefine(ctx: Expander, argv: Argv) -> str:
    for name in argv[1:]:
        ctx.symtab.undefine(name)
    return ""


@builtin("popdef", min_args=1, blind=True)
def m4_popdef(ctx: Expander, argv: Argv) -> str:
    for name in argv[1:]:
        ctx.symtab.popdef(name)
    return ""


@builtin("defn", min_args=1, blind=True)
def m4_defn(ctx: Expander, argv: Argv) -> str:
    parts: list[str] = []
    single = len(argv) == 2
    for name in argv[1:]:
        macro = ctx.lookup(name)
        if macro is None:
            continue
        if macro.builtin is None:
            parts.append(ctx.quote(macro.text))
        elif single:
            ctx.stack.push_macdef(macro.builtin)
        else:
            ctx.warn(f"cannot concatenate builtin `{name}'")
    return "".join(parts)


@builtin("indir", min_args=1, blind=True, gnu_only=True)
def m4_indir(ctx: Expander, argv: Argv) -> str:
    if not isinstance(ctx.raw_argv[1], str):
        ctx.warn(f"{argv[0]}: invalid macro name ignored")
        return ""
    name = argv[1]
    macro = ctx.lookup(name)
    if macro is None:
        ctx.error(f"undefined macro `{name}'")
        return ""
    return ctx.call_macro(macro, name, list(ctx.raw_argv[2:]))


@builtin("builtin", min_args=1, blind=True, gnu_only=True)
def m4_builtin(ctx: Expander, argv: Argv) -> str:
    name = ctx.raw_argv[1]
    if not isinstance(name, str):
        ctx.warn(f"{argv[0]}: invalid macro name ignored")
        return ""
    # Any builtin by name, GNU extensions too (reachable under -G via a frozen file).
    spec = BUILTINS.get(name)
    if spec is None:
        ctx.error(f"undefined builtin `{name}'")
        return ""
    return ctx.call_builtin(spec, name, list(ctx.raw_argv[2:]))


@builtin("ifdef", min_args=2, max_args=3, blind=True)
def m4_ifdef(ctx: Expander, argv: Argv) -> str:
    if ctx.lookup(argv[1]) is not None:
        return argv[2]
    return argv[3] if len(argv) > 3 else ""


@builtin("ifelse", blind=True)
def m4_ifelse(ctx: Expander, argv: Argv) -> str:
    args = argv[1:]
    remaining = len(args)
    if remaining == 1:
        return ""
    if remaining < 3:
        ctx.warn_argc(f"too few arguments to builtin `{argv[0]}'")
        return ""
    if remaining >= 5 and (remaining - 5) % 3 == 0:
        # The argument after a final else can never be used.
        ctx.warn_argc(f"excess arguments to builtin `{argv[0]}' ignored")
    i = 0
    while True:
        if args[i] == args[i + 1]:
            return args[i + 2]
        if remaining == 3:
            return ""
        if remaining in (4, 5):
            return args[i + 3]
        remaining -= 3
        i += 3


@builtin("shift", min_args=1, blind=True)
def m4_shift(ctx: Expander, argv: Argv) -> str:
    return ",".join(ctx.quote(arg) for arg in argv[2:])


@builtin("dnl", max_args=0)
def m4_dnl(ctx: Expander, argv: Argv) -> str:
    location = ctx.location()
    ctx.input_read = True
    if not ctx.scanner.skip_line():
        ctx.loc_override = location
        ctx.warn("end of file treated as newline")
    return ""


@builtin("__file__", max_args=0, gnu_only=True)
def m4___file__(ctx: Expander, argv: Argv) -> str:
    return ctx.quote(ctx.location().file)


@builtin("__line__", max_args=0, gnu_only=True)
def m4___line__(ctx: Expander, argv: Argv) -> str:
    return str(ctx.location().line)


@builtin("__program__", max_args=0, gnu_only=True)
def m4___program__(ctx: Expander, argv: Argv) -> str:
    return ctx.quote(ctx.program)
