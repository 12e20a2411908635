"""The rewriting engine: Sendmail's rewrite() over token lists.

SYNOPSIS
    engine = RuleEngine(config, mapset, macros=env, classes=table, out=print)
    tokens = engine.tokenize("user@example.com")
    status = engine.rewrite(tokens, config.ruleset_names["canonify"])   # in place

DESCRIPTION
    Mirrors rewrite() and callsubr() in Sendmail's parseaddr.c, rule by rule:
    LHS matching with $* (shortest first, extended on backup), $+ and $-
    (one token, $+ extended on backup), $=X (the shortest phrase in class X,
    extended on backup), $~X, $@ (zero tokens), $&x (a run-time macro) and
    case-insensitive literal tokens; RHS substitution of $1..$9 and $&x, then
    $[ $] host and $( $) map lookups (with $@ arguments and $: default), then
    $>set subroutine calls, rightmost first, each rewriting the rest of the
    list. "$:" at the head of a RHS applies the rule once, "$@" returns, and
    a list starting with "$#" ends the ruleset. The loop guard (100 rewrites
    of one rule) and the recursion limit (50) give Sendmail's messages.

    Rules are compiled once into matcher steps when the engine is built; a
    rewrite never re-parses text. In test mode (-bt) every ruleset prints
    "NAME   input: ..." and "NAME returns: ...", as Sendmail does; debug flags
    21.x add Sendmail's rule traces.

    A ruleset call that printed no message, changed nothing and asked only maps
    whose answers depend on their data is remembered with its trace and replayed
    when the same tokens come back (see "the memo" below); Sendmail has no such
    memo, and the output is the same with it or without it.

DIAGNOSTICS
    rewrite() returns a sysexits status: EX_OK, EX_TEMPFAIL (75) after a map
    temporary failure, EX_CONFIG (78) for a recursion or missing ruleset,
    EX_DATAERR (65) when the result grows too long. Messages Sendmail prints
    go to the `out` callback. Nothing raises for bad input.

SEE ALSO
    mta.config.model, mta.config.tokens, mta.maps.registry, mta.rules.testmode,
    Sendmail op.me 5.1.4 ("R and S -- rewriting rules").
"""

from __future__ import annotations

import math
import re
import time
from bisect import bisect_left
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, Protocol

from mta.config.macros import expand
from mta.config.model import Config, Op, OpKind
from mta.config.options import atobool
from mta.config.tokens import MAXATOM, TokenTables, encode_op, prescan, xputs
from mta.maps.base import AliasName, LookupResult, LookupStatus
from mta.rules.macros import ClassTable, MacroEnv
from mta.util.sysexits import ExitCode
from mta.util.text import MAXSHORTSTR, shortenstring

# The <sysexits.h> values of mta.util.sysexits, as plain ints: the compiled build
# keeps a Final int as a number, where an enum member is a Python object.
EX_OK: Final = int(ExitCode.EX_OK)
EX_USAGE: Final = int(ExitCode.EX_USAGE)
EX_DATAERR: Final = int(ExitCode.EX_DATAERR)
EX_UNAVAILABLE: Final = int(ExitCode.EX_UNAVAILABLE)
EX_SOFTWARE: Final = int(ExitCode.EX_SOFTWARE)
EX_OSERR: Final = int(ExitCode.EX_OSERR)
EX_TEMPFAIL: Final = int(ExitCode.EX_TEMPFAIL)
EX_CONFIG: Final = int(ExitCode.EX_CONFIG)

MAX_RULE_RECURSION: Final = 50
MAX_RULE_TRIES = 200_000  # per top-level rewrite (RuleEngine.rewrite); not Final: tests lower it
LOOP_LIMIT: Final = 100
MAXRWSETS: Final = 200
MAX_MAP_ARGS: Final = 10
MEMO_SIZE: Final = 32768  # remembered ruleset calls (RuleEngine._rewrite); the oldest go first
MEMO_VARIANTS: Final = 8  # remembered results of one call for different macro values
MEMO_RECHECK = 1.0  # seconds between two looks at the map files for the memo

# LHS step codes
# (Final: mypyc compiles them to constants instead of module lookups, see mta.util.native)
_LIT: Final = 0
_ZANY: Final = 1
_ANY: Final = 2
_ONE: Final = 3
_CLASS: Final = 4
_NCLASS: Final = 5
_ZERO: Final = 6
_DEXPAND: Final = 7
_ANYTHING: Final = ((_ZANY, ""),)
_CONSUMING: Final = frozenset({_LIT, _ANY, _ONE, _CLASS, _NCLASS})
_OP: Final = Op  # a static in the compiled build, where Op is a module lookup
_CANONNET: Final = OpKind.CANONNET
_CALLSUBR: Final = OpKind.CALLSUBR
_LOOKUP_KINDS: Final = (OpKind.HOSTBEGIN, OpKind.LOOKUPBEGIN)
_HOSTBEGIN: Final = OpKind.HOSTBEGIN
_HOSTEND: Final = OpKind.HOSTEND
_LOOKUPEND: Final = OpKind.LOOKUPEND
_CANONHOST: Final = OpKind.CANONHOST
_CANONUSER: Final = OpKind.CANONUSER
_STEP = {
    OpKind.MATCH_ZANY: _ZANY,
    OpKind.MATCH_ANY: _ANY,
    OpKind.MATCH_ONE: _ONE,
    OpKind.MATCH_CLASS: _CLASS,
    OpKind.MATCH_NCLASS: _NCLASS,
    OpKind.MATCH_ZERO: _ZERO,
    OpKind.MACRODEXPAND: _DEXPAND,
}


# token -> its key: most tokens come back again and again, and the same key object
# (with its hash already computed) makes the rule filters' sets cheaper
_KEY_CACHE: Final[dict[str, str]] = {}
_KEY_CACHE_SIZE: Final = 65536


def _keys(tokens: list[str]) -> list[str]:
    """token_key() of every token (this runs after every rule that fires)."""
    cache = _KEY_CACHE
    out: list[str] = []
    for t in tokens:
        if type(t) is _OP:
            out.append(encode_op(t))
            continue
        key = cache.get(t)
        if key is None:
            if len(cache) >= _KEY_CACHE_SIZE:
                cache.clear()
            key = cache[t] = t.lower()
        out.append(key)
    return out


def _has_subr(tokens: list[str]) -> bool:
    """Whether tokens hold a "$>" (a subroutine call)."""
    for t in tokens:
        if type(t) is _OP and t.kind is _CALLSUBR:
            return True
    return False


def _find(keys: list[str], key: str, start: int) -> int:
    """keys.index(key, start), or -1 (no exception: a miss is common when backing up)."""
    n = len(keys)
    i = start
    while i < n:
        if keys[i] == key:
            return i
        i += 1
    return -1


def token_key(tok: str) -> str:
    """The comparison key of a token: operators by identity, words case-folded."""
    if type(tok) is _OP:
        return encode_op(tok)
    return tok.lower()


class CompiledRule:
    """One rule ready to match: LHS steps, RHS tokens and their flags."""

    __slots__ = ("anything", "first_key", "jumps", "keeps_keys", "lhs", "lhs_tokens", "line",
                 "literals", "min_tokens", "mode", "needs_lookup", "needs_subr", "plan", "rhs",
                 "rhs_tokens", "subr_quotes_stripped")

    def __init__(self, lhs: Sequence[str], rhs: Sequence[str], line: int) -> None:
        steps: list[tuple[int, str]] = []
        for tok in lhs:
            if type(tok) is Op:
                code = _STEP.get(tok.kind)
                if code is None:
                    steps.append((_LIT, encode_op(tok)))
                else:
                    steps.append((code, str(tok.arg) if tok.arg is not None else ""))
            else:
                steps.append((_LIT, tok.lower()))
        self.lhs = tuple(steps)
        self.lhs_tokens = tuple(lhs)
        self.rhs_tokens = tuple(rhs)
        self.line = line
        mode = 0
        body = list(rhs)
        head = body[0] if body else None
        if isinstance(head, Op):
            if head.kind is OpKind.CANONUSER:
                mode = 1
                body = body[1:]
            elif head.kind is OpKind.CANONHOST:
                mode = 2
                body = body[1:]
        self.mode = mode
        self.rhs = tuple(body)
        self.needs_lookup = any(
            type(t) is Op and t.kind in (OpKind.HOSTBEGIN, OpKind.LOOKUPBEGIN) for t in body
        )
        self.needs_subr = any(type(t) is Op and t.kind is OpKind.CALLSUBR for t in body)
        # the keys of the result are worth building only when no lookup or call
        # will change the tokens again (then they are made afresh)
        self.keeps_keys = not (self.needs_lookup or self.needs_subr)
        # quick rejects: a rule whose LHS starts with a literal needs that first token,
        # every literal of the LHS must be somewhere in the input, and the input
        # needs at least one token for each step that consumes one
        self.first_key = steps[0][1] if steps and steps[0][0] == _LIT else None
        self.anything = self.lhs == _ANYTHING
        # jumps[i]: for a $* or $+ followed by a literal, that literal: the matcher
        # moves the wildcard's end straight to the literal's next occurrence (the
        # positions in between fail at the literal, so the result is the same)
        self.jumps = tuple(
            steps[i + 1][1] if code in (_ZANY, _ANY) and i + 1 < len(steps)
            and steps[i + 1][0] == _LIT else None
            for i, (code, _arg) in enumerate(steps)
        )
        self.plan = _plan(self.rhs)
        self.subr_quotes_stripped = False
        self.literals = tuple(dict.fromkeys(arg for code, arg in steps if code == _LIT))
        self.min_tokens = sum(1 for code, _arg in steps if code in _CONSUMING)

    def strip_subr_quotes(self) -> None:
        """callsubr() strips quotes from "$>name" tokens in place, so in the rule.

        Sendmail's token after $> is the rule's own string; once the rule has
        fired, =S shows the name without its quotes. We do the same.
        """
        def strip(tokens: tuple[str, ...]) -> tuple[str, ...]:
            out = list(tokens)
            for k in range(len(out) - 1):
                t = out[k]
                if type(t) is Op and t.kind is OpKind.CALLSUBR and type(out[k + 1]) is str:
                    out[k + 1] = stripquotes(out[k + 1])
            return tuple(out)

        if not self.subr_quotes_stripped:
            self.rhs = strip(self.rhs)
            self.plan = _plan(self.rhs)
            self.rhs_tokens = strip(self.rhs_tokens)
            self.subr_quotes_stripped = True


# RHS plan steps: a run of tokens (with their keys), a $n (index, digit) or a $&x (name)
_RUN: Final = 0
_REPL: Final = 1
_DEFER: Final = 2
_PlanStep = tuple[int, tuple[str, ...], tuple[str, ...], int, str]


def _plan(rhs: Sequence[str]) -> tuple[_PlanStep, ...]:
    """The RHS as runs of plain tokens between the $n and $&x that substitute."""
    plan: list[_PlanStep] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            plan.append((_RUN, tuple(run), tuple(_keys(run)), 0, ""))
            run.clear()

    for tok in rhs:
        if type(tok) is Op and tok.kind is OpKind.MATCH_REPL:
            flush()
            plan.append((_REPL, (), (), int(tok.arg or 0) - 1, str(tok.arg)))
        elif type(tok) is Op and tok.kind is OpKind.MACRODEXPAND:
            flush()
            plan.append((_DEFER, (), (), 0, str(tok.arg)))
        else:
            run.append(tok)
    flush()
    return tuple(plan)


class MapLookup(Protocol):
    """What the engine needs from the maps: MapSet satisfies it."""

    def lookup(self, name: str, key: str, args: Sequence[str], ctx: Any) -> LookupResult: ...

    def get(self, name: str) -> object | None: ...

    def stamp(self) -> tuple[object, ...]:
        """Changes when the data of an opened map changes (for the memo)."""
        ...

    def opened_count(self) -> int:
        """A count that grows whenever a map is opened."""
        ...

    def reusable(self, name: str) -> bool:
        """Whether answers of map name may be remembered."""
        ...


class RuleEngine:
    """Runs the rulesets of one Config; holds the run-time macros and classes.

    Args:
        config: the loaded .cf.
        maps: the named maps (mta.maps.registry.MapSet) or None for no maps.
        macros: run-time macros (a copy of the .cf ones by default).
        classes: run-time classes (built from the .cf by default).
        out: receives every line Sendmail would print (traces, messages).
        test_mode: print ruleset input/returns lines (sendmail -bt).
        debug: TRACEFLAGS levels, category -> level (e.g. {21: 12}).
        memo: remember the results of ruleset calls (see _rewrite).
    """

    def __init__(
        self,
        config: Config,
        maps: MapLookup | None = None,
        *,
        macros: MacroEnv | None = None,
        classes: ClassTable | None = None,
        out: Callable[[str], None] | None = None,
        test_mode: bool = False,
        debug: Mapping[int, int] | None = None,
        memo: bool = True,
    ) -> None:
        self.config = config
        self.maps = maps
        self.macros = macros if macros is not None else MacroEnv(config.macros)
        self.classes = classes if classes is not None else ClassTable(config)
        self.out: Callable[[str], None] = out if out is not None else (lambda s: None)
        self.test_mode = test_mode
        self.debug: dict[int, int] = dict(debug or {})
        self.syserr_count = 0
        self._tries = 0
        self._max_tries: int = MAX_RULE_TRIES
        self._indexes: dict[int, dict[str | None, list[int]]] = {}
        self._heads: dict[tuple[int, str, bool], str] = {}
        self._maps_seen: dict[str, tuple[object | None, str]] = {}
        self._subr_numbers: dict[str, int] = {}
        # Sendmail's ExitStat (set by syserr and setstat) and e_to, the address
        # whose name prefixes user error messages ("addr... text").
        self.exit_stat = EX_OK
        self.e_to: str | None = None
        # In an SMTP session user errors are replies, not printed lines: when this
        # list is set, usrerr() appends (code, enhanced status or None, text with
        # the "e_to... " prefix) to it instead (mta.rules.check reads it).
        self.smtp_errors: list[tuple[str, str | None, str]] | None = None
        # put before each message, error and warning (not traces): "FILE: line N: "
        # while a file is read, as Sendmail's FileName and LineNumber do
        self.msg_prefix = ""
        # where message() goes when not to out: Sendmail's message() reaches the
        # terminal of a command-line submission only with -v (None: to out)
        self.notes: Callable[[str], None] | None = None
        self._eight_bit_ok: bool | None = None  # the EightBitAddrOK option, read once
        # The memo of ruleset calls: see _rewrite. _impure counts what must not be
        # replayed (messages, side effects, answers from outside).
        self._memo: dict[tuple[object, ...], list[_Recall]] | None = {} if memo else None
        self._memo_stamp: tuple[object, ...] | None = None
        self._memo_generation = -1  # of the classes
        self._memo_expiry = math.inf
        # the map files are looked at (stat) at most every memo_recheck seconds: a
        # map rebuilt while the process runs is seen within that time
        self.memo_recheck: float = MEMO_RECHECK
        self._memo_check_at = -math.inf
        self._memo_reusable: dict[str, bool] = {}
        self._impure = 0
        self.memo_hits = 0  # replayed calls, for tests and benches
        # map answers the memo's calls may depend on, by (map, key, *args): _lookup
        self._answers: dict[tuple[str, ...], LookupResult] = {}
        self._depth = 0
        self._opened = 0
        self._transcript: list[str] | None = None
        # the macros read (name, expanded value) while the memo records: what a
        # remembered call depends on besides its tokens, the classes and the maps
        self._reads: list[tuple[str, str | None]] = []
        # map values and defaults already broken into tokens (prescan is pure)
        self._scanned: dict[tuple[str, bool], tuple[str, ...]] = {}
        self._sink = self.out
        ops = config.options.get("OperatorChars")
        if ops is None and config.version_level < 7:
            ops = config.macros.get("o")
        if ops is not None:
            ops = expand(ops, self.macros.get)
        self.tables = TokenTables(ops)
        blank = config.options.get("BlankSub", "")
        self.space_sub = blank[:1] if blank else " "
        self.rules: dict[int, tuple[CompiledRule, ...]] = {
            n: tuple(CompiledRule(r.lhs, r.rhs, r.location.line) for r in rs.rules)
            for n, rs in config.rulesets.items()
        }
        self.names: dict[int, str] = {
            n: rs.name for n, rs in config.rulesets.items() if rs.name is not None
        }
        self.names.update({v: k for k, v in config.ruleset_names.items() if v not in self.names})

    # --- helpers --------------------------------------------------------------

    def tt(self, category: int, level: int) -> bool:
        """Sendmail's tTd(category, level)."""
        return self.debug.get(category, 0) >= level

    def rule_name(self, ruleset: int) -> str:
        return self.names.get(ruleset) or str(ruleset)

    def ruleset_number(self, text: str, *, report: bool = False) -> int:
        """strtorwset(text, ST_FIND): a number, or a known name; -1 if unknown.

        With report, print Sendmail's complaints about a bad number or name.
        """
        s = text.lstrip(" \t")
        if s[:1].isdigit():
            digits = ""
            for ch in s:
                if not ch.isdigit():
                    break
                digits += ch
            n = int(digits)
            if n >= MAXRWSETS // 2:
                if report:
                    self.syserr(f"bad ruleset {n} ({MAXRWSETS // 2} max)")
                return -1
            return n
        name = ""
        for ch in s:
            if not (ch.isascii() and (ch.isalnum() or ch == "_")):
                break
            name += ch
        if not name or not name[0].isalpha():
            if report:
                self.syserr(f'invalid ruleset name: "{s[:20]}"')
            return -1
        n2 = self.config.ruleset_names.get(name)
        return n2 if n2 is not None else -1

    def tokenize(self, text: str, table: list[int] | None = None, delim: str = "\0"
                 ) -> tuple[list[str] | None, int, list[str]]:
        """prescan() with this configuration's tables (EXT by default)."""
        return prescan(text, table if table is not None else self.tables.ext, delim)

    def cataddr(self, tokens: Sequence[str], spacesub: str = "", size: int = 0) -> str:
        """Sendmail's cataddr(): join tokens, spacesub between two atoms.

        With size, the result is cut as Sendmail cuts it in a buffer of that
        many bytes (at most size - 3 characters).
        """
        sub = spacesub or self.space_sub
        parts: list[str] = []
        prev_atom = False
        tables = self.tables
        for t in tokens:
            atom = tables.is_atom_token(t)
            if prev_atom and atom:
                parts.append(sub)
            parts.append(encode_op(t) if type(t) is _OP else t)
            prev_atom = atom
        text = "".join(parts)
        if size and len(text) > size - 3:
            text = text[:max(size - 3, 0)]
        return text

    def printav(self, tokens: Sequence[str]) -> str:
        """The tokens as -bt traces show them: each one after a blank.

        As xputs() shows them: control characters (but blanks), DEL and 0xFF
        are left out; Sendmail keeps them in the tokens, its traces do not
        show them.
        """
        if not tokens:
            return ""
        joined = " ".join(tokens)  # an Op joins as its spelling, as xputs shows it
        if joined.isascii() and joined.isprintable():
            return " " + joined
        return " " + " ".join(map(xputs, tokens))

    def message(self, text: str) -> None:
        self._impure += 1
        (self.notes or self.out)(self.msg_prefix + text)

    def syserr(self, text: str) -> None:
        """A Sendmail syserr(): print it and remember it (the exit status becomes 70)."""
        self._system_error(text, EX_SOFTWARE)

    def os_error(self, text: str) -> None:
        """syserr() with errno set: print it; the exit status becomes EX_OSERR (71)."""
        self._system_error(text, EX_OSERR)

    def _system_error(self, text: str, status: int) -> None:
        self._impure += 1
        self.syserr_count += 1
        if self.exit_stat == EX_OK:
            self.exit_stat = status
        self.out(self.msg_prefix + text)

    def setstat(self, status: int) -> None:
        """Sendmail's setstat(): a first hard status sticks; EX_TEMPFAIL can be replaced."""
        self._impure += 1
        if self.exit_stat in (EX_OK, EX_TEMPFAIL):
            self.exit_stat = status

    def usrerr(self, text: str) -> None:
        """usrerr()/usrerrenh(): print a user error the way a non-SMTP run shows it.

        Also Sendmail's message() about an address: it goes the same way with the
        code 050 ("050 Transient parse error ...").

        text may start with a reply code and an enhanced status ("553 5.1.3 ...");
        550 is assumed. As fmtmsg() does, the text is prefixed with "e_to... " for
        the codes 050/250/252/450/550/553; codes never show outside SMTP, and every
        byte loses its eighth bit.
        """
        self._impure += 1
        num = "550"
        if is_smtp_code(text):
            num, text = text[:3], text[4:]
        n = isenhsc(text, " ")
        enh: str | None = None
        if n > 0:
            enh, text = text[:n], text[n + 1:]
        prefix = ""
        if self.e_to and num in TO_PREFIX_CODES:
            prefix = shortenstring(self.e_to, MAXSHORTSTR) + "... "
        if self.smtp_errors is not None:
            self.smtp_errors.append((num, enh, prefix + text))
            return
        self.out((self.msg_prefix + prefix + text).translate(_STRIP_HIGH_BIT))

    def eight_bit_refused(self, addr: str, *, recipient: bool = True) -> bool:
        """invalidaddr()'s 8-bit test: refuse an address with a byte 0x80-0x9f.

        Those bytes are Sendmail's internal operator codes. Unless EightBitAddrOK
        is set, the address is refused with '8-bit character in mailbox address
        "ADDR"' (each such byte shown as "?") and the exit status EX_USAGE.
        """
        if _OPERATOR_BYTES.search(addr) is None:
            return False
        if self._eight_bit_ok is None:
            self._eight_bit_ok = atobool(self.config.options.get("EightBitAddrOK", "f"))
        if self._eight_bit_ok:
            return False
        self.setstat(EX_USAGE)
        shown = addr.translate(OPERATOR_BYTES_SHOWN)
        self.usrerr(f'501 5.1.{3 if recipient else 7} 8-bit character in mailbox address '
                    f'"{shown}"')
        return True

    def scan_errors(self, text: str, errors: Sequence[str]) -> None:
        """prescan()'s messages about text, as Sendmail prints them: "text... error".

        They are usrerr()s whose address is the text scanned (shortened, and
        without the eighth bit, as every usrerr()); e_to is left as it was.
        """
        if not errors:
            return
        saved = self.e_to
        self.e_to = text
        try:
            for error in errors:
                self.usrerr(with_prescan_status(error))
        finally:
            self.e_to = saved

    # LookupContext for map classes
    def macro(self, name: str) -> str | None:
        v = self.macros.get(name)
        value = None if v is None else expand(v, self.macros.get)
        if self._transcript is not None:
            self._reads.append((name, value))
        return value

    def alias_name(self, text: str, where: str) -> AliasName | None:
        """readaliases()'s parseaddr() of an alias name (maps.base.LookupContext).

        text is the alias line; the name ends at its first colon outside quotes
        and angle brackets. It is parsed as an envelope recipient, with its
        ruleset traces; messages meanwhile start with where ("FILE: line N: "),
        as Sendmail's do while it reads a file. None when it cannot be scanned.
        """
        from mta.rules.resolve import parseaddr

        self._impure += 1  # reading a file is no pure ruleset call
        saved_prefix, saved_tries = self.msg_prefix, self._tries
        self.msg_prefix = where
        try:
            address = parseaddr(self, text, delim=":")
        finally:
            self.msg_prefix, self._tries = saved_prefix, saved_tries
            self.e_to = None
        if address is None:
            return None
        mailer = address.mailer
        return AliasName(address.user, address.paddr, mailer is not None and "A" in mailer.flags)

    def define_macro(self, name: str, value: str | None) -> None:
        self._impure += 1
        if self._memo:
            self._memo.clear()  # remembered calls may have read the old value
        self._answers.clear()
        self.macros.define(name, value)

    # --- rewrite ----------------------------------------------------------------

    def rewrite(self, pvp: list[str], ruleset: int, reclevel: int = 0,
                maxatom: int = MAXATOM, prefix: str = "") -> int:
        """Apply ruleset to pvp in place; return a sysexits status.

        A top-level call (reclevel 0) may try at most MAX_RULE_TRIES rules in
        all, subroutines included. Sendmail has no such bound: a ruleset that
        calls itself on every rule runs 100 tries at each of 50 levels, which
        never ends; here it ends with a syserr and EX_CONFIG.
        """
        if reclevel > 0:
            return self._rewrite(pvp, ruleset, reclevel, maxatom, prefix)
        self._tries = 0
        recording = self._memo_start()
        try:
            return self._rewrite(pvp, ruleset, reclevel, maxatom, prefix)
        except _TooMuchWork:
            self.syserr(f"rewrite: too much work in ruleset {self.rule_name(ruleset)} "
                        f"({self._max_tries} rule tries max)")
            return EX_CONFIG
        finally:
            if recording:
                self._memo_stop()

    # --- the memo ---------------------------------------------------------------
    #
    # A ruleset call whose rules printed no message, changed nothing and asked only
    # maps whose answers depend on their data (MapClass.reusable) gives the same
    # result and the same trace for the same input tokens, as long as the macros it
    # read ($&x, a map's) have the same values, the classes and the maps' files stay
    # the same and no DNS answer it used has expired. The macros are compared by
    # value, not by environment, so the sessions of a daemon, each with its own
    # macros, share what they can; a call is kept with up to MEMO_VARIANTS sets of
    # values. The files are looked at (MapSet.stamp, a stat each) at most every
    # memo_recheck seconds, not on every rewrite: a rebuilt map is seen within a
    # second, as a daemon child of Sendmail sees it on its next connection. Such
    # calls are remembered and replayed; a replay also counts its rule tries and
    # its recursion depth, so that the limits fire as they would. The memo is off
    # while debug flags are set (map traces bypass the transcript).

    def _memo_start(self) -> bool:
        """Begin a top-level rewrite: check the memo is current; record the output."""
        memo = self._memo
        if memo is None or self.debug or self._transcript is not None:
            return False
        self._memo_refresh(memo)
        self._opened = self._opened_maps()
        self._depth = 0
        self._reads.clear()
        self._sink = self.out
        lines: list[str] = []
        self._transcript = lines
        self.out = lines.append
        return True

    def _memo_refresh(self, memo: dict[tuple[object, ...], list[_Recall]]) -> None:
        """Empty the memo and its answers when the classes or the map files changed."""
        now = time.monotonic()
        generation = self.classes.generation
        stale = generation != self._memo_generation or now > self._memo_expiry
        if not stale and now >= self._memo_check_at:
            stale = self._map_stamp() != self._memo_stamp
            self._memo_check_at = now + self.memo_recheck
        if stale:
            memo.clear()
            self._answers.clear()
            self._memo_generation = generation
            self._memo_stamp = self._map_stamp()
            self._memo_check_at = now + self.memo_recheck
            self._memo_expiry = math.inf

    def shared_lookup(self, mapname: str, key: str) -> LookupResult:
        """maps.lookup() of key outside a rewrite, through the memo's answers.

        For the daemon's questions between rulesets (is this local user an
        alias?): the answer is kept as a ruleset call's would be, and the map
        is asked again once its file changed.
        """
        maps = self.maps
        assert maps is not None
        memo = self._memo
        if memo is None or self.debug or self._transcript is not None:
            return maps.lookup(mapname, key, [], self)
        self._memo_refresh(memo)
        question = (mapname, key)
        result = self._answers.get(question)
        if result is not None:
            return result
        impure = self._impure
        opened = self._opened_maps()
        result = maps.lookup(mapname, key, [], self)
        self._note_lookup(mapname, result)
        if self._opened_maps() != opened:  # now part of what the answers depend on
            self._memo_stamp = self._map_stamp()
        if self._impure == impure:
            if len(self._answers) >= MEMO_SIZE:
                self._answers.clear()
            self._answers[question] = result
        return result

    def _map_stamp(self) -> tuple[object, ...] | None:
        return self.maps.stamp() if self.maps is not None else None

    def _opened_maps(self) -> int:
        return self.maps.opened_count() if self.maps is not None else 0

    def _memo_stop(self) -> None:
        """End a top-level rewrite: pass the recorded output on."""
        lines = self._transcript or []
        self._transcript = None
        if self._opened_maps() != self._opened:
            # the maps opened by this call are part of what the memo now depends on
            self._memo_stamp = self._map_stamp()
        self.out = sink = self._sink
        for line in lines:
            sink(line)

    def _rewrite(self, pvp: list[str], ruleset: int, reclevel: int,
                 maxatom: int, prefix: str) -> int:
        """_apply() through the memo."""
        transcript = self._transcript
        memo = self._memo
        if transcript is None or memo is None:
            return self._apply(pvp, ruleset, reclevel, maxatom, prefix)
        key = (ruleset, maxatom, prefix, *[encode_op(t) if type(t) is _OP else t for t in pvp])
        variants = memo.get(key)
        reads = self._reads
        if variants is not None:
            for tokens, status, lines, tries, depth, deps in variants:
                if deps and not self._deps_hold(deps):
                    continue
                if reclevel + depth > MAX_RULE_RECURSION or self._tries + tries > self._max_tries:
                    break
                self._tries += tries
                self.memo_hits += 1
                if reclevel + depth > self._depth:
                    self._depth = reclevel + depth
                pvp[:] = tokens
                transcript.extend(lines)
                reads.extend(deps)
                return status
        start = len(transcript)
        first_read = len(reads)
        impure = self._impure
        tries = self._tries
        outer_depth = self._depth
        self._depth = reclevel
        status = self._apply(pvp, ruleset, reclevel, maxatom, prefix)
        depth = self._depth
        if outer_depth > depth:
            self._depth = outer_depth
        if self._impure == impure:
            deps = tuple(dict.fromkeys(reads[first_read:])) if len(reads) > first_read else ()
            recall = (tuple(pvp), status, tuple(transcript[start:]), self._tries - tries,
                      depth - reclevel, deps)
            if variants is None or not deps:
                if len(memo) >= MEMO_SIZE:
                    del memo[next(iter(memo))]
                memo[key] = [recall]
            else:  # the same call with other macro values: kept side by side, a few
                variants = [v for v in variants if v[5] != deps][-(MEMO_VARIANTS - 1):]
                variants.append(recall)
                memo[key] = variants
        return status

    def _deps_hold(self, deps: tuple[tuple[str, str | None], ...]) -> bool:
        """Do the macros a remembered call read still have the values it saw?"""
        get = self.macros.get
        for name, value in deps:
            v = get(name)
            if (None if v is None else expand(v, get)) != value:
                return False
        return True

    def _apply(self, pvp: list[str], ruleset: int, reclevel: int,
               maxatom: int, prefix: str) -> int:
        """Sendmail's rewrite(): the rules of ruleset applied to pvp in place."""
        if reclevel > self._depth:
            self._depth = reclevel
        if self.test_mode or self.tt(21, 1):
            self.out(self._trace_head(ruleset, prefix, True) + self.printav(pvp))
        if reclevel > MAX_RULE_RECURSION:
            self.syserr(f"rewrite: excessive recursion (max {MAX_RULE_RECURSION}), "
                     f"ruleset {self.rule_name(ruleset)}")
            return EX_CONFIG
        reclevel += 1
        if ruleset < 0 or ruleset >= MAXRWSETS:
            self.syserr(f"rewrite: illegal ruleset number {ruleset}")
            return EX_CONFIG
        rstat = EX_OK
        rules = self.rules.get(ruleset, ())
        nrules = len(rules)
        ri = 0
        loopcount = 0
        keys = _keys(pvp)
        classes = self.classes
        level21 = self.debug.get(21, 0)
        trace_rules = level21 >= 12
        trace_fails = level21 >= 10
        trace_rewritten = level21 >= 4
        # Without rule traces, rules whose first literal cannot match the first
        # token are skipped without being looked at (the result is the same):
        # cands lists the rules left, at is the position of ri in it.
        index = None if trace_rules else self._first_key_index(ruleset)
        cands = None if index is None else index.get(keys[0] if keys else None, index[None])
        at = 0
        canonnet = bool(pvp) and type(pvp[0]) is _OP and pvp[0].kind is _CANONNET
        has_subr = _has_subr(pvp)
        while True:
            if cands is not None:
                if at >= len(cands):
                    break
                if cands[at] != ri:
                    ri = cands[at]
                    loopcount = 0
            elif ri >= nrules:
                break
            if canonnet:
                break
            rule = rules[ri]
            if trace_rules:
                if self.tt(21, 15):
                    self.out(f"-----trying rule (line {rule.line}):"
                             f"{self.printav(rule.lhs_tokens)}")
                else:
                    self.out(f"-----trying rule:{self.printav(rule.lhs_tokens)}")
            loopcount += 1
            self._tries += 1
            if self._tries > self._max_tries:
                raise _TooMuchWork
            if loopcount > LOOP_LIMIT:
                self.syserr(f"Infinite loop in ruleset {self.rule_name(ruleset)}, rule {ri + 1}")
                if self.tt(21, 1):
                    self.out(f"workspace:{self.printav(pvp)}")
                break
            matched = None
            if rule.anything:
                matched = [0, 0, len(pvp) - 1]  # "$*" alone: the common first rule
            elif rule.min_tokens <= len(keys) and (
                cands is not None or rule.first_key is None or (keys and keys[0] == rule.first_key)
            ):
                for lit in rule.literals:
                    if lit not in keys:
                        break
                else:
                    matched = self._match(rule, pvp, keys, classes)
            if matched is None:
                if trace_fails:
                    self.out("----- rule fails")
                ri += 1
                at += 1
                loopcount = 0
                continue
            if trace_rules:
                self.out(f"-----rule matches:{self.printav(rule.rhs_tokens)}")
            if rule.mode == 1:
                ri += 1
                loopcount = 0
            elif rule.mode == 2:
                ri = nrules
            substituted = self._substitute(rule, pvp, keys, matched, rule.keeps_keys)
            if isinstance(substituted, int):
                return substituted
            npvp, nkeys = substituted
            if len(npvp) > maxatom:
                self.syserr("rewrite: expansion too long")
                return EX_DATAERR
            if rule.needs_lookup:
                result = self._lookups(npvp, maxatom)
                if isinstance(result, int):
                    return result
                npvp, status = result
                if status == EX_TEMPFAIL:
                    rstat = EX_TEMPFAIL
            # Sendmail calls callsubr() after every rule: a "$>" that came with the
            # tokens (left by a call that failed) is called too. Only a rule with
            # calls or lookups, or tokens that had a "$>", can give one.
            called = False
            if rule.needs_subr or rule.needs_lookup or has_subr:
                if rule.needs_subr:
                    rule.strip_subr_quotes()
                if rule.needs_subr or _has_subr(npvp):
                    status = self._callsubr(npvp, reclevel)
                    if rstat == EX_OK or status == EX_TEMPFAIL:
                        rstat = status
                    called = True
                has_subr = _has_subr(npvp)
            pvp[:] = npvp
            keys = nkeys if rule.keeps_keys and not called else _keys(pvp)
            canonnet = bool(pvp) and type(pvp[0]) is _OP and pvp[0].kind is _CANONNET
            if index is not None:
                cands = index.get(keys[0] if keys else None, index[None])
                at = bisect_left(cands, ri)
            if trace_rewritten:
                self.out(f"rewritten as:{self.printav(pvp)}")
        if self.test_mode or self.tt(21, 1):
            self.out(self._trace_head(ruleset, prefix, False) + self.printav(pvp))
        return rstat

    def _trace_head(self, ruleset: int, prefix: str, entry: bool) -> str:
        """The start of a -bt "input:" (entry) or "returns:" line, made once."""
        key = (ruleset, prefix, entry)
        head = self._heads.get(key)
        if head is None:
            word = "   input:" if entry else " returns:"
            head = self._heads[key] = f"{prefix}{self.rule_name(ruleset):<16.16}{word}"
        return head

    def _first_key_index(self, ruleset: int) -> dict[str | None, list[int]]:
        """Rule numbers of ruleset that can match input starting with a given token.

        index[key] lists the rules whose LHS starts with the literal key or with
        no literal; index[None] the latter only (for any other first token).
        """
        index = self._indexes.get(ruleset)
        if index is None:
            rules = self.rules.get(ruleset, ())
            open_rules = [i for i, r in enumerate(rules) if r.first_key is None]
            index = {None: open_rules}
            for r in rules:
                if r.first_key is not None and r.first_key not in index:
                    key = r.first_key
                    index[key] = sorted(open_rules + [j for j, q in enumerate(rules)
                                                      if q.first_key == key])
            self._indexes[ruleset] = index
        return index

    def _match(self, rule: CompiledRule, pvp: list[str], keys: list[str],
               classes: ClassTable) -> list[int] | None:
        """Sendmail's LHS matcher: the bindings of the wildcards, or None.

        The bindings come flat, three numbers each: the LHS step, the first and
        the last token (last is first - 1 for an empty $*). A flat list of small
        numbers is what the compiled build handles fastest.
        """
        lhs = rule.lhs
        jumps = rule.jumps
        n = len(pvp)
        nl = len(lhs)
        ml: list[int] = []
        rv = 0
        av = 0
        while av < n or rv < nl:
            if rv >= nl:
                ok = False  # end of pattern before end of address
            else:
                code, arg = lhs[rv]
                ok = True
                if av >= n and code != _ZANY and code != _ZERO:
                    ok = False
                elif code == _LIT:
                    if keys[av] != arg:
                        ok = False
                    else:
                        av += 1
                elif code == _ZANY or code == _ANY:
                    lit = jumps[rv]
                    if lit is None:
                        ml.append(rv)
                        ml.append(av)
                        if code == _ZANY:
                            ml.append(av - 1)
                        else:
                            ml.append(av)
                            av += 1
                    else:
                        at = _find(keys, lit, av if code == _ZANY else av + 1)
                        if at < 0:
                            ok = False
                        else:
                            ml.append(rv)
                            ml.append(av)
                            ml.append(at - 1)
                            av = at
                elif code == _ONE:
                    ml.append(rv)
                    ml.append(av)
                    ml.append(av)
                    av += 1
                elif code == _CLASS:
                    last = self._extend_class(pvp, keys, arg, classes, av, av)
                    if last < 0:
                        ok = False
                    else:
                        ml.append(rv)
                        ml.append(av)
                        ml.append(last)
                        av = last + 1
                elif code == _NCLASS:
                    if classes.contains(arg, pvp[av]):
                        ok = False
                    else:
                        ml.append(rv)
                        ml.append(av)
                        ml.append(av)
                        av += 1
                elif code == _ZERO:
                    pass
                elif code == _DEXPAND:
                    value = self.macro(arg)
                    if self.tt(21, 2):
                        shown = "(NULL)" if value is None else value
                        self.out(f'rewrite: LHS $&{{{arg}}} => "{shown}"')
                    if value:
                        start = av
                        pos = 0
                        vlow = value.lower()
                        while pos < len(value):
                            if av >= n:
                                ok = False
                                break
                            tl = keys[av]
                            if not vlow.startswith(tl, pos) or not tl:
                                ok = False
                                break
                            pos += len(tl)
                            av += 1
                        if not ok:
                            av = start
            if ok:
                rv += 1
                continue
            # back up
            while ml:
                top = len(ml) - 3
                prv = ml[top]
                av = ml[top + 2] + 1
                if av < n:
                    pcode = lhs[prv][0]
                    if pcode == _ANY or pcode == _ZANY:
                        lit = jumps[prv]
                        if lit is None:
                            ml[top + 2] = av
                            av += 1
                            rv = prv + 1
                            break
                        # av is where the literal matched: look past it
                        at = _find(keys, lit, av + 1)
                        if at >= 0:
                            ml[top + 2] = at - 1
                            av = at
                            rv = prv + 1
                            break
                    elif pcode == _CLASS:
                        last = self._extend_class(pvp, keys, lhs[prv][1], classes, ml[top + 1],
                                                  av)
                        if last >= 0:
                            ml[top + 2] = last
                            av = last + 1
                            rv = prv + 1
                            break
                ml.pop()
                ml.pop()
                ml.pop()
            else:
                return None
        return ml

    def _extend_class(self, pvp: list[str], keys: list[str], cname: str, classes: ClassTable,
                      first: int, start_last: int) -> int:
        """The shortest $=X phrase from pvp[first] that ends at start_last or later.

        Returns the index of its last token, or -1. The phrase is built as
        cataddr() would join it (BlankSub between two atoms), lower-cased, and
        growing stops once it is longer than the longest word of the class.
        """
        members = classes.members(cname)
        if not members:
            return -1
        longest = classes.longest(cname)
        tables = self.tables
        sub = self.space_sub
        parts: list[str] = []
        length = 0
        prev_atom = False
        for i in range(first, len(pvp)):
            atom = tables.is_atom_token(pvp[i])
            piece = keys[i]  # the token lower-cased (an operator's code, never a word)
            if prev_atom and atom:
                parts.append(sub)
                length += len(sub)
            parts.append(piece)
            length += len(piece)
            prev_atom = atom
            if length > longest:
                return -1
            if i >= start_last and (parts[0] if len(parts) == 1 else "".join(parts)) in members:
                return i
        return -1

    def _substitute(self, rule: CompiledRule, pvp: list[str], keys: list[str],
                    matched: list[int], with_keys: bool
                    ) -> tuple[list[str], list[str]] | int:
        """The rule's RHS with $n and $&x replaced: the tokens and (with_keys) their keys.

        Or the status that ends the ruleset: EX_CONFIG for a $n beyond the
        wildcards (with Sendmail's syserr), EX_DATAERR for a $&x whose value
        scans to nothing (quietly, as Sendmail).
        """
        out: list[str] = []
        okeys: list[str] = []
        for kind, run, run_keys, idx, name in rule.plan:
            if kind == _RUN:
                out.extend(run)
                if with_keys:
                    okeys.extend(run_keys)
            elif kind == _REPL:
                if idx < 0 or 3 * idx >= len(matched):
                    self.syserr(f"rewrite: ruleset {self.rule_name(0)}: replacement "
                                f"${name} out of bounds")
                    return EX_CONFIG
                first = matched[3 * idx + 1]
                last = matched[3 * idx + 2] + 1
                out.extend(pvp[first:last])
                if with_keys:
                    okeys.extend(keys[first:last])
            else:
                value = self.macro(name)
                if self.tt(21, 2):
                    shown = "(NULL)" if value is None else value
                    self.out(f'rewrite: RHS $&{{{name}}} => "{shown}"')
                if not value:
                    continue
                toks, _, errs = prescan(value, self.tables.ext)
                self.scan_errors(value, errs)
                if toks is None:
                    return EX_DATAERR
                out.extend(toks)
                if with_keys:
                    okeys.extend(_keys(toks))
        return out, okeys

    def _lookups(self, npvp: list[str], maxatom: int) -> tuple[list[str], int] | int:
        """Replace every $[ ... $] and $( map ... $) in npvp; returns (tokens, status)."""
        status = EX_OK
        i = 0
        while i < len(npvp):
            tok = npvp[i]
            if type(tok) is not _OP or tok.kind not in _LOOKUP_KINDS:
                i += 1
                continue
            start = i
            if tok.kind is _HOSTBEGIN:
                endkind = _HOSTEND
                mapname = "host"
                j = i + 1
            else:
                endkind = _LOOKUPEND
                if i + 1 >= len(npvp):
                    self.syserr("rewrite: missing mapname")
                    return EX_CONFIG
                mapname = npvp[i + 1]
                j = i + 2
            key_start = j
            key_end: int | None = None
            args: list[str] = []
            default: list[str] | None = None
            cur_arg: int | None = None
            while j < len(npvp):
                t = npvp[j]
                if type(t) is _OP:
                    kind = t.kind
                    if kind is endkind:
                        break
                    if kind is _CANONHOST or kind is _CANONUSER:
                        if key_end is None:
                            key_end = j
                        if cur_arg is not None:
                            args.append(self.cataddr(npvp[cur_arg:j]))
                            cur_arg = None
                        if kind is _CANONHOST:
                            cur_arg = j + 1
                        else:
                            # the default runs to the next $@ or $: or the end token
                            dstart = j + 1
                            k = dstart
                            while k < len(npvp) and not _is_op(npvp[k], endkind, _CANONHOST,
                                                               _CANONUSER):
                                k += 1
                            default = npvp[dstart:k]
                j += 1
            end = j
            if key_end is None:
                key_end = end
            if cur_arg is not None:
                args.append(self.cataddr(npvp[cur_arg:end]))
            rest = npvp[end + 1:] if end < len(npvp) else []
            key_tokens = npvp[key_start:key_end]
            mobj, spacesub = self._map_info(mapname)
            if mobj is None:
                self.syserr(f"rewrite: map {mapname} not found")
            key = self.cataddr(key_tokens, spacesub)
            replacement: list[str] | None
            external = False
            value: str | None = None
            if mobj is not None and self.maps is not None:
                result = self._lookup(mapname, key, args)
                if result.status is LookupStatus.FOUND:
                    value = result.value or ""
                    external = True
                elif result.status is LookupStatus.TEMPFAIL:
                    status = EX_TEMPFAIL
                    tapp = getattr(mobj, "tempfail_text", None)
                    if tapp is not None:
                        value = key + tapp
                        external = True
            if value is None and default is not None:
                value = self.cataddr(default, "\0").replace("\0", self.space_sub)
            if value is None:
                replacement = list(key_tokens)
            elif value == "":
                replacement = []
            else:
                scanned = self._scanned.get((value, external))
                if scanned is not None:
                    replacement = list(scanned)
                else:
                    table = self.tables.ext if external else self.tables.int
                    toks, _, errs = prescan(value, table, ops=not external)
                    self.scan_errors(value, errs)
                    if toks is None:
                        return EX_DATAERR
                    if not errs:
                        if len(self._scanned) >= MEMO_SIZE:
                            self._scanned.clear()
                        self._scanned[(value, external)] = tuple(toks)
                    replacement = toks
            npvp[start:] = replacement + rest
            if len(npvp) > maxatom:
                self.syserr("rewrite: expansion too long")
                return EX_DATAERR
            i = start + len(replacement)
        return npvp, status

    def _map_info(self, mapname: str) -> tuple[object | None, str]:
        """The map object named mapname (None if there is none) and its -S blank."""
        info = self._maps_seen.get(mapname)
        if info is None:
            mobj = self.maps.get(mapname) if self.maps is not None else None
            options = getattr(mobj, "options", None)
            info = (mobj, getattr(options, "space_sub", None) or self.space_sub)
            if mobj is not None:  # a missing map is reported each time it is asked
                self._maps_seen[mapname] = info
        return info

    def _lookup(self, mapname: str, key: str, args: list[str]) -> LookupResult:
        """maps.lookup(), through the memo's answers while the memo is on.

        An answer the memo may depend on (see _note_lookup) is kept until the
        memo is emptied, so that the same question in another ruleset call is
        not asked of the map again.
        """
        maps = self.maps
        assert maps is not None
        if self._transcript is None:
            return maps.lookup(mapname, key, args, self)
        question = (mapname, key, *args)
        result = self._answers.get(question)
        if result is not None:
            return result
        impure = self._impure
        reads = len(self._reads)
        result = maps.lookup(mapname, key, args, self)
        self._note_lookup(mapname, result)
        if self._impure == impure and len(self._reads) == reads:  # no answer that read a macro
            if len(self._answers) >= MEMO_SIZE:
                self._answers.clear()
            self._answers[question] = result
        return result

    def _note_lookup(self, mapname: str, result: LookupResult) -> None:
        """Whether the memo may keep a call that made this lookup, and until when."""
        reusable = self._memo_reusable.get(mapname)
        if reusable is None:
            reusable = self.maps is not None and self.maps.reusable(mapname)
            self._memo_reusable[mapname] = reusable
        if not reusable or result.status is LookupStatus.TEMPFAIL:
            self._impure += 1
        if result.expires is not None and result.expires < self._memo_expiry:
            self._memo_expiry = result.expires

    def _callsubr(self, pvp: list[str], reclevel: int) -> int:
        """callsubr(): the $>set calls of pvp, rightmost first, each on the rest of pvp.

        As in Sendmail, a call of a ruleset without rules is dropped while the
        calls are collected, and the token that moves into its place is not
        looked at (so "$>Empty $>Other x" leaves "$>Other x" uncalled). After a
        call that fails (not EX_OK, not EX_TEMPFAIL) the calls left of it are
        not made.
        """
        calls: list[tuple[int, int]] = []
        j = 0
        while j < len(pvp) - 1:
            t = pvp[j]
            if type(t) is _OP and t.kind is _CALLSUBR:
                name = stripquotes(pvp[j + 1])
                if type(pvp[j + 1]) is str:
                    pvp[j + 1] = name  # in place, as Sendmail strips it
                subr = self._subr_numbers.get(name, -1)
                if subr < 0:
                    subr = self.ruleset_number(name)
                    if subr >= 0:
                        self._subr_numbers[name] = subr
                if subr < 0:
                    self.syserr(f"Unknown ruleset {name}")
                    return EX_CONFIG
                if not self.rules.get(subr):
                    if self.tt(21, 3):
                        self.out(f"-----skip subr {name} ({subr})")
                    del pvp[j:j + 2]
                    j += 1
                    continue
                calls.append((subr, j))
            j += 1
        rstat = EX_OK
        for subr, j in reversed(calls):
            tail = pvp[j + 2:]
            status = self.rewrite(tail, subr, reclevel, MAXATOM - j)
            pvp[j:] = tail
            if status != EX_OK and status != EX_TEMPFAIL:
                return status
            if rstat == EX_OK or status == EX_TEMPFAIL:
                rstat = status
        return rstat


# a remembered call: result tokens, status, its output lines, rule tries, depth
# tokens, status, transcript, rule tries, depth, macros read
_Recall = tuple[tuple[str, ...], int, tuple[str, ...], int, int, tuple[tuple[str, str | None], ...]]


class _TooMuchWork(Exception):
    """Unwinds a rewrite that exceeded MAX_RULE_TRIES."""


def _is_op(tok: str, *kinds: OpKind) -> bool:
    return isinstance(tok, _OP) and tok.kind in kinds


TO_PREFIX_CODES = frozenset({"050", "250", "252", "450", "550", "553"})
_OPERATOR_BYTES: Final = re.compile("[\x80-\x9f]")  # Sendmail's own operator codes
OPERATOR_BYTES_SHOWN: Final = {c: "?" for c in range(0x80, 0xA0)}  # as invalidaddr() shows them

_STRIP_HIGH_BIT = {c: c & 0x7F for c in range(0x80, 0x100)}


_PRESCAN_STATUS = {"Address too long": "5.1.1", "prescan: too many tokens": "5.1.0",
                   "prescan: token too long": "5.1.0"}


def prescan_status(message: str) -> str | None:
    """The enhanced status Sendmail's prescan gives a message (None: the 5.0.0 default)."""
    return _PRESCAN_STATUS.get(message)


def with_prescan_status(message: str) -> str:
    """A prescan message as usrerr() text: "553 [status] message"."""
    status = prescan_status(message)
    return f"553 {status} {message}" if status else f"553 {message}"


def is_smtp_code(text: str) -> bool:
    """ISSMTPCODE(): three ASCII digits at the start."""
    return len(text) >= 3 and all("0" <= c <= "9" for c in text[:3])


def isenhsc(text: str, delim: str) -> int:
    """isenhsc(): length of an enhanced status code ("5.1.3") ending at delim, else 0.

    delim "" means the end of the text.
    """
    if len(text) < 2 or text[0] not in "245" or text[1] != ".":
        return 0
    i = 2
    for _part in range(2):
        digits = 0
        while digits < 3 and i + digits < len(text) and "0" <= text[i + digits] <= "9":
            digits += 1
        if digits == 0:
            return 0
        i += digits
        if _part == 0:
            if i >= len(text) or text[i] != ".":
                return 0
            i += 1
    end_ok = i == len(text) if delim == "" else (i < len(text) and text[i] == delim)
    return i if end_ok else 0


def stripquotes(s: str) -> str:
    """stripquotes(): drop double quotes and backslash escapes."""
    if '"' not in s and "\\" not in s:
        return s
    out: list[str] = []
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\":
            i += 1
            if i < len(s):
                out.append(s[i])
        elif c != '"':
            out.append(c)
        i += 1
    return "".join(out)
