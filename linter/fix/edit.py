"""Text changes for located edits: computed from libyaml's node marks, spliced into the original text.

Only the characters a fix names change: a scalar's own span, the lines of a removed entry, new lines after a
mapping's last entry or a list's last item (a new list item reuses that item's exact ``- `` prefix), or an
entry inside a flow collection.  Everything else, comments and blank lines included, is the original text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..fixes import Target
from ..parsers.yaml_tree import resolve_plain
from ..source import Path
from . import layout as render
from .layout import Layout

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

_Node = Any  # libyaml's composed nodes (yaml.MappingNode, SequenceNode, ScalarNode) are untyped
_DASH = re.compile(r"[ \t]*-[ \t]+$")


class EditError(Exception):
    """A target that cannot be edited as text; the message says why."""


@dataclass(frozen=True, slots=True)
class Change:
    """Replace ``text[start:end]`` with ``text``; ``key`` names the collection an insertion fills (and the key it
    creates) or that a removal empties: such changes wait for the next round rather than meet in one.

    Insertions at one place go deepest ``column`` first: new keys of an inner mapping precede an outer one's.
    """

    start: int
    end: int
    text: str
    key: tuple[Any, ...] | None = None
    column: int = 0


@dataclass(frozen=True, slots=True)
class Planned:
    """A target's change, and the edit it makes to the data of document ``document`` at ``path``."""

    change: Change
    document: int
    path: Path
    op: str
    value: Any = None


@dataclass(slots=True)
class _Place:
    """Where a node is: its document, its path, what holds it (mapping or list, and at which index)."""

    document: int
    path: Path
    parent: _Node | None
    index: int
    shared: bool


def lint_key(node: _Node) -> Any:
    """A key as the linting parser spells it (plain scalars resolved, then written as JSON would)."""
    if not isinstance(node, yaml.ScalarNode):
        return None
    if node.style:
        return node.value
    value = resolve_plain(node.value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(slots=True)
class Document:
    """A file's text and its libyaml node trees, indexed by the (1-based) positions the linting parser reports."""

    text: str
    roots: list[_Node]
    layout: Layout = field(default_factory=Layout)
    keys: dict[tuple[int, int], tuple[_Node, int]] = field(default_factory=dict)
    values: dict[tuple[int, int], list[_Node]] = field(default_factory=dict)
    places: dict[int, _Place] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> Document:
        """Compose every document (nothing is constructed); ``yaml.YAMLError`` when the text is not YAML."""
        document = cls(text, list(yaml.compose_all(text, Loader=_Loader)))
        document.index()
        document.layout = render.detect(text, document.roots)
        return document

    def index(self) -> None:
        counts: dict[int, int] = {}
        stack: list[_Node] = list(self.roots)
        while stack:  # first pass: which nodes are reached more than once (anchors with aliases)
            node = stack.pop()
            counts[id(node)] = counts.get(id(node), 0) + 1
            if counts[id(node)] == 1:
                stack.extend(_children(node))
        work: list[tuple[_Node, _Place]] = [(root, _Place(i, (), None, 0, False)) for i, root in enumerate(self.roots)]
        while work:
            node, place = work.pop()
            if id(node) in self.places:
                continue
            place.shared = place.shared or counts.get(id(node), 0) > 1
            self.places[id(node)] = place
            self.values.setdefault(_position(node), []).append(node)
            if isinstance(node, yaml.MappingNode):
                for index, (key, value) in enumerate(node.value):
                    self.keys.setdefault(_position(key), (node, index))
                    path = (*place.path, lint_key(key))
                    work.append((value, _Place(place.document, path, node, index, place.shared)))
            elif isinstance(node, yaml.SequenceNode):
                for index, item in enumerate(node.value):
                    work.append((item, _Place(place.document, (*place.path, index), node, index, place.shared)))

    # ---- text helpers -------------------------------------------------------------------------------------

    def line_start(self, index: int) -> int:
        return self.text.rfind("\n", 0, index) + 1

    def line_end(self, index: int) -> int:
        """The index of the line break ending the line of ``index`` (the text's length on the last line)."""
        end = self.text.find("\n", index)
        if end < 0:
            return len(self.text)
        return end - 1 if end > 0 and self.text[end - 1] == "\r" else end

    def after_line(self, index: int) -> int:
        """The start of the line after the line of ``index``."""
        end = self.text.find("\n", index)
        return len(self.text) if end < 0 else end + 1

    def leads_line(self, index: int) -> bool:
        return not self.text[self.line_start(index) : index].strip()

    def end(self, node: _Node) -> int:
        """Where a node's own text ends: block scalars and block collections without their trailing lines."""
        while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and not node.flow_style and node.value:
            last = node.value[-1]
            if isinstance(node, yaml.MappingNode):
                key, value = last
                if self.end(value) < key.end_mark.index:  # an empty value
                    return int(key.end_mark.index)
                node = value
            else:
                node = last
        end = int(node.end_mark.index)
        if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
            while end > node.start_mark.index and self.text[end - 1] in " \t\r\n":
                end -= 1
        return end

    def colon(self, key: _Node) -> int:
        """The index just after the ``:`` that follows ``key``."""
        found = self.text.find(":", key.end_mark.index)
        if found < 0:
            raise EditError("no ':' after the key")
        return found + 1

    # ---- locating -----------------------------------------------------------------------------------------

    def entry(self, line: int, column: int) -> tuple[_Node, int]:
        found = self.keys.get((line, column))
        if found is None:
            raise EditError(f"no mapping key at line {line}, column {column}")
        return found

    def value(self, line: int, column: int, kind: type) -> _Node:
        for node in self.values.get((line, column), ()):
            if isinstance(node, kind):
                return node
        raise EditError(f"no {kind.__name__.removesuffix('Node').lower()} at line {line}, column {column}")

    def place(self, node: _Node) -> _Place:
        place = self.places[id(node)]
        if place.shared:
            raise EditError("the setting is shared through a YAML anchor and alias; edit it by hand")
        return place

    # ---- planning -----------------------------------------------------------------------------------------

    def plan(self, target: Target) -> Planned:
        """The change for one target; ``EditError`` when it cannot be made as text."""
        if target.anchor == "entry":
            mapping, index = self.entry(target.line, target.column)
            return self._entry(target, mapping, index)
        if target.anchor == "sibling":
            mapping, _ = self.entry(target.line, target.column)
            return self._insert(target, mapping)
        if target.anchor == "item":
            for node in self.values.get((target.line, target.column), ()):
                place = self.places[id(node)]
                if isinstance(place.parent, yaml.SequenceNode):
                    return self._item(target, node, place)
            raise EditError(f"no list item at line {target.line}, column {target.column}")
        if target.op == "add":
            return self._append(target, self.value(target.line, target.column, yaml.SequenceNode))
        return self._insert(target, self.value(target.line, target.column, yaml.MappingNode))

    def entry_end(self, key: _Node, value: _Node) -> int:
        """Where a mapping entry's text ends: its value's end, or its key's when the value is empty."""
        return max(self.end(value), int(key.end_mark.index))

    def _entry(self, target: Target, mapping: _Node, index: int) -> Planned:
        key, value = mapping.value[index]
        place = self.place(mapping)
        path = (*place.path, lint_key(key))
        if target.op == "remove":
            return Planned(self._remove_entry(mapping, index), place.document, path, "remove")
        if not target.rest:
            return Planned(self._replace(key, value, target.value), place.document, path, "set", target.value)
        if not _is_null(value):  # a null value that receives a mapping
            raise EditError("the value to extend is neither a mapping nor empty")
        nested = _nest(target.rest, target.value)
        if mapping.flow_style:
            change = Change(self.colon(key), self.entry_end(key, value), " " + render.flow(nested))
        else:
            lines = render.block(nested, key.start_mark.column + self.layout.mapping, self.layout)
            added = "".join(self.layout.newline + line for line in lines)
            if value.value:  # ``~`` or ``null`` written out: it goes, a comment after it stays
                end = self.line_end(value.end_mark.index)
                change = Change(value.start_mark.index, end, self.text[value.end_mark.index : end].lstrip() + added)
            else:
                end = self.line_end(key.end_mark.index)
                change = Change(end, end, added)
        return Planned(change, place.document, (*path, *target.rest), "set", target.value)

    def _replace(self, key: _Node | None, value: _Node, new: Any) -> Change:
        """The value node's text replaced by ``new`` in flow style (an empty value gets it after the colon)."""
        if self.places[id(value)].shared:
            raise EditError("the value is shared through a YAML anchor and alias; edit it by hand")
        if isinstance(value, yaml.ScalarNode) and "$" in value.value:
            raise EditError("the value holds a variable (${...}); edit it by hand")
        quote = value.style if isinstance(value, yaml.ScalarNode) and value.style in ("'", '"') else None
        rendered = render.flow(new, quote)
        if key is not None and _is_null(value) and not value.value:
            at = self.colon(key)
            return Change(at, at, " " + rendered)
        if key is not None and isinstance(value, (yaml.MappingNode, yaml.SequenceNode)) and not value.flow_style:
            return Change(self.colon(key), self.end(value), " " + rendered)
        return Change(value.start_mark.index, self.end(value), rendered)

    def _insert(self, target: Target, mapping: _Node) -> Planned:
        """New entries for ``target.rest`` at the end of ``mapping``, in its own style."""
        place = self.place(mapping)
        nested = _nest(target.rest[1:], target.value)
        first = target.rest[0]
        created = ("insert", id(mapping), first)
        path = (*place.path, *target.rest)
        if mapping.flow_style:
            entry = f"{render.flow(first)}: {render.flow(nested)}"
            if mapping.value:
                at = self.entry_end(*mapping.value[-1])
                change = Change(at, at, ", " + entry, created)
            else:
                at = self.text.index("{", mapping.start_mark.index) + 1
                change = Change(at, at, entry, created)
            return Planned(change, place.document, path, "set", target.value)
        column = mapping.value[0][0].start_mark.column
        lines = render.block({str(first): nested}, column, self.layout)
        at = self.after_line(self.end(mapping))
        lead = self.layout.newline if at == len(self.text) and not self.text.endswith("\n") else ""
        text = lead + "".join(line + self.layout.newline for line in lines)
        return Planned(Change(at, at, text, created, column), place.document, path, "set", target.value)

    def _append(self, target: Target, sequence: _Node) -> Planned:
        place = self.place(sequence)
        rendered = render.flow(target.value)
        created = ("append", id(sequence))
        if sequence.flow_style:
            if sequence.value:
                at = self.end(sequence.value[-1])
                change = Change(at, at, ", " + rendered, created)
            else:
                at = self.text.index("[", sequence.start_mark.index) + 1
                change = Change(at, at, rendered, created)
            return Planned(change, place.document, place.path, "add", target.value)
        last = sequence.value[-1]
        prefix = self.text[self.line_start(last.start_mark.index) : last.start_mark.index]
        if not _DASH.match(prefix):
            raise EditError("the list's last item does not start its own line")
        at = self.after_line(self.end(last))
        lead = self.layout.newline if at == len(self.text) and not self.text.endswith("\n") else ""
        change = Change(at, at, lead + prefix + rendered + self.layout.newline, created, len(prefix))
        return Planned(change, place.document, place.path, "add", target.value)

    def _item(self, target: Target, item: _Node, place: _Place) -> Planned:
        sequence = place.parent
        assert sequence is not None
        self.place(sequence)
        if target.op == "set":
            return Planned(self._replace(None, item, target.value), place.document, place.path, "set", target.value)
        items = sequence.value
        start = self.line_start(item.start_mark.index)
        if sequence.flow_style:
            change = self._remove_flow([(node, node) for node in items], place.index)
        elif len(items) == 1:
            change = self._emptied(sequence, self.end(item), "[]")
        elif _DASH.match(self.text[start : item.start_mark.index]):
            change = Change(start, self.after_line(self.end(item)), "", ("remove", id(sequence), len(items)))
        else:
            raise EditError("the list item does not start its own line")
        return Planned(change, place.document, place.path, "remove")

    def _remove_entry(self, mapping: _Node, index: int) -> Change:
        entries = mapping.value
        key, value = entries[index]
        if mapping.flow_style:
            return self._remove_flow(entries, index)
        if len(entries) == 1:
            return self._emptied(mapping, self.entry_end(key, value), "{}")
        if self.leads_line(key.start_mark.index):
            end = self.after_line(self.entry_end(key, value))
            return Change(self.line_start(key.start_mark.index), end, "", ("remove", id(mapping), len(entries)))
        if index + 1 >= len(entries):
            raise EditError("the entry does not start its own line")
        following = entries[index + 1][0]
        if "#" in self.text[self.after_line(self.entry_end(key, value)) : following.start_mark.index]:
            raise EditError("removing the entry would remove a comment line")
        return Change(key.start_mark.index, following.start_mark.index, "", ("remove", id(mapping), len(entries)))

    def _remove_flow(self, entries: list[tuple[_Node, _Node]], index: int) -> Change:
        """An entry of a flow collection, given as (first node, last node) pairs, removed with one comma."""
        first, last = entries[index]
        if index + 1 < len(entries):
            return Change(first.start_mark.index, entries[index + 1][0].start_mark.index, "")
        if index > 0:
            return Change(self.end(entries[index - 1][1]), self.end(last), "")
        return Change(first.start_mark.index, self.end(last), "")

    def _emptied(self, container: _Node, end: int, empty: str) -> Change:
        """A block collection that loses its only entry becomes ``{}`` or ``[]`` on its holder's line."""
        place = self.places[id(container)]
        holder = place.parent
        emptied = ("empty", id(container))
        if isinstance(holder, yaml.MappingNode):
            key = holder.value[place.index][0]
            return Change(self.colon(key), self.line_end(end), " " + empty, emptied)
        if isinstance(holder, yaml.SequenceNode):
            return Change(container.start_mark.index, end, empty, emptied)
        raise EditError("removing the only entry of a document is not a fix")


def _children(node: _Node) -> list[_Node]:
    if isinstance(node, yaml.MappingNode):
        return [child for pair in node.value for child in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _position(node: _Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _is_null(node: _Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and not node.style and node.value in ("", "~", "null", "Null", "NULL")


def _nest(path: Path, value: Any) -> Any:
    """``value`` under the mapping keys of ``path``."""
    for part in reversed(path):
        value = {part: value}
    return value


def _same_container(one: tuple[Any, ...], other: tuple[Any, ...]) -> bool:
    """Two insertions of one key, or an insertion into a collection another change empties."""
    if one[0] == "remove" or other[0] == "remove":
        return False
    return one == other or ((one[0] == "empty" or other[0] == "empty") and one[1] == other[1])


def conflicts(change: Change, accepted: list[Change]) -> bool:
    """Two changes overlap, touch a replaced span, create the same key, or fill what the other empties."""
    if change.key is not None and change.key[0] == "remove":  # removed one by one, a block would be left empty
        removed = sum(1 for other in accepted if other.key is not None and other.key[:2] == change.key[:2])
        if removed + 1 >= change.key[2]:
            return True
    for other in accepted:
        if change.key is not None and other.key is not None and _same_container(change.key, other.key):
            return True
        if change.start == change.end and other.start == other.end:
            continue
        if change.start < other.end and other.start < change.end:
            return True
        if change.start == change.end and other.start < change.start < other.end:
            return True
        if other.start == other.end and change.start < other.start < change.end:
            return True
    return False


def splice(text: str, changes: list[Change]) -> str:
    """The text with non-overlapping changes applied (insertions at one place keep their order)."""
    out = []
    position = 0
    for change in sorted(changes, key=lambda c: (c.start, c.end, -c.column)):
        out.append(text[position : change.start])
        out.append(change.text)
        position = max(position, change.end)
    out.append(text[position:])
    return "".join(out)
