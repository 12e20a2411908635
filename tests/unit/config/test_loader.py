"""mta.config.loader: messages for bad lines, as Sendmail 8.17 prints them."""

from __future__ import annotations

import pytest

from mta.config.loader import load_cf


@pytest.mark.parametrize(
    ("first_line", "message"),
    [
        ("Vabc", 'v.cf: line 1: invalid argument to V line: "abc"'),
        ("V", 'v.cf: line 1: invalid argument to V line: ""'),
        # a $x is Sendmail's byte 0201 and the name; the message loses the 8th bit
        ("V$j10", 'v.cf: line 1: invalid argument to V line: "\x01j10"'),
        ("VERSIONID($Id: generic-linux.mc,v 8.2)",
         'v.cf: line 1: invalid argument to V line: "ERSIONID(\x01Id: generi"'),
    ],
)
def test_a_bad_version_line(first_line: str, message: str) -> None:
    config = load_cf("v.cf", text=first_line + "\nMlocal, P=/bin/true, F=l, A=local $u\n")
    assert config.warnings[0] == message
    assert config.version_level == 0
