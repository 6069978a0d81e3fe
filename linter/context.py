"""Context facts: what non-workload objects tell about workloads elsewhere in the run.

A fact is a tuple key. Files are linted independently (and in parallel); each reports the facts
its objects provide, and the engine withdraws hits whose ``unless`` names a provided fact.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .normalize.common import Classifier

DEFAULT_NAMESPACE = "default"
CONTRADICTED = "contradicted"


def autoscaled(namespace: str | None, kind: str, name: str) -> tuple[str, ...]:
    """The fact that an autoscaler manages ``kind/name``."""
    return ("autoscaled", namespace or DEFAULT_NAMESPACE, kind, name)


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


def kubernetes_facts(obj: dict[str, Any], classifier: Classifier, file: str = "") -> Iterator[tuple[str, ...]]:
    """Facts provided by one Kubernetes object (HorizontalPodAutoscaler, RuntimeClass, ServiceAccount)."""
    kind = obj.get("kind")
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        meta = {}
    name = meta.get("name")
    if kind == "HorizontalPodAutoscaler":
        spec = obj.get("spec")
        target = spec.get("scaleTargetRef") if isinstance(spec, dict) else None
        if isinstance(target, dict) and isinstance(target.get("kind"), str) and isinstance(target.get("name"), str):
            namespace = meta.get("namespace")
            yield autoscaled(str(namespace) if namespace else None, target["kind"], target["name"])
    elif kind == "ServiceAccount" and isinstance(name, str):
        namespace = meta.get("namespace")
        fact = token_not_automounted(str(namespace) if namespace else None, name)
        if obj.get("automountServiceAccountToken") is False:
            yield fact
            yield token_not_automounted(str(namespace) if namespace else None, name, file)
        else:  # another definition of the same account that mounts the token contradicts it
            yield contradicted(fact)
    elif kind == "RuntimeClass" and isinstance(name, str):
        handler = obj.get("handler")
        if isinstance(handler, str) and handler.lower() in classifier.sandbox_runtimes:
            yield sandbox_class(name)
