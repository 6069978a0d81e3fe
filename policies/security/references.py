"""Security: Services and Ingresses that point at nothing in the run (a typo exposes or breaks the wrong thing).

Judged only when the run could have contained the target: the same namespace has workloads (for a Service) or
Services (for an Ingress) in the linted files; a lone Service or Ingress of a namespace defined elsewhere is not.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vmlint.context import (
    ANY_NAMESPACE,
    MAX_POD_SELECTOR_LABELS,
    defined,
    label_pairs,
    namespace_has,
    pods_declare_ports,
    pods_labelled,
    pods_port,
    services_labelled,
)
from vmlint.model import Workload
from vmlint.policy import Example, Hit, Policy, Settings, policy
from vmlint.source import Path, get

from .._objects import is_object, spec_of


@policy(
    id="VM609",
    name="service-targets-no-pod",
    tradeoff="security",
    severity="warning",
    summary="A Service's selector matches no pod in the run, or its targetPort names no port of the pods it selects.",
    rationale=(
        "A Service that selects nothing (a typo, a renamed label) sends its clients nowhere, and a later pod that "
        "happens to carry the labels receives traffic meant for something else; a targetPort no container "
        "declares reaches nothing or an unintended listener."
    ),
    remediation=(
        "Make `spec.selector` match the pod template labels, and `targetPort` a containerPort (number or name) of "
        "those pods."
    ),
    formats=("kubernetes",),
    kinds=("Service",),
    related={"kics": ("3ca03a61-3249-4c16-8427-6f8e47dda729",)},
    notes=(
        "Judged over the run, only when the Service's namespace has workloads in the linted files; selectors of "
        "one to three labels are judged. A missing targetPort means the port; a numeric one is judged only when "
        "the selected pods declare container ports (declaring them is optional), a named one always. A pod with "
        "more than 32 labels is taken to carry any selector's labels (its ports count for any targetPort). "
        "kube-linter's dangling-service judges the selector only and is not declared equivalent."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="kind: Service\nspec:\n  selector:\n    app: wbe\n---\nkind: Deployment\nspec:\n  template:\n"
            "    metadata:\n      labels:\n        app: web",
            good="kind: Service\nspec:\n  selector:\n    app: web\n---\nkind: Deployment\nspec:\n  template:\n"
            "    metadata:\n      labels:\n        app: web",
        ),
    ),
)
def service_targets_no_pod(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if not is_object(workload, "Service"):
        return
    spec = spec_of(workload)
    selector = spec.get("selector")
    if spec.get("type") == "ExternalName" or not isinstance(selector, dict):
        return
    pairs = label_pairs(selector)
    if not 1 <= len(pairs) <= MAX_POD_SELECTOR_LABELS:
        return
    namespace = workload.namespace
    yield Hit(
        ("spec", "selector"),
        f"Service {workload.name} selects pods labelled {', '.join(pairs)}, and no linted pod has them",
        key=True,
        unless=(pods_labelled(namespace, pairs), pods_labelled(namespace, ())),  # (): a pod with too many labels
        needs=namespace_has(namespace, "workloads"),
    )
    ports = spec.get("ports")
    for index, item in enumerate(ports if isinstance(ports, list) else []):
        if not isinstance(item, dict):
            continue
        target = item.get("targetPort", item.get("port"))
        if isinstance(target, bool) or not isinstance(target, int | str):
            continue
        where: Path = ("spec", "ports", index, "targetPort" if "targetPort" in item else "port")
        yield Hit(
            where,
            f"Service {workload.name} targets port {target}, which no pod it selects declares",
            unless=(pods_port(namespace, str(target), pairs), pods_port(namespace, str(target), ())),
            # a name must be declared; a number only when the pods declare their ports at all
            needs=pods_labelled(namespace, pairs) if isinstance(target, str) else pods_declare_ports(namespace, pairs),
        )


def _backends(spec: dict[str, Any]) -> Iterator[tuple[Path, str]]:
    """The Service names an Ingress sends traffic to, with their paths (networking.k8s.io/v1 and v1beta1)."""
    for key in ("defaultBackend", "backend"):
        yield from _backend(spec.get(key), ("spec", key))
    rules = spec.get("rules")
    for i, rule in enumerate(rules if isinstance(rules, list) else []):
        http = rule.get("http") if isinstance(rule, dict) else None
        paths = http.get("paths") if isinstance(http, dict) else None
        for j, item in enumerate(paths if isinstance(paths, list) else []):
            if isinstance(item, dict):
                yield from _backend(item.get("backend"), ("spec", "rules", i, "http", "paths", j, "backend"))


def _backend(backend: Any, path: Path) -> Iterator[tuple[Path, str]]:
    if not isinstance(backend, dict):
        return
    service = backend.get("service")
    if isinstance(service, dict) and isinstance(service.get("name"), str):
        yield (*path, "service", "name"), service["name"]
    elif isinstance(backend.get("serviceName"), str):
        yield (*path, "serviceName"), backend["serviceName"]


@policy(
    id="VM610",
    name="ingress-backend-missing",
    tradeoff="security",
    severity="warning",
    summary="An Ingress sends traffic to a Service that no linted file defines (in a namespace that has Services).",
    rationale=(
        "A backend naming no Service (a typo, a renamed Service) answers with errors, and a Service created later "
        "under that name is published to the Ingress's hosts without anyone deciding to expose it."
    ),
    remediation="Name the Service that should receive the traffic, in the Ingress's namespace.",
    formats=("kubernetes",),
    kinds=("Ingress",),
    notes=(
        "Judged over the run, only when the Ingress's namespace has Services in the linted files. kube-linter's "
        "dangling-ingress also compares ports and is not declared equivalent."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="kind: Ingress\nspec:\n  defaultBackend:\n    service:\n      name: wbe\n---\nkind: Service\n"
            "metadata:\n  name: web",
            good="kind: Ingress\nspec:\n  defaultBackend:\n    service:\n      name: web\n---\nkind: Service\n"
            "metadata:\n  name: web",
        ),
    ),
)
def ingress_backend_missing(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if not is_object(workload, "Ingress"):
        return
    for path, name in _backends(spec_of(workload)):
        yield Hit(
            path,
            f"Ingress {workload.name} sends traffic to Service {name}, which no linted file defines",
            unless=(defined(workload.namespace, "Service", name),),
            needs=namespace_has(workload.namespace, "services"),
        )


MONITORING_GROUP = "monitoring.coreos.com/"


def _monitored_namespaces(spec: dict[str, Any], own: str | None) -> tuple[str | None, ...] | None:
    """The namespaces a ServiceMonitor looks for Services in: its own by default, ``matchNames``, or
    ``(ANY_NAMESPACE,)`` for ``any: true``; None when the namespaceSelector cannot be read."""
    selector = spec.get("namespaceSelector")
    if selector is None or selector == {}:
        return (own,)
    if not isinstance(selector, dict):
        return None
    if selector.get("any") is True:
        return (ANY_NAMESPACE,)
    names = selector.get("matchNames")
    if not names:
        return (own,)
    if isinstance(names, list) and all(isinstance(name, str) and name for name in names):
        return tuple(names)
    return None


@policy(
    id="VM614",
    name="servicemonitor-selects-no-service",
    tradeoff="security",
    severity="warning",
    summary="A Prometheus-operator ServiceMonitor's selector matches no Service in the run.",
    rationale=(
        "A ServiceMonitor whose selector or namespaceSelector matches nothing (a typo, a renamed label, the wrong "
        "namespace) scrapes nothing: the workload's metrics and the alerts built on them are silently missing, and "
        "the first sign is an incident nobody was alerted to."
    ),
    remediation=(
        "Make `spec.selector.matchLabels` match the labels of the Service to scrape (the Service's own "
        "`metadata.labels`, not its pods'), and `spec.namespaceSelector` name its namespace."
    ),
    formats=("kubernetes",),
    kinds=("ServiceMonitor",),
    related={"kube-linter": ("dangling-servicemonitor",)},
    notes=(
        "Judged over the run, only when the namespaces searched have Services in the linted files. Without a "
        "namespaceSelector the ServiceMonitor's own namespace is searched (as the operator does), `matchNames` "
        "searches those, `any: true` every namespace. Selectors of one to three labels without matchExpressions "
        "are judged; an empty selector is not, and a Service with more than 32 labels is taken to match any."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="kind: ServiceMonitor\nspec:\n  selector:\n    matchLabels:\n      app: wbe\n---\nkind: Service\n"
            "metadata:\n  labels:\n    app: web",
            good="kind: ServiceMonitor\nspec:\n  selector:\n    matchLabels:\n      app: web\n---\nkind: Service\n"
            "metadata:\n  labels:\n    app: web",
        ),
    ),
)
def servicemonitor_selects_no_service(workload: Workload, settings: Settings) -> Iterator[Hit]:
    version = get(workload.document, workload.path + ("apiVersion",))
    if workload.role != "object" or not isinstance(version, str) or not version.startswith(MONITORING_GROUP):
        return
    spec = spec_of(workload)
    selector = spec.get("selector")
    labels = selector.get("matchLabels") if isinstance(selector, dict) else None
    if not isinstance(labels, dict) or selector.get("matchExpressions"):
        return
    pairs = label_pairs(labels)
    namespaces = _monitored_namespaces(spec, workload.namespace)
    if not 1 <= len(pairs) <= MAX_POD_SELECTOR_LABELS or namespaces is None:
        return
    where = "any namespace" if namespaces == (ANY_NAMESPACE,) else ", ".join(n or "default" for n in namespaces)
    yield Hit(
        ("spec", "selector"),
        f"ServiceMonitor {workload.name} selects Services labelled {', '.join(pairs)} in {where}, and no linted "
        "Service has them",
        key=True,
        unless=tuple(services_labelled(namespace, part) for namespace in namespaces for part in (pairs, ())),
        needs=namespace_has(namespaces[0] if len(namespaces) == 1 else ANY_NAMESPACE, "services"),
    )


POLICIES: tuple[Policy, ...] = (service_targets_no_pod, ingress_backend_missing, servicemonitor_selects_no_service)
