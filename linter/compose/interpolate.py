"""``${VAR}`` interpolation from the project's ``.env`` only; unset variables stay unresolved.

The process environment is never read, so results are reproducible.  A value that needs an
unset variable keeps a ``${NAME}`` placeholder, which the normaliser reads as unknown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..source import YMap, YSeq

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_WHOLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")
_OPS = (":-", ":?", ":+", "-", "?", "+")
MAX_DEPTH = 20
MAX_VALUE_CHARS = 1 << 20  # one interpolated value
MAX_PROJECT_CHARS = 16 << 20  # every new string interpolation builds for one project


class Budget:
    """What interpolation may still build for one project; ``exceeded`` names the variable that ran it out.

    A value that would pass ``MAX_VALUE_CHARS``, or the project's remaining characters, is left
    unresolved and its variable reported (VM006): ``.env`` lines that double a value each, or one big
    value written into many places, cannot fill memory.  A value that is exactly one variable is the
    variable's own string, shared and free.
    """

    def __init__(self, total: int = MAX_PROJECT_CHARS) -> None:
        self.left = total
        self.exceeded: str | None = None
        self.reported: set[str] = set()

    def take(self) -> str | None:
        """The variable that ran the budget out since the last call, the first time it does (one finding each)."""
        name, self.exceeded = self.exceeded, None
        if name is None or name in self.reported:
            return None
        self.reported.add(name)
        return name


def budget_message(name: str) -> str:
    """The VM006 message for a variable whose interpolation was stopped."""
    return (
        f"interpolating ${{{name}}} goes past the interpolation budget ({MAX_VALUE_CHARS} characters a value, "
        f"{MAX_PROJECT_CHARS} a project): left unresolved"
    )


def _closing(text: str, start: int) -> int:
    """Index of the ``}`` matching the ``${`` that opens just before ``start``; -1 when missing."""
    depth = 1
    index = start
    while index < len(text):
        if text.startswith("${", index):
            depth += 1
            index += 2
            continue
        if text[index] == "}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return -1


def interpolate(text: str, env: Mapping[str, str], depth: int = 0, budget: Budget | None = None) -> tuple[str, bool]:
    """``text`` with variables substituted, and whether every variable was resolved (see ``Budget``)."""
    if "$" not in text:
        return text, True
    whole = _WHOLE.fullmatch(text)
    if whole and (whole.group(1) or whole.group(2)) in env:  # the variable's own string: shared, nothing built
        return env[whole.group(1) or whole.group(2)], True
    budget = budget if budget is not None else Budget()
    out: list[str] = []
    resolved = True
    index = 0
    size = len(text)
    while index < len(text):
        char = text[index]
        if char != "$":
            out.append(char)
            index += 1
            continue
        following = text[index + 1 : index + 2]
        if following == "$":
            out.append("$")
            index += 2
        elif following == "{":
            end = _closing(text, index + 2)
            if end < 0 or depth >= MAX_DEPTH:
                out.append(text[index:])
                return "".join(out), False
            value, ok = _braced(text[index + 2 : end], env, depth, budget)
            size += len(value)
            if budget.exceeded or size > min(MAX_VALUE_CHARS, budget.left):
                named = _NAME.match(text, index + 2)
                budget.exceeded = budget.exceeded or (named.group(0) if named else text[index : end + 1])
                return text, False
            out.append(value)
            resolved = resolved and ok
            index = end + 1
        else:
            match = _NAME.match(text, index + 1)
            if not match:
                out.append("$")
                index += 1
                continue
            name = match.group(0)
            if name in env:
                size += len(env[name])
                if size > min(MAX_VALUE_CHARS, budget.left):
                    budget.exceeded = name
                    return text, False
                out.append(env[name])
            else:
                out.append("${" + name + "}")
                resolved = False
            index = match.end()
    budget.left -= size
    return "".join(out), resolved


def _braced(body: str, env: Mapping[str, str], depth: int, budget: Budget) -> tuple[str, bool]:
    match = _NAME.match(body)
    if not match:
        return "${" + body + "}", False
    name = match.group(0)
    rest = body[match.end() :]
    op = next((candidate for candidate in _OPS if rest.startswith(candidate)), None)
    if op is None:
        if rest or name not in env:
            return "${" + body + "}", False
        return env[name], True
    argument = rest[len(op) :]
    is_set = name in env and (not op.startswith(":") or env[name] != "")
    if op in (":-", "-"):
        return (env[name], True) if is_set else interpolate(argument, env, depth + 1, budget)
    if op in (":?", "?"):
        return (env[name], True) if is_set else ("${" + body + "}", False)
    return interpolate(argument, env, depth + 1, budget) if is_set else ("", True)


def interpolate_tree(node: Any, env: Mapping[str, str], budget: Budget, stopped: list[tuple[str, int, int]]) -> Any:
    """A copy of a positioned tree with every string value (not key) interpolated.

    Walked from a work list (any depth costs no stack); a node the tree holds twice (a YAML alias)
    is copied once and shared, so an alias-heavy file is not expanded into copies.  Variables whose
    value ran out the ``budget`` are added to ``stopped`` as (name, line, column) of the value.
    """
    copies: dict[int, Any] = {}
    work: list[tuple[YMap | YSeq, YMap | YSeq]] = []
    uses: list[tuple[int, int, str]] = []

    def copied(value: Any, mark: tuple[int, int] = (0, 0)) -> Any:
        if isinstance(value, str):
            result = interpolate(value, env, budget=budget)[0]
            name, budget.exceeded = budget.exceeded, None
            if name is not None:
                uses.append((*mark, name))
            return result
        if not isinstance(value, (YMap, YSeq)):
            return value
        if id(value) not in copies:
            shell: YMap | YSeq = (
                YMap(value.line, value.column) if isinstance(value, YMap) else YSeq(value.line, value.column)
            )
            shell.marks = dict(value.marks) if isinstance(value, YMap) else list(value.marks)
            shell.origin = dict(value.origin) if value.origin else None
            copies[id(value)] = shell
            work.append((value, shell))
        return copies[id(value)]

    root = copied(node)
    while work:
        source, copy = work.pop()
        if isinstance(source, YMap) and isinstance(copy, YMap):
            for key, value in source.items():
                copy[key] = copied(value, source.marks[key][2:])
        elif isinstance(source, YSeq) and isinstance(copy, YSeq):
            copy.extend(copied(item, mark) for item, mark in zip(source, source.marks, strict=True))
    for line, column, name in sorted(uses):  # each variable once, at its first use in the file
        budget.exceeded = name
        if budget.take() is not None:
            stopped.append((name, line, column))
    return root


@dataclass(frozen=True, slots=True)
class EnvEntry:
    """One ``KEY=VALUE`` line of an env file; ``value`` is None for a bare ``KEY``; ``literal``: single-quoted."""

    name: str
    value: str | None
    line: int
    column: int
    value_column: int
    literal: bool = False


def env_entries(text: str) -> list[EnvEntry]:
    """The entries of a ``.env``-style file with their positions (quotes, ``export`` and comments handled)."""
    entries: list[EnvEntry] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.lstrip()
        start = len(raw) - len(line) + 1
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            rest = line[len("export ") :].lstrip()
            start += len(line) - len(rest)
            line = rest
        name, sep, value = line.partition("=")
        if not _NAME.fullmatch(name.strip()):
            continue
        if not sep:
            entries.append(EnvEntry(name.strip(), None, number, start, start))
            continue
        value_column = start + len(name) + 1 + len(value) - len(value.lstrip())
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == "'":
            entries.append(EnvEntry(name.strip(), value[1:-1], number, start, value_column, literal=True))
            continue
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1].replace("\\n", "\n").replace('\\"', '"')
        else:
            value = value.split(" #", 1)[0].rstrip()
        entries.append(EnvEntry(name.strip(), value, number, start, value_column))
    return entries


def parse_env_file(
    text: str, budget: Budget | None = None, stopped: list[tuple[str, int, int]] | None = None
) -> dict[str, str]:
    """``KEY=VALUE`` lines of a ``.env`` file, later lines interpolated with the earlier ones.

    Lines whose interpolation ran out the ``budget`` keep their text and are added to ``stopped``.
    """
    budget = budget if budget is not None else Budget()
    env: dict[str, str] = {}
    for entry in env_entries(text):
        if entry.value is not None:
            value, resolved = (entry.value, True) if entry.literal else interpolate(entry.value, env, budget=budget)
            name = budget.take()
            if name is not None and stopped is not None:
                stopped.append((name, entry.line, entry.value_column))
            if resolved:
                env[entry.name] = value
            else:  # unset: later lines that use it stay unresolved instead of growing placeholder text again
                env.pop(entry.name, None)
    return env
