"""SARIF 2.1.0 for code-scanning services: one run, a rule per policy that produced a result.

Suppressed findings are results too, with ``suppressions`` (``inSource`` for comments and
annotations, ``external`` for configuration and baselines), so services can show them as
dismissed.  Paths are relative to ``%SRCROOT%`` (the working directory of the run).
"""

from __future__ import annotations

import json
from collections import Counter
from importlib import metadata
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from .. import __version__
from ..baseline import fingerprint
from ..findings import Finding, Report, Suppression
from ..policy import Policy

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "vmlint/v1"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _homepage() -> str | None:
    """The distribution's declared homepage, if it declares one."""
    try:
        meta = metadata.metadata("vmlint")
    except metadata.PackageNotFoundError:
        return None
    entries: list[str] = meta.get_all("Project-URL") or []
    for entry in entries:
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("homepage", "home", "source", "repository"):
            return url.strip()
    homepage: str | None = meta["Home-page"]
    return homepage or None


INFORMATION_URI = _homepage()


def artifact_location(file: str) -> dict[str, str]:
    """A relative path under ``%SRCROOT%``, or a ``file:`` URI for absolute paths."""
    path = PurePosixPath(file)
    if path.is_absolute():
        return {"uri": "file://" + quote(file)}
    return {"uri": quote(file), "uriBaseId": SRCROOT}


def _rule(policy: Policy) -> dict[str, Any]:
    return {
        "id": policy.id,
        "name": policy.name,
        "shortDescription": {"text": policy.summary},
        "fullDescription": {"text": policy.rationale},
        "help": {"text": policy.remediation},
        "defaultConfiguration": {"level": LEVELS.get(policy.severity, "warning")},
        "properties": {
            "tags": [policy.tradeoff],
            "related": {tool: list(ids) for tool, ids in policy.related.items() if ids},
        },
    }


def _result(
    finding: Finding, rule_index: dict[str, int], suppression: Suppression | None, occurrences: Counter[str]
) -> dict[str, Any]:
    message = f"{finding.message} ({finding.object.describe()})" if finding.object else finding.message
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": artifact_location(finding.file),
            "region": {"startLine": max(finding.line, 1), "startColumn": max(finding.column, 1)},
        }
    }
    if finding.object:
        location["logicalLocations"] = [{"fullyQualifiedName": finding.object.describe(), "kind": "resource"}]
    # Identical findings (same object, message and line text) are told apart by occurrence, as GitHub's line hashes are.
    key = fingerprint(finding, finding.file)
    occurrences[key] += 1
    result: dict[str, Any] = {
        "ruleId": finding.policy,
        "ruleIndex": rule_index[finding.policy],
        "level": LEVELS.get(finding.severity, "warning"),
        "message": {"text": message},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: f"{key}:{occurrences[key]}"},
        "properties": {"tradeoff": finding.tradeoff},
    }
    if suppression is not None:
        kind = "inSource" if suppression.via in ("comment", "annotation") else "external"
        entry = {"kind": kind, "status": "accepted"}
        if suppression.justification:
            entry["justification"] = suppression.justification
        result["suppressions"] = [entry]
    return result


def sarif_dict(report: Report) -> dict[str, Any]:
    """The report as a SARIF log."""
    policies = {p.id: p for p in report.policies}
    used = sorted({f.policy for f in report.findings} | {s.finding.policy for s in report.suppressions})
    rules = [_rule(policies[i]) if i in policies else {"id": i} for i in used]
    rule_index = {rule_id: index for index, rule_id in enumerate(used)}
    pairs: list[tuple[Finding, Suppression | None]] = [(f, None) for f in report.findings]
    pairs += [(s.finding, s) for s in report.suppressions]
    pairs.sort(key=lambda pair: pair[0])
    occurrences: Counter[str] = Counter()
    driver: dict[str, Any] = {"name": "vmlint", "version": __version__, "semanticVersion": __version__}
    if INFORMATION_URI:
        driver["informationUri"] = INFORMATION_URI
    driver["rules"] = rules
    notifications = [
        {
            "level": "error",
            "message": {"text": error.message},
            "locations": [{"physicalLocation": {"artifactLocation": artifact_location(error.file)}}],
        }
        for error in report.errors
    ]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "invocations": [
                    {"executionSuccessful": not report.errors, "toolExecutionNotifications": notifications}
                ],
                "originalUriBaseIds": {SRCROOT: {"description": {"text": "The working directory of the run."}}},
                "columnKind": "unicodeCodePoints",
                "results": [_result(f, rule_index, s, occurrences) for f, s in pairs],
            }
        ],
    }


def render(report: Report, color: bool = False) -> str:
    return json.dumps(sarif_dict(report), indent=2) + "\n"
