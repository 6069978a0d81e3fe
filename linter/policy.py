"""Policies: metadata plus a pure check function, loaded from the ``vmlint.policies`` entry points.

Built-in and third-party packs are loaded the same way.  Nothing registers on import:
loading returns a value.  Set ``VMLINT_DISABLE_PLUGIN_AUTOLOAD=1`` to load only the
built-in pack.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .model import Workload
from .source import Path

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
TRADEOFFS = (
    "isolation",
    "resource-usage",
    "portability",
    "boot-time",
    "hardware",
    "scalability",
    "security",
    "dependencies",
    "management",
    "storage",
    "backup",
    "workflow",
    "input",
)
PEER_TOOLS = ("kics", "polaris", "kube-linter", "checkov", "trivy")
ID_PATTERN = re.compile(r"^[A-Z]{2,5}[0-9]{3,4}$")
NAME_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
ENTRY_POINT_GROUP = "vmlint.policies"


Fact = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Hit:
    """What a check reports: a path in the workload's document and a message.

    ``unless`` lists context facts (see ``linter.context``) any one of which, if some object anywhere in
    the run provides it, withdraws the hit: e.g. a single replica is fine for an autoscaled Deployment.
    ``needs`` is a fact: the hit stands only when the run provides it, or facts of one more part after it, and
    ``{}`` in the message becomes one of those parts, preferably one naming the finding's file (e.g. which
    binding, where, grants which role), and how many more there are. ``severity``
    overrides the policy's for this hit (e.g. error for a high-tier workload). Of the findings of one policy
    with the same non-empty ``once`` key the run reports only the first (e.g. one per namespace, not per pod).
    """

    path: Path
    message: str
    unit: str | None = None
    key: bool = False
    unless: tuple[Fact, ...] = ()
    needs: Fact = ()
    severity: Severity | None = None
    once: Fact = ()


@dataclass(frozen=True, slots=True)
class Option:
    """A typed policy option with its default."""

    default: Any
    description: str


@dataclass(frozen=True, slots=True)
class Example:
    """A bad and a good snippet for one format, shown by ``vmlint explain``."""

    format: str
    bad: str
    good: str


@dataclass(frozen=True, slots=True)
class Settings:
    """What a check may read besides the workload: its options, resolved."""

    options: Mapping[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Any:
        return self.options[name]


Check = Callable[[Workload, Settings], Iterable[Hit]]


@dataclass(frozen=True, slots=True)
class Policy:
    """A policy's metadata and its check."""

    id: str
    name: str
    tradeoff: str
    severity: Severity
    summary: str
    rationale: str
    remediation: str
    check: Check | None
    formats: frozenset[str]
    examples: tuple[Example, ...] = ()
    related: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    options: Mapping[str, Option] = field(default_factory=dict)
    notes: str = ""
    kinds: frozenset[str] = frozenset()  # when set, the engine runs the check only on workloads of these kinds

    def run(self, workload: Workload, settings: Settings) -> Iterator[Hit]:
        """The check's hits for one workload (none for policies the engine reports itself)."""
        if self.check is not None:
            yield from self.check(workload, settings)

    def defaults(self) -> dict[str, Any]:
        return {name: option.default for name, option in self.options.items()}


def policy(
    *,
    id: str,  # noqa: A002 - the metadata field is called id
    name: str,
    tradeoff: str,
    severity: Severity,
    summary: str,
    rationale: str,
    remediation: str,
    formats: Iterable[str],
    examples: Iterable[Example] = (),
    related: Mapping[str, Iterable[str]] | None = None,
    options: Mapping[str, Option] | None = None,
    notes: str = "",
    kinds: Iterable[str] = (),
) -> Callable[[Check], Policy]:
    """Turn a check function into a ``Policy`` value (no registration happens)."""

    def wrap(check: Check) -> Policy:
        return Policy(
            id=id,
            name=name,
            tradeoff=tradeoff,
            severity=severity,
            summary=summary,
            rationale=rationale,
            remediation=remediation,
            check=check,
            formats=frozenset(formats),
            examples=tuple(examples),
            related={tool: tuple(ids) for tool, ids in (related or {}).items()},
            options=dict(options or {}),
            notes=notes,
            kinds=frozenset(kinds),
        )

    return wrap


class PolicyLoadError(Exception):
    """A policy pack could not be loaded, or declares an invalid or duplicate policy."""


def validate(candidate: object, source: str) -> Policy:
    """Check one loaded object is a well-formed policy; name the pack when it is not."""
    if not isinstance(candidate, Policy):
        raise PolicyLoadError(f"{source}: {candidate!r} is not a vmlint Policy")
    problems = []
    if not ID_PATTERN.match(candidate.id):
        problems.append(f"id {candidate.id!r} does not match {ID_PATTERN.pattern}")
    if not NAME_PATTERN.match(candidate.name):
        problems.append(f"name {candidate.name!r} is not kebab-case")
    if candidate.tradeoff not in TRADEOFFS:
        problems.append(f"tradeoff {candidate.tradeoff!r} is not one of {', '.join(TRADEOFFS)}")
    if candidate.severity not in SEVERITIES:
        problems.append(f"severity {candidate.severity!r} is not one of {', '.join(SEVERITIES)}")
    unknown_tools = set(candidate.related) - set(PEER_TOOLS)
    if unknown_tools:
        problems.append(f"related names unknown tools {sorted(unknown_tools)}")
    if problems:
        raise PolicyLoadError(f"{source}: policy {candidate.id}: " + "; ".join(problems))
    return candidate


def _entry_points() -> list[Any]:
    from importlib.metadata import entry_points

    found = sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: (ep.name != "builtin", ep.name))
    if os.environ.get("VMLINT_DISABLE_PLUGIN_AUTOLOAD"):
        found = [ep for ep in found if ep.name == "builtin"]
    return found


def load_policies() -> tuple[Policy, ...]:
    """All policies of all installed packs, sorted by id; duplicates are an error."""
    by_id: dict[str, tuple[Policy, str]] = {}
    for entry_point in _entry_points():
        source = f"policy pack {entry_point.name!r} ({entry_point.value})"
        try:
            loaded = entry_point.load()
            items = loaded() if callable(loaded) else loaded
            candidates = list(items)
        except Exception as error:  # a broken plugin must be named, not crash the run
            raise PolicyLoadError(f"{source} failed to load: {type(error).__name__}: {error}") from error
        for candidate in candidates:
            checked = validate(candidate, source)
            if checked.id in by_id:
                raise PolicyLoadError(f"{source}: duplicate policy id {checked.id} (also in {by_id[checked.id][1]})")
            by_id[checked.id] = (checked, source)
    return tuple(item[0] for _, item in sorted(by_id.items()))
