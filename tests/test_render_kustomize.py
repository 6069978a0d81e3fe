"""Kustomize: patches judged on what they write; with --render, the real build located in base and patch files."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from vmlint.cli import main

HAS_KUSTOMIZE = bool(shutil.which("kubectl") or shutil.which("kustomize"))
needs_kustomize = pytest.mark.skipif(not HAS_KUSTOMIZE, reason="neither kubectl nor kustomize is installed")

BASE = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        resources:
          limits:
            memory: 128Mi
"""
PATCH = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: nginx
        securityContext:
          privileged: true
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "kustomization.yaml").write_text("resources:\n- deployment.yaml\n")
    (tmp_path / "base" / "deployment.yaml").write_text(BASE)
    (tmp_path / "overlay").mkdir()
    (tmp_path / "overlay" / "kustomization.yaml").write_text(
        "resources:\n- ../base\nnamePrefix: prod-\npatches:\n- path: privileged.yaml\n"
    )
    (tmp_path / "overlay" / "privileged.yaml").write_text(PATCH)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(*args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(main, ["check", "--format", "json", *args], catch_exceptions=False)
    return result.exit_code, json.loads(result.output)


def rows(data: dict) -> list[tuple]:
    return [(f["policy"], f["file"], f["line"], f["column"]) for f in data["findings"]]


def test_without_render_a_patch_is_judged_only_on_what_it_writes(repo: Path) -> None:
    _, data = check(".")
    in_patch = [r for r in rows(data) if r[1] == "overlay/privileged.yaml"]
    assert in_patch == [("VM102", "overlay/privileged.yaml", 11, 23)]  # no "missing" finding on the partial object
    assert ("VM202", "base/deployment.yaml", 19, 11) in rows(data)  # the base is linted as a complete object


def test_a_patch_not_listed_by_a_kustomization_is_linted_as_a_whole(repo: Path) -> None:
    (repo / "overlay" / "kustomization.yaml").write_text("resources:\n- ../base\n")
    _, data = check("--select", "VM202", ".")
    assert ("VM202", "overlay/privileged.yaml", 9, 9) in rows(data)


@needs_kustomize
def test_render_reports_at_the_patch_line_and_at_the_base_line(repo: Path) -> None:
    code, data = check("--render", "--select", "VM102,VM202", ".")
    assert rows(data) == [("VM202", "base/deployment.yaml", 19, 11), ("VM102", "overlay/privileged.yaml", 11, 23)]
    assert {f["object"]["name"] for f in data["findings"]} == {"prod-web"}  # the rendered object
    assert code == 1


@needs_kustomize
def test_render_findings_are_suppressed_by_comments_in_the_file_that_wrote_them(repo: Path) -> None:
    (repo / "overlay" / "privileged.yaml").write_text(
        PATCH.replace("privileged: true", "privileged: true  # vmlint: ignore[VM102] reviewed")
    )
    _, data = check("--render", "--select", "VM102,VM202", ".")
    assert (rows(data), data["summary"]["suppressed"]) == ([("VM202", "base/deployment.yaml", 19, 11)], 1)


@needs_kustomize
def test_render_places_inline_patches_in_the_kustomization(repo: Path) -> None:
    inline = "\n".join("    " + line for line in PATCH.splitlines())
    (repo / "overlay" / "kustomization.yaml").write_text(f"resources:\n- ../base\npatches:\n- patch: |-\n{inline}\n")
    (repo / "overlay" / "privileged.yaml").unlink()
    _, data = check("--render", "--select", "VM102", ".")
    assert rows(data) == [("VM102", "overlay/kustomization.yaml", 15, 27)]


@needs_kustomize
def test_a_failing_build_is_an_error_on_the_kustomization_with_the_tools_message(repo: Path) -> None:
    (repo / "overlay" / "kustomization.yaml").write_text("resources:\n- ../base\n- missing.yaml\n")
    code, data = check("--render", "--select", "VM031,VM202", ".")
    (failed,) = [f for f in data["findings"] if f["policy"] == "VM031"]
    assert (failed["file"], failed["line"], failed["column"]) == ("overlay/kustomization.yaml", 1, 1)
    assert failed["message"].startswith("kustomize build failed: accumulating resources: ")
    assert "missing.yaml" in failed["message"]
    assert ("VM202", "base/deployment.yaml", 19, 11) in rows(data)  # the files are linted as written instead
    assert code == 1


def fake_tool(directory: Path, name: str) -> Path:
    tool = directory / name
    tool.write_text(f"#!/bin/sh\n/usr/bin/touch {directory}/{name}-was-run\n")
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    return tool


def test_remote_resources_are_an_error_and_nothing_is_run(repo: Path, tmp_path_factory, monkeypatch) -> None:
    bin_dir = tmp_path_factory.mktemp("bin")
    fake_tool(bin_dir, "kubectl")
    monkeypatch.setenv("PATH", str(bin_dir))
    (repo / "overlay" / "kustomization.yaml").write_text(
        "resources:\n- ../base\n- https://example.invalid/all.yaml\ncomponents:\n- github.com/org/repo//c?ref=v1\n"
    )
    code, data = check("--render", "--select", "VM032", ".")
    assert [(f["policy"], f["file"], f["line"], f["column"], f["message"]) for f in data["findings"]] == [
        (
            "VM032",
            "overlay/kustomization.yaml",
            3,
            3,
            "remote resource 'https://example.invalid/all.yaml' is not fetched (no network): the kustomization was not "
            "built",
        ),
        (
            "VM032",
            "overlay/kustomization.yaml",
            5,
            3,
            "remote resource 'github.com/org/repo//c?ref=v1' is not fetched (no network): the kustomization was not "
            "built",
        ),
    ]
    assert not (bin_dir / "kubectl-was-run").exists()
    assert code == 1


def test_render_without_a_tool_on_path_is_a_warning(repo: Path, tmp_path_factory, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path_factory.mktemp("empty")))
    _, data = check("--render", "--select", "VM033", ".")
    assert rows(data) == [("VM033", "overlay/kustomization.yaml", 1, 1)]


def test_no_tool_runs_without_render(repo: Path, tmp_path_factory, monkeypatch) -> None:
    bin_dir = tmp_path_factory.mktemp("bin")
    fake_tool(bin_dir, "kubectl")
    fake_tool(bin_dir, "kustomize")
    monkeypatch.setenv("PATH", str(bin_dir))
    check(".")
    assert sorted(p.name for p in bin_dir.iterdir()) == ["kubectl", "kustomize"]


def test_config_render_kustomize_builds(repo: Path, tmp_path_factory, monkeypatch) -> None:
    bin_dir = tmp_path_factory.mktemp("bin")
    fake_tool(bin_dir, "kustomize")
    monkeypatch.setenv("PATH", str(bin_dir))
    (repo / ".vmlint.yaml").write_text("render: [kustomize]\n")
    check(".")
    assert (bin_dir / "kustomize-was-run").exists()


def test_a_patch_named_alone_is_still_a_patch(repo: Path) -> None:
    """A pre-commit run passes only the changed file: the kustomization beside it says it is a patch."""
    _, data = check("overlay/privileged.yaml")
    assert rows(data) == [("VM102", "overlay/privileged.yaml", 11, 23)]
    assert data["summary"]["files"] == 1  # the kustomization itself is not linted: it was not named


@needs_kustomize
def test_render_places_json_6902_patches_at_the_value_they_write(repo: Path) -> None:
    (repo / "overlay" / "kustomization.yaml").write_text(
        "resources:\n- ../base\npatches:\n- path: ops.yaml\n  target:\n    kind: Deployment\n    name: web\n"
    )
    (repo / "overlay" / "privileged.yaml").unlink()
    (repo / "overlay" / "ops.yaml").write_text(
        "- op: add\n  path: /spec/template/spec/containers/0/securityContext\n  value:\n    privileged: true\n"
        "- op: replace\n  path: /spec/template/spec/containers/0/image\n  value: nginx:latest\n"
    )
    _, data = check("--render", "--select", "VM102,VM202,VM801", ".")
    assert rows(data) == [
        ("VM202", "base/deployment.yaml", 19, 11),
        ("VM102", "overlay/ops.yaml", 4, 17),
        ("VM801", "overlay/ops.yaml", 7, 10),
    ]


def test_a_kustomization_of_the_wrong_shape_is_no_crash(repo: Path) -> None:
    (repo / "overlay" / "kustomization.yaml").write_text(
        "resources: 5\npatches:\n- path: [1]\n- target: {name: 7}\n  patch: 3\npatchesStrategicMerge: {a: b}\n"
    )
    code, data = check(".")
    assert data["errors"] == [] and code == 1


def test_a_failure_inside_the_render_stage_is_an_internal_error_not_a_traceback(repo: Path, monkeypatch) -> None:
    from vmlint.render import plan

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(plan, "compose_sets", broken)
    result = CliRunner().invoke(main, ["check", "--format", "json", "."])
    data = json.loads(result.output)
    assert result.exit_code == 2
    assert data["errors"] == [
        {
            "file": "base/deployment.yaml",
            "message": "internal error in the render stage: RuntimeError: boom",
            "policy": None,
        }
    ]
    assert ("VM102", "overlay/privileged.yaml", 11, 23) in rows(data)  # linted as written
