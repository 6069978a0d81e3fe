"""Compose merge rules on positioned trees, keeping where every entry was written.

Merged containers record, per entry, the file it came from in ``origin`` whenever that file
differs from the file the container itself is located in, so ``locate`` points at the
override file, the extended file or the included file that wrote a setting.
"""

from __future__ import annotations

from typing import Any

from ..source import YMap, YSeq

REPLACED_SEQUENCES = frozenset({"command", "entrypoint", "test", "dns", "dns_search", "env_file", "label_file"})
KEYED_SEQUENCES = frozenset({"environment", "labels", "annotations", "sysctls", "extra_hosts"})
TARGETED_SEQUENCES = frozenset({"volumes", "devices", "secrets", "configs"})


def entry_file(container: YMap | YSeq, key: Any, context: str) -> str:
    """The file an entry of ``container`` (located in ``context``) was written in."""
    origin = container.origin.get(key) if container.origin else None
    return origin or context


def _set_origin(container: YMap | YSeq, key: Any, file: str, context: str) -> None:
    if file != context:
        if container.origin is None:
            container.origin = {}
        container.origin[key] = file


def relocate(node: YMap, node_file: str, context: str) -> YMap:
    """A shallow copy of ``node`` (written in ``node_file``) to be located in ``context``."""
    copy = YMap(node.line, node.column)
    for key, value in node.items():
        copy[key] = value
        copy.marks[key] = node.marks[key]
        _set_origin(copy, key, entry_file(node, key, node_file), context)
    return copy


def merge_maps(base: YMap, base_file: str, over: YMap, over_file: str, context: str) -> YMap:
    """``over`` merged onto ``base``; the result is located in ``context``.

    Nested mappings are merged from a work list, not by recursion, so nesting depth costs no stack.
    """
    root = relocate(base, base_file, context)
    work = [(root, base, base_file, over, over_file, context)]
    while work:
        merged, base, base_file, over, over_file, context = work.pop()
        for key, value in over.items():
            value_file = entry_file(over, key, over_file)
            previous = base.get(key) if key in base.marks else None
            if isinstance(previous, YMap) and isinstance(value, YMap):
                # A mapping both write stays where it was first written: an override that touches a service does
                # not take over the findings on what neither writes (they point at the service's first definition).
                first_file = entry_file(base, key, base_file)
                child = relocate(previous, first_file, first_file)
                work.append((child, previous, first_file, value, value_file, first_file))
                merged[key] = child
                continue
            if isinstance(previous, YSeq) and isinstance(value, YSeq) and key not in REPLACED_SEQUENCES:
                value = _merge_seqs(str(key), previous, entry_file(base, key, base_file), value, value_file)
            merged[key] = value
            merged.marks[key] = over.marks[key]
            if merged.origin:
                merged.origin.pop(key, None)
            _set_origin(merged, key, value_file, context)
    return root


def _item_key(kind: str, item: Any) -> Any:
    if kind in KEYED_SEQUENCES and isinstance(item, str):
        return item.split("=" if kind != "extra_hosts" else ":", 1)[0]
    if kind in TARGETED_SEQUENCES:
        if isinstance(item, dict):
            return item.get("target", item.get("source"))
        if isinstance(item, str):
            parts = item.split(":")
            return parts[1] if len(parts) > 1 else parts[0]
    # Containers are the same item only when they are the same node: repr() of nested data recurses.
    return ("node", id(item)) if isinstance(item, (dict, list)) else repr(item)


def _merge_seqs(kind: str, base: YSeq, base_file: str, over: YSeq, over_file: str) -> YSeq:
    """Base items not redefined by ``over``, then ``over``'s items; located in ``over_file``."""
    replaced = {_item_key(kind, item) for item in over}
    merged = YSeq(over.line, over.column)
    for index, item in enumerate(base):
        if _item_key(kind, item) in replaced:
            continue
        merged.append(item)
        merged.marks.append(base.marks[index])
        _set_origin(merged, len(merged) - 1, entry_file(base, index, base_file), over_file)
    for index, item in enumerate(over):
        merged.append(item)
        merged.marks.append(over.marks[index])
        _set_origin(merged, len(merged) - 1, entry_file(over, index, over_file), over_file)
    return merged
