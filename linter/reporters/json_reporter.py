"""The JSON output of DESIGN.md, which CI scripts and the other reporters build on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from json.encoder import encode_basestring_ascii
from typing import Any

from .. import __version__, posture
from ..findings import Finding, ObjectRef, Report
from .indented_json import Encoded, dumps


def finding_json(finding: Finding, related: Encoded) -> Encoded:
    """One finding in the documented shape, as ``dumps`` writes it; ``related`` is its encoded ``related``.

    Written from a template: a report holds tens of thousands of findings of one shape, and the generic
    encoder's call per value was most of the report's time.
    """
    rendered = f',\n  "rendered": {_text(finding.rendered)}' if finding.rendered else ""
    return Encoded(
        f'{{\n  "policy": {_text(finding.policy)},\n  "name": {_text(finding.name)},\n'
        f'  "severity": {_text(finding.severity)},\n  "tradeoff": {_text(finding.tradeoff)},\n'
        f'  "message": {_text(finding.message)},\n  "file": {_text(finding.file)},\n'
        f'  "line": {_text(finding.line)},\n  "column": {_text(finding.column)},\n'
        f'  "object": {_object(finding.object)},\n  "related": {related}{rendered}\n}}'
    )


def _object(obj: ObjectRef | None) -> str:
    if obj is None:
        return "null"
    return (
        f'{{\n    "format": {_text(obj.format)},\n    "kind": {_text(obj.kind)},\n    "name": {_text(obj.name)},\n'
        f'    "namespace": {_text(obj.namespace)},\n    "unit": {_text(obj.unit)}\n  }}'
    )


def _text(value: object) -> str:
    """A scalar as JSON: the common str and int without a call into the generic encoder."""
    kind = type(value)
    if kind is str:
        return encode_basestring_ascii(value)  # type: ignore[arg-type]
    if kind is int:
        return int.__repr__(value)
    return dumps(value)


def report_dict(report: Report) -> dict[str, Any]:
    """The whole report in the documented shape, findings already encoded."""
    shared: dict[int, Encoded] = {}
    return {
        "tool": {"name": "vmlint", "version": __version__},
        "findings": [finding_json(f, _related(f.related, shared)) for f in report.findings],
        "errors": [asdict(e) for e in report.errors],
        "summary": asdict(report.summary),
        "posture": posture.of(report).as_dict(),
    }


def _related(related: Mapping[str, tuple[str, ...]], shared: dict[int, Encoded]) -> Encoded:
    # A policy's findings share one mapping: it is encoded once, at a finding's "related" depth.
    key = id(related)
    if key not in shared:
        text = dumps({tool: list(ids) for tool, ids in related.items()})
        shared[key] = Encoded(text.replace("\n", "\n  "))
    return shared[key]


def render(report: Report, color: bool = False) -> str:
    return dumps(report_dict(report)) + "\n"
