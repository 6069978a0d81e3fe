"""Counts in words ("1 file", "2 files") and the one-line summary every plain-text report ends with."""

from __future__ import annotations

from collections import Counter

from ..findings import Report

SEVERITY_ORDER = ("error", "warning", "info")
_PLURALS = {"info": "info"}


def count(number: int, noun: str) -> str:
    """``1 file``, ``2 files``, ``3 info``."""
    return f"{number} {noun if number == 1 else _PLURALS.get(noun, noun + 's')}"


def by_severity(report: Report) -> str:
    """``(1 error, 2 warnings)``, or '' when there are no findings."""
    counts = Counter(f.severity for f in report.findings)
    parts = [count(counts[s], s) for s in SEVERITY_ORDER if counts[s]]
    return f" ({', '.join(parts)})" if parts else ""


def summary_line(report: Report) -> str:
    """``3 findings (1 error, 2 warnings) in 2 files (2 workloads, 0 suppressed, 0 files skipped as not manifests)``."""
    s = report.summary
    return (
        f"{count(s.findings, 'finding')}{by_severity(report)} in {count(s.files, 'file')} "
        f"({count(s.workloads, 'workload')}, {s.suppressed} suppressed, "
        f"{count(s.skipped, 'file')} skipped as not manifests"
        + (f", {count(s.unvalidated, 'object')} not validated: no schema)" if s.unvalidated else ")")
    )
