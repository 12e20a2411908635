"""Write tests/diff/bt/random.in: -bt lines over randomly built addresses (fixed seed).

SYNOPSIS
    python3 tests/diff/bt/make_random.py [SEED] [COUNT] > tests/diff/bt/random.in

DESCRIPTION
    The hand-written inputs test what we thought of; these lines test what we
    did not: local parts and domains from small pools, put together in the
    shapes Sendmail meets (routes, % and ! hacks, quotes, comments, brackets)
    and, in a fifth of them, with one special character (quote, parenthesis,
    angle bracket, comma, colon, backslash, blank, ...) put somewhere at random.
    Each address goes to one of: rulesets 3,0; check_rcpt; check_mail;
    /parse; /try esmtp; canonify,parse; /tryflags HS with /try smtp; and some
    lines are check_relay or /canon over the domains. The file is committed,
    so that a run is repeatable and its lines can be read; this script made it.
    Its lines found the callsubr() and prescan() message differences fixed on
    2026-12-05.

SEE ALSO
    tests/diff/test_bt.py (the "random" case), bench/bt_bench.py.
"""

from __future__ import annotations

import random
import sys

LOCALS = ("user", "a", "B", "x.y", "root", "postmaster", "MAILER-DAEMON", "abuse", "info",
          "1", "0", "\u00fc", "a+b", "a-b", "_x", "%", "!", "$", "*", "~")
DOMAINS = ("example.test", "example.com", "mail.example.test", "route.test", "localhost",
           "[127.0.0.1]", "[IPv6:::1]", "relay.test", "bad.test", "x.invalid", "EXAMPLE.COM",
           "example.com.", "a.b", "legacy.test", "partner.test", "spam.bad.test",
           "[192.0.2.1]", "sub.example.com")
SPECIALS = ('"', "(", ")", "<", ">", ",", ";", ":", "\\", "@", "[", "]", " ", "\t", "..",
            ".@", "@@")
CLIENTS = ("127.0.0.1", "192.0.2.1", "10.1.2.3", "::1", "IPv6:::1")


def address(rng: random.Random) -> str:
    """One address in one of the shapes."""
    k = rng.random()
    local = rng.choice(LOCALS)
    domain = rng.choice(DOMAINS)
    other = rng.choice(DOMAINS)
    if k < 0.3:
        return f"{local}@{domain}"
    if k < 0.4:
        return f"<{local}@{domain}>"
    if k < 0.5:
        return f"{local}%{other}@{domain}"
    if k < 0.55:
        return f"{domain}!{local}"
    if k < 0.6:
        return f"@{domain},@{other}:{local}@{rng.choice(DOMAINS)}"
    if k < 0.7:
        return f'"{local} {rng.choice(LOCALS)}"@{domain}'
    if k < 0.8:
        text = f"{local}@{domain}"
        pos = rng.randrange(len(text) + 1)
        return text[:pos] + rng.choice(SPECIALS) + text[pos:]
    if k < 0.85:
        return f"Name {local} <{local}@{domain}>"
    if k < 0.9:
        return local
    return f"{local}@{domain}" + rng.choice(("", ".", " (c)", "  "))


def lines(seed: int, count: int) -> list[str]:
    """count input lines (a /tryflags line pair counts as one)."""
    rng = random.Random(seed)
    out: list[str] = []
    for _ in range(count):
        a = address(rng)
        r = rng.random()
        if r < 0.25:
            out.append(f"3,0 {a}")
        elif r < 0.45:
            out.append(f"check_rcpt <{a}>")
        elif r < 0.6:
            out.append(f"check_mail <{a}>")
        elif r < 0.7:
            out.append(f"/parse {a}")
        elif r < 0.78:
            out.append(f"/try esmtp {a}")
        elif r < 0.85:
            out.append(f"check_relay {rng.choice(DOMAINS)} $| {rng.choice(CLIENTS)}")
        elif r < 0.9:
            out.append(f"/canon {rng.choice(DOMAINS)}")
        elif r < 0.95:
            out.append(f"canonify,parse {a}")
        else:
            out.extend(("/tryflags HS", f"/try smtp {a}", "/tryflags ER"))
    return out


def main(argv: list[str]) -> int:
    seed = int(argv[0]) if argv else 1
    count = int(argv[1]) if len(argv) > 1 else 300
    sys.stdout.buffer.write(("\n".join(lines(seed, count)) + "\n").encode("utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
