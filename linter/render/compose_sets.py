"""Declared Compose file sets in the render stage: which candidates they take over, and their merged loads."""

from __future__ import annotations

import os

from ..compose.fileset import load_file_set
from ..config import ComposeSet
from ..discovery import Candidate, _display
from ..formats import LoadedFile, Problem
from ..normalize.common import Classifier
from . import Rendered
from .real import candidate_reals


def compose_sets(
    sets: tuple[ComposeSet, ...], candidates: list[Candidate], classifier: Classifier, out: Rendered
) -> set[str]:
    """Lint each set with a member among ``candidates`` as one merged project; its members are covered.

    Findings are kept in the members this run lints (a pre-commit run on one changed member reports that
    member's findings, judged on the whole set) and in files the set uses (``extends``, env files).
    """
    covered: set[str] = set()
    if not sets:
        return covered
    readable = [c for c in candidates if not c.problem]
    displays = dict(zip(candidate_reals(readable), (c.display for c in readable), strict=True))
    for declared in sets:
        reals = [os.path.realpath(f) for f in declared.files]
        if not any(real in displays for real in reals):
            continue
        members = [(displays.get(real) or _display(f), f) for real, f in zip(reals, declared.files, strict=True)]
        env = (_display(declared.env_file), declared.env_file) if declared.env_file else None
        merged = load_file_set(members, env, classifier)
        first = members[0][0]
        loaded = LoadedFile(
            text=merged.texts.pop(first, ""),
            workloads=merged.workloads,
            problems=[Problem(code, message, at) for code, message, at in merged.problems],
            documents=len(members),
            is_manifest=True,
            other_texts=merged.texts,
            # Members this run does not lint report their own findings when it does (a missing one only its VM007).
            dropped=frozenset(
                n for (n, _), r in zip(members, reals, strict=True) if r not in displays and os.path.exists(r)
            ),
        )
        out.files.append((first, loaded))
        out.notes.extend(f"{name}: {why} ({first})" for name, why in merged.left_out)
        covered.update(reals)
    return covered
