"""vmlint's built-in policy pack, one module per tradeoff family.

Loaded through the ``vmlint.policies`` entry point like any third-party pack.
"""

from __future__ import annotations

from vmlint.policy import Policy

from . import isolation


def load() -> tuple[Policy, ...]:
    """Every built-in policy."""
    return (*isolation.POLICIES,)
