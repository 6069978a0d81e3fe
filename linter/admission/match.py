"""Which objects a ValidatingAdmissionPolicy (and its binding) applies to, as the API server decides on create."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..rules.model import Selector, selector

CLUSTER_SCOPED = frozenset(
    {
        "Namespace",
        "Node",
        "PersistentVolume",
        "ClusterRole",
        "ClusterRoleBinding",
        "StorageClass",
        "CustomResourceDefinition",
        "RuntimeClass",
        "PriorityClass",
        "IngressClass",
        "CSIDriver",
        "CSINode",
        "APIService",
        "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "VolumeAttachment",
    }
)
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"


def group_version(api_version: str) -> tuple[str, str]:
    """``apps/v1`` -> ("apps", "v1"); ``v1`` -> ("", "v1")."""
    group, _, version = api_version.rpartition("/")
    return group, version


def resource_name(kind: str) -> str:
    """The plural resource of a kind, as the API serves it (``NetworkPolicy`` -> ``networkpolicies``)."""
    lower = kind.lower()
    if lower.endswith("endpoints"):
        return lower
    if lower.endswith(("s", "x", "ch", "sh")):
        return lower + "es"
    if lower.endswith("y") and lower[-2:-1] not in ("a", "e", "i", "o", "u"):
        return lower[:-1] + "ies"
    return lower + "s"


@dataclass(frozen=True, slots=True)
class ResourceRule:
    """One ``resourceRules`` entry."""

    groups: frozenset[str]
    versions: frozenset[str]
    resources: frozenset[str]
    operations: frozenset[str]
    names: frozenset[str]

    def matches(self, group: str, version: str, resource: str, name: str) -> bool:
        if "CREATE" not in self.operations and "*" not in self.operations:
            return False
        if "*" not in self.groups and group not in self.groups:
            return False
        if "*" not in self.versions and version not in self.versions:
            return False
        if not ({"*", "*/*", resource} & self.resources):
            return False
        return not self.names or name in self.names


def _strings(value: Any) -> frozenset[str]:
    return frozenset(str(v) for v in value) if isinstance(value, list) else frozenset()


def resource_rules(value: Any) -> tuple[ResourceRule, ...]:
    return tuple(
        ResourceRule(
            _strings(r.get("apiGroups")),
            _strings(r.get("apiVersions")),
            _strings(r.get("resources")),
            _strings(r.get("operations")),
            _strings(r.get("resourceNames")),
        )
        for r in value or ()
        if isinstance(r, Mapping)
    )


@dataclass(frozen=True, slots=True)
class MatchResources:
    """``matchConstraints`` of a policy or ``matchResources`` of a binding."""

    rules: tuple[ResourceRule, ...] = ()
    excluded: tuple[ResourceRule, ...] = ()
    namespaces: Selector | None = None
    objects: Selector | None = None
    given: bool = False  # a binding without matchResources narrows nothing

    def matches(self, obj: Mapping[str, Any], namespace_labels: Mapping[str, Any] | None) -> bool:
        if not self.given:
            return True
        kind = str(obj.get("kind", ""))
        group, version = group_version(str(obj.get("apiVersion", "")))
        meta = obj.get("metadata") if isinstance(obj.get("metadata"), Mapping) else {}
        name = str(meta.get("name", "")) if isinstance(meta, Mapping) else ""
        resource = resource_name(kind)
        if self.rules and not any(r.matches(group, version, resource, name) for r in self.rules):
            return False
        if any(r.matches(group, version, resource, name) for r in self.excluded):
            return False
        labels = meta.get("labels") if isinstance(meta, Mapping) else None
        if self.objects is not None and not self.objects.matches(labels if isinstance(labels, Mapping) else {}):
            return False
        if self.namespaces is not None:
            if kind == "Namespace":
                return self.namespaces.matches(labels if isinstance(labels, Mapping) else {})
            if namespace_labels is not None and not self.namespaces.matches(namespace_labels):
                return False
        return True


def match_resources(value: Any) -> MatchResources:
    if not isinstance(value, Mapping):
        return MatchResources()
    return MatchResources(
        resource_rules(value.get("resourceRules")),
        resource_rules(value.get("excludeResourceRules")),
        selector(value.get("namespaceSelector")),
        selector(value.get("objectSelector")),
        given=True,
    )
