"""Text output in the style of ruff: ``path:line:col: ID [severity] message (object)``."""

from __future__ import annotations

from .. import posture
from ..findings import Report
from ..policy import SEVERITIES
from ..posture import ISOLATIONS, TIERS

_COLORS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
_BOLD = "\033[1m"
_RESET = "\033[0m"


_CONTROL = {code: f"\\x{code:02x}" for code in (*range(0x20), 0x7F)}


def _safe(text: str) -> str:
    """Control characters (newlines in file names, ESC, BEL) shown escaped, never sent to the terminal."""
    return text.translate(_CONTROL)


def render(report: Report, color: bool = False) -> str:
    lines = []
    for f in report.findings:
        where = f"{_safe(f.file)}:{f.line}:{f.column}:"
        severity = f"[{f.severity}]"
        if color:
            where = f"{_BOLD}{where}{_RESET}"
            severity = f"{_COLORS.get(f.severity, '')}{severity}{_RESET}"
        suffix = f" ({f.object.describe()})" if f.object else ""
        suffix += f" [rendered by {f.rendered}]" if f.rendered else ""
        lines.append(f"{where} {f.policy} {severity} {_safe(f.message)}{_safe(suffix)}")
    for e in report.errors:
        who = f" {e.policy}" if e.policy else ""
        lines.append(f"{_safe(e.file)}: internal error{who}: {_safe(e.message)}")
    lines.extend(_safe(note) for note in report.notes)
    s = report.summary
    noun = "finding" if s.findings == 1 else "findings"
    lines.append(
        f"{s.findings} {noun} in {s.files} files ({s.workloads} workloads, {s.suppressed} suppressed, "
        f"{s.skipped} files skipped as not manifests"
        + (f", {s.unvalidated} objects not validated: no schema)" if s.unvalidated else ")")
    )
    return "\n".join(lines) + "\n"


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
