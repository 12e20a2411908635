"""`sendmail`: the drop-in command line (test mode, daemon, -bs, alias rebuild).

SYNOPSIS
    sendmail -bt [-C file.cf] [-d21.12] [-O Option=value] [-oXvalue] < input
    sendmail -bd | -bD [-C file.cf] [-O DaemonPortOptions=Port=2525,Addr=127.0.0.1]
    sendmail -bs [-C file.cf]            (an SMTP session on stdin/stdout)
    sendmail -bi [-C file.cf]            (= newaliases)
    sendmail -bv [-v] address...         (what delivery would do with each address)
    sendmail -bP                         (the number of queue entries)
    sendmail [-t] [-i] [-f sender] [-F name] [-N dsn] [-R ret] [-V envid] [-B type]
             [-Am|-Ac] [address ...] < message      (submit mail: mta.app.submit)

DESCRIPTION
    Parses Sendmail's command line with its getopt rules (options may be
    glued to their arguments: -Cfile, -d21.12, -oQ/var/spool/mqueue), loads
    the .cf with the host's identity and the command-line options (which win
    over the file's O lines), builds the maps and runs the requested mode.
    Test mode reads standard input line by line and writes what Sendmail
    8.17 writes.

    Without -C the .cf is picked as Sendmail 8.17 picks it: submit.cf (when
    it exists beside sendmail.cf) to submit mail (the default mode -bm, and
    -bs) unless -Am is given, or for any mode with -Ac; sendmail.cf for
    everything else (-bd, -bt, -bv, -bp, -q...). Called as mailq,
    newaliases, hoststat or purgestat (a link to it), it is that program.

    Started by root, a submission (-bm, -t) and -bs become the .cf's
    RunAsUser once the .cf is loaded, before the message is read, as
    Sendmail does (mta.util.privs): with submit.cf (RunAsUser=smmsp) the
    client queue's files are smmsp's.

DIAGNOSTICS
    Exit codes are sysexits: 64 (EX_USAGE) for a bad command line, 78
    (EX_CONFIG) when the .cf cannot be read, or for a submission program
    (UseMSP) that root would run as root ("Mail submission program must
    have RunAsUser set to non root user"); 70 (EX_SOFTWARE) for a
    RunAsUser naming no user or group. Configuration problems that
    Sendmail reports and survives are printed and the run goes on.

SEE ALSO
    mta.rules.testmode, mta.config.loader, mta.cli.newaliases.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from mta.app.runtime import startup_macros
from mta.config.hostinfo import host_identity, interface_names
from mta.config.loader import LISTENER_OPTIONS, MAXCONFIGLEVEL, SENDMAIL_VERSION, load_cf
from mta.config.options import read_option
from mta.core.errors import ConfigError
from mta.util.privs import become_run_as_user
from mta.util.sysexits import ExitCode

if TYPE_CHECKING:
    from mta.app.submit import SubmitArgs
    from mta.deliver.runner import Selector

DEFAULT_CF = "/etc/mail/sendmail.cf"
MAXLINE = 2048  # Sendmail's line buffer for test-mode input
# sendmail's getopt string: letters followed by ':' take an argument
_OPTSTRING = "A:B:b:C:cD:d:e:F:f:Gh:IiL:M:mN:nO:o:p:Q:q:R:r:sTtUV:vX:"


def _getopt(argv: Sequence[str]) -> tuple[list[tuple[str, str]], list[str]]:
    takes = {c for i, c in enumerate(_OPTSTRING) if c != ":" and
             i + 1 < len(_OPTSTRING) and _OPTSTRING[i + 1] == ":"}
    known = {c for c in _OPTSTRING if c != ":"}
    opts: list[tuple[str, str]] = []
    i = 0
    args = list(argv)
    while i < len(args):
        a = args[i]
        if a == "--":
            i += 1
            break
        if not a.startswith("-") or a == "-":
            break
        j = 1
        while j < len(a):
            c = a[j]
            if c not in known:
                raise _Usage(f"{_program()}: illegal option -- {c}")
            if c in takes:
                if j + 1 < len(a):
                    opts.append((c, a[j + 1:]))
                elif c == "q" and (i + 1 >= len(args) or args[i + 1].startswith("-")):
                    opts.append((c, ""))  # a bare -q: run the queue once
                else:
                    i += 1
                    if i >= len(args):
                        raise _Usage(f"{_program()}: option requires an argument -- {c}")
                    opts.append((c, args[i]))
                break
            opts.append((c, ""))
            j += 1
        i += 1
    return opts, args[i:]


class _Usage(Exception):
    pass


def _program() -> str:
    """The name the program was called by, as Sendmail's getopt messages show it."""
    return sys.argv[0] if sys.argv and sys.argv[0] else "sendmail"


class QueueArgs:
    """The -q options: an interval (-q30m), -qf, -qp[time], and -qI/-qR/-qS selections."""

    def __init__(self) -> None:
        self.given = False
        self.interval: float | None = None
        self.foreground = False
        self.persistent = False
        self.selections: dict[str, list[tuple[str, bool]]] = {"I": [], "R": [], "S": []}
        self.groups: list[str] = []  # -qGname: only these queue groups

    def add(self, value: str) -> None:
        """Take one -q option's text (what follows the q).

        Raises:
            ValueError: an unknown -q letter or a bad interval.
        """
        from mta.util.timespec import TimeUnit, convtime

        self.given = True
        if not value:
            return
        negate = value.startswith("!")  # -q!Rbob: every message except bob's
        if negate:
            value = value[1:]
        letter = value[:1]
        if letter == "G":
            self.groups.append(value[1:])
        elif letter and letter in "IRS":
            self.selections[letter].append((value[1:], negate))
        elif letter == "f":
            self.foreground = True
        elif letter == "p":
            self.persistent = True
            self.interval = convtime(value[1:], TimeUnit.MINUTES) if value[1:] else 1
        elif letter == "Q" or letter == "L":
            raise ValueError(f"-q{letter} (quarantined or lost items) is not supported")
        elif letter.isdigit():
            seconds = convtime(value, TimeUnit.MINUTES)
            if seconds <= 0:
                raise ValueError(f"Invalid -q value {value}")
            self.interval = seconds
        else:
            raise ValueError(f"Unknown -q option {value}")

    def selector(self) -> Selector | None:
        from mta.deliver.runner import Selector

        if not any(self.selections.values()):
            return None
        return Selector(qid=tuple(self.selections["I"]),
                        recipient=tuple(self.selections["R"]),
                        sender=tuple(self.selections["S"]))


def _as_mailq(args: list[str]) -> int:
    from mta.cli.mailq import main as mailq_main

    return mailq_main(args)


def _as_newaliases(args: list[str]) -> int:
    from mta.cli.newaliases import main as newaliases_main

    return newaliases_main(args)


def _as_hoststat(args: list[str]) -> int:
    from mta.cli.hoststat import main_hoststat

    return main_hoststat(args)


def _as_purgestat(args: list[str]) -> int:
    from mta.cli.hoststat import main_purgestat

    return main_purgestat(args)


# what the program does when it is called by another name (a link to it)
_OTHER_NAMES = {"mailq": _as_mailq, "newaliases": _as_newaliases,
                "hoststat": _as_hoststat, "purgestat": _as_purgestat}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `sendmail` console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    if argv is None:  # installed under another of its names, as Sendmail is
        other = _OTHER_NAMES.get(os.path.basename(sys.argv[0]))
        if other is not None:
            return other(args)
    if argv is None and hasattr(signal, "SIGPIPE"):
        # a reader that goes away (sendmail -bt | head) ends us quietly, as in C
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        opts, _rest = _getopt(args)
    except _Usage as exc:
        print(exc, file=sys.stderr)
        return int(ExitCode.EX_USAGE)
    mode = "m"
    cf: str | None = None
    submit_cf: bool | None = None  # -Ac / -Am
    submit_opts: list[tuple[str, str]] = []  # the options of a submission (-bm)
    overrides: dict[str, str] = {}
    debug: dict[int, int] = {}
    queue = QueueArgs()
    from mta.rules.testmode import set_debug_flags

    q_values: list[str] = []
    verbose = False
    for c, value in opts:
        if c == "q":
            q_values.append(value)
        elif c == "v":
            verbose = True  # also keeps a queue run in the foreground, as Sendmail's
        elif c == "b":
            mode = value[:1] or "m"
        elif c == "C":
            cf = value
        elif c == "A":
            submit_cf = value == "c"
        elif c == "d":
            set_debug_flags(debug, value)
        elif c == "U":  # SMTPUTF8, which Sendmail 8.17 (no EAI) refuses without a word
            return int(ExitCode.EX_USAGE)
        elif c in "tifrFNRVBX":
            submit_opts.append((c, value))
        elif c in "Oo":
            parsed = read_option(value, long_form=c == "O", command_line=c == "O")
            if parsed.spec is None:
                print(parsed.error, file=sys.stderr)
                continue
            if parsed.name in LISTENER_OPTIONS and parsed.name in overrides:
                overrides[parsed.name] += "\n" + parsed.value
            else:
                overrides[parsed.name] = parsed.value
    if mode != "p":  # -bp takes -qQ, -qL and the selections itself (mta.cli.mailq)
        try:
            for value in q_values:
                queue.add(value)
        except ValueError as exc:
            print(f"sendmail: {exc}", file=sys.stderr)
            return int(ExitCode.EX_USAGE)
    if cf is None:
        cf = choose_cf(mode, submit_cf, queue_run=queue.given)
    if mode in ("d", "D", "s"):
        from mta.app.daemon import run as run_daemon

        _log_to(mode)
        return run_daemon(cf, overrides, mode=mode, queue_interval=queue.interval)
    if mode == "m" and queue.given:
        from mta.app.queuerun import run_queue

        _log_to("q")
        return run_queue(cf, overrides, selector=queue.selector(), interval=queue.interval,
                         foreground=queue.foreground, groups=queue.groups, verbose=verbose)
    if mode == "t":
        return run_test_mode(cf, overrides, debug, op_mode=mode)
    if mode == "p":
        from mta.cli.mailq import main as mailq_main

        return mailq_main(args)
    if mode == "h":
        from mta.cli.hoststat import main_hoststat

        return main_hoststat(args)
    if mode == "H":
        from mta.cli.hoststat import main_purgestat

        return main_purgestat(args)
    if mode == "i":
        from mta.cli.newaliases import main as newaliases_main

        return newaliases_main(["-C", cf])
    if mode == "P":
        return _print_queue_size(cf, overrides)
    if mode == "v":
        from mta.app.runtime import Runtime
        from mta.app.submit import verify

        try:
            runtime = Runtime.build(cf, overrides=overrides, op_mode="v", out=print)
        except ConfigError as exc:
            print(exc)
            return int(ExitCode.EX_OSFILE)
        # as root through submit.cf -bv runs as smmsp, and says so ("Notice: ...")
        status = become_run_as_user(runtime.config.options, runtime.config.path)
        if status != ExitCode.EX_OK:
            return status
        return verify(runtime, _rest, verbose=verbose)
    if mode == "m":
        submission, usage_errors = submit_args(submit_opts)
        for error in usage_errors:
            print(error)
        if usage_errors:
            return int(ExitCode.EX_USAGE)
        submission.verbose = verbose
        return _submit(cf, overrides, submission, _rest)
    print(f"sendmail: mode -b{mode} is not available yet", file=sys.stderr)
    return int(ExitCode.EX_USAGE)


def submit_args(opts: Sequence[tuple[str, str]]) -> tuple[SubmitArgs, list[str]]:
    """-t -i -f/-r -F -N -R -V -B as SubmitArgs, and the errors Sendmail reports for them."""
    from mta.app.submit import SubmitArgs

    args = SubmitArgs()
    errors: list[str] = []
    for c, value in opts:
        if c == "t":
            args.read_headers = True
        elif c == "i":
            args.ignore_dots = True
        elif c in "fr":
            if args.sender is not None:
                errors.append('More than one "from" person')
            args.sender, args.sender_flag = value, c
        elif c == "F":
            args.full_name = value
        elif c == "N":
            words = tuple(w.strip().upper() for w in value.split(",") if w.strip())
            if not words or any(w not in ("NEVER", "SUCCESS", "FAILURE", "DELAY")
                                for w in words) or ("NEVER" in words and len(words) > 1):
                errors.append("Invalid -N argument")
            args.notify = words
        elif c == "R":
            if value.lower() not in ("full", "hdrs"):
                errors.append("Invalid -R value")
            args.ret = value.upper()
        elif c == "V":
            if not value or any(ord(ch) <= 32 or ord(ch) >= 127 for ch in value):
                errors.append("Invalid syntax in -V flag")
            args.envid = value
        elif c == "X":
            args.traffic_log = value
        elif c == "B":
            args.body_type = value.upper() if value.upper() in ("7BIT", "8BITMIME") else None
            if args.body_type is None:
                errors.append(f"Illegal body type {value}")
    return args, errors


def _print_queue_size(cf: str, overrides: dict[str, str]) -> int:
    """-bP: the number of queue entries, as Sendmail keeps it in shared memory
    (SharedMemoryKey); without that key it has none to show."""
    from mta.app.queuerun import DEFAULT_QUEUE_DIRECTORY
    from mta.deliver.runner import queue_groups

    try:
        config = load_cf(cf, overrides=overrides)
    except ConfigError as exc:
        print(exc)
        return int(ExitCode.EX_OSFILE)
    if not config.options.get("SharedMemoryKey"):
        print("Data unavailable: shared memory not updated")
        return int(ExitCode.EX_OK)
    total = 0
    for group in queue_groups(config, DEFAULT_QUEUE_DIRECTORY):
        for directory in group.directories:
            qf = os.path.join(directory, "qf")
            where = qf if os.path.isdir(qf) else directory
            try:
                count = sum(1 for name in os.listdir(where) if name.startswith("qf"))
            except OSError:
                count = 0
            total += count
            print(f"{directory}: entries={count}" if count else f"{directory} is empty")
    if total:
        print(f"\t\tTotal requests: {total}")
    return int(ExitCode.EX_OK)


def choose_cf(mode: str, submit_cf: bool | None, *, queue_run: bool,
              directory: str | None = None) -> str:
    """The .cf without -C, as Sendmail 8.17 picks it: submit.cf (when it exists) to
    submit mail (-bm, -bs) unless -Am, or anywhere with -Ac; sendmail.cf else."""
    base = os.path.dirname(DEFAULT_CF) if directory is None else directory
    submit = os.path.join(base, "submit.cf")
    wanted = submit_cf if submit_cf is not None else (mode in ("m", "s") and not queue_run)
    if wanted and os.path.exists(submit):
        return submit
    return os.path.join(base, "sendmail.cf")


def _submit(cf: str, overrides: dict[str, str], args: SubmitArgs, recipients: list[str]) -> int:
    """-bm (the default): queue the message on standard input and deliver it."""
    from mta.app.runtime import Runtime
    from mta.app.submit import open_traffic_log, submit

    _log_to("m")
    try:
        runtime = Runtime.build(cf, overrides=overrides, op_mode="m", out=print)
    except ConfigError as exc:
        print(exc)
        return int(ExitCode.EX_OSFILE)
    args.traffic = open_traffic_log(args.traffic_log)  # as the caller
    args.traffic_log = None  # opened (or said why not): not again
    # root becomes RunAsUser before the message is read, as Sendmail does once the .cf
    # is read: the queue files are then RunAsUser's (smmsp's, for submit.cf)
    status = become_run_as_user(runtime.config.options, runtime.config.path)
    if status != ExitCode.EX_OK:
        return status
    args.recipients = list(recipients)
    return submit(runtime, args, sys.stdin.buffer.read())


def _log_to(mode: str) -> None:
    """Log lines: syslog (mail facility) for -bd, queue runs and submissions when /dev/log
    exists, else standard error (a submission: nowhere)."""
    import logging
    import logging.handlers
    import os

    # one log line per message: skip what no format here uses (the caller's file
    # and line, found by walking the stack, and thread names)
    logging._srcfile = None
    logging.logThreads = False
    logging.logMultiprocessing = False
    logger = logging.getLogger("mta")
    logger.setLevel(logging.INFO)
    handler: logging.Handler
    if mode == "m" and not os.path.exists("/dev/log"):
        # a submission's standard error is its caller's (cron mails it on): its
        # log lines go to syslog or nowhere, as Sendmail's
        logger.addHandler(logging.NullHandler())
        return
    if mode in ("d", "q", "m") and os.path.exists("/dev/log"):
        handler = logging.handlers.SysLogHandler(
            "/dev/log", facility=logging.handlers.SysLogHandler.LOG_MAIL)
        handler.setFormatter(logging.Formatter("sendmail[%(process)d]: %(message)s"))
    else:
        # a queue run writes a line per recipient: those go out in blocks (flushed
        # when the run ends); the daemon's lines go out one by one
        handler = logging.StreamHandler(sys.stderr) if mode != "q" else _BlockHandler(
            open(sys.stderr.fileno(), "w", buffering=1 << 16, closefd=False))
        handler.setFormatter(_LineFormatter("%(asctime)s sendmail[%(process)d]: %(message)s"))
    logger.addHandler(handler)


class _BlockHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A StreamHandler that leaves flushing to the stream's buffer (and to shutdown)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.stream.write(self.format(record) + "\n")
        except Exception:
            self.handleError(record)


class _LineFormatter(logging.Formatter):
    """The log line format, with the time text made once a second (a queue run logs
    a line per recipient, and strftime for each was a good part of the cost)."""

    _second = -1
    _text = ""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        second = int(record.created)
        if second != self._second:
            self._second = second
            self._text = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second))
        return f"{self._text},{int(record.msecs):03d}"


def run_test_mode(
    cf: str, overrides: dict[str, str], debug: dict[int, int], *, op_mode: str = "t"
) -> int:
    """-bt: load the .cf and run test mode over standard input."""
    from mta.maps.base import MapEnv
    from mta.maps.registry import MapSet
    from mta.rules.engine import RuleEngine
    from mta.rules.testmode import TestMode

    # one byte per character both ways, as Sendmail treats addresses
    sys.stdout.reconfigure(encoding="latin-1", errors="replace")  # type: ignore[union-attr]
    out = _LineBuffer(sys.stdout)
    ident = host_identity()
    macros = startup_macros(ident, op_mode)
    try:
        config = load_cf(cf, macros=macros, classes=ident.classes, overrides=overrides)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return int(ExitCode.EX_CONFIG)
    syserrs = len(config.warnings)
    for w in config.warnings:
        out.write(w + "\n")
    j = config.macros.get("j")
    # load_if_names() runs after readcf, so the .cf's DontProbeInterfaces counts
    extra_classes = [("w", word) for word in interface_names(config.options)]
    if j is not None:
        extra_classes.append(("w", j))
    # one TRACEFLAGS table for the engine and the maps, so that "-d38.2" typed
    # in test mode also turns on the map traces
    env = MapEnv(options=config.options, debug=debug, trace=lambda line: out.write(line + "\n"),
                 verbose=True)  # test mode sets Sendmail's Verbose
    mapset = MapSet(config.maps, env)
    syserrs += len(mapset.warnings)
    for line in mapset.report:
        out.write(line + "\n")
    if config.version_level < MAXCONFIGLEVEL:
        # main()'s message() after readcf: a note on standard output, not an error
        out.write(f"Warning: .cf file is out of date: sendmail {SENDMAIL_VERSION} supports "
                  f"version {MAXCONFIGLEVEL}, .cf file is version {config.version_level}\n")
    engine = RuleEngine(config, mapset, test_mode=True, debug=debug)
    engine.debug = debug
    if syserrs:
        engine.exit_stat = int(ExitCode.EX_SOFTWARE)  # syserr() while reading the .cf
    # Sendmail resets DeliveryMode after reading the .cf; only -O/-o survives
    mode_option = overrides.get("DeliveryMode", "")
    engine.macros.define("deliveryMode", mode_option[:1] or "i")
    for cname, word in extra_classes:
        engine.classes.add(cname, word)
    from mta.rules import resolve

    mode = TestMode(engine, mapset, out.write, parse=resolve.test_command)
    mode.banner()
    stdin = sys.stdin.buffer
    try:
        while not mode.quit:
            mode.prompt()
            out.flush()
            raw = stdin.readline(MAXLINE - 1)  # fgets(buf, MAXLINE): long lines in pieces
            if not raw:
                break
            text = raw.decode("latin-1")
            if text.endswith("\n"):
                text = text[:-1]
            mode.line(text)
    finally:
        out.flush()
    return engine.exit_stat


class _LineBuffer:
    """Standard output for -bt: what is written waits for flush() (once per input line).

    A line of input prints a few dozen trace lines; one write() of them all costs
    less than one each, and everything still goes out, in order, before the next
    prompt waits for input.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.parts: list[str] = []
        self.write = self.parts.append

    def flush(self) -> None:
        if self.parts:
            self.stream.write("".join(self.parts))
            self.parts.clear()
        self.stream.flush()
