"""Helm chart directories: which files belong to a chart, and ``helm template`` when the user allows it."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from . import CHART_FILE
from .stream import Segment, segments
from .tools import find_tool, run_tool

_VALUES = re.compile(r"^values[^/]*\.(?:ya?ml|json)$", re.IGNORECASE)
# Parts of a chart that are not manifests as written: rendered (templates, subcharts) or input to rendering.
_CHART_DIRS = ("templates", "charts", "ci")
_CHART_NAMES = ("Chart.yaml", "Chart.lock", "requirements.yaml", "requirements.lock")


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
