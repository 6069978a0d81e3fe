"""The other files of a Packer HCL2 configuration (its directory), each read and parsed once per run.

Every ``*.pkr.hcl`` file of a directory sees the variable defaults and build blocks of the others,
and the ``*.pkrvars.hcl`` overrides.  Parsing every sibling again for every file made a folder of a
few hundred templates quadratic (13.7 s, issue 9).  Each directory is now listed, and each file read
and summarised, once a run (``linter/caches.py``), however many files of the directory need it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..caches import per_run
from ..numbers import is_unresolved
from ..parsers.hcl import LABELS, parse_hcl
from .guest import patches, strings_in

MAX_SIBLING_BYTES = 1_000_000


@dataclass(frozen=True, slots=True)
class Sibling:
    """What one file of the directory contributes."""

    identity: tuple[int, int]
    defaults: dict[str, Any]
    builds: bool
    patches: bool
    body: dict[str, Any] | None


# (directory, its modification time, suffix) -> the directory's files of that suffix, summarised
_LISTINGS: dict[tuple[str, int, str], list[Sibling]] = per_run({})


def blocks(body: Any, kind: str) -> list[dict[str, Any]]:
    """The mapping blocks of ``kind`` in an HCL body."""
    found = body.get(kind) if isinstance(body, dict) else None
    return [item for item in found if isinstance(item, dict)] if isinstance(found, list) else []


def build_patches(build: Any, file: str | None = None) -> bool:
    """Whether a build block's provisioners (of the template ``file``) upgrade the guest's packages."""
    provisioners = build.get("provisioner") if isinstance(build, dict) else None
    return provisioners_patch(provisioners, file)


def provisioners_patch(provisioners: Any, file: str | None) -> bool:
    """An upgrade command or script name in the provisioners, or in a script file they name (read as text)."""
    if any(patches(text) for text in strings_in(provisioners)):
        return True
    return any(patches(text) for text in _script_texts(provisioners, file))


def _script_texts(provisioners: Any, file: str | None) -> Iterator[str]:
    """The text of each ``script``/``scripts`` file a provisioner names, inside the template's repository."""
    if file is None or not isinstance(provisioners, list):
        return
    directory = os.path.dirname(os.path.abspath(file))
    root = _repository_root(directory)
    for provisioner in provisioners:
        if not isinstance(provisioner, dict):
            continue
        scripts = provisioner.get("scripts")
        for name in [provisioner.get("script"), *(scripts if isinstance(scripts, list) else [])]:
            if not isinstance(name, str):
                continue
            relative = name.replace("${path.root}/", "").replace("{{template_dir}}/", "")
            if is_unresolved(relative):
                continue
            target = os.path.realpath(os.path.join(directory, relative))
            if target.startswith(root + os.sep) and os.path.isfile(target):
                text = _read(target, os.path.getsize(target))
                if text is not None:
                    yield text


def _repository_root(directory: str) -> str:
    """The nearest ancestor holding ``.git`` (the template's own directory when there is none)."""
    real = os.path.realpath(directory)
    current = real
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return real
        current = parent


def defaults(body: Any) -> dict[str, Any]:
    """``variable "NAME" { default = ... }`` values of a body."""
    values: dict[str, Any] = {}
    for block in blocks(body, "variable"):
        labels = block.get(LABELS) or []
        if labels and "default" in block:
            values[str(labels[0])] = block["default"]
    return values


def _read(path: str, size: int) -> str | None:
    if size > MAX_SIBLING_BYTES:
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError):
        return None


def _summary(path: str, info: os.stat_result) -> Sibling:
    text = _read(path, info.st_size)
    body = parse_hcl(text)[0] if text is not None else None
    builds = blocks(body, "build")
    return Sibling(
        (info.st_dev, info.st_ino), defaults(body), bool(builds), any(build_patches(b, path) for b in builds), body
    )


def siblings(file: str | None, suffix: str) -> list[Sibling]:
    """The regular files (not links) of ``file``'s directory ending in ``suffix``, in name order."""
    if file is None:
        return []
    directory = os.path.dirname(file) or "."
    try:
        key = (os.path.realpath(directory), os.stat(directory).st_mtime_ns, suffix)
        if key in _LISTINGS:
            return _LISTINGS[key]
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    out = []
    for name in names:
        if not name.endswith(suffix):
            continue
        path = os.path.join(directory, name)
        try:
            info = os.lstat(path)
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode):
            out.append(_summary(path, info))
    _LISTINGS[key] = out
    return out


def _identity(file: str | None) -> tuple[int, int] | None:
    try:
        info = os.stat(file) if file is not None else None
    except OSError:
        return None
    return (info.st_dev, info.st_ino) if info is not None else None


def variables(body: dict[str, Any], file: str | None) -> dict[str, Any]:
    """Variable values for ``file``: its defaults, the other templates', then the var-files' overrides."""
    own = _identity(file)
    values = defaults(body)
    for sibling in siblings(file, ".pkr.hcl"):
        if sibling.identity != own:
            values.update(sibling.defaults)
    overrides: dict[str, Any] = {}
    for var_file in siblings(file, ".pkrvars.hcl"):
        for key, value in (var_file.body or {}).items():
            overrides[key] = value if key not in overrides or overrides[key] == value else None
    values.update(overrides)
    return values


def other_builds(file: str | None) -> tuple[bool, bool]:
    """Whether other ``*.pkr.hcl`` files of the directory hold build blocks, and whether one patches."""
    own = _identity(file)
    others = [sibling for sibling in siblings(file, ".pkr.hcl") if sibling.identity != own]
    if any(sibling.patches for sibling in others):
        return True, True
    return any(sibling.builds for sibling in others), False
