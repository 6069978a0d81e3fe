"""Suppression directives as written: ``# vmlint: ignore[ID,...] reason`` comments, and the ``vmlint.io/ignore``
annotations (or Compose ``x-vmlint: {ignore: [...]}``) of a workload and its pod template, each with its position,
the policies it names (ids or names in any case) and what it names that is no policy."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .model import Workload
from .selectors import Selectors, UnknownSelector
from .source import Position, get, locate

IGNORE_ANNOTATION = "vmlint.io/ignore"
COMPOSE_EXTENSION = "x-vmlint"
# `# vmlint: ignore[...]`, and the bare `# vmlint: ignore` that names nothing.
_COMMENT = re.compile(r"(?:#|<!--)\s*vmlint:\s*ignore\b(?:\[([^\]]*)\])?", re.I)
_MAX_WALK_DEPTH = 64


@dataclass(frozen=True, slots=True)
class Directive:
    """One suppression as written: where, the ids it names, the tokens that name no policy, its reason."""

    position: Position
    ids: frozenset[str]
    unknown: tuple[str, ...] = ()  # messages, one per token that names no policy
    bare: bool = False  # names nothing at all
    reason: str = ""
    kind: str = "comment"  # or "annotation"


def _resolve(tokens: list[str], selectors: Selectors) -> tuple[frozenset[str], tuple[str, ...]]:
    ids: set[str] = set()
    unknown: list[str] = []
    for token in (t.strip() for t in tokens):
        if not token:
            continue
        try:
            ids.add(selectors.policy(token))
        except UnknownSelector as error:
            unknown.append(str(error))
    return frozenset(ids), tuple(unknown)


def comment_directives(text: str, file: str, selectors: Selectors) -> dict[int, Directive]:
    """Line number -> the suppression comment on that line."""
    if "vmlint:" not in text.lower():
        return {}
    found: dict[int, Directive] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = _COMMENT.search(line) if "vmlint:" in line.lower() else None
        if match is None:
            continue
        tokens = match.group(1).split(",") if match.group(1) is not None else []
        ids, unknown = _resolve(tokens, selectors)
        reason = line[match.end() :].strip().removesuffix("-->").strip()
        bare = not any(t.strip() for t in tokens)
        found[number] = Directive(Position(file, number, match.start() + 1), ids, unknown, bare, reason)
    return found


def inline_reason(line: str) -> str:
    """The justification after ``ignore[...]`` in a suppression comment ('' when none is given)."""
    match = _COMMENT.search(line)
    if match is None:
        return ""
    return line[match.end() :].strip().removesuffix("-->").strip()


def workload_directives(workload: Workload, selectors: Selectors) -> list[Directive]:
    """Every ``vmlint.io/ignore`` of the workload: its own, its pod or VMI template's, its Compose extension."""
    found: list[Directive] = []
    for path, value in _ignore_entries(workload):
        tokens = value.split(",") if isinstance(value, str) else [str(v) for v in value]
        ids, unknown = _resolve(tokens, selectors)
        position = locate(workload.document, path, workload.file)
        found.append(Directive(position, ids, unknown, not ids and not unknown, kind="annotation"))
    if not found:  # written in a way the walk does not see (a Compose label list): at the workload itself
        value = workload.annotations.get(IGNORE_ANNOTATION)
        if isinstance(value, str):
            ids, unknown = _resolve(value.split(","), selectors)
            position = locate(workload.document, _root(workload), workload.file)
            found.append(Directive(position, ids, unknown, not ids and not unknown, kind="annotation"))
    return found


def _root(workload: Workload) -> tuple[Any, ...]:
    """Where the workload's own part of its document starts (a Compose service spans the whole project)."""
    return ("services", workload.name) if workload.format == "compose" else tuple(workload.path)


def _ignore_entries(workload: Workload) -> list[tuple[tuple[Any, ...], Any]]:
    """(path, value) of each ignore entry under the workload's part of its document, without recursion."""
    entries: list[tuple[tuple[Any, ...], Any]] = []
    # A Compose service's workload spans the whole project document; its own part is services.<name>.
    root = _root(workload)
    stack: list[tuple[Any, tuple[Any, ...]]] = [(get(workload.document, root), root)]
    while stack:
        node, path = stack.pop()
        if len(path) - len(root) > _MAX_WALK_DEPTH:
            continue
        if isinstance(node, dict):
            for key, value in node.items():
                here = (*path, key)
                if key == IGNORE_ANNOTATION and path[-1:] in (("annotations",), ("labels",)):
                    if isinstance(value, str):
                        entries.append((here, value))
                elif key == COMPOSE_EXTENSION and isinstance(value, dict) and "ignore" in value:
                    ignore = value["ignore"]
                    if isinstance(ignore, (str, list)):
                        entries.append(((*here, "ignore"), ignore))
                elif isinstance(value, (dict, list)):
                    stack.append((value, here))
        elif isinstance(node, list):
            stack.extend((value, (*path, index)) for index, value in enumerate(node) if isinstance(value, (dict, list)))
    return sorted(entries, key=lambda entry: [str(part) for part in entry[0]])
