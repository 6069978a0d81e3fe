"""Schemas of custom resources: from the CustomResourceDefinitions of the run and from configured folders.

A CRD's ``openAPIV3Schema`` is a structural schema: an object without ``additionalProperties`` or
``x-kubernetes-preserve-unknown-fields`` keeps no unknown field (the API server prunes them, and strict field
validation reports them). A folder given by ``schema-dirs`` holds JSON Schema files laid out as
``{group}/{kind}_{version}.json`` (the layout of the public CRD catalogs), read with JSON Schema's own meaning.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..source import Path as DocPath
from .bundle import BuiltinSchemas
from .validator import Compiler, Node, SchemaError

MAX_SCHEMA_FILE = 10 * 1024 * 1024
_GROUP = re.compile(r"[a-z0-9][a-z0-9.-]{0,252}")  # a DNS name's characters, no "/" and no leading "."
_NAME = re.compile(r"[A-Za-z0-9]{1,63}")
_INDEX = re.compile(r"[0-9]{1,9}")  # a $ref's list index: ASCII digits ('²'.isdigit() is true, and int('²') fails)
CRD_API_GROUP = "apiextensions.k8s.io"


@dataclass
class Source:
    """One custom resource's schema, where it came from, and its compiled validator once built."""

    schema: Any
    origin: str
    structural: bool
    node: Node | None = None
    error: str | None = None
    compiler: Compiler | None = None
    path: DocPath = ()  # where the schema is in its CRD


def is_crd(obj: dict[str, Any]) -> bool:
    return obj.get("kind") == "CustomResourceDefinition" and str(obj.get("apiVersion", "")).startswith(
        CRD_API_GROUP + "/"
    )


def crd_versions(obj: dict[str, Any]) -> list[tuple[str, str, Any, DocPath]]:
    """``(apiVersion, kind, openAPIV3Schema, path of that schema)`` for each served version of a CRD."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return []
    group, names = spec.get("group"), spec.get("names")
    kind = names.get("kind") if isinstance(names, dict) else None
    if not isinstance(group, str) or not isinstance(kind, str):
        return []
    shared = _schema_at(spec, ("validation",))  # apiextensions.k8s.io/v1beta1: one schema for every version
    found: list[tuple[str, str, Any, DocPath]] = []
    versions = spec.get("versions")
    if isinstance(versions, list):
        for index, version in enumerate(versions):
            if not isinstance(version, dict) or not isinstance(version.get("name"), str):
                continue
            if version.get("served") is False:
                continue
            own = _schema_at(version, ("schema",))
            if own is not None:
                found.append(
                    (f"{group}/{version['name']}", kind, own, ("spec", "versions", index, "schema", "openAPIV3Schema"))
                )
            elif shared is not None:
                found.append((f"{group}/{version['name']}", kind, shared, ("spec", "validation", "openAPIV3Schema")))
    elif isinstance(spec.get("version"), str) and shared is not None:
        found.append((f"{group}/{spec['version']}", kind, shared, ("spec", "validation", "openAPIV3Schema")))
    return found


def _schema_at(parent: dict[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = parent
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    return node.get("openAPIV3Schema") if isinstance(node, dict) else None


class CustomSchemas:
    """Every custom resource schema known to the run, looked up by apiVersion and kind."""

    def __init__(self, builtin: BuiltinSchemas, schema_dirs: Sequence[Path]) -> None:
        self.builtin = builtin
        self.schema_dirs = list(schema_dirs)
        self.sources: dict[tuple[str, str], Source] = {}

    def add_crd(self, obj: dict[str, Any], origin: str, *, check: bool) -> list[tuple[DocPath, str]]:
        """Learn a CRD's schemas (the first CRD of a kind wins); with ``check``, compile them whole and return
        what makes them unusable, each at its path in the CRD."""
        problems: list[tuple[DocPath, str]] = []
        for api_version, kind, schema, path in crd_versions(obj):
            existing = self.sources.get((api_version, kind))
            if existing is not None and existing.origin != origin:
                continue
            source = self.sources[(api_version, kind)] = Source(schema, origin, structural=True, path=path)
            if check:
                where = preflight(self._compiler(source), schema, path)
                if where is not None:
                    source.error = f"{where[1]} (at {_dotted(where[0])})"
                    problems.append(where)
        return problems

    def lookup(self, api_version: str, kind: str) -> Source | None:
        """The schema of a custom resource: a CRD of the run first, then the schema folders."""
        key = (api_version, kind)
        if key not in self.sources:
            found = self._from_dirs(api_version, kind)
            if found is None:
                return None
            self.sources[key] = found
        source = self.sources[key]
        if source.node is None and source.error is None:
            where = preflight(self._compiler(source), source.schema, source.path)
            if where is not None:
                source.error = f"{where[1]} (at {_dotted(where[0])})" if where[0] else where[1]
            else:
                source.node = self._root(source)
        return source

    def _compiler(self, source: Source) -> Compiler:
        if source.compiler is None:
            resolve = None if source.structural else _pointer_resolver(source.schema)
            source.compiler = Compiler(resolve, closed=source.structural, nullable=False)
            source.compiler.embedded = self._embedded(source.compiler)
        return source.compiler

    def _embedded(self, compiler: Compiler) -> dict[str, Node]:
        text = compiler.node({"type": "string"})
        return {"apiVersion": text, "kind": text, "metadata": self.builtin.object_meta()}

    def _root(self, source: Source) -> Node:
        """The compiled schema, which ``preflight`` has checked whole."""
        compiler = self._compiler(source)
        root = compiler.node(source.schema)
        root.extra = compiler.embedded
        root.anything = False
        return root

    def _from_dirs(self, api_version: str, kind: str) -> Source | None:
        group, _, version = api_version.rpartition("/")
        if not (_GROUP.fullmatch(group) and _NAME.fullmatch(version) and _NAME.fullmatch(kind)):
            return None  # a scanned document must not steer the lookup out of the folders (../, /)
        for folder in self.schema_dirs:
            for name in (f"{kind.lower()}_{version}.json", f"{kind}_{version}.json"):
                path = folder / group / name
                if path.is_file():
                    return _read_schema_file(path)
        return None


def _read_schema_file(path: Path) -> Source:
    try:
        size = path.stat().st_size
        if size > MAX_SCHEMA_FILE:
            return Source(None, str(path), False, error=f"{size} bytes, above the limit of {MAX_SCHEMA_FILE}")
        schema = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        return Source(None, str(path), False, error=f"cannot read it: {error}")
    except json.JSONDecodeError as error:
        return Source(None, str(path), False, error=f"not JSON: {error.msg} at line {error.lineno}")
    except RecursionError:
        return Source(None, str(path), False, error="it nests too deeply")
    if not isinstance(schema, dict):
        return Source(None, str(path), False, error="a schema file must hold a JSON object")
    return Source(schema, str(path), False)


def _pointer_resolver(document: Any) -> Any:
    def resolve(ref: str) -> Any:
        if not ref.startswith("#"):
            raise SchemaError(f"$ref {ref} points outside the schema file")
        node = document
        for part in (p for p in ref[1:].split("/") if p):
            part = part.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and _INDEX.fullmatch(part) and int(part) < len(node):
                node = node[int(part)]
            else:
                raise SchemaError(f"$ref {ref} names nothing in the schema file")
        return node

    return resolve


def preflight(compiler: Compiler, schema: Any, path: DocPath) -> tuple[DocPath, str] | None:
    """Compile a whole schema up front; the first problem and where it is, or None."""
    try:
        _preflight(compiler, schema, path)
    except _Located as located:
        return located.path, located.message
    except RecursionError:
        return path, "the schema nests too deeply"
    return None


class _Located(Exception):
    def __init__(self, path: DocPath, message: str) -> None:
        super().__init__(message)
        self.path, self.message = path, message


def _preflight(compiler: Compiler, schema: Any, path: DocPath) -> None:
    try:
        compiler.node(schema)
    except SchemaError as error:
        raise _Located(path, str(error)) from None
    if not isinstance(schema, dict):
        return
    properties = schema.get("properties")
    if isinstance(properties, dict):
        for name, child in properties.items():
            _preflight(compiler, child, (*path, "properties", name))
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            _preflight(compiler, schema[key], (*path, key))


def _dotted(path: DocPath) -> str:
    return ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in path).replace(".[", "[")
