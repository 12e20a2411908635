"""The frozen model of a loaded sendmail.cf.

SYNOPSIS
    config = load_cf(path)                 # mta.config.loader
    config.rulesets[config.ruleset_names["check_rcpt"]].rules
    config.maps["access"].class_name, config.options.get("QueueDirectory")

DESCRIPTION
    Everything readcf() in Sendmail 8.17 builds from a .cf, as immutable values:
    macros (D), classes (C/F), options (O, raw text by canonical long name; typed
    access goes through mta.core.params), rulesets (S/R) with their rules already
    tokenized, mailers (M), header templates (H), map declarations (K), trusted
    users (T), precedences (P), queue groups (Q), milters (X) and the E/L/G lines.
    Runtime objects (MapSet, RuleEngine) are built from a Config and never change it.

    Rule tokens are plain str for literal tokens and Op (a str subclass that prints
    as its .cf spelling) for the operators: $* $+ $- $@ $=X $~X $1..$9 $: $# $>
    $[ $] $( $) $& $| and so on. An Op is recognised by type, never by its text, so
    an input token that happens to read "$#" is not an operator.

DIAGNOSTICS
    None here; mta.config.loader raises ConfigError while building the model.

SEE ALSO
    mta.config.loader, mta.config.tokens, Sendmail op.me section 5 ("The
    configuration file").
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from mta.core.errors import Location


class OpKind(enum.Enum):
    """Rule operators (Sendmail's MATCHZANY, CANONNET, ... octal codes)."""

    MATCH_ZANY = "$*"  # zero or more tokens
    MATCH_ANY = "$+"  # one or more tokens
    MATCH_ONE = "$-"  # exactly one token
    MATCH_ZERO = "$@(lhs)"  # zero tokens (only in a LHS); spelled "$@"
    MATCH_CLASS = "$="  # one token (or a phrase) in class arg
    MATCH_NCLASS = "$~"  # one token not in class arg
    MATCH_REPL = "$n"  # $1..$9 in a RHS; arg is the number
    CANONNET = "$#"  # resolve: mailer
    CANONHOST = "$@"  # resolve: host (in a RHS: also "return" when first)
    CANONUSER = "$:"  # resolve: user (in a RHS: also "once" when first)
    CALLSUBR = "$>"  # call ruleset; arg is the ruleset number
    HOSTBEGIN = "$["
    HOSTEND = "$]"
    LOOKUPBEGIN = "$("
    LOOKUPEND = "$)"
    MACRODEXPAND = "$&"  # deferred macro; arg is the macro name
    CONDIF = "$?"  # arg is the macro name
    MACROEXPAND = "$"  # a $x reference kept inside a stored value; arg is the name
    CONDELSE = "$|"
    CONDFI = "$."


# Each distinct operator has a private-use character standing for it inside a string
# (mta.config.tokens.encode_op): OP_BASE + its index in _OP_LIST.
OP_BASE = 0xE000
_OP_LIST: list[Op] = []  # only ever appended to: mta.config.tokens holds the same list
_OP_INDEX: dict[tuple[OpKind, str | int | None], int] = {}


def op_list() -> list[Op]:
    """The registry itself (tokens.decode_op indexes it without a call per character)."""
    return _OP_LIST


class Op(str):
    """An operator token: a str that prints as its .cf spelling, with kind and arg.

    code is the private-use character that stands for it inside a string.
    """

    kind: OpKind
    arg: str | int | None
    code: str

    def __new__(cls, kind: OpKind, arg: str | int | None = None) -> Op:
        if kind in (
            OpKind.MATCH_CLASS,
            OpKind.MATCH_NCLASS,
            OpKind.MACRODEXPAND,
            OpKind.MACROEXPAND,
            OpKind.CONDIF,
        ):
            name = str(arg)
            text = kind.value + (name if len(name) == 1 else "{" + name + "}")
        elif kind is OpKind.MATCH_REPL:
            text = f"${arg}"
        elif kind is OpKind.MATCH_ZERO:
            text = "$@"
        else:
            text = kind.value
        self = super().__new__(cls, text)
        self.kind = kind
        self.arg = arg
        key = (kind, arg)
        i = _OP_INDEX.get(key)
        if i is None:
            i = len(_OP_LIST)
            _OP_LIST.append(self)
            _OP_INDEX[key] = i
        self.code = chr(OP_BASE + i)
        return self

    def __reduce__(self) -> tuple[object, ...]:
        return (Op, (self.kind, self.arg))


RuleToken = str  # a literal token, or an Op


@dataclass(frozen=True, slots=True)
class Rule:
    """One R line: tokenized LHS and RHS, the comment text and where it came from."""

    lhs: tuple[RuleToken, ...]
    rhs: tuple[RuleToken, ...]
    location: Location
    comment: str = ""


@dataclass(frozen=True, slots=True)
class Ruleset:
    """An S line and the R lines under it; name is None for a numbered-only ruleset."""

    number: int
    name: str | None
    rules: tuple[Rule, ...]
    location: Location | None = None


@dataclass(frozen=True, slots=True)
class MailerDef:
    """An M line. equates holds every field as written (key: one letter or '/')."""

    name: str
    path: str
    flags: frozenset[str]
    argv: tuple[str, ...]
    equates: Mapping[str, str]
    location: Location
    # S= and R=: envelope and header rewriting rulesets ("" when not set)
    sender_rewrite: tuple[str, str] = ("", "")
    recipient_rewrite: tuple[str, str] = ("", "")
    eol: str = "\n"
    max_size: int = 0
    line_limit: int = 0
    max_rcpts: int = 0
    directories: tuple[str, ...] = ()
    mailer_type: str = ""
    user: str = ""


@dataclass(frozen=True, slots=True)
class HeaderTemplate:
    """An H line: ?flags? (a set of mailer flag letters), name, value template.

    check_ruleset is set for H lines of the form "HName: $>ruleset" (or "$>+").
    macro is set for "H?$x?Name: value" and "H?${name}?Name: value": the field
    goes out only when that macro has a value (flags is then empty).
    """

    name: str
    value: str
    flags: frozenset[str]
    location: Location
    check_ruleset: str | None = None
    check_structured: bool = True  # False for "$>+" (do not parse the value as addresses)
    macro: str | None = None


@dataclass(frozen=True, slots=True)
class MapDecl:
    """A K line: Kname class args...; args are the raw words after the class name."""

    name: str
    class_name: str
    args: tuple[str, ...]
    location: Location

    @property
    def spec(self) -> str:
        """The K line text after the name, as `/map` and error messages show it."""
        return " ".join((self.class_name, *self.args))


@dataclass(frozen=True, slots=True)
class QueueGroup:
    """A Q line: Qname, equate=value, ..."""

    name: str
    equates: Mapping[str, str]
    location: Location


@dataclass(frozen=True, slots=True)
class MilterDef:
    """An X line: Xname, S=socket, F=flags, T=timeouts."""

    name: str
    equates: Mapping[str, str]
    location: Location


@dataclass(frozen=True, slots=True)
class Config:
    """A loaded sendmail.cf."""

    path: str
    version_level: int
    version_vendor: str
    macros: Mapping[str, str]
    classes: Mapping[str, tuple[str, ...]]  # class name -> words, first spelling, in order
    options: Mapping[str, str]  # canonical long option name -> raw value text
    rulesets: Mapping[int, Ruleset]
    ruleset_names: Mapping[str, int]
    mailers: Mapping[str, MailerDef]
    headers: tuple[HeaderTemplate, ...]
    maps: Mapping[str, MapDecl]
    trusted_users: tuple[str, ...] = ()
    priorities: Mapping[str, int] = field(default_factory=dict)
    queue_groups: Mapping[str, QueueGroup] = field(default_factory=dict)
    milters: Mapping[str, MilterDef] = field(default_factory=dict)
    environment: Mapping[str, str] = field(default_factory=dict)
    extra_lines: tuple[tuple[str, str, Location], ...] = ()  # L and G lines: (kind, body, where)
    warnings: tuple[str, ...] = ()  # Sendmail's syserr/warning texts, "FILE: line N: msg"
    class_word_order: tuple[str, ...] = ()  # lower-cased words in first-seen order

    def ruleset_number(self, name_or_number: str) -> int | None:
        """Return the number of a ruleset given by name or decimal number, or None."""
        if name_or_number.isdigit():
            n = int(name_or_number)
            return n if n in self.rulesets or n < 100 else None
        return self.ruleset_names.get(name_or_number)
