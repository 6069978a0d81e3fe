"""Result assembly: one file's kept findings, errors, suppressions and counts as a ``FileResult``."""

from __future__ import annotations

from . import posture
from .findings import FileResult, Finding, InternalError, Suppression
from .formats import LoadedFile


def assemble(
    display: str,
    loaded: LoadedFile,
    kept: list[Finding],
    errors: list[InternalError],
    suppressions: list[Suppression],
    facts: set[tuple[str, ...]],
    unvalidated: int = 0,
    *,
    excerpts: bool = True,
) -> FileResult:
    """The result of linting one loaded file; ``excerpts``: with the lines around its findings."""
    return FileResult(
        display,
        findings=tuple(kept),
        errors=tuple(errors),
        suppressed=len(suppressions),
        documents=loaded.documents,
        workloads=sum(workload.role != "object" for workload in loaded.workloads),
        workload_keys=frozenset(
            (w.format, w.file, w.kind, w.namespace or "", w.name) for w in loaded.workloads if w.role != "object"
        ),
        facts=frozenset(facts),
        suppressions=tuple(suppressions),
        inventory=posture.summarise(loaded.workloads, (display, *loaded.other_texts)),
        unvalidated=unvalidated,
        excerpts=posture.excerpts(kept, {display: loaded.text, **loaded.other_texts}) if excerpts else {},
    )
