"""The posture of a run: every workload by security tier and isolation, findings by family and severity.

One model that the JSON ``posture`` section, the HTML page and ``vmlint check --posture`` draw from
(docs/decisions/0013-posture.md).  The engine records a small ``WorkloadSummary`` per workload and the
least isolation VM101's options ask per tier; ``of(report)`` computes the rest from the Report alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from .findings import Finding, Report, WorkloadSummary
from .model import Workload
from .policy import SEVERITIES, TRADEOFFS, Policy
from .source import Position, locate

TIERS = ("high", "standard", "low", "unset")
ISOLATIONS = ("container", "sandbox", "vm")
RANK = {isolation: rank for rank, isolation in enumerate(ISOLATIONS)}
MINIMUM_POLICY = "VM101"  # tier-isolation-mismatch: its options are the least isolation per tier
EXCERPT_RADIUS = 2  # lines shown before and after a finding's line
EXCERPT_LINES_PER_FILE = 50  # finding lines per file that get an excerpt
EXCERPT_WIDTH = 200  # characters kept of each excerpt line
# Policies whose findings sit on or beside a secret value: a file with one of them gets no excerpt at all.
REVEALING = frozenset({"VM601", "VM611", "VM612", "VM650"})


def summarise(workloads: Iterable[Workload], files: tuple[str, ...]) -> tuple[WorkloadSummary, ...]:
    """The posture's view of a file's workloads (objects left out); ``files`` are the files read for them."""
    out = []
    for workload in workloads:
        if workload.role == "object":
            continue
        where = _where(workload)
        tier = workload.tier.value if workload.tier.value in TIERS else "unset"
        out.append(
            WorkloadSummary(
                workload.format,
                workload.kind,
                workload.name,
                workload.namespace,
                where.file,
                where.line,
                where.column,
                str(tier),
                workload.isolation,
                workload.runtime.value,
                files,
            )
        )
    return tuple(out)


def _where(workload: Workload) -> Position:
    """A Compose service at its name, a Kubernetes object at ``metadata.name``, anything else where it starts."""
    if workload.format == "compose":
        return locate(workload.document, workload.pod_spec_path, workload.file, key=True)
    if workload.format in ("kubernetes", "kubevirt"):
        return locate(workload.document, (*workload.path, "metadata", "name"), workload.file)
    return locate(workload.document, workload.path, workload.file)


def excerpts(findings: Iterable[Finding], text_of: Mapping[str, str]) -> dict[str, dict[int, str]]:
    """The lines around findings' lines, per file: at most ``EXCERPT_LINES_PER_FILE`` finding lines a file;
    none (an empty mapping) for a file where a ``REVEALING`` policy found a secret."""
    wanted: dict[str, list[int]] = {}
    findings = list(findings)
    withheld = {f.file for f in findings if f.policy in REVEALING}
    for finding in findings:
        if finding.file in withheld:
            continue
        lines = wanted.setdefault(finding.file, [])
        if finding.line not in lines and len(lines) < EXCERPT_LINES_PER_FILE and finding.file in text_of:
            lines.append(finding.line)
    out: dict[str, dict[int, str]] = {file: {} for file in withheld}
    for file, numbers in wanted.items():
        if not numbers:
            continue
        text = text_of[file].splitlines()
        chosen = out.setdefault(file, {})
        for number in numbers:
            for line in range(max(number - EXCERPT_RADIUS, 1), min(number + EXCERPT_RADIUS, len(text)) + 1):
                chosen[line] = text[line - 1][:EXCERPT_WIDTH]
    return out


def excerpt(report: Report, finding: Finding) -> list[tuple[int, str]]:
    """The numbered lines around ``finding`` that the run kept; its own line alone when none were kept (nothing
    in a file whose excerpts were withheld)."""
    lines = report.excerpts.get(finding.file, {})
    if finding.file in report.excerpts and not lines:
        return []
    if finding.line not in lines:
        return [(finding.line, finding.source_line[:EXCERPT_WIDTH])] if finding.source_line else []
    start, end = finding.line - EXCERPT_RADIUS, finding.line + EXCERPT_RADIUS
    return [(n, lines[n]) for n in range(start, end + 1) if n in lines]


def minimum_isolation(policies: Iterable[Policy], options: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Least isolation per tier: VM101's defaults overridden by the configured options (unknown values left out)."""
    found = next((p for p in policies if p.id == MINIMUM_POLICY), None)
    if found is None:
        return {}
    merged = {**found.defaults(), **options.get(MINIMUM_POLICY, {})}
    return {tier: str(merged[tier]) for tier in TIERS if str(merged.get(tier)) in RANK}


@dataclass(frozen=True, slots=True)
class Counts:
    """Findings by severity."""

    error: int = 0
    warning: int = 0
    info: int = 0

    @property
    def total(self) -> int:
        return self.error + self.warning + self.info

    def as_dict(self) -> dict[str, int]:
        return {"error": self.error, "warning": self.warning, "info": self.info, "total": self.total}


def _counts(severities: Iterable[str]) -> Counts:
    tally = dict.fromkeys(SEVERITIES, 0)
    for severity in severities:
        tally[severity if severity in tally else "error"] += 1  # as Report.fails ranks an unknown severity
    return Counts(**tally)


@dataclass(frozen=True, slots=True)
class Cell:
    """One tier x isolation cell of the matrix."""

    tier: str
    isolation: str
    workloads: int
    findings: int
    below_minimum: bool  # isolation less than the configured least isolation for the tier


@dataclass(frozen=True, slots=True)
class WorkloadPosture:
    """A workload, whether it is below its tier's least isolation, and its findings by severity."""

    workload: WorkloadSummary
    below_minimum: bool
    findings: Counts


@dataclass(frozen=True, slots=True)
class Posture:
    """The run at a glance; ``owner[i]`` is the index in ``workloads`` of ``report.findings[i]``'s workload."""

    minimum_isolation: Mapping[str, str]
    cells: tuple[Cell, ...]  # tier-major, in TIERS x ISOLATIONS order
    families: Mapping[str, Counts]  # every family of TRADEOFFS, then any other a policy pack uses
    severities: Counts
    workloads: tuple[WorkloadPosture, ...]
    outside_workloads: int  # findings on no workload: input errors, Kubernetes objects beside workloads
    owner: tuple[int | None, ...]

    def cell(self, tier: str, isolation: str) -> Cell:
        return self.cells[TIERS.index(tier) * len(ISOLATIONS) + ISOLATIONS.index(isolation)]

    def as_dict(self) -> dict[str, Any]:
        """The JSON ``posture`` section (keys documented in README and ADR 0013)."""
        return {
            "minimum_isolation": dict(self.minimum_isolation),
            "matrix": {
                tier: {
                    isolation: {
                        "workloads": (c := self.cell(tier, isolation)).workloads,
                        "findings": c.findings,
                        "below_minimum": c.below_minimum,
                    }
                    for isolation in ISOLATIONS
                }
                for tier in TIERS
            },
            "findings": {
                "by_severity": {s: getattr(self.severities, s) for s in SEVERITIES},
                "by_family": {family: counts.as_dict() for family, counts in self.families.items()},
                "total": self.severities.total,
                "outside_workloads": self.outside_workloads,
            },
            "workloads": [
                {
                    "format": w.workload.format,
                    "kind": w.workload.kind,
                    "name": w.workload.name,
                    "namespace": w.workload.namespace,
                    "file": w.workload.file,
                    "line": w.workload.line,
                    "column": w.workload.column,
                    "tier": w.workload.tier,
                    "isolation": w.workload.isolation,
                    "runtime": w.workload.runtime,
                    "below_minimum": w.below_minimum,
                    "findings": w.findings.as_dict(),
                }
                for w in self.workloads
            ],
        }


def below(minimum: Mapping[str, str], tier: str, isolation: str) -> bool:
    """True when ``isolation`` is less than the least isolation configured for ``tier``."""
    required = minimum.get(tier)
    return required is not None and RANK.get(isolation, 0) < RANK[required]


def _unique(inventory: Sequence[WorkloadSummary]) -> list[WorkloadSummary]:
    """One entry per workload: a Compose project linted from its base and its override file is one workload."""
    seen: dict[tuple[Any, ...], int] = {}
    out: list[WorkloadSummary] = []
    for w in inventory:
        key = (w.file, w.line, w.column, w.format, w.kind, w.name, w.namespace)
        if key in seen:
            first = out[seen[key]]
            out[seen[key]] = replace(first, files=first.files + tuple(f for f in w.files if f not in first.files))
        else:
            seen[key] = len(out)
            out.append(w)
    return sorted(out, key=lambda w: (w.file, w.line, w.column, w.kind, w.name))


def of(report: Report) -> Posture:
    """The posture of ``report``: O(workloads + findings)."""
    minimum = report.minimum_isolation
    workloads = _unique(report.inventory)
    index: dict[tuple[str, str, str, str | None, str], int] = {}
    for i, w in enumerate(workloads):
        for file in w.files or (w.file,):
            index.setdefault((w.format, w.kind, w.name, w.namespace, file), i)
    owner: list[int | None] = []
    per_workload: list[list[str]] = [[] for _ in workloads]
    by_family: dict[str, list[str]] = {family: [] for family in TRADEOFFS}
    for f in report.findings:
        obj = f.object
        at = index.get((obj.format, obj.kind, obj.name, obj.namespace, f.file)) if obj else None
        owner.append(at)
        if at is not None:
            per_workload[at].append(f.severity)
        by_family.setdefault(f.tradeoff, []).append(f.severity)
    members = {(tier, isolation): 0 for tier in TIERS for isolation in ISOLATIONS}
    findings = dict(members)
    for i, w in enumerate(workloads):
        members[w.tier, w.isolation] += 1
        findings[w.tier, w.isolation] += len(per_workload[i])
    cells = [
        Cell(tier, isolation, members[tier, isolation], findings[tier, isolation], below(minimum, tier, isolation))
        for tier in TIERS
        for isolation in ISOLATIONS
    ]
    return Posture(
        minimum_isolation=dict(minimum),
        cells=tuple(cells),
        families={family: _counts(severities) for family, severities in by_family.items()},
        severities=_counts(f.severity for f in report.findings),
        workloads=tuple(
            WorkloadPosture(w, below(minimum, w.tier, w.isolation), _counts(per_workload[i]))
            for i, w in enumerate(workloads)
        ),
        outside_workloads=sum(1 for i in owner if i is None),
        owner=tuple(owner),
    )
