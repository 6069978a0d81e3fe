"""Isolation: a workload gets less isolation than its risk needs."""

from __future__ import annotations

from collections.abc import Iterator

from vmlint.compose.syntax import parse_mount, service_of
from vmlint.context import sandbox_class
from vmlint.model import Fact, Workload
from vmlint.policy import Example, Hit, Option, Settings, policy
from vmlint.source import Path

CONTAINER_FORMATS = ("kubernetes", "compose")
ALL_FORMATS = ("kubernetes", "compose", "kubevirt", "packer", "libvirt")
RANK = {"container": 0, "sandbox": 1, "vm": 2}


@policy(
    id="VM101",
    name="tier-isolation-mismatch",
    tradeoff="isolation",
    severity="error",
    summary="A high-tier workload runs in a plain shared-kernel container instead of a sandbox or a VM.",
    rationale=(
        "Containers share the host kernel: one kernel bug or misconfiguration lets a compromised high-risk workload "
        "reach every other workload on the node. A sandboxed runtime (gVisor, Kata, Firecracker) or a VM puts a "
        "second kernel or a hypervisor between them, which is what the workload's security tier asks for."
    ),
    remediation=(
        "Run the workload under a sandbox runtime class (runtimeClassName: gvisor or kata; Compose runtime: runsc) "
        "or as a KubeVirt VM, or lower its tier if the label is wrong."
    ),
    formats=ALL_FORMATS,
    options={
        "high": Option("sandbox", "Least isolation for tier high: container, sandbox or vm."),
        "standard": Option("container", "Least isolation for tier standard."),
        "low": Option("container", "Least isolation for tier low."),
    },
    examples=(
        Example(
            "kubernetes",
            bad="metadata:\n  labels:\n    vmlint.io/security-tier: high\n"
            "spec:\n  containers:\n  - name: payments\n    image: pay:1.4",
            good="metadata:\n  labels:\n    vmlint.io/security-tier: high\nspec:\n  runtimeClassName: gvisor\n"
            "  containers:\n  - name: payments\n    image: pay:1.4",
        ),
    ),
)
def tier_isolation_mismatch(workload: Workload, settings: Settings) -> Iterator[Hit]:
    tier = workload.tier.value
    if tier is None:
        return
    required = str(settings[tier])
    if RANK.get(workload.isolation, 0) >= RANK.get(required, 0):
        return
    runtime = workload.runtime.value or "an unknown runtime"
    # A RuntimeClass elsewhere in the run whose handler is a sandbox (runsc, kata ...) gives sandbox isolation.
    unless = (sandbox_class(runtime),) if workload.runtime.explicit and RANK[required] <= RANK["sandbox"] else ()
    yield Hit(
        workload.tier.path,
        f"security tier {tier} needs {required} isolation, but the workload runs as a {workload.isolation} ({runtime})",
        key=True,
        unless=unless,
    )


def _container_flag(
    workload: Workload, attribute: str, message: str, *, bad: bool = True, unset_is_bad: bool = False
) -> Iterator[Hit]:
    for unit in workload.containers():
        fact: Fact[bool] = getattr(unit, attribute)
        if fact.value is bad and (fact.explicit or unset_is_bad):
            yield Hit(fact.path, message.format(unit=unit.name), unit=unit.name)


@policy(
    id="VM102",
    name="privileged-container",
    tradeoff="isolation",
    severity="error",
    summary="A container runs privileged: it has every capability and every host device.",
    rationale=(
        "A privileged container is root on the host in all but name: it can load kernel modules, mount the host's "
        "disks and escape its namespaces. Nothing is left of container isolation."
    ),
    remediation="Remove `privileged: true`; add only the capabilities the process needs, or run it in a VM.",
    formats=CONTAINER_FORMATS,
    related={
        "kics": ("dd29336b-fe57-445b-a26e-e6aa867ae609", "ae5b6871-7f45-42e0-bb4c-ab300c4d2026"),
        "polaris": ("runAsPrivileged",),
        "kube-linter": ("privileged-container",),
        "checkov": ("CKV_K8S_16",),
        "trivy": ("KSV-0017",),
    },
    examples=(
        Example(
            "kubernetes",
            bad="containers:\n- name: app\n  securityContext:\n    privileged: true",
            good="containers:\n- name: app\n  securityContext:\n    privileged: false",
        ),
    ),
)
def privileged_container(workload: Workload, settings: Settings) -> Iterator[Hit]:
    yield from _container_flag(workload, "privileged", "container {unit} runs privileged")


def _host_namespace(workload: Workload, namespace: str, what: str) -> Iterator[Hit]:
    if workload.host is None:
        return
    fact: Fact[bool] = getattr(workload.host, namespace)
    if fact.value is True and fact.explicit:
        yield Hit(fact.path, f"the workload shares the host's {what} namespace")


@policy(
    id="VM105",
    name="host-pid",
    tradeoff="isolation",
    severity="error",
    summary="The workload shares the host's process namespace.",
    rationale="With the host PID namespace a container sees and can signal or trace every process on the node.",
    remediation="Remove `hostPID: true` (Compose: `pid: host`).",
    formats=CONTAINER_FORMATS,
    related={
        "kics": ("302736f4-b16c-41b8-befe-c0baffa0bd9d", "4f31dd9f-2cc3-4751-9b53-67e4af83dac0"),
        "polaris": ("hostPIDSet",),
        "kube-linter": ("host-pid",),
        "checkov": ("CKV_K8S_17",),
        "trivy": ("KSV-0010",),
    },
    examples=(Example("kubernetes", bad="spec:\n  hostPID: true", good="spec:\n  hostPID: false"),),
)
def host_pid(workload: Workload, settings: Settings) -> Iterator[Hit]:
    yield from _host_namespace(workload, "pid", "PID")


@policy(
    id="VM106",
    name="host-ipc",
    tradeoff="isolation",
    severity="error",
    summary="The workload shares the host's IPC namespace.",
    rationale="The host IPC namespace exposes shared memory and semaphores of every process on the node.",
    remediation="Remove `hostIPC: true` (Compose: `ipc: host`).",
    formats=CONTAINER_FORMATS,
    related={
        "kics": ("cd290efd-6c82-4e9d-a698-be12ae31d536", "baa3890f-bed7-46f5-ab8f-1da8fc91c729"),
        "polaris": ("hostIPCSet",),
        "kube-linter": ("host-ipc",),
        "checkov": ("CKV_K8S_18",),
        "trivy": ("KSV-0008",),
    },
    examples=(Example("kubernetes", bad="spec:\n  hostIPC: true", good="spec:\n  hostIPC: false"),),
)
def host_ipc(workload: Workload, settings: Settings) -> Iterator[Hit]:
    yield from _host_namespace(workload, "ipc", "IPC")


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
    yield from _host_namespace(workload, "network", "network")


POLICIES = (tier_isolation_mismatch, privileged_container, host_pid, host_ipc, host_network)

PROPAGATING = frozenset({"shared", "rshared", "slave", "rslave"})


@policy(
    id="VM140",
    name="host-user-namespace",
    tradeoff="isolation",
    severity="error",
    summary="A Compose service shares the host's user namespace (`userns_mode: host`).",
    rationale=(
        "On a daemon with user-namespace remapping, `userns_mode: host` opts the container out: root inside is root "
        "on the host again, so any escape through the shared kernel lands with full host privileges."
    ),
    remediation="Remove `userns_mode: host`; keep the daemon's remapping, or run the workload in a VM.",
    formats=("compose",),
    related={"kics": ("8af7162d-6c98-482f-868e-0d33fb675ca8",)},
    examples=(
        Example(
            "compose",
            bad="services:\n  app:\n    image: app:1.2\n    userns_mode: host",
            good="services:\n  app:\n    image: app:1.2",
        ),
    ),
)
def host_user_namespace(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if workload.format == "compose" and workload.host is not None:
        fact = workload.host.userns
        if fact.explicit and fact.value is True:
            yield Hit(fact.path, "the service shares the host's user namespace (userns_mode: host)")


@policy(
    id="VM141",
    name="shared-mount-propagation",
    tradeoff="isolation",
    severity="warning",
    summary="A bind mount uses shared or slave propagation, so mounts cross between host and container.",
    rationale=(
        "With shared or slave propagation, mounts made on the host appear inside the container, and with shared "
        "ones mounts made inside the container appear on the host: the mount namespace stops being a boundary."
    ),
    remediation="Drop the propagation option (the default is rprivate), or use `private`/`rprivate`.",
    formats=("compose",),
    related={"kics": ("baa452f0-1f21-4a25-ace5-844e7a5f410d",)},
    examples=(
        Example(
            "compose",
            bad="volumes:\n- type: bind\n  source: /srv/data\n  target: /data\n  bind:\n    propagation: rshared",
            good="volumes:\n- type: bind\n  source: /srv/data\n  target: /data",
        ),
    ),
)
def shared_mount_propagation(workload: Workload, settings: Settings) -> Iterator[Hit]:
    found = service_of(workload)
    if found is None:
        return
    service, path = found
    volumes = service.get("volumes")
    for index, item in enumerate(volumes if isinstance(volumes, list) else []):
        spec = parse_mount(item)
        if spec is None or spec.propagation not in PROPAGATING:
            continue
        where: Path = (*path, "volumes", index)
        if isinstance(item, dict):
            where = (*where, "bind", "propagation")
        yield Hit(where, f"mount of {spec.target or 'a path'} uses {spec.propagation} propagation")


# Compose-only policies (docs/decisions/0005-compose-projects.md).
POLICIES += (host_user_namespace, shared_mount_propagation)
