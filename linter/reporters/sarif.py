"""SARIF 2.1.0 for code-scanning services: one run, a rule per policy that produced a result.

Suppressed findings are results too, with ``suppressions`` (``inSource`` for comments and
annotations, ``external`` for configuration and baselines), so services can show them as
dismissed.  Paths are relative to ``%SRCROOT%``, the repository root (the nearest folder with ``.git`` above
the working directory), as code scanning resolves them.  Rules of the isolation and security families carry
the ``security`` tag and a ``security-severity`` score, which code scanning shows as a security alert.
"""

from __future__ import annotations

import os
from collections import Counter
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .. import __version__
from ..baseline import fingerprint
from ..findings import FINDING_ORDER, Finding, Report, Suppression
from ..policy import Policy
from .indented_json import dumps

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "vmlint/v1"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
SECURITY_FAMILIES = ("isolation", "security")
# GitHub's bands: 9.0+ critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
SECURITY_SEVERITY = {"error": "8.0", "warning": "5.5", "info": "2.0"}


def _project_url(*labels: str) -> str | None:
    """The distribution's declared project URL with one of ``labels``, if it declares one."""
    try:
        meta = metadata.metadata("vmlint")
    except metadata.PackageNotFoundError:
        return None
    entries: list[str] = meta.get_all("Project-URL") or []
    for entry in entries:
        label, _, url = entry.partition(",")
        if label.strip().lower() in labels:
            return url.strip()
    homepage: str | None = meta["Home-page"] if "homepage" in labels else None
    return homepage or None


INFORMATION_URI = _project_url("homepage", "home", "source", "repository")
POLICY_DOCS_URI = _project_url("policies", "documentation")


def artifact_location(file: str, root: Path | None = None) -> dict[str, str]:
    """A path relative to ``%SRCROOT%`` (``root``, default the working directory), or a ``file:`` URI outside it."""
    base = os.path.abspath(root or os.curdir)
    absolute = os.path.abspath(file)
    relative = os.path.relpath(absolute, base) if os.path.isabs(file) or root is not None else file
    if relative == os.pardir or relative.startswith(os.pardir + os.sep) or os.path.isabs(relative):
        return {"uri": "file://" + quote(absolute.replace(os.sep, "/"))}
    return {"uri": quote(relative.replace(os.sep, "/")), "uriBaseId": SRCROOT}


def _rule(policy: Policy, severity: str) -> dict[str, Any]:
    tags = [policy.tradeoff]
    properties: dict[str, Any] = {"tags": tags}
    if policy.tradeoff in SECURITY_FAMILIES:
        tags.append("security")
        properties["security-severity"] = SECURITY_SEVERITY.get(severity, "5.5")
    properties["related"] = {tool: list(ids) for tool, ids in policy.related.items() if ids}
    rule: dict[str, Any] = {
        "id": policy.id,
        "name": policy.name,
        "shortDescription": {"text": policy.summary},
        "fullDescription": {"text": policy.rationale},
        "help": {"text": policy.remediation},
        "defaultConfiguration": {"level": LEVELS.get(severity, "warning")},
        "properties": properties,
    }
    if POLICY_DOCS_URI:
        rule["helpUri"] = f"{POLICY_DOCS_URI}#{policy.id.lower()}"
    return rule


def _result(
    finding: Finding,
    rule_index: dict[str, int],
    suppression: Suppression | None,
    occurrences: Counter[str],
    artifacts: dict[str, dict[str, str]],
    root: Path | None,
) -> dict[str, Any]:
    """One result; ``artifacts``: the run's artifact locations by file, filled as files are met."""
    described = finding.object.describe() if finding.object else None
    message = f"{finding.message} ({described})" if described else finding.message
    artifact = artifacts.get(finding.file)
    if artifact is None:
        artifact = artifacts[finding.file] = artifact_location(finding.file, root)
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": artifact,
            "region": {"startLine": max(finding.line, 1), "startColumn": max(finding.column, 1)},
        }
    }
    if finding.object:
        location["logicalLocations"] = [{"fullyQualifiedName": described, "kind": "resource"}]
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


def sarif_dict(report: Report, root: Path | None = None) -> dict[str, Any]:
    """The report as a SARIF log; paths relative to ``root`` (default: the working directory)."""
    policies = {p.id: p for p in report.policies}
    # The severity a rule ran with (configuration may override the default): that of its findings.
    severities = {f.policy: f.severity for f in (*report.findings, *(s.finding for s in report.suppressions))}
    used = sorted(severities)
    rules = [_rule(policies[i], severities[i]) if i in policies else {"id": i} for i in used]
    rule_index = {rule_id: index for index, rule_id in enumerate(used)}
    pairs: list[tuple[Finding, Suppression | None]] = [(f, None) for f in report.findings]
    pairs += [(s.finding, s) for s in report.suppressions]
    pairs.sort(key=lambda pair: FINDING_ORDER(pair[0]))
    artifacts: dict[str, dict[str, str]] = {}
    occurrences: Counter[str] = Counter()
    driver: dict[str, Any] = {"name": "vmlint", "version": __version__, "semanticVersion": __version__}
    if INFORMATION_URI:
        driver["informationUri"] = INFORMATION_URI
    driver["rules"] = rules
    notifications = [
        {
            "level": "error",
            "message": {"text": error.message},
            "locations": [{"physicalLocation": {"artifactLocation": artifact_location(error.file, root)}}],
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
                "originalUriBaseIds": {SRCROOT: {"description": {"text": "The root of the repository linted."}}},
                "columnKind": "unicodeCodePoints",
                "results": [_result(f, rule_index, s, occurrences, artifacts, root) for f, s in pairs],
            }
        ],
    }


def render(report: Report, color: bool = False, *, root: Path | None = None) -> str:
    return dumps(sarif_dict(report, root)) + "\n"
