"""Reading ValidatingAdmissionPolicies, their bindings and parameter objects from the files named."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..rules.cel import Program
from ..rules.errors import RuleFileError
from ..rules.files import SourceDocument, compile_at, documents, expand, located
from ..rules.load import compile_validations, compile_variables, where
from ..rules.model import Selector as LabelSelector
from ..rules.model import Validation, Where, selector
from .match import MatchResources, match_resources

GROUP = "admissionregistration.k8s.io/"
VERSIONS = ("v1", "v1beta1", "v1alpha1")
POLICY_KIND, BINDING_KIND = "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"
VAP_VARIABLES = frozenset({"object", "oldObject", "request", "params", "namespaceObject", "authorizer", "variables"})
ACTION_SEVERITY = {"Deny": "error", "Warn": "warning", "Audit": "info"}


@dataclass(frozen=True, slots=True)
class Binding:
    """A ValidatingAdmissionPolicyBinding."""

    name: str
    policy: str
    actions: tuple[str, ...]
    match: MatchResources
    param_name: str | None
    param_namespace: str | None
    param_selector: LabelSelector | None
    deny_without_params: bool
    uses_params: bool
    where: Where


@dataclass(frozen=True, slots=True)
class AdmissionPolicy:
    """A ValidatingAdmissionPolicy, compiled."""

    name: str
    match: MatchResources
    param_kind: tuple[str, str] | None
    conditions: tuple[tuple[str, Program, Where], ...]
    variables: tuple[tuple[str, Program], ...]
    validations: tuple[Validation, ...]
    failure_policy: str
    where: Where
    unsupported: tuple[tuple[str, Where], ...]  # (what, where): expressions offline evaluation cannot answer
    document: Any = None


@dataclass(slots=True)
class AdmissionSet:
    """What the admission-policy files hold."""

    policies: list[AdmissionPolicy] = field(default_factory=list)
    bindings: list[Binding] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)  # other objects of these files, candidates for paramRef


def load_admission(paths: Iterable[str]) -> AdmissionSet:
    """Every policy, binding and other object in the files and folders named; ``RuleFileError`` on problems."""
    found = AdmissionSet()
    for file, _ in expand(paths):
        for document in documents(file):
            root = document.root
            if not isinstance(root, dict):
                raise located(document, (), "expected a Kubernetes object")
            api_version, kind = str(root.get("apiVersion", "")), root.get("kind")
            if kind in (POLICY_KIND, BINDING_KIND) and api_version not in tuple(GROUP + v for v in VERSIONS):
                raise located(document, ("apiVersion",), f"{kind} needs apiVersion {GROUP}v1")
            if kind == POLICY_KIND:
                found.policies.append(_policy(document))
            elif kind == BINDING_KIND:
                found.bindings.append(_binding(document))
            else:
                found.params.append(json.loads(json.dumps(root)))
    names = {p.name for p in found.policies}
    for binding in found.bindings:
        if binding.policy not in names:
            raise RuleFileError(
                binding.where.file,
                binding.where.line,
                binding.where.column,
                f"binding {binding.name!r} names policy {binding.policy!r}, which no --admission-policy file defines",
            )
    return found


def _require(document: SourceDocument, path: tuple[Any, ...], kind: type, what: str) -> Any:
    node: Any = document.root
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    if not isinstance(node, kind):
        raise located(
            document,
            path,
            f"{what} must be {'a mapping' if kind is dict else 'a list' if kind is list else 'a string'}",
        )
    return node


def _name(document: SourceDocument) -> str:
    name = _require(document, ("metadata", "name"), str, "metadata.name")
    return str(name)


def _policy(document: SourceDocument) -> AdmissionPolicy:
    spec = _require(document, ("spec",), dict, "spec")
    validations = _require(document, ("spec", "validations"), list, "spec.validations")
    for index, item in enumerate(validations):
        if not isinstance(item, dict) or not isinstance(item.get("expression"), str):
            raise located(document, ("spec", "validations", index), "a validation needs an expression (a string)")
    for key in ("variables", "matchConditions"):
        for index, item in enumerate(spec.get(key) or []):
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                raise located(document, ("spec", key, index), f"each of {key} needs a name and an expression")
    variables = compile_variables(document, ("spec", "variables"), VAP_VARIABLES)
    names = {name for name, _ in variables}
    conditions = []
    for index, item in enumerate(spec.get("matchConditions") or []):
        path = ("spec", "matchConditions", index, "expression")
        program = compile_at(document, path, VAP_VARIABLES, f"matchCondition {item['name']!r}", boolean=True)
        if "variables" in program.reads:
            raise located(document, path, "a matchCondition cannot read variables")
        conditions.append((str(item["name"]), program, where(document, path)))
    compiled = compile_validations(document, ("spec", "validations"), VAP_VARIABLES, names)
    unsupported = [
        (f"variable {name!r}", where(document, ("spec", "variables", i, "expression")))
        for i, (name, p) in enumerate(variables)
        if "authorizer" in p.reads
    ]
    unsupported += [(f"matchCondition {name!r}", w) for name, p, w in conditions if "authorizer" in p.reads]
    unsupported += [("validation", v.where) for v in compiled if "authorizer" in v.expression.reads]
    param_kind = spec.get("paramKind")
    return AdmissionPolicy(
        name=_name(document),
        match=match_resources(spec.get("matchConstraints")),
        param_kind=(str(param_kind.get("apiVersion", "")), str(param_kind.get("kind", "")))
        if isinstance(param_kind, dict)
        else None,
        conditions=tuple(conditions),
        variables=variables,
        validations=compiled,
        failure_policy=str(spec.get("failurePolicy", "Fail")),
        where=where(document, ("metadata", "name")),
        unsupported=tuple(unsupported),
        document=json.loads(json.dumps(document.root)),
    )


def _binding(document: SourceDocument) -> Binding:
    spec = _require(document, ("spec",), dict, "spec")
    policy = _require(document, ("spec", "policyName"), str, "spec.policyName")
    actions = spec.get("validationActions") or ["Deny"]
    if not isinstance(actions, list) or not actions or any(a not in ACTION_SEVERITY for a in actions):
        raise located(document, ("spec", "validationActions"), "validationActions must list Deny, Warn or Audit")
    ref = spec.get("paramRef")
    ref = ref if isinstance(ref, dict) else {}
    return Binding(
        name=_name(document),
        policy=str(policy),
        actions=tuple(str(a) for a in actions),
        match=match_resources(spec.get("matchResources")),
        param_name=str(ref["name"]) if "name" in ref else None,
        param_namespace=str(ref["namespace"]) if "namespace" in ref else None,
        param_selector=selector(ref.get("selector")),
        deny_without_params=ref.get("parameterNotFoundAction", "Deny") != "Allow",
        uses_params=bool(ref),
        where=where(document, ("spec", "policyName")),
    )
