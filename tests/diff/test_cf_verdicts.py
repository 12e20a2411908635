"""Differential test: our sendmail-cf library against the real one, by -bt verdicts (issue 5).

DESCRIPTION
    For each .mc of tests/diff/cf/ (access_db and relaying, MX relaying,
    promiscuous relay, anti-spam with delay_checks, virtual hosting,
    masquerading, routing, limited masquerading, local rules, DOMAIN(generic),
    the MSP's submit.mc, Debian's own sendmail.mc) three tests, one per
    acceptance aspect of issue 5 (tests/diff/cf_verdicts.py does the work):

    - test_ours_cf_loads: (b) `sendmail -C ours.cf -bt </dev/null` in the
      real Sendmail 8.17 exits 0 without a word on stderr;
    - test_ours_cf_verdicts: (c) with the same maps, the real sendmail gives
      the same verdicts on ours.cf as on the .cf that GNU m4 and the real
      sendmail-cf make: ruleset 3,0 and the /parse mailer triple, /try, and the
      $#error code, enhanced status and text of check_mail, check_rcpt,
      check_relay and greet_pause, for 300 addresses and many client contexts.
      The input lines still known to differ are listed, one by one, in
      tests/diff/cf/known-differences (see cf_verdicts.KNOWN_FILE): any other
      difference fails, and so does a listed line that now agrees, so that the
      list only shrinks;
    - test_our_engine_on_ours_cf: (a) our sendmail -bt on ours.cf (maps by
      our makemap) gives the verdicts the real one gives.

    ours.cf is made by `.venv/bin/mta compile`; $CF_VERDICTS_OURS_COMPILER=real
    makes it with GNU m4 and the real macros instead (the control: every
    verdict must then be identical). Cases run two at a time, ahead of the
    test that reads them. Each test attaches ("cfv_<aspect>_identical", n) and
    ("cfv_<aspect>_total", m), summed by tests/diff/conftest.py.

DIAGNOSTICS
    Skipped with a reason when GNU m4, sendmail-cf, the real sendmail or
    makemap, or the namespaces are missing. A failing compiler fails all
    three tests of its case with its messages. A mismatch report lists each
    differing input line with its client context and both verdicts.

SEE ALSO
    tests/diff/cf_verdicts.py (also a script: `.venv/bin/python
    tests/diff/cf_verdicts.py --help`), tests/diff/cf_inputs.py,
    tests/diff/cf_extract.py, tests/diff/test_cf_harness.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import cf_verdicts
import pytest
from cf_verdicts import CONFIGS, CaseError, LoadResult, VerdictComparison

pytestmark = pytest.mark.differential

REPORT_LIMIT = 25


@pytest.fixture(scope="module")
def runner(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[cf_verdicts.Runner]:
    """One workspace for the module; cases computed in the order the tests ask for them."""
    reason = cf_verdicts.unavailable_reason()
    if reason is not None:
        pytest.skip(reason)
    order = []
    for item in request.session.items:
        callspec = getattr(item, "callspec", None)
        if item.module is request.module and callspec is not None:
            order.append(callspec.params["config"])
    workspace = cf_verdicts.Workspace(tmp_path_factory.mktemp("cf-verdicts"))
    run = cf_verdicts.Runner(
        workspace,
        list(dict.fromkeys(order)),
        ours_compiler=cf_verdicts.ours_compiler_default(),
        jobs=2,
    )
    yield run
    run.close()


def _result(runner: cf_verdicts.Runner, config: str, aspect: str) -> object:
    result = runner.get(config).results[aspect]
    if isinstance(result, CaseError):
        pytest.fail(str(result), pytrace=False)
    return result


def _check(
    request: pytest.FixtureRequest,
    aspect: str,
    result: object,
    *,
    config: str = "",
    known: frozenset[str] = frozenset(),
) -> None:
    assert isinstance(result, VerdictComparison)
    request.node.user_properties.append((f"cfv_{aspect}_identical", result.identical))
    request.node.user_properties.append((f"cfv_{aspect}_total", result.total))
    if result.ok:
        return
    new = [m for m in result.mismatches if cf_verdicts.known_key(config, m.line) not in known]
    differing = {cf_verdicts.known_key(config, m.line) for m in result.mismatches}
    agreeing = sorted(k for k in known if k.split()[0] == config and k not in differing)
    if result.notes or new or agreeing:
        shown = VerdictComparison(result.labels, result.counts, new, result.notes)
        parts = [shown.report(REPORT_LIMIT)]
        if agreeing:
            parts.append(
                f"{len(agreeing)} line(s) of {cf_verdicts.KNOWN_FILE.name} agree now; "
                f"remove them: {', '.join(agreeing[:10])}"
            )
        pytest.fail("\n".join(parts), pytrace=False)


@pytest.mark.parametrize("config", CONFIGS)
def test_ours_cf_loads(config: str, runner: cf_verdicts.Runner) -> None:
    """(b) ours.cf loads in the real sendmail: exit 0, empty stderr, the usual banner."""
    result = _result(runner, config, "load")
    assert isinstance(result, LoadResult)
    if not result.ok:
        pytest.fail(result.report(), pytrace=False)


@pytest.mark.parametrize("config", CONFIGS)
def test_ours_cf_verdicts(
    config: str, runner: cf_verdicts.Runner, request: pytest.FixtureRequest
) -> None:
    """(c) the real sendmail decides the same on ours.cf as on the real sendmail-cf's .cf."""
    known = frozenset(cf_verdicts.load_known())
    _check(request, "cf", _result(runner, config, "cf"), config=config, known=known)


@pytest.mark.parametrize("config", CONFIGS)
def test_our_engine_on_ours_cf(
    config: str, runner: cf_verdicts.Runner, request: pytest.FixtureRequest
) -> None:
    """(a) our sendmail -bt decides on ours.cf as the real one does."""
    _check(request, "engine", _result(runner, config, "engine"))
