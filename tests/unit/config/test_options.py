"""Tests for mta.config.options: setoption() semantics, messages and coerce.

DESCRIPTION
    Table-driven cases for the three callers (.cf O lines, -O, -o), whose
    expected results were recorded from sendmail 8.17.1.9 with -d37.1; the
    exact texts it prints for unknown, ambiguous, abbreviated and refused
    values; coerce and option_value; command-line stickiness.

    Two tests use real programs and skip with a reason when they are absent:
    one compiles a sendmail.cf with GNU m4 and the installed sendmail-cf
    macros and checks that every O line (and every commented #O example)
    names a known option; the differential one runs the real sendmail -bt
    -d37.1 in a private namespace on a .cf that sets every option of the
    table, by name and by letter, plus the awkward spellings, and compares
    its trace and messages with what read_option predicts.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from mta.config.options import (
    OptionValueError,
    ParsedOption,
    apply_option,
    coerce,
    match_option,
    option_value,
    parse_option,
    read_option,
    unknown_option_message,
)
from mta.core.params import OPTION_TABLE, OPTIONS, UNAVAILABLE_OPTIONS, find_option
from mta.util.sysexits import ExitCode
from mta.util.timespec import NOW

SENDMAIL = Path("/usr/sbin/sendmail")
M4 = Path("/usr/bin/m4")
CF_DIR = Path("/usr/share/sendmail/cf")
REPO = Path(__file__).resolve().parents[3]


# (text after "O" / argument, long_form, command_line) -> (name, value, error, warnings)
@pytest.mark.parametrize(
    ("text", "long_form", "command_line", "name", "value", "error", "warnings"),
    [
        (" QueueLA = 8", True, False, "QueueLA", "8", None, ()),
        (" RefuseLA =9", True, False, "RefuseLA", "9", None, ()),
        (" DelayLA= 7", True, False, "DelayLA", "7", None, ()),
        (" maxhopcount=4", True, False, "MaxHopCount", "4", None, ()),
        (" HelpFile", True, False, "HelpFile", "", None, ()),
        (" ErrorHeader=", True, False, "ErrorHeader", "", None, ()),
        (" TimeZoneSpec=x y", True, False, "TimeZoneSpec", "x y", None, ()),
        (" AliasFile=/a, /b", True, False, "AliasFile", "/a, /b", None, ()),
        (" HelpFile=a=b", True, False, "HelpFile", "a=b", None, ()),
        (" Timeout.queuewarn=4h", True, False, "Timeout.queuewarn", "4h", None, ()),
        (" Timeout.QueueWarn.Normal = 4h", True, False, "Timeout.QueueWarn.Normal", "4h",
         None, ()),
        (" Milter.macros.connect=j, _", True, False, "Milter.macros.connect", "j, _", None, ()),
        (" LogLevel.foo=9", True, False, "LogLevel", "9", None, ()),
        (" MaxHop=5", True, False, "MaxHopCount", "5", None,
         ("Option MaxHop used as abbreviation for MaxHopCount",)),
        (" MaxHop.x.y = 3", True, False, "MaxHopCount", "3", None,
         ("Option MaxHop used as abbreviation for MaxHopCount",)),
        (" SharedMemoryKeyF=1", True, False, "SharedMemoryKeyFile", "1", None,
         ("Option SharedMemoryKeyF used as abbreviation for SharedMemoryKeyFile",)),
        (" SharedMemoryKey=1", True, False, "SharedMemoryKey", "1", None, ()),
        (" NoSuchOption=1", True, False, "NoSuchOption", "1",
         "readcf: unknown option name NoSuchOption", ()),
        (" NoSuch.x=1", True, False, "NoSuch", "1", "readcf: unknown option name NoSuch", ()),
        ("  QueueLA = 8", True, False, " QueueLA", "8",
         "readcf: unknown option name  QueueLA", ()),
        (" MinQueueAge 5m", True, False, "MinQueueAge 5m", "",
         "readcf: unknown option name MinQueueAge 5m", ()),
        (" DANE=true", True, False, "DANE", "true", "readcf: unknown option name DANE", ()),
        (" AutoRebuildAliases=True", True, False, "AutoRebuildAliases", "True",
         "readcf: unknown option name AutoRebuildAliases", ()),
        (" Max=5", True, False, "Max", "5",
         "readcf: ambiguous option name Max (matches MaxHopCount and MaxMessageSize)", ()),
        (" Ti=1", True, False, "Ti", "1",
         "readcf: ambiguous option name Ti (matches Timeout and TimeZoneSpec)", ()),
        (" c=1", True, False, "c", "1",
         "readcf: ambiguous option name c (matches CheckpointInterval and "
         "ConnectionCacheSize)", ()),
        (" M=1", True, False, "M", "1",
         "readcf: ambiguous option name M (matches MinFreeBlocks and MatchGECOS)", ()),
        (" .x=5", True, False, "", "5",
         "readcf: ambiguous option name  (matches SevenBitInput and EightBitMode)", ()),
        (" =5", True, False, "", "5", "readcf: null option name", ()),
        # old one-letter form
        ("L9", False, False, "LogLevel", "9", None, ()),
        ("i", False, False, "IgnoreDots", "", None, ()),
        ("Q/var/spool/mqueue", False, False, "QueueDirectory", "/var/spool/mqueue", None, ()),
        ("Mxhello", False, False, "M", "xhello", None, ()),
        ("g1", False, False, "g", "1", None, ()),
        ("\tLogLevel=3", False, False, "\t", "LogLevel=3", "readcf: unknown option name 0x9",
         ()),
        ("Wfoo", False, False, "W", "foo", "readcf: unknown option name 0x57", ()),
        ("D", False, False, "D", "", "readcf: unknown option name 0x44", ()),
        ("", False, False, "", "", "readcf: unknown option name 0x0", ()),
        # command line: -O keeps leading blanks and trailing ones, -o " x" is long form
        ("HelpFile=a  ", True, True, "HelpFile", "a  ", None, ()),
        (" HelpFile = b ", True, True, " HelpFile", "b ",
         "readcf: unknown option name  HelpFile", ()),
        ("MaxHop=3", True, True, "MaxHopCount", "3", None,
         ("Option MaxHop used as abbreviation for MaxHopCount",)),
        ("help", False, False, "MaxHopCount", "elp", None, ()),
        ("H/x/y ", False, False, "HelpFile", "/x/y ", None, ()),
        (" HelpFile=/h", False, False, "HelpFile", "/h", None, ()),
        ("=5", True, True, "", "5", "readcf: null option name", ()),
    ],
)  # fmt: skip
def test_read_option(
    text: str,
    long_form: bool,
    command_line: bool,
    name: str,
    value: str,
    error: str | None,
    warnings: tuple[str, ...],
) -> None:
    parsed = read_option(text, long_form=long_form, command_line=command_line)
    assert (parsed.name, parsed.value, parsed.error, parsed.warnings) == (
        name,
        value,
        error,
        warnings,
    )
    assert (parsed.spec is None) == (error is not None)
    spec, pname, pvalue = parse_option(text, long_form=long_form, command_line=command_line)
    assert (spec, pname, pvalue) == (parsed.spec, name, value)


def test_dropped_suboption_is_noted() -> None:
    parsed = read_option(" LogLevel.foo=9", long_form=True)
    assert parsed.notes == ("setoption: LogLevel does not support suboptions, ignoring .foo",)
    assert parsed.suboption is None


@pytest.mark.parametrize(
    ("name", "long_form", "message"),
    [
        ("NoSuchOption", True, "readcf: unknown option name NoSuchOption"),
        ("Max", True, "readcf: ambiguous option name Max (matches MaxHopCount and MaxMessageSize)"),
        ("", True, "readcf: null option name"),
        ("W", False, "readcf: unknown option name 0x57"),
        ("\t", False, "readcf: unknown option name 0x9"),
        ("Z", True, "readcf: unknown option name Z"),
    ],
)
def test_unknown_option_message(name: str, long_form: bool, message: str) -> None:
    assert unknown_option_message(name, long_form=long_form) == message


def test_every_option_matches_itself_exactly() -> None:
    for spec in OPTION_TABLE:
        if spec.name:
            for spelling in (spec.name, spec.name.lower(), spec.name.upper()):
                match = match_option(spelling)
                assert match.spec is spec and not match.abbreviation


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("SevenBitInput", "", True),
        ("SevenBitInput", "True", True),
        ("SevenBitInput", "yes", True),
        ("SevenBitInput", "Y", True),
        ("SevenBitInput", "maybe", False),
        ("SevenBitInput", "1", False),
        ("SevenBitInput", "False", False),
        ("MaxMessageSize", "10000000", 10000000),
        ("MaxMessageSize", "abc", 0),
        ("MaxMessageSize", "  -12x", -12),
        ("LogLevel", "9", 9),
        ("TempFileMode", "0600", 0o600),
        ("TempFileMode", "644", 0o644),
        ("TempFileMode", "abc", 0),
        ("TempFileMode", "0689", 0o6),
        ("MinQueueAge", "30m", 1800),
        ("MinQueueAge", "30", 1800),
        ("DialDelay", "30", 30),
        ("QueueTimeout", "5", 5 * 86400),
        ("QueueTimeout", "5d/4h", 5 * 86400),
        ("ConnectionRateWindowSize", "60", 60),
        ("RejectLogInterval", "3", 3 * 3600),
        ("AliasWait", "", 300),
        ("AliasWait", "10", 600),
        ("BlankSub", "_", "_"),
        ("BlankSub", "", ""),
        ("AliasFile", "/etc/mail/aliases, hash:/x ,", ("/etc/mail/aliases", "hash:/x")),
        ("PrivacyOptions", "noexpn novrfy,  ,goaway", ("noexpn", "novrfy", "goaway")),
        ("PrivacyOptions", "GoAway", ("GoAway",)),
        ("DontBlameSendmail", " safe ,GroupWritableAliasFile", ("safe", "GroupWritableAliasFile")),
        ("DeliveryMode", "b", "background"),
        ("DeliveryMode", "interactive", "interactive"),
        ("DeliveryMode", "q", "queue"),
        ("DeliveryMode", "", "background"),
        ("EightBitMode", "mimefy", "mimefy"),
        ("QueueSortOrder", "Host", "host"),
        ("QueueSortOrder", "Filename", "filename"),
        ("NoRecipientAction", "Add-Bcc", "add-bcc"),
        ("SuperSafe", "True", "true"),
        ("SuperSafe", "interactive", "interactive"),
        ("SuperSafe", "z", "false"),
        ("DaemonPortOptions", "Port=587, Name=MSA, M=E", {"Port": "587", "Name": "MSA", "M": "E"}),
        ("HelpFile", "/etc/mail/helpfile", "/etc/mail/helpfile"),
    ],
)
def test_coerce(name: str, value: str, expected: object) -> None:
    assert coerce(OPTIONS[name], value) == expected


@pytest.mark.parametrize(
    ("suboption", "value", "expected"),
    [
        ("queuewarn", "4h", 14400),
        ("queuewarn", "4", 14400),
        ("QueueReturn", "5", 5 * 86400),
        ("queuereturn", "now", NOW),
        ("ident", "5", 300),
        ("resolver.retrans", "5", 5),
        ("resolver.retry", "4", 4),
        (None, "5m", 300),
        (None, "helo=1m, mail=2m", {"helo": 60, "mail": 120}),
    ],
)
def test_coerce_timeout(suboption: str | None, value: str, expected: object) -> None:
    assert coerce(OPTIONS["Timeout"], value, suboption=suboption) == expected


def test_coerce_reports_bad_time_units() -> None:
    seen: list[str] = []
    assert coerce(OPTIONS["MinQueueAge"], "5x", on_error=seen.append) == 300
    assert seen == ["Invalid time unit `x'"]


@pytest.mark.parametrize(
    ("name", "value", "suboption", "message", "status"),
    [
        ("DeliveryMode", "z", None, "Unknown delivery mode z", ExitCode.EX_USAGE),
        ("EightBitMode", "zz", None, "Unknown 8-bit mode z", ExitCode.EX_USAGE),
        ("EightBitMode", "", None, "Unknown 8-bit mode ", ExitCode.EX_USAGE),
        ("QueueSortOrder", "zz", None, 'Invalid queue sort order "zz"', ExitCode.EX_SOFTWARE),
        ("QueueSortOrder", "", None, 'Invalid queue sort order ""', ExitCode.EX_SOFTWARE),
        ("NoRecipientAction", "zz", None, "Invalid NoRecipientAction: zz", ExitCode.EX_SOFTWARE),
        ("PrivacyOptions", "bogus", None, "readcf: Op line: bogus unrecognized",
         ExitCode.EX_SOFTWARE),
        ("DontBlameSendmail", "bogus,safe", None,
         "readcf: DontBlameSendmail option: bogus unrecognized", ExitCode.EX_SOFTWARE),
        ("Timeout", "5m", "bogus", "settimeout: invalid timeout bogus", ExitCode.EX_SOFTWARE),
        ("Timeout", "5m", "queuewarn.bogus", "settimeout: invalid timeout queuewarn.bogus",
         ExitCode.EX_SOFTWARE),
        ("Timeout", "bogus=5m", None, "settimeout: invalid timeout bogus", ExitCode.EX_SOFTWARE),
    ],
)  # fmt: skip
def test_coerce_refuses(
    name: str, value: str, suboption: str | None, message: str, status: ExitCode
) -> None:
    with pytest.raises(OptionValueError) as info:
        coerce(OPTIONS[name], value, suboption=suboption)
    assert info.value.message == message
    assert info.value.exit_code is status


def test_macro_option_needs_a_name() -> None:
    spec = find_option("M")
    assert spec is not None
    with pytest.raises(OptionValueError, match="Name required for macro/class"):
        coerce(spec, "")
    assert coerce(spec, "xhello") == "xhello"


@pytest.mark.parametrize(
    ("options", "name", "expected"),
    [
        ({}, "MaxHopCount", 25),
        ({"MaxHopCount": "17"}, "MaxHopCount", 17),
        ({}, "Timeout.queuewarn", 14400),
        ({"Timeout.queuewarn": "1h"}, "Timeout.queuewarn", 3600),
        ({}, "Timeout.queuereturn.urgent", 2 * 86400),
        ({}, "DeliveryMode", "background"),
        ({}, "HelpFile", None),
        ({}, "QueueLA", None),
        ({}, "SevenBitInput", False),
        ({}, "MeToo", True),
        ({"M": "xhello"}, "M", "xhello"),
    ],
)
def test_option_value(options: dict[str, str], name: str, expected: object) -> None:
    assert option_value(options, name) == expected


@pytest.mark.parametrize("name", ["NoSuchOption", "Timeout.bogus", "maxhopcount"])
def test_option_value_wants_canonical_names(name: str) -> None:
    with pytest.raises(KeyError):
        option_value({}, name)


def test_command_line_options_are_sticky() -> None:
    options: dict[str, str] = {}
    sticky: set[str] = set()

    def setting(text: str, command_line: bool) -> ParsedOption:
        return read_option(text, long_form=True, command_line=command_line)

    assert apply_option(options, sticky, setting("LogLevel=5", True), command_line=True)
    assert apply_option(options, sticky, setting("Timeout.ident=5s", True), command_line=True)
    assert not apply_option(options, sticky, setting(" LogLevel=3", False), command_line=False)
    assert apply_option(
        options, sticky, setting(" Timeout.queuewarn=4h", False), command_line=False
    )
    assert apply_option(options, sticky, setting(" HelpFile=/h", False), command_line=False)
    assert options == {"LogLevel": "5", "Timeout.ident": "5s", "Timeout.queuewarn": "4h",
                       "HelpFile": "/h"}  # fmt: skip


def test_apply_option_refuses_unknown() -> None:
    with pytest.raises(AssertionError):
        apply_option({}, set(), read_option(" Nope=1", long_form=True), command_line=False)


# --- real programs ---------------------------------------------------------------------

_MC = """divert(-1)
include(`{cf}/m4/cf.m4')
define(`confDEF_USER_ID',``8:12'')dnl
define(`confMAX_MESSAGE_SIZE', `10000000')dnl
define(`confTO_QUEUEWARN', `4h')dnl
define(`confTO_QUEUERETURN_URGENT', `1d')dnl
define(`confPRIVACY_FLAGS', `goaway,noetrn')dnl
define(`confCONNECTION_RATE_THROTTLE', `3')dnl
define(`confMIN_QUEUE_AGE', `27m')dnl
define(`confDONT_PROBE_INTERFACES', `True')dnl
divert(0)dnl
OSTYPE(`debian')dnl
DOMAIN(`generic')dnl
FEATURE(`access_db')dnl
FEATURE(`mailertable')dnl
FEATURE(`virtusertable')dnl
FEATURE(`use_cw_file')dnl
FEATURE(`greet_pause', `1000')dnl
INPUT_MAIL_FILTER(`f1', `S=local:/run/f1.sock')dnl
MAILER(`local')dnl
MAILER(`smtp')dnl
"""

_O_LINE = re.compile(r"^(#?)O ([^=\s]+)")


def test_every_o_line_of_a_sendmail_cf_cf_is_known(tmp_path: Path) -> None:
    if not (M4.exists() and (CF_DIR / "m4" / "cf.m4").exists()):
        pytest.skip("GNU m4 or the sendmail-cf macros (/usr/share/sendmail/cf) are missing")
    mc = tmp_path / "test.mc"
    mc.write_text(_MC.format(cf=CF_DIR))
    result = subprocess.run(
        [str(M4), str(mc)], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    active, examples = 0, 0
    for line in result.stdout.splitlines():
        found = _O_LINE.match(line)
        if not found:
            continue
        name = found.group(2)
        if found.group(1):
            examples += 1
            if name.partition(".")[0] in UNAVAILABLE_OPTIONS:
                continue
        else:
            active += 1
        parsed = read_option(line[len(found.group(1)) + 1 :], long_form=True)
        assert parsed.spec is not None, f"{line!r}: {parsed.error}"
        assert not parsed.warnings, line
        assert parsed.name == name or parsed.spec.name == name, line
    assert active > 30 and examples > 100, (active, examples)


def _nsenv() -> ModuleType | None:
    path = REPO / "tests" / "diff" / "nsenv.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location("_options_nsenv", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


# Values for options whose default text is empty or would make sendmail complain about
# something other than option names (users that must exist, addresses that must parse).
_VALUES = {
    "RunAsUser": "root",
    "TrustedUser": "root",
    "DefaultUser": "root",
    "ConnectOnlyTo": "127.0.0.1",
    "QueueDirectory": "{queue}",
    "Timeout": None,
    "Milter": None,
}

_EDGE_LINES = [
    "O  QueueLA = 8",
    "O QueueLA = 8",
    "O RefuseLA =9",
    "O MaxHop=5",
    "O Max=5",
    "O Ti=1",
    "O c=1",
    "O .x=5",
    "O =5",
    "O NoSuchOption=1",
    "O NoSuch.x=1",
    "O MinQueueAge 5m",
    "O DANE=true",
    "O LogLevel.foo=9",
    "O MaxHop.x.y = 3",
    "O SharedMemoryKeyF=1",
    "O maxhopcount=4",
    "O Timeout.QueueWarn.Normal = 4h",
    "O Milter.macros.connect=j, _",
    "OL9",
    "OWfoo",
    "O\tLogLevel=3",
    "Og1",
    "OMxhello",
]


def _cf_lines(queue: Path) -> list[str]:
    lines = list(_EDGE_LINES)
    for spec in OPTION_TABLE:
        value = _VALUES.get(spec.name, spec.default or "")
        if value is not None:
            value = value.replace("{queue}", str(queue))
        if spec.name == "Timeout":
            lines += ["O Timeout.queuewarn=4h", "Or5m"]
        elif spec.name == "Milter":
            lines.append("O Milter.LogLevel=1")
        elif spec.name:
            lines.append(f"O {spec.name}={value}")
            if spec.letter:
                lines.append(f"O{spec.letter}{value}")
    return lines


def _predicted(cf_name: str, lines: list[str], first_line: int) -> list[str]:
    """The -d37.1 trace and messages real sendmail prints for these O lines."""
    out: list[str] = []
    for number, line in enumerate(lines, start=first_line):
        text = line.rstrip(" \t")[1:]  # readcf drops trailing blanks of every line
        parsed = read_option(text, long_form=text[:1] == " ")
        where = f"{cf_name}: line {number}: "
        out += [where + w for w in parsed.warnings]
        if parsed.spec is None:
            assert parsed.error is not None
            out.append(where + parsed.error)
            continue
        out += list(parsed.notes)
        sub = f".{parsed.suboption}" if parsed.suboption else ""
        out.append(f"setoption {parsed.spec.name} ({parsed.spec.display_code}){sub}={parsed.value}")
    return out


@pytest.mark.differential
def test_setoption_matches_real_sendmail(tmp_path: Path) -> None:
    if not SENDMAIL.exists():
        pytest.skip(f"{SENDMAIL} (Debian sendmail-bin) is not installed")
    nsenv = _nsenv()
    if nsenv is None:
        pytest.skip("tests/diff/nsenv.py (the namespace helper) is missing")
    reason = nsenv.unavailable_reason()
    if reason is not None:
        pytest.skip(reason)
    queue = tmp_path / "q"
    queue.mkdir(mode=0o700)
    header = [
        "V10/Berkeley",
        "Mlocal, P=/bin/true, F=l, A=x",
        "Mprog, P=/bin/sh, F=l, A=sh -c $u",
    ]
    lines = _cf_lines(queue)
    cf = tmp_path / "x.cf"
    cf.write_text("\n".join(header + lines) + "\n")
    env = nsenv.NsEnv(tmp_path / "ns")
    env.prepare()
    result = subprocess.run(
        env.argv([str(SENDMAIL), "-C", str(cf), "-d37.1", "-bt"]),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        cwd=tmp_path,
    )
    # Keep what setoption() prints for our lines: the trace up to the end of readcf,
    # and the messages that carry a line number (side effects of values have none).
    real: list[str] = []
    for line in result.stdout.splitlines():
        if line == "setoption HoldExpensive (c)=F":  # readcf's own defaults follow
            break
        if line.startswith("setoption") or f"{cf}: line " in line:
            real.append(line)
    predicted = _predicted(str(cf), lines, first_line=len(header) + 1)
    assert len(predicted) > 200
    assert real == predicted


def test_differential_helpers_have_what_they_need() -> None:
    # The differential test must cover every option: a name line for each, a letter line
    # for each letter, and the edge lines.
    lines = _cf_lines(Path("/q"))
    named = {ln[2:].partition("=")[0] for ln in lines if ln.startswith("O ")}
    for spec in OPTION_TABLE:
        if spec.name and spec.name not in ("Timeout", "Milter"):
            assert spec.name in named
    assert shutil.which("true") is not None
