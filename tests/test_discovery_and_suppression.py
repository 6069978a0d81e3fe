"""What a run reads and skips, and how findings are suppressed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from vmlint.cli import main

POD = """apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: app
    image: app:1.0
    securityContext:
      privileged: true
"""


@pytest.fixture(autouse=True)
def _cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)


def check(*args: str) -> dict:
    result = CliRunner().invoke(main, ["check", "--format", "json", "--select", "VM102", *args])
    return json.loads(result.output)


def test_directories_are_walked_recursively_and_git_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "pod.yml").write_text(POD)
    (tmp_path / ".git" / "pod.yaml").write_text(POD)
    (tmp_path / "README.md").write_text("not read")
    data = check(".")
    assert [f["file"] for f in data["findings"]] == ["a/b/pod.yml"]
    assert data["summary"]["files"] == 1


def test_json_manifests_are_read(tmp_path: Path) -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "j"},
        "spec": {"containers": [{"name": "c", "image": "i:1", "securityContext": {"privileged": True}}]},
    }
    (tmp_path / "pod.json").write_text(json.dumps(pod, indent=2))
    (finding,) = check("pod.json")["findings"]
    assert (finding["line"], finding["column"]) == (13, 25)


def test_kind_list_items_are_workloads(tmp_path: Path) -> None:
    items = "\n".join("  " + line for line in POD.splitlines())
    (tmp_path / "list.yaml").write_text("apiVersion: v1\nkind: List\nitems:\n-" + items[1:] + "\n")
    (finding,) = check("list.yaml")["findings"]
    assert finding["line"] == 13


def test_non_manifests_are_skipped_quietly_and_counted(tmp_path: Path) -> None:
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text("on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n")
    (tmp_path / "values.yaml").write_text("replicaCount: 1\nimage:\n  repository: nginx\n")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "deployment.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n"
        "spec:\n  {{- toYaml .Values | nindent 2 }}\n"
    )
    (tmp_path / "package.json").write_text('{"name": "x"}')
    data = check(".")
    assert data["findings"] == []
    assert data["summary"]["skipped"] == 4
    assert data["summary"]["files"] == 0


def test_inline_comment_on_the_line_or_the_line_above(tmp_path: Path) -> None:
    same_line = POD.replace(
        "privileged: true", "privileged: true  # vmlint: ignore[VM102] debug pod, deleted after use"
    )
    (tmp_path / "a.yaml").write_text(same_line)
    line_above = POD.replace(
        "      privileged: true", "      # vmlint: ignore[VM101,VM102] reviewed\n      privileged: true"
    )
    (tmp_path / "b.yaml").write_text(line_above)
    other_id = POD.replace("privileged: true", "privileged: true  # vmlint: ignore[VM105]")
    (tmp_path / "c.yaml").write_text(other_id)
    data = check(".")
    assert [f["file"] for f in data["findings"]] == ["c.yaml"]
    assert data["summary"]["suppressed"] == 2


def test_annotation_suppresses_for_the_whole_workload(tmp_path: Path) -> None:
    annotated = POD.replace("  name: web\n", '  name: web\n  annotations:\n    vmlint.io/ignore: "VM105, VM102"\n')
    (tmp_path / "pod.yaml").write_text(annotated)
    data = check("pod.yaml")
    assert data["findings"] == []
    assert data["summary"]["suppressed"] == 1


def test_missing_path_is_a_located_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", "--format", "json", "nope.yaml"])
    assert result.exit_code == 1
    (finding,) = json.loads(result.output)["findings"]
    assert (finding["policy"], finding["file"], finding["line"]) == ("VM007", "nope.yaml", 1)
