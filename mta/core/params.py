"""The option table: every option Sendmail 8.17 accepts in O lines, -O and -o.

SYNOPSIS
    spec = find_option("QueueReturn") or find_option("maxmessagesize") or find_option("L")
    spec.name, spec.letter, spec.type, spec.default, spec.safe, spec.doc
    OPTIONS["MaxHopCount"].default == "25"
    for spec in OPTION_TABLE: ...          # Sendmail's own order (matters for abbreviations)
    TIMEOUTS["queuewarn"].default == "4h"

DESCRIPTION
    One typed table instead of Sendmail's OptionTab plus a switch: each
    OptionSpec carries the long name (exact Sendmail spelling), the one-letter
    alias if the option has one, Sendmail's internal option code, the value
    type, the default as Sendmail documents it, whether an unprivileged user
    may set it with -O/-o without Sendmail dropping its privileges (Sendmail's
    OI_SAFE flag), whether it takes ".suboption" names (Timeout.queuewarn,
    Milter.macros.connect), the default time unit for time values, the allowed
    words or letters for enumerated options, and a one-line doc.

    The names, letters, codes, table order and safe flags were read from the
    reference binary (Debian sendmail-bin 8.17.1.9) by running it, not from
    its source: every name it accepts is here and nothing else is. Options
    that op.me documents but that the reference build leaves out (DANE, which
    needs a DANE-enabled build) are listed in UNAVAILABLE_OPTIONS and, as in
    the reference, are unknown to find_option. The old one-letter options
    "M" (define a macro) and "g" (default group) have no long name; they are
    in OPTION_TABLE and BY_LETTER but not in OPTIONS.

    OPTION_TABLE keeps Sendmail's order because setoption() resolves an
    abbreviated long name by walking the table: "Max" is reported as matching
    MaxHopCount and MaxMessageSize, the first two in that order
    (mta.config.options.match_option implements that walk).

    Defaults are text, exactly as one would write them in an O line; None
    means "not set" (the feature is off or Sendmail computes a value at run
    time, e.g. QueueLA from the number of CPUs). mta.config.options.coerce
    turns text into typed values.

DIAGNOSTICS
    None at run time. Registering two specs with the same name, letter or code
    raises RuntimeError at import time (a programming error).

SEE ALSO
    mta.config.options (setoption semantics, coerce, option_value),
    mta.util.timespec, Sendmail op.me section 5.6 "O -- Set Option",
    cf/README (the conf* m4 names of these options).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from mta.util.timespec import TimeUnit


class OptionType(enum.Enum):
    """How an option's value text is read (mta.config.options.coerce)."""

    BOOL = "bool"  # atobool: empty, t..., T..., y..., Y... are true; anything else false
    INT = "int"  # atoi: leading blanks, sign, digits; no digits is 0
    SIZE = "size"  # atol, for byte counts and keys that may exceed int
    TIME = "time"  # convtime() with OptionSpec.time_unit as the default unit
    STRING = "string"  # free text, kept as written
    PATH = "path"  # a file or directory name (some accept "class:file" forms)
    CHAR = "char"  # the first character of the value ("" for an empty value)
    MODE = "mode"  # octal file mode, e.g. "0600"
    LIST = "list"  # comma-separated items, blanks around them removed
    WORDS = "words"  # flag words separated by blanks and commas (PrivacyOptions)
    LETTER_ENUM = "letter-enum"  # first letter picks one of OptionSpec.choices
    WORD_ENUM = "word-enum"  # the whole value (any case) is one of OptionSpec.choices
    KEYVALUE = "keyvalue"  # "Key=value, Key=value" (DaemonPortOptions)
    USER = "user"  # "user", "uid", "user:group" or "uid:gid"
    GROUP = "group"  # a group name or gid
    MACRO = "macro"  # old "Mxvalue": define macro x (not stored as an option)
    SUBOPTIONS = "suboptions"  # only meaningful as Name.suboption=value (Milter)


@dataclass(frozen=True, slots=True)
class OptionSpec:
    """One Sendmail option: names, type, default and documentation.

    Attributes:
        name: the long name in Sendmail's spelling ("" for the letter-only M and g).
        letter: the one-letter alias, or None for options added after 8.7.
        type: how the value text is read.
        default: the default as option text, or None when unset by default.
        safe: an unprivileged -O/-o may set it without Sendmail dropping privileges.
        doc: a one-line description.
        code: Sendmail's internal option code (the letter's byte, or 0x81 and up).
        time_unit: the unit for bare numbers (TIME options and Timeout suboptions).
        suboptions: the option takes "Name.sub=value" (Timeout, Milter).
        choices: for LETTER_ENUM/WORD_ENUM, (accepted text, canonical word) pairs.
    """

    name: str
    letter: str | None
    type: OptionType
    default: str | None
    safe: bool
    doc: str
    code: int
    time_unit: TimeUnit | None = None
    suboptions: bool = False
    choices: tuple[tuple[str, str], ...] = ()

    @property
    def display_code(self) -> str:
        """The code as Sendmail prints it: "(L)" style letter, or "0x8a"."""
        if 0x20 < self.code < 0x7F:
            return chr(self.code)
        return f"0x{self.code:x}"


# Options Sendmail marks OI_SAFE (read from the reference binary: an unprivileged
# -O of any other option makes it drop privileges).
_SAFE: Final[frozenset[str]] = frozenset(
    {
        "AllowBogusHELO", "BadRcptShutdown", "BadRcptShutdownGood", "BadRcptThrottle",
        "CheckpointInterval", "ColonOkInAddr", "DefaultCharSet", "DeliveryMode",
        "DialDelay", "EightBitMode", "ErrorMode", "IgnoreDots", "LogLevel",
        "MaxQueueRunSize", "MaxRecipientsPerMessage", "MeToo", "MinFreeBlocks",
        "MinQueueAge", "NoRecipientAction", "OldStyleHeaders", "PrivacyOptions",
        "QueueSortOrder", "RejectNUL", "SendMimeErrors", "SevenBitInput",
        "SingleLineFromHeader", "SuperSafe", "Verbose",
    }
)  # fmt: skip

_T = OptionType
_M = TimeUnit.MINUTES


def _o(
    name: str,
    letter: str | None,
    code: int,
    type_: OptionType,
    default: str | None,
    doc: str,
    *,
    unit: TimeUnit | None = None,
    suboptions: bool = False,
    choices: tuple[tuple[str, str], ...] = (),
) -> OptionSpec:
    return OptionSpec(
        name=name,
        letter=letter,
        type=type_,
        default=default,
        safe=name in _SAFE,
        doc=doc,
        code=code,
        time_unit=unit if unit is not None else (_M if type_ is _T.TIME else None),
        suboptions=suboptions,
        choices=choices,
    )


def _letter(
    name: str,
    letter: str,
    type_: OptionType,
    default: str | None,
    doc: str,
    *,
    unit: TimeUnit | None = None,
    suboptions: bool = False,
    choices: tuple[tuple[str, str], ...] = (),
) -> OptionSpec:
    return _o(
        name, letter, ord(letter), type_, default, doc,
        unit=unit, suboptions=suboptions, choices=choices,
    )  # fmt: skip


_DELIVERY_MODES = (("i", "interactive"), ("b", "background"), ("q", "queue"), ("d", "defer"))
_ERROR_MODES = (("p", "print"), ("q", "quiet"), ("m", "mail"), ("w", "write"), ("e", "berknet"))
_EIGHT_BIT_MODES = (("m", "mimefy"), ("p", "pass8"), ("s", "strict"))
_QUEUE_SORT_ORDERS = (
    ("h", "host"), ("f", "filename"), ("m", "modification"), ("n", "none"),
    ("p", "priority"), ("r", "random"), ("s", "shuffle"), ("t", "time"),
)  # fmt: skip
_NO_RCPT_ACTIONS = (
    ("none", "none"), ("add-to", "add-to"), ("add-apparently-to", "add-apparently-to"),
    ("add-bcc", "add-bcc"), ("add-to-undisclosed", "add-to-undisclosed"),
)  # fmt: skip
_SUPER_SAFE = (("t", "true"), ("y", "true"), ("i", "interactive"), ("p", "postmilter"))

# fmt: off
OPTION_TABLE: Final[tuple[OptionSpec, ...]] = (
    # --- the options with a letter (Sendmail 8.7 and earlier) ---
    _letter("SevenBitInput", "7", _T.BOOL, "False", "Strip input to seven bits."),
    _letter("EightBitMode", "8", _T.LETTER_ENUM, "pass8",
            "What to do with 8-bit input to a 7-bit mailer: mimefy, pass8 or strict.",
            choices=_EIGHT_BIT_MODES),
    _letter("AliasFile", "A", _T.LIST, None,
            "Alias databases, comma-separated, each [class:]file."),
    _letter("AliasWait", "a", _T.TIME, None,
            "Wait this long for the @:@ entry of a rebuilding alias database (empty: 5m)."),
    _letter("BlankSub",
            "B", _T.CHAR, " ", "Character substituted for unquoted blanks in addresses."),
    _letter("MinFreeBlocks", "b", _T.SIZE, "100",
            "Free disk blocks required in the queue file system to accept mail."),
    _letter("CheckpointInterval", "C", _T.INT, "10",
            "Rewrite the queue file after this many deliveries."),
    _letter("HoldExpensive", "c", _T.BOOL, "False",
            "Queue mail for expensive mailers (F=e) instead of connecting at once."),
    _letter("DeliveryMode", "d", _T.LETTER_ENUM, "background",
            "Delivery mode: interactive, background, queue or defer.",
            choices=_DELIVERY_MODES),
    _letter("ErrorHeader", "E", _T.STRING, None,
            "Text or file (starting with /) prepended to error messages."),
    _letter("ErrorMode", "e", _T.LETTER_ENUM, "print",
            "How errors are reported: print, quiet, mail, write or berknet.",
            choices=_ERROR_MODES),
    _letter("TempFileMode", "F", _T.MODE, "0600", "File mode for temporary and queue files."),
    _letter("SaveFromLine",
            "f", _T.BOOL, "False", "Keep Unix-style From_ lines at the front of messages."),
    _letter("MatchGECOS",
            "G", _T.BOOL, "False", "Match local recipients against full names (GECOS)."),
    _letter("HelpFile", "H", _T.PATH, None, "File with the SMTP HELP text."),
    _letter("MaxHopCount",
            "h", _T.INT, "25", "Maximum Received: hops before a message is bounced."),
    _letter("ResolverOptions", "I", _T.WORDS, None,
            "Resolver flags (+AAONLY, -DNSRCH, HasWildcardMX, WorkAroundBrokenAAAA ...)."),
    _letter("IgnoreDots", "i", _T.BOOL, "False",
            "A line with only a dot does not end a message read from standard input."),
    _letter("ForwardPath", "J", _T.STRING, "$z/.forward.$w:$z/.forward",
            "Colon-separated list of places to look for .forward files."),
    _letter("SendMimeErrors", "j", _T.BOOL, "True", "Send error messages as MIME (RFC 1344/3464)."),
    _letter("ConnectionCacheSize", "k", _T.INT, "1", "Number of SMTP connections kept open."),
    _letter("ConnectionCacheTimeout",
            "K", _T.TIME, "5m", "Idle time before a cached connection closes."),
    _letter("UseErrorsTo", "l", _T.BOOL, "False", "Honour Errors-To: headers (deprecated)."),
    _letter("LogLevel", "L", _T.INT, "9", "Logging level."),
    _letter("MeToo", "m", _T.BOOL, "True", "Send to the sender too when expanding an alias."),
    _letter("CheckAliases", "n", _T.BOOL, "False",
            "Check the right-hand sides of aliases while rebuilding the database."),
    _letter("OldStyleHeaders", "o", _T.BOOL, "False",
            "Headers may use blanks instead of commas between addresses."),
    _letter("DaemonPortOptions", "O", _T.KEYVALUE, None,
            "Options of one daemon socket: Name=, Port=, Addr=, Family=, Modifiers= ..."),
    _letter("PrivacyOptions", "p", _T.WORDS, "public",
            "Privacy flags: public, needmailhelo, noexpn, novrfy, goaway, restrictqrun ..."),
    _letter("PostmasterCopy", "P", _T.STRING, None, "Address that gets a copy of bounces."),
    _letter("QueueFactor", "q", _T.INT, "600000",
            "Load-average factor used with QueueLA to decide to queue only."),
    _letter("QueueDirectory",
            "Q", _T.PATH, None, "Queue directory (a trailing * makes queue groups)."),
    _letter("DontPruneRoutes", "R", _T.BOOL, "False", "Keep source routes in addresses."),
    _letter("StatusFile", "S", _T.PATH, None, "File of delivery statistics (mailstats)."),
    _letter("SuperSafe", "s", _T.LETTER_ENUM, "True",
            "Queue-file safety: true, false, interactive or postmilter.",
            choices=_SUPER_SAFE),
    _letter("QueueTimeout", "T", _T.TIME, None,
            "Deprecated: queuereturn[/queuewarn] time (use Timeout.queuereturn).",
            unit=TimeUnit.DAYS),
    _letter("Timeout", "r", _T.TIME, None,
            "Timeouts: Timeout.<name>=time (see TIMEOUTS); a bare value sets the read timeouts.",
            suboptions=True),
    _letter("TimeZoneSpec", "t", _T.STRING, None, "Time zone for mailers (TZ); empty: unset TZ."),
    _letter("UserDatabaseSpec", "U", _T.LIST, None, "User database specifications."),
    _letter("DefaultUser", "u", _T.USER, "1:1",
            "User:group that mailers run as when no better one is known."),
    _letter("FallbackMXhost", "V", _T.STRING, None, "Host tried last for every MX delivery."),
    _letter("Verbose", "v", _T.BOOL, "False", "Report delivery steps (as -v)."),
    _letter("TryNullMXList", "w", _T.BOOL, "False",
            "Connect to the host itself when it is the best MX."),
    _letter("QueueLA", "x", _T.INT, None,
            "Load average from which mail is queued only (default 8 per CPU)."),
    _letter("RefuseLA", "X", _T.INT, None,
            "Load average from which SMTP connections are refused (default 12 per CPU)."),
    _letter("RecipientFactor", "y", _T.INT, "30000", "Priority added per recipient."),
    _letter("ForkEachJob", "Y", _T.BOOL, "False", "Deliver each queued job in its own process."),
    _letter("ClassFactor", "z", _T.INT, "1800", "Priority weight of the Precedence: class."),
    _letter("RetryFactor", "Z", _T.INT, "90000", "Priority added for each delivery attempt."),
    # --- long names only (8.7 and later); codes from 0x81 up ---
    _o("QueueSortOrder", None, 0x81, _T.LETTER_ENUM, "priority",
       "Queue run order: priority, host, filename, time, random, modification, shuffle, none.",
       choices=_QUEUE_SORT_ORDERS),
    _o("HostsFile", None, 0x82, _T.PATH, "/etc/hosts", "Hosts file for the hosts service."),
    _o("MinQueueAge", None, 0x83, _T.TIME, "0", "A job waits this long in the queue between runs."),
    _o("DefaultCharSet", None, 0x85, _T.STRING, "unknown-8bit",
       "Charset for 8-bit messages without a Content-Type charset."),
    _o("ServiceSwitchFile", None, 0x86, _T.PATH, None,
       "Service switch file (name services for hosts, aliases, passwd)."),
    _o("DialDelay", None, 0x87, _T.TIME, "0",
       "Wait this long and retry once after a connect failure (dial-up links).",
       unit=TimeUnit.SECONDS),
    _o("NoRecipientAction", None, 0x88, _T.WORD_ENUM, "none",
       "What to add when there are no recipient headers: none, add-to, add-bcc ...",
       choices=_NO_RCPT_ACTIONS),
    _o("SafeFileEnvironment", None, 0x89, _T.PATH, None,
       "chroot directory for delivery to files."),
    _o("MaxMessageSize", None, 0x8a, _T.SIZE,
       "0", "Largest message accepted, in bytes (0: no limit)."),
    _o("ColonOkInAddr", None, 0x8b, _T.BOOL, None,
       "Colons are ordinary characters in addresses (default: true below V6)."),
    _o("MaxQueueRunSize", None, 0x8c, _T.INT,
       "0", "Most jobs read in one queue run (0: no limit)."),
    _o("MaxDaemonChildren", None, 0x8d, _T.INT, "0",
       "Most child processes of the daemon (0: no limit)."),
    _o("DontExpandCnames", None, 0x8e, _T.BOOL, "False", "Do not replace CNAMEs in addresses."),
    _o("MustQuoteChars", None, 0x8f, _T.STRING, None,
       "Characters in full names that need quoting (added to @,;:\\()[])."),
    _o("SmtpGreetingMessage", None, 0x90, _T.STRING, None,
       "SMTP greeting text (default: the $e macro)."),
    _o("UnixFromLine", None, 0x91, _T.STRING, "From $g $d",
       "Format of the From_ line (default: the $l macro)."),
    _o("OperatorChars", None, 0x92, _T.STRING, None,
       "Token separators for addresses (the $o macro of old)."),
    _o("DontInitGroups", None, 0x93, _T.BOOL, "False", "Do not call initgroups() for mailers."),
    _o("SingleLineFromHeader", None, 0x94, _T.BOOL, "False", "Unwrap From: headers to one line."),
    _o("AllowBogusHELO", None, 0x95, _T.BOOL, "False", "Accept HELO/EHLO without a host name."),
    _o("ConnectionRateThrottle", None, 0x97, _T.INT, "0",
       "Most incoming connections per second (0: no limit)."),
    _o("UnsafeGroupWrites", None, 0x99, _T.BOOL, None,
       "Group-writable :include: and .forward files are unsafe."),
    _o("DoubleBounceAddress", None, 0x9a, _T.STRING, "postmaster",
       "Where bounces that cannot be returned go."),
    _o("HostStatusDirectory", None, 0x9b, _T.PATH, None,
       "Directory of persistent host status."),
    _o("SingleThreadDelivery", None, 0x9c, _T.BOOL, "False",
       "Deliver to each host from one process at a time (needs HostStatusDirectory)."),
    _o("RunAsUser", None, 0x9d, _T.USER, None, "User:group to become after startup."),
    _o("RrtImpliesDsn", None, 0x9e, _T.BOOL, "False", "Return-Receipt-To: implies a DSN request."),
    _o("PidFile", None, 0x9f, _T.PATH, None, "File that gets the daemon's process id."),
    _o("DontBlameSendmail", None, 0xa0, _T.WORDS, "safe",
       "File safety checks to relax (safe, groupwritablealiasfile, ...)."),
    _o("DontProbeInterfaces", None, 0xa1, _T.STRING, "False",
       "Do not add interface addresses to class w (true, false or loopback)."),
    _o("MaxRecipientsPerMessage", None, 0xa2, _T.INT, "0",
       "Most recipients per SMTP envelope (0: no limit)."),
    _o("DeadLetterDrop", None, 0xa3, _T.PATH, None,
       "File that gets mail that cannot be delivered or returned."),
    _o("MaxAliasRecursion", None, 0xa5, _T.INT, "10", "Most levels of alias expansion."),
    _o("ConnectOnlyTo", None, 0xa6, _T.STRING, None,
       "Connect only to this address (testing)."),
    _o("TrustedUser", None, 0xa7, _T.USER, None, "User who may own important files besides root."),
    _o("MaxMimeHeaderLength", None, 0xa8, _T.STRING, "0/0",
       "Longest MIME header / parameter (N[/M]; 0: no limit)."),
    _o("ControlSocketName", None, 0xa9, _T.PATH, None, "Control socket of the daemon."),
    _o("MaxHeadersLength", None, 0xaa, _T.INT, "32768", "Most bytes of headers in a message."),
    _o("ProcessTitlePrefix", None, 0xac, _T.STRING, None, "Prefix of process titles."),
    _o("DefaultAuthInfo", None, 0xad, _T.PATH, None,
       "File with default SMTP AUTH client data (deprecated; use authinfo)."),
    _o("AuthMechanisms", None, 0xae, _T.WORDS, None, "SASL mechanisms the server offers."),
    _o("ClientPortOptions", None, 0xaf, _T.KEYVALUE, None,
       "Options of outgoing connections: Addr=, Family=, Port=, Modifiers= ..."),
    _o("DataFileBufferSize", None, 0xb0, _T.SIZE, "4096",
       "Bytes of a data file kept in memory before it is written."),
    _o("XscriptFileBufferSize", None, 0xb1, _T.SIZE, "4096",
       "Bytes of a transcript file kept in memory before it is written."),
    _o("LDAPDefaultSpec", None, 0xb2, _T.STRING, None, "Default arguments of LDAP maps."),
    _o("ServerCertFile", None, 0xb4, _T.PATH, None, "STARTTLS server certificate."),
    _o("ServerKeyFile", None, 0xb5, _T.PATH, None, "STARTTLS server private key."),
    _o("ClientCertFile", None, 0xb6, _T.PATH, None, "STARTTLS client certificate."),
    _o("ClientKeyFile", None, 0xb7, _T.PATH, None, "STARTTLS client private key."),
    _o("CACertFile", None, 0xb8, _T.PATH, None, "File of trusted CA certificates."),
    _o("CACertPath", None, 0xb9, _T.PATH, None, "Directory of trusted CA certificates."),
    _o("DHParameters", None, 0xba, _T.STRING, None,
       "Diffie-Hellman parameters: a file, or none, 512, 1024, 2048."),
    _o("InputMailFilters", None, 0xbb, _T.LIST, None,
       "Milters applied to incoming mail, in order."),
    _o("Milter", None, 0xbc, _T.SUBOPTIONS, None,
       "Milter settings: Milter.LogLevel, Milter.macros.<stage>.", suboptions=True),
    _o("AuthOptions", None, 0xbd, _T.WORDS, None, "SMTP AUTH flags (A, a, c, d, f, m, p, u, y)."),
    _o("QueueFileMode", None, 0xbe, _T.MODE, None,
       "Mode of queue files (default 0600, or 0660 with RunAsUser)."),
    _o("CertFingerprintAlgorithm", None, 0xbf, _T.STRING, None,
       "Digest for ${cert_md5} (default md5)."),
    _o("CipherList", None, 0xc0, _T.STRING, None, "OpenSSL cipher list for TLS 1.2 and below."),
    _o("RandFile", None, 0xc1, _T.STRING, None, "Entropy source: file:path or egd:socket."),
    _o("TLSSrvOptions", None, 0xc2, _T.WORDS, None,
       "STARTTLS server flags (V: no client cert request, C: no cert needed)."),
    _o("BadRcptThrottle", None, 0xc3, _T.INT, "0",
       "Slow down after this many bad RCPTs in a session (0: never)."),
    _o("DeliverByMin", None, 0xc4, _T.TIME, "0",
       "Smallest DELIVERBY time accepted (RFC 2852).", unit=TimeUnit.SECONDS),
    _o("MaxQueueChildren", None, 0xc5, _T.INT, "0",
       "Most concurrent queue runners in total (0: no limit)."),
    _o("MaxRunnersPerQueue", None, 0xc6, _T.INT, "1", "Most queue runners per queue group."),
    _o("DirectSubmissionModifiers", None, 0xc7, _T.STRING, None,
       "Daemon modifiers (${daemon_flags}) for command-line submission."),
    _o("NiceQueueRun", None, 0xc8, _T.INT, "0", "nice() increment for queue runners."),
    _o("SharedMemoryKey", None, 0xc9, _T.SIZE, "0", "Shared-memory key for queue statistics."),
    _o("AuthMaxBits", None, 0xca, _T.INT, None, "Largest SASL security layer strength, in bits."),
    _o("MailboxDatabase", None, 0xcb, _T.STRING, "pw", "Where local users are looked up (pw)."),
    _o("UseMSP", None, 0xcc, _T.BOOL, "False", "This is a mail submission program (submit.cf)."),
    _o("DelayLA", None, 0xcd, _T.INT, "0",
       "Load average from which each SMTP connection is slowed by 1 s (0: never)."),
    _o("FastSplit", None, 0xce, _T.INT, "1",
       "Split large envelopes early and limit MX lookups on first delivery."),
    _o("SoftBounce", None, 0xcf, _T.BOOL, "False", "Turn permanent errors into temporary ones."),
    _o("SharedMemoryKeyFile", None, 0xd0, _T.PATH, None,
       "File that gets the key when SharedMemoryKey is -1."),
    _o("RejectLogInterval", None, 0xd1, _T.TIME, "3h",
       "How often to log that connections are refused for load.", unit=TimeUnit.HOURS),
    _o("RequiresDirfsync", None, 0xd2, _T.BOOL, "True",
       "fsync() the directory after renaming queue files."),
    _o("ConnectionRateWindowSize", None, 0xd3, _T.TIME, "60s",
       "Window for ConnectionRateThrottle and ratecontrol.", unit=TimeUnit.SECONDS),
    _o("CRLFile", None, 0xd4, _T.PATH, None, "Certificate revocation list file."),
    _o("FallbackSmartHost", None, 0xd5, _T.STRING, None,
       "Relay used when all MX and address attempts fail."),
    _o("AuthRealm", None, 0xd6, _T.STRING, None, "SASL realm (default $j)."),
    _o("CRLPath", None, 0xd7, _T.PATH, None, "Directory of certificate revocation lists."),
    _o("HeloName", None, 0xd8, _T.STRING, None, "Name sent in HELO/EHLO (default $j)."),
    _o("MaxNOOPCommands", None, 0xdc, _T.INT, "20",
       "Commands that do no work before the session slows down."),
    _o("BadRcptShutdown", None, 0xe1, _T.INT, "0",
       "Close the session after this many rejected RCPTs (0: never)."),
    _o("BadRcptShutdownGood", None, 0xe2, _T.INT, "0",
       "As BadRcptShutdown, for sessions that have a good RCPT (percent)."),
    _o("ServerSSLOptions", None, 0xe3, _T.STRING, None, "OpenSSL options for the server side."),
    _o("ClientSSLOptions", None, 0xe4, _T.STRING, None, "OpenSSL options for the client side."),
    _o("MaxQueueAge", None, 0xe5, _T.TIME, "0",
       "Skip jobs older than this in normal queue runs (0: none)."),
    _o("RejectNUL", None, 0xe9, _T.BOOL, "False", "Reject messages that contain NUL bytes."),
    _o("UseCompressedIPv6Addresses", None, 0xec, _T.BOOL, None,
       "Write IPv6 addresses in compressed form (:: notation)."),
    _o("SSLEngine", None, 0xed, _T.STRING, None, "OpenSSL engine to use."),
    _o("SSLEnginePath", None, 0xee, _T.PATH, None, "Directory of the OpenSSL engine."),
    _o("TLSFallbacktoClear", None, 0xef, _T.BOOL, "False",
       "Retry without STARTTLS after a TLS handshake failure."),
    _o("SetCertAltnames", None, 0xf7, _T.BOOL, "False",
       "Set ${cert_altnames} from the peer certificate."),
    _o("SmtpUTF8", None, 0xf8, _T.BOOL, "False",
       "Offer SMTPUTF8 (the reference build has no EAI support and refuses it)."),
    _o("StrictTransportSecurity", None, 0xf9, _T.BOOL, "False",
       "Honour MTA-STS policies (FEATURE(sts))."),
    _o("CipherSuites", None, 0xfa, _T.STRING, None, "OpenSSL cipher suites for TLS 1.3."),
    # --- letter-only options with no long name ---
    _o("", "M", ord("M"), _T.MACRO, None, "Old style: Mxvalue defines macro x."),
    _o("", "g", ord("g"), _T.GROUP, None, "Old style: default group id for mailers."),
)
# fmt: on


@dataclass(frozen=True, slots=True)
class TimeoutSpec:
    """One Timeout.<name> suboption: its default and the unit of bare numbers."""

    name: str
    default: str | None
    unit: TimeUnit
    doc: str


def _timeouts() -> Mapping[str, TimeoutSpec]:
    s, m, h, d = TimeUnit.SECONDS, TimeUnit.MINUTES, TimeUnit.HOURS, TimeUnit.DAYS
    rows = (
        ("initial", "5m", m, "Wait for the greeting of a server."),
        ("connect", "0", m, "Wait for connect() (0: the system's limit)."),
        ("aconnect", "0", m, "All connection attempts for one delivery together."),
        ("iconnect", None, m, "First connection attempt to a host (default: connect)."),
        ("helo", "5m", m, "Wait for the reply to HELO/EHLO."),
        ("mail", "10m", m, "Wait for the reply to MAIL."),
        ("rcpt", "1h", m, "Wait for the reply to RCPT."),
        ("datainit", "5m", m, "Wait for the reply to DATA."),
        ("datablock", "1h", m, "Wait for each block of DATA."),
        ("datafinal", "1h", m, "Wait for the reply to the final dot."),
        ("rset", "5m", m, "Wait for the reply to RSET."),
        ("quit", "2m", m, "Wait for the reply to QUIT."),
        ("misc", "2m", m, "Wait for the reply to NOOP and VERB."),
        ("command", "1h", m, "Server: wait for the next command."),
        ("ident", "5s", m, "Wait for an IDENT reply."),
        ("fileopen", "60s", m, "Wait for an NFS file to open."),
        ("control", "2m", m, "A whole control-socket request."),
        ("lhlo", "2m", m, "Wait for the reply to LHLO."),
        ("auth", "10m", m, "A whole SMTP AUTH dialogue."),
        ("starttls", "1h", m, "A whole STARTTLS handshake."),
        ("hoststatus", "30m", m, "How long host status stays valid."),
        ("queuereturn", "5d", d, "Bounce a message after this long in the queue."),
        ("queuereturn.normal", "5d", d, "queuereturn for normal precedence."),
        ("queuereturn.urgent", "2d", d, "queuereturn for urgent precedence."),
        ("queuereturn.non-urgent", "7d", d, "queuereturn for bulk precedence."),
        ("queuereturn.dsn", "5d", d, "queuereturn for DSNs."),
        ("queuewarn", "4h", h, "Warn the sender after this long in the queue."),
        ("queuewarn.normal", "4h", h, "queuewarn for normal precedence."),
        ("queuewarn.urgent", "1h", h, "queuewarn for urgent precedence."),
        ("queuewarn.non-urgent", "12h", h, "queuewarn for bulk precedence."),
        ("queuewarn.dsn", "4h", h, "queuewarn for DSNs."),
        ("resolver.retrans", None, s, "Resolver retransmission interval (both kinds)."),
        ("resolver.retrans.first", None, s, "Resolver retransmission, first attempt."),
        ("resolver.retrans.normal", None, s, "Resolver retransmission, later attempts."),
        ("resolver.retry", None, s, "Resolver retries (a count, not a time)."),
        ("resolver.retry.first", None, s, "Resolver retries, first attempt."),
        ("resolver.retry.normal", None, s, "Resolver retries, later attempts."),
    )
    return MappingProxyType({r[0]: TimeoutSpec(*r) for r in rows})


TIMEOUTS: Final[Mapping[str, TimeoutSpec]] = _timeouts()
"""The Timeout.<name> suboptions Sendmail knows, keyed by lower-case name."""

UNAVAILABLE_OPTIONS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "DANE": "DNS-based TLS authentication; needs a DANE-enabled build "
        "(the reference build reports it as unknown).",
    }
)
"""Options op.me documents that the reference build does not compile in."""


def _index() -> tuple[Mapping[str, OptionSpec], Mapping[str, OptionSpec], Mapping[str, OptionSpec]]:
    by_name: dict[str, OptionSpec] = {}
    by_lower: dict[str, OptionSpec] = {}
    by_letter: dict[str, OptionSpec] = {}
    codes: set[int] = set()
    for spec in OPTION_TABLE:
        if spec.code in codes:
            raise RuntimeError(f"option code 0x{spec.code:x} registered twice")
        codes.add(spec.code)
        if spec.name:
            if spec.name.lower() in by_lower:
                raise RuntimeError(f"option {spec.name!r} registered twice")
            by_name[spec.name] = by_lower[spec.name.lower()] = spec
        if spec.letter is not None:
            if spec.letter in by_letter:
                raise RuntimeError(f"option letter {spec.letter!r} registered twice")
            by_letter[spec.letter] = spec
    return MappingProxyType(by_name), MappingProxyType(by_lower), MappingProxyType(by_letter)


_INDEXES = _index()
OPTIONS: Final[Mapping[str, OptionSpec]] = _INDEXES[0]
"""Every option with a long name, by its exact Sendmail spelling, in table order."""
_BY_LOWER: Final[Mapping[str, OptionSpec]] = _INDEXES[1]
BY_LETTER: Final[Mapping[str, OptionSpec]] = _INDEXES[2]
"""Options by one-letter code (case-sensitive), including the letter-only M and g."""


def find_option(name: str) -> OptionSpec | None:
    """Find an option by long name (any case, no abbreviations) or by letter.

    Args:
        name: a long name such as "MaxMessageSize" or "maxmessagesize", or a
            one-character code such as "L" (letters are case-sensitive: "m" is
            MeToo, "M" defines a macro).

    Returns:
        The spec, or None when Sendmail does not know the name. Abbreviations
        ("MaxHop") are resolved by mta.config.options.match_option, which also
        reports them as Sendmail does.
    """
    if len(name) == 1:
        return BY_LETTER.get(name)
    return _BY_LOWER.get(name.lower())
