"""Facts from RBAC objects: what each Role grants and which ServiceAccounts each binding binds to which role."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..rbac_context import CLUSTER, account_bound, role_power, rule_powers, rules
from ..source import locate

RBAC_GROUP = "rbac.authorization.k8s.io/"


def rbac_facts(obj: dict[str, Any], file: str) -> Iterator[tuple[str, ...]]:
    """``role_power`` facts of a Role or ClusterRole, ``account_bound`` facts of a binding's ServiceAccounts."""
    api, kind = obj.get("apiVersion"), obj.get("kind")
    meta = obj.get("metadata")
    name = meta.get("name") if isinstance(meta, dict) else None
    if not isinstance(api, str) or not api.startswith(RBAC_GROUP) or not isinstance(name, str):
        return
    raw_namespace = meta.get("namespace") if isinstance(meta, dict) else None
    namespace = str(raw_namespace) if raw_namespace else None
    if kind in ("Role", "ClusterRole"):
        scope = CLUSTER if kind == "ClusterRole" else (namespace or "default")
        for power in sorted({p for _, rule in rules(obj) for p in rule_powers(rule)}):
            yield role_power(scope, kind, name, power)
    elif kind in ("RoleBinding", "ClusterRoleBinding"):
        ref = obj.get("roleRef")
        subjects = obj.get("subjects")
        if not isinstance(ref, dict) or not isinstance(subjects, list):
            return
        role_kind, role_name = ref.get("kind"), ref.get("name")
        if role_kind not in ("Role", "ClusterRole") or not isinstance(role_name, str):
            return
        scope = CLUSTER if role_kind == "ClusterRole" else (namespace or "default")
        for index, subject in enumerate(subjects):
            if not isinstance(subject, dict) or subject.get("kind") != "ServiceAccount":
                continue
            account = subject.get("name")
            if not isinstance(account, str):
                continue
            at = locate(obj, ("subjects", index), file)
            binding = f"{kind} {name} ({at.file}:{at.line}) binds it"
            account_namespace = subject.get("namespace") or namespace
            yield account_bound(
                str(account_namespace) if account_namespace else None,
                account,
                scope,
                str(role_kind),
                role_name,
                binding,
            )
