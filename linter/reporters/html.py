"""A self-contained HTML page: summary, findings grouped by file, suppressed findings; no external assets."""

from __future__ import annotations

from html import escape
from itertools import groupby

from .. import __version__
from ..findings import Finding, Report

_STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1.5em; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #ddd; vertical-align: top; }
th { background: #f4f4f4; }
code { font-family: ui-monospace, monospace; }
.error { color: #b00020; font-weight: 600; }
.warning { color: #8a5a00; font-weight: 600; }
.info { color: #005a8a; }
.summary td:first-child { font-weight: 600; }
"""


def _e(value: object) -> str:
    """Escaped text; lone surrogates (from undecodable file names) become ``\\udcxx``."""
    text = str(value).encode("utf-8", "backslashreplace").decode("utf-8")
    return escape(text, quote=True)


def _row(f: Finding, extra: str = "") -> str:
    obj = _e(f.object.describe()) if f.object else ""
    cells = [
        f"{f.line}:{f.column}",
        f'<span class="{_e(f.severity)}">{_e(f.severity)}</span>',
        f"<code>{_e(f.policy)}</code> {_e(f.name)}",
        _e(f.message),
        obj,
    ]
    if extra:
        cells.append(extra)
    return "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"


def _tables(rows: list[tuple[Finding, str]], extra_header: str = "") -> list[str]:
    head = ["line:col", "severity", "policy", "message", "object"] + ([extra_header] if extra_header else [])
    out = []
    for file, group in groupby(rows, key=lambda row: row[0].file):
        out.append(f"<h3><code>{_e(file)}</code></h3>")
        out.append("<table><tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr>")
        out.extend(_row(f, extra) for f, extra in group)
        out.append("</table>")
    return out


def render(report: Report, color: bool = False) -> str:
    s = report.summary
    counts = [
        ("files", s.files),
        ("files skipped (not manifests)", s.skipped),
        ("documents", s.documents),
        ("workloads", s.workloads),
        ("findings", s.findings),
        ("suppressed", s.suppressed),
        ("objects not validated (no schema)", s.unvalidated),
        ("internal errors", len(report.errors)),
    ]
    body = [
        f"<h1>vmlint report</h1><p>vmlint {_e(__version__)}</p>",
        '<table class="summary">' + "".join(f"<tr><td>{_e(k)}</td><td>{v}</td></tr>" for k, v in counts) + "</table>",
        "<h2>Findings</h2>",
    ]
    body += _tables([(f, "") for f in report.findings]) or ["<p>No findings.</p>"]
    if report.errors:
        body.append("<h2>Internal errors</h2><ul>")
        body += [f"<li><code>{_e(e.file)}</code> {_e(e.message)}</li>" for e in report.errors]
        body.append("</ul>")
    if report.suppressions:
        body.append(f"<details><summary>Suppressed findings ({len(report.suppressions)})</summary>")
        rows = [
            (x.finding, _e(x.via + (f": {x.justification}" if x.justification else ""))) for x in report.suppressions
        ]
        body += _tables(rows, "suppressed by")
        body.append("</details>")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>vmlint report</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )
