"""Entry point for ``vmlint.formats``: a Compose file to workloads and located input problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..model import Workload
from ..normalize.common import Classifier
from ..source import Position, YMap, locate
from .detect import is_compose
from .normalize import ComposeNormalizer
from .project import load_project
from .schema import validate

__all__ = ["ComposeLoad", "is_compose", "load_compose"]


@dataclass(slots=True)
class ComposeLoad:
    """Workloads of the project, problems (code, message, position), and which findings this file reports.

    ``keep_only``: report only findings in that file (an override linted on its own);
    ``dropped``: findings in these files are reported by their own run (the base's override files).
    """

    workloads: list[Workload] = field(default_factory=list)
    problems: list[tuple[str, str, Position]] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    keep_only: str | None = None
    dropped: frozenset[str] = frozenset()


def load_compose(root: Any, file: str, real: str | None, classifier: Classifier) -> ComposeLoad:
    """Validate the file's own content, load its project, and normalise the services."""
    result = ComposeLoad()
    for path, message, at_key in validate(root):
        result.problems.append(("VM008", message, locate(root, path, file, key=at_key)))
    if root is None:
        result.problems.append(("VM008", "the Compose file is empty: Compose refuses it", Position(file, 1, 1)))
    if not isinstance(root, YMap):
        return result
    project = load_project(root, file, real)
    result.problems.extend((problem.code, problem.message, problem.position) for problem in project.problems)
    services = project.root.get("services")
    if services is None or services == {}:  # any other non-mapping is the schema's VM008 already
        where = locate(root, ("services",), file, key=True)
        result.problems.append(("VM008", "the Compose project defines no services: Compose refuses it", where))
    normalizer = ComposeNormalizer(classifier, project.file)
    result.workloads = normalizer.workloads(project.root, project.incomplete)
    # Values the schema lets through but the normaliser cannot read (numbers, port mappings), once per position.
    reported = {position for _, _, position in result.problems}
    for shape in dict.fromkeys(normalizer.reader.problems):
        position = locate(project.root, shape.path, project.file)
        if position not in reported:
            reported.add(position)
            result.problems.append(("VM008", shape.message, position))
    result.texts = project.texts
    result.keep_only = project.keep_only
    result.dropped = project.dropped
    return result
