"""Rules as ``Policy`` values, so the engine runs them like built-ins (suppression, baseline, reporters)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..model import Workload
from ..policy import ALL_FORMATS, Check, Hit, Policy, Settings
from .batch import Batch, label
from .evaluate import RunContext, evaluate, rule_bindings
from .model import Rule
from .needs import Plan, needs, plan


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


def check_alone(rule: Rule, batch: Batch, workload: Workload, objects: Plan | None = None) -> Iterable[Hit]:
    """The hits of a rule that is not simple (it defines variables, or reads ``objects`` or ``params``);
    ``objects``: what it reads of the run's documents."""
    if not matches(rule, workload):
        return ()
    context = batch.context
    bindings = rule_bindings(rule.reads(), context.subject(workload), rule.params, context, objects)
    return evaluate(label(rule), bindings, rule.variables, rule.validations)


def rule_policies(rules: Sequence[Rule], context: RunContext) -> tuple[Policy, ...]:
    """The policies of a run's rules, the simple ones evaluated together (see ``batch``); ``context`` is what
    the run's prepare hook gathers for them."""
    batch = Batch(rules, matches, context)
    return tuple(_policy(rule, batch) for rule in rules)


def _check(rule: Rule, batch: Batch) -> Check:
    """The rule's check: a simple rule reads what its batch found (as little work per call as can be, the engine
    calls it for every workload); the others are evaluated on their own."""
    if rule.id not in batch.ids:
        objects = _objects_plan(rule)
        return lambda workload, settings: check_alone(rule, batch, workload, objects)
    rule_id, hits = rule.id, batch.hits

    def check(workload: Workload, settings: Settings) -> Iterable[Hit]:
        return hits(workload).get(rule_id, ())

    return check


def _objects_plan(rule: Rule) -> Plan | None:
    """What the rule's expressions read of ``objects`` (None: it does not read them)."""
    if "objects" not in rule.reads():
        return None
    programs = [p for _, p in rule.variables]
    for v in rule.validations:
        programs += [p for p in (v.expression, v.message_expression, v.field_path_expression) if p is not None]
    read = needs([p.tree for p in programs], frozenset({"objects"}))
    return plan(read["objects"]) if "objects" in read else None


def _policy(rule: Rule, batch: Batch) -> Policy:
    """The policy that runs ``rule``; its source is the rule file."""
    return Policy(
        id=rule.id,
        name=rule.name,
        tradeoff=rule.tradeoff,
        severity=rule.severity,  # type: ignore[arg-type]
        summary=rule.summary,
        rationale=rule.rationale or rule.summary,
        remediation=rule.remediation or "See the rule file.",
        check=_check(rule, batch),
        formats=rule.match.formats or ALL_FORMATS,
        kinds=rule.match.kinds,
        related=rule.related,
        notes=f"User rule from {rule.where}.",
        source=rule.where.file,
        objects=True,  # a rule judges any object its match names
    )
