"""Findings and the report of a run: immutable values that reporters turn into text."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from operator import attrgetter

from .context import effective
from .derived import derived_facts
from .fixes import FindingFix
from .policy import Policy

SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """The workload (and unit) a finding is about."""

    format: str
    kind: str
    name: str
    namespace: str | None = None
    unit: str | None = None

    def describe(self) -> str:
        where = f"{self.kind}/{self.name}" if not self.namespace else f"{self.kind}/{self.namespace}/{self.name}"
        return f"{where} {self.unit}" if self.unit and self.unit != self.name else where


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    """One located result; sorts by file, line, column and policy id."""

    file: str
    line: int
    column: int
    policy: str
    name: str = field(compare=False)
    severity: str = field(compare=False)
    tradeoff: str = field(compare=False)
    message: str = field(compare=False)
    object: ObjectRef | None = field(default=None, compare=False)
    related: Mapping[str, tuple[str, ...]] = field(default_factory=dict, compare=False)
    unless: tuple[tuple[str, ...], ...] = field(default=(), compare=False)
    needs: tuple[str, ...] = field(default=(), compare=False)  # see ``Hit.needs``
    once: tuple[str, ...] = field(default=(), compare=False)  # see ``Hit.once``
    source_line: str = field(default="", compare=False)  # the text of the finding's line, for fingerprints
    rendered: str = field(default="", compare=False)  # the tool whose output was linted ("helm"), if any
    fix: FindingFix | None = field(default=None, compare=False)  # what --fix would change


# The order ``Finding`` sorts in (its compared fields), as a key: one C call per finding, not a Python
# ``__lt__`` per comparison.
FINDING_ORDER = attrgetter("file", "line", "column", "policy")


def finding_key(f: Finding) -> tuple[object, ...]:
    """What makes two findings the same one (two files' runs can produce it, e.g. through a Compose include)."""
    return (f.file, f.line, f.column, f.policy, f.message, f.object)


@dataclass(frozen=True, slots=True)
class Suppression:
    """A finding that was not reported, how (``comment``, ``annotation``, ``config``, ``baseline``) and why."""

    finding: Finding
    via: str
    justification: str = ""


@dataclass(frozen=True, slots=True)
class InternalError:
    """A policy or stage that failed on one input; the run went on without it."""

    file: str
    message: str
    policy: str | None = None


@dataclass(frozen=True, slots=True)
class WorkloadSummary:
    """A workload as the posture counts it (not role ``object``): where it is, its tier and isolation.

    ``files`` are the files its findings can be in (a Compose project's override and env files besides its own).
    """

    format: str
    kind: str
    name: str
    namespace: str | None
    file: str
    line: int
    column: int
    tier: str  # high | standard | low | unset (not set, or not a known value)
    isolation: str  # container | sandbox | vm
    runtime: str | None = None
    files: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FileResult:
    """What linting one file produced."""

    file: str
    findings: tuple[Finding, ...] = ()
    errors: tuple[InternalError, ...] = ()
    suppressed: int = 0
    documents: int = 0
    workloads: int = 0
    linted: bool = True
    facts: frozenset[tuple[str, ...]] = frozenset()
    suppressions: tuple[Suppression, ...] = ()
    inventory: tuple[WorkloadSummary, ...] = ()
    excerpts: Mapping[str, Mapping[int, str]] = field(default_factory=dict)  # file -> line -> text near findings
    unvalidated: int = 0  # Kubernetes objects without a schema (custom resources nobody described)
    # (format, file, kind, namespace, name) of each workload: a Compose service merged from a base and an
    # override file is linted with each of them, and counted once.
    workload_keys: frozenset[tuple[str, ...]] = frozenset()

    @classmethod
    def merged(cls, file: str, parts: list[tuple[FileResult, str]]) -> FileResult:
        """One result for a rendered stream from its documents' results, findings marked with the tool."""

        def mark(finding: Finding, tool: str) -> Finding:
            return replace(finding, rendered=tool) if tool else finding

        return cls(
            file,
            findings=tuple(mark(f, tool) for r, tool in parts for f in r.findings),
            errors=tuple(e for r, _ in parts for e in r.errors),
            suppressed=sum(r.suppressed for r, _ in parts),
            documents=sum(r.documents for r, _ in parts),
            workloads=sum(r.workloads for r, _ in parts),
            linted=any(r.linted for r, _ in parts),
            facts=frozenset().union(*(r.facts for r, _ in parts)),
            suppressions=tuple(replace(s, finding=mark(s.finding, tool)) for r, tool in parts for s in r.suppressions),
            inventory=tuple(w for r, _ in parts for w in r.inventory),
            unvalidated=sum(r.unvalidated for r, _ in parts),
            workload_keys=frozenset().union(*(r.workload_keys for r, _ in parts)),
            excerpts={file: lines for r, _ in parts for file, lines in r.excerpts.items()},
        )


@dataclass(frozen=True, slots=True)
class Summary:
    files: int = 0
    skipped: int = 0
    documents: int = 0
    workloads: int = 0
    findings: int = 0
    suppressed: int = 0
    unvalidated: int = 0


@dataclass(frozen=True, slots=True)
class Report:
    """The result of a run: sorted findings, internal errors and counts."""

    findings: tuple[Finding, ...]
    errors: tuple[InternalError, ...]
    summary: Summary
    suppressions: tuple[Suppression, ...] = ()  # counted in ``summary.suppressed``
    policies: tuple[Policy, ...] = ()  # the run's catalog, for reporters that describe rules
    inventory: tuple[WorkloadSummary, ...] = ()  # every file's workloads, for the posture (linter.posture)
    minimum_isolation: Mapping[str, str] = field(default_factory=dict)  # tier -> least isolation (VM101's options)
    excerpts: Mapping[str, Mapping[int, str]] = field(default_factory=dict)  # file -> line -> text near findings
    notes: tuple[str, ...] = ()  # what the run did not lint and why (charts not rendered), for the summary

    @classmethod
    def from_results(
        cls,
        results: list[FileResult],
        policies: tuple[Policy, ...] = (),
        minimum_isolation: Mapping[str, str] | None = None,
        notes: tuple[str, ...] = (),
    ) -> Report:
        """Merge per-file results; withdraw findings whose ``unless`` facts some file provides, and complete or
        withdraw those that ``need`` a fact.

        A finding two files' runs both produce (a Compose file included by another that is linted too, or
        an include cycle) is reported once.
        """
        facts = effective(frozenset().union(*(result.facts for result in results)))
        facts |= derived_facts(facts)
        owner: dict[tuple[object, ...], int] = {}  # a finding -> the first result that produced it
        kept: list[Finding] = []
        for index, result in enumerate(results):
            for f in result.findings:
                if f.unless and not facts.isdisjoint(f.unless):
                    continue
                if owner.setdefault(finding_key(f), index) == index:
                    kept.append(f)
        details = _details({f.needs for f in kept if f.needs and f.needs not in facts}, facts)
        completed = (f for f in (_completed(f, facts, details) for f in kept) if f is not None)
        findings = _first_of_each(sorted(completed, key=FINDING_ORDER))
        errors = tuple(e for result in results for e in result.errors)
        summary = Summary(
            files=sum(1 for r in results if r.linted),
            skipped=sum(1 for r in results if not r.linted),
            documents=sum(r.documents for r in results),
            workloads=len(frozenset().union(*(r.workload_keys for r in results))),
            findings=len(findings),
            suppressed=sum(r.suppressed for r in results),
            unvalidated=sum(r.unvalidated for r in results),
        )
        suppressions = tuple(sorted((s for r in results for s in r.suppressions), key=lambda s: s.finding))
        inventory = tuple(w for r in results for w in r.inventory)
        excerpts: dict[str, dict[int, str]] = {}
        for r in results:
            for file, lines in r.excerpts.items():
                excerpts.setdefault(file, {}).update(lines)
        minimum = dict(minimum_isolation or {})
        return cls(findings, errors, summary, suppressions, policies, inventory, minimum, excerpts, notes)

    def fails(self, fail_on: str) -> bool:
        """True when any finding is at or above ``fail_on`` (``never`` never fails)."""
        if fail_on == "never":
            return False
        threshold = SEVERITY_RANK[fail_on]
        return any(SEVERITY_RANK.get(f.severity, 2) >= threshold for f in self.findings)


def _details(needed: set[tuple[str, ...]], facts: frozenset[tuple[str, ...]]) -> dict[tuple[str, ...], list[str]]:
    """For each needed fact, the last parts of the provided facts that extend it by one part (sorted)."""
    out: dict[tuple[str, ...], list[str]] = {}
    if needed:
        for fact in facts:
            if fact[:-1] in needed:
                out.setdefault(fact[:-1], []).append(fact[-1])
    return {key: sorted(values) for key, values in out.items()}


def _completed(
    finding: Finding, facts: frozenset[tuple[str, ...]], details: dict[tuple[str, ...], list[str]]
) -> Finding | None:
    """A finding that ``needs`` a fact: kept when the run provides it, else when it provides facts of one more
    part after it, ``{}`` in its message becoming the first of those parts that names the finding's own file
    (else the first, sorted) and how many more there are; None otherwise."""
    if not finding.needs or finding.needs in facts:
        return finding
    found = details.get(finding.needs)
    if not found:
        return None
    own = [detail for detail in found if f"({finding.file}:" in detail]  # the finding's own file first
    chosen = own or found
    more = f" (and {len(chosen) - 1} more)" if len(chosen) > 1 else ""
    return replace(finding, message=finding.message.replace("{}", chosen[0] + more))


def _first_of_each(findings: list[Finding]) -> tuple[Finding, ...]:
    """The sorted findings without the later ones of a policy that share a ``once`` key."""
    seen: set[tuple[str, ...]] = set()
    out = []
    for finding in findings:
        if finding.once:
            key = (finding.policy, *finding.once)
            if key in seen:
                continue
            seen.add(key)
        out.append(finding)
    return tuple(out)
