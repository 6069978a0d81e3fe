"""A file's own layout, read from libyaml's nodes: line ends, mapping indentation, sequence indent and offset.

New lines follow it, and ruamel.yaml renders the fragments that are inserted with it, so a file indented
``4``/``- `` at offset 2 gets new keys indented the same way.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

_WIDTH = 1 << 30  # never re-wrap a rendered line


@dataclass(frozen=True, slots=True)
class Layout:
    """How a file writes nested blocks: ``mapping`` spaces per level, list items at ``offset`` + ``- ``."""

    newline: str = "\n"
    mapping: int = 2
    sequence: int = 2
    offset: int = 0


def detect(text: str, roots: list[Any]) -> Layout:
    """The most common indentation steps of the block collections under ``roots``."""
    mappings: Counter[int] = Counter()
    sequences: Counter[tuple[int, int]] = Counter()
    stack = list(roots)
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.append(value)
                if getattr(value, "flow_style", True) or not value.value:
                    continue
                if isinstance(value, yaml.MappingNode) and value.start_mark.line > key.start_mark.line:
                    mappings[value.value[0][0].start_mark.column - key.start_mark.column] += 1
                elif isinstance(value, yaml.SequenceNode):
                    item = value.value[0]
                    dash = text.rfind("-", 0, item.start_mark.index)
                    column = dash - (text.rfind("\n", 0, dash) + 1)
                    if dash >= 0 and item.start_mark.line == value.start_mark.line:
                        step = (item.start_mark.column - key.start_mark.column, column - key.start_mark.column)
                        sequences[step] += 1
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    newline = "\r\n" if text.count("\r\n") * 2 > text.count("\n") else "\n"
    mapping = next((step for step, _ in mappings.most_common() if 0 < step <= 8), 2)
    sequence, offset = next(((s, o) for (s, o), _ in sequences.most_common() if 0 <= o < s <= 10), (2, 0))
    return Layout(newline, mapping, max(sequence, offset + 2), offset)


@lru_cache(maxsize=32)
def _dumper(mapping: int, sequence: int, offset: int, flow: bool) -> YAML:
    dumper = YAML(typ="rt")
    dumper.width = _WIDTH
    dumper.indent(mapping=mapping, sequence=sequence, offset=offset)
    dumper.default_flow_style = flow
    return dumper


def _dump(value: Any, dumper: YAML) -> str:
    out = io.StringIO()
    dumper.dump(value, out)
    return out.getvalue()


def _key(value: Any) -> str:
    """A cache key for plain data (insertion order kept, types told apart)."""
    return json.dumps(value)


def flow(value: Any, quote: str | None = None) -> str:
    """``value`` as a YAML flow node (a scalar, ``[a, b]`` or ``{k: v}``), quoted only where YAML needs it.

    ``quote`` (``'`` or ``"``) keeps the quoting of the string it replaces.
    """
    return _flow(_key(value), quote)


@lru_cache(maxsize=1024)
def _flow(key: str, quote: str | None) -> str:
    value = json.loads(key)
    if quote == "'" and isinstance(value, str):
        value = SingleQuotedScalarString(value)
    elif quote == '"' and isinstance(value, str):
        value = DoubleQuotedScalarString(value)
    text = _dump({"_": value}, _dumper(2, 2, 0, True)).strip()
    return text[len("{_: ") : -1].strip()


def block(value: dict[str, Any], column: int, layout: Layout) -> list[str]:
    """The lines of a block mapping holding ``value``, indented to ``column`` in the file's own style."""
    return [" " * column + line for line in _block(_key(value), layout.mapping, layout.sequence, layout.offset)]


@lru_cache(maxsize=1024)
def _block(key: str, mapping: int, sequence: int, offset: int) -> tuple[str, ...]:
    text = _dump(json.loads(key), _dumper(mapping, sequence, offset, False))
    return tuple(line for line in text.splitlines() if line.strip())
