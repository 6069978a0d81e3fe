"""Facts derived once per run from the facts every file provided: joins no single file can make."""

from __future__ import annotations

import math
from collections.abc import Iterable

from .context import budget_blocks_autoscaled
from .rbac_context import derived_facts as rbac_facts


def derived_facts(facts: Iterable[tuple[str, ...]]) -> set[tuple[str, ...]]:
    """The RBAC joins (``account_powers``) and the budgets that block eviction at an autoscaler's minimum."""
    facts = tuple(facts)
    return rbac_facts(facts) | blocking_budgets(facts)


def _blocks(minimum: str, replicas: int) -> bool:
    """True when a minAvailable of ``minimum`` leaves no pod to evict out of ``replicas`` (percentages round up,
    as the disruption controller rounds them)."""
    if minimum.endswith("%") and minimum[:-1].isdigit():
        return math.ceil(int(minimum[:-1]) * replicas / 100) >= replicas
    return minimum.isdigit() and int(minimum) >= replicas


def blocking_budgets(facts: Iterable[tuple[str, ...]]) -> set[tuple[str, ...]]:
    """``budget_blocks_autoscaled`` for each PodDisruptionBudget whose minAvailable is at least the minReplicas of
    an autoscaler of a workload whose pods it selects, with which autoscaler, where, and of which workload."""
    budgets: list[tuple[str, ...]] = []
    pods: dict[str, list[tuple[str, ...]]] = {}
    scalers: dict[tuple[str, ...], list[tuple[int, str]]] = {}
    for fact in facts:
        head = fact[0]
        if head == "budget-minimum":
            budgets.append(fact)
        elif head == "pods-of":
            pods.setdefault(fact[1], []).append(fact)
        elif head == "autoscaler-minimum" and len(fact) == 6:
            scalers.setdefault((fact[1], fact[2], fact[3]), []).append((int(fact[4]), fact[5]))
    out: set[tuple[str, ...]] = set()
    if not budgets or not scalers:
        return out
    for _, namespace, budget, minimum, *selector in budgets:
        for _, _, kind, name, *labels in pods.get(namespace, ()):
            if not set(selector) <= set(labels):
                continue
            for replicas, where in scalers.get((namespace, kind, name), ()):
                if _blocks(minimum, replicas):
                    detail = f"{where} scales {kind} {name} down to {replicas}"
                    out.add((*budget_blocks_autoscaled(namespace, budget), detail))
    return out
