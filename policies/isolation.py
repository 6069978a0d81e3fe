"""Isolation: a workload gets less isolation than its risk needs."""

from __future__ import annotations

from collections.abc import Iterator

from vmlint.compose.syntax import service_mounts
from vmlint.context import MAX_POD_SELECTOR_LABELS, label_pairs, pods_labelled, sandbox_class
from vmlint.model import Fact, Workload
from vmlint.policy import Example, Hit, Option, Settings, policy

from . import _fixes as fixes
from ._facts import added, capability, drops, drops_unknown, existing, fixing, hit, host_volumes, under
from ._objects import is_object, spec_of
from ._terms import host_mount, named_unit, subject, term

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
        f"security tier {tier} needs {required} isolation, "
        f"but {subject(workload)} runs as a {workload.isolation} ({runtime})",
        key=True,
        unless=unless,
    )


def _container_flag(
    workload: Workload, attribute: str, message: str, *, bad: bool = True, unset_is_bad: bool = False
) -> Iterator[Hit]:
    for unit in workload.containers():
        fact: Fact[bool] = getattr(unit, attribute)
        if fact.value is bad and (fact.explicit or unset_is_bad):
            yield Hit(fact.path, message.format(unit=named_unit(workload, unit.name)), unit=unit.name)


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
    fix=fixes.REMOVE_PRIVILEGED,
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
    yield from _container_flag(workload, "privileged", "{unit} runs privileged")


def _host_namespace(workload: Workload, namespace: str, what: str) -> Iterator[Hit]:
    if workload.host is None:
        return
    fact: Fact[bool] = getattr(workload.host, namespace)
    if fact.value is True and fact.explicit:
        yield Hit(fact.path, f"{subject(workload)} shares the host's {what} namespace")


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


@policy(
    id="VM103",
    name="privilege-escalation-allowed",
    tradeoff="isolation",
    severity="warning",
    summary="A container does not set allowPrivilegeEscalation: false, so setuid binaries can gain privileges.",
    rationale=(
        "Without no_new_privs a process can gain more privileges than its parent through setuid or file "
        "capabilities; an attacker inside the container uses that to become root and reach the shared kernel."
    ),
    remediation=(
        "Set `securityContext.allowPrivilegeEscalation: false` on every container "
        "(Compose: `security_opt: [no-new-privileges:true]`)."
    ),
    formats=CONTAINER_FORMATS,
    related={
        "kics": (
            "5572cc5e-1e4c-4113-92a6-7a8a3bd25e6d",
            "27fcc7d6-c49b-46e0-98f1-6c082a6a2750",
            "610e266e-6c12-4bca-9925-1ed0cd29742b",
        ),
        "polaris": ("privilegeEscalationAllowed",),
        "checkov": ("CKV_K8S_20",),
        "trivy": ("KSV-0001",),
    },
    notes=(
        "KICS looks only at pods whose spec holds the containers directly; vmlint checks every pod template "
        "(Deployment, CronJob ...) the same way. kube-linter's check passes an unset field and is not related. "
        "Compose: a service without `no-new-privileges:true` in `security_opt` is flagged. KICS splits that into "
        "No New Privileges Not Set (27fcc7d6, only when `security_opt` exists) and Security Opt Not Set (610e266e, "
        "no `security_opt` at all); vmlint also flags a `security_opt` that sets only AppArmor or SELinux options, "
        "which the latter passes."
    ),
    fix=fixes.NO_ESCALATION,
    examples=(
        Example(
            "kubernetes",
            bad="containers:\n- name: app\n  image: app:1.2",
            good="containers:\n- name: app\n  image: app:1.2\n  securityContext:\n    allowPrivilegeEscalation: false",
        ),
    ),
)
def privilege_escalation_allowed(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for unit in workload.containers():
        fact = unit.allow_privilege_escalation
        if fact.value is False or (fact.value is None and fact.explicit):
            continue
        who = named_unit(workload, unit.name)
        if fact.explicit:
            message = f"{who} sets {term(workload, 'allowPrivilegeEscalation: true')}"
        else:
            message = f"{who} does not set {term(workload, 'allowPrivilegeEscalation: false')}"
        yield fixing(hit(workload, fact, message, unit.name), fixes.NO_ESCALATION, fixes.no_escalation(workload, fact))


@policy(
    id="VM104",
    name="run-as-root",
    tradeoff="isolation",
    severity="warning",
    summary="A container may run as root: runAsUser is 0, or neither a non-zero runAsUser nor runAsNonRoot is set.",
    rationale=(
        "Root inside a container is root on the shared kernel's objects: one escape or one writable host mount "
        "and the attacker is root on the node. A non-root UID takes most escape paths away."
    ),
    remediation=(
        "Set `runAsNonRoot: true` and a non-zero `runAsUser` in the pod or container securityContext "
        "(Compose: `user: '10001'`), and build the image with a non-root USER."
    ),
    formats=CONTAINER_FORMATS,
    related={
        "kics": ("cf34805e-3872-4c08-bf92-6ff7bb0cfadb",),
        "polaris": ("runAsRootAllowed",),
        "checkov": ("CKV_K8S_23",),
    },
    notes=(
        "A container setting overrides the pod's. KICS skips init containers; vmlint checks them too, since they "
        "run on the same kernel."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="containers:\n- name: app\n  securityContext:\n    runAsUser: 0",
            good="securityContext:\n  runAsNonRoot: true\n  runAsUser: 10001\ncontainers:\n- name: app",
        ),
    ),
)
def run_as_root(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for unit in workload.containers():
        user, non_root = unit.run_as_user, unit.run_as_non_root
        if user.value == 0:
            yield Hit(user.path, f"{named_unit(workload, unit.name)} runs as UID 0 (root)", unit=unit.name)
        elif user.value is None and not user.explicit and non_root.value is False:
            if workload.format == "kubernetes":
                message = f"container {unit.name} may run as root: no non-zero runAsUser and no runAsNonRoot: true"
            else:
                message = f"service {unit.name} may run as root: no `user:` is set (the image's user, often root)"
            yield hit(workload, non_root, message, unit.name)


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
    "/var/log",
    "/var/run",
)


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
        "KICS treats all of /var as sensitive (e.g. /var/redis/data); vmlint names /var/log, /var/run and the "
        "runtime and kubelet state directories, and leaves other data directories to host-path-volume (VM303). "
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
        root = under(path, settings["paths"])
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


@policy(
    id="VM110",
    name="capabilities-added",
    tradeoff="isolation",
    severity="warning",
    summary="A container adds Linux capabilities beyond the allowed ones (by default only NET_BIND_SERVICE).",
    rationale=(
        "Every added capability is kernel attack surface the default container profile keeps closed; most "
        "services need none, and the few that bind low ports need only NET_BIND_SERVICE."
    ),
    remediation="Remove `capabilities.add` (Compose: `cap_add`), or justify each capability and suppress the finding.",
    formats=CONTAINER_FORMATS,
    options={"allowed": Option(["NET_BIND_SERVICE"], "Capabilities that may be added without a finding.")},
    related={
        "kics": ("19ebaa28-fc86-4a58-bcfa-015c9e22fe40", "ce76b7d0-9e77-464d-b86f-c5c48e03e22d"),
        "checkov": ("CKV_K8S_25",),
        "trivy": ("KSV-0022",),
    },
    examples=(
        Example(
            "kubernetes",
            bad="securityContext:\n  capabilities:\n    add: [NET_ADMIN]",
            good="securityContext:\n  capabilities:\n    drop: [ALL]\n    add: [NET_BIND_SERVICE]",
        ),
    ),
)
def capabilities_added(workload: Workload, settings: Settings) -> Iterator[Hit]:
    allowed = {name.upper().removeprefix("CAP_") for name in settings["allowed"]}
    for unit in workload.containers():
        for fact in unit.cap_add:
            name = capability(fact)
            if name is not None and name not in allowed:
                yield Hit(fact.path, f"{named_unit(workload, unit.name)} adds capability {name}", unit=unit.name)


DANGEROUS_CAPABILITIES = (
    "ALL",
    "SYS_ADMIN",
    "NET_ADMIN",
    "NET_RAW",
    "SYS_PTRACE",
    "SYS_RAWIO",
    "SYS_BOOT",
    "SYS_TIME",
    "DAC_READ_SEARCH",
    "BPF",
    "PERFMON",
)


@policy(
    id="VM111",
    name="dangerous-capability",
    tradeoff="isolation",
    severity="error",
    summary="A container adds a capability that breaks container isolation (SYS_ADMIN, NET_ADMIN, ALL ...).",
    rationale=(
        "SYS_ADMIN alone allows mounting filesystems and most known container escapes; NET_ADMIN and NET_RAW let a "
        "container rewrite or spoof node traffic; SYS_PTRACE, BPF and DAC_READ_SEARCH read other processes and "
        "files. A workload that needs them needs a kernel of its own: a VM."
    ),
    remediation="Remove the capability; if the workload cannot work without it, run it in a VM or a sandbox runtime.",
    formats=CONTAINER_FORMATS,
    options={"capabilities": Option(list(DANGEROUS_CAPABILITIES), "Capabilities reported by this policy.")},
    notes=(
        "KICS (235236ee, SYS_ADMIN only), Checkov CKV_K8S_39 and Trivy KSV-0005 flag SYS_ADMIN alone, and Polaris "
        "dangerousCapabilities flags SYS_ADMIN, NET_ADMIN and ALL; this policy flags a configurable list, so it "
        "declares none of them. SYS_MODULE is reported by kernel-module-capability (VM701)."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="securityContext:\n  capabilities:\n    add: [SYS_ADMIN]",
            good="securityContext:\n  capabilities:\n    drop: [ALL]",
        ),
    ),
)
def dangerous_capability(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for unit in workload.containers():
        for fact, name in added(unit, settings["capabilities"]):
            message = f"{named_unit(workload, unit.name)} adds the dangerous capability {name}"
            yield Hit(fact.path, message, unit=unit.name)


@policy(
    id="VM112",
    name="capabilities-not-dropped",
    tradeoff="isolation",
    severity="warning",
    summary="A container does not drop ALL capabilities.",
    rationale=(
        "The default capability set of a container runtime still includes CHOWN, SETUID, NET_RAW, MKNOD and more. "
        "Dropping ALL and adding back the one or two a process needs shrinks the kernel surface an attacker can use."
    ),
    remediation="Set `capabilities.drop: [ALL]` (Compose: `cap_drop: [ALL]`) and add back only what is needed.",
    formats=CONTAINER_FORMATS,
    related={"kics": ("ce76b7d0-9e77-464d-b86f-c5c48e03e22d",), "checkov": ("CKV_K8S_37",), "trivy": ("KSV-0003",)},
    notes=(
        "KICS No Drop Capabilities (268ca686) passes any non-empty drop list; vmlint asks for ALL, so it does not "
        "declare that query. KICS Compose Container Capabilities Unrestricted (ce76b7d0: `cap_add` present or no "
        "`cap_drop`) is declared here and on capabilities-added (VM110), which together flag it; they differ on "
        "`cap_drop: [ALL]` with only allowed additions (passed) and a partial `cap_drop` (flagged)."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="securityContext:\n  capabilities:\n    drop: [NET_RAW]",
            good="securityContext:\n  capabilities:\n    drop: [ALL]",
        ),
    ),
)
def capabilities_not_dropped(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for unit in workload.containers():
        if drops(unit, "ALL") or drops_unknown(unit):
            continue
        where = existing(workload, unit.capabilities_path + ("drop",))
        yield Hit(where, f"{named_unit(workload, unit.name)} does not drop ALL capabilities", unit=unit.name, key=True)


@policy(
    id="VM113",
    name="net-raw-not-dropped",
    tradeoff="isolation",
    severity="warning",
    summary="A container keeps NET_RAW: it drops neither NET_RAW nor ALL.",
    rationale=(
        "NET_RAW is in the runtime's default set and lets a container craft packets: ARP and DNS spoofing of its "
        "neighbours on the node's network. Almost no application needs it."
    ),
    remediation="Drop NET_RAW, or better ALL (`capabilities.drop: [ALL]`; Compose: `cap_drop: [ALL]`).",
    formats=CONTAINER_FORMATS,
    related={"kics": ("dbbc6705-d541-43b0-b166-dd4be8208b54",), "checkov": ("CKV_K8S_28",)},
    examples=(
        Example(
            "kubernetes",
            bad="securityContext:\n  capabilities:\n    drop: [SYS_ADMIN]",
            good="securityContext:\n  capabilities:\n    drop: [NET_RAW]",
        ),
    ),
)
def net_raw_not_dropped(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for unit in workload.containers():
        if drops(unit, "NET_RAW") or drops_unknown(unit):
            continue
        where = existing(workload, unit.capabilities_path + ("drop",))
        yield Hit(where, f"{named_unit(workload, unit.name)} does not drop NET_RAW (or ALL)", unit=unit.name, key=True)


CONFINED_SECCOMP = ("RuntimeDefault", "Localhost")


@policy(
    id="VM114",
    name="seccomp-unconfined",
    tradeoff="isolation",
    severity="error",
    summary="A container runs with seccomp explicitly set to Unconfined.",
    rationale=(
        "Seccomp filters the system calls a container may make; the runtime's default profile blocks the calls most "
        "kernel exploits use. Unconfined turns that off and exposes the whole shared kernel's syscall surface."
    ),
    remediation=(
        "Use `seccompProfile: {type: RuntimeDefault}` or a Localhost profile (Compose: drop `seccomp:unconfined` "
        "from `security_opt`)."
    ),
    formats=CONTAINER_FORMATS,
    related={"kics": ("404fde2c-bc4b-4371-9747-7054132ac953",), "trivy": ("KSV-0104",)},
    notes=(
        "An unset profile is reported by seccomp-profile-missing (VM115), which also reports Unconfined. Compose: "
        "`security_opt: [seccomp:unconfined]` (or `seccomp=unconfined`); KICS also flags `label:seccomp:unconfined`, "
        "which is an SELinux label option, not a seccomp setting, so vmlint does not."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="securityContext:\n  seccompProfile:\n    type: Unconfined",
            good="securityContext:\n  seccompProfile:\n    type: RuntimeDefault",
        ),
    ),
)
def seccomp_unconfined(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for unit in workload.containers():
        if unit.seccomp.explicit and unit.seccomp.value == "Unconfined":
            message = f"{named_unit(workload, unit.name)} runs without seccomp (Unconfined)"
            yield Hit(unit.seccomp.path, message, unit=unit.name)


@policy(
    id="VM115",
    name="seccomp-profile-missing",
    tradeoff="isolation",
    severity="warning",
    summary="A container's seccomp profile is neither RuntimeDefault nor Localhost (unset counts).",
    rationale=(
        "Kubernetes runs containers Unconfined unless a profile is set (the kubelet's SeccompDefault is off by "
        "default), so an unset profile usually means no syscall filtering on the shared kernel."
    ),
    remediation="Set `securityContext.seccompProfile.type: RuntimeDefault` on the pod (or Localhost with a profile).",
    formats=("kubernetes",),
    related={"trivy": ("KSV-0030",)},
    notes=(
        "KICS Seccomp Profile Is Not Configured (f377b83e) also accepts the PodSecurityPolicy annotation "
        "seccomp.security.alpha.kubernetes.io/defaultProfileName on a pod, where Kubernetes ignores it; vmlint "
        "does not, so it does not declare that query. "
        "The legacy annotations seccomp.security.alpha.kubernetes.io/pod and container.seccomp... are read as "
        "profiles. Compose services get the runtime's default profile unless told otherwise, so this policy is "
        "Kubernetes-only; seccomp-unconfined (VM114) covers Compose."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="spec:\n  containers:\n  - name: app",
            good="spec:\n  securityContext:\n    seccompProfile:\n      type: RuntimeDefault\n"
            "  containers:\n  - name: app",
        ),
    ),
)
def seccomp_profile_missing(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for unit in workload.containers():
        fact = unit.seccomp
        if fact.value in CONFINED_SECCOMP or (fact.value is None and fact.explicit):
            continue
        shown = f"is {fact.value}" if fact.explicit else "is not set"
        yield hit(workload, fact, f"container {unit.name}: seccomp profile {shown}", unit.name)


@policy(
    id="VM116",
    name="apparmor-unconfined",
    tradeoff="isolation",
    severity="error",
    summary="A container runs with AppArmor explicitly set to unconfined.",
    rationale=(
        "AppArmor's runtime profile denies writes to /proc and /sys and mounts that container escapes rely on; "
        "unconfined removes that layer on nodes that enforce AppArmor."
    ),
    remediation=(
        "Use `appArmorProfile: {type: RuntimeDefault}` (or the annotation value runtime/default); "
        "Compose: drop `apparmor:unconfined` from `security_opt`."
    ),
    formats=CONTAINER_FORMATS,
    examples=(
        Example(
            "kubernetes",
            bad="securityContext:\n  appArmorProfile:\n    type: Unconfined",
            good="securityContext:\n  appArmorProfile:\n    type: RuntimeDefault",
        ),
    ),
)
def apparmor_unconfined(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for unit in workload.containers():
        if unit.apparmor.explicit and unit.apparmor.value == "Unconfined":
            message = f"{named_unit(workload, unit.name)} runs without AppArmor (unconfined)"
            yield Hit(unit.apparmor.path, message, unit=unit.name)


@policy(
    id="VM117",
    name="apparmor-profile-missing",
    tradeoff="isolation",
    severity="info",
    summary="A container has no AppArmor profile of RuntimeDefault or Localhost.",
    rationale=(
        "Most container runtimes apply their default AppArmor profile, but only where the node enforces it; "
        "declaring it makes the confinement explicit and reviewable."
    ),
    remediation=(
        "Set `securityContext.appArmorProfile.type: RuntimeDefault` (Kubernetes 1.30+) or the annotation "
        "`container.apparmor.security.beta.kubernetes.io/<container>: runtime/default`."
    ),
    formats=("kubernetes",),
    related={"kics": ("8b36775e-183d-4d46-b0f7-96a6f34a723f",)},
    notes=(
        "KICS reads only the beta annotation; vmlint also accepts the appArmorProfile field that replaced it. "
        "Unconfined is also reported, with error severity, by apparmor-unconfined (VM116)."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="metadata:\n  name: web\nspec:\n  containers:\n  - name: app",
            good="metadata:\n  name: web\nspec:\n  securityContext:\n    appArmorProfile:\n      type: RuntimeDefault\n"
            "  containers:\n  - name: app",
        ),
    ),
)
def apparmor_profile_missing(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for unit in workload.containers():
        fact = unit.apparmor
        if fact.value in CONFINED_SECCOMP or (fact.value is None and fact.explicit):
            continue
        shown = f"is {fact.value}" if fact.explicit else "is not set"
        yield hit(workload, fact, f"container {unit.name}: AppArmor profile {shown}", unit.name)


@policy(
    id="VM118",
    name="writable-root-filesystem",
    tradeoff="isolation",
    severity="warning",
    summary="A container's root filesystem is writable (readOnlyRootFilesystem is not true).",
    rationale=(
        "A writable image layer lets an intruder drop tools and persist changes inside the container, and hides "
        "state in a layer nobody backs up; a read-only root with explicit volumes for scratch space prevents both."
    ),
    remediation=(
        "Set `securityContext.readOnlyRootFilesystem: true` (Compose: `read_only: true`) and mount an emptyDir or "
        "tmpfs where the process must write."
    ),
    formats=CONTAINER_FORMATS,
    related={
        "kics": ("a9c2f49d-0671-4fc9-9ece-f4e261e128d0",),
        "polaris": ("notReadOnlyRootFilesystem",),
        "kube-linter": ("no-read-only-root-fs",),
        "checkov": ("CKV_K8S_22",),
        "trivy": ("KSV-0014",),
    },
    fix=fixes.NO_ESCALATION,
    examples=(
        Example(
            "kubernetes",
            bad="containers:\n- name: app\n  image: app:1.2",
            good="containers:\n- name: app\n  image: app:1.2\n  securityContext:\n    readOnlyRootFilesystem: true",
        ),
    ),
)
def writable_root_filesystem(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for unit in workload.containers():
        fact = unit.read_only_root
        if fact.value is True or (fact.value is None and fact.explicit):
            continue
        setting = term(workload, "readOnlyRootFilesystem")
        shown = f"sets {setting}: false" if fact.explicit else f"does not set {setting}: true"
        yield hit(workload, fact, f"{named_unit(workload, unit.name)} {shown}", unit.name)


@policy(
    id="VM119",
    name="host-port",
    tradeoff="isolation",
    severity="warning",
    summary="A container port is bound to a port of the node (hostPort).",
    rationale=(
        "A hostPort opens the node's own network interface to the pod, bypasses Services and most network "
        "policies, and allows only one such pod per node."
    ),
    remediation="Remove `hostPort`; expose the port through a Service (NodePort or LoadBalancer when external).",
    formats=("kubernetes",),
    related={
        "kics": ("2b1836f1-dcce-416e-8e16-da8c71920633",),
        "polaris": ("hostPortSet",),
        "checkov": ("CKV_K8S_26",),
        "trivy": ("KSV-0024",),
    },
    notes="Compose publishes ports on the host by design; scaled services with fixed host ports are a Compose policy.",
    examples=(
        Example(
            "kubernetes",
            bad="ports:\n- containerPort: 8080\n  hostPort: 8080",
            good="ports:\n- containerPort: 8080",
        ),
    ),
)
def host_port(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for unit in workload.containers():
        for port in unit.ports:
            if port.host_port:
                yield Hit(
                    port.path + ("hostPort",), f"container {unit.name} binds host port {port.host_port}", unit=unit.name
                )


POLICIES = (
    tier_isolation_mismatch,
    privileged_container,
    privilege_escalation_allowed,
    run_as_root,
    host_pid,
    host_ipc,
    host_network,
    sensitive_host_path,
    runtime_socket_mounted,
    capabilities_added,
    dangerous_capability,
    capabilities_not_dropped,
    net_raw_not_dropped,
    seccomp_unconfined,
    seccomp_profile_missing,
    apparmor_unconfined,
    apparmor_profile_missing,
    writable_root_filesystem,
    host_port,
)

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
    for spec, item, where in service_mounts(workload):
        if spec.propagation not in PROPAGATING:
            continue
        if isinstance(item, dict):
            where = (*where, "bind", "propagation")
        yield Hit(where, f"mount of {spec.target or 'a path'} uses {spec.propagation} propagation")


# Compose-only policies (docs/decisions/0007-compose-projects.md).
POLICIES += (host_user_namespace, shared_mount_propagation)


@policy(
    id="VM120",
    name="low-uid",
    tradeoff="isolation",
    severity="info",
    summary="A container runs with a UID below 10000, or with no runAsUser at all (the image decides).",
    rationale=(
        "Without user namespaces a container's UID is the host's UID: low UIDs are the ones host accounts and "
        "system daemons own, so a process that escapes or writes to a host mount acts as one of them. A high, "
        "unshared UID owns nothing on the node."
    ),
    remediation="Set `runAsUser` to 10000 or above in the pod or container securityContext.",
    formats=("kubernetes",),
    options={"minimum": Option(10000, "The lowest UID that passes.")},
    related={"kics": ("02323c00-cdc3-4fdc-a310-4f2b3e7a1660",), "checkov": ("CKV_K8S_40",)},
    notes=(
        "UID 0 is also reported by run-as-root (VM104). Trivy KSV-0020 also flags UID 10000 itself, so it is "
        "not declared."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="securityContext:\n  runAsUser: 1000",
            good="securityContext:\n  runAsUser: 10001",
        ),
    ),
)
def low_uid(workload: Workload, settings: Settings) -> Iterator[Hit]:
    minimum = int(settings["minimum"])
    for unit in workload.containers():
        user = unit.run_as_user
        if user.value is None and user.explicit:
            continue
        if user.value is None:
            yield hit(workload, user, f"container {unit.name} sets no runAsUser (the image decides)", unit.name)
        elif user.value < minimum:
            yield Hit(user.path, f"container {unit.name} runs as the low UID {user.value}", unit=unit.name)


POLICIES += (low_uid,)


@policy(
    id="VM121",
    name="network-policy-selects-no-pod",
    tradeoff="isolation",
    severity="info",
    summary="A NetworkPolicy's podSelector matches no pod of the linted workloads.",
    rationale=(
        "A NetworkPolicy isolates only the pods it selects. One whose labels match nothing (a typo, a renamed "
        "app label, the wrong namespace) leaves the pods it was written for open to every other pod while "
        "looking like isolation in review."
    ),
    remediation=(
        "Make `spec.podSelector` match the pod template labels of the workloads to isolate, in the same namespace."
    ),
    formats=("kubernetes",),
    related={"kics": ("85ab1c5b-014e-4352-b5f8-d7dea3bb4fd3",)},
    notes=(
        "Judged over the run: pods defined outside the linted paths are not seen. Only selectors of one to three "
        "matchLabels and no matchExpressions are judged; an empty podSelector selects every pod of the namespace. "
        "kube-linter's dangling-networkpolicy also evaluates matchExpressions, so it is not declared equivalent."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="kind: NetworkPolicy\nspec:\n  podSelector:\n    matchLabels:\n      app: wbe\n---\n"
            "kind: Deployment\nspec:\n  template:\n    metadata:\n      labels:\n        app: web",
            good="kind: NetworkPolicy\nspec:\n  podSelector:\n    matchLabels:\n      app: web\n---\n"
            "kind: Deployment\nspec:\n  template:\n    metadata:\n      labels:\n        app: web",
        ),
    ),
)
def network_policy_selects_no_pod(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if not is_object(workload, "NetworkPolicy"):
        return
    selector = spec_of(workload).get("podSelector")
    if not isinstance(selector, dict) or selector.get("matchExpressions"):
        return
    match_labels = selector.get("matchLabels")
    if not isinstance(match_labels, dict):
        return
    pairs = label_pairs(match_labels)
    if 1 <= len(pairs) <= MAX_POD_SELECTOR_LABELS:
        yield Hit(
            ("spec", "podSelector", "matchLabels"),
            f"NetworkPolicy {workload.name} selects pods labelled {', '.join(pairs)}, and no linted pod has them",
            key=True,
            unless=(pods_labelled(workload.namespace, pairs),),
        )


POLICIES += (network_policy_selects_no_pod,)
