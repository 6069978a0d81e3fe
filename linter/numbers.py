"""Numbers read from user data: the one conversion every numeric field goes through.

Python's ``int()`` accepts what no manifest format does (``'²'`` passes ``str.isdigit()``, ``'٣'``
converts to 3, ``'1_000'`` and padding whitespace are read) and raises ``ValueError`` past 4,300
digits.  Here an integer is what Kubernetes, Compose and libvirt accept: a YAML/JSON integer, or
(where the field allows it) a string of ASCII digits with an optional sign, within the field's
range.  Anything else is a problem the caller reports as VM008 at the value.  See
docs/decisions/0009-hostile-input-limits.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# An integer literal longer than this is not turned into an int by the YAML reader (a 256-bit hex number fits).
MAX_LITERAL = 66
SHARED_TEXT = 4096  # strings at least this long are scanned once, however many fields share them
INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
NON_NEGATIVE_INT32 = (0, 2**31 - 1)
PORT = (1, 65535)
_DECIMAL = re.compile(r"[+-]?[0-9]{1,19}")
_DIGITS = re.compile(r"[+-]?[0-9]+")


class NumberText(str):
    """An integer literal too long to be read as a number (YAML, JSON): kept as the text it was written as."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class NumberProblem:
    """Why a value is not an acceptable integer: what was expected and what was found."""

    expected: str
    found: str


def is_unresolved(value: Any) -> bool:
    """True for a placeholder that only a later tool resolves (``${VAR}``, ``{{ x }}``)."""
    if not isinstance(value, str):
        return False
    return ("${" in value or "{{" in value) if len(value) < SHARED_TEXT else _long_unresolved(value)


@lru_cache(maxsize=64)
def _long_unresolved(text: str) -> bool:
    # One big value shared by many fields (a .env value in every service) is scanned once, not once a field.
    return "${" in text or "{{" in text


def _shown(text: str) -> str:
    return text if len(text) <= 24 else f"{text[:20]}... ({len(text)} characters)"


def describe(value: Any) -> str:
    """A value's type as a manifest author names it (long numbers are numbers)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float, NumberText)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    return type(value).__name__


def to_int(
    value: Any, *, bounds: tuple[int, int] = INT64, strings: bool = True
) -> tuple[int | None, NumberProblem | None]:
    """``(number, None)``; ``(None, None)`` for a placeholder; ``(None, problem)`` for anything else.

    ``strings``: whether a string of digits is accepted (Compose, libvirt attributes, int-or-string fields).
    """
    low, high = bounds
    expected = f"an integer from {low} to {high}" if bounds != INT64 else "an integer"
    number: int | None = None
    if isinstance(value, bool) or value is None:
        return None, NumberProblem(expected, describe(value))
    if isinstance(value, NumberText):
        return None, NumberProblem(expected, f"number {_shown(value)}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        if is_unresolved(value):
            return None, None
        text = value.strip(" \t\r\n")
        if strings and _DECIMAL.fullmatch(text):
            number = int(text)
        elif strings and text.isascii() and _DIGITS.fullmatch(text):
            return None, NumberProblem(expected, f"number {_shown(text)}")
        else:
            return None, NumberProblem(expected, f"string {_shown(value)!r}" if strings else "string")
    else:
        return None, NumberProblem(expected, describe(value))
    if not low <= number <= high:
        return None, NumberProblem(expected, str(number) if abs(number) < 10**24 else "a number out of range")
    return number, None


def int_or_none(value: Any, *, bounds: tuple[int, int] = INT64, strings: bool = True) -> int | None:
    """``to_int`` for readers that cannot report (policies): the number, or None."""
    return to_int(value, bounds=bounds, strings=strings)[0]
