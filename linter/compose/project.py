"""One Compose project as ``docker compose config`` would see it, with every position kept.

Steps: the main file (or, for an override file, its base), then the override files Compose
merges by default, each interpolated from the project's ``.env``; top-level ``include``;
then ``extends`` for every service.  Files outside the project directory are never read.
See docs/decisions/0007-compose-projects.md.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from ..source import Path, Position, YMap, YSeq, locate
from .detect import base_names, override_names
from .files import FileAccess, ProjectFile
from .interpolate import Budget, budget_message, env_entries, interpolate, interpolate_tree, parse_env_file
from .merge import entry_file, merge_maps

MAX_INCLUDE_DEPTH = 10
MAX_EXTENDS_DEPTH = 32
# A service's variables from its env files, keyed by name and located in those files. The key is an int,
# which no written key can be (YAML keys become strings), so it never shadows what the user wrote.
ENV_FILE_VALUES = -1


@dataclass(frozen=True, slots=True)
class ProjectProblem:
    """A reference that could not be followed (missing file, cycle, path outside the project), or a budget."""

    message: str
    position: Position
    code: str = "VM008"


@dataclass(slots=True)
class Project:
    """The merged project tree (located in ``file``) and what reading it involved."""

    file: str
    root: YMap
    texts: dict[str, str] = field(default_factory=dict)
    problems: list[ProjectProblem] = field(default_factory=list)
    incomplete: set[str] = field(default_factory=set)
    keep_only: str | None = None
    dropped: frozenset[str] = frozenset()


class _Loader:
    def __init__(self, access: FileAccess, env: dict[str, str], budget: Budget) -> None:
        self.access = access
        self.env = env
        self.budget = budget
        self.real: dict[str, str | None] = {}
        self.opened: dict[str, ProjectFile | str] = {}  # each file read once, however often it is referenced
        self.done: dict[str, YMap] = {}  # each included file prepared once (fan-out stays linear)
        self.chain: list[str] = []  # the files being included, outermost first
        self.texts: dict[str, str] = {}
        self.problems: list[ProjectProblem] = []

    def problem(self, root: YMap, path: Path, file: str, message: str) -> None:
        self.problems.append(ProjectProblem(message, locate(root, path, file)))

    def open(self, reference: str, root: YMap, path: Path, file: str, what: str) -> ProjectFile | None:
        """The file ``reference`` written at ``path`` of ``file``; a problem when it cannot be read."""
        resolved = self.access.resolve(reference, file, self.real.get(file))
        if isinstance(resolved, str):
            self.problem(root, path, file, f"{what} {reference!r} not read: {resolved}")
            return None
        display, real = resolved
        if display not in self.opened:
            self.opened[display] = self.access.read(display, real)
        loaded = self.opened[display]
        if isinstance(loaded, str):
            self.problem(root, path, file, f"{what} {reference!r} not read: {loaded}")
            return None
        self.real[display] = real
        self.texts[display] = loaded.text
        return loaded

    def prepared(self, root: YMap, file: str, depth: int = 0) -> YMap:
        """A file's root, interpolated, with its ``include``s merged in (an include cycle is VM008)."""
        self.chain.append(file)
        try:
            return self._prepared(root, file, depth)
        finally:
            self.chain.pop()

    def _prepared(self, root: YMap, file: str, depth: int) -> YMap:
        stopped: list[tuple[str, int, int]] = []
        tree: YMap = interpolate_tree(root, self.env, self.budget, stopped)
        for name, line, column in stopped:
            self.problems.append(ProjectProblem(budget_message(name), Position(file, line, column), "VM006"))
        includes = tree.get("include")
        if not isinstance(includes, YSeq) or depth >= MAX_INCLUDE_DEPTH:
            return tree
        for index, item in enumerate(includes):
            paths = item.get("path") if isinstance(item, dict) else item
            base_path: Path = ("include", index, "path") if isinstance(item, dict) else ("include", index)
            for offset, reference in enumerate(paths if isinstance(paths, list) else [paths]):
                if not isinstance(reference, str):
                    continue
                where = base_path + ((offset,) if isinstance(paths, list) else ())
                included = self.open(reference, tree, where, file, "included file")
                if included is None or included.root is None:
                    continue
                if included.display in self.chain:
                    cycle = " -> ".join([*self.chain[self.chain.index(included.display) :], included.display])
                    self.problem(tree, where, file, f"include cycle: {cycle}")
                    continue
                if included.display not in self.done:
                    self.done[included.display] = self.prepared(included.root, included.display, depth + 1)
                tree = _add_missing(tree, file, self.done[included.display], included.display)
        return tree


def _add_missing(root: YMap, file: str, other: YMap, other_file: str) -> YMap:
    """Top-level entries of an included project that the including project does not define."""
    result = root
    for section in ("services", "volumes", "networks", "secrets", "configs"):
        theirs = other.get(section)
        if not isinstance(theirs, YMap):
            continue
        ours = result.get(section)
        if not isinstance(ours, YMap):
            ours = YMap(result.line, result.column)
        addition = YMap(theirs.line, theirs.column)
        for name, value in theirs.items():
            if name not in ours:
                addition[name] = value
                addition.marks[name] = theirs.marks[name]
                if theirs.origin and name in theirs.origin:
                    addition.origin = {**(addition.origin or {}), name: theirs.origin[name]}
        if not addition:
            continue
        section_file = entry_file(other, section, other_file)
        if section in result:
            merged_section = merge_maps(addition, section_file, ours, entry_file(result, section, file), file)
            merged_section.line, merged_section.column = ours.line, ours.column
            result = _replace(result, section, merged_section)
        else:
            holder = YMap(result.line, result.column)
            holder[section] = addition
            holder.marks[section] = other.marks[section]
            result = merge_maps(result, file, holder, section_file, file)
    return result


def _copy(node: YMap) -> YMap:
    copy = YMap(node.line, node.column)
    copy.update(node)
    copy.marks = dict(node.marks)
    copy.origin = dict(node.origin) if node.origin else None
    return copy


def _replace(node: YMap, key: Any, value: Any) -> YMap:
    copy = _copy(node)
    copy[key] = value
    return copy


def _project_dir(real: str | None) -> str | None:
    return os.path.realpath(os.path.dirname(os.path.abspath(real))) if real else None


def load_project(root: YMap, file: str, real: str | None) -> Project:
    """The project that ``file`` (already parsed as ``root``) belongs to."""
    directory = _project_dir(real)
    access = FileAccess(directory)
    env: dict[str, str] = {}
    budget = Budget()
    stopped: list[tuple[str, int, int]] = []
    env_path = access.sibling(real, ".env")
    if env_path is not None and not access.git_ignored(env_path):  # an ignored .env differs from clone to clone
        env_file = FileAccess.read_text(env_path)
        env = parse_env_file(env_file, budget, stopped) if env_file is not None else {}
    loader = _Loader(access, env, budget)
    env_display = str(PurePosixPath(file).parent / ".env")
    for name, line, column in stopped:
        loader.problems.append(ProjectProblem(budget_message(name), Position(env_display, line, column), "VM006"))
    loader.real[file] = real
    main_file, main_root, keep_only = file, root, None
    base_real = next((p for name in base_names(file) if (p := access.sibling(real, name))), None)
    if base_real is not None:
        base_display = str(PurePosixPath(file).parent / os.path.basename(base_real))
        base = access.read(base_display, base_real)
        if not isinstance(base, str) and base.root is not None:
            main_file, main_root, keep_only = base_display, base.root, file
            loader.real[base_display] = base_real
            loader.texts[base_display] = base.text
    merged = loader.prepared(main_root, main_file)
    overrides: list[str] = []
    for name in override_names(main_file):
        over_real = access.sibling(loader.real.get(main_file), name)
        if over_real is None:
            continue
        over_display = str(PurePosixPath(main_file).parent / name)
        if over_display != file and access.git_ignored(over_real):
            continue  # a git-ignored override is local to one clone: what is committed must not depend on it
        over = access.read(over_display, over_real) if over_display != file else None
        over_root = root if over_display == file else (over.root if not isinstance(over, (str, type(None))) else None)
        if over_root is None:
            continue
        loader.real[over_display] = over_real
        if not isinstance(over, (str, type(None))):
            loader.texts[over_display] = over.text
        overrides.append(over_display)
        merged = merge_maps(merged, main_file, loader.prepared(over_root, over_display), over_display, main_file)
    project = Project(main_file, merged, loader.texts, loader.problems, keep_only=keep_only)
    if keep_only is None:
        project.dropped = frozenset(overrides)
    _resolve_extends(project, loader)
    _read_env_files(project, loader)
    project.texts.pop(file, None)
    return project


def _resolve_extends(project: Project, loader: _Loader) -> None:
    services = project.root.get("services")
    if not isinstance(services, YMap) or not any(
        isinstance(service, YMap) and "extends" in service for service in services.values()
    ):
        return
    services_file = entry_file(project.root, "services", project.file)
    resolved = _copy(services)
    resolver = _Extends(loader)
    for name, service in services.items():
        if not isinstance(service, YMap) or "extends" not in service:
            continue
        result = resolver.resolve(service, entry_file(services, name, services_file), services, services_file, ())
        if result is None:
            project.incomplete.add(str(name))
        else:
            resolved[name] = result
    project.root = _replace(project.root, "services", resolved)
    project.problems.extend(p for p in loader.problems if p not in project.problems)


class _Extends:
    """``extends`` in the same file or another one, recursively, with cycles reported."""

    def __init__(self, loader: _Loader) -> None:
        self.loader = loader

    def resolve(
        self, service: YMap, file: str, pool: YMap, pool_file: str, stack: tuple[tuple[str, str], ...]
    ) -> YMap | None:
        extends = service.get("extends")
        if extends is None:
            return service
        target = extends if isinstance(extends, str) else extends.get("service") if isinstance(extends, dict) else None
        reference = extends.get("file") if isinstance(extends, dict) else None
        if not isinstance(target, str) or (reference is not None and not isinstance(reference, str)):
            return None
        if reference is not None:
            opened = self.loader.open(reference, service, ("extends", "file"), file, "extends file")
            if opened is None or opened.root is None:
                return None
            other = self.loader.prepared(opened.root, opened.display, MAX_INCLUDE_DEPTH)
            services = other.get("services")
            pool = services if isinstance(services, YMap) else YMap()
            pool_file = entry_file(other, "services", opened.display)
        key = (pool_file, target)
        if key in stack or len(stack) >= MAX_EXTENDS_DEPTH:
            self.loader.problem(service, ("extends",), file, f"extends cycle through service {target!r}")
            return None
        base = pool.get(target)
        if not isinstance(base, YMap):
            self.loader.problem(service, ("extends",), file, f"extends names service {target!r}, which is not defined")
            return None
        base_file = entry_file(pool, target, pool_file)
        base_resolved = self.resolve(base, base_file, pool, pool_file, (*stack, key))
        if base_resolved is None:
            return None
        return merge_maps(base_resolved, base_file, service, file, file)


def _read_env_files(project: Project, loader: _Loader) -> None:
    """Attach each service's env-file variables (under ``ENV_FILE_VALUES``), read inside the project only."""
    services = project.root.get("services")
    if not isinstance(services, YMap):
        return
    services_file = entry_file(project.root, "services", project.file)
    resolved: YMap | None = None
    for name, service in services.items():
        if not isinstance(service, YMap) or "env_file" not in service:
            continue
        values = _env_values(service, entry_file(services, name, services_file), loader)
        if not values:
            continue
        resolved = resolved if resolved is not None else _copy(services)
        with_values = _replace(service, ENV_FILE_VALUES, values)
        with_values.marks[ENV_FILE_VALUES] = (service.line, service.column, service.line, service.column)
        resolved[name] = with_values
    if resolved is not None:
        project.root = _replace(project.root, "services", resolved)
    project.problems.extend(p for p in loader.problems if p not in project.problems)


def _env_values(service: YMap, file: str, loader: _Loader) -> YMap:
    """The variables of a service's env files, later files winning; references leaving the project are problems."""
    value = service["env_file"]
    written_in = entry_file(service, "env_file", file)
    real_from = loader.real.get(written_in)
    out = YMap(service.line, service.column)
    out.origin = {}
    for index, item in enumerate(value if isinstance(value, list) else [value]):
        reference = item.get("path") if isinstance(item, dict) else item
        if not isinstance(reference, str) or "${" in reference or real_from is None:
            continue  # unresolved, mistyped (VM008 from the schema), or standard input: nothing is read
        path: Path = ("env_file", index) if isinstance(value, list) else ("env_file",)
        path += ("path",) if isinstance(item, dict) else ()
        resolved = loader.access.resolve(reference, written_in, real_from)
        if isinstance(resolved, str):
            loader.problem(service, path, file, f"env file {reference!r} not read: {resolved}")
            continue
        display, real = resolved
        text = loader.access.read_env(real)
        if text is None:
            continue  # missing, unreadable or git-ignored: an untracked env file is where secrets belong
        loader.texts[display] = text
        raw = isinstance(item, dict) and item.get("format") == "raw"
        for entry in env_entries(text):
            literal = entry.value
            if literal is not None and not raw and not entry.literal:
                literal = interpolate(literal, loader.env, budget=loader.budget)[0]
                name = loader.budget.take()
                if name is not None:
                    problem = Position(display, entry.line, entry.value_column)
                    loader.problems.append(ProjectProblem(budget_message(name), problem, "VM006"))
            out[entry.name] = literal
            out.marks[entry.name] = (entry.line, entry.column, entry.line, entry.value_column)
            out.origin[entry.name] = display
    return out
