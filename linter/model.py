"""The one workload model that pods, Compose services and VMs are mapped onto.

Every fact is tri-state: ``value`` is the known value, or ``None`` when it rests on an
unresolved variable or parameter; ``explicit`` tells whether the manifest wrote it (an
unset field carries the format's default and points at the nearest parent that exists).
``path`` is where the fact was written inside the workload's document, so a policy can
report it without knowing about lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from .source import Path

T = TypeVar("T")

Format = Literal["kubernetes", "compose", "kubevirt", "packer", "libvirt", "cloud-init"]
Role = Literal["service", "job", "vm", "image-build", "object"]  # object: a Kubernetes object beside workloads
Isolation = Literal["container", "sandbox", "vm"]
Tier = Literal["high", "standard", "low"]
UnitKind = Literal["container", "init", "ephemeral", "guest"]
VolumeKind = Literal["ephemeral", "persistent", "host", "config", "image", "other"]


@dataclass(frozen=True, slots=True)
class Fact(Generic[T]):
    """A value read from a manifest, with where it came from."""

    value: T | None
    path: Path
    explicit: bool = True

    @property
    def known(self) -> bool:
        return self.value is not None

    def is_(self, expected: object) -> bool:
        """True only when the value is known and equal to ``expected``."""
        return self.value is not None and self.value == expected


def unset(default: T | None, parent: Path) -> Fact[T]:
    """A fact the manifest does not write: the format's default, located at ``parent``."""
    return Fact(default, parent, explicit=False)


@dataclass(frozen=True, slots=True)
class Image:
    """An image reference, split; ``ref`` is None when it rests on an unresolved variable."""

    ref: str | None
    path: Path
    repository: str | None = None
    tag: str | None = None
    digest: str | None = None


@dataclass(frozen=True, slots=True)
class Resources:
    """CPU and memory requests and limits as written (strings, e.g. ``500m``, ``1Gi``)."""

    cpu_request: Fact[str]
    cpu_limit: Fact[str]
    memory_request: Fact[str]
    memory_limit: Fact[str]


@dataclass(frozen=True, slots=True)
class EnvVar:
    """An environment variable; ``literal`` is its inline value, if any."""

    name: str
    literal: str | None
    path: Path
    from_secret: bool = False


@dataclass(frozen=True, slots=True)
class Port:
    """A declared or published port."""

    port: int | None
    path: Path
    protocol: str = "TCP"
    host_port: int | None = None
    host_ip: str | None = None


@dataclass(frozen=True, slots=True)
class Mount:
    """A volume mounted into a unit."""

    volume: str
    target: str | None
    path: Path
    read_only: bool = False


@dataclass(frozen=True, slots=True)
class Volume:
    """A volume available to a workload; ``host_path`` is set for host mounts."""

    name: str
    kind: VolumeKind
    path: Path
    host_path: str | None = None
    size_limit: str | None = None


@dataclass(frozen=True, slots=True)
class Unit:
    """A container (init and ephemeral included) or a VM guest."""

    name: str
    kind: UnitKind
    path: Path
    image: Image | None
    privileged: Fact[bool]
    allow_privilege_escalation: Fact[bool]
    run_as_non_root: Fact[bool]
    run_as_user: Fact[int]
    read_only_root: Fact[bool]
    cap_add: tuple[Fact[str], ...]
    cap_drop: tuple[Fact[str], ...]
    capabilities_path: Path
    seccomp: Fact[str]
    apparmor: Fact[str]
    resources: Resources
    liveness_probe: Fact[bool]
    readiness_probe: Fact[bool]
    env: tuple[EnvVar, ...] = ()
    ports: tuple[Port, ...] = ()
    mounts: tuple[Mount, ...] = ()
    security_context_path: Path = ()
    image_pull_policy: Fact[str] | None = None


@dataclass(frozen=True, slots=True)
class Host:
    """Host namespaces and host resources shared with the workload."""

    network: Fact[bool]
    pid: Fact[bool]
    ipc: Fact[bool]
    uts: Fact[bool]
    userns: Fact[bool]
    sysctls: tuple[Fact[str], ...] = ()


@dataclass(frozen=True, slots=True)
class Exposure:
    """A way in from outside: a published port, a console, an SSH endpoint."""

    port: int | None
    path: Path
    kind: str = "service"
    bind_address: str | None = None
    public: bool | None = None
    protocol: str = "TCP"
    authenticated: Fact[bool] | None = None


@dataclass(frozen=True, slots=True)
class Access:
    """How people log in to a VM guest."""

    password_auth: Fact[bool]
    root_login: Fact[bool]
    plaintext_passwords: tuple[Fact[str], ...] = ()


@dataclass(frozen=True, slots=True)
class Scaling:
    """How many copies run and whether something scales them."""

    replicas: Fact[int]
    autoscaled: bool = False
    container_name: Fact[str] | None = None


@dataclass(frozen=True, slots=True)
class ServiceAccount:
    """The identity a pod runs as and whether its token is mounted."""

    name: Fact[str]
    automount_token: Fact[bool]


@dataclass(frozen=True, slots=True)
class VmSpec:
    """VM-only facts: CPU model, passthrough, consoles, firmware, disks, guest init.

    ``identity``: what every copy of the guest would share (fixed MAC addresses, a cloud-init hostname, static
    addresses); ``host_shares``: host directories mounted into the guest; ``liveness_budget``: seconds a guest that
    never answers its liveness probe gets before it is restarted.
    """

    cpu_mode: Fact[str]
    passthrough_devices: tuple[Fact[str], ...] = ()
    graphics: tuple[Exposure, ...] = ()
    disks: tuple[Fact[str], ...] = ()
    guest_init: Any = None
    patch_step: Fact[bool] | None = None
    disk_details: tuple[VmDisk, ...] = ()
    downloads: tuple[Download, ...] = ()
    eviction_strategy: Fact[str] | None = None
    long_lived: bool = False
    seclabel: Fact[str] | None = None
    identity: tuple[Fact[str], ...] = ()
    host_shares: tuple[Fact[str], ...] = ()
    liveness_budget: Fact[int] | None = None


@dataclass(frozen=True, slots=True)
class VmDisk:
    """A VM disk: what backs it (containerDisk, pvc, file, block, hostDisk ...), its format and cache mode."""

    name: str
    path: Path
    source: str
    format: Fact[str]
    cache: Fact[str]
    boot: bool = False


@dataclass(frozen=True, slots=True)
class Download:
    """Something an image build or a VM fetches at build or boot time, and the checksum that verifies it."""

    url: Fact[str]
    checksum: Fact[str]


@dataclass(frozen=True, slots=True)
class Workload:
    """One deployable thing: a pod template, a Compose service, a VM or an image build."""

    format: Format
    kind: str
    name: str
    namespace: str | None
    file: str
    document: Any
    path: Path
    role: Role
    tier: Fact[str]
    isolation: Isolation
    runtime: Fact[str]
    labels: dict[str, Any] = field(default_factory=dict)
    annotations: dict[str, Any] = field(default_factory=dict)
    units: tuple[Unit, ...] = ()
    host: Host | None = None
    volumes: tuple[Volume, ...] = ()
    exposure: tuple[Exposure, ...] = ()
    access: Access | None = None
    scaling: Scaling | None = None
    service_account: ServiceAccount | None = None
    node_name: Fact[str] | None = None
    vm: VmSpec | None = None
    pod_spec_path: Path = ()
    acts_as: str = ""  # the built-in controller kind it behaves as (Deployment for a DeploymentConfig ...), or ""
    _containers: tuple[Unit, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Most policies ask for the containers: worked out once, not on every call.
        units = self.units
        guests = any(unit.kind == "guest" for unit in units)
        object.__setattr__(self, "_containers", tuple(u for u in units if u.kind != "guest") if guests else units)

    def containers(self) -> tuple[Unit, ...]:
        """Units that are containers of any kind (not VM guests); the units themselves when none is a guest."""
        return self._containers


_SET_VALUE, _SET_PATH, _SET_EXPLICIT = (vars(Fact)[name].__set__ for name in ("value", "path", "explicit"))


def _fact_init(self: Fact[T], value: T | None, path: Path, explicit: bool = True) -> None:
    """``Fact``'s constructor, storing through the slots: the dataclass one calls ``object.__setattr__`` per
    field (a frozen class refuses plain assignment), three times the time, and a run makes tens of thousands
    of facts. Same signature and default (a test compares it with the fields); facts stay frozen."""
    _SET_VALUE(self, value)
    _SET_PATH(self, path)
    _SET_EXPLICIT(self, explicit)


Fact.__init__ = _fact_init  # type: ignore[method-assign]
