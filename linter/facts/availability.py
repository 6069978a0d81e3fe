"""Facts for availability across objects: the minimum an autoscaler scales a workload down to, the pod labels
of replicated workloads, and the minAvailable of PodDisruptionBudgets (joined once per run in ``vmlint.derived``)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from ..context import MAX_BUDGET_LABELS, autoscaler_minimum, budget_minimum, label_pairs, pods_of
from ..model import Workload
from ..source import get, locate

POLICY_GROUP = "policy/"
AUTOSCALING_GROUP = "autoscaling/"
BETA = "policy/v1beta1"


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _text(mapping: dict[str, Any], key: str) -> bool:
    return isinstance(mapping.get(key), str)


def availability_facts(obj: dict[str, Any], workloads: Sequence[Workload], file: str) -> Iterator[tuple[str, ...]]:
    """``autoscaler_minimum`` of a HorizontalPodAutoscaler, ``budget_minimum`` of a PodDisruptionBudget with an
    exact selector and a minAvailable, ``pods_of`` of each replicated workload made of the object."""
    api, kind, meta = obj.get("apiVersion"), obj.get("kind"), obj.get("metadata")
    if not isinstance(api, str) or not isinstance(kind, str) or not isinstance(meta, dict):
        return
    name = meta.get("name")
    namespace = str(meta["namespace"]) if meta.get("namespace") else None
    spec = obj.get("spec")
    if not isinstance(name, str) or not isinstance(spec, dict):
        return
    if kind == "HorizontalPodAutoscaler" and api.startswith(AUTOSCALING_GROUP):
        target, minimum = spec.get("scaleTargetRef"), spec.get("minReplicas", 1)
        if isinstance(target, dict) and _count(minimum) and _text(target, "kind") and _text(target, "name"):
            at = locate(obj, ("spec", "minReplicas") if "minReplicas" in spec else ("spec",), file)
            where = f"{kind} {name} ({at.file}:{at.line})"
            yield autoscaler_minimum(namespace, target["kind"], target["name"], minimum, where)
    elif kind == "PodDisruptionBudget" and api.startswith(POLICY_GROUP):
        selector, minimum = spec.get("selector"), spec.get("minAvailable")
        if not isinstance(selector, dict) or selector.get("matchExpressions"):
            return
        labels = selector.get("matchLabels") or {}
        counted = isinstance(minimum, int | str) and not isinstance(minimum, bool)
        # an empty v1beta1 selector selects no pod
        if isinstance(labels, dict) and counted and len(labels) <= MAX_BUDGET_LABELS and (labels or api != BETA):
            yield budget_minimum(namespace, name, str(minimum), label_pairs(labels))
    for workload in workloads:
        if workload.format == "kubernetes" and workload.scaling is not None and workload.pod_spec_path:
            labels = get(obj, (*workload.pod_spec_path[:-1], "metadata", "labels"))
            pairs = label_pairs(labels) if isinstance(labels, dict) else ()
            yield pods_of(namespace, workload.kind, workload.name, pairs)
