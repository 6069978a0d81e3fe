"""Management: patching, health and reproducibility."""

from __future__ import annotations

from vmlint.policy import Policy

POLICIES: tuple[Policy, ...] = ()
