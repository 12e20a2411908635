"""Summary line for the differential sendmail-cf corpus.

DESCRIPTION
    With -q, pytest prints one dot per case, which does not say how much of the
    real workload m4compat already reproduces. This hook adds one line at the end
    of the run: how many .mc compilations were byte-identical to GNU m4, and how
    many failed or were skipped. For the -bt differential tests (test_bt.py) it
    adds how many -bt input lines gave identical output, summed over the
    properties ("bt_ours_identical", n) / ("bt_ours_total", m) that each test
    attaches to its report, and the same for the real-against-real control.
    For the sendmail-cf verdict tests (test_cf_verdicts.py) it adds how many
    verdicts were identical per aspect, from the ("cfv_<aspect>_identical", n)
    and ("cfv_<aspect>_total", m) properties.
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
    _summarize_mc_corpus(terminalreporter)
    _summarize_bt(terminalreporter)
    _summarize_cf_verdicts(terminalreporter)


def _summed(terminalreporter: pytest.TerminalReporter, prefix: str) -> Counter[str]:
    """The integer user properties named prefix..., summed over the tests that ran."""
    sums: Counter[str] = Counter()
    for outcome in ("passed", "failed"):
        for report in terminalreporter.stats.get(outcome, []):
            if getattr(report, "when", "call") != "call":
                continue
            for key, value in getattr(report, "user_properties", ()):
                if isinstance(key, str) and key.startswith(prefix) and isinstance(value, int):
                    sums[key] += value
    return sums


def _summarize_cf_verdicts(terminalreporter: pytest.TerminalReporter) -> None:
    sums = _summed(terminalreporter, "cfv_")
    if not sums:
        return
    terminalreporter.write_sep("-", "sendmail-cf verdicts (issue 5)")
    for aspect, text in (
        ("cf", "on ours.cf as on the real sendmail-cf's .cf (real sendmail)"),
        ("engine", "in our sendmail as in the real one (ours.cf)"),
    ):
        if sums[f"cfv_{aspect}_total"]:
            terminalreporter.write_line(
                f"{sums[f'cfv_{aspect}_identical']} of {sums[f'cfv_{aspect}_total']} "
                f"-bt verdicts identical {text}"
            )


def _summarize_bt(terminalreporter: pytest.TerminalReporter) -> None:
    sums = _summed(terminalreporter, "bt_")
    if not sums:
        return
    terminalreporter.write_sep("-", "sendmail -bt differential corpus")
    terminalreporter.write_line(
        f"{sums['bt_ours_identical']} of {sums['bt_ours_total']} -bt inputs identical "
        "(ours against real sendmail)"
    )
    if sums["bt_control_total"]:
        terminalreporter.write_line(
            f"{sums['bt_control_identical']} of {sums['bt_control_total']} -bt inputs "
            "identical in the control run (real against real, other site directory)"
        )


def _summarize_mc_corpus(terminalreporter: pytest.TerminalReporter) -> None:
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
