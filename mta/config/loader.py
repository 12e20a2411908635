"""Read a sendmail.cf as Sendmail 8.17's readcf() does and build a Config.

SYNOPSIS
    config = load_cf("/etc/mail/sendmail.cf", macros=host_macros(), classes=host_classes())
    config = load_cf(path, strict=True)       # first error raises ConfigError

DESCRIPTION
    Lines are folded (a line starting with a space or tab continues the one
    before), comments removed, "$" sequences encoded (mta.config.macros), and
    each line is classified by its first character: V D C F O S R M H K T P Q
    E L G X. As in Sendmail, $x macros in R, C and K lines are expanded when
    the line is read (so D lines must come first), R lines are tokenized with
    the NOC table of the current OperatorChars, and named rulesets without a
    number get numbers counting down from 199.

    Sendmail defines some macros and classes itself before it reads the file
    ($w $j $m $k, class w); the caller passes them in, in the order Sendmail
    enters them, because `$=w` lists class words in symbol-table order.

    The built-in mailers prog, *file* and *include* are defined first, from
    .cf-syntax strings, exactly as Sendmail's setupmailers() does.

DIAGNOSTICS
    Every problem Sendmail reports with syserr() is collected as
    "FILE: line N: message" in Config.warnings, and loading goes on, as
    Sendmail does; with strict=True the first one raises ConfigError instead.
    A missing file raises ConfigError always.

SEE ALSO
    mta.config.model, mta.config.macros, mta.config.tokens, mta.config.options,
    Sendmail op.me section 5.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from mta.config.macros import expand, macid_parse, munchstring, translate_dollars
from mta.config.model import (
    Config,
    HeaderTemplate,
    MailerDef,
    MapDecl,
    MilterDef,
    Op,
    OpKind,
    QueueGroup,
    Rule,
    Ruleset,
)
from mta.config.tokens import TokenTables, decode_op, prescan
from mta.core.errors import ConfigError, Location

MAXRWSETS = 200
MAXCONFIGLEVEL = 10  # the highest V line level Sendmail 8.17 knows
SENDMAIL_VERSION = "8.17.1.9"  # the release whose behaviour we reproduce
MAXMATCH = 9
MAXMAILERS = 25
MAX_MAP_ARGS = 10
DEFAULT_MAX_RCPT = 100

BUILTIN_MAILERS = (
    "prog, P=/bin/sh, F=lsouDq9, T=X-Unix/X-Unix/X-Unix, A=sh -c $u",
    "*file*, P=[FILE], F=lsDFMPEouq9, T=X-Unix/X-Unix/X-Unix, A=FILE $u",
    "*include*, P=/dev/null, F=su, A=INCLUDE $u",
)

_LHS_BOTCH = {
    OpKind.MATCH_REPL: "$1-$9",
    OpKind.CANONUSER: "$:",
    OpKind.CALLSUBR: "$>",
    OpKind.CONDIF: "$?",
    OpKind.CONDFI: "$.",
    OpKind.HOSTBEGIN: "$[",
    OpKind.HOSTEND: "$]",
    OpKind.LOOKUPBEGIN: "$(",
    OpKind.LOOKUPEND: "$)",
}
_RHS_BOTCH = {
    OpKind.MATCH_ZERO: "$0",
    OpKind.MATCH_ZANY: "$*",
    OpKind.MATCH_ANY: "$+",
    OpKind.MATCH_ONE: "$-",
    OpKind.MATCH_CLASS: "$=",
    OpKind.MATCH_NCLASS: "$~",
}
_FUZZY = frozenset(
    {OpKind.MATCH_ZANY, OpKind.MATCH_ANY, OpKind.MATCH_ONE, OpKind.MATCH_CLASS,
     OpKind.MATCH_NCLASS}
)
_RULESET_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def read_folded_lines(text: str) -> Iterator[tuple[int, str]]:
    """Yield (first line number, logical line) with continuation lines joined by "\\n"."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    i = 0
    n = len(lines)
    while i < n:
        start = i
        parts = [lines[i].rstrip("\r")]
        i += 1
        while i < n and lines[i][:1] in (" ", "\t") and parts[0] != "":
            parts.append(lines[i].rstrip("\r"))
            i += 1
        yield start + 1, "\n".join(parts)


# Options given once per listener; Config.options keeps their values one a line.
LISTENER_OPTIONS = frozenset({"DaemonPortOptions", "ClientPortOptions"})

@dataclass
class _State:
    """Mutable state while reading one file (readcf's globals)."""

    path: str
    strict: bool
    level: int = 0
    vendor: str = ""
    macros: dict[str, str] = field(default_factory=dict)
    classes: dict[str, dict[str, str]] = field(default_factory=dict)
    word_order: dict[str, None] = field(default_factory=dict)
    options: dict[str, str] = field(default_factory=dict)
    rules: dict[int, list[Rule]] = field(default_factory=dict)
    ruleset_names: dict[str, int] = field(default_factory=dict)
    names_by_number: dict[int, str] = field(default_factory=dict)
    ruleset_where: dict[int, Location] = field(default_factory=dict)
    next_ruleset: int = MAXRWSETS
    current: int = -1
    mailers: dict[str, MailerDef] = field(default_factory=dict)
    headers: list[HeaderTemplate] = field(default_factory=list)
    maps: dict[str, MapDecl] = field(default_factory=dict)
    trusted: list[str] = field(default_factory=list)
    priorities: dict[str, int] = field(default_factory=dict)
    queue_groups: dict[str, QueueGroup] = field(default_factory=dict)
    milters: dict[str, MilterDef] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    extra: list[tuple[str, str, Location]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    tables: TokenTables | None = None
    line: int = 0
    sticky: set[str] = field(default_factory=set)

    def where(self) -> Location:
        return Location(self.path, self.line)

    def error(self, message: str) -> None:
        if self.strict:
            raise ConfigError(message, self.where())
        self.warnings.append(f"{self.where()}: {message}" if self.line else message)

    def macro(self, name: str) -> str | None:
        return self.macros.get(name)

    def expand(self, text: str) -> str:
        return expand(text, self.macro, on_error=self.error)

    def token_tables(self) -> TokenTables:
        # Sendmail builds its tables on the first prescan() and keeps them.
        if self.tables is None:
            ops = self.options.get("OperatorChars")
            if ops is None and self.level < 7:
                ops = self.macros.get("o")
            self.tables = TokenTables(self.expand(ops) if ops is not None else None)
        return self.tables

    def set_option(self, name: str, value: str) -> None:
        self.options[name] = value
        if name == "DeliveryMode":
            # setoption() calls set_delivery_mode(), which defines ${deliveryMode}
            # at once: rules read after this line expand it ("" means "i")
            self.macros["deliveryMode"] = value[:1] or "i"

    def add_class(self, name: str, word: str) -> None:
        low = word.lower()
        members = self.classes.setdefault(name, {})
        if low not in members:
            members[low] = word
        self.word_order.setdefault(low, None)


def load_cf(
    path: str,
    *,
    macros: Mapping[str, str] | None = None,
    classes: Sequence[tuple[str, str]] = (),
    strict: bool = False,
    text: str | None = None,
    overrides: Mapping[str, str] | None = None,
) -> Config:
    """Read the .cf at path (or the given text) and return the frozen Config.

    Args:
        path: the file name (used in messages even when text is given).
        macros: macros Sendmail defines before reading ($w, $j, ...), encoded.
        classes: (class, word) pairs Sendmail enters before reading, in order.
        strict: raise ConfigError at the first error instead of collecting it.
        text: the file contents, already decoded as latin-1; read from path if None.
        overrides: options from the command line (-O/-o), canonical name -> value;
            they win over the file's O lines, as in Sendmail.

    Raises:
        ConfigError: the file cannot be read, or (strict) a line is bad.
    """
    if text is None:
        try:
            with open(path, "rb") as f:
                text = f.read().decode("latin-1")
        except OSError as exc:
            raise ConfigError(f"cannot open {path}: {exc.strerror}") from None
    st = _State(path=path, strict=strict)
    st.macros.update(macros or {})
    for oname, ovalue in (overrides or {}).items():
        st.set_option(oname, ovalue)
        st.sticky.add(oname)
    for cname, word in classes:
        st.add_class(cname, word)
    for spec in BUILTIN_MAILERS:
        _mailer_line(st, translate_dollars(spec, 10))
    for lineno, raw in read_folded_lines(text):
        st.line = lineno
        if not raw or raw[0] == "#":
            continue
        if raw[0] in " \t":
            if raw.strip():
                st.error(f'unknown configuration line "{raw}"')
            continue
        line = translate_dollars(raw, st.level)
        handler = _HANDLERS.get(line[0])
        if handler is None:
            st.error(f'unknown configuration line "{raw}"')
            continue
        handler(st, line)
    st.line = 0
    if st.level > MAXCONFIGLEVEL:
        # readcf() checks the level after the file, a syserr without a line number
        st.error(f"Warning: .cf version level ({st.level}) exceeds sendmail version "
                 f"{SENDMAIL_VERSION} functionality ({MAXCONFIGLEVEL})")
    if "local" not in st.mailers:
        # Sendmail complains after reading the file and goes on (a syserr: exit 70)
        st.warnings.append("No local mailer defined")
    rulesets = {
        n: Ruleset(n, st.names_by_number.get(n), tuple(rules), st.ruleset_where.get(n))
        for n, rules in st.rules.items()
    }
    return Config(
        path=path,
        version_level=st.level,
        version_vendor=st.vendor,
        macros=dict(st.macros),
        classes={k: tuple(v.values()) for k, v in st.classes.items()},
        options=dict(st.options),
        rulesets=rulesets,
        ruleset_names=dict(st.ruleset_names),
        mailers=dict(st.mailers),
        headers=tuple(st.headers),
        maps=dict(st.maps),
        trusted_users=tuple(st.trusted),
        priorities=dict(st.priorities),
        queue_groups=dict(st.queue_groups),
        milters=dict(st.milters),
        environment=dict(st.env),
        extra_lines=tuple(st.extra),
        warnings=tuple(st.warnings),
        class_word_order=tuple(st.word_order),
    )


# --- rulesets ---------------------------------------------------------------


def strtorwset(st: _State, text: str, enter: bool) -> tuple[int, str]:
    """Parse a ruleset number or name (Sendmail strtorwset); returns (number, rest).

    The number is -1 after an error (already reported).
    """
    s = text.lstrip(" \t")
    if s[:1].isdigit():
        m = re.match(r"\d+", s)
        assert m is not None
        n = int(m.group())
        if n >= MAXRWSETS // 2:
            st.error(f"bad ruleset {n} ({MAXRWSETS // 2} max)")
            return -1, s[m.end():]
        return n, s[m.end():]
    m = _RULESET_NAME.match(s)
    if m is None:
        st.error(f'invalid ruleset name: "{s[:20]}"')
        return -1, s
    name = m.group()
    rest = s[m.end():].lstrip(" \t")
    known = st.ruleset_names.get(name)
    if not enter:
        return (known if known is not None else -1), rest
    number = -1
    if rest[:1] == "=":
        num = rest[1:].lstrip(" \t")
        m2 = re.match(r"\d+", num)
        if m2 is None:
            st.error(f'bad ruleset definition "{s}" (number required after `=\')')
        else:
            number = int(m2.group())
            rest = num[m2.end():]
            if number >= MAXRWSETS // 2:
                st.error(f'bad ruleset number {number} in "{s}" ({MAXRWSETS // 2} max)')
                number = -1
    elif known is not None:
        number = known
    else:
        st.next_ruleset -= 1
        number = st.next_ruleset
        if number < MAXRWSETS // 2:
            st.error(f"{name}: too many named rulesets ({MAXRWSETS // 2} max)")
            number = -1
    if known is not None and number >= 0 and number != known:
        st.error(f"{name}: ruleset changed value (old {known}, new {number})")
        number = known
    elif number >= 0:
        st.ruleset_names[name] = number
    if number >= 0:
        st.names_by_number[number] = name
    return number, rest


def _s_line(st: _State, line: str) -> None:
    number, _rest = strtorwset(st, line[1:], True)
    st.current = number
    if number >= 0:
        st.rules.setdefault(number, [])
        st.ruleset_where.setdefault(number, st.where())


def _r_line(st: _State, line: str) -> None:
    if st.current < 0:
        # an R line before any S line is refused and left out (a syserr)
        shown = "".join(_byte_spelling(ch) for ch in line)
        st.error(f'missing valid ruleset for "{shown}"')
        return
    tab = line.find("\t", 1)
    if tab < 0:
        st.error(f'invalid rewrite line "{_plain(line)}" (tab expected)')
        return
    lhs_text = line[1:tab]
    p = tab
    while p < len(line) and line[p] == "\t":
        p += 1
    q = p
    while p < len(line) and line[p] != "\t":
        p += 1
    rhs_text = line[q:p]
    comment = line[p:].strip("\t")
    tables = st.token_tables()
    # readcf(): parentheses are comments below V9, as in addresses; unbalanced
    # brackets and quotes are kept as they are, without a message ("ignore")
    table = tables.noc if st.level >= 9 else tables.int
    lhs, _, errs = prescan(st.expand(lhs_text), table, "\t", ignore=True, ops=True)
    for e in errs:
        st.error(e)
    lhs_tokens: list[str] = []
    if lhs is None:
        st.error("R line: null LHS")
    else:
        nfuzzy = 0
        for tok in lhs:
            if isinstance(tok, Op):
                if tok.kind in _FUZZY:
                    nfuzzy += 1
                elif tok.kind is OpKind.CANONHOST:
                    tok = Op(OpKind.MATCH_ZERO)
                botch = _LHS_BOTCH.get(tok.kind)
                if botch is not None:
                    st.error(f"Inappropriate use of {botch} on LHS")
            lhs_tokens.append(tok)
        if nfuzzy > MAXMATCH:
            st.error("R line: too many wildcards")
            lhs_tokens = []
    rhs, _, errs = prescan(st.expand(rhs_text), table, "\t", ignore=True, ops=True)
    for e in errs:
        st.error(e)
    rhs_tokens: list[str] = []
    if rhs is None:
        st.error("R line: null RHS")
    else:
        nfuzzy = sum(1 for t in lhs_tokens if isinstance(t, Op) and t.kind in _FUZZY)
        inmap = False
        endtoken: OpKind | None = None
        args = 0
        for tok in rhs:
            if isinstance(tok, Op):
                kind = tok.kind
                if kind is OpKind.MATCH_REPL:
                    assert isinstance(tok.arg, int)
                    if tok.arg <= 0 or tok.arg > nfuzzy:
                        st.error(f"replacement ${tok.arg} out of bounds")
                elif kind is OpKind.CANONHOST and inmap:
                    args += 1
                    if args >= MAX_MAP_ARGS:
                        st.error("too many arguments for map lookup")
                elif kind in (OpKind.HOSTBEGIN, OpKind.LOOKUPBEGIN):
                    if inmap:
                        st.error("cannot nest map lookups")
                    inmap = True
                    args = 0
                    endtoken = (OpKind.HOSTEND if kind is OpKind.HOSTBEGIN
                                else OpKind.LOOKUPEND)
                elif kind in (OpKind.HOSTEND, OpKind.LOOKUPEND) and kind is endtoken:
                    inmap = False
                    endtoken = None
                botch = _RHS_BOTCH.get(kind)
                if botch is not None:
                    st.error(f"Inappropriate use of {botch} on RHS")
            rhs_tokens.append(tok)
        if inmap:
            st.error("missing map closing token")
    st.rules.setdefault(st.current, []).append(
        Rule(tuple(lhs_tokens), tuple(rhs_tokens), st.where(), comment)
    )


# --- macros, classes, options -------------------------------------------------


def _d_line(st: _State, line: str) -> None:
    name, end, err = macid_parse(line, 1)
    if err:
        st.error(err)
    if name is None:
        return
    value, _ = munchstring(line[end:])
    st.macros[name] = value


def _c_line(st: _State, line: str) -> None:
    name, end, err = macid_parse(line, 1)
    if err:
        st.error(err)
    if name is None:
        return
    for word in st.expand(line[end:]).split():
        op = decode_op(word) if len(word) == 1 else None
        if op is not None and op.kind is OpKind.MATCH_CLASS:
            # "CX$=Y" copies the members of class Y (Sendmail 8.12+)
            for member in list(st.classes.get(str(op.arg), {}).values()):
                st.add_class(name, member)
            continue
        st.add_class(name, word)


def _t_line(st: _State, line: str) -> None:
    for word in line[1:].split():
        st.add_class("t", word)
        st.trusted.append(word)


def _f_line(st: _State, line: str) -> None:
    name, end, err = macid_parse(line, 1)
    if err:
        st.error(err)
    if name is None:
        return
    p = line[end:].lstrip()
    optional = False
    if p.startswith("-o"):
        optional = True
        p = p.split(None, 1)[1] if len(p.split(None, 1)) > 1 else ""
    p = st.expand(p)
    if p.startswith("|"):
        # F|program: Sendmail runs the program; we do not run programs while
        # loading a configuration (data, not code), and say so.
        st.error(f"fileclass: program {p[1:]!r} not run")
        return
    parts = p.split(None, 1)
    if not parts:
        st.error("fileclass: missing file name")
        return
    file = parts[0]
    fmt = parts[1] if len(parts) > 1 else "%s"
    if "@" in file and not file.startswith("/"):
        st.error(f"fileclass: map-backed class {file!r} not supported")
        return
    try:
        with open(file, "rb") as f:
            data = f.read().decode("latin-1")
    except OSError as exc:
        if not optional:
            st.error(f"fileclass: cannot open '{file}': {exc.strerror}")
        return
    for fline in data.split("\n"):
        fline = fline.rstrip("\r")
        if fline.startswith("#"):
            continue
        word = _scan(fline, fmt)
        if word is None:
            continue
        for w in word.split():
            st.add_class(name, w)


def _scan(line: str, fmt: str) -> str | None:
    """The part of sscanf() fileclass needs: literals, %s and %[set] (first conversion)."""
    i = 0
    j = 0
    while j < len(fmt):
        c = fmt[j]
        if c == "%" and j + 1 < len(fmt):
            conv = fmt[j + 1]
            if conv == "s":
                while i < len(line) and line[i].isspace():
                    i += 1
                k = i
                while k < len(line) and not line[k].isspace():
                    k += 1
                return line[i:k] if k > i else None
            if conv == "[":
                close = fmt.find("]", j + 3)
                if close < 0:
                    return None
                spec = fmt[j + 2:close]
                neg = spec.startswith("^")
                chars = set(spec[1:] if neg else spec)
                k = i
                while k < len(line) and ((line[k] in chars) != neg):
                    k += 1
                return line[i:k] if k > i else None
            return None
        if c.isspace():
            while i < len(line) and line[i].isspace():
                i += 1
            j += 1
            continue
        if i >= len(line) or line[i] != c:
            return None
        i += 1
        j += 1
    return None


def _o_line(st: _State, line: str) -> None:
    from mta.config.options import read_option

    text = line[1:].rstrip(" \t")
    if text[:1] == "M" and len(text) > 1:
        # old-style OMxvalue defines macro x
        name, end, _err = macid_parse(text, 1)
        if name is not None:
            st.macros[name] = text[end:]
        return
    parsed = read_option(text, long_form=text[:1] == " ")
    for w in parsed.warnings:
        st.error(w)
    if parsed.spec is None:
        st.error(parsed.error or f"readcf: unknown option name {parsed.name}")
        return
    if parsed.name in st.sticky:
        return
    previous = st.options.get(parsed.name)
    if parsed.name in LISTENER_OPTIONS and previous:
        # each DaemonPortOptions (ClientPortOptions) line adds a listener: keep
        # them all, one a line (a command-line setting is sticky and replaces them)
        st.set_option(parsed.name, previous + "\n" + parsed.value)
        return
    st.set_option(parsed.name, parsed.value)


# --- mailers --------------------------------------------------------------------


def _mailer_line(st: _State, line: str) -> None:
    body = line[1:] if line[:1] == "M" and not line.startswith("M,") else line
    if line.startswith(("prog,", "*file*,", "*include*,")):
        body = line
    i = 0
    while i < len(body) and body[i] != "," and not body[i].isspace():
        i += 1
    name = body[:i]
    if not name:
        st.error("name required for mailer")
        return
    p = i + 1 if i < len(body) else i
    equates: dict[str, str] = {}
    flags: set[str] = set()
    argv: tuple[str, ...] | None = None
    path: str | None = None
    se = sh = re_ = rh = ""
    eol: str | None = None
    fields: dict[str, object] = {}
    n = len(body)
    while p < n:
        while p < n and (body[p] == "," or body[p].isspace()):
            p += 1
        if p >= n:
            break
        fcode = body[p]
        while p < n and body[p] not in "=,":
            p += 1
        if p >= n or body[p] != "=":
            st.error(f"mailer {name}: `=' expected")
            return
        p += 1
        while p < n and body[p].isspace():
            p += 1
        value, consumed = munchstring(body[p:], ",")
        p += consumed
        equates[fcode] = value
        if fcode == "P":
            if not value:
                st.error(f"mailer {name}: empty path name")
            else:
                path = value
        elif fcode == "F":
            flags.update(c for c in value if not c.isspace())
        elif fcode in "SR":
            first, rest = strtorwset(st, value, True)
            if first < 0:
                return
            second = first
            if rest.startswith("/"):
                second, _ = strtorwset(st, rest[1:], True)
                if second < 0:
                    return
            if fcode == "S":
                se, sh = str(first), str(second)
            else:
                re_, rh = str(first), str(second)
        elif fcode == "E":
            if not value:
                st.error(f"mailer {name}: null end-of-line string")
            else:
                eol = value
        elif fcode == "A":
            if not value:
                st.error(f"mailer {name}: null argument vector")
            else:
                argv = tuple(value.split())
        elif fcode in "MmrLNW":
            fields[fcode] = value
        elif fcode in "DCTU/Q":  # Q=: the mailer's queue group (kept in equates)
            if not value and fcode in "DC":
                what = "working directory" if fcode == "D" else "charset"
                st.error(f"mailer {name}: null {what}")
        else:
            st.error(f"M{name}: unknown mailer equate {fcode}=")
    if argv is None:
        st.error(f"M{name}: A= argument required")
        return
    if path is None:
        st.error(f"M{name}: P= argument required")
        return
    if path == "[TCP]":
        st.error(f"M{name}: P=[TCP] must be replaced by P=[IPC]")
        return
    if name not in st.mailers and len(st.mailers) >= MAXMAILERS:
        st.error(f"too many mailers defined ({MAXMAILERS} max)")
        return
    if eol is None:
        has_user = any(_refers_to(a, "u") for a in argv)
        eol = "\n" if has_user else "\r\n"
    loc = st.where()
    mailer = MailerDef(
        name=name,
        path=path,
        flags=frozenset(flags),
        argv=argv,
        equates=equates,
        location=loc,
        sender_rewrite=(se or "0", sh or "0"),
        recipient_rewrite=(re_ or "0", rh or "0"),
        eol=eol,
        max_size=_atol(str(fields.get("M", "0"))),
        line_limit=max(0, _atol(str(fields.get("L", "0")))),
        max_rcpts=_atol(str(fields.get("r", "0"))) or DEFAULT_MAX_RCPT,
        directories=tuple(equates.get("D", "").split(":")) if "D" in equates else (),
        mailer_type=equates.get("T", ""),
        user=equates.get("U", ""),
    )
    st.mailers.pop(name, None) if False else None
    st.mailers[name] = mailer


def _refers_to(text: str, macro: str) -> bool:
    for ch in text:
        op = decode_op(ch)
        if op is not None and op.kind is OpKind.MACROEXPAND and op.arg == macro:
            return True
    return False


def _atol(text: str) -> int:
    m = re.match(r"\s*([+-]?\d+)", text)
    return int(m.group(1)) if m else 0


# --- headers, maps, the rest ---------------------------------------------------


def _h_line(st: _State, line: str) -> None:
    p = line[1:]
    flags: frozenset[str] = frozenset()
    macro: str | None = None
    if p.startswith("?"):
        end = p.find("?", 1)
        if end < 0:
            st.error(f"header syntax error, line \"{_plain(line)}\"")
            return
        inside = p[1:end]
        op = decode_op(inside[:1]) if inside else None
        if op is not None:
            # chompheader(): "?$x?" or "?${name}?", one macro and nothing else
            if op.kind is not OpKind.MACROEXPAND or len(inside) != 1:
                st.error(f"header syntax error, line \"{_plain(line)}\"")
                return
            macro = str(op.arg)
        else:
            flags = frozenset(inside)
        p = p[end + 1:]
    name, sep, value = p.partition(":")
    name = name.strip()
    if not sep or not name:
        st.error(f"header syntax error, line \"{_plain(line)}\"")
        return
    value = value.lstrip(" \t")
    check: str | None = None
    structured = True
    first = decode_op(value[:1]) if value else None
    if first is not None and first.kind is OpKind.CALLSUBR:
        rest = value[1:]
        if rest.startswith("+"):
            structured = False
            rest = rest[1:]
        check = rest.strip()
        value = ""
    st.headers.append(HeaderTemplate(name, value, flags, st.where(), check, structured,
                                     macro))


def _k_line(st: _State, line: str) -> None:
    body = st.expand(line[1:]).strip()
    m = re.match(r"([A-Za-z0-9_.\-]+)\s+(\S+)\s*(.*)", body, re.S)
    if m is None:
        if not body:
            st.error("readcf: config K line: no map name")
        else:
            st.error(f"readcf: config K line, map {body.split()[0]}: no map class")
        return
    name, cls, rest = m.group(1), m.group(2), m.group(3)
    st.maps[name] = MapDecl(name, cls, tuple(_split_args(rest)), st.where())


def _split_args(text: str) -> list[str]:
    return text.split()


def _v_line(st: _State, line: str) -> None:
    body = line[1:]
    m = re.match(r"\s*(\d+)", body)
    if m is None:
        # Sendmail shows the first 20 bytes after the V as it holds them: a $x
        # reference is its byte 0201 and the name, and syserr() drops the 8th bit
        shown = "".join(_byte_spelling(ch) for ch in body)[:20]
        st.error(f'invalid argument to V line: "{shown}"')
        return
    st.level = int(m.group(1))
    rest = body[m.end():]
    if rest.startswith("/"):
        st.vendor = rest[1:].strip()



def _p_line(st: _State, line: str) -> None:
    name, sep, value = line[1:].partition("=")
    if not sep:
        st.error(f"syntax error: P line: {_plain(line)}")
        return
    st.priorities[name.strip()] = _atol(value)


def _q_line(st: _State, line: str) -> None:
    name, equates = _name_and_equates(line[1:])
    st.queue_groups[name] = QueueGroup(name, equates, st.where())


def _x_line(st: _State, line: str) -> None:
    name, equates = _name_and_equates(line[1:])
    st.milters[name] = MilterDef(name, equates, st.where())


def _name_and_equates(body: str) -> tuple[str, dict[str, str]]:
    name, _, rest = body.partition(",")
    equates: dict[str, str] = {}
    for part in rest.split(","):
        k, sep, v = part.strip().partition("=")
        if sep:
            equates[k.strip()] = v.strip()
    return name.strip(), equates


def _e_line(st: _State, line: str) -> None:
    name, sep, value = line[1:].partition("=")
    st.env[name.strip()] = value if sep else os.environ.get(name.strip(), "")


def _extra_line(st: _State, line: str) -> None:
    st.extra.append((line[0], line[1:], st.where()))


def _byte_spelling(ch: str) -> str:
    """One character of an encoded line as Sendmail's syserr() shows it."""
    op = decode_op(ch)
    if op is None:
        return chr(ord(ch) & 0x7F) if ord(ch) < 0x100 else ch
    text = str(op)
    if op.kind is OpKind.MACROEXPAND and len(str(op.arg)) != 1:
        return text  # ${name}: Sendmail holds a macro id byte we do not keep
    if text.startswith("$"):
        # readcf() turns every "$" into MACROEXPAND (0201) before it looks at
        # what follows ($x, $*, $@, $&x ...); syserr() drops the 8th bit
        return "\x01" + text[1:]
    return text


def _plain(text: str) -> str:
    """Encoded text back to its .cf spelling (for messages)."""
    return "".join(str(decode_op(ch) or ch) for ch in text)


_HANDLERS: Mapping[str, Callable[[_State, str], None]] = {
    "V": _v_line,
    "D": _d_line,
    "C": _c_line,
    "F": _f_line,
    "O": _o_line,
    "S": _s_line,
    "R": _r_line,
    "M": _mailer_line,
    "H": _h_line,
    "K": _k_line,
    "T": _t_line,
    "P": _p_line,
    "Q": _q_line,
    "E": _e_line,
    "L": _extra_line,
    "G": _extra_line,
    "X": _x_line,
}
