"""Make the `sendmail -bt` input of one cf verdict case: addresses and client contexts.

SYNOPSIS
    addresses = cf_inputs.addresses(Path("tests/diff/cf/virtual.mc"))   # seeded by the name
    lines = cf_inputs.case_lines(Path("tests/diff/cf/virtual.mc"))      # the whole -bt input
    python3 tests/diff/cf_inputs.py tests/diff/cf/virtual.mc [--addresses]   # print them

DESCRIPTION
    The addresses are drawn from what the site and the .mc know: the keys and
    domains of the maps and class files of tests/diff/cf/site/ (access,
    virtusertable, mailertable, genericstable, domaintable, local-host-names,
    relay-domains, ...), the domains named in the .mc (VIRTUSER_DOMAIN,
    MASQUERADE_AS, RELAY_DOMAIN, SMART_HOST, ...), the test hosts of the
    namespace's /etc/hosts (tests/diff/nsenv.py) and a few that resolve
    nowhere. CORE_ADDRESSES (the same for every case) come first, then the
    addresses the .mc names in "dnl cf_inputs address: ADDRESS" lines; then
    addresses are built in random shapes until there are ADDRESS_COUNT
    distinct ones: user@domain mostly, and subdomains, +detail, %-hack,
    source routes, UUCP paths, quoted local parts, phrases and comments,
    IP literals, list:; groups, bad syntax and random junk. The random source
    is random.Random(zlib.crc32(case name)), so each case has its own fixed
    addresses, the same on every run and every machine; nothing is committed.
    No address starts with ">" or a blank: Sendmail starts error messages
    with the address, and a line starting with "> " would look like a prompt.

    bt_lines() turns them into -bt input, in blocks:

    1. `3,0 A` and `/parse A` for every address; then, for each ruleset
       that a FEATURE of the .mc adds and Sendmail calls on one address
       (FEATURE_RULESETS: queuegroup), `RULESET <A>` and `RULESET A`; and
       for each text hook of the .mc (TEXT_HOOK_PREFIXES: Test_check_other...
       runs check_other on "TEXT $| 5", Test_CheckTo a header check),
       `HOOK TEXT` for COMMAND_LINES and every address;
    2. `/try esmtp A` under /tryflags ES and HS (envelope and header sender:
       genericstable and masquerading), then /tryflags ER again;
    3. `check_mail <A>` and `check_rcpt <A>` from an outside client
       (remote.example.net) with an ordinary sender;
    4. `check_rcpt <A>` from the local client (localhost, 127.0.0.1);
    5. `check_rcpt <A>`, and `check_mail <A>` for every other address, under
       client contexts and senders that rotate every ROTATE_EVERY addresses
       (relay-domains hosts, access-listed hosts and networks, forged and
       unresolved clients, IPv6; senders the access map lists with RELAY, OK,
       REJECT, DISCARD, QUARANTINE, ERROR), for relay_mail_from,
       relay_local_from and delay_checks;
    6. for every client context and for generated clients (names in the
       site's domains, addresses in the access map's networks), the test hooks
       the .mc defines: `Test_check_relay ADDR` and `Test_greet_pause ADDR`.
       Typed -bt input cannot carry the $| operator (`check_relay NAME $|
       ADDR` passes a word "$|"), so each .mc has a LOCAL_RULESETS hook that
       calls check_relay (greet_pause) on ${client_name} $| ${client_addr};
    7. last, because a macro cannot be undefined again: `check_mail <A>` with
       {daemon_flags} "u" and `check_rcpt <A>` with {auth_type} PLAIN, for the
       first FLAGGED_COUNT addresses.

    A context is set with `.D{client_addr}`, `.D{client_name}`,
    `.D{client_resolve}`, `.Ds` (HELO name), `.D{client_rate}`,
    `.D{client_connections}`, `.Df` and `.D{mail_from}` lines, all of them
    every time, none of them empty (see context_lines()).

SEE ALSO
    tests/diff/cf_verdicts.py, tests/diff/bt/make_random.py, tests/diff/nsenv.py.
"""

from __future__ import annotations

import random
import re
import sys
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import nsenv

CF_DIR = Path(__file__).resolve().parent / "cf"
SITE_DIR = CF_DIR / "site"
ADDRESS_COUNT = 300
ROTATE_EVERY = 8
GENERATED_CLIENTS = 40
FLAGGED_COUNT = 40  # addresses checked again with {daemon_flags} and {auth_type} set
TRY_FLAGS = ("ES", "HS")  # /try as envelope sender, then as header sender

# Text maps of the site whose keys (and right-hand sides) name domains and users.
_KEYED_MAPS = ("access", "virtusertable", "genericstable", "mailertable", "domaintable", "aliases")
# Class files of the site: one domain (or user, for *-users) per line.
_CLASS_FILES = (
    "local-host-names",
    "relay-domains",
    "virtuser-domains",
    "generics-domains",
    "masquerade-domains",
    "exposed-users",
    "trusted-users",
)
_TAGS = ("Connect:", "From:", "To:", "Spam:", "ClientRate:", "ClientConn:", "GreetPause:")
# Tags of access keys that name only words found elsewhere in the site: their
# keys are left out of the pools, so that adding them changed no case's addresses.
_QUIET_TAGS = (
    "qgrp:",
    "rhs:",
    "XConnect:",
    "dnsblaccess:",
    "TLS_Srv_Features:",
    "TLS_Clt_Features:",
)
_DOMAIN_RE = re.compile(r"(?<![\w.@/-])\.?[A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)+")
_IP_RE = re.compile(r"^\d+(?:\.\d+){0,3}$")

# Every case has these, first: the shapes the check rulesets must get right.
CORE_ADDRESSES: tuple[str, ...] = (
    "user",
    "postmaster",
    "MAILER-DAEMON",
    "root",
    "<>",
    "<<>>",
    "user@localhost",
    "user@[127.0.0.1]",
    "user@[IPv6:::1]",
    "user@mail.example.test",
    "user@mail",
    "user@example.test",
    "User@EXAMPLE.TEST",
    "user@localhost.example.test",
    "user@[192.0.2.1]",
    "user@remote.example.net",
    "user@relay.test",
    "user@sub.relay.test",
    "user@host.relay.test",
    "user@partner.test",
    "user@mx.partner.test",
    "user@10.1",
    "user@[10.1.2.3]",
    "user@example.org",
    "user@www.example.org",
    "user@x.dotted.test",
    "user@nohost.invalid",
    "user+detail@example.test",
    "user+detail@plus.test",
    "user%remote.example.net@example.test",
    "user%example.test@remote.example.net",
    "@example.test:user@remote.example.net",
    "@remote.example.net,@gw.example.test:user@example.test",
    "remote.example.net!user",
    "gw!remote.example.net!user",
    "remote!user@example.test",
    '"quoted user"@example.test',
    '"user@remote.example.net"@example.test',
    "Real Name <user@example.test>",
    "user@example.test (Comment)",
    "undisclosed-recipients:;",
    "group: a@example.test, b@remote.example.net;",
    "user@",
    "@example.test",
    "<user@example.test",
    "user@example.test>",
    "user@@example.test",
    "user@.example.test",
    "user@example..test",
    "user@example.test.",
    "user@[192.0.2.1",
    "user@[999.1.1.1]",
    "moved@example.test",
    "user@newhome.example.org.REDIRECT",
    "info@virtual.test",
    "nobody@vhost.test",
    "someone@vhost.test",
    "sales@vdomain.test",
    "x@uucp.test",
    "x@error.test",
    "x@nouser.test",
    "x@dnserr.test",
    "x@sub.route.test",
    "blocked@example.test",
    "closed@closed.example.test",
    "spammer@bad.test",
    "friend@bad.test",
    "abuse@example.test",
    "gone@remote.example.net",
    # domains of site/dns.zone: MX records (badmx, relay_based_on_MX)
    "user@badmx.test",
    "user@tenmx.test",
    "user@goodmx.test",
    "user@mxtemp.test",
    "user@mxed.test",
    "user@othermx.test",
)

_LOCALS_FIXED = (
    "user", "a", "B", "x.y", "root", "postmaster", "MAILER-DAEMON", "abuse", "info", "daemon",
    "operator", "luser", "nosuchuser", "1234", "a-b", "_x", "first.last", "Mixed.Case",
    "sales", "support", "dave", "bob", "alice", "carol", "nobody", "friend", "spammer",
    "noreply", "relayer", "gone", "blocked", "dropme", "uucpuser", "\u00fc",
)  # fmt: skip
_DOMAINS_FIXED = (
    "localhost", "mail.example.test", "mail", "[127.0.0.1]", "[IPv6:::1]",
    "[IPv6:0:0:0:0:0:0:0:1]", "[192.0.2.1]", "[192.0.2.99]", "[198.51.100.7]", "[10.1.2.3]",
    "nohost.invalid", "unknown.example.net", "x.zz", "EXAMPLE.TEST", "Example.Com",
    "example.com", "localhost.localdomain", "other.example.test",
)  # fmt: skip
_PHRASES = ("Name", '"Last, First"', "A B", "Real (Name)")
_JUNK_CHARS = "\"()<>,;:\\@[]. \t!%$*~'`|&{}"
_SPECIAL_INSERTS = ('"', "(", ")", "<", ">", ",", ";", ":", "\\", "@", "[", "]", " ", "..", ".@",
                    "@@", "!", "%", "$")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Client:
    """An SMTP client as the daemon's macros describe it."""

    name: str
    addr: str
    resolve: str = "OK"
    helo: str = ""

    def label(self) -> str:
        return f"{self.name} [{self.addr}] {self.resolve}"


LOCAL = Client("localhost", "127.0.0.1", "OK", "localhost")
OUTSIDE = Client("remote.example.net", "198.51.100.7", "OK", "remote.example.net")
CLIENTS: tuple[Client, ...] = (
    Client("host.relay.test", "192.0.2.21", "OK", "host.relay.test"),
    Client("mx.partner.test", "192.0.2.20", "OK", "mx.partner.test"),
    Client("intranet.example.test", "10.1.2.3", "OK", "intranet"),
    Client("spam.bad.test", "203.0.113.5", "OK", "spam.bad.test"),
    Client("[198.51.100.99]", "198.51.100.99", "FAIL", "[198.51.100.99]"),
    Client("forged.example.net", "198.51.100.50", "FORGED", "forged.example.net"),
    Client("[198.51.100.51]", "198.51.100.51", "TEMP", "mail.example.test"),
    Client("gw.example.test", "192.0.2.10", "OK", "gw"),
    Client("localhost", "IPv6:::1", "OK", "[IPv6:::1]"),
    Client("[IPv6:2001:db8:bad::1]", "IPv6:2001:db8:bad::1", "FAIL", "x"),
    Client("[192.0.2.66]", "192.0.2.66", "FAIL", "[192.0.2.66]"),
    Client("skip.example.net", "198.51.100.33", "OK", "skip.example.net"),
    Client("www.example.org", "192.0.2.30", "OK", "www.example.org"),
    Client("a.dotted.test", "198.51.100.40", "OK", "a.dotted.test"),
    Client("[198.51.100.6]", "198.51.100.6", "FAIL", "[198.51.100.6]"),
    Client("sub.relay.test", "192.0.2.22", "OK", "[127.0.0.1]"),
    Client("[198.51.100.98]", "198.51.100.98", "FAIL", "unknown"),
    Client("remote.example.net", "198.51.100.7", "OK", "example.test"),
    Client("host.x.zz", "192.0.2.77", "OK", "host.x.zz"),
    LOCAL,
    OUTSIDE,
)
SENDERS: tuple[str, ...] = (
    "someone@remote.example.net",
    "relayer@example.net",
    "user@relay-sender.test",
    "user@sub.relay-sender.test",
    "spammer@remote.example.net",
    "friend@bad.test",
    "user@bad.test",
    "user@tempfail.test",
    "user@discard.test",
    "user@held.test",
    "user@skip.test",
    "user@plain-error.test",
    "noreply@example.net",
    "user@example.test",
    "user@localhost",
    "user",
    "user@nohost.invalid",
    "<>",
    "friend@example.test",
    "someone@hater.test",
)
# (client_rate, client_connections), rotating with the contexts
_EXTRAS = (("1", "1"), ("5", "3"), ("100", "50"))
_NETWORKS = ("10.1", "203.0.113", "192.0.2", "198.51.100", "127.0.0", "10.2")


def _map_keys(path: Path) -> list[str]:
    keys = []
    for line in path.read_text(encoding="latin-1").splitlines():
        if line.strip() and not line.startswith(("#", " ", "\t")):
            key = re.split(r"[\s:]" if path.name == "aliases" else r"\s", line, maxsplit=1)[0]
            keys.append(key)
    return keys


def site_words(site: Path = SITE_DIR) -> tuple[list[str], list[str]]:
    """Return (domains, local parts) named by the site's maps and class files."""
    domains: list[str] = []
    locals_: list[str] = []
    for name in _KEYED_MAPS:
        path = site / name
        if not path.exists():
            continue
        text = path.read_text(encoding="latin-1")
        for key in _map_keys(path):
            # a key ending in a dot (HACK(spamtrap)'s exact keys) names known words
            if key.startswith(_QUIET_TAGS) or key.endswith("."):
                continue
            for tag in _TAGS:
                if key.startswith(tag):
                    key = key[len(tag) :]
            user, at, domain = key.rpartition("@")
            if at:
                if user.strip("+*"):
                    locals_.append(user)
                if domain:
                    domains.append(domain)
            elif name in ("aliases", "genericstable", "virtusertable"):
                locals_.append(key)
            elif re.fullmatch(r"\.?[A-Za-z0-9.-]*[A-Za-z][A-Za-z0-9.-]*", key):
                domains.append(key)
        # right-hand sides name domains too (domaintable, mailertable hosts)
        for line in text.splitlines():
            fields = line.split()
            if line.startswith(("#", *_QUIET_TAGS)) or (fields and fields[0].endswith(".")):
                continue
            for field in line.split()[1:]:
                domains += _host_words(field.rpartition("@")[2])
    for name in _CLASS_FILES:
        path = site / name
        if path.exists():
            for line in path.read_text(encoding="latin-1").splitlines():
                word = line.split("#", 1)[0].strip()
                if not word:
                    continue
                if "users" in name:
                    locals_.append(word)
                elif not _IP_RE.match(word):
                    domains.append(word)
    return _unique(d for d in domains if d != "."), _unique(locals_)


def _host_words(text: str) -> list[str]:
    """The host names in text: dotted words whose last label has a letter."""
    words = (m.group(0) for m in _DOMAIN_RE.finditer(text))
    return [w for w in words if re.search(r"[A-Za-z]", w.rsplit(".", 1)[-1])]


def mc_domains(mc: Path) -> list[str]:
    """Return the domains the .mc names (VIRTUSER_DOMAIN, MASQUERADE_AS, ...)."""
    found = []
    for line in mc.read_text(encoding="latin-1").splitlines():
        if line.startswith("#") or "include(" in line or "VERSIONID" in line:
            continue
        for word in _host_words(line.replace("@DIR@", " ")):
            if not word.endswith((".m4", ".mc")):
                found.append(word)
    return _unique(found)


_MC_ADDRESS_PREFIX = "dnl cf_inputs address: "


def mc_addresses(mc: Path) -> list[str]:
    """The addresses the .mc asks for in lines "dnl cf_inputs address: ADDRESS"."""
    return [
        line[len(_MC_ADDRESS_PREFIX) :].strip()
        for line in mc.read_text(encoding="latin-1").splitlines()
        if line.startswith(_MC_ADDRESS_PREFIX)
    ]


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


class _Pools:
    """The words one case draws from."""

    def __init__(self, mc: Path, site: Path) -> None:
        domains, locals_ = site_words(site)
        hosts = [name for _, names in nsenv.TEST_HOSTS for name in names]
        self.domains = _unique([*domains, *mc_domains(mc), *hosts, *_DOMAINS_FIXED])
        self.locals = _unique([*_LOCALS_FIXED, *locals_])


def _domain(rng: random.Random, pools: _Pools) -> str:
    domain = rng.choice(pools.domains)
    if domain.startswith("."):
        return rng.choice(("sub", "a.b", "x")) + domain
    r = rng.random()
    if r < 0.12 and not domain.startswith("["):
        return rng.choice(("sub.", "a.b.", "www.", "MAIL.")) + domain
    if r < 0.17:
        return domain.upper()
    if r < 0.22 and not domain.startswith("["):
        return domain + "."
    return domain


def _junk(rng: random.Random) -> str:
    alphabet = _JUNK_CHARS + "abcxyz0123456789"
    text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14)))
    return "x" + text if text[0] in "> \t" else text


def _address(rng: random.Random, pools: _Pools) -> str:
    local = rng.choice(pools.locals)
    domain = _domain(rng, pools)
    k = rng.random()
    if k < 0.38:
        return f"{local}@{domain}"
    if k < 0.44:
        return f"{local}+{rng.choice(('detail', 'x', '', 'a+b'))}@{domain}"
    if k < 0.49:
        return local
    if k < 0.54:
        return f"<{local}@{domain}>"
    if k < 0.59:
        return f"{local}%{_domain(rng, pools)}@{domain}"
    if k < 0.62:
        return f"{local}%{_domain(rng, pools)}%{_domain(rng, pools)}@{domain}"
    if k < 0.66:
        return f"@{_domain(rng, pools)},@{_domain(rng, pools)}:{local}@{domain}"
    if k < 0.70:
        tail = "" if rng.random() < 0.5 else f"@{_domain(rng, pools)}"
        return f"{domain}!{local}{tail}"
    if k < 0.73:
        return f'"{local} {rng.choice(pools.locals)}"@{domain}'
    if k < 0.76:
        return f"{rng.choice(_PHRASES)} <{local}@{domain}>"
    if k < 0.78:
        return f"{local}@{domain} ({rng.choice(('c', 'Real Name', 'x)'))})"
    if k < 0.81:
        return f"{local}@[{rng.choice(_NETWORKS)}.{rng.randint(0, 255)}]"
    if k < 0.83:
        member = rng.choice(("", f" {local}@{domain}", f" {local}, b@{domain}"))
        return f"{rng.choice(('list', 'undisclosed-recipients', 'g'))}:{member};"
    if k < 0.92:
        text = f"{local}@{domain}"
        pos = rng.randrange(len(text) + 1)
        return text[:pos] + rng.choice(_SPECIAL_INSERTS) + text[pos:]
    if k < 0.96:
        return _junk(rng)
    return rng.choice(
        (f"{local}@", f"@{domain}", f"<{local}@{domain}", f"{local}@{domain}>",
         f"{local}@{domain}..", f"{local}.@{domain}", f".{local}@{domain}",
         f"{local}@{domain}@{_domain(rng, pools)}", f"{local}@-{domain}",
         f"{local}@{domain}.REDIRECT")
    )  # fmt: skip


def _usable(address: str) -> bool:
    return bool(address.strip()) and address[0] not in "> \t" and "\n" not in address


def addresses(mc: Path, *, count: int = ADDRESS_COUNT, site: Path = SITE_DIR) -> list[str]:
    """Return the addresses of the case of mc: CORE_ADDRESSES, then random ones.

    The random source is seeded with the crc32 of the .mc's file name.
    """
    rng = random.Random(zlib.crc32(mc.stem.encode()))
    pools = _Pools(mc, site)
    result = _unique([*CORE_ADDRESSES, *mc_addresses(mc)])
    seen = set(result)
    while len(result) < count:
        address = _address(rng, pools)
        if _usable(address) and address not in seen:
            seen.add(address)
            result.append(address)
    return result


def context_lines(client: Client, sender: str, extras: Sequence[str] = _EXTRAS[0]) -> list[str]:
    """The .D lines that set a client context and a sender (all of them, every time).

    No value is ever empty: a macro defined as "" makes a rule's $&x scan to
    nothing, which ends the ruleset with status 65 instead of testing it.
    """
    rate, connections = extras
    mail_from = sender if sender.startswith("<") else f"<{sender}>"
    return [
        f".D{{client_addr}} {client.addr}",
        f".D{{client_name}} {client.name}",
        f".D{{client_resolve}} {client.resolve}",
        f".Ds {client.helo}",
        f".D{{client_rate}} {rate}",
        f".D{{client_connections}} {connections}",
        f".Df {sender}",
        f".D{{mail_from}} {mail_from}",
    ]


def generated_clients(seed_name: str, count: int = GENERATED_CLIENTS) -> list[Client]:
    """Clients with names in the site's domains and addresses in the access networks."""
    rng = random.Random(zlib.crc32(b"clients:" + seed_name.encode()))
    domains, _ = site_words()
    out = []
    for _ in range(count):
        net = rng.choice(_NETWORKS)
        parts = net.split(".")
        addr = ".".join([*parts, *(str(rng.randint(0, 255)) for _ in range(4 - len(parts)))])
        r = rng.random()
        if r < 0.5:
            domain = rng.choice(domains).lstrip(".")
            name = rng.choice(("", "host.", "a.b.", "mail.")) + domain
            resolve = "OK"
        elif r < 0.8:
            name, resolve = f"[{addr}]", rng.choice(("FAIL", "TEMP"))
        else:
            name, resolve = rng.choice(("unknown.example.net", "spam.bad.test", "x.zz")), "FORGED"
        out.append(Client(name, addr, resolve, rng.choice((name, "localhost", "x"))))
    return out


# Rulesets that Sendmail calls by name on one address (not through rscheck),
# which a FEATURE adds: every address of a case whose .mc loads the FEATURE
# goes through them, as "<address>" and as it is.
FEATURE_RULESETS: dict[str, tuple[str, ...]] = {
    "queuegroup": ("queuegroup",),
}
_FEATURE_RE = re.compile(r"^\s*FEATURE\(\s*`?(\w+)", re.MULTILINE)


def feature_rulesets(mc: Path) -> list[str]:
    """The address rulesets of FEATURE_RULESETS that the .mc's FEATUREs add."""
    found = _FEATURE_RE.findall(mc.read_text(encoding="latin-1"))
    return _unique(rs for name in found for rs in FEATURE_RULESETS.get(name, ()))


def hook_rulesets(mc: Path) -> list[str]:
    """The test hooks the .mc defines (STest_check_relay, STest_greet_pause)."""
    return re.findall(r"^S(Test_\w+)", mc.read_text(encoding="latin-1"), flags=re.MULTILINE)


# Test hooks that take a line of text rather than a client (STest_check_other:
# check_other on "TEXT $| 5", the class of an unknown command; STest_CheckTo:
# a header check): they run on every address and on these command lines,
# without a client context.
TEXT_HOOK_PREFIXES = ("Test_check_other", "Test_CheckTo")
COMMAND_LINES: tuple[str, ...] = (
    "GET / HTTP/1.0",
    "POST /cgi-bin/x HTTP/1.1",
    "Host: mail.example.test",
    "User-Agent: x",
    "Subject: hello",
    "From: a@example.test",
    "X-Header:",
    "CONNECT mail.example.test:25 HTTP/1.0",
    "STARTTLS now",
    "XYZZY",
    "foo bar baz",
    "help me: please",
    ":colon first",
    "  Indented: header",
)


def split_hooks(hooks: Sequence[str]) -> tuple[list[str], list[str]]:
    """Split hook names into (client hooks, text hooks)."""
    text = [h for h in hooks if h.startswith(TEXT_HOOK_PREFIXES)]
    return [h for h in hooks if h not in text], text


def bt_lines(
    addrs: Sequence[str],
    seed_name: str = "",
    hooks: Sequence[str] = (),
    rulesets: Sequence[str] = (),
) -> list[str]:
    """Return the -bt input lines for the addresses (see DESCRIPTION for the blocks)."""
    lines: list[str] = []
    for a in addrs:
        lines += [f"3,0 {a}", f"/parse {a}"]
    for ruleset in rulesets:
        for a in addrs:
            lines += [f"{ruleset} <{a}>", f"{ruleset} {a}"]
    hooks, text_hooks = split_hooks(hooks)
    for hook in text_hooks:
        lines += [f"{hook} {text}" for text in (*COMMAND_LINES, *addrs)]
    for flags in TRY_FLAGS:
        lines.append(f"/tryflags {flags}")
        lines += [f"/try esmtp {a}" for a in addrs]
    lines.append("/tryflags ER")
    lines += context_lines(OUTSIDE, SENDERS[0])
    for a in addrs:
        lines += [f"check_mail <{a}>", f"check_rcpt <{a}>"]
    lines += context_lines(LOCAL, SENDERS[0])
    lines += [f"check_rcpt <{a}>" for a in addrs]
    for index, a in enumerate(addrs):
        if index % ROTATE_EVERY == 0:
            turn = index // ROTATE_EVERY
            lines += context_lines(
                CLIENTS[turn % len(CLIENTS)],
                SENDERS[turn % len(SENDERS)],
                _EXTRAS[turn % len(_EXTRAS)],
            )
        if index % 2 == 0:
            lines.append(f"check_mail <{a}>")
        lines.append(f"check_rcpt <{a}>")
    if hooks:
        for turn, client in enumerate((*CLIENTS, *generated_clients(seed_name))):
            lines += context_lines(client, SENDERS[0], _EXTRAS[turn % len(_EXTRAS)])
            lines += [f"{hook} {client.addr}" for hook in hooks]
    # Last, as they cannot be undefined again: daemon flags and SMTP AUTH.
    lines += context_lines(OUTSIDE, SENDERS[0])
    lines.append(".D{daemon_flags} u")
    lines += [f"check_mail <{a}>" for a in addrs[:FLAGGED_COUNT]]
    lines += [".D{auth_type} PLAIN", ".D{auth_authen} someone"]
    lines += [f"check_rcpt <{a}>" for a in addrs[:FLAGGED_COUNT]]
    return lines


def case_lines(mc: Path) -> list[str]:
    """The whole -bt input of the case of mc."""
    return bt_lines(addresses(mc), mc.stem, hook_rulesets(mc), feature_rulesets(mc))


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: cf_inputs.py FILE.mc [--addresses]", file=sys.stderr)
        return 64
    mc = Path(argv[0])
    out = addresses(mc) if "--addresses" in argv[1:] else case_lines(mc)
    sys.stdout.buffer.write(("\n".join(out) + "\n").encode("latin-1"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
