"""Configuration: discovered upwards from the working directory, validated, frozen."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .normalize.common import DEFAULT_SANDBOX_RUNTIMES, Classifier
from .parsers.yaml_tree import parse_yaml
from .policy import Policy

CONFIG_FILE = ".vmlint.yaml"
DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024


class ConfigError(Exception):
    """A configuration file is unreadable or invalid; the message names file and key."""


@dataclass(frozen=True, slots=True)
class Config:
    """Everything a run needs to know besides the paths."""

    source: str | None = None
    root: Path = field(default_factory=Path.cwd)
    select: frozenset[str] | None = None
    ignore: frozenset[str] = frozenset()
    severity: Mapping[str, str] = field(default_factory=dict)
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    sandbox_runtimes: frozenset[str] = frozenset(DEFAULT_SANDBOX_RUNTIMES)
    tier_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()
    per_path_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    fail_on: str = "warning"
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    pod_spec_paths: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def classifier(self) -> Classifier:
        return Classifier(
            sandbox_runtimes=self.sandbox_runtimes, tier_labels=self.tier_labels, pod_spec_paths=self.pod_spec_paths
        )

    def enabled(self, policy_id: str) -> bool:
        if policy_id in self.ignore:
            return False
        return self.select is None or policy_id in self.select


def find_config(start: Path) -> Path | None:
    """The nearest ``.vmlint.yaml`` or pyproject.toml with ``[tool.vmlint]``, walking up."""
    home = Path.home().resolve()
    for directory in (start.resolve(), *start.resolve().parents):
        candidate = directory / CONFIG_FILE
        if candidate.is_file():
            return candidate
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and _pyproject_section(pyproject) is not None:
            return pyproject
        if (directory / ".git").exists() or directory == home:
            return None
    return None


def _pyproject_section(path: Path) -> dict[str, Any] | None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib  # type: ignore[import-not-found,no-redef,unused-ignore]
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from error
    section = data.get("tool", {}).get("vmlint")
    return section if isinstance(section, dict) else None


def _read_yaml_config(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from error
    documents, problems = parse_yaml(text)
    if problems:
        first = problems[0]
        raise ConfigError(f"{path}:{first.line}:{first.column}: {first.message}")
    if not documents or documents[0].root is None:
        return {}
    root = documents[0].root
    if not isinstance(root, dict):
        raise ConfigError(f"{path}: the configuration must be a mapping")
    plain: dict[str, Any] = json.loads(json.dumps(root))
    return plain


def _schema() -> dict[str, Any]:
    text = resources.files("vmlint.schemas").joinpath("config.schema.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def validate_data(data: dict[str, Any], source: str, policies: tuple[Policy, ...]) -> None:
    """Validate against schemas/config.schema.json and the policies' declared options."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = ".".join(str(part) for part in first.absolute_path) or "(top level)"
        raise ConfigError(f"{source}: {where}: {first.message}")
    known = {p.id: p for p in policies}
    for key in ("select", "ignore"):
        for policy_id in data.get(key, []):
            if policy_id not in known:
                raise ConfigError(f"{source}: {key}: unknown policy id {policy_id}")
    for key in ("severity", "options"):
        for policy_id in data.get(key, {}):
            if policy_id not in known:
                raise ConfigError(f"{source}: {key}.{policy_id}: unknown policy id {policy_id}")
    for policy_id, options in data.get("options", {}).items():
        declared = known[policy_id].options
        for name, value in options.items():
            if name not in declared:
                allowed = ", ".join(sorted(declared)) or "none"
                raise ConfigError(
                    f"{source}: options.{policy_id}.{name}: {policy_id} has no option {name!r} (options: {allowed})"
                )
            default = declared[name].default
            if default is not None and not isinstance(value, type(default)):
                expected, found = type(default).__name__, type(value).__name__
                raise ConfigError(f"{source}: options.{policy_id}.{name}: expected {expected}, found {found}")


def load_config(path: Path | None, policies: tuple[Policy, ...], *, start: Path | None = None) -> Config:
    """The configuration from ``path``, or discovered from ``start`` (default: cwd), or defaults."""
    found = path if path is not None else find_config(start or Path.cwd())
    if found is None:
        return Config()
    if not found.is_file():
        raise ConfigError(f"{found}: no such configuration file")
    data = (_pyproject_section(found) or {}) if found.name == "pyproject.toml" else _read_yaml_config(found)
    validate_data(data, str(found), policies)
    return Config(
        source=str(found),
        root=found.resolve().parent,
        select=frozenset(data["select"]) if "select" in data else None,
        ignore=frozenset(data.get("ignore", [])),
        severity=dict(data.get("severity", {})),
        options={key: dict(value) for key, value in data.get("options", {}).items()},
        sandbox_runtimes=frozenset(r.lower() for r in data.get("sandbox-runtimes", DEFAULT_SANDBOX_RUNTIMES)),
        tier_labels={
            label: {str(k).lower(): v for k, v in values.items()}
            for label, values in data.get("tier-labels", {}).items()
        },
        exclude=tuple(data.get("exclude", [])),
        per_path_ignores={key: tuple(value) for key, value in data.get("per-path-ignores", {}).items()},
        fail_on=data.get("fail-on", "warning"),
        max_file_size=data.get("max-file-size", DEFAULT_MAX_FILE_SIZE),
        pod_spec_paths={kind: tuple(path.split(".")) for kind, path in data.get("pod-spec-paths", {}).items()},
    )
