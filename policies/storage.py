"""Storage: data in the wrong layer, or without copy-on-write."""

from __future__ import annotations

from collections.abc import Iterator

from vmlint.compose.syntax import parse_mount, service_mounts
from vmlint.model import Workload
from vmlint.policy import Example, Hit, Policy, Settings, policy
from vmlint.source import Path

from ._terms import term


@policy(
    id="VM851",
    name="emptydir-without-size-limit",
    tradeoff="storage",
    severity="warning",
    summary="An emptyDir (or tmpfs) volume has no sizeLimit.",
    rationale=(
        "An emptyDir lives on the node's disk (or in its memory with medium: Memory) and is shared with every "
        "other pod there; without a limit one container can fill it and get its neighbours evicted."
    ),
    remediation="Set `emptyDir.sizeLimit` (e.g. `1Gi`) to what the workload needs as scratch space.",
    formats=("kubernetes", "compose"),
    examples=(
        Example(
            "kubernetes",
            bad="volumes:\n- name: scratch\n  emptyDir: {}",
            good="volumes:\n- name: scratch\n  emptyDir:\n    sizeLimit: 1Gi",
        ),
    ),
)
def emptydir_without_size_limit(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for volume in workload.volumes:
        if volume.kind == "ephemeral" and volume.size_limit is None:
            yield Hit(volume.path, f"{term(workload, 'emptyDir volume')} {volume.name} has no size limit", key=True)


POLICIES: tuple[Policy, ...] = (emptydir_without_size_limit,)


def _writable_sources(workload: Workload) -> Iterator[tuple[str, Path]]:
    """(volume name or host path, path) of each read-write named-volume or bind mount of a service."""
    for spec, _, where in service_mounts(workload):
        if spec.kind in ("volume", "bind") and spec.source and not spec.read_only:
            yield spec.source.rstrip("/") or "/", where


def _other_writers(workload: Workload, source: str) -> list[str]:
    services = workload.document.get("services") if isinstance(workload.document, dict) else None
    names = []
    for name, service in services.items() if isinstance(services, dict) else ():
        if str(name) == workload.name or not isinstance(service, dict):
            continue
        volumes = service.get("volumes")
        for item in volumes if isinstance(volumes, list) else []:
            spec = parse_mount(item)
            if spec is not None and spec.source and not spec.read_only and spec.source.rstrip("/") == source:
                names.append(str(name))
                break
    return names


@policy(
    id="VM870",
    name="volume-shared-between-services",
    tradeoff="storage",
    severity="info",
    summary="Several Compose services mount the same volume or host directory read-write.",
    rationale=(
        "Two services writing the same files must coordinate locking the filesystem does not give them, and they "
        "can only ever run on the one host that holds the data: the services cannot be split onto separate "
        "machines or VMs."
    ),
    remediation="Give each service its own volume and exchange data through an API or a queue, or mount it `:ro`.",
    formats=("compose",),
    related={"kics": ("8c978947-0ff6-485c-b0c2-0bfca6026466",)},
    notes="Read-only mounts are not counted. KICS matches the volume strings literally; vmlint compares the sources.",
    examples=(
        Example(
            "compose",
            bad="services:\n  a:\n    volumes: [data:/data]\n  b:\n    volumes: [data:/data]",
            good="services:\n  a:\n    volumes: [data:/data]\n  b:\n    volumes: [data:/data:ro]",
        ),
    ),
)
def volume_shared_between_services(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for source, path in _writable_sources(workload):
        others = _other_writers(workload, source)
        if others:
            yield Hit(path, f"{source} is also mounted read-write by {', '.join(sorted(others))}")


# Compose-only policies (docs/decisions/0007-compose-projects.md).
POLICIES += (volume_shared_between_services,)
