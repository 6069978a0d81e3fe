"""What expressions see: ``object`` (the document as written) and ``workload`` (the normalised model).

Both are plain maps and lists.  In ``workload`` a fact the manifest leaves unknown (an unresolved
variable) is ``null``, and each place a finding can point at carries its ``fieldPath`` (relative to
``object``), so a rule can report ``fieldPathExpression: workload.hostPaths[0].fieldPath``.
The view is the same for a pod, a Compose service and a VM: host paths, for instance, list
Kubernetes ``hostPath`` volumes, Compose bind mounts and libvirt/KubeVirt host directory shares alike.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..model import Fact, Mount, Unit, Volume, Workload
from ..source import Path, get
from .fieldpath import render

if TYPE_CHECKING:
    from .needs import Need

MAX_VIEW_DEPTH = 200


def plain(node: Any) -> Any:
    """A positioned tree as plain dicts and lists (keys as strings), for CEL."""
    return plain_sized(node)[0]


def plain_sized(node: Any) -> tuple[Any, int]:
    """``plain(node)`` and the length of its JSON text, a bound on any list, map or string in it."""
    try:
        text = json.dumps(node)  # C speed; parsers only build JSON-like trees
        return json.loads(text), len(text)
    except (TypeError, ValueError, RecursionError):
        value = _plain(node)
        return value, len(repr(value))


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


_RENDERED: dict[Path, str] = {}


def _at(path: Path) -> str:
    found = _RENDERED.get(path)
    if found is None:
        if len(_RENDERED) > 50_000:
            _RENDERED.clear()
        found = _RENDERED[path] = render(path)
    return found


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


def _image(unit: Unit) -> dict[str, Any] | None:
    image = unit.image
    if image is None:
        return None
    return {
        "ref": image.ref,
        "repository": image.repository,
        "tag": image.tag,
        "digest": image.digest,
        "fieldPath": _at(image.path),
    }


def _capabilities(unit: Unit) -> dict[str, Any]:
    return {
        "add": [c.value for c in unit.cap_add if c.value is not None],
        "drop": [c.value for c in unit.cap_drop if c.value is not None],
        "fieldPath": _at(unit.capabilities_path),
    }


def _resources(unit: Unit) -> dict[str, Any]:
    resources = unit.resources
    return {
        "cpuRequest": _fact(resources.cpu_request),
        "cpuLimit": _fact(resources.cpu_limit),
        "memoryRequest": _fact(resources.memory_request),
        "memoryLimit": _fact(resources.memory_limit),
    }


def _ports(unit: Unit) -> list[dict[str, Any]]:
    return [
        {"port": p.port, "protocol": p.protocol, "hostPort": p.host_port, "hostIP": p.host_ip, "fieldPath": _at(p.path)}
        for p in unit.ports
    ]


UNIT_FIELDS: dict[str, Callable[[Unit, dict[str, Volume]], Any]] = {
    "name": lambda u, _: u.name,
    "kind": lambda u, _: u.kind,
    "fieldPath": lambda u, _: _at(u.path),
    "image": lambda u, _: _image(u),
    "privileged": lambda u, _: _fact(u.privileged),
    "allowPrivilegeEscalation": lambda u, _: _fact(u.allow_privilege_escalation),
    "runAsNonRoot": lambda u, _: _fact(u.run_as_non_root),
    "runAsUser": lambda u, _: _fact(u.run_as_user),
    "readOnlyRootFilesystem": lambda u, _: _fact(u.read_only_root),
    "capabilities": lambda u, _: _capabilities(u),
    "seccomp": lambda u, _: _fact(u.seccomp),
    "apparmor": lambda u, _: _fact(u.apparmor),
    "resources": lambda u, _: _resources(u),
    "livenessProbe": lambda u, _: _fact(u.liveness_probe),
    "readinessProbe": lambda u, _: _fact(u.readiness_probe),
    "env": lambda u, _: [{"name": e.name, "fromSecret": e.from_secret, "fieldPath": _at(e.path)} for e in u.env],
    "ports": lambda u, _: _ports(u),
    "mounts": lambda u, volumes: [_mount(m, volumes) for m in u.mounts],
}


def _unit(unit: Unit, volumes: dict[str, Volume], keys: frozenset[str] | None = None) -> dict[str, Any]:
    """One container or VM unit: every field, or only ``keys``."""
    return {key: make(unit, volumes) for key, make in UNIT_FIELDS.items() if keys is None or key in keys}


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


def _host(workload: Workload) -> dict[str, Any]:
    host = workload.host
    names = ("network", "pid", "ipc", "uts", "userns")
    return {name: _fact(getattr(host, name)) if host else False for name in names}


def _volumes(workload: Workload) -> list[dict[str, Any]]:
    return [
        {"name": v.name, "kind": v.kind, "hostPath": v.host_path, "sizeLimit": v.size_limit, "fieldPath": _at(v.path)}
        for v in workload.volumes
    ]


def _exposure(workload: Workload) -> list[dict[str, Any]]:
    return [
        {"port": e.port, "kind": e.kind, "bindAddress": e.bind_address, "public": e.public, "fieldPath": _at(e.path)}
        for e in workload.exposure
    ]


def _vm(workload: Workload) -> dict[str, Any] | None:
    vm = workload.vm
    if vm is None:
        return None
    return {
        "cpuMode": _fact(vm.cpu_mode),
        "passthroughDevices": [d.value for d in vm.passthrough_devices],
        "disks": [
            {"name": d.name, "source": d.source, "format": d.format.value, "fieldPath": _at(d.path)}
            for d in vm.disk_details
        ],
    }


def _volume_map(workload: Workload) -> dict[str, Volume]:
    return {v.name: v for v in workload.volumes}


FIELDS: dict[str, Callable[[Workload], Any]] = {
    "format": lambda w: w.format,
    "kind": lambda w: w.kind,
    "name": lambda w: w.name,
    "namespace": lambda w: w.namespace,
    "role": lambda w: w.role,
    "tier": lambda w: w.tier.value or "unset",
    "isolation": lambda w: w.isolation,
    "runtime": lambda w: w.runtime.value,
    "labels": lambda w: plain(w.labels),
    "annotations": lambda w: plain(w.annotations),
    "host": _host,
    "hostPaths": lambda w: _host_paths(w, _volume_map(w)),
    "volumes": _volumes,
    "replicas": lambda w: _fact(w.scaling.replicas) if w.scaling else None,
    "autoscaled": lambda w: w.scaling.autoscaled if w.scaling else False,
    "units": lambda w: [_unit(unit, _volume_map(w)) for unit in w.units],  # a part of them: ``workload_view``
    "exposure": _exposure,
    "vm": _vm,
}


@dataclass(frozen=True, slots=True)
class ViewPart:
    """Which fields of the view to build (None: all), and of each unit (None: all)."""

    fields: frozenset[str] | None = None
    unit_fields: frozenset[str] | None = None

    @classmethod
    def of(cls, need: Need) -> ViewPart:
        """The part of the view that ``need`` reads."""
        if need.whole:
            return cls()
        units = need.below("units")
        return cls(need.keys(), None if units.whole else _element_keys(units))


def workload_view(workload: Workload, part: ViewPart | None = None) -> dict[str, Any]:
    """The normalised model as a CEL map: all of it, or the ``part`` expressions read."""
    if part is None or (part.fields is None and part.unit_fields is None):
        return {key: make(workload) for key, make in FIELDS.items()}
    keys = part.fields
    view = {key: make(workload) for key, make in FIELDS.items() if key != "units" and (keys is None or key in keys)}
    if keys is None or "units" in keys:
        chosen = part.unit_fields
        volumes = _volume_map(workload) if chosen is None or "mounts" in chosen else {}
        view["units"] = [_unit(unit, volumes, chosen) for unit in workload.units]
    return view


def _element_keys(need: Need) -> frozenset[str] | None:
    """The fields of the list's elements that ``need`` names (None: all of them)."""
    found: set[str] = set()
    for part in need.parts.values():
        keys = part.keys()
        if keys is None:
            return None
        found |= keys
    return frozenset(found)
