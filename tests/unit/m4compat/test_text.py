"""Unit tests of m4compat.builtins.text: every expected value was observed from
GNU m4 1.4.19 (/usr/bin/m4, LC_ALL=C). The differential test at the end runs
/usr/bin/m4 live on the same kind of calls."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from m4compat.builtins import BUILTINS
from m4compat.builtins.text import numeric_arg


class FakeContext:
    """Records diagnostics the way the expander would print them."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def warn(self, message: str) -> None:
        self.messages.append("Warning: " + message)

    def warn_argc(self, message: str) -> None:
        self.warn(message)

    def error(self, message: str) -> None:
        self.messages.append(message)

    def failure(self, message: str) -> None:
        self.messages.append("FAILURE " + message)


def run(name: str, *args: str, ctx: FakeContext | None = None) -> tuple[str, list[str]]:
    ctx = ctx or FakeContext()
    return BUILTINS[name].func(ctx, [name, *args]), ctx.messages


# -- numeric_arg ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "messages"),
    [
        ("5", 5, []),
        ("0005", 5, []),
        ("-5", -5, []),
        ("+5", 5, []),
        ("-0", 0, []),
        ("", 0, ["empty string treated as 0 in builtin `incr'"]),
        (" 5", 5, ["leading whitespace ignored in builtin `incr'"]),
        ("\n5", 5, ["leading whitespace ignored in builtin `incr'"]),
        ("\v5", 5, ["leading whitespace ignored in builtin `incr'"]),
        ("5 ", None, ["non-numeric argument to builtin `incr'"]),
        (" ", None, ["non-numeric argument to builtin `incr'"]),
        ("x", None, ["non-numeric argument to builtin `incr'"]),
        ("-", None, ["non-numeric argument to builtin `incr'"]),
        ("+ 5", None, ["non-numeric argument to builtin `incr'"]),
        ("0x10", None, ["non-numeric argument to builtin `incr'"]),
        (" 5x", None, ["non-numeric argument to builtin `incr'"]),
        # strtol on a 64-bit long, then cast to a 32-bit int, silently.
        ("2147483648", -2147483648, []),
        ("9223372036854775807", -1, []),
        ("9223372036854775808", -1, ["numeric overflow detected in builtin `incr'"]),
        ("-99999999999999999999", 0, ["numeric overflow detected in builtin `incr'"]),
        # The messages form an if/else chain: whitespace hides the overflow.
        (" 99999999999999999999", -1, ["leading whitespace ignored in builtin `incr'"]),
        ("99999999999999999999x", None, ["non-numeric argument to builtin `incr'"]),
        ("1\x002", 1, []),
    ],
)
def test_numeric_arg(text: str, value: int | None, messages: list[str]) -> None:
    ctx = FakeContext()
    assert numeric_arg(ctx, "incr", text) == value
    assert ctx.messages == messages


# -- incr decr len index substr -----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "args", "expected", "messages"),
    [
        ("incr", ["41"], "42", []),
        ("incr", ["2147483647"], "-2147483648", []),
        ("decr", ["-2147483648"], "2147483647", []),
        ("incr", ["2147483648"], "-2147483647", []),
        ("decr", ["99999999999999999999"], "-2", ["numeric overflow detected in builtin `decr'"]),
        ("incr", ["x"], "", ["non-numeric argument to builtin `incr'"]),
        ("incr", [""], "1", ["empty string treated as 0 in builtin `incr'"]),
        ("incr", ["1", "2"], "2", []),  # the expander warns about the excess
        ("len", ["abc"], "3", []),
        ("len", [""], "0", []),
        ("len", ["a,b"], "3", []),
        ("len", ["a\x00b"], "1", []),  # builtins see C strings
        ("index", ["gnus, gnats, and armadillos", "nat"], "7", []),
        ("index", ["abc", ""], "0", []),
        ("index", ["", ""], "0", []),
        ("index", ["", "a"], "-1", []),
        ("index", ["a\x00b", "b"], "-1", []),
        ("index", ["abc"], "0", ["Warning: too few arguments to builtin `index'"]),
        ("substr", ["abcdef", "2"], "cdef", []),
        ("substr", ["abcdef", "2", "3"], "cde", []),
        ("substr", ["abcdef", "-2"], "", []),
        ("substr", ["abcdef", "-1", "3"], "", []),
        ("substr", ["abcdef", "2", "-1"], "", []),
        ("substr", ["abcdef", "10"], "", []),
        ("substr", ["abcdef", "6"], "", []),
        ("substr", ["abcdef", "1", "100"], "bcdef", []),
        ("substr", ["abcdef", "0", "0"], "", []),
        ("substr", ["abcdef", "1", "2147483640"], "bcdef", []),
        ("substr", ["abcdef"], "abcdef", ["Warning: too few arguments to builtin `substr'"]),
        ("substr", ["abcdef", ""], "abcdef", ["empty string treated as 0 in builtin `substr'"]),
        (
            "substr",
            ["abcdef", "", ""],
            "",
            ["empty string treated as 0 in builtin `substr'"] * 2,
        ),
        ("substr", ["abcdef", "x", "y"], "", ["non-numeric argument to builtin `substr'"]),
        ("substr", ["abcdef", "1", "y"], "", ["non-numeric argument to builtin `substr'"]),
        (
            "substr",
            ["abcdef", "99999999999999999999"],
            "",
            ["numeric overflow detected in builtin `substr'"],
        ),
    ],
)
def test_small_builtins(name: str, args: list[str], expected: str, messages: list[str]) -> None:
    assert run(name, *args) == (expected, messages)


def test_messages_use_the_called_name() -> None:
    ctx = FakeContext()
    assert BUILTINS["index"].func(ctx, ["foo", "abc"]) == "0"
    assert BUILTINS["incr"].func(ctx, ["bar", "x"]) == ""
    assert ctx.messages == [
        "Warning: too few arguments to builtin `foo'",
        "non-numeric argument to builtin `bar'",
    ]


# -- translit -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["GNUs not Unix", "A-Z"], "s not nix"),
        (["GNUs not Unix", "a-z", "A-Z"], "GNUS NOT UNIX"),
        (["GNUs not Unix", "A-Z", "z-a"], "tmfs not fnix"),
        (["+,-12345", "+--1-5", "<;>a-c-a"], "<;>abcba"),
        (["abcdef", "a-c", "x"], "xdef"),
        (["abcdef", "-a", "XY"], "Ybcdef"),
        (["a-b", "a-", "XY"], "XYb"),
        (["abcabc", "aa", "xy"], "xbcxbc"),
        (["abc", "c-a", "xyz"], "zyx"),
        (["abc", "", "xyz"], "abc"),
        (["abc", "abc", ""], ""),
        (["a\\b", "\\", "x"], "axb"),
        (["abc", "a-a", "z"], "zbc"),
        (["hello", "a-z", "A-"], ""),
        (["abcdef", "a-cd-f", "1-3-"], "123-"),
        (["xyz", "x-zx", "123Q"], "123"),
        (["0123456789", "0-9", "9-0"], "9876543210"),
        (["--", "--", "ab"], "aa"),
        (["a-c", "a-c-", "123-"], "1-3"),
    ],
)
def test_translit(args: list[str], expected: str) -> None:
    assert run("translit", *args) == (expected, [])


def test_translit_one_argument() -> None:
    assert run("translit", "abc") == ("abc", ["Warning: too few arguments to builtin `translit'"])


# -- regexp patsubst ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected", "messages"),
    [
        (["GNUs not Unix", "\\<[a-z]\\w+"], "5", []),
        (["GNUs not Unix", "\\<Q\\w*"], "-1", []),
        (["GNUs not Unix", "\\w\\(\\w+\\)$", "*** \\& *** \\1 ***"], "*** Unix *** nix ***", []),
        (["GNUs not Unix", "\\<Q\\w*", "*** \\& *** \\1 ***"], "", []),
        (["abc", "(b)"], "-1", []),
        (["a(b)c", "(b)"], "1", []),
        (["abc", "a\\|c", "[\\&]"], "[a]", []),
        (["aaa", "a\\{2\\}", "[\\&]"], "", []),  # no intervals: \{ is a brace
        (["a{2}", "a\\{2\\}"], "0", []),
        (["ab1", "[[:digit:]]", "[\\&]"], "", []),  # no classes either
        (["d]", "[[:digit:]]"], "0", []),
        (["abc", "", "x"], "x", []),
        (["abc", "$"], "3", []),
        (["abc", "b", "\\n\\t"], "nt", []),
        (["ab", "\\(a\\)\\|b", "[\\1]"], "[a]", []),
        (["b", "\\(a\\)\\|b", "[\\1]"], "[]", []),
        (["abc", "\\(b\\)", "\\2"], "", ["Warning: sub-expression 2 not present"]),
        (["abc", "b", "x\\"], "x", ["Warning: trailing \\ ignored in replacement"]),
        (
            ["abc", "b", "\\\\\\0\\9"],
            "\\b",
            [
                "Warning: \\0 will disappear, use \\& instead in replacements",
                "Warning: sub-expression 9 not present",
            ],
        ),
        (["abc", "\\("], "", ["bad regular expression: `\\(': Unmatched ( or \\("]),
        (["abc"], "0", ["Warning: too few arguments to builtin `regexp'"]),
        (["a\nb", "a.b"], "-1", []),
        (["a\nb", "^b"], "2", []),
    ],
)
def test_regexp(args: list[str], expected: str, messages: list[str]) -> None:
    assert run("regexp", *args) == (expected, messages)


def test_zero_warning_once_per_context() -> None:
    ctx = FakeContext()
    assert run("regexp", "ab", "b", "\\0\\0", ctx=ctx)[0] == "bb"
    assert run("patsubst", "ab", "b", "\\0", ctx=ctx)[0] == "ab"
    assert ctx.messages == ["Warning: \\0 will disappear, use \\& instead in replacements"]


@pytest.mark.parametrize(
    ("args", "expected", "messages"),
    [
        (["GNUs not Unix", "^", "OBS: "], "OBS: GNUs not Unix", []),
        (["GNUs not Unix", "\\<", "OBS: "], "OBS: GNUs OBS: not OBS: Unix", []),
        (["GNUs not Unix", "\\w*", "(\\&)"], "(GNUs)() (not)() (Unix)()", []),
        (["GNUs not Unix", "\\w+", "(\\&)"], "(GNUs) (not) (Unix)", []),
        (["GNUs not Unix", "[A-Z][a-z]+"], "GN not ", []),
        (["abc", "", "-"], "-a-b-c-", []),
        (["abc", "b*", "-"], "-a--c-", []),
        (["aaa", "a*", "-"], "--", []),
        (["abc", "\\'", "-"], "abc-", []),
        (["abc", "\\`", "-"], "-abc", []),
        (["abc", "\\b", "-"], "-abc-", []),
        (["ab cd", "\\B", "-"], "a-b c-d", []),
        (["", "\\B", "-"], "-", []),
        (["a.b.c", "\\.", "\\\\."], "a\\.b\\.c", []),
        (["abcabc", "b\\|ca", "<\\&>"], "a<b><ca><b>c", []),
        (["a\nb", "$", "<"], "a<\nb<", []),
        (["a\nb", ".*", "<\\&>"], "<a><>\n<b><>", []),
        (["abab", "\\(b\\)\\|z", "<\\1>"], "a<b>a<b>", []),
        (
            ["abab", "b", "\\2x\\"],
            "axax",
            [
                "Warning: sub-expression 2 not present",
                "Warning: trailing \\ ignored in replacement",
            ]
            * 2,
        ),
        (["abab", "z", "\\2"], "abab", []),
        (["abc", "\\("], "", ["bad regular expression `\\(': Unmatched ( or \\("]),
        (["abc"], "abc", ["Warning: too few arguments to builtin `patsubst'"]),
    ],
)
def test_patsubst(args: list[str], expected: str, messages: list[str]) -> None:
    assert run("patsubst", *args) == (expected, messages)


# -- format -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected", "messages"),
    [
        (["%d-%s", "5", "x"], "5-x", []),
        (["%5d|%-5d|%05d|%+d|% d", "42", "42", "42", "42", "42"], "   42|42   |00042|+42| 42", []),
        (
            ["%x %X %o %#x %#o %#X", "255", "255", "8", "255", "8", "255"],
            "ff FF 10 0xff 010 0XFF",
            [],
        ),
        (["%c%c", "65", "321"], "AA", []),
        (["a%cb|%3c|%-3c|", "0", "0", "0"], "ab|  ||", []),
        (["%s|%10s|%-10s|%.2s", "abc", "abc", "abc", "abc"], "abc|       abc|abc       |ab", []),
        (
            ["%f %e %g %E %G", "1.5", "1.5", "1.5", "1.5", "1.5"],
            "1.500000 1.500000e+00 1.5 1.500000E+00 1.5",
            [],
        ),
        (["%a|%.2a|%A", "3.5", "3.5", "0.1"], "0x1.cp+1|0x1.c0p+1|0X1.999999999999AP-4", []),
        (["%.0a|%.1a|%.1a", "1.5", "1.03125", "1.96875"], "0x2p+0|0x1.0p+0|0x2.0p+0", []),
        (
            ["%a|%012a|%#a", "1e-320", "1", "1"],
            "0x0.00000000007e8p-1022|0x0000001p+0|0x1.p+0",
            ["numeric overflow detected"],
        ),
        (
            ["%F %E %G|%05f|%-5f|", "inf", "nan", "-inf", "inf", "-nan"],
            "INF NAN -INF|  inf|-nan |",
            [],
        ),
        (["%.0d|%5.0d|%+.0d|%#.0x|%#.0o", "0", "0", "0", "0", "0"], "|     |+||0", []),
        (["%010.3d|%-010d|% +d", "5", "5", "5"], "       005|5         |+5", []),
        (
            ["%u|%x|%lx|%hd|%hhx", "-1", "-1", "-1", "65537", "-1"],
            "4294967295|ffffffff|ffffffffffffffff|1|ff",
            [],
        ),
        (["%*d|%-*d|%.*d|%*d", "5", "1", "5", "1", "3", "1", "-3", "1"], "    1|1    |001|1  ", []),
        (["%d %d|%s|", "1"], "1 0||", []),
        (["%%|%5%|%", "1"], "%||", ["Warning: unrecognized specifier in `%%|%5%|%'"] * 2),
        (["%y %d", "1"], " 1", ["Warning: unrecognized specifier in `%y %d'"]),
        (["%lld|%hhhd", "1", "2"], "d|d", ["Warning: unrecognized specifier in `%lld|%hhhd'"] * 2),
        (
            ["%#d|%+s|%'x|%.2c|%hf", "1"],
            "||||",
            ["Warning: unrecognized specifier in `%#d|%+s|%'x|%.2c|%hf'"] * 5,
        ),
        (["%'d|%'.2f", "1234567", "1234.5"], "1234567|1234.50", []),
        (["%d", "x"], "0", ["non-numeric argument x"]),
        (["%d", "5x"], "5", ["non-numeric argument 5x"]),
        (["%d", ""], "0", ["empty string treated as 0"]),
        (["%d", " 5"], "5", ["leading whitespace ignored"]),
        (
            ["%d|%ld", "2147483648", "2147483648"],
            "-2147483648|2147483648",
            ["numeric overflow detected"],
        ),
        (["%f", "1.5e"], "1.500000", ["non-numeric argument 1.5e"]),
        (["%f|%f|%f", "0x1p3", "infinity", ".5"], "8.000000|inf|0.500000", []),
        (["%f|%f", "1e400", "1e-400"], "inf|0.000000", ["numeric overflow detected"] * 2),
        (["%*d|", "2147483647", "1"], "|", []),
        (["abc"], "abc", []),
        ([""], "", []),
        (["x\x00y%d", "5"], "x", []),
    ],
)
def test_format(args: list[str], expected: str, messages: list[str]) -> None:
    assert run("format", *args) == (expected, messages)


def test_gnu_extensions_are_marked() -> None:
    assert {n for n in ("regexp", "patsubst", "format") if BUILTINS[n].gnu_only} == {
        "regexp",
        "patsubst",
        "format",
    }
    assert all(BUILTINS[n].blind for n in ("len", "index", "substr", "translit", "incr", "decr"))


# -- differential -----------------------------------------------------------------

GNU_M4 = "/usr/bin/m4"
Case = Sequence[str]


def _differential_cases() -> list[Case]:
    rng = random.Random(4)
    cases: list[Case] = []
    numbers = ["", "5", " 5", "5 ", "x", "-5", "2147483648", "99999999999999999999", "-0"]
    for number in numbers:
        cases += [("incr", number), ("decr", number), ("substr", "abcdef", number, "2")]
    words = ["", "a", "ab", "abc", "GNUs not Unix", "a-b", "aab", "x y", "a\nb"]
    patterns = ["a", "b*", "\\w+", "^", "$", "\\<", "[^a]", "\\(a\\)\\|b", "a\\|", "[a-", "\\b"]
    for word in words:
        cases.append(("len", word))
        cases.append(("index", word, "b"))
        cases.append(("translit", word, "a-c", "A-"))
        for pattern in patterns:
            cases.append(("regexp", word, pattern))
            cases.append(("patsubst", word, pattern, "<\\&>"))
    specs = ["%d", "%5.2f", "%-8s|", "%#x", "%+e", "%c", "%.3g", "%a", "%05u", "%'d", "%hd", "%q"]
    for _ in range(150):
        spec = "".join(rng.choice(specs) for _ in range(2))
        cases.append(("format", spec, rng.choice(numbers), rng.choice(["3.25", "-7", "65"])))
    return cases


@pytest.mark.differential
@pytest.mark.skipif(not os.path.exists(GNU_M4), reason="GNU m4 is not installed at /usr/bin/m4")
def test_against_gnu_m4(tmp_path: Path) -> None:
    if shutil.which(GNU_M4) is None:
        pytest.skip("/usr/bin/m4 is not executable")
    cases = _differential_cases()
    source = ["changequote(`<<', `>>')dnl\n"]
    expected_out: list[str] = []
    expected_err: list[str] = []
    ctx = FakeContext()
    line = 2
    for name, *args in cases:
        call = name + "(" + ",".join(f"<<{a}>>" for a in args) + ")"
        source.append(call + "\n@@@\n")
        ctx.messages = []
        expected_out.append(BUILTINS[name].func(ctx, [name, *args]))
        expected_err += [f"m4:in.m4:{line}: {m}" for m in ctx.messages]
        line += call.count("\n") + 2
    (tmp_path / "in.m4").write_text("".join(source), encoding="latin-1")
    result = subprocess.run(
        ["m4", "in.m4"],
        executable=GNU_M4,
        cwd=tmp_path,
        capture_output=True,
        env={"LC_ALL": "C"},
        check=False,
    )
    assert result.stdout.decode("latin-1").split("\n@@@\n")[:-1] == expected_out
    assert result.stderr.decode("latin-1").splitlines() == expected_err
