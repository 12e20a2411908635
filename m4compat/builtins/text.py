"""Text builtins: len index substr translit regexp patsubst format incr decr.

SYNOPSIS
    value = numeric_arg(ctx, argv[0], argv[1])   # int, or None: expand to nothing
    BUILTINS["substr"].func(ctx, ["substr", "abcdef", "2", "3"])   # -> "cde"

DESCRIPTION
    The string builtins of GNU m4 1.4.19, written from the manual and from the
    behaviour of /usr/bin/m4 (LC_ALL=C). All are blind (recognized only with
    parentheses). They run in the hot loop of a sendmail.cf build, so every
    per-pattern or per-table cost is paid once: translated regular expressions,
    replacement templates and translit tables live in LRU caches.

    Builtins see their arguments as C strings: GNU m4 1.4.19 stops every argument
    at its first NUL byte (len of "a<NUL>b" is 1), and so do these.

    Numbers follow GNU's numeric_arg(): strtol() in base 10 on a C long (64
    bits), then the value is cast to int (32 bits, two's complement), so
    incr(2147483648) is -2147483647 without a word while 2**63 and up give
    "numeric overflow detected" and strtol's clamped value. Leading white space
    is skipped with a note, anything after the digits makes the argument
    "non-numeric" and the builtin expands to nothing.

    Given ONE argument, index and regexp still expand to 0 and substr, translit
    and patsubst to their first argument, after the "too few arguments"
    warning: so these are registered with min_args=1 and give that warning
    themselves (the expander gives it, and skips the call, for zero arguments).

    format follows C printf as glibc does it, with GNU m4's checks: only the
    flag/conversion pairs C allows ("%#d", "%+s", "%'x" ... are "unrecognized
    specifier"), the length modifiers l, h and hh (no ll, j, z, t, L), no %n,
    %p or %1$d. Its numeric arguments are converted with messages of their own
    that name neither the builtin nor stop the output ("non-numeric argument
    5x" and the value 5 is used). Missing arguments count as 0 or "".

    regexp and patsubst use m4compat.gnuregex (GNU Emacs syntax), which
    finds GNU's leftmost-LONGEST match and glibc's register values. As GNU
    m4 does, the two-argument regexp asks for no registers (gnu_regex().find),
    the other forms do (search). In the replacement, \\& and \\0 are the
    match, \\1..\\9 the groups (empty when a group did not take part), \\\\ a
    backslash and \\c any other c. patsubst walks the text as GNU does: after
    an empty match it copies one character and searches again one further
    on; re.sub does the whole job when Python's matches are GNU's and none
    can be empty.

DIAGNOSTICS
    Through the expander's Context, with GNU m4 1.4.19's exact text:

    ctx.warn (printed as "Warning: ..."): too few arguments to builtin `X',
    unrecognized specifier in `FMT', \\0 will disappear, use \\& instead in
    replacements (once per run), sub-expression N not present, trailing \\
    ignored in replacement.

    ctx.error (no prefix; exit status only under -E): empty string treated as
    0 in builtin `X', non-numeric argument to builtin `X', leading whitespace
    ignored in builtin `X', numeric overflow detected in builtin `X'; for
    format the same without "in builtin `X'" (and "non-numeric argument ARG");
    bad regular expression: `RE': MSG (regexp) and bad regular expression
    `RE': MSG (patsubst, no colon).

SEE ALSO
    m4compat.gnuregex, m4compat.builtins.evalexpr, m4compat.builtins (Context),
    GNU m4 manual "Text handling" and "Arithmetic".
"""

from __future__ import annotations

import math
import re
import weakref
from functools import lru_cache

from m4compat.builtins import Argv, Context, builtin
from m4compat.gnuregex import GnuMatch, GnuRegex, GnuRegexError, gnu_regex

__all__ = ["numeric_arg", "to_int32"]

_INT_MIN = -(2**31)
_INT_MAX = 2**31 - 1
_LONG_MIN = -(2**63)
_LONG_MAX = 2**63 - 1
_DBL_MIN = 2.2250738585072014e-308

# C isspace() in the C locale.
_C_SPACE = " \t\n\v\f\r"
_STRTOL = re.compile(r"([ \t\n\v\f\r]*)([+-]?[0-9]+)")
_STRTOD = re.compile(
    r"""([ \t\n\v\f\r]*)([+-]?)
    (?:
        (?P<inf>inf(?:inity)?)
      | (?P<nan>nan(?:\([0-9A-Za-z_]*\))?)
      | 0x(?P<hex>[0-9a-f]+\.?[0-9a-f]*|\.[0-9a-f]+)(?:p(?P<hexp>[+-]?[0-9]+))?
      | (?P<dec>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[+-]?[0-9]+)?)
    )""",
    re.IGNORECASE | re.VERBOSE,
)


def _cstr(text: str) -> str:
    """Cut TEXT at its first NUL, as GNU m4's C-string builtins see it."""
    if "\0" in text:
        return text[: text.index("\0")]
    return text


def to_int32(value: int) -> int:
    """Wrap VALUE to a C int (32-bit two's complement)."""
    return ((value + 0x8000_0000) & 0xFFFF_FFFF) - 0x8000_0000


def _strtol(text: str) -> tuple[int, int, bool, bool]:
    """C strtol(text, &end, 10) on a 64-bit long.

    Returns (value clamped to long, end offset, leading white space?, overflow?);
    end is 0 when no digits were found.
    """
    m = _STRTOL.match(text)
    if m is None:
        return 0, 0, False, False
    value = int(m.group(2))
    overflow = False
    if value > _LONG_MAX:
        value, overflow = _LONG_MAX, True
    elif value < _LONG_MIN:
        value, overflow = _LONG_MIN, True
    return value, m.end(), bool(m.group(1)), overflow


def numeric_arg(ctx: Context, name: str, text: str) -> int | None:
    """Parse a numeric builtin argument the way GNU m4 1.4.19 does.

    Args:
        ctx: the expander, for the diagnostics.
        name: the name the builtin was called by (argv[0]), used in messages.
        text: the argument.

    Returns:
        The value as a C int, or None when TEXT is not a number (the builtin
        then expands to nothing).

    Side effects:
        ctx.error() with "empty string treated as 0" (the value is 0),
        "non-numeric argument" (None), "leading whitespace ignored" or
        "numeric overflow detected" (the value is strtol's clamped long, cut to
        an int), each followed by " in builtin `NAME'".
    """
    # Fast path: the plain decimal numbers that macros pass almost always.
    if len(text) < 10 and text.isdigit() and text.isascii():
        return int(text)
    text = _cstr(text)
    if not text:
        ctx.error(f"empty string treated as 0 in builtin `{name}'")
        return 0
    value, end, leading_space, overflow = _strtol(text)
    if end != len(text):
        ctx.error(f"non-numeric argument to builtin `{name}'")
        return None
    if leading_space:
        ctx.error(f"leading whitespace ignored in builtin `{name}'")
    elif overflow:
        ctx.error(f"numeric overflow detected in builtin `{name}'")
    return to_int32(value)


def _too_few(ctx: Context, name: str) -> None:
    ctx.warn_argc(f"too few arguments to builtin `{name}'")


# -- len index substr translit ------------------------------------------------------


@builtin("len", min_args=1, max_args=1, blind=True)
def m4_len(ctx: Context, argv: Argv) -> str:
    """len(string): the length in bytes."""
    return str(len(_cstr(argv[1])))


@builtin("index", min_args=1, max_args=2, blind=True)
def m4_index(ctx: Context, argv: Argv) -> str:
    """index(string, substring): first offset of substring, or -1."""
    if len(argv) < 3:
        _too_few(ctx, argv[0])
        return "0"
    return str(_cstr(argv[1]).find(_cstr(argv[2])))


@builtin("substr", min_args=1, max_args=3, blind=True)
def m4_substr(ctx: Context, argv: Argv) -> str:
    """substr(string, from, [length])."""
    text = _cstr(argv[1])
    if len(argv) < 3:
        _too_few(ctx, argv[0])
        return text
    start = numeric_arg(ctx, argv[0], argv[2])
    if start is None:
        return ""
    if len(argv) > 3:
        length = numeric_arg(ctx, argv[0], argv[3])
        if length is None:
            return ""
    else:
        length = len(text)
    if start < 0 or length <= 0 or start >= len(text):
        return ""
    return text[start : start + length]


def _expand_ranges(spec: str) -> str:
    """Expand translit's a-z ranges.

    A '-' between two characters is a range from the character BEFORE it, even
    when that one ended a range itself ("a-c-a" is "abcba"); ranges may run
    backwards. A '-' at either end is itself.
    """
    if "-" not in spec:
        return spec
    out: list[str] = []
    i, n = 0, len(spec)
    while i < n:
        c = spec[i]
        if c == "-" and out and i + 1 < n:
            lo, hi = ord(out[-1]), ord(spec[i + 1])
            if lo <= hi:
                out.extend(map(chr, range(lo + 1, hi + 1)))
            else:
                out.extend(map(chr, range(lo - 1, hi - 1, -1)))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


@lru_cache(maxsize=256)
def _translit_table(source: str, target: str) -> dict[int, str | None]:
    chars = _expand_ranges(source)
    replacement = _expand_ranges(target)
    table: dict[int, str | None] = {}
    for i, c in enumerate(chars):
        # The first mention of a character decides what it becomes.
        table.setdefault(ord(c), replacement[i] if i < len(replacement) else None)
    return table


@builtin("translit", min_args=1, max_args=3, blind=True)
def m4_translit(ctx: Context, argv: Argv) -> str:
    """translit(string, chars, [replacement]): map or delete characters."""
    text = _cstr(argv[1])
    if len(argv) < 3:
        _too_few(ctx, argv[0])
        return text
    target = _cstr(argv[3]) if len(argv) > 3 else ""
    return text.translate(_translit_table(_cstr(argv[2]), target))


# -- regexp patsubst ----------------------------------------------------------------

# Replacement pieces: literal text, or a group number (-1 for \0: the whole match,
# with the "will disappear" warning).
_Piece = str | int


@lru_cache(maxsize=256)
def _replacement(text: str) -> tuple[tuple[_Piece, ...], bool]:
    """Split a replacement into pieces; the flag says it ends in a lone backslash."""
    pieces: list[_Piece] = []
    literal: list[str] = []
    i, n = 0, len(text)
    while i < n:
        j = text.find("\\", i)
        if j < 0:
            literal.append(text[i:])
            break
        literal.append(text[i:j])
        if j + 1 >= n:
            if literal:
                pieces.append("".join(literal))
            return tuple(p for p in pieces if p != ""), True
        c = text[j + 1]
        if c == "&" or "0" <= c <= "9":
            if literal:
                pieces.append("".join(literal))
                literal = []
            pieces.append(0 if c == "&" else -1 if c == "0" else int(c))
        else:
            literal.append(c)
        i = j + 2
    if literal:
        pieces.append("".join(literal))
    return tuple(p for p in pieces if p != ""), False


# Contexts that were already told "\0 will disappear" (GNU says it once per run).
_warned_zero: weakref.WeakSet[object] = weakref.WeakSet()
_warned_zero_fallback: set[int] = set()


def _warn_zero(ctx: Context) -> None:
    try:
        if ctx in _warned_zero:
            return
        _warned_zero.add(ctx)
    except TypeError:
        if id(ctx) in _warned_zero_fallback:
            return
        _warned_zero_fallback.add(id(ctx))
    ctx.warn("\\0 will disappear, use \\& instead in replacements")


def _substitute(
    ctx: Context,
    pieces: tuple[_Piece, ...],
    trailing: bool,
    m: re.Match[str] | GnuMatch,
    groups: int,
) -> str:
    out: list[str] = []
    for piece in pieces:
        if isinstance(piece, str):
            out.append(piece)
        elif piece > groups:
            ctx.warn(f"sub-expression {piece} not present")
        else:
            if piece < 0:
                _warn_zero(ctx)
                piece = 0
            out.append(m.group(piece) or "")
    if trailing:
        ctx.warn("trailing \\ ignored in replacement")
    return "".join(out)


def _compile(ctx: Context, pattern: str, message: str) -> GnuRegex | None:
    try:
        return gnu_regex(pattern)
    except GnuRegexError as exc:
        ctx.error(message.format(pattern=pattern, reason=exc.message))
        return None


@builtin("regexp", min_args=1, max_args=3, blind=True, gnu_only=True)
def m4_regexp(ctx: Context, argv: Argv) -> str:
    """regexp(string, regexp, [replacement]): offset of the match, or the replacement."""
    if len(argv) < 3:
        _too_few(ctx, argv[0])
        return "0"
    text = _cstr(argv[1])
    regex = _compile(ctx, _cstr(argv[2]), "bad regular expression: `{pattern}': {reason}")
    if regex is None:
        return ""
    if len(argv) < 4:
        # GNU m4 asks for no registers here, and glibc then checks less.
        return str(regex.find(text))
    m = regex.search(text)
    if m is None:
        return ""
    pieces, trailing = _replacement(_cstr(argv[3]))
    return _substitute(ctx, pieces, trailing, m, regex.groups)


@lru_cache(maxsize=256)
def _python_template(pieces: tuple[_Piece, ...]) -> str:
    """The re.sub template for pieces without warnings (literals and \\g<N>)."""
    return "".join(p.replace("\\", "\\\\") if isinstance(p, str) else f"\\g<{p}>" for p in pieces)


@builtin("patsubst", min_args=1, max_args=3, blind=True, gnu_only=True)
def m4_patsubst(ctx: Context, argv: Argv) -> str:
    """patsubst(string, regexp, [replacement]): replace every match."""
    text = _cstr(argv[1])
    if len(argv) < 3:
        _too_few(ctx, argv[0])
        return text
    regex = _compile(ctx, _cstr(argv[2]), "bad regular expression `{pattern}': {reason}")
    if regex is None:
        return ""
    pieces, trailing = _replacement(_cstr(argv[3]) if len(argv) > 3 else "")
    groups = regex.groups
    quiet = not trailing and all(isinstance(p, str) or 0 <= p <= groups for p in pieces)
    if quiet and regex.exact and not regex.nullable:
        # Without empty matches re.sub walks the text exactly as GNU does.
        return regex.compiled.sub(_python_template(pieces), text)
    search = regex.search
    out: list[str] = []
    pos, n = 0, len(text)
    while pos <= n:
        m = search(text, pos)
        if m is None:
            break
        start, end = m.span()
        out.append(text[pos:start])
        if quiet:
            for piece in pieces:
                out.append(piece if isinstance(piece, str) else m.group(piece) or "")
        else:
            out.append(_substitute(ctx, pieces, trailing, m, groups))
        if start == end:
            out.append(text[start : start + 1])
            pos = start + 1
        else:
            pos = end
    out.append(text[pos:])
    return "".join(out)


# -- incr decr ----------------------------------------------------------------------


@builtin("incr", min_args=1, max_args=1, blind=True)
def m4_incr(ctx: Context, argv: Argv) -> str:
    """incr(number): number + 1, wrapping as a C int."""
    value = numeric_arg(ctx, argv[0], argv[1])
    return "" if value is None else str(to_int32(value + 1))


@builtin("decr", min_args=1, max_args=1, blind=True)
def m4_decr(ctx: Context, argv: Argv) -> str:
    """decr(number): number - 1, wrapping as a C int."""
    value = numeric_arg(ctx, argv[0], argv[1])
    return "" if value is None else str(to_int32(value - 1))


# -- format -------------------------------------------------------------------------

# The flags C (and so GNU m4) accepts with each conversion; others are refused.
_CONVERSION_FLAGS = {
    "d": "-+ 0'",
    "i": "-+ 0'",
    "u": "-0'",
    "o": "-#0",
    "x": "-#0",
    "X": "-#0",
    "c": "-",
    "s": "-",
    "e": "-+ #0",
    "E": "-+ #0",
    "a": "-+ #0",
    "A": "-+ #0",
    "f": "-+ #0'",
    "F": "-+ #0'",
    "g": "-+ #0'",
    "G": "-+ #0'",
}
_INTEGER_CONVERSIONS = frozenset("diouxX")
_FLOAT_CONVERSIONS = frozenset("eEfFgGaA")
_MODIFIER_BITS = {"": 32, "l": 64, "h": 16, "hh": 8}
# glibc's printf fails on widths and precisions from INT_MAX - 32 up.
_PRINTF_LIMIT = _INT_MAX - 32


def _format_int(ctx: Context, text: str, long: bool) -> int:
    """Convert a format argument for an integer conversion (GNU's own messages)."""
    if len(text) < 10 and text.isdigit() and text.isascii():
        return int(text)
    text = _cstr(text)
    if not text:
        ctx.error("empty string treated as 0")
        return 0
    value, end, leading_space, overflow = _strtol(text)
    if not long and not _INT_MIN <= value <= _INT_MAX:
        overflow = True
    if end != len(text):
        ctx.error(f"non-numeric argument {text}")
    elif leading_space:
        ctx.error("leading whitespace ignored")
    elif overflow:
        ctx.error("numeric overflow detected")
    return value if long else to_int32(value)


def _strtod(text: str) -> tuple[float, int, bool, bool]:
    """C strtod(): (value, end offset or 0, leading white space?, ERANGE?)."""
    m = _STRTOD.match(text)
    if m is None:
        return 0.0, 0, False, False
    negative = m.group(2) == "-"
    erange = False
    if m.group("inf") is not None:
        value = math.inf
    elif m.group("nan") is not None:
        value = math.nan
    elif m.group("hex") is not None:
        digits = m.group("hex")
        exponent = int(m.group("hexp") or "0")
        whole, _, fraction = digits.partition(".")
        mantissa = int(whole + fraction or "0", 16)
        exponent -= 4 * len(fraction)
        try:
            value = float.fromhex(f"0x{whole or '0'}.{fraction or '0'}p{m.group('hexp') or '0'}")
        except OverflowError:
            value = math.inf
        if mantissa and (value == math.inf or abs(value) < _DBL_MIN):
            # glibc sets ERANGE on overflow, and on underflow only when inexact.
            erange = value == math.inf or _inexact_binary(mantissa, exponent, value)
    else:
        literal = m.group("dec")
        value = float(literal)
        if value == math.inf:
            erange = True
        elif value < _DBL_MIN:
            erange = _inexact_decimal(literal, value)
    return (-value if negative else value), m.end(), bool(m.group(1)), erange


def _inexact_decimal(literal: str, value: float) -> bool:
    """A tiny decimal that did not convert exactly (glibc's underflow ERANGE)."""
    from decimal import Decimal

    exact = Decimal(literal)
    return exact != 0 and Decimal(value) != exact


def _inexact_binary(mantissa: int, exponent: int, value: float) -> bool:
    from fractions import Fraction

    exact = Fraction(mantissa) * Fraction(2) ** exponent
    return Fraction(value) != exact


def _format_float(ctx: Context, text: str) -> float:
    """Convert a format argument for a floating conversion (GNU's own messages)."""
    text = _cstr(text)
    if not text:
        ctx.error("empty string treated as 0")
        return 0.0
    value, end, leading_space, erange = _strtod(text)
    if end != len(text):
        ctx.error(f"non-numeric argument {text}")
    elif leading_space:
        ctx.error("leading whitespace ignored")
    elif erange:
        ctx.error("numeric overflow detected")
    return value


def _pad(body: str, width: int, left: bool) -> str:
    if len(body) >= width:
        return body
    return body + " " * (width - len(body)) if left else " " * (width - len(body)) + body


def _sign(negative: bool, flags: str) -> str:
    if negative:
        return "-"
    if "+" in flags:
        return "+"
    if " " in flags:
        return " "
    return ""


def _printf_int(
    value: int, conv: str, flags: str, width: int, precision: int | None, bits: int
) -> str:
    """C printf of an integer conversion, with the value cut to BITS."""
    mask = (1 << bits) - 1
    prefix = ""
    if conv in "di":
        value &= mask
        if value >> (bits - 1):
            value -= 1 << bits
        digits = str(abs(value))
        prefix = _sign(value < 0, flags)
    else:
        value &= mask
        digits = format(value, "d" if conv == "u" else conv)
    if precision is not None:
        if precision == 0 and value == 0:
            digits = ""
        if len(digits) < precision:
            digits = "0" * (precision - len(digits)) + digits
    if "#" in flags:
        if conv == "o" and not digits.startswith("0"):
            digits = "0" + digits
        elif conv in "xX" and value != 0:
            prefix = "0" + conv
    body = prefix + digits
    if len(body) < width and "0" in flags and "-" not in flags and precision is None:
        return prefix + "0" * (width - len(body)) + digits
    return _pad(body, width, "-" in flags)


def _printf_hex_float(
    value: float, upper: bool, flags: str, width: int, precision: int | None
) -> str:
    """C printf %a as glibc prints it (no renormalizing after rounding: 0x2p+0)."""
    sign = _sign(math.copysign(1.0, value) < 0, flags)
    value = abs(value)
    if value == 0.0:
        lead, fraction, exponent = 0, 0, 0
    elif value < _DBL_MIN:
        lead, fraction, exponent = 0, int(math.ldexp(value, 1074)), -1022
    else:
        mantissa, exponent = math.frexp(value)
        bits = int(math.ldexp(mantissa, 53))
        lead, fraction, exponent = 1, bits - (1 << 52), exponent - 1
    if precision is None:
        digits = f"{fraction:013x}".rstrip("0")
    elif precision >= 13:
        digits = f"{fraction:013x}" + "0" * (precision - 13)
    else:
        drop = 4 * (13 - precision)
        whole = (lead << 52 | fraction) >> drop
        rest = fraction & ((1 << drop) - 1)
        half = 1 << (drop - 1)
        if rest > half or (rest == half and whole & 1):
            whole += 1
        lead, kept = whole >> (4 * precision), whole & ((1 << (4 * precision)) - 1)
        digits = f"{kept:0{precision}x}" if precision else ""
    point = "." if digits or "#" in flags else ""
    body = f"{lead}{point}{digits}p{exponent:+d}"
    prefix = sign + "0x"
    if upper:
        body, prefix = body.upper(), prefix.upper()
    if len(prefix) + len(body) < width and "0" in flags and "-" not in flags:
        return prefix + "0" * (width - len(prefix) - len(body)) + body
    return _pad(prefix + body, width, "-" in flags)


def _printf_float(value: float, conv: str, flags: str, width: int, precision: int | None) -> str:
    """C printf of e E f F g G a A."""
    if not math.isfinite(value):
        # Python drops the sign of a NaN and pads inf with zeros; C does neither.
        body = "nan" if math.isnan(value) else "inf"
        if conv in "EFGA":
            body = body.upper()
        body = _sign(math.copysign(1.0, value) < 0, flags) + body
        return _pad(body, width, "-" in flags)
    if conv in "aA":
        return _printf_hex_float(value, conv == "A", flags, width, precision)
    spec = "%" + flags.replace("'", "") + (str(width) if width else "")
    if precision is not None:
        spec += f".{precision}"
    return (spec + conv) % value


class _Args:
    """The arguments after the format string, consumed left to right."""

    __slots__ = ("argv", "ctx", "next")

    def __init__(self, ctx: Context, argv: Argv) -> None:
        self.ctx = ctx
        self.argv = argv
        self.next = 2

    def text(self) -> str | None:
        if self.next >= len(self.argv):
            return None
        self.next += 1
        return self.argv[self.next - 1]

    def integer(self, long: bool = False) -> int:
        text = self.text()
        return 0 if text is None else _format_int(self.ctx, text, long)

    def floating(self) -> float:
        text = self.text()
        return 0.0 if text is None else _format_float(self.ctx, text)


@builtin("format", min_args=1, blind=True, gnu_only=True)
def m4_format(ctx: Context, argv: Argv) -> str:
    """format(format-string, ...): printf-like formatting."""
    fmt = _cstr(argv[1])
    if "%" not in fmt:
        return fmt
    args = _Args(ctx, argv)
    out: list[str] = []
    i, n = 0, len(fmt)
    while True:
        j = fmt.find("%", i)
        if j < 0:
            out.append(fmt[i:])
            break
        out.append(fmt[i:j])
        i = j + 1
        if i < n and fmt[i] == "%":
            out.append("%")
            i += 1
            continue
        piece, i = _conversion(ctx, fmt, i, args)
        if piece is None:
            ctx.warn(f"unrecognized specifier in `{fmt}'")
            if i >= n:
                break
            continue
        out.append(piece)
    return "".join(out)


def _conversion(ctx: Context, fmt: str, i: int, args: _Args) -> tuple[str | None, int]:
    """Read and format the conversion that starts at fmt[i] (after its '%').

    Returns (text, next offset); text is None for an unrecognized specifier,
    which GNU m4 skips up to and including its conversion character (the
    arguments that a '*' took stay taken).
    """
    n = len(fmt)
    start = i
    while i < n and fmt[i] in "-+ #0'":
        i += 1
    flags = fmt[start:i]
    width = 0
    if i < n and fmt[i] == "*":
        i += 1
        width = args.integer()
        if width < 0:
            flags += "-"
            width = -width
    else:
        start = i
        while i < n and fmt[i].isdigit() and fmt[i].isascii():
            i += 1
        if i > start:
            width = int(fmt[start:i])
    precision: int | None = None
    has_precision = i < n and fmt[i] == "."
    if has_precision:
        i += 1
        if i < n and fmt[i] == "*":
            i += 1
            value = args.integer()
            precision = value if value >= 0 else None
        else:
            start = i
            while i < n and fmt[i].isdigit() and fmt[i].isascii():
                i += 1
            precision = int(fmt[start:i]) if i > start else 0
    modifier = ""
    if i < n and fmt[i] == "l":
        modifier, i = "l", i + 1
    elif i < n and fmt[i] == "h":
        modifier, i = "h", i + 1
        if i < n and fmt[i] == "h":
            modifier, i = "hh", i + 1
    if i >= n:
        return None, i
    conv = fmt[i]
    i += 1
    allowed = _CONVERSION_FLAGS.get(conv)
    if (
        allowed is None
        or any(f not in allowed for f in flags)
        or (has_precision and conv == "c")
        or (modifier == "l" and conv in "cs")
        or (modifier in ("h", "hh") and conv not in _INTEGER_CONVERSIONS)
    ):
        return None, i
    # The argument is converted (with its messages) even when printf then fails.
    if conv in _INTEGER_CONVERSIONS or conv == "c":
        number = args.integer(modifier == "l")
    elif conv in _FLOAT_CONVERSIONS:
        real = args.floating()
    else:
        text = args.text()
    if width >= _PRINTF_LIMIT or (precision is not None and precision >= _PRINTF_LIMIT):
        # glibc refuses such a width or precision (EOVERFLOW); GNU m4 then
        # outputs nothing for this conversion, and says nothing.
        return "", i
    if conv in _INTEGER_CONVERSIONS:
        return _printf_int(number, conv, flags, width, precision, _MODIFIER_BITS[modifier]), i
    if conv in _FLOAT_CONVERSIONS:
        return _printf_float(real, conv, flags, width, precision), i
    if conv == "c":
        # GNU keeps the C string printf made, so a NUL cuts the piece short.
        return _cstr(_pad(chr(number & 0xFF), width, "-" in flags)), i
    piece = "" if text is None else _cstr(text)
    if precision is not None:
        piece = piece[:precision]
    return _pad(piece, width, "-" in flags), i
