"""The run: discover, render, then per file read -> load -> policies -> suppress -> assemble; the only orchestrator."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import chain

from .assemble import assemble
from .budget import FILE_CPU_SECONDS, usable_cpus, within_budget
from .caches import new_run
from .checking import ActivePolicy, Checks, problem_finding, run_policies
from .config import Config
from .discovery import STDIN, Candidate, Excluder, discover
from .facts import provided_facts
from .findings import FileResult, Finding, InternalError, Report
from .formats import LoadedFile, Problem, load
from .input_policies import INPUT_POLICIES
from .model import Workload
from .parsers.hcl import build_parser
from .policy import Policy, Settings
from .posture import minimum_isolation
from .reading import ReadAhead, read_candidate
from .render import Rendered, Segment, render, segments
from .render_policies import RENDER_POLICIES
from .rule_errors import RULE_ERROR_POLICIES
from .schema import Validation
from .selectors import Selectors
from .source import Position, SourceLines
from .suppress import (
    MAX_FINDINGS_PER_FILE,
    RUN_CAP_MESSAGE,
    PathIgnores,
    RunCount,
    cap_findings,
    cap_run,
    suppress,
)

__all__ = ["MAX_FINDINGS_PER_FILE", "PARALLEL_MIN_FILES", "ActivePolicy", "Engine", "LintRun", "catalog"]

PARALLEL_MIN_FILES = 48
RunHook = Callable[["Engine", list[Candidate]], list[FileResult]]


@dataclass(frozen=True, slots=True)
class LintRun:
    """A run before its report: the candidates with their results, the rendered output's results, notes."""

    candidates: list[Candidate]
    results: list[FileResult]
    rendered: list[FileResult]
    notes: tuple[str, ...]
    extra: list[FileResult]  # what the run hook reported (user rules' notices), counted as no file


def catalog(policies: Sequence[Policy]) -> tuple[Policy, ...]:
    """The engine's input-error policies and the loaded packs, sorted by id."""
    return tuple(sorted((*INPUT_POLICIES, *RENDER_POLICIES, *RULE_ERROR_POLICIES, *policies), key=lambda p: p.id))


class Engine:
    """Lints files with one configuration and one set of policies."""

    def __init__(
        self, config: Config, policies: Sequence[Policy], prepare: RunHook | None = None, *, excerpts: bool = True
    ) -> None:
        """``excerpts``: keep the lines around each finding (only the HTML report shows them)."""
        self.config = config
        self.prepare = prepare  # called once per run before files are linted (user rules gather documents)
        self.classifier = config.classifier()
        self.active = [
            ActivePolicy(
                p,
                config.severity.get(p.id, p.severity),
                Settings({**p.defaults(), **config.options.get(p.id, {})}, config.kubernetes_version),
            )
            for p in catalog(policies)
            if config.enabled(p.id, default=p.default_enabled)
        ]
        self.selectors = Selectors(catalog(policies))
        self.checks = Checks(self.active)
        self.by_id = {a.policy.id: a for a in self.active}
        self.minimum_isolation = minimum_isolation(catalog(policies), config.options)
        self.path_ignores = PathIgnores(config.per_path_ignores, config.root)
        self.file_cpu_seconds = FILE_CPU_SECONDS
        self.fixes = False  # whether findings carry their located fixes (set per run by lint_files)
        self.excerpts = excerpts
        self.ahead: ReadAhead | None = None  # files read before the lint, during a run
        self.schemas = Validation(config.kubernetes_version, config.schema_dirs, config.enabled)
        self.reported = RunCount()  # findings this process produced in the run (each forked worker counts its own)

    def lint(self, paths: Iterable[str], *, stdin_filename: str | None = None, jobs: int = 0) -> Report:
        """Lint every file under ``paths``; ``jobs=0`` picks the worker count."""
        run = self.lint_files(paths, stdin_filename=stdin_filename, jobs=jobs)
        return self.report([*run.results, *run.rendered], run.notes, run.extra)

    def lint_files(
        self, paths: Iterable[str], *, stdin_filename: str | None = None, jobs: int = 0, fixes: bool = False
    ) -> LintRun:
        """Each candidate's result (in candidate order) and the rendered output's: the fix stage's input.

        ``fixes``: locate each finding's fix (only the fix stage needs them; a plain run skips the work).
        """
        self.fixes = fixes
        new_run()
        candidates = list(discover(paths, Excluder(self.config.exclude, self.config.root)))
        rendered = render(candidates, self.config, self.classifier)
        candidates = rendered.candidates
        if any(c.path.lower().endswith(".hcl") for c in candidates):
            build_parser()  # a one-time cost, not the first Packer file's
        self.ahead = ReadAhead(self.config.max_file_size)
        try:
            extra = self.prepare(self, candidates) if self.prepare is not None else []
            self.reported = RunCount()
            workers = _worker_count(jobs, len(candidates))
            self.schemas.learn(candidates, self.ahead.read)
            if workers > 1 and all(c.path != STDIN for c in candidates):  # stdin is read here, once
                results = _lint_parallel(self, candidates, workers)
            else:
                results = [self.lint_candidate(c, stdin_filename) for c in candidates]
        finally:
            self.ahead = None  # files linted again (after fixes) are read as they are then
        return LintRun(candidates, results, self._lint_rendered(rendered), tuple(rendered.notes), extra)

    def report(
        self, results: list[FileResult], notes: tuple[str, ...] = (), extra: Sequence[FileResult] = ()
    ) -> Report:
        """The run's report from its files' results, at most ``MAX_FINDINGS_PER_RUN`` findings of them."""
        policies = tuple(a.policy for a in self.active)
        capped = cap_run(results, self.by_id)
        report = Report.from_results([*capped, *extra], policies, self.minimum_isolation, notes)
        return replace(report, summary=replace(report.summary, skipped=report.summary.skipped - len(extra)))

    def relint(self, candidate: Candidate, data: bytes | None) -> FileResult:
        """Lint a candidate again after fixes: its new content, or (None) as it is on disk now.

        Not held to the run's count: ``report`` caps the run's findings again.
        """
        if data is None:
            return self._budgeted(candidate.display, lambda: self._lint_candidate(candidate, None))
        return self.lint_bytes(data, candidate.display, candidate.path, partial=candidate.partial)

    def _lint_rendered(self, rendered: Rendered) -> list[FileResult]:
        """Rendered charts document by document, rendered builds and render findings, chart files not linted."""
        results = [self.lint_segments(display, found) for display, found in rendered.streams]
        for display, loaded in rendered.files:
            results.append(self._budgeted(display, functools.partial(self._check_rendered, loaded, display)))
        results += [FileResult(error.file, errors=(error,)) for error in rendered.errors]
        return results + [FileResult(display, linted=False) for display in rendered.skipped]

    def _check_rendered(self, loaded: LoadedFile, display: str) -> FileResult:
        facts = provided_facts(loaded.objects, loaded.workloads, self.classifier, display)
        return self._check(loaded, facts, display)

    def lint_candidate(self, candidate: Candidate, stdin_filename: str | None = None) -> FileResult:
        """Read one candidate and lint it; unreadable paths become VM007/VM003 findings."""
        if self.reported.reached():
            return self._problem_only(
                candidate.display, Problem("VM006", RUN_CAP_MESSAGE, _first_line(candidate.display))
            )
        # One budget for the whole file: reading, loading, checking, locating and dropping what was built.
        result = self._budgeted(candidate.display, lambda: self._lint_candidate(candidate, stdin_filename))
        self.reported.add(result)
        return result

    def _lint_candidate(self, candidate: Candidate, stdin_filename: str | None) -> FileResult:
        if candidate.problem:
            return self._problem_only(
                candidate.display, Problem("VM007", candidate.problem, _first_line(candidate.display))
            )
        if candidate.path == STDIN:
            display = stdin_filename or "<stdin>"  # a name given wins over a Helm stream's sources
            return self._lint_data(sys.stdin.buffer.read(), display, None, split=stdin_filename is None)
        ahead = self.ahead
        data, problem = ahead.take(candidate) if ahead else read_candidate(candidate, self.config.max_file_size)
        if problem is not None:
            return self._problem_only(candidate.display, problem)
        assert data is not None
        return self._lint_data(data, candidate.display, candidate.path, partial=candidate.partial)

    def _problem_only(self, display: str, problem: Problem) -> FileResult:
        finding = problem_finding(problem, self.by_id)
        return FileResult(display, findings=(finding,) if finding else ())

    def lint_bytes(
        self, data: bytes, display: str, path: str | None = None, *, split: bool = True, partial: bool = False
    ) -> FileResult:
        """Lint one file's content within the per-file CPU-time budget; never raises.

        ``split``: a Helm stream is linted document by document; ``partial``: a patch, judged on what it writes.
        """
        return self._budgeted(display, lambda: self._lint_data(data, display, path, split=split, partial=partial))

    def _budgeted(self, display: str, work: Callable[[], FileResult]) -> FileResult:
        """``work()`` within the per-file CPU-time budget (budgets do not nest: call this once per file)."""
        result = within_budget(self.file_cpu_seconds, work)
        if result is None:
            message = (
                f"checking the file used up its budget of {self.file_cpu_seconds:g} s of CPU time; it was not checked"
            )
            return self._problem_only(display, Problem("VM006", message, _first_line(display)))
        return result

    def lint_segments(self, display: str, found: list[Segment]) -> FileResult:
        """A rendered chart: each document linted under the name of the template that wrote it, in its budget."""
        parts = [(self.lint_bytes(s.data, s.display or display, split=False), s.rendered_by) for s in found]
        return FileResult.merged(display, parts)

    def _lint_data(
        self, data: bytes, display: str, path: str | None, *, split: bool = True, partial: bool = False
    ) -> FileResult:
        """One file's content, a Helm stream document by document, in the caller's (the file's) budget."""
        found = segments(data) if split else None
        if found:
            parts = [(self._lint_bytes(s.data, s.display or display, None, False), s.rendered_by) for s in found]
            return FileResult.merged(display, parts)
        return self._lint_bytes(data, display, path, partial)

    def _lint_bytes(self, data: bytes, display: str, path: str | None, partial: bool) -> FileResult:
        try:
            loaded = load(data, display, self.classifier, path)
            facts = provided_facts(loaded.objects, loaded.workloads, self.classifier, display)
        except Exception as error:  # a parser bug must not end the run
            internal = InternalError(display, f"internal error while reading: {type(error).__name__}: {error}")
            return FileResult(display, errors=(internal,))
        if loaded.skip_reason:
            return FileResult(display, documents=loaded.documents, linted=False)
        return self._check(loaded, facts, display, partial)

    def _check(
        self, loaded: LoadedFile, facts: set[tuple[str, ...]], display: str, partial: bool = False
    ) -> FileResult:
        """The per-file pipeline after loading: policies, suppressions, the cap, the result."""
        lines = SourceLines({display: loaded.text, **loaded.other_texts})
        unvalidated = self.schemas.check(loaded, display, partial)
        pending: list[tuple[Finding, Workload | None]] = [
            (finding, None) for p in loaded.problems if (finding := problem_finding(p, self.by_id, lines))
        ]
        found, errors = run_policies(
            loaded.workloads, self.checks, self.by_id, lines, display, partial=partial, fixes=self.fixes
        )
        kept, suppressions = suppress(
            chain(pending, found), loaded, display, lines, self.path_ignores, self.selectors, self.by_id
        )
        capped = cap_findings(kept, display, self.by_id)
        return assemble(display, loaded, capped, errors, suppressions, facts, unvalidated, excerpts=self.excerpts)


def _first_line(display: str) -> Position:
    return Position(display, 1, 1)


def _worker_count(jobs: int, files: int) -> int:
    if jobs > 0:
        return min(jobs, max(files, 1))
    if files < PARALLEL_MIN_FILES:
        return 1
    return max(1, min(usable_cpus(), 8, files // (PARALLEL_MIN_FILES // 2)))


_ENGINE: Engine | None = None


def _lint_chunk(chunk: list[Candidate]) -> list[FileResult]:
    assert _ENGINE is not None
    return [_ENGINE.lint_candidate(candidate) for candidate in chunk]


def _lint_parallel(engine: Engine, candidates: list[Candidate], workers: int) -> list[FileResult]:
    """Lint in forked workers that inherit the loaded engine, this process taking its share; input order kept."""
    import gc
    import multiprocessing

    global _ENGINE
    _ENGINE = engine
    size = max(1, len(candidates) // (workers * 4))
    chunks = [candidates[i : i + size] for i in range(0, len(candidates), size)]
    # Every workers-th chunk stays here: its results need no pickling, and there is one fork fewer.
    others = [i for i in range(len(chunks)) if i % workers]
    parts: list[list[FileResult]] = [[] for _ in chunks]
    frozen_by_caller = gc.get_freeze_count() > 0  # the CLI froze what it loaded, for the whole run
    gc.freeze()  # the children's collector then leaves the inherited heap alone (no copy-on-write of it)
    try:
        with multiprocessing.get_context("fork").Pool(workers - 1) as pool:
            pending = pool.map_async(_lint_chunk, [chunks[i] for i in others], chunksize=1)
            for i in range(0, len(chunks), workers):
                parts[i] = _lint_chunk(chunks[i])
            for i, part in zip(others, pending.get(), strict=True):
                parts[i] = part
    finally:
        if not frozen_by_caller:
            gc.unfreeze()
        _ENGINE = None
    return [result for part in parts for result in part]
