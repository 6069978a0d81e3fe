"""Hardware: hardware needs not declared, or not portable."""

from __future__ import annotations

from vmlint.policy import Policy

POLICIES: tuple[Policy, ...] = ()
