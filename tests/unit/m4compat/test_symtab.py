"""Unit tests of m4compat.symtab: definition stacks and trace marks."""

from __future__ import annotations

from m4compat.symtab import Macro, SymbolTable


def texts(table: SymbolTable, name: str) -> list[str]:
    return [m.text for m in table.stack(name)]


def test_define_replaces_only_the_top() -> None:
    table = SymbolTable()
    table.pushdef("m", Macro("m", "1"))
    table.pushdef("m", Macro("m", "2"))
    table.define("m", Macro("m", "3"))
    assert texts(table, "m") == ["1", "3"]


def test_popdef_uncovers_and_undefine_clears() -> None:
    table = SymbolTable()
    for value in "123":
        table.pushdef("m", Macro("m", value))
    table.popdef("m")
    assert table.defs["m"].text == "2"
    table.undefine("m")
    assert "m" not in table.defs
    assert table.stack("m") == []
    table.popdef("m")  # popdef of an undefined name is silent
    table.pushdef("m", Macro("m", "new"))
    assert texts(table, "m") == ["new"]


def test_trace_marks_belong_to_names() -> None:
    table = SymbolTable()
    table.traced.add("m")
    table.define("m", Macro("m", "x"))
    table.undefine("m")
    assert "m" in table.traced
