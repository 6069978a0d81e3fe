"""Compiled validators: the JSON Schema subset of Kubernetes schemas as a graph of nodes, walked over a document.

Why not ``jsonschema``: it took about 100 ms per Deployment here (see docs/decisions/0011), a thousand times
this walk. A node compiles its children on first use, so only the parts of a schema that documents reach are
ever compiled, and ``$ref`` cycles (a schema that contains itself) are cycles in the graph, not recursion.
Each issue carries the document path it is about; the engine turns that into a line and column.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..source import Path, YMap, YSeq

# The serialisation of resource.Quantity (k8s.io/apimachinery/pkg/api/resource): a number with an optional
# binary (Ki..Ei), decimal (n, u, m, k, M, G, T, P, E) or exponent suffix.
QUANTITY = re.compile(
    r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[KMGTPE]i|[numkMGTPE]|[eE][+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))?"
)
JSON_TYPES = frozenset({"string", "integer", "number", "boolean", "object", "array", "null"})
YAML11_BOOLS = frozenset({"yes", "no", "on", "off", "y", "n", "Yes", "No", "On", "Off", "YES", "NO", "ON", "OFF"})
MAX_PATTERN = 1000


_FAST_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
}
# The Python types ``_has_type`` accepts for each JSON type whatever the value (bool is not an int here),
# with the YAML tree's mapping and sequence types.
_DIRECT_TYPES: dict[str, tuple[type, ...]] = {
    **_FAST_TYPES,
    "object": (dict, YMap),
    "array": (list, YSeq),
}
_MISSING: Any = object()


class SchemaError(Exception):
    """A schema that cannot be used: what is wrong with it."""


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem of a document against its schema; ``kind`` selects the policy id."""

    kind: str  # unknown-field | type | enum | required | quantity | constraint | unusable
    path: Path
    message: str
    key: bool = False


class Node:
    """One compiled schema; children are compiled when first needed."""

    __slots__ = (
        "_children",
        "_items",
        "additional",
        "anything",
        "compiler",
        "constraints",
        "direct",
        "enum",
        "enum_keys",
        "extra",
        "fast",
        "items_raw",
        "nullable",
        "open",
        "preserve",
        "properties",
        "quantity",
        "required",
        "stops",
        "types",
    )

    def __init__(self, compiler: Compiler, schema: Any) -> None:
        self.compiler = compiler
        self._children: dict[str, Node | None] = {}
        self._items: Node | None = None
        self.extra: dict[str, Node] = {}
        self.types: frozenset[str] | None = None
        self.quantity = False
        self.enum: tuple[Any, ...] | None = None
        self.required: tuple[str, ...] = ()
        self.properties: dict[str, Any] | None = None
        self.additional: Any = None
        self.items_raw: Any = None
        self.preserve = False
        self.open = True
        self.nullable = compiler.nullable
        self.constraints: tuple[tuple[str, Any], ...] = ()
        if schema is not True and schema != {}:
            if not isinstance(schema, dict):
                raise SchemaError(f"a schema must be a mapping, not {_value(schema)}")
            self._read(schema)
        self.anything = (
            self.types is None
            and self.properties is None
            and self.open
            and self.items_raw is None
            and self.enum is None
            and not self.constraints
            and not self.required
            and not self.extra
        )
        # Scalars of these Python types are valid here without a closer look (the walk's fast path).
        plain = self.enum is None and not self.quantity and not self.constraints and self.types is not None
        self.fast: frozenset[type] = (
            frozenset(t for name in self.types for t in _FAST_TYPES.get(name, ()))
            if plain and self.types
            else frozenset()
        )
        # Precomputed for the walk: the Python types the node's JSON types take without a closer look, the
        # enum as (type, value) pairs (None: some value cannot be hashed), and whether a mapping's fields stop
        # here (unknown fields kept, none described).
        types: frozenset[str] = self.types or frozenset()
        self.direct: frozenset[type] = frozenset(t for name in types for t in _DIRECT_TYPES[name])
        self.enum_keys: frozenset[tuple[type, Any]] | None = None
        if self.enum is not None:
            try:
                self.enum_keys = frozenset((type(allowed), allowed) for allowed in self.enum)
            except TypeError:
                self.enum_keys = None
        self.stops = self.preserve and self.properties is None and self.additional is None and not self.extra

    def _read(self, schema: dict[str, Any]) -> None:
        types = schema.get("type")
        if isinstance(types, str):
            types = [types]
        if types is not None:
            if not isinstance(types, list) or not all(t in JSON_TYPES for t in types):
                raise SchemaError(f"type {types!r} is not a JSON Schema type")
            if "null" in types:
                self.nullable = True
            self.types = frozenset(t for t in types if t != "null") or None
        if schema.get("x-kubernetes-int-or-string") is True:
            self.types = frozenset({"integer", "string"})
        if schema.get("format") == "quantity":
            self.types, self.quantity = frozenset({"integer", "number", "string"}), True
        if schema.get("nullable") is True:
            self.nullable = True
        enum = schema.get("enum")
        if isinstance(enum, list):
            self.enum = tuple(enum)
        required = schema.get("required")
        if isinstance(required, list):
            self.required = tuple(str(name) for name in required)
        properties = schema.get("properties")
        if properties is not None and not isinstance(properties, dict):
            raise SchemaError("properties must be a mapping")
        self.properties = properties
        self.additional = schema.get("additionalProperties")
        self.items_raw = schema.get("items")
        self.preserve = schema.get("x-kubernetes-preserve-unknown-fields") is True
        self.open = self.preserve or (self.compiler.open and self.additional is None)
        if schema.get("x-kubernetes-embedded-resource") is True and self.compiler.embedded:
            self.extra = self.compiler.embedded
        self.constraints = _constraints(schema)

    def child(self, name: str) -> Node | None:
        """The node for field ``name``; None when the field is unknown here."""
        if name in self._children:
            return self._children[name]
        node: Node | None
        if name in self.extra:
            node = self.extra[name]
        elif self.properties is not None and name in self.properties:
            node = self.compiler.node(self.properties[name])
        elif isinstance(self.additional, dict) or self.additional is True:
            node = self.compiler.node(self.additional)
        elif self.open and self.additional is not False:
            node = self.compiler.node(True)
        else:
            node = None
        self._children[name] = node
        return node

    def items(self) -> Node:
        if self._items is None:
            self._items = self.compiler.node(self.items_raw if self.items_raw is not None else True)
        return self._items

    def field_names(self) -> list[str]:
        return [*(self.properties or {}), *self.extra]


def _constraints(schema: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    """The value checks of a custom resource schema (pattern, bounds, lengths)."""
    found: list[tuple[str, Any]] = []
    for key in ("minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems", "minProperties"):
        value = schema.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            found.append((key, value))
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        if len(pattern) > MAX_PATTERN:
            raise SchemaError(f"a pattern of {len(pattern)} characters is longer than {MAX_PATTERN}")
        try:
            found.append(("pattern", re.compile(pattern)))
        except re.error as error:
            raise SchemaError(f"pattern {pattern!r} is not a valid regular expression: {error}") from None
    return tuple(found)


class Compiler:
    """Turns schema mappings into nodes, each mapping once; ``resolve`` follows a ``$ref``.

    ``closed``: whether an object schema without ``additionalProperties`` rejects unknown fields (CRD
    structural schemas, where Kubernetes prunes them) or accepts them (JSON Schema files).
    ``nullable``: whether null is accepted
    where a schema does not say (built-in objects: null means unset).
    """

    def __init__(
        self, resolve: Callable[[str], Any] | None = None, *, closed: bool = False, nullable: bool = False
    ) -> None:
        self.resolve = resolve
        self.open = not closed
        self.nullable = nullable
        self.embedded: dict[str, Node] = {}
        self.memo: dict[int, Node] = {}
        self.keep: list[Any] = []  # the schemas memo's ids refer to stay alive

    def node(self, schema: Any) -> Node:
        schema = self._follow(schema)
        key = id(schema)
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = Node(self, schema)
            self.keep.append(schema)
        return found

    def _follow(self, schema: Any) -> Any:
        seen: set[str] = set()
        while isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            ref = schema["$ref"]
            if ref in seen:
                raise SchemaError(f"$ref {ref} refers to itself")
            if self.resolve is None:
                raise SchemaError(f"$ref {ref}: a CustomResourceDefinition schema cannot use $ref")
            seen.add(ref)
            schema = self.resolve(ref)
        return schema


def validate(node: Node, value: Any) -> list[Issue]:
    """Every issue of ``value`` against ``node``."""
    issues: list[Issue] = []
    try:
        _walk(node, value, (), issues, set())
    except RecursionError:
        issues.append(Issue("unusable", (), "the document nests too deeply to be validated"))
    except SchemaError as error:  # a part of the schema no earlier document reached
        issues.append(Issue("unusable", (), f"the schema cannot be used: {error}"))
    return issues


def _walk(node: Node, value: Any, path: Path, issues: list[Issue], seen: set[tuple[int, int]]) -> None:
    if value is None:
        if not node.nullable and node.types is not None:
            issues.append(Issue("type", path, f"{_where(path)} must be {_expected(node)}, not null"))
        return
    types = node.types
    if types is not None and type(value) not in node.direct and not _has_type(value, types):
        kind = "quantity" if node.quantity else "type"
        issues.append(Issue(kind, path, f"{_where(path)} must be {_expected(node)}, not {_value(value)}"))
        return
    if (
        node.enum is not None
        and not (value == "" and node.nullable)  # built-ins: the zero value is unset, and defaulted
        and not _allowed(node, value)
    ):
        allowed = ", ".join(str(a) if a != "" else '""' for a in node.enum)
        close = suggest(str(value), [str(a) for a in node.enum])
        hint = f"; did you mean {close}?" if close else ""
        issues.append(Issue("enum", path, f"{_where(path)} must be one of {allowed}, not {_value(value)}{hint}"))
        return
    if node.quantity and isinstance(value, str) and not QUANTITY.fullmatch(value):
        issues.append(
            Issue("quantity", path, f"{_where(path)}: {_value(value)} is not a quantity (e.g. 250m, 0.5, 512Mi, 2Gi)")
        )
        return
    if node.constraints:
        _constrain(node, value, path, issues)
    if isinstance(value, dict):
        mark = (id(value), id(node))
        if mark in seen:  # a YAML alias reached again: checked once
            return
        seen.add(mark)
        for name in node.required:
            if name not in value:
                issues.append(Issue("required", path, f"{_where(path)} is missing the required field {name}"))
        if node.stops:
            return
        children = node._children
        for name, item in value.items():
            child = children.get(name, _MISSING)
            if child is _MISSING:
                child = node.child(name)
            if child is None:
                close = suggest(str(name), node.field_names())
                hint = f"; did you mean {close}?" if close else ""
                issues.append(Issue("unknown-field", (*path, name), f"{_where(path)} has no field {name}{hint}", True))
            elif not child.anything and type(item) not in child.fast:
                _walk(child, item, (*path, name), issues, seen)
    elif isinstance(value, list):
        items = node.items()
        if not items.anything:
            mark = (id(value), id(node))
            if mark in seen:
                return
            seen.add(mark)
            fast = items.fast
            for index, item in enumerate(value):
                if type(item) not in fast:
                    _walk(items, item, (*path, index), issues, seen)


def _allowed(node: Node, value: Any) -> bool:
    """Whether ``value`` is one of the node's enum values, of the same type (1 is not 1.0, nor true)."""
    if node.enum_keys is not None:
        try:
            return (type(value), value) in node.enum_keys
        except TypeError:  # a mapping or a list, which no hashable enum value equals
            return False
    return any(value == allowed and type(value) is type(allowed) for allowed in node.enum or ())


def _has_type(value: Any, types: frozenset[str]) -> bool:
    if isinstance(value, bool):
        return "boolean" in types
    if isinstance(value, str):
        return "string" in types or ("boolean" in types and value in YAML11_BOOLS)
    if isinstance(value, int):
        return "integer" in types or "number" in types
    if isinstance(value, float):
        return "number" in types or ("integer" in types and value.is_integer())
    if isinstance(value, dict):
        return "object" in types
    if isinstance(value, list):
        return "array" in types
    return True


def _constrain(node: Node, value: Any, path: Path, issues: list[Issue]) -> None:
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    for key, limit in node.constraints:
        problem = ""
        if key == "pattern" and isinstance(value, str) and not limit.search(value):
            problem = f"does not match the pattern {limit.pattern}"
        elif key == "minimum" and number and value < limit:
            problem = f"is {value}, below the minimum {limit:g}"
        elif key == "maximum" and number and value > limit:
            problem = f"is {value}, above the maximum {limit:g}"
        elif key == "minLength" and isinstance(value, str) and len(value) < limit:
            problem = f"is shorter than {limit:g} characters"
        elif key == "maxLength" and isinstance(value, str) and len(value) > limit:
            problem = f"is longer than {limit:g} characters"
        elif key == "minItems" and isinstance(value, list) and len(value) < limit:
            problem = f"has fewer than {limit:g} items"
        elif key == "maxItems" and isinstance(value, list) and len(value) > limit:
            problem = f"has more than {limit:g} items"
        elif key == "minProperties" and isinstance(value, dict) and len(value) < limit:
            problem = f"has fewer than {limit:g} fields"
        if problem:
            issues.append(Issue("constraint", path, f"{_where(path)} {problem}"))


def suggest(name: str, candidates: list[str]) -> str | None:
    """The candidate ``name`` was probably meant to be: same letters in another case, or a close spelling."""
    lowered = name.lower()
    for candidate in candidates:
        if candidate.lower() == lowered:
            return candidate
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.75)
    return close[0] if close else None


def _where(path: Path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the object"


_EXPECTED = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "object": "a mapping",
    "array": "a list",
}


def _expected(node: Node) -> str:
    if node.quantity:
        return "a quantity (a number, or a string such as 250m or 1Gi)"
    if node.types is None:
        return "a value"
    if node.types == {"integer", "string"}:
        return "an integer or a string"
    return " or ".join(_EXPECTED[t] for t in sorted(node.types))


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f'the string "{shown}"'
    if isinstance(value, (int, float)):
        return f"the number {value:g}" if isinstance(value, float) else f"the number {value}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__
