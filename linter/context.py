"""Context facts: what non-workload objects tell about workloads elsewhere in the run.

A fact is a tuple key. Files are linted independently (and in parallel); each reports the facts
its objects provide, and the engine withdraws hits whose ``unless`` names a provided fact.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .normalize.common import Classifier

DEFAULT_NAMESPACE = "default"


def autoscaled(namespace: str | None, kind: str, name: str) -> tuple[str, ...]:
    """The fact that an autoscaler manages ``kind/name``."""
    return ("autoscaled", namespace or DEFAULT_NAMESPACE, kind, name)


def sandbox_class(name: str) -> tuple[str, ...]:
    """The fact that a RuntimeClass called ``name`` runs pods in a sandbox."""
    return ("sandbox-runtime-class", name)


def kubernetes_facts(obj: dict[str, Any], classifier: Classifier) -> Iterator[tuple[str, ...]]:
    """Facts provided by one Kubernetes object (HorizontalPodAutoscaler, RuntimeClass)."""
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
    elif kind == "RuntimeClass" and isinstance(name, str):
        handler = obj.get("handler")
        if isinstance(handler, str) and handler.lower() in classifier.sandbox_runtimes:
            yield sandbox_class(name)
