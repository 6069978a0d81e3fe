"""Storage: data in the wrong layer, or without copy-on-write."""

from __future__ import annotations

from collections.abc import Iterator

from vmlint.compose.syntax import parse_mount, service_mounts
from vmlint.model import VmDisk, Workload
from vmlint.policy import Example, Hit, Policy, Settings, policy
from vmlint.source import Path, get

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


@policy(
    id="VM880",
    name="containerdisk-root-disk",
    tradeoff="storage",
    severity="warning",
    summary="A long-lived VirtualMachine boots from a containerDisk, so everything written to its root disk is lost.",
    rationale=(
        "A containerDisk is an ephemeral copy of an image: every restart, eviction or migration of the VM starts "
        "again from the image. For a VirtualMachine that is meant to keep running that silently discards "
        "configuration and data, the state a VM was chosen to hold."
    ),
    remediation=(
        "Boot from a persistent disk: a dataVolumeTemplates entry importing the image into a PVC, or a "
        "persistentVolumeClaim volume. Keep containerDisk for stateless, disposable VMIs and pools."
    ),
    formats=("kubevirt",),
    examples=(
        Example(
            "kubevirt",
            bad="volumes:\n- name: root\n  containerDisk:\n    image: quay.io/containerdisks/fedora:40",
            good="volumes:\n- name: root\n  dataVolume:\n    name: fedora-root",
        ),
    ),
)
def containerdisk_root_disk(workload: Workload, settings: Settings) -> Iterator[Hit]:
    vm = workload.vm
    if vm is None or not vm.long_lived:
        return
    for disk in vm.disk_details:
        if disk.boot and disk.source == "containerDisk":
            yield Hit(
                (*disk.path, "containerDisk"), f"boot disk {disk.name} is a containerDisk: its state is lost", key=True
            )


@policy(
    id="VM881",
    name="unsafe-disk-cache",
    tradeoff="storage",
    severity="error",
    summary="A libvirt disk uses cache='unsafe': the guest's flushes are ignored.",
    rationale=(
        "With cache='unsafe' QEMU drops the guest's flush requests. A host crash or power loss then loses writes "
        "the guest's filesystem believed durable and corrupts it."
    ),
    remediation="Use cache='none' (or leave the default) for disks whose data matters.",
    formats=("libvirt",),
    examples=(
        Example(
            "libvirt",
            bad="<driver name='qemu' type='qcow2' cache='unsafe'/>",
            good="<driver name='qemu' type='qcow2' cache='none'/>",
        ),
    ),
)
def unsafe_disk_cache(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for disk in workload.vm.disk_details if workload.vm else ():
        if disk.cache.explicit and disk.cache.is_("unsafe"):
            yield Hit(disk.cache.path, f"disk {disk.name} ignores flushes (cache='unsafe')")


def _read_only_image(workload: Workload, disk: VmDisk) -> bool:
    """A disk marked <readonly/> or backed by an ISO image: a cloud-init, config or install medium."""
    node = get(workload.document, workload.path + disk.path)
    if not isinstance(node, dict):
        return False
    sources = node.get("source")
    files = [item.get("@file") for item in sources if isinstance(item, dict)] if isinstance(sources, list) else []
    return "readonly" in node or any(isinstance(f, str) and f.lower().endswith(".iso") for f in files)


@policy(
    id="VM882",
    name="raw-file-disk",
    tradeoff="storage",
    severity="info",
    summary="A file-backed libvirt disk is raw, where qcow2 would give copy-on-write, snapshots and thin provisioning.",
    rationale=(
        "A raw image file has no backing-file chain and no internal snapshots: cloning a VM copies every byte, "
        "and a snapshot before a risky change is not possible without converting the disk first."
    ),
    remediation="Use <driver type='qcow2'/> for file-backed disks (convert with qemu-img convert -O qcow2).",
    formats=("libvirt",),
    examples=(
        Example(
            "libvirt",
            bad="<disk type='file' device='disk'>\n  <driver name='qemu' type='raw'/>\n"
            "  <source file='/var/lib/libvirt/images/vm.img'/>\n</disk>",
            good="<disk type='file' device='disk'>\n  <driver name='qemu' type='qcow2'/>\n"
            "  <source file='/var/lib/libvirt/images/vm.qcow2'/>\n</disk>",
        ),
    ),
    notes="Block-device and network disks are not flagged: raw is the right format there.",
)
def raw_file_disk(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for disk in workload.vm.disk_details if workload.vm else ():
        if _read_only_image(workload, disk):
            continue
        if disk.source == "file" and disk.format.explicit and disk.format.is_("raw"):
            yield Hit(disk.format.path, f"disk {disk.name} is a raw file: no copy-on-write or snapshots")


POLICIES += (
    containerdisk_root_disk,
    unsafe_disk_cache,
    raw_file_disk,
)
