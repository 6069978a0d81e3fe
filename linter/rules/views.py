"""What expressions see: ``object`` (the document as written) and ``workload`` (the normalised model).

Both are plain maps and lists.  In ``workload`` a fact the manifest leaves unknown (an unresolved
variable) is ``null``, and each place a finding can point at carries its ``fieldPath`` (relative to
``object``), so a rule can report ``fieldPathExpression: workload.hostPaths[0].fieldPath``.
The view is the same for a pod, a Compose service and a VM: host paths, for instance, list
Kubernetes ``hostPath`` volumes, Compose bind mounts and libvirt/KubeVirt host directory shares alike.
"""

from __future__ import annotations

import json
from typing import Any

from ..model import Fact, Mount, Unit, Volume, Workload
from ..source import Path, get
from .fieldpath import render

MAX_VIEW_DEPTH = 200


def plain(node: Any) -> Any:
    """A positioned tree as plain dicts and lists (keys as strings), for CEL."""
    try:
        return json.loads(json.dumps(node))  # C speed; parsers only build JSON-like trees
    except (TypeError, ValueError, RecursionError):
        return _plain(node)


def _plain(node: Any, depth: int = 0) -> Any:
    if depth > MAX_VIEW_DEPTH:
        raise ValueError("document nests too deeply for rule evaluation")
    if isinstance(node, dict):
        return {str(key): _plain(value, depth + 1) for key, value in node.items()}
    if isinstance(node, list):
        return [_plain(value, depth + 1) for value in node]
    if isinstance(node, (str, bool, int, float)) or node is None:
        return node
    return str(node)


def object_of(workload: Workload) -> Any:
    """The part of the workload's document that is this workload (``object``)."""
    return get(workload.document, workload.path)


def _fact(fact: Fact[Any] | None) -> Any:
    return None if fact is None else fact.value


def _at(path: Path) -> str:
    return render(path)


def _mount(mount: Mount, volumes: dict[str, Volume]) -> dict[str, Any]:
    volume = volumes.get(mount.volume)
    return {
        "volume": mount.volume,
        "target": mount.target,
        "readOnly": mount.read_only,
        "kind": volume.kind if volume else None,
        "hostPath": volume.host_path if volume else None,
        "fieldPath": _at(mount.path),
    }


def _unit(unit: Unit, volumes: dict[str, Volume]) -> dict[str, Any]:
    image = unit.image
    resources = unit.resources
    return {
        "name": unit.name,
        "kind": unit.kind,
        "fieldPath": _at(unit.path),
        "image": None
        if image is None
        else {
            "ref": image.ref,
            "repository": image.repository,
            "tag": image.tag,
            "digest": image.digest,
            "fieldPath": _at(image.path),
        },
        "privileged": _fact(unit.privileged),
        "allowPrivilegeEscalation": _fact(unit.allow_privilege_escalation),
        "runAsNonRoot": _fact(unit.run_as_non_root),
        "runAsUser": _fact(unit.run_as_user),
        "readOnlyRootFilesystem": _fact(unit.read_only_root),
        "capabilities": {
            "add": [c.value for c in unit.cap_add if c.value is not None],
            "drop": [c.value for c in unit.cap_drop if c.value is not None],
            "fieldPath": _at(unit.capabilities_path),
        },
        "seccomp": _fact(unit.seccomp),
        "apparmor": _fact(unit.apparmor),
        "resources": {
            "cpuRequest": _fact(resources.cpu_request),
            "cpuLimit": _fact(resources.cpu_limit),
            "memoryRequest": _fact(resources.memory_request),
            "memoryLimit": _fact(resources.memory_limit),
        },
        "livenessProbe": _fact(unit.liveness_probe),
        "readinessProbe": _fact(unit.readiness_probe),
        "env": [{"name": e.name, "fromSecret": e.from_secret, "fieldPath": _at(e.path)} for e in unit.env],
        "ports": [
            {
                "port": p.port,
                "protocol": p.protocol,
                "hostPort": p.host_port,
                "hostIP": p.host_ip,
                "fieldPath": _at(p.path),
            }
            for p in unit.ports
        ],
        "mounts": [_mount(m, volumes) for m in unit.mounts],
    }


def _host_paths(workload: Workload, volumes: dict[str, Volume]) -> list[dict[str, Any]]:
    """Host paths the workload mounts, at the mounting field: mounts of host volumes, VM host shares."""
    out: list[dict[str, Any]] = []
    mounted: set[str] = set()
    for unit in workload.units:
        for mount in unit.mounts:
            volume = volumes.get(mount.volume)
            if volume is not None and volume.kind == "host":
                mounted.add(volume.name)
                out.append({"path": volume.host_path, "unit": unit.name, "fieldPath": _at(mount.path)})
    for volume in workload.volumes:  # host volumes no unit mounts (a KubeVirt hostDisk, say)
        if volume.kind == "host" and volume.name not in mounted:
            out.append({"path": volume.host_path, "unit": None, "fieldPath": _at(volume.path)})
    if workload.vm is not None:
        out.extend(
            {"path": share.value, "unit": None, "fieldPath": _at(share.path)} for share in workload.vm.host_shares
        )
    return out


def workload_view(workload: Workload) -> dict[str, Any]:
    """The normalised model as a CEL map."""
    volumes = {v.name: v for v in workload.volumes}
    host = workload.host
    scaling = workload.scaling
    vm = workload.vm
    return {
        "format": workload.format,
        "kind": workload.kind,
        "name": workload.name,
        "namespace": workload.namespace,
        "role": workload.role,
        "tier": workload.tier.value or "unset",
        "isolation": workload.isolation,
        "runtime": workload.runtime.value,
        "labels": plain(workload.labels),
        "annotations": plain(workload.annotations),
        "host": {
            "network": _fact(host.network) if host else False,
            "pid": _fact(host.pid) if host else False,
            "ipc": _fact(host.ipc) if host else False,
            "uts": _fact(host.uts) if host else False,
            "userns": _fact(host.userns) if host else False,
        },
        "hostPaths": _host_paths(workload, volumes),
        "volumes": [
            {
                "name": v.name,
                "kind": v.kind,
                "hostPath": v.host_path,
                "sizeLimit": v.size_limit,
                "fieldPath": _at(v.path),
            }
            for v in workload.volumes
        ],
        "replicas": _fact(scaling.replicas) if scaling else None,
        "autoscaled": scaling.autoscaled if scaling else False,
        "units": [_unit(unit, volumes) for unit in workload.units],
        "exposure": [
            {
                "port": e.port,
                "kind": e.kind,
                "bindAddress": e.bind_address,
                "public": e.public,
                "fieldPath": _at(e.path),
            }
            for e in workload.exposure
        ],
        "vm": None
        if vm is None
        else {
            "cpuMode": _fact(vm.cpu_mode),
            "passthroughDevices": [d.value for d in vm.passthrough_devices],
            "disks": [
                {"name": d.name, "source": d.source, "format": d.format.value, "fieldPath": _at(d.path)}
                for d in vm.disk_details
            ],
        },
    }
