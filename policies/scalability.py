"""Scalability: settings that block scaling out."""

from __future__ import annotations

from vmlint.policy import Policy

POLICIES: tuple[Policy, ...] = ()
