"""YAML (and JSON) to positioned trees, built from libyaml's event stream.

Why events: the C parser emits them iteratively, so 10^5-deep nesting cannot overflow a
stack; aliases are shared, never copied, and their expanded size is budgeted, so alias
bombs are caught; tags are recorded but nothing is ever constructed from them; duplicate
keys and merge keys are seen where they are written.  See docs/decisions/0002.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml

from ..numbers import MAX_LITERAL, NumberText
from ..source import YMap, YSeq

try:  # libyaml is the fast path; the pure-Python parser gives the same events.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_DEPTH = 1000
MAX_EXPANDED_NODES = 2_000_000

_CORE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:binary",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:merge",
    "tag:yaml.org,2002:set",
    "tag:yaml.org,2002:omap",
    "!",
}
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9_]*)$|0x[0-9a-fA-F_]+$|0o[0-7_]+$")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?$")
_SPECIAL_FLOATS = {".inf": float("inf"), "+.inf": float("inf"), "-.inf": float("-inf"), ".nan": float("nan")}
_BOOLS = {"true": True, "false": False}
_NULLS = {"", "~", "null"}
_MAYBE_TYPED = {"", "~", "n", "N", "t", "T", "f", "F", "+", "-", ".", *"0123456789"}


@dataclass(frozen=True, slots=True)
class YamlProblem:
    """A problem found while reading YAML; ``code`` selects the input-error policy."""

    code: str
    message: str
    line: int
    column: int


@dataclass(slots=True)
class YamlDocument:
    """One document of a YAML stream: its root value and where it starts."""

    root: Any
    line: int
    column: int


class YamlError(Exception):
    """A fatal problem: the rest of the stream cannot be read."""

    def __init__(self, problem: YamlProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def resolve_plain(value: str) -> Any:
    """Resolve an untagged plain scalar with the YAML 1.2 core schema (case-folded)."""
    if value[:1] not in _MAYBE_TYPED:  # most keys and words: no null, bool or number starts so
        return value
    lowered = value.lower()
    if lowered in _NULLS:
        return None
    if lowered in _BOOLS:
        return _BOOLS[lowered]
    first = value[0]
    if first.isdigit() or first in "+-.":
        if _INT.match(lowered):
            if len(lowered) > MAX_LITERAL:  # int() past 4,300 digits raises; no manifest field holds such a number
                return NumberText(value)
            try:
                return int(lowered.replace("_", ""), 0)
            except ValueError:
                return value
        if lowered in _SPECIAL_FLOATS:
            return _SPECIAL_FLOATS[lowered]
        if _FLOAT.match(lowered) and any(ch.isdigit() for ch in lowered):
            return float(lowered.replace("_", ""))
    return value


def _resolve_tagged(value: str, tag: str) -> Any:
    if tag == "tag:yaml.org,2002:str" or tag == "!":
        return value
    if tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool"):
        return resolve_plain(value)
    if tag == "tag:yaml.org,2002:null":
        return None
    return value


def _key_text(value: Any) -> str:
    """A scalar key as the string it becomes in JSON (Kubernetes and Compose only know string keys)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_NO_KEY: Any = object()
_MERGE: Any = object()
_SCALAR, _ALIAS = yaml.ScalarEvent, yaml.AliasEvent
_MAPPING_START, _SEQUENCE_START = yaml.MappingStartEvent, yaml.SequenceStartEvent
_MAPPING_END, _SEQUENCE_END = yaml.MappingEndEvent, yaml.SequenceEndEvent
_DOCUMENT_START, _DOCUMENT_END, _STREAM_END = yaml.DocumentStartEvent, yaml.DocumentEndEvent, yaml.StreamEndEvent


class _Frame:
    """An open mapping or sequence while its events arrive."""

    __slots__ = ("anchor", "container", "key", "key_mark", "merged", "size", "start")

    def __init__(self, container: YMap | YSeq, anchor: str | None, start: Any) -> None:
        self.container = container
        self.key: Any = _NO_KEY
        self.key_mark = (0, 0)
        self.size = 1
        self.anchor = anchor
        self.start = start
        self.merged: set[Any] | None = None  # the keys a ``<<`` brought in, once one has


class _Builder:
    """Turns one stream's events into documents; one instance per stream."""

    def __init__(self, line_offset: int, column_offset: int) -> None:
        self.line_offset = line_offset
        self.column_offset = column_offset
        self.problems: list[YamlProblem] = []
        self.anchors: dict[str, tuple[Any, int]] = {}

    def pos(self, mark: Any) -> tuple[int, int]:
        col = mark.column + 1 + (self.column_offset if mark.line == 0 else 0)
        return mark.line + 1 + self.line_offset, col

    def problem(self, code: str, message: str, line: int, column: int) -> None:
        self.problems.append(YamlProblem(code, message, line, column))

    def check_tag(self, tag: str | None, mark: Any) -> None:
        if tag and tag not in _CORE_TAGS:
            self.problem(
                "VM004", f"unsupported YAML tag {tag!r}: read as plain data, never constructed", *self.pos(mark)
            )

    def document(self, next_event: Callable[[], Any]) -> Any:
        """Build one document's root from events up to its DocumentEndEvent."""
        stack: list[_Frame] = []
        root: Any = None
        self.anchors = {}
        # The hot loop of the whole linter: module-level event types, no generator in between.
        while (event := next_event()) is not None:
            kind = type(event)
            if kind is _SCALAR:
                if event.tag is None and event.implicit[0] and not event.style:  # plain and untagged: most
                    text = event.value
                    value = _MERGE if text == "<<" else resolve_plain(text)
                else:
                    value = self.scalar(event)
                if event.anchor:
                    self.anchors[event.anchor] = (value, 1)
                root = self.attach(stack, value, 1, event.start_mark, root)
            elif kind is _MAPPING_START or kind is _SEQUENCE_START:
                line, col = self.pos(event.start_mark)
                if len(stack) >= MAX_DEPTH:
                    raise YamlError(YamlProblem("VM006", f"nesting deeper than {MAX_DEPTH} levels", line, col))
                self.check_tag(event.tag, event.start_mark)
                container: YMap | YSeq = YMap(line, col) if kind is _MAPPING_START else YSeq(line, col)
                stack.append(_Frame(container, event.anchor, event.start_mark))
            elif kind is _MAPPING_END or kind is _SEQUENCE_END:
                frame = stack.pop()
                if frame.anchor:
                    self.anchors[frame.anchor] = (frame.container, frame.size)
                root = self.attach(stack, frame.container, frame.size, frame.start, root)
            elif kind is _ALIAS:
                target = self.anchors.get(event.anchor)
                if target is None:
                    raise YamlError(YamlProblem("VM001", f"unknown alias *{event.anchor}", *self.pos(event.start_mark)))
                root = self.attach(stack, target[0], target[1], event.start_mark, root)
            elif kind is _DOCUMENT_END:
                break
        return root

    def scalar(self, event: Any) -> Any:
        tag = event.tag
        plain = event.implicit[0] and not event.style
        if plain and event.value == "<<":
            return _MERGE
        if tag is None or tag == "!":
            return resolve_plain(event.value) if plain else event.value
        if tag == "tag:yaml.org,2002:merge":
            return _MERGE
        self.check_tag(tag, event.start_mark)
        return _resolve_tagged(event.value, tag)

    def attach(self, stack: list[_Frame], value: Any, size: int, mark: Any, root: Any) -> Any:
        """Add a finished value to the innermost open container; return the document root."""
        if not stack:
            return value
        frame = stack[-1]
        frame.size += size
        line = mark.line + 1 + self.line_offset
        col = mark.column + 1 + (self.column_offset if mark.line == 0 else 0)
        if frame.size > MAX_EXPANDED_NODES:
            raise YamlError(
                YamlProblem(
                    "VM006", f"document expands to more than {MAX_EXPANDED_NODES} nodes (alias bomb?)", line, col
                )
            )
        container = frame.container
        if isinstance(container, YSeq):
            container.append(value)
            container.marks.append((line, col))
            return root
        if frame.key is _NO_KEY:
            if isinstance(value, (YMap, YSeq)):
                self.problem("VM001", "a mapping or sequence used as a key is not supported", line, col)
                value = f"<complex key at {line}:{col}>"
            elif value is not _MERGE and not isinstance(value, str):
                value = _key_text(value)
            frame.key = value
            frame.key_mark = (line, col)
            return root
        key, key_mark = frame.key, frame.key_mark
        frame.key = _NO_KEY
        if key is _MERGE:
            self.merge(frame, value, line, col)
            return root
        merged = frame.merged
        if key in container.marks and (merged is None or key not in merged):
            self.problem("VM002", f"duplicate key {key!r}: the later value silently wins", *key_mark)
        if merged:
            merged.discard(key)
        container[key] = value
        container.marks[key] = (key_mark[0], key_mark[1], line, col)
        return root

    def merge(self, frame: _Frame, value: Any, line: int, col: int) -> None:
        """Apply a ``<<`` merge key: keys written in the mapping itself win over merged ones."""
        container = frame.container
        assert isinstance(container, YMap)
        if frame.merged is None:
            frame.merged = set()
        for source in value if isinstance(value, YSeq) else [value]:
            if not isinstance(source, YMap):
                self.problem("VM001", "merge key '<<' needs a mapping or a list of mappings", line, col)
                continue
            for key, item in source.items():
                if key in container.marks:
                    continue
                container[key] = item
                container.marks[key] = source.marks[key]
                frame.merged.add(key)


def parse_yaml(
    text: str | bytes, *, line_offset: int = 0, column_offset: int = 0
) -> tuple[list[YamlDocument], list[YamlProblem]]:
    """All documents of a YAML stream, and the problems met; never raises on bad input.

    A fatal error ends the stream: documents read before it are kept and the error is
    reported where libyaml stopped.  ``line_offset`` places an embedded stream (e.g.
    cloud-init inside a manifest) on its real lines.
    """
    builder = _Builder(line_offset, column_offset)
    documents: list[YamlDocument] = []
    try:
        loader = _Loader(text)
        try:
            next_event = loader.get_event  # None once the stream is exhausted
            while (event := next_event()) is not None and type(event) is not _STREAM_END:
                if type(event) is _DOCUMENT_START:
                    line, col = builder.pos(event.start_mark)
                    documents.append(YamlDocument(builder.document(next_event), line, col))
        finally:
            loader.dispose()
    except YamlError as error:
        builder.problems.append(error.problem)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, col = _clamp(text, *builder.pos(mark)) if mark is not None else (1, 1)
        message = " ".join(part for part in (error.context, error.problem) if part) or "invalid YAML"
        if "maximum nesting depth" in message:  # libyaml's own depth limit
            builder.problems.append(YamlProblem("VM006", f"nesting deeper than {MAX_DEPTH} levels", line, col))
        else:
            builder.problems.append(YamlProblem("VM001", f"YAML syntax error: {message}", line, col))
    except yaml.YAMLError as error:
        builder.problems.append(YamlProblem("VM001", f"YAML error: {error}", 1, 1))
    return documents, builder.problems


def _clamp(text: str | bytes, line: int, column: int) -> tuple[int, int]:
    """libyaml reports errors at the end of the stream one line past the last: point at the last line's end."""
    newline = "\n" if isinstance(text, str) else b"\n"
    lines = text.split(newline)  # type: ignore[arg-type]
    if lines and not lines[-1]:
        lines.pop()
    if lines and line - 1 > len(lines) - 1 >= 0:
        return len(lines), len(lines[-1]) + 1
    return line, column
