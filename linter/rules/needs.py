"""Which parts of ``object`` and ``workload`` expressions read, and copies of the data with only those parts.

Handing a document to CEL converts all of it, so a rule that reads ``object.metadata.name`` would pay for
the whole Deployment.  From the checked syntax tree each use of a variable is followed down its chain of
field selections and constant indexes (``object.spec.?replicas``, ``c.image`` for ``c`` ranging over
``object.spec.containers``); where the chain ends, that value is needed whole (``has(object.spec)`` needs
only that ``spec`` is there).  ``prune`` copies a
document keeping every needed path with its structure: map keys stay where a map is iterated, list
lengths always stay, and what no expression can observe becomes ``null``.  Any use the analysis does
not follow (the variable passed whole, a computed index) needs the whole value, so evaluating on the
copy gives the same results as on the document.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import ast
from .views import plain

EACH = "*"  # the elements of a list, or the values of a map, as a comprehension ranges over them
_INDEXES = frozenset({"_[_]", "_?._", "_[?_]"})


@dataclass(slots=True)
class Need:
    """A value as far as expressions read it: whole, or some of its fields, indexes and elements."""

    whole: bool = False
    parts: dict[str | int, Need] = field(default_factory=dict)

    def at(self, path: Iterable[str | int]) -> Need:
        """The need at ``path`` below this one, made on the way."""
        node = self
        for part in path:
            if node.whole:
                return node
            node = node.parts.setdefault(part, Need())
        return node

    def merge(self, other: Need) -> None:
        if other.whole:
            self.whole, self.parts = True, {}
        elif not self.whole:
            for key, need in other.parts.items():
                self.parts.setdefault(key, Need()).merge(need)

    def keys(self) -> frozenset[str] | None:
        """The fields of a map needed here, None when all are (whole, or every value)."""
        if self.whole or EACH in self.parts:
            return None
        return frozenset(key for key in self.parts if isinstance(key, str))

    def below(self, key: str) -> Need:
        """The need of ``key``'s value: its own and that of every value."""
        found = Need()
        for part in (key, EACH):
            if part in self.parts:
                found.merge(self.parts[part])
        return found


WHOLE = Need(whole=True)


def needs(programs: Iterable[ast.Node], roots: frozenset[str]) -> dict[str, Need]:
    """For each of ``roots`` that the syntax trees read, what of it they read."""
    found: dict[str, Need] = {}
    for tree in programs:
        _visit(tree, {}, roots, found)
    return found


Binding = tuple[str, tuple[str | int, ...]] | None  # a variable's root and path, None when not a document path


def _path(node: ast.Node, scope: Mapping[str, Binding], roots: frozenset[str]) -> Binding:
    """The (root, path) a chain of selections and constant indexes reads, None when it is no such chain."""
    if node.kind == ast._IDENT:
        if node.name in scope:
            return scope[node.name]
        return (node.name, ()) if node.name in roots else None
    if node.kind == ast._SELECT and node.children:
        inner = _path(node.children[0], scope, roots)
        return (inner[0], (*inner[1], node.name)) if inner else None
    if node.kind == ast._CALL and node.name in _INDEXES and len(node.children) == 2:
        index = node.children[1]
        if index.kind == 0 and index.value is not None:
            inner = _path(node.children[0], scope, roots)
            return (inner[0], (*inner[1], index.value)) if inner else None
    return None


def _visit(node: ast.Node, scope: dict[str, Binding], roots: frozenset[str], found: dict[str, Need]) -> None:
    if node.kind == ast._SELECT and node.test_only and node.children:  # ``has(x.f)``: only whether ``f`` is there
        operand = _path(node.children[0], scope, roots)
        if operand is not None:
            found.setdefault(operand[0], Need()).at((*operand[1], node.name))
            return
    path = _path(node, scope, roots)
    if path is not None:  # the end of a chain: needed whole
        found.setdefault(path[0], Need()).at(path[1]).merge(WHOLE)
        return
    if node.kind == ast._COMPREHENSION:
        iter_range, *rest = node.loop
        ranged = None if node.iter_var2 else _path(iter_range, scope, roots)
        if ranged is None:
            _visit(iter_range, scope, roots, found)
        else:  # the range keeps its length and keys; its elements are needed as the body reads them
            found.setdefault(ranged[0], Need()).at((*ranged[1], EACH))
        inner = {**scope, node.iter_var: (ranged[0], (*ranged[1], EACH)) if ranged else None}
        if node.iter_var2:  # two variables (an index or key, and a value): the range was needed whole
            inner[node.iter_var2] = None
        for part in rest:
            _visit(part, inner, roots, found)
        return
    for child in node.children:
        _visit(child, scope, roots, found)


@dataclass(frozen=True, slots=True)
class Plan:
    """A ``Need`` made ready for copying: each key's and index's need merged with that of every element."""

    whole: bool = False
    keys: tuple[str, ...] | None = None  # the fields of a map to keep (None: every key)
    fields: Mapping[str, Plan] = field(default_factory=dict)
    each: Plan | None = None  # the need of every element or value
    indexes: Mapping[int, Plan] = field(default_factory=dict)


WHOLE_PLAN = Plan(whole=True)


def plan(need: Need) -> Plan:
    """The copying plan for ``need``."""
    if need.whole:
        return WHOLE_PLAN
    each = need.parts.get(EACH)
    keys = need.keys()
    return Plan(
        keys=None if keys is None else tuple(sorted(keys)),
        fields={key: plan(need.below(key)) for key in need.parts if isinstance(key, str) and key != EACH},
        each=None if each is None else plan(each),
        indexes={i: plan(_element(need, i, each)) for i in need.parts if isinstance(i, int)},
    )


def prune(value: Any, how: Plan) -> Any:
    """A plain copy of ``value`` (dicts, lists, scalars) with what the plan keeps; the rest left out."""
    if how.whole:
        return value if value is None or type(value) in _SCALARS else plain(value)
    if isinstance(value, Mapping):
        if not all(type(key) is str for key in value):
            return prune(plain(value), how)  # keys as CEL sees them
        if how.keys is not None:
            return {key: prune(value[key], how.fields[key]) for key in how.keys if key in value}
        values = how.each or Plan()
        return {key: prune(item, how.fields.get(key, values)) for key, item in value.items()}
    if isinstance(value, list):
        each = how.each
        if not how.indexes and each is not None:
            return [prune(item, each) for item in value]
        return [_item(how, index, item) for index, item in enumerate(value)]
    return _scalar(value)


def _item(how: Plan, index: int, item: Any) -> Any:
    chosen = how.indexes.get(index) or how.each
    return None if chosen is None else prune(item, chosen)


def _element(need: Need, index: int, each: Need | None) -> Need:
    found = Need()
    for part in (need.parts.get(index), each):
        if part is not None:
            found.merge(part)
    return found


_SCALARS = frozenset({str, bool, int, float})


def _scalar(value: Any) -> Any:
    return value if value is None or type(value) in _SCALARS else plain(value)
