"""KubeVirt objects (and OpenShift Templates holding them) onto the workload model.

Matched on API group, never on kind alone: ``kubevirt.io`` VirtualMachine,
VirtualMachineInstance and VirtualMachineInstanceReplicaSet, ``pool.kubevirt.io``
VirtualMachinePool.  Embedded cloud-init is parsed in file coordinates and hung into the
document under ``@userData`` next to the field it came from, so ``locate`` reaches its lines.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from ..model import Download, Fact, Resources, Scaling, VmDisk, VmSpec, Volume, Workload, unset
from ..numbers import NON_NEGATIVE_INT32
from ..parsers.yaml_tree import YamlProblem
from ..source import Path, YMap, get
from .cloud_init import CloudConfig, analyse, is_cloud_config, parse_embedded
from .common import Classifier, parse_image
from .guest import guest_unit
from .reader import Reader, ShapeProblem, is_unresolved

GROUPS = {
    "kubevirt.io": {"VirtualMachine", "VirtualMachineInstance", "VirtualMachineInstanceReplicaSet"},
    "pool.kubevirt.io": {"VirtualMachinePool"},
}
VMI_SPEC: dict[str, Path] = {
    "VirtualMachineInstance": ("spec",),
    "VirtualMachine": ("spec", "template", "spec"),
    "VirtualMachineInstanceReplicaSet": ("spec", "template", "spec"),
    "VirtualMachinePool": ("spec", "virtualMachineTemplate", "spec", "template", "spec"),
}
VM_SPEC: dict[str, Path] = {
    "VirtualMachine": ("spec",),
    "VirtualMachinePool": ("spec", "virtualMachineTemplate", "spec"),
}
EMBEDDED = "@userData"
NETWORK_EMBEDDED = "@networkData"
SCALED_KINDS = ("VirtualMachinePool", "VirtualMachineInstanceReplicaSet")
# Kubernetes probe defaults, which KubeVirt's VMI probes share.
PROBE_DEFAULTS = {"initialDelaySeconds": 0, "periodSeconds": 10, "failureThreshold": 3}
CLOUD_INIT_SOURCES = ("cloudInitNoCloud", "cloudInitConfigDrive")
VOLUME_KINDS = {
    "containerDisk": "image",
    "persistentVolumeClaim": "persistent",
    "dataVolume": "persistent",
    "hostDisk": "host",
    "emptyDisk": "ephemeral",
    "ephemeral": "ephemeral",
    "cloudInitNoCloud": "config",
    "cloudInitConfigDrive": "config",
    "configMap": "config",
    "secret": "config",
    "serviceAccount": "config",
    "sysprep": "config",
    "downwardAPI": "config",
}


def is_kubevirt_object(obj: Any) -> bool:
    """An object of a KubeVirt workload kind in a KubeVirt API group."""
    if not isinstance(obj, dict) or not isinstance(obj.get("apiVersion"), str):
        return False
    group = obj["apiVersion"].split("/", 1)[0] if "/" in obj["apiVersion"] else ""
    kind = obj.get("kind")
    return isinstance(kind, str) and kind in GROUPS.get(group, set())


def is_openshift_template(obj: Any) -> bool:
    """An OpenShift ``Template`` (template.openshift.io, or the legacy core ``v1``)."""
    return (
        isinstance(obj, dict)
        and obj.get("kind") == "Template"
        and isinstance(obj.get("apiVersion"), str)
        and (obj["apiVersion"].startswith("template.openshift.io/") or obj["apiVersion"] == "v1")
        and isinstance(obj.get("objects"), list)
    )


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(index + 1 for index, char in enumerate(text) if char == "\n")
    return starts


class KubeVirtNormalizer:
    """Builds VM workloads from KubeVirt objects of one file."""

    def __init__(self, classifier: Classifier, file: str, text: str) -> None:
        self.classifier = classifier
        self.file = file
        self.lines = text.splitlines()
        self.reader = Reader(yaml_one_one_bools=True)
        self.problems: list[YamlProblem] = []

    def workloads(self, root: dict[str, Any]) -> list[Workload]:
        """Workloads of a KubeVirt object, or of every KubeVirt object inside a Template.

        A field read for several facts is reported once.
        """
        found = self.read_workloads(root)
        self.reader.problems[:] = list(dict.fromkeys(self.reader.problems))
        return found

    def read_workloads(self, root: dict[str, Any]) -> list[Workload]:
        if is_openshift_template(root):
            out = []
            for index, obj in enumerate(root["objects"]):
                if is_kubevirt_object(obj):
                    mark = len(self.reader.problems)
                    out.append(self.workload(root, obj, ("objects", index)))
                    self.reader.problems[mark:] = [
                        ShapeProblem(("objects", index, *p.path), p.message) for p in self.reader.problems[mark:]
                    ]
            return out
        return [self.workload(root, root, ())] if is_kubevirt_object(root) else []

    def workload(self, document: Any, obj: dict[str, Any], base: Path) -> Workload:
        kind = str(obj["kind"])
        read = self.reader
        spec_path = VMI_SPEC[kind]
        node: Any = obj
        walked: Path = ()
        for part in spec_path[:-1]:
            node = read.map(node, walked, str(part))
            walked += (part,)
        vmi_meta = read.map(node, walked, "metadata") if kind != "VirtualMachineInstance" else {}
        spec = read.map(node, walked, str(spec_path[-1]))
        meta = read.map(obj, (), "metadata")
        labels = read.map(meta, ("metadata",), "labels")
        annotations = read.map(meta, ("metadata",), "annotations")
        vmi_labels = read.map(vmi_meta, (*walked, "metadata"), "labels")
        vmi_annotations = read.map(vmi_meta, (*walked, "metadata"), "annotations")
        tier = self.classifier.tier(
            [
                (vmi_labels, (*walked, "metadata", "labels")),
                (vmi_annotations, (*walked, "metadata", "annotations")),
                (labels, ("metadata", "labels")),
                (annotations, ("metadata", "annotations")),
            ]
        )
        name = meta.get("name")
        namespace = meta.get("namespace")
        domain_path = (*spec_path, "domain")
        domain = read.map(spec, spec_path, "domain")
        volumes = self.volumes(spec, spec_path)
        disks = self.disks(domain, domain_path, spec, spec_path)
        config = self.cloud_init(obj, spec, spec_path)
        boot = next((disk for disk in disks if disk.boot), None)
        boot_volume = self.volume_of(spec, boot.name) if boot else None
        image = (
            parse_image(
                boot_volume[1]["containerDisk"].get("image"), (*spec_path, *boot_volume[0], "containerDisk", "image")
            )
            if boot_volume and isinstance(boot_volume[1].get("containerDisk"), dict)
            else None
        )
        label_name = str(name) if name is not None and not is_unresolved(name) else "<unnamed>"
        return Workload(
            format="kubevirt",
            kind=kind,
            name=label_name,
            namespace=str(namespace) if namespace is not None else None,
            file=self.file,
            document=document,
            path=base,
            role="vm",
            tier=tier,
            isolation="vm",
            runtime=unset("kubevirt", ()),
            labels={**labels, **vmi_labels},
            annotations={**annotations, **vmi_annotations},
            units=(
                guest_unit(label_name, domain_path, image=image, resources=self.resources(obj, domain, domain_path)),
            ),
            volumes=volumes,
            access=config.access if config else None,
            scaling=Scaling(read.integer(obj.get("spec"), ("spec",), "replicas", 1, bounds=NON_NEGATIVE_INT32))
            if kind in SCALED_KINDS
            else None,
            node_name=read.text(spec, spec_path, "nodeName"),
            vm=VmSpec(
                cpu_mode=read.text(read.map(domain, domain_path, "cpu"), (*domain_path, "cpu"), "model"),
                passthrough_devices=self.passthrough(domain, domain_path, spec, spec_path),
                disks=tuple(Fact(disk.source, disk.path) for disk in disks),
                guest_init=config,
                patch_step=config.patch_step if config else None,
                disk_details=disks,
                downloads=self.downloads(obj),
                eviction_strategy=read.text(spec, spec_path, "evictionStrategy"),
                long_lived=kind == "VirtualMachine",
                identity=(
                    *self.mac_addresses(domain, domain_path),
                    *(config.identity if config else ()),
                    *self.static_addresses(spec, spec_path),
                ),
                liveness_budget=self.liveness_budget(spec, spec_path),
            ),
        )

    def mac_addresses(self, domain: dict[str, Any], path: Path) -> tuple[Fact[str], ...]:
        devices_path = (*path, "devices")
        devices = self.reader.map(domain, path, "devices")
        out = []
        for index, item in self.reader.maps(devices, devices_path, "interfaces"):
            mac = self.reader.text(item, (*devices_path, "interfaces", index), "macAddress")
            if mac.explicit and mac.value:
                out.append(Fact(f"MAC address {mac.value}", mac.path))
        return tuple(out)

    def static_addresses(self, spec: dict[str, Any], spec_path: Path) -> tuple[Fact[str], ...]:
        """Static addresses in the cloud-init networkData (network-config v1 or v2) of the VMI."""
        out: list[Fact[str]] = []
        for index, volume in _volume_items(spec):
            for source in CLOUD_INIT_SOURCES:
                holder = volume.get(source)
                if not isinstance(holder, YMap) or "networkData" not in holder.marks:
                    continue
                text = holder.get("networkData")
                if not isinstance(text, str) or is_unresolved(text):
                    continue
                root, problems, collapse = self.parse_block(text, holder.marks["networkData"])
                if problems or not isinstance(root, dict):
                    continue
                holder[NETWORK_EMBEDDED] = root
                holder.marks[NETWORK_EMBEDDED] = holder.marks["networkData"]
                where = (*spec_path, "volumes", index, source)
                for address, path in static_network_addresses(root):
                    out.append(
                        Fact(
                            f"address {address}",
                            (*where, "networkData") if collapse else (*where, NETWORK_EMBEDDED, *path),
                        )
                    )
        return tuple(out)

    def liveness_budget(self, spec: dict[str, Any], spec_path: Path) -> Fact[int] | None:
        """Seconds from VMI start until a guest that never answers is restarted (upper bound), or None."""
        if "livenessProbe" not in spec:
            return None
        where = (*spec_path, "livenessProbe")
        probe = self.reader.map(spec, spec_path, "livenessProbe")
        values = {
            key: self.reader.integer(probe, where, key, default, bounds=NON_NEGATIVE_INT32)
            for key, default in PROBE_DEFAULTS.items()
        }
        delay = values["initialDelaySeconds"]
        path = delay.path if delay.explicit else where
        if any(fact.value is None for fact in values.values()):
            return Fact(None, path, delay.explicit)
        period = max(values["periodSeconds"].value or 0, 1)
        threshold = max(values["failureThreshold"].value or 0, 1)
        return Fact((delay.value or 0) + period * threshold, path, delay.explicit)

    def resources(self, obj: dict[str, Any], domain: dict[str, Any], path: Path) -> Resources:
        read = self.reader
        res = read.map(domain, path, "resources")
        requests = read.map(res, (*path, "resources"), "requests")
        limits = read.map(res, (*path, "resources"), "limits")
        req_path = (*path, "resources", "requests")
        lim_path = (*path, "resources", "limits")
        vm_spec_path = VM_SPEC.get(str(obj.get("kind")))
        vm_spec = get(obj, vm_spec_path) if vm_spec_path else None
        if isinstance(vm_spec, dict) and "instancetype" in vm_spec and vm_spec_path:
            # Sizing comes from the referenced instancetype: unknown here, not missing.
            where = (*vm_spec_path, "instancetype")
            return Resources(Fact(None, where), Fact(None, where), Fact(None, where), Fact(None, where))
        return Resources(
            cpu_request=read.text(requests, req_path, "cpu"),
            cpu_limit=read.text(limits, lim_path, "cpu"),
            memory_request=read.text(requests, req_path, "memory"),
            memory_limit=read.text(limits, lim_path, "memory"),
        )

    def volume_of(self, spec: dict[str, Any], name: str) -> tuple[Path, dict[str, Any]] | None:
        volumes = spec.get("volumes")
        if isinstance(volumes, list):
            for index, volume in enumerate(volumes):
                if isinstance(volume, dict) and volume.get("name") == name:
                    return ("volumes", index), volume
        return None

    def volumes(self, spec: dict[str, Any], path: Path) -> tuple[Volume, ...]:
        out = []
        for index, item in self.reader.maps(spec, path, "volumes"):
            where = (*path, "volumes", index)
            source = next((key for key in item if key in VOLUME_KINDS), None)
            kind = VOLUME_KINDS.get(source or "", "other")
            host_path = None
            if source == "hostDisk" and isinstance(item["hostDisk"], dict):
                raw = item["hostDisk"].get("path")
                host_path = str(raw) if raw is not None else None
            out.append(Volume(str(item.get("name", f"volume-{index}")), kind, where, host_path=host_path))  # type: ignore[arg-type]
        return tuple(out)

    def disks(self, domain: dict[str, Any], path: Path, spec: dict[str, Any], spec_path: Path) -> tuple[VmDisk, ...]:
        read = self.reader
        devices_path = (*path, "devices")
        devices = read.map(domain, path, "devices")
        items = read.maps(devices, devices_path, "disks")
        ordered = [item for item in items if isinstance(item[1].get("bootOrder"), int)]
        first_boot = min(ordered, key=lambda item: item[1]["bootOrder"])[0] if ordered else None
        out = []
        for position, (index, disk) in enumerate(items):
            where = (*devices_path, "disks", index)
            name = str(disk.get("name", f"disk-{index}"))
            volume = self.volume_of(spec, name)
            source = next((key for key in volume[1] if key in VOLUME_KINDS), "other") if volume else "missing"
            boot = index == first_boot if first_boot is not None else position == 0 and "cdrom" not in disk
            out.append(
                VmDisk(
                    name=name,
                    path=(*spec_path, *volume[0]) if volume else where,
                    source=source,
                    format=unset(None, where),
                    cache=read.text(disk, where, "cache"),
                    boot=boot,
                )
            )
        return tuple(out)

    def passthrough(
        self, domain: dict[str, Any], path: Path, spec: dict[str, Any], spec_path: Path
    ) -> tuple[Fact[str], ...]:
        read = self.reader
        devices_path = (*path, "devices")
        devices = read.map(domain, path, "devices")
        out: list[Fact[str]] = []
        for key, what in (("gpus", "gpu"), ("hostDevices", "host device")):
            for index, item in read.maps(devices, devices_path, key):
                device = item.get("deviceName")
                out.append(Fact(f"{what} {device}" if device else what, (*devices_path, key, index)))
        for index, item in _volume_items(spec):
            if isinstance(item.get("hostDisk"), dict):
                host = item["hostDisk"].get("path")
                out.append(
                    Fact(f"host disk {host}" if host else "host disk", (*spec_path, "volumes", index, "hostDisk"))
                )
        return tuple(out)

    def downloads(self, obj: dict[str, Any]) -> tuple[Download, ...]:
        """CDI http imports of the VM's dataVolumeTemplates (CDI has no checksum field)."""
        read = self.reader
        out = []
        spec = read.map(obj, (), "spec")
        for index, template in read.maps(spec, ("spec",), "dataVolumeTemplates"):
            where: Path = ("spec", "dataVolumeTemplates", index, "spec")
            source = read.map(read.map(template, where[:-1], "spec"), where, "source")
            http = read.map(source, (*where, "source"), "http")
            if http:
                url = read.text(http, (*where, "source", "http"), "url")
                out.append(Download(url, unset(None, (*where, "source", "http"))))
        return tuple(out)

    def cloud_init(self, obj: dict[str, Any], spec: dict[str, Any], spec_path: Path) -> CloudConfig | None:
        for index, volume in _volume_items(spec):
            for source in CLOUD_INIT_SOURCES:
                holder = volume.get(source)
                if isinstance(holder, YMap):
                    config = self.embedded(holder, (*spec_path, "volumes", index, source))
                    if config is not None:
                        return config
        return None

    def embedded(self, holder: YMap, path: Path) -> CloudConfig | None:
        """Parse ``userData``/``userDataBase64`` of one cloud-init volume source."""
        text = holder.get("userData")
        if isinstance(text, str) and "userData" in holder.marks and is_cloud_config(text):
            root, problems, collapse = self.parse_block(text, holder.marks["userData"])
            self.problems.extend(problems)
            holder[EMBEDDED] = root
            holder.marks[EMBEDDED] = holder.marks["userData"]
            return analyse(root, (*path, EMBEDDED), collapse=collapse, lines=self.lines)
        encoded = holder.get("userDataBase64")
        if isinstance(encoded, str) and not is_unresolved(encoded):
            try:
                decoded = base64.b64decode(encoded, validate=False).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError, ValueError):
                return None
            if is_cloud_config(decoded):
                root, _ = parse_embedded(decoded, 0, 0)
                return analyse(root, (*path, "userDataBase64"), collapse=True)
        return None

    def parse_block(self, text: str, mark: tuple[int, int, int, int]) -> tuple[Any, list[YamlProblem], bool]:
        """Parse user-data in file coordinates when it is a block scalar; else point at the field."""
        line = mark[2]
        indicator = self.lines[line - 1][mark[3] - 1 :] if 0 < line <= len(self.lines) else ""
        if indicator[:1] in ("|", ">"):
            raw = self.block_lines(line)
            if raw is not None and _dedent(raw) == text.rstrip("\n"):
                root, problems = parse_embedded("\n".join(raw) + "\n", line, 0)
                return root, problems, False
        root, _ = parse_embedded(text, 0, 0)
        return root, [], True

    def block_lines(self, indicator_line: int) -> list[str] | None:
        """The raw lines of the block scalar whose indicator is on ``indicator_line``."""
        body = self.lines[indicator_line:]
        indent = next((len(s) - len(s.lstrip(" ")) for s in body if s.strip()), None)
        if not indent:
            return None
        out = []
        for raw in body:
            if raw.strip() and len(raw) - len(raw.lstrip(" ")) < indent:
                break
            out.append(raw)
        while out and not out[-1].strip():
            out.pop()
        return out


def _volume_items(spec: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    """The mapping items of ``volumes`` without reporting shapes again (``volumes()`` reports them)."""
    volumes = spec.get("volumes")
    return [(i, v) for i, v in enumerate(volumes) if isinstance(v, dict)] if isinstance(volumes, list) else []


def _dedent(lines: list[str]) -> str:
    indent = next(len(s) - len(s.lstrip(" ")) for s in lines if s.strip())
    return "\n".join(s[indent:] for s in lines).rstrip("\n")


def static_network_addresses(root: dict[str, Any]) -> list[tuple[str, Path]]:
    """``(address, path)`` of every static address in a network-config (v2 ``addresses``, v1 static subnets)."""
    out: list[tuple[str, Path]] = []
    nested = root.get("network")
    network: dict[str, Any] = nested if isinstance(nested, dict) else root
    base: Path = ("network",) if isinstance(nested, dict) else ()
    for group in ("ethernets", "bonds", "bridges", "vlans"):
        devices = network.get(group)
        for name, device in devices.items() if isinstance(devices, dict) else ():
            addresses = device.get("addresses") if isinstance(device, dict) else None
            for index, address in enumerate(addresses if isinstance(addresses, list) else []):
                if isinstance(address, str) and not is_unresolved(address):
                    out.append((address, (*base, group, name, "addresses", index)))
    config = network.get("config")
    for index, item in enumerate(config if isinstance(config, list) else []):
        subnets = item.get("subnets") if isinstance(item, dict) else None
        for sub_index, subnet in enumerate(subnets if isinstance(subnets, list) else []):
            if isinstance(subnet, dict) and subnet.get("type") in ("static", "static6"):
                address = subnet.get("address")
                if isinstance(address, str) and not is_unresolved(address):
                    out.append((address, (*base, "config", index, "subnets", sub_index, "address")))
    return out
