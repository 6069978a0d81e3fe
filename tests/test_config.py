"""Configuration: discovery upwards, validation naming the bad key, and its effects on a run."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.helpers import POLICIES
from vmlint.cli import main
from vmlint.config import ConfigError, find_config, load_config

POD = """apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    data-classification: pci
spec:
  hostPID: true
  containers:
  - name: app
    image: app:1.0
    securityContext:
      privileged: true
"""


def run(tmp: Path, config: str, *args: str):
    (tmp / ".git").mkdir(exist_ok=True)
    (tmp / ".vmlint.yaml").write_text(config)
    (tmp / "pod.yaml").write_text(POD)
    return CliRunner().invoke(main, ["check", "--format", "json", *args, "pod.yaml"])


@pytest.fixture(autouse=True)
def _cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def ids(result) -> list[tuple[str, str]]:
    import json

    return [(f["policy"], f["severity"]) for f in json.loads(result.output)["findings"]]


def test_found_from_a_subdirectory_upwards(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".vmlint.yaml").write_text("ignore: [VM102]\n")
    (tmp_path / "a" / "b").mkdir(parents=True)
    assert find_config(tmp_path / "a" / "b") == tmp_path / ".vmlint.yaml"


def test_search_stops_at_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / ".vmlint.yaml").write_text("ignore: [VM102]\n")
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    assert find_config(tmp_path / "repo") is None


def test_pyproject_tool_section(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.vmlint]\nignore = ["VM102"]\n')
    config = load_config(None, POLICIES, start=tmp_path)
    assert config.ignore == frozenset({"VM102"})


def test_select_ignore_and_severity_override(tmp_path: Path) -> None:
    result = run(tmp_path, "select: [VM102, VM105]\nignore: [VM105]\nseverity:\n  VM102: warning\n")
    assert ids(result) == [("VM102", "warning")]
    assert result.exit_code == 1


def test_fail_on_from_config(tmp_path: Path) -> None:
    result = run(tmp_path, "select: [VM102]\nseverity: {VM102: warning}\nfail-on: error\n")
    assert result.exit_code == 0


def test_label_to_tier_mapping_and_sandbox_runtimes(tmp_path: Path) -> None:
    config = "select: [VM101]\ntier-labels:\n  data-classification:\n    pci: high\n"
    assert ids(run(tmp_path, config)) == [("VM101", "error")]
    sandboxed = POD.replace("spec:\n  hostPID", "spec:\n  runtimeClassName: secure-vm\n  hostPID")
    (tmp_path / "pod.yaml").write_text(sandboxed)
    config += "sandbox-runtimes: [secure-vm]\n"
    (tmp_path / ".vmlint.yaml").write_text(config)
    result = CliRunner().invoke(main, ["check", "--format", "json", "pod.yaml"])
    assert ids(result) == []


def test_policy_options(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        "select: [VM101]\ntier-labels: {data-classification: {pci: standard}}\noptions:\n  VM101: {standard: vm}\n",
    )
    assert ids(result) == [("VM101", "error")]


def test_excludes_are_gitignore_style(tmp_path: Path) -> None:
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "pod.yaml").write_text(POD)
    result = run(tmp_path, "select: [VM102]\nexclude: ['vendor/']\n")
    assert ids(result) == [("VM102", "error")]
    whole = CliRunner().invoke(main, ["check", "--format", "json", "."])
    assert [f["file"] for f in __import__("json").loads(whole.output)["findings"]] == ["pod.yaml"]


def test_per_path_ignores(tmp_path: Path) -> None:
    result = run(tmp_path, "select: [VM102]\nper-path-ignores:\n  '*.yaml': [VM102]\n")
    assert ids(result) == []
    assert __import__("json").loads(result.output)["summary"]["suppressed"] == 1


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            "selekt: [VM102]\n",
            "selekt: unknown key (did you mean select?) (keys: admission-policies, compose-projects, exclude,",
        ),
        ("select: VM102\n", "select: 'VM102' is not of type 'array'"),
        ("severity: {VM102: fatal}\n", "severity.VM102: 'fatal' is not one of ['error', 'warning', 'info']"),
        ("ignore: [VM999]\n", "ignore: unknown policy id VM999\n"),
        ("select: [isolaton]\n", "select: unknown policy, family or ALL 'isolaton' (did you mean isolation?)"),
        (
            "severity: {privileged-contaner: info}\n",
            "severity.privileged-contaner: unknown policy 'privileged-contaner' (did you mean privileged-container?)",
        ),
        (
            "options: {VM101: {hihg: vm}}\n",
            "options.VM101.hihg: VM101 has no option 'hihg' (did you mean high?) (options: high, low, standard)",
        ),
        ("options: {VM101: {high: 3}}\n", "options.VM101.high: 3 is not allowed (allowed: container, sandbox or vm)"),
        ("select: [VM102\n", ".vmlint.yaml:1:15: YAML syntax error"),
    ],
)
def test_invalid_config_names_the_key_and_exits_2(tmp_path: Path, config: str, message: str) -> None:
    result = run(tmp_path, config)
    assert result.exit_code == 2
    assert message in result.output


def test_load_config_rejects_missing_explicit_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_config(tmp_path / "nope.yaml", POLICIES)
