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
from ..discovery import Candidate
from ..formats import LoadedFile
from ..normalize.common import Classifier
from .stream import Segment, segments

CHART_FILE = "Chart.yaml"
KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")

__all__ = ["Rendered", "Segment", "render", "segments"]


@dataclass(slots=True)
class Rendered:
    """What the read stage reads, and what rendering produced.

    ``files``: rendered builds and render findings, checked like files that were read;
    ``streams``: rendered charts, linted document by document; ``skipped``: files covered by
    a chart that was not rendered; ``notes``: lines for the summary.
    """

    candidates: list[Candidate]
    files: list[tuple[str, LoadedFile]] = field(default_factory=list)
    streams: list[tuple[str, list[Segment]]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def render(candidates: list[Candidate], config: Config, classifier: Classifier) -> Rendered:
    """Plan and run the render stage over discovered candidates, with the tools and file sets ``config`` allows."""
    names = [os.path.basename(c.path) for c in candidates]
    if (
        CHART_FILE not in names
        and not any(name in KUSTOMIZATION_NAMES for name in names)
        and not config.compose_projects
    ):
        return Rendered(candidates)
    from .plan import plan  # only runs with a chart, a kustomization or a file set import the rest

    return plan(candidates, names, config, classifier)
