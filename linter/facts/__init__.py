"""The facts stage: what a file's objects and the workloads normalised from them provide to the whole run.

Facts are keyed tuples (vocabulary: ``vmlint.context``, ``vmlint.vm_context``); policies name them in a hit's
``unless`` and ``Report.from_results`` withdraws the hits whose facts some file provides. A new kind of fact is
a builder here reading objects or workload fields, never a call from a format's loader.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..model import Workload
from ..normalize.common import Classifier
from .availability import availability_facts
from .kubernetes import kubernetes_facts
from .network import network_facts
from .rbac import rbac_facts
from .references import reference_facts
from .vm import vm_facts

__all__ = ["kubernetes_facts", "provided_facts", "vm_facts"]


def provided_facts(
    objects: Iterable[dict[str, Any]], workloads: Iterable[Workload], classifier: Classifier, file: str
) -> set[tuple[str, ...]]:
    """The facts a file's Kubernetes objects provide, each object read with the workloads made of it."""
    made_of: dict[int, list[Workload]] = {}
    for workload in workloads:
        if not workload.path:
            made_of.setdefault(id(workload.document), []).append(workload)
    facts: set[tuple[str, ...]] = set()
    for obj in objects:
        made = made_of.get(id(obj), ())
        facts.update(kubernetes_facts(obj, made, classifier, file))
        facts.update(vm_facts(obj))
        facts.update(rbac_facts(obj, file))
        facts.update(network_facts(obj, made))
        facts.update(reference_facts(obj))
        facts.update(availability_facts(obj, made, file))
    return facts
