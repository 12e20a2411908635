"""smrsh: the restricted shell for Sendmail's prog mailer.

SYNOPSIS
    smrsh -c command
    smrsh -c "/usr/bin/vacation -t1d alice"       # runs $SMRSH_DIR/vacation -t1d alice
    smrsh -c "exec /usr/bin/procmail -f- || exit 75"

DESCRIPTION
    A drop-in for Sendmail's smrsh(8) (smrsh.c of 8.14 and later), used as
    P= of the prog mailer (FEATURE(`smrsh'), A=smrsh -c $u). The command may
    only run programs that are present in the smrsh directory, /etc/mail/smrsh
    as on Debian; our extension: the environment variable SMRSH_DIR names
    another one.

    The command line is rewritten word by word, as smrsh does:
      - leading blanks are skipped; the command name runs to the next blank;
        its directory part is stripped ("/usr/bin/vacation" -> "vacation"), and
        it becomes SMRSH_DIR/NAME, which must exist (stat, so a symbolic link
        there is followed), be a regular file and be executable by us;
      - "exec" followed by a blank is kept and the next word is checked as the
        command ("exec" at the end is "missing command to exec");
      - the shell builtins "exit" and "echo" are kept as they are;
      - the rest of the line is copied unchanged up to "&&" or "||", after
        which another command name is checked the same way.
    The characters < > | ^ ( ) ; & ` $ CR and LF (and the same bytes with the
    high bit set, since some shells strip it) are refused anywhere after a
    command name, except in "&&" and "||".

    The rewritten line is then run by os.execve("/bin/sh", ["/bin/sh", "-c",
    line]) with an environment holding only PATH=/bin:/usr/bin:/usr/ucb, as
    smrsh does: this process becomes the shell (no child), and the shell only
    ever sees a line whose programs all live in the smrsh directory.

DIAGNOSTICS
    On standard error, "smrsh: " followed by, as in smrsh.c:
    "cannot use C in command", "\"NAME\" not available for sendmail programs
    (stat failed)", "... (not a file)", "... (filename too long)", "\"NAME\" not
    available for sendmail programs" (not executable), "missing command to exec",
    "command too long: COMMAND", all with EX_UNAVAILABLE (69);
    "Usage: smrsh -c command" with EX_USAGE (64); when /bin/sh cannot be
    executed, "/bin/sh: ERROR" with EX_OSFILE (72).

SEE ALSO
    mta.cli.maillocal, smrsh(8), FEATURE(`smrsh') in m4compat/cf/feature/smrsh.m4.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Mapping, Sequence

from mta.util.sysexits import ExitCode

PROG = "smrsh"
SMRSH_DIR = "/etc/mail/smrsh"
SMRSH_DIR_ENV = "SMRSH_DIR"
SMRSH_PATH = "/bin:/usr/bin:/usr/ucb"
SHELL = "/bin/sh"
SPECIALS = b"<|>^();&`$\r\n"
_REFUSED = frozenset(SPECIALS) | frozenset(c | 0x80 for c in SPECIALS)
_BLANKS = b" \t"
_SPACE = frozenset(b" \t\n\v\f\r")
_BUFFER = 1000  # smrsh.c newcmdbuf
_MAXPATHLEN = 4096


class SmrshError(Exception):
    """The command is refused: a message (without "smrsh: ") and an exit code."""

    def __init__(self, message: str, exit_code: ExitCode = ExitCode.EX_UNAVAILABLE) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def _show(data: bytes) -> str:
    return os.fsdecode(data)


def _check_program(cmddir: bytes, name: bytes) -> None:
    """Check that cmddir/name may run (stat, regular file, executable)."""
    path = cmddir + b"/" + name
    shown = _show(name)
    if len(path) >= _MAXPATHLEN:
        raise SmrshError(f'"{shown}" not available for sendmail programs (filename too long)')
    try:
        st = os.stat(path)
    except OSError:
        raise SmrshError(f'"{shown}" not available for sendmail programs (stat failed)') from None
    if not stat.S_ISREG(st.st_mode):
        raise SmrshError(f'"{shown}" not available for sendmail programs (not a file)')
    if not os.access(path, os.X_OK):
        raise SmrshError(f'"{shown}" not available for sendmail programs')


def _last_slash(word: bytes) -> int:
    """Index of the last "/" in word (also with the high bit set), or -1."""
    for i in range(len(word) - 1, -1, -1):
        if word[i] & 0x7F == 0x2F:
            return i
    return -1


def rewrite_command(command: bytes, cmddir: bytes) -> bytes:
    """Return the shell line smrsh runs for command (see DESCRIPTION).

    Raises:
        SmrshError: the command is refused (EX_UNAVAILABLE) or empty (EX_USAGE).
    """
    if len(command) > _BUFFER - len(cmddir) - 3:
        raise SmrshError(f"command too long: {_show(command)}")
    out = bytearray()

    def add(data: bytes) -> None:
        if len(out) + len(data) + 1 >= _BUFFER:  # smrsh.c addcmd(): room for the NUL
            raise SmrshError(f"command too long: {_show(command)}")
        out.extend(data)

    q = 0
    n = len(command)
    is_exec = False
    while q < n:
        while q < n and command[q] in _SPACE:
            q += 1
        if q >= n:
            break
        ends = [i for i in (command.find(b" ", q), command.find(b"\t", q)) if i >= 0]
        end = min(ends) if ends else n
        word = command[q:end]
        name = word[_last_slash(word) + 1 :]
        if word == b"exec" and end < n:
            add(b"exec ")
            q = end + 1
            is_exec = True
            continue
        if word in (b"exit", b"echo"):
            add(name)
        else:
            _check_program(cmddir, name)
            add(cmddir + b"/" + name)
        is_exec = False
        if end >= n:
            break
        rest = command[end:]
        bad = next((i for i, c in enumerate(rest) if c in _REFUSED), None)
        if bad is None:
            add(rest)
            break
        pair = rest[bad : bad + 2]
        if pair in (b"&&", b"||"):
            add(rest[: bad + 2])
            q = end + bad + 2
            continue
        raise SmrshError(f"cannot use {chr(rest[bad])} in command")
    if is_exec:
        raise SmrshError("missing command to exec")
    if not out:
        raise SmrshError(f"Usage: {PROG} -c command", ExitCode.EX_USAGE)
    return bytes(out)


def smrsh_dir(environ: Mapping[str, str]) -> bytes:
    """The smrsh directory: $SMRSH_DIR, else /etc/mail/smrsh (trailing "/" dropped)."""
    chosen = environ.get(SMRSH_DIR_ENV) or SMRSH_DIR
    return os.fsencode(chosen.rstrip("/") or "/")


def main(argv: Sequence[str] | None = None) -> int:
    """Check and exec the command; return an exit status only on failure."""
    args = sys.argv[1:] if argv is None else list(argv)
    if len(args) != 2 or args[0] != "-c":
        sys.stderr.write(f"Usage: {PROG} -c command\n")
        return ExitCode.EX_USAGE
    try:
        line = rewrite_command(os.fsencode(args[1]), smrsh_dir(os.environ))
    except SmrshError as exc:
        if exc.exit_code == ExitCode.EX_USAGE:
            sys.stderr.write(exc.message + "\n")
        else:
            sys.stderr.write(f"{PROG}: {exc.message}\n")
        return exc.exit_code
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        shell = os.fsencode(SHELL)
        os.execve(shell, [shell, b"-c", line], {"PATH": SMRSH_PATH})
    except OSError as exc:
        sys.stderr.write(f"{SHELL}: {exc.strerror or exc}\n")
    return ExitCode.EX_OSFILE


if __name__ == "__main__":
    sys.exit(main())
