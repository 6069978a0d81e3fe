"""Positioned documents: mappings and sequences that remember where each value was written.

Parsers build ``YMap``/``YSeq`` trees whose containers carry 1-based line/column marks.
Policies report a *path* into such a tree; ``locate`` turns it into a position, falling
back to the nearest existing ancestor when the path names a missing field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PathPart = str | int
Path = tuple[PathPart, ...]


@dataclass(frozen=True, slots=True)
class Position:
    """A 1-based location in a file."""

    file: str
    line: int
    column: int


class YMap(dict[Any, Any]):
    """A mapping that keeps the key and value position of each entry.

    ``marks[key] = (key_line, key_col, value_line, value_col)``; ``origin`` maps a key to
    the file it was written in when that differs from the document's file (merged files).
    """

    __slots__ = ("column", "line", "marks", "origin")

    def __init__(self, line: int = 0, column: int = 0) -> None:  # dict's own __init__ would only add a call
        self.marks: dict[Any, tuple[int, int, int, int]] = {}
        self.line = line
        self.column = column
        self.origin: dict[Any, str] | None = None


class YSeq(list[Any]):
    """A sequence that keeps the position of each item."""

    __slots__ = ("column", "line", "marks", "origin")

    def __init__(self, line: int = 0, column: int = 0) -> None:  # as YMap: the new list is already empty
        self.marks: list[tuple[int, int]] = []
        self.line = line
        self.column = column
        self.origin: dict[int, str] | None = None


def locate(root: Any, path: Path, file: str, *, key: bool = False) -> Position:
    """Position of ``path`` in ``root``; the nearest existing ancestor when it is missing.

    With ``key=True`` a mapping entry is located at its key rather than its value.
    """
    line = getattr(root, "line", 1) or 1
    column = getattr(root, "column", 1) or 1
    where = file
    node = root
    last = len(path) - 1 if key else -1
    # Every finding is located through here: the steps are inlined.
    for index, part in enumerate(path):
        if isinstance(node, YMap):
            mark = node.marks.get(part)
            if mark is None:
                break
            origin = node.origin.get(part) if node.origin else None
            if index == last:
                return Position(origin or where, mark[0], mark[1])
            line, column = mark[2], mark[3]
        elif isinstance(node, YSeq) and isinstance(part, int) and 0 <= part < len(node.marks):
            origin = node.origin.get(part) if node.origin else None
            line, column = node.marks[part]
        else:
            break
        if origin:
            where = origin
        node = node[part]
    return Position(where, line, column)


def get(root: Any, path: Path, default: Any = None) -> Any:
    """Value at ``path``, or ``default`` when any step is missing or of the wrong type."""
    depth, node = _descend(root, path)
    return node if depth == len(path) else default


def present(root: Any, path: Path) -> Path:
    """The longest prefix of ``path`` that ``root`` has, stepped as ``get`` steps."""
    return path[: _descend(root, path)[0]]


def _descend(root: Any, path: Path) -> tuple[int, Any]:
    """How many steps of ``path`` ``root`` has (a mapping by string key, a list by index in range), and the node
    reached."""
    node = root
    for depth, part in enumerate(path):
        if isinstance(node, dict) and isinstance(part, str):
            if part not in node:
                return depth, node
        elif not (isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)):
            return depth, node
        node = node[part]
    return len(path), node


class SourceLines:
    """The lines of a file's texts (the file and the others it merged), split on first use."""

    def __init__(self, texts: dict[str, str]) -> None:
        self.texts = texts
        self.split: dict[str, list[str]] = {}

    def get(self, file: str, line: int) -> str:
        """The text of ``line`` in ``file`` ('' outside it)."""
        if file not in self.split:
            self.split[file] = self.texts.get(file, "").splitlines()
        lines = self.split[file]
        return lines[line - 1] if 0 < line <= len(lines) else ""
