"""Running policies: every applicable active policy on every workload, hits located as findings."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from .findings import Finding, InternalError, ObjectRef
from .fix.resolve import resolve
from .formats import Problem
from .model import Workload
from .policy import Hit, Policy, Settings
from .source import SourceLines, get, locate

_UNSET = object()


@dataclass(frozen=True, slots=True)
class ActivePolicy:
    """A policy as this run applies it: effective severity and options."""

    policy: Policy
    severity: str
    settings: Settings


class Checks:
    """The run's active checks, grouped once per (format, kind, plain object or not) of workload they apply to."""

    def __init__(self, actives: Iterable[ActivePolicy]) -> None:
        self.actives = tuple(a for a in actives if a.policy.check is not None)
        self.by_shape: dict[tuple[str, str, bool], tuple[ActivePolicy, ...]] = {}

    def applicable(self, workload: Workload) -> tuple[ActivePolicy, ...]:
        """The checks for the workload's format; for policies that declare kinds, its kind; for the others, a
        plain object only if they judge objects (most are about pods, services and VMs: a Service has no units)."""
        plain = workload.role == "object"
        key = (workload.format, workload.kind, plain)
        found = self.by_shape.get(key)
        if found is None:
            found = tuple(a for a in self.actives if _applies(a.policy, workload.format, workload.kind, plain))
            self.by_shape[key] = found
        return found


def _applies(policy: Policy, format_: str, kind: str, plain: bool) -> bool:
    if format_ not in policy.formats:
        return False
    if policy.kinds:
        return kind in policy.kinds
    return policy.objects or not plain


def run_policies(
    workloads: Iterable[Workload],
    checks: Checks | Sequence[ActivePolicy],
    by_id: Mapping[str, ActivePolicy],
    lines: SourceLines,
    display: str,
    *,
    partial: bool = False,
    fixes: bool = False,
) -> tuple[Iterator[tuple[Finding, Workload]], list[InternalError]]:
    """Each finding with the workload it is about, and the policies that failed (the others still run).

    The findings come lazily, and the error list fills as they are taken: a consumer that stops at the
    findings cap stops the policies too, so a file with a million hits never holds a million findings.
    ``partial``: the file is a patch (a Kustomize patch), judged only on the values it writes. A hit may name
    another active policy (``Hit.policy``: user rules evaluated in one batch); hits of inactive ones are dropped.
    ``fixes``: locate each finding's fix (the fix stage's input; a plain run does not need them).
    """
    grouped = checks if isinstance(checks, Checks) else Checks(checks)
    errors: list[InternalError] = []

    def found() -> Iterator[tuple[Finding, Workload]]:
        for workload in workloads:
            refs: dict[str | None, ObjectRef] = {}  # the workload's findings share one per unit
            for active in grouped.applicable(workload):
                check = active.policy.check
                assert check is not None
                try:
                    for hit in check(workload, active.settings):
                        owner = by_id.get(hit.policy) if hit.policy else active
                        if owner is not None and (not partial or written(workload, hit)):
                            ref = refs.get(hit.unit)
                            if ref is None:
                                ref = refs[hit.unit] = object_ref(workload, hit.unit)
                            yield hit_finding(workload, owner, hit, lines, fixes, ref), workload
                except Exception as error:  # one failing policy must not stop the others
                    what = f"{workload.kind}/{workload.name}"
                    message = f"{active.policy.id} failed on {what}: {type(error).__name__}: {error}"
                    errors.append(InternalError(display, message, active.policy.id))

    return found(), errors


def written(workload: Workload, hit: Hit) -> bool:
    """Whether a hit is on a value the document writes (a hit located at a key points at something missing)."""
    return not hit.key and get(workload.document, workload.path + hit.path, _UNSET) is not _UNSET


def object_ref(workload: Workload, unit: str | None) -> ObjectRef:
    """What a finding on ``unit`` of ``workload`` is about."""
    return ObjectRef(workload.format, workload.kind, workload.name, workload.namespace, unit)


def hit_finding(
    workload: Workload, active: ActivePolicy, hit: Hit, lines: SourceLines, fixes: bool, ref: ObjectRef
) -> Finding:
    """A hit's path under the workload, located in its document; its fix located in the file that wrote it.

    ``ref``: the finding's object (the workload's findings share one per unit)."""
    position = locate(workload.document, workload.path + hit.path, workload.file, key=hit.key)
    fix = (hit.fix or active.policy.fix) if fixes else None
    return Finding(
        file=position.file,
        line=position.line,
        column=position.column,
        policy=active.policy.id,
        name=active.policy.name,
        severity=hit.severity or active.severity,
        tradeoff=active.policy.tradeoff,
        message=hit.message,
        object=ref,
        related=active.policy.related,
        unless=hit.unless,
        needs=hit.needs,
        once=hit.once,
        source_line=lines.get(position.file, position.line),
        fix=resolve(workload.document, workload.path + hit.path, workload.file, fix) if fix else None,
    )


def problem_finding(
    problem: Problem, by_id: Mapping[str, ActivePolicy], lines: SourceLines | None = None
) -> Finding | None:
    """An input problem as a finding of its input-error policy; None when that policy is disabled."""
    active = by_id.get(problem.code)
    if active is None:
        return None
    return Finding(
        file=problem.position.file,
        line=problem.position.line,
        column=problem.position.column,
        policy=problem.code,
        name=active.policy.name,
        severity=active.severity,
        tradeoff=active.policy.tradeoff,
        message=problem.message,
        source_line=lines.get(problem.position.file, problem.position.line) if lines else "",
    )
