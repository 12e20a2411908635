"""Differential test: our SMTP daemon against the real Sendmail 8.17, dialogue by dialogue.

DESCRIPTION
    tests/diff/smtp_dialogues.py plays every dialogue of tests/diff/smtp/*.dlg
    (greeting, syntax, transactions, relaying, access_db, header checks, size
    and recipient limits, pipelining, SMTP smuggling, long lines, binary
    bytes, VRFY/EXPN, NOOP/RSET/HELP/ETRN, STARTTLS, AUTH, ratecontrol,
    conncontrol, greet_pause) against a daemon
    started with `sendmail -bD` inside a private network namespace, on the
    .cf files made from tests/diff/smtp/{strict,delayed,permissive,limits}.mc, and
    records per dialogue the reply codes, enhanced status codes, EHLO
    keywords, connection closes and queue counts. Texts are not compared.

    - test_smtp_control plays everything twice against the real sendmail (two
      namespaces, at the same time) and requires identical recordings: the
      harness and the namespace add nothing of their own. It also requires
      that no real dialogue timed out, met a garbage line or a harness
      error, and that the safety invariants hold (max-messages: one DATA
      never makes two messages, whatever is smuggled in it);
    - test_smtp_ours compares our daemon (.venv/bin/sendmail -bD with the
      same arguments, maps by our makemap) with the real one, as a ratchet:
      the dialogues of tests/diff/smtp/known-differences may still differ
      (each with its reason), any other difference fails, and a listed one
      that agrees now fails too until it is taken off the list; a daemon
      that does not start fails with its command line and output first;
    - the other tests check the harness itself (dialogue file syntax, reply
      parsing, comparison) and need no binary.

    The two differential tests attach ("smtp_<kind>_identical", n) and
    ("smtp_<kind>_total", m) to their report.

DIAGNOSTICS
    The differential tests are skipped when the real sendmail, makemap, GNU
    m4, sendmail-cf or the namespaces are missing (smtp_dialogues.
    unavailable_reason).

SEE ALSO
    tests/diff/smtp_dialogues.py (also a script: `.venv/bin/python
    tests/diff/smtp_dialogues.py --help`), tests/diff/nsenv.py,
    tests/diff/test_bt.py.
"""

from __future__ import annotations

import dataclasses
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import smtp_dialogues
from smtp_dialogues import (
    OURS,
    REAL,
    Comparison,
    Dialogue,
    DialogueError,
    Event,
    EventKind,
    RunResult,
    StepKind,
)

KNOWN_FILE = Path(__file__).resolve().parent / "smtp" / "known-differences"
REPORT_LIMIT = 25
MIN_DIALOGUES = 150
CATEGORIES = {
    "access",
    "auth",
    "binary",
    "greeting",
    "headers",
    "longlines",
    "misc",
    "pipelining",
    "recipients",
    "relay",
    "size",
    "smuggling",
    "syntax",
    "tls",
    "transaction",
    "vrfy",
}


@pytest.fixture(scope="module")
def dialogues() -> list[Dialogue]:
    return smtp_dialogues.load_dialogues()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One directory for the module, with the certificate every run shares."""
    reason = smtp_dialogues.unavailable_reason()
    if reason is not None:
        pytest.skip(reason)
    root = tmp_path_factory.mktemp("smtp-dialogues")
    problem = smtp_dialogues.make_certificate(root / "certs")
    assert problem is None, problem
    return root


@pytest.fixture(scope="module")
def real_runs(workspace: Path, dialogues: list[Dialogue]) -> tuple[RunResult, RunResult]:
    """The real sendmail, twice, in two namespaces at the same time."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [
            pool.submit(
                smtp_dialogues.run_implementation,
                REAL,
                dialogues,
                workspace / label,
                certs=workspace / "certs",
            )
            for label in ("real", "real-ctrl")
        ]
        real, ctrl = (future.result() for future in futures)
    return real, dataclasses.replace(ctrl, label="real-ctrl")


def _record(request: pytest.FixtureRequest, kind: str, result: Comparison) -> None:
    request.node.user_properties.append((f"smtp_{kind}_identical", result.identical))
    request.node.user_properties.append((f"smtp_{kind}_total", result.total))


@pytest.mark.differential
def test_smtp_control(
    real_runs: tuple[RunResult, RunResult],
    dialogues: list[Dialogue],
    request: pytest.FixtureRequest,
) -> None:
    """The real sendmail twice: the recordings must be identical and complete."""
    real, ctrl = real_runs
    for run in real_runs:
        failures = run.daemon_failures()
        assert not failures, "\n".join(f"{d.config}: {d.error}\n{d.output}" for d in failures)
    result = smtp_dialogues.compare(dialogues, real, ctrl)
    _record(request, "control", result)
    assert result.ok, result.report(REPORT_LIMIT)
    problems = smtp_dialogues.incomplete(dialogues, real)
    problems += smtp_dialogues.invariant_violations(dialogues, real)
    assert not problems, "\n".join(problems)


def load_known(path: Path = KNOWN_FILE) -> dict[str, str]:
    """The dialogues listed as still differing: name -> reason."""
    known: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            text = line.split("#", 1)
            name = text[0].strip()
            if name:
                known[name] = text[1].strip() if len(text) > 1 else ""
    return known


@pytest.mark.differential
def test_smtp_ours(
    real_runs: tuple[RunResult, RunResult],
    workspace: Path,
    dialogues: list[Dialogue],
    request: pytest.FixtureRequest,
) -> None:
    """Our daemon against the real one, dialogue by dialogue (a ratchet).

    Dialogues listed in tests/diff/smtp/known-differences (with the reason)
    may still differ; any other difference fails, and so does a listed
    dialogue that now agrees, so that the list only ever shrinks. The safety
    invariants (one DATA is never two messages) hold for every dialogue.
    """
    real, _ = real_runs
    try:
        ours = smtp_dialogues.run_implementation(
            OURS, dialogues, workspace / "ours", certs=workspace / "certs"
        )
    except smtp_dialogues.SiteError as exc:
        _record(request, "ours", Comparison(("real", "ours"), len(dialogues), 0))
        pytest.fail(f"our site could not be built: {exc}", pytrace=False)
    result = smtp_dialogues.compare(dialogues, real, ours)
    _record(request, "ours", result)
    problems = smtp_dialogues.invariant_violations(dialogues, ours)
    known = load_known()
    differing = {m.dialogue.name for m in result.mismatches}
    new = [m for m in result.mismatches if m.dialogue.name not in known]
    fixed = sorted(set(known) - differing)
    if new or fixed or problems:
        shown = dataclasses.replace(result, mismatches=tuple(new))
        lines = [shown.report(REPORT_LIMIT), *problems]
        if fixed:
            lines.append("now identical, remove from known-differences: " + ", ".join(fixed))
        pytest.fail("\n".join(lines), pytrace=False)


# ---------------------------------------------------------------------------
# The harness itself (no binary needed)


def test_dialogue_corpus(dialogues: list[Dialogue]) -> None:
    """Enough dialogues, every category and configuration used, smuggling guarded."""
    assert len(dialogues) >= MIN_DIALOGUES
    assert CATEGORIES <= {d.category for d in dialogues}
    assert {d.config for d in dialogues} == set(smtp_dialogues.CONFIGS)
    smuggling = [d for d in dialogues if d.category == "smuggling"]
    assert smuggling and all(d.max_messages == 1 for d in smuggling)
    for dialogue in dialogues:
        ports = {listener.port for listener in smtp_dialogues.CONFIGS[dialogue.config]}
        assert dialogue.port in ports, f"{dialogue.where}: no listener on {dialogue.port}"
        # every dialogue reads what it causes: a close by the server or the drain
        assert any(s.kind == StepKind.EXPECT for s in dialogue.steps), dialogue.where


@pytest.mark.parametrize(
    ("text", "data"),
    [
        ("NOOP", b"NOOP"),
        (r"a\r\nb\0c\td\\e", b"a\r\nb\0c\td\\e"),
        (r"\xff\x00", b"\xff\x00"),
        ("{{3*ab}}c", b"abababc"),
        (r"{{2*x\r\n}}", b"x\r\nx\r\n"),
        ("grüß", "grüß".encode()),
    ],
)
def test_decode_text(text: str, data: bytes) -> None:
    assert smtp_dialogues.decode_text(text) == data


@pytest.mark.parametrize("text", [r"\q", "end\\", r"\x4"])
def test_decode_text_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        smtp_dialogues.decode_text(text)


@pytest.mark.parametrize(("size", "width"), [(0, 78), (1, 78), (2048, 78), (1000, 1000), (77, 10)])
def test_data_file_bytes(size: int, width: int) -> None:
    """N bytes of body, CRLF lines no longer than width, no leading dot, then the end line."""
    data = smtp_dialogues.data_file_bytes(size, width)
    body, end = data[:-3], data[-3:]
    assert end == b".\r\n"
    assert size <= len(body) <= size + 2
    lines = body.split(b"\r\n")[:-1] if body else []
    assert all(len(line) + 2 <= width and not line.startswith(b".") for line in lines)
    assert b"\n" not in body.replace(b"\r\n", b"")


def test_parse_dialogues(tmp_path: Path) -> None:
    path = tmp_path / "demo.dlg"
    path.write_text(
        "# comment\nconfig strict\n\ndialogue one\nfrom 192.0.2.7\nport 2587\n"
        "max-messages 1\nexpect\nsend EHLO x \nrepeat 2 send NOOP\nexpect 3\n"
        "data-file 100 20\nqueue\nexpect-close\n"
        "config permissive\ndialogue two\nraw A\\r\\n\nstarttls\nclose\n"
    )
    one, two = smtp_dialogues.parse_dialogues(path)
    assert (one.name, one.category, one.config, one.client, one.port, one.max_messages) == (
        "one",
        "demo",
        "strict",
        "192.0.2.7",
        2587,
        1,
    )
    kinds = [s.kind for s in one.steps]
    assert kinds == [
        StepKind.EXPECT,
        StepKind.SEND,
        StepKind.SEND,
        StepKind.SEND,
        StepKind.EXPECT,
        StepKind.DATA_FILE,
        StepKind.QUEUE,
        StepKind.EXPECT_CLOSE,
    ]
    assert one.steps[1].data == b"EHLO x \r\n"  # trailing space kept
    assert one.steps[4].count == 3
    assert (two.config, two.client, two.port) == ("permissive", "127.0.0.1", 2525)
    assert [s.data for s in two.steps[:1]] == [b"A\r\n"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("dialogue a\nexpect\n", "config NAME line"),
        ("config nosuch\n", "unknown config"),
        ("config strict\nexpect\n", "outside a dialogue"),
        ("config strict\ndialogue a\nexpect\nfrom 192.0.2.1\n", "before the first step"),
        ("config strict\ndialogue a\nfrom 300.1.1.1\nexpect\n", "bad IPv4"),
        ("config strict\ndialogue a\nsleep 1\n", "unknown directive"),
        ("config strict\ndialogue a\n", "has no steps"),
        ("config strict\ndialogue a\nexpect\ndialogue a\nexpect\n", "duplicate"),
        ("config strict\ndialogue a\nexpect two\n", "count"),
        ("config strict\ndialogue a\nsend \\q\n", "escape"),
    ],
)
def test_parse_dialogues_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.dlg"
    path.write_text(text)
    with pytest.raises(DialogueError, match=message):
        smtp_dialogues.parse_dialogues(path)


def _serve(data: bytes) -> smtp_dialogues.Session:
    """A Session reading data, then end of stream, from the other end of a socket pair."""
    ours, theirs = socket.socketpair()

    def write() -> None:
        with theirs:
            theirs.sendall(data)

    threading.Thread(target=write, daemon=True).start()
    return smtp_dialogues.Session(ours, timeout=5.0)


def test_read_reply_multiline_and_keywords() -> None:
    session = _serve(
        b"220 host ESMTP\r\n"
        b"250-host Hello\r\n250-PIPELINING\r\n250 SIZE 100\r\n"
        b"250-2.1.5 a\r\n250 2.1.5 b\r\n"
        b"550 5.7.1 Relaying denied\r\n"
        b"421 closing\n"
    )
    replies = [session.read_reply() for _ in range(6)]
    assert [e.key() for e in replies] == [
        (EventKind.REPLY, 220, None, ()),
        (EventKind.REPLY, 250, None, ("PIPELINING", "SIZE 100")),
        (EventKind.REPLY, 250, "2.1.5", ()),
        (EventKind.REPLY, 550, "5.7.1", ()),
        (EventKind.REPLY, 421, None, ()),
        (EventKind.EOF,),
    ]
    assert replies[1].text == ("250-host Hello", "250-PIPELINING", "250 SIZE 100")


def test_read_reply_garbage_and_timeout() -> None:
    assert _serve(b"hello\r\n").read_reply().kind == EventKind.GARBAGE
    assert _serve(b"250-a\r\n251 b\r\n").read_reply().kind == EventKind.GARBAGE
    assert _serve(b"250-a\r\n").read_reply().kind == EventKind.GARBAGE  # eof inside
    ours, theirs = socket.socketpair()
    with ours, theirs:
        theirs.sendall(b"250-a\r\n")
        event = smtp_dialogues.Session(ours, timeout=0.2).read_reply()
    assert (event.kind, event.text) == (EventKind.TIMEOUT, ("250-a",))


def _run(label: str, transcripts: dict[str, tuple[Event, ...]]) -> RunResult:
    return RunResult(label, (), transcripts, 0.0)


def test_compare_ignores_text_only() -> None:
    dialogue = Dialogue("d", "cat", "strict", "cat.dlg:1")
    real = _run("real", {"d": (Event(EventKind.REPLY, 250, "2.0.0", text=("250 2.0.0 a",)),)})
    same = _run("ours", {"d": (Event(EventKind.REPLY, 250, "2.0.0", text=("250 2.0.0 b",)),)})
    other = _run("ours", {"d": (Event(EventKind.REPLY, 250, "2.1.0", text=("250 2.1.0 a",)),)})
    assert smtp_dialogues.compare([dialogue], real, same).ok
    result = smtp_dialogues.compare([dialogue], real, other)
    assert (result.identical, result.total) == (0, 1)
    assert "-250 2.0.0" in result.mismatches[0].diff
    assert "+250 2.1.0" in result.mismatches[0].diff
    missing = smtp_dialogues.compare([dialogue], real, _run("ours", {}))
    assert not missing.ok


def test_invariant_violations() -> None:
    dialogue = Dialogue("d", "smuggling", "strict", "x.dlg:1", max_messages=1)
    two = _run("ours", {"d": (Event(EventKind.QUEUE, queue=(2, 0)),)})
    one = _run("ours", {"d": (Event(EventKind.QUEUE, queue=(0, 1)),)})
    assert smtp_dialogues.invariant_violations([dialogue], two)
    assert not smtp_dialogues.invariant_violations([dialogue], one)


def test_daemon_argv() -> None:
    """The command line both daemons get (ours must accept exactly this)."""
    argv = smtp_dialogues.daemon_argv(OURS, "strict", "/mnt/strict")
    assert argv[1:] == [
        "-bD",
        "-C",
        "/mnt/strict/sendmail.cf",
        "-odq",
        "-O",
        "QueueDirectory=/mnt/strict/mqueue",
        "-O",
        "ServiceSwitchFile=/mnt/strict/service.switch",
        "-O",
        "DaemonPortOptions=Addr=127.0.0.1,Port=2525,Name=MTA",
        "-O",
        "DaemonPortOptions=Addr=127.0.0.1,Port=2587,Name=MSA,M=Ea",
    ]
