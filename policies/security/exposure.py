"""Security: ports on every interface, privileged ports, NodePort and external Services, Ingress without TLS."""

from __future__ import annotations

from collections.abc import Iterator

from vmlint.compose.syntax import PortSpec, parse_port, service_of
from vmlint.model import Workload
from vmlint.policy import Example, Hit, Policy, Settings, policy
from vmlint.source import Path

from .. import _fixes as fixes
from .._facts import fixing
from .._objects import internal_load_balancer, is_object, spec_of


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
        "Publishing `8080:80` binds 0.0.0.0: the port is reachable from every network the host is on, and "
        "Docker's iptables rules bypass host firewalls such as ufw. Most services need one address only."
    ),
    remediation="Bind the address explicitly: `127.0.0.1:8080:80` (or `host_ip:` in the long syntax).",
    formats=("compose",),
    fix=fixes.LOCALHOST_PORT,
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
            found = Hit(
                path,
                f"{_port_text(spec)} is published on all host interfaces; bind it to one address, "
                f"as in {_bound_example(spec)}",
            )
            edit = fixes.bind_localhost(workload, path)
            yield fixing(found, fixes.LOCALHOST_PORT, edit) if edit else found


def _span(ports: tuple[int, int]) -> str:
    return str(ports[0]) if ports[0] == ports[1] else f"{ports[0]}-{ports[1]}"


def _port_text(spec: PortSpec) -> str:
    """``port 8080:80``, ``port 80`` (an ephemeral host port)."""
    target = _span(spec.target) if spec.target else "?"
    return f"port {_span(spec.published)}:{target}" if spec.published else f"port {target}"


def _bound_example(spec: PortSpec) -> str:
    target = _span(spec.target) if spec.target else "80"
    published = _span(spec.published) if spec.published else target
    return f"127.0.0.1:{published}:{target}"


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


@policy(
    id="VM605",
    name="node-port-service",
    tradeoff="security",
    severity="warning",
    summary="A Service of type NodePort opens its port on every node of the cluster.",
    rationale=(
        "A NodePort Service listens on the same port of every node's address, outside any ingress controller, "
        "load balancer or firewall rule made for the application: whoever reaches a node reaches the pods."
    ),
    remediation=(
        "Use a ClusterIP Service behind an Ingress or Gateway, or a LoadBalancer Service whose reach is limited "
        "with `loadBalancerSourceRanges`."
    ),
    formats=("kubernetes",),
    kinds=("Service",),
    related={"kics": ("845acfbe-3e10-4b8e-b656-3b404d36dfb2",)},
    notes="kube-linter's exposed-services flags NodePort and LoadBalancer Services in one check (see VM606).",
    examples=(
        Example(
            "kubernetes",
            bad="kind: Service\nspec:\n  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 30080",
            good="kind: Service\nspec:\n  type: ClusterIP\n  ports:\n  - port: 80",
        ),
    ),
)
def node_port_service(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if is_object(workload, "Service") and spec_of(workload).get("type") == "NodePort":
        yield Hit(("spec", "type"), f"Service {workload.name} is a NodePort: its port is open on every node")


@policy(
    id="VM606",
    name="external-load-balancer",
    tradeoff="security",
    severity="warning",
    summary="A Service of type LoadBalancer asks the cloud for a load balancer reachable from outside the network.",
    rationale=(
        "A LoadBalancer Service without an internal-load-balancer annotation gets a public address on most "
        "clouds: the pods behind it are reachable from the Internet, with no ingress controller in between."
    ),
    remediation=(
        "Annotate the Service for an internal load balancer (e.g. `networking.gke.io/load-balancer-type: "
        "Internal`, `service.beta.kubernetes.io/aws-load-balancer-internal: 'true'`), or expose it through an "
        "Ingress or Gateway."
    ),
    formats=("kubernetes",),
    kinds=("Service",),
    related={"kics": ("26763a1c-5dda-4772-b507-5fca7fb5f165",)},
    notes=(
        "Internal: cloud.google.com/load-balancer-type or networking.gke.io/load-balancer-type `Internal`, "
        "service.beta.kubernetes.io/aws-load-balancer-internal or azure-load-balancer-internal `true` (values "
        "compared without case). `loadBalancerSourceRanges` does not make a load balancer internal."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="kind: Service\nspec:\n  type: LoadBalancer",
            good="kind: Service\nmetadata:\n  annotations:\n    networking.gke.io/load-balancer-type: Internal\n"
            "spec:\n  type: LoadBalancer",
        ),
    ),
)
def external_load_balancer(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if not is_object(workload, "Service") or spec_of(workload).get("type") != "LoadBalancer":
        return
    if not internal_load_balancer(workload):
        yield Hit(("spec", "type"), f"Service {workload.name} asks for an external load balancer")


@policy(
    id="VM607",
    name="service-external-address",
    tradeoff="security",
    severity="warning",
    summary="A Service sets externalIPs or externalName.",
    rationale=(
        "The `externalIPs` field lets a Service claim traffic for any address, including addresses of others "
        "(CVE-2020-8554: whoever may create Services can intercept that traffic cluster-wide). `externalName` "
        "turns a cluster name into a DNS alias for a host outside the cluster, so traffic meant for an in-cluster "
        "service leaves it."
    ),
    remediation=(
        "Remove `externalIPs` (use a LoadBalancer or an Ingress; block the field with an admission policy) and "
        "replace ExternalName Services with explicit configuration of the external host."
    ),
    formats=("kubernetes",),
    kinds=("Service",),
    related={"trivy": ("KSV-0108",)},
    examples=(
        Example(
            "kubernetes",
            bad="kind: Service\nspec:\n  externalIPs:\n  - 198.51.100.7\n  ports:\n  - port: 80",
            good="kind: Service\nspec:\n  ports:\n  - port: 80",
        ),
    ),
)
def service_external_address(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if not is_object(workload, "Service"):
        return
    spec = spec_of(workload)
    addresses = spec.get("externalIPs")
    if isinstance(addresses, list) and addresses:
        shown = ", ".join(str(address) for address in addresses)
        yield Hit(("spec", "externalIPs"), f"Service {workload.name} claims the external IPs {shown}")
    name = spec.get("externalName")
    if isinstance(name, str) and name:
        yield Hit(("spec", "externalName"), f"Service {workload.name} is an alias for the external host {name}")


@policy(
    id="VM608",
    name="ingress-without-tls",
    tradeoff="security",
    severity="warning",
    summary="An Ingress has no TLS section, so it serves its hosts over plain HTTP.",
    rationale=(
        "Without `spec.tls` the ingress controller terminates no TLS for these hosts: credentials and data cross "
        "the network in clear text, and clients cannot tell the service from an impostor."
    ),
    remediation="Add `spec.tls` with the hosts and the Secret holding their certificate (cert-manager can issue it).",
    formats=("kubernetes",),
    kinds=("Ingress",),
    related={"polaris": ("tlsSettingsMissing",)},
    notes="Whether the TLS section covers every host of the rules is not checked.",
    examples=(
        Example(
            "kubernetes",
            bad="kind: Ingress\nspec:\n  rules:\n  - host: shop.example.com",
            good="kind: Ingress\nspec:\n  tls:\n  - hosts: [shop.example.com]\n    secretName: shop-tls\n"
            "  rules:\n  - host: shop.example.com",
        ),
    ),
)
def ingress_without_tls(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if not is_object(workload, "Ingress"):
        return
    tls = spec_of(workload).get("tls")
    if not (isinstance(tls, list) and tls):
        yield Hit(("spec", "tls"), f"Ingress {workload.name} has no TLS section")


POLICIES: tuple[Policy, ...] = (
    port_on_all_interfaces,
    privileged_port_mapped,
    node_port_service,
    external_load_balancer,
    service_external_address,
    ingress_without_tls,
)


@policy(
    id="VM633",
    name="privileged-container-port",
    tradeoff="security",
    severity="info",
    summary="A container declares a port below 1024 (containerPort).",
    rationale=(
        "Binding a port below 1024 needs root or NET_BIND_SERVICE inside the container: an image that listens "
        "there usually runs as root, and the capability is one more privilege on the shared kernel."
    ),
    remediation="Listen on a port of 1024 or above (8080, 8443) and map it with the Service's `port`.",
    formats=("kubernetes",),
    related={"kube-linter": ("privileged-ports",), "trivy": ("KSV-0117",)},
    notes="Compose's published ports are security policies of their own (VM630, VM631).",
    examples=(
        Example(
            "kubernetes",
            bad="ports:\n- containerPort: 80",
            good="ports:\n- containerPort: 8080",
        ),
    ),
)
def privileged_container_port(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if workload.format != "kubernetes":
        return
    for unit in workload.containers():
        for port in unit.ports:
            if port.port is not None and 0 < port.port < 1024:
                where = (*port.path, "containerPort")
                yield Hit(where, f"container {unit.name} listens on privileged port {port.port}", unit=unit.name)


POLICIES += (privileged_container_port,)
