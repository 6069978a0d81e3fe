"""A quick check of rule documents against schemas/policy.schema.json that needs no jsonschema import.

Importing jsonschema costs about 70 ms, more than loading twenty rules; most runs load only valid rule
files.  The keywords the policy schema uses are checked here; a document that fails, or a schema keyword
not known here, goes to jsonschema, which gives the located message.  So this check can only send a
document on to jsonschema, never let through one that jsonschema would refuse.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "title", "description"})
_TYPES: dict[str, Any] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
}


def conforms(instance: Any, schema: Any, root: Any) -> bool:
    """True when ``instance`` surely conforms to ``schema`` (``root`` resolves ``#/$defs/...``)."""
    if schema is True:
        return True
    if not isinstance(schema, dict):
        return False
    for keyword, value in schema.items():
        if keyword in ANNOTATIONS:
            continue
        check = _KEYWORDS.get(keyword)
        if check is None or not check(instance, value, schema, root):
            return False
    return True


def _ref(instance: Any, value: Any, schema: Any, root: Any) -> bool:
    if not isinstance(value, str) or not value.startswith("#/"):
        return False
    target = root
    for part in value[2:].split("/"):
        if not isinstance(target, dict) or part not in target:
            return False
        target = target[part]
    return conforms(instance, target, root)


def _type(instance: Any, value: Any, schema: Any, root: Any) -> bool:
    names = value if isinstance(value, list) else [value]
    return any(name in _TYPES and _TYPES[name](instance) for name in names)


def _properties(instance: Any, value: Any, schema: Any, root: Any) -> bool:
    if not isinstance(instance, dict):
        return True
    return all(conforms(instance[key], sub, root) for key, sub in value.items() if key in instance)


def _additional(instance: Any, value: Any, schema: Any, root: Any) -> bool:
    if not isinstance(instance, dict):
        return True
    if "patternProperties" in schema:
        return False  # not known here
    extra = [key for key in instance if key not in schema.get("properties", {})]
    if value is False:
        return not extra
    return all(conforms(instance[key], value, root) for key in extra)


def _required(instance: Any, value: Any, schema: Any, root: Any) -> bool:
    return not isinstance(instance, dict) or all(key in instance for key in value)


def _items(instance: Any, value: Any, schema: Any, root: Any) -> bool:
    return not isinstance(instance, list) or all(conforms(item, value, root) for item in instance)


def _equal(a: Any, b: Any) -> bool:
    """JSON equality: ``true`` is not ``1``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


@lru_cache(maxsize=32)
def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(text)  # the schema's own patterns (ids, names), as jsonschema applies them


_KEYWORDS: dict[str, Any] = {
    "$ref": _ref,
    "type": _type,
    "properties": _properties,
    "additionalProperties": _additional,
    "required": _required,
    "items": _items,
    "enum": lambda instance, value, schema, root: any(_equal(instance, v) for v in value),
    "const": lambda instance, value, schema, root: _equal(instance, value),
    "minLength": lambda instance, value, schema, root: not isinstance(instance, str) or len(instance) >= value,
    "minItems": lambda instance, value, schema, root: not isinstance(instance, list) or len(instance) >= value,
    "minimum": lambda instance, value, schema, root: not _TYPES["number"](instance) or instance >= value,
    "pattern": lambda instance, value, schema, root: (
        not isinstance(instance, str) or _pattern(value).search(instance) is not None
    ),
}
