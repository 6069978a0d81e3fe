"""Which files a fix may rewrite, reading them, and writing them back atomically.

Refused, with the reason as the finding's note: standard input, files outside the linted paths (and symbolic
links whose target is), anything but a regular file, read-only files, JSON, HCL and XML files, files that are
not UTF-8 text, and files holding templates (``{{ }}``).
"""

from __future__ import annotations

import codecs
import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass

from ..formats import looks_like_template


class Refused(Exception):
    """A file a fix may not rewrite; the message says why."""


@dataclass(slots=True)
class FixFile:
    """A file being fixed: where it is, its mode and owner, its BOM, its original and current text."""

    display: str
    real: str
    mode: int
    uid: int
    gid: int
    bom: bytes
    original: str
    text: str

    def data(self) -> bytes:
        return self.bom + self.text.encode("utf-8")


class Roots:
    """The linted tree, resolved: directories (anything below them) and files named on the command line.

    A named file that is a symbolic link counts only when its target lies in the link's own directory.
    """

    def __init__(self, paths: Iterable[str]) -> None:
        self.directories: list[str] = []
        self.files: set[str] = set()
        for path in paths:
            real = os.path.realpath(path)
            if os.path.isdir(real):
                self.directories.append(os.path.join(real, ""))
                continue
            beside = os.path.join(os.path.realpath(os.path.dirname(os.path.abspath(path))), "")
            if not os.path.islink(path) or real.startswith(beside):
                self.files.add(real)

    def inside(self, real: str) -> bool:
        return real in self.files or any(real.startswith(directory) for directory in self.directories)


NOT_YAML = (".json", ".hcl", ".xml")


def open_for_fix(display: str, roots: Roots, max_size: int) -> FixFile:
    """Read a file that fixes may rewrite; ``Refused`` when they may not."""
    path = display
    if path.lower().endswith(NOT_YAML):
        raise Refused("only YAML files are rewritten (a fix would write YAML syntax into it)")
    real = os.path.realpath(path)
    if not roots.inside(real):
        if os.path.islink(path):
            raise Refused("a symbolic link to a file outside the linted paths: not rewritten")
        raise Refused("outside the linted paths: not rewritten")
    try:
        info = os.stat(real)
        if not stat.S_ISREG(info.st_mode):
            raise Refused("not a regular file: not rewritten")
        if not info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(real, os.W_OK):
            raise Refused("read-only file: not rewritten")
        if info.st_size > max_size:
            raise Refused("file above the size limit: not rewritten")
        with open(real, "rb") as handle:
            data = handle.read(max_size + 1)
    except OSError as error:
        raise Refused(f"cannot read: {error.strerror or error}") from error
    bom = codecs.BOM_UTF8 if data.startswith(codecs.BOM_UTF8) else b""
    try:
        text = data[len(bom) :].decode("utf-8")
    except UnicodeDecodeError as error:
        raise Refused("not UTF-8 text: not rewritten") from error
    if looks_like_template(text):
        raise Refused("holds templates ({{ }}): not rewritten")
    return FixFile(display, real, stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid, bom, text, text)


def write_atomic(file: FixFile) -> None:
    """Write the file's current text beside it, then rename over it; mode and (where allowed) owner kept."""
    directory, name = os.path.split(file.real)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".vmlint-fix")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(file.data())
            out.flush()
            os.fsync(out.fileno())
            os.fchmod(out.fileno(), file.mode)
            with contextlib.suppress(PermissionError):
                os.fchown(out.fileno(), file.uid, file.gid)
        os.replace(temporary, file.real)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
