"""The run's Kubernetes documents for ``objects``, params and namespaces: gathered once, before linting.

Files are linted in forked workers that share nothing; cross-object rules need every document.  So when
a configured rule reads ``objects`` (or an admission policy needs params or Namespace labels), the engine
reads the candidates once more here, before it forks, and the workers inherit the plain documents.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..discovery import STDIN, Candidate
from ..formats import decode
from ..normalize.kubernetes import is_kubernetes_object
from ..parsers.yaml_tree import parse_yaml
from .views import plain

SUFFIXES = (".yaml", ".yml", ".json")


def kubernetes_objects(root: Any) -> list[Any]:
    """The objects of one document: itself, or the items of a ``*List``."""
    if not is_kubernetes_object(root):
        return []
    if str(root["kind"]).endswith("List") and isinstance(root.get("items"), list):
        return [item for item in root["items"] if is_kubernetes_object(item)]
    return [root]


def gather(candidates: Iterable[Candidate], read: Any) -> list[Any]:
    """Plain Kubernetes objects of every readable YAML/JSON candidate (``read``: the engine's reader)."""
    out: list[Any] = []
    for candidate in candidates:
        if candidate.problem or candidate.path == STDIN or not candidate.path.lower().endswith(SUFFIXES):
            continue
        data, problem = read(candidate)
        if problem is not None or data is None:
            continue  # the lint itself reports it
        text, _ = decode(data, candidate.display)
        if text is None or ("apiVersion" not in text or "kind" not in text):
            continue
        documents, _ = parse_yaml(text)
        for document in documents:
            for obj in kubernetes_objects(document.root):
                try:
                    out.append(plain(obj))
                except ValueError:
                    continue
    return out
