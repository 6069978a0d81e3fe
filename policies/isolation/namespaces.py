"""Isolation: host PID, IPC and user namespaces shared with a workload."""

from __future__ import annotations

from collections.abc import Iterator

from vmlint.model import Workload
from vmlint.policy import Example, Hit, Policy, Settings, policy

from .. import _fixes as fixes
from ._common import CONTAINER_FORMATS, host_namespace


@policy(
    id="VM105",
    name="host-pid",
    tradeoff="isolation",
    severity="error",
    summary="The workload shares the host's process namespace.",
    rationale="With the host PID namespace a container sees and can signal or trace every process on the node.",
    remediation="Remove `hostPID: true` (Compose: `pid: host`).",
    formats=CONTAINER_FORMATS,
    fix=fixes.REMOVE_HOST_PID,
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
    yield from host_namespace(workload, "pid", "PID")


@policy(
    id="VM106",
    name="host-ipc",
    tradeoff="isolation",
    severity="error",
    summary="The workload shares the host's IPC namespace.",
    rationale="The host IPC namespace exposes shared memory and semaphores of every process on the node.",
    remediation="Remove `hostIPC: true` (Compose: `ipc: host`).",
    formats=CONTAINER_FORMATS,
    fix=fixes.REMOVE_HOST_IPC,
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
    yield from host_namespace(workload, "ipc", "IPC")


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
    fix=fixes.REMOVE_USERNS_HOST,
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


POLICIES: tuple[Policy, ...] = (
    host_pid,
    host_ipc,
    host_user_namespace,
)
