"""Facts for availability across objects: the minimum an autoscaler scales a workload down to, the pod labels
of replicated workloads, and the replica counts at which a PodDisruptionBudget allows no eviction (joined once
per run in ``vmlint.derived``)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from ..context import (
    MAX_BLOCKED_MINIMUM,
    MAX_BUDGET_LABELS,
    autoscaler_minimum,
    budget_blocks_at,
    label_pairs,
    pods_of,
)
from ..model import Workload
from ..source import get, locate

POLICY_GROUP = "policy/"
AUTOSCALING_GROUP = "autoscaling/"
BETA = "policy/v1beta1"
PERCENTS = {f"{n}%": n for n in range(101)}  # the percentages a minAvailable may be, as written


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _blocked(minimum: object) -> range:
    """The replica counts at which a minAvailable of ``minimum`` leaves no pod to evict (a percentage rounds up,
    as the disruption controller rounds it: p% of r blocks when r * (100 - p) < 100)."""
    if isinstance(minimum, int) and not isinstance(minimum, bool):
        return range(1, min(minimum, MAX_BLOCKED_MINIMUM) + 1)
    percent = PERCENTS.get(minimum) if isinstance(minimum, str) else None
    if percent is None or percent == 100:  # 100% blocks at any scale: pdb-allows-no-disruption's (VM508) finding
        return range(0)
    return range(1, min(99 // (100 - percent), MAX_BLOCKED_MINIMUM) + 1)


def _text(mapping: dict[str, Any], key: str) -> bool:
    return isinstance(mapping.get(key), str)


def availability_facts(obj: dict[str, Any], workloads: Sequence[Workload], file: str) -> Iterator[tuple[str, ...]]:
    """``autoscaler_minimum`` of a HorizontalPodAutoscaler, ``budget_blocks_at`` of a PodDisruptionBudget with an
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
        # an empty v1beta1 selector selects no pod
        if isinstance(labels, dict) and len(labels) <= MAX_BUDGET_LABELS and (labels or api != BETA):
            pairs = label_pairs(labels)
            yield from (budget_blocks_at(namespace, name, count, pairs) for count in _blocked(minimum))
    for workload in workloads:
        if workload.format == "kubernetes" and workload.scaling is not None and workload.pod_spec_path:
            labels = get(obj, (*workload.pod_spec_path[:-1], "metadata", "labels"))
            pairs = label_pairs(labels) if isinstance(labels, dict) else ()
            yield pods_of(namespace, workload.kind, workload.name, pairs)
