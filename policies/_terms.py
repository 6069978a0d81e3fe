"""How findings name things in each format's own words.

Cross-format policies judge one model, but a Compose user writes ``security_opt`` and ``healthcheck``,
not ``securityContext`` and ``livenessProbe``: messages take their nouns and field names from here.
A table maps the Kubernetes words to the format's own; Kubernetes words are the default.
"""

from __future__ import annotations

from vmlint.model import Volume, Workload

_COMPOSE: dict[str, str] = {
    "container": "service",
    "allowPrivilegeEscalation: false": "security_opt no-new-privileges:true",
    "allowPrivilegeEscalation: true": "no-new-privileges:false",
    "readOnlyRootFilesystem": "read_only",
    "CPU limit": "CPU limit (deploy.resources.limits.cpus or cpus)",
    "memory limit": "memory limit (deploy.resources.limits.memory or mem_limit)",
    "liveness probe": "healthcheck",
    "emptyDir volume": "tmpfs mount",
}

# Kubernetes words -> the format's words; a format or a phrase without an entry keeps the Kubernetes words.
_TERMS: dict[str, dict[str, str]] = {"compose": _COMPOSE}


def term(workload: Workload, words: str) -> str:
    """``words`` (as Kubernetes says them) in the workload's format."""
    return _TERMS.get(workload.format, {}).get(words, words)


def named_unit(workload: Workload, name: str) -> str:
    """``container app`` in Kubernetes, ``service app`` in Compose (a service is one container unit)."""
    return f"{term(workload, 'container')} {name}"


def subject(workload: Workload) -> str:
    """Who a pod-level setting belongs to: ``the workload``, or the Compose service by name."""
    return f"{workload.kind} {workload.name}" if workload.format == "compose" else "the workload"


def host_mount(workload: Workload, volume: Volume) -> str:
    """The subject of a host-path finding: a Kubernetes ``hostPath`` volume or a Compose bind mount."""
    if workload.format != "compose":
        return f"volume {volume.name} mounts"
    if workload.kind == "volume":
        return f"volume {workload.name} binds"
    return f"service {workload.name} bind-mounts"
