"""Typed policy options (issue 10 item 1): every option of every policy declares its type, allowed values and
range; the config schema is generated from them, and a wrong value is a configuration error naming the key, the
value and what is allowed (exit 2), never a policy silently switched off."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from tests.conftest import REPO
from tests.helpers import POLICIES
from vmlint.cli import main
from vmlint.options_schema import options_schema
from vmlint.policy import Option

OPTIONS = [(p.id, name, option) for p in POLICIES for name, option in p.options.items()]
POD = """apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {vmlint.io/security-tier: high}
spec:
  containers:
  - name: app
    image: app:1.0
"""


def wrong_values(option: Option) -> list[Any]:
    default = option.default
    if isinstance(default, bool):
        return ["yes", 1]
    if isinstance(default, int):
        return [option.maximum + 1, option.minimum - 1, str(default), 1.5, 10**30]
    if isinstance(default, str):
        return [default.upper() + "X", 3, ""]
    return ["a-string", [1], [""], [None]]


def run(tmp: Path, config: dict[str, Any]):
    (tmp / ".git").mkdir(exist_ok=True)
    (tmp / ".vmlint.yaml").write_text(yaml.safe_dump(config))
    (tmp / "pod.yaml").write_text(POD)
    return CliRunner().invoke(main, ["check", "--format", "json", "pod.yaml"], catch_exceptions=False)


@pytest.fixture(autouse=True)
def _cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def test_the_issue_case_is_a_config_error(tmp_path: Path) -> None:
    result = run(tmp_path, {"options": {"VM101": {"high": "VM"}}})
    assert result.exit_code == 2
    assert result.stderr == (
        f'vmlint: configuration error: {tmp_path / ".vmlint.yaml"}: options.VM101.high: "VM" is not allowed '
        "(allowed: container, sandbox or vm)\n"
    )
    strict = run(tmp_path, {"select": ["VM101"], "options": {"vm101": {"high": "vm"}}})
    assert [f["message"] for f in json.loads(strict.stdout)["findings"]] == [
        "security tier high needs vm isolation, but the workload runs as a container (runc)"
    ]


@pytest.mark.parametrize(("policy_id", "name", "option"), OPTIONS, ids=[f"{p}.{n}" for p, n, _ in OPTIONS])
def test_every_option_rejects_wrong_values_and_accepts_its_default(
    tmp_path: Path, policy_id: str, name: str, option: Option
) -> None:
    for value in wrong_values(option):
        result = run(tmp_path, {"options": {policy_id: {name: value}}})
        assert result.exit_code == 2, (value, result.output)
        assert f"options.{policy_id}.{name}: " in result.stderr
        assert f"(allowed: {option.allowed()})" in result.stderr or "number out of range" in result.stderr
    assert run(tmp_path, {"options": {policy_id: {name: option.default}}}).exit_code in (0, 1)


@pytest.mark.parametrize(("policy_id", "name", "option"), OPTIONS, ids=[f"{p}.{n}" for p, n, _ in OPTIONS])
def test_every_option_is_typed_and_ranged(policy_id: str, name: str, option: Option) -> None:
    schema = option.schema()
    assert schema, "a default of a type the schema cannot describe"
    jsonschema.Draft202012Validator(schema).validate(option.default)
    if schema.get("type") == "integer":
        assert option.minimum <= option.default <= option.maximum
        assert option.maximum < 2**53


def test_the_config_schema_knows_every_option() -> None:
    generated = json.loads((REPO / "schemas" / "policy-options.schema.json").read_text())
    assert generated == options_schema(POLICIES)
    assert {(p, n) for p, props in generated["properties"].items() for n in props["properties"]} == {
        (p, n) for p, n, _ in OPTIONS
    }
    config = json.loads((REPO / "schemas" / "config.schema.json").read_text())
    assert config["properties"]["options"] == {"$ref": "policy-options.schema.json"}


def test_explain_shows_allowed_values() -> None:
    result = CliRunner().invoke(main, ["explain", "VM101"])
    assert "  high (default 'sandbox'; container, sandbox or vm): Least isolation for tier high." in result.stdout
