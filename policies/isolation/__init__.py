"""Isolation: a workload gets less isolation than its risk needs. One module per topic."""

from __future__ import annotations

from vmlint.policy import Policy

from . import (
    admission,
    capabilities,
    confinement,
    mounts,
    namespaces,
    network,
    network_policy,
    pod_security,
    privileges,
    rbac,
    tiers,
)

POLICIES: tuple[Policy, ...] = tuple(
    p
    for topic in (
        tiers,
        namespaces,
        network,
        privileges,
        mounts,
        capabilities,
        confinement,
        rbac,
        network_policy,
        admission,
        pod_security,
    )
    for p in topic.POLICIES
)
