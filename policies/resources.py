"""Resource usage: a shared kernel without limits, or a whole VM for a trivial service."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vmlint.compose.syntax import service_of
from vmlint.model import Workload
from vmlint.policy import Example, Hit, Policy, Settings, policy

POLICIES: tuple[Policy, ...] = ()


@policy(
    id="VM220",
    name="custom-cgroup-parent",
    tradeoff="resource-usage",
    severity="warning",
    summary="A Compose service sets `cgroup_parent`, placing it outside the daemon's default cgroup tree.",
    rationale=(
        "Resource limits and accounting hang off the cgroup tree. A custom parent moves the container under limits "
        "nobody sees in the Compose file, or under none at all, so the shared kernel's resources are no longer "
        "divided the way the file says."
    ),
    remediation="Remove `cgroup_parent` and set limits on the service (`deploy.resources.limits`).",
    formats=("compose",),
    related={"kics": ("4d9f44c6-2f4a-4317-9bb5-267adbea0232",)},
    examples=(
        Example(
            "compose",
            bad="services:\n  app:\n    image: app:1.2\n    cgroup_parent: custom",
            good="services:\n  app:\n    image: app:1.2",
        ),
    ),
)
def custom_cgroup_parent(workload: Workload, settings: Settings) -> Iterator[Hit]:
    found = service_of(workload)
    if found is not None and found[0].get("cgroup_parent") is not None:
        yield Hit((*found[1], "cgroup_parent"), "the service sets cgroup_parent")


def _pids_limit(service: dict[str, Any]) -> tuple[Any, str | None]:
    deploy = service.get("deploy")
    resources = deploy.get("resources") if isinstance(deploy, dict) else None
    limits = resources.get("limits") if isinstance(resources, dict) else None
    if isinstance(limits, dict) and "pids" in limits:
        return limits["pids"], "deploy.resources.limits.pids"
    if "pids_limit" in service:
        return service["pids_limit"], "pids_limit"
    return None, None


@policy(
    id="VM221",
    name="pids-limit-missing",
    tradeoff="resource-usage",
    severity="warning",
    summary="A Compose service has no process limit (`pids_limit` or `deploy.resources.limits.pids`), or -1.",
    rationale=(
        "Process IDs are a kernel-wide resource. Without a limit a fork bomb or a leaking worker pool in one "
        "container exhausts the host's PID space and stops every other container from starting processes."
    ),
    remediation="Set `pids_limit` (or `deploy.resources.limits.pids`) to a bound such as 200.",
    formats=("compose",),
    related={"kics": ("221e0658-cb2a-44e3-b08a-db96a341d6fa",)},
    notes=(
        "KICS checks this only in files with a 2.x `version:`; vmlint checks every Compose file, since the Compose "
        "Specification reads both keys regardless of version."
    ),
    examples=(
        Example(
            "compose",
            bad="services:\n  app:\n    image: app:1.2",
            good="services:\n  app:\n    image: app:1.2\n    pids_limit: 200",
        ),
    ),
)
def pids_limit_missing(workload: Workload, settings: Settings) -> Iterator[Hit]:
    found = service_of(workload)
    if found is None:
        return
    service, path = found
    value, where = _pids_limit(service)
    if where is None:
        yield Hit(path, f"service {workload.name} sets no pids_limit", key=True)
    elif value in (-1, "-1", 0, "0"):
        fact_path = (*path, *where.split("."))
        yield Hit(fact_path, f"service {workload.name} sets {where}: {value} (unlimited)")


# Compose-only policies (docs/decisions/0005-compose-projects.md).
POLICIES += (custom_cgroup_parent, pids_limit_missing)
