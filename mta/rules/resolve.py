"""Address resolution: parseaddr(), buildaddr() and remotename() as Sendmail runs them.

SYNOPSIS
    address = parseaddr(engine, "user@example.com", flags=0)
    address.mailer_name, address.host, address.user       # "esmtp", "mx.example.com", ...
    text, status = remotename(engine, "user", mailer, RF_SENDERADDR)
    test_command(mode, "parse", "user@example.com")        # -bt's /parse and /try

DESCRIPTION
    Mirrors parseaddr.c: parseaddr() prescans an address (parentheses are
    comments), refuses one longer than MAXNAME - 1, runs rulesets 3 and 0,
    and buildaddr() turns the "$# mailer $@ host $: user" triple into an
    Address: $#error gives the error mailer with the message printed (and
    Sendmail's exit status recorded), an unknown mailer or a missing host for
    a mailer without F=l is a configuration error, a user starting with '|',
    '/' or ":include:" switches to the prog, *file* or *include* mailer when
    the mailer's F=|, F=/ or F=: allows it. The user part then runs through
    ruleset 2, the mailer's R= ruleset and ruleset 4, and host and user are
    lower-cased unless the mailer has F=h or F=u. Temporary failures of a map
    in rulesets 3 or 0 put the address in the QUEUEUP state.

    remotename() rewrites an address for a mailer (sender or recipient,
    envelope or header): ruleset 3, then 1 or 2, the mailer's S= or R=
    ruleset, then 4, and puts the result back into the comment template of
    crackaddr() (the $g macro).

    The -bt commands print what Sendmail prints: "Cracked address = ...",
    "Parsing envelope recipient address", the ruleset traces, and
    "mailer M, host H, user U"; /try prints "Trying ..." and "Rcode = N,
    addr = ...".

DIAGNOSTICS
    Errors are printed through the engine (usrerr/syserr, which also set its
    exit status) and the Address carries state BADADDR or QUEUEUP; parseaddr
    returns None only when the address cannot be scanned at all.

SEE ALSO
    mta.rules.engine, mta.rules.headers (crackaddr), mta.rules.testmode,
    Sendmail op.me 5.1.4 (ruleset semantics) and 5.5 (M lines, F= flags).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mta.config.macros import expand
from mta.config.model import MailerDef, Op, OpKind
from mta.config.options import atobool
from mta.config.tokens import MAXATOM, MAXNAME, prescan, xputs
from mta.rules.engine import RuleEngine, is_smtp_code, isenhsc, stripquotes, with_prescan_status
from mta.rules.headers import MACRO_G, crackaddr, must_quote_chars
from mta.util.sysexits import (
    EX_CONFIG,
    EX_NOHOST,
    EX_NOUSER,
    EX_OK,
    EX_PROTOCOL,
    EX_SOFTWARE,
    EX_TEMPFAIL,
    EX_UNAVAILABLE,
    EX_USAGE,
    atoi,
    dsn_to_exit_status,
)

if TYPE_CHECKING:
    from mta.rules.testmode import TestMode

MAXNAME_I = 256  # Sendmail's internal-form name buffers
RF_SENDERADDR = 0x001  # a sender address
RF_HEADERADDR = 0x002  # a header address (else envelope)
RF_CANONICAL = 0x004  # strip comment information
RF_ADDDOMAIN = 0x008  # append the sender's domain to a bare user

ERROR_MAILER = "*error*"
PROG_MAILER = "prog"
FILE_MAILER = "*file*"
INCLUDE_MAILER = "*include*"

# $#error $@ word: Sendmail's names for exit statuses
_ERROR_CODES = {
    "usage": EX_USAGE,
    "nouser": EX_NOUSER,
    "nohost": EX_NOHOST,
    "unavailable": EX_UNAVAILABLE,
    "software": EX_SOFTWARE,
    "tempfail": EX_TEMPFAIL,
    "protocol": EX_PROTOCOL,
    "config": EX_CONFIG,
}


class AddressState(enum.Enum):
    """The q_state values parseaddr can leave."""

    OK = "ok"
    BADADDR = "badaddr"
    QUEUEUP = "queueup"


@dataclass(slots=True)
class Address:
    """A parsed address: the mailer, host and user that delivery will use."""

    paddr: str
    mailer_name: str = ERROR_MAILER
    mailer: MailerDef | None = None
    host: str | None = None
    user: str = ""
    state: AddressState = AddressState.OK
    status: str | None = None  # DSN status of an error (q_status)


def find_mailer(engine: RuleEngine, name: str) -> MailerDef | None:
    """The M line named name, compared without case as Sendmail does."""
    mailers = engine.config.mailers
    found = mailers.get(name)
    if found is not None:
        return found
    lowered = name.lower()
    for mname, mailer in mailers.items():
        if mname.lower() == lowered:
            return mailer
    return None


def _rwset(engine: RuleEngine, spec: str) -> int:
    try:
        return int(spec)
    except ValueError:
        return engine.ruleset_number(spec)


def parseaddr(engine: RuleEngine, addr: str, flags: int = 0, *,
              recipient: bool = True, delim: str = "\0") -> Address | None:
    """Parse addr into a mailer triple (Sendmail's parseaddr()).

    Args:
        engine: the rule engine (macros, maps, output for traces and errors).
        addr: the address text (latin-1 decoded).
        flags: RF_* bits.
        recipient: the address is a recipient (error texts differ for senders).
        delim: where the address ends ("\0" for the whole text; ":" for an
            alias name); messages of the scan show all of addr, later ones the
            address alone, as Sendmail cuts its buffer there.

    Returns:
        The Address, or None when prescan or the length check refuses addr
        (the message has been printed).

    Side effects:
        Sets engine.e_to to addr and the $h macro; may set engine.exit_stat.
    """
    engine.e_to = addr
    tokens, end, errors = prescan(addr, engine.tables.ext, delim)
    for text in errors:
        engine.usrerr(with_prescan_status(text))
    if tokens is None:
        return None
    if delim != "\0":
        addr = engine.e_to = addr[:end]
    if len(addr) > MAXNAME - 1:
        # invalidaddr() cuts the address in place, so e_to shows it cut too
        engine.e_to = addr[:MAXNAME - 1]
        engine.usrerr(f'553 5.1.0 Address "{engine.e_to}" too long '
                      f"({MAXNAME - 1} bytes max)")
        return None
    if engine.eight_bit_refused(addr, recipient=recipient):
        return None
    queue_up = False
    if engine.rewrite(tokens, 3) == EX_TEMPFAIL:
        queue_up = True
    if engine.rewrite(tokens, 0) == EX_TEMPFAIL:
        queue_up = True
    address = buildaddr(engine, tokens, addr, flags)
    if _hasctrlchar(engine, address, recipient):
        address.state = AddressState.BADADDR
    if address.state is AddressState.BADADDR:
        return address
    if not flags & (RF_SENDERADDR | RF_HEADERADDR):
        group = engine.config.ruleset_names.get("queuegroup")
        if group is not None:
            group_tokens, _, _ = prescan(address.user, engine.tables.ext)
            if group_tokens is not None:
                engine.rewrite(group_tokens, group)
    if queue_up:
        address.state = AddressState.QUEUEUP
        address.status = "4.4.3"
        engine.usrerr("050 Transient parse error -- message queued for future delivery")
    return address


def buildaddr(engine: RuleEngine, tv: list[str], paddr: str, flags: int) -> Address:
    """Build an Address from the result of ruleset 0 (Sendmail's buildaddr())."""
    address = Address(paddr)
    if not tv or not isinstance(tv[0], Op) or tv[0].kind is not OpKind.CANONNET:
        engine.syserr("buildaddr: no mailer in parsed address")
        return _badaddr(engine, address, tempfail=False)
    maxatom = MAXATOM - 1
    mname = tv[1] if len(tv) > 1 else ""
    i = 2
    host_start: int | None = None
    if i < len(tv) and _is_op(tv[i], OpKind.CANONHOST):
        i += 1
        host_start = i
        maxatom -= 1
    maxatom -= 1
    while i < len(tv) and not _is_op(tv[i], OpKind.CANONUSER):
        i += 1
        maxatom -= 1
    if i >= len(tv):
        engine.syserr("buildaddr: no user")
        return _badaddr(engine, address, tempfail=False)
    host_text = ""
    if host_start == i:
        host_start = None
    elif host_start is not None:
        host_text = engine.cataddr(tv[host_start:i], size=MAXNAME + 1)
    user_tokens = tv[i + 1:]
    maxatom -= 1
    ubuf = engine.cataddr(user_tokens, " ", size=MAXNAME_I + 2)

    if str(mname).lower() == "error":
        return _error_mailer(engine, address, host_start is not None, host_text, ubuf)

    mailer = find_mailer(engine, str(mname))
    if mailer is None:
        engine.syserr(f"buildaddr: unknown mailer {mname}")
        return _badaddr(engine, address, tempfail=False)
    address.mailer = mailer
    address.mailer_name = mailer.name
    if host_start is None:
        if "l" not in mailer.flags:
            engine.syserr("buildaddr: no host")
            return _badaddr(engine, address, tempfail=False)
        address.host = None
    else:
        address.host = host_text

    p = ubuf
    if "@" in mailer.flags and p.startswith("@"):
        p = p[1:]
        user_tokens = user_tokens[1:]
        maxatom -= 1
    if p.startswith('"'):
        p = p[1:]
    special: str | None = None
    if p.startswith("|") and "|" in mailer.flags:
        special = PROG_MAILER
    elif p.startswith("/") and "/" in mailer.flags:
        special = FILE_MAILER
    elif p.startswith(":") and ":" in mailer.flags:
        stripped = stripquotes(ubuf)
        if stripped[:9].lower() == ":include:":
            _switch_mailer(engine, address, INCLUDE_MAILER)
            address.user = stripped[9:]
            return address
    if special is not None:
        _switch_mailer(engine, address, special)
        mailer = address.mailer or mailer

    engine.macros.define("h", address.host)
    if engine.config.version_level >= 10 or not flags & (RF_SENDERADDR | RF_HEADERADDR):
        engine.rewrite(user_tokens, 2, 0, maxatom)
        recipient_set = _rwset(engine, mailer.recipient_rewrite[0])
        if recipient_set > 0:
            engine.rewrite(user_tokens, recipient_set, 0, maxatom)
    engine.rewrite(user_tokens, 4, 0, maxatom)
    user = engine.cataddr(user_tokens, size=MAXNAME_I + 2)
    if address.host is not None and "h" not in mailer.flags:
        address.host = _makelower(address.host)
    if "u" not in mailer.flags:
        user = _makelower(user)
    address.user = user
    return address


def _is_op(tok: str, kind: OpKind) -> bool:
    return isinstance(tok, Op) and tok.kind is kind


def _switch_mailer(engine: RuleEngine, address: Address, name: str) -> None:
    mailer = find_mailer(engine, name)
    address.mailer = mailer
    address.mailer_name = mailer.name if mailer is not None else name


def _error_mailer(engine: RuleEngine, address: Address, has_host: bool, hbuf: str,
                  ubuf: str) -> Address:
    """$#error: record the status, print the message, return a bad address."""
    address.mailer_name = ERROR_MAILER
    address.user = ubuf
    if has_host:
        address.host = hbuf
        if "." in hbuf:
            address.status = hbuf
            engine.setstat(dsn_to_exit_status(hbuf))
        elif hbuf[:1].isascii() and hbuf[:1].isdigit():
            engine.setstat(atoi(hbuf))
        else:
            engine.setstat(_ERROR_CODES.get(hbuf.lower(), EX_UNAVAILABLE))
    else:
        engine.setstat(EX_UNAVAILABLE)
    text = stripquotes(ubuf)
    tempfail = False
    if is_smtp_code(text) and text[3:4] == " ":
        enh = isenhsc(text[4:], " ")
        if enh > 0:
            engine.usrerr(text)
        elif isenhsc(hbuf, "") > 0:
            engine.usrerr(f"{text[:3]} {hbuf} {text[4:]}")
        else:
            engine.usrerr(text)
        tempfail = text.startswith("4")
    else:
        engine.usrerr("553 5.3.0 " + text)
    return _badaddr(engine, address, tempfail=tempfail)


def _badaddr(engine: RuleEngine, address: Address, *, tempfail: bool) -> Address:
    if engine.exit_stat == EX_TEMPFAIL or tempfail:
        address.state = AddressState.QUEUEUP
    else:
        address.state = AddressState.BADADDR
        address.mailer_name = ERROR_MAILER
        address.mailer = None
    return address


def _hasctrlchar(engine: RuleEngine, address: Address, recipient: bool) -> bool:
    """hasctrlchar() of address.user: control characters, unbalanced quotes, too long.

    As Sendmail, each control character outside quotes (DEL and 0xFF too)
    becomes "?" in the user itself.
    """
    text = address.user
    problem: str | None = None
    quoted = False
    i = 0
    while i < len(text):
        c = text[i]
        if i >= MAXNAME - 1:
            shown = text[:MAXNAME - 1]
            engine.usrerr(f'553 5.1.0 Address "{shown}" too long ({MAXNAME - 1} bytes max)')
            return True
        if not quoted and (ord(c) < 32 or c == "\x7f" or c == "\xff"):
            problem = "non-printable character"
            text = address.user = text[:i] + "?" + text[i + 1:]
            i += 1
            continue
        if c == '"':
            quoted = not quoted
        elif c == "\\":
            i += 1
            if i >= len(text):
                problem = "trailing \\ character"
                break
        i += 1
    if quoted:
        problem = "unbalanced quote"
    if problem is not None:
        detail = "5.1.3" if recipient else "5.1.7"
        engine.usrerr(f'501 {detail} Syntax error in mailbox address "{text}" ({problem})')
        return True
    return False


def remotename(engine: RuleEngine, name: str, mailer: MailerDef, flags: int
               ) -> tuple[str, int]:
    """Rewrite name for mailer (Sendmail's remotename()).

    Returns:
        (text, status): the rewritten address in its original comment
        template, and EX_OK or EX_TEMPFAIL (a map failed during rewriting).
    """
    status = EX_OK
    if flags & RF_SENDERADDR:
        pair = mailer.sender_rewrite
        kind = "s"
    else:
        pair = mailer.recipient_rewrite
        kind = "r"
    rwset = _rwset(engine, pair[1] if flags & RF_HEADERADDR else pair[0])
    if rwset < 0:
        return name, status
    engine.macros.define("addr_type", ("h" if flags & RF_HEADERADDR else "e") + " " + kind)
    if flags & RF_CANONICAL or "c" in mailer.flags:
        fancy = MACRO_G
    else:
        fancy = crackaddr(name, must_quote=_must_quote(engine), colon_ok=_colon_ok(engine))
    tokens, _end, errors = prescan(name, engine.tables.ext)
    for text in errors:
        engine.usrerr(with_prescan_status(text))
    if tokens is None:
        return name, status
    if engine.rewrite(tokens, 3) == EX_TEMPFAIL:
        status = EX_TEMPFAIL
    if engine.rewrite(tokens, 1 if flags & RF_SENDERADDR else 2) == EX_TEMPFAIL:
        status = EX_TEMPFAIL
    if rwset > 0 and engine.rewrite(tokens, rwset) == EX_TEMPFAIL:
        status = EX_TEMPFAIL
    if engine.rewrite(tokens, 4) == EX_TEMPFAIL:
        status = EX_TEMPFAIL
    rewritten = engine.cataddr(tokens, size=MAXNAME_I + 1)
    if flags & RF_CANONICAL and rewritten.startswith("@"):
        fancy = "<" + MACRO_G + ">"  # a route address needs its angle brackets

    def lookup(macro: str) -> str | None:
        return rewritten if macro == "g" else engine.macros.get(macro)

    return expand(fancy, lookup), status


def _must_quote(engine: RuleEngine) -> str:
    return must_quote_chars(engine.config.options.get("MustQuoteChars"))


def _colon_ok(engine: RuleEngine) -> bool:
    value = engine.config.options.get("ColonOkInAddr")
    if value is None:
        return engine.config.version_level < 6
    return atobool(value)


def _makelower(text: str) -> str:
    return "".join(c.lower() if "A" <= c <= "Z" else c for c in text)


# --- -bt commands ------------------------------------------------------------------


def test_command(mode: TestMode, word: str, arg: str) -> None:
    """Run /parse or /try for test mode."""
    if word == "parse":
        _test_parse(mode, arg)
    elif word == "try":
        _test_try(mode, arg)
    else:
        mode.println(f'Unknown "/" command /{word}')


def _describe(flags: int) -> str:
    return ("header" if flags & RF_HEADERADDR else "envelope") + " " + (
        "sender" if flags & RF_SENDERADDR else "recipient")


def _test_parse(mode: TestMode, arg: str) -> None:
    engine = mode.engine
    if not arg:
        mode.println("Usage: /parse address")
        return
    fancy = crackaddr(arg, must_quote=_must_quote(engine), colon_ok=_colon_ok(engine))
    mode.println("Cracked address = " + xputs(fancy))
    mode.println(f"Parsing {_describe(mode.tryflags)} address")
    address = parseaddr(engine, arg, mode.tryflags)
    if address is None:
        mode.println("Cannot parse")
    elif address.host:
        mode.println(f"mailer {address.mailer_name}, host {address.host}, "
                     f"user {address.user}")
    else:
        mode.println(f"mailer {address.mailer_name}, user {address.user}")
    engine.e_to = None


def _test_try(mode: TestMode, arg: str) -> None:
    engine = mode.engine
    cut = -1
    for k, ch in enumerate(arg):
        if ch in " \t":
            cut = k
            break
    if cut < 0:
        mode.println("Usage: /try mailer address")
        return
    name = arg[:cut]
    rest = arg[cut:].lstrip(" \t\n\r\x0b\x0c")
    if not rest:
        mode.println("Usage: /try mailer address")
        return
    mailer = find_mailer(engine, name)
    if mailer is None:
        mode.println(f"Unknown mailer {name}")
        return
    mode.println(f"Trying {_describe(mode.tryflags)} address {rest} for mailer {name}")
    engine.e_to = rest
    text, status = remotename(engine, rest, mailer, mode.tryflags)
    mode.println(f"Rcode = {status}, addr = {text}")
    engine.e_to = None
