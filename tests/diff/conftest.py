"""Summary line for the differential sendmail-cf corpus.

DESCRIPTION
    With -q, pytest prints one dot per case, which does not say how much of the
    real workload m4compat already reproduces. This hook adds one line at the end
    of the run: how many .mc compilations were byte-identical to GNU m4, and how
    many failed or were skipped.
"""

from __future__ import annotations

from collections import Counter

import pytest

# The tests that compile an .mc; the helper tests of the same file are not counted.
_CORPUS_TESTS = (
    "test_sendmail_cf.py::test_shipped_mc[",
    "test_sendmail_cf.py::test_own_mc[",
    "test_sendmail_cf.py::test_debian_sendmail_mc_includes[",
)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    outcomes: Counter[str] = Counter()
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            nodeid = getattr(report, "nodeid", "")
            if any(marker in nodeid for marker in _CORPUS_TESTS):
                outcomes[outcome] += 1
    total = sum(outcomes.values())
    if total == 0:
        return
    terminalreporter.write_sep("-", "sendmail-cf differential corpus")
    terminalreporter.write_line(
        f"{outcomes['passed']} of {total} .mc cases byte-identical to GNU m4 "
        f"({outcomes['failed']} failed, {outcomes['error']} errors, "
        f"{outcomes['skipped']} skipped)"
    )
