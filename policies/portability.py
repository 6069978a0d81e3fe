"""Portability: manifests bound to one host, hypervisor or registry."""

from __future__ import annotations

from vmlint.policy import Policy

POLICIES: tuple[Policy, ...] = ()
