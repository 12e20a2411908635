"""The Policy facade: the check_* rulesets as an SMTP session asks them (Sendmail's rscheck).

SYNOPSIS
    policy = Policy(engine)
    verdict = policy.check("check_rcpt", "<user@example.com>", macros=session.macros,
                           e_to="<user@example.com>")
    if verdict.reply is not None: ...          # $#error: send it (or 451 4.3.0)
    elif verdict.discard: ...                  # $#discard: accept, then drop

DESCRIPTION
    Mirrors rscheck() of Sendmail's parseaddr.c. The argument text is
    "arg1 $| arg2" (the $| operator between, when there is a second part),
    broken into tokens with comments removed for the address checks
    (check_mail, check_rcpt: RSF_RMCOMM) and kept otherwise, then rewritten by
    the named ruleset. A ruleset the .cf does not define allows everything.

    The result decides:

    - "$#error $@ D.S.N $: "CODE text"": a refusal. Its reply is what Sendmail
      prints through usrerr(): the code of the text (553 when it has none), the
      enhanced status given by $@ or in the text, and the text after the
      "e_to... " prefix that Sendmail puts before 450/550/553 messages about
      an address (e_to is the command's argument as the client wrote it).
      "$#error $@ quarantine $: reason" quarantines the message instead.
    - "$#discard": the message is accepted and then thrown away.
    - a temporary map failure that the rules did not catch (status 75):
      "451 4.3.0 Temporary system failure. Please try again later.", which is
      also the reply for any rule trouble (a recursion or a missing ruleset),
      so that no mail is refused for a configuration fault.
    - anything else: accepted; the returned workspace is kept for the caller
      (check_relay's "$# OK", the tokens of srv_features ...).

    The engine is shared by every session of a process: each call installs the
    session's MacroEnv on it for the time of the call (the memo of the engine
    compares the macros a remembered call read by value, see mta.rules.engine).

DIAGNOSTICS
    Nothing raises for bad input; a refusal is a Verdict with a Reply.

SEE ALSO
    mta.rules.engine, mta.rules.resolve (buildaddr's $#error texts),
    mta.core.reply, Sendmail op.me 5.1.4 and cf/README "check_*".
"""

from __future__ import annotations

import pwd
import time
from dataclasses import dataclass

from mta.config.macros import expand, translate_dollars
from mta.config.model import Op, OpKind
from mta.config.tokens import prescan
from mta.core.reply import Reply
from mta.maps.base import LookupStatus
from mta.rules.engine import (
    EX_OK,
    EX_SOFTWARE,
    EX_TEMPFAIL,
    TO_PREFIX_CODES,
    RuleEngine,
    is_smtp_code,
    isenhsc,
    prescan_status,
    stripquotes,
)
from mta.rules.macros import MacroEnv
from mta.rules.resolve import (
    ERROR_MAILER,
    RF_CANONICAL,
    RF_HEADERADDR,
    RF_SENDERADDR,
    Address,
    AddressState,
    buildaddr,
    parseaddr,
    remotename,
)
from mta.util.text import MAXSHORTSTR, shortenstring

__all__ = ["ACCEPT", "TEMPORARY_FAILURE", "MacroEnv", "Policy", "Verdict", "define_plain",
           "expand_macros"]

TEMPORARY_FAILURE = Reply(451, "4.3.0", "Temporary system failure. Please try again later.")
# rulesets whose argument is an address: comments are removed before rewriting
_ADDRESS_CHECKS = frozenset({"check_mail", "check_rcpt", "check_compat", "check_vrfy",
                             "check_expn", "check_etrn"})


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a check ruleset said.

    Attributes:
        reply: the refusal to send, None when the command may go on.
        discard: $#discard: accept, then throw the message away.
        quarantine: the reason of "$#error $@ quarantine", or None.
        result: the rewritten workspace as text (for logging and special checks).
        value: for another "$# word ..." result, its words (srv_features: the
            feature letters; check_relay: "OK", "RELAY").
    """

    reply: Reply | None = None
    discard: bool = False
    quarantine: str | None = None
    result: str = ""
    value: str | None = None

    @property
    def accepted(self) -> bool:
        return self.reply is None


ACCEPT = Verdict()


class Policy:
    """Runs check rulesets for SMTP sessions on one shared RuleEngine."""

    def __init__(self, engine: RuleEngine) -> None:
        self.engine = engine
        self._condelse: str | None = None

    def _using(self, macros: MacroEnv, e_to: str | None = None) -> _Using:
        """The shared engine with a session's macros and a fresh error list, restored after.

        Messages the rules print (a map's "Name server timeout") go to that
        list, not to the client; the callers read what they need from it.
        """
        return _Using(self.engine, macros, e_to)

    def has(self, ruleset: str) -> bool:
        """Does the .cf define ruleset?"""
        return self.engine.config.ruleset_names.get(ruleset) is not None

    def check(
        self,
        ruleset: str,
        arg1: str,
        arg2: str | None = None,
        *,
        macros: MacroEnv,
        e_to: str | None = None,
    ) -> Verdict:
        """Run ruleset on "arg1 $| arg2" with the session's macros (rscheck()).

        Args:
            ruleset: the check ruleset's name, e.g. "check_rcpt".
            arg1: the first argument (an address as the client wrote it, a host name).
            arg2: the second argument, after the $| operator, or None.
            macros: the session's macro environment.
            e_to: the text that prefixes address messages ("<a@b>... Relaying denied").

        Returns:
            The Verdict; ACCEPT when the ruleset does not exist.
        """
        engine = self.engine
        number = engine.config.ruleset_names.get(ruleset)
        if number is None:
            return ACCEPT
        table = engine.tables.int if ruleset in _ADDRESS_CHECKS else engine.tables.noc
        text = arg1 if arg2 is None else arg1 + self._op_condelse() + arg2
        tokens, _end, _errors = prescan(text, table, "\0", ignore=True, ops=True)
        if tokens is None and not text.strip():
            tokens = []  # srv_features and the like take no argument
        if tokens is None:
            return Verdict(reply=Reply(553, "5.1.0", f"{arg1}... Syntax error"))
        with self._using(macros, e_to):
            return self._verdict(tokens, engine.rewrite(tokens, number))

    def split_address(self, text: str) -> tuple[str, str, Reply | None]:
        """The address at the start of a MAIL/RCPT argument, the rest, and a scan error.

        Sendmail's setsender()/parseaddr() with ' ' as the delimiter: the
        address ends at a blank outside quotes and angle brackets; prescan's
        complaints ("Unbalanced '<'") are the reply, about that address.
        """
        engine = self.engine
        tokens, end, errors = prescan(text, engine.tables.ext, " ")
        path, rest = text[:end], text[end:]
        if errors or tokens is None:
            message = errors[0] if errors else "Syntax error"
            return path, rest, _reply(553, prescan_status(message),
                                      f"{shortenstring(path, MAXSHORTSTR)}... {message}")
        return path, rest, None

    def parse_recipient(self, addr: str, *,
                        macros: MacroEnv) -> tuple[Address | None, Reply | None]:
        """RCPT's parseaddr() before check_rcpt: (the address, or the refusal)."""
        with self._using(macros):
            return self._parse(addr)

    def check_local_user(self, addr: str, address: Address | None, *,
                         macros: MacroEnv | None = None) -> tuple[Reply | None, Address | None]:
        """After check_rcpt, what Sendmail's recipient() finds, in its order: an alias
        of a local user is fine; ruleset 5 may send the address elsewhere (F=5:
        LUSER_RELAY, the MSP's relay: the new address is returned); else a local user
        must have a passwd entry (F=w), or the refusal is "User unknown"."""
        if address is None or address.state is not AddressState.OK:
            return None, None
        mailer = address.mailer
        if mailer is None:
            return None, None
        local = mailer.name == "local"
        if local and _alias_known(self.engine, address.user):
            return None, None
        if "5" in mailer.flags:
            # on a copy: what ruleset 5 is given ($h, $u, $z) stays out of the session
            with self._using((macros or self.engine.macros).copy()) as engine:
                replaced = maplocaluser(engine, address)
                if isinstance(replaced, Address):
                    return None, replaced
                if replaced is not None:  # deferred: it is queued, as Sendmail's
                    return None, None
        if local and "w" in mailer.flags and not _passwd_known(address.user):
            return Reply(550, "5.1.1", f"{addr}... User unknown"), None
        return None, None

    def _parse(self, addr: str) -> tuple[Address | None, Reply | None]:
        """parseaddr() in an SMTP command (inside _using): any error it reports fails it."""
        engine = self.engine
        address = parseaddr(engine, addr)
        failures = [e for e in engine.smtp_errors or () if e[0][:1] in "45"]
        if failures:
            code, enh, text = failures[0]
            return address, _reply(int(code), enh, text)
        if address is None or address.state is AddressState.BADADDR \
                or address.mailer_name == ERROR_MAILER:
            if address is not None and address.state is AddressState.QUEUEUP:
                return address, None
            return address, Reply(553, "5.1.3", f"{addr}... Invalid address")
        return address, None

    def header_sender(self, sender: str, *, macros: MacroEnv) -> tuple[str, str | None]:
        """$g and $x for the header fields the .cf adds to a message from sender.

        As Sendmail's setsender(): $g is the sender as its own mailer writes
        it in a header ("root@localhost" from a local user becomes
        "root@mail.example.test"), empty for the null sender (so that a From:
        made of $g alone is left out); $x is the full name of a local sender
        from its passwd entry, None otherwise.
        """
        if not sender:
            return "", None
        with self._using(macros) as engine:
            address = parseaddr(engine, sender, RF_SENDERADDR)
            mailer = address.mailer if address is not None else None
            if address is None or mailer is None or address.state is AddressState.BADADDR:
                return sender, None
            g, _status = remotename(engine, sender, mailer,
                                    RF_SENDERADDR | RF_HEADERADDR | RF_CANONICAL)
            full_name = None
            if mailer.name == "local":
                gecos = _passwd(address.user)
                if gecos:
                    # buildfname(): "&" stands for the login name, capitalized
                    full_name = gecos.replace("&", address.user[:1].upper() + address.user[1:])
            return g, full_name

    def vrfy(self, addr: str, *, macros: MacroEnv, expand: bool) -> list[Reply]:
        """VRFY (expand False) or EXPN (True) of addr: the reply lines Sendmail gives.

        A local user is "Full Name <user@$j>", an alias "<alias@$j>" for VRFY
        and its members for EXPN, another address "252 2.1.5 <address>"; an
        unknown local user "550 5.1.1 ... User unknown"; a parse error its
        message.
        """
        with self._using(macros) as engine:
            address, refusal = self._parse(addr)
            if refusal is not None or address is None:
                return [refusal or Reply(553, "5.1.3", f"{addr}... Invalid address")]
            mailer = address.mailer
            if mailer is None or mailer.name != "local":
                return [Reply(252, "2.1.5", f"<{addr.strip().strip('<>')}>")]
            here = expand_macros(macros.get("j") or "", macros)
            user = address.user
            members = _alias_members(engine, user)
            if members is not None:
                if not expand:
                    return [Reply(250, "2.1.5", f"<{user}@{here}>")]
                return [Reply(250, "2.1.5", _describe(m, here)) for m in members]
            if _passwd(user) is None:
                return [Reply(550, "5.1.1", f"{addr}... User unknown")]
            return [Reply(250, "2.1.5", _describe(user, here))]

    def _op_condelse(self) -> str:
        if self._condelse is None:
            from mta.config.tokens import encode_op

            self._condelse = encode_op(Op(OpKind.CONDELSE))
        return self._condelse

    def _verdict(self, tokens: list[str], status: int) -> Verdict:
        engine = self.engine
        result = engine.printav(tokens)
        if tokens and isinstance(tokens[0], Op) and tokens[0].kind is OpKind.CANONNET:
            mailer = str(tokens[1]).lower() if len(tokens) > 1 else ""
            if mailer == "discard":
                return Verdict(discard=True, result=result)
            if mailer == "error":
                return self._error(tokens, result)
            words = [str(t) for t in tokens[1:] if not isinstance(t, Op)]
            return Verdict(result=result, value=" ".join(words))
        if status == EX_TEMPFAIL or status >= EX_SOFTWARE:
            return Verdict(reply=TEMPORARY_FAILURE, result=result)
        return Verdict(result=result)

    def _error(self, tokens: list[str], result: str) -> Verdict:
        """$#error [$@ status] $: text -> the reply Sendmail gives for it."""
        engine = self.engine
        host: list[str] = []
        user: list[str] = []
        target: list[str] | None = None
        for tok in tokens[2:]:
            if isinstance(tok, Op) and tok.kind is OpKind.CANONHOST:
                target = host
                continue
            if isinstance(tok, Op) and tok.kind is OpKind.CANONUSER:
                target = user
                continue
            if target is not None:
                target.append(tok)
        hbuf = engine.cataddr(host) if host else ""
        ubuf = engine.cataddr(user, " ")
        if hbuf.lower() == "quarantine":
            return Verdict(quarantine=stripquotes(ubuf), result=result)
        text = stripquotes(ubuf)
        if is_smtp_code(text) and text[3:4] == " ":
            code, rest = text[:3], text[4:]
        else:
            code, rest = "553", text
        enh: str | None = None
        n = isenhsc(rest, " ")
        if n > 0:
            enh, rest = rest[:n], rest[n + 1:]
        elif isenhsc(hbuf, "") > 0:
            enh = hbuf
        if engine.e_to and code in TO_PREFIX_CODES:
            # usrerr() puts the address before messages with these codes
            rest = shortenstring(engine.e_to, MAXSHORTSTR) + "... " + rest
        return Verdict(reply=_reply(int(code), enh, rest), result=result)


class _Using:
    """Policy._using(): a plain context manager (the daemon enters one per check)."""

    def __init__(self, engine: RuleEngine, macros: MacroEnv, e_to: str | None) -> None:
        self.engine = engine
        self.macros = macros
        self.e_to = e_to
        self.saved: tuple[MacroEnv, str | None, list[tuple[str, str | None, str]] | None,
                          int] | None = None

    def __enter__(self) -> RuleEngine:
        engine = self.engine
        self.saved = (engine.macros, engine.e_to, engine.smtp_errors, engine.exit_stat)
        engine.macros, engine.e_to, engine.smtp_errors = self.macros, self.e_to, []
        engine.exit_stat = EX_OK
        return engine

    def __exit__(self, *exc: object) -> None:
        saved = self.saved
        if saved is not None:
            engine = self.engine
            engine.macros, engine.e_to, engine.smtp_errors, engine.exit_stat = saved


def using_macros(engine: RuleEngine, macros: MacroEnv, e_to: str | None = None) -> _Using:
    """The engine with macros, e_to and a fresh error list until the with block ends.

    What Policy uses for each check; delivery uses it for one envelope's
    parseaddr() and remotename() calls. Errors the rules report are collected
    in engine.smtp_errors instead of being printed.
    """
    return _Using(engine, macros, e_to)


def _alias_members(engine: RuleEngine, user: str) -> list[str] | None:
    maps = engine.maps
    if maps is None or maps.get("aliases") is None:
        return None
    found = maps.lookup("aliases", user, [], engine)
    if found.status is not LookupStatus.FOUND or found.value is None:
        return None
    return [m.strip() for m in found.value.split(",") if m.strip()]


# user -> (when to ask again, GECOS name or None): getpwnam() goes through NSS on
# every call, and a busy daemon asks for the same few users again and again
_PASSWD_CACHE: dict[str, tuple[float, str | None]] = {}
PASSWD_CACHE_SECONDS = 10.0


def _passwd(user: str) -> str | None:
    """The full name (GECOS) of a passwd user, "" when none; None: no such user."""
    now = time.monotonic()
    hit = _PASSWD_CACHE.get(user)
    if hit is not None and now < hit[0]:
        return hit[1]
    try:
        name: str | None = pwd.getpwnam(user).pw_gecos.split(",", 1)[0]
    except KeyError:
        name = None
    if len(_PASSWD_CACHE) > 10000:
        _PASSWD_CACHE.clear()
    _PASSWD_CACHE[user] = (now + PASSWD_CACHE_SECONDS, name)
    return name


def _describe(member: str, here: str) -> str:
    """An EXPN/VRFY line: "Full Name <user@here>" for a local user, else "<member>"."""
    bare = member.strip("<>")
    if "@" in bare or bare.startswith(("|", "/", ":")):
        return f"<{bare}>"
    name = _passwd(bare)
    return f"{name} <{bare}@{here}>" if name else f"<{bare}@{here}>"


def _passwd_known(user: str) -> bool:
    """A passwd entry of that name, or of its part before +detail."""
    return any(_passwd(name) is not None
               for name in dict.fromkeys((user, user.split("+", 1)[0])))


def _alias_known(engine: RuleEngine, user: str) -> bool:
    """An alias of that name, or of its part before +detail."""
    maps = engine.maps
    if maps is None or maps.get("aliases") is None:
        return False
    base = user.split("+", 1)[0]
    return any(engine.shared_lookup("aliases", name).status is LookupStatus.FOUND
               for name in dict.fromkeys((user, base)))


def _reply(code: int, enh: str | None, text: str) -> Reply:
    """A Reply whose enhanced status agrees with the code (x.0.0 when it does not)."""
    if code < 200 or code > 599:
        code = 553
    if enh is None or enh[:1] != str(code)[0]:
        enh = f"{str(code)[0]}.0.0"
    try:
        return Reply(code, enh, text)
    except ValueError:
        return Reply(code, f"{str(code)[0]}.0.0", text)


MAPLOCALUSER_TEMPFAIL = "tempfail"  # ruleset 5 could not say (a map deferred): a str


def maplocaluser(engine: RuleEngine, address: Address, *,
                 home: str | None = None) -> Address | str | None:
    """Sendmail's maplocaluser(): address's user through ruleset 5 ($h, $u and $z
    set, ${addr_type} "e r"); the new mailer triple when it differs from address's,
    MAPLOCALUSER_TEMPFAIL when the rules deferred, None when nothing changes (no
    ruleset 5, or a result that is no mailer triple or the same one)."""
    if 5 not in engine.config.rulesets:
        return None
    tokens, _end, _errors = prescan(address.user, engine.tables.ext)
    if tokens is None:
        return None
    macros = engine.macros
    define_plain(macros, "h", address.host)
    define_plain(macros, "u", address.user)
    define_plain(macros, "z", home)
    define_plain(macros, "addr_type", "e r")
    if engine.rewrite(tokens, 5) == EX_TEMPFAIL:
        return MAPLOCALUSER_TEMPFAIL
    if not tokens or not isinstance(tokens[0], Op) or tokens[0].kind is not OpKind.CANONNET:
        return None
    result = buildaddr(engine, tokens, address.paddr, 0)
    if (result.mailer_name, (result.host or "").lower(), result.user) == (
            address.mailer_name, (address.host or "").lower(), address.user):
        return None
    return result


def define_plain(macros: MacroEnv, name: str, value: str | None) -> None:
    """Define macro name as plain text (None removes it), as Sendmail's macdefine()."""
    macros.define(name, None if value is None else translate_dollars(value, 10, comments=False))


def expand_macros(text: str, macros: MacroEnv) -> str:
    """Expand the $x references and conditionals of an encoded .cf text (an H line value)."""
    return expand(text, macros.get)
