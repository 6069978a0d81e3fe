"""Reporters: pure functions from a Report to text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..findings import Report
from . import github, html, json_reporter, junit, sarif, text_reporter

Reporter = Callable[[Report, bool], str]

REPORTERS: dict[str, Reporter] = {
    "text": text_reporter.render,
    "json": json_reporter.render,
    "sarif": sarif.render,
    "junit": junit.render,
    "github": github.render,
    "html": html.render,
}


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """What reporters may take besides the report: colour and the text report's shape, --fail-on, the repo root."""

    color: bool = False
    quiet: bool = False
    statistics: bool = False
    hints: bool = True
    fail_on: str = "warning"
    root: Path | None = None


def render(fmt: str, report: Report, options: RenderOptions) -> str:
    """The report in format ``fmt``, each reporter given the options it uses."""
    if fmt == "text":
        return text_reporter.render(
            report, options.color, quiet=options.quiet, statistics=options.statistics, hints=options.hints
        )
    if fmt == "junit":
        return junit.render(report, fail_on=options.fail_on)
    if fmt == "sarif":
        return sarif.render(report, root=options.root)
    return REPORTERS[fmt](report, False)
