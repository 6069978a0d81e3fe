"""A declared Compose file set: ``docker compose -f first -f second ...`` on positioned trees.

The files are merged in the order given, onto the first (whose directory is the project
directory), with Compose's merge rules; every entry keeps the file that wrote it.  No
override file is merged by default (Compose does not when ``-f`` is given).  Interpolation
uses the set's ``env-file``, else the project's ``.env``; a member or env file that the
project's ``.gitignore`` ignores is not read (ADR 0007: CI does not have it).  See ADR 0014.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from ..model import Workload
from ..normalize.common import Classifier
from ..source import Position, YMap, locate
from .files import FileAccess, ProjectFile
from .interpolate import Budget, budget_message, parse_env_file
from .merge import merge_maps
from .normalize import ComposeNormalizer
from .project import Project, _Loader, _project_dir, _read_env_files, _resolve_extends
from .schema import validate


@dataclass(slots=True)
class FileSet:
    """The merged set: its workloads, problems (code, message, position), texts, and what was left out and why."""

    workloads: list[Workload] = field(default_factory=list)
    problems: list[tuple[str, str, Position]] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    left_out: list[tuple[str, str]] = field(default_factory=list)


def load_file_set(members: list[tuple[str, str]], env_file: tuple[str, str] | None, classifier: Classifier) -> FileSet:
    """Merge ``members`` ((display, path) pairs, in order) and normalise the services."""
    result = FileSet()
    access = FileAccess(_project_dir(os.path.realpath(members[0][1])))
    env: dict[str, str] = {}
    budget = Budget()
    stopped: list[tuple[str, int, int]] = []
    env_display, env_real = env_file if env_file else (None, access.sibling(members[0][1], ".env"))
    if env_real is not None and access.git_ignored(env_real):
        if env_display:
            result.left_out.append((env_display, "git-ignored env file, not read"))
    elif env_real is not None:
        text = FileAccess.read_text(env_real)
        env = parse_env_file(text, budget, stopped) if text is not None else {}
    loader = _Loader(access, env, budget)
    where = env_display or str(PurePosixPath(members[0][0]).parent / ".env")
    for name, line, column in stopped:
        result.problems.append(("VM006", budget_message(name), Position(where, line, column)))
    merged: YMap | None = None
    first = members[0][0]
    for display, path in members:
        if access.git_ignored(os.path.realpath(path)):
            result.left_out.append((display, "git-ignored, not merged into the Compose file set"))
            continue
        loaded = access.read(display, os.path.realpath(path))
        if isinstance(loaded, str):
            result.problems.append(("VM007", f"Compose file set member not read: {loaded}", Position(display, 1, 1)))
            continue
        _validate(loaded, result)
        if loaded.root is None:
            continue
        loader.real[display], loader.texts[display] = loaded.real, loaded.text
        tree = loader.prepared(loaded.root, display)
        if merged is None:
            first, merged = display, tree
        else:
            merged = merge_maps(merged, first, tree, display, first)
    if merged is None:
        return result
    project = Project(first, merged, loader.texts, loader.problems)
    _resolve_extends(project, loader)
    _read_env_files(project, loader)
    result.problems.extend((problem.code, problem.message, problem.position) for problem in project.problems)
    result.workloads = ComposeNormalizer(classifier, first).workloads(project.root, project.incomplete)
    result.texts = project.texts
    return result


def _validate(member: ProjectFile, result: FileSet) -> None:
    for path, message, at_key in validate(member.root):
        result.problems.append(("VM008", message, locate(member.root, path, member.display, key=at_key)))
