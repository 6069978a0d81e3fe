"""The JSON output of DESIGN.md, which CI scripts and the other reporters build on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from json.encoder import encode_basestring_ascii
from typing import Any

from .. import __version__, posture
from ..findings import Finding, ObjectRef, Report
from .indented_json import Encoded, dumps


class FindingWriter:
    """Each finding in the documented shape, as ``dumps`` writes it, from a template.

    A report holds tens of thousands of findings of one shape, and the generic encoder's call per value was most
    of the report's time. The parts findings share (a policy's id, name, severity and tradeoff; a file; an object;
    a ``related`` mapping) are encoded once each.
    """

    def __init__(self) -> None:
        self.heads: dict[tuple[str, str, str, str], str] = {}
        self.files: dict[str, str] = {}
        self.objects: dict[int, tuple[ObjectRef | None, str]] = {}
        self.related: dict[int, tuple[Mapping[str, tuple[str, ...]], str]] = {}

    def __call__(self, finding: Finding) -> Encoded:
        head_key = (finding.policy, finding.name, finding.severity, finding.tradeoff)
        head = self.heads.get(head_key)
        if head is None:
            policy, name, severity, tradeoff = map(_text, head_key)
            head = self.heads[head_key] = (
                f'{{\n  "policy": {policy},\n  "name": {name},\n  "severity": {severity},\n  "tradeoff": {tradeoff},\n'
            )
        file = self.files.get(finding.file)
        if file is None:
            file = self.files[finding.file] = _text(finding.file)
        rendered = f',\n  "rendered": {_text(finding.rendered)}' if finding.rendered else ""
        return Encoded(
            f'{head}  "message": {_text(finding.message)},\n  "file": {file},\n'
            f'  "line": {_text(finding.line)},\n  "column": {_text(finding.column)},\n'
            f'  "object": {self.object(finding.object)},\n  "related": {self.relations(finding.related)}{rendered}\n}}'
        )

    def object(self, obj: ObjectRef | None) -> str:
        # Keyed by identity, the object kept beside its text so that the identity stays its own.
        found = self.objects.get(id(obj))
        if found is None or found[0] is not obj:
            found = self.objects[id(obj)] = (obj, _object(obj))
        return found[1]

    def relations(self, related: Mapping[str, tuple[str, ...]]) -> str:
        """A policy's findings share one ``related`` mapping: encoded once, at a finding's depth."""
        found = self.related.get(id(related))
        if found is None or found[0] is not related:
            text = dumps({tool: list(ids) for tool, ids in related.items()}).replace("\n", "\n  ")
            found = self.related[id(related)] = (related, text)
        return found[1]


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
    write = FindingWriter()
    return {
        "tool": {"name": "vmlint", "version": __version__},
        "findings": [write(f) for f in report.findings],
        "errors": [asdict(e) for e in report.errors],
        "summary": asdict(report.summary),
        "posture": posture.of(report).as_dict(),
    }


def render(report: Report, color: bool = False) -> str:
    return dumps(report_dict(report)) + "\n"
