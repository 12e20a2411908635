"""The macro symbol table with pushdef stacks.

SYNOPSIS
    table = SymbolTable()
    table.define("foo", Macro("foo", "text"))
    table.pushdef("foo", Macro("foo", "other")); table.popdef("foo")
    macro = table.defs.get("foo")

DESCRIPTION
    Each name has a stack of definitions; only the top one is visible. `defs` maps
    a name to its top definition so the expander's hot loop needs one dict lookup
    per word. define replaces the top definition, pushdef pushes a new one,
    popdef removes the top one and undefine removes them all, as in GNU m4.

    Trace marks (traceon, -t) belong to names, not definitions: GNU m4 keeps them
    across undefine and redefinition.

DIAGNOSTICS
    None; callers report undefined names.

SEE ALSO
    m4compat.builtins.core (define, pushdef, ...), m4compat.expander
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing itself costs ~10 ms to import
if TYPE_CHECKING:
    from m4compat.builtins import BuiltinSpec


class Macro:
    """One definition: user text, or a builtin."""

    __slots__ = ("builtin", "name", "text")

    def __init__(self, name: str, text: str = "", builtin: BuiltinSpec | None = None) -> None:
        self.name = name
        self.text = text
        self.builtin = builtin

    def __repr__(self) -> str:
        what = f"<{self.builtin.name}>" if self.builtin else repr(self.text)
        return f"Macro({self.name!r}, {what})"


class SymbolTable:
    """Definitions by name; the visible one is in `defs`, older pushdefs below it."""

    __slots__ = ("_below", "defs", "traced")

    def __init__(self) -> None:
        self.defs: dict[str, Macro] = {}
        self._below: dict[str, list[Macro]] = {}
        self.traced: set[str] = set()

    def define(self, name: str, macro: Macro) -> None:
        self.defs[name] = macro

    def pushdef(self, name: str, macro: Macro) -> None:
        old = self.defs.get(name)
        if old is not None:
            self._below.setdefault(name, []).append(old)
        self.defs[name] = macro

    def popdef(self, name: str) -> None:
        below = self._below.get(name)
        if below:
            self.defs[name] = below.pop()
            if not below:
                del self._below[name]
        else:
            self.defs.pop(name, None)

    def undefine(self, name: str) -> None:
        self.defs.pop(name, None)
        self._below.pop(name, None)

    def stack(self, name: str) -> list[Macro]:
        """All definitions of name, oldest first (for frozen files)."""
        top = self.defs.get(name)
        if top is None:
            return []
        return [*self._below.get(name, []), top]
