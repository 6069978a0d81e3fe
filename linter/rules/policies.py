"""Rules as ``Policy`` values, so the engine runs them like built-ins (suppression, baseline, reporters)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial

from ..model import Workload
from ..policy import ALL_FORMATS, Hit, Policy, Settings
from .batch import Batch
from .evaluate import SHAREABLE, evaluate, evaluate_shared, rule_bindings, subject
from .model import Rule


def matches(rule: Rule, workload: Workload) -> bool:
    """Whether the rule's ``match`` selects the workload."""
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


def check_rule(
    rule: Rule, reads: frozenset[str], batch: Batch | None, workload: Workload, settings: Settings
) -> Iterable[Hit]:
    """The rule's hits on one workload."""
    if batch is not None and rule.id in batch.ids:  # the batch matched and evaluated it with the others
        current = subject(workload)
        known = batch.results(current).get(rule.id)
        if known is None or all(result is True for result in known):
            return ()  # not matched, or every validation held: the common cases
        return list(evaluate_shared(_label(rule), current, rule.validations, known, batch.reads))
    if not matches(rule, workload):
        return ()
    if not rule.variables and reads <= SHAREABLE:
        return list(evaluate_shared(_label(rule), subject(workload), rule.validations))
    return evaluate(_label(rule), rule_bindings(reads, workload, rule.params), rule.variables, rule.validations)


def _label(rule: Rule) -> str:
    return f"rule {rule.id} ({rule.where.file})"


def rule_policies(rules: Sequence[Rule]) -> tuple[Policy, ...]:
    """The policies of a run's rules, the simple ones evaluated together (see ``batch``)."""
    batch = Batch(rules, matches)
    return tuple(rule_policy(rule, batch) for rule in rules)


def rule_policy(rule: Rule, batch: Batch | None = None) -> Policy:
    """The policy that runs ``rule``; its source is the rule file."""
    return Policy(
        id=rule.id,
        name=rule.name,
        tradeoff=rule.tradeoff,
        severity=rule.severity,  # type: ignore[arg-type]
        summary=rule.summary,
        rationale=rule.rationale or rule.summary,
        remediation=rule.remediation or "See the rule file.",
        check=partial(check_rule, rule, rule.reads(), batch),
        formats=rule.match.formats or ALL_FORMATS,
        related=rule.related,
        notes=f"User rule from {rule.where}.",
        source=rule.where.file,
        objects=True,  # a rule judges any object its match names
    )
