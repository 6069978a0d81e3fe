"""libvirt domain XML onto the workload model: one VM workload per ``<domain>``.

The tier is a ``security-tier`` element (any namespace, e.g.
``<vmlint:security-tier xmlns:vmlint="https://vmlint.io/xmlns/1">high</vmlint:security-tier>``)
inside ``<metadata>``.  ``type='lxc'`` domains are containers (libvirt's LXC driver
shares the host kernel); every other driver is a VM.
"""

from __future__ import annotations

from typing import Any

from ..model import Exposure, Fact, Resources, VmDisk, VmSpec, Workload, unset
from ..numbers import PORT, to_int
from ..parsers.xml import TEXT, parse_xml_documents, root_tag
from ..parsers.yaml_tree import YamlProblem
from ..source import Path, locate
from .common import TIERS
from .guest import guest_unit, is_public

CONTAINER_DRIVERS = {"lxc", "openvz"}


def is_domain_xml(text: str) -> bool:
    """XML whose first element is a libvirt ``<domain>``."""
    return root_tag(text) == "domain"


def _children(node: Any, tag: str) -> list[tuple[int, dict[str, Any]]]:
    items = node.get(tag) if isinstance(node, dict) else None
    return [(i, item) for i, item in enumerate(items) if isinstance(item, dict)] if isinstance(items, list) else []


def _first(node: Any, tag: str) -> tuple[Path, dict[str, Any]] | None:
    found = _children(node, tag)
    return ((tag, found[0][0]), found[0][1]) if found else None


def _attr(node: dict[str, Any], path: Path, name: str) -> Fact[str]:
    key = "@" + name
    return Fact(str(node[key]), (*path, key)) if key in node else unset(None, path)


def _text(node: Any, tag: str) -> tuple[Path, str] | None:
    """An element's text (with its ``unit`` attribute, if any)."""
    first = _first(node, tag)
    if first is None or not isinstance(first[1].get(TEXT), str):
        return None
    unit = first[1].get("@unit")
    return first[0], f"{first[1][TEXT]} {unit}" if unit else first[1][TEXT]


def load_domain(text: str, file: str) -> tuple[list[Workload], list[YamlProblem]]:
    """The workloads of a domain XML file: one per ``<domain>`` written one after another (virt-install's install
    and boot phases); other root elements are not domains and give none."""
    roots, problems = parse_xml_documents(text)
    workloads = []
    for root in roots:
        shapes: list[tuple[Path, str]] = []
        workloads.append(_workload(root, file, shapes))
        for path, message in shapes:
            where = locate(root, path, file)
            problems.append(YamlProblem("VM008", message, where.line, where.column))
    return workloads, problems


def _tier(root: dict[str, Any]) -> Fact[str]:
    meta = _first(root, "metadata")
    if meta is None:
        return unset(None, ())
    for tag, items in meta[1].items():
        if isinstance(tag, str) and tag.rsplit("}", 1)[-1] == "security-tier" and isinstance(items, list):
            value = items[0].get(TEXT) if items and isinstance(items[0], dict) else None
            text = str(value).strip().lower() if value is not None else ""
            return Fact(text if text in TIERS else None, (*meta[0], tag, 0))
    return unset(None, meta[0])


def _graphics(devices: tuple[Path, dict[str, Any]] | None, problems: list[tuple[Path, str]]) -> tuple[Exposure, ...]:
    if devices is None:
        return ()
    out = []
    for index, graphics in _children(devices[1], "graphics"):
        where = (*devices[0], "graphics", index)
        kind = str(graphics.get("@type", ""))
        if kind not in ("vnc", "spice", "rdp"):
            continue
        listen = _attr(graphics, where, "listen")
        for listen_index, element in _children(graphics, "listen"):
            if "@address" in element:
                listen = _attr(element, (*where, "listen", listen_index), "address")
            elif element.get("@type") in ("none", "socket"):
                listen = Fact("", (*where, "listen", listen_index, "@type"))
        password = graphics.get("@passwd")
        port, problem = to_int(graphics.get("@port"), bounds=(-1, PORT[1])) if "@port" in graphics else (None, None)
        if problem is not None:  # -1: libvirt picks the port (autoport)
            problems.append(((*where, "@port"), f"graphics port should be {problem.expected}, found {problem.found}"))
        out.append(
            Exposure(
                port=port,
                path=listen.path if listen.explicit else where,
                kind=kind,
                bind_address=listen.value if listen.explicit else "127.0.0.1",
                public=is_public(listen.value) if listen.explicit else False,
                authenticated=Fact(bool(password), (*where, "@passwd"))
                if password is not None
                else unset(False, where),
            )
        )
    return tuple(out)


def _disks(devices: tuple[Path, dict[str, Any]] | None, boot_first: bool) -> tuple[VmDisk, ...]:
    if devices is None:
        return ()
    out = []
    disks = [(i, d) for i, d in _children(devices[1], "disk") if d.get("@device", "disk") == "disk"]
    ordered = [(i, d) for i, d in disks if _first(d, "boot")]
    for position, (index, disk) in enumerate(disks):
        where = (*devices[0], "disk", index)
        driver = _first(disk, "driver")
        driver_path = (*where, *driver[0]) if driver else where
        driver_node = driver[1] if driver else {}
        boot = (index == ordered[0][0]) if ordered else (position == 0 and boot_first)
        target = _first(disk, "target")
        name = str(target[1].get("@dev", f"disk-{index}")) if target else f"disk-{index}"
        out.append(
            VmDisk(
                name=name,
                path=where,
                source=str(disk.get("@type", "file")),
                format=_attr(driver_node, driver_path, "type"),
                cache=_attr(driver_node, driver_path, "cache"),
                boot=boot,
            )
        )
    return tuple(out)


def _passthrough(devices: tuple[Path, dict[str, Any]] | None) -> tuple[Fact[str], ...]:
    if devices is None:
        return ()
    out = []
    for index, hostdev in _children(devices[1], "hostdev"):
        kind = hostdev.get("@type")
        if kind == "mdev":  # a mediated device (vGPU) is the virtual device passthrough's fix recommends
            continue
        out.append(Fact(f"{kind} host device" if kind else "host device", (*devices[0], "hostdev", index)))
    for index, disk in _children(devices[1], "disk"):
        if disk.get("@device") == "lun":
            out.append(Fact("SCSI LUN passthrough", (*devices[0], "disk", index, "@device")))
    return tuple(out)


def _host_shares(devices: tuple[Path, dict[str, Any]] | None) -> tuple[Fact[str], ...]:
    """Host directories shared into the guest: ``<filesystem type='mount'>`` (the default type) sources."""
    if devices is None:
        return ()
    out = []
    for index, filesystem in _children(devices[1], "filesystem"):
        if filesystem.get("@type", "mount") != "mount":
            continue
        where = (*devices[0], "filesystem", index)
        source = _first(filesystem, "source")
        directory = source[1].get("@dir") if source else None
        path = (*where, *source[0], "@dir") if source and directory is not None else where
        out.append(Fact(str(directory) if directory is not None else "", path))
    return tuple(out)


def _workload(root: dict[str, Any], file: str, problems: list[tuple[Path, str]]) -> Workload:
    name_entry = _text(root, "name")
    name = name_entry[1] if name_entry else "<unnamed>"
    driver = _attr(root, (), "type")
    devices = _first(root, "devices")
    os_entry = _first(root, "os")
    boot_first = not (os_entry and _first(os_entry[1], "boot"))
    cpu = _first(root, "cpu")
    seclabels = _children(root, "seclabel")
    seclabel = (
        Fact(str(seclabels[0][1].get("@type", "dynamic")), ("seclabel", seclabels[0][0], "@type"))
        if seclabels and "@type" in seclabels[0][1]
        else unset("dynamic", ())
    )
    memory = _text(root, "memory")
    vcpu = _text(root, "vcpu")
    resources = Resources(
        cpu_request=unset(None, ()),
        cpu_limit=Fact(vcpu[1], vcpu[0]) if vcpu else unset(None, ()),
        memory_request=unset(None, ()),
        memory_limit=Fact(memory[1], memory[0]) if memory else unset(None, ()),
    )
    graphics = _graphics(devices, problems)
    disks = _disks(devices, boot_first)
    return Workload(
        format="libvirt",
        kind="domain",
        name=name,
        namespace=None,
        file=file,
        document=root,
        path=(),
        role="vm",
        tier=_tier(root),
        isolation="container" if (driver.value or "").lower() in CONTAINER_DRIVERS else "vm",
        runtime=driver,
        units=(guest_unit(name, (), resources=resources),),
        exposure=graphics,
        vm=VmSpec(
            cpu_mode=_attr(cpu[1], cpu[0], "mode") if cpu else unset(None, ()),
            passthrough_devices=_passthrough(devices),
            graphics=graphics,
            disks=tuple(Fact(disk.source, disk.path) for disk in disks),
            disk_details=disks,
            seclabel=seclabel,
            host_shares=_host_shares(devices),
        ),
    )
