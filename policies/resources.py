"""Resource usage: a shared kernel without limits, or a whole VM for a trivial service."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vmlint.compose.syntax import service_of
from vmlint.model import Fact, Workload
from vmlint.policy import Example, Hit, Policy, Settings, policy
from vmlint.source import get

from ._facts import hit
from ._terms import named_unit, term
from .namespace_limits import POLICIES as NAMESPACE_POLICIES


def _missing(workload: Workload, field: str, what: str, defaulted_by: str | None = None) -> Iterator[Hit]:
    """Units that do not write ``field``; ``defaulted_by``: a field Kubernetes copies into it when that is set."""
    for unit in workload.containers():
        if unit.kind == "ephemeral":  # debug containers may not set resources
            continue
        fact: Fact[str] = getattr(unit.resources, field)
        if defaulted_by is not None and getattr(unit.resources, defaulted_by).explicit:
            continue  # Kubernetes sets a missing request to the limit
        if not fact.explicit:
            yield hit(workload, fact, f"{named_unit(workload, unit.name)} has no {term(workload, what)}", unit.name)


@policy(
    id="VM201",
    name="cpu-request-missing",
    tradeoff="resource-usage",
    severity="warning",
    summary="A container does not request CPU.",
    rationale=(
        "Without a request the scheduler places the pod as if it needed no CPU and the kernel gives it the lowest "
        "share under contention: neighbours on the shared kernel starve it, or it is packed onto a full node."
    ),
    remediation="Set `resources.requests.cpu` to what the container needs at steady load.",
    formats=("kubernetes",),
    notes=(
        "A container that sets a CPU limit and no request is not reported: Kubernetes sets the request to the limit. "
        "The peers' request checks (KICS CPU Requests Not Set, Polaris cpuRequestsMissing, kube-linter "
        "unset-cpu-requirements, Checkov CKV_K8S_10, Trivy KSV-0015) flag that case too, so none is declared "
        "equivalent. Compose reservations are rarely used and not scheduled against, so this policy is "
        "Kubernetes-only."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="resources:\n  requests:\n    memory: 256Mi",
            good="resources:\n  requests:\n    cpu: 250m\n    memory: 256Mi",
        ),
    ),
)
def cpu_request_missing(workload: Workload, settings: Settings) -> Iterator[Hit]:
    yield from _missing(workload, "cpu_request", "CPU request", defaulted_by="cpu_limit")


@policy(
    id="VM202",
    name="cpu-limit-missing",
    tradeoff="resource-usage",
    severity="warning",
    summary="A container has no CPU limit.",
    rationale=(
        "A container shares the host's CPUs with every other workload on the node; without a limit one busy or "
        "compromised container can take them all. A VM gets its vCPUs by construction, a container only by a limit."
    ),
    remediation="Set `resources.limits.cpu` (Compose: `deploy.resources.limits.cpus` or `cpus`).",
    formats=("kubernetes", "compose"),
    related={
        "kics": ("4ac0e2b7-d2d2-4af7-8799-e8de6721ccda", "6b610c50-99fb-4ef0-a5f3-e312fd945bc3"),
        "polaris": ("cpuLimitsMissing",),
        "checkov": ("CKV_K8S_11",),
        "trivy": ("KSV-0011",),
    },
    examples=(
        Example(
            "kubernetes",
            bad="resources:\n  requests:\n    cpu: 250m",
            good="resources:\n  requests:\n    cpu: 250m\n  limits:\n    cpu: 500m",
        ),
    ),
)
def cpu_limit_missing(workload: Workload, settings: Settings) -> Iterator[Hit]:
    yield from _missing(workload, "cpu_limit", "CPU limit")


@policy(
    id="VM203",
    name="memory-request-missing",
    tradeoff="resource-usage",
    severity="warning",
    summary="A container does not request memory.",
    rationale=(
        "Without a memory request the scheduler may place the pod on a node that cannot hold it, and the pod is "
        "among the first the kernel's OOM handling and the kubelet's eviction pick."
    ),
    remediation="Set `resources.requests.memory` to the container's working set.",
    formats=("kubernetes",),
    notes=(
        "A container that sets a memory limit and no request is not reported: Kubernetes sets the request to the "
        "limit. The peers' request checks (KICS Memory Requests Not Defined, Polaris memoryRequestsMissing, "
        "Checkov CKV_K8S_12, Trivy KSV-0016) flag that case too, so none is declared equivalent. Kubernetes-only, "
        "like cpu-request-missing (VM201)."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="resources:\n  requests:\n    cpu: 250m",
            good="resources:\n  requests:\n    cpu: 250m\n    memory: 256Mi",
        ),
    ),
)
def memory_request_missing(workload: Workload, settings: Settings) -> Iterator[Hit]:
    yield from _missing(workload, "memory_request", "memory request", defaulted_by="memory_limit")


@policy(
    id="VM204",
    name="memory-limit-missing",
    tradeoff="resource-usage",
    severity="warning",
    summary="A container has no memory limit.",
    rationale=(
        "Memory is the resource a shared kernel cannot take back gently: one container without a limit can push the "
        "whole node into OOM kills of its neighbours. A VM's memory is bounded by its size; a container's only by "
        "its limit."
    ),
    remediation="Set `resources.limits.memory` (Compose: `deploy.resources.limits.memory` or `mem_limit`).",
    formats=("kubernetes", "compose"),
    related={
        "kics": ("b14d1bc4-a208-45db-92f0-e21f8e2588e9", "bb9ac4f7-e13b-423d-a010-c74a1bfbe492"),
        "polaris": ("memoryLimitsMissing",),
        "kube-linter": ("unset-memory-requirements",),
        "checkov": ("CKV_K8S_13",),
        "trivy": ("KSV-0018",),
    },
    examples=(
        Example(
            "kubernetes",
            bad="resources:\n  requests:\n    memory: 256Mi",
            good="resources:\n  requests:\n    memory: 256Mi\n  limits:\n    memory: 512Mi",
        ),
    ),
)
def memory_limit_missing(workload: Workload, settings: Settings) -> Iterator[Hit]:
    yield from _missing(workload, "memory_limit", "memory limit")


POLICIES: tuple[Policy, ...] = (cpu_request_missing, cpu_limit_missing, memory_request_missing, memory_limit_missing)


@policy(
    id="VM220",
    name="custom-cgroup-parent",
    tradeoff="resource-usage",
    severity="warning",
    summary="A Compose service sets `cgroup_parent`, placing it outside the daemon's default cgroup tree.",
    rationale=(
        "Resource limits and accounting hang off the cgroup tree. A custom parent moves the container under limits "
        "nobody sees in the Compose file, or under none at all, so the shared kernel's resources are no longer "
        "divided the way the file says."
    ),
    remediation="Remove `cgroup_parent` and set limits on the service (`deploy.resources.limits`).",
    formats=("compose",),
    related={"kics": ("4d9f44c6-2f4a-4317-9bb5-267adbea0232",)},
    examples=(
        Example(
            "compose",
            bad="services:\n  app:\n    image: app:1.2\n    cgroup_parent: custom",
            good="services:\n  app:\n    image: app:1.2",
        ),
    ),
)
def custom_cgroup_parent(workload: Workload, settings: Settings) -> Iterator[Hit]:
    found = service_of(workload)
    if found is not None and found[0].get("cgroup_parent") is not None:
        yield Hit((*found[1], "cgroup_parent"), "the service sets cgroup_parent")


def _pids_limit(service: dict[str, Any]) -> tuple[Any, str | None]:
    deploy = service.get("deploy")
    resources = deploy.get("resources") if isinstance(deploy, dict) else None
    limits = resources.get("limits") if isinstance(resources, dict) else None
    if isinstance(limits, dict) and "pids" in limits:
        return limits["pids"], "deploy.resources.limits.pids"
    if "pids_limit" in service:
        return service["pids_limit"], "pids_limit"
    return None, None


@policy(
    id="VM221",
    name="pids-limit-missing",
    tradeoff="resource-usage",
    severity="warning",
    summary="A Compose service has no process limit (`pids_limit` or `deploy.resources.limits.pids`), or -1.",
    rationale=(
        "Process IDs are a kernel-wide resource. Without a limit a fork bomb or a leaking worker pool in one "
        "container exhausts the host's PID space and stops every other container from starting processes."
    ),
    remediation="Set `pids_limit` (or `deploy.resources.limits.pids`) to a bound such as 200.",
    formats=("compose",),
    related={"kics": ("221e0658-cb2a-44e3-b08a-db96a341d6fa",)},
    notes=(
        "KICS checks this only in files with a 2.x `version:`; vmlint checks every Compose file, since the Compose "
        "Specification reads both keys regardless of version."
    ),
    examples=(
        Example(
            "compose",
            bad="services:\n  app:\n    image: app:1.2",
            good="services:\n  app:\n    image: app:1.2\n    pids_limit: 200",
        ),
    ),
)
def pids_limit_missing(workload: Workload, settings: Settings) -> Iterator[Hit]:
    found = service_of(workload)
    if found is None:
        return
    service, path = found
    value, where = _pids_limit(service)
    if where is None:
        yield Hit(path, f"service {workload.name} sets no pids_limit", key=True)
    elif value in (-1, "-1", 0, "0"):
        fact_path = (*path, *where.split("."))
        yield Hit(fact_path, f"service {workload.name} sets {where}: {value} (unlimited)")


# Compose-only policies (docs/decisions/0007-compose-projects.md).
POLICIES += (custom_cgroup_parent, pids_limit_missing)


@policy(
    id="VM230",
    name="vm-without-resource-limits",
    tradeoff="resource-usage",
    severity="warning",
    summary="A KubeVirt VM sets neither a CPU nor a memory limit and uses no instancetype.",
    rationale=(
        "A KubeVirt VM runs in a virt-launcher pod on a shared node. Without limits its QEMU process, I/O threads "
        "and emulator overhead can take CPU time and memory the scheduler promised to neighbours."
    ),
    remediation=(
        "Set spec.template.spec.domain.resources.limits (cpu and memory), enable dedicated CPUs, or size the VM "
        "through an instancetype reference."
    ),
    formats=("kubevirt",),
    examples=(
        Example(
            "kubevirt",
            bad="domain:\n  resources:\n    requests:\n      memory: 1Gi",
            good="domain:\n  resources:\n    requests:\n      memory: 1Gi\n    limits:\n      cpu: '1'\n"
            "      memory: 1Gi",
        ),
    ),
    notes=(
        "Only when no limit at all is written; a VM with a memory limit but no CPU limit is not flagged, nor is a "
        "VM with `cpu.dedicatedCpuPlacement: true` (KubeVirt then runs it with guaranteed QoS, limits equal to "
        "requests)."
    ),
)
def vm_without_resource_limits(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for unit in workload.units:
        domain = get(workload.document, unit.resources.cpu_limit.path[:-3])
        cpu = domain.get("cpu") if isinstance(domain, dict) else None
        if isinstance(cpu, dict) and cpu.get("dedicatedCpuPlacement") is True:
            continue  # dedicated CPUs: KubeVirt gives the launcher pod guaranteed QoS, limits equal to requests
        res = unit.resources
        limits = (res.cpu_limit, res.memory_limit)
        if all(not fact.explicit for fact in limits):
            yield Hit(res.cpu_limit.path[:-2], f"VM {unit.name} has no CPU or memory limit", unit=unit.name, key=True)


POLICIES += (vm_without_resource_limits,)

# Namespace-wide bounds (LimitRange, ResourceQuota) live in their own module (policies/namespace_limits.py).
POLICIES += NAMESPACE_POLICIES
