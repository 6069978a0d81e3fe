"""The run: discover, then per file read -> load -> policies -> suppress -> assemble; the only orchestrator."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence

from .assemble import assemble
from .budget import FILE_CPU_SECONDS, within_budget
from .checking import ActivePolicy, Checks, problem_finding, run_policies
from .config import Config
from .discovery import STDIN, Candidate, Excluder, discover
from .facts import provided_facts
from .findings import FileResult, Finding, InternalError, Report
from .formats import LoadedFile, Problem, load
from .input_policies import INPUT_POLICIES
from .model import Workload
from .policy import Policy, Settings
from .reading import read_candidate
from .source import Position, SourceLines
from .suppress import MAX_FINDINGS_PER_FILE, PathIgnores, cap_findings, suppress

__all__ = ["MAX_FINDINGS_PER_FILE", "PARALLEL_MIN_FILES", "ActivePolicy", "Engine", "catalog"]

PARALLEL_MIN_FILES = 48


def catalog(policies: Sequence[Policy]) -> tuple[Policy, ...]:
    """The engine's input-error policies and the loaded packs, sorted by id."""
    return tuple(sorted((*INPUT_POLICIES, *policies), key=lambda p: p.id))


class Engine:
    """Lints files with one configuration and one set of policies."""

    def __init__(self, config: Config, policies: Sequence[Policy]) -> None:
        self.config = config
        self.classifier = config.classifier()
        self.active = [
            ActivePolicy(
                p,
                config.severity.get(p.id, p.severity),
                Settings({**p.defaults(), **config.options.get(p.id, {})}),
            )
            for p in catalog(policies)
            if config.enabled(p.id)
        ]
        self.checks = Checks(self.active)
        self.by_id = {a.policy.id: a for a in self.active}
        self.path_ignores = PathIgnores(config.per_path_ignores, config.root)
        self.file_cpu_seconds = FILE_CPU_SECONDS

    def lint(self, paths: Iterable[str], *, stdin_filename: str | None = None, jobs: int = 0) -> Report:
        """Lint every file under ``paths``; ``jobs=0`` picks the worker count."""
        candidates = list(discover(paths, Excluder(self.config.exclude, self.config.root)))
        workers = _worker_count(jobs, len(candidates))
        if workers > 1 and all(c.path != STDIN for c in candidates):  # stdin is read here, once
            results = _lint_parallel(self, candidates, workers)
        else:
            results = [self.lint_candidate(c, stdin_filename) for c in candidates]
        return Report.from_results(results, tuple(a.policy for a in self.active))

    def lint_candidate(self, candidate: Candidate, stdin_filename: str | None = None) -> FileResult:
        """Read one candidate and lint it; unreadable paths become VM007/VM003 findings."""
        if candidate.problem:
            return self._problem_only(
                candidate.display, Problem("VM007", candidate.problem, _first_line(candidate.display))
            )
        if candidate.path == STDIN:
            display = stdin_filename or "<stdin>"
            return self.lint_bytes(sys.stdin.buffer.read(), display)
        data, problem = read_candidate(candidate, self.config.max_file_size)
        if problem is not None:
            return self._problem_only(candidate.display, problem)
        assert data is not None
        return self.lint_bytes(data, candidate.display, candidate.path)

    def _problem_only(self, display: str, problem: Problem) -> FileResult:
        finding = problem_finding(problem, self.by_id)
        return FileResult(display, findings=(finding,) if finding else ())

    def lint_bytes(self, data: bytes, display: str, path: str | None = None) -> FileResult:
        """Lint one file's content within the per-file CPU-time budget; never raises."""
        result = within_budget(self.file_cpu_seconds, lambda: self._lint_bytes(data, display, path))
        if result is None:
            message = f"checking the file used more than {self.file_cpu_seconds:g} s of CPU time; it was not checked"
            return self._problem_only(display, Problem("VM006", message, _first_line(display)))
        return result

    def _lint_bytes(self, data: bytes, display: str, path: str | None) -> FileResult:
        try:
            loaded = load(data, display, self.classifier, path)
            facts = provided_facts(loaded.objects, loaded.workloads, self.classifier, display)
        except Exception as error:  # a parser bug must not end the run
            internal = InternalError(display, f"internal error while reading: {type(error).__name__}: {error}")
            return FileResult(display, errors=(internal,))
        if loaded.skip_reason:
            return FileResult(display, documents=loaded.documents, linted=False)
        return self._check(loaded, facts, display)

    def _check(self, loaded: LoadedFile, facts: set[tuple[str, ...]], display: str) -> FileResult:
        """The per-file pipeline after loading: policies, suppressions, the cap, the result."""
        lines = SourceLines({display: loaded.text, **loaded.other_texts})
        pending: list[tuple[Finding, Workload | None]] = [
            (finding, None) for p in loaded.problems if (finding := problem_finding(p, self.by_id, lines))
        ]
        found, errors = run_policies(loaded.workloads, self.checks, lines, display)
        kept, suppressions = suppress([*pending, *found], loaded, display, lines, self.path_ignores)
        return assemble(display, loaded, cap_findings(kept, display, self.by_id), errors, suppressions, facts)


def _first_line(display: str) -> Position:
    return Position(display, 1, 1)


def _worker_count(jobs: int, files: int) -> int:
    if jobs > 0:
        return min(jobs, max(files, 1))
    if files < PARALLEL_MIN_FILES:
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 8, files // (PARALLEL_MIN_FILES // 2)))


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
    gc.freeze()  # the children's collector then leaves the inherited heap alone (no copy-on-write of it)
    try:
        with multiprocessing.get_context("fork").Pool(workers - 1) as pool:
            pending = pool.map_async(_lint_chunk, [chunks[i] for i in others], chunksize=1)
            for i in range(0, len(chunks), workers):
                parts[i] = _lint_chunk(chunks[i])
            for i, part in zip(others, pending.get(), strict=True):
                parts[i] = part
    finally:
        gc.unfreeze()
        _ENGINE = None
    return [result for part in parts for result in part]
