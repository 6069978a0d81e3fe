"""One Kubernetes object against its schema: which schema applies, and its issues as located problems."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import BAD_SCHEMA, ISSUE_POLICIES, UNKNOWN_KIND, Validation, problem
from .bundle import builtin, builtin_groups, served_in
from .custom import is_crd
from .lifecycle import API_LIFECYCLE
from .validator import Node, suggest, validate

if TYPE_CHECKING:
    from ..formats import Problem


def check_object(validation: Validation, obj: dict[str, Any], file: str) -> tuple[list[Problem], bool]:
    """The problems of one object, and whether it had a schema to be validated against."""
    api_version, kind = obj["apiVersion"], obj["kind"]
    problems: list[Problem] = []
    if is_crd(obj):
        for path, message in validation.custom.add_crd(obj, file, check=True):
            problems.append(
                problem(BAD_SCHEMA, f"this schema cannot be used to validate: {message}", obj, path, file, False)
            )
    schemas = builtin(validation.version)
    node: Node | None = schemas.validator(api_version, kind)
    if node is None:
        group = api_version.rpartition("/")[0] if "/" in api_version else ""
        if group in builtin_groups() or group == "extensions":
            if (api_version, kind) not in API_LIFECYCLE:  # removed APIs are VM304's
                problems.append(_unknown_kind(validation.version, obj, group, file))
            return problems, False
        source = validation.custom.lookup(api_version, kind)
        if source is None:
            return problems, False
        if source.node is None:
            message = f"the schema of {api_version} {kind} from {source.origin} cannot be used: {source.error}"
            problems.append(problem(BAD_SCHEMA, message, obj, ("apiVersion",), file, False))
            return problems, False
        node = source.node
    for issue in validate(node, obj):
        problems.append(problem(ISSUE_POLICIES[issue.kind], issue.message, obj, issue.path, file, issue.key))
    return problems, True


def _unknown_kind(version: str, obj: dict[str, Any], group: str, file: str) -> Problem:
    api_version, kind = obj["apiVersion"], obj["kind"]
    schemas = builtin(version)
    elsewhere = served_in(api_version, kind)
    if elsewhere:
        span = elsewhere[0] if len(elsewhere) == 1 else f"{elsewhere[0]} to {elsewhere[-1]}"
        message = f"{api_version} {kind} is not served by Kubernetes {version} (it is in {span})"
        return problem(UNKNOWN_KIND, message, obj, ("apiVersion",), file, False)
    kinds = schemas.kinds_of(api_version)
    if kinds:
        close = suggest(kind, kinds)
        hint = f"; did you mean {close}?" if close else ""
        message = f"{api_version} has no kind {kind} in Kubernetes {version}{hint}"
        return problem(UNKNOWN_KIND, message, obj, ("kind",), file, False)
    served = schemas.versions_of(group, kind)
    instead = f"; {kind} is served as {', '.join(served)}" if served else ""
    message = f"{api_version} is not an API version of Kubernetes {version}{instead}"
    return problem(UNKNOWN_KIND, message, obj, ("apiVersion",), file, False)
