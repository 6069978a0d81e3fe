"""The Kubernetes versions whose schemas vmlint bundles, and parsing a ``1.NN`` version string.

Kept apart from the schema data so that the configuration can check a version without loading any schema.
"""

from __future__ import annotations

import re

OLDEST_MINOR = 25
NEWEST_MINOR = 37
SUPPORTED: tuple[str, ...] = tuple(f"1.{minor}" for minor in range(OLDEST_MINOR, NEWEST_MINOR + 1))
NEWEST = SUPPORTED[-1]
_VERSION = re.compile(r"v?1\.(0|[1-9][0-9]?)(?:\.[0-9]+)?")


def parse_version(text: object) -> tuple[str | None, str | None]:
    """``("1.NN", None)`` for a supported version (``v1.30`` and ``1.30.2`` are accepted), else ``(None, why)``."""
    if isinstance(text, float):
        return None, f'{text!r} is a number; quote the version ("1.30"): YAML reads 1.30 as 1.3'
    if not isinstance(text, str) or not _VERSION.fullmatch(text.strip()):
        return None, f"{text!r} is not a Kubernetes version of the form 1.NN"
    minor = int(text.strip().lstrip("v").split(".")[1])
    if not OLDEST_MINOR <= minor <= NEWEST_MINOR:
        return None, f"Kubernetes {text.strip()} has no bundled schemas; use one of {SUPPORTED[0]} to {NEWEST}"
    return f"1.{minor}", None


def minor(version: str) -> int:
    """The minor number of a ``1.NN`` string."""
    return int(version.split(".")[1])
