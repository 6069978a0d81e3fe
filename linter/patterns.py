"""gitignore-style patterns (``exclude``, ``per-path-ignores``) matched in linear time.

pathspec gives git's semantics; its default backend is Python's backtracking ``re``, on which a pattern such as
``*a*a*a*a*a*a*b`` from a configuration file in a scanned repository takes exponential time.  The RE2 backend
(google-re2) matches in time linear in the path, whatever the pattern.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pathspec

MAX_PATTERN_LENGTH = 1024  # RE2 also bounds the memory of a compiled pattern; this keeps the error readable


class PatternError(ValueError):
    """A pattern pathspec or RE2 cannot compile."""


def gitignore_spec(patterns: Iterable[str]) -> pathspec.GitIgnoreSpec:
    """The patterns as one gitignore spec on the RE2 backend."""
    import pathspec  # only runs with patterns pay for it (and for RE2)

    lines = list(patterns)
    for line in lines:
        if len(line) > MAX_PATTERN_LENGTH:
            raise PatternError(f"pattern longer than {MAX_PATTERN_LENGTH} characters")
    try:
        return pathspec.GitIgnoreSpec.from_lines(lines, backend="re2")
    except Exception as error:  # pathspec's GitWildMatchPatternError, re2's errors: a bad pattern either way
        raise PatternError(f"invalid pattern: {error}") from error
