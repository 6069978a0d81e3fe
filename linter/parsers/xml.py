"""XML (libvirt domain definitions) to positioned ``YMap``/``YSeq`` trees, parsed safely.

defusedxml's expat parser with ``forbid_dtd``, ``forbid_entities`` and
``forbid_external``: no DTD, no entity expansion, no external fetch, no network.
Shape (docs/decisions/0006): an element is a ``YMap``; its attributes are ``@name``
keys, its child elements are ``tag -> YSeq`` (always a list, in document order) and
its stripped text is ``#text``.  Elements are located at their ``<``; attributes at
their name (key) and the first character inside the quotes (value).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Any

from ..source import YMap, YSeq
from .yaml_tree import YamlProblem

TEXT = "#text"
MAX_DEPTH = 500
MAX_DOCUMENTS = 100
_JUNK_AFTER = "junk after document element"


class _Target:
    """Receives parser events and builds the positioned tree."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.stack: list[YMap] = []
        self.texts: list[list[str]] = []
        self.root: YMap | None = None
        self.parser: Any = None

    def _offset(self, line: int, column: int) -> int:
        return self.line_starts[line - 1] + column if 0 < line <= len(self.line_starts) else 0

    def _line_col(self, offset: int) -> tuple[int, int]:
        index = bisect_right(self.line_starts, offset) - 1
        return index + 1, offset - self.line_starts[index] + 1

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        expat = self.parser.parser
        line, column0 = expat.CurrentLineNumber, expat.CurrentColumnNumber
        if len(self.stack) >= MAX_DEPTH:
            raise ValueError(f"elements nested deeper than {MAX_DEPTH}")
        node = YMap(line, column0 + 1)
        start = self._offset(line, column0)
        end = self.text.find(">", start)
        head = self.text[start : end if end >= 0 else len(self.text)]
        for name, value in attrs.items():
            found = re.search(r"(?<![\w.:-])" + re.escape(name) + r"\s*=\s*([\"'])", head)
            key_at = start + found.start() if found else start
            value_at = start + found.end() if found else start
            key = "@" + name
            node[key] = value
            node.marks[key] = (*self._line_col(key_at), *self._line_col(value_at))
        if self.stack:
            parent = self.stack[-1]
            children = parent.get(tag)
            if not isinstance(children, YSeq):
                children = YSeq(line, column0 + 1)
                parent[tag] = children
                parent.marks[tag] = (line, column0 + 1, line, column0 + 1)
            children.append(node)
            children.marks.append((line, column0 + 1))
        else:
            self.root = node
        self.stack.append(node)
        self.texts.append([])

    def data(self, data: str) -> None:
        if self.texts:
            self.texts[-1].append(data)

    def end(self, tag: str) -> None:
        node = self.stack.pop()
        text = "".join(self.texts.pop()).strip()
        if text:
            node[TEXT] = text
            node.marks[TEXT] = (node.line, node.column, node.line, node.column)

    def close(self) -> YMap | None:
        return self.root


def root_tag(text: str) -> str | None:
    """The name of the first element, read without parsing (for format detection)."""
    found = re.search(r"<([A-Za-z_][\w.:-]*)", re.sub(r"<!--.*?-->|<\?.*?\?>", "", text[:4096], flags=re.S))
    return found.group(1) if found else None


def parse_xml(text: str) -> tuple[YMap | None, list[YamlProblem]]:
    """The positioned root element, or None and a located problem (syntax, DTD, entity)."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import DefusedXMLParser

    target = _Target(text)
    parser = DefusedXMLParser(target=target, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    target.parser = parser
    try:
        parser.feed(text)
        parser.close()
    except ParseError as error:
        line, column = getattr(error, "position", (1, 0))
        message = re.sub(r": line \d+, column \d+$", "", str(error))
        return None, [YamlProblem("VM001", f"XML syntax error: {message}", max(line, 1), column + 1)]
    except DefusedXmlException as error:
        expat = parser.parser
        return None, [
            YamlProblem(
                "VM001",
                f"XML refused: {type(error).__name__} (DTDs, entities and external references are not read)",
                max(expat.CurrentLineNumber, 1),
                expat.CurrentColumnNumber + 1,
            )
        ]
    except ValueError as error:
        return None, [YamlProblem("VM006", f"XML too deep: {error}", 1, 1)]
    return target.root, []


def parse_xml_documents(text: str) -> tuple[list[YMap], list[YamlProblem]]:
    """Root elements written one after another (virt-install's install and boot domains), each positioned.

    Each element before the next is parsed on its own; the text already read is blanked (newlines kept) so that
    the next one keeps its lines and columns.
    """
    roots: list[YMap] = []
    remaining = text
    while len(roots) < MAX_DOCUMENTS:
        root, problems = parse_xml(remaining)
        if root is not None or not problems or _JUNK_AFTER not in problems[0].message:
            return ([*roots, root] if root is not None else roots), problems
        first = problems[0]
        target = _Target(remaining)
        end = target._offset(first.line, first.column - 1)
        head, _ = parse_xml(remaining[:end])
        if head is None:
            return roots, problems
        roots.append(head)
        remaining = re.sub(r"[^\n]", " ", remaining[:end]) + remaining[end:]
    return roots, [YamlProblem("VM006", f"more than {MAX_DOCUMENTS} XML documents in one file", 1, 1)]
