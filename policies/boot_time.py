"""Boot time: slow-booting VMs placed where fast start is assumed."""

from __future__ import annotations

from vmlint.policy import Policy

POLICIES: tuple[Policy, ...] = ()
