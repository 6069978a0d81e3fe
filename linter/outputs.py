"""Where reports go: ``--format FORMAT[=FILE]`` (repeatable) and ``-o FILE``, checked before anything is linted."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

COLOR_MODES = ("auto", "always", "never")


class OutputError(Exception):
    """A ``--format``/``-o`` combination or an output path that cannot work; the message says why."""


@dataclass(frozen=True, slots=True)
class Output:
    """One report: its format and its file (None: stdout)."""

    format: str
    file: str | None = None


def parse_outputs(values: Iterable[str], output: str | None, formats: Iterable[str]) -> tuple[Output, ...]:
    """The reports asked for; a bare FORMAT goes to ``-o FILE`` or stdout, at most one of them, none dropped."""
    known = sorted(formats)
    outputs: list[Output] = []
    for value in values or ("text",):
        name, has_file, file = value.partition("=")
        name = name.strip().lower()
        if name not in known:
            raise OutputError(f"--format: unknown format {name!r} (formats: {', '.join(known)})")
        if has_file and not file:
            raise OutputError(f"--format {value}: the file after '=' is missing")
        outputs.append(Output(name, file if has_file else output))
    bare = [o.format for o in outputs if o.file == output]
    if len(bare) > 1:
        target = output or "stdout"
        raise OutputError(f"--format: {' and '.join(bare)} would both go to {target}; give all but one a =FILE")
    seen: dict[str, str] = {}
    for o in outputs:
        if o.file is None:
            continue
        key = os.path.realpath(o.file)
        if key in seen:
            raise OutputError(f"--format: {seen[key]} and {o.format} would both be written to {o.file}")
        seen[key] = o.format
    if output is not None and not bare:
        raise OutputError(f"-o {output}: every --format names its own file, so -o would stay empty")
    return tuple(outputs)


def check_writable(file: str, option: str) -> None:
    """Raise OutputError unless ``file`` (given with ``option``) can be created or overwritten as a regular file."""
    path = Path(file)
    if path.is_dir():
        raise OutputError(f"{option}: cannot write the report to {file}: it is a directory")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.exists():
        raise OutputError(f"{option}: cannot write the report to {file}: the directory {parent} does not exist")
    if not parent.is_dir():
        raise OutputError(f"{option}: cannot write the report to {file}: {parent} is not a directory")
    if path.exists() and not os.access(path, os.W_OK):
        raise OutputError(f"{option}: cannot write the report to {file}: permission denied")
    if not path.exists() and not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"{option}: cannot write the report to {file}: the directory {parent} is not writable")


def use_color(mode: str, environ: Mapping[str, str], is_tty: bool) -> bool:
    """``--color``: ``auto`` honours NO_COLOR, then FORCE_COLOR, then whether stdout is a terminal."""
    if mode != "auto":
        return mode == "always"
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    return is_tty


def repository_root(start: Path) -> Path:
    """The nearest folder with ``.git`` at or above ``start``; ``start`` itself when there is none."""
    start = start.resolve()
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return start
