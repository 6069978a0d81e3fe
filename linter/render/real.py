"""Real paths of many files at the cost of their directories: one ``realpath`` per directory, one lstat per file."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

from ..discovery import Candidate


def real_paths(paths: Iterable[str]) -> list[str]:
    """``os.path.realpath`` of each path; a directory's is resolved once however many of its files are asked for."""
    directories: dict[str, str] = {}
    out: list[str] = []
    for path in paths:
        head, tail = os.path.split(path)
        if tail in ("", ".", "..") or os.path.islink(path):
            out.append(os.path.realpath(path))
            continue
        real = directories.get(head)
        if real is None:
            real = directories[head] = os.path.realpath(head or ".")
        out.append(os.path.join(real, tail))
    return out


def candidate_reals(candidates: Sequence[Candidate]) -> list[str]:
    """Each candidate's real path: the one its walk resolved, else resolved now."""
    resolved = iter(real_paths(c.path for c in candidates if c.real is None))
    return [c.real if c.real is not None else next(resolved) for c in candidates]
