"""The report sorts findings with a key that must order them exactly as ``Finding`` itself compares."""

from __future__ import annotations

from dataclasses import fields

from hypothesis import given
from hypothesis import strategies as st

from vmlint.findings import FINDING_ORDER, Finding

FINDINGS = st.builds(
    Finding,
    file=st.sampled_from(["a.yaml", "b.yaml", "a/b.yaml"]),
    line=st.integers(1, 5),
    column=st.integers(1, 3),
    policy=st.sampled_from(["VM101", "VM102", "VM020"]),
    message=st.text(max_size=3),
)


@given(st.lists(FINDINGS, max_size=12))
def test_key_order_is_the_dataclass_order(findings: list[Finding]) -> None:
    assert sorted(findings, key=FINDING_ORDER) == sorted(findings)


def test_key_names_the_compared_fields() -> None:
    assert FINDING_ORDER(Finding("f", 1, 2, "VM1", "n", "info", "t", "m")) == tuple(
        getattr(Finding("f", 1, 2, "VM1", "n", "info", "t", "m"), f.name) for f in fields(Finding) if f.compare
    )
