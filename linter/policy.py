"""Policies: metadata plus a pure check function, loaded from the ``vmlint.policies`` entry points.

Built-in and third-party packs are loaded the same way.  Nothing registers on import:
loading returns a value.  Set ``VMLINT_DISABLE_PLUGIN_AUTOLOAD=1`` to load only the
built-in pack.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from .fixes import APPLICABILITIES, Fix
from .model import Workload
from .schema.versions import NEWEST
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
    ``policy`` reports the hit under another policy's id (a user rule's evaluation error is VM020).
    ``fix`` (edits relative to ``path``) overrides the policy's own ``fix``.
    """

    path: Path
    message: str
    unit: str | None = None
    key: bool = False
    unless: tuple[Fact, ...] = ()
    needs: Fact = ()
    severity: Severity | None = None
    once: Fact = ()
    policy: str | None = None
    fix: Fix | None = None


@dataclass(frozen=True, slots=True)
class Option:
    """A typed policy option: its default fixes the type (str, int, bool, list of str); ``choices`` the allowed
    strings (of the value, or of each item of a list); ``minimum``/``maximum`` bound an integer (or a list's length).

    ``schema()`` is the JSON Schema of the values the configuration may give; the config schema is built from it.
    """

    default: Any
    description: str
    choices: tuple[str, ...] = ()
    minimum: int = 0
    maximum: int = 2**31 - 1

    def schema(self) -> dict[str, Any]:
        """The JSON Schema of the option's value."""
        default = self.default
        strings: dict[str, Any] = {"enum": list(self.choices)} if self.choices else {"type": "string"}
        if isinstance(default, bool):
            return {"type": "boolean"}
        if isinstance(default, int):
            return {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}
        if isinstance(default, str):
            return {**strings, "minLength": 1, "maxLength": 1024} if not self.choices else strings
        if isinstance(default, (list, tuple)):
            items = strings if self.choices else {**strings, "minLength": 1, "maxLength": 1024}
            return {"type": "array", "items": items, "maxItems": min(self.maximum, 10_000)}
        return {}

    def allowed(self) -> str:
        """What the option accepts, in words (for messages and docs)."""
        default = self.default
        if isinstance(default, bool):
            return "true or false"
        if isinstance(default, int):
            return f"an integer from {self.minimum} to {self.maximum}"
        if isinstance(default, (list, tuple)):
            return f"a list of {', '.join(self.choices)}" if self.choices else "a list of strings"
        if not self.choices:
            return "a non-empty string"
        return ", ".join(self.choices[:-1]) + f" or {self.choices[-1]}" if len(self.choices) > 1 else self.choices[0]


@dataclass(frozen=True, slots=True)
class Example:
    """A bad and a good snippet for one format, shown by ``vmlint explain``."""

    format: str
    bad: str
    good: str


@dataclass(frozen=True, slots=True)
class Settings:
    """What a check may read besides the workload: its options, resolved, and the target Kubernetes version."""

    options: Mapping[str, Any] = field(default_factory=dict)
    kubernetes_version: str = NEWEST

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
    # Without ``kinds``, whether the check also sees plain objects (role ``object``: Services, ConfigMaps, RBAC
    # ...); the model's own roles (service, job, vm, image-build) are what a policy over workloads is written for.
    objects: bool = False
    default_enabled: bool = True  # False: runs only when selected (by id, name, family or ALL)
    source: str = "builtin"  # builtin, a pack's distribution name, or a rule file
    fix: Fix | None = None  # how the policy fixes what it finds; its edits apply to hits without their own

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
    objects: bool = False,
    fix: Fix | None = None,
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
            objects=objects,
            fix=fix,
        )

    return wrap


ALL_FORMATS = frozenset({"kubernetes", "compose", "kubevirt", "packer", "libvirt", "cloud-init"})


def engine_policy(
    id: str,  # noqa: A002 - the metadata field is called id
    name: str,
    severity: Severity,
    summary: str,
    rationale: str,
    remediation: str,
    *,
    formats: frozenset[str] = ALL_FORMATS,
    examples: tuple[Example, ...] = (),
    notes: str = "",
    default_enabled: bool = True,
) -> Policy:
    """A policy the engine or one of its stages reports itself (family ``input``, no check function)."""
    return Policy(
        id=id,
        name=name,
        tradeoff="input",
        severity=severity,
        summary=summary,
        rationale=rationale,
        remediation=remediation,
        check=None,
        formats=formats,
        examples=examples,
        notes=notes,
        default_enabled=default_enabled,
    )


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
    for name, option in candidate.options.items():
        if not option.schema():
            problems.append(f"option {name}: default {option.default!r} is not a str, int, bool or list of str")
        elif option.choices and not set([option.default] if isinstance(option.default, str) else option.default) <= set(
            option.choices
        ):
            problems.append(f"option {name}: default {option.default!r} is not among its choices")
    if candidate.fix is not None and candidate.fix.applicability not in APPLICABILITIES:
        problems.append(f"fix applicability {candidate.fix.applicability!r} is not one of safe, unsafe")
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
            if entry_point.name != "builtin":
                dist = getattr(entry_point, "dist", None)
                checked = replace(checked, source=dist.name if dist is not None else entry_point.name)
            if checked.id in by_id:
                raise PolicyLoadError(f"{source}: duplicate policy id {checked.id} (also in {by_id[checked.id][1]})")
            by_id[checked.id] = (checked, source)
    return tuple(item[0] for _, item in sorted(by_id.items()))
