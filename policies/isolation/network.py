"""Isolation: the host network, host ports, and NetworkPolicies that select no pod."""

from __future__ import annotations

from collections.abc import Iterator

from vmlint.context import MAX_POD_SELECTOR_LABELS, label_pairs, pods_labelled
from vmlint.model import Workload
from vmlint.policy import Example, Hit, Policy, Settings, policy

from .. import _fixes as fixes
from .._objects import is_object, spec_of
from ._common import CONTAINER_FORMATS, host_namespace


@policy(
    id="VM107",
    name="host-network",
    tradeoff="isolation",
    severity="error",
    summary="The workload shares the host's network namespace.",
    rationale=(
        "On the host network a container can bind the node's ports, reach services listening on localhost and "
        "sniff traffic; network policies no longer apply to it."
    ),
    remediation="Remove `hostNetwork: true` (Compose: `network_mode: host`); publish the ports you need.",
    formats=CONTAINER_FORMATS,
    fix=fixes.REMOVE_HOST_NETWORK,
    related={
        "kics": ("6b6bdfb3-c3ae-44cb-88e4-7405c1ba2c8a", "071a71ff-f868-47a4-ac0b-3c59e4ab5443"),
        "polaris": ("hostNetworkSet",),
        "kube-linter": ("host-network",),
        "checkov": ("CKV_K8S_19",),
        "trivy": ("KSV-0009",),
    },
    examples=(Example("kubernetes", bad="spec:\n  hostNetwork: true", good="spec:\n  hostNetwork: false"),),
)
def host_network(workload: Workload, settings: Settings) -> Iterator[Hit]:
    yield from host_namespace(workload, "network", "network")


@policy(
    id="VM119",
    name="host-port",
    tradeoff="isolation",
    severity="warning",
    summary="A container port is bound to a port of the node (hostPort).",
    rationale=(
        "A hostPort opens the node's own network interface to the pod, bypasses Services and most network "
        "policies, and allows only one such pod per node."
    ),
    remediation="Remove `hostPort`; expose the port through a Service (NodePort or LoadBalancer when external).",
    formats=("kubernetes",),
    fix=fixes.REMOVE_HOST_PORT,
    related={
        "kics": ("2b1836f1-dcce-416e-8e16-da8c71920633",),
        "polaris": ("hostPortSet",),
        "checkov": ("CKV_K8S_26",),
        "trivy": ("KSV-0024",),
    },
    notes="Compose publishes ports on the host by design; scaled services with fixed host ports are a Compose policy.",
    examples=(
        Example(
            "kubernetes",
            bad="ports:\n- containerPort: 8080\n  hostPort: 8080",
            good="ports:\n- containerPort: 8080",
        ),
    ),
)
def host_port(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for unit in workload.containers():
        for port in unit.ports:
            if port.host_port:
                yield Hit(
                    port.path + ("hostPort",), f"container {unit.name} binds host port {port.host_port}", unit=unit.name
                )


@policy(
    id="VM121",
    name="network-policy-selects-no-pod",
    tradeoff="isolation",
    severity="info",
    summary="A NetworkPolicy's podSelector matches no pod of the linted workloads.",
    rationale=(
        "A NetworkPolicy isolates only the pods it selects. One whose labels match nothing (a typo, a renamed "
        "app label, the wrong namespace) leaves the pods it was written for open to every other pod while "
        "looking like isolation in review."
    ),
    remediation=(
        "Make `spec.podSelector` match the pod template labels of the workloads to isolate, in the same namespace."
    ),
    formats=("kubernetes",),
    kinds=("NetworkPolicy",),
    related={"kics": ("85ab1c5b-014e-4352-b5f8-d7dea3bb4fd3",)},
    notes=(
        "Judged over the run: pods defined outside the linted paths are not seen. Only selectors of one to three "
        "matchLabels and no matchExpressions are judged; an empty podSelector selects every pod of the namespace, "
        "and a pod with more than 32 labels is taken to carry any selector's labels. "
        "kube-linter's dangling-networkpolicy also evaluates matchExpressions, so it is not declared equivalent."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="kind: NetworkPolicy\nspec:\n  podSelector:\n    matchLabels:\n      app: wbe\n---\n"
            "kind: Deployment\nspec:\n  template:\n    metadata:\n      labels:\n        app: web",
            good="kind: NetworkPolicy\nspec:\n  podSelector:\n    matchLabels:\n      app: web\n---\n"
            "kind: Deployment\nspec:\n  template:\n    metadata:\n      labels:\n        app: web",
        ),
    ),
)
def network_policy_selects_no_pod(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if not is_object(workload, "NetworkPolicy"):
        return
    selector = spec_of(workload).get("podSelector")
    if not isinstance(selector, dict) or selector.get("matchExpressions"):
        return
    match_labels = selector.get("matchLabels")
    if not isinstance(match_labels, dict):
        return
    pairs = label_pairs(match_labels)
    if 1 <= len(pairs) <= MAX_POD_SELECTOR_LABELS:
        yield Hit(
            ("spec", "podSelector", "matchLabels"),
            f"NetworkPolicy {workload.name} selects pods labelled {', '.join(pairs)}, and no linted pod has them",
            key=True,
            unless=(pods_labelled(workload.namespace, pairs), pods_labelled(workload.namespace, ())),
        )


POLICIES: tuple[Policy, ...] = (
    host_network,
    host_port,
    network_policy_selects_no_pod,
)
