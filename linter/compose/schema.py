"""Validation against schemas/compose.schema.json: unknown keys and wrong types, with positions.

The schema is vmlint's own and deliberately never stricter than the Compose Specification;
problems are reported as VM008 (see docs/decisions/0007-compose-projects.md).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from typing import Any

from ..source import Path

MAX_PROBLEMS = 50


@lru_cache(maxsize=1)
def _validator() -> Any:
    import jsonschema

    text = resources.files("vmlint.schemas").joinpath("compose.schema.json").read_text(encoding="utf-8")
    return jsonschema.Draft7Validator(json.loads(text))


def _dotted(path: Path) -> str:
    return ".".join(str(part) for part in path) or "the top level"


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "list" if isinstance(value, list) else "mapping" if isinstance(value, dict) else type(value).__name__


def _unexpected(error: Any) -> list[str]:
    schema = error.schema
    allowed = set(schema.get("properties", {}))
    patterns = [re.compile(pattern) for pattern in schema.get("patternProperties", {})]
    return [
        key
        for key in error.instance
        if key not in allowed and not any(pattern.search(str(key)) for pattern in patterns)
    ]


def validate(root: Any) -> Iterator[tuple[Path, str, bool]]:
    """(path, message, at_key) for each schema violation in a Compose file's own content."""
    if root is None:
        return
    errors = sorted(_validator().iter_errors(root), key=lambda e: [str(part) for part in e.absolute_path])
    for count, error in enumerate(errors):
        if count >= MAX_PROBLEMS:
            return
        path: Path = tuple(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            for key in _unexpected(error):
                yield (*path, key), f"unknown key {key!r} in {_dotted(path)}", True
        elif error.validator == "type":
            expected = error.validator_value
            wanted = " or ".join(expected) if isinstance(expected, list) else str(expected)
            yield path, f"{_dotted(path)} should be {wanted}, found {_type_name(error.instance)}", False
        elif error.validator in ("oneOf", "anyOf"):
            yield path, f"{_dotted(path)} has neither a valid short nor a valid long form", False
        else:
            yield path, f"{_dotted(path)}: {error.message}", False
