"""``vmlint export-vap``: a rule that reads only ``object`` and ``params`` as a ValidatingAdmissionPolicy.

The policy matches the rule's kinds on create and update (any group and version: a kind names the
resource), its namespaces through ``kubernetes.io/metadata.name`` and its label selector as an object
selector; inline ``params`` become a ConfigMap the binding references; the rule's severity becomes the
binding's action (error: Deny, warning: Warn, info: Audit).
"""

from __future__ import annotations

import re
from typing import Any

from ..rules.fieldpath import render
from ..rules.model import Rule
from .match import NAMESPACE_NAME_LABEL, resource_name

EXPORTABLE = frozenset({"object", "params", "variables"})
ACTIONS = {"error": "Deny", "warning": "Warn", "info": "Audit"}


class ExportRefused(Exception):
    """The rule needs something a cluster's admission control does not have."""


def export(rule: Rule) -> list[dict[str, Any]]:
    """The policy, its binding and (for inline params) the ConfigMap, as manifests."""
    extra = sorted(rule.reads() - EXPORTABLE)
    if extra:
        raise ExportRefused(f"it reads {', '.join(extra)}, which only vmlint has (a VAP sees object and params)")
    match = rule.match
    if match.formats and "kubernetes" not in match.formats:
        raise ExportRefused("it does not match Kubernetes manifests")
    if match.tiers or match.isolation:
        raise ExportRefused("it matches on tiers or isolation, which are facts of vmlint's workload model")
    if any(v.field_path_expression is not None for v in rule.validations):
        raise ExportRefused("fieldPathExpression is a vmlint extension a VAP does not have")
    name = rule.name
    constraints: dict[str, Any] = {
        "resourceRules": [
            {
                "apiGroups": ["*"],
                "apiVersions": ["*"],
                "operations": ["CREATE", "UPDATE"],
                "resources": sorted({resource_name(kind) for kind in match.kinds}) or ["*"],
            }
        ]
    }
    if match.namespaces:
        constraints["namespaceSelector"] = {
            "matchExpressions": [{"key": NAMESPACE_NAME_LABEL, "operator": "In", "values": sorted(match.namespaces)}]
        }
    if match.labels is not None:
        selector: dict[str, Any] = {}
        if match.labels.match_labels:
            selector["matchLabels"] = dict(match.labels.match_labels)
        if match.labels.match_expressions:
            selector["matchExpressions"] = [
                {"key": k, "operator": o, **({"values": list(v)} if v else {})}
                for k, o, v in match.labels.match_expressions
            ]
        constraints["objectSelector"] = selector
    spec: dict[str, Any] = {"failurePolicy": "Fail", "matchConstraints": constraints}
    documents: list[dict[str, Any]] = []
    binding_spec: dict[str, Any] = {"policyName": name, "validationActions": [ACTIONS[rule.severity]]}
    if rule.params:
        if not all(isinstance(v, str) for v in rule.params.values()):
            raise ExportRefused("inline params become a ConfigMap, whose data values must all be strings")
        spec["paramKind"] = {"apiVersion": "v1", "kind": "ConfigMap"}
        binding_spec["paramRef"] = {"name": f"{name}-params", "namespace": "default", "parameterNotFoundAction": "Deny"}
        documents.append(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": f"{name}-params", "namespace": "default"},
                "data": dict(rule.params),
            }
        )
    text = _config_map_params if rule.params else _same
    if rule.variables:
        spec["variables"] = [{"name": n, "expression": text(p.text)} for n, p in rule.variables]
    validations = []
    for v in rule.validations:
        item: dict[str, Any] = {"expression": text(v.expression.text)}
        if v.message:
            item["message"] = v.message
        if v.message_expression is not None:
            item["messageExpression"] = text(v.message_expression.text)
        if v.field_path:
            item["fieldPath"] = render(v.field_path)
        if v.reason:
            item["reason"] = v.reason
        validations.append(item)
    spec["validations"] = validations
    policy = {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingAdmissionPolicy",
        "metadata": {"name": name, "annotations": {"vmlint.io/rule": rule.id}},
        "spec": spec,
    }
    binding = {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingAdmissionPolicyBinding",
        "metadata": {"name": f"{name}-binding"},
        "spec": binding_spec,
    }
    return [policy, binding, *documents]


_PARAMS = re.compile(r"""("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|\bparams\.""")


def _same(text: str) -> str:
    return text


def _config_map_params(text: str) -> str:
    """``params.x`` -> ``params.data.x`` outside string literals (a ConfigMap keeps values under data)."""
    return _PARAMS.sub(lambda m: m.group(1) or "params.data.", text)
