"""Vocabulary the isolation topics share."""

from __future__ import annotations

from collections.abc import Iterator

from vmlint.model import Fact, Workload
from vmlint.policy import Hit

from .._terms import subject

CONTAINER_FORMATS = ("kubernetes", "compose")


def host_namespace(workload: Workload, namespace: str, what: str) -> Iterator[Hit]:
    """Shares the host's ``namespace`` (a ``Host`` field), said as ``what``."""
    if workload.host is None:
        return
    fact: Fact[bool] = getattr(workload.host, namespace)
    if fact.value is True and fact.explicit:
        yield Hit(fact.path, f"{subject(workload)} shares the host's {what} namespace")
