"""`sendmail -bt`: address test mode, printing what Sendmail 8.17 prints.

SYNOPSIS
    mode = TestMode(engine, mapset, out=sys.stdout.write)
    mode.banner()
    for line in sys.stdin: mode.line(line.rstrip("\\n"))

DESCRIPTION
    Mirrors testmodeline() in Sendmail's main.c. Input lines are either a
    comma-separated list of rulesets and an address ("3,0 user@host"), or a
    command: ".Dx value" and ".Cx value" (define a macro, add to a class),
    "=Sruleset" (list its rules), "=M" (list the mailers), "$x" and "$=x"
    (show a macro, a class), "-dX.Y" (debug flags), "/map name key",
    "/parse address", "/try mailer address", "/tryflags [HhEe][SsRr]",
    "/canon host", "/mx host", "/quit", comments and blank lines.

    /map calls the map class's lookup directly (MapClass.test_lookup: no $@
    arguments, quotes kept) and prints the status the class reports, e.g.
    "no match (68)" from the host map. /canon and /mx print what getcanonname()
    and getmxrr() (mta.maps.classes.host) find through the hosts service.

    Every ruleset run prints its "input:" and "returns:" lines; a ruleset
    that ends with a status other than EX_OK adds "== Ruleset LIST (N) status S".
    Each address of the list is scanned with the NOC table (V9+ configs:
    parentheses are tokens, not comments) up to the next comma.

DIAGNOSTICS
    Nothing raises: unknown commands, rulesets and maps get Sendmail's
    messages ("Undefined ruleset X", "Map named \\"X\\" not found", ...).

SEE ALSO
    mta.rules.engine, mta.rules.resolve, mta.cli.sendmail, Sendmail op.me 1.4
    ("Testing configuration files").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from mta.config.loader import SENDMAIL_VERSION
from mta.config.macros import expand, macid_parse, translate_dollars
from mta.config.model import MailerDef
from mta.config.options import atobool
from mta.config.tokens import decode_op, prescan, xputs
from mta.maps.base import LookupResult, LookupStatus, MapClass, MapEnv
from mta.maps.classes.host import getcanonname, getmxrr
from mta.rules.engine import EX_OK, OPERATOR_BYTES_SHOWN, RuleEngine

BANNER = (
    "ADDRESS TEST MODE (ruleset 3 NOT automatically invoked)\n"
    "Enter <ruleset> <address>\n"
)
MAXNAME = 256

_META_NAMES = frozenset("*+-=~#@:>?|.[]()&")

RF_SENDERADDR = 1
RF_HEADERADDR = 2


class TestMode:
    """One -bt session over an engine; out receives text (with newlines)."""

    __test__: ClassVar[bool] = False  # not a pytest class

    def __init__(self, engine: RuleEngine, maps: object | None,
                 out: Callable[[str], object],
                 *, parse: Callable[[TestMode, str, str], None] | None = None) -> None:
        self.engine = engine
        self.maps = maps
        self.write = out
        self.tryflags = 0
        self.parse_hook = parse
        engine.out = self.println
        self.quit = False
        # what /tryflags sets, for the default flags (sendmail -bt starts with it)
        engine.macros.define("addr_type", "e r")

    def println(self, text: str) -> None:
        self.write(text + "\n")

    def banner(self) -> None:
        self.write(BANNER)

    def prompt(self) -> None:
        self.write("> ")

    # --- dispatch -----------------------------------------------------------------

    def line(self, line: str) -> None:
        """Process one input line (without its newline)."""
        line = line.lstrip(" ")
        if not line or line[0] == "#":
            return
        c = line[0]
        if c == "?":
            self.println(f"Sendmail {SENDMAIL_VERSION} -- HELP not implemented")
            return
        handler = {".": self._dot, "=": self._equals, "-": self._dash, "$": self._dollar,
                   "/": self._slash}.get(c)
        if handler is not None:
            handler(line)
            return
        self._rulesets(line)

    def _dot(self, line: str) -> None:
        kind = line[1:2]
        if kind == "D":
            name, end, _err = macid_parse(line, 2)
            if name is None:
                return
            self.engine.macros.define(name, translate_dollars(line[end:], 10, comments=False))
        elif kind == "C":
            if len(line) <= 2:
                return
            name, end, _err = macid_parse(line, 2)
            if name is None:
                return
            value = expand(translate_dollars(line[end:], 10, comments=False),
                           self.engine.macros.get, on_error=self.engine.syserr)
            for word in value.split():
                self.engine.classes.add(name, word)
        elif kind == "":
            self.println("Usage: .[DC]macro value(s)")
        else:
            self.println(f'Unknown "." command {line}')

    def _equals(self, line: str) -> None:
        kind = line[1:2]
        if kind == "S":
            rs = self.engine.ruleset_number(line[2:], report=True)
            if rs < 0:
                self.println(f"Undefined ruleset {line[2:]}")
                return
            for rule in self.engine.rules.get(rs, ()):
                lhs = "".join(xputs(t) + " " for t in rule.lhs_tokens)
                rhs = "".join(xputs(t) + " " for t in rule.rhs_tokens)
                self.println(f"R{lhs}\t\t{rhs}")
        elif kind == "M":
            for number, mailer in enumerate(self.engine.config.mailers.values()):
                self.println(self.format_mailer(number, mailer))
        elif kind == "":
            self.println("Usage: =Sruleset or =M")
        else:
            self.println(f'Unknown "=" command {line}')

    def format_mailer(self, number: int, m: MailerDef) -> str:
        """printmailer(): one =M line."""
        def rsname(n: str) -> str:
            num = int(n) if n.isdigit() else 0
            return self.engine.names.get(num) or str(num)

        se, sh = m.sender_rewrite
        re_, rh = m.recipient_rewrite
        flags = "".join(sorted(f for f in m.flags if ord(f) < 128))
        uid, gid = _user_ids(m.user)
        parts = [
            f"mailer {number} ({m.name}): P={m.path} S={rsname(se)}/{rsname(sh)} "
            f"R={rsname(re_)}/{rsname(rh)} M={m.max_size} U={uid}:{gid} F={flags} "
            f"L={m.line_limit} E={xputs(m.eol)}"
        ]
        charset = m.equates.get("C")
        if charset:
            parts.append(f" C={charset}")
        mta, addr, diag = _mailer_types(m.equates.get("T"))
        parts.append(f" T={mta}/{addr}/{diag}")
        parts.append(f" r={m.max_rcpts}")
        if m.argv:
            parts.append(" A=" + " ".join(xputs(a) for a in m.argv))
        return "".join(parts)

    def _dash(self, line: str) -> None:
        kind = line[1:2]
        if kind == "d":
            set_debug_flags(self.engine.debug, line[2:])
        elif kind == "":
            self.println("Usage: -d{debug arguments}")
        else:
            self.println(f'Unknown "-" command {line}')

    def _dollar(self, line: str) -> None:
        if line[1:2] == "=":
            name, _end, _err = macid_parse(line, 2)
            if not name:
                self.engine.syserr("Name required for macro/class")
                return
            for word in self.engine.classes.dump_order(name):
                self.println(word)
            return
        name, _end, _err = macid_parse(line, 1)
        if not name:
            self.engine.syserr("Name required for macro/class")
            return
        if name in _META_NAMES:
            # Sendmail's macid() maps these to its operator codes, which print as $X
            self.println("$" + name)
            return
        value = self.engine.macros.get(name)
        if value is None:
            self.println("Undefined")
        else:
            self.println(xputs(value))

    def _slash(self, line: str) -> None:
        line = line.rstrip(" \t\n\r\x0b\x0c")
        cut = _first_blank(line)
        if cut >= 0:
            command = line[:cut]
            arg = line[cut:].lstrip(" \t\n\r\x0b\x0c")
        else:
            command, arg = line, ""
        word = command[1:].lower()
        if not word:
            self.println("Usage: /[canon|map|mx|parse|try|tryflags]")
            return
        if word == "quit":
            self.quit = True
            return
        if word == "map":
            self._map(arg)
        elif word == "tryflags":
            self._tryflags(arg)
        elif word == "canon":
            self._canon(arg)
        elif word == "mx":
            self._mx(arg)
        elif word in ("parse", "try") and self.parse_hook is not None:
            self.parse_hook(self, word, arg)
        else:
            self.println(f'Unknown "/" command {command}')

    def _map(self, arg: str) -> None:
        if not arg:
            self.println("Usage: /map mapname key")
            return
        cut = _first_blank(arg)
        if cut < 0:
            self.println("No key specified")
            return
        name = arg[:cut]
        key = arg[cut + 1:]
        maps = self.engine.maps
        mobj = maps.get(name) if maps is not None else None
        if not isinstance(mobj, MapClass):
            # a K line whose declaration failed still names a map, one that cannot open
            declared = getattr(maps, "is_declared", None)
            if declared is not None and declared(name):
                self.println(f'Map named "{name}" not open')
            else:
                self.println(f'Map named "{name}" not found')
            return
        # an open failure prints its message before the "map_lookup:" line,
        # messages of the lookup itself (a name server timeout) after it
        if mobj.ensure_open(self.engine) is not None and mobj.is_optional:
            self.println(f'Map named "{name}" not open')
            return
        self.write(f"map_lookup: {name} ({key}) ")
        result = mobj.test_lookup(key, self.engine)
        if result is None:  # pragma: no cover - ensure_open answered above
            result = LookupResult(LookupStatus.NOT_FOUND)
        if result.status is LookupStatus.FOUND:
            self.println(f"returns {result.value or ''} ({result.exit_code})")
        else:
            self.println(f"no match ({result.exit_code})")

    def _map_env(self) -> MapEnv:
        env = getattr(self.engine.maps, "env", None)
        return env if isinstance(env, MapEnv) else MapEnv(options=self.engine.config.options)

    def _canon(self, arg: str) -> None:
        """/canon host: getcanonname() through the hosts service methods."""
        if not arg:
            self.println("Usage: /canon address")
            return
        if len(arg) >= MAXNAME:
            self.println("Name too long")
            return
        wildcard_mx = atobool(self.engine.config.options.get("HasWildcardMX", "f"))
        canon = getcanonname(self._map_env(), arg, local_domain=self.engine.macro("m"),
                             trymx=not wildcard_mx)
        self.println(f"getcanonname({arg}) returns {canon.name}")

    def _mx(self, arg: str) -> None:
        """/mx host: the MX hosts getmxrr() finds."""
        if not arg:
            self.println("Usage: /mx address")
            return
        mx = getmxrr(self._map_env(), arg, local_domain=self.engine.macro("m"))
        self.println(f"getmxrr({arg}) returns {mx.count} value(s):")
        for host in mx.hosts:
            self.println(f"\t{host}")

    def _tryflags(self, arg: str) -> None:
        if not arg:
            self.println("Usage: /tryflags [Hh|Ee][Ss|Rr]")
            return
        for ch in arg:
            if ch in "Hh":
                self.tryflags |= RF_HEADERADDR
            elif ch in "Ee":
                self.tryflags &= ~RF_HEADERADDR
            elif ch in "Ss":
                self.tryflags |= RF_SENDERADDR
            elif ch in "Rr":
                self.tryflags &= ~RF_SENDERADDR
        value = ("h" if self.tryflags & RF_HEADERADDR else "e") + " " + (
            "s" if self.tryflags & RF_SENDERADDR else "r")
        self.engine.macros.define("addr_type", value)

    # --- ruleset lists ----------------------------------------------------------------

    def _rulesets(self, line: str) -> None:
        p = 0
        while p < len(line) and line[p] in " \t\n\r\x0b\x0c":
            p += 1
        q = p
        while p < len(line) and line[p] not in " \t\n\r\x0b\x0c":
            p += 1
        if p >= len(line):
            self.println("No address!")
            return
        names = line[q:p]
        rest = line[p + 1:]
        if self.invalid_address(rest):
            return
        engine = self.engine
        table = engine.tables.noc if engine.config.version_level >= 9 else engine.tables.ext
        while True:
            tokens, end, errors = prescan(rest, table, ",")
            engine.scan_errors(rest, errors)
            if tokens is not None:
                spec = names
                while spec:
                    rs = engine.ruleset_number(spec, report=True)
                    if rs < 0:
                        self.println(f"Undefined ruleset {spec}")
                        break
                    status = engine.rewrite(tokens, rs)
                    if status != EX_OK:
                        self.println(f"== Ruleset {spec} ({rs}) status {status}")
                    comma = spec.find(",")
                    spec = spec[comma + 1:] if comma >= 0 else ""
            if end >= len(rest):
                break
            rest = rest[end + 1:]

    def invalid_address(self, addr: str) -> bool:
        """invalidaddr(): an address too long for Sendmail (MAXNAME - 1 bytes), or
        one with a byte 0x80-0x9f (RuleEngine.eight_bit_refused)."""
        if len(addr) > MAXNAME - 1:
            shown = addr[:MAXNAME - 1].translate(OPERATOR_BYTES_SHOWN)
            self.println(f'Address "{shown}" too long ({MAXNAME - 1} bytes max)')
            return True
        return self.engine.eight_bit_refused(addr)


def _first_blank(text: str) -> int:
    for i, ch in enumerate(text):
        if ch in " \t":
            return i
    return -1


def _mailer_types(t: str | None) -> tuple[str, str, str]:
    if t is None:
        return "<undefined>", "<undefined>", "<undefined>"
    parts = t.split("/")
    mta = parts[0] or "dns"
    addr = parts[1] if len(parts) > 1 and parts[1] else "rfc822"
    diag = parts[2] if len(parts) > 2 and parts[2] else "smtp"
    return mta, addr, diag


def _user_ids(user: str) -> tuple[int, int]:
    if not user:
        return -1, -1
    import grp
    import pwd

    name, _, group = user.partition(":")
    uid = gid = -1
    if name:
        if name.isdigit():
            uid = int(name)
        else:
            try:
                pw = pwd.getpwnam(name)
                uid, gid = pw.pw_uid, pw.pw_gid
            except KeyError:
                pass
    if group:
        if group.isdigit():
            gid = int(group)
        else:
            try:
                gid = grp.getgrnam(group).gr_gid
            except KeyError:
                pass
    return uid, gid


def set_debug_flags(debug: dict[int, int], spec: str) -> None:
    """tTflag(): "21.12", "0-99.1", "21", comma-separated; level 1 by default."""
    for part in spec.split(","):
        if not part:
            continue
        cats, _, level_text = part.partition(".")
        level = int(level_text) if level_text.isdigit() else 1
        lo_text, dash, hi_text = cats.partition("-")
        if not lo_text.isdigit():
            continue
        lo = int(lo_text)
        hi = int(hi_text) if dash and hi_text.isdigit() else lo
        for cat in range(lo, min(hi, 99) + 1):
            debug[cat] = level


__all__ = ["BANNER", "TestMode", "decode_op", "set_debug_flags"]
