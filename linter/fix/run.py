"""Applying the findings' fixes in rounds, to disk (``--fix``) or to a diff (``--diff``).

Each round takes the fixable findings of the current results, plans every fix of a file against that file's
text, keeps the fixes whose changes do not overlap (the others wait for the next round), verifies the file
with the linting parser, writes it (``--fix``), and lints the changed files again.  Rounds end when a round
changes nothing.  Files without fixable findings are never read again.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import yaml

from ..budget import usable_cpus
from ..discovery import STDIN, Candidate
from ..findings import FileResult, Finding, Report
from ..fixes import Target
from . import verify
from .edit import Change, Document, EditError, Planned, conflicts, splice
from .files import FixFile, Refused, Roots, open_for_fix, write_atomic

MAX_ROUNDS = 25

FindingKey = tuple[str, str, str, str]


def finding_key(finding: Finding) -> FindingKey:
    """What identifies a finding across rounds, whose fixes move its line."""
    where = finding.object.describe() if finding.object else ""
    return finding.file, finding.policy, where, finding.message


@dataclass(slots=True)
class Outcome:
    """What the fixes did: the results left, the fixed files' texts, counts, and why some fixes were not applied."""

    results: list[FileResult]
    report: Report | None = None  # the report of what is left
    files: dict[str, FixFile] = field(default_factory=dict)
    applied: int = 0
    failed: dict[FindingKey, str] = field(default_factory=dict)
    not_applied: list[str] = field(default_factory=list)  # ``file:line:col: ID fix not applied: why``

    def changed(self) -> list[FixFile]:
        return [file for file in self.files.values() if file.text != file.original]

    def diff(self) -> str:
        """A unified diff of every changed file, in file order."""
        out: list[str] = []
        for file in sorted(self.changed(), key=lambda f: f.display):
            lines = difflib.unified_diff(
                file.original.splitlines(keepends=True),
                file.text.splitlines(keepends=True),
                f"a/{file.display}",
                f"b/{file.display}",
            )
            for line in lines:
                out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
        return "".join(out)


Accepted = tuple[list[Finding], list[Planned]]  # findings fixed by one set of changes
Relint = Callable[[Candidate, "bytes | None"], FileResult]  # None: read the file from disk
Finish = Callable[[list[FileResult]], Report]


class Fixer:
    """One run's fixes: which apply, the files they touch, and the rounds."""

    def __init__(
        self,
        candidates: list[Candidate],
        results: list[FileResult],
        rendered: list[FileResult],
        paths: Iterable[str],
        *,
        unsafe: bool,
        write: bool,
        max_size: int,
    ) -> None:
        pairs = list(zip(candidates, results, strict=True))
        self.candidates = {result.file: candidate for candidate, result in pairs}
        self.stdin = {result.file for candidate, result in pairs if candidate.path == STDIN}
        # Rendered output (Helm, Kustomize) is reported with what is left, never fixed: it is not what was written.
        self.rendered = [replace(r, findings=tuple(replace(f, fix=None) for f in r.findings)) for r in rendered]
        self.results = {result.file: result for result in results}
        self.roots = Roots(p for p in paths if p != STDIN)
        self.unsafe = unsafe
        self.write = write
        self.max_size = max_size
        self.outcome = Outcome(results)
        self.refused: dict[str, str] = {}
        self.readings: dict[str, verify.Original | None] = {}  # each fixed file's current text, as parsed

    def applies(self, finding: Finding) -> bool:
        fix = finding.fix
        return fix is not None and (fix.applicability == "safe" or self.unsafe)

    def run(self, relint: Relint, finish: Finish, jobs: int = 0) -> Outcome:
        """Rounds until nothing changes; the results describe what is left.

        With many files to fix, the files are split by directory (a Compose project stays together) among
        forked workers, each running the rounds for its share; ``jobs`` as for linting (0: automatic).
        """
        targets = sorted(self.todo(finish))
        groups = _groups(targets, _workers(jobs, len(targets)))
        if len(groups) > 1:
            self.rounds_parallel(groups, relint, finish)
        else:
            self.rounds(relint, finish)
        self.outcome.results = list(self.results.values())
        self.outcome.report = annotate(finish([*self.outcome.results, *self.rendered]), self.outcome)
        return self.outcome

    def todo(self, finish: Finish, only: frozenset[str] | None = None) -> dict[str, list[Finding]]:
        """The findings whose fixes apply now, by the file their fix edits."""
        todo: dict[str, list[Finding]] = {}
        for finding in finish([*self.results.values(), *self.rendered]).findings:
            if self.applies(finding) and finding_key(finding) not in self.outcome.failed:
                assert finding.fix is not None
                files = finding.fix.files
                if len(files) != 1:
                    self.outcome.failed[finding_key(finding)] = "the fix spans several files"
                    continue
                target = next(iter(files))
                if only is None or target in only:
                    todo.setdefault(target, []).append(finding)
        return todo

    def rounds(self, relint: Relint, finish: Finish, only: frozenset[str] | None = None) -> None:
        for _ in range(MAX_ROUNDS):
            changed = [file for file, findings in self.todo(finish, only).items() if self.fix_file(file, findings)]
            if not changed:
                break
            self.relint(changed, relint)

    def rounds_parallel(self, groups: list[frozenset[str]], relint: Relint, finish: Finish) -> None:
        """Each group's rounds in a forked worker that inherits this fixer; their outcomes merged here."""
        import gc
        import multiprocessing

        global _JOB
        _JOB = (self, relint, finish)
        gc.freeze()  # as the engine's workers: the children leave the inherited heap alone
        try:
            with multiprocessing.get_context("fork").Pool(len(groups)) as pool:
                shares = pool.map(_run_group, groups, chunksize=1)
        finally:
            gc.unfreeze()
            _JOB = None
        for share in shares:
            self.outcome.files.update(share.files)
            self.outcome.failed.update(share.failed)
            self.outcome.applied += share.applied
            self.results.update(share.results)

    def fix_file(self, display: str, findings: list[Finding]) -> bool:
        """Apply what can be applied of ``findings``' fixes to one file; True when its text changed."""
        file = self.open(display, findings)
        if file is None:
            return False
        try:
            document = Document.parse(file.text)
        except yaml.YAMLError as error:
            self.fail(findings, f"the file cannot be read for rewriting: {str(error).splitlines()[0]}")
            return False
        accepted: list[Accepted] = []
        changes: list[Change] = []
        for unit, targets in _units(findings):
            try:
                planned = [document.plan(target) for target in targets]
            except EditError as error:
                self.fail(unit, str(error))
                continue
            mine = [p.change for p in planned]
            if any(conflicts(change, changes) for change in mine) or any(
                conflicts(change, mine[:i]) for i, change in enumerate(mine)
            ):
                continue  # overlaps a fix taken in this round: the next round sees it again
            accepted.append((unit, planned))
            changes.extend(mine)
        kept = self.verified(display, file.text, accepted)
        if not kept:
            return False
        text = splice(file.text, [p.change for _, planned in kept for p in planned])
        previous = file.text
        file.text = text
        if self.write:
            try:
                write_atomic(file)
            except OSError as error:
                file.text = previous
                self.fail([finding for unit, _ in kept for finding in unit], f"cannot write: {error.strerror or error}")
                return False
        self.outcome.applied += sum(len(unit) for unit, _ in kept)
        return True

    def verified(self, display: str, text: str, accepted: list[Accepted]) -> list[Accepted]:
        """The fixes whose result the linting parser reads as intended: all together, else as many as do.

        When the whole set fails, fixes are added one by one while the set still verifies; a fix that fails on
        its own fails with the reason, one that fails only beside others waits for the next round.
        """
        if not accepted:
            return []
        known = self.readings.get(display)
        original = known if known is not None and known.text == text else verify.Original(text)

        def check(chosen: list[Accepted]) -> str | None:
            edits = [p for _, planned in chosen for p in planned]
            return original.check(splice(text, [p.change for p in edits]), edits)

        if check(accepted) is None:
            self.readings[display] = original.successor
            return accepted
        kept: list[Accepted] = []
        for candidate in accepted:
            reason = check([*kept, candidate])
            if reason is None:
                kept.append(candidate)
                continue
            alone = check([candidate]) if kept else reason
            if alone is not None:
                self.fail(candidate[0], alone)
        if kept:
            check(kept)  # the reading of the text that is kept, for the next round
            self.readings[display] = original.successor
        return kept

    def open(self, display: str, findings: list[Finding]) -> FixFile | None:
        if display in self.outcome.files:
            return self.outcome.files[display]
        if display in self.refused:
            self.fail(findings, self.refused[display])
            return None
        try:
            if display in self.stdin:
                raise Refused("read from standard input: not rewritten")
            file = open_for_fix(display, self.roots, self.max_size)
        except Refused as error:
            self.refused[display] = str(error)
            self.fail(findings, str(error))
            return None
        self.outcome.files[display] = file
        return file

    def fail(self, findings: list[Finding], reason: str) -> None:
        for finding in findings:
            self.outcome.failed[finding_key(finding)] = reason

    def relint(self, changed: list[str], relint: Relint) -> None:
        """Lint again the changed files, and the files whose findings lie in them (Compose projects)."""
        touched = set(changed)
        again = [
            display
            for display, result in self.results.items()
            if display in touched or any(finding.file in touched for finding in result.findings)
        ]
        for display in again:
            candidate = self.candidates.get(display)
            if candidate is None or display in self.stdin:
                continue
            file = self.outcome.files.get(display)
            if file is not None:
                self.results[display] = relint(candidate, file.data())
            elif self.write:  # a Compose file whose findings lie in a fixed file beside it
                self.results[display] = relint(candidate, None)


def _units(findings: list[Finding]) -> list[tuple[list[Finding], list[Target]]]:
    """The findings' targets, those that create the same key at the same place merged into one insertion.

    Several containers asking for one pod-level setting, or several policies each adding a key to a
    ``securityContext`` that is not there yet, then take one round instead of one each.
    """
    units: list[tuple[list[Finding], list[Target]]] = []
    merged: dict[tuple[Any, ...], int] = {}
    for finding in findings:
        assert finding.fix is not None
        targets = list(finding.fix.targets)
        key = _merge_key(targets[0]) if len(targets) == 1 else None
        if key is not None and key in merged:
            unit, (target,) = units[merged[key]]
            combined = _merge(target.value, _nested(targets[0])) if len(target.rest) == 1 else None
            if combined is not None:
                units[merged[key]] = ([*unit, finding], [replace(target, value=combined)])
                continue
        if key is not None and key not in merged:
            merged[key] = len(units)
            target = targets[0]
            targets = [replace(target, rest=target.rest[:1], value=_nested(target))]
        units.append(([finding], targets))
    return units


def _merge_key(target: Target) -> tuple[Any, ...] | None:
    if target.op != "set" or not target.rest or target.anchor not in ("sibling", "node"):
        return None
    return target.file, target.anchor, target.line, target.column, target.rest[0]


def _nested(target: Target) -> Any:
    value = target.value
    for part in reversed(target.rest[1:]):
        value = {part: value}
    return value


def _merge(one: Any, other: Any) -> Any:
    """Two values for one key as one: mappings merged key by key; None when they disagree."""
    if isinstance(one, dict) and isinstance(other, dict):
        out = dict(one)
        for key, value in other.items():
            if key in out:
                both = _merge(out[key], value)
                if both is None:
                    return None
                out[key] = both
            else:
                out[key] = value
        return out
    return one if one == other and type(one) is type(other) else None


@dataclass(slots=True)
class _Share:
    """What one worker's rounds did, sent back to the parent."""

    files: dict[str, FixFile]
    failed: dict[FindingKey, str]
    applied: int
    results: dict[str, FileResult]


_JOB: tuple[Fixer, Relint, Finish] | None = None
PARALLEL_MIN_FILES = 48


def _run_group(group: frozenset[str]) -> _Share:
    assert _JOB is not None
    fixer, relint, finish = _JOB
    before = dict(fixer.results)
    fixer.rounds(relint, finish, group)
    results = {display: result for display, result in fixer.results.items() if result is not before.get(display)}
    return _Share(fixer.outcome.files, fixer.outcome.failed, fixer.outcome.applied, results)


def _workers(jobs: int, files: int) -> int:
    if jobs > 0:
        return min(jobs, max(files, 1))
    if files < PARALLEL_MIN_FILES:
        return 1
    return max(1, min(usable_cpus(), 8))


def _groups(files: list[str], workers: int) -> list[frozenset[str]]:
    """``files`` in at most ``workers`` groups of whole directories, balanced by file count."""
    if workers <= 1:
        return [frozenset(files)]
    by_directory: dict[str, list[str]] = {}
    for file in files:
        by_directory.setdefault(os.path.dirname(file), []).append(file)
    groups: list[list[str]] = [[] for _ in range(workers)]
    for directory in sorted(by_directory, key=lambda d: -len(by_directory[d])):
        min(groups, key=len).extend(by_directory[directory])
    return [frozenset(group) for group in groups if group]


def annotate(report: Report, outcome: Outcome) -> Report:
    """The report with each finding whose fix could not be applied saying so (and listed in ``not_applied``)."""
    findings = []
    for f in report.findings:
        reason = outcome.failed.get(finding_key(f)) if f.fix is not None else None
        if reason is not None:
            outcome.not_applied.append(f"{f.file}:{f.line}:{f.column}: {f.policy} fix not applied: {reason}")
            f = replace(f, message=f"{f.message} (fix not applied: {reason})")
        findings.append(f)
    return replace(report, findings=tuple(findings))


def summary(report: Report, outcome: Outcome, *, unsafe: bool, dry_run: bool) -> str:
    """``12 fixed, 31 remaining (9 more with --unsafe-fixes)``; ``would fix`` for ``--diff``."""
    remaining = len(report.findings)
    more = 0 if unsafe else sum(1 for f in report.findings if f.fix is not None and f.fix.applicability == "unsafe")
    hint = f" ({more} more with --unsafe-fixes)" if more else ""
    if dry_run:
        return f"{outcome.applied} would be fixed, {remaining} would remain{hint}"
    return f"{outcome.applied} fixed, {remaining} remaining{hint}"
