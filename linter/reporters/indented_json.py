"""``json.dumps(value, indent=2)``, byte for byte, in about half the time on large reports.

The standard library encodes with its C accelerator only without ``indent``; with it, every value
goes through Python generators.  Here scalars are encoded by the C helpers, and a container that
occurs more than once in the tree (the same object, e.g. a policy's ``related`` mapping shared by
its findings) is rendered once per indentation level and reused.  An ``Encoded`` value is text a caller
encoded itself (the JSON reporter writes each finding from a template) and is inserted as it is, indented.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring_ascii
from typing import Any

_STEP = "  "
_CONSTANTS = {None: "null", True: "true", False: "false"}


class Encoded(str):
    """JSON text encoded as ``dumps`` encodes a top-level value; inserted at any depth with its lines indented.

    Safe because encoded JSON has line breaks only between values, never inside a string (written ``\\n``).
    """


def dumps(value: Any) -> str:
    """The text of ``json.dumps(value, indent=2)`` for JSON data: dict, list, tuple, str, int, float, bool, None."""
    parts: list[str] = []
    _Encoder(parts).encode(value, "")
    return "".join(parts)


class _Encoder:
    __slots__ = ("memo", "out", "seen")

    def __init__(self, out: list[str]) -> None:
        self.out = out
        self.seen: set[int] = set()  # containers met once; only those met again are memoised
        self.memo: dict[tuple[int, str], str] = {}

    def encode(self, value: Any, pad: str) -> None:
        out = self.out
        kind = type(value)
        if kind is str:
            out.append(encode_basestring_ascii(value))
        elif kind is Encoded:
            out.append(value.replace("\n", "\n" + pad) if pad else value)
        elif value is None or value is True or value is False:
            out.append(_CONSTANTS[value])
        elif kind is int:
            out.append(int.__repr__(value))
        elif isinstance(value, str):
            out.append(encode_basestring_ascii(value))
        elif isinstance(value, (int, float)):
            out.append(json.dumps(value))
        elif isinstance(value, (dict, list, tuple)):
            if not value:
                out.append("{}" if isinstance(value, dict) else "[]")
            elif id(value) not in self.seen:
                self.seen.add(id(value))
                self.container(value, pad)
            else:
                key = (id(value), pad)
                if key not in self.memo:
                    self.out = []
                    self.container(value, pad)
                    self.memo[key] = "".join(self.out)
                    self.out = out
                out.append(self.memo[key])
        else:
            raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")

    def container(self, value: dict[Any, Any] | list[Any] | tuple[Any, ...], pad: str) -> None:
        inner = pad + _STEP
        separator = ",\n" + inner
        if isinstance(value, dict):
            self.out.append("{\n" + inner)
            for index, (key, item) in enumerate(value.items()):
                text = encode_basestring_ascii(key) if type(key) is str else _key(key)
                self.out.append((separator if index else "") + text + ": ")
                self.encode(item, inner)
            self.out.append("\n" + pad + "}")
        else:
            self.out.append("[\n" + inner)
            for index, item in enumerate(value):
                if index:
                    self.out.append(separator)
                self.encode(item, inner)
            self.out.append("\n" + pad + "]")


def _key(key: Any) -> str:
    """A mapping key as json.dumps writes it: strings as they are, numbers, booleans and null as text."""
    if isinstance(key, str):
        return encode_basestring_ascii(key)
    if key is None or key is True or key is False:
        return '"' + _CONSTANTS[key] + '"'
    if isinstance(key, (int, float)):
        return '"' + json.dumps(key) + '"'
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")
