"""Which files a run lints: explicit files, recursive directories, stdin; excludes honoured."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .patterns import gitignore_spec

SKIPPED_DIRS = {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".mypy_cache"}
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json", ".hcl", ".xml")
CLOUD_INIT_NAMES = ("user-data", "cloud-config", "cloud-init")
EXTENSIONLESS_NAMES = ("Kustomization",)
STDIN = "-"
# Deeper directories are VM007, not walked: os.walk recurses (Python < 3.12); real repositories are far shallower.
MAX_DIRECTORY_DEPTH = 100


@dataclass(frozen=True, slots=True)
class Candidate:
    """A file to lint, or a path that could not be walked (``problem`` says why).

    ``explicit``: named on the command line, not found by a walk; ``partial``: a patch (see vmlint.render);
    ``real``: its real path, where the walk resolved it anyway.
    """

    path: str
    display: str
    problem: str | None = None
    partial: bool = False
    explicit: bool = False
    real: str | None = None


def is_candidate_name(name: str) -> bool:
    """Names worth reading when walking a directory."""
    lowered = name.lower()
    return (
        lowered.endswith(MANIFEST_SUFFIXES)
        or any(lowered.startswith(prefix) for prefix in CLOUD_INIT_NAMES)
        or name in EXTENSIONLESS_NAMES
    )


class Excluder:
    """gitignore-style excludes relative to a root directory."""

    def __init__(self, patterns: Iterable[str], root: Path) -> None:
        self.patterns = list(patterns)
        self.root = root.resolve()
        self.spec = gitignore_spec(self.patterns) if self.patterns else None

    def excluded(self, path: str, is_dir: bool = False) -> bool:
        if self.spec is None:
            return False
        try:
            relative = Path(os.path.abspath(path)).relative_to(self.root).as_posix()
        except ValueError:
            relative = Path(path).as_posix()
        return self.spec.match_file(relative + "/" if is_dir else relative)


def discover(paths: Iterable[str], excluder: Excluder) -> Iterator[Candidate]:
    """Files under ``paths`` in a stable order; explicit files are always linted."""
    seen: set[str] = set()
    for raw in paths:
        if raw == STDIN:
            yield Candidate(STDIN, STDIN)
            continue
        if os.path.isdir(raw):
            yield from _walk(raw, excluder, seen)
        elif os.path.lexists(raw):
            key = os.path.realpath(raw)
            if key not in seen:
                seen.add(key)
                yield Candidate(raw, _display(raw), explicit=True)
        else:
            yield Candidate(raw, _display(raw), problem="no such file or directory")


def _walk(top: str, excluder: Excluder, seen: set[str]) -> Iterator[Candidate]:
    problems: list[OSError] = []
    # Links found while walking may only lead to files inside the walked tree or the project root.
    inside = tuple(os.path.join(os.path.realpath(d), "") for d in (top, str(excluder.root)))
    # The walk never follows links, so a directory's real path is its parent's plus its name (resolved once).
    real = {top: os.path.realpath(top)}
    depth = {top: 0}
    for directory, dirs, files in os.walk(top, onerror=problems.append, followlinks=False):
        dirs[:] = sorted(
            d for d in dirs if d not in SKIPPED_DIRS and not excluder.excluded(os.path.join(directory, d), True)
        )
        real_directory = real.pop(directory, None) or os.path.realpath(directory)
        level = depth.pop(directory, 0)
        if level >= MAX_DIRECTORY_DEPTH and dirs:
            where = os.path.join(directory, dirs[0])
            message = f"directory tree deeper than {MAX_DIRECTORY_DEPTH} levels: {len(dirs)} directories not walked"
            yield Candidate(where, _display(where), problem=message)
            dirs[:] = []
        for d in dirs:
            real[os.path.join(directory, d)] = os.path.join(real_directory, d)
            depth[os.path.join(directory, d)] = level + 1
        for name in sorted(files):
            if not is_candidate_name(name):
                continue
            path = os.path.join(directory, name)
            if excluder.excluded(path):
                continue
            linked = os.path.islink(path)
            key = os.path.realpath(path) if linked else os.path.join(real_directory, name)
            if key in seen:
                continue
            seen.add(key)
            if linked and os.path.exists(key) and not key.startswith(inside):
                yield Candidate(
                    path, _display(path), problem="symbolic link to a file outside the scanned tree: not read"
                )
                continue
            yield Candidate(path, _display(path), real=key)
        yield from _unreadable(problems, top)
    yield from _unreadable(problems, top)  # the walk's last directories may fail after its last yield


def _unreadable(problems: list[OSError], top: str) -> Iterator[Candidate]:
    while problems:
        error = problems.pop(0)
        where = str(error.filename or top)
        yield Candidate(where, _display(where), problem=f"cannot read directory: {error.strerror or error}")


def _display(path: str) -> str:
    """A path as users see it: relative to the working directory when inside it."""
    normalised = os.path.normpath(path)
    if os.path.isabs(normalised):
        cwd = os.getcwd()
        if normalised == cwd:
            return "."
        prefix = cwd.rstrip(os.sep) + os.sep
        if normalised.startswith(prefix):
            normalised = normalised[len(prefix) :]
    return normalised.replace(os.sep, "/")
