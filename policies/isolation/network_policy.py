"""Isolation on the pod network: pods no NetworkPolicy selects, policies that allow everything, namespaces with none.

Kubernetes lets every pod reach every other pod until a NetworkPolicy selects it; a namespace whose pods are not
selected is one flat network where a compromised container reaches every database and admin port.
"""

from __future__ import annotations

from collections.abc import Iterator

from vmlint.context import network_policy_in, selections_covering
from vmlint.model import Workload
from vmlint.policy import Example, Hit, Policy, Settings, policy
from vmlint.source import get

from .._facts import existing
from .._objects import is_object, spec_of


def _pods(workload: Workload) -> bool:
    """A Kubernetes workload whose pods are on the pod network (hostNetwork pods are outside NetworkPolicies)."""
    return (
        workload.format == "kubernetes"
        and workload.role != "object"
        and bool(workload.pod_spec_path)
        and not (workload.host is not None and workload.host.network.is_(True))
    )


def _labels_path(workload: Workload) -> tuple[str | int, ...]:
    spec = workload.pod_spec_path
    meta = (*spec[:-1], "metadata") if len(spec) > 1 else ("metadata",)
    return existing(workload, (*meta, "labels"))


@policy(
    id="VM122",
    name="pod-not-selected-by-network-policy",
    tradeoff="isolation",
    severity="warning",
    summary="In a namespace with NetworkPolicies, no NetworkPolicy selects the workload's pods.",
    rationale=(
        "The namespace's policies show that its traffic is meant to be restricted, but a pod no policy selects "
        "accepts connections from every pod of the cluster and may connect anywhere: the one left out is the way "
        "around the isolation the others build."
    ),
    remediation=(
        "Select the pods with a NetworkPolicy (match their template labels), or add a default-deny policy with "
        "`podSelector: {}` to the namespace."
    ),
    formats=("kubernetes",),
    related={"kube-linter": ("non-isolated-pod",), "checkov": ("CKV2_K8S_6",)},
    notes=(
        "Judged over the run, with Kubernetes selector semantics: a policy selects the pods when every label of "
        "its podSelector.matchLabels is on the pod template, in the same namespace; an empty podSelector selects "
        "all of them, and one with matchExpressions or more than three matchLabels is taken to select its whole "
        "namespace. Pods with more than 32 labels are taken to be selected by any policy of their namespace, and "
        "pods on the host network are not reported (NetworkPolicies do not apply to them). "
        "Namespaces without any NetworkPolicy are namespace-without-network-policy (VM124). KICS's Pod "
        "Misconfigured Network Policy also passes pods selected by a policy of another namespace and is not "
        "declared equivalent."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="kind: NetworkPolicy\nspec:\n  podSelector:\n    matchLabels:\n      app: db\n---\n"
            "kind: Deployment\nspec:\n  template:\n    metadata:\n      labels:\n        app: web",
            good="kind: NetworkPolicy\nspec:\n  podSelector: {}\n---\n"
            "kind: Deployment\nspec:\n  template:\n    metadata:\n      labels:\n        app: web",
        ),
    ),
)
def pod_not_selected_by_network_policy(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if not _pods(workload):
        return
    spec = workload.pod_spec_path
    labels = get(workload.document, (*spec[:-1], "metadata", "labels") if len(spec) > 1 else ("metadata", "labels"))
    covering = selections_covering(workload.namespace, labels if isinstance(labels, dict) else {})
    namespace = workload.namespace or "default"
    yield Hit(
        _labels_path(workload),
        f"{workload.kind} {workload.name}: no NetworkPolicy of namespace {namespace} ({{}}) selects its pods",
        key=True,
        unless=covering,
        needs=("network-policy", namespace),
    )


def _allow_all(rules: object) -> Iterator[int]:
    """Indexes of rules that allow all peers on all ports: ``{}``, or neither peers nor ports."""
    for index, rule in enumerate(rules if isinstance(rules, list) else []):
        if rule is None or (isinstance(rule, dict) and not any(rule.get(k) for k in ("from", "to", "ports"))):
            yield index


@policy(
    id="VM123",
    name="network-policy-allows-all",
    tradeoff="isolation",
    severity="warning",
    summary="A NetworkPolicy has an ingress or egress rule that allows every peer on every port (`{}`).",
    rationale=(
        "An empty rule matches all traffic: the policy selects its pods and then lets everything in (or out), "
        "which reads like isolation in review and isolates nothing."
    ),
    remediation="Give the rule `from`/`to` peers and `ports`, or remove it to deny that direction.",
    formats=("kubernetes",),
    kinds=("NetworkPolicy",),
    examples=(
        Example(
            "kubernetes",
            bad="kind: NetworkPolicy\nspec:\n  podSelector: {}\n  ingress:\n  - {}",
            good="kind: NetworkPolicy\nspec:\n  podSelector: {}\n  ingress:\n  - from:\n    - podSelector:\n"
            "        matchLabels:\n          app: web",
        ),
    ),
)
def network_policy_allows_all(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if not is_object(workload, "NetworkPolicy"):
        return
    spec = spec_of(workload)
    for direction in ("ingress", "egress"):
        for index in _allow_all(spec.get(direction)):
            yield Hit(
                ("spec", direction, index),
                f"NetworkPolicy {workload.name} allows all {direction} traffic (an empty rule)",
            )


@policy(
    id="VM124",
    name="namespace-without-network-policy",
    tradeoff="isolation",
    severity="info",
    summary="A namespace has workloads and no NetworkPolicy in the linted files (reported once per namespace).",
    rationale=(
        "Without a NetworkPolicy every pod of the namespace accepts connections from every pod of the cluster: "
        "one compromised container reaches every database and admin port there."
    ),
    remediation=(
        "Add a default-deny NetworkPolicy (`podSelector: {}` with policyTypes Ingress and Egress) and allow the "
        "traffic each workload needs; or ignore the policy where another repository manages network policies."
    ),
    formats=("kubernetes",),
    notes=(
        "Judged over the run and reported once per namespace, on its first workload (by file and line); pods on "
        "the host network do not count."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="kind: Deployment\nmetadata:\n  namespace: shop",
            good="kind: Deployment\nmetadata:\n  namespace: shop\n---\nkind: NetworkPolicy\nmetadata:\n"
            "  name: default-deny\n  namespace: shop\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]",
        ),
    ),
)
def namespace_without_network_policy(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if not _pods(workload):
        return
    namespace = workload.namespace or "default"
    where = existing(workload, ("metadata", "namespace"))
    yield Hit(
        where,
        f"namespace {namespace} has workloads ({workload.kind} {workload.name} ...) and no NetworkPolicy",
        key=True,
        unless=(network_policy_in(workload.namespace),),
        once=("namespace", namespace),
    )


POLICIES: tuple[Policy, ...] = (
    pod_not_selected_by_network_policy,
    network_policy_allows_all,
    namespace_without_network_policy,
)
