"""Field paths as Kubernetes writes them (``spec.containers[0].image``, ``metadata.labels['app']``)."""

from __future__ import annotations

import re

from ..source import Path

_IDENT = re.compile(r"[A-Za-z_@$][A-Za-z0-9_$@-]*")
_STEP = re.compile(
    r"\.?([A-Za-z_@$][A-Za-z0-9_$@-]*)|\[([0-9]{1,9})\]|\['((?:[^'\\]|\\.)*)'\]|\[\"((?:[^\"\\]|\\.)*)\"\]"
)


class FieldPathError(ValueError):
    """A field path that cannot be read."""


def parse(text: str) -> Path:
    """``spec.template.spec.containers[0]`` -> ("spec", "template", "spec", "containers", 0)."""
    parts: list[str | int] = []
    position = 0
    while position < len(text):
        step = _STEP.match(text, position)
        if step is None or (step.group(1) is not None and position > 0 and text[position] != "."):
            raise FieldPathError(f"cannot read field path {text!r} at character {position + 1}")
        name, index, single, double = step.groups()
        if index is not None:
            parts.append(int(index))
        else:
            parts.append(name if name is not None else (single if single is not None else double).replace("\\", ""))
        position = step.end()
    return tuple(parts)


def render(path: Path) -> str:
    """The inverse of ``parse``: keys that are not identifiers are written ``['key']``."""
    out = []
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _IDENT.fullmatch(part):
            out.append(f".{part}" if out else part)
        else:
            escaped = part.replace("\\", "\\\\").replace("'", "\\'")
            out.append(f"['{escaped}']")
    return "".join(out)
