"""Baselines: fingerprints of accepted findings, so that only new findings are reported.

A fingerprint hashes the policy id, the file, the workload (format, kind, namespace, name,
unit), the message and the finding's source line with whitespace collapsed; not the line
number, so inserting or removing lines elsewhere keeps a finding baselined.  Editing the
offending line, renaming the workload or moving the file makes it new.

Files are recorded relative to the baseline file's directory, so a baseline committed at the
repository root matches from any working directory.  A baseline is a multiset: a fingerprint
recorded twice covers two identical findings and a third is reported.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .findings import Finding, Report, Suppression

VERSION = 1


class BaselineError(Exception):
    """A baseline file that cannot be read or has the wrong shape."""


def fingerprint(finding: Finding, file: str) -> str:
    """A line-number-free identity of ``finding``; ``file`` is its path as the baseline records it."""
    obj = finding.object
    parts = (
        finding.policy,
        file,
        *((obj.format, obj.kind, obj.namespace or "", obj.name, obj.unit or "") if obj else ("",) * 5),
        finding.message,
        " ".join(finding.source_line.split()),
    )
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def relative_file(file: str, root: Path) -> str:
    """``file`` (as reported, relative to the working directory) relative to ``root``, with ``/``."""
    return os.path.relpath(os.path.abspath(file), root).replace(os.sep, "/")


@dataclass(frozen=True, slots=True)
class Baseline:
    """Fingerprint counts and the directory the recorded paths are relative to."""

    counts: Counter[str]
    root: Path

    def apply(self, report: Report) -> Report:
        """``report`` without the findings recorded here; they move to its suppressions."""
        remaining = Counter(self.counts)
        kept: list[Finding] = []
        baselined: list[Suppression] = []
        for finding in report.findings:
            key = fingerprint(finding, relative_file(finding.file, self.root))
            if remaining[key] > 0:
                remaining[key] -= 1
                baselined.append(Suppression(finding, "baseline", "recorded in the baseline"))
            else:
                kept.append(finding)
        if not baselined:
            return report
        summary = replace(report.summary, findings=len(kept), suppressed=report.summary.suppressed + len(baselined))
        suppressions = tuple(sorted((*report.suppressions, *baselined), key=lambda s: s.finding))
        return replace(report, findings=tuple(kept), summary=summary, suppressions=suppressions)


def load_baseline(path: Path) -> Baseline:
    """Read a baseline file; a missing, unreadable or malformed file raises ``BaselineError``."""
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise BaselineError(f"{path}: cannot read: {error.strerror or error}") from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BaselineError(f"{path}: not a JSON baseline: {error}") from error
    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("findings"), list):
        raise BaselineError(f'{path}: not a vmlint baseline (expected {{"version": {VERSION}, "findings": [...]}})')
    counts: Counter[str] = Counter()
    for number, entry in enumerate(data["findings"]):
        if not isinstance(entry, dict) or not isinstance(entry.get("fingerprint"), str):
            raise BaselineError(f"{path}: findings[{number}] has no fingerprint string")
        counts[entry["fingerprint"]] += 1
    return Baseline(counts, path.resolve().parent)


def baseline_text(report: Report, path: Path) -> str:
    """The baseline recording every finding of ``report``, for writing to ``path``.

    Besides the fingerprint, each entry names the policy, file and message so that reviews of
    the file read like a list of accepted findings; only the fingerprint is matched.
    """
    root = path.resolve().parent
    entries = []
    for finding in report.findings:
        file = relative_file(finding.file, root)
        entries.append(
            {
                "fingerprint": fingerprint(finding, file),
                "policy": finding.policy,
                "file": file,
                "message": finding.message,
            }
        )
    entries.sort(key=lambda e: (e["file"], e["policy"], e["message"], e["fingerprint"]))
    return json.dumps({"version": VERSION, "findings": entries}, indent=2) + "\n"
