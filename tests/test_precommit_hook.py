"""The README's pre-commit snippet, pasted into a project and run by the real pre-commit framework on staged files.

The hook repository is a commit of this checkout's sources tagged as the README's ``rev`` (the release tag a user's
clone of vmlint has); the snippet is used verbatim except for its placeholder URL.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO
from vmlint import __version__

SOURCES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "linter", "policies", "schemas")
BAD = """apiVersion: v1
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
GOOD = (REPO / "examples" / "k8s" / "storefront.yaml").read_text()  # the clean example
PLACEHOLDER = "https://example.invalid/vmlint"


def readme_snippet() -> str:
    """The YAML block of the README's pre-commit section."""
    section = (REPO / "README.md").read_text().split("## Use it as a pre-commit hook", 1)[1]
    match = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert match, "the README's pre-commit section has no yaml block"
    return match.group(1)


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT")) and k != "VIRTUAL_ENV"}
    return {
        **env,
        "PRE_COMMIT_HOME": str(home / "pre-commit-cache"),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "test",
        "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "test",
        "GIT_COMMITTER_EMAIL": "test@example.invalid",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }


def _git(cwd: Path, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def _pre_commit(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pre_commit", *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A git repo using the hook from a commit of this checkout's sources (hermetic: a copy, committed)."""
    root = tmp_path_factory.mktemp("precommit")
    env = _env(root)
    hooks = root / "hook-repo"
    hooks.mkdir()
    for name in SOURCES:
        origin = REPO / name
        if origin.is_dir():
            shutil.copytree(origin, hooks / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(origin, hooks / name)
    _git(hooks, env, "init", "-q")
    _git(hooks, env, "add", ".")
    _git(hooks, env, "commit", "-q", "-m", "hook")
    snippet = readme_snippet()
    rev = yaml.safe_load(snippet)["repos"][0]["rev"]
    assert rev == f"v{__version__}", "the README's rev must be the tag of this version"
    _git(hooks, env, "tag", rev)
    work = root / "project"
    work.mkdir()
    _git(work, env, "init", "-q")
    assert PLACEHOLDER in snippet
    (work / ".pre-commit-config.yaml").write_text(snippet.replace(PLACEHOLDER, str(hooks)))
    (work / "bad.yaml").write_text(BAD)
    (work / "good.yaml").write_text(GOOD)
    (work / "README.md").write_text("# not a manifest: the hook's pattern leaves it out\n")
    _git(work, env, "add", ".pre-commit-config.yaml", "README.md")
    return work, env


@pytest.mark.slow
def test_hook_fails_on_a_staged_bad_manifest(project: tuple[Path, dict[str, str]]) -> None:
    work, env = project
    _git(work, env, "add", "bad.yaml", "good.yaml")
    try:
        result = _pre_commit(work, env, "run")
    finally:
        _git(work, env, "reset", "-q", "--", "bad.yaml", "good.yaml")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "bad.yaml:11:19: VM102 [error] container nginx runs privileged (Pod/prod/web nginx)" in result.stdout
    assert re.search(r"^\d+ findings .*in 2 files ", result.stdout, re.M), result.stdout  # not README.md


@pytest.mark.slow
def test_hook_passes_when_only_the_good_manifest_is_staged(project: tuple[Path, dict[str, str]]) -> None:
    work, env = project
    _git(work, env, "add", "good.yaml")
    try:
        result = _pre_commit(work, env, "run", "--verbose")
    finally:
        _git(work, env, "reset", "-q", "--", "good.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    # bad.yaml sits in the working tree but is not staged: it is not linted.
    assert re.search(r"^0 findings in 1 file ", result.stdout, re.M), result.stdout
