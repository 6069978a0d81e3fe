"""Resource usage: a shared kernel without limits, or a whole VM for a trivial service."""

from __future__ import annotations

from vmlint.policy import Policy

POLICIES: tuple[Policy, ...] = ()
