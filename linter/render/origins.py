"""Where a rendered field was written: the rendered tree's marks pointed back into the source files.

A rendered object is compared with the files it was made of: the resource it came from
(Kustomize's origin annotation names it) and the patches applied to it.  Every entry of the
rendered tree takes the position of the same entry in the first of those files that writes it
with the same value: the resource first, then the patches, latest first.  An entry no file
writes with its value (a name given a prefix, an image tag set by ``images:``) takes the
position of the same key where one is written, and an entry no file has at all (a label a
transformer added) has no position of its own, so ``locate`` falls back to its parent.
List items are matched as strategic merge patches match them: by ``name`` (or mount path,
port ...), otherwise by value or index.
"""

from __future__ import annotations

import re
from typing import Any

from ..source import PathPart, YMap, YSeq

MERGE_KEYS = ("name", "mountPath", "containerPort", "devicePath", "ip", "port")

Source = tuple[Any, str]  # a node of a source file and that file's name
# A list index in a JSON patch pointer: ASCII digits, short enough that planting it builds nothing big (a pointer
# past that, or with other digits, names no item here and its entry falls back to its parent's position).
_INDEX = re.compile(r"[0-9]{1,4}")


def remap(node: Any, sources: list[Source], context: str, at: tuple[int, int]) -> None:
    """Point the marks of ``node`` (written at ``at`` in ``context``) at the source files, in place."""
    candidates: list[tuple[Any, Any, str]]
    if isinstance(node, YMap):
        for key in list(node):
            candidates = [(s[key], s.marks[key], f) for s, f in sources if isinstance(s, YMap) and key in s.marks]
            _place(node, key, candidates, context, at)
    elif isinstance(node, YSeq):
        for index, item in enumerate(node):
            candidates = []
            for s, f in sources:
                if isinstance(s, YSeq) and (j := _match(item, index, s)) is not None:
                    candidates.append((s[j], s.marks[j], f))
            _place(node, index, candidates, context, at)


def _place(
    node: YMap | YSeq, key: PathPart, candidates: list[tuple[Any, Any, str]], context: str, at: tuple[int, int]
) -> None:
    value = node[key]  # type: ignore[index]
    chosen = next((c for c in candidates if _same(c[0], value)), candidates[0] if candidates else None)
    if chosen is None:
        _forget(node, key, context, at)
        return
    source, mark, file = chosen
    marks: Any = node.marks  # a YMap's by key (key and value position), a YSeq's by index
    marks[key] = mark
    where = (mark[2], mark[3]) if isinstance(node, YMap) else mark
    _set_origin(node, key, file if file != context else None)
    if isinstance(value, (YMap, YSeq)):
        value.line, value.column = getattr(source, "line", where[0]), getattr(source, "column", where[1])
        # The chosen file's node first: an entry several files write the same is placed where its parent is.
        ordered = [(c[0], c[2]) for c in candidates if c is chosen] + [
            (c[0], c[2]) for c in candidates if c is not chosen
        ]
        remap(value, ordered, file, where)


def _same(source: Any, value: Any) -> bool:
    if isinstance(value, (YMap, YSeq)):
        return isinstance(source, type(value))
    return type(source) is type(value) and source == value


def _set_origin(node: YMap | YSeq, key: PathPart, file: str | None) -> None:
    origin: dict[Any, str] = dict(node.origin or {})
    if file is None:
        origin.pop(key, None)
    else:
        origin[key] = file
    node.origin = origin or None


def _forget(node: YMap | YSeq, key: PathPart, context: str, at: tuple[int, int]) -> None:
    _set_origin(node, key, None)
    if isinstance(node, YMap):
        node.marks.pop(key, None)
        return
    # A list item no file writes is placed at its list (a YSeq cannot leave a hole in its marks), and so are its
    # entries.
    assert isinstance(key, int)
    node.marks[key] = at
    remap(node[key], [], context, at)


def _match(item: Any, index: int, seq: YSeq) -> int | None:
    if isinstance(item, dict):
        for key in MERGE_KEYS:
            if key in item and any(isinstance(s, dict) and key in s for s in seq):
                wanted = item[key]
                return next((j for j, s in enumerate(seq) if isinstance(s, dict) and s.get(key) == wanted), None)
        return index if index < len(seq) and isinstance(seq[index], dict) else None
    return next((j for j, s in enumerate(seq) if _same(s, item)), None)


def json_patch_tree(ops: Any) -> YMap | None:
    """A JSON 6902 patch as a source tree: each ``add``/``replace`` value placed at its pointer, where it is written.

    List indexes stand as written (``-``, an append, has none); the items before an index are empty.
    """
    if not isinstance(ops, YSeq):
        return None
    tree = YMap()
    for op in ops:
        if not isinstance(op, YMap) or op.get("op") not in ("add", "replace") or "value" not in op.marks:
            continue
        pointer = op.get("path")
        if not isinstance(pointer, str) or not pointer.startswith("/"):
            continue
        tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]
        _plant(tree, tokens, op["value"], op.marks["value"])
    return tree or None


def _plant(tree: YMap, tokens: list[str], value: Any, mark: tuple[int, int, int, int]) -> None:
    node: Any = tree
    for position, token in enumerate(tokens):
        last = position == len(tokens) - 1
        if isinstance(node, YSeq):
            if not _INDEX.fullmatch(token):
                return
            index = int(token)
            while len(node) <= index:
                node.append(None)
                node.marks.append((mark[2], mark[3]))
            if last:
                node[index] = value
            elif not isinstance(node[index], (YMap, YSeq)):
                node[index] = YSeq() if _INDEX.fullmatch(tokens[position + 1]) else YMap()
            node.marks[index] = (mark[2], mark[3])
            node = node[index]
        elif isinstance(node, YMap):
            if last:
                node[token] = value
            elif not isinstance(node.get(token), (YMap, YSeq)):
                node[token] = YSeq() if _INDEX.fullmatch(tokens[position + 1]) else YMap()
            node.marks[token] = mark
            node = node[token]
