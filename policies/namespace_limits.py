"""Resource usage: namespaces whose pods and claims no LimitRange or ResourceQuota bounds (once per namespace).

Appended to the family by ``policies/resources.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

from vmlint.context import namespace_bounded
from vmlint.model import Workload
from vmlint.policy import Example, Hit, Policy, Settings, policy

from ._facts import existing


def _bounded(workload: Workload) -> bool:
    """A Kubernetes workload with pods, or a PersistentVolumeClaim: what LimitRanges and quotas bound."""
    if workload.format != "kubernetes" or workload.path:
        return False
    if workload.role == "object":
        return workload.kind == "PersistentVolumeClaim"
    return bool(workload.pod_spec_path)


def _unbounded(workload: Workload, kind: str, what: str) -> Iterator[Hit]:
    if not _bounded(workload):
        return
    namespace = workload.namespace or "default"
    noun = "claims" if workload.role == "object" else "workloads"
    yield Hit(
        existing(workload, ("metadata", "namespace")),
        f"namespace {namespace} has {noun} ({workload.kind} {workload.name} ...) and no {kind}: {what}",
        key=True,
        unless=(namespace_bounded(workload.namespace, kind),),
        once=("namespace", namespace),
    )


@policy(
    id="VM205",
    name="namespace-without-limit-range",
    tradeoff="resource-usage",
    severity="info",
    summary="A namespace has workloads and no LimitRange in the linted files (reported once per namespace).",
    rationale=(
        "On a shared kernel a container without limits can take a node's memory and CPU. A LimitRange gives every "
        "container (and claim) of the namespace default requests and limits, and caps them, so one manifest that "
        "forgets its limits does not starve its neighbours."
    ),
    remediation=(
        "Add a LimitRange to the namespace with `default` and `defaultRequest` for containers (and `max`), or "
        "ignore the policy where the cluster's administrators manage namespaces."
    ),
    formats=("kubernetes",),
    objects=True,
    notes=(
        "Judged over the run and reported once per namespace, on its first workload or PersistentVolumeClaim "
        "(by file and line). KICS's Pod or Container Without LimitRange reports each of them, so it is not declared "
        "equivalent."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="kind: Deployment\nmetadata:\n  namespace: shop",
            good="kind: Deployment\nmetadata:\n  namespace: shop\n---\nkind: LimitRange\nmetadata:\n"
            "  namespace: shop\nspec:\n  limits:\n  - type: Container\n    default:\n      memory: 512Mi",
        ),
    ),
)
def namespace_without_limit_range(workload: Workload, settings: Settings) -> Iterator[Hit]:
    yield from _unbounded(workload, "LimitRange", "containers without limits get none")


@policy(
    id="VM206",
    name="namespace-without-resource-quota",
    tradeoff="resource-usage",
    severity="info",
    summary="A namespace has workloads and no ResourceQuota in the linted files (reported once per namespace).",
    rationale=(
        "Limits bound each container; only a ResourceQuota bounds the namespace. Without one, a runaway "
        "autoscaler, a loop creating Jobs or a typo in replicas can claim every node of the shared cluster."
    ),
    remediation=(
        "Add a ResourceQuota to the namespace (requests, limits, pods, persistentvolumeclaims), or ignore the "
        "policy where the cluster's administrators manage namespaces."
    ),
    formats=("kubernetes",),
    objects=True,
    notes=(
        "Judged over the run and reported once per namespace, on its first workload or PersistentVolumeClaim "
        "(by file and line). KICS's Pod or Container Without ResourceQuota reports each of them, so it is not "
        "declared equivalent."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="kind: Deployment\nmetadata:\n  namespace: shop",
            good="kind: Deployment\nmetadata:\n  namespace: shop\n---\nkind: ResourceQuota\nmetadata:\n"
            "  namespace: shop\nspec:\n  hard:\n    requests.memory: 64Gi",
        ),
    ),
)
def namespace_without_resource_quota(workload: Workload, settings: Settings) -> Iterator[Hit]:
    yield from _unbounded(workload, "ResourceQuota", "nothing bounds what its workloads claim together")


POLICIES: tuple[Policy, ...] = (namespace_without_limit_range, namespace_without_resource_quota)
