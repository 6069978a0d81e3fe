"""Compiled rules: what a rule file or a ValidatingAdmissionPolicy becomes once it is read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..source import Path
from .cel import Program


@dataclass(frozen=True, slots=True)
class Where:
    """A place in a rule file, for messages."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Validation:
    """One CEL check: it passes when ``expression`` is true."""

    expression: Program
    where: Where
    message: str | None = None
    message_expression: Program | None = None
    field_path: Path | None = None
    field_path_expression: Program | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Selector:
    """A Kubernetes label selector."""

    match_labels: Mapping[str, str] = field(default_factory=dict)
    match_expressions: tuple[tuple[str, str, tuple[str, ...]], ...] = ()

    def matches(self, labels: Mapping[str, Any]) -> bool:
        text = {str(k): str(v) for k, v in labels.items()} if isinstance(labels, Mapping) else {}
        if any(text.get(key) != value for key, value in self.match_labels.items()):
            return False
        for key, operator, values in self.match_expressions:
            present = key in text
            if operator == "In" and not (present and text[key] in values):
                return False
            if operator == "NotIn" and present and text[key] in values:
                return False
            if operator == "Exists" and not present:
                return False
            if operator == "DoesNotExist" and present:
                return False
        return True


def selector(data: Any) -> Selector | None:
    """A selector from its manifest form (None when absent)."""
    if not isinstance(data, Mapping):
        return None
    expressions = tuple(
        (str(e.get("key")), str(e.get("operator")), tuple(str(v) for v in e.get("values") or ()))
        for e in data.get("matchExpressions") or ()
        if isinstance(e, Mapping)
    )
    labels = data.get("matchLabels") or {}
    return Selector({str(k): str(v) for k, v in labels.items()} if isinstance(labels, Mapping) else {}, expressions)


@dataclass(frozen=True, slots=True)
class Match:
    """Which workloads a rule looks at (empty: all)."""

    formats: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    tiers: frozenset[str] = frozenset()
    isolation: frozenset[str] = frozenset()
    namespaces: frozenset[str] = frozenset()
    labels: Selector | None = None

    def dynamic(self) -> bool:
        """Whether it selects on more than the workload's format and kind."""
        return bool(self.tiers or self.isolation or self.namespaces or self.labels)


@dataclass(frozen=True, slots=True)
class Expectation:
    """A rule test: linting ``file`` gives exactly these (id, line) findings of the file's rules."""

    file: str
    expect: tuple[tuple[str, int], ...]
    where: Where


@dataclass(frozen=True, slots=True)
class Rule:
    """A user rule, compiled."""

    id: str
    name: str
    tradeoff: str
    severity: str
    summary: str
    rationale: str
    remediation: str
    related: Mapping[str, tuple[str, ...]]
    match: Match
    params: Any
    variables: tuple[tuple[str, Program], ...]
    validations: tuple[Validation, ...]
    tests: tuple[Expectation, ...]
    where: Where
    document: Any = None  # the rule as written (plain), for export-vap

    def reads(self) -> frozenset[str]:
        """Every variable any of its expressions reads."""
        programs = [p for _, p in self.variables]
        for v in self.validations:
            programs += [p for p in (v.expression, v.message_expression, v.field_path_expression) if p is not None]
        return frozenset().union(*(p.reads for p in programs))
