"""mta: the umbrella command for the tools without a Sendmail name of their own.

SYNOPSIS
    mta compile [-D name[=value]]... [-I dir]... FILE.mc [-o FILE.cf]
    mta passwd [-f FILE] [-d] USER     (the SMTP AUTH password file; the password on stdin)
    mta start|stop|restart|reload|status|check [-C DIR]    (the service: mta.cli.service)
    mta --help
    main(["compile", "-o", "sendmail.cf", "sendmail.mc"]) -> exit status

DESCRIPTION
    A click group (build_group) whose subcommands are listed explicitly there.
    Subcommands whose start-up time is measured against a C program are also
    in FAST and are dispatched before click is imported: importing click takes
    longer than GNU m4 needs to compile a whole sendmail.mc, and `mta compile`
    is benchmarked against it as a whole process (bench/cf_bench.py). Such a
    command parses its own options (getopt) and prints its own help; its entry
    in the group only makes it known to `mta --help` and passes the words on.

DIAGNOSTICS
    Exit status: the subcommand's; EX_USAGE (64) for an unknown command or a
    bad option of the group itself (click's own usage messages).

SEE ALSO
    mta.cli.compile, DESIGN.md 3.1 (mta.cli).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

from mta.util.sysexits import EX_USAGE

TYPE_CHECKING = False
if TYPE_CHECKING:
    import click


def _compile(args: Sequence[str]) -> int:
    from mta.cli.compile import main as compile_main

    return compile_main(args)


FAST: dict[str, Callable[[Sequence[str]], int]] = {"compile": _compile}
"""Subcommands run without importing click, by name."""

_PASS_THROUGH = {"ignore_unknown_options": True, "allow_extra_args": True}


def build_group() -> click.Group:
    """The `mta` click group with every subcommand."""
    import click

    @click.group(name="mta")
    def group() -> None:
        """Tools of the sendmail-compatible mail transfer agent."""

    @group.command(name="compile", context_settings=_PASS_THROUGH, add_help_option=False)
    @click.argument("args", nargs=-1, type=click.UNPROCESSED)
    def compile_command(args: tuple[str, ...]) -> int:
        """Compile a sendmail .mc into a .cf (mta compile --help)."""
        return _compile(args)

    @group.command(name="passwd")
    @click.option("-f", "--file", "path", default=None,
                  help="the password file (default: /etc/mail/smtp-passwd)")
    @click.option("-d", "--delete", is_flag=True, help="remove the user")
    @click.argument("user")
    def passwd_command(path: str | None, delete: bool, user: str) -> int:
        """Set an SMTP AUTH password (read from standard input or asked for)."""
        from mta.smtp.auth import DEFAULT_PASSWD, set_password

        password: str | None = None
        if not delete:
            if sys.stdin.isatty():
                import getpass

                password = getpass.getpass(f"Password for {user}: ")
                if getpass.getpass("Again: ") != password:
                    click.echo("mta passwd: the passwords differ", err=True)
                    return 1
            else:
                password = sys.stdin.readline().rstrip("\n")
            if not password:
                click.echo("mta passwd: empty password", err=True)
                return 1
        try:
            set_password(path or DEFAULT_PASSWD, user, password)
        except (ValueError, OSError) as exc:
            click.echo(f"mta passwd: {exc}", err=True)
            return 1
        return 0

    _service_commands(group)
    return group


def _service_commands(group: click.Group) -> None:
    """start, stop, restart, reload, status, check (mta.cli.service)."""
    import click

    directory = click.option("-C", "--config-dir", "config_dir", default=None,
                             help="the mail configuration directory "
                                  "(default: $MTA_CONFIG_DIR, else /etc/mail)")
    interval = click.option("-q", "--queue-interval", "queue_interval", default="30m",
                            show_default=True,
                            help="how often the daemon runs the queue (-qINTERVAL)")

    for name, needs_interval, summary in _SERVICE_COMMANDS:
        _service_command(group, name, summary, directory, interval if needs_interval else None)


# (name, takes -q INTERVAL, help): each runs mta.cli.service.NAME(directory[, interval])
_SERVICE_COMMANDS = (
    ("start", True, "Rebuild what is stale, then start the daemon (sendmail -bd)."),
    ("stop", False, "Stop the daemon (SIGTERM) and wait until it has finished."),
    ("restart", True, "Rebuild what is stale (nothing changes on an error), stop, start."),
    ("reload", False, "Rebuild what is stale (nothing changes on an error), then SIGHUP "
                      "the daemon."),
    ("status", False, "Is the daemon running, on which listeners, how full is the queue."),
    ("check", False, "Validate the .mc files, the .cf and the tables; change nothing."),
)


def _service_command(group: click.Group, name: str, summary: str,
                     directory: Callable[[Any], Any], interval: Callable[[Any], Any] | None
                     ) -> None:
    def command(config_dir: str | None, queue_interval: str | None = None) -> int:
        from mta.cli import service

        action = getattr(service, name)
        where = service.config_dir(config_dir)
        return int(action(where) if queue_interval is None else action(where, queue_interval))

    command.__doc__ = summary
    if interval is not None:
        command = interval(command)
    group.command(name=name, help=summary)(directory(command))


def main(argv: Sequence[str] | None = None) -> int:
    """Run `mta`; return the exit status.

    Args:
        argv: the words after the program name; default sys.argv[1:].
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in FAST:
        return FAST[args[0]](args[1:])
    import click

    try:
        result = build_group().main(args=args, prog_name="mta", standalone_mode=False)
    except click.UsageError as exc:
        exc.show()
        return EX_USAGE
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        sys.stderr.write("Aborted!\n")
        return 1
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
