"""Unit tests of m4compat.output: diversions and sync lines."""

from __future__ import annotations

import io

from m4compat.output import Output


def test_diversions_come_out_in_order_at_the_end() -> None:
    sink = io.BytesIO()
    out = Output(sink)
    out.write("zero ")
    out.divert(2)
    out.write("two ")
    out.divert(-1)
    out.write("gone ")
    out.divert(1)
    out.write("one ")
    out.finish()
    assert sink.getvalue() == b"zero one two "


def test_undivert_moves_text_once_and_not_into_itself() -> None:
    out = Output(None)
    out.divert(1)
    out.write("a")
    out.undivert([1])  # into itself: ignored
    out.divert(0)
    out.undivert([1, 1, 0, -1])
    assert "".join(out.stdout_parts) == "a"
    assert out.diversion_text(1) == ""


def test_sync_lines() -> None:
    out = Output(None)
    out.ship("first\n", 1, "f.m4")
    out.ship("third\n", 3, "f.m4")
    out.sync_line = -1  # what the expander does when a file is pushed or closed
    out.ship("x\n", 1, "g.m4")
    # A changed file alone does not bring the name back (GNU tests the line count).
    out.ship("y\n", 5, "h.m4")
    assert "".join(out.stdout_parts) == (
        '#line 1 "f.m4"\nfirst\n#line 3\nthird\n#line 1 "g.m4"\nx\n#line 5\ny\n'
    )
