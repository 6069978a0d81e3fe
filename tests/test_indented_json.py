"""The fast indented encoder writes exactly what json.dumps(value, indent=2) writes."""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vmlint.findings import FileResult, Finding, ObjectRef, Report
from vmlint.reporters.indented_json import Encoded, dumps
from vmlint.reporters.json_reporter import render

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


@given(DATA, st.sampled_from(["", "  ", "      "]))
def test_encoded_text_is_inserted_indented(value: Any, pad: str) -> None:
    tree = {"a": [Encoded(json.dumps(value, indent=2)), 1], "b": Encoded(json.dumps(value, indent=2))}
    nested = {"x": tree} if pad else tree
    assert dumps(nested) == json.dumps(
        {"x": {"a": [value, 1], "b": value}} if pad else {"a": [value, 1], "b": value}, indent=2
    )


TEXT = st.text(max_size=12)
FINDINGS = st.builds(
    Finding,
    file=TEXT,
    line=st.integers(0, 10**6),
    column=st.integers(0, 500),
    policy=TEXT,
    name=TEXT,
    severity=TEXT,
    tradeoff=TEXT,
    message=TEXT,
    object=st.none() | st.builds(ObjectRef, TEXT, TEXT, TEXT, st.none() | TEXT, st.none() | TEXT),
    related=st.dictionaries(TEXT, st.lists(TEXT, max_size=3).map(tuple), max_size=3),
    rendered=st.sampled_from(["", "helm", "kustomize"]),
)


def _expected(finding: Finding) -> dict[str, Any]:
    obj = finding.object
    expected: dict[str, Any] = {
        "policy": finding.policy,
        "name": finding.name,
        "severity": finding.severity,
        "tradeoff": finding.tradeoff,
        "message": finding.message,
        "file": finding.file,
        "line": finding.line,
        "column": finding.column,
        "object": None if obj is None else asdict(obj),
        "related": {tool: list(ids) for tool, ids in finding.related.items()},
    }
    if finding.rendered:
        expected["rendered"] = finding.rendered
    return expected


@given(FINDINGS, FINDINGS, TEXT)
def test_finding_template_writes_what_json_dumps_writes(first: Finding, other: Finding, message: str) -> None:
    # The writer encodes what findings share once: a second finding of the same policy, file, object and
    # related mapping (as one workload's findings are) and an unrelated one must come out as themselves.
    sibling = replace(first, line=first.line + 1, message=message)
    report = Report.from_results([FileResult("f.yaml", findings=(first, sibling, other))])
    text = render(report)
    assert json.loads(text)["findings"] == [_expected(f) for f in report.findings]
    assert text == json.dumps(json.loads(text), indent=2) + "\n"
