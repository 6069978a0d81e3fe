"""Facts for references between objects: the Services a ServiceMonitor may select, the ServiceAccounts, Secrets
and ConfigMaps (with their keys) that workloads name, the objects that make Secrets or ConfigMaps, and the
LimitRanges and ResourceQuotas that bound a namespace."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..context import (
    ANY_NAMESPACE,
    defined,
    generated,
    label_pairs,
    label_subsets,
    namespace_bounded,
    namespace_has,
    object_key,
    object_keys_open,
    services_labelled,
)

# Secret types whose keys Kubernetes fills in itself.
FILLED_SECRET_TYPES = ("kubernetes.io/service-account-token",)
GENERATORS = {"secretGenerator": "Secret", "configMapGenerator": "ConfigMap"}


def reference_facts(obj: dict[str, Any]) -> Iterator[tuple[str, ...]]:
    """What one object tells about the targets of references: its labels as a Service, that it is (or makes) a
    ServiceAccount, Secret or ConfigMap of its namespace, and the data keys it holds."""
    api, kind, meta = obj.get("apiVersion"), obj.get("kind"), obj.get("metadata")
    if not isinstance(api, str) or not isinstance(kind, str):
        return
    meta = meta if isinstance(meta, dict) else {}
    namespace = str(meta["namespace"]) if meta.get("namespace") else None
    name = meta.get("name")
    if kind == "Kustomization" and api.startswith("kustomize.config.k8s.io/"):
        yield from _generated(obj)
    if not isinstance(name, str):
        return
    if api == "v1":
        if kind == "Service":
            yield from _service_labels(namespace, meta.get("labels"))
        elif kind in ("LimitRange", "ResourceQuota"):
            yield namespace_bounded(namespace, kind)
        elif kind == "ServiceAccount":
            yield namespace_has(namespace, "service-accounts")
        elif kind == "Secret":
            yield namespace_has(namespace, "secrets")
            keys = [*_keys(obj.get("data")), *_keys(obj.get("stringData"))]
            if not keys or obj.get("type") in FILLED_SECRET_TYPES:
                yield object_keys_open(namespace, "Secret", name)
            yield from (object_key(namespace, "Secret", name, key) for key in keys)
        elif kind == "ConfigMap":
            yield namespace_has(namespace, "configmaps")
            keys = [*_keys(obj.get("data")), *_keys(obj.get("binaryData"))]
            if not keys:
                yield object_keys_open(namespace, "ConfigMap", name)
            yield from (object_key(namespace, "ConfigMap", name, key) for key in keys)
    elif kind == "SealedSecret" and api.startswith("bitnami.com/"):
        spec = obj.get("spec")
        yield namespace_has(namespace, "secrets")
        yield defined(namespace, "Secret", name)
        encrypted = spec.get("encryptedData") if isinstance(spec, dict) else None
        keys = list(_keys(encrypted))
        if not keys:
            yield object_keys_open(namespace, "Secret", name)
        yield from (object_key(namespace, "Secret", name, key) for key in keys)
    elif kind == "ExternalSecret" and api.startswith("external-secrets.io/"):
        spec = obj.get("spec")
        target = spec.get("target") if isinstance(spec, dict) else None
        secret = target.get("name") if isinstance(target, dict) and target.get("name") else name
        yield namespace_has(namespace, "secrets")
        yield defined(namespace, "Secret", str(secret))
        yield object_keys_open(namespace, "Secret", str(secret))


def _keys(data: Any) -> Iterator[str]:
    if isinstance(data, dict):
        yield from (str(key) for key in data)


def _service_labels(namespace: str | None, labels: Any) -> Iterator[tuple[str, ...]]:
    """Every subset of up to three labels, in its namespace and in any; a Service with more labels than are
    enumerated (``label_subsets``) is taken to match every selector (``services_labelled`` of no labels)."""
    yield namespace_has(ANY_NAMESPACE, "services")
    for subset in label_subsets(label_pairs(labels) if isinstance(labels, dict) else ()):
        yield services_labelled(namespace, subset)
        yield services_labelled(ANY_NAMESPACE, subset)


def _generated(obj: dict[str, Any]) -> Iterator[tuple[str, ...]]:
    """A Kustomization's generators make Secrets and ConfigMaps (their namespace and keys are not judged)."""
    for field, kind in GENERATORS.items():
        items = obj.get(field)
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                yield generated(kind, item["name"])
