"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` annotation per finding.

Escaping follows @actions/core: in messages ``%``, CR and LF; in properties also ``:`` and ``,``.
The last line is the plain-text summary, which the log shows as is.
"""

from __future__ import annotations

from ..findings import Report
from .escape import escape_line
from .wording import count

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    """@actions/core's escapes, then every other line break or control as a visible escape."""
    return escape_line(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(name: str, properties: dict[str, str], message: str) -> str:
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{name} {props}::{escape_data(message)}"


def render(report: Report, color: bool = False) -> str:
    lines = []
    for f in report.findings:
        message = f"{f.message} ({f.object.describe()})" if f.object else f.message
        properties = {"file": f.file, "line": str(f.line), "col": str(f.column), "title": f"{f.policy} {f.name}"}
        lines.append(_command(COMMANDS.get(f.severity, "error"), properties, message))
    for e in report.errors:
        title = f"vmlint internal error {e.policy}" if e.policy else "vmlint internal error"
        lines.append(_command("error", {"file": e.file, "title": title}, e.message))
    s = report.summary
    lines.append(f"vmlint: {count(s.findings, 'finding')} in {count(s.files, 'file')} ({s.suppressed} suppressed)")
    return "\n".join(lines) + "\n"
