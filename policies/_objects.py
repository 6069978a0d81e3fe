"""Readings of Kubernetes objects beside workloads (Service, Ingress, NetworkPolicy, HPA ...)."""

from __future__ import annotations

from typing import Any

from vmlint.model import Workload
from vmlint.source import get

KIND_GROUPS: dict[str, frozenset[str]] = {
    "Service": frozenset({""}),
    "Ingress": frozenset({"networking.k8s.io", "extensions"}),
    "NetworkPolicy": frozenset({"networking.k8s.io", "extensions"}),
    "HorizontalPodAutoscaler": frozenset({"autoscaling"}),
    **{
        kind: frozenset({"rbac.authorization.k8s.io"})
        for kind in ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding")
    },
}

# Annotations that make a cloud provider's load balancer internal (lower-case values).
INTERNAL_LOAD_BALANCER = {
    "cloud.google.com/load-balancer-type": "internal",
    "networking.gke.io/load-balancer-type": "internal",
    "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
    "service.beta.kubernetes.io/azure-load-balancer-internal": "true",
}


def spec_of(workload: Workload) -> dict[str, Any]:
    """An object's ``spec`` mapping ({} when missing or not a mapping)."""
    spec = get(workload.document, workload.path + ("spec",))
    return spec if isinstance(spec, dict) else {}


def api_group(workload: Workload) -> str | None:
    """The API group of a Kubernetes object ("" for the core group), None when apiVersion is not a string."""
    version = get(workload.document, workload.path + ("apiVersion",))
    if not isinstance(version, str):
        return None
    return version.rsplit("/", 1)[0] if "/" in version else ""


def is_object(workload: Workload, kind: str) -> bool:
    """A Kubernetes object (not a workload) of ``kind`` in the API group Kubernetes defines it in."""
    return (
        workload.format == "kubernetes"
        and workload.role == "object"
        and workload.kind == kind
        and api_group(workload) in KIND_GROUPS[kind]
    )


def internal_load_balancer(workload: Workload) -> bool:
    """True when an annotation asks the cloud provider for an internal load balancer."""
    for key, wanted in INTERNAL_LOAD_BALANCER.items():
        value = workload.annotations.get(key)
        if value is not None and str(value).lower() == wanted:
            return True
    return False
