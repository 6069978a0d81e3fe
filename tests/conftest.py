"""Shared fixtures and options: ``--update-golden`` rewrites expected.json files for review."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.corpus_guard import pytest_runtest_setup, pytest_runtest_teardown

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
__all__ = ["REPO", "SHARED", "pytest_runtest_setup", "pytest_runtest_teardown"]  # the corpus guard's hooks


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden expectations from current output")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if SHARED.is_dir():
        return
    skip = pytest.mark.skip(reason="../shared is not present (CI always has it)")
    for item in items:
        if "corpus" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))
