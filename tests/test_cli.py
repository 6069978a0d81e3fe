"""The CLI contract of DESIGN.md: commands, formats, exit codes, output shapes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from vmlint import __version__
from vmlint.cli import main

PRIVILEGED = """apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: prod
spec:
  containers:
  - name: nginx
    image: nginx:1.27
    securityContext:
      privileged: true
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "bad.yaml").write_text(PRIVILEGED)
    (tmp_path / "good.yaml").write_text(PRIVILEGED.replace("privileged: true", "privileged: false"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str, input: str | None = None):  # noqa: A002
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.output == f"vmlint, version {__version__}\n"


def test_text_output_in_ruff_style_and_exit_1(repo: Path) -> None:
    result = invoke("check", "--select", "VM102", ".")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "bad.yaml:11:19: VM102 [error] container nginx runs privileged (Pod/prod/web nginx)"
    assert lines[-1] == "1 finding (1 error) in 2 files (2 workloads, 0 suppressed, 0 files skipped as not manifests)"


def test_json_output_shape(repo: Path) -> None:
    result = invoke("check", "--select", "VM102", "--format", "json", "bad.yaml")
    data = json.loads(result.output)
    assert data["tool"] == {"name": "vmlint", "version": __version__}
    assert data["errors"] == []
    assert data["summary"] == {
        "files": 1,
        "skipped": 0,
        "documents": 1,
        "workloads": 1,
        "findings": 1,
        "suppressed": 0,
        "unvalidated": 0,
    }
    (finding,) = data["findings"]
    assert finding == {
        "policy": "VM102",
        "name": "privileged-container",
        "severity": "error",
        "tradeoff": "isolation",
        "message": "container nginx runs privileged",
        "file": "bad.yaml",
        "line": 11,
        "column": 19,
        "object": {"format": "kubernetes", "kind": "Pod", "name": "web", "namespace": "prod", "unit": "nginx"},
        "related": finding["related"],
    }
    assert finding["related"]["checkov"] == ["CKV_K8S_16"]


def test_clean_input_exits_0(repo: Path) -> None:
    assert invoke("check", "--select", "VM102", "good.yaml").exit_code == 0


def test_fail_on_threshold(repo: Path) -> None:
    assert invoke("check", "--select", "VM102", "--fail-on", "never", "bad.yaml").exit_code == 0
    assert invoke("check", "--select", "VM102", "--fail-on", "error", "bad.yaml").exit_code == 1


def test_ignore_removes_a_policy(repo: Path) -> None:
    result = invoke("check", "--select", "VM102", "--ignore", "VM102", "bad.yaml")
    assert result.exit_code == 0


def test_unknown_policy_id_is_a_usage_error(repo: Path) -> None:
    result = CliRunner().invoke(main, ["check", "--select", "VM999", "."])
    assert result.exit_code == 2
    assert "Invalid value for --select: unknown policy id VM999\n" in result.output


def test_output_file(repo: Path) -> None:
    result = invoke("check", "--select", "VM102", "--format", "json", "-o", "out.json", "bad.yaml")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "vmlint: 1 finding (1 error) in 1 file (1 workload, 0 suppressed, 0 files skipped as not manifests)\n"
    )
    assert json.loads((repo / "out.json").read_text())["summary"]["findings"] == 1


def test_stdin_with_stdin_filename(repo: Path) -> None:
    result = invoke("check", "--select", "VM102", "--stdin-filename", "k8s/pod.yaml", "-", input=PRIVILEGED)
    assert result.exit_code == 1
    assert result.output.startswith("k8s/pod.yaml:11:19: VM102 ")


def test_policies_json_lists_metadata() -> None:
    result = invoke("policies", "--format", "json")
    policies = {p["id"]: p for p in json.loads(result.output)["policies"]}
    assert policies["VM102"]["name"] == "privileged-container"
    assert policies["VM102"]["related"]["kics"][0] == "dd29336b-fe57-445b-a26e-e6aa867ae609"
    assert policies["VM001"]["tradeoff"] == "input"
    assert {"id", "name", "tradeoff", "severity", "summary", "rationale", "remediation", "related"} <= set(
        policies["VM101"]
    )


def test_explain_by_id_and_by_name() -> None:
    by_id = invoke("explain", "VM102")
    assert by_id.exit_code == 0
    assert by_id.output.startswith("VM102 privileged-container (isolation, error)\n")
    for section in ("What it does", "Why", "Example (kubernetes), flagged:", "Fix", "Related checks"):
        assert section in by_id.output
    assert invoke("explain", "privileged-container").output == by_id.output


def test_explain_unknown_id_exits_2() -> None:
    result = CliRunner().invoke(main, ["explain", "VM999"])
    assert result.exit_code == 2


def test_colour_only_on_a_tty(repo: Path) -> None:
    assert "\033[" not in invoke("check", "--select", "VM102", "bad.yaml").output


def test_console_script_runs_as_a_module(repo: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "vmlint", "check", "--select", "VM102", "bad.yaml"], capture_output=True, text=True
    )
    assert done.returncode == 1
    assert done.stderr == ""
    assert "VM102" in done.stdout
