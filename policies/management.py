"""Management: patching, health and reproducibility."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vmlint.compose.syntax import service_of
from vmlint.model import Workload
from vmlint.policy import Example, Hit, Option, Policy, Settings, policy
from vmlint.source import Path

POLICIES: tuple[Policy, ...] = ()


def _restart_counts(service: dict[str, Any], path: Path) -> Iterator[tuple[Path, str, int | None]]:
    """(path, source, retries) for each on-failure restart setting; retries None when unbounded."""
    restart = service.get("restart")
    if isinstance(restart, str) and restart.strip().startswith("on-failure") and "${" not in restart:
        _, _, count = restart.strip().partition(":")
        yield (*path, "restart"), "restart", int(count) if count.strip().isdigit() else None
    deploy = service.get("deploy")
    policy_ = deploy.get("restart_policy") if isinstance(deploy, dict) else None
    if isinstance(policy_, dict) and policy_.get("condition") == "on-failure":
        attempts = policy_.get("max_attempts")
        where = (*path, "deploy", "restart_policy", "max_attempts" if "max_attempts" in policy_ else "condition")
        number = attempts if isinstance(attempts, int) and not isinstance(attempts, bool) else None
        if isinstance(attempts, str) and attempts.isdigit():
            number = int(attempts)
        if attempts is None or number is not None:
            yield where, "deploy.restart_policy", number


@policy(
    id="VM820",
    name="on-failure-retries",
    tradeoff="management",
    severity="info",
    summary="An on-failure restart policy retries without bound, or a number of times other than the configured one.",
    rationale=(
        "A container that keeps crashing and restarting hides the failure from monitoring and burns the host's "
        "resources; a small, fixed number of retries (CIS Docker Benchmark 5.14: 5) restarts transient failures "
        "and then lets the failure show."
    ),
    remediation="Use `restart: on-failure:5` (or `deploy.restart_policy.max_attempts: 5`).",
    formats=("compose",),
    options={"retries": Option(5, "The retry count on-failure policies must use.")},
    related={"kics": ("2fc99041-ddad-49d5-853f-e35e70a48391",)},
    notes="KICS flags counts other than 5 only; vmlint also flags `on-failure` without a count, which never stops.",
    examples=(
        Example(
            "compose",
            bad="services:\n  app:\n    image: app:1.2\n    restart: on-failure:10",
            good="services:\n  app:\n    image: app:1.2\n    restart: on-failure:5",
        ),
    ),
)
def on_failure_retries(workload: Workload, settings: Settings) -> Iterator[Hit]:
    found = service_of(workload)
    if found is None:
        return
    wanted = int(settings["retries"])
    for path, source, retries in _restart_counts(*found):
        if retries is None:
            yield Hit(path, f"{source} restarts on failure without a retry limit (use {wanted})")
        elif retries != wanted:
            yield Hit(path, f"{source} retries {retries} times on failure, not {wanted}")


# Compose-only policies (docs/decisions/0005-compose-projects.md).
POLICIES += (on_failure_retries,)
