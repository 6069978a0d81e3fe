"""Context facts, the vocabulary: what objects tell about workloads elsewhere in the run.

A fact is a tuple key. Files are linted independently (and in parallel); each reports the facts
its objects provide (``vmlint.facts`` builds them), and the run withdraws hits whose ``unless`` names
a provided fact that no file contradicts (``effective``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import combinations
from typing import Any

DEFAULT_NAMESPACE = "default"
CONTRADICTED = "contradicted"
ABSENT = "absent"
# Pods provide their label subsets up to this size; a NetworkPolicy selecting on more labels is not judged.
MAX_POD_SELECTOR_LABELS = 3
# A pod or Service with more labels than this is not enumerated (60 labels have 36,050 subsets of up to three): it
# is taken to carry any selector's labels, facts of no labels (``pods_labelled``, ``pods_port``, ``services_labelled``).
MAX_ENUMERATED_LABELS = 32
# A workload enumerates every subset of its pod labels against PodDisruptionBudget selectors, up to this many labels.
MAX_BUDGET_LABELS = 12


def autoscaled(namespace: str | None, kind: str, name: str) -> tuple[str, ...]:
    """The fact that an autoscaler manages ``kind/name``."""
    return ("autoscaled", namespace or DEFAULT_NAMESPACE, kind, name)


MAX_AUTOSCALED_MINIMUM = 10


def autoscaled_at_least(namespace: str | None, kind: str, name: str, replicas: int) -> tuple[str, ...]:
    """The fact that an autoscaler keeps at least ``replicas`` (capped at ``MAX_AUTOSCALED_MINIMUM``) of
    ``kind/name``; an autoscaler provides one for each count up to its minReplicas (default 1)."""
    return (
        "autoscaled-at-least",
        namespace or DEFAULT_NAMESPACE,
        kind,
        name,
        str(min(replicas, MAX_AUTOSCALED_MINIMUM)),
    )


def replicas_managed(namespace: str | None, kind: str, name: str) -> tuple[str, ...]:
    """The fact that another object (an Argo Rollout's ``workloadRef``) runs the pods of ``kind/name``."""
    return ("replicas-managed", namespace or DEFAULT_NAMESPACE, kind, name)


def sandbox_class(name: str) -> tuple[str, ...]:
    """The fact that a RuntimeClass called ``name`` runs pods in a sandbox."""
    return ("sandbox-runtime-class", name)


def contradicted(fact: tuple[str, ...]) -> tuple[str, ...]:
    """A fact that cancels ``fact`` for the whole run (two definitions of one object disagree)."""
    return (CONTRADICTED, *fact)


def effective(provided: frozenset[tuple[str, ...]]) -> frozenset[tuple[str, ...]]:
    """The provided facts that no file contradicts."""
    cancelled = {fact[1:] for fact in provided if fact[:1] == (CONTRADICTED,)}
    return frozenset(fact for fact in provided if fact not in cancelled and fact[:1] != (CONTRADICTED,))


def token_not_automounted(namespace: str | None, service_account: str, file: str | None = None) -> tuple[str, ...]:
    """The fact that a ServiceAccount sets ``automountServiceAccountToken: false`` (in ``file``, if given).

    The file-scoped form lets a definition beside the workload win over contradicting ones elsewhere.
    """
    fact = ("service-account-token-not-automounted", namespace or DEFAULT_NAMESPACE, service_account)
    return fact if file is None else (*fact, file)


def absent(fact: tuple[str, ...]) -> tuple[str, ...]:
    """The presumption that nothing provides ``fact``: its subject provides it, and whoever provides ``fact``
    contradicts it. A hit ``unless=(absent(fact),)`` therefore stands only when ``fact`` is provided."""
    return (ABSENT, *fact)


def defined(namespace: str | None, kind: str, name: str) -> tuple[str, ...]:
    """The fact that an object ``kind/name`` is in the run."""
    return ("defined", namespace or DEFAULT_NAMESPACE, kind, name)


def label_pairs(labels: Mapping[Any, Any]) -> tuple[str, ...]:
    """Labels as sorted ``key=value`` texts (the one spelling both sides of a selector fact use)."""
    return tuple(sorted(f"{key}={_label_text(value)}" for key, value in labels.items() if value is not None))


def _label_text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def pods_labelled(namespace: str | None, pairs: tuple[str, ...]) -> tuple[str, ...]:
    """The fact that some pod in ``namespace`` carries all of ``pairs`` (see ``label_pairs``)."""
    return ("pods-labelled", namespace or DEFAULT_NAMESPACE, *pairs)


def disruption_budget(namespace: str | None, pairs: tuple[str, ...]) -> tuple[str, ...]:
    """The fact that a PodDisruptionBudget in ``namespace`` selects exactly the pods carrying ``pairs``."""
    return ("disruption-budget", namespace or DEFAULT_NAMESPACE, *pairs)


def budgets_covering(namespace: str | None, labels: Mapping[Any, Any]) -> tuple[tuple[str, ...], ...] | None:
    """The budget facts any one of which covers pods with ``labels`` (None: too many labels to enumerate)."""
    pairs = label_pairs(labels)
    if len(pairs) > MAX_BUDGET_LABELS:
        return None
    return tuple(
        disruption_budget(namespace, subset) for size in range(len(pairs) + 1) for subset in combinations(pairs, size)
    )


def namespace_has(namespace: str | None, what: str) -> tuple[str, ...]:
    """The fact that the run has ``what`` ("workloads", "services") in ``namespace``: a reference there to a
    missing object is judged only then (the run could have contained it)."""
    return ("namespace-has", namespace or DEFAULT_NAMESPACE, what)


def pods_port(namespace: str | None, port: str, pairs: tuple[str, ...]) -> tuple[str, ...]:
    """The fact that some pod carrying all of ``pairs`` declares container port ``port`` (a number or a name)."""
    return ("pods-port", namespace or DEFAULT_NAMESPACE, port, *pairs)


def network_policy(namespace: str | None, name: str) -> tuple[str, ...]:
    """The fact that NetworkPolicy ``name`` is in ``namespace`` (the prefix without the name: it has some)."""
    return ("network-policy", namespace or DEFAULT_NAMESPACE, name)


def network_policy_in(namespace: str | None) -> tuple[str, ...]:
    """The fact that ``namespace`` has at least one NetworkPolicy."""
    return ("network-policy-in", namespace or DEFAULT_NAMESPACE)


def network_policy_selecting(namespace: str | None, pairs: tuple[str, ...]) -> tuple[str, ...]:
    """The fact that a NetworkPolicy in ``namespace`` selects exactly the pods carrying ``pairs`` (() is all)."""
    return ("network-policy-selects", namespace or DEFAULT_NAMESPACE, *pairs)


def label_subsets(pairs: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    """The label subsets a pod or a Service with ``pairs`` provides facts for: each of one to
    ``MAX_POD_SELECTOR_LABELS`` labels, or only the empty one (any selector) when it has more than
    ``MAX_ENUMERATED_LABELS`` labels."""
    if len(pairs) > MAX_ENUMERATED_LABELS:
        yield ()
        return
    for size in range(1, min(len(pairs), MAX_POD_SELECTOR_LABELS) + 1):
        yield from combinations(pairs, size)


def selections_covering(namespace: str | None, labels: Mapping[Any, Any]) -> tuple[tuple[str, ...], ...]:
    """The NetworkPolicy selector facts any one of which selects pods with ``labels``: every subset of them of up
    to ``MAX_POD_SELECTOR_LABELS`` labels (a policy selecting on more is taken to cover its namespace). Pods with
    more than ``MAX_ENUMERATED_LABELS`` labels are taken to be selected by any NetworkPolicy of their namespace."""
    pairs = label_pairs(labels)
    if len(pairs) > MAX_ENUMERATED_LABELS:
        return (network_policy_in(namespace),)
    return tuple(
        network_policy_selecting(namespace, subset)
        for size in range(min(len(pairs), MAX_POD_SELECTOR_LABELS) + 1)
        for subset in combinations(pairs, size)
    )


def headless_service(namespace: str | None, name: str) -> tuple[str, ...]:
    """The fact that a headless Service (``clusterIP: None``) called ``name`` is in ``namespace``."""
    return ("headless-service", namespace or DEFAULT_NAMESPACE, name)


def pods_declare_ports(namespace: str | None, pairs: tuple[str, ...]) -> tuple[str, ...]:
    """The fact that some pod carrying all of ``pairs`` declares container ports (declaring them is optional)."""
    return ("pods-declare-ports", namespace or DEFAULT_NAMESPACE, *pairs)


ANY_NAMESPACE = "*"  # not a valid namespace name: stands for "some namespace" where a selector spans them all


def services_labelled(namespace: str | None, pairs: tuple[str, ...]) -> tuple[str, ...]:
    """The fact that some Service in ``namespace`` (``ANY_NAMESPACE``: in any) carries all of ``pairs``."""
    return ("services-labelled", namespace or DEFAULT_NAMESPACE, *pairs)


def object_key(namespace: str | None, kind: str, name: str, key: str) -> tuple[str, ...]:
    """The fact that Secret or ConfigMap ``kind/name`` has the data key ``key``."""
    return ("object-key", namespace or DEFAULT_NAMESPACE, kind, name, key)


def object_keys_open(namespace: str | None, kind: str, name: str) -> tuple[str, ...]:
    """The fact that the keys of ``kind/name`` are not known from the run (filled in by a controller)."""
    return ("object-keys-open", namespace or DEFAULT_NAMESPACE, kind, name)


def generated(kind: str, name: str) -> tuple[str, ...]:
    """The fact that a generator in the run (a Kustomization's secretGenerator ...) makes ``kind/name``."""
    return ("generated", kind, name)


def autoscaler_minimum(namespace: str | None, kind: str, name: str, minimum: int, where: str) -> tuple[str, ...]:
    """The fact that an autoscaler (``where``: "Kind name (file:line)") scales ``kind/name`` down to ``minimum``."""
    return ("autoscaler-minimum", namespace or DEFAULT_NAMESPACE, kind, name, str(minimum), where)


def pods_of(namespace: str | None, kind: str, name: str, pairs: tuple[str, ...]) -> tuple[str, ...]:
    """The fact that the pods of replicated workload ``kind/name`` carry exactly the labels ``pairs``."""
    return ("pods-of", namespace or DEFAULT_NAMESPACE, kind, name, *pairs)


MAX_BLOCKED_MINIMUM = 100  # budgets are judged against autoscaler minimums up to this many replicas


def budget_blocks_at(namespace: str | None, name: str, replicas: int, pairs: tuple[str, ...]) -> tuple[str, ...]:
    """The fact that PodDisruptionBudget ``name``, selecting the pods with ``pairs``, allows no eviction when
    ``replicas`` of them run (its minAvailable is at least that many); one for each count it blocks."""
    return ("budget-blocks-at", namespace or DEFAULT_NAMESPACE, name, str(replicas), *pairs)


def budget_blocks_autoscaled(namespace: str | None, name: str) -> tuple[str, ...]:
    """The prefix of the derived facts that PodDisruptionBudget ``name`` allows no eviction at an autoscaler's
    minimum; the part after it says which autoscaler, where, and of what."""
    return ("budget-blocks-autoscaled", namespace or DEFAULT_NAMESPACE, name)


def namespace_bounded(namespace: str | None, kind: str) -> tuple[str, ...]:
    """The fact that ``namespace`` has a ``kind`` (LimitRange, ResourceQuota) in the run."""
    return ("namespace-bounded", namespace or DEFAULT_NAMESPACE, kind)
