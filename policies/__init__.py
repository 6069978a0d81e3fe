"""vmlint's built-in policy pack, one module per tradeoff family.

Loaded through the ``vmlint.policies`` entry point like any third-party pack.
"""

from __future__ import annotations

from vmlint.policy import Policy

from . import (
    backup,
    boot_time,
    dependencies,
    hardware,
    isolation,
    management,
    portability,
    resources,
    scalability,
    security,
    storage,
    workflow,
)

FAMILIES = (
    isolation,
    resources,
    portability,
    boot_time,
    hardware,
    scalability,
    security,
    dependencies,
    management,
    storage,
    backup,
    workflow,
)


def load() -> tuple[Policy, ...]:
    """Every built-in policy."""
    return tuple(p for family in FAMILIES for p in family.POLICIES)
