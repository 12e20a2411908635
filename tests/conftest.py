"""Root pytest configuration: options shared by several test suites.

DESCRIPTION
    pytest only honours pytest_addoption in the root (initial) conftest, so the
    golden runners' --update-golden switch is registered here. Each runner reads
    it with request.config.getoption("--update-golden").
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden files from our own output instead of comparing "
        "(only when deliberately diverging from the reference program)",
    )
