"""Applying the findings' fixes in rounds, to disk (``--fix``) or to a diff (``--diff``).

Each round takes the fixable findings of the current results, plans every fix of a file against that file's
text, keeps the fixes whose changes do not overlap (the others wait for the next round), verifies the file
with the linting parser, writes it (``--fix``), and lints the changed files again.  Rounds end when a round
changes nothing.  Files without fixable findings are never read again.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

import yaml

from ..discovery import STDIN, Candidate
from ..findings import FileResult, Finding, Report
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


Relint = Callable[[Candidate, "bytes | None"], FileResult]  # None: read the file from disk
Finish = Callable[[list[FileResult]], Report]


class Fixer:
    """One run's fixes: which apply, the files they touch, and the rounds."""

    def __init__(
        self,
        candidates: list[Candidate],
        results: list[FileResult],
        paths: Iterable[str],
        *,
        unsafe: bool,
        write: bool,
        max_size: int,
    ) -> None:
        self.candidates = {result.file: candidate for candidate, result in zip(candidates, results, strict=True)}
        self.stdin = {
            result.file for candidate, result in zip(candidates, results, strict=True) if candidate.path == STDIN
        }
        self.results = {result.file: result for result in results}
        self.roots = Roots(p for p in paths if p != STDIN)
        self.unsafe = unsafe
        self.write = write
        self.max_size = max_size
        self.outcome = Outcome(results)
        self.refused: dict[str, str] = {}

    def applies(self, finding: Finding) -> bool:
        fix = finding.fix
        return fix is not None and (fix.applicability == "safe" or self.unsafe)

    def run(self, relint: Relint, finish: Finish) -> Outcome:
        """Rounds until nothing changes; the results describe what is left."""
        for _ in range(MAX_ROUNDS):
            report = finish(list(self.results.values()))
            todo: dict[str, list[Finding]] = {}
            for finding in report.findings:
                if self.applies(finding) and finding_key(finding) not in self.outcome.failed:
                    assert finding.fix is not None
                    files = finding.fix.files
                    if len(files) != 1:
                        self.outcome.failed[finding_key(finding)] = "the fix spans several files"
                        continue
                    todo.setdefault(next(iter(files)), []).append(finding)
            changed = [file for file, findings in todo.items() if self.fix_file(file, findings)]
            if not changed:
                break
            self.relint(changed, relint)
        self.outcome.results = list(self.results.values())
        self.outcome.report = annotate(finish(self.outcome.results), self.outcome)
        return self.outcome

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
        accepted: list[tuple[Finding, list[Planned]]] = []
        changes: list[Change] = []
        for finding in findings:
            assert finding.fix is not None
            try:
                planned = [document.plan(target) for target in finding.fix.targets]
            except EditError as error:
                self.fail([finding], str(error))
                continue
            mine = [p.change for p in planned]
            if any(conflicts(change, changes) for change in mine) or any(
                conflicts(change, mine[:i]) for i, change in enumerate(mine)
            ):
                continue  # overlaps a fix taken in this round: the next round sees it again
            accepted.append((finding, planned))
            changes.extend(mine)
        kept = self.verified(file.text, accepted)
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
                self.fail([finding for finding, _ in kept], f"cannot write: {error.strerror or error}")
                return False
        self.outcome.applied += len(kept)
        return True

    def verified(self, text: str, accepted: list[tuple[Finding, list[Planned]]]) -> list[tuple[Finding, list[Planned]]]:
        """The fixes whose result the linting parser reads as intended: all together, else as many as do.

        When the whole set fails, fixes are added one by one while the set still verifies; a fix that fails on
        its own fails with the reason, one that fails only beside others waits for the next round.
        """
        if not accepted:
            return []
        original = verify.Original(text)

        def check(chosen: list[tuple[Finding, list[Planned]]]) -> str | None:
            edits = [p for _, planned in chosen for p in planned]
            return original.check(splice(text, [p.change for p in edits]), edits)

        if check(accepted) is None:
            return accepted
        kept: list[tuple[Finding, list[Planned]]] = []
        for candidate in accepted:
            reason = check([*kept, candidate])
            if reason is None:
                kept.append(candidate)
                continue
            alone = check([candidate]) if kept else reason
            if alone is not None:
                self.fail([candidate[0]], alone)
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
