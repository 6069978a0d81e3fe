"""The JSON output of DESIGN.md, which CI scripts and the other reporters build on."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from .. import __version__
from ..findings import Finding, Report


def finding_dict(finding: Finding) -> dict[str, Any]:
    """One finding in the documented shape."""
    return {
        "policy": finding.policy,
        "name": finding.name,
        "severity": finding.severity,
        "tradeoff": finding.tradeoff,
        "message": finding.message,
        "file": finding.file,
        "line": finding.line,
        "column": finding.column,
        "object": asdict(finding.object) if finding.object else None,
        "related": {tool: list(ids) for tool, ids in finding.related.items()},
    }


def report_dict(report: Report) -> dict[str, Any]:
    """The whole report in the documented shape."""
    return {
        "tool": {"name": "vmlint", "version": __version__},
        "findings": [finding_dict(f) for f in report.findings],
        "errors": [asdict(e) for e in report.errors],
        "summary": asdict(report.summary),
    }


def render(report: Report, color: bool = False) -> str:
    return json.dumps(report_dict(report), indent=2) + "\n"
