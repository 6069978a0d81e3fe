"""The error a rule or admission policy file that cannot be used raises, apart from the CEL machinery.

The CLI catches it on every run; importing it must not import the rule compiler (a run without rules never
needs that).
"""

from __future__ import annotations


class RuleFileError(Exception):
    """A rule file that cannot be used: ``file:line:column: message``."""

    def __init__(self, file: str, line: int, column: int, message: str) -> None:
        super().__init__(f"{file}:{line}:{column}: {message}")
        self.file, self.line, self.column, self.message = file, line, column, message
