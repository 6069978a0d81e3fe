"""Command-line parts for user rules: loading them with the config, ``vmlint test`` and ``vmlint export-vap``."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import click
import yaml

from .config import Config, ConfigError, load_config
from .policy import Policy
from .rules.errors import RuleFileError
from .user_policies import UserPolicies, load_user_policies, prepare

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def load_with_rules(
    config_path: str | None,
    policies: tuple[Policy, ...],
    rule_paths: tuple[str, ...],
    admission_paths: tuple[str, ...],
    *,
    starts: Iterable[Path] | None = None,
) -> tuple[Config, UserPolicies]:
    """The configuration and the user policies it and the command line name; exit 2 on any problem."""
    loaded: list[UserPolicies] = []

    def user(config_rules: tuple[str, ...], config_admission: tuple[str, ...]) -> tuple[Policy, ...]:
        found = load_user_policies((*config_rules, *rule_paths), (*config_admission, *admission_paths), policies)
        loaded.append(found)
        return found.policies

    try:
        config = load_config(Path(config_path) if config_path else None, policies, starts=starts, user=user)
    except ConfigError as error:
        click.echo(f"vmlint: configuration error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    except RuleFileError as error:
        click.echo(f"vmlint: rule error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    return config, loaded[0] if loaded else UserPolicies()


def engine_hook(user: UserPolicies) -> Any:
    """The engine's per-run hook, or None when no user policy is configured."""
    return prepare(user) if user.policies else None


@click.command("test")
@click.argument("paths", nargs=-1, type=click.Path())
def test_command(paths: tuple[str, ...]) -> None:
    """Run the tests rule files declare (default: the rules the configuration names)."""
    from .engine import Engine
    from .policy import load_policies
    from .rule_tests import run_tests

    policies = load_policies()
    config, user = load_with_rules(None, policies, (), ())
    if paths:  # only the rules named
        try:
            user = load_user_policies(paths, (), policies)
        except RuleFileError as error:
            click.echo(f"vmlint: rule error: {error}", err=True)
            sys.exit(EXIT_ERROR)
    if not user.rules:
        click.echo("vmlint: no rule files to test (name them, or list them under `policies:` in the config)", err=True)
        sys.exit(EXIT_ERROR)

    def engine_for(rule_policies: Sequence[Policy], select: frozenset[str]) -> Engine:
        return Engine(replace(config, select=select), (*policies, *rule_policies), prepare(user))

    outcome = run_tests(user, engine_for)
    click.echo(outcome.table)
    sys.exit(EXIT_FINDINGS if outcome.failed else EXIT_CLEAN)


@click.command("export-vap")
@click.argument("rule_file", type=click.Path())
def export_vap_command(rule_file: str) -> None:
    """Write a rule file's rules as ValidatingAdmissionPolicies and bindings (YAML on stdout)."""
    from .admission.export import ExportRefused, export
    from .rules.load import load_rules

    try:
        rules = load_rules([rule_file])
    except RuleFileError as error:
        click.echo(f"vmlint: rule error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    documents: list[Any] = []
    for rule in rules:
        try:
            documents.extend(export(rule))
        except ExportRefused as error:
            click.echo(f"vmlint: cannot export {rule.id} ({rule.where}): {error}", err=True)
            sys.exit(EXIT_ERROR)
    click.echo(yaml.safe_dump_all(documents, sort_keys=False, explicit_start=True), nl=False)
