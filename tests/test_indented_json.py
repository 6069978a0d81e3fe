"""The fast indented encoder writes exactly what json.dumps(value, indent=2) writes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vmlint.reporters.indented_json import dumps

SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
KEYS = st.text() | st.integers() | st.booleans() | st.none() | st.floats(allow_nan=False)
DATA = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.tuples(children, children) | st.dictionaries(KEYS, children, max_size=4)
    ),
    max_leaves=30,
)


@given(DATA)
def test_same_text_as_json_dumps(value: Any) -> None:
    assert dumps(value) == json.dumps(value, indent=2)


@given(DATA)
def test_shared_containers_at_several_depths(value: Any) -> None:
    # The same object reused (as findings share their policy's related mapping) renders like copies.
    shared = [value, {"a": value}, [value, value]]
    tree = {"x": shared, "y": [shared, {"z": shared}], "w": value}
    assert dumps(tree) == json.dumps(tree, indent=2)


def test_not_json_data_is_refused_like_json() -> None:
    with pytest.raises(TypeError):
        dumps({"a": object()})
    with pytest.raises(TypeError):
        dumps({("tuple", "key"): 1})
