"""Text output in the style of ruff: ``path:line:col: ID [severity] message (object)``."""

from __future__ import annotations

from collections import Counter

from .. import posture
from ..findings import Finding, Report
from ..policy import SEVERITIES
from ..posture import ISOLATIONS, TIERS
from .escape import escape_line as _safe
from .wording import summary_line

_COLORS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
_BOLD = "\033[1m"
_RESET = "\033[0m"


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
        lines.extend(_safe(note) for note in report.notes)
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
    suffix += f" [rendered by {f.rendered}]" if f.rendered else ""
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


def posture_section(report: Report, color: bool = False) -> str:
    """``vmlint check --posture``: the tier x isolation matrix and findings by family, in aligned lines.

    A cell below the tier's least isolation (VM101's options) is starred (red on a terminal).
    """
    view = posture.of(report)
    marked = any(c.below_minimum and c.workloads for c in view.cells)
    lines = [f"posture: {len(view.workloads)} workloads by tier and isolation, {view.severities.total} findings"]
    lines.append(f"  {'tier':<10}" + "".join(f"{i:>11}" for i in ISOLATIONS) + "   least isolation")
    for tier in TIERS:
        cells = ""
        for isolation in ISOLATIONS:
            cell = view.cell(tier, isolation)
            text = f"{cell.workloads}{'*' if cell.below_minimum and cell.workloads else ' '}"
            if color and cell.below_minimum and cell.workloads:
                text = f"{_COLORS['error']}{_BOLD}{text}{_RESET}"
            cells += " " * (11 - len(str(cell.workloads)) - 1) + text
        lines.append(f"  {tier:<10}{cells}   {view.minimum_isolation.get(tier, '-')}")
    if marked:
        lines.append("  * less isolation than the tier's least isolation (VM101 options)")
    families = [(family, counts) for family, counts in view.families.items() if counts.total]
    if families:
        head = "".join(f"{s:>9}" for s in (*SEVERITIES, "total"))
        lines.append(f"  {'family':<16}{head}")
        for family, counts in families:
            values = (counts.error, counts.warning, counts.info, counts.total)
            row = ""
            for severity, value in zip((*SEVERITIES, "total"), values, strict=True):
                text = f"{value:>9}"
                if color and value and severity in _COLORS:
                    text = f"{_COLORS[severity]}{text}{_RESET}"
                row += text
            lines.append(f"  {family:<16}{row}")
    return "\n".join(lines) + "\n"
