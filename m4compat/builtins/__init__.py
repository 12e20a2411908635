"""Registry of GNU m4 builtin macros.

SYNOPSIS
    @builtin("len", min_args=1, max_args=1, blind=True)
    def m4_len(ctx: Context, argv: Argv) -> str: ...
    spec = BUILTINS["len"]

DESCRIPTION
    Every builtin of GNU m4 1.4.19 is a plain function registered here by the
    @builtin decorator that sits next to it. The registry records what the
    expander needs to call it the way GNU m4 does:

    - blind: the name is only recognized as a macro call when it is directly
      followed by '(' (GNU "blind_if_no_args"), e.g. define, len, eval.
    - min_args / max_args: argument counts without the macro name, checked by the
      expander before the call (GNU bad_argc): too few prints "Warning: too few
      arguments to builtin `NAME'" and the call expands to nothing; too many prints
      "Warning: excess arguments to builtin `NAME' ignored" and the call goes on.
      max_args None means unlimited.
    - gnu_only: not defined under -G/--traditional (a GNU extension);
      traditional_only: defined only under -G (the `unix' macro).

    argv[0] is the name the macro was called by (it may differ from the builtin's
    own name after define(`foo', defn(`len'))); argv[1:] are the arguments as text.
    Builtins that need the defn() value of an argument (define, pushdef, builtin,
    indir) read it through the Context of the expander instead.

    The function returns the text to push back for rescanning (GNU pushes builtin
    output through the same obstack as user macros).

    The modules that define builtins are imported at the end of this file so that
    all registrations happen at import time; registering a name twice raises.

DIAGNOSTICS
    RuntimeError at import time for a duplicate registration (a programming error).

SEE ALSO
    m4compat.expander (the caller), GNU m4 manual "Builtin macros".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

Argv = Sequence[str]

TYPE_CHECKING = False  # typing itself costs ~10 ms to import
if TYPE_CHECKING:
    from typing import Protocol
else:  # typing costs ~10 ms to import; only type checkers need the Protocol
    Protocol = object


class Context(Protocol):
    """What a builtin may ask of the running expander (the subset text builtins need).

    Numeric arguments are parsed with m4compat.builtins.text.numeric_arg(ctx, ...),
    which reports through these two methods.
    """

    def warn(self, message: str) -> None:
        """Print "PROG:FILE:LINE: Warning: message"; the exit status becomes 1 under -E."""

    def warn_argc(self, message: str) -> None:
        """warn() for an argument-count problem: the only warnings -Q suppresses."""

    def error(self, message: str) -> None:
        """Print "PROG:FILE:LINE: message"; the exit status becomes 1 under -E."""

    def failure(self, message: str) -> None:
        """error() that always makes the exit status 1 (GNU: include, bad eval operator)."""


BuiltinFunc = Callable[..., str]


class BuiltinSpec:
    """How the expander calls one builtin (immutable after registration)."""

    __slots__ = ("blind", "func", "gnu_only", "max_args", "min_args", "name", "traditional_only")

    def __init__(
        self,
        name: str,
        func: BuiltinFunc,
        min_args: int,
        max_args: int | None,
        blind: bool,
        gnu_only: bool,
        traditional_only: bool = False,
    ) -> None:
        self.name = name
        self.func = func
        self.min_args = min_args
        self.max_args = max_args
        self.blind = blind
        self.gnu_only = gnu_only
        self.traditional_only = traditional_only

    def __repr__(self) -> str:
        return f"<builtin {self.name}>"


BUILTINS: dict[str, BuiltinSpec] = {}


def builtin(
    name: str,
    *,
    min_args: int = 0,
    max_args: int | None = None,
    blind: bool = False,
    gnu_only: bool = False,
    traditional_only: bool = False,
) -> Callable[[BuiltinFunc], BuiltinFunc]:
    """Register the decorated function as the builtin NAME."""

    def register(func: BuiltinFunc) -> BuiltinFunc:
        if name in BUILTINS:
            raise RuntimeError(f"builtin {name!r} registered twice")
        BUILTINS[name] = BuiltinSpec(
            name, func, min_args, max_args, blind, gnu_only, traditional_only
        )
        return func

    return register


# The modules that register builtins (an explicit list, no discovery magic).
from m4compat.builtins import control, core, evalexpr, files, text  # noqa: E402, F401
