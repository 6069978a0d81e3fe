"""Text output in the style of ruff: ``path:line:col: ID [severity] message (object)``."""

from __future__ import annotations

from collections import Counter

from ..findings import Finding, Report
from .wording import summary_line

_COLORS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
_BOLD = "\033[1m"
_RESET = "\033[0m"


_CONTROL = {code: f"\\x{code:02x}" for code in (*range(0x20), 0x7F)}


def _safe(text: str) -> str:
    """Control characters (newlines in file names, ESC, BEL) shown escaped, never sent to the terminal."""
    return text.translate(_CONTROL)


def render(
    report: Report, color: bool = False, *, quiet: bool = False, statistics: bool = False, hints: bool = True
) -> str:
    """Findings (or, with ``statistics``, their count per policy), internal errors, a fix hint per policy that
    fired (``hints``), then the summary line; ``quiet`` keeps the findings only."""
    lines = _statistics(report) if statistics else [_finding(f, color) for f in report.findings]
    for e in report.errors:
        who = f" {e.policy}" if e.policy else ""
        lines.append(f"{_safe(e.file)}: internal error{who}: {_safe(e.message)}")
    if not quiet:
        if hints:
            lines.extend(_hints(report, color))
        lines.append(summary_line(report))
    return "".join(line + "\n" for line in lines)


def _finding(f: Finding, color: bool) -> str:
    where = f"{_safe(f.file)}:{f.line}:{f.column}:"
    severity = f"[{f.severity}]"
    if color:
        where = f"{_BOLD}{where}{_RESET}"
        severity = f"{_COLORS.get(f.severity, '')}{severity}{_RESET}"
    suffix = f" ({f.object.describe()})" if f.object else ""
    return f"{where} {f.policy} {severity} {_safe(f.message)}{_safe(suffix)}"


def _hints(report: Report, color: bool) -> list[str]:
    """``help: VM102 privileged-container: <remediation> (vmlint explain VM102)``, once per policy that fired."""
    remediation = {p.id: (p.name, p.remediation) for p in report.policies}
    label = f"{_BOLD}help:{_RESET}" if color else "help:"
    out = []
    for policy_id in sorted({f.policy for f in report.findings}):
        if policy_id in remediation:
            name, fix = remediation[policy_id]
            out.append(f"{label} {policy_id} {name}: {fix} (vmlint explain {policy_id})")
    return out


def _statistics(report: Report) -> list[str]:
    """``  12  VM201  [warning] cpu-request-missing``, most frequent first."""
    counts = Counter((f.policy, f.name, f.severity) for f in report.findings)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    width = len(str(max(counts.values(), default=0)))
    return [f"{n:>{width}}  {policy}  [{severity}] {name}" for (policy, name, severity), n in ordered]
