"""Header address helpers: crackaddr(), which turns an address field into a $g template.

SYNOPSIS
    fancy = crackaddr('"Real Name" <user@example.com> (comment)')
    # -> '"Real Name" <$g> (comment)', with $g as the macro operator character

DESCRIPTION
    Mirrors crackaddr() in Sendmail's headers.c: the address proper is cut
    out of a header value and replaced by the macro $g, keeping the phrase,
    comments and angle brackets around it, so that a rewritten address can
    be put back (remotename(), -bt's /parse and /try). The scan is ad hoc,
    as Sendmail's is: backslashes and quoted strings make the phrase quoted,
    a second '<' makes the text before it a quoted phrase, ':' starts a
    group (unless ColonOkInAddr), MustQuoteChars in the phrase force quoting,
    unbalanced quotes, parentheses and angle brackets are repaired at the end.
    The output is limited to MAXNAME (256) characters, with room kept for the
    closing characters; a longer result becomes "<$g>", as in Sendmail.

DIAGNOSTICS
    None: every input gives a template.

SEE ALSO
    mta.rules.resolve (remotename, parseaddr), Sendmail op.me 5.1.5 ($g).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from mta.config.model import Op, OpKind
from mta.config.tokens import encode_op, prescan

MAXNAME = 256
DEFAULT_MUST_QUOTE_CHARS = "@,;:\\()[].'"
MACRO_G = encode_op(Op(OpKind.MACROEXPAND, "g"))


def must_quote_chars(option: str | None) -> str:
    """The MustQuoteChars set: Sendmail's default, or "@,;:\\()[]" plus the option."""
    if option is None:
        return DEFAULT_MUST_QUOTE_CHARS
    return "@,;:\\()[]" + option


class _Overflow(Exception):
    pass


def crackaddr(addr: str, *, must_quote: str = DEFAULT_MUST_QUOTE_CHARS,
              colon_ok: bool = False) -> str:
    """Return addr with the address replaced by $g (see the module docstring)."""
    return _crack_cached(addr, must_quote, colon_ok)


@functools.lru_cache(maxsize=4096)
def _crack_cached(addr: str, must_quote: str, colon_ok: bool) -> str:
    """crackaddr() is a pure function of its text: the queue runner and the sessions
    see the same From: and To: values again and again."""
    try:
        return _crack(addr, must_quote, colon_ok)
    except _Overflow:
        return "<" + MACRO_G + ">"


def _crack(addr: str, must_quote: str, colon_ok: bool) -> str:
    bufend = MAXNAME  # index of the last byte of buf[MAXNAME + 1]
    buflim = bufend
    buf: list[str] = [""] * (MAXNAME + 1)
    bp = 0

    def room() -> bool:
        return bp < buflim <= bufend

    def put(ch: str) -> None:
        nonlocal bp
        if not room():
            raise _Overflow
        buf[bp] = ch
        bp += 1

    n = len(addr)
    i = 0
    while i < n and addr[i].isascii() and addr[i].isspace():
        put(addr[i])
        i += 1
    bufhead = bp
    start = i  # addr after the leading spaces ("addr" in Sendmail after skipping)
    p = addrhead = i
    copylev = anglelev = cmtlev = realcmtlev = bracklev = 0
    qmode = realqmode = addangle = False
    putgmac = quoteit = gotangle = gotcolon = False

    def at(k: int) -> str:
        return addr[k] if k < n else "\0"

    def copy_phrase(p: int, delim: str, empty_at: int) -> int:
        """Copy the phrase before delim (quoted when quoteit), then delim; return p.

        The same for a group name before ':' and a phrase before '<'; an empty
        quoted phrase (the buffer at empty_at after the opening quote) is dropped.
        """
        nonlocal bp
        if quoteit:
            put('"')
            p -= 1  # back over delim and the blanks before it
            while p > start:
                p -= 1
                if not (addr[p].isascii() and addr[p].isspace()):
                    break
            p += 1
        for q in range(addrhead, p):
            ch = addr[q]
            if quoteit and ch == '"':
                put("\\")
            put(ch)
        if quoteit:
            if bp == empty_at:
                bp -= 1
            else:
                put('"')
            while True:
                ch = at(p)
                p += 1
                if ch == delim:
                    break
                put(ch)
            put(delim)
        return p

    while p < n:
        c = addr[p]
        p += 1
        if copylev > 0:
            put(c)
        goto_putg = False
        if c == "\\":
            if cmtlev <= 0 and not qmode:
                quoteit = True
            if p >= n:
                goto_putg = True
            else:
                c = addr[p]
                p += 1
                if copylev > 0:
                    put(c)
                goto_putg = True
        elif c == '"' and cmtlev <= 0:
            qmode = not qmode
            if copylev > 0 and room():
                buflim += -1 if realqmode else 1
                realqmode = not realqmode
            continue
        elif qmode:
            goto_putg = True
        if not goto_putg:
            if c == "(":
                cmtlev += 1
                if room():
                    buflim -= 1
                    realcmtlev += 1
                    copylev += 1
                    if copylev - 1 <= 0:
                        if bp != bufhead:
                            put(" ")
                        put(c)
            if cmtlev > 0:
                if c == ")":
                    cmtlev -= 1
                    copylev -= 1
                    if room():
                        realcmtlev -= 1
                        buflim += 1
                continue
            elif c == ")":
                if copylev > 0 and room() and bp > bufhead:
                    bp -= 1
            if c == "[":
                bracklev += 1
            elif c == "]":
                bracklev -= 1
            if c == ":" and anglelev <= 0 and bracklev <= 0 and not gotcolon and not colon_ok:
                if at(p) in (":", "."):
                    # DECnet "host::user" and "DEC:.tay" forms
                    if cmtlev <= 0 and not qmode:
                        quoteit = True
                    if copylev > 0:
                        put(c)
                        put(at(p))
                    p += 1
                    goto_putg = True
                else:
                    gotcolon = True
                    bp = bufhead
                    p = copy_phrase(p, ":", bufhead + 1)
                    while p < n and addr[p].isascii() and addr[p].isspace():
                        put(addr[p])
                        p += 1
                    copylev = 0
                    putgmac = quoteit = False
                    bufhead = bp
                    addrhead = p
                    continue
        if not goto_putg:
            if c == ";" and copylev <= 0 and not colon_ok:
                put(c)
            if c in must_quote and cmtlev <= 0 and not qmode:
                quoteit = True
            if c == "<":
                if gotangle:
                    quoteit = True
                gotangle = True
                anglelev = 1
                if room():
                    if not addangle:
                        buflim -= 1
                    addangle = True
                bp = bufhead
                p = copy_phrase(p, "<", 1)
                copylev = 0
                putgmac = quoteit = False
                continue
            if c == ">":
                if anglelev > 0:
                    anglelev -= 1
                    if room():
                        if addangle:
                            buflim += 1
                        addangle = False
                elif room():
                    if copylev > 0 and bp > bufhead:
                        bp -= 1
                    quoteit = True
                    continue
                copylev += 1
                if copylev - 1 <= 0:
                    put(c)
                continue
        # putg: a real address character
        if copylev <= 0 and not putgmac:
            if bp > 0 and buf[bp - 1] == ")":
                put(" ")
            put(MACRO_G)
            putgmac = True

    if realqmode and bp < bufend:
        buf[bp] = '"'
        bp += 1
    while realcmtlev > 0 and bp < bufend:
        realcmtlev -= 1
        buf[bp] = ")"
        bp += 1
    if addangle and bp < bufend:
        buf[bp] = ">"
        bp += 1
    if bp >= bufend:
        raise _Overflow
    return "".join(buf[:bp])


LINE_MAX = 78  # commaize()'s line length for the queue file


def commaize(name: str, value: str, table: list[int],
             rewrite: Callable[[str], str] | None = None, width: int = LINE_MAX) -> str:
    """An address field's value as Sendmail's commaize() writes it.

    The addresses (each ends at a comma outside quotes, comments and angle
    brackets, as prescan() finds it) lose the white space and folding
    around them and are joined with ", "; an address that would take the
    line past width columns (LINE_MAX; for a mailer with L=N under 80, N-2)
    starts a new line indented by eight spaces.
    A value that does not scan is kept as it came. rewrite, when given,
    turns each address into what the mailer wants (remotename() at
    delivery); without it the addresses are kept as written (the qf file).
    """
    out: list[str] = []
    column = len(name) + 2
    p, n = 0, len(value)
    first = True
    while p < n:
        while p < n and (value[p].isspace() or value[p] == ","):
            p += 1
        if p >= n:
            break
        tokens, end, _errors = prescan(value[p:], table, ",")
        if tokens is None and end == 0:
            return value
        address = value[p:p + end].rstrip()
        p += max(end, 1)
        if not address:
            continue
        if rewrite is not None:
            address = rewrite(address)
        column += len(address) + (0 if first else 2)
        if not first and column > width:
            out.append(",\n        ")
            column = 8 + len(address)
        elif not first:
            out.append(", ")
        out.append(address)
        first = False
    return " " + "".join(out)
