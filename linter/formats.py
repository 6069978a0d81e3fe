"""From a file's bytes to workloads: decode, detect the format by content, parse, normalise.

Input problems (syntax, encoding, duplicate keys, wrong types) come back as located
``Problem`` values; nothing here raises on bad input.
"""

from __future__ import annotations

import codecs
import json
from dataclasses import dataclass, field
from typing import Any

from .compose.load import is_compose, load_compose
from .model import Workload
from .normalize.common import Classifier
from .normalize.kubernetes import KubernetesNormalizer, is_kubernetes_object
from .normalize.kubevirt import KubeVirtNormalizer
from .normalize.packer import is_legacy_template, legacy_template
from .normalize.vm_formats import load_vm_file
from .numbers import describe
from .parsers.yaml_tree import YamlDocument, YamlProblem, parse_yaml
from .source import Position, locate

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
ALWAYS_REPORTED = {"VM001", "VM005", "VM006"}


@dataclass(frozen=True, slots=True)
class Problem:
    """An input problem with its input-error policy id and position."""

    code: str
    message: str
    position: Position


@dataclass(slots=True)
class LoadedFile:
    """A file's text, its workloads and its input problems."""

    text: str = ""
    workloads: list[Workload] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    documents: int = 0
    is_manifest: bool = False
    skip_reason: str | None = None
    other_texts: dict[str, str] = field(default_factory=dict)
    keep_only: str | None = None
    dropped: frozenset[str] = frozenset()
    objects: list[dict[str, Any]] = field(default_factory=list)  # the Kubernetes objects read (facts, validation)


def decode(data: bytes, file: str) -> tuple[str | None, Problem | None]:
    """Text of a file: BOMs honoured, UTF-8 otherwise; binary and bad bytes are problems."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding), None
            except UnicodeDecodeError as error:
                return None, _bad_bytes(data, len(bom), error.start, encoding, file)
    if b"\x00" in data[:8192]:
        return None, Problem("VM005", "binary data, not a text manifest", Position(file, 1, 1))
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as error:
        return None, _bad_bytes(data, 0, error.start, "utf-8", file)


def _bad_bytes(data: bytes, skip: int, start: int, encoding: str, file: str) -> Problem:
    """VM005 at the first undecodable byte, located in characters of the text before it."""
    before = data[skip : skip + start].decode(encoding, errors="replace")
    line = before.count("\n") + 1
    column = len(before) - (before.rfind("\n") + 1) + 1
    name = "UTF-8" if encoding == "utf-8" else encoding
    return Problem("VM005", f"invalid {name} text at byte {skip + start}", Position(file, line, column))


def _json_problems(text: str, file: str) -> list[Problem]:
    """A ``.json`` manifest that YAML accepts but JSON does not (``{"a": }``, comments, trailing text)."""
    try:
        json.loads(text, parse_int=str)  # syntax only: never int() a number thousands of digits long
    except json.JSONDecodeError as error:
        return [Problem("VM001", f"JSON syntax error: {error.msg}", Position(file, error.lineno, error.colno))]
    except RecursionError:  # deeper than YAML's own limit would have allowed: already reported as VM006
        return []
    return []


def looks_like_template(text: str) -> bool:
    """Helm/Go templates: ``{{ }}`` actions that make the file invalid YAML until rendered."""
    return "{{" in text and "}}" in text


def load(data: bytes, file: str, classifier: Classifier, path: str | None = None) -> LoadedFile:
    """Decode, parse and normalise one file (``path``: where it is on disk, None for stdin)."""
    text, problem = decode(data, file)
    if text is None:
        assert problem is not None
        return LoadedFile(problems=[problem], is_manifest=True)
    loaded = LoadedFile(text=text)
    vm = load_vm_file(text, file, classifier, path)
    if vm is not None:
        loaded.workloads, loaded.documents, loaded.is_manifest = vm.workloads, vm.documents, vm.is_manifest
        loaded.problems = [Problem(p.code, p.message, Position(file, p.line, p.column)) for p in vm.problems]
        if not loaded.is_manifest:
            loaded.skip_reason = "not a deployment manifest"
        return loaded
    documents, yaml_problems = parse_yaml(text)
    loaded.documents = len(documents)
    fatal = [p for p in yaml_problems if p.code in ALWAYS_REPORTED]
    if fatal and looks_like_template(text):
        loaded.skip_reason = "template (contains {{ }} placeholders)"
        return loaded
    first = documents[0].root if documents else None
    if is_compose(file, first):
        return _compose(loaded, first, yaml_problems, file, path, classifier)
    return load_documents(loaded, documents, yaml_problems, file, classifier, path)


def load_documents(
    loaded: LoadedFile,
    documents: list[YamlDocument],
    yaml_problems: list[YamlProblem],
    file: str,
    classifier: Classifier,
    path: str | None = None,
) -> LoadedFile:
    """The Kubernetes, KubeVirt and legacy Packer objects of parsed documents (also rendered ones; ``path``:
    where the file is on disk, None for stdin and rendered output)."""
    text = loaded.text
    normalizer = KubernetesNormalizer(classifier, file)
    kubevirt = KubeVirtNormalizer(classifier, file, text)
    shape_problems: list[Problem] = []
    for document in documents:
        if is_legacy_template(document.root):
            loaded.is_manifest = True
            legacy, shapes = legacy_template(document.root, file, classifier, path)
            loaded.workloads.extend(legacy)
            shape_problems.extend(Problem("VM008", s.message, locate(document.root, s.path, file)) for s in shapes)
        mistyped = _mistyped_identity(document.root, file)
        if mistyped:
            loaded.is_manifest = True
            shape_problems.extend(mistyped)
        for obj in _objects(document.root):
            loaded.is_manifest = True
            loaded.objects.append(obj)
            loaded.workloads.extend(normalizer.workloads(obj))
            loaded.workloads.extend(kubevirt.workloads(obj))
            normalizer.reader.problems.extend(kubevirt.reader.problems)
            kubevirt.reader.problems.clear()
            shape_problems.extend(
                Problem("VM008", shape.message, locate(obj, shape.path, file)) for shape in normalizer.reader.problems
            )
            normalizer.reader.problems.clear()
    loaded.problems.extend(
        Problem(p.code, p.message, Position(file, p.line, p.column))
        for p in yaml_problems
        if loaded.is_manifest or p.code in ALWAYS_REPORTED
    )
    loaded.problems.extend(shape_problems)
    loaded.problems.extend(Problem(p.code, p.message, Position(file, p.line, p.column)) for p in kubevirt.problems)
    if loaded.is_manifest and file.lower().endswith(".json") and not any(p.code == "VM001" for p in loaded.problems):
        loaded.problems.extend(_json_problems(text, file))
    if not loaded.is_manifest and not loaded.problems:
        loaded.skip_reason = "not a deployment manifest"
    return loaded


def _compose(
    loaded: LoadedFile, root: Any, yaml_problems: list[Any], file: str, path: str | None, classifier: Classifier
) -> LoadedFile:
    """A Compose file: its project's workloads (see vmlint.compose)."""
    result = load_compose(root, file, path, classifier)
    loaded.is_manifest = True
    loaded.workloads = result.workloads
    loaded.problems = [Problem(p.code, p.message, Position(file, p.line, p.column)) for p in yaml_problems]
    loaded.problems.extend(Problem(code, message, position) for code, message, position in result.problems)
    loaded.other_texts, loaded.keep_only, loaded.dropped = result.texts, result.keep_only, result.dropped
    return loaded


def _mistyped_identity(root: Any, file: str) -> list[Problem]:
    """VM008 where ``apiVersion`` and ``kind`` are both written but one is not a string (a list, a mapping, null).

    Kubernetes refuses such an object; read as "not a manifest" it would pass without a word.  The items of a
    ``*List`` are checked the same way.
    """
    if not isinstance(root, dict):
        return []
    found: list[tuple[Any, tuple[str | int, ...]]] = [(root, ())]
    items = root.get("items")
    if isinstance(root.get("kind"), str) and root["kind"].endswith("List") and isinstance(items, list):
        found.extend((item, ("items", index)) for index, item in enumerate(items))
    problems = []
    for node, path in found:
        if not isinstance(node, dict) or "apiVersion" not in node or "kind" not in node:
            continue
        for key in ("apiVersion", "kind"):
            if not isinstance(node[key], str):
                message = f"{key} should be a string, found {describe(node[key])}"
                problems.append(Problem("VM008", message, locate(root, (*path, key), file)))
    return problems


def _objects(root: Any) -> list[dict[str, Any]]:
    """Kubernetes objects of a document: the object itself, or the items of a ``*List``."""
    if not is_kubernetes_object(root):
        return []
    if root["kind"].endswith("List") and isinstance(root.get("items"), list):
        return [item for item in root["items"] if is_kubernetes_object(item)]
    return [root]
