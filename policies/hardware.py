"""Hardware: hardware needs not declared, or not portable."""

from __future__ import annotations

from collections.abc import Iterator

from vmlint.model import Workload
from vmlint.policy import Example, Hit, Policy, Settings, policy

from . import _fixes as fixes

POLICIES: tuple[Policy, ...] = ()


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
    notes=(
        "libvirt disks of type='block' on host block devices are not flagged: most are LVM volumes of the host. "
        "Mediated devices (`<hostdev type='mdev'>`, vGPUs) are the virtual devices the fix recommends and are not "
        "flagged either."
    ),
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
    fix=fixes.NO_LIVE_MIGRATION,
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


POLICIES += (
    vm_device_passthrough,
    live_migration_blocked,
)
