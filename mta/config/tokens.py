"""Sendmail's prescan(): text to tokens, with its token tables and error texts.

SYNOPSIS
    table = TokenTables(".:%@!^/[]+")
    tokens, end, errors = prescan("user@host", table.noc, delim=",")
    print(xputs("ab\\x81"))                  # how -bt prints a token

DESCRIPTION
    Mirrors prescan() in Sendmail's parseaddr.c: a state machine over character
    types (OPR operator, ATM atom, QST quote, SPC space, ONE single) with the
    same state table, comment (parenthesis) and angle-bracket counting, backslash
    handling (a "\\!" outside quotes drops the backslash), and the same repairs
    and messages for unbalanced quotes, parentheses and angle brackets.

    There are three tables, as in Sendmail: EXT for addresses from outside
    (parentheses are comments), INT for rescanning rule output (comments too),
    and NOC, used for R lines and `-bt` input of V9+ configurations, where
    parentheses are operator tokens. Operator characters are OperatorChars
    plus "()<>,;\\r\\n".

    Text is handled as latin-1 decoded bytes, so every byte is one character.
    Rule operators inside a string (when rule output is concatenated and
    rescanned, as Sendmail does for map defaults) are private-use characters
    (OP_BASE + index): encode_op/decode_op convert; prescan turns each into its
    own Op token.

DIAGNOSTICS
    prescan returns the error texts it would print (e.g. "Unbalanced '<'")
    with the repaired token list; None for the list when the address is
    unusable (too long, too many tokens), with the error text.

SEE ALSO
    mta.config.model (Op), mta.rules.engine, Sendmail op.me 5.1.
"""

from __future__ import annotations

from typing import Final

from mta.config.model import OP_BASE, Op, op_list

# (Final: constants in the compiled build, see mta.util.native)
OPR: Final = 0
ATM: Final = 1
QST: Final = 2
SPC: Final = 3
ONE: Final = 4
ILL: Final = 5
_M: Final = 0o20  # meta: do not keep the character
_B: Final = 0o40  # break: end the token before this character
_TYPE: Final = 0o17

# StateTab[old state][character type] (parseaddr.c)
_STATE_TAB: Final = [  # flat: [state * 6 + character type] (a list, not rebuilt when compiled)
    OPR | _B, ATM | _B, QST | _B, SPC | _M | _B, ONE | _B, ILL | _M | _B,  # OPR
    OPR | _B, ATM, QST | _B, SPC | _M | _B, ONE | _B, ILL | _M | _B,  # ATM
    QST, QST, OPR, QST, QST, QST,  # QST
    OPR, ATM, QST, SPC | _M, ONE, ILL | _M | _B,  # SPC
    OPR | _B, ATM | _B, QST | _B, SPC | _M | _B, ONE | _B, ILL | _M | _B,  # ONE
    OPR | _B, ATM | _B, QST | _B, SPC | _M | _B, ONE | _B, ILL | _M,  # ILL
]

DELIMCHARS: Final = "()<>,;\r\n"
DEFAULT_OPERATOR_CHARS: Final = ".:@[]"
MAXATOM: Final = 200  # tokens in one address
MAXNAME: Final = 256  # characters in one token
PSBUFSIZE: Final = 1000 + 256  # MAXNAME + MAXATOM bytes: the prescan buffer

# Operators that can sit inside a string: OP_BASE + index (mta.config.model).
_OP: Final = Op  # a static in the compiled build, where Op is a module lookup
_OPS: Final = op_list()  # the operator registry, appended to as operators are made


def encode_op(op: Op) -> str:
    """The private-use character standing for op inside a concatenated string."""
    return op.code


def decode_op(ch: str) -> Op | None:
    """The Op a private-use character stands for, or None."""
    i = ord(ch) - OP_BASE
    return _OPS[i] if 0 <= i < len(_OPS) else None


def _base_table(comments: bool) -> list[int]:
    t = [ATM] * 256
    for c in "\t\n\x0b\x0c\r ":
        t[ord(c)] = SPC
    t[ord('"')] = QST
    if comments:
        t[ord("(")] = SPC
        t[ord(")")] = SPC
    return t


class TokenTables:
    """The EXT, INT and NOC character-type tables for one OperatorChars setting."""

    __slots__ = ("ext", "int", "noc", "operator_chars")

    def __init__(self, operator_chars: str | None) -> None:
        ops = (operator_chars if operator_chars is not None else DEFAULT_OPERATOR_CHARS)
        self.operator_chars = ops
        self.ext = _base_table(True)
        self.int = _base_table(True)
        self.noc = _base_table(False)
        self.noc[0xFF] = SPC  # test-mode input: 0xFF parts tokens (Sendmail 8.17, checked)
        for c in ops + DELIMCHARS:
            o = ord(c)
            if o > 255:
                continue
            for t in (self.ext, self.int, self.noc):
                if t[o] == ATM:
                    t[o] = OPR

    def is_atom_token(self, token: str) -> bool:
        """cataddr's test: does the token start with an atom character (IntTokenTab)?"""
        if isinstance(token, _OP) or not token:
            return False
        o = ord(token[0])
        return o < 256 and self.int[o] == ATM


_NOCHAR: Final = -1
# what xputs() leaves out: the control characters but \t \n \v \f \r, DEL and 0xFF
_UNSHOWN: Final = {c: None for c in (*range(1, 9), *range(14, 32), 127, 255)}
_CHR: Final = [chr(i) for i in range(256)]


def prescan(
    text: str,
    table: list[int],
    delim: str = "\0",
    *,
    ignore: bool = False,
    ops: bool = False,
) -> tuple[list[str] | None, int, list[str]]:
    """Break text into tokens as Sendmail's prescan() does.

    Args:
        text: the address (latin-1 decoded).
        table: a TokenTables table (ext, int or noc).
        delim: the character ending the address ("," for lists, "\\0" for none).
        ignore: do not diagnose or repair bad syntax (Sendmail's "ignore" flag).
        ops: private-use operator characters (encode_op) become Op tokens.

    Returns:
        (tokens, end, errors): tokens is None when the address is unusable or
        empty; end is the index in text where scanning stopped (the delimiter's
        position, or len(text)); errors are the messages Sendmail would print,
        without their SMTP codes, in order.
    """
    errors: list[str] = []
    tokens: list[str] = []
    n = len(text)
    p = 0
    c = _NOCHAR
    state = ATM
    bslash = False
    route_syntax = False
    cmntcnt = 0
    anglecnt = 0
    used = 0  # characters stored in the prescan buffer
    limit = PSBUFSIZE - 5
    dc = ord(delim) if len(delim) == 1 else -2  # the delimiter as a code, like c
    while True:
        tok: list[str] = []
        while True:
            if c != _NOCHAR and not bslash:
                if used >= limit:
                    errors.append("Address too long")
                    return None, max(p - 1, 0), errors
                tok.append(_CHR[c] if c < 256 else chr(c))
                used += 1
            if p < n:
                c = ord(text[p])
                p += 1
            else:
                c = 0
                p += 1
            if c == 0:
                if ignore:
                    break
                if state == QST:
                    errors.append("Unbalanced '\"'")
                    c = ord('"')
                elif cmntcnt > 0:
                    errors.append("Unbalanced '('")
                    c = ord(")")
                elif anglecnt > 0:
                    c = ord(">")
                    errors.append("Unbalanced '<'")
                else:
                    break
                p -= 1
            elif c == dc and cmntcnt <= 0 and state != QST:
                if anglecnt <= 0:
                    break
                if delim == "," and not route_syntax:
                    errors.append("Unbalanced '<'")
                    c = ord(">")
                    p -= 1
            if bslash:
                bslash = False
                if cmntcnt > 0:
                    c = _NOCHAR
                    continue
                if c != ord("!") or state == QST:
                    if used >= limit:
                        errors.append("Address too long")
                        return None, max(p - 1, 0), errors
                    tok.append("\\")
                    used += 1
                    continue
            if c == ord("\\"):
                bslash = True
            elif state == QST:
                pass
            elif c == ord("(") and table[ord("(")] == SPC:
                cmntcnt += 1
                c = _NOCHAR
            elif c == ord(")") and table[ord("(")] == SPC:
                if cmntcnt <= 0:
                    if not ignore:
                        errors.append("Unbalanced ')'")
                        c = _NOCHAR
                else:
                    cmntcnt -= 1
            elif cmntcnt > 0:
                c = _NOCHAR
            elif c == ord("<"):
                anglecnt += 1
                q = p
                while q < n and text[q] in " \t\n\r\x0b\x0c":
                    q += 1
                if q < n and text[q] == "@":
                    route_syntax = True
            elif c == ord(">"):
                if anglecnt <= 0:
                    if not ignore:
                        errors.append("Unbalanced '>'")
                        c = _NOCHAR
                else:
                    anglecnt -= 1
                route_syntax = False
            elif dc == 32 and (c == 32 or 9 <= c <= 13):  # " \t\n\v\f\r"
                c = ord(" ")
            if c == _NOCHAR:
                continue
            if c == dc and anglecnt <= 0 and state != QST:
                break
            if c < 256:
                ctype = table[c]
            elif ops and decode_op(chr(c)) is not None:
                ctype = ONE
            else:
                ctype = ATM
            newstate = _STATE_TAB[state * 6 + ctype]
            state = newstate & _TYPE
            if state == ILL:
                ch = chr(c)
                if 0x20 <= c < 0x7F:
                    errors.append(f"Illegal character {ch}")
                else:
                    errors.append(f"Illegal character 0x{c & 0xFF:02x}")
            if newstate & _M:
                c = _NOCHAR
            if newstate & _B:
                break
        if tok:
            used += 1
            if used >= limit:
                errors.append("Address too long")
                return None, max(p - 1, 0), errors
            if len(tokens) >= MAXATOM:
                errors.append("prescan: too many tokens")
                return None, max(p - 1, 0), errors
            if len(tok) + 1 > MAXNAME:
                errors.append("prescan: token too long")
                return None, max(p - 1, 0), errors
            word = "".join(tok)
            op = decode_op(word) if ops and len(word) == 1 else None
            tokens.append(op if op is not None else word)
        if c == 0 or (c > 0 and c == dc and anglecnt <= 0):
            break
    end = p - 1 if p > 0 else 0
    end = min(end, n)
    if not tokens:
        return None, end, errors
    return tokens, end, errors


def xputs(text: str) -> str:
    """A token or string as Sendmail's xputs() shows it (-bt output).

    Control characters other than \t \n \v \f \r, DEL and 0xFF are left
    out (what Sendmail 8.17 shows, checked byte by byte).
    """
    if isinstance(text, _OP):
        return str.__str__(text)
    if text.isascii() and text.isprintable():
        return text
    text = text.translate(_UNSHOWN)
    out: list[str] = []
    for ch in text:
        op = decode_op(ch) if ord(ch) >= OP_BASE else None
        if op is not None:
            out.append(str.__str__(op))
            continue
        c = ord(ch)
        if c >= 0x80:
            out.append("M-")
            c &= 0x7F
        if c < 0x20:
            if c == 0x0A:
                out.append("\\n")
            elif c == 0x0D:
                out.append("\\r")
            elif c == 0x09:
                out.append("\\t")
            else:
                out.append("^" + chr(c ^ 0x40))
        elif c == 0x7F:
            out.append("^?")
        else:
            out.append(chr(c))
    return "".join(out)
