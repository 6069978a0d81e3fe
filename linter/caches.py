"""Caches that live for one run: work that several files share is done once a run, not once a file.

A module registers a dict with ``per_run``; ``Engine.lint_files`` calls ``new_run`` before it reads
anything, so nothing read in one run is trusted in the next (files may change in between).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")

_CLEARS: list[Callable[[], None]] = []


def per_run(cache: dict[K, V]) -> dict[K, V]:
    """``cache``, emptied at the start of every run."""
    _CLEARS.append(cache.clear)
    return cache


def new_run() -> None:
    """Forget what the previous run read."""
    for clear in _CLEARS:
        clear()
