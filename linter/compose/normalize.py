"""Compose services onto the workload model: one Workload (one container unit) per service.

Top-level volumes that bind a host directory (``driver_opts`` ``device`` or ``mountpoint``)
become workloads of kind ``volume``, so host-path policies see them once, where written.
"""

from __future__ import annotations

from typing import Any

from ..model import EnvVar, Exposure, Fact, Host, Mount, Port, Resources, Scaling, Unit, Volume, Workload, unset
from ..normalize.common import TIER_KEY, TIERS, Classifier, parse_image
from ..normalize.reader import Reader, ShapeProblem, is_unresolved
from ..numbers import NON_NEGATIVE_INT32, to_int
from ..source import Path, YMap
from .project import ENV_FILE_VALUES
from .syntax import parse_mount, parse_port

IGNORE_KEY = "vmlint.io/ignore"
EXTENSION_KEY = "x-vmlint"
DEVICE_OPTIONS = ("device", "mountpoint")
USER_ID = (0, 2**32 - 1)
_BAD_PORT = "ports entry is not a port mapping Compose accepts ([HOST:]CONTAINER[/PROTOCOL], ports 0-65535)"


def as_mapping(value: Any) -> dict[str, Any]:
    """A ``list_or_dict`` value (``{K: V}`` or ``["K=V", "K"]``) as a dict; names without a value map to None."""
    if isinstance(value, dict):
        return {str(key): item for key, item in value.items()}
    out: dict[str, Any] = {}
    if isinstance(value, list):
        for item in value:
            if isinstance(item, str):
                name, sep, rest = item.partition("=")
                out[name.strip()] = rest if sep else None
    return out


def _key_path(value: Any, path: Path, name: str) -> Path:
    """Path of entry ``name`` in a list_or_dict (its list index in list form)."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, str) and item.partition("=")[0].strip() == name:
                return (*path, index)
    return (*path, name)


class ComposeNormalizer:
    """Builds workloads from a loaded Compose project tree."""

    def __init__(self, classifier: Classifier, file: str) -> None:
        self.classifier = classifier
        self.file = file
        self.reader = Reader(yaml_one_one_bools=True)

    def workloads(self, root: YMap, skip: set[str]) -> list[Workload]:
        services = root.get("services")
        out = []
        if isinstance(services, dict):
            for name, service in services.items():
                if isinstance(service, dict) and str(name) not in skip:
                    out.append(self.service(root, str(name), service))
        volumes = root.get("volumes")
        if isinstance(volumes, dict):
            for name, volume in volumes.items():
                host = self.host_volume(root, str(name), volume)
                if host is not None:
                    out.append(host)
        return out

    def host_volume(self, root: YMap, name: str, volume: Any) -> Workload | None:
        options = volume.get("driver_opts") if isinstance(volume, dict) else None
        if not isinstance(options, dict):
            return None
        for option in DEVICE_OPTIONS:
            device = options.get(option)
            if isinstance(device, str) and device.startswith("/") and not is_unresolved(device):
                path: Path = ("volumes", name, "driver_opts", option)
                return Workload(
                    format="compose",
                    kind="volume",
                    name=name,
                    namespace=None,
                    file=self.file,
                    document=root,
                    path=(),
                    role="service",
                    tier=unset(None, ("volumes", name)),
                    isolation="container",
                    runtime=unset("runc", ("volumes", name)),
                    volumes=(Volume(name, "host", path, host_path=device),),
                    pod_spec_path=("volumes", name),
                )
        return None

    def service(self, root: YMap, name: str, service: dict[str, Any]) -> Workload:
        read = self.reader
        path: Path = ("services", name)
        labels_raw = service.get("labels")
        labels = as_mapping(labels_raw)
        extension = read.map(service, path, EXTENSION_KEY)
        annotations = as_mapping(service.get("annotations"))
        ignores = [str(v) for v in extension.get("ignore", [])] if isinstance(extension.get("ignore"), list) else []
        if isinstance(extension.get("ignore"), str):
            ignores = extension["ignore"].split(",")
        if isinstance(labels.get(IGNORE_KEY), str):
            ignores.extend(labels[IGNORE_KEY].split(","))
        if ignores:
            annotations[IGNORE_KEY] = ",".join(part.strip() for part in ignores)
        tier = self.tier(service, path, labels_raw, labels, extension)
        runtime = read.text(service, path, "runtime")
        volumes, mounts = self.volumes(service, path, root)
        ports = self.ports(service, path)
        self.restart_counts(service, path)
        return Workload(
            format="compose",
            kind="service",
            name=name,
            namespace=None,
            file=self.file,
            document=root,
            path=(),
            role="service",
            tier=tier,
            isolation=self.classifier.isolation(runtime),
            runtime=runtime if runtime.explicit else unset("runc", runtime.path),
            labels=labels,
            annotations=annotations,
            units=(self.unit(service, path, name, ports, mounts),),
            host=self.host(service, path),
            volumes=volumes,
            exposure=tuple(
                Exposure(p.host_port, p.path, bind_address=p.host_ip, public=p.host_ip in (None, "0.0.0.0", "::"))
                for p in ports
            ),
            scaling=self.scaling(service, path),
            pod_spec_path=path,
        )

    def tier(
        self, service: dict[str, Any], path: Path, labels_raw: Any, labels: dict[str, Any], extension: dict[str, Any]
    ) -> Fact[str]:
        if "tier" in extension:
            value = str(extension["tier"]).strip().lower()
            return Fact(value if value in TIERS else None, (*path, EXTENSION_KEY, "tier"))
        if TIER_KEY in labels:
            value = str(labels[TIER_KEY]).strip().lower()
            return Fact(value if value in TIERS else None, _key_path(labels_raw, (*path, "labels"), TIER_KEY))
        fact = self.classifier.tier([(labels, (*path, "labels"))])
        if fact.explicit and isinstance(labels_raw, list) and isinstance(fact.path[-1], str):
            return Fact(fact.value, _key_path(labels_raw, (*path, "labels"), fact.path[-1]))
        return fact if fact.explicit else unset(None, path)

    def security_opts(self, service: dict[str, Any], path: Path) -> dict[str, Fact[str]]:
        """``security_opt`` items by option name (no-new-privileges, seccomp, apparmor, label)."""
        out: dict[str, Fact[str]] = {}
        for fact in self.reader.strings(service, path, "security_opt"):
            if fact.value is None:
                continue
            text = fact.value.strip()
            separator = min((i for i in (text.find(":"), text.find("=")) if i >= 0), default=-1)
            name, value = (text[:separator], text[separator + 1 :]) if separator >= 0 else (text, "true")
            out.setdefault(name.strip().lower(), Fact(value.strip(), fact.path))
        return out

    def unit(
        self, service: dict[str, Any], path: Path, name: str, ports: tuple[Port, ...], mounts: tuple[Mount, ...]
    ) -> Unit:
        read = self.reader
        options = self.security_opts(service, path)
        opts_path = (*path, "security_opt")
        no_new = options.get("no-new-privileges")
        escalation: Fact[bool] = (
            Fact(no_new.value.lower() != "true", no_new.path) if no_new and no_new.value else unset(True, opts_path)
        )
        user = read.text(service, path, "user")
        uid = user.value.split(":", 1)[0].strip() if user.value is not None else None
        run_as_user: Fact[int] = unset(None, user.path)
        run_as_non_root: Fact[bool] = unset(False, user.path)
        if user.explicit:
            number = 0 if uid == "root" else self.user_id(uid, user.path)
            run_as_user = Fact(number, user.path)
            run_as_non_root = Fact(None if uid is None else uid not in ("root", "0"), user.path)
        return Unit(
            name=name,
            kind="container",
            path=path,
            image=parse_image(service.get("image"), (*path, "image")),
            privileged=read.boolean(service, path, "privileged", False),
            allow_privilege_escalation=escalation,
            run_as_non_root=run_as_non_root,
            run_as_user=run_as_user,
            read_only_root=read.boolean(service, path, "read_only", False),
            cap_add=read.strings(service, path, "cap_add"),
            cap_drop=read.strings(service, path, "cap_drop"),
            capabilities_path=path,
            seccomp=self.profile(options.get("seccomp"), opts_path),
            apparmor=self.profile(options.get("apparmor"), opts_path),
            resources=self.resources(service, path),
            liveness_probe=self.healthcheck(service, path),
            readiness_probe=self.healthcheck(service, path),
            env=self.env(service, path),
            ports=ports,
            mounts=mounts,
            security_context_path=opts_path,
        )

    @staticmethod
    def profile(option: Fact[str] | None, opts_path: Path) -> Fact[str]:
        """seccomp/apparmor as the Kubernetes profile types: Docker's default applies when unset."""
        if option is None:
            return unset("RuntimeDefault", opts_path)
        value = option.value or ""
        if value.lower() == "unconfined":
            return Fact("Unconfined", option.path)
        return Fact("RuntimeDefault" if value.lower() in ("default", "docker-default") else "Localhost", option.path)

    def healthcheck(self, service: dict[str, Any], path: Path) -> Fact[bool]:
        where = (*path, "healthcheck")
        check = service.get("healthcheck")
        if not isinstance(check, dict):
            return unset(False, where)
        disabled = self.reader.boolean(check, where, "disable", False)
        if disabled.value is True:
            return Fact(False, disabled.path)
        test = check.get("test")
        if test == "NONE" or (isinstance(test, list) and test[:1] == ["NONE"]):
            return Fact(False, (*where, "test"))
        return Fact(True, where)

    def resources(self, service: dict[str, Any], path: Path) -> Resources:
        read = self.reader
        deploy = read.map(service, path, "deploy")
        resources = read.map(deploy, (*path, "deploy"), "resources")
        base = (*path, "deploy", "resources")
        limits = read.map(resources, base, "limits")
        reservations = read.map(resources, base, "reservations")

        def pick(section: dict[str, Any], section_path: Path, key: str, legacy: str | None) -> Fact[str]:
            fact = read.text(section, section_path, key)
            if not fact.explicit and legacy is not None and legacy in service:
                fact = read.text(service, path, legacy)
            return unset(None, fact.path) if _zero(fact.value) else fact  # 0 means unlimited

        cpu_limit = pick(limits, (*base, "limits"), "cpus", "cpus")
        if not cpu_limit.explicit and "cpu_quota" in service:  # cpu_quota (with cpu_period) is a CPU limit
            quota = read.text(service, path, "cpu_quota")
            cpu_limit = quota if quota.value is None or not _zero(quota.value) else cpu_limit
        return Resources(
            cpu_request=pick(reservations, (*base, "reservations"), "cpus", None),
            cpu_limit=cpu_limit,
            memory_request=pick(reservations, (*base, "reservations"), "memory", "mem_reservation"),
            memory_limit=pick(limits, (*base, "limits"), "memory", "mem_limit"),
        )

    def env(self, service: dict[str, Any], path: Path) -> tuple[EnvVar, ...]:
        raw = service.get("environment")
        out = []
        if isinstance(raw, dict):
            for key, value in raw.items():
                literal = None if value is None or isinstance(value, (dict, list)) or is_unresolved(value) else value
                out.append(EnvVar(str(key), None if literal is None else str(literal), (*path, "environment", key)))
        elif isinstance(raw, list):
            for index, item in enumerate(raw):
                if not isinstance(item, str):
                    continue
                key, sep, value = item.partition("=")
                literal = value if sep and not is_unresolved(value) else None
                out.append(EnvVar(key.strip(), literal, (*path, "environment", index)))
        written = {env.name for env in out}
        files: list[EnvVar] = []
        from_files: Any = service.get(ENV_FILE_VALUES)  # type: ignore[call-overload]
        for key, value in from_files.items() if isinstance(from_files, dict) else ():
            if key not in written:
                literal = None if value is None or is_unresolved(value) else str(value)
                files.append(EnvVar(str(key), literal, (*path, ENV_FILE_VALUES, key)))
        return (*files, *out)

    def user_id(self, uid: str | None, where: Path) -> int | None:
        """The numeric uid of ``user:`` (a name gives None); digits Docker would not read are a problem."""
        if uid is None or not uid.isdigit():  # isdigit() is Unicode-wide: '¹' is caught here, not read as a name
            return None
        number, problem = to_int(uid, bounds=USER_ID)
        if problem is not None:
            self.reader.problems.append(
                ShapeProblem(where, f"user should be a name or {problem.expected}, found {problem.found}")
            )
        return number

    def restart_counts(self, service: dict[str, Any], path: Path) -> None:
        """``restart: on-failure[:N]`` and ``deploy.restart_policy.max_attempts``: counts Compose would read."""
        restart = service.get("restart")
        if isinstance(restart, str) and restart.strip().startswith("on-failure:") and not is_unresolved(restart):
            count = restart.strip().partition(":")[2]
            if to_int(count, bounds=NON_NEGATIVE_INT32)[1] is not None:
                self.reader.problems.append(
                    ShapeProblem(
                        (*path, "restart"), f"{'.'.join(map(str, path))}.restart: the on-failure count is no integer"
                    )
                )
        deploy = self.reader.map(service, path, "deploy")
        policy = self.reader.map(deploy, (*path, "deploy"), "restart_policy")
        self.reader.integer(policy, (*path, "deploy", "restart_policy"), "max_attempts", bounds=NON_NEGATIVE_INT32)

    def ports(self, service: dict[str, Any], path: Path) -> tuple[Port, ...]:
        out = []
        for index, item in enumerate(self.reader.seq(service, path, "ports")):
            spec = parse_port(item)
            if spec is None:
                self.reader.problems.append(ShapeProblem((*path, "ports", index), _BAD_PORT))
            if spec is None or not spec.known:
                continue
            out.append(
                Port(
                    port=spec.target[0] if spec.target else None,
                    path=(*path, "ports", index),
                    protocol=spec.protocol.upper(),
                    host_port=spec.published[0] if spec.published else None,
                    host_ip=spec.host_ip,
                )
            )
        return tuple(out)

    def volumes(self, service: dict[str, Any], path: Path, root: YMap) -> tuple[tuple[Volume, ...], tuple[Mount, ...]]:
        volumes: list[Volume] = []
        mounts: list[Mount] = []
        for index, item in enumerate(self.reader.seq(service, path, "volumes")):
            spec = parse_mount(item)
            if spec is None:
                continue
            where: Path = (*path, "volumes", index)
            name = spec.source or (spec.target if spec.kind == "tmpfs" and spec.target else f"{spec.kind}-{index}")
            if spec.kind == "bind":
                source_path = (*where, "source") if isinstance(item, dict) else where
                volumes.append(Volume(name, "host", source_path, host_path=spec.source))
            elif spec.kind == "volume":
                volumes.append(Volume(name, "persistent", where))
            elif spec.kind == "tmpfs":
                tmpfs = item.get("tmpfs") if isinstance(item, dict) else None
                size = tmpfs.get("size") if isinstance(tmpfs, dict) else None
                volumes.append(Volume(name, "ephemeral", where, size_limit=str(size) if size is not None else None))
            else:
                volumes.append(Volume(name, "other", where))
            mounts.append(Mount(name, spec.target, where, read_only=spec.read_only))
        tmpfs = service.get("tmpfs")
        entries = [(tmpfs, (*path, "tmpfs"))] if isinstance(tmpfs, str) else []
        entries += [(fact.value, fact.path) for fact in self.reader.strings(service, path, "tmpfs") if fact.value]
        for index, (entry, where) in enumerate(entries):
            target, _, options = entry.partition(":")
            size = next((o.partition("=")[2] for o in options.split(",") if o.strip().startswith("size=")), None)
            volumes.append(Volume(target.strip() or f"tmpfs-{index}", "ephemeral", where, size_limit=size))
        return tuple(volumes), tuple(mounts)

    def host(self, service: dict[str, Any], path: Path) -> Host:
        def shared(key: str, default: bool = False) -> Fact[bool]:
            fact = self.reader.text(service, path, key)
            if not fact.explicit:
                return unset(default, fact.path)
            return Fact(None if fact.value is None else fact.value.strip().lower() == "host", fact.path)

        sysctls = as_mapping(service.get("sysctls"))
        return Host(
            network=shared("network_mode"),
            pid=shared("pid"),
            ipc=shared("ipc"),
            uts=shared("uts"),
            userns=shared("userns_mode", True),
            sysctls=tuple(Fact(name, _key_path(service.get("sysctls"), (*path, "sysctls"), name)) for name in sysctls),
        )

    def scaling(self, service: dict[str, Any], path: Path) -> Scaling:
        deploy = self.reader.map(service, path, "deploy")
        replicas = self.reader.integer(deploy, (*path, "deploy"), "replicas", 1, bounds=NON_NEGATIVE_INT32)
        if not replicas.explicit and "scale" in service:
            replicas = self.reader.integer(service, path, "scale", 1, bounds=NON_NEGATIVE_INT32)
        container_name = self.reader.text(service, path, "container_name")
        return Scaling(replicas=replicas, container_name=container_name if container_name.explicit else None)


def _zero(value: str | None) -> bool:
    """A Compose limit of 0 (``0``, ``0.0``, ``0b``, ``-1`` for cpu_quota): no limit at all."""
    if value is None:
        return False
    text = value.strip().lower().rstrip("bkmg")
    try:
        return float(text) <= 0
    except ValueError:
        return False
