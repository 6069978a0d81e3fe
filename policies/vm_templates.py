"""Policies for VM templates (KubeVirt, Packer, libvirt, cloud-init), across the tradeoff families.

Kept in one module so the VM formats' checks evolve together; each policy's family is its
``tradeoff`` metadata, as everywhere (docs/decisions/0004).
"""

from __future__ import annotations

from collections.abc import Iterator

from vmlint.context import absent, autoscaled
from vmlint.model import Fact, Volume, Workload
from vmlint.policy import Example, Hit, Option, Policy, Settings, policy
from vmlint.source import get
from vmlint.vm_context import backup_facts_for


@policy(
    id="VM150",
    name="vm-security-label-disabled",
    tradeoff="isolation",
    severity="error",
    summary="A libvirt domain turns off sVirt confinement with <seclabel type='none'/>.",
    rationale=(
        "Normally libvirt confines each QEMU process with an SELinux or AppArmor label (sVirt) so that a guest "
        "that escapes into its QEMU process still cannot read other guests' disks. type='none' removes that "
        "second wall and leaves only the hypervisor between a compromised guest and every other VM on the host."
    ),
    remediation="Remove the <seclabel type='none'/> element or use type='dynamic' so libvirt labels the guest.",
    formats=("libvirt",),
    examples=(
        Example(
            "libvirt",
            bad="<domain type='kvm'>\n  <seclabel type='none'/>\n</domain>",
            good="<domain type='kvm'>\n  <seclabel type='dynamic' model='selinux'/>\n</domain>",
        ),
    ),
)
def vm_security_label_disabled(workload: Workload, settings: Settings) -> Iterator[Hit]:
    seclabel = workload.vm.seclabel if workload.vm else None
    if seclabel is not None and seclabel.explicit and seclabel.is_("none"):
        yield Hit(seclabel.path, "seclabel type='none' disables sVirt confinement of the guest")


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
    notes="Only when no limit at all is written; a VM with a memory limit but no CPU limit is not flagged.",
)
def vm_without_resource_limits(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for unit in workload.units:
        res = unit.resources
        limits = (res.cpu_limit, res.memory_limit)
        if all(not fact.explicit for fact in limits):
            yield Hit(res.cpu_limit.path[:-2], f"VM {unit.name} has no CPU or memory limit", unit=unit.name, key=True)


@policy(
    id="VM330",
    name="host-passthrough-cpu",
    tradeoff="portability",
    severity="warning",
    summary="The VM uses the host's exact CPU model (host-passthrough).",
    rationale=(
        "The host-passthrough CPU mode exposes the physical CPU's model and flags to the guest. The VM can then "
        "only be migrated or restarted on hosts with an identical CPU, which ties it to one kind of hardware "
        "and breaks live migration across a mixed fleet."
    ),
    remediation=(
        "Use a named CPU model (or host-model in libvirt) that every target host supports; keep host-passthrough "
        "for VMs pinned to one host on purpose."
    ),
    formats=("kubevirt", "libvirt"),
    examples=(
        Example(
            "kubevirt", bad="domain:\n  cpu:\n    model: host-passthrough", good="domain:\n  cpu:\n    model: Haswell"
        ),
        Example(
            "libvirt",
            bad="<cpu mode='host-passthrough'/>",
            good="<cpu mode='custom'><model>Haswell-noTSX</model></cpu>",
        ),
    ),
)
def host_passthrough_cpu(workload: Workload, settings: Settings) -> Iterator[Hit]:
    mode = workload.vm.cpu_mode if workload.vm else None
    if mode is not None and mode.explicit and mode.is_("host-passthrough"):
        yield Hit(mode.path, "CPU model host-passthrough ties the VM to hosts with the same CPU")


MIGRATING_EVICTION = ("LiveMigrate",)


@policy(
    id="VM451",
    name="vm-device-passthrough",
    tradeoff="hardware",
    severity="warning",
    summary="The VM takes a host device directly: PCI/GPU/USB host devices, a host disk or a SCSI LUN.",
    rationale=(
        "A passed-through device belongs to one physical host. The VM can only run where that device exists, "
        "cannot be live-migrated, and the device's firmware and DMA reach past the hypervisor's emulation."
    ),
    remediation=(
        "Prefer virtual devices (virtio disks on shared storage, vGPU/mediated devices). Where passthrough is "
        "needed, schedule the VM explicitly onto the hosts that have the device and accept that it cannot migrate."
    ),
    formats=("kubevirt", "libvirt"),
    examples=(
        Example(
            "kubevirt",
            bad="devices:\n  gpus:\n  - name: gpu1\n    deviceName: nvidia.com/GV100GL",
            good="devices:\n  disks:\n  - name: root\n    disk:\n      bus: virtio",
        ),
        Example(
            "libvirt",
            bad="<hostdev mode='subsystem' type='pci'>\n  <source><address bus='0x06' slot='0x02'/></source>\n"
            "</hostdev>",
            good="<interface type='network'><source network='default'/><model type='virtio'/></interface>",
        ),
    ),
    notes="libvirt disks of type='block' on host block devices are not flagged: most are LVM volumes of the host.",
)
def vm_device_passthrough(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for device in workload.vm.passthrough_devices if workload.vm else ():
        yield Hit(device.path, f"{device.value} is passed through from the host")


@policy(
    id="VM452",
    name="live-migration-blocked",
    tradeoff="hardware",
    severity="error",
    summary="A VM with evictionStrategy LiveMigrate holds host devices or host disks that cannot migrate.",
    rationale=(
        "With evictionStrategy LiveMigrate a node drain waits for the VM to migrate. A VM holding a GPU, a host "
        "device or a hostDisk cannot migrate, so the drain blocks (or the VM is killed when it times out): the "
        "maintenance plan and the hardware contradict each other."
    ),
    remediation=(
        "Remove the passthrough device or hostDisk, or set evictionStrategy to None/External and plan downtime for "
        "node maintenance."
    ),
    formats=("kubevirt",),
    examples=(
        Example(
            "kubevirt",
            bad="evictionStrategy: LiveMigrate\ndomain:\n  devices:\n    gpus:\n    - name: gpu1\n"
            "      deviceName: nvidia.com/GV100GL",
            good="evictionStrategy: None\ndomain:\n  devices:\n    gpus:\n    - name: gpu1\n"
            "      deviceName: nvidia.com/GV100GL",
        ),
    ),
)
def live_migration_blocked(workload: Workload, settings: Settings) -> Iterator[Hit]:
    vm = workload.vm
    if vm is None or vm.eviction_strategy is None or not vm.eviction_strategy.explicit:
        return
    if vm.eviction_strategy.value not in MIGRATING_EVICTION or not vm.passthrough_devices:
        return
    blockers = ", ".join(str(device.value) for device in vm.passthrough_devices)
    yield Hit(vm.eviction_strategy.path, f"evictionStrategy LiveMigrate, but {blockers} cannot be live-migrated")


WEAK_CHECKSUMS = ("md5", "sha1")
STRONG_HEX = {64: "sha256", 96: "sha384", 128: "sha512"}


@policy(
    id="VM650",
    name="vm-plaintext-password",
    tradeoff="security",
    severity="error",
    summary="A VM template or cloud-init user-data writes a login password in plain text.",
    rationale=(
        "A password in a template is readable by everyone who can read the repository, the KubeVirt object or the "
        "image build log, and it is usually the same on every VM built from it. cloud-init `password`, "
        "`chpasswd` lists, `plain_text_passwd` and Packer `ssh_password`/`winrm_password` literals all do this."
    ),
    remediation=(
        "Log in with SSH keys (cloud-init ssh_authorized_keys, Packer ssh_private_key_file); where a password is "
        "required, store a crypt hash (passwd / chpasswd type: hash) or read it from a secret at deploy time."
    ),
    formats=("kubevirt", "cloud-init", "packer"),
    examples=(
        Example(
            "cloud-init",
            bad="#cloud-config\npassword: fedora\nchpasswd: { expire: False }",
            good="#cloud-config\nssh_authorized_keys:\n  - ssh-ed25519 AAAAC3Nz... admin",
        ),
        Example(
            "packer",
            bad='source "qemu" "base" {\n  ssh_username = "packer"\n  ssh_password = "packer"\n}',
            good='source "qemu" "base" {\n  ssh_username = "packer"\n  ssh_private_key_file = "~/.ssh/build"\n}',
        ),
    ),
    notes=(
        "Packer passwords that come from a variable are reported at the attribute that uses them, when the "
        "variable's default or a *.pkrvars.hcl file in the same directory sets a literal value."
    ),
)
def vm_plaintext_password(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for secret in workload.access.plaintext_passwords if workload.access else ():
        yield Hit(secret.path, "plain-text password in the VM template")


@policy(
    id="VM651",
    name="ssh-password-auth",
    tradeoff="security",
    severity="warning",
    summary="The cloud-config turns on SSH password authentication (ssh_pwauth: true).",
    rationale=(
        "Password logins over SSH can be guessed and brute-forced from anywhere the VM is reachable; keys cannot. "
        "A VM is a long-lived target with a full OS, so its SSH endpoint is attacked like any server's."
    ),
    remediation="Remove `ssh_pwauth: true` and provide ssh_authorized_keys instead.",
    formats=("kubevirt", "cloud-init"),
    examples=(
        Example(
            "cloud-init",
            bad="#cloud-config\nssh_pwauth: true",
            good="#cloud-config\nssh_pwauth: false\nssh_authorized_keys:\n  - ssh-ed25519 AAAAC3Nz... admin",
        ),
    ),
)
def ssh_password_auth(workload: Workload, settings: Settings) -> Iterator[Hit]:
    fact = workload.access.password_auth if workload.access else None
    if fact is not None and fact.explicit and fact.value is True and workload.format != "packer":
        yield Hit(fact.path, "SSH password authentication is enabled")


@policy(
    id="VM652",
    name="vm-root-login",
    tradeoff="security",
    severity="warning",
    summary="The cloud-config allows logging in as root (disable_root: false).",
    rationale=(
        "A root login gives no audit trail of who acted and makes every stolen credential a full compromise of "
        "the guest."
    ),
    remediation="Remove `disable_root: false`; log in as a named user and use sudo.",
    formats=("kubevirt", "cloud-init"),
    examples=(
        Example("cloud-init", bad="#cloud-config\ndisable_root: false", good="#cloud-config\ndisable_root: true"),
    ),
)
def vm_root_login(workload: Workload, settings: Settings) -> Iterator[Hit]:
    fact = workload.access.root_login if workload.access else None
    if fact is not None and fact.explicit and fact.value is True:
        yield Hit(fact.path, "root may log in to the guest")


@policy(
    id="VM653",
    name="console-exposed-without-password",
    tradeoff="security",
    severity="error",
    summary="A VNC or SPICE console listens on every interface without a password.",
    rationale=(
        "A graphical console is keyboard and screen of the VM: whoever connects can reboot into single-user mode "
        "or type at a logged-in session. Listening on 0.0.0.0 without a password offers that to the whole network."
    ),
    remediation=(
        "Listen on 127.0.0.1 (libvirt listen='127.0.0.1', Packer vnc_bind_address = \"127.0.0.1\") and tunnel "
        "over SSH, or set a console password (libvirt passwd=..., Packer vnc_use_password = true)."
    ),
    formats=("libvirt", "packer"),
    examples=(
        Example(
            "libvirt",
            bad="<graphics type='vnc' port='-1' autoport='yes' listen='0.0.0.0'/>",
            good="<graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1'/>",
        ),
        Example(
            "packer",
            bad='source "qemu" "base" {\n  vnc_bind_address = "0.0.0.0"\n}',
            good='source "qemu" "base" {\n  vnc_bind_address = "127.0.0.1"\n}',
        ),
    ),
)
def console_exposed_without_password(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for exposure in workload.exposure:
        if exposure.kind not in ("vnc", "spice", "rdp") or exposure.public is not True:
            continue
        auth = exposure.authenticated
        if auth is None or auth.value is False:
            yield Hit(exposure.path, f"{exposure.kind} console listens on {exposure.bind_address} without a password")


def _checksum_kind(value: str) -> str:
    """sha256/…, md5, sha1, none, file (a checksum file URL) or unknown, for an iso_checksum value."""
    text = value.strip().lower()
    if text == "none":
        return "none"
    kind, sep, _ = text.partition(":")
    if sep and kind == "file":
        return "file"
    if sep:
        return kind
    return {32: "md5", 40: "sha1"}.get(len(text)) or STRONG_HEX.get(len(text), "unknown")


@policy(
    id="VM654",
    name="weak-iso-checksum",
    tradeoff="security",
    severity="error",
    summary='A Packer build downloads an ISO with no checksum, iso_checksum = "none", or an MD5/SHA-1 checksum.',
    rationale=(
        "The installer ISO becomes every VM built from the image. Without a strong checksum a tampered mirror, a "
        "proxy or a truncated download goes into the golden image unnoticed; MD5 and SHA-1 collisions can be "
        "manufactured."
    ),
    remediation=(
        'Set iso_checksum to the distribution\'s SHA-256 ("sha256:…") or to its checksum file over https '
        '("file:https://…/SHA256SUMS").'
    ),
    formats=("packer",),
    examples=(
        Example(
            "packer",
            bad='source "qemu" "base" {\n  iso_url      = "https://example.org/os.iso"\n  iso_checksum = "none"\n}',
            good='source "qemu" "base" {\n  iso_url      = "https://example.org/os.iso"\n'
            '  iso_checksum = "sha256:4c5f..."\n}',
        ),
    ),
)
def weak_iso_checksum(workload: Workload, settings: Settings) -> Iterator[Hit]:
    downloads = workload.vm.downloads if workload.vm else ()
    if not downloads:
        return
    checksum = downloads[0].checksum
    if not checksum.explicit:
        yield Hit(checksum.path, "the ISO download has no iso_checksum")
        return
    if checksum.value is None:
        return
    kind = _checksum_kind(checksum.value)
    if kind == "none":
        yield Hit(checksum.path, 'iso_checksum = "none" turns off verification of the ISO')
    elif kind in WEAK_CHECKSUMS:
        yield Hit(checksum.path, f"iso_checksum uses {kind}, which is broken for integrity")


def _verified(checksum: Fact[str]) -> bool:
    if checksum.value is None:
        return False
    kind = _checksum_kind(checksum.value)
    if kind == "file":
        return checksum.value.strip().lower().startswith("file:https://")
    return kind not in ("none", "unknown", *WEAK_CHECKSUMS)


@policy(
    id="VM655",
    name="insecure-download",
    tradeoff="security",
    severity="warning",
    summary="A VM image or ISO is downloaded over plain http without a strong checksum to verify it.",
    rationale=(
        "Plain http can be read and rewritten by anyone on the path. Without a strong checksum fetched over a "
        "trusted channel, the VM boots whatever the network delivered."
    ),
    remediation=(
        "Download over https, and give Packer a SHA-256 iso_checksum; KubeVirt/CDI http sources have no checksum, "
        "so use an https URL or a registry source pinned by digest."
    ),
    formats=("packer", "kubevirt"),
    examples=(
        Example(
            "packer",
            bad='source "qemu" "base" {\n  iso_url      = "http://example.org/os.iso"\n'
            '  iso_checksum = "file:http://example.org/SHA256SUMS"\n}',
            good='source "qemu" "base" {\n  iso_url      = "https://example.org/os.iso"\n'
            '  iso_checksum = "file:https://example.org/SHA256SUMS"\n}',
        ),
        Example(
            "kubevirt",
            bad="dataVolumeTemplates:\n- spec:\n    source:\n      http:\n        url: http://example.org/disk.img",
            good="dataVolumeTemplates:\n- spec:\n    source:\n      http:\n        url: https://example.org/disk.img",
        ),
    ),
)
def insecure_download(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for download in workload.vm.downloads if workload.vm else ():
        url = download.url.value
        if url is None or not url.strip().lower().startswith("http://"):
            continue
        if download.checksum.explicit and download.checksum.value is None:
            continue  # a checksum rests on a variable we cannot resolve
        if not _verified(download.checksum):
            yield Hit(download.url.path, f"{url} is fetched over plain http without a strong checksum")


@policy(
    id="VM830",
    name="vm-without-patch-step",
    tradeoff="management",
    severity="warning",
    summary="An image build or a cloud-config never upgrades the guest's packages.",
    rationale=(
        "A VM carries a whole OS that nobody rebuilds on every release the way container images are. An image "
        "built from an installer ISO, or a guest booted from a cloud image, starts with the vulnerabilities fixed "
        "since the ISO was cut unless the build or first boot upgrades packages."
    ),
    remediation=(
        "Packer: add a provisioner that upgrades packages (apt-get -y upgrade, dnf -y update, Windows Update). "
        "cloud-init: set `package_upgrade: true`."
    ),
    formats=("packer", "cloud-init", "kubevirt"),
    examples=(
        Example(
            "cloud-init",
            bad="#cloud-config\npackages:\n  - nginx",
            good="#cloud-config\npackage_update: true\npackage_upgrade: true\npackages:\n  - nginx",
        ),
        Example(
            "packer",
            bad='build {\n  sources = ["source.qemu.base"]\n  provisioner "shell" {\n'
            '    inline = ["apt-get install -y nginx"]\n  }\n}',
            good='build {\n  sources = ["source.qemu.base"]\n  provisioner "shell" {\n'
            '    inline = ["apt-get update", "apt-get -y upgrade"]\n  }\n}',
        ),
    ),
    notes=(
        "A patch step is an upgrade command in a provisioner or runcmd/bootcmd, a script whose name says "
        "update/upgrade/patch, or cloud-init package_upgrade/apt_upgrade. Packer builds in other *.pkr.hcl files "
        "of the same directory count. KubeVirt VMs are checked only when they embed a cloud-config."
    ),
)
def vm_without_patch_step(workload: Workload, settings: Settings) -> Iterator[Hit]:
    step = workload.vm.patch_step if workload.vm else None
    if step is not None and step.value is False:
        what = "the image build" if workload.role == "image-build" else "the cloud-config"
        yield Hit(step.path, f"{what} has no package upgrade step")


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
        if disk.source == "file" and disk.format.explicit and disk.format.is_("raw"):
            yield Hit(disk.format.path, f"disk {disk.name} is a raw file: no copy-on-write or snapshots")


POLICIES: tuple[Policy, ...] = (
    vm_security_label_disabled,
    vm_without_resource_limits,
    host_passthrough_cpu,
    vm_device_passthrough,
    live_migration_blocked,
    vm_plaintext_password,
    ssh_password_auth,
    vm_root_login,
    console_exposed_without_password,
    weak_iso_checksum,
    insecure_download,
    vm_without_patch_step,
    containerdisk_root_disk,
    unsafe_disk_cache,
    raw_file_disk,
)


# Boot time, scalability, dependencies and backup of VMs (VM401-VM449, VM540-VM549, VM730-VM739, VM920-VM949).


def _autoscalable(workload: Workload) -> bool:
    """A named pool or replica set outside any Template: the one an autoscaler's scaleTargetRef can name.

    Only those provide the presumption ``absent(autoscaled(...))`` that a hit requiring an autoscaler relies on.
    """
    return (
        workload.scaling is not None
        and not workload.path
        and isinstance(get(workload.document, ("metadata", "name")), str)
    )


@policy(
    id="VM401",
    name="vm-pool-autoscaled",
    tradeoff="boot-time",
    severity="info",
    summary="A HorizontalPodAutoscaler scales a VirtualMachinePool or VirtualMachineInstanceReplicaSet.",
    rationale=(
        "An autoscaler adds capacity on the assumption that a new replica serves within seconds, as a container "
        "does. A VM boots a kernel, an init system and cloud-init first: minutes, during which the load that "
        "triggered the scale-up stays high, so the autoscaler keeps adding VMs it will remove again later, and "
        "the spike is over before the first new VM takes traffic."
    ),
    remediation=(
        "Keep enough running VMs for expected peaks (a higher minReplicas) and slow the autoscaler down to VM "
        "time: spec.behavior.scaleUp with a stabilizationWindowSeconds and a policy of a few VMs per period longer "
        "than the boot time. Workloads that must follow load in seconds belong in containers."
    ),
    formats=("kubevirt",),
    examples=(
        Example(
            "kubevirt",
            bad="kind: VirtualMachinePool\nmetadata:\n  name: web\n---\nkind: HorizontalPodAutoscaler\n"
            "spec:\n  scaleTargetRef:\n    kind: VirtualMachinePool\n    name: web",
            good="kind: VirtualMachinePool\nmetadata:\n  name: web\nspec:\n  replicas: 4",
        ),
    ),
    notes=(
        "Judged over the run: the autoscaler may be in any linted file (same namespace, kind and name). The "
        "autoscaler's scale-up behaviour is not read, so a tuned one is reported too; the severity is info."
    ),
)
def vm_pool_autoscaled(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if not _autoscalable(workload):
        return
    yield Hit(
        ("metadata", "name"),
        f"{workload.kind} {workload.name} is autoscaled, but its VMs take minutes, not seconds, to boot",
        unless=(absent(autoscaled(workload.namespace, workload.kind, workload.name)),),
    )


@policy(
    id="VM402",
    name="liveness-probe-shorter-than-boot",
    tradeoff="boot-time",
    severity="warning",
    summary="A KubeVirt liveness probe restarts the VM before a VM can have booted.",
    rationale=(
        "KubeVirt starts a VMI's probes when the VMI starts, not when the guest has booted. With the container "
        "defaults (no initial delay, three failures ten seconds apart) a guest that needs a minute to boot and "
        "start its service fails the probe, is restarted, boots again and is restarted again: a VM that never "
        "comes up. Container probe timings do not fit VMs."
    ),
    remediation=(
        "Set livenessProbe.initialDelaySeconds to at least the guest's boot time (plus cloud-init on first boot), "
        "or raise failureThreshold x periodSeconds; keep the readinessProbe for taking traffic."
    ),
    formats=("kubevirt",),
    options={
        "boot_seconds": Option(
            60, "Seconds a VM needs from start until its service answers (kernel, init system, cloud-init)."
        )
    },
    examples=(
        Example(
            "kubevirt",
            bad="livenessProbe:\n  tcpSocket:\n    port: 22",
            good="livenessProbe:\n  initialDelaySeconds: 120\n  tcpSocket:\n    port: 22",
        ),
    ),
    notes=(
        "The time to restart is taken as initialDelaySeconds + failureThreshold x periodSeconds (defaults 0, 3, "
        "10), the longest a guest can stay silent. Readiness probes are not judged: failing them only delays traffic."
    ),
)
def liveness_probe_shorter_than_boot(workload: Workload, settings: Settings) -> Iterator[Hit]:
    budget = workload.vm.liveness_budget if workload.vm else None
    if budget is None or budget.value is None or budget.value >= settings["boot_seconds"]:
        return
    yield Hit(
        budget.path,
        f"the liveness probe restarts the VM after {budget.value} s without an answer, "
        f"less than the {settings['boot_seconds']} s a VM needs to boot",
        key=not budget.explicit,
    )


@policy(
    id="VM540",
    name="vm-replicas-share-identity",
    tradeoff="scalability",
    severity="error",
    summary="A VM pool or replica set gives every replica the same MAC address, hostname or static address.",
    rationale=(
        "Every VM a VirtualMachinePool or VirtualMachineInstanceReplicaSet creates comes from the same template. "
        "A fixed macAddress, a cloud-init hostname/fqdn or a static address in networkData makes every replica "
        "claim the same identity: duplicate MACs and IPs break the network for all of them, and identical "
        "hostnames confuse DNS, monitoring and clustering. The template cannot be scaled past one."
    ),
    remediation=(
        "Drop the macAddress and let KubeVirt assign one; leave the hostname to KubeVirt (each VMI's name) and "
        "take addresses from DHCP or IPAM. Give fixed identities only to single VirtualMachines."
    ),
    formats=("kubevirt",),
    examples=(
        Example(
            "kubevirt",
            bad="kind: VirtualMachinePool\nspec:\n  replicas: 3\n  ...\n        interfaces:\n        - name: default\n"
            "          masquerade: {}\n          macAddress: 02:00:00:00:00:01",
            good="kind: VirtualMachinePool\nspec:\n  replicas: 3\n  ...\n        interfaces:\n        - name: default\n"
            "          masquerade: {}",
        ),
    ),
    notes="A pool of one replica is reported only when a HorizontalPodAutoscaler in the run scales it.",
)
def vm_replicas_share_identity(workload: Workload, settings: Settings) -> Iterator[Hit]:
    vm, scaling = workload.vm, workload.scaling
    if vm is None or scaling is None or scaling.replicas.value is None or not vm.identity:
        return
    replicas = scaling.replicas.value
    if replicas <= 1 and not _autoscalable(workload):
        return
    unless = () if replicas > 1 else (absent(autoscaled(workload.namespace, workload.kind, workload.name)),)
    copies = f"{replicas} replicas" if replicas > 1 else "autoscaled replicas"
    for fact in vm.identity:
        yield Hit(fact.path, f"{workload.kind} {workload.name}: all {copies} take {fact.value}", unless=unless)


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


BACKUP_MARKS = (
    "vmlint.io/backup",
    "backup.velero.io/backup-volumes",
    "backup.velero.io/backup-volumes-excludes",
    "velero.io/exclude-from-backup",
)
_BACKUP_MARKS_OPTION = Option(
    list(BACKUP_MARKS),
    "Label or annotation keys that record a backup decision (any value, opting out included).",
)
_BACKUP_NOTES = (
    "Backed up means: a label or annotation of the `marks` option on the object or its pod/VMI template, a "
    "KubeVirt VirtualMachineSnapshot or VirtualMachineExport of it in the run, or a Velero Schedule or Backup in "
    "the run that includes its namespace (none listed or `*` means all; a Schedule that turns volume snapshots "
    "off without file-system backup does not count, and label selectors are not matched)."
)


def _marked(workload: Workload, settings: Settings) -> bool:
    marks = set(settings["marks"])
    return any(key in marks for key in (*workload.labels, *workload.annotations))


@policy(
    id="VM920",
    name="vm-disk-without-backup",
    tradeoff="backup",
    severity="info",
    summary="A KubeVirt VM keeps state on a DataVolume or PVC, and nothing in the run backs it up.",
    rationale=(
        "A VM's persistent disk holds a whole OS plus its data, configured by hand over years more often than not: "
        "exactly the state a VM was chosen for. Kubernetes re-creates pods, not disks; a deleted namespace, a "
        "broken storage class or a bad upgrade inside the guest loses it unless something snapshots or exports it."
    ),
    remediation=(
        "Back the VM up (a Velero Schedule for its namespace with the KubeVirt plugin, or VirtualMachineSnapshots) "
        "and record it: label the VM `vmlint.io/backup: velero` (or `none` when the disk is disposable)."
    ),
    formats=("kubevirt",),
    options={"marks": _BACKUP_MARKS_OPTION},
    examples=(
        Example(
            "kubevirt",
            bad="kind: VirtualMachine\nmetadata:\n  name: db\nspec:\n  template:\n    spec:\n      volumes:\n"
            "      - name: root\n        dataVolume:\n          name: db-root",
            good="kind: VirtualMachine\nmetadata:\n  name: db\n  labels:\n    vmlint.io/backup: velero-daily\n...",
        ),
    ),
    notes=_BACKUP_NOTES,
)
def vm_disk_without_backup(workload: Workload, settings: Settings) -> Iterator[Hit]:
    persistent = [volume for volume in workload.volumes if volume.kind == "persistent"]
    if not persistent or _marked(workload, settings):
        return
    names = ", ".join(volume.name for volume in persistent)
    yield Hit(
        persistent[0].path,
        f"{workload.kind} {workload.name} keeps state on volumes {names}, with no backup recorded",
        unless=backup_facts_for(workload.namespace, workload.kind, workload.name),
    )


def _written_claim(workload: Workload, volume: Volume) -> bool:
    """A PersistentVolumeClaim volume that some container mounts writable (generic ephemeral volumes are not)."""
    claim = get(workload.document, (*volume.path, "persistentVolumeClaim"))
    if not isinstance(claim, dict) or claim.get("readOnly") is True:
        return False
    mounts = [mount for unit in workload.containers() for mount in unit.mounts if mount.volume == volume.name]
    return any(not mount.read_only for mount in mounts)


@policy(
    id="VM940",
    name="stateful-workload-without-backup",
    tradeoff="backup",
    severity="info",
    summary="A long-running Kubernetes workload keeps data in PersistentVolumeClaims, and nothing backs them up.",
    rationale=(
        "Replicas and restarts protect a workload from losing pods, not from losing its volumes: a deleted "
        "namespace or PVC, a failed storage backend or a bad migration destroys the data of every replica at once. "
        "A StatefulSet's volumeClaimTemplates are where such data lives."
    ),
    remediation=(
        "Back the volumes up (a Velero Schedule for the namespace, CSI VolumeSnapshots, the database's own dumps) "
        "and record it with a `vmlint.io/backup` label, or Velero's backup.velero.io/backup-volumes annotation on "
        "the pod template."
    ),
    formats=("kubernetes",),
    options={"marks": _BACKUP_MARKS_OPTION},
    examples=(
        Example(
            "kubernetes",
            bad="kind: StatefulSet\nspec:\n  volumeClaimTemplates:\n  - metadata:\n      name: data",
            good="kind: StatefulSet\nmetadata:\n  labels:\n    vmlint.io/backup: velero-daily\nspec:\n"
            "  volumeClaimTemplates:\n  - metadata:\n      name: data",
        ),
    ),
    notes=_BACKUP_NOTES
    + " Jobs and CronJobs are not judged; generic ephemeral volumes are not state, nor claims that no container "
    "mounts writable.",
)
def stateful_workload_without_backup(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if workload.role != "service" or _marked(workload, settings):
        return
    templates = get(workload.document, ("spec", "volumeClaimTemplates")) if workload.kind == "StatefulSet" else None
    claims = [volume for volume in workload.volumes if volume.kind == "persistent" and _written_claim(workload, volume)]
    if isinstance(templates, list) and templates:
        path, what = ("spec", "volumeClaimTemplates"), "volumeClaimTemplates"
    elif claims:
        path, what = claims[0].path, "PersistentVolumeClaim " + ", ".join(volume.name for volume in claims)
    else:
        return
    yield Hit(
        path,
        f"{workload.kind} {workload.name} keeps data in {what}, with no backup recorded",
        key=path[-1] == "volumeClaimTemplates",
        unless=backup_facts_for(workload.namespace, workload.kind, workload.name),
    )


POLICIES += (
    vm_pool_autoscaled,
    liveness_probe_shorter_than_boot,
    vm_replicas_share_identity,
    vm_host_directory_shared,
    vm_disk_without_backup,
    stateful_workload_without_backup,
)
