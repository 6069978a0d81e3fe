"""RBAC: what a Role's rules allow, and the facts that join workloads, bindings and roles across the run.

Three kinds of fact (built in ``vmlint.facts.rbac``, joined once per run by ``derived_facts``):

- ``role_power(scope, kind, name, power)``: a Role (``scope`` its namespace) or ClusterRole (``scope`` "") in the
  run grants ``power`` (one of ``POWERS``); the built-in ClusterRoles cluster-admin, admin and edit need no
  definition in the run;
- ``account_bound(namespace, account, role_scope, role_kind, role_name, binding)``: a RoleBinding or
  ClusterRoleBinding binds the ServiceAccount to that role; ``binding`` says which and where (``file:line``);
- ``account_powers(namespace, account)`` is the prefix of the derived facts, one per binding of a powerful role,
  ending in a sentence naming the binding, its file and line, the role and what it can do.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from fnmatch import fnmatchcase
from typing import Any

DEFAULT_NAMESPACE = "default"
CLUSTER = ""
READ_VERBS = ("get", "list", "watch")
POWERS = {
    "read-secrets": "read Secrets",
    "create-pods": "create pods or workloads",
    "escalate": "escalate, bind or impersonate",
}
# Resources whose creation runs a pod of the creator's choosing, by API group.
WORKLOAD_RESOURCES: dict[str, tuple[str, ...]] = {
    "": ("pods", "replicationcontrollers"),
    "apps": ("deployments", "replicasets", "statefulsets", "daemonsets"),
    "extensions": ("deployments", "replicasets", "daemonsets"),
    "batch": ("jobs", "cronjobs"),
}
ESCALATING_VERBS = ("escalate", "bind", "impersonate")
EXEC_RESOURCES = ("pods/exec", "pods/attach", "pods/portforward")
# Built-in ClusterRoles (Kubernetes's user-facing roles) and what they grant.
BUILT_IN_POWERS: dict[str, tuple[str, ...]] = {
    "cluster-admin": ("read-secrets", "create-pods", "escalate"),
    "admin": ("read-secrets", "create-pods"),
    "edit": ("read-secrets", "create-pods"),
}
ANONYMOUS_SUBJECTS = ("system:anonymous", "system:unauthenticated", "system:authenticated")


def strings(value: Any) -> list[str]:
    """The strings of a rule field (a list; anything else grants nothing)."""
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def matches(patterns: Iterable[str], *values: str) -> bool:
    """Some pattern matches some value; ``*`` (and, as KICS reads them, other glob patterns) match as globs."""
    for pattern in patterns:
        if pattern == "*" or pattern in values:
            return True
        if any(char in pattern for char in "*?[") and any(fnmatchcase(value, pattern) for value in values):
            return True
    return False


def allows(rule: Mapping[str, Any], groups: Sequence[str], resources: Sequence[str], verbs: Sequence[str]) -> bool:
    """The rule grants one of ``verbs`` on one of ``resources`` in one of ``groups``."""
    return (
        matches(strings(rule.get("apiGroups")), *groups)
        and matches(strings(rule.get("resources")), *resources)
        and matches(strings(rule.get("verbs")), *verbs)
    )


def reads_secrets(rule: Mapping[str, Any]) -> bool:
    return allows(rule, ("",), ("secrets",), READ_VERBS)


def creates_pods(rule: Mapping[str, Any]) -> bool:
    return any(allows(rule, (group,), names, ("create",)) for group, names in WORKLOAD_RESOURCES.items())


def escalates(rule: Mapping[str, Any]) -> bool:
    return matches(strings(rule.get("verbs")), *ESCALATING_VERBS)


def rule_powers(rule: Mapping[str, Any]) -> Iterator[str]:
    """The powers of ``POWERS`` one rule grants."""
    if reads_secrets(rule):
        yield "read-secrets"
    if creates_pods(rule):
        yield "create-pods"
    if escalates(rule):
        yield "escalate"


def rules(obj: Mapping[str, Any]) -> list[tuple[int, Mapping[str, Any]]]:
    """A Role's or ClusterRole's rules with their index (aggregated ClusterRoles list none of their own)."""
    found = obj.get("rules")
    return [(i, rule) for i, rule in enumerate(found) if isinstance(rule, dict)] if isinstance(found, list) else []


def role_power(scope: str, kind: str, name: str, power: str) -> tuple[str, ...]:
    """The fact that Role ``scope/name`` (ClusterRole: ``scope`` "") grants ``power``."""
    return ("role-power", scope, kind, name, power)


def account_bound(
    namespace: str | None, account: str, role_scope: str, role_kind: str, role_name: str, binding: str
) -> tuple[str, ...]:
    """The fact that ``binding`` (a sentence with its file and line) binds the ServiceAccount to a role."""
    return ("account-bound", namespace or DEFAULT_NAMESPACE, account, role_scope, role_kind, role_name, binding)


def account_powers(namespace: str | None, account: str) -> tuple[str, ...]:
    """The prefix of the derived facts that a ServiceAccount is bound to a powerful role."""
    return ("account-powers", namespace or DEFAULT_NAMESPACE, account)


def derived_facts(facts: Iterable[tuple[str, ...]]) -> set[tuple[str, ...]]:
    """``account_powers`` facts: each binding of a ServiceAccount joined with the powers of its role."""
    powers: dict[tuple[str, str, str], set[str]] = {}
    bound = []
    for fact in facts:
        if fact[:1] == ("role-power",) and len(fact) == 5:
            powers.setdefault((fact[1], fact[2], fact[3]), set()).add(fact[4])
        elif fact[:1] == ("account-bound",) and len(fact) == 7:
            bound.append(fact)
    out = set()
    for _, namespace, account, scope, kind, name, binding in bound:
        granted = set(powers.get((scope, kind, name), ()))
        if kind == "ClusterRole":
            granted.update(BUILT_IN_POWERS.get(name, ()))
        if granted:
            can = ", ".join(POWERS[p] for p in POWERS if p in granted)
            out.add((*account_powers(namespace, account), f"{binding} to {kind} {name}, which can {can}"))
    return out
