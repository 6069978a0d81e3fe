"""Scalability: settings that block scaling out."""

from __future__ import annotations

from collections.abc import Iterator

from vmlint.compose.syntax import parse_port, service_of
from vmlint.context import (
    absent,
    autoscaled,
    autoscaled_at_least,
    budgets_covering,
    defined,
    headless_service,
    namespace_has,
    replicas_managed,
)
from vmlint.model import Workload
from vmlint.policy import Example, Hit, Option, Policy, Settings, policy
from vmlint.source import get

from ._facts import autoscalable, existing, hit
from ._objects import is_object, spec_of
from ._spread import spreads_over_nodes
from .availability import POLICIES as AVAILABILITY_POLICIES


@policy(
    id="VM501",
    name="single-replica",
    tradeoff="scalability",
    severity="warning",
    summary="A replicated workload (Deployment, StatefulSet ...) runs fewer than two replicas and is not autoscaled.",
    rationale=(
        "One replica is one pod on one node: every rollout, node drain or crash is an outage. The point of "
        "running containers rather than a pet VM is that copies are cheap."
    ),
    remediation=(
        "Set `replicas` to at least 2 (with a PodDisruptionBudget), or manage the workload with a "
        "HorizontalPodAutoscaler whose minReplicas is at least 2."
    ),
    formats=("kubernetes",),
    options={"minimum": Option(2, "The fewest replicas that pass.", minimum=1, maximum=10_000)},
    related={"polaris": ("deploymentMissingReplicas",)},
    notes=(
        "An unset `replicas` means 1. A HorizontalPodAutoscaler anywhere in the run that targets the workload with "
        "`minReplicas` of at least the minimum withdraws the finding (an autoscaler with minReplicas 1, the "
        "default, still runs a single replica when idle), and so does an Argo Rollout whose `workloadRef` runs a "
        "Deployment's pods."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="kind: Deployment\nspec:\n  replicas: 1",
            good="kind: Deployment\nspec:\n  replicas: 3",
        ),
    ),
)
def single_replica(workload: Workload, settings: Settings) -> Iterator[Hit]:
    scaling = workload.scaling
    if scaling is None or scaling.autoscaled:
        return
    replicas = scaling.replicas
    minimum = int(settings["minimum"])
    if replicas.value is None or replicas.value >= minimum:
        return
    noun = "replica" if replicas.value == 1 else "replicas"
    message = (
        f"{workload.kind} {workload.name} runs {replicas.value} {noun}; set replicas: {minimum} or more "
        "(or autoscale it) so that one restart or node drain does not take it down"
    )
    found = hit(workload, replicas, message)
    yield Hit(
        found.path,
        found.message,
        key=found.key,
        unless=(
            autoscaled_at_least(workload.namespace, workload.kind, workload.name, minimum),
            replicas_managed(workload.namespace, workload.kind, workload.name),
        ),
    )


POLICIES: tuple[Policy, ...] = (single_replica,)


def _scaled(workload: Workload) -> int | None:
    """The replica count of a Compose service that runs more than one copy."""
    scaling = workload.scaling
    if workload.format != "compose" or scaling is None or scaling.replicas.value is None:
        return None
    return scaling.replicas.value if scaling.replicas.value > 1 else None


@policy(
    id="VM520",
    name="container-name-on-scaled-service",
    tradeoff="scalability",
    severity="error",
    summary="A Compose service with more than one replica sets `container_name`.",
    rationale=(
        "Container names are unique per host: the second replica of a service with a fixed name cannot be "
        "created, so `deploy.replicas`/`scale` (or `docker compose up --scale`) fails."
    ),
    remediation="Remove `container_name`; address the service by its service name on the Compose network.",
    formats=("compose",),
    examples=(
        Example(
            "compose",
            bad="services:\n  web:\n    image: web:1.2\n    container_name: web\n    deploy:\n      replicas: 3",
            good="services:\n  web:\n    image: web:1.2\n    deploy:\n      replicas: 3",
        ),
    ),
)
def container_name_on_scaled_service(workload: Workload, settings: Settings) -> Iterator[Hit]:
    replicas = _scaled(workload)
    name = workload.scaling.container_name if workload.scaling else None
    if replicas is not None and name is not None:
        yield Hit(name.path, f"container_name is fixed, but the service runs {replicas} replicas")


@policy(
    id="VM521",
    name="fixed-host-port-on-scaled-service",
    tradeoff="scalability",
    severity="error",
    summary="A Compose service with more than one replica publishes a fixed host port.",
    rationale=(
        "A host port can be bound once per address: the second replica of a service that publishes `8080:80` "
        "fails to start. Scaling out then needs a VM per copy, or a load balancer in front of ephemeral ports."
    ),
    remediation="Publish a host port range (`8080-8085:80`), an ephemeral port (`80`), or put a proxy in front.",
    formats=("compose",),
    examples=(
        Example(
            "compose",
            bad='services:\n  web:\n    image: web:1.2\n    ports: ["8080:80"]\n    deploy:\n      replicas: 3',
            good='services:\n  web:\n    image: web:1.2\n    ports: ["80"]\n    deploy:\n      replicas: 3',
        ),
    ),
)
def fixed_host_port_on_scaled_service(workload: Workload, settings: Settings) -> Iterator[Hit]:
    replicas = _scaled(workload)
    found = service_of(workload)
    if replicas is None or found is None:
        return
    service, path = found
    ports = service.get("ports")
    for index, item in enumerate(ports if isinstance(ports, list) else []):
        spec = parse_port(item)
        if spec is not None and spec.published is not None and spec.published[1] - spec.published[0] + 1 < replicas:
            message = f"host port {spec.published[0]} is fixed, but the service runs {replicas} replicas"
            yield Hit((*path, "ports", index), message)


# Compose-only policies (docs/decisions/0007-compose-projects.md).
POLICIES += (container_name_on_scaled_service, fixed_host_port_on_scaled_service)


@policy(
    id="VM502",
    name="replicas-not-spread",
    tradeoff="scalability",
    severity="info",
    summary="A Deployment or StatefulSet with several replicas does not keep them on different nodes.",
    rationale=(
        "Replicas are only redundancy if they fail independently. Without pod anti-affinity or a topology spread "
        "constraint the scheduler may put every replica on one node, and one node failure takes the service down."
    ),
    remediation=(
        "Add `topologySpreadConstraints` (topologyKey kubernetes.io/hostname or a zone) or a pod anti-affinity "
        "term whose labelSelector matches the pod template's own labels."
    ),
    formats=("kubernetes",),
    options={"minimum": Option(2, "Replica counts from which spreading is required.", minimum=2, maximum=10_000)},
    related={
        "kics": ("a31b7b82-d994-48c4-bd21-3bab6c31827a", "d740d048-8ed3-49d3-b77b-6f072f3b669e"),
        "kube-linter": ("no-anti-affinity",),
    },
    notes=(
        "A term counts when its labelSelector (matchLabels and matchExpressions, evaluated as Kubernetes does) "
        "selects the pod template's labels, whatever its topologyKey (node, zone, rack: pods in different domains "
        "are on different nodes). KICS requires 3 replicas, only reads matchLabels, wants the hostname key and "
        "ignores topologySpreadConstraints; vmlint starts at 2 replicas and accepts all of them."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="kind: Deployment\nspec:\n  replicas: 3\n  template:\n    metadata:\n      labels: {app: web}\n"
            "    spec:\n      containers: [{name: web, image: web:1.2}]",
            good="kind: Deployment\nspec:\n  replicas: 3\n  template:\n    metadata:\n      labels: {app: web}\n"
            "    spec:\n      topologySpreadConstraints:\n      - maxSkew: 1\n"
            "        topologyKey: kubernetes.io/hostname\n"
            "        whenUnsatisfiable: ScheduleAnyway\n        labelSelector:\n          matchLabels: {app: web}\n"
            "      containers: [{name: web, image: web:1.2}]",
        ),
    ),
)
def replicas_not_spread(workload: Workload, settings: Settings) -> Iterator[Hit]:
    scaling = workload.scaling
    if workload.acts_as not in ("Deployment", "StatefulSet") or scaling is None:
        return
    replicas = scaling.replicas.value
    if replicas is None or replicas < int(settings["minimum"]) or spreads_over_nodes(workload):
        return
    affinity = workload.pod_spec_path + ("affinity",)
    where = existing(workload, affinity + ("podAntiAffinity",))
    yield Hit(
        where if len(where) > len(workload.pod_spec_path) else workload.pod_spec_path,
        f"{workload.kind} {workload.name} runs {replicas} replicas with nothing keeping them on different nodes",
        key=True,
    )


POLICIES += (replicas_not_spread,)


@policy(
    id="VM503",
    name="autoscaled-replicas-set",
    tradeoff="scalability",
    severity="info",
    summary="A workload that a HorizontalPodAutoscaler scales also sets `replicas` itself.",
    rationale=(
        "The autoscaler owns the replica count; a fixed `replicas` in the manifest resets it on every apply, "
        "scaling a busy workload down to the written number until the autoscaler catches up."
    ),
    remediation="Remove `spec.replicas` from workloads that a HorizontalPodAutoscaler targets.",
    formats=("kubernetes",),
    related={"kics": ("5744cbb8-5946-4b75-a196-ade44449525b",)},
    notes=(
        "Judged over the run: the autoscaler may be in any linted file (same namespace, kind and name). KICS "
        "checks Deployments; vmlint also StatefulSets, ReplicaSets and ReplicationControllers."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="kind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n---\n"
            "kind: HorizontalPodAutoscaler\nspec:\n  scaleTargetRef:\n    kind: Deployment\n    name: web",
            good="kind: Deployment\nmetadata:\n  name: web\nspec:\n  selector: {}\n---\n"
            "kind: HorizontalPodAutoscaler\nspec:\n  scaleTargetRef:\n    kind: Deployment\n    name: web",
        ),
    ),
)
def autoscaled_replicas_set(workload: Workload, settings: Settings) -> Iterator[Hit]:
    scaling = workload.scaling
    if workload.format != "kubernetes" or scaling is None or not scaling.replicas.explicit:
        return
    yield Hit(
        scaling.replicas.path,
        f"{workload.kind} {workload.name} sets replicas, but a HorizontalPodAutoscaler scales it",
        key=True,
        unless=(absent(autoscaled(workload.namespace, workload.kind, workload.name)),),
    )


@policy(
    id="VM504",
    name="pod-disruption-budget-missing",
    tradeoff="scalability",
    severity="info",
    summary="A Deployment or StatefulSet with several replicas has no PodDisruptionBudget selecting its pods.",
    rationale=(
        "Node drains, upgrades and autoscaler scale-downs evict pods voluntarily. Without a PodDisruptionBudget "
        "nothing stops them from evicting every replica at once, and the redundancy the replicas were for is "
        "gone exactly when nodes are being replaced."
    ),
    remediation=(
        "Add a PodDisruptionBudget (`policy/v1`) whose selector matches the pod template's labels, with "
        "`maxUnavailable: 1` or a `minAvailable` below the replica count."
    ),
    formats=("kubernetes",),
    notes=(
        "Judged over the run with Kubernetes selector semantics: a budget covers the workload when every label of "
        "its matchLabels is on the pod template, in the same namespace; a budget with matchExpressions is taken to "
        "cover its whole namespace. Not declared equivalent to KICS's Deployment/StatefulSet Without "
        "PodDisruptionBudget, which compares the budget with the workload's `spec.selector` and counts one "
        "matching label as enough, nor to Polaris's missingPodDisruptionBudget. Workloads with one replica are "
        "left to VM501; pod templates with more than 12 labels are not judged."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="kind: Deployment\nspec:\n  replicas: 3\n  template:\n    metadata:\n      labels:\n        app: web",
            good="kind: Deployment\nspec:\n  replicas: 3\n  template:\n    metadata:\n      labels:\n"
            "        app: web\n---\nkind: PodDisruptionBudget\nspec:\n  maxUnavailable: 1\n  selector:\n"
            "    matchLabels:\n      app: web",
        ),
    ),
)
def pod_disruption_budget_missing(workload: Workload, settings: Settings) -> Iterator[Hit]:
    scaling = workload.scaling
    if workload.format != "kubernetes" or workload.acts_as not in ("Deployment", "StatefulSet") or scaling is None:
        return
    if scaling.replicas.value is None or scaling.replicas.value < 2:
        return
    labels = get(workload.document, workload.pod_spec_path[:-1] + ("metadata", "labels"))
    covering = budgets_covering(workload.namespace, labels if isinstance(labels, dict) else {})
    if covering is not None:
        yield Hit(
            scaling.replicas.path,
            f"{workload.kind} {workload.name} runs {scaling.replicas.value} replicas with no PodDisruptionBudget",
            key=True,
            unless=covering,
        )


@policy(
    id="VM505",
    name="autoscaler-target-missing",
    tradeoff="scalability",
    severity="info",
    summary="A HorizontalPodAutoscaler targets an object that no linted file defines.",
    rationale=(
        "An autoscaler whose target does not exist scales nothing: a renamed Deployment, a typo in the kind or "
        "a namespace mismatch leaves the workload at its fixed replica count while the autoscaler looks in place."
    ),
    remediation=(
        "Point `spec.scaleTargetRef` at the workload's kind and name (in the autoscaler's namespace), or lint the "
        "directory that defines the target together with the autoscaler."
    ),
    formats=("kubernetes",),
    kinds=("HorizontalPodAutoscaler",),
    notes=(
        "Judged over the run, only when the autoscaler's namespace has workloads in the linted files (the run "
        "could have contained the target): a target defined outside the linted paths is then reported; ignore the "
        "policy for such paths. The target matches on namespace, kind and name; kube-linter's "
        "dangling-horizontalpodautoscaler also compares the apiVersion, and KICS's HPA Targets Invalid Object "
        "checks the describedObject of Object metrics, so neither is declared equivalent."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="kind: HorizontalPodAutoscaler\nspec:\n  scaleTargetRef:\n    kind: Deployment\n    name: wbe",
            good="kind: HorizontalPodAutoscaler\nspec:\n  scaleTargetRef:\n    kind: Deployment\n    name: web",
        ),
    ),
)
def autoscaler_target_missing(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if not is_object(workload, "HorizontalPodAutoscaler"):
        return
    target = spec_of(workload).get("scaleTargetRef")
    kind = target.get("kind") if isinstance(target, dict) else None
    name = target.get("name") if isinstance(target, dict) else None
    if not isinstance(kind, str) or not isinstance(name, str):
        return
    yield Hit(
        ("spec", "scaleTargetRef"),
        f"HorizontalPodAutoscaler {workload.name} targets {kind} {name}, which no linted file defines",
        key=True,
        unless=(defined(workload.namespace, kind, name),),
        needs=namespace_has(workload.namespace, "workloads"),
    )


POLICIES += (autoscaled_replicas_set, pod_disruption_budget_missing, autoscaler_target_missing)


@policy(
    id="VM540",
    name="vm-replicas-share-identity",
    tradeoff="scalability",
    severity="error",
    summary="A VM pool or replica set gives every replica the same MAC address, hostname or static address.",
    rationale=(
        "Every VM a VirtualMachinePool or VirtualMachineInstanceReplicaSet creates comes from the same template. "
        "A fixed macAddress, a cloud-init hostname/fqdn or a static address in networkData makes every replica "
        "claim the same identity: duplicate MACs and IPs break the network for all of them, and identical "
        "hostnames confuse DNS, monitoring and clustering. The template cannot be scaled past one."
    ),
    remediation=(
        "Drop the macAddress and let KubeVirt assign one; leave the hostname to KubeVirt (each VMI's name) and "
        "take addresses from DHCP or IPAM. Give fixed identities only to single VirtualMachines."
    ),
    formats=("kubevirt",),
    examples=(
        Example(
            "kubevirt",
            bad="kind: VirtualMachinePool\nspec:\n  replicas: 3\n  ...\n        interfaces:\n        - name: default\n"
            "          masquerade: {}\n          macAddress: 02:00:00:00:00:01",
            good="kind: VirtualMachinePool\nspec:\n  replicas: 3\n  ...\n        interfaces:\n        - name: default\n"
            "          masquerade: {}",
        ),
    ),
    notes="A pool of one replica is reported only when a HorizontalPodAutoscaler in the run scales it.",
)
def vm_replicas_share_identity(workload: Workload, settings: Settings) -> Iterator[Hit]:
    vm, scaling = workload.vm, workload.scaling
    if vm is None or scaling is None or scaling.replicas.value is None or not vm.identity:
        return
    replicas = scaling.replicas.value
    if replicas <= 1 and not autoscalable(workload):
        return
    unless = () if replicas > 1 else (absent(autoscaled(workload.namespace, workload.kind, workload.name)),)
    copies = f"{replicas} replicas" if replicas > 1 else "autoscaled replicas"
    for fact in vm.identity:
        yield Hit(fact.path, f"{workload.kind} {workload.name}: all {copies} take {fact.value}", unless=unless)


POLICIES += (vm_replicas_share_identity,)


@policy(
    id="VM506",
    name="selector-mismatch",
    tradeoff="scalability",
    severity="error",
    summary="A controller's `spec.selector.matchLabels` are not all on its pod template's labels.",
    rationale=(
        "The controller counts and manages the pods its selector matches. If its own template's pods do not "
        "match, apps/v1 rejects the object; older APIs and custom controllers create pods they never see, and "
        "scale without end or adopt someone else's pods."
    ),
    remediation="Make every `spec.selector.matchLabels` entry a label of `spec.template.metadata.labels`.",
    formats=("kubernetes",),
    related={"kube-linter": ("mismatching-selector",)},
    notes="Selectors with matchExpressions are not judged.",
    examples=(
        Example(
            "kubernetes",
            bad="spec:\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n"
            "        app: frontend",
            good="spec:\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n"
            "        app: web",
        ),
    ),
)
def selector_mismatch(workload: Workload, settings: Settings) -> Iterator[Hit]:
    spec = workload.pod_spec_path
    if workload.format != "kubernetes" or workload.path or spec[:2] != ("spec", "template"):
        return
    selector = get(workload.document, ("spec", "selector"))
    match = selector.get("matchLabels") if isinstance(selector, dict) else None
    if not isinstance(match, dict) or selector.get("matchExpressions"):
        return
    labels = get(workload.document, ("spec", "template", "metadata", "labels"))
    labels = labels if isinstance(labels, dict) else {}
    for key, value in match.items():
        if key not in labels or str(labels[key]) != str(value):
            yield Hit(
                ("spec", "selector", "matchLabels", key),
                f"{workload.kind} {workload.name} selects {key}={value}, which its pod template does not carry",
            )


def _zero(value: object) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool) and value == 0) or value in ("0", "0%")


@policy(
    id="VM508",
    name="pdb-allows-no-disruption",
    tradeoff="scalability",
    severity="warning",
    summary="A PodDisruptionBudget allows no voluntary disruption (maxUnavailable 0 or minAvailable 100%).",
    rationale=(
        "A budget that allows no eviction blocks every node drain, upgrade and autoscaler scale-down on the nodes "
        "its pods run on, until someone deletes the budget by hand."
    ),
    remediation="Allow at least one pod to be evicted: `maxUnavailable: 1`, or a minAvailable below the replicas.",
    formats=("kubernetes",),
    kinds=("PodDisruptionBudget",),
    related={"polaris": ("pdbDisruptionsIsZero",), "kube-linter": ("pdb-max-unavailable",)},
    notes="A minAvailable equal to the replica count of the pods it selects is not judged (it needs the workload).",
    examples=(
        Example(
            "kubernetes",
            bad="kind: PodDisruptionBudget\nspec:\n  maxUnavailable: 0",
            good="kind: PodDisruptionBudget\nspec:\n  maxUnavailable: 1",
        ),
    ),
)
def pdb_allows_no_disruption(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if workload.format != "kubernetes" or workload.role != "object" or workload.kind != "PodDisruptionBudget":
        return
    spec = spec_of(workload)
    if _zero(spec.get("maxUnavailable")):
        yield Hit(("spec", "maxUnavailable"), f"PodDisruptionBudget {workload.name} allows no pod to be evicted")
    elif spec.get("minAvailable") == "100%":
        yield Hit(("spec", "minAvailable"), f"PodDisruptionBudget {workload.name} allows no pod to be evicted")


POLICIES += (selector_mismatch, pdb_allows_no_disruption)


@policy(
    id="VM509",
    name="statefulset-service-missing",
    tradeoff="scalability",
    severity="warning",
    summary="A StatefulSet's serviceName names no headless Service (clusterIP: None) in the run.",
    rationale=(
        "A StatefulSet's pods get their stable DNS names (db-0.db, db-1.db) from the headless Service its "
        "serviceName governs. Without it peers cannot find each other by name, and replicas that should form a "
        "cluster stay strangers."
    ),
    remediation="Add a Service with `clusterIP: None` named as `spec.serviceName`, selecting the StatefulSet's pods.",
    formats=("kubernetes",),
    related={"kics": ("bb241e61-77c3-4b97-9575-c0f8a1e008d0",)},
    notes=(
        "Judged over the run, only when the StatefulSet's namespace has Services in the linted files. A missing "
        "serviceName is not reported (it is optional since Kubernetes 1.30)."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="kind: StatefulSet\nspec:\n  serviceName: db\n---\nkind: Service\nmetadata:\n  name: db\nspec:\n"
            "  clusterIP: 10.0.0.10",
            good="kind: StatefulSet\nspec:\n  serviceName: db\n---\nkind: Service\nmetadata:\n  name: db\nspec:\n"
            "  clusterIP: None",
        ),
    ),
)
def statefulset_service_missing(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if workload.format != "kubernetes" or workload.acts_as != "StatefulSet" or workload.path:
        return
    name = get(workload.document, ("spec", "serviceName"))
    if not isinstance(name, str) or not name:
        return
    yield Hit(
        ("spec", "serviceName"),
        f"{workload.kind} {workload.name}: serviceName {name} names no headless Service in the linted files",
        unless=(headless_service(workload.namespace, name),),
        needs=namespace_has(workload.namespace, "services"),
    )


POLICIES += (statefulset_service_missing,)

# Autoscaler and budget checks across objects live in their own module (policies/availability.py).
POLICIES += AVAILABILITY_POLICIES
