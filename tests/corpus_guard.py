"""A pytest plugin: a test that reads ../shared without ``@pytest.mark.corpus`` fails.

Such a test passes where ../shared exists and breaks every clone that has none (the README's test command on a
fresh clone).  An audit hook watches opens, directory listings, chdirs and subprocess arguments while each test
runs (setup, call and teardown); the root is ``VMLINT_TEST_SHARED`` or the ``shared`` folder beside the checkout.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

_PATH_EVENTS = {"open", "os.listdir", "os.scandir", "os.chdir"}


def shared_root() -> Path:
    return Path(os.environ.get("VMLINT_TEST_SHARED") or Path(__file__).resolve().parent.parent.parent / "shared")


class SharedGuard:
    """Records paths under the shared roots touched while armed."""

    def __init__(self, root: Path) -> None:
        roots = {os.path.abspath(root), os.path.realpath(root)}
        self.prefixes = tuple(r.rstrip(os.sep) + os.sep for r in roots)
        self.exact = frozenset(r.rstrip(os.sep) for r in roots)
        self.armed = False
        self.hits: list[str] = []

    def touches(self, value: Any) -> bool:
        if isinstance(value, int) or value is None:
            return False
        try:
            text = os.path.abspath(os.fsdecode(value))
        except (TypeError, ValueError):
            return False
        return text in self.exact or text.startswith(self.prefixes)

    def __call__(self, event: str, args: tuple[Any, ...]) -> None:
        if not self.armed:
            return
        if event in _PATH_EVENTS and args:
            candidates: list[Any] = [args[0]]
        elif event == "subprocess.Popen" and len(args) > 2:
            command = args[1]
            candidates = [*(command if isinstance(command, (list, tuple)) else [command]), args[2]]
        else:
            return
        self.armed = False  # nothing below may re-enter
        try:
            self.hits.extend(f"{event} {os.fsdecode(c)}" for c in candidates if self.touches(c))
        finally:
            self.armed = True


GUARD = SharedGuard(shared_root())
sys.addaudithook(GUARD)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    GUARD.hits.clear()
    GUARD.armed = "corpus" not in item.keywords
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, None, None]:
    try:
        return (yield)
    finally:
        GUARD.armed = False
        hits, GUARD.hits[:] = list(GUARD.hits), []
        if hits:
            pytest.fail(
                f"{item.nodeid} reads {shared_root()} but lacks @pytest.mark.corpus (it would fail on a clone "
                f"without ../shared): {hits[0]}",
                pytrace=False,
            )
