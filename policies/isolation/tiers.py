"""Isolation tiers: a workload's runtime (container, sandbox, VM) against the tier its risk needs."""

from __future__ import annotations

from collections.abc import Iterator

from vmlint.context import sandbox_class
from vmlint.model import Workload
from vmlint.policy import Example, Hit, Option, Policy, Settings, policy

from .._terms import subject

ALL_FORMATS = ("kubernetes", "compose", "kubevirt", "packer", "libvirt")
RANK = {"container": 0, "sandbox": 1, "vm": 2}
ISOLATION_LEVELS = tuple(RANK)


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
        "high": Option("sandbox", "Least isolation for tier high.", choices=ISOLATION_LEVELS),
        "standard": Option("container", "Least isolation for tier standard.", choices=ISOLATION_LEVELS),
        "low": Option("container", "Least isolation for tier low.", choices=ISOLATION_LEVELS),
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


POLICIES: tuple[Policy, ...] = (
    tier_isolation_mismatch,
    vm_security_label_disabled,
)
