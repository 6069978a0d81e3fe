"""The validate stage: each Kubernetes object against the strict schema of its kind in the target version.

Built-in kinds use the bundled schemas (``bundle``), custom resources the CRDs of the run and the configured
schema folders (``custom``); an object with no schema is counted, not reported. Nothing heavy is imported or
read until the first Kubernetes object is seen, so runs over Compose files or VM templates pay nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..budget import FILE_CPU_SECONDS, within_budget
from ..source import locate
from .versions import NEWEST

if TYPE_CHECKING:
    from ..discovery import Candidate
    from ..formats import LoadedFile, Problem
    from .custom import CustomSchemas

ISSUE_POLICIES = {
    "unknown-field": "VM010",
    "type": "VM011",
    "enum": "VM012",
    "required": "VM013",
    "quantity": "VM014",
    "constraint": "VM015",
    "unusable": "VM017",
}
UNKNOWN_KIND = "VM016"
BAD_SCHEMA = "VM017"
CRD_MARKER = b"CustomResourceDefinition"


class Validation:
    """Validates the Kubernetes objects of each file; one validator per kind and version, built once."""

    def __init__(
        self,
        kubernetes_version: str = NEWEST,
        schema_dirs: Sequence[Path] = (),
        enabled: Callable[[str], bool] = lambda policy_id: True,
    ) -> None:
        self.version = kubernetes_version
        self.schema_dirs = tuple(schema_dirs)
        self.active = any(enabled(code) for code in (*ISSUE_POLICIES.values(), UNKNOWN_KIND, BAD_SCHEMA))
        self.supersedes_vm008 = tuple(code for code in ("VM011", "VM014") if enabled(code))
        self._custom: CustomSchemas | None = None

    @property
    def custom(self) -> CustomSchemas:
        if self._custom is None:
            from .bundle import builtin
            from .custom import CustomSchemas

            self._custom = CustomSchemas(builtin(self.version), self.schema_dirs)
        return self._custom

    def learn(self, candidates: Iterable[Candidate], read: Callable[[Candidate], tuple[bytes | None, Any]]) -> None:
        """Collect the CustomResourceDefinitions of every file of the run, before any file is checked."""
        for candidate in candidates if self.active else ():
            if candidate.problem or candidate.path == "-":
                continue
            data, _ = read(candidate)
            if data and CRD_MARKER in data:
                within_budget(FILE_CPU_SECONDS, functools.partial(self._learn_file, data, candidate.display))

    def _learn_file(self, data: bytes, display: str) -> None:
        from ..formats import decode
        from ..parsers.yaml_tree import parse_yaml
        from .custom import is_crd

        text, _ = decode(data, display)
        documents, _ = parse_yaml(text or "")
        for document in documents:
            root = document.root
            for obj in root.get("items", []) if isinstance(root, dict) and "items" in root else [root]:
                if isinstance(obj, dict) and is_crd(obj):
                    self.custom.add_crd(obj, display, check=False)

    def check(self, loaded: LoadedFile, file: str, partial: bool = False) -> int:
        """Add the schema problems of ``loaded``'s Kubernetes objects to its problems; return how many objects
        had no schema to be validated against. A ``partial`` object (a Kustomize patch) may leave required
        fields to the object it patches."""
        if not loaded.objects or not self.active:
            return 0
        from .custom import is_crd
        from .objects import check_object

        for obj in loaded.objects:  # a CRD also serves the resources written above it in the same file
            if is_crd(obj):
                self.custom.add_crd(obj, file, check=False)
        unvalidated = 0
        found: list[Problem] = []
        for obj in loaded.objects:
            try:
                problems, validated = check_object(self, obj, file)
            except Exception as error:  # a validator bug must not end the run: say so where the object is
                message = f"internal error while validating: {type(error).__name__}: {error}"
                problems, validated = [problem(BAD_SCHEMA, message, obj, (), file, False)], False
            found.extend(p for p in problems if not (partial and p.code == ISSUE_POLICIES["required"]))
            unvalidated += not validated
        # The normaliser's VM008 (wrong type) and the schema's finding for the same field: the schema's stays.
        typed = {p.position for p in found if p.code in self.supersedes_vm008}
        if typed:
            loaded.problems[:] = [p for p in loaded.problems if not (p.code == "VM008" and p.position in typed)]
        loaded.problems.extend(found)
        return unvalidated


def problem(code: str, message: str, obj: dict[str, Any], path: tuple[str | int, ...], file: str, key: bool) -> Problem:
    """A located schema problem (the position comes from the object's marks: no second parse)."""
    from ..formats import Problem

    return Problem(code, message, locate(obj, path, file, key=key))
