"""Reading the other files of a Compose project, never outside the project directory."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from ..parsers.yaml_tree import parse_yaml
from ..patterns import PatternError, gitignore_spec
from ..source import YMap

if TYPE_CHECKING:
    import pathspec

MAX_FILE_SIZE = 5 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ProjectFile:
    """A file of the project: how users see its path, where it is, and its root mapping."""

    display: str
    real: str
    root: YMap | None
    text: str


@dataclass(slots=True)
class FileAccess:
    """Opens files referenced by a project; refuses paths that leave ``directory``."""

    directory: str | None
    cache: dict[str, ProjectFile | str] = field(default_factory=dict)
    ignores: dict[str, pathspec.GitIgnoreSpec] = field(default_factory=dict)  # .gitignore path -> its rules

    def resolve(self, reference: str, display_from: str, real_from: str | None) -> tuple[str, str] | str:
        """(display, real path) of ``reference`` written in a file, or why it cannot be read."""
        if self.directory is None or real_from is None:
            return "other files are not read for standard input"
        if os.path.isabs(reference) or reference.startswith("~"):
            return "absolute paths are not followed"
        joined = os.path.normpath(os.path.join(os.path.dirname(real_from), reference))
        real = os.path.realpath(joined)
        if os.path.commonpath([real, self.directory]) != self.directory:
            return "the path leaves the project directory"
        display = str(PurePosixPath(os.path.normpath(os.path.join(os.path.dirname(display_from), reference))))
        return display, real

    def read(self, display: str, real: str) -> ProjectFile | str:
        """The parsed file, or why it could not be read (missing, too large, not YAML)."""
        if real in self.cache:
            return self.cache[real]
        result = self._read(display, real)
        self.cache[real] = result
        return result

    @staticmethod
    def _read(display: str, real: str) -> ProjectFile | str:
        try:
            if not os.path.isfile(real):
                return "no such file"
            if os.path.getsize(real) > MAX_FILE_SIZE:
                return "file too large"
            with open(real, "rb") as handle:
                text = handle.read(MAX_FILE_SIZE + 1).decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            return f"cannot read: {error}"
        documents, problems = parse_yaml(text)
        if any(problem.code in ("VM001", "VM006") for problem in problems):
            return "not valid YAML"
        root: Any = documents[0].root if documents else None
        return ProjectFile(display, real, root if isinstance(root, YMap) else None, text)

    def read_env(self, real: str) -> str | None:
        """An env file's text; None when it is not a regular file, too large, unreadable or git-ignored."""
        if not os.path.isfile(real) or self.git_ignored(real):
            return None
        return self.read_text(real)

    def git_ignored(self, real: str) -> bool:
        """Whether git ignores ``real`` (an untracked file is no commit), by git's own rules.

        Every ``.gitignore`` from the repository root (the nearest directory with ``.git``) down to the file's
        directory, each relative to its own directory, the deepest matching rule winning, and
        ``.git/info/exclude``; outside a repository, the project directory's ``.gitignore``.
        """
        if self.directory is None:
            return False
        target = os.path.realpath(real)
        root = _repository_root(self.directory) or self.directory
        decided: bool | None = None
        for directory, spec in self._ignore_specs(root, os.path.dirname(target)):
            include = spec.check_file(os.path.relpath(target, directory)).include
            if include is not None:
                decided = include
        return decided is True

    def _ignore_specs(self, root: str, directory: str) -> list[tuple[str, pathspec.GitIgnoreSpec]]:
        """(directory, rules) pairs in git's order of precedence, lowest first."""
        sources = [(root, os.path.join(root, ".git", "info", "exclude"))]
        levels = [root]
        relative = os.path.relpath(directory, root)
        if relative != "." and not relative.startswith(".."):
            for part in relative.split(os.sep):
                levels.append(os.path.join(levels[-1], part))
        sources += [(level, os.path.join(level, ".gitignore")) for level in levels]
        specs = []
        for level, rules in sources:
            if rules not in self.ignores:
                text = self.read_text(rules) if os.path.isfile(rules) else None
                try:  # a scanned repository's patterns: matched without backtracking (see linter/patterns.py)
                    self.ignores[rules] = gitignore_spec((text or "").splitlines())
                except PatternError:  # rules git itself would not make sense of: they ignore nothing
                    self.ignores[rules] = gitignore_spec(())
            specs.append((level, self.ignores[rules]))
        return specs

    @staticmethod
    def read_text(real: str) -> str | None:
        """A small text file (``.env``), or None when it cannot be read."""
        try:
            if os.path.getsize(real) > MAX_FILE_SIZE:
                return None
            with open(real, encoding="utf-8-sig", errors="replace") as handle:
                return handle.read()
        except OSError:
            return None

    def sibling(self, real_from: str | None, name: str) -> str | None:
        """The path of ``name`` beside ``real_from`` when it exists and resolves inside the project directory."""
        if real_from is None or self.directory is None:
            return None
        candidate = os.path.join(os.path.dirname(real_from), name)
        if not os.path.isfile(candidate):
            return None
        real = os.path.realpath(candidate)
        return candidate if os.path.commonpath([real, self.directory]) == self.directory else None


def _repository_root(directory: str) -> str | None:
    """The nearest directory at or above ``directory`` that holds ``.git``."""
    current = os.path.realpath(directory)
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent
