"""The CI integrations the README offers (issue 10 item 12): the composite GitHub Action in action.yml, run step by
step as a runner would, and the GitLab CI job's vmlint command."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from tests.conftest import REPO
from tests.junit_schema import junit_errors
from vmlint.cli import main

SOURCES = ("pyproject.toml", "README.md", "action.yml", "linter", "policies", "schemas")
BAD = """apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: nginx
    image: nginx:1.27
    securityContext:
      privileged: true
"""
EXPRESSION = re.compile(r"\$\{\{\s*inputs\.([a-z-]+)\s*\}\}")


def readme_block(heading: str) -> str:
    """The first yaml block after ``heading`` in the README."""
    section = (REPO / "README.md").read_text().split(heading, 1)[1]
    match = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert match, heading
    return match.group(1)


def test_action_is_composite_and_uses_only_its_inputs() -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {"paths", "fail-on", "sarif-file", "args"}
    for step in action["runs"]["steps"]:
        # Inputs reach the scripts through env only: an expression inside `run` would be shell injection.
        assert not EXPRESSION.search(step["run"]), step["name"]
        assert step["shell"] == "bash"
    snippet = yaml.safe_load(readme_block("**GitHub Actions**"))
    (used,) = [step for step in snippet if "vmlint" in step.get("uses", "") and "codeql" not in step["uses"]]
    assert set(used["with"]) <= set(action["inputs"])


def _run_action(checkout: Path, workspace: Path, inputs: dict[str, str]) -> list[subprocess.CompletedProcess[str]]:
    """The action's steps in order, as the runner runs them: inputs substituted into env, bash -e."""
    action = yaml.safe_load((checkout / "action.yml").read_text())
    values = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()} | inputs
    runner_temp = workspace.parent / "runner-temp"
    runner_temp.mkdir(exist_ok=True)
    base = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    base |= {"GITHUB_ACTION_PATH": str(checkout), "RUNNER_TEMP": str(runner_temp)}
    done = []
    for step in action["runs"]["steps"]:
        env = base | {k: EXPRESSION.sub(lambda m: values[m.group(1)], v) for k, v in step.get("env", {}).items()}
        result = subprocess.run(
            ["bash", "-e", "-c", step["run"]], cwd=workspace, env=env, capture_output=True, text=True, timeout=600
        )
        done.append(result)
        if result.returncode != 0:
            break
    return done


@pytest.mark.slow
def test_action_installs_from_its_checkout_and_writes_sarif(tmp_path: Path) -> None:
    checkout = tmp_path / "action"
    checkout.mkdir()
    for name in SOURCES:
        origin = REPO / name
        if origin.is_dir():
            shutil.copytree(origin, checkout / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(origin, checkout / name)
    workspace = tmp_path / "workspace"
    (workspace / "k8s").mkdir(parents=True)
    (workspace / ".git").mkdir()
    (workspace / "k8s" / "pod.yaml").write_text(BAD)
    install, lint = _run_action(checkout, workspace, {"paths": "k8s", "args": "--select VM102 $(touch pwned)"})
    assert install.returncode == 0, install.stderr
    assert lint.returncode == 1, lint.stdout + lint.stderr
    assert not (workspace / "pwned").exists()  # "$(touch pwned)" became two (missing) paths, not a command
    install, lint = _run_action(checkout, workspace, {"paths": "k8s", "args": "--select VM102"})
    assert lint.returncode == 1, lint.stderr
    assert lint.stdout.startswith("k8s/pod.yaml:10:19: VM102 [error] container nginx runs privileged")
    run = json.loads((workspace / "vmlint.sarif").read_text())["runs"][0]
    assert [r["ruleId"] for r in run["results"]] == ["VM102"]
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "k8s/pod.yaml"
    install, lint = _run_action(checkout, workspace, {"paths": "k8s", "args": "--select VM102", "fail-on": "never"})
    assert lint.returncode == 0, lint.stderr


def test_gitlab_job_fills_the_junit_report_it_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    job = yaml.safe_load(readme_block("**GitLab CI**"))["vmlint"]
    assert any("pip install" in line and "@v0.1.0" in line for line in job["before_script"])
    (command,) = job["script"]
    argv = shlex.split(command)
    assert argv[:2] == ["vmlint", "check"]
    (tmp_path / ".git").mkdir()
    (tmp_path / "pod.yaml").write_text(BAD)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, argv[1:], catch_exceptions=False)
    assert result.exit_code == 1
    junit = tmp_path / job["artifacts"]["reports"]["junit"]
    assert junit_errors(junit.read_text()) == [[]]
    assert all((tmp_path / path).is_file() for path in job["artifacts"]["paths"])
    assert "VM102 privileged-container Pod/web nginx" in junit.read_text()
