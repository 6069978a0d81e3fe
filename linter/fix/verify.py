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


def _copy(node: Any) -> Any:
    if isinstance(node, dict):
        return dict(node)
    if isinstance(node, list):
        return list(node)
    raise TypeError("not a container")


def _apply(documents: list[Any], planned: Planned) -> None:
    """One edit, copying the containers on its path (the original trees stay as they are).

    ``set`` creates the mappings on the way, as the text change does.
    """
    if not planned.path:
        raise LookupError("an edit of a whole document")
    path: tuple[Any, ...] = planned.path
    *parents, last = path
    node: Any = _copy(documents[planned.document])
    documents[planned.document] = node
    for part in parents:
        child: Any = node[part] if isinstance(node, list) else node.get(part)
        child = {} if child is None and planned.op == "set" and isinstance(node, dict) else _copy(child)
        node[part] = child
        node = child
    if planned.op == "remove":
        del node[last]
    elif planned.op == "add":
        node[last] = [*node[last], planned.value]
    else:
        node[last] = planned.value


def expected(documents: list[Any], edits: Iterable[Planned]) -> list[Any]:
    """The original's data with the edits applied."""
    result, edits = list(documents), list(edits)
    # Paths name the original's list indexes: removals go last, the last item of a list first.
    removals = sorted((p for p in edits if p.op == "remove"), key=_index_order, reverse=True)
    for planned in [*(p for p in edits if p.op != "remove"), *removals]:
        _apply(result, planned)
    return result


def _index_order(planned: Planned) -> tuple[Any, ...]:
    return (planned.document, *((0, part) if isinstance(part, int) else (1, part) for part in planned.path))


class Original:
    """The linting parser's reading of a text before a round's fixes, made once for all the checks against it."""

    def __init__(self, text: str, parsed: tuple[list[Any], list[Any]] | None = None) -> None:
        documents, problems = parsed or parse_yaml(text)
        self.text = text
        self.roots = [document.root for document in documents]
        self.problems = Counter(problem.code for problem in problems)
        self.successor: Original | None = None  # the reading of the last rewritten text that passed

    def check(self, rewritten: str, edits: list[Planned]) -> str | None:
        """None when ``rewritten`` is the original with exactly ``edits``; else what differs."""
        parsed = parse_yaml(rewritten)
        after, after_problems = parsed
        new = Counter(p.code for p in after_problems) - self.problems
        if new:
            return f"the rewritten file would have new problems ({', '.join(sorted(new))})"
        if len(self.roots) != len(after):
            return "the rewritten file would have a different number of documents"
        try:
            wanted = expected(self.roots, edits)
        except (LookupError, TypeError, AttributeError):
            return "the edit does not fit the data the linter read"
        roots = [document.root for document in after]
        if wanted != roots and plain(wanted) != plain(roots):  # plain(): NaN equals NaN
            return "the rewritten file would change more than the fixed settings"
        self.successor = Original(rewritten, parsed)
        return None
