"""Reporters: pure functions from a Report to text."""

from __future__ import annotations

from collections.abc import Callable

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
