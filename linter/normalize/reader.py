"""Typed, never-raising access to a parsed document for the normalisers.

A value of the wrong type is recorded as a problem at its path and read as absent, so
``containers: 5`` becomes one located error finding instead of a crash.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..model import Fact, unset
from ..numbers import INT64, describe, is_unresolved, to_int
from ..source import Path

__all__ = ["Reader", "ShapeProblem", "is_unresolved"]

_TRUE = {"true", "yes", "on", "y"}
_FALSE = {"false", "no", "off", "n"}


@dataclass(frozen=True, slots=True)
class ShapeProblem:
    """A field of the wrong type, found while normalising."""

    path: Path
    message: str


def _dotted(path: Path) -> str:
    return ".".join(str(part) for part in path)


class Reader:
    """Reads fields relative to a path; collects shape problems."""

    def __init__(self, yaml_one_one_bools: bool = False) -> None:
        self.problems: list[ShapeProblem] = []
        self.yaml_one_one_bools = yaml_one_one_bools

    def wrong(self, path: Path, expected: str, value: Any) -> None:
        self.problems.append(ShapeProblem(path, f"{_dotted(path)} should be a {expected}, found {describe(value)}"))

    def map(self, node: Any, path: Path, key: str) -> dict[str, Any]:
        """The mapping at ``node[key]``; empty when absent, null or mistyped."""
        value = node.get(key) if isinstance(node, dict) else None
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.wrong(path + (key,), "mapping", value)
            return {}
        return value

    def seq(self, node: Any, path: Path, key: str) -> list[Any]:
        """The list at ``node[key]``; empty when absent, null or mistyped."""
        value = node.get(key) if isinstance(node, dict) else None
        if value is None:
            return []
        if not isinstance(value, list):
            self.wrong(path + (key,), "list", value)
            return []
        return value

    def maps(self, node: Any, path: Path, key: str) -> list[tuple[int, dict[str, Any]]]:
        """The mapping items of the list at ``node[key]``, with their indexes."""
        out = []
        for index, item in enumerate(self.seq(node, path, key)):
            if isinstance(item, dict):
                out.append((index, item))
            else:
                self.wrong(path + (key, index), "mapping", item)
        return out

    def boolean(self, node: Any, path: Path, key: str, default: bool | None) -> Fact[bool]:
        """A boolean field; strings that only a later tool resolves are unknown."""
        where = path + (key,)
        if not isinstance(node, dict) or key not in node or node[key] is None:
            return unset(default, where)
        value = node[key]
        if isinstance(value, bool):
            return Fact(value, where)
        if isinstance(value, str) and self.yaml_one_one_bools:
            lowered = value.lower()
            if lowered in _TRUE:
                return Fact(True, where)
            if lowered in _FALSE:
                return Fact(False, where)
        if not is_unresolved(value):
            self.wrong(where, "boolean", value)
        return Fact(None, where)

    def text(self, node: Any, path: Path, key: str, default: str | None = None) -> Fact[str]:
        """A string field (numbers are read as their text); placeholders are unknown."""
        where = path + (key,)
        if not isinstance(node, dict) or key not in node or node[key] is None:
            return unset(default, where)
        value = node[key]
        if isinstance(value, (bool, dict, list)):
            self.wrong(where, "string", value)
            return Fact(None, where)
        if is_unresolved(value):
            return Fact(None, where)
        return Fact(str(value), where)

    def integer(
        self, node: Any, path: Path, key: str, default: int | None = None, *, bounds: tuple[int, int] = INT64
    ) -> Fact[int]:
        """An integer field (numeric strings accepted) within ``bounds``; placeholders are unknown."""
        where = path + (key,)
        if not isinstance(node, dict) or key not in node or node[key] is None:
            return unset(default, where)
        number, problem = to_int(node[key], bounds=bounds)
        if problem is not None:
            self.problems.append(
                ShapeProblem(where, f"{_dotted(where)} should be {problem.expected}, found {problem.found}")
            )
        return Fact(number, where)

    def strings(self, node: Any, path: Path, key: str) -> tuple[Fact[str], ...]:
        """The string items of a list field."""
        out = []
        for index, item in enumerate(self.seq(node, path, key)):
            where = path + (key, index)
            if isinstance(item, (str, int)) and not isinstance(item, bool):
                out.append(Fact(None if is_unresolved(item) else str(item), where))
            else:
                self.wrong(where, "string", item)
        return tuple(out)
