"""Security: weak secrets, authentication and exposure."""

from __future__ import annotations

from collections.abc import Iterator

from vmlint.compose.syntax import PortSpec, parse_port, service_of
from vmlint.model import Workload
from vmlint.policy import Example, Hit, Policy, Settings, policy
from vmlint.source import Path

POLICIES: tuple[Policy, ...] = ()


def _ports(workload: Workload) -> Iterator[tuple[Path, PortSpec]]:
    found = service_of(workload)
    if found is None:
        return
    service, path = found
    ports = service.get("ports")
    for index, item in enumerate(ports if isinstance(ports, list) else []):
        spec = parse_port(item)
        if spec is not None and spec.known:
            yield (*path, "ports", index), spec


@policy(
    id="VM630",
    name="port-on-all-interfaces",
    tradeoff="security",
    severity="warning",
    summary="A Compose service publishes a port on every host interface instead of one address.",
    rationale=(
        "`8080:80` binds 0.0.0.0: the port is reachable from every network the host is on, and Docker's iptables "
        "rules bypass host firewalls such as ufw. Most services only need the loopback or one internal address."
    ),
    remediation="Bind the address explicitly: `127.0.0.1:8080:80` (or `host_ip:` in the long syntax).",
    formats=("compose",),
    related={"kics": ("451d79dc-0588-476a-ad03-3c7f0320abb3",)},
    notes=(
        "A bare container port (`80`) is flagged too: Compose publishes it on an ephemeral host port on all "
        "interfaces. An explicit 0.0.0.0 or :: counts as all interfaces."
    ),
    examples=(
        Example(
            "compose",
            bad='services:\n  web:\n    image: web:1.2\n    ports: ["8080:80"]',
            good='services:\n  web:\n    image: web:1.2\n    ports: ["127.0.0.1:8080:80"]',
        ),
    ),
)
def port_on_all_interfaces(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for path, spec in _ports(workload):
        if spec.all_interfaces:
            yield Hit(path, "the port is published on all host interfaces")


@policy(
    id="VM631",
    name="privileged-port-mapped",
    tradeoff="security",
    severity="warning",
    summary="A Compose service maps a port below 1024 without dropping NET_BIND_SERVICE.",
    rationale=(
        "Binding ports below 1024 needs NET_BIND_SERVICE, a capability kept by default; a service that maps a "
        "privileged port usually runs as root to bind it. Serving on a high port lets the capability be dropped."
    ),
    remediation="Listen on port 1024 or above inside the container, publish that, and drop NET_BIND_SERVICE.",
    formats=("compose",),
    related={"kics": ("bc2908f3-f73c-40a9-8793-c1b7d5544f79",)},
    notes="Like KICS, both the host and the container side count, and dropping NET_BIND_SERVICE (or ALL) waives it.",
    examples=(
        Example(
            "compose",
            bad='services:\n  web:\n    image: web:1.2\n    ports: ["80:80"]',
            good='services:\n  web:\n    image: web:1.2\n    ports: ["8080:8080"]\n    cap_drop: [ALL]',
        ),
    ),
)
def privileged_port_mapped(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for unit in workload.containers():
        dropped = {(fact.value or "").strip().upper().removeprefix("CAP_") for fact in unit.cap_drop}
        if dropped & {"NET_BIND_SERVICE", "ALL"}:
            return
    for path, spec in _ports(workload):
        low = [side[0] for side in (spec.published, spec.target) if side is not None and side[0] < 1024]
        if low:
            yield Hit(path, f"port {min(low)} is below 1024 and NET_BIND_SERVICE is not dropped")


# Compose-only policies (docs/decisions/0005-compose-projects.md).
POLICIES += (port_on_all_interfaces, privileged_port_mapped)
