"""Isolation: the pod securityContext settings the peers check and the model does not carry as facts:
an unmasked /proc, Windows host-process containers, and the root group."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vmlint.model import Workload
from vmlint.policy import Example, Hit, Policy, Settings, policy
from vmlint.source import Path, get


def _contexts(workload: Workload) -> Iterator[tuple[Path, dict[str, Any], str | None]]:
    """The pod's securityContext (unit None) and each container's, with their paths."""
    if workload.format != "kubernetes" or not workload.pod_spec_path or workload.role == "object":
        return
    pod_path = (*workload.pod_spec_path, "securityContext")
    pod = get(workload.document, pod_path)
    if isinstance(pod, dict):
        yield pod_path, pod, None
    for unit in workload.containers():
        context = get(workload.document, unit.security_context_path)
        if isinstance(context, dict):
            yield unit.security_context_path, context, unit.name


def _who(workload: Workload, unit: str | None) -> str:
    return f"container {unit}" if unit else f"{workload.kind} {workload.name}"


@policy(
    id="VM125",
    name="proc-mount-unmasked",
    tradeoff="isolation",
    severity="error",
    summary="A container sets `procMount: Unmasked`: the runtime does not mask /proc.",
    rationale=(
        "The runtime hides and makes read-only parts of /proc (kcore, sysrq-trigger, kernel tunables) because "
        "they reach the host kernel. An unmasked /proc gives the container those paths back."
    ),
    remediation="Remove `procMount` (or set it to `Default`).",
    formats=("kubernetes",),
    related={"polaris": ("procMount",), "kube-linter": ("unsafe-proc-mount",), "trivy": ("KSV-0027",)},
    examples=(
        Example(
            "kubernetes",
            bad="securityContext:\n  procMount: Unmasked",
            good="securityContext:\n  procMount: Default",
        ),
    ),
)
def proc_mount_unmasked(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for path, context, unit in _contexts(workload):
        if unit is not None and context.get("procMount") == "Unmasked":
            yield Hit((*path, "procMount"), f"container {unit} runs with an unmasked /proc", unit=unit)


@policy(
    id="VM126",
    name="windows-host-process",
    tradeoff="isolation",
    severity="error",
    summary="A pod or container runs as a Windows HostProcess container (`windowsOptions.hostProcess: true`).",
    rationale=(
        "A HostProcess container is a process on the Windows node with the node's network, file system and, as "
        "SYSTEM, its privileges: there is no container boundary at all."
    ),
    remediation="Run the workload as a normal Windows container; leave node agents to the node's own tooling.",
    formats=("kubernetes",),
    related={"polaris": ("hostProcess",), "trivy": ("KSV-0103",)},
    examples=(
        Example(
            "kubernetes",
            bad="securityContext:\n  windowsOptions:\n    hostProcess: true",
            good="securityContext:\n  windowsOptions:\n    runAsUserName: ContainerUser",
        ),
    ),
)
def windows_host_process(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for path, context, unit in _contexts(workload):
        options = context.get("windowsOptions")
        if isinstance(options, dict) and options.get("hostProcess") is True:
            where = (*path, "windowsOptions", "hostProcess")
            yield Hit(where, f"{_who(workload, unit)} runs as a Windows HostProcess container", unit=unit)


@policy(
    id="VM127",
    name="root-group",
    tradeoff="isolation",
    severity="warning",
    summary="A pod or container runs with group id 0 (runAsGroup, fsGroup or supplementalGroups).",
    rationale=(
        "Group 0 owns much of a host's system files and, in many images, the application's files: a process in "
        "it reads and writes what root's group may, on the container's files and on any host path it reaches, "
        "even when it does not run as root."
    ),
    remediation="Set runAsGroup and fsGroup to a non-zero group id (and keep 0 out of supplementalGroups).",
    formats=("kubernetes",),
    related={"trivy": ("KSV-0116",)},
    notes="kube-linter's run-as-non-root also judges the user and is not declared equivalent.",
    examples=(
        Example(
            "kubernetes",
            bad="securityContext:\n  runAsUser: 10001\n  runAsGroup: 0",
            good="securityContext:\n  runAsUser: 10001\n  runAsGroup: 10001\n  fsGroup: 10001",
        ),
    ),
)
def root_group(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for path, context, unit in _contexts(workload):
        for field in ("runAsGroup", "fsGroup"):
            if context.get(field) == 0 and not isinstance(context.get(field), bool):
                yield Hit((*path, field), f"{_who(workload, unit)} sets {field}: 0 (the root group)", unit=unit)
        groups = context.get("supplementalGroups")
        for index, group in enumerate(groups if isinstance(groups, list) else []):
            if group == 0 and not isinstance(group, bool):
                where = (*path, "supplementalGroups", index)
                yield Hit(where, f"{_who(workload, unit)} adds the root group (supplementalGroups)", unit=unit)


POLICIES: tuple[Policy, ...] = (proc_mount_unmasked, windows_host_process, root_group)
