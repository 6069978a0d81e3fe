"""Suppressions: inline comments, the ``vmlint.io/ignore`` annotation, per-path config ignores; the findings cap."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path

from .checking import ActivePolicy, problem_finding
from .directives import (
    COMPOSE_EXTENSION,
    IGNORE_ANNOTATION,
    Directive,
    comment_directives,
    workload_directives,
)
from .findings import FileResult, Finding, Suppression, finding_key
from .formats import LoadedFile, Problem
from .model import Workload
from .patterns import gitignore_spec
from .selectors import Selectors
from .source import Position, SourceLines

MAX_FINDINGS_PER_FILE = 10_000
MAX_FINDINGS_PER_RUN = 25_000  # GitHub code scanning's limit of results per SARIF run


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


def suppress(
    pending: Iterable[tuple[Finding, Workload | None]],
    loaded: LoadedFile,
    display: str,
    lines: SourceLines,
    path_ignores: PathIgnores,
    selectors: Selectors,
    by_id: Mapping[str, ActivePolicy],
    limit: int = MAX_FINDINGS_PER_FILE + 1,
) -> tuple[list[Finding], list[Suppression]]:
    """The findings this file reports, and those a comment, an annotation or the config suppresses.

    At most ``limit`` findings are kept: ``pending`` (lazy) is not read further, and then no directive is
    called unused, since a finding it would have suppressed may not have been read.
    The directives themselves are checked too: one naming no policy, or an unknown one, is VM040; with VM009
    selected, a policy a directive names that suppressed nothing is VM009.
    """

    def reported(file: str) -> bool:  # Compose projects: each file reports its own findings
        return file not in loaded.dropped and (loaded.keep_only is None or file == loaded.keep_only)

    texts = {display: loaded.text, **loaded.other_texts}
    comments = {file: comment_directives(text, file, selectors) for file, text in texts.items() if reported(file)}
    annotated = any(IGNORE_ANNOTATION in text or COMPOSE_EXTENSION in text for text in texts.values())
    by_workload: dict[int, list[Directive]] = {}
    used: set[tuple[int, str]] = set()  # (id of the directive, policy id)
    read_all = True
    by_path = path_ignores.ignored(display)
    kept: list[Finding] = []
    suppressions: list[Suppression] = []
    for f, workload in pending:
        if not reported(f.file):
            continue
        comment = _ignoring_comment(f, comments.get(f.file, {}))
        annotation = _ignoring_annotation(f, workload, by_workload, selectors) if annotated and not comment else None
        if comment is not None:
            suppressions.append(Suppression(f, "comment", comment.reason))
            used.add((id(comment), f.policy))
        elif annotation is not None:
            suppressions.append(Suppression(f, "annotation", f"{IGNORE_ANNOTATION} annotation"))
            used.add((id(annotation), f.policy))
        elif f.policy in by_path:
            suppressions.append(Suppression(f, "config", "per-path-ignores in the configuration"))
        else:
            kept.append(f)
            if len(kept) >= limit:
                read_all = False
                break
    if annotated:
        for workload in loaded.workloads:
            _directives(workload, by_workload, selectors)
    written = [d for file in comments.values() for d in file.values()]
    written += [d for ds in by_workload.values() for d in ds if reported(d.position.file)]
    kept += audit(written, used if read_all else None, lines, by_id)
    return kept, suppressions


def _ignoring_comment(finding: Finding, comments: Mapping[int, Directive]) -> Directive | None:
    """The comment (on the finding's line, else the line above) that names the finding's policy."""
    for line in (finding.line, finding.line - 1):
        comment = comments.get(line)
        if comment is not None and finding.policy in comment.ids:
            return comment
    return None


def _ignoring_annotation(
    finding: Finding, workload: Workload | None, cache: dict[int, list[Directive]], selectors: Selectors
) -> Directive | None:
    if workload is None:
        return None
    return next((d for d in _directives(workload, cache, selectors) if finding.policy in d.ids), None)


def _directives(workload: Workload, cache: dict[int, list[Directive]], selectors: Selectors) -> list[Directive]:
    if id(workload) not in cache:
        cache[id(workload)] = workload_directives(workload, selectors)
    return cache[id(workload)]


class RunCount:
    """The distinct findings a run (or one worker of it) holds: a finding that two files' runs produce counts once."""

    def __init__(self) -> None:
        self.total = 0  # findings added, the same one counted each time: a bound on the distinct ones
        self.held: list[tuple[Finding, ...]] = []  # until that bound reaches the cap, no key is computed
        self.seen: set[tuple[object, ...]] | None = None

    def add(self, result: FileResult) -> None:
        self.total += len(result.findings)
        if self.seen is not None:
            self.seen.update(finding_key(f) for f in result.findings)
            return
        self.held.append(result.findings)
        if self.total >= MAX_FINDINGS_PER_RUN:
            self.seen = {finding_key(f) for findings in self.held for f in findings}
            self.held = []

    def reached(self) -> bool:
        """Whether the run already holds the most findings a run reports."""
        return self.seen is not None and len(self.seen) >= MAX_FINDINGS_PER_RUN


RUN_CAP_MESSAGE = f"the run reached {MAX_FINDINGS_PER_RUN} findings; findings of this file are not reported"


def cap_run(results: list[FileResult], by_id: Mapping[str, ActivePolicy]) -> list[FileResult]:
    """At most ``MAX_FINDINGS_PER_RUN`` findings in input order; every file past that point gets one VM006.

    Workers stop checking once they alone hold the cap, so every file they skipped lies past that point.
    """
    if sum(len(result.findings) for result in results) <= MAX_FINDINGS_PER_RUN:
        return results  # fewer findings than the cap, even counting a finding of two files twice
    out: list[FileResult] = []
    seen: set[tuple[object, ...]] = set()
    for result in results:
        room = MAX_FINDINGS_PER_RUN - len(seen)
        new = {finding_key(f) for f in result.findings} - seen
        if room > 0 and len(new) <= room:
            seen |= new
            out.append(result)
            continue
        limit = problem_finding(Problem("VM006", RUN_CAP_MESSAGE, Position(result.file, 1, 1)), by_id)
        marker = (limit,) if limit else ()
        if room <= 0:  # as if never read, whichever worker got to it: the report does not depend on --jobs
            out.append(FileResult(result.file, findings=marker))
            continue
        kept = []
        for f in result.findings:
            key = finding_key(f)
            if key in seen or len(seen) < MAX_FINDINGS_PER_RUN:
                seen.add(key)
                kept.append(f)
        out.append(replace(result, findings=(*kept, *marker)))
    return out


def audit(
    directives: list[Directive],
    used: set[tuple[int, str]] | None,
    lines: SourceLines,
    by_id: Mapping[str, ActivePolicy],
) -> list[Finding]:
    """VM040 for directives that name nothing or no known policy; VM009 for named policies that suppressed nothing
    (only policies that ran: a directive for a policy left out of this run cannot be judged; none when ``used``
    is None, the file's findings not all read)."""
    problems: list[Problem] = []
    for d in directives:
        where = "vmlint.io/ignore" if d.kind == "annotation" else "the suppression comment"
        if d.bare:
            problems.append(
                Problem("VM040", f"{where} names no policy, so it suppresses nothing: {_HOW[d.kind]}", d.position)
            )
        problems.extend(Problem("VM040", f"{where}: {message}", d.position) for message in d.unknown)
        for policy_id in sorted(d.ids):
            if used is not None and policy_id in by_id and (id(d), policy_id) not in used:
                scope = "on this line or the next" if d.kind == "comment" else "of this workload"
                message = f"{where} names {policy_id}, but no {policy_id} finding {scope} is suppressed; remove it"
                problems.append(Problem("VM009", message, d.position))
    return [f for p in problems if (f := problem_finding(p, by_id, lines)) is not None]


_HOW = {
    "comment": "name the policies, as in `# vmlint: ignore[VM102] reason`",
    "annotation": 'list policy ids, as in `vmlint.io/ignore: "VM102,VM105"`',
}


def cap_findings(kept: list[Finding], display: str, by_id: Mapping[str, ActivePolicy]) -> list[Finding]:
    """At most ``MAX_FINDINGS_PER_FILE`` findings, then one VM006 saying the rest were left out."""
    if len(kept) <= MAX_FINDINGS_PER_FILE:
        return kept
    message = f"more than {MAX_FINDINGS_PER_FILE} findings; only the first {MAX_FINDINGS_PER_FILE} are reported"
    limit = problem_finding(Problem("VM006", message, Position(display, 1, 1)), by_id)
    return kept[:MAX_FINDINGS_PER_FILE] + ([limit] if limit else [])
