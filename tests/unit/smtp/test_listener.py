"""Tests for mta.smtp.listener: DaemonPortOptions values as Sendmail reads them."""

from __future__ import annotations

import pytest

from mta.smtp.listener import Listener, listeners, parse_listener


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Port=2525, Addr=127.0.0.1, Name=MTA",
         Listener("MTA", "127.0.0.1", 2525)),
        ("Port=submission, Name=MSA, M=Ea", Listener("MSA", "0.0.0.0", 587, modifiers="Ea")),
        ("Family=inet6, Port=25", Listener("Daemon0", "::", 25, family="inet6")),
        ("name=x,port=26,addr=10.1.2.3,listen=5", Listener("x", "10.1.2.3", 26, backlog=5)),
    ],
)
def test_parse_listener(text: str, expected: Listener) -> None:
    assert parse_listener(text, 0) == expected


def test_listeners_one_a_line_and_the_default() -> None:
    assert [x.name for x in listeners("Port=25,Name=MTA\nPort=587,Name=MSA")] == ["MTA", "MSA"]
    assert listeners("") == [Listener("Daemon0", "0.0.0.0", 25)]
    with pytest.raises(ValueError):
        parse_listener("Port=nosuchservice", 0)
