"""A hit's fix located in the positioned tree: which file wrote the setting, and where in it.

Paths are walked through the linting parser's ``YMap``/``YSeq`` tree, following ``origin`` into the Compose file
(base, override, extended or included) that wrote each entry.  The target is a position in that file, so the
edit lands where the setting was written, never in a merged result.
"""

from __future__ import annotations

from typing import Any

from ..fixes import Edit, FindingFix, Fix, Target
from ..source import Path, PathPart, YMap, YSeq


class _Unlocatable(Exception):
    """The edit's place is not in the tree (a list index to create, a scalar to extend ...)."""


def resolve(document: Any, base: Path, file: str, fix: Fix) -> FindingFix | None:
    """``fix`` (edits relative to ``base``, a path in ``document`` of ``file``) located; None when not locatable.

    Edits that would change nothing (a value already set, an item already listed, nothing to remove) are
    left out; a fix left without edits is no fix.
    """
    targets = []
    for edit in fix.relative():
        try:
            if edit.up > len(base):
                return None
            target = _target(document, base[: len(base) - edit.up] + edit.path, file, edit)
        except _Unlocatable:
            return None
        if target is not None:
            targets.append(target)
    return FindingFix(fix.applicability, fix.description, tuple(targets)) if targets else None


class _Step:
    """A node on the walked path: the node, the file it is located in, and how its parent holds it."""

    __slots__ = ("file", "key", "node", "parent")

    def __init__(self, node: Any, file: str, parent: _Step | None, key: PathPart | None) -> None:
        self.node = node
        self.file = file
        self.parent = parent
        self.key = key


def _own(container: YMap, key: Any) -> bool:
    """The key is written in the mapping itself, not brought in by a ``<<`` merge from an anchor before it.

    Compose-merged mappings (with ``origin``) hold entries of several files, whose positions do not compare.
    """
    if container.origin is not None or container.line == 0:
        return True
    mark = container.marks[key]
    return (mark[0], mark[1]) >= (container.line, container.column)


def _walk(document: Any, path: Path, file: str) -> list[_Step]:
    steps = [_Step(document, file, None, None)]
    for part in path:
        step = steps[-1]
        node = step.node
        in_map = isinstance(node, YMap) and part in node.marks and _own(node, part)
        in_seq = isinstance(node, YSeq) and isinstance(part, int) and 0 <= part < len(node.marks)
        if not (in_map or in_seq):
            break
        origin = node.origin.get(part) if node.origin else None
        steps.append(_Step(node[part], origin or step.file, step, part))
    return steps


def _holder(step: _Step, op: Any, rest: Path, value: Any) -> Target | None:
    """The target that names ``step`` by how its parent holds it: a mapping entry's key or a list item."""
    parent = step.parent
    if parent is None:
        return None
    if isinstance(parent.node, YMap):
        mark = parent.node.marks[step.key]
        return Target(op, step.file, "entry", mark[0], mark[1], rest, value)
    if isinstance(parent.node, YSeq) and isinstance(step.key, int):
        line, column = parent.node.marks[step.key]
        return Target(op, step.file, "item", line, column, rest, value)
    return None


def _value_position(step: _Step) -> tuple[int, int] | None:
    parent = step.parent
    if parent is None:
        node = step.node
        return (node.line, node.column) if isinstance(node, (YMap, YSeq)) else None
    if isinstance(parent.node, YMap):
        mark = parent.node.marks[step.key]
        return mark[2], mark[3]
    if isinstance(parent.node, YSeq) and isinstance(step.key, int):
        line, column = parent.node.marks[step.key]
        return line, column
    return None


def _unlocatable() -> Target:
    raise _Unlocatable


def _target(document: Any, path: Path, file: str, edit: Edit) -> Target | None:
    """The located edit; None when there is nothing to do."""
    steps = _walk(document, path, file)
    found = len(steps) - 1
    last = steps[-1]
    if found == len(path):
        if edit.op == "remove":
            return _holder(last, "remove", (), None) or _unlocatable()
        if edit.op == "add":
            if isinstance(last.node, YSeq):
                if edit.value in last.node:
                    return None
                position = _value_position(last)
                if position is None:
                    raise _Unlocatable
                return Target("add", last.file, "node", position[0], position[1], (), edit.value)
            if last.node is None:
                return _holder(last, "set", (), [edit.value]) or _unlocatable()
            raise _Unlocatable
        if last.node == edit.value and type(last.node) is type(edit.value):
            return None
        return _holder(last, "set", (), edit.value) or _unlocatable()
    if edit.op == "remove":
        return None
    rest = path[found:]
    if not all(isinstance(part, str) for part in rest):
        raise _Unlocatable
    value = [edit.value] if edit.op == "add" else edit.value
    node = last.node
    if isinstance(node, YMap):
        own = [key for key in node if _own(node, key)]
        if own:
            mark = node.marks[own[0]]
            origin = node.origin.get(own[0]) if node.origin else None
            return Target("set", origin or last.file, "sibling", mark[0], mark[1], rest, value)
        if node:  # only merged keys: no place of its own to write to
            raise _Unlocatable
        position = _value_position(last)
        if position is None:
            raise _Unlocatable
        return Target("set", last.file, "node", position[0], position[1], rest, value)
    if node is None:
        return _holder(last, "set", rest, value) or _unlocatable()
    raise _Unlocatable
