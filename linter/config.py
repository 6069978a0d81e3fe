"""Configuration: discovered upwards from the linted paths, validated, frozen.

A configuration file inside a scanned repository is input like any other: numbers are bounded by the schema,
patterns are compiled for a linear-time matcher, and every problem is a ConfigError naming the key.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .normalize.common import DEFAULT_SANDBOX_RUNTIMES, Classifier
from .numbers import NumberText
from .options_schema import OPTIONS_SCHEMA_ID, options_schema
from .parsers.yaml_tree import parse_yaml
from .patterns import PatternError, gitignore_spec
from .policy import Policy
from .schema.versions import NEWEST, parse_version
from .selectors import Selectors, UnknownSelector, did_you_mean

CONFIG_FILE = ".vmlint.yaml"
CONFIG_FILES = (CONFIG_FILE, ".vmlint.yml")  # in order of precedence, then pyproject.toml's [tool.vmlint]
PYPROJECT_SECTION = "[tool.vmlint]"
DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024
MAX_CONFIG_INTEGER = 2**53  # any number beyond is a configuration error, whatever the key's own range
MAX_CONFIG_DEPTH = 32


class ConfigError(Exception):
    """A configuration file is unreadable or invalid; the message names file and key."""


@dataclass(frozen=True, slots=True)
class ComposeSet:
    """A declared Compose file set (``compose-projects``): absolute paths, merged in order."""

    files: tuple[str, ...]
    env_file: str | None = None


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
    render: frozenset[str] = frozenset()  # tools the render stage may run: "helm", "kustomize"
    compose_projects: tuple[ComposeSet, ...] = ()
    kubernetes_version: str = NEWEST
    schema_dirs: tuple[Path, ...] = ()
    warnings: tuple[str, ...] = ()  # about the discovery (several files, several candidates): shown on stderr
    policies: tuple[str, ...] = ()  # rule files and folders (paths relative to the config file)
    admission_policies: tuple[str, ...] = ()

    def classifier(self) -> Classifier:
        return Classifier(
            sandbox_runtimes=self.sandbox_runtimes, tier_labels=self.tier_labels, pod_spec_paths=self.pod_spec_paths
        )

    def enabled(self, policy_id: str, *, default: bool = True) -> bool:
        """Whether a policy runs; one that is off by default (``default=False``) runs only when selected."""
        if policy_id in self.ignore:
            return False
        return default if self.select is None else policy_id in self.select


def find_config(start: Path) -> Path | None:
    """The nearest configuration at or above ``start``; see ``config_files``."""
    found = next(iter(_walk_up(start)), [])
    return found[0] if found else None


def _walk_up(start: Path) -> Iterable[list[Path]]:
    """The configuration files of the nearest folder that has any, up to the repository root or home."""
    home = Path.home().resolve()
    start = start.resolve()
    for directory in (start, *start.parents):
        found = config_files(directory)
        if found:
            yield found
            return
        if (directory / ".git").exists() or directory == home:
            return


def config_files(directory: Path) -> list[Path]:
    """``.vmlint.yaml``, ``.vmlint.yml`` and a pyproject.toml with ``[tool.vmlint]`` in ``directory``, used first."""
    found = [directory / name for name in CONFIG_FILES if (directory / name).is_file()]
    pyproject = directory / "pyproject.toml"
    if pyproject.is_file() and _pyproject_section(pyproject) is not None:
        found.append(pyproject)
    return found


def _label(path: Path) -> str:
    return f"{path} {PYPROJECT_SECTION}" if path.name == "pyproject.toml" else str(path)


def discover(starts: Iterable[Path]) -> tuple[Path | None, tuple[str, ...]]:
    """The configuration for a run over paths starting at ``starts``, and warnings about the choice."""
    chosen: Path | None = None
    warnings: list[str] = []
    for start in starts:
        found = next(iter(_walk_up(start)), [])
        if not found:
            continue
        if chosen is None:
            chosen = found[0]
            if len(found) > 1:
                others = " and ".join(_label(p) for p in found[1:])
                warnings.append(f"both {_label(found[0])} and {others} exist; using {_label(found[0])}")
        elif found[0].resolve() != chosen.resolve():
            warnings.append(f"{start} has its own configuration {_label(found[0])}; using {_label(chosen)}")
    return chosen, tuple(dict.fromkeys(warnings))


def starts_of(paths: Iterable[str]) -> list[Path]:
    """Where the configuration search starts for each linted path, as given (stdin: the working directory)."""
    out = []
    for raw in paths:
        path = Path("." if raw == "-" else raw)
        out.append(path if path.is_dir() else path.parent)
    return out or [Path(".")]


def _pyproject_section(path: Path) -> dict[str, Any] | None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib  # type: ignore[import-not-found,no-redef,unused-ignore]
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:  # TOMLDecodeError, and numbers past int's limit
        raise ConfigError(f"{path}: cannot read: {_short(str(error))}") from error
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
    check_bounds(root, str(path))
    plain: dict[str, Any] = _plain(root)
    return plain


def check_bounds(root: Any, source: str) -> None:
    """Without recursion: nesting at most ``MAX_CONFIG_DEPTH``, integers at most ``MAX_CONFIG_INTEGER``."""
    stack: list[tuple[Any, tuple[str, ...]]] = [(root, ())]
    while stack:
        value, where = stack.pop()
        if len(where) > MAX_CONFIG_DEPTH:
            raise ConfigError(f"{source}: {_where(where[:3])}...: nested deeper than {MAX_CONFIG_DEPTH} levels")
        too_long = isinstance(value, NumberText)  # a literal the YAML reader did not turn into a number
        if too_long or (isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_CONFIG_INTEGER):
            raise ConfigError(f"{source}: {_where(where)}: number out of range (at most {MAX_CONFIG_INTEGER})")
        if isinstance(value, dict):
            stack.extend((v, (*where, str(k))) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, (*where, str(i))) for i, v in enumerate(value))


def _plain(value: Any) -> Any:
    """The parsed tree as plain JSON-like data (its depth already bounded)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _where(parts: Iterable[object]) -> str:
    return ".".join(str(part) for part in parts) or "(top level)"


def _short(text: str, limit: int = 120) -> str:
    """Messages quote values from the file: a value thousands of characters long is cut."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def _schema() -> dict[str, Any]:
    text = resources.files("vmlint.schemas").joinpath("config.schema.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def validate_data(data: dict[str, Any], source: str, policies: tuple[Policy, ...]) -> dict[str, Any]:
    """Validate against schemas/config.schema.json and the policies' declared options.

    Returns the data with every policy named by its id (ids and names are accepted in any case; ``select`` and
    ``ignore`` also take family names and ``ALL``).
    """
    check_bounds(data, source)
    schema = _schema()
    # Options are checked below, policy by policy, where the messages can name the policy's choices.
    errors = [e for e in _validator(schema, policies).iter_errors(data) if list(e.absolute_path)[:1] != ["options"]]
    if errors:
        first = min(errors, key=lambda e: [str(part) for part in e.absolute_path])
        raise ConfigError(f"{source}: {_schema_message(first, schema)}")
    selectors = Selectors(policies)
    data = dict(data)
    try:
        for key in ("select", "ignore"):
            if key in data:
                data[key] = sorted(_resolve(selectors, data[key], key))
        for key in ("severity", "options"):
            if key in data:
                data[key] = {_policy(selectors, name, f"{key}.{name}"): value for name, value in data[key].items()}
        if "per-path-ignores" in data:
            data["per-path-ignores"] = {
                pattern: sorted(_resolve(selectors, ids, f"per-path-ignores.{pattern}"))
                for pattern, ids in data["per-path-ignores"].items()
            }
    except UnknownSelector as error:
        raise ConfigError(f"{source}: {error}") from error
    for key in ("exclude", "per-path-ignores"):
        for index, pattern in enumerate(data.get(key, [])):
            try:
                gitignore_spec([pattern])
            except PatternError as error:
                where = f"{key}.{pattern}" if key == "per-path-ignores" else f"{key}.{index}"
                raise ConfigError(f"{source}: {where}: {error}") from error
    known = {p.id: p for p in policies}
    for policy_id, options in data.get("options", {}).items():
        declared = known[policy_id].options
        for name, value in options.items():
            if name not in declared:
                allowed = ", ".join(sorted(declared)) or "none"
                raise ConfigError(
                    f"{source}: options.{policy_id}.{name}: {policy_id} has no option {name!r}"
                    f"{did_you_mean(name, declared)} (options: {allowed})"
                )
            option = declared[name]
            if next(_validator(option.schema(), ()).iter_errors(value), None) is not None:
                raise ConfigError(
                    f"{source}: options.{policy_id}.{name}: {_short(json.dumps(value))} is not allowed "
                    f"(allowed: {option.allowed()})"
                )
    return data


def _validator(schema: dict[str, Any], policies: Iterable[Policy]) -> Any:
    """A validator whose only reference, the options schema, is built from ``policies`` (nothing is fetched)."""
    import jsonschema
    from referencing import Registry, Resource

    options = options_schema(policies)
    registry: Registry[Any] = Registry().with_resource(OPTIONS_SCHEMA_ID, Resource.from_contents(options))
    return jsonschema.Draft202012Validator(schema, registry=registry)


def _resolve(selectors: Selectors, tokens: list[str], where: str) -> frozenset[str]:
    try:
        return selectors.resolve(tokens)
    except UnknownSelector as error:
        raise UnknownSelector(f"{where}: {error}") from error


def _policy(selectors: Selectors, token: str, where: str) -> str:
    try:
        return selectors.policy(token)
    except UnknownSelector as error:
        raise UnknownSelector(f"{where}: {error}") from error


def _schema_message(error: Any, schema: dict[str, Any]) -> str:
    """The first schema error with its key; an unknown key with the nearest known one."""
    where = _where(error.absolute_path)
    if error.validator == "additionalProperties" and not error.absolute_path:
        known = schema["properties"]
        unknown = sorted(set(error.instance) - set(known))
        if unknown:
            return f"{unknown[0]}: unknown key{did_you_mean(unknown[0], known)} (keys: {', '.join(sorted(known))})"
    return f"{where}: {_short(error.message)}"


# Loads the user policies named by config (rule files, admission policies), so their ids validate.
UserPolicyLoader = Callable[[tuple[str, ...], tuple[str, ...]], tuple[Policy, ...]]


def _rule_paths(data: dict[str, Any], key: str, root: Path) -> tuple[str, ...]:
    value = data.get(key, [])
    return tuple(str(root / item) for item in value if isinstance(item, str)) if isinstance(value, list) else ()


def load_config(
    path: Path | None,
    policies: tuple[Policy, ...],
    *,
    start: Path | None = None,
    starts: Iterable[Path] | None = None,
    user: UserPolicyLoader | None = None,
) -> Config:
    """The configuration from ``path``, or discovered from ``starts`` (or ``start``; default: cwd), or defaults;
    ``user`` loads the rule files and admission policies the configuration names (and the command line's)."""
    warnings: tuple[str, ...] = ()
    if path is not None:
        found: Path | None = path
    else:
        found, warnings = discover(starts if starts is not None else [start or Path.cwd()])
    if found is None:
        if user is not None:
            user((), ())
        return Config(warnings=warnings)
    if not found.is_file():
        raise ConfigError(f"{found}: no such configuration file")
    if found.name == "pyproject.toml":
        data, source = _pyproject_section(found) or {}, _label(found)
    else:
        data, source = _read_yaml_config(found), str(found)
    root = found.resolve().parent
    rules, admission = _rule_paths(data, "policies", root), _rule_paths(data, "admission-policies", root)
    if user is not None:
        policies = (*policies, *user(rules, admission))
    data = validate_data(data, source, policies)
    runtimes = data.get("sandbox-runtimes", DEFAULT_SANDBOX_RUNTIMES)
    version, why = parse_version(data.get("kubernetes-version", NEWEST))
    if version is None:
        raise ConfigError(f"{source}: kubernetes-version: {why}")
    return Config(
        source=str(found),
        root=found.resolve().parent,
        select=frozenset(data["select"]) if "select" in data else None,
        ignore=frozenset(data.get("ignore", [])),
        severity=dict(data.get("severity", {})),
        options={key: dict(value) for key, value in data.get("options", {}).items()},
        sandbox_runtimes=frozenset(r.lower() for r in (*runtimes, *data.get("extend-sandbox-runtimes", []))),
        tier_labels={
            label: {str(k).lower(): v for k, v in values.items()}
            for label, values in data.get("tier-labels", {}).items()
        },
        exclude=tuple(data.get("exclude", [])),
        per_path_ignores={key: tuple(value) for key, value in data.get("per-path-ignores", {}).items()},
        fail_on=data.get("fail-on", "warning"),
        max_file_size=data.get("max-file-size", DEFAULT_MAX_FILE_SIZE),
        pod_spec_paths={kind: tuple(path.split(".")) for kind, path in data.get("pod-spec-paths", {}).items()},
        kubernetes_version=version,
        schema_dirs=tuple(found.resolve().parent / folder for folder in data.get("schema-dirs", [])),
        render=frozenset(data.get("render", [])),
        compose_projects=_compose_sets(data.get("compose-projects", []), found),
        warnings=warnings,
        policies=rules,
        admission_policies=admission,
    )


def _compose_sets(items: list[dict[str, Any]], source: Path) -> tuple[ComposeSet, ...]:
    """``compose-projects`` with paths resolved against the configuration's directory, which they may not leave."""
    root = source.resolve().parent

    def inside(value: str, where: str) -> str:
        resolved = (root / value).resolve()
        if Path(value).is_absolute() or not resolved.is_relative_to(root):
            raise ConfigError(f"{source}: {where}: {value!r} is outside the configuration's directory")
        return str(resolved)

    return tuple(
        ComposeSet(
            tuple(inside(f, f"compose-projects.{i}.files") for f in item["files"]),
            inside(item["env-file"], f"compose-projects.{i}.env-file") if "env-file" in item else None,
        )
        for i, item in enumerate(items)
    )
