"""Kustomize: what a kustomization lists (resources, patches, bases), remote references, and the build.

Reading a kustomization never runs anything: it is parsed like any other YAML file and its
references are resolved on disk, so that without ``--render`` the patch files it lists are
known (and judged only on what they write).  With ``--render`` the build runs through a
wrapper kustomization in a temporary directory that names the linted one as its only
resource and turns on ``buildMetadata: [originAnnotations]``, so the user's files are never
changed and every rendered object says which file it came from.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from typing import Any

from ..parsers.yaml_tree import parse_yaml
from ..source import Position, YMap, locate
from . import KUSTOMIZATION_NAMES
from .origins import json_patch_tree
from .tools import ToolRun, find_tool, run_tool

NAMES = KUSTOMIZATION_NAMES
MAX_KUSTOMIZATIONS = 200
_REFERENCES = ("resources", "components", "bases")
_CONFIG_FILES = ("transformers", "generators", "validators", "configurations", "crds", "replacements")
_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|git@|git::|ssh:)|\?ref=|\?version=|^[^/]+\.[a-z]{2,}/[^/]+/", re.I)


@dataclass(frozen=True, slots=True)
class Patch:
    """A patch a kustomization applies: the parsed patch, the file it is written in, and its target."""

    root: Any
    file: str
    target: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Kustomization:
    """One kustomization file and what it references, resolved on disk (absolute paths)."""

    file: str
    display: str
    text: str = ""
    root: Any = None
    component: bool = False
    files: list[str] = field(default_factory=list)  # resources and other files it reads, patches excluded
    patch_files: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)  # directories of referenced kustomizations
    patches: list[Patch] = field(default_factory=list)
    remote: list[tuple[str, Position]] = field(default_factory=list)


def kustomization_in(directory: str) -> str | None:
    """The kustomization file of ``directory``, if it has one."""
    return next((os.path.join(directory, n) for n in NAMES if os.path.isfile(os.path.join(directory, n))), None)


def looks_remote(entry: str) -> bool:
    """A URL or a ``host/org/repo`` reference that Kustomize would fetch."""
    return bool(_REMOTE.search(entry))


def read_kustomization(file: str, display: str) -> Kustomization:
    """Parse a kustomization and resolve what it references; unreadable files give an empty one."""
    k = Kustomization(file, display)
    try:
        with open(file, encoding="utf-8-sig") as handle:
            k.text = handle.read(5 * 1024 * 1024)
    except (OSError, UnicodeDecodeError):
        return k
    documents, _ = parse_yaml(k.text)
    root = documents[0].root if documents else None
    if not isinstance(root, YMap):
        return k
    k.root, k.component = root, root.get("kind") == "Component"
    directory = os.path.dirname(file)
    for key in (*_REFERENCES, *_CONFIG_FILES):
        for index, entry in _entries(root, key):
            reference = entry.get("path") if isinstance(entry, dict) else entry
            if not isinstance(reference, str) or not reference.strip():
                continue
            local = os.path.normpath(os.path.join(directory, reference))
            if os.path.isdir(local) and key in _REFERENCES:
                k.children.append(local)
            elif os.path.isfile(local):
                k.files.append(local)
            elif key in _REFERENCES and looks_remote(reference):
                k.remote.append((reference, locate(root, (key, index), display)))
    _read_patches(k, root, directory)
    return k


def _entries(root: YMap, key: str) -> list[tuple[int, Any]]:
    value = root.get(key)
    return list(enumerate(value)) if isinstance(value, list) else []


def _read_patches(k: Kustomization, root: YMap, directory: str) -> None:
    for key in ("patches", "patchesStrategicMerge", "patchesJson6902"):
        for index, entry in _entries(root, key):
            target = entry.get("target") if isinstance(entry, dict) else None
            target = dict(target) if isinstance(target, dict) else {}
            reference = entry.get("path") if isinstance(entry, dict) else entry
            if isinstance(reference, str) and "\n" not in reference and reference.strip():
                local = os.path.normpath(os.path.join(directory, reference))
                if os.path.isfile(local):
                    k.patch_files.append(local)
                    k.patches.extend(Patch(_as_tree(doc), local, target) for doc in _documents(local))
                continue
            inline = entry.get("patch") if isinstance(entry, dict) else entry
            path = (key, index, "patch") if isinstance(entry, dict) else (key, index)
            if isinstance(inline, str):
                k.patches.extend(Patch(_as_tree(doc), k.file, target) for doc in _inline(k.text, root, path))


def _as_tree(document: Any) -> Any:
    """A strategic merge patch as it is; a JSON 6902 patch (a list of operations) as the tree it writes."""
    return json_patch_tree(document) if isinstance(document, list) else document


def _documents(file: str) -> list[Any]:
    try:
        with open(file, encoding="utf-8-sig") as handle:
            text = handle.read(5 * 1024 * 1024)
    except (OSError, UnicodeDecodeError):
        return []
    return [d.root for d in parse_yaml(text)[0] if d.root is not None]


def _inline(text: str, root: YMap, path: tuple[str | int, ...]) -> list[Any]:
    """A patch written as a block scalar in the kustomization, parsed where it stands (lines and columns kept)."""
    at = locate(root, path, "")
    lines = text.splitlines()
    if not (0 < at.line <= len(lines)) or lines[at.line - 1][at.column - 1 : at.column] not in ("|", ">"):
        return []
    body: list[str] = []
    indent: int | None = None
    for line in lines[at.line :]:
        if line.strip():
            width = len(line) - len(line.lstrip(" "))
            indent = width if indent is None else indent
            if width < indent:
                break
        body.append(line)
    return [d.root for d in parse_yaml("\n".join(body), line_offset=at.line)[0] if d.root is not None]


def closure(start: Kustomization, read: Any) -> list[Kustomization]:
    """``start`` and every local kustomization it references, each once (``read(dir)`` reads one)."""
    seen: dict[str, Kustomization] = {os.path.dirname(start.file): start}
    queue = [start]
    while queue and len(seen) < MAX_KUSTOMIZATIONS:
        for child in queue.pop(0).children:
            if child not in seen:
                found = read(child)
                if found is not None:
                    seen[child] = found
                    queue.append(found)
    return list(seen.values())


def build(directory: str) -> tuple[ToolRun, str] | None:
    """``kustomize build`` (or ``kubectl kustomize``) of ``directory`` with origin annotations.

    Returns the run and the wrapper directory its origin paths are relative to (already
    removed: only used to resolve them), or None when neither tool is on PATH.
    """
    kustomize, kubectl = find_tool("kustomize"), find_tool("kubectl")
    if kustomize is None and kubectl is None:
        return None
    with tempfile.TemporaryDirectory(prefix="vmlint-kustomize-") as wrapper:
        target = os.path.relpath(os.path.realpath(directory), os.path.realpath(wrapper))
        with open(os.path.join(wrapper, "kustomization.yaml"), "w", encoding="utf-8") as handle:
            handle.write(f"resources:\n- {_quoted(target)}\nbuildMetadata: [originAnnotations]\n")
        command = [kustomize, "build", "."] if kustomize else [str(kubectl), "kustomize", "."]
        return run_tool(command, wrapper), os.path.realpath(wrapper)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
