"""The policies for user rules and admission policies that cannot be judged on an object (VM020-VM029).

Like the input-error policies they have no check function: the rule evaluator reports them.
"""

from __future__ import annotations

from .policy import Policy, engine_policy

RULE_ERROR_POLICIES: tuple[Policy, ...] = (
    engine_policy(
        "VM020",
        "rule-evaluation-error",
        "error",
        "A user rule or admission policy failed on this object (no such key, wrong type).",
        "The object was not judged by the rule, so a violation may hide behind the error; the API server would "
        "also reject a request on which a policy with failurePolicy Fail errs.",
        "Guard the expression with has() or optional access (`object.?spec.?replicas.orValue(1)`), or fix the "
        "object; the message names the rule file and the expression.",
    ),
    engine_policy(
        "VM021",
        "rule-cost-exceeded",
        "error",
        "A user rule or admission policy would cost more than the evaluation budget on this object.",
        "CEL is bounded so that no rule can hold up a run: an expression whose estimated cost is over 10,000,000 "
        "steps is not evaluated, and evaluation stops after 10,000 comprehension iterations.",
        "Narrow the rule with `match` (kinds, namespaces), avoid nested comprehensions over `objects`, or split it.",
    ),
    engine_policy(
        "VM022",
        "admission-feature-unsupported",
        "warning",
        "An admission policy uses something offline evaluation cannot answer (e.g. `authorizer`).",
        "Authorization checks need the cluster's RBAC state; guessing would give wrong findings, so the expression "
        "is skipped and this finding says so instead of failing silently.",
        "Move authorization checks into a policy that only runs in the cluster, or accept that vmlint skips them.",
    ),
    engine_policy(
        "VM023",
        "admission-params-not-found",
        "error",
        "An admission policy's binding names params that none of the linted or admission-policy files define.",
        "With parameterNotFoundAction Deny (the default) the API server denies every matching request.",
        "Add the parameter object to the linted files or to an --admission-policy file, or fix the paramRef.",
    ),
)
