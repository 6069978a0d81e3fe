"""The render stage: what users commit but do not apply as written (Helm, Kustomize, Compose file sets).

Called once by the engine, after discovery and before any file is read.  Detection is by
file name only (``Chart.yaml``, ``kustomization.yaml``) and by the config (``compose-projects``),
so a run without them pays one pass over the candidates' names.  Tools run only when the
user asks (``--render`` or ``render:`` in the config).  See docs/decisions/0014.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from ..config import Config
from ..discovery import Candidate, _display
from ..findings import InternalError
from ..formats import LoadedFile
from ..normalize.common import Classifier
from .real import candidate_reals
from .stream import Segment, segments

CHART_FILE = "Chart.yaml"
KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")

__all__ = ["Rendered", "Segment", "render", "segments"]


@dataclass(slots=True)
class Rendered:
    """What the read stage reads, and what rendering produced.

    ``files``: rendered builds and render findings, checked like files that were read;
    ``streams``: rendered charts, linted document by document; ``skipped``: files covered by
    a chart that was not rendered; ``notes``: lines for the summary; ``errors``: the stage's own failure.
    """

    candidates: list[Candidate]
    files: list[tuple[str, LoadedFile]] = field(default_factory=list)
    streams: list[tuple[str, list[Segment]]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    errors: list[InternalError] = field(default_factory=list)


def render(candidates: list[Candidate], config: Config, classifier: Classifier) -> Rendered:
    """Plan and run the render stage over discovered candidates, with the tools and file sets ``config`` allows."""
    names = [os.path.basename(c.path) for c in candidates]
    context = _beside_named_files(candidates, names)
    if (
        not context
        and CHART_FILE not in names
        and not any(name in KUSTOMIZATION_NAMES for name in names)
        and not config.compose_projects
    ):
        return Rendered(candidates)
    from .plan import plan  # only runs with a chart, a kustomization or a file set import the rest

    try:
        return plan(candidates, names, config, classifier, context)
    except Exception as error:  # a bug here must not end the run: the files are linted as written
        message = f"internal error in the render stage: {type(error).__name__}: {error}"
        return Rendered(candidates, errors=[InternalError(candidates[0].display if candidates else ".", message)])


def _beside_named_files(candidates: list[Candidate], names: list[str]) -> list[Candidate]:
    """The kustomization beside, and the chart around, each file named on the command line but not among the files.

    A pre-commit run passes only the changed files: a changed patch must still be known as one, and a changed
    template still belongs to its chart. Walked directories need no look-up (their files are all candidates).
    """
    explicit = [c for c in candidates if c.explicit and not c.problem]
    if not explicit:  # no look-up, and no realpath (a walk of every level) per file of a deep tree
        return []
    named = set(candidate_reals(candidates))
    found: dict[str, Candidate] = {}
    for candidate in explicit:
        directory = os.path.dirname(os.path.abspath(candidate.path))
        parts = directory.split(os.sep)
        chart = os.sep.join(parts[: len(parts) - parts[::-1].index("templates") - 1]) if "templates" in parts else ""
        beside = [os.path.join(directory, name) for name in (*KUSTOMIZATION_NAMES, CHART_FILE)]
        for path in (*beside, os.path.join(chart, CHART_FILE)) if chart else beside:
            real = os.path.realpath(path)
            if real not in named and real not in found and os.path.isfile(path):
                found[real] = Candidate(path, _display(path))
    return list(found.values())
