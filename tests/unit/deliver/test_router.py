"""Tests for mta.deliver.router: recipient expansion on a small hand-written .cf."""

from __future__ import annotations

import getpass
from pathlib import Path

import pytest

from mta.config.loader import load_cf
from mta.deliver.router import RcptState, Recipient, Router, queue_order, split_addresses
from mta.maps.base import MapEnv
from mta.maps.registry import MapSet
from mta.queue.qfformat import QueueRecipient
from mta.rules.engine import RuleEngine
from mta.rules.resolve import Address

USER = getpass.getuser()

CF = """\
V10/Berkeley
O OperatorChars=.:%@!^/[]+
O AliasFile={aliases}
O ForwardPath={home}/forward.$u
Mlocal, P=/bin/true, F=lsDFMAw5:/|@q, A=local -d $u
Mprog, P=/bin/sh, F=lsDFMoqeu9, A=sh -c $u
Msmtp, P=[IPC], F=mDFMuXa, A=TCP $h
S3
R$* < $+ > $*		$2
S0
R$+ @ remote.test	$#smtp $@ remote.test $: $1 @ remote.test
R$+ @ localhost		$#local $: $1
R$+			$#local $: $1
"""


@pytest.fixture
def router(tmp_path: Path) -> Router:
    aliases = tmp_path / "aliases"
    (tmp_path / "list").write_text("x@remote.test\n# a comment\ny@remote.test\n")
    aliases.write_text(
        "team: a@remote.test, b@remote.test\n"
        f"owner-team: boss@remote.test\n"
        f"{USER}x: {USER}x, ops@remote.test\n"
        "pipe: |/bin/cat\n"
        f"list: :include:{tmp_path}/list\n"
        "file: /tmp/archive\n"
    )
    text = CF.format(aliases=aliases, home=tmp_path)
    config = load_cf("router.cf", text=text)
    mapset = MapSet(config.maps, MapEnv(options=config.options))
    return Router(RuleEngine(config, mapset))


def _expand(router: Router, *addresses: str, flags: str = "PFD") -> list[Recipient]:
    queued = [QueueRecipient(a, flags) for a in addresses]
    return router.expand(queued, macros=router.engine.macros.copy())


def _summary(sendq: list[Recipient]) -> list[tuple[str, str, str]]:
    return [(r.paddr, r.mailer_name, r.state.value) for r in sendq]


def test_remote_address_goes_to_smtp(router: Router) -> None:
    (rcpt,) = _expand(router, "<bob@remote.test>")
    assert (rcpt.mailer_name, rcpt.host, rcpt.user) == ("smtp", "remote.test", "bob@remote.test")
    assert rcpt.state is RcptState.OK


def test_alias_expands_and_remembers_its_owner(router: Router) -> None:
    sendq = _expand(router, "<team@localhost>")
    # the members last first, as Sendmail's sendtolist() queues them
    assert _summary(sendq) == [("<team@localhost>", "local", "expanded"),
                               ("b@remote.test", "smtp", "ok"),
                               ("a@remote.test", "smtp", "ok")]
    member = sendq[1]
    assert member.flags == "FDA"  # the notify flags of the alias, A, no P (two members)
    assert member.c_record() == "team:1:0:<team@localhost>"
    assert member.final_recipient == sendq[0].final_recipient
    assert member.owner_address() == "boss@remote.test"


def test_self_reference_is_delivered_without_expanding_again(router: Router) -> None:
    # "userx: userx, ops": userx is no passwd user, so the self-reference fails as
    # a local user would, and ops is delivered; nothing loops
    sendq = _expand(router, f"<{USER}x@localhost>")
    states = _summary(sendq)
    assert states[0] == (f"<{USER}x@localhost>", "local", "expanded")
    assert (f"{USER}x", "local", "badaddr") in states
    assert ("ops@remote.test", "smtp", "ok") in states


def test_unknown_local_user(router: Router) -> None:
    (rcpt,) = _expand(router, "<nosuchuser4711@localhost>")
    assert rcpt.state is RcptState.BADADDR
    assert rcpt.reply is not None and (rcpt.reply.code, rcpt.reply.status) == (550, "5.1.1")


def test_known_local_user(router: Router) -> None:
    (rcpt,) = _expand(router, f"<{USER}@localhost>")
    assert rcpt.state is RcptState.OK and rcpt.uid is not None


@pytest.mark.parametrize(("address", "what"), [
    ("|/bin/true", "programs"),
    ("/tmp/file", "files"),
])
def test_programs_and_files_only_through_an_alias(router: Router, address: str,
                                                  what: str) -> None:
    (rcpt,) = _expand(router, address)
    assert rcpt.state is RcptState.BADADDR
    assert rcpt.reply is not None and rcpt.reply.status == "5.7.1"
    assert rcpt.reply.text.endswith(f"Cannot mail directly to {what}")


def test_alias_to_program_and_file(router: Router) -> None:
    pipe = _expand(router, "<pipe@localhost>")
    assert _summary(pipe)[1] == ("|/bin/cat", "prog", "ok")
    archive = _expand(router, "<file@localhost>")
    assert _summary(archive)[1] == ("/tmp/archive", "*file*", "ok")


def test_include_file(router: Router) -> None:
    sendq = _expand(router, "<list@localhost>")
    assert [r.paddr for r in sendq if r.state is RcptState.OK] == ["x@remote.test",
                                                                  "y@remote.test"]


def test_duplicates_are_suppressed(router: Router) -> None:
    sendq = _expand(router, "<bob@remote.test>", "<bob@remote.test>", "<team@localhost>",
                    "<a@remote.test>")
    assert [r.state for r in sendq].count(RcptState.OK) == 3  # bob, a, b


def test_forward_file(router: Router, tmp_path: Path) -> None:
    (tmp_path / f"forward.{USER}").write_text(f"fwd@remote.test, \\{USER}\n")
    sendq = _expand(router, f"<{USER}@localhost>")
    assert sendq[0].state is RcptState.EXPANDED
    delivered = {(r.mailer_name, r.user) for r in sendq if r.state is RcptState.OK}
    assert delivered == {("smtp", "fwd@remote.test"), ("local", USER)}


def test_unsafe_forward_file_is_ignored(router: Router, tmp_path: Path) -> None:
    forward = tmp_path / f"forward.{USER}"
    forward.write_text("fwd@remote.test\n")
    forward.chmod(0o666)
    (rcpt,) = _expand(router, f"<{USER}@localhost>")
    assert rcpt.state is RcptState.OK


def test_split_addresses_keeps_quoted_commas(router: Router) -> None:
    table = router.engine.tables.ext
    assert split_addresses('"Doe, John" <j@x>, k@y ,, (a, comment) l@z', table) == [
        '"Doe, John" <j@x>', "k@y", "(a, comment) l@z"]


@pytest.mark.parametrize(("given", "expected"), [
    # by host without case, local (no host) first; one host's recipients keep their order
    ([("zz", "[127.0.0.5]"), ("later1", "sink.test"), ("aa", "[127.0.0.4]"), ("bob", None),
      ("later2", "Sink.Test"), ("yy", "[127.0.0.5]")],
     ["bob", "aa", "zz", "yy", "later1", "later2"]),
    ([("b", "gw.example.test"), ("a", "gw.example.test")], ["b", "a"]),
    ([], []),
])
def test_queue_order_sorts_by_host_as_sendmail_writes_a_qf(
        given: list[tuple[str, str | None]], expected: list[str]) -> None:
    sendq = [Recipient(f"<{user}>", address=Address(f"<{user}>", "smtp", host=host, user=user))
             for user, host in given]
    assert [r.user for r in queue_order(sendq)] == expected
