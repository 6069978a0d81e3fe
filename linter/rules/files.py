"""Reading rule and admission-policy files: positioned YAML, schema errors and CEL errors located.

Every problem is a ``RuleFileError`` naming file, line and column (exit 2 at the command line).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path as FsPath
from typing import Any

from ..parsers.yaml_tree import parse_yaml
from ..source import Path, YMap, locate
from . import cel
from .errors import RuleFileError
from .schema_check import conforms

RULE_SUFFIXES = (".yaml", ".yml", ".json")
MAX_RULE_FILE_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class SourceDocument:
    """One document of a rule file, positioned."""

    file: str
    text: str
    root: Any


def expand(paths: Iterable[str]) -> list[tuple[str, bool]]:
    """(file, named) for files named, and the YAML/JSON files under folders named (sorted); a missing path is
    an error."""
    out: list[tuple[str, bool]] = []
    for name in paths:
        path = FsPath(name)
        if path.is_dir():
            out.extend((str(p), False) for p in sorted(path.rglob("*")) if p.is_file() and p.suffix in RULE_SUFFIXES)
        elif path.is_file():
            out.append((name, True))
        else:
            raise RuleFileError(name, 1, 1, "no such file or directory")
    return out


def documents(file: str) -> Iterator[SourceDocument]:
    """The documents of one file; unreadable files and YAML errors are located errors."""
    try:
        data = FsPath(file).read_bytes()
    except OSError as error:
        raise RuleFileError(file, 1, 1, f"cannot read: {error.strerror or error}") from error
    if len(data) > MAX_RULE_FILE_BYTES:
        raise RuleFileError(file, 1, 1, f"larger than {MAX_RULE_FILE_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RuleFileError(file, 1, 1, f"not UTF-8 text (byte {error.start})") from error
    parsed, problems = parse_yaml(text)
    if problems:
        first = problems[0]
        raise RuleFileError(file, first.line, first.column, first.message)
    for document in parsed:
        if document.root is not None:
            yield SourceDocument(file, text, document.root)


@lru_cache(maxsize=1)
def _rule_schema() -> Any:
    text = resources.files("vmlint.schemas").joinpath("policy.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


@lru_cache(maxsize=1)
def _rule_validator() -> Any:
    import jsonschema  # only for a document the quick check does not pass (see ``schema_check``)

    return jsonschema.Draft202012Validator(_rule_schema())


def check_schema(document: SourceDocument) -> None:
    """Validate a rule document against schemas/policy.schema.json; the first error, located."""
    plain = json.loads(json.dumps(document.root))
    if conforms(plain, _rule_schema(), _rule_schema()):
        return
    errors = sorted(_rule_validator().iter_errors(plain), key=lambda e: (list(e.absolute_path), e.message))
    if not errors:
        return
    error = errors[0]
    path: Path = tuple(error.absolute_path)
    where = ".".join(str(p) for p in path) or "(top level)"
    message = error.message
    instance = error.instance
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        allowed = set(error.schema.get("properties", {}))
        extra = sorted(k for k in instance if k not in allowed)
        if extra:
            path, message = (*path, extra[0]), f"unknown key {extra[0]!r} (allowed: {', '.join(sorted(allowed))})"
            where = ".".join(str(p) for p in path)
    raise located(document, path, f"{where}: {message}", key=error.validator == "additionalProperties")


def located(document: SourceDocument, path: Path, message: str, *, key: bool = False) -> RuleFileError:
    """An error at ``path`` of the document (nearest existing ancestor)."""
    position = locate(document.root, path, document.file, key=key)
    return RuleFileError(document.file, position.line, position.column, message)


def compile_at(
    document: SourceDocument, path: Path, variables: frozenset[str], what: str = "expression", *, boolean: bool = False
) -> cel.Program:
    """Compile the expression at ``path``; a CEL error is located at its line and column in the file.

    ``boolean``: the expression must give a bool (a validation, a match condition), as far as types tell."""
    node: Any = document.root
    for part in path[:-1]:
        node = node[part]
    text = node[path[-1]]
    if not isinstance(text, str):
        raise located(document, path, f"{what} must be a string")
    try:
        program = cel.compile_expression(text, variables)
    except cel.CompileError as error:
        line, column = _expression_position(document, node, path[-1], error.line, error.column)
        raise RuleFileError(document.file, line, column, f"{what}: {error.message}") from None
    wrong = cel.not_bool(program) if boolean else None
    if wrong is not None:
        raise located(document, path, f"{what} must give a bool, not {wrong}")
    return program


def _expression_position(document: SourceDocument, mapping: Any, key: Any, line: int, column: int) -> tuple[int, int]:
    """Where character (line, column) of a YAML string value is in the file."""
    if not isinstance(mapping, YMap) or key not in mapping.marks:
        return 1, 1
    _, _, value_line, value_column = mapping.marks[key]
    lines = document.text.splitlines()
    first = lines[value_line - 1] if 0 < value_line <= len(lines) else ""
    opener = first[value_column - 1 : value_column]
    if opener in ("|", ">"):  # block scalar: content starts on the next line, indented
        target = value_line + line
        body = lines[target - 1] if 0 < target <= len(lines) else ""
        return target, len(body) - len(body.lstrip(" ")) + column
    if line == 1:
        return value_line, value_column + column - 1 + (1 if opener in ("'", '"') else 0)
    return value_line + line - 1, column
