"""A rewritten file must mean what the original meant, except at the paths its fixes name.

Both texts are parsed with the linting parser (linter.parsers.yaml_tree); the fixes' edits are applied to the
original's data, and the result must equal the new text's data, document for document, with no new input
problems (syntax errors, duplicate keys).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from typing import Any

from ..parsers.yaml_tree import parse_yaml
from .edit import Planned

_NAN = ("nan",)


def plain(node: Any) -> Any:
    """Positioned trees as plain data; NaN made comparable."""
    if isinstance(node, dict):
        return {key: plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [plain(item) for item in node]
    if isinstance(node, float) and math.isnan(node):
        return _NAN
    return node


def _apply(documents: list[Any], planned: Planned) -> None:
    """One edit on plain data; ``set`` creates the mappings on the way, as the text change does."""
    if not planned.path:
        raise LookupError("an edit of a whole document")
    node: Any = documents[planned.document]
    path: tuple[Any, ...] = planned.path
    *parents, last = path
    for part in parents:
        child: Any = node[part] if isinstance(node, list) else node.get(part)
        if child is None and planned.op == "set" and isinstance(node, dict):
            child = node[part] = {}
        node = child
    if planned.op == "remove":
        del node[last]
    elif planned.op == "add":
        node[last].append(plain(planned.value))
    else:
        node[last] = plain(planned.value)


def expected(documents: list[Any], edits: Iterable[Planned]) -> list[Any]:
    """The original's data with the edits applied."""
    result: list[Any] = plain(documents)
    for planned in edits:
        _apply(result, planned)
    return result


class Original:
    """The linting parser's reading of a file before any fix, made once for all the checks against it."""

    def __init__(self, text: str) -> None:
        documents, problems = parse_yaml(text)
        self.roots = [document.root for document in documents]
        self.problems = Counter(problem.code for problem in problems)

    def check(self, rewritten: str, edits: list[Planned]) -> str | None:
        """None when ``rewritten`` is the original with exactly ``edits``; else what differs."""
        after, after_problems = parse_yaml(rewritten)
        new = Counter(p.code for p in after_problems) - self.problems
        if new:
            return f"the rewritten file would have new problems ({', '.join(sorted(new))})"
        if len(self.roots) != len(after):
            return "the rewritten file would have a different number of documents"
        try:
            wanted = expected(self.roots, edits)
        except (LookupError, TypeError, AttributeError):
            return "the edit does not fit the data the linter read"
        if wanted != plain([document.root for document in after]):
            return "the rewritten file would change more than the fixed settings"
        return None
