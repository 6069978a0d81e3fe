"""Facts derived once per run from the facts every file provided: joins no single file can make."""

from __future__ import annotations

from collections.abc import Iterable

from .context import budget_blocks_autoscaled
from .rbac_context import derived_facts as rbac_facts


def derived_facts(facts: Iterable[tuple[str, ...]]) -> set[tuple[str, ...]]:
    """The RBAC joins (``account_powers``) and the budgets that block eviction at an autoscaler's minimum."""
    facts = tuple(facts)
    return rbac_facts(facts) | blocking_budgets(facts)


def blocking_budgets(facts: Iterable[tuple[str, ...]]) -> set[tuple[str, ...]]:
    """``budget_blocks_autoscaled`` for each PodDisruptionBudget that allows no eviction at the minReplicas of an
    autoscaler of a workload whose pods it selects, with which autoscaler, where, and of which workload."""
    blocked: dict[tuple[str, str, tuple[str, ...]], set[str]] = {}  # (namespace, budget, selector) -> counts
    pods: list[tuple[str, ...]] = []
    scalers: dict[tuple[str, str, str], list[tuple[str, str]]] = {}  # (namespace, kind, name) -> (minimum, where)
    for fact in facts:
        head = fact[0]
        if head == "budget-blocks-at":
            blocked.setdefault((fact[1], fact[2], fact[4:]), set()).add(fact[3])
        elif head == "pods-of":
            pods.append(fact)
        elif head == "autoscaler-minimum" and len(fact) == 6:
            scalers.setdefault((fact[1], fact[2], fact[3]), []).append((fact[4], fact[5]))
    out: set[tuple[str, ...]] = set()
    if not blocked or not scalers:
        return out
    scaled: dict[str, list[tuple[str, str, frozenset[str]]]] = {}  # namespace -> the autoscaled workloads' pods
    for _, namespace, kind, name, *labels in pods:
        if (namespace, kind, name) in scalers:
            scaled.setdefault(namespace, []).append((kind, name, frozenset(labels)))
    for (namespace, budget, selector), counts in blocked.items():
        for kind, name, carried in scaled.get(namespace, ()):
            if carried.issuperset(selector):
                for replicas, where in scalers[(namespace, kind, name)]:
                    if replicas in counts:
                        detail = f"{where} scales {kind} {name} down to {replicas}"
                        out.add((*budget_blocks_autoscaled(namespace, budget), detail))
    return out
