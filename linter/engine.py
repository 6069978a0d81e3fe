"""The run: discover, load, check, locate, suppress; the only place that orchestrates."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .budget import FILE_CPU_SECONDS, within_budget
from .config import Config
from .discovery import STDIN, Candidate, Excluder, discover
from .findings import FileResult, Finding, InternalError, ObjectRef, Report, Suppression
from .fix.resolve import resolve
from .formats import LoadedFile, Problem, load
from .input_policies import INPUT_POLICIES
from .model import Workload
from .policy import Hit, Policy, Settings
from .source import Position, locate
from .suppress import (
    IGNORE_ANNOTATION,
    PathIgnores,
    annotation_ignores,
    ignoring_line,
    inline_ignores,
    inline_reason,
)

PARALLEL_MIN_FILES = 48
MAX_FINDINGS_PER_FILE = 10_000


@dataclass(frozen=True, slots=True)
class ActivePolicy:
    """A policy as this run applies it: effective severity and options."""

    policy: Policy
    severity: str
    settings: Settings


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
        self.checks = [a for a in self.active if a.policy.check is not None]
        self.by_id = {a.policy.id: a for a in self.active}
        self.path_ignores = PathIgnores(config.per_path_ignores, config.root)
        self.file_cpu_seconds = FILE_CPU_SECONDS

    def lint(self, paths: Iterable[str], *, stdin_filename: str | None = None, jobs: int = 0) -> Report:
        """Lint every file under ``paths``; ``jobs=0`` picks the worker count."""
        _, results = self.lint_files(paths, stdin_filename=stdin_filename, jobs=jobs)
        return self.report(results)

    def lint_files(
        self, paths: Iterable[str], *, stdin_filename: str | None = None, jobs: int = 0
    ) -> tuple[list[Candidate], list[FileResult]]:
        """The candidates under ``paths`` and each one's result, in the same order."""
        candidates = list(discover(paths, Excluder(self.config.exclude, self.config.root)))
        workers = _worker_count(jobs, len(candidates))
        if workers > 1 and all(c.path != STDIN for c in candidates):  # stdin is read here, once
            results = _lint_parallel(self, candidates, workers)
        else:
            results = [self.lint_candidate(c, stdin_filename) for c in candidates]
        return candidates, results

    def report(self, results: list[FileResult]) -> Report:
        """The run's report from its files' results."""
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
        data, problem = self._read(candidate)
        if problem is not None:
            return self._problem_only(candidate.display, problem)
        assert data is not None
        return self.lint_bytes(data, candidate.display, candidate.path)

    def relint(self, candidate: Candidate, data: bytes | None) -> FileResult:
        """Lint a candidate again after fixes: its new content, or (None) as it is on disk now."""
        if data is None:
            return self.lint_candidate(candidate)
        return self.lint_bytes(data, candidate.display, candidate.path)

    def _read(self, candidate: Candidate) -> tuple[bytes | None, Problem | None]:
        where = _first_line(candidate.display)
        try:
            # Non-blocking open, then fstat of what was opened: a FIFO or device swapped in cannot stall the run.
            fd = os.open(candidate.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
            with open(fd, "rb") as handle:
                info = os.fstat(fd)
                if not stat.S_ISREG(info.st_mode):
                    return None, Problem("VM007", "not a regular file", where)
                if info.st_size > self.config.max_file_size:
                    return None, Problem(
                        "VM003", f"file is {info.st_size} bytes, above the limit of {self.config.max_file_size}", where
                    )
                data = handle.read(self.config.max_file_size + 1)
        except OSError as error:
            return None, Problem("VM007", f"cannot read: {error.strerror or error}", where)
        if len(data) > self.config.max_file_size:
            return None, Problem("VM003", f"file grew above the limit of {self.config.max_file_size} bytes", where)
        return data, None

    def _problem_only(self, display: str, problem: Problem) -> FileResult:
        finding = self._problem_finding(problem)
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
        except Exception as error:  # a parser bug must not end the run
            internal = InternalError(display, f"internal error while reading: {type(error).__name__}: {error}")
            return FileResult(display, errors=(internal,))
        if loaded.skip_reason:
            return FileResult(display, documents=loaded.documents, linted=False)
        return self._check(loaded, display)

    def _check(self, loaded: LoadedFile, display: str) -> FileResult:
        # Each finding travels with the ids its workload's annotation ignores.
        pending: list[tuple[Finding, frozenset[str]]] = []
        errors: list[InternalError] = []
        lines = _Lines({display: loaded.text, **loaded.other_texts})
        for problem in loaded.problems:
            finding = self._problem_finding(problem, lines)
            if finding:
                pending.append((finding, frozenset()))
        for workload in loaded.workloads:
            ignores = annotation_ignores(workload)
            for active in self.checks:
                if workload.format not in active.policy.formats:
                    continue
                try:
                    pending.extend(
                        (self._hit_finding(workload, active, hit, lines), ignores)
                        for hit in active.policy.run(workload, active.settings)
                    )
                except Exception as error:  # one failing policy must not stop the others
                    message = (
                        f"{active.policy.id} failed on {workload.kind}/{workload.name}: {type(error).__name__}: {error}"
                    )
                    errors.append(InternalError(display, message, active.policy.id))
        # Compose projects: findings in other files use those files' comments, and each file reports its own.
        inline = {display: inline_ignores(loaded.text)}
        inline.update((file, inline_ignores(text)) for file, text in loaded.other_texts.items())
        pending = [
            (f, ignores)
            for f, ignores in pending
            if f.file not in loaded.dropped and (loaded.keep_only is None or f.file == loaded.keep_only)
        ]
        by_path = self.path_ignores.ignored(display)
        kept: list[Finding] = []
        suppressions: list[Suppression] = []
        for f, ignores in pending:
            comment = ignoring_line(f, inline.get(f.file, {}))
            if comment is not None:
                suppressions.append(Suppression(f, "comment", inline_reason(lines.get(f.file, comment))))
            elif f.policy in ignores:
                suppressions.append(Suppression(f, "annotation", f"{IGNORE_ANNOTATION} annotation"))
            elif f.policy in by_path:
                suppressions.append(Suppression(f, "config", "per-path-ignores in the configuration"))
            else:
                kept.append(f)
        if len(kept) > MAX_FINDINGS_PER_FILE:
            message = f"more than {MAX_FINDINGS_PER_FILE} findings; only the first {MAX_FINDINGS_PER_FILE} are reported"
            limit = self._problem_finding(Problem("VM006", message, _first_line(display)))
            kept = kept[:MAX_FINDINGS_PER_FILE] + ([limit] if limit else [])
        return FileResult(
            display,
            findings=tuple(kept),
            errors=tuple(errors),
            suppressed=len(suppressions),
            documents=loaded.documents,
            workloads=sum(workload.role != "object" for workload in loaded.workloads),
            facts=frozenset(loaded.facts),
            suppressions=tuple(suppressions),
        )

    @staticmethod
    def _hit_finding(workload: Workload, active: ActivePolicy, hit: Hit, lines: _Lines) -> Finding:
        position = locate(workload.document, workload.path + hit.path, workload.file, key=hit.key)
        fix = hit.fix or active.policy.fix
        return Finding(
            file=position.file,
            line=position.line,
            column=position.column,
            policy=active.policy.id,
            name=active.policy.name,
            severity=active.severity,
            tradeoff=active.policy.tradeoff,
            message=hit.message,
            object=ObjectRef(workload.format, workload.kind, workload.name, workload.namespace, hit.unit),
            related=active.policy.related,
            unless=hit.unless,
            source_line=lines.get(position.file, position.line),
            fix=resolve(workload.document, workload.path + hit.path, workload.file, fix) if fix else None,
        )

    def _problem_finding(self, problem: Problem, lines: _Lines | None = None) -> Finding | None:
        active = self.by_id.get(problem.code)
        if active is None:
            return None
        return Finding(
            file=problem.position.file,
            line=problem.position.line,
            column=problem.position.column,
            policy=problem.code,
            name=active.policy.name,
            severity=active.severity,
            tradeoff=active.policy.tradeoff,
            message=problem.message,
            source_line=lines.get(problem.position.file, problem.position.line) if lines else "",
        )


class _Lines:
    """The lines of a file's texts, split on first use."""

    def __init__(self, texts: dict[str, str]) -> None:
        self.texts = texts
        self.split: dict[str, list[str]] = {}

    def get(self, file: str, line: int) -> str:
        if file not in self.split:
            self.split[file] = self.texts.get(file, "").splitlines()
        lines = self.split[file]
        return lines[line - 1] if 0 < line <= len(lines) else ""


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
