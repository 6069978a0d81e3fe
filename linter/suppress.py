"""Suppressions: inline comments, the ``vmlint.io/ignore`` annotation, per-path config ignores; the findings cap."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from .checking import ActivePolicy, problem_finding
from .findings import Finding, Suppression
from .formats import LoadedFile, Problem
from .model import Workload
from .source import Position, SourceLines

IGNORE_ANNOTATION = "vmlint.io/ignore"
MAX_FINDINGS_PER_FILE = 10_000
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
        if table:
            import pathspec

            for pattern, ids in table.items():
                self.rules.append((pathspec.GitIgnoreSpec.from_lines([pattern]), frozenset(ids)))

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


def suppress(
    pending: list[tuple[Finding, Workload | None]],
    loaded: LoadedFile,
    display: str,
    lines: SourceLines,
    path_ignores: PathIgnores,
) -> tuple[list[Finding], list[Suppression]]:
    """The findings this file reports, and those a comment, an annotation or the config suppresses."""
    # Compose projects: findings in other files use those files' comments, and each file reports its own.
    inline = {display: inline_ignores(loaded.text)}
    inline.update((file, inline_ignores(text)) for file, text in loaded.other_texts.items())
    by_workload: dict[int, frozenset[str]] = {}
    by_path = path_ignores.ignored(display)
    kept: list[Finding] = []
    suppressions: list[Suppression] = []
    for f, workload in pending:
        if f.file in loaded.dropped or (loaded.keep_only is not None and f.file != loaded.keep_only):
            continue
        comment = ignoring_line(f, inline.get(f.file, {}))
        if comment is not None:
            suppressions.append(Suppression(f, "comment", inline_reason(lines.get(f.file, comment))))
        elif workload is not None and f.policy in _annotation(workload, by_workload):
            suppressions.append(Suppression(f, "annotation", f"{IGNORE_ANNOTATION} annotation"))
        elif f.policy in by_path:
            suppressions.append(Suppression(f, "config", "per-path-ignores in the configuration"))
        else:
            kept.append(f)
    return kept, suppressions


def _annotation(workload: Workload, cache: dict[int, frozenset[str]]) -> frozenset[str]:
    if id(workload) not in cache:
        cache[id(workload)] = annotation_ignores(workload)
    return cache[id(workload)]


def cap_findings(kept: list[Finding], display: str, by_id: Mapping[str, ActivePolicy]) -> list[Finding]:
    """At most ``MAX_FINDINGS_PER_FILE`` findings, then one VM006 saying the rest were left out."""
    if len(kept) <= MAX_FINDINGS_PER_FILE:
        return kept
    message = f"more than {MAX_FINDINGS_PER_FILE} findings; only the first {MAX_FINDINGS_PER_FILE} are reported"
    limit = problem_finding(Problem("VM006", message, Position(display, 1, 1)), by_id)
    return kept[:MAX_FINDINGS_PER_FILE] + ([limit] if limit else [])
