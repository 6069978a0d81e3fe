"""Suppressions: inline comments, the ``vmlint.io/ignore`` annotation, per-path config ignores."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from .findings import Finding
from .model import Workload
from .patterns import gitignore_spec

IGNORE_ANNOTATION = "vmlint.io/ignore"
_INLINE = re.compile(r"(?:#|<!--)\s*vmlint:\s*ignore\[([^\]]*)\]")


def inline_ignores(text: str) -> dict[int, frozenset[str]]:
    """Line number -> policy ids ignored there by ``# vmlint: ignore[ID,...] reason``."""
    if "vmlint:" not in text:
        return {}
    found: dict[int, frozenset[str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if "vmlint:" in line:
            match = _INLINE.search(line)
            if match:
                found[number] = frozenset(part.strip() for part in match.group(1).split(",") if part.strip())
    return found


def annotation_ignores(workload: Workload) -> frozenset[str]:
    """Policy ids listed in the workload's ``vmlint.io/ignore`` annotation."""
    value = workload.annotations.get(IGNORE_ANNOTATION)
    if not isinstance(value, str):
        return frozenset()
    return frozenset(part.strip() for part in value.split(",") if part.strip())


def ignoring_line(finding: Finding, ignores: Mapping[int, frozenset[str]]) -> int | None:
    """The line (the finding's own, else the one above) whose comment names the finding's policy."""
    return next((line for line in (finding.line, finding.line - 1) if finding.policy in ignores.get(line, ())), None)


def inline_reason(line: str) -> str:
    """The justification after ``ignore[...]`` in a suppression comment ('' when none is given)."""
    match = _INLINE.search(line)
    if match is None:
        return ""
    return line[match.end() :].strip().removesuffix("-->").strip()


class PathIgnores:
    """``per-path-ignores`` from the config: gitignore-style pattern -> policy ids."""

    def __init__(self, table: Mapping[str, Iterable[str]], root: Path) -> None:
        self.root = root
        self.rules: list[tuple[object, frozenset[str]]] = []
        for pattern, ids in table.items():
            self.rules.append((gitignore_spec([pattern]), frozenset(ids)))

    def ignored(self, file: str) -> frozenset[str]:
        """Policy ids ignored for ``file``."""
        if not self.rules:
            return frozenset()
        try:
            relative = Path(file).resolve().relative_to(self.root).as_posix()
        except ValueError:
            relative = Path(file).as_posix()
        out: set[str] = set()
        for spec, ids in self.rules:
            if spec.match_file(relative):  # type: ignore[attr-defined]
                out |= ids
        return frozenset(out)
