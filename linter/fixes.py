"""Fixes as data: what a policy offers (``Fix`` of ``Edit``s) and what a finding carries (``FindingFix``).

Values only, beside ``model`` and ``findings``: policies, findings and the fix stage (``linter/fix/``) all use
them, and the stage applies them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from .source import Path

Op = Literal["set", "add", "remove"]
Applicability = Literal["safe", "unsafe"]
APPLICABILITIES: tuple[Applicability, ...] = ("safe", "unsafe")


@dataclass(frozen=True, slots=True)
class Edit:
    """One change at ``path``, relative to the finding's path.

    ``set``: the value at ``path`` becomes ``value`` (missing mappings on the way are created);
    ``add``: ``value`` is appended to the list at ``path`` (created when missing; nothing when already there);
    ``remove``: the entry at ``path`` goes (a mapping or list it empties is written ``{}`` or ``[]``).
    ``up`` steps are taken up from the finding's path first (a pod-level fix for a container's finding).
    """

    op: Op
    path: Path
    value: Any = None
    up: int = 0

    def rebased(self, base: Path) -> Edit:
        """This edit, whose path starts at the workload, relative to ``base`` (a hit's path)."""
        common = 0
        while common < min(len(base), len(self.path)) and base[common] == self.path[common]:
            common += 1
        return Edit(self.op, self.path[common:], self.value, len(base) - common)


def set_(path: Path, value: Any) -> Edit:
    """An edit that sets ``path`` to ``value``."""
    return Edit("set", path, value)


def add(path: Path, value: Any) -> Edit:
    """An edit that appends ``value`` to the list at ``path``."""
    return Edit("add", path, value)


def remove(path: Path = ()) -> Edit:
    """An edit that removes the entry at ``path`` (by default the finding's own path)."""
    return Edit("remove", path)


@dataclass(frozen=True, slots=True)
class Fix:
    """A fix: edits applied all together or not at all, and whether it keeps what the workload does.

    ``safe`` fixes keep the workload's behaviour and apply with ``--fix``; ``unsafe`` ones may change it and need
    ``--unsafe-fixes``.  On a policy's metadata, ``edits`` are the default for every hit (empty: the hits carry
    their own) and ``description`` is what the docs say the fix does.
    """

    applicability: Applicability
    description: str
    edits: tuple[Edit, ...] = ()
    base: Path | None = None  # set by ``at``: ``edits`` start at the workload and are rebased when resolved

    def at(self, base: Path, *edits: Edit) -> Fix:
        """This fix with ``edits`` (paths from the workload) for a hit at ``base``.

        The edits are made relative to ``base`` only when the fix stage resolves them (``relative``): a plain
        run builds fixes for every hit and never resolves one.
        """
        return Fix(self.applicability, self.description, edits, base)

    def relative(self) -> tuple[Edit, ...]:
        """The edits relative to the hit's path."""
        base = self.base
        return self.edits if base is None else tuple(edit.rebased(base) for edit in self.edits)


@dataclass(frozen=True, slots=True)
class Target:
    """An edit located in the file that wrote the setting, by what ``line``/``column`` (1-based) point at.

    ``anchor``: ``entry``, the key of the mapping entry that is set or removed (``rest`` empty) or whose null or
    mapping value receives ``rest``; ``sibling``, the key of any entry of the mapping that receives ``rest``;
    ``node``, a mapping that receives ``rest`` or a list that receives the item; ``item``, a list item to set or
    remove.  Positions, not paths: a Compose setting is found in the file that wrote it, whatever merged it.
    """

    op: Op
    file: str
    anchor: Literal["entry", "sibling", "node", "item"]
    line: int
    column: int
    rest: Path
    value: Any = None


@dataclass(frozen=True, slots=True)
class FindingFix:
    """A finding's fix, located: its targets (possibly in several files), applicability and description."""

    applicability: Applicability
    description: str
    targets: tuple[Target, ...]

    @property
    def files(self) -> frozenset[str]:
        return frozenset(target.file for target in self.targets)
