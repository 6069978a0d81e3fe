"""Rule files (``apiVersion: vmlint.io/v1alpha1``, ``kind: Policy``) to compiled ``Rule`` values."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ..source import locate
from . import ast
from .cel import Program
from .errors import RuleFileError
from .fieldpath import FieldPathError, parse
from .files import SourceDocument, check_schema, compile_at, documents, expand, located
from .model import Expectation, Match, Rule, Validation, Where, selector

RULE_API_VERSION = "vmlint.io/v1alpha1"
# What expressions of a rule file may read; ``variables`` holds the rule's own variables.
RULE_VARIABLES = frozenset({"object", "workload", "objects", "params", "variables"})


def load_rules(paths: Iterable[str]) -> tuple[Rule, ...]:
    """Every rule in the files and folders named; ``RuleFileError`` on the first problem."""
    rules: list[Rule] = []
    for file, named in expand(paths):
        found = list(documents(file))
        if not named and not any(_is_rule(d.root) for d in found):
            continue  # a folder may keep test fixtures beside its rules
        rules.extend(rule_from(document) for document in found)
    return tuple(rules)


def _is_rule(root: Any) -> bool:
    return isinstance(root, dict) and str(root.get("apiVersion", "")).startswith("vmlint.io/")


def where(document: SourceDocument, path: tuple[Any, ...], *, key: bool = False) -> Where:
    position = locate(document.root, path, document.file, key=key)
    return Where(document.file, position.line, position.column)


def compile_variables(
    document: SourceDocument, base: tuple[Any, ...], allowed: frozenset[str]
) -> tuple[tuple[str, Program], ...]:
    """``variables`` in order: each may read the ones before it, never a later or unknown one."""
    out: list[tuple[str, Program]] = []
    items = _get(document.root, base) or []
    seen: set[str] = set()
    for index, item in enumerate(items):
        name = str(item["name"])
        if name in seen:
            raise located(document, (*base, index, "name"), f"variable {name!r} is defined twice")
        program = compile_at(document, (*base, index, "expression"), allowed, f"variable {name!r}")
        check_variables(document, (*base, index, "expression"), program, seen)
        out.append((name, program))
        seen.add(name)
    return tuple(out)


def check_variables(document: SourceDocument, path: tuple[Any, ...], program: Program, known: set[str]) -> None:
    """An expression that reads ``variables.x`` for an ``x`` not defined (before it) is an error."""
    unknown = sorted(ast.selected_fields(program.tree, "variables") - known)
    if unknown:
        defined = ", ".join(sorted(known)) or "none"
        raise located(document, path, f"unknown variable variables.{unknown[0]} (defined: {defined})")


def compile_validations(
    document: SourceDocument, base: tuple[Any, ...], allowed: frozenset[str], variables: set[str]
) -> tuple[Validation, ...]:
    out = []
    for index, item in enumerate(_get(document.root, base) or []):
        path = (*base, index)
        expression = compile_at(document, (*path, "expression"), allowed, boolean=True)
        check_variables(document, (*path, "expression"), expression, variables)
        message_expression = None
        if "messageExpression" in item:
            message_expression = compile_at(document, (*path, "messageExpression"), allowed, "messageExpression")
            check_variables(document, (*path, "messageExpression"), message_expression, variables)
        field_path_expression = None
        if "fieldPathExpression" in item:
            field_path_expression = compile_at(document, (*path, "fieldPathExpression"), allowed, "fieldPathExpression")
        field_path = None
        if "fieldPath" in item:
            try:
                field_path = parse(str(item["fieldPath"]))
            except FieldPathError as error:
                raise located(document, (*path, "fieldPath"), str(error)) from None
        out.append(
            Validation(
                expression=expression,
                where=where(document, (*path, "expression")),
                message=str(item["message"]) if "message" in item else None,
                message_expression=message_expression,
                field_path=field_path,
                field_path_expression=field_path_expression,
                reason=str(item["reason"]) if "reason" in item else None,
            )
        )
    return tuple(out)


def rule_from(document: SourceDocument) -> Rule:
    """One rule document: schema, then every expression compiled and type-checked."""
    root = document.root
    if not isinstance(root, dict) or root.get("apiVersion") != RULE_API_VERSION or root.get("kind") != "Policy":
        raise located(document, (), f"not a vmlint rule: expected apiVersion {RULE_API_VERSION} and kind Policy")
    check_schema(document)
    meta, spec = root["metadata"], root["spec"]
    variables = compile_variables(document, ("spec", "variables"), RULE_VARIABLES)
    validations = compile_validations(
        document, ("spec", "validations"), RULE_VARIABLES, {name for name, _ in variables}
    )
    match = spec.get("match") or {}
    tests = tuple(
        Expectation(
            str(t["file"]),
            tuple((str(e["id"]), int(e["line"])) for e in t["expect"]),
            where(document, ("spec", "tests", i, "file")),
        )
        for i, t in enumerate(spec.get("tests") or ())
    )
    return Rule(
        id=meta["id"],
        name=meta["name"],
        tradeoff=meta.get("tradeoff", "security"),
        severity=meta.get("severity", "warning"),
        summary=meta.get("summary", meta["name"]),
        rationale=meta.get("rationale", ""),
        remediation=meta.get("remediation", ""),
        related={tool: tuple(ids) for tool, ids in (meta.get("related") or {}).items()},
        match=Match(
            formats=frozenset(match.get("formats", ())),
            kinds=frozenset(match.get("kinds", ())),
            tiers=frozenset(match.get("tiers", ())),
            isolation=frozenset(match.get("isolation", ())),
            namespaces=frozenset(match.get("namespaces", ())),
            labels=selector(match.get("labelSelector")),
        ),
        params=json.loads(json.dumps(spec.get("params") or {})),
        variables=variables,
        validations=validations,
        tests=tests,
        where=where(document, ("metadata", "id")),
        document=json.loads(json.dumps(root)),
    )


def _get(root: Any, path: tuple[Any, ...]) -> Any:
    node = root
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


__all__ = ["RuleFileError", "load_rules", "rule_from"]
