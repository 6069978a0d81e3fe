"""A Kustomize build as a linted file: rendered objects located in the files that wrote them."""

from __future__ import annotations

import os
from typing import Any

from ..discovery import Candidate, _display
from ..formats import LoadedFile, Problem, load, load_documents
from ..normalize.common import Classifier
from ..parsers.yaml_tree import YamlDocument, parse_yaml
from ..source import Position, YMap
from .kustomize import Kustomization, Patch, build
from .origins import Source, remap

ORIGIN = "config.kubernetes.io/origin"


def load_plain(candidate: Candidate, problems: list[Problem], classifier: Classifier | None = None) -> LoadedFile:
    """A file that rendering is about, with the render stage's problems; linted as it stands when ``classifier``."""
    try:
        with open(candidate.path, "rb") as handle:
            data = handle.read(5 * 1024 * 1024)
    except OSError:
        data = b""
    if classifier is not None:
        loaded = load(data, candidate.display, classifier, candidate.path)
        loaded.skip_reason = None
    else:
        loaded = LoadedFile(text=data.decode("utf-8", errors="replace"))
    loaded.problems.extend(problems)
    return loaded


def build_kustomization(
    candidate: Candidate, members: list[Kustomization], displays: dict[str, str], classifier: Classifier
) -> tuple[LoadedFile, set[str]]:
    """Build the kustomization of ``candidate`` (``members``: it and the local ones it uses).

    Returns what to check in place of the files, and the real paths of the files it covers.
    A build that cannot run or fails covers only the kustomization file, which then carries
    the finding; the other files are linted as written.
    """
    here = {os.path.realpath(candidate.path)}
    remote = [(entry, at) for k in members for entry, at in k.remote]
    if remote:
        problems = [
            Problem(
                "VM032", f"remote resource {entry!r} is not fetched (no network): the kustomization was not built", at
            )
            for entry, at in remote
        ]
        return load_plain(candidate, problems, classifier), here
    built = build(os.path.dirname(candidate.path) or ".")
    start = Position(candidate.display, 1, 1)
    if built is None:
        problem = Problem("VM033", "--render: neither kustomize nor kubectl is on PATH; not built", start)
        return load_plain(candidate, [problem], classifier), here
    run, wrapper = built
    if run.error is not None:
        return load_plain(
            candidate, [Problem("VM031", f"kustomize build failed: {run.error}", start)], classifier
        ), here
    return _rendered(candidate, members, run.output, wrapper, displays, classifier)


def _rendered(
    candidate: Candidate,
    members: list[Kustomization],
    output: str,
    wrapper: str,
    displays: dict[str, str],
    classifier: Classifier,
) -> tuple[LoadedFile, set[str]]:
    sources = _Sources(displays)
    patches = [p for k in members for p in reversed(k.patches)]  # the last applied first
    for k in members:
        sources.texts[k.display] = k.text
        for patch in k.patches:
            sources.open(patch.file)
    loaded = LoadedFile(text=members[0].text)
    documents, problems = parse_yaml(output)
    for document in documents:
        root = document.root
        if not isinstance(root, YMap):
            continue
        file, base = sources.origin(_pop_origin(root), wrapper, root, members[0].display)
        remap(root, [(base, file), *_applied(patches, root, base, sources)], file, (1, 1))
        root.line, root.column = (base.line, base.column) if isinstance(base, YMap) else (1, 1)
        part = load_documents(
            LoadedFile(text=sources.texts.get(file, "")), [YamlDocument(root, 1, 1)], [], file, classifier
        )
        loaded.workloads.extend(part.workloads)
        loaded.problems.extend(part.problems)
        loaded.objects.extend(part.objects)
        loaded.documents += 1
    loaded.problems.extend(
        Problem("VM031", f"kustomize printed invalid YAML: {p.message}", Position(candidate.display, 1, 1))
        for p in problems
    )
    loaded.is_manifest = True
    loaded.other_texts = {name: text for name, text in sources.texts.items() if name != candidate.display}
    covered = {os.path.realpath(f) for k in members for f in (k.file, *k.files, *k.patch_files)}
    return loaded, covered | sources.read


def _pop_origin(root: YMap) -> str:
    """Remove the origin annotation Kustomize added (it is ours, not the user's) and return its text."""
    metadata = root.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, YMap) else None
    if not isinstance(annotations, YMap) or ORIGIN not in annotations:
        return ""
    text = annotations.pop(ORIGIN)
    annotations.marks.pop(ORIGIN, None)
    if not annotations and isinstance(metadata, YMap):
        metadata.pop("annotations")
        metadata.marks.pop("annotations", None)
    return text if isinstance(text, str) else ""


class _Sources:
    """Source files read to place rendered objects: parsed once, with the names users see."""

    def __init__(self, displays: dict[str, str]) -> None:
        self.displays = displays
        self.texts: dict[str, str] = {}
        self.documents: dict[str, list[Any]] = {}
        self.read: set[str] = set()

    def display(self, real: str) -> str:
        return self.displays.get(real) or _display(real)

    def open(self, path: str) -> tuple[str, list[Any]]:
        real = os.path.realpath(path)
        name = self.display(real)
        if name not in self.documents:
            try:
                with open(real, encoding="utf-8-sig") as handle:
                    text = handle.read(5 * 1024 * 1024)
            except (OSError, UnicodeDecodeError):
                text = ""
            self.texts[name] = text
            self.documents[name] = [d.root for d in parse_yaml(text)[0] if d.root is not None]
            self.read.add(real)
        return name, self.documents[name]

    def origin(self, annotation: str, wrapper: str, root: YMap, fallback: str) -> tuple[str, Any]:
        """The file an object came from (the annotation's ``path``, or the kustomization that generated it)."""
        documents, _ = parse_yaml(annotation)
        data = documents[0].root if documents else None
        path = data.get("path") if isinstance(data, dict) else None
        if not isinstance(path, str):
            configured = data.get("configuredIn") if isinstance(data, dict) else None
            if isinstance(configured, str):
                return self.display(os.path.realpath(os.path.join(wrapper, configured))), None
            return fallback, None
        name, objects = self.open(os.path.join(wrapper, path))
        return name, _same_object(root, objects)


def _name(node: Any) -> str:
    metadata = node.get("metadata") if isinstance(node, dict) else None
    name = metadata.get("name") if isinstance(metadata, dict) else None
    return name if isinstance(name, str) else ""


def _same_object(root: YMap, objects: list[Any]) -> Any:
    """The document of a source file that became ``root``: same kind, and its name within the rendered one."""
    kind, name = root.get("kind"), _name(root)
    same_kind = [o for o in objects if isinstance(o, dict) and o.get("kind") == kind]
    named = sorted((o for o in same_kind if _name(o) and _name(o) in name), key=lambda o: -len(_name(o)))
    return next(iter(named), same_kind[0] if same_kind else None)


def _applied(patches: list[Patch], root: YMap, base: Any, sources: _Sources) -> list[Source]:
    """The strategic merge patches that name this object (by kind and name, or by their target)."""
    kind, names = root.get("kind"), {_name(root), _name(base)} - {""}
    found: list[Source] = []
    for patch in patches:
        if not isinstance(patch.root, YMap):
            continue
        wanted_kind = patch.target.get("kind", patch.root.get("kind"))
        wanted_name = patch.target.get("name", _name(patch.root))
        wanted_name = wanted_name if isinstance(wanted_name, str) else ""
        if wanted_kind in (None, kind) and (not wanted_name or any(wanted_name in n for n in names)):
            found.append((patch.root, sources.display(os.path.realpath(patch.file))))
    return found
