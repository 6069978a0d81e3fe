"""Dependencies: containers that need the host kernel's specifics belong in a VM."""

from __future__ import annotations

from collections.abc import Iterator

from vmlint.model import Workload
from vmlint.policy import Example, Hit, Option, Policy, Settings, policy

from . import _fixes as fixes
from ._facts import added, host_volumes, under
from ._terms import host_mount, named_unit, subject

KERNEL_PATHS = ("/lib/modules", "/usr/lib/modules", "/usr/src")
SAFE_SYSCTLS = (
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
)


@policy(
    id="VM701",
    name="kernel-module-capability",
    tradeoff="dependencies",
    severity="error",
    summary="A container adds SYS_MODULE: it loads kernel modules into the host's kernel.",
    rationale=(
        "A container that loads modules changes the kernel every other workload on the node runs on, and any code "
        "it loads runs with full kernel privileges. Software that needs its own kernel modules needs its own "
        "kernel: a VM."
    ),
    remediation="Load the module on the node (its OS image or a machine config) or run the workload in a VM.",
    formats=("kubernetes", "compose"),
    fix=fixes.REMOVE_CAPABILITY,
    related={"trivy": ("KSV-0120",)},
    examples=(
        Example(
            "kubernetes",
            bad="securityContext:\n  capabilities:\n    add: [SYS_MODULE]",
            good="securityContext:\n  capabilities:\n    drop: [ALL]",
        ),
    ),
)
def kernel_module_capability(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for unit in workload.containers():
        for fact, _ in added(unit, ("SYS_MODULE",)):
            message = f"{named_unit(workload, unit.name)} adds SYS_MODULE (loads host kernel modules)"
            yield Hit(fact.path, message, unit=unit.name)


@policy(
    id="VM702",
    name="host-kernel-files",
    tradeoff="dependencies",
    severity="warning",
    summary="The workload mounts the host's kernel modules or kernel sources (/lib/modules, /usr/src).",
    rationale=(
        "Mounting the host's modules or headers ties the image to the kernel version of whatever node it lands "
        "on: it breaks on the next node upgrade, and it means the software depends on the kernel, not the "
        "container boundary."
    ),
    remediation="Ship what the workload needs in the image, or run it in a VM whose kernel it controls.",
    formats=("kubernetes", "compose"),
    options={"paths": Option(list(KERNEL_PATHS), "Host directories that belong to the kernel.")},
    examples=(
        Example(
            "kubernetes",
            bad="volumes:\n- name: modules\n  hostPath:\n    path: /lib/modules",
            good="volumes:\n- name: scratch\n  emptyDir: {}",
        ),
    ),
)
def host_kernel_files(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for volume, path in host_volumes(workload):
        if under(path, settings["paths"]) is not None:
            yield Hit(volume.path, f"{host_mount(workload, volume)} the host kernel's files at {path}")


@policy(
    id="VM703",
    name="unsafe-sysctl",
    tradeoff="dependencies",
    severity="error",
    summary="The pod sets a sysctl outside the namespaced safe set.",
    rationale=(
        "Unsafe sysctls are not isolated per pod: they tune the node's kernel for every workload on it, and can "
        "destabilise it. A workload that needs kernel tuning of its own is a VM workload."
    ),
    remediation="Remove the sysctl, tune the node itself, or run the workload in a VM.",
    formats=("kubernetes", "compose"),
    options={"safe": Option(list(SAFE_SYSCTLS), "Sysctls that are namespaced and allowed by default.")},
    related={"kube-linter": ("unsafe-sysctls",), "trivy": ("KSV-0026",)},
    notes=(
        "KICS Cluster Allows Unsafe Sysctls (9127f0d9) also judges PodSecurityPolicy objects, so it is not declared."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="securityContext:\n  sysctls:\n  - name: kernel.msgmax\n    value: '65536'",
            good="securityContext:\n  sysctls:\n  - name: net.ipv4.tcp_syncookies\n    value: '1'",
        ),
    ),
)
def unsafe_sysctl(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if workload.host is None:
        return
    safe = set(settings["safe"])
    for fact in workload.host.sysctls:
        if fact.value is not None and fact.value.replace("/", ".") not in safe:
            yield Hit(fact.path, f"{subject(workload)} sets the unsafe sysctl {fact.value}")


POLICIES: tuple[Policy, ...] = (kernel_module_capability, host_kernel_files, unsafe_sysctl)


@policy(
    id="VM730",
    name="vm-host-directory-shared",
    tradeoff="dependencies",
    severity="warning",
    summary="A libvirt VM mounts a host directory (<filesystem type='mount'>, virtiofs or 9p).",
    rationale=(
        "A shared host directory makes the guest depend on one host's filesystem: the VM cannot start on another "
        "host that lacks the directory, virtiofs and 9p shares block live migration, and the guest reads and "
        "writes host files past the disk-image boundary that makes a VM self-contained."
    ),
    remediation=(
        "Put the data on a virtual disk (a qcow2 volume or shared block storage) or reach it over the network "
        "(NFS, object storage); keep host shares for development VMs pinned to one host."
    ),
    formats=("libvirt",),
    examples=(
        Example(
            "libvirt",
            bad="<filesystem type='mount' accessmode='passthrough'>\n  <driver type='virtiofs'/>\n"
            "  <source dir='/srv/data'/>\n  <target dir='data'/>\n</filesystem>",
            good="<disk type='file' device='disk'>\n  <driver name='qemu' type='qcow2'/>\n"
            "  <source file='/var/lib/libvirt/images/data.qcow2'/>\n  <target dev='vdb' bus='virtio'/>\n</disk>",
        ),
    ),
    notes=(
        "Container domains (type='lxc') are not judged: a host directory is how their root filesystem is given. "
        "KubeVirt hostDisk is reported by VM451."
    ),
)
def vm_host_directory_shared(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if workload.isolation != "vm" or workload.vm is None:
        return
    for share in workload.vm.host_shares:
        where = f"host directory {share.value}" if share.value else "a host directory"
        yield Hit(share.path, f"{where} is mounted into the guest")


POLICIES += (vm_host_directory_shared,)
