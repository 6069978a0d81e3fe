"""Isolation: sensitive host paths, container runtime sockets and propagating mounts."""

from __future__ import annotations

from collections.abc import Iterator

from vmlint.compose.syntax import service_mounts
from vmlint.model import Workload
from vmlint.policy import Example, Hit, Option, Policy, Settings, policy

from .._facts import host_volumes, under
from .._terms import host_mount
from ._common import CONTAINER_FORMATS

SENSITIVE_HOST_PATHS = (
    "/",
    "/bin",
    "/boot",
    "/dev",
    "/etc",
    "/home",
    "/lib",
    "/lib64",
    "/proc",
    "/root",
    "/run",
    "/sbin",
    "/sys",
    "/usr",
    "/var/lib/docker",
    "/var/lib/kubelet",
    "/var/lib/containerd",
    "/var/lib/etcd",
    "/var/log",
    "/var/run",
)
# Parents of sensitive directories: the directory itself holds them all; what lies below it may be anything.
SENSITIVE_PARENTS = ("/var", "/var/lib")


@policy(
    id="VM108",
    name="sensitive-host-path",
    tradeoff="isolation",
    severity="error",
    summary="A host directory of the operating system (/, /etc, /proc, /var/run ...) is mounted into the workload.",
    rationale=(
        "The host's system directories hold its credentials, its kernel interfaces and the sockets of its daemons. "
        "Mounting them hands the container the node: it can read secrets of every pod, rewrite host config or "
        "talk to the container runtime."
    ),
    remediation=(
        "Mount only an application directory, read-only where possible, or use a volume type that is not a host "
        "path (emptyDir, PVC, ConfigMap). An agent that truly needs the host belongs in a VM or on the node itself."
    ),
    formats=CONTAINER_FORMATS,
    options={"paths": Option(list(SENSITIVE_HOST_PATHS), "Host directories that must not be mounted, nor below them.")},
    related={
        "kics": ("5308a7a8-06f8-45ac-bf10-791fe21de46e",),
        "kube-linter": ("sensitive-host-mounts",),
        "trivy": ("KSV-0121",),
    },
    notes=(
        "KICS treats all of /var as sensitive (e.g. /var/redis/data); vmlint names /var/log, /var/run, the "
        "runtime, kubelet and etcd state directories (/var/lib/docker, /var/lib/containerd, /var/lib/kubelet, "
        "/var/lib/etcd) and /var and /var/lib themselves, and leaves other data directories to host-path-volume "
        "(VM303). "
        "KICS also judges PersistentVolume objects, which are not workloads. A runtime socket such as "
        "/var/run/docker.sock is reported once, by runtime-socket-mounted (VM109). KICS's Compose query Volume Has "
        "Sensitive Host Directory (1c1325ff) is not declared: besides all of /var it flags an anonymous volume "
        "(`- /var/lib/backup/data`), whose path is inside the container and mounts nothing from the host."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="volumes:\n- name: etc\n  hostPath:\n    path: /etc",
            good="volumes:\n- name: config\n  configMap:\n    name: app-config",
        ),
    ),
)
def sensitive_host_path(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for volume, path in host_volumes(workload):
        if path.rsplit("/", 1)[-1] in RUNTIME_SOCKETS:
            continue  # runtime-socket-mounted (VM109) reports it
        root = path if path in SENSITIVE_PARENTS else under(path, settings["paths"])
        if root is not None:
            inside = "" if root == path else f" (inside {root})"
            yield Hit(volume.path, f"{host_mount(workload, volume)} the host directory {path}{inside}")


RUNTIME_SOCKETS = (
    "docker.sock",
    "containerd.sock",
    "crio.sock",
    "cri-dockerd.sock",
    "podman.sock",
    "dockershim.sock",
)


@policy(
    id="VM109",
    name="runtime-socket-mounted",
    tradeoff="isolation",
    severity="error",
    summary="A container runtime socket (docker.sock, containerd.sock, crio.sock ...) is mounted into the workload.",
    rationale=(
        "Whoever can talk to the runtime socket can start a privileged container with the host's root filesystem "
        "mounted: the socket is root on the node, and every isolation setting of the workload becomes moot."
    ),
    remediation=(
        "Do not mount the runtime socket. Build images with a daemonless builder (BuildKit rootless, kaniko) or in a "
        "VM; give monitoring agents a read-only API instead."
    ),
    formats=CONTAINER_FORMATS,
    options={"sockets": Option(list(RUNTIME_SOCKETS), "File names of runtime sockets.")},
    related={
        "kics": ("a6f34658-fdfb-4154-9536-56d516f65828", "d6355c88-1e8d-49e9-b2f2-f8a1ca12c75b"),
        "checkov": ("CKV_K8S_27",),
        "trivy": ("KSV-0006",),
    },
    notes=(
        "KICS (Kubernetes), Checkov and Trivy match the path /var/run/docker.sock only; vmlint matches any host "
        "path whose file name is a runtime socket, so /run/containerd/containerd.sock is found too. kube-linter's "
        "docker-sock (any path ending in docker.sock, other sockets not) is not declared. "
        "A whole /var/run or /run mount is reported by sensitive-host-path (VM108)."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="volumes:\n- name: docker\n  hostPath:\n    path: /var/run/docker.sock",
            good="volumes:\n- name: cache\n  emptyDir: {}",
        ),
    ),
)
def runtime_socket_mounted(workload: Workload, settings: Settings) -> Iterator[Hit]:
    sockets = set(settings["sockets"])
    for volume, path in host_volumes(workload):
        if path.rsplit("/", 1)[-1] in sockets:
            yield Hit(volume.path, f"{host_mount(workload, volume)} the container runtime socket {path}")


PROPAGATING = frozenset({"shared", "rshared", "slave", "rslave"})


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
    for spec, item, where in service_mounts(workload):
        if spec.propagation not in PROPAGATING:
            continue
        if isinstance(item, dict):
            where = (*where, "bind", "propagation")
        yield Hit(where, f"mount of {spec.target or 'a path'} uses {spec.propagation} propagation")


POLICIES: tuple[Policy, ...] = (
    sensitive_host_path,
    runtime_socket_mounted,
    shared_mount_propagation,
)
