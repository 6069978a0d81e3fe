"""Property-based robustness: real manifests from ../shared/corpus/real, mutated (keys deleted, types
swapped, nulls inserted, text truncated or lines dropped), never cause an exception or an internal error.

Bounded for CI: a fixed number of examples per property, no example database.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import SHARED
from vmlint.config import Config
from vmlint.engine import Engine
from vmlint.findings import FileResult
from vmlint.parsers.yaml_tree import parse_yaml
from vmlint.policy import load_policies
from vmlint.source import YMap, YSeq

CORPUS = SHARED / "corpus" / "real"
TREE_SUFFIXES = (".yaml", ".yml", ".json")
TEXT_SUFFIXES = (*TREE_SUFFIXES, ".hcl", ".xml")
MAX_BYTES = 64 * 1024  # keeps each example fast; the corpus's larger files are covered by the corpus tests
WRONG_VALUES: list[Any] = [None, 5, -1, 3.5, True, "x", "", [], {}, [None], {"a": None}, "${UNSET}", "{{ .x }}"]
SETTINGS = settings(
    max_examples=1000,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

CORPUS_SETTINGS = settings(SETTINGS, max_examples=3000)


@cache
def _engine() -> Engine:
    return Engine(Config(root=Path.cwd()), load_policies())


@cache
def _files(suffixes: tuple[str, ...]) -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(
        p for p in CORPUS.rglob("*") if p.is_file() and p.name.endswith(suffixes) and p.stat().st_size <= MAX_BYTES
    )


def _plain(node: Any) -> Any:
    if isinstance(node, YMap):
        return {str(k) if not isinstance(k, (str, int, float, bool)) else k: _plain(v) for k, v in node.items()}
    if isinstance(node, YSeq):
        return [_plain(v) for v in node]
    return node


@cache
def _documents(path: Path) -> list[Any]:
    documents, _ = parse_yaml(path.read_text(encoding="utf-8", errors="replace"))
    return [_plain(d.root) for d in documents]


def _containers(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    """Every mapping and list in a document, with its path."""
    out: list[tuple[tuple[Any, ...], Any]] = []
    if isinstance(node, dict):
        out.append((path, node))
        for key, value in node.items():
            out.extend(_containers(value, (*path, key)))
    elif isinstance(node, list):
        out.append((path, node))
        for index, value in enumerate(node):
            out.extend(_containers(value, (*path, index)))
    return out


def _wrong(data: st.DataObject) -> Any:
    return copy.deepcopy(data.draw(st.sampled_from(WRONG_VALUES)))


def _mutate(data: st.DataObject, document: Any) -> Any:
    """Delete a key, swap a value's type or insert a null somewhere in the document."""
    containers = _containers(document)
    if not containers:
        return _wrong(data)
    _, container = data.draw(st.sampled_from(containers))
    keys = list(container) if isinstance(container, dict) else list(range(len(container)))
    operation = data.draw(st.sampled_from(["delete", "swap", "null", "add"]))
    if operation == "add" or not keys:
        if isinstance(container, dict):
            container[data.draw(st.sampled_from(["spec", "containers", "services", "image", "x"]))] = _wrong(data)
        else:
            container.append(_wrong(data))
        return document
    key = data.draw(st.sampled_from(keys))
    if operation == "delete":
        del container[key]
    elif operation == "null":
        container[key] = None
    else:
        container[key] = _wrong(data)
    return document


def _lint(data: bytes, name: str) -> FileResult:
    result = _engine().lint_bytes(data, name)
    assert result.errors == (), result.errors
    for finding in (*result.findings,):
        assert finding.line >= 1 and finding.column >= 1, finding
    return result


def _nonempty(suffixes: tuple[str, ...]) -> list[Path]:
    files = _files(suffixes)
    assert files, f"no corpus files under {CORPUS}"
    return files


@pytest.mark.corpus
@CORPUS_SETTINGS
@given(data=st.data())
def test_mutated_trees_never_raise(data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(_nonempty(TREE_SUFFIXES)), label="file")
    documents = json.loads(json.dumps(_documents(path), default=str))  # a fresh, plain copy
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        if documents:
            index = data.draw(st.integers(0, len(documents) - 1))
            documents[index] = _mutate(data, documents[index])
    if path.suffix == ".json":
        text = json.dumps(documents[0] if len(documents) == 1 else documents, indent=2)
    else:
        text = yaml.safe_dump_all(documents, sort_keys=False)
    _lint(text.encode(), path.name)


@pytest.mark.corpus
@CORPUS_SETTINGS
@given(data=st.data())
def test_damaged_text_never_raises(data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(_nonempty(TEXT_SUFFIXES)), label="file")
    raw = path.read_bytes()
    operation = data.draw(st.sampled_from(["truncate", "drop-line", "duplicate-line", "splice-bytes"]))
    if operation == "truncate":
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    else:
        lines = raw.splitlines(keepends=True) or [b""]
        at = data.draw(st.integers(0, len(lines) - 1))
        if operation == "drop-line":
            del lines[at]
        elif operation == "duplicate-line":
            lines.insert(at, lines[at])
        else:
            lines[at] = data.draw(st.sampled_from([b"\t", b"\x00", b"\xff", b"{{", b"<!DOCTYPE x>", b"&a;", b"*x"]))
        raw = b"".join(lines)
    _lint(raw, path.name)


@SETTINGS
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    _lint(raw, "arbitrary.yaml")


@SETTINGS
@given(st.text(alphabet=st.sampled_from(list("{}[]:-,&*!|>'\"#%@`?\n\t abc0<>=")), max_size=300))
def test_yaml_punctuation_never_raises(text: str) -> None:
    for name in ("k8s.yaml", "compose.yaml", "image.pkr.hcl", "domain.xml", "x.json"):
        _lint(text.encode(), name)
