"""The render stage's work when there are charts or kustomizations: what to render, what it covers."""

from __future__ import annotations

import os
from dataclasses import replace

from ..config import Config
from ..discovery import Candidate, _display
from ..formats import Problem
from ..normalize.common import Classifier
from ..source import Position
from . import CHART_FILE, Rendered, helm
from .build import build_kustomization, load_plain
from .compose_sets import compose_sets
from .kustomize import NAMES, Kustomization, closure, kustomization_in, read_kustomization
from .real import candidate_reals


def plan(
    candidates: list[Candidate], names: list[str], config: Config, classifier: Classifier, context: list[Candidate]
) -> Rendered:
    """The render stage for a run with charts, kustomizations or file sets (``names``: the candidates' file names).

    ``context``: kustomizations and charts around files named on the command line; they are not linted, but say
    which named files are patches and which are a chart's.
    """
    out = Rendered([])
    tools = config.render
    reals = candidate_reals(candidates)
    covered = compose_sets(config.compose_projects, candidates, classifier, out)
    charts = [c for c, n in zip(candidates, names, strict=True) if n == CHART_FILE]
    charts += [c for c in context if c.path.endswith(CHART_FILE)]
    covered |= _charts(candidates, reals, charts, "helm" in tools, out)
    found = [(c, read_kustomization(c.path, c.display)) for c, n in zip(candidates, names, strict=True) if n in NAMES]
    if "kustomize" in tools:
        covered |= _kustomizations(candidates, reals, found, classifier, out)
    beside = [(c, read_kustomization(c.path, c.display)) for c in context if os.path.basename(c.path) in NAMES]
    patches = {os.path.realpath(p) for _, k in found + beside for p in k.patch_files}
    if not covered and not patches:
        out.candidates = candidates
        return out
    for candidate, real in zip(candidates, reals, strict=True):
        if real not in covered:
            out.candidates.append(replace(candidate, partial=True) if real in patches else candidate)
    return out


def _charts(
    candidates: list[Candidate], reals: list[str], charts: list[Candidate], allowed: bool, out: Rendered
) -> set[str]:
    """Chart directories: rendered with helm when allowed, otherwise an info finding; their files are covered.

    ``reals``: the candidates' real paths.
    """
    roots = [c for c in charts if helm.is_chart(os.path.dirname(c.path) or ".")]
    directories = [os.path.realpath(os.path.dirname(c.path) or ".") for c in roots]
    # A chart inside another chart's charts/ is a subchart, rendered by its parent.
    top = [(c, d) for c, d in zip(roots, directories, strict=True) if not _inside_other(d, directories)]
    covered: set[str] = set()
    for chart, directory in top:
        mine = {
            r for r in reals if r.startswith(directory + os.sep) and helm.is_chart_part(os.path.relpath(r, directory))
        }
        covered |= mine
        display = os.path.dirname(chart.display) or "."
        result = helm.render_chart(directory, display) if allowed else None
        if result is not None and result.error is None:
            out.streams.append((display, result.segments))
            continue
        command = f"helm template {display} | vmlint check -"
        out.skipped.extend(c.display for c, r in zip(candidates, reals, strict=True) if r in mine and c is not chart)
        if result is None:
            message = f"Helm chart not linted as written: its templates need rendering (`{command}` or --render)"
            problem = Problem("VM030", message, Position(chart.display, 1, 1))
        elif result.missing_tool:
            problem = Problem(
                "VM033",
                f"--render: helm is not on PATH; chart not rendered (`{command}`)",
                Position(chart.display, 1, 1),
            )
        else:
            problem = Problem("VM031", f"helm template failed: {result.error}", Position(chart.display, 1, 1))
        out.files.append((chart.display, load_plain(chart, [problem])))
        out.notes.append(f"{display}: Helm chart not rendered, templates not linted: `{command}`")
    return covered


def _inside_other(directory: str, others: list[str]) -> bool:
    return any(directory != other and directory.startswith(os.path.join(other, "charts") + os.sep) for other in others)


def _kustomizations(
    candidates: list[Candidate],
    reals: list[str],
    found: list[tuple[Candidate, Kustomization]],
    classifier: Classifier,
    out: Rendered,
) -> set[str]:
    """Build the kustomizations no other one references; a good build covers the files it read.

    ``reals``: the candidates' real paths."""
    displays = dict(zip(reals, (c.display for c in candidates), strict=True))
    referenced = {os.path.realpath(child) for _, k in found for child in k.children}
    covered: set[str] = set()
    cache: dict[str, Kustomization | None] = {}

    def read(directory: str) -> Kustomization | None:
        if directory not in cache:
            file = kustomization_in(directory)
            real = os.path.realpath(file) if file else None
            cache[directory] = read_kustomization(file, displays.get(real or "", _display(file))) if file else None
        return cache[directory]

    for candidate, k in found:
        if k.component or os.path.realpath(os.path.dirname(k.file) or ".") in referenced:
            continue
        members = closure(k, read)
        loaded, files = build_kustomization(candidate, members, displays, classifier)
        out.files.append((candidate.display, loaded))
        covered |= files
    return covered
