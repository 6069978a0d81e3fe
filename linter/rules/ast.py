"""What a compiled expression reads and how much it may cost, from its checked syntax tree.

cel-expr-python serialises a compiled expression as a ``google.protobuf.Any`` holding a
``cel.expr.CheckedExpr``; the few fields read here are decoded from the protobuf wire format
directly, so no protobuf runtime is needed.  Field numbers follow cel-spec's ``syntax.proto``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

_VARINT, _I64, _LEN, _I32 = 0, 1, 2, 5
# Expr: 3 const, 4 ident, 5 select, 6 call, 7 list, 8 struct, 9 comprehension.
_CONST, _IDENT, _SELECT, _CALL, _LIST, _STRUCT, _COMPREHENSION = 3, 4, 5, 6, 7, 8, 9
ITERATIONS = 10_000  # cel-expr-python's cap on comprehension iterations per evaluation
SCAN_CHARACTERS_PER_STEP = 64
# Functions whose work grows with the length of their operands (strings, lists).
SCANNING = frozenset(
    {
        "matches",
        "find",
        "findAll",
        "contains",
        "startsWith",
        "endsWith",
        "indexOf",
        "lastIndexOf",
        "replace",
        "split",
        "join",
        "lowerAscii",
        "upperAscii",
        "trim",
        "format",
        "quote",
        "reverse",
        "substring",
        "charAt",
        "_+_",
        "sort",
        "sum",
        "min",
        "max",
        "isSorted",
        "distinct",
        "flatten",
        "sortBy",
        "sets.contains",
        "sets.equivalent",
        "sets.intersects",
    }
)


def _fields(data: bytes) -> Iterator[tuple[int, bytes | int]]:
    """(field number, value) pairs of one message: ints for varints, bytes for the rest."""
    position, end = 0, len(data)
    while position < end:
        key, position = _varint(data, position)
        number, wire = key >> 3, key & 7
        if wire == _VARINT:
            value, position = _varint(data, position)
            yield number, value
        elif wire == _LEN:
            size, position = _varint(data, position)
            yield number, data[position : position + size]
            position += size
        elif wire == _I64:
            position += 8
        elif wire == _I32:
            position += 4
        else:  # groups are not used by CheckedExpr
            raise ValueError(f"unexpected protobuf wire type {wire}")


def _varint(data: bytes, position: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, position
        shift += 7


@dataclass(slots=True)
class Node:
    """One expression node: its kind and what the estimate needs of it."""

    kind: int
    name: str = ""  # identifier, selected field or called function
    children: list[Node] = field(default_factory=list)
    # Comprehensions: iter_range, accu_init, loop_condition, loop_step, result (in that order).
    loop: tuple[Node, ...] = ()
    iter_var: str = ""
    value: str | int | None = None  # a string or non-negative int constant's value (field and index names)
    iter_var2: str = ""  # a two-variable comprehension's second variable (``all(k, v, ...)``)
    test_only: bool = False  # a selection inside ``has()``: only whether the field is there


def _node(data: bytes) -> Node:
    for number, value in _fields(data):
        if not isinstance(value, bytes):
            continue
        if number == _CONST:
            return Node(0, value=_constant(value))
        if number == _IDENT:
            return Node(_IDENT, _text(value, 1))
        if number == _SELECT:
            selected = dict(_fields(value))
            operand = selected.get(1)
            child = [_node(operand)] if isinstance(operand, bytes) else []
            return Node(_SELECT, _text(value, 2), child, test_only=selected.get(3) == 1)
        if number == _CALL:
            children = [_node(v) for n, v in _fields(value) if n in (1, 3) and isinstance(v, bytes)]
            return Node(_CALL, _text(value, 2), children)
        if number == _LIST:
            return Node(_LIST, "", [_node(v) for n, v in _fields(value) if n == 1 and isinstance(v, bytes)])
        if number == _STRUCT:
            children = []
            for n, entry in _fields(value):
                if n == 2 and isinstance(entry, bytes):
                    children += [_node(v) for m, v in _fields(entry) if m in (3, 4) and isinstance(v, bytes)]
            return Node(_STRUCT, "", children)
        if number == _COMPREHENSION:
            parts: dict[int, bytes] = {n: v for n, v in _fields(value) if isinstance(v, bytes)}
            loop = tuple(_node(parts[n]) if n in parts else Node(0) for n in (2, 4, 5, 6, 7))
            names = (parts.get(1, b"").decode(), parts.get(8, b"").decode())
            return Node(_COMPREHENSION, "", [], loop, names[0], iter_var2=names[1])
    return Node(0)  # a constant


def _constant(data: bytes) -> str | int | None:
    """A ``Constant``'s string (6) or int64/uint64 (3, 4) value when it is one and not negative."""
    for number, value in _fields(data):
        if number == 6 and isinstance(value, bytes):
            return value.decode("utf-8", "replace")
        if number in (3, 4) and isinstance(value, int) and value < 2**63:
            return value
    return None


def _text(data: bytes, number: int) -> str:
    for n, value in _fields(data):
        if n == number and isinstance(value, bytes):
            return value.decode("utf-8", "replace")
    return ""


def parse_serialized(serialized: bytes) -> Node:
    """The root node of a serialised ``Any(CheckedExpr)``."""
    inner = next((v for n, v in _fields(serialized) if n == 2 and isinstance(v, bytes)), serialized)
    expr = next((v for n, v in _fields(inner) if n == 4 and isinstance(v, bytes)), b"")
    return _node(expr)


def references(root: Node) -> frozenset[str]:
    """Identifiers the expression reads (comprehension variables included)."""
    found: set[str] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if node.kind == _IDENT:
            found.add(node.name)
        stack.extend(node.children)
        stack.extend(node.loop)
    return frozenset(found)


def needs_estimate(root: Node) -> bool:
    """Whether the cost can grow faster than the data: nested comprehensions, or one whose body scans
    strings or lists (the rest is linear, and cel-expr-python caps iterations at 10,000)."""

    def walk(node: Node, in_loop: bool) -> bool:
        if node.kind == _COMPREHENSION:
            if in_loop:
                return True
            return any(walk(part, index > 0) for index, part in enumerate(node.loop))
        if in_loop and node.kind == _CALL and node.name in SCANNING and not _against_constant(node):
            return True
        return any(walk(child, in_loop) for child in node.children)

    return walk(root, False)


def _against_constant(node: Node) -> bool:
    """``s.startsWith('x')``, ``s.endsWith('x')``: work bounded by the constant, not by ``s``."""
    return node.name in ("startsWith", "endsWith") and len(node.children) == 2 and node.children[1].kind == 0


def fields_of(root: Node, variable: str) -> frozenset[str] | None:
    """The fields selected on ``variable``, or None when it is also used whole (``[workload]``)."""
    found: set[str] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if node.kind == _SELECT and node.children and node.children[0].kind == _IDENT:
            if node.children[0].name == variable:
                found.add(node.name)
                continue
        elif node.kind == _IDENT and node.name == variable:
            return None
        stack.extend(node.children)
        stack.extend(node.loop)
    return frozenset(found)


def selected_fields(root: Node, variable: str) -> frozenset[str]:
    """Fields selected directly on ``variable`` (``variables.foo`` -> ``foo``)."""
    found: set[str] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if (
            node.kind == _SELECT
            and node.children
            and node.children[0].kind == _IDENT
            and node.children[0].name == variable
        ):
            found.add(node.name)
        stack.extend(node.children)
        stack.extend(node.loop)
    return frozenset(found)


@dataclass(frozen=True, slots=True)
class Sizes:
    """Bounds on the data an evaluation sees: the longest list or map and the longest string of one document,
    and the number of documents in the run."""

    document: int
    text: int
    objects: int


def estimate(root: Node, sizes: Sizes, variables: dict[str, tuple[int, int]] | None = None) -> tuple[int, int]:
    """(cost, size): an upper estimate of the steps an evaluation takes, and of the length of its value.

    One step per node; a comprehension costs its range's length times its body.  Lengths come from
    ``sizes`` (``objects`` is as long as the run; anything read from a document is at most its longest
    collection); concatenation adds lengths.  ``variables`` gives the (cost, size) of composition
    variables, whose cost counts once, as they are evaluated once per object.
    """
    known = variables or {}
    counted: set[str] = set()

    def walk(node: Node, bound: dict[str, int]) -> tuple[int, int]:
        if node.kind == _IDENT:
            if node.name == "objects":
                return 1, sizes.objects
            return 1, bound.get(node.name, sizes.document)
        if node.kind == _SELECT:
            operand = node.children[0] if node.children else Node(0)
            if operand.kind == _IDENT and operand.name == "variables" and node.name in known:
                cost, size = known[node.name]
                extra = 0 if node.name in counted else cost
                counted.add(node.name)
                return 1 + extra, size
            cost, size = walk(operand, bound)
            return 1 + cost, size
        if node.kind == _COMPREHENSION:
            iter_range, init, condition, step, result = node.loop
            range_cost, range_size = walk(iter_range, bound)
            element = sizes.document if _reads_objects(iter_range) else range_size
            inner = {**bound, node.iter_var: element, "@result": range_size, "__result__": range_size}
            init_cost, _ = walk(init, inner)
            body = walk(condition, inner)[0] + walk(step, inner)[0]
            result_cost, _ = walk(result, inner)
            return range_cost + init_cost + range_size * body + result_cost, range_size
        parts = [walk(child, bound) for child in node.children]
        cost = 1 + sum(c for c, _ in parts)
        if node.kind == _CALL and node.name in SCANNING:  # work proportional to the operands' length
            cost += len(parts) * _scan(sizes)
        size = sum(s for _, s in parts) + len(parts) if node.kind in (_LIST, _STRUCT) else sum(s for _, s in parts)
        return cost, max(size, 1)

    cost, size = walk(root, {})
    # cel-expr-python stops after 10,000 iterations, so no evaluation costs more than that many passes.
    nodes, scans = _counts(root)
    return min(cost, ITERATIONS * (nodes + scans * _scan(sizes))), size


def _scan(sizes: Sizes) -> int:
    """Steps to scan the longest string or list once (a step is worth about 64 characters)."""
    return max(sizes.text, sizes.document) // SCAN_CHARACTERS_PER_STEP + 1


def _counts(root: Node) -> tuple[int, int]:
    nodes = scans = 0
    stack = [root]
    while stack:
        node = stack.pop()
        nodes += 1
        scans += node.kind == _CALL and node.name in SCANNING
        stack.extend(node.children)
        stack.extend(node.loop)
    return nodes, scans


def _reads_objects(node: Node) -> bool:
    return node.kind == _IDENT and node.name == "objects"
