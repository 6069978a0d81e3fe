"""Facts for network isolation and references: NetworkPolicies and what they select, Services, pod ports."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from ..context import (
    MAX_POD_SELECTOR_LABELS,
    headless_service,
    label_pairs,
    label_subsets,
    namespace_has,
    network_policy,
    network_policy_in,
    network_policy_selecting,
    pods_declare_ports,
    pods_port,
)
from ..model import Workload
from ..source import get

NETWORK_GROUPS = ("networking.k8s.io/", "extensions/")


def network_facts(obj: dict[str, Any], workloads: Sequence[Workload]) -> Iterator[tuple[str, ...]]:
    """What one object tells about its namespace: NetworkPolicies and their selectors, that it has Services
    or workloads, and the container ports of its pods by pod label subset."""
    api, kind, meta = obj.get("apiVersion"), obj.get("kind"), obj.get("metadata")
    if not isinstance(api, str) or not isinstance(kind, str):
        return
    meta = meta if isinstance(meta, dict) else {}
    namespace = str(meta["namespace"]) if meta.get("namespace") else None
    if kind == "NetworkPolicy" and api.startswith(NETWORK_GROUPS):
        name = meta.get("name")
        yield network_policy(namespace, str(name) if name is not None else "<unnamed>")
        yield network_policy_in(namespace)
        spec = obj.get("spec")
        selector = spec.get("podSelector") if isinstance(spec, dict) else None
        labels = selector.get("matchLabels") if isinstance(selector, dict) else None
        pairs = label_pairs(labels) if isinstance(labels, dict) else ()
        exact = isinstance(selector, dict) and not selector.get("matchExpressions") and isinstance(labels, dict | None)
        if not exact or len(pairs) > MAX_POD_SELECTOR_LABELS:
            yield network_policy_selecting(namespace, ())  # taken to cover the namespace, as budgets are
        else:
            yield network_policy_selecting(namespace, pairs)
    elif kind == "Service" and api == "v1":
        yield namespace_has(namespace, "services")
        spec = obj.get("spec")
        if isinstance(spec, dict) and spec.get("clusterIP") == "None" and isinstance(meta.get("name"), str):
            yield headless_service(namespace, meta["name"])
    pods = [w for w in workloads if w.format == "kubernetes" and w.pod_spec_path and w.role != "object"]
    if not pods:
        return
    yield namespace_has(namespace, "workloads")
    for pod in pods:
        yield from _port_facts(obj, pod, namespace)


def _port_facts(obj: dict[str, Any], pod: Workload, namespace: str | None) -> Iterator[tuple[str, ...]]:
    """``pods_port`` for each container port (number and name) and each pod label subset a Service may select."""
    ports: set[str] = set()
    for unit in pod.containers():
        for port in unit.ports:
            if port.port is not None:
                ports.add(str(port.port))
            name = get(obj, (*port.path, "name"))
            if isinstance(name, str):
                ports.add(name)
    if not ports:
        return
    spec_path = pod.pod_spec_path
    labels = get(obj, (*spec_path[:-1], "metadata", "labels") if len(spec_path) > 1 else ("metadata", "labels"))
    ordered = sorted(ports)
    for subset in label_subsets(label_pairs(labels) if isinstance(labels, dict) else ()):
        for number_or_name in ordered:
            yield pods_port(namespace, number_or_name, subset)
        yield pods_declare_ports(namespace, subset)
