"""Tests for mta.util.privs: RunAsUser values as readcf reads them, and the switch.

The switch itself changes the ids of the process for good, so it runs in a forked
child that reports back through a pipe (and only when the tests run as root).
"""

from __future__ import annotations

import grp
import json
import os
import pwd
from collections.abc import Callable
from pathlib import Path

import pytest

from mta.util import privs
from mta.util.privs import MSP_AS_ROOT, RunAs, drop_to_run_as_user, option_line, resolve_run_as
from mta.util.sysexits import ExitCode

NOBODY = pwd.getpwnam("nobody")


def _free_uid() -> int:
    uid = 54321
    while True:
        try:
            pwd.getpwuid(uid)
        except KeyError:
            return uid
        uid += 1


def _some_group() -> grp.struct_group:
    """A group that is not nobody's own (so that taking it shows)."""
    return next(g for g in grp.getgrall() if g.gr_gid not in (NOBODY.pw_gid, 0))


@pytest.mark.parametrize("value", [None, "", "  "])
def test_no_value_is_no_target(value: str | None) -> None:
    assert resolve_run_as(value) == (None, [])


def test_a_name_is_its_uid_and_its_group() -> None:
    assert resolve_run_as("nobody") == (RunAs(NOBODY.pw_uid, NOBODY.pw_gid), [])


@pytest.mark.parametrize("separator", [":", ".", "/"])
def test_the_group_after_any_separator_by_name_or_number(separator: str) -> None:
    group = _some_group()
    assert resolve_run_as(f"nobody{separator}{group.gr_name}") == (
        RunAs(NOBODY.pw_uid, group.gr_gid), [])
    assert resolve_run_as(f"nobody{separator}{group.gr_gid}") == (
        RunAs(NOBODY.pw_uid, group.gr_gid), [])


def test_a_uid_needs_no_passwd_entry() -> None:
    uid = _free_uid()
    assert resolve_run_as(str(uid)) == (RunAs(uid, None), [])  # the gid is kept
    assert resolve_run_as(f"{uid}:12") == (RunAs(uid, 12), [])
    # a uid with an entry takes that entry's group (Sendmail 8.17 would keep root's)
    assert resolve_run_as(str(NOBODY.pw_uid)) == (RunAs(NOBODY.pw_uid, NOBODY.pw_gid), [])


def test_an_unknown_user_is_no_target_and_said_as_readcf_says_it() -> None:
    assert resolve_run_as("nosuchrunas:0") == (
        None, ["option RunAsUser: unknown user nosuchrunas"])


def test_an_unknown_group_keeps_the_users_own() -> None:
    assert resolve_run_as("nobody:nosuchgroupx") == (
        RunAs(NOBODY.pw_uid, NOBODY.pw_gid), ["option RunAsUser: unknown group nosuchgroupx"])


def test_option_line_finds_the_last_o_line(tmp_path: Path) -> None:
    cf = tmp_path / "submit.cf"
    cf.write_text("V10\n#O RunAsUser=sendmail\nO RunAsUser=a\nO UseMSP=True\n"
                  "O RunAsUser = b\n")
    assert option_line(str(cf), "RunAsUser") == f"{cf}: line 5"
    assert option_line(str(cf), "TrustedUser") == ""
    assert option_line(str(tmp_path / "missing.cf"), "RunAsUser") == ""


def _in_child(work: Callable[[], object]) -> object:
    """Run work in a forked child (whose ids may change) and return what it returned."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never back into pytest
        try:
            os.close(read)
            os.write(write, json.dumps(work()).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as fh:
        data = fh.read()
    os.waitpid(pid, 0)
    assert data, "the child died without an answer"
    return json.loads(data)


def _ids() -> list[int]:
    return [os.getuid(), os.geteuid(), os.getgid(), os.getegid(), *os.getgroups()]


root_only = pytest.mark.skipif(os.geteuid() != 0, reason="switching ids needs root")


@root_only
def test_root_becomes_run_as_user_for_good_and_remembers_the_caller(tmp_path: Path) -> None:
    def work() -> object:
        status, lines = drop_to_run_as_user({"RunAsUser": "nobody", "UseMSP": "True"},
                                            str(tmp_path / "submit.cf"))
        regained = True
        try:
            os.setuid(0)
        except PermissionError:
            regained = False
        return [status, lines, _ids(), privs.invoker_uid(), privs.invoker_gid(), regained]

    uid, gid = NOBODY.pw_uid, NOBODY.pw_gid
    assert _in_child(work) == [0, [], [uid, uid, gid, gid], 0, os.getgid(), False]


@root_only
def test_a_submission_program_that_stays_root_stops(tmp_path: Path) -> None:
    cf = tmp_path / "submit.cf"
    cf.write_text("V10\nO UseMSP=True\nO RunAsUser=nosuchrunas\n")

    def work() -> object:
        status, lines = drop_to_run_as_user({"RunAsUser": "nosuchrunas", "UseMSP": "True"},
                                            str(cf))
        return [status, lines, os.geteuid()]

    assert _in_child(work) == [
        ExitCode.EX_CONFIG,
        [f"{cf}: line 3: readcf: option RunAsUser: unknown user nosuchrunas", MSP_AS_ROOT], 0]
    # no RunAsUser at all: the same stop, without a readcf line
    assert _in_child(lambda: drop_to_run_as_user({"UseMSP": "True"}, str(cf))) == [
        ExitCode.EX_CONFIG, [MSP_AS_ROOT]]


@root_only
def test_an_unknown_user_in_an_mta_cf_ends_the_run(tmp_path: Path) -> None:
    # readcf's syserr: EX_SOFTWARE, root stays root (nothing is queued)
    def work() -> object:
        return [*drop_to_run_as_user({"RunAsUser": "nosuchrunas"}, ""), os.geteuid()]

    assert _in_child(work) == [ExitCode.EX_SOFTWARE,
                               ["readcf: option RunAsUser: unknown user nosuchrunas"], 0]


@root_only
def test_no_run_as_user_and_no_msp_goes_on_as_root() -> None:
    def work() -> object:
        return [*drop_to_run_as_user({}, ""), os.geteuid()]

    assert _in_child(work) == [0, [], 0]


@root_only
def test_a_caller_who_is_not_root_stays_who_it_is() -> None:
    def work() -> object:
        os.setgroups([])
        os.setgid(NOBODY.pw_gid)
        os.setuid(NOBODY.pw_uid)
        status, lines = drop_to_run_as_user({"RunAsUser": "root", "UseMSP": "True"}, "")
        return [status, lines, os.geteuid(), privs.invoker_uid()]

    assert _in_child(work) == [0, [], NOBODY.pw_uid, NOBODY.pw_uid]
