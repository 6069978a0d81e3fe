"""Text output in the style of ruff: ``path:line:col: ID [severity] message (object)``."""

from __future__ import annotations

from ..findings import Report

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
        lines.append(f"{where} {f.policy} {severity} {_safe(f.message)}{_safe(suffix)}")
    for e in report.errors:
        who = f" {e.policy}" if e.policy else ""
        lines.append(f"{_safe(e.file)}: internal error{who}: {_safe(e.message)}")
    s = report.summary
    noun = "finding" if s.findings == 1 else "findings"
    lines.append(
        f"{s.findings} {noun} in {s.files} files ({s.workloads} workloads, {s.suppressed} suppressed, "
        f"{s.skipped} files skipped as not manifests"
        + (f", {s.unvalidated} objects not validated: no schema)" if s.unvalidated else ")")
    )
    return "\n".join(lines) + "\n"
