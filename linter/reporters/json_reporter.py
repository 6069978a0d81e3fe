"""The JSON output of DESIGN.md, which CI scripts and the other reporters build on."""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any

from .. import __version__, posture
from ..findings import Finding, ObjectRef, Report
from .indented_json import dumps

_OBJECT_FIELDS = tuple(f.name for f in fields(ObjectRef))


def finding_dict(finding: Finding, related: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """One finding in the documented shape; ``related`` is the already converted ``finding.related``."""
    obj = finding.object
    rendered = {"rendered": finding.rendered} if finding.rendered else {}
    return {
        "policy": finding.policy,
        "name": finding.name,
        "severity": finding.severity,
        "tradeoff": finding.tradeoff,
        "message": finding.message,
        "file": finding.file,
        "line": finding.line,
        "column": finding.column,
        "object": {name: getattr(obj, name) for name in _OBJECT_FIELDS} if obj else None,
        "related": related if related is not None else {tool: list(ids) for tool, ids in finding.related.items()},
        **rendered,
    }


def report_dict(report: Report) -> dict[str, Any]:
    """The whole report in the documented shape."""
    shared: dict[int, dict[str, list[str]]] = {}
    return {
        "tool": {"name": "vmlint", "version": __version__},
        "findings": [finding_dict(f, _related(f, shared)) for f in report.findings],
        "errors": [asdict(e) for e in report.errors],
        "summary": asdict(report.summary),
        "posture": posture.of(report).as_dict(),
    }


def _related(finding: Finding, shared: dict[int, dict[str, list[str]]]) -> dict[str, list[str]]:
    # A policy's findings share one mapping, so the encoder renders it once (see indented_json).
    key = id(finding.related)
    if key not in shared:
        shared[key] = {tool: list(ids) for tool, ids in finding.related.items()}
    return shared[key]


def render(report: Report, color: bool = False) -> str:
    return dumps(report_dict(report)) + "\n"
