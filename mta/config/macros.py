"""Macro names, $-translation of .cf text, and expand() as Sendmail does it.

SYNOPSIS
    name, end = macid_parse("{client_addr} rest", 0)
    text = translate_dollars("R$* < @ $j >\\t$@ $1 # comment", level=10)
    value = expand(text, lookup)            # lookup(name) -> str | None

DESCRIPTION
    Sendmail's readcf() rewrites every .cf line once: a '#' after the first
    column starts a comment (unless written "$#" or "\\#"), "$$" is a dollar,
    and each "$" sequence becomes an operator. We keep operators inside
    strings as private-use characters (mta.config.tokens.encode_op), so a
    stored macro value such as "$w.example.com" keeps its reference until it
    is used, and prints back as "$w" in -bt.

    expand() mirrors macro.c: $x and ${name} are replaced by their values
    (values that contain references are expanded again, to a depth of
    MAX_MACRO_RECURSION), "$?x yes $| no $." is a conditional, and every other
    operator ($&x, $*, $|, ...) is left alone.

DIAGNOSTICS
    macid_parse returns an error text for a bad long name (the caller turns
    it into ConfigError with a location); expand reports recursion past the
    limit through the on_error callback.

SEE ALSO
    mta.config.tokens, mta.config.loader, Sendmail op.me 5.2 (D lines).
"""

from __future__ import annotations

from collections.abc import Callable

from mta.config.model import OP_BASE, Op, OpKind
from mta.config.tokens import decode_op, encode_op

MAX_MACRO_RECURSION = 10
MACBUFSIZE = 4096  # Sendmail's expansion buffer: an expansion keeps at most 4095 characters
_MAX_NAME = 64

_META = {
    "*": OpKind.MATCH_ZANY,
    "+": OpKind.MATCH_ANY,
    "-": OpKind.MATCH_ONE,
    "#": OpKind.CANONNET,
    "@": OpKind.CANONHOST,
    ":": OpKind.CANONUSER,
    ">": OpKind.CALLSUBR,
    "|": OpKind.CONDELSE,
    ".": OpKind.CONDFI,
    "[": OpKind.HOSTBEGIN,
    "]": OpKind.HOSTEND,
    "(": OpKind.LOOKUPBEGIN,
    ")": OpKind.LOOKUPEND,
}
_NAMED = {"=": OpKind.MATCH_CLASS, "~": OpKind.MATCH_NCLASS, "&": OpKind.MACRODEXPAND,
          "?": OpKind.CONDIF}


def macid_parse(text: str, i: int) -> tuple[str | None, int, str | None]:
    """Parse a macro (or class) name at text[i]: "x" or "{name}".

    Returns:
        (name, index after the name, error text or None). name is None when
        there is no name at all (end of text).
    """
    if i >= len(text):
        return None, i, None
    c = text[i]
    if c != "{":
        return c, i + 1, None
    j = i + 1
    k = j
    while k < len(text) and text[k] != "}" and (text[k].isalnum() or text[k] in "_-.:/"):
        k += 1
    if k >= len(text) or text[k] != "}":
        return None, k, f"Unbalanced {{ on {text[i:]}"
    name = text[j:k]
    if not name:
        return None, k + 1, "Macro/class name ({}) empty"
    if len(name) > _MAX_NAME:
        return None, k + 1, f"Macro/class name ({{{name}}}) too long ({_MAX_NAME} chars max)"
    return name, k + 1, None


def translate_dollars(line: str, level: int, *, comments: bool = True) -> str:
    """readcf's pass over one line: strip on-line comments, encode "$" sequences.

    Args:
        line: the logical line (continuations joined with "\\n").
        level: the configuration level (comments after column 1 need V3+).
        comments: strip on-line comments (False for -bt input).
    """
    out: list[str] = []
    i = 0
    n = len(line)
    while i < n:
        c = line[i]
        if c == "#" and i > 0 and comments and level >= 3:
            if out and out[-1] == "\\":
                out[-1] = "#"
                i += 1
                continue
            # delete the comment and the white space before it, up to the end of
            # this physical line
            while out and out[-1] in " \t\x0b\x0c\r" and len(out) > 1:
                out.pop()
            j = line.find("\n", i)
            if j < 0:
                break
            i = j
            continue
        if c != "$" or i + 1 >= n:
            out.append(c)
            i += 1
            continue
        d = line[i + 1]
        if d == "$":
            out.append("$")
            i += 2
            continue
        if d in _META:
            out.append(encode_op(Op(_META[d])))
            i += 2
            continue
        if d.isdigit():
            out.append(encode_op(Op(OpKind.MATCH_REPL, int(d))))
            i += 2
            continue
        if d in _NAMED:
            name, j, _err = macid_parse(line, i + 2)
            if name is None:
                out.append(line[i:i + 2])
                i += 2
                continue
            out.append(encode_op(Op(_NAMED[d], name)))
            i = j
            continue
        name, j, _err = macid_parse(line, i + 1)
        if name is None:
            out.append(c)
            i += 1
            continue
        out.append(encode_op(Op(OpKind.MACROEXPAND, name)))
        i = j
    return "".join(out)


def has_ops(text: str) -> bool:
    """True when text holds any encoded operator."""
    return any(ord(ch) >= OP_BASE for ch in text)


def expand(
    text: str,
    lookup: Callable[[str], str | None],
    *,
    on_error: Callable[[str], None] | None = None,
    _depth: int = 0,
) -> str:
    """Expand $x references and $?x conditionals in an encoded string.

    Args:
        text: an encoded string (translate_dollars output or a stored value).
        lookup: macro name -> encoded value or None.
        on_error: receives Sendmail's message when recursion is too deep.
    """
    if not has_ops(text):
        return text
    out: list[str] = []
    size = 0  # characters in out: Sendmail expands into a buffer of MACBUFSIZE
    skipping = False
    iflev = 0
    skiplev = 0
    recurse = False
    for ch in text:
        if size >= MACBUFSIZE - 1:
            break  # the buffer is full: the rest is dropped, as Sendmail drops it
        op = decode_op(ch) if ord(ch) >= OP_BASE else None
        if op is not None:
            kind = op.kind
            if kind is OpKind.CONDIF:
                iflev += 1
                if skipping:
                    skiplev += 1
                else:
                    mv = lookup(str(op.arg))
                    skipping = not mv
                continue
            if kind is OpKind.CONDELSE and iflev > 0:
                if skiplev == 0:
                    skipping = not skipping
                continue
            if kind is OpKind.CONDFI and iflev > 0:
                iflev -= 1
                if skiplev == 0:
                    skipping = False
                if skipping:
                    skiplev -= 1
                continue
            if kind is OpKind.MACROEXPAND:
                value = lookup(str(op.arg))
                if value is None or skipping:
                    continue
                if has_ops(value):
                    recurse = True
                out.append(value)
                size += len(value)
                continue
        if not skipping:
            out.append(ch)
            size += 1
    result = "".join(out)[:MACBUFSIZE - 1]
    if recurse:
        if _depth < MAX_MACRO_RECURSION:
            return expand(result, lookup, on_error=on_error, _depth=_depth + 1)
        if on_error is not None:
            on_error(f"expand: recursion too deep ({MAX_MACRO_RECURSION} max)")
    return result


def munchstring(text: str, delim: str = "\0") -> tuple[str, int]:
    """Sendmail's munchstring(): backslash escapes and quote removal.

    Returns:
        (value, index of the delimiter or len(text)).
    """
    out: list[str] = []
    backslash = False
    quotemode = False
    i = 0
    for i, c in enumerate(text):
        if backslash:
            backslash = False
            esc = {"r": "\r", "n": "\n", "f": "\f", "b": "\b"}.get(c)
            out.append(esc if esc is not None else c)
        elif c == "\\":
            backslash = True
        elif c == '"':
            quotemode = not quotemode
        elif quotemode or c != delim:
            out.append(c)
        else:
            return "".join(out), i
    return "".join(out), len(text)
