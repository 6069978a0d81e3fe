"""HCL2 (Packer ``*.pkr.hcl`` / ``*.pkrvars.hcl``) to positioned ``YMap``/``YSeq`` trees.

python-hcl2 parses; its ``with_meta`` serialisation option is declared but does not emit
line numbers (8.x), so positions come from the Lark rule tree it builds with
``propagate_positions``.  Shape (docs/decisions/0006): a body is a ``YMap`` of attributes;
each block type maps to a ``YSeq`` of block bodies whose labels sit under ``@labels``.
Expressions that are not literals are kept as ``${...}`` text, i.e. unresolved.
"""

from __future__ import annotations

from typing import Any

from ..source import YMap, YSeq
from .yaml_tree import YamlProblem

LABELS = "@labels"


def _options() -> Any:
    from hcl2.utils import SerializationOptions

    return SerializationOptions(
        with_comments=False, explicit_blocks=False, strip_string_quotes=True, preserve_heredocs=False
    )


def _pos(rule: Any) -> tuple[int, int]:
    meta = getattr(rule, "_meta", None)
    if meta is None or getattr(meta, "empty", True):
        return 0, 0
    return int(meta.line), int(meta.column)


def _unquote(text: Any) -> str:
    value = str(text)
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value


class _Builder:
    def __init__(self) -> None:
        from hcl2.rules import base, containers, expressions

        self.options = _options()
        self.attribute = base.AttributeRule
        self.block = base.BlockRule
        self.expr_term = expressions.ExprTermRule
        self.tuple = containers.TupleRule
        self.object = containers.ObjectRule

    def body(self, body: Any, line: int, column: int) -> YMap:
        out = YMap(line, column)
        for child in body.children:
            if isinstance(child, self.attribute):
                name = _unquote(child.identifier.serialize(self.options))
                key_line, key_col = _pos(child)
                value_line, value_col = _pos(child.expression)
                out[name] = self.value(child.expression)
                out.marks[name] = (key_line, key_col, value_line or key_line, value_col or key_col)
            elif isinstance(child, self.block):
                self.add_block(out, child)
        return out

    def add_block(self, out: YMap, block: Any) -> None:
        labels = [_unquote(label.serialize(self.options)) for label in block.labels]
        kind, names = labels[0], labels[1:]
        line, column = _pos(block)
        entry = self.body(block.body, line, column)
        label_seq = YSeq(line, column)
        for name in names:
            label_seq.append(name)
            label_seq.marks.append((line, column))
        entry[LABELS] = label_seq
        entry.marks[LABELS] = (line, column, line, column)
        blocks = out.get(kind)
        if not isinstance(blocks, YSeq):
            blocks = YSeq(line, column)
            out[kind] = blocks
            out.marks[kind] = (line, column, line, column)
        blocks.append(entry)
        blocks.marks.append((line, column))

    def value(self, expression: Any) -> Any:
        inner: Any = expression
        while isinstance(inner, self.expr_term) and inner.expression is not None and inner is not inner.expression:
            if not isinstance(inner.expression, (self.expr_term, self.tuple, self.object)):
                break
            inner = inner.expression
        if isinstance(inner, self.tuple):
            line, column = _pos(inner)
            seq = YSeq(line, column)
            for element in inner.elements:
                seq.append(self.value(element))
                seq.marks.append(_pos(element))
            return seq
        if isinstance(inner, self.object):
            line, column = _pos(inner)
            mapping = YMap(line, column)
            for item in inner.elements:
                entry: Any = item
                key = _unquote(entry.key.serialize(self.options))
                key_line, key_col = _pos(entry)
                value_line, value_col = _pos(entry.expression)
                mapping[key] = self.value(entry.expression)
                mapping.marks[key] = (key_line, key_col, value_line or key_line, value_col or key_col)
            return mapping
        return expression.serialize(self.options)


def parse_hcl(text: str) -> tuple[YMap | None, list[YamlProblem]]:
    """The positioned body of an HCL2 file, or None and a located syntax problem."""
    import hcl2
    from lark.exceptions import LarkError, UnexpectedInput

    try:
        tree = hcl2.parses(text if text.endswith("\n") else text + "\n")
        return _Builder().body(tree.body, 1, 1), []
    except UnexpectedInput as error:
        line = max(int(getattr(error, "line", 1) or 1), 1)
        column = max(int(getattr(error, "column", 1) or 1), 1)
        return None, [YamlProblem("VM001", f"HCL syntax error: {_first_line(str(error))}", line, column)]
    except (LarkError, ValueError, TypeError, AttributeError, IndexError, RecursionError) as error:
        # lark wraps a RecursionError raised inside a transformer in a VisitError
        if isinstance(error, RecursionError) or isinstance(getattr(error, "orig_exc", None), RecursionError):
            return None, [YamlProblem("VM006", "HCL nests too deeply to be read", 1, 1)]
        return None, [YamlProblem("VM001", f"HCL could not be read: {type(error).__name__}: {error}", 1, 1)]


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else "unexpected input"


def build_parser() -> None:
    """Build python-hcl2's grammar now, outside any file's CPU budget.

    A fresh install builds (and caches beside itself) its LALR tables on first use: over a second and a half of
    CPU, which counted against the first Packer file's budget made that file VM006 on a busy machine. Where the
    cache cannot be written, every run builds them. A failure here is left to ``parse_hcl`` to report, located.
    """
    try:
        from hcl2.parser import parser

        parser()
    except Exception:  # reported, located, by the parse that needs it
        pass
