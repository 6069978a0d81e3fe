"""Dependencies: containers that need the host kernel's specifics belong in a VM."""

from __future__ import annotations

from vmlint.policy import Policy

POLICIES: tuple[Policy, ...] = ()
