"""The compiled validator's precomputed checks (enum sets, direct types) answer as the full checks do."""

from __future__ import annotations

from typing import Any

import pytest

from vmlint.schema.validator import Compiler, validate
from vmlint.source import YMap, YSeq


def _kinds(schema: dict[str, Any], value: Any) -> list[tuple[str, tuple[str | int, ...]]]:
    return [(issue.kind, issue.path) for issue in validate(Compiler().node(schema), value)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a", []),
        (1, []),
        (1.0, [("enum", ("x",))]),  # same value, another type
        (True, [("enum", ("x",))]),  # True == 1, but a boolean is not the integer 1
        ("b", [("enum", ("x",))]),
        ([1], [("enum", ("x",))]),  # an unhashable value is no enum value
        ({"a": 1}, [("enum", ("x",))]),
    ],
)
def test_enum_values_match_by_value_and_type(value: Any, expected: list[tuple[str, tuple[str | int, ...]]]) -> None:
    assert _kinds({"properties": {"x": {"enum": ["a", 1]}}}, {"x": value}) == expected


@pytest.mark.parametrize(("value", "expected"), [({"k": 1}, []), ([1], []), ("k", [("enum", ("x",))])])
def test_an_enum_with_unhashable_values_still_matches(
    value: Any, expected: list[tuple[str, tuple[str | int, ...]]]
) -> None:
    assert _kinds({"properties": {"x": {"enum": [{"k": 1}, [1]]}}}, {"x": value}) == expected


def test_yaml_tree_containers_are_mappings_and_lists_and_still_walked() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "array", "items": {"type": "integer"}}}}
    document = YMap(1, 1)
    document["a"] = items = YSeq(2, 3)
    items.extend([1, "two"])
    assert _kinds(schema, document) == [("type", ("a", 1))]
    assert _kinds({"properties": {"a": {"type": "object"}}}, {"a": YSeq(1, 1)}) == [("type", ("a",))]
