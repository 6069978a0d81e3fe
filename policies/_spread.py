"""Whether a Kubernetes pod template spreads its own replicas over nodes (anti-affinity or topology spread)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vmlint.model import Workload
from vmlint.source import Path, get


def pod_labels(workload: Workload) -> dict[str, str]:
    """The labels of the pods a workload creates (its pod template's, or a bare pod's own)."""
    spec_path = workload.pod_spec_path
    meta_path: Path = spec_path[:-1] + ("metadata",) if len(spec_path) > 1 else ("metadata",)
    labels = get(workload.document, meta_path + ("labels",))
    if not isinstance(labels, dict):
        return {}
    return {str(key): str(value) for key, value in labels.items() if value is not None}


def _expression_holds(expression: Any, labels: dict[str, str]) -> bool:
    if not isinstance(expression, dict) or not isinstance(expression.get("key"), str):
        return False
    key, operator = expression["key"], expression.get("operator")
    values = expression.get("values")
    wanted = [str(v) for v in values] if isinstance(values, list) else []
    if operator == "In":
        return labels.get(key) in wanted
    if operator == "NotIn":
        return labels.get(key) not in wanted
    if operator == "Exists":
        return key in labels
    if operator == "DoesNotExist":
        return key not in labels
    return False


def selects(selector: Any, labels: dict[str, str]) -> bool:
    """True when a non-empty label selector matches ``labels`` (matchLabels and matchExpressions)."""
    if not isinstance(selector, dict):
        return False
    match_labels = selector.get("matchLabels") or {}
    expressions = selector.get("matchExpressions") or []
    if not isinstance(match_labels, dict) or not isinstance(expressions, list) or not (match_labels or expressions):
        return False
    return all(labels.get(str(key)) == str(value) for key, value in match_labels.items()) and all(
        _expression_holds(expression, labels) for expression in expressions
    )


def _terms(pod: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Anti-affinity terms and topology spread constraints: mappings with labelSelector and topologyKey."""
    affinity = pod.get("affinity")
    anti = affinity.get("podAntiAffinity") if isinstance(affinity, dict) else None
    if isinstance(anti, dict):
        required = anti.get("requiredDuringSchedulingIgnoredDuringExecution")
        preferred = anti.get("preferredDuringSchedulingIgnoredDuringExecution")
        for term in required if isinstance(required, list) else []:
            if isinstance(term, dict):
                yield term
        for weighted in preferred if isinstance(preferred, list) else []:
            term = weighted.get("podAffinityTerm") if isinstance(weighted, dict) else None
            if isinstance(term, dict):
                yield term
    spread = pod.get("topologySpreadConstraints")
    for constraint in spread if isinstance(spread, list) else []:
        if isinstance(constraint, dict):
            yield constraint


def spreads_over_nodes(workload: Workload) -> bool:
    """True when an anti-affinity term or a spread constraint keeps the workload's own pods apart.

    Any topology key does: its domains are disjoint sets of nodes, so pods in different domains are on
    different nodes.
    """
    pod = get(workload.document, workload.pod_spec_path)
    if not isinstance(pod, dict):
        return False
    labels = pod_labels(workload)
    return any(
        isinstance(term.get("topologyKey"), str)
        and bool(term["topologyKey"])
        and selects(term.get("labelSelector"), labels)
        for term in _terms(pod)
    )
