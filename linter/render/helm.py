"""Helm: ``helm template`` streams split by their ``# Source:`` comments, and chart directories.

A stream is what ``helm template`` prints: every document starts with ``---`` and a
``# Source: CHART/templates/FILE`` comment.  Each such document is linted on its own, named
after its template and numbered from the line after the comment, so a finding says which
template wrote it and a ``# vmlint: ignore[...]`` comment that survived rendering applies in
that document only.  Documents without a ``# Source:`` line keep the stream's name and lines.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass

from .tools import find_tool, run_tool

SOURCE = "# Source: "
CHART_FILE = "Chart.yaml"
_SEPARATOR = re.compile(r"^(?:---|\.\.\.)(?:[ \t].*)?$")
_VALUES = re.compile(r"^values[^/]*\.(?:ya?ml|json)$", re.IGNORECASE)
# Parts of a chart that are not manifests as written: rendered (templates, subcharts) or input to rendering.
_CHART_DIRS = ("templates", "charts", "ci")
_CHART_NAMES = ("Chart.yaml", "Chart.lock", "requirements.yaml", "requirements.lock")


@dataclass(frozen=True, slots=True)
class Segment:
    """One document of a stream: the name findings get, its text, and which tool rendered it ('' if none)."""

    display: str
    data: bytes
    rendered_by: str = ""


def segments(data: bytes, rename: Callable[[str], str] | None = None) -> list[Segment] | None:
    """The documents of a Helm stream, or None when ``data`` has no ``# Source:`` document."""
    if SOURCE.encode() not in data:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    lines = text.splitlines(keepends=True)
    found: list[Segment] = []
    start = 0
    for end in [*(i for i, line in enumerate(lines) if _SEPARATOR.match(line.rstrip("\r\n"))), len(lines)]:
        segment = _segment(lines, start, end, rename)
        if segment is not None:
            found.append(segment)
        start = end + 1
    return found if any(s.rendered_by for s in found) else None


def _segment(lines: list[str], start: int, end: int, rename: Callable[[str], str] | None) -> Segment | None:
    body = lines[start:end]
    first = next((i for i, line in enumerate(body) if line.strip()), None)
    if first is None:
        return None
    head = body[first].strip()
    if head.startswith(SOURCE):
        source = head[len(SOURCE) :].strip()
        return Segment(rename(source) if rename else source, "".join(body[first + 1 :]).encode(), "helm")
    if all(not line.strip() or line.lstrip().startswith("#") for line in body):
        return None  # nothing but comments: no document
    # Padded with empty lines so that findings keep the stream's line numbers.
    return Segment("", ("\n" * start + "".join(body)).encode())


def is_chart_part(relative: str) -> bool:
    """Whether a path relative to a chart's directory is rendered by Helm or read by it (not a manifest)."""
    parts = relative.split("/")
    return parts[0] in _CHART_DIRS or (len(parts) == 1 and (parts[0] in _CHART_NAMES or bool(_VALUES.match(parts[0]))))


def is_chart(directory: str) -> bool:
    """A chart: Chart.yaml beside a templates/ directory."""
    return os.path.isfile(os.path.join(directory, CHART_FILE)) and os.path.isdir(os.path.join(directory, "templates"))


def chart_name(chart_yaml: str) -> str | None:
    """The ``name:`` of a Chart.yaml (what ``# Source:`` lines start with), read without a YAML parser."""
    try:
        with open(chart_yaml, encoding="utf-8", errors="replace") as handle:
            for line in handle.read(65536).splitlines():
                if line.startswith("name:"):
                    return line[5:].split("#", 1)[0].strip().strip("'\"") or None
    except OSError:
        return None
    return None


@dataclass(frozen=True, slots=True)
class ChartRender:
    """``helm template`` on one chart: its documents, or the reason there are none."""

    segments: list[Segment]
    error: str | None = None
    missing_tool: bool = False


def render_chart(directory: str, display: str) -> ChartRender:
    """Run ``helm template`` on the chart in ``directory``; sources renamed to paths under ``display``."""
    helm = find_tool("helm")
    if helm is None:
        return ChartRender([], "helm is not on PATH", missing_tool=True)
    run = run_tool([helm, "template", os.path.abspath(directory)], os.path.abspath(directory))
    if run.error is not None:
        return ChartRender([], run.error)
    name = chart_name(os.path.join(directory, CHART_FILE)) or os.path.basename(os.path.abspath(directory))

    def rename(source: str) -> str:
        return display.rstrip("/") + source[len(name) :] if source.startswith(name + "/") else source

    return ChartRender(segments(run.output.encode(), rename) or [])
