"""Configuration as a new user meets it (issue 10 item 10), and configuration as hostile input (issue 9 item 6)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from vmlint.cli import main

POD = """apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    vmlint.io/security-tier: high
spec:
  hostPID: true
  containers:
  - name: app
    image: app:1.0
    securityContext:
      privileged: true
"""


def check(*args: str) -> Result:
    return CliRunner().invoke(main, ["check", "--format", "json", *args], catch_exceptions=False)


def found(result: Result) -> list[tuple[str, str]]:
    return sorted((f["policy"], f["severity"]) for f in json.loads(result.stdout)["findings"])


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp/repo (a git repository with k8s/pod.yaml); the working directory is tmp, outside it."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "k8s").mkdir()
    (repo / "k8s" / "pod.yaml").write_text(POD)
    monkeypatch.chdir(tmp_path)
    return repo


def test_config_is_found_from_the_linted_path_upwards(repo: Path) -> None:
    (repo / ".vmlint.yaml").write_text("select: [VM102]\nseverity: {VM102: warning}\n")
    result = check("repo/k8s")
    assert found(result) == [("VM102", "warning")]
    assert found(check("repo/k8s/pod.yaml")) == [("VM102", "warning")]


def test_vmlint_yml_is_accepted(repo: Path) -> None:
    (repo / ".vmlint.yml").write_text("select: [VM102]\n")
    assert found(check("repo")) == [("VM102", "error")]


def test_two_configurations_in_one_folder_warn_naming_the_one_used(repo: Path) -> None:
    (repo / ".vmlint.yaml").write_text("select: [VM102]\n")
    (repo / "pyproject.toml").write_text('[tool.vmlint]\nselect = ["VM105"]\n')
    result = check("repo")
    assert found(result) == [("VM102", "error")]
    assert result.stderr == (
        f"vmlint: warning: both {repo / '.vmlint.yaml'} and {repo / 'pyproject.toml'} [tool.vmlint] exist; "
        f"using {repo / '.vmlint.yaml'}\n"
    )


def test_paths_with_different_configurations_warn(repo: Path, tmp_path: Path) -> None:
    (repo / ".vmlint.yaml").write_text("select: [VM102]\n")
    other = tmp_path / "other"
    (other / ".git").mkdir(parents=True)
    (other / ".vmlint.yaml").write_text("select: [VM105]\n")
    (other / "pod.yaml").write_text(POD)
    result = check("repo", "other")
    assert found(result) == [("VM102", "error"), ("VM102", "error")]
    assert "vmlint: warning: other has its own configuration " in result.stderr
    assert f"; using {repo / '.vmlint.yaml'}\n" in result.stderr


def test_pyproject_errors_name_the_tool_vmlint_table(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[tool.vmlint]\nselekt = ["VM102"]\n')
    result = check("repo")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"vmlint: configuration error: {repo / 'pyproject.toml'} [tool.vmlint]: selekt: unknown key "
        "(did you mean select?)"
    )


def test_extend_sandbox_runtimes_adds_to_the_defaults(repo: Path) -> None:
    for runtime in ("my-firecracker", "gvisor"):
        pod = POD.replace("spec:\n  hostPID", f"spec:\n  runtimeClassName: {runtime}\n  hostPID")
        (repo / "k8s" / f"{runtime}.yaml").write_text(pod)
    (repo / "k8s" / "pod.yaml").unlink()
    (repo / ".vmlint.yaml").write_text("select: [VM101]\n")
    assert found(check("repo")) == [("VM101", "error")]  # my-firecracker is a plain container runtime
    (repo / ".vmlint.yaml").write_text("select: [VM101]\nextend-sandbox-runtimes: [my-firecracker]\n")
    assert found(check("repo")) == []  # gvisor still counts
    (repo / ".vmlint.yaml").write_text("select: [VM101]\nsandbox-runtimes: [my-firecracker]\n")
    assert found(check("repo")) == [("VM101", "error")]  # sandbox-runtimes replaces the defaults: gvisor no longer


def test_ids_and_names_are_case_insensitive_in_config_and_on_the_command_line(repo: Path) -> None:
    (repo / ".vmlint.yaml").write_text("select: [vm102, Host-PID]\nseverity: {Privileged-Container: info}\n")
    assert found(check("repo")) == [("VM102", "info"), ("VM105", "error")]
    assert found(check("--select", "vm105", "repo")) == [("VM105", "error")]
    assert found(check("--select", "HOST-PID,privileged-container", "--ignore", "vm102", "repo")) == [
        ("VM105", "error")
    ]


def test_select_and_ignore_take_family_names_and_all(repo: Path) -> None:
    everything = {f[0] for f in found(check("--select", "ALL", "repo"))}
    isolation = {f[0] for f in found(check("--select", "isolation", "repo"))}
    assert isolation == {"VM101", "VM102", "VM105", *(i for i in everything if i.startswith("VM1"))}
    assert {f[0] for f in found(check("--select", "all", "--ignore", "Isolation", "repo"))} == everything - isolation
    result = check("--select", "isolaton", "repo")
    assert result.exit_code == 2
    assert "Invalid value for --select: unknown policy, family or ALL 'isolaton' (did you mean isolation?)" in (
        result.stderr
    )


def test_explain_takes_names_in_any_case() -> None:
    result = CliRunner().invoke(main, ["explain", "Privileged-Container"])
    assert result.exit_code == 0
    assert result.stdout.startswith("VM102 privileged-container ")


# Issue 9 item 6: configuration is input too.


def _schema_numbers(node: Any, where: str = "") -> list[tuple[str, dict[str, Any]]]:
    out = []
    if isinstance(node, dict):
        if node.get("type") in ("integer", "number"):
            out.append((where, node))
        for key, value in node.items():
            out += _schema_numbers(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += _schema_numbers(value, f"{where}.{index}")
    return out


def test_every_number_in_the_config_schema_has_a_range() -> None:
    schema = json.loads((Path(__file__).parent.parent / "schemas" / "config.schema.json").read_text())
    numbers = _schema_numbers(schema)
    assert numbers
    assert [where for where, node in numbers if "minimum" not in node or "maximum" not in node] == []


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("max-file-size: 1000000000000000000000000000000\n", "max-file-size: number out of range (at most "),
        ("max-file-size: 2000000000\n", "max-file-size: 2000000000 is greater than the maximum of 1073741824"),
        ("max-file-size: 0x" + "f" * 5000 + "\n", "max-file-size: number out of range (at most "),
        ("max-file-size: " + "9" * 5000 + "\n", "max-file-size: number out of range (at most "),
        ("tier-labels: {x: {y: 0x" + "f" * 5000 + "}}\n", "tier-labels.x.y: number out of range"),
        ("exclude: ['" + "a" * 2000 + "']\n", "exclude.0: 'aaaa"),
        ("exclude: ['[z-a]']\n", "exclude.0: invalid pattern"),
        ("x: " + "[" * 200 + "]" * 200 + "\n", "nested deeper than 32 levels"),
    ],
)
def test_hostile_config_values_are_config_errors_naming_the_key(repo: Path, config: str, message: str) -> None:
    (repo / ".vmlint.yaml").write_text(config)
    result = check("repo")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"vmlint: configuration error: {repo / '.vmlint.yaml'}: ")
    assert message in result.stderr
    assert len(result.stderr) < 600  # the value is quoted short, not 5000 digits
    assert "internal error" not in result.stderr


def test_pyproject_number_beyond_the_int_limit_is_a_config_error(repo: Path) -> None:
    (repo / "pyproject.toml").write_text("[tool.vmlint]\nmax-file-size = " + "9" * 5000 + "\n")
    result = check("repo")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"vmlint: configuration error: {repo / 'pyproject.toml'}: cannot read: ")
    (repo / "pyproject.toml").write_text("[tool.vmlint]\nmax-file-size = 1000000000000000000000000000000\n")
    result = check("repo")
    assert result.exit_code == 2
    assert "pyproject.toml [tool.vmlint]: max-file-size: number out of range" in result.stderr


def test_backtracking_exclude_pattern_does_not_hang(repo: Path) -> None:
    """A pattern that takes Python's re exponential time on a long name; run in a child with a hard timeout."""
    (repo / ".vmlint.yaml").write_text("exclude: ['" + "*a" * 30 + "b']\nselect: [VM102]\n")
    (repo / "k8s" / ("a" * 200 + ".yaml")).write_text(POD)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "vmlint", "check", "--format", "json", "repo"],
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert time.monotonic() - started < 10
    assert done.returncode == 1, done.stderr
    assert len(json.loads(done.stdout)["findings"]) == 2  # nothing matched the pattern: both files linted
    (repo / ".vmlint.yaml").write_text("exclude: ['" + "*a" * 30 + "*']\nselect: [VM102]\n")
    done = subprocess.run(
        [sys.executable, "-m", "vmlint", "check", "--format", "json", "repo"],
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert [f["file"] for f in json.loads(done.stdout)["findings"]] == ["repo/k8s/pod.yaml"]
