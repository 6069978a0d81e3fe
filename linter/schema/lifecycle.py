"""When Kubernetes deprecated and removed its beta APIs, and what replaces them.

From the Kubernetes deprecated API migration guide. Shared by the schema stage (an object of a removed API is
not validated: VM304 reports it) and the policies VM304 and VM305, which judge it against the target version.
"""

from __future__ import annotations

from dataclasses import dataclass

from .versions import minor


@dataclass(frozen=True, slots=True)
class Lifecycle:
    """An API's deprecation and removal releases (``1.NN``) and its replacement apiVersion ("-": none)."""

    deprecated: str
    removed: str
    replacement: str

    def removed_by(self, target: str) -> bool:
        return minor(self.removed) <= minor(target)

    def deprecated_by(self, target: str) -> bool:
        return bool(self.deprecated) and minor(self.deprecated) <= minor(target) < minor(self.removed)


# (apiVersion, kind) -> (the Kubernetes release that stopped serving it, the apiVersion to use instead).
# From the Kubernetes deprecated API migration guide; "-" means no replacement (the API is gone).
_REMOVED: dict[tuple[str, str], tuple[str, str]] = {
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


# The release that deprecated each API removed in 1.25 or later (earlier removals precede every bundled version).
_DEPRECATED: dict[tuple[str, str], str] = {
    ("batch/v1beta1", "CronJob"): "1.21",
    ("discovery.k8s.io/v1beta1", "EndpointSlice"): "1.21",
    ("events.k8s.io/v1beta1", "Event"): "1.19",
    ("autoscaling/v2beta1", "HorizontalPodAutoscaler"): "1.22",
    ("autoscaling/v2beta2", "HorizontalPodAutoscaler"): "1.23",
    ("policy/v1beta1", "PodDisruptionBudget"): "1.21",
    ("policy/v1beta1", "PodSecurityPolicy"): "1.21",
    ("node.k8s.io/v1beta1", "RuntimeClass"): "1.20",
    ("storage.k8s.io/v1beta1", "CSIStorageCapacity"): "1.24",
    **{
        (f"flowcontrol.apiserver.k8s.io/{version}", kind): deprecated
        for version, deprecated in (("v1beta1", "1.23"), ("v1beta2", "1.26"), ("v1beta3", "1.29"))
        for kind in ("FlowSchema", "PriorityLevelConfiguration")
    },
}

API_LIFECYCLE: dict[tuple[str, str], Lifecycle] = {
    key: Lifecycle(_DEPRECATED.get(key, ""), removed, replacement) for key, (removed, replacement) in _REMOVED.items()
}
