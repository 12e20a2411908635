"""Extract the verdict of each `sendmail -bt` input line from its transcript piece.

SYNOPSIS
    verdict = cf_extract.extract("3,0 user@example.test", piece)
    verdict.key        # what is compared: ("canonify returns: user < @ ... >", ...)
    verdict.shown      # what a report prints (the same, plus the raw check result)
    cf_extract.kind_of("check_rcpt <u@x>")   # "check_rcpt"

DESCRIPTION
    In address test mode the real Sendmail traces every ruleset call, the
    subroutines included: `NAME input: TOKENS` and `NAME returns: TOKENS`,
    NAME printed as "%-16.16s" (the number when the ruleset has no name).
    Two .cf files made by different macro libraries may call differently named
    and differently split subroutines and still decide the same, so only the
    VERDICT of an input line is compared:

    - a ruleset call (`3,0 ADDR`, `check_rcpt <ADDR>`, `greet_pause N $| A`):
      the `returns:` line of every top-level call, in order (compared under
      the name the input line gives, shown under the name Sendmail printed),
      and every output line that is not a ruleset trace (prescan errors,
      "Undefined ruleset X", map and recursion errors; in "== Ruleset NAME
      (N) status S" the number N, where the .cf put a named ruleset, is
      masked). Top-level calls are found by nesting: an
      `input:` line opens a call, a `returns:` line closes the innermost open
      call of that name (calls left open by an early return, which prints no
      `returns:` line, are closed with it), and a `returns:` line that leaves
      no call open is top-level. For `3,0 X` this is the last `canonify
      returns:` line before the first `parse input:` line, then the last
      `parse returns:` line.
      For the check_* rulesets, the other rulesets SMTP calls
      (CHECK_RULESETS) and test hooks that call them (Test_check_relay), a
      result other than `$# error ...` and `$# discard ...` is what
      Sendmail's rscheck() treats as "go on" (`OK`, `RELAY`, `$# OK`,
      `$# RELAY`, a rewritten address): it is compared as `accept` unless
      strict=True, and shown with its tokens. An error or discard result
      (`$# error $@ 5 . 7 . 1 $: "550 Relaying denied"`,
      `$# discard $: discard`) is compared as printed: mailer, enhanced
      status, text and all.
    - every other line (`/parse`, `/try`, `/tryflags`, `.D`, `$x`, `/map` ...):
      the output lines that are not ruleset traces. For /parse that is
      "Cracked address", "Parsing envelope recipient address", the error
      messages and `mailer M, host H, user U`; for /try, `Rcode = N, addr = A`.

    kind_of() names the kind of an input line for the counts of a report
    (a hook line counts as the check it runs);
    setup lines (`.D`, `.C`, `/tryflags`, blank and comment lines) are of kind
    SETUP and are compared but not counted as verdicts.

DIAGNOSTICS
    Pure functions over text; nothing raises for odd transcripts. A trace line
    whose call never returns leaves no top-level result, which then differs
    from a transcript where it does.

SEE ALSO
    tests/diff/cf_verdicts.py (the comparison), tests/diff/test_cf_harness.py,
    Sendmail parseaddr.c rewrite() (the trace format) and rscheck().
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# "%-16.16s" name, a blank, "  input" or "returns" ("%7s"), ":", then " TOKEN" per token.
TRACE_RE = re.compile(r"^(?P<name>.{16}) (?P<kind>  input|returns):(?P<tokens>(?: .*)?)$")
# Rulesets that SMTP runs through rscheck(): their non-$# results all mean "go on".
CHECK_RULESETS = frozenset(
    {
        "check_relay",
        "check_mail",
        "check_rcpt",
        "check_data",
        "check_eom",
        "check_eoh",
        "check_compat",
        "check_etrn",
        "check_expn",
        "check_vrfy",
        "greet_pause",
        "trust_auth",
        "tls_client",
        "tls_server",
        "tls_rcpt",
    }
)
SETUP = "setup"
ACCEPT = "accept"
# A test hook "Test_check_relay" (a LOCAL_RULESETS ruleset that calls check_relay
# on the client macros) counts and compares as the check ruleset it calls.
HOOK_PREFIX = "Test_"


def check_name(name: str) -> str | None:
    """The check ruleset name (or hook of one) is for, else None."""
    if name.startswith(HOOK_PREFIX):
        name = name[len(HOOK_PREFIX) :]
    return name if name in CHECK_RULESETS else None


@dataclass(frozen=True, slots=True)
class Trace:
    """One ruleset trace line: the ruleset name, input or returns, the tokens."""

    name: str
    returns: bool
    tokens: str


@dataclass(frozen=True, slots=True)
class Verdict:
    """What an input line decided: key is compared, shown is printed."""

    key: tuple[str, ...]
    shown: tuple[str, ...]


def parse_trace(line: str) -> Trace | None:
    """Return the trace of a ruleset trace line, None for any other line."""
    match = TRACE_RE.match(line)
    if match is None or match["name"].startswith(" ") or " " in match["name"].rstrip():
        return None
    return Trace(match["name"].rstrip(), match["kind"] == "returns", match["tokens"].strip())


def kind_of(text: str) -> str:
    """Name the kind of an input line: "3,0", "/parse", "check_rcpt", ... or SETUP."""
    stripped = text.strip()
    if not stripped or stripped.startswith("#"):
        return SETUP
    if stripped[0] == ".":
        return SETUP
    word = stripped.split(None, 1)[0]
    if word in ("/tryflags",):
        return SETUP
    return check_name(word) or word


def is_ruleset_call(text: str) -> bool:
    """True for a line that runs rulesets: RULESET[,RULESET...] ADDRESS."""
    stripped = text.strip()
    return bool(stripped) and stripped[0] not in "./$#=?-" and len(stripped.split(None, 1)) == 2


def top_level_returns(traces: list[Trace]) -> list[Trace]:
    """Return the `returns:` traces that close a top-level call, in order."""
    open_calls: list[str] = []
    result: list[Trace] = []
    for trace in traces:
        if not trace.returns:
            open_calls.append(trace.name)
            continue
        if trace.name in open_calls:
            # close the innermost call of that name and anything left open inside it
            index = len(open_calls) - 1 - open_calls[::-1].index(trace.name)
            del open_calls[index:]
        if not open_calls:
            result.append(trace)
    return result


# "== Ruleset check_rcpt (175) status 75": the number is where the .cf happened to
# put that named ruleset, not behaviour; the name and the status are compared.
_RULESET_STATUS = re.compile(r"^(== Ruleset \S+) \(\d+\)( status \d+)$")


def _refuses(tokens: str) -> bool:
    """Whether a check ruleset result makes rscheck() refuse (error) or discard."""
    return tokens.startswith(("$# error", "$# discard"))


def extract(text: str, piece: str, *, strict: bool = False) -> Verdict:
    """Return the verdict of input line text, whose output is piece.

    Args:
        text: the -bt input line.
        piece: what Sendmail printed for it (between two prompts).
        strict: compare non-$# results of the check rulesets as printed
            instead of as "accept".
    """
    lines = piece.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    traces: list[Trace] = []
    messages: list[str] = []
    for line in lines:
        trace = parse_trace(line)
        if trace is None:
            messages.append(_RULESET_STATUS.sub(r"\1 (#)\2", line))
        else:
            traces.append(trace)
    if not is_ruleset_call(text):
        shown = tuple(messages)
        return Verdict(shown, shown)
    spec = text.strip().split(None, 1)[0].split(",")
    key: list[str] = []
    shown: list[str] = []
    for index, trace in enumerate(top_level_returns(traces)):
        # compared under the name the input line gave (a .cf may leave ruleset 3
        # unnamed, and then Sendmail prints "3"), shown under the printed name
        label = spec[index] if index < len(spec) else trace.name
        if (check_name(label) or check_name(trace.name)) and not _refuses(trace.tokens):
            shown.append(f"{trace.name} returns: {ACCEPT} ({trace.tokens})")
            key.append(f"{label} returns: {trace.tokens if strict else ACCEPT}".rstrip())
        else:
            shown.append(f"{trace.name} returns: {trace.tokens}".rstrip())
            key.append(f"{label} returns: {trace.tokens}".rstrip())
    key += messages
    shown += messages
    return Verdict(tuple(key), tuple(shown))
