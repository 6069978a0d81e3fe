"""Helm output: ``helm template`` streams split by their ``# Source:`` comments.

A stream is what ``helm template`` prints: every document starts with ``---`` and a
``# Source: CHART/templates/FILE`` comment.  Each such document is linted on its own, named
after its template and numbered from the line after the comment, so a finding says which
template wrote it and a ``# vmlint: ignore[...]`` comment that survived rendering applies in
that document only.  Documents without a ``# Source:`` line keep the stream's name and lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

SOURCE = "# Source: "
_SEPARATOR = re.compile(r"^(?:---|\.\.\.)(?:[ \t].*)?$")
# What Helm writes after `# Source:`: CHART/templates/..., CHART/charts/SUB/templates/..., CHART/crds/...
# (a `# Source: https://...` comment someone wrote above a manifest is not one).
_TEMPLATE = re.compile(r"^[\w.-]+/(?:charts/[\w.-]+/)*(?:templates|crds)/\S+$")


@dataclass(frozen=True, slots=True)
class Segment:
    """One document of a stream: the name findings get, its text, and which tool rendered it ('' if none)."""

    display: str
    data: bytes
    rendered_by: str = ""


def segments(data: bytes, rename: Callable[[str], str] | None = None) -> list[Segment] | None:
    """The documents of a Helm stream, or None when ``data`` has no ``# Source:`` document."""
    if SOURCE.encode() not in data:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    lines = text.splitlines(keepends=True)
    found: list[Segment] = []
    start = 0
    for end in [*(i for i, line in enumerate(lines) if _SEPARATOR.match(line.rstrip("\r\n"))), len(lines)]:
        segment = _segment(lines, start, end, rename)
        if segment is not None:
            found.append(segment)
        start = end + 1
    return found if any(s.rendered_by for s in found) else None


def _segment(lines: list[str], start: int, end: int, rename: Callable[[str], str] | None) -> Segment | None:
    body = lines[start:end]
    first = next((i for i, line in enumerate(body) if line.strip()), None)
    if first is None:
        return None
    head = body[first].strip()
    source = head[len(SOURCE) :].strip() if head.startswith(SOURCE) else ""
    if _TEMPLATE.match(source):
        return Segment(rename(source) if rename else source, "".join(body[first + 1 :]).encode(), "helm")
    if all(not line.strip() or line.lstrip().startswith("#") for line in body):
        return None  # nothing but comments: no document
    # Padded with empty lines so that findings keep the stream's line numbers.
    return Segment("", ("\n" * start + "".join(body)).encode())
