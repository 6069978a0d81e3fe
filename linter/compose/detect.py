"""Which files are Compose files, and which override files belong to a base file."""

from __future__ import annotations

import os
import re
from typing import Any

TOP_LEVEL_KEYS = frozenset(
    {"version", "name", "include", "services", "networks", "volumes", "secrets", "configs", "models"}
)
_NAME = re.compile(r"^(?:docker-)?compose(?:\.[^/]+)?\.ya?ml$", re.IGNORECASE)
_OVERRIDE = re.compile(r"^((?:docker-)?compose)\.override\.(ya?ml)$", re.IGNORECASE)


def is_compose_name(file: str) -> bool:
    """compose.yaml, docker-compose.yml, compose.override.yaml, compose.prod.yaml and the like."""
    return bool(_NAME.match(os.path.basename(file)))


def looks_like_compose(root: Any) -> bool:
    """A mapping with a ``services`` mapping, no ``apiVersion``, and only Compose top-level keys."""
    if not isinstance(root, dict) or "apiVersion" in root or not isinstance(root.get("services"), dict):
        return False
    return all(isinstance(key, str) and (key in TOP_LEVEL_KEYS or key.startswith("x-")) for key in root)


def is_compose(file: str, root: Any) -> bool:
    """A Compose file by name (whatever it holds, unless it is a Kubernetes object), or by content.

    A file named like a Compose file that is empty, not a mapping or without services is Compose's to
    refuse, so it is read as Compose and the refusal reported (VM008), never skipped as "not a manifest".
    """
    if is_compose_name(file):
        return not (isinstance(root, dict) and "apiVersion" in root)
    return looks_like_compose(root)


def override_names(file: str) -> tuple[str, ...]:
    """Names of the override files Compose merges into ``file`` by default (same stem, either extension)."""
    base = os.path.basename(file)
    match = re.match(r"^((?:docker-)?compose)\.(ya?ml)$", base, re.IGNORECASE)
    if not match:
        return ()
    return (f"{match.group(1)}.override.yaml", f"{match.group(1)}.override.yml")


def base_names(file: str) -> tuple[str, ...]:
    """For an override file, the base file names it is merged into."""
    match = _OVERRIDE.match(os.path.basename(file))
    if not match:
        return ()
    return (f"{match.group(1)}.yaml", f"{match.group(1)}.yml")
