"""Run the engine the way the CLI does, for tests."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from vmlint.config import Config
from vmlint.engine import Engine
from vmlint.findings import Report
from vmlint.policy import load_policies

POLICIES = load_policies()
INPUT_ERRORS = frozenset(f"VM00{n}" for n in range(1, 9))


def lint(
    paths: Iterable[str | Path], *, select: Iterable[str] | None = None, cwd: Path | None = None, **config: object
) -> Report:
    """Lint paths with default config (plus overrides), relative to ``cwd``."""
    base = Config(root=cwd or Path.cwd())
    if select is not None:
        base = replace(base, select=frozenset(select) | INPUT_ERRORS)
    if config:
        base = replace(base, **config)  # type: ignore[arg-type]
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return Engine(base, POLICIES).lint([str(p) for p in paths], jobs=1)
    finally:
        os.chdir(old)


def triples(report: Report) -> list[list[object]]:
    """Findings as [policy, file, line, column] rows."""
    return [[f.policy, f.file, f.line, f.column] for f in report.findings]
