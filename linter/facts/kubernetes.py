"""Facts from Kubernetes objects: existence, replication, pod labels, autoscalers, budgets, accounts, runtimes."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ..context import (
    MAX_AUTOSCALED_MINIMUM,
    absent,
    autoscaled,
    autoscaled_at_least,
    contradicted,
    defined,
    disruption_budget,
    label_pairs,
    label_subsets,
    pods_labelled,
    replicas_managed,
    sandbox_class,
    token_not_automounted,
)
from ..model import Workload
from ..normalize.common import Classifier
from ..normalize.kubernetes import workload_ref


def _pod_labels(obj: dict[str, Any], workloads: Sequence[Workload]) -> Mapping[Any, Any] | None:
    """The labels of the object's pods, from where its normaliser found the pod spec (None: it has no pods)."""
    spec_path = next((w.pod_spec_path for w in workloads if w.format == "kubernetes" and w.pod_spec_path), None)
    if spec_path is None:
        return None
    node: Any = obj
    for part in spec_path[:-1] + ("metadata", "labels") if len(spec_path) > 1 else ("metadata", "labels"):
        node = node.get(part) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else {}


def _selector_facts(namespace: str | None, spec: Any) -> Iterator[tuple[str, ...]]:
    """A PodDisruptionBudget's selector; one with matchExpressions counts as covering its whole namespace."""
    selector = spec.get("selector") if isinstance(spec, dict) else None
    if not isinstance(selector, dict):
        return
    match_labels = selector.get("matchLabels") or {}
    if selector.get("matchExpressions") or not isinstance(match_labels, dict):
        yield disruption_budget(namespace, ())
    else:
        yield disruption_budget(namespace, label_pairs(match_labels))


def kubernetes_facts(
    obj: dict[str, Any], workloads: Sequence[Workload], classifier: Classifier, file: str = ""
) -> Iterator[tuple[str, ...]]:
    """Facts provided by one Kubernetes object and the workloads normalised from it: that it exists, that it
    is replicated (it has a scaling), the labels of its pods, and what autoscalers, PodDisruptionBudgets,
    RuntimeClasses and ServiceAccounts say about others."""
    kind = obj.get("kind")
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        meta = {}
    name = meta.get("name")
    raw_namespace = meta.get("namespace")
    namespace = str(raw_namespace) if raw_namespace else None
    if isinstance(kind, str) and isinstance(name, str):
        yield defined(namespace, kind, name)
        if any(w.format == "kubernetes" and w.scaling is not None for w in workloads):
            yield absent(autoscaled(namespace, kind, name))
    labels = _pod_labels(obj, workloads) if isinstance(obj.get("apiVersion"), str) and isinstance(kind, str) else None
    if labels is not None:
        yield from (pods_labelled(namespace, subset) for subset in label_subsets(label_pairs(labels)))
    ref = workload_ref(obj) if isinstance(obj.get("apiVersion"), str) and isinstance(kind, str) else None
    if ref is not None:
        yield replicas_managed(namespace, *ref)
    if kind == "HorizontalPodAutoscaler":
        spec = obj.get("spec")
        target = spec.get("scaleTargetRef") if isinstance(spec, dict) else None
        if isinstance(target, dict) and isinstance(target.get("kind"), str) and isinstance(target.get("name"), str):
            yield autoscaled(namespace, target["kind"], target["name"])
            yield contradicted(absent(autoscaled(namespace, target["kind"], target["name"])))
            minimum = spec.get("minReplicas", 1) if isinstance(spec, dict) else 1
            if isinstance(minimum, int) and not isinstance(minimum, bool):
                for count in range(1, min(minimum, MAX_AUTOSCALED_MINIMUM) + 1):
                    yield autoscaled_at_least(namespace, target["kind"], target["name"], count)
    elif kind == "PodDisruptionBudget":
        yield from _selector_facts(namespace, obj.get("spec"))
    elif kind == "ServiceAccount" and isinstance(name, str):
        fact = token_not_automounted(namespace, name)
        if obj.get("automountServiceAccountToken") is False:
            yield fact
            yield token_not_automounted(namespace, name, file)
        else:  # another definition of the same account that mounts the token contradicts it
            yield contradicted(fact)
    elif kind == "RuntimeClass" and isinstance(name, str):
        handler = obj.get("handler")
        if isinstance(handler, str) and handler.lower() in classifier.sandbox_runtimes:
            yield sandbox_class(name)
