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
    ignore: pathspec.GitIgnoreSpec | None = None

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
        """Whether the project directory's ``.gitignore`` ignores ``real`` (an untracked file is no commit)."""
        if self.directory is None:
            return False
        if self.ignore is None:
            rules = self.sibling(os.path.join(self.directory, ".gitignore"), ".gitignore")
            text = self.read_text(rules) if rules is not None else None
            try:  # a scanned repository's patterns: matched without backtracking (see linter/patterns.py)
                self.ignore = gitignore_spec((text or "").splitlines())
            except PatternError:  # a .gitignore git itself would not make sense of: nothing counts as ignored
                self.ignore = gitignore_spec(())
        return self.ignore.match_file(os.path.relpath(os.path.realpath(real), self.directory))

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
