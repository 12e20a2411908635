"""mail.local: store mail in local users' mailboxes, from standard input or over LMTP.

SYNOPSIS
    mail.local [-7] [-b] [-d] [-D mbdb] [-l] [-f from|-r from] [-h filename]
               [-s dir | -p dir] user ...
    mail.local -f bob@example.org alice carol < message     # Mlocal, A=mail.local -d $u
    mail.local -l                                            # LMTP on stdin/stdout

DESCRIPTION
    A drop-in for Sendmail's mail.local(8). The message on standard input is
    appended to SPOOL/USER for every user (with -h, to FILENAME in the user's
    home directory instead), through mta.deliver.mbox: dot-lock plus fcntl
    lock, From_ line with the -f/-r sender (default: the login name of the
    invoking user), ">From " escaping, a blank line after the message, fsync,
    and truncation back to the old size on any error.

    Options, as in mail.local: -7 do not advertise 8BITMIME in LMTP mode; -b a
    quota overrun is a permanent error (EX_UNAVAILABLE) instead of a temporary
    one; -d ignored (backward compatibility); -D mbdb the user database, only
    "pw" (getpwnam) exists; -f/-r the envelope sender (twice is a usage
    error); -h filename deliver into ~user/filename; -l LMTP mode (RFC 2033) on
    standard input and output, with no users on the command line.
    Our extension: the spool directory is /var/mail unless the environment
    variable MAIL_SPOOL_DIR or -s dir names another (-p dir, the option of
    mail.local built with HASHSPOOL, is accepted too; note that FreeBSD's
    mail.local uses -s for "no fsync", which we do not offer).

    Users. A name containing "/", starting with "." or holding control
    characters is refused. The name is looked up with getpwnam():
      - root, user found: the mailbox is created by root, given to the user
        (group "mail" when that group exists, else the user's group; mode 0600)
        and written with the user's effective uid/gid (quota charged to them),
        as mail.local does; an existing mailbox owned by someone else is refused.
        With -h everything, the locks included, is done as the user, so that a
        user cannot make root create files through links in their home.
      - not root, user found: delivered as the invoking user (no chown).
      - user not found: accepted, and delivered as the invoking user into
        SPOOL/user, only if the name is plain (letters, digits, ".", "_", "-")
        and either we are not root or the spool directory was given explicitly
        (MAIL_SPOOL_DIR, -s, -p). Otherwise "unknown user". This lets tests and
        `make run` deliver to made-up users in a private spool, while root on the
        system spool keeps mail.local's rule (the user must exist). An
        unprivileged user can only write where they could write anyway, and
        the spool override is chosen by whoever runs us, so no privilege is
        crossed.

    Exit status (non-LMTP), as mail.local: EX_OK when every delivery worked;
    EX_TEMPFAIL if any delivery failed temporarily, whatever the others did
    (sendmail then retries all of them, so some users may get the message
    twice); otherwise the code of the last permanent failure.

    LMTP mode follows mail.local's dolmtp(): greeting "220 HOST LMTP ready";
    LHLO (250 with 8BITMIME unless -7, ENHANCEDSTATUSCODES, PIPELINING; a second
    LHLO gets 503); MAIL FROM:<path> (250 2.5.0; <> is MAILER-DAEMON); RCPT
    TO:<path> (the local part, cut at "+" and "@", must be a known user: else
    550 5.1.1 User unknown); DATA (354, dot-unstuffed until ".", then one reply
    per accepted recipient, in RCPT order: "250 2.1.5 USER Ok" or the
    delivery's 4xx/5xx); RSET, NOOP, VRFY (252), QUIT (221); anything else
    "500 5.5.2 Syntax error". End of input, even inside DATA (the message is
    then dropped), exits with EX_OK.

    Left out: biff notification, hashed spools (-H, -n), Content-Length headers,
    quota database lookups.

DIAGNOSTICS
    Non-LMTP errors go to standard error as "mail.local: MESSAGE"; an unknown
    user is "mail.local: unknown user: NAME" with EX_NOUSER (67), where
    Sendmail's mail.local says "NAME: User unknown" and exits EX_UNAVAILABLE.
    Exit codes: EX_USAGE (64) bad options, EX_NOUSER (67), EX_UNAVAILABLE (69)
    unknown -D database or quota overrun with -b, EX_CANTCREAT (73) refused or
    unopenable mailbox, EX_TEMPFAIL (75) lock timeout, disk full, I/O error.
    With -l, users on the command line are refused with "421 Users should not be
    specified in command line if LMTP required" and EX_TEMPFAIL.

SEE ALSO
    mta.deliver.mbox, mta.cli.smrsh, mail.local(8), RFC 2033 (LMTP).
"""

from __future__ import annotations

import getopt
import grp
import os
import pwd
import re
import socket
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO, TextIO

from mta.core.reply import Reply
from mta.deliver.mbox import MAILER_DAEMON, MboxError, deliver_mbox, effective_ids
from mta.util.sysexits import ExitCode

PROG = "mail.local"
SPOOL_DIR = "/var/mail"
SPOOL_ENV = "MAIL_SPOOL_DIR"
MAIL_GROUP = "mail"
MAILBOX_MODE = 0o600
USAGE = (
    "usage: mail.local [-7] [-b] [-d] [-l] [-f from|-r from] [-h filename] [-s spooldir] user ..."
)
_PLAIN_NAME = re.compile(r"[A-Za-z0-9._-]+")
_LINE = 64 * 1024


@dataclass(frozen=True, slots=True)
class Options:
    """The parsed command line."""

    lmtp: bool = False  # -l
    eight_bit_mime: bool = True  # not -7
    bounce_quota: bool = False  # -b
    mbdb: str = "pw"  # -D
    sender: str | None = None  # -f / -r
    home_file: str | None = None  # -h
    spool_dir: str = SPOOL_DIR  # -s / -p / MAIL_SPOOL_DIR
    private_spool: bool = False  # the spool directory was chosen explicitly
    users: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Mailbox:
    """Where and as whom one user's mail is stored."""

    user: str
    path: str
    uid: int | None = None  # owner of a new mailbox (root only)
    gid: int | None = None  # group of a new mailbox (root only)
    write_as: tuple[int, int] | None = None  # ids for writing (root only)
    whole_as: tuple[int, int] | None = None  # ids for the whole delivery (-h as root)


class UsageError(Exception):
    """A bad command line; the message is printed before the usage line."""


class UnknownUser(MboxError):
    """The user is not known (EX_NOUSER, 550 5.1.1 User unknown)."""

    def __init__(self, user: str) -> None:
        super().__init__(ExitCode.EX_NOUSER, Reply(550, "5.1.1", "User unknown"))
        self.user = user


def parse_args(argv: Sequence[str], environ: Mapping[str, str]) -> Options:
    """Parse mail.local's options and users.

    Raises:
        UsageError: an unknown option, a missing argument, -f/-r twice, or no
            users outside LMTP mode.
    """
    try:
        opts, users = getopt.getopt(list(argv), "7bdD:f:h:r:lp:s:")
    except getopt.GetoptError as exc:
        raise UsageError(str(exc)) from None
    lmtp = eight_bit_mime_off = bounce_quota = False
    mbdb = "pw"
    sender: str | None = None
    home_file: str | None = None
    spool = environ.get(SPOOL_ENV) or None
    for opt, arg in opts:
        if opt == "-7":
            eight_bit_mime_off = True
        elif opt == "-b":
            bounce_quota = True
        elif opt == "-D":
            mbdb = arg
        elif opt in ("-f", "-r"):
            if sender is not None:
                raise UsageError("Multiple -f options")
            sender = arg
        elif opt == "-h":
            if not arg:
                raise UsageError("-h: missing filename")
            home_file = arg
        elif opt == "-l":
            lmtp = True
        elif opt in ("-s", "-p"):
            if not arg:
                raise UsageError(f"{opt}: missing spool path")
            spool = arg
        # -d: backward compatibility, no effect
    if not users and not lmtp:
        raise UsageError("")
    return Options(
        lmtp=lmtp,
        eight_bit_mime=not eight_bit_mime_off,
        bounce_quota=bounce_quota,
        mbdb=mbdb,
        sender=sender,
        home_file=home_file,
        spool_dir=spool or SPOOL_DIR,
        private_spool=spool is not None,
        users=tuple(users),
    )


def _mail_gid(default: int) -> int:
    try:
        return grp.getgrnam(MAIL_GROUP).gr_gid
    except KeyError:
        return default


def find_mailbox(name: str, options: Options) -> Mailbox:
    """Decide where and as whom name's mail is stored (the rules in DESCRIPTION).

    Raises:
        UnknownUser: the name is refused or not a known user.
        MboxError: -h is used for a user without a home directory.
    """
    if (
        not name
        or "/" in name
        or name.startswith(".")
        or any(ord(c) < 0x20 or ord(c) == 0x7F for c in name)
    ):
        raise UnknownUser(name)
    try:
        entry: pwd.struct_passwd | None = pwd.getpwnam(name)
    except KeyError:
        entry = None
    root = os.geteuid() == 0
    if entry is None:
        if not _PLAIN_NAME.fullmatch(name) or (root and not options.private_spool):
            raise UnknownUser(name)
        if options.home_file is not None:
            raise MboxError(
                ExitCode.EX_UNAVAILABLE, Reply(550, "5.1.1", f"{name}: User missing home directory")
            )
        return Mailbox(name, os.path.join(options.spool_dir, name))
    if options.home_file is not None:
        if not entry.pw_dir:
            raise MboxError(
                ExitCode.EX_UNAVAILABLE, Reply(550, "5.1.1", f"{name}: User missing home directory")
            )
        path = os.path.join(entry.pw_dir, options.home_file)
        if root:
            return Mailbox(name, path, whole_as=(entry.pw_uid, entry.pw_gid))
        return Mailbox(name, path)
    path = os.path.join(options.spool_dir, name)
    if not root:
        return Mailbox(name, path)
    return Mailbox(
        name,
        path,
        uid=entry.pw_uid,
        gid=_mail_gid(entry.pw_gid),
        write_as=(entry.pw_uid, entry.pw_gid),
    )


def deliver(
    mailbox: Mailbox, message: BinaryIO, sender: str, when: float, options: Options
) -> None:
    """Append the message (read from its start) to mailbox.

    Raises:
        MboxError: the delivery failed and left the mailbox unchanged.
    """
    message.seek(0)
    if mailbox.whole_as is not None:
        with effective_ids(*mailbox.whole_as, path=mailbox.path):
            deliver_mbox(
                mailbox.path,
                message,
                sender=sender,
                when=when,
                mode=MAILBOX_MODE,
                bounce_quota=options.bounce_quota,
            )
        return
    deliver_mbox(
        mailbox.path,
        message,
        sender=sender,
        when=when,
        uid=mailbox.uid,
        gid=mailbox.gid,
        write_as=mailbox.write_as,
        mode=MAILBOX_MODE,
        bounce_quota=options.bounce_quota,
    )


def default_sender() -> str:
    """The login name if it belongs to our uid, else our uid's name, else "???"."""
    uid = os.getuid()
    try:
        login = os.getlogin()
        if pwd.getpwnam(login).pw_uid == uid:
            return login
    except (OSError, KeyError):
        pass
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return "???"


def worse_status(current: int, new: int) -> int:
    """mail.local's rule: EX_TEMPFAIL sticks, else the latest failure counts."""
    if current == ExitCode.EX_TEMPFAIL or new == ExitCode.EX_OK:
        return current
    return new


def run_local(options: Options, stdin: BinaryIO, stderr: TextIO) -> int:
    """Deliver stdin to every user of options.users; return the exit status."""
    try:
        spool = tempfile.TemporaryFile()
    except OSError:
        stderr.write(f"{PROG}: Unable to open temporary file\n")
        return ExitCode.EX_TEMPFAIL
    with spool:
        when = time.time()
        try:
            while chunk := stdin.read(_LINE):
                spool.write(chunk)
            spool.flush()
        except OSError:
            stderr.write(f"{PROG}: Temporary file write error\n")
            return ExitCode.EX_TEMPFAIL
        sender = options.sender if options.sender is not None else default_sender()
        status: int = ExitCode.EX_OK
        for user in options.users:
            try:
                deliver(find_mailbox(user, options), spool, sender, when, options)
            except UnknownUser as exc:
                stderr.write(f"{PROG}: unknown user: {exc.user}\n")
                status = worse_status(status, exc.exit_code)
            except MboxError as exc:
                stderr.write(f"{PROG}: {exc.reply.text}\n")
                status = worse_status(status, exc.exit_code)
    return status


def parse_path(text: str, *, rcpt: bool) -> str | None:
    """Parse "<path> [params]" as mail.local's parseaddr() does.

    A source route is dropped; for a recipient the local part is cut at the
    first "+" and the domain is dropped. The null path is MAILER-DAEMON.

    Returns:
        The address, or None for a syntax error.
    """
    if not text.startswith("<"):
        return None
    n = len(text)
    p = 1
    while p < n and text[p] == "@":  # at-domain-list
        while p < n and text[p] not in ",:":
            p += 1
        if p >= n:
            return None
        p += 1
    start = p
    cut: int | None = None
    while p < n and text[p] not in "@>":
        c = text[p]
        if c == "\\":
            p += 1
            if p >= n:
                return None
        elif c == '"':
            p += 1
            while p < n and text[p] != '"':
                if text[p] == "\\":
                    p += 1
                p += 1
            if p + 1 >= n:
                return None
        if text[p] == "+" and rcpt and cut is None:
            cut = p
        p += 1
    end = p
    if p < n and text[p] == "@":
        if rcpt and cut is None:
            cut = p
        while p < n and text[p] != ">":
            p += 1
    if p >= n or text[p] != ">":
        return None
    if p + 1 < n and text[p + 1] != " ":
        return None
    address = text[start : end if cut is None else cut] if rcpt else text[start:p]
    return address or MAILER_DAEMON


@dataclass(slots=True)
class LmtpSession:
    """The state of one LMTP session (mail.local dolmtp)."""

    options: Options
    out: BinaryIO
    hostname: str = field(default_factory=lambda: socket.gethostname() or "localhost")
    got_lhlo: bool = False
    return_path: str | None = None
    recipients: list[Mailbox] = field(default_factory=list)

    def send(self, reply: Reply) -> None:
        for line in reply.wire_lines():
            self.out.write(line.encode("utf-8", "surrogateescape") + b"\r\n")

    def reset(self) -> None:
        self.return_path = None
        self.recipients.clear()

    def command(self, line: str, inp: BinaryIO) -> bool:
        """Handle one command line; return False when the session is over."""
        verb = line[:5].lower()
        lower = line.lower()
        if lower == "data":
            return self.data(inp)
        if verb == "lhlo ":
            if self.got_lhlo:
                self.send(Reply(503, None, f"{self.hostname} Duplicate LHLO"))
                return True
            self.got_lhlo = True
            features = ["8BITMIME"] if self.options.eight_bit_mime else []
            text = "\n".join([self.hostname, *features, "ENHANCEDSTATUSCODES", "PIPELINING"])
            self.send(Reply(250, None, text))
        elif verb == "mail ":
            if self.return_path is not None:
                self.send(Reply(503, "5.5.1", "Nested MAIL command"))
                return True
            path = parse_path(line[10:], rcpt=False) if lower[5:10] == "from:" else None
            if path is None:
                self.send(Reply(501, "5.5.4", "Syntax error in parameters"))
                return True
            self.return_path = path
            self.send(Reply(250, "2.5.0", "Ok"))
        elif verb == "rcpt ":
            self.rcpt(line, lower)
        elif lower == "rset":
            self.send(Reply(250, "2.0.0", "Ok"))
            self.reset()
        elif lower == "noop":
            self.send(Reply(250, "2.0.0", "Ok"))
        elif lower == "quit":
            self.send(Reply(221, "2.0.0", "Bye"))
            return False
        elif verb == "vrfy ":
            self.send(Reply(252, "2.3.3", "Try RCPT to attempt delivery"))
        else:
            self.send(Reply(500, "5.5.2", "Syntax error"))
        return True

    def rcpt(self, line: str, lower: str) -> None:
        if self.return_path is None:
            self.send(Reply(503, "5.5.1", "Need MAIL command"))
            return
        name = parse_path(line[8:], rcpt=True) if lower[5:8] == "to:" else None
        if name is None:
            self.send(Reply(501, "5.5.4", "Syntax error in parameters"))
            return
        try:
            mailbox = find_mailbox(name, self.options)
        except MboxError as exc:
            self.send(exc.reply)
            return
        self.recipients.append(mailbox)
        self.send(Reply(250, "2.1.5", "Ok"))

    def data(self, inp: BinaryIO) -> bool:
        if not self.recipients or self.return_path is None:
            self.send(Reply(503, "5.5.1", "No recipients"))
            return True
        try:
            spool = tempfile.TemporaryFile()
        except OSError:
            self.send(Reply(451, "4.3.0", "Unable to open temporary file"))
            return True
        with spool:
            self.send(Reply(354, None, "Go ahead"))
            self.out.flush()
            when = time.time()
            at_start = True
            write_error = False
            while True:
                piece = inp.readline(_LINE)
                if not piece:
                    return False  # premature end of input: drop the message, exit EX_OK
                if at_start and piece.startswith(b"."):
                    if piece in (b".\n", b".\r\n"):
                        break
                    piece = piece[1:]
                at_start = piece.endswith(b"\n")
                if not write_error:
                    try:
                        spool.write(piece)
                    except OSError:
                        write_error = True
            try:
                spool.flush()
            except OSError:
                write_error = True
            for mailbox in self.recipients:
                if write_error:
                    self.send(Reply(451, "4.3.0", "Temporary file write error"))
                    continue
                try:
                    deliver(mailbox, spool, self.return_path, when, self.options)
                except MboxError as exc:
                    self.send(exc.reply)
                else:
                    self.send(Reply(250, "2.1.5", f"{mailbox.user} Ok"))
        self.reset()
        return True


def run_lmtp(options: Options, inp: BinaryIO, out: BinaryIO) -> int:
    """Speak LMTP on inp/out until QUIT or end of input; return the exit status."""
    session = LmtpSession(options, out)
    session.send(Reply(220, None, f"{session.hostname} LMTP ready"))
    while True:
        out.flush()
        raw = inp.readline(_LINE)
        if not raw:
            return ExitCode.EX_OK
        line = raw.decode("utf-8", "surrogateescape").removesuffix("\n").removesuffix("\r")
        if not session.command(line, inp):
            out.flush()
            return ExitCode.EX_OK


def _reply_and_flush(reply: Reply) -> None:
    for line in reply.wire_lines():
        sys.stdout.buffer.write(line.encode() + b"\r\n")
    sys.stdout.buffer.flush()


def main(argv: Sequence[str] | None = None) -> int:
    """Run mail.local; return the exit status (console script entry point)."""
    args = sys.argv[1:] if argv is None else argv
    os.umask(0o077)
    try:
        options = parse_args(args, os.environ)
    except UsageError as exc:
        if str(exc):
            sys.stderr.write(f"{PROG}: {exc}\n")
        sys.stderr.write(USAGE + "\n")
        return ExitCode.EX_USAGE
    if options.mbdb != "pw":
        text = f"Can not open mailbox database {options.mbdb}: unknown database type"
        if options.lmtp:
            _reply_and_flush(Reply(521, None, text))
        else:
            sys.stderr.write(f"{PROG}: {text}\n")
        return ExitCode.EX_UNAVAILABLE
    if options.lmtp:
        if options.users:
            text = "Users should not be specified in command line if LMTP required"
            _reply_and_flush(Reply(421, None, text))
            return ExitCode.EX_TEMPFAIL
        return run_lmtp(options, sys.stdin.buffer, sys.stdout.buffer)
    return run_local(options, sys.stdin.buffer, sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
