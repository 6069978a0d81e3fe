"""Rules as ``Policy`` values, so the engine runs them like built-ins (suppression, baseline, reporters)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from ..input_policies import ALL_FORMATS
from ..model import Workload
from ..policy import Hit, Policy, Settings
from .evaluate import SHAREABLE, evaluate, evaluate_shared, rule_bindings, subject
from .model import Rule


def _matches(rule: Rule, workload: Workload) -> bool:
    match = rule.match
    if match.kinds and workload.kind not in match.kinds:
        return False
    if match.tiers and (workload.tier.value or "unset") not in match.tiers:
        return False
    if match.isolation and workload.isolation not in match.isolation:
        return False
    if match.namespaces and (workload.namespace or "default") not in match.namespaces:
        return False
    return match.labels is None or match.labels.matches(workload.labels)


def check_rule(rule: Rule, reads: frozenset[str], workload: Workload, settings: Settings) -> Iterator[Hit]:
    """The rule's hits on one workload."""
    if not _matches(rule, workload):
        return
    label = f"rule {rule.id} ({rule.where.file})"
    if not rule.variables and reads <= SHAREABLE:
        yield from evaluate_shared(label, subject(workload), rule.validations)
    else:
        yield from evaluate(label, rule_bindings(reads, workload, rule.params), rule.variables, rule.validations)


def rule_policy(rule: Rule) -> Policy:
    """The policy that runs ``rule``; its source is the rule file."""
    return Policy(
        id=rule.id,
        name=rule.name,
        tradeoff=rule.tradeoff,
        severity=rule.severity,  # type: ignore[arg-type]
        summary=rule.summary,
        rationale=rule.rationale or rule.summary,
        remediation=rule.remediation or "See the rule file.",
        check=partial(check_rule, rule, rule.reads()),
        formats=rule.match.formats or ALL_FORMATS,
        related=rule.related,
        notes=f"User rule from {rule.where}.",
        source=rule.where.file,
    )
