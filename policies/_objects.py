"""Readings of Kubernetes objects beside workloads (Service, Ingress, NetworkPolicy, HPA ...) and API versions."""

from __future__ import annotations

from typing import Any

from vmlint.model import Workload
from vmlint.source import get

# (apiVersion, kind) -> (the Kubernetes release that stopped serving it, the apiVersion to use instead).
# From the Kubernetes deprecated API migration guide; "-" means no replacement (the API is gone).
REMOVED_APIS: dict[tuple[str, str], tuple[str, str]] = {
    **{
        (version, kind): ("1.16", "apps/v1")
        for version in ("extensions/v1beta1", "apps/v1beta1", "apps/v1beta2")
        for kind in ("Deployment", "DaemonSet", "ReplicaSet", "StatefulSet")
        if not (version == "extensions/v1beta1" and kind == "StatefulSet")
    },
    ("apps/v1beta1", "ControllerRevision"): ("1.16", "apps/v1"),
    ("apps/v1beta2", "ControllerRevision"): ("1.16", "apps/v1"),
    ("extensions/v1beta1", "NetworkPolicy"): ("1.16", "networking.k8s.io/v1"),
    ("extensions/v1beta1", "PodSecurityPolicy"): ("1.16", "policy/v1beta1"),
    ("extensions/v1beta1", "Ingress"): ("1.22", "networking.k8s.io/v1"),
    ("networking.k8s.io/v1beta1", "Ingress"): ("1.22", "networking.k8s.io/v1"),
    ("networking.k8s.io/v1beta1", "IngressClass"): ("1.22", "networking.k8s.io/v1"),
    ("admissionregistration.k8s.io/v1beta1", "MutatingWebhookConfiguration"): (
        "1.22",
        "admissionregistration.k8s.io/v1",
    ),
    ("admissionregistration.k8s.io/v1beta1", "ValidatingWebhookConfiguration"): (
        "1.22",
        "admissionregistration.k8s.io/v1",
    ),
    ("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition"): ("1.22", "apiextensions.k8s.io/v1"),
    ("apiregistration.k8s.io/v1beta1", "APIService"): ("1.22", "apiregistration.k8s.io/v1"),
    ("authentication.k8s.io/v1beta1", "TokenReview"): ("1.22", "authentication.k8s.io/v1"),
    **{
        ("authorization.k8s.io/v1beta1", kind): ("1.22", "authorization.k8s.io/v1")
        for kind in ("SubjectAccessReview", "LocalSubjectAccessReview", "SelfSubjectAccessReview")
    },
    ("certificates.k8s.io/v1beta1", "CertificateSigningRequest"): ("1.22", "certificates.k8s.io/v1"),
    ("coordination.k8s.io/v1beta1", "Lease"): ("1.22", "coordination.k8s.io/v1"),
    **{
        (f"rbac.authorization.k8s.io/{version}", kind): ("1.22", "rbac.authorization.k8s.io/v1")
        for version in ("v1alpha1", "v1beta1")
        for kind in ("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding")
    },
    ("scheduling.k8s.io/v1beta1", "PriorityClass"): ("1.22", "scheduling.k8s.io/v1"),
    **{
        ("storage.k8s.io/v1beta1", kind): ("1.22", "storage.k8s.io/v1")
        for kind in ("CSIDriver", "CSINode", "StorageClass", "VolumeAttachment")
    },
    ("batch/v1beta1", "CronJob"): ("1.25", "batch/v1"),
    ("batch/v2alpha1", "CronJob"): ("1.21", "batch/v1"),
    ("discovery.k8s.io/v1beta1", "EndpointSlice"): ("1.25", "discovery.k8s.io/v1"),
    ("events.k8s.io/v1beta1", "Event"): ("1.25", "events.k8s.io/v1"),
    ("autoscaling/v2beta1", "HorizontalPodAutoscaler"): ("1.25", "autoscaling/v2"),
    ("autoscaling/v2beta2", "HorizontalPodAutoscaler"): ("1.26", "autoscaling/v2"),
    ("policy/v1beta1", "PodDisruptionBudget"): ("1.25", "policy/v1"),
    ("policy/v1beta1", "PodSecurityPolicy"): ("1.25", "-"),
    ("node.k8s.io/v1beta1", "RuntimeClass"): ("1.25", "node.k8s.io/v1"),
    ("storage.k8s.io/v1beta1", "CSIStorageCapacity"): ("1.27", "storage.k8s.io/v1"),
    **{
        (f"flowcontrol.apiserver.k8s.io/{version}", kind): (removed, "flowcontrol.apiserver.k8s.io/v1")
        for version, removed in (("v1beta1", "1.26"), ("v1beta2", "1.29"), ("v1beta3", "1.32"))
        for kind in ("FlowSchema", "PriorityLevelConfiguration")
    },
}

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
