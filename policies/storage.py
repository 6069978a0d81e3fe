"""Storage: data in the wrong layer, or without copy-on-write."""

from __future__ import annotations

from vmlint.policy import Policy

POLICIES: tuple[Policy, ...] = ()
