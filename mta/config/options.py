"""Read option text as Sendmail's setoption() does: O lines, -O and -o.

SYNOPSIS
    spec, name, value = parse_option(" MaxHop = 5", long_form=True)   # .cf "O MaxHop = 5"
    spec, name, value = parse_option("L9", long_form=False)            # .cf "OL9" or -oL9
    spec, name, value = parse_option("Timeout.queuewarn=4h", long_form=True,
                                     command_line=True)                # -O argument
    parsed = read_option(text, long_form=True)    # also .error and .warnings
    unknown_option_message("NoSuchOption")        # "readcf: unknown option name NoSuchOption"
    coerce(OPTIONS["MaxMessageSize"], "10000000")  # 10000000
    option_value(config.options, "Timeout.queuewarn")   # 14400 (the default when unset)

DESCRIPTION
    The three callers hand over the text after the option letter position:

    * a .cf O line: everything after the "O". A blank first (" Name=value")
      means the long form; anything else is the old form, whose first
      character is the option letter ("OL9").
    * -O ARG: ARG is a long-form option with nothing stripped in front;
      pass command_line=True so that a leading blank stays part of the name,
      as it does in Sendmail (-O " LogLevel=9" is the unknown " LogLevel").
    * -o ARG: the old form (ARG[0] is the letter); -o " Name=value" is the
      long form, as in Sendmail.

    Long form, as in setoption(): the name runs to the first "=" (or the end)
    with blanks before the "=" removed and blanks after it skipped; only
    spaces count, not tabs. A ".sub" part of the name is split off; options
    without suboptions drop it (Sendmail says so only in -d37.1 output). The
    name is matched case-insensitively against OPTION_TABLE in Sendmail's
    order: an exact match wins, a unique prefix is accepted with the warning
    "Option MaxHop used as abbreviation for MaxHopCount", and a prefix of two
    or more names is refused as ambiguous, naming the first two in table
    order. The value is kept as written; trailing blanks and "#" comments of
    a .cf line are removed by the line reader before this (Sendmail's readcf
    does that for every line), never here, so -O "HelpFile=a  " keeps them.

    The canonical name returned is spec.name, plus ".sub" for options with
    suboptions ("Timeout.queuewarn", "Milter.macros.connect"), so a Config
    stores each timeout under its own key. Letter-only options (M, g) have
    no long name; their canonical name is the letter.

    coerce() turns value text into a typed value following the option's
    OptionType (atobool, atol, convtime with the option's unit, atooct, ...).
    Values Sendmail rejects raise OptionValueError with Sendmail's exact text
    and exit status; values Sendmail only grumbles about (a bad time unit)
    are passed to on_error and converted anyway, as Sendmail does.

    Command-line options are sticky: a later .cf line for the same option is
    ignored (Sendmail prints "(ignored)" in -d37.1 output). apply_option()
    implements that, per canonical name (each Timeout.x separately).

DIAGNOSTICS
    parse_option never raises: an unknown, ambiguous or empty name gives
    spec None; read_option(...).error and unknown_option_message() give the
    text Sendmail prints ("readcf: unknown option name X", "... 0x57" for an
    unknown letter, "readcf: ambiguous option name Max (matches MaxHopCount
    and MaxMessageSize)", "readcf: null option name"). In a .cf Sendmail
    prefixes "FILE: line N: "; that is the caller's Location. Real sendmail
    goes on after these errors and exits EX_SOFTWARE (70) at the end.
    coerce raises OptionValueError (a ConfigError) for rejected values.

SEE ALSO
    mta.core.params (the table), mta.util.timespec, mta.config.loader,
    mta.cli.sendmail, Sendmail op.me 5.6 "O -- Set Option".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, MutableMapping, MutableSet
from dataclasses import dataclass
from typing import Final

from mta.core.errors import ConfigError, Location
from mta.core.params import (
    BY_LETTER,
    OPTION_TABLE,
    OPTIONS,
    TIMEOUTS,
    OptionSpec,
    OptionType,
)
from mta.util.sysexits import ExitCode
from mta.util.timespec import TimeUnit, convtime

# The texts real sendmail 8.17.1.9 prints (checked by tests/unit/config/test_options.py).
UNKNOWN_OPTION: Final = "readcf: unknown option name {name}"
UNKNOWN_OPTION_LETTER: Final = "readcf: unknown option name 0x{code:x}"
AMBIGUOUS_OPTION: Final = "readcf: ambiguous option name {name} (matches {first} and {second})"
ABBREVIATED_OPTION: Final = "Option {name} used as abbreviation for {full}"
NULL_OPTION_NAME: Final = "readcf: null option name"
NO_SUBOPTIONS: Final = "setoption: {name} does not support suboptions, ignoring .{sub}"
UNKNOWN_DELIVERY_MODE: Final = "Unknown delivery mode {char}"
UNKNOWN_8BIT_MODE: Final = "Unknown 8-bit mode {char}"
INVALID_QUEUE_SORT_ORDER: Final = 'Invalid queue sort order "{value}"'
INVALID_NO_RECIPIENT_ACTION: Final = "Invalid NoRecipientAction: {value}"
INVALID_TIMEOUT: Final = "settimeout: invalid timeout {name}"
UNKNOWN_PRIVACY_FLAG: Final = "readcf: Op line: {word} unrecognized"
UNKNOWN_DONT_BLAME_FLAG: Final = "readcf: DontBlameSendmail option: {word} unrecognized"
MACRO_NAME_REQUIRED: Final = "Name required for macro/class"

PRIVACY_FLAGS: Final[frozenset[str]] = frozenset(
    {
        "public", "needmailhelo", "needexpnhelo", "needvrfyhelo", "noexpn", "novrfy",
        "restrictexpand", "restrictmailq", "restrictqrun", "noetrn", "noverb",
        "authwarnings", "noreceipts", "nobodyreturn", "goaway", "noactualrecipient",
    }
)  # fmt: skip
"""PrivacyOptions words the reference binary accepts (any case)."""

DONT_BLAME_SENDMAIL_FLAGS: Final[frozenset[str]] = frozenset(
    {
        "safe", "assumesafechown", "classfileinunsafedirpath",
        "dontwarnforwardfileinunsafedirpath", "errorheaderinunsafedirpath",
        "filedeliverytohardlink", "filedeliverytosymlink",
        "forwardfileingroupwritabledirpath", "forwardfileinunsafedirpath",
        "forwardfileinunsafedirpathsafe", "groupreadabledefaultauthinfofile",
        "groupreadablekeyfile", "groupreadablesasldbfile", "groupwritablealiasfile",
        "groupwritabledirpathsafe", "groupwritableforwardfile",
        "groupwritableforwardfilesafe", "groupwritableincludefile",
        "groupwritableincludefilesafe", "groupwritablesasldbfile",
        "helpfileinunsafedirpath", "includefileingroupwritabledirpath",
        "includefileinunsafedirpath", "includefileinunsafedirpathsafe",
        "insufficiententropy", "linkedaliasfileinwritabledir",
        "linkedclassfileinwritabledir", "linkedforwardfileinwritabledir",
        "linkedincludefileinwritabledir", "linkedmapinwritabledir",
        "linkedserviceswitchfileinwritabledir", "mapinunsafedirpath", "nonrootsafeaddr",
        "runprograminunsafedirpath", "runwritableprogram", "truststickybit",
        "worldwritablealiasfile", "worldwritableforwardfile", "worldwritableincludefile",
        "writemaptohardlink", "writemaptosymlink", "writestatstohardlink",
        "writestatstosymlink",
    }
)  # fmt: skip
"""DontBlameSendmail words the reference binary accepts (any case)."""

OptionValue = bool | int | str | tuple[str, ...] | Mapping[str, str] | Mapping[str, int]
"""What coerce() returns; which one depends on OptionSpec.type (see coerce)."""


class OptionValueError(ConfigError):
    """Sendmail refuses an option value; message is its text, exit_code its status."""

    def __init__(self, message: str, exit_code: ExitCode, location: Location | None = None) -> None:
        super().__init__(message, location)
        self.exit_code = exit_code


@dataclass(frozen=True, slots=True)
class OptionMatch:
    """The result of looking a long name up the way setoption() does.

    Attributes:
        spec: the option, or None when the name is unknown, ambiguous or empty.
        error: Sendmail's message when spec is None.
        abbreviation: True when name was a unique prefix of spec.name.
    """

    spec: OptionSpec | None
    error: str | None = None
    abbreviation: bool = False


@dataclass(frozen=True, slots=True)
class ParsedOption:
    """One option setting as setoption() sees it.

    Attributes:
        spec: the option, or None when Sendmail would refuse the name.
        name: canonical name (spec.name[.sub], or the letter for M and g), or
            the name as written when spec is None.
        value: the value text.
        suboption: the ".sub" part kept for options that take one.
        error: Sendmail's error text when spec is None.
        warnings: other messages Sendmail prints (the abbreviation warning).
        notes: what Sendmail shows only under -d37.1 (a dropped suboption).
    """

    spec: OptionSpec | None
    name: str
    value: str
    suboption: str | None = None
    error: str | None = None
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def match_option(name: str) -> OptionMatch:
    """Resolve a long option name (no ".sub") as setoption() does.

    Args:
        name: the name as written; case does not matter.

    Returns:
        An OptionMatch: the exact match, the one option name is a prefix of
        (abbreviation=True), or spec None with Sendmail's error text. The
        empty name (from " .x=1") is a prefix of everything, so it is
        ambiguous, as in Sendmail.
    """
    folded = name.lower()
    first: OptionSpec | None = None
    for spec in OPTION_TABLE:
        if spec.name[: len(name)].lower() != folded:  # sm_strncasecmp(o_name, name, len)
            continue
        if len(spec.name) == len(name):
            return OptionMatch(spec)
        if first is not None:
            return OptionMatch(
                None, AMBIGUOUS_OPTION.format(name=name, first=first.name, second=spec.name)
            )
        first = spec
    if first is None:
        return OptionMatch(None, UNKNOWN_OPTION.format(name=name))
    return OptionMatch(first, abbreviation=True)


def _split_long(text: str) -> tuple[str, str]:
    """Split "Name = value" at the first '=' with setoption()'s blank rules."""
    eq = text.find("=")
    if eq < 0:
        return text.rstrip(" "), ""
    return text[:eq].rstrip(" "), text[eq + 1 :].lstrip(" ")


def read_option(text: str, *, long_form: bool, command_line: bool = False) -> ParsedOption:
    """Parse option text as setoption() does, keeping every diagnostic.

    Args:
        text: the text after "O" on a .cf line, or the argument of -O / -o.
        long_form: True for a .cf line starting with a blank and for -O.
        command_line: True for an -O argument, whose leading blanks are part
            of the name (in a .cf line the first blank is the letter position).

    Returns:
        A ParsedOption; spec is None (with error set) when Sendmail refuses it.
    """
    if not long_form:
        letter = text[:1]
        if letter == " ":
            return read_option(text[1:], long_form=True, command_line=True)
        spec = BY_LETTER.get(letter)
        if spec is None:
            code = ord(letter) if letter else 0
            return ParsedOption(
                None, letter, text[1:], error=UNKNOWN_OPTION_LETTER.format(code=code)
            )
        return ParsedOption(spec, spec.name or letter, text[1:])
    if not command_line and text.startswith(" "):
        text = text[1:]
    name, value = _split_long(text)
    if not name:
        return ParsedOption(None, name, value, error=NULL_OPTION_NAME)
    base, dot, sub = name.partition(".")
    match = match_option(base)
    if match.spec is None:
        return ParsedOption(None, base, value, error=match.error)
    spec = match.spec
    warnings = (ABBREVIATED_OPTION.format(name=base, full=spec.name),) if match.abbreviation else ()
    if dot and not spec.suboptions:
        note = NO_SUBOPTIONS.format(name=spec.name, sub=sub)
        return ParsedOption(spec, spec.name, value, warnings=warnings, notes=(note,))
    if dot:
        return ParsedOption(spec, f"{spec.name}.{sub}", value, sub, warnings=warnings)
    return ParsedOption(spec, spec.name, value, warnings=warnings)


def parse_option(
    text: str, *, long_form: bool, command_line: bool = False
) -> tuple[OptionSpec | None, str, str]:
    """Parse option text; see read_option for the arguments.

    Returns:
        (spec or None when Sendmail would refuse the name, canonical name or
        the name as written, value text).
    """
    parsed = read_option(text, long_form=long_form, command_line=command_line)
    return parsed.spec, parsed.name, parsed.value


def unknown_option_message(name: str, *, long_form: bool = True) -> str:
    """Return the text real sendmail prints when it refuses the option name.

    Args:
        name: the name parse_option returned with spec None.
        long_form: False for the old one-letter form (-oX, OX).

    Returns:
        "readcf: unknown option name NAME", the 0x form for a letter, the
        ambiguous-name text when name abbreviates several options, or
        "readcf: null option name".
    """
    if not long_form:
        return UNKNOWN_OPTION_LETTER.format(code=ord(name[0]) if name else 0)
    if not name:
        return NULL_OPTION_NAME
    match = match_option(name)
    return match.error or UNKNOWN_OPTION.format(name=name)


def apply_option(
    options: MutableMapping[str, str],
    sticky: MutableSet[str],
    parsed: ParsedOption,
    *,
    command_line: bool,
) -> bool:
    """Record an option as Sendmail does, honouring command-line stickiness.

    Args:
        options: canonical name -> value text (what Config.options holds).
        sticky: canonical names set on the command line so far.
        parsed: a ParsedOption with a spec.
        command_line: the setting comes from -O/-o (it becomes sticky).

    Returns:
        False when the setting was ignored: a .cf line for a sticky option.

    Side effects:
        Updates options and, for command-line settings, sticky.
    """
    if parsed.spec is None:
        raise AssertionError("apply_option needs a known option")
    if not command_line and parsed.name in sticky:
        return False
    options[parsed.name] = parsed.value
    if command_line:
        sticky.add(parsed.name)
    return True


def atobool(text: str) -> bool:
    """Sendmail's atobool: empty or starting with t, T, y or Y is true."""
    return text == "" or text[0] in "tTyY"


_ATOL_RE: Final = re.compile(r"[ \t\n\v\f\r]*([+-]?[0-9]*)")


def atol(text: str) -> int:
    """C atol: skip white space, optional sign, digits; no digits give 0."""
    digits = _ATOL_RE.match(text)
    number = digits.group(1) if digits else ""
    return int(number) if number not in ("", "+", "-") else 0


def atooct(text: str) -> int:
    """Sendmail's atooct: octal digits from the start, stopping at any other char."""
    value = 0
    for char in text:
        if not "0" <= char <= "7":
            break
        value = value * 8 + ord(char) - ord("0")
    return value


def _words(text: str) -> tuple[str, ...]:
    return tuple(w for w in re.split(r"[\s,]+", text) if w)


def _check_words(words: tuple[str, ...], known: frozenset[str], message: str) -> None:
    for word in words:
        if word.lower() not in known:
            raise OptionValueError(message.format(word=word), ExitCode.EX_SOFTWARE)


def _letter_enum(spec: OptionSpec, value: str) -> str:
    if spec.name == "SuperSafe":
        if value == "":
            return "true"
        return dict(spec.choices).get(value[0].lower(), "false")
    if spec.name == "DeliveryMode" and value == "":
        return "background"  # Sendmail's own end-of-readcf call sets the default this way
    key = value[:1].lower() if spec.name == "QueueSortOrder" else value[:1]
    word = dict(spec.choices).get(key)
    if word is not None:
        return word
    if spec.name == "DeliveryMode":
        raise OptionValueError(UNKNOWN_DELIVERY_MODE.format(char=value[0]), ExitCode.EX_USAGE)
    if spec.name == "EightBitMode":
        raise OptionValueError(UNKNOWN_8BIT_MODE.format(char=value[:1]), ExitCode.EX_USAGE)
    if spec.name == "QueueSortOrder":
        message = INVALID_QUEUE_SORT_ORDER.format(value=value)
        raise OptionValueError(message, ExitCode.EX_SOFTWARE)
    # ErrorMode: Sendmail accepts any letter without a word.
    return value[:1]


def _timeout(
    value: str, suboption: str | None, on_error: Callable[[str], None] | None
) -> int | Mapping[str, int]:
    if suboption is None:
        if "=" not in value:
            return convtime(value, TimeUnit.MINUTES, on_error=on_error)
        result: dict[str, int] = {}
        for item in (i.strip() for i in value.split(",")):
            if item:
                key, _, text = item.partition("=")
                seconds = _timeout(text.strip(), key.strip(), on_error)
                assert isinstance(seconds, int)
                result[key.strip().lower()] = seconds
        return result
    timeout = TIMEOUTS.get(suboption.lower())
    if timeout is None:
        raise OptionValueError(INVALID_TIMEOUT.format(name=suboption), ExitCode.EX_SOFTWARE)
    if timeout.name.startswith("resolver.retry"):
        return atol(value)
    return convtime(value, timeout.unit, on_error=on_error)


def coerce(
    spec: OptionSpec,
    value: str,
    *,
    suboption: str | None = None,
    on_error: Callable[[str], None] | None = None,
) -> OptionValue:
    """Convert option value text to a typed value, as Sendmail reads it.

    Args:
        spec: the option.
        value: the value text (after parse_option's trimming).
        suboption: the ".sub" part (Timeout.queuewarn -> "queuewarn").
        on_error: receives messages Sendmail prints without refusing the value
            (e.g. "Invalid time unit `x'").

    Returns:
        BOOL -> bool; INT, SIZE, MODE -> int; TIME -> seconds (int; for a bare
        Timeout list "a=1m,b=2m" a mapping name -> seconds); LIST, WORDS ->
        tuple of str; KEYVALUE -> mapping; LETTER_ENUM/WORD_ENUM -> the
        canonical word ("background"); everything else -> the text.

    Raises:
        OptionValueError: Sendmail refuses the value (unknown delivery mode,
            queue sort order, NoRecipientAction, privacy or DontBlameSendmail
            word, timeout name, macro option without a name).
    """
    kind = spec.type
    if kind is OptionType.BOOL:
        return atobool(value)
    if kind in (OptionType.INT, OptionType.SIZE):
        return atol(value)
    if kind is OptionType.MODE:
        return atooct(value)
    if kind is OptionType.TIME:
        if spec.name == "Timeout":
            return _timeout(value, suboption, on_error)
        if spec.name == "AliasWait" and value == "":
            return 5 * 60
        return convtime(value.partition("/")[0], spec.time_unit or TimeUnit.MINUTES,
                        on_error=on_error)  # fmt: skip
    if kind is OptionType.CHAR:
        return value[:1]
    if kind is OptionType.LIST:
        return tuple(item.strip() for item in value.split(",") if item.strip())
    if kind is OptionType.WORDS:
        words = _words(value)
        if spec.name == "PrivacyOptions":
            _check_words(words, PRIVACY_FLAGS, UNKNOWN_PRIVACY_FLAG)
        elif spec.name == "DontBlameSendmail":
            _check_words(words, DONT_BLAME_SENDMAIL_FLAGS, UNKNOWN_DONT_BLAME_FLAG)
        return words
    if kind is OptionType.LETTER_ENUM:
        return _letter_enum(spec, value)
    if kind is OptionType.WORD_ENUM:
        word = dict(spec.choices).get(value.lower())
        if word is None:
            message = INVALID_NO_RECIPIENT_ACTION.format(value=value)
            raise OptionValueError(message, ExitCode.EX_SOFTWARE)
        return word
    if kind is OptionType.KEYVALUE:
        pairs: dict[str, str] = {}
        for item in value.split(","):
            key, _, text = item.partition("=")
            if key.strip():
                pairs[key.strip()] = text.strip()
        return pairs
    if kind is OptionType.MACRO and value == "":
        raise OptionValueError(MACRO_NAME_REQUIRED, ExitCode.EX_USAGE)
    return value


def option_value(
    options: Mapping[str, str],
    name: str,
    *,
    on_error: Callable[[str], None] | None = None,
) -> OptionValue | None:
    """Return the typed value of an option, or its typed default.

    Args:
        options: canonical name -> value text (Config.options).
        name: a canonical name: "MaxMessageSize", "Timeout.queuewarn", or a
            letter of a letter-only option.
        on_error: as for coerce.

    Returns:
        The coerced value of options[name], else the coerced default, else
        None (the option is unset and has no default).

    Raises:
        KeyError: name is no option (a programming error).
        OptionValueError: the stored text is refused (see coerce).
    """
    base, _, sub = name.partition(".")
    spec = OPTIONS.get(base) or BY_LETTER.get(base)
    if spec is None:
        raise KeyError(name)
    suboption = sub or None
    text = options.get(name)
    if text is None:
        if spec.name == "Timeout" and suboption is not None:
            timeout = TIMEOUTS.get(suboption.lower())
            if timeout is None:
                raise KeyError(name)
            text = timeout.default
        else:
            text = spec.default
    if text is None:
        return None
    return coerce(spec, text, suboption=suboption, on_error=on_error)
