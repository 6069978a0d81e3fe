"""One escaping rule for line-oriented reports (text, GitHub, JUnit): a value stays on its line.

File names and values come from the scanned repository.  Every character that ``str.splitlines()``
or a terminal treats as a line break or a control is written as an escape (``\\x85``, ``\\u2028``):
C0 controls and DEL, the C1 controls (U+0080-U+009F, among them NEL U+0085 and CSI U+009B, which
some terminals obey like ESC [), the line and paragraph separators U+2028/U+2029, and the
bidirectional embedding, override and isolate controls that reorder what a reader sees.
"""

from __future__ import annotations

_BIDI = (*range(0x202A, 0x202F), *range(0x2066, 0x206A))
_ESCAPED = (*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029, *_BIDI)
_TABLE = {code: f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" for code in _ESCAPED}


def escape_line(text: str) -> str:
    """``text`` with no character that could start a new line or drive a terminal."""
    return text.translate(_TABLE)
