"""ValidatingAdmissionPolicies as ``Policy`` values with ids ``VAP/<name>``, run on the linted objects.

Each object is judged as a create request: the policy's ``matchConstraints`` and each binding's
``matchResources`` (namespace selectors against the Namespace object of the run, or the
``kubernetes.io/metadata.name`` label the API server always sets), ``matchConditions``, then the
validations with ``variables`` and ``params``.  ``validationActions`` give the severity (Deny: error,
Warn: warning, Audit: info; the most severe of a policy's bindings).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from functools import partial
from typing import Any

from ..model import Workload
from ..policy import Hit, Policy, Settings
from ..rules.cel import EvalError
from ..rules.evaluate import EVALUATION_ERROR, Bindings, RunContext, evaluate, run
from .load import ACTION_SEVERITY, AdmissionPolicy, AdmissionSet, Binding
from .match import CLUSTER_SCOPED, NAMESPACE_NAME_LABEL, group_version, resource_name

PARAMS_NOT_FOUND = "VM023"
FORMATS = frozenset({"kubernetes", "kubevirt"})
_RANK = {"info": 0, "warning": 1, "error": 2}


def _meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    meta = obj.get("metadata")
    return meta if isinstance(meta, Mapping) else {}


def _namespace(obj: Mapping[str, Any]) -> str | None:
    if obj.get("kind") in CLUSTER_SCOPED:
        return None
    return str(_meta(obj).get("namespace") or "default")


def _namespace_object(name: str | None, objects: list[Any]) -> dict[str, Any] | None:
    if name is None:
        return None
    for candidate in objects:
        if candidate.get("kind") == "Namespace" and _meta(candidate).get("name") == name:
            labels = dict(_meta(candidate).get("labels") or {})
            labels.setdefault(NAMESPACE_NAME_LABEL, name)
            return {**candidate, "metadata": {**_meta(candidate), "labels": labels}}
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": {NAMESPACE_NAME_LABEL: name}}}


def _request(obj: Mapping[str, Any], namespace: str | None) -> dict[str, Any]:
    kind = str(obj.get("kind", ""))
    group, version = group_version(str(obj.get("apiVersion", "")))
    return {
        "operation": "CREATE",
        "kind": {"group": group, "version": version, "kind": kind},
        "resource": {"group": group, "version": version, "resource": resource_name(kind)},
        "subResource": "",
        "name": str(_meta(obj).get("name", "")),
        "namespace": namespace or "",
        "userInfo": {"username": "", "groups": []},
        "dryRun": False,
        "object": obj,
        "oldObject": None,
    }


def _params(
    policy: AdmissionPolicy, binding: Binding, namespace: str | None, pool: list[Any], objects: list[Any]
) -> list[Any]:
    assert policy.param_kind is not None
    api_version, kind = policy.param_kind
    found = []
    for candidate in (*pool, *objects):
        if candidate.get("kind") != kind or candidate.get("apiVersion") != api_version:
            continue
        meta = _meta(candidate)
        if binding.param_name is not None and meta.get("name") != binding.param_name:
            continue
        wanted = binding.param_namespace or namespace
        if meta.get("namespace") is not None and wanted is not None and meta.get("namespace") != wanted:
            continue
        labels = meta.get("labels") if isinstance(meta.get("labels"), Mapping) else {}
        if binding.param_selector is not None and not binding.param_selector.matches(labels or {}):
            continue
        if candidate not in found:
            found.append(candidate)
    return found


def check_admission(
    policy: AdmissionPolicy,
    bindings: tuple[Binding, ...],
    pool: list[Any],
    context: RunContext,
    workload: Workload,
    settings: Settings,
) -> Iterator[Hit]:
    """The policy's hits on one Kubernetes object, once per binding that selects it; ``context`` holds the
    run's documents (params, Namespaces)."""
    current = context.subject(workload)
    obj = current.object
    if not isinstance(obj, dict) or "kind" not in obj:
        return
    namespace = _namespace(obj)
    namespace_object = _namespace_object(namespace, context.objects)
    namespace_labels = (namespace_object or {}).get("metadata", {}).get("labels") if namespace_object else None
    if not policy.match.matches(obj, namespace_labels):
        return
    sizes = current.sizes
    base = {
        "object": obj,
        "oldObject": None,
        "request": _request(obj, namespace),
        "namespaceObject": namespace_object,
        "authorizer": None,
    }
    seen: set[tuple[Any, ...]] = set()
    for binding in bindings or (None,):
        if binding is not None and not binding.match.matches(obj, namespace_labels):
            continue
        params_list: list[Any] = [None]
        if policy.param_kind is not None:
            params_list = (
                _params(policy, binding, namespace, pool, context.objects)
                if binding is not None and binding.uses_params
                else []
            )
            if not params_list:
                if binding is None or binding.deny_without_params:
                    name = binding.name if binding is not None else "no binding"
                    message = (
                        f"VAP/{policy.name}: no {policy.param_kind[1]} params found for {name} "
                        "among the linted and admission-policy files; the API server would deny the request"
                    )
                    yield Hit((), message, policy=PARAMS_NOT_FOUND)
                continue
        for params in params_list:
            bound = Bindings({**base, "params": params}, sizes)
            if not _conditions_hold(policy, bound):
                continue
            for hit in evaluate(f"VAP/{policy.name}", bound, policy.variables, policy.validations):
                key = (hit.path, hit.message, hit.policy)
                if key not in seen:
                    seen.add(key)
                    yield hit


def _conditions_hold(policy: AdmissionPolicy, bindings: Bindings) -> bool:
    """All matchConditions true; one that reads ``authorizer`` (reported as VM022) or fails does not hold."""
    for _, program, _ in policy.conditions:
        if "authorizer" in program.reads:
            return False
        value = run(program, bindings)
        if isinstance(value, EvalError) or value is not True:
            return False
    return True


def admission_policies(found: AdmissionSet, context: RunContext) -> tuple[Policy, ...]:
    """One policy per ValidatingAdmissionPolicy; ``context`` is what the run's prepare hook gathers for them."""
    out = []
    for policy in found.policies:
        bindings = tuple(b for b in found.bindings if b.policy == policy.name)
        severities = [ACTION_SEVERITY[a] for b in bindings for a in b.actions] or ["error"]
        severity = max(severities, key=lambda s: _RANK[s])
        runnable = tuple(v for v in policy.validations if "authorizer" not in v.expression.reads)
        usable = replace(policy, validations=runnable)
        out.append(
            Policy(
                id=f"VAP/{policy.name}",
                name=policy.name,
                tradeoff="security",
                severity=severity,  # type: ignore[arg-type]
                summary=f"ValidatingAdmissionPolicy {policy.name}, evaluated offline.",
                rationale="The cluster's admission policy would reject or warn about this object when it is applied.",
                remediation="Change the object so that the policy's validations hold.",
                check=partial(check_admission, usable, bindings, found.params, context),
                formats=FORMATS,
                notes=f"From {policy.where}.",
                source=policy.where.file,
                objects=True,  # an admission policy judges any object it matches
            )
        )
    return tuple(out)


__all__ = ["EVALUATION_ERROR", "admission_policies"]
