"""Tokens of m4 input, read from the input stack with the current syntax.

SYNOPSIS
    scanner = Scanner(stack)
    kind, value = scanner.next_token()
    scanner.set_quotes("[", "]"); scanner.set_comment("/*", "*/")

DESCRIPTION
    Mirrors GNU m4's next_token(): at each point the input is, in this order of
    precedence, a comment (begin-comment delimiter through end-comment delimiter,
    kept whole), a word ([_A-Za-z][_A-Za-z0-9]*), a quoted string (one level of
    quotes removed, nested quotes counted, the right quote is tried before the left
    one, as GNU does), or a single other character ('(' ',' ')' are told apart for
    argument collection). A builtin pushed back by defn is a MACDEF token.

    Speed comes from regular expressions over the top block: a plain run (text
    that cannot start a word, a quote or a comment) and the word after it are
    matched in one call by the expander's fast loop (plain_word_re /
    arg_plain_word_re). Tokens that run into the end of a block continue in the
    blocks below, character by character around the boundary only.

    Delimiters are empty when disabled: an empty left quote disables quoting, an
    empty begin-comment disables comments.

DIAGNOSTICS
    M4Fatal("ERROR: end of file in string" / "... in comment") at the token's
    start location when input ends inside a token.

SEE ALSO
    m4compat.source, m4compat.expander, GNU m4 manual "Syntax"
"""

from __future__ import annotations

import enum
import re

from m4compat.errors import M4Fatal
from m4compat.location import Location
from m4compat.source import Block, BlockKind, InputStack, resolve

TYPE_CHECKING = False  # typing itself costs ~10 ms to import
if TYPE_CHECKING:
    from collections.abc import Callable

    from m4compat.builtins import BuiltinSpec
    from m4compat.source import LocRef


class Tok(enum.Enum):
    WORD = enum.auto()
    STRING = enum.auto()  # quoted string (value without the quotes)
    COMMENT = enum.auto()  # comment (value with its delimiters)
    SIMPLE = enum.auto()  # other characters
    OPEN = enum.auto()
    COMMA = enum.auto()
    CLOSE = enum.auto()
    MACDEF = enum.auto()
    EOF = enum.auto()


WORD_START = frozenset("_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
WORD_CHARS = WORD_START | frozenset("0123456789")
WHITESPACE = frozenset(" \t\n\v\f\r")
_WORD_RE = re.compile(r"[_A-Za-z][_A-Za-z0-9]*")
_WORD_TAIL_RE = re.compile(r"[_A-Za-z0-9]*")
_WS_RE = re.compile(r"[ \t\n\v\f\r]*")
_SINGLE = {"(": Tok.OPEN, ",": Tok.COMMA, ")": Tok.CLOSE}

DEFAULT_LQUOTE = "`"
DEFAULT_RQUOTE = "'"
DEFAULT_BCOMM = "#"
DEFAULT_ECOMM = "\n"

Token = tuple[Tok, "str | BuiltinSpec"]


def _class_escape(chars: str) -> str:
    return "".join("\\" + c if c in "\\]^-[" else c for c in sorted(set(chars)))


class Scanner:
    """Reads tokens from an InputStack under the current quote and comment syntax."""

    def __init__(self, stack: InputStack, on_pop: Callable[[Block], None] | None = None) -> None:
        self.stack = stack
        self.blocks = stack.blocks
        self.on_pop = on_pop
        self.lquote = DEFAULT_LQUOTE
        self.rquote = DEFAULT_RQUOTE
        self.bcomm = DEFAULT_BCOMM
        self.ecomm = DEFAULT_ECOMM
        self.plain_word_re: re.Pattern[str] = _WORD_RE
        self.arg_plain_word_re: re.Pattern[str] = _WORD_RE
        self._quote_re: re.Pattern[str] = _WORD_RE
        self.token_location: LocRef = Location("", 0)
        self.paren_simple = True
        # Set once a NUL byte has been read: GNU m4's tokens are C strings.
        self.nul = False
        self.quote1 = "`"
        self._ws_delims = False
        self._recompile()

    # -- syntax ---------------------------------------------------------------

    def set_quotes(self, lquote: str, rquote: str) -> None:
        self.lquote = lquote
        self.rquote = rquote
        self._recompile()

    def set_comment(self, bcomm: str, ecomm: str) -> None:
        self.bcomm = bcomm
        self.ecomm = ecomm
        self._recompile()

    def _recompile(self) -> None:
        starts = {d[0] for d in (self.lquote, self.bcomm) if d}
        # '(' ',' ')' mean themselves unless a quote or comment starts with them.
        self.paren_simple = not (starts & {"(", ",", ")"})
        # A one-character left quote that no comment shadows: the fast path.
        self.quote1 = (
            self.lquote
            if len(self.lquote) == 1
            and self.lquote not in WORD_START  # a word wins over a letter quote
            and not (self.bcomm and self.bcomm[0] == self.lquote)
            else ""
        )
        self._ws_delims = bool(starts & WHITESPACE)
        # A whole argument that is one quoted string without nested quotes, or
        # plain text without words, quotes, comments or parentheses, followed by
        # ',' or ')': the common case, read with one match (collect_args).
        self.simple_arg_re: re.Pattern[str] | None = None
        if (
            self.quote1
            and len(self.rquote) == 1
            and self.paren_simple
            and not self._ws_delims
        ):
            lq = re.escape(self.lquote)
            rq = re.escape(self.rquote)
            in_class = _class_escape(self.lquote + self.rquote)
            stops = _class_escape(self.lquote + self.rquote + self.bcomm[:1] + "(),")
            self.simple_arg_re = re.compile(
                f"[ \\t\\n\\v\\f\\r]*(?:{lq}([^{in_class}]*){rq}"
                f"|([^{stops}_A-Za-z \\t\\n\\v\\f\\r][^{stops}_A-Za-z]*))?([,)])"
            )
        special = "_A-Za-z"
        extra = ""
        if self.lquote:
            extra += self.lquote[0]
        if self.bcomm:
            extra += self.bcomm[0]
        stop = special + _class_escape(extra)
        # When a comment starts with a letter, it wins over the word there: the
        # word group is then never matched and next_token decides.
        word = "(?!)" if self.bcomm and self.bcomm[0] in WORD_START else "[_A-Za-z][_A-Za-z0-9]*"
        self.plain_word_re = re.compile(f"([^{stop}]*)({word})?")
        self.arg_plain_word_re = re.compile(f"([^{stop}{_class_escape('(),' + extra)}]*)({word})?")
        # The right quote is tried first at each position, as GNU m4 does.
        if self.lquote:
            self._quote_re = re.compile(
                f"(?P<r>{re.escape(self.rquote)})|(?P<l>{re.escape(self.lquote)})"
            )

    # -- block handling ---------------------------------------------------------

    def pop(self) -> None:
        block = self.blocks.pop()
        if block.kind is BlockKind.FILE:
            self.stack.exhausted_file = _final_location(block)
            if self.on_pop is not None:
                self.on_pop(block)

    def top(self) -> Block | None:
        """The top block with input left, popping exhausted ones."""
        blocks = self.blocks
        while blocks:
            block = blocks[-1]
            if block.pos < len(block.text) or block.kind is BlockKind.MACDEF:
                return block
            self.pop()
        return None

    def peek_char(self) -> str:
        """The next character without reading it; "" at end of input or before a MACDEF."""
        for block in reversed(self.blocks):
            if block.kind is BlockKind.MACDEF:
                return ""
            if block.pos < len(block.text):
                return block.text[block.pos]
        return ""

    def _peek_text(self, n: int) -> str:
        """Up to n characters of the input ahead, across blocks, without reading."""
        parts: list[str] = []
        need = n
        for block in reversed(self.blocks):
            if block.kind is BlockKind.MACDEF:
                break
            chunk = block.text[block.pos : block.pos + need]
            parts.append(chunk)
            need -= len(chunk)
            if need <= 0:
                break
        return "".join(parts)

    def _starts_with(self, delim: str) -> bool:
        """Whether the input ahead starts with delim (which is not empty)."""
        block = self.top()
        if block is None or block.kind is BlockKind.MACDEF:
            return False
        if block.text.startswith(delim, block.pos):
            return True
        if len(block.text) - block.pos >= len(delim):
            return False
        return self._peek_text(len(delim)) == delim

    def _skip(self, n: int) -> None:
        """Read n characters that are known to be there."""
        while n:
            block = self.top()
            assert block is not None and block.kind is not BlockKind.MACDEF
            take = min(n, len(block.text) - block.pos)
            block.pos += take
            n -= take

    def _getc(self) -> str:
        block = self.top()
        while block is not None and block.kind is BlockKind.MACDEF:
            self.blocks.pop()  # a builtin token inside a string or comment is dropped
            block = self.top()
        if block is None:
            return ""
        ch = block.text[block.pos]
        block.pos += 1
        return ch

    def match(self, delim: str) -> bool:
        """Read delim if the input ahead starts with it."""
        if delim and self._starts_with(delim):
            self._skip(len(delim))
            return True
        return False

    # -- tokens -----------------------------------------------------------------

    def peek_is_open(self) -> bool:
        """GNU peek_token() == TOKEN_OPEN: '(' that does not start a comment or quote."""
        ch = self.peek_char()
        if ch != "(":
            return False
        if self.bcomm and self.bcomm[0] == "(" and self._starts_with(self.bcomm):
            return False
        return not (self.lquote and self.lquote[0] == "(" and self._starts_with(self.lquote))

    def next_token(self) -> Token:
        block = self.top()
        if block is None:
            return (Tok.EOF, "")
        if block.kind is BlockKind.MACDEF:
            self.blocks.pop()
            assert block.macdef is not None
            return (Tok.MACDEF, block.macdef)
        text = block.text
        pos = block.pos
        ch = text[pos]
        if self.bcomm and ch == self.bcomm[0] and self._starts_with(self.bcomm):
            self.token_location = self.stack.token_start()
            return (Tok.COMMENT, self.cut_nul(self.read_comment()))
        if ch in WORD_START:
            return (Tok.WORD, self.read_word())
        if self.lquote and ch == self.lquote[0] and self._starts_with(self.lquote):
            self.token_location = self.stack.token_start()
            self._skip(len(self.lquote))
            return (Tok.STRING, self.cut_nul(self.read_quoted()))
        block.pos = pos + 1
        return (_SINGLE.get(ch, Tok.SIMPLE), self.cut_nul(ch))

    def cut_nul(self, text: str) -> str:
        """A token's text as GNU m4 keeps it: a C string, cut at the first NUL byte.

        Only input that had a NUL byte in it pays for this (the `nul` flag).
        """
        if self.nul:
            end = text.find("\0")
            if end >= 0:
                return text[:end]
        return text

    def read_word(self) -> str:
        """Read a word starting at the current position (its first char is a word start)."""
        block = self.top()
        assert block is not None
        m = _WORD_RE.match(block.text, block.pos)
        assert m is not None
        block.pos = m.end()
        word = m.group()
        if block.pos == len(block.text):
            word += self.word_tail()
        return word

    def word_tail(self) -> str:
        """Word characters that continue a word across block boundaries."""
        parts: list[str] = []
        while self.peek_char() in WORD_CHARS and self.peek_char():
            block = self.top()
            assert block is not None
            m = _WORD_TAIL_RE.match(block.text, block.pos)
            assert m is not None
            parts.append(m.group())
            block.pos = m.end()
        return "".join(parts)

    def quoted_here(self, block: Block) -> str:
        """Read the quoted string whose one-character left quote is at block.pos."""
        pos = block.pos
        if block.kind is BlockKind.FILE or block.loc is None:
            self.token_location = self.stack.token_start()
        else:
            self.token_location = block.loc
        block.pos = pos + 1
        return self.cut_nul(self.read_quoted())

    def read_quoted(self, depth: int = 1) -> str:
        """Read the rest of a quoted string whose left quote was read."""
        lq, rq = self.lquote, self.rquote
        blocks = self.blocks
        if depth == 1 and blocks:
            # Fast path: the closing quote is in this block and nothing nests.
            first = blocks[-1]
            text = first.text
            pos = first.pos
            close = text.find(rq, pos)
            if close >= 0 and text.find(lq, pos, close + len(lq) - 1) < 0:
                first.pos = close + len(rq)
                return text[pos:close]
        quote_re = self._quote_re
        longest = max(len(lq), len(rq))
        parts: list[str] = []
        while True:
            block = self.top()
            if block is None:
                raise M4Fatal("ERROR: end of file in string", resolve(self.token_location))
            if block.kind is BlockKind.MACDEF:
                self.blocks.pop()
                continue
            text = block.text
            pos = block.pos
            for m in quote_re.finditer(text, pos):
                if m.lastgroup == "r":
                    depth -= 1
                    if depth == 0:
                        parts.append(text[pos : m.start()])
                        block.pos = m.end()
                        return "".join(parts)
                else:
                    depth += 1
                end = m.end()
                parts.append(text[pos:end])
                pos = end
            end = len(text)
            if longest == 1:
                parts.append(text[pos:end])
                block.pos = end
                continue
            # A delimiter may start in the last characters and end in the next block.
            safe = max(pos, end - longest + 1)
            parts.append(text[pos:safe])
            block.pos = safe
            while block.pos < len(block.text):
                if self.match(rq):
                    depth -= 1
                    if depth == 0:
                        return "".join(parts)
                    parts.append(rq)
                elif self.match(lq):
                    depth += 1
                    parts.append(lq)
                else:
                    parts.append(self._getc())

    def read_comment(self) -> str:
        """Read a comment whose begin delimiter is next; returns it with delimiters."""
        bcomm, ecomm = self.bcomm, self.ecomm
        self._skip(len(bcomm))
        parts = [bcomm]
        while True:
            block = self.top()
            if block is None:
                raise M4Fatal("ERROR: end of file in comment", resolve(self.token_location))
            if block.kind is BlockKind.MACDEF:
                self.blocks.pop()
                continue
            text = block.text
            pos = block.pos
            if not ecomm:
                parts.append(text[pos:])
                block.pos = len(text)
                continue
            found = text.find(ecomm, pos)
            if found >= 0:
                end = found + len(ecomm)
                parts.append(text[pos:end])
                block.pos = end
                return "".join(parts)
            end = len(text)
            safe = max(pos, end - len(ecomm) + 1)
            parts.append(text[pos:safe])
            block.pos = safe
            while block.pos < len(block.text):
                if self.match(ecomm):
                    parts.append(ecomm)
                    return "".join(parts)
                parts.append(self._getc())

    def skip_whitespace(self) -> None:
        """Skip unquoted whitespace characters (GNU isspace in the C locale)."""
        if self._ws_delims:
            # Whitespace that starts a comment or a quote is a token of its own.
            while True:
                ch = self.peek_char()
                if not ch or ch not in WHITESPACE:
                    return
                if (self.bcomm and self._starts_with(self.bcomm)) or (
                    self.lquote and self._starts_with(self.lquote)
                ):
                    return
                self._skip(1)
        blocks = self.blocks
        while blocks:
            block = blocks[-1]
            if block.kind is BlockKind.MACDEF:
                return
            text = block.text
            m = _WS_RE.match(text, block.pos)
            assert m is not None
            end = m.end()
            block.pos = end
            if end < len(text):
                return
            self.pop()

    def skip_line(self) -> bool:
        """Read input through the next newline (dnl); False when input ended first."""
        while True:
            block = self.top()
            if block is None:
                return False
            if block.kind is BlockKind.MACDEF:
                self.blocks.pop()
                continue
            found = block.text.find("\n", block.pos)
            if found >= 0:
                block.pos = found + 1
                return True
            block.pos = len(block.text)


def _final_location(block: Block) -> Location:
    # At end of file GNU has read past the last newline, so the line counts it.
    return Location(block.name, block.text.count("\n") + 1)
