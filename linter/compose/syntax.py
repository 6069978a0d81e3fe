"""Short and long syntax of service ``ports`` and ``volumes``, read into one shape each.

Values that still hold a ``${VAR}`` placeholder are unknown (None), never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..normalize.reader import is_unresolved
from ..numbers import int_or_none

_RANGE = re.compile(r"^([0-9]{1,5})(?:-([0-9]{1,5}))?$")
PORT_NUMBER = (0, 65535)
PROPAGATIONS = frozenset({"shared", "rshared", "slave", "rslave", "private", "rprivate"})
ALL_INTERFACES = frozenset({"0.0.0.0", "::", "[::]", ""})


@dataclass(frozen=True, slots=True)
class PortSpec:
    """A ``ports`` entry: container port range, published host range and address (None: unknown/absent)."""

    target: tuple[int, int] | None
    published: tuple[int, int] | None
    host_ip: str | None
    protocol: str = "tcp"
    known: bool = True

    @property
    def all_interfaces(self) -> bool:
        """Published on every host interface (no address given, or a wildcard one)."""
        return self.known and (self.host_ip is None or self.host_ip in ALL_INTERFACES)


def _range(text: str) -> tuple[int, int] | None:
    match = _RANGE.match(text.strip())
    if not match:
        return None
    start = int_or_none(match.group(1), bounds=PORT_NUMBER)
    end = int_or_none(match.group(2), bounds=PORT_NUMBER) if match.group(2) else start
    return (start, end) if start is not None and end is not None else None


def parse_port(item: Any) -> PortSpec | None:
    """A ports entry in short (``[IP:][HOST:]CONTAINER[/PROTO]``) or long syntax; None when malformed."""
    if isinstance(item, bool):
        return None
    if isinstance(item, int):
        return PortSpec((item, item), None, None) if int_or_none(item, bounds=PORT_NUMBER) is not None else None
    if isinstance(item, str):
        return _short_port(item)
    if isinstance(item, dict):
        return _long_port(item)
    return None


def _short_port(text: str) -> PortSpec | None:
    if is_unresolved(text):
        return PortSpec(None, None, None, known=False)
    body, _, protocol = text.strip().partition("/")
    host_ip: str | None = None
    if body.startswith("["):
        address, _, body = body[1:].partition("]")
        host_ip, body = address, body.lstrip(":")
    parts = body.split(":")
    if len(parts) > 3:
        host_ip, parts = ":".join(parts[:-2]), parts[-2:]
    elif len(parts) == 3:
        host_ip, parts = parts[0], parts[1:]
    target = _range(parts[-1])
    if target is None:
        return None
    published = _range(parts[0]) if len(parts) == 2 and parts[0] else None
    if published is None and len(parts) == 2 and parts[0]:
        return None  # a published part that is no port (range): Compose refuses the entry
    return PortSpec(target, published, host_ip, protocol.lower() or "tcp")


def _long_port(item: dict[str, Any]) -> PortSpec | None:
    values = [item.get(key) for key in ("target", "published", "host_ip")]
    if any(is_unresolved(value) for value in values):
        return PortSpec(None, None, None, known=False)
    target_raw, published_raw, host_ip = values
    target = _range(str(target_raw)) if target_raw is not None else None
    if target is None and target_raw is not None:
        return None
    published = None
    if published_raw is not None:
        text = str(published_raw)
        if ":" in text and host_ip is None:  # KICS-style "127.0.0.1:8080"; Compose itself rejects it
            host_ip, _, text = text.rpartition(":")
        published = _range(text)
        if published is None and host_ip is None and re.fullmatch(r"[0-9.]+", text):
            host_ip = text  # KICS-style "published: 127.0.0.1"
    protocol = str(item.get("protocol") or "tcp").lower()
    return PortSpec(target, published, str(host_ip) if host_ip is not None else None, protocol)


@dataclass(frozen=True, slots=True)
class MountSpec:
    """A ``volumes`` entry: bind, volume (named), anonymous, tmpfs or other; None fields are unknown."""

    kind: str
    source: str | None
    target: str | None
    read_only: bool = False
    propagation: str | None = None


def is_host_path(source: str) -> bool:
    """A bind source rather than a volume name: absolute, relative, home or a Windows drive."""
    return source.startswith(("/", ".", "~", "\\")) or bool(re.match(r"^[A-Za-z]:[\\/]", source))


def parse_mount(item: Any) -> MountSpec | None:
    """A volumes entry in short (``SRC:DST[:MODE]``) or long syntax; None when malformed."""
    if isinstance(item, str):
        return _short_mount(item)
    if isinstance(item, dict):
        kind = item.get("type")
        source = item.get("source")
        target = item.get("target")
        bind_value = item.get("bind")
        bind = bind_value if isinstance(bind_value, dict) else {}
        propagation = bind.get("propagation") if isinstance(bind.get("propagation"), str) else None
        source_text = str(source) if isinstance(source, str) and not is_unresolved(source) else None
        if kind == "volume" and source is None:
            kind = "anonymous"
        return MountSpec(
            str(kind) if isinstance(kind, str) else "other",
            source_text,
            str(target) if isinstance(target, str) and not is_unresolved(target) else None,
            item.get("read_only") is True,
            propagation,
        )
    return None


def _short_mount(text: str) -> MountSpec | None:
    drive = re.match(r"^[A-Za-z]:[\\/]", text)
    head, rest = (text[:2], text[2:]) if drive else ("", text)
    parts = rest.split(":")
    parts[0] = head + parts[0]
    if len(parts) == 1:
        target = parts[0]
        return MountSpec("anonymous", None, None if is_unresolved(target) else target)
    source, target = parts[0], parts[1]
    modes = {mode.strip() for mode in parts[2].split(",")} if len(parts) > 2 else set()
    unresolved = is_unresolved(source)
    kind = "bind" if (unresolved and "/" in source) or (not unresolved and is_host_path(source)) else "volume"
    return MountSpec(
        kind,
        None if unresolved else source,
        None if is_unresolved(target) else target,
        "ro" in modes,
        next((mode for mode in modes if mode in PROPAGATIONS), None),
    )


def service_of(workload: Any) -> tuple[dict[str, Any], tuple[str | int, ...]] | None:
    """The (merged) service mapping of a Compose service workload and its path, for Compose-only policies."""
    if workload.format != "compose" or workload.kind != "service":
        return None
    node = workload.document
    for part in workload.pod_spec_path:
        node = node.get(part) if isinstance(node, dict) else None
    return (node, workload.pod_spec_path) if isinstance(node, dict) else None


def service_mounts(workload: Any) -> Iterator[tuple[MountSpec, Any, tuple[str | int, ...]]]:
    """Each well-formed ``volumes:`` entry of a Compose service: parsed, raw, and its path."""
    found = service_of(workload)
    if found is None:
        return
    service, path = found
    volumes = service.get("volumes")
    for index, item in enumerate(volumes if isinstance(volumes, list) else []):
        spec = parse_mount(item)
        if spec is not None:
            yield spec, item, (*path, "volumes", index)
