"""Helm: `helm template` streams split by `# Source:`, chart directories, and `--render` with a helm on PATH."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from vmlint.cli import main
from vmlint.render import tools

# Exactly as `helm template` prints it: `---` and `# Source:` before every document, one template writing two
# documents, and a template that renders to nothing but a trailing `---`.
STREAM = """---
# Source: mychart/templates/serviceaccount.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: release-name-mychart
---
# Source: mychart/templates/debug.yaml
apiVersion: v1
kind: Pod
metadata:
  name: debug
spec:
  containers:
  - name: shell
    image: busybox:1.36
    securityContext:
      privileged: true
---
# Source: mychart/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: release-name-mychart
spec:
  template:
    spec:
      containers:
      - name: mychart
        image: nginx:1.27
        securityContext:
          # vmlint: ignore[VM102] the chart's own debug mode, off in production values
          privileged: true
---
# Source: mychart/templates/deployment.yaml
apiVersion: v1
kind: Pod
metadata:
  name: sidecar
spec:
  containers:
  - name: agent
    image: busybox:1.36
    securityContext:
      capabilities: {}

      privileged: true
---
"""


def check(*args: str, input: str | None = None) -> tuple[int, dict]:  # noqa: A002
    result = CliRunner().invoke(main, ["check", "--format", "json", *args], input=input, catch_exceptions=False)
    return result.exit_code, json.loads(result.output)


def rows(data: dict) -> list[tuple]:
    return [(f["policy"], f["file"], f["line"], f["column"], f.get("rendered")) for f in data["findings"]]


def test_stdin_stream_findings_name_their_template_and_line_and_suppressions_stay_in_their_document() -> None:
    code, data = check("--select", "VM102", "-", input=STREAM)
    # Lines count from the line after `# Source:`. The comment on line 12 of the first deployment.yaml document
    # suppresses line 13 there; line 12 of the second document from deployment.yaml is reported.
    assert rows(data) == [
        ("VM102", "mychart/templates/debug.yaml", 10, 19, "helm"),
        ("VM102", "mychart/templates/deployment.yaml", 12, 19, "helm"),
    ]
    assert (code, data["summary"]["suppressed"], data["summary"]["workloads"]) == (1, 1, 3)


def test_text_output_marks_rendered_findings() -> None:
    result = CliRunner().invoke(main, ["check", "--select", "VM102", "-"], input=STREAM)
    assert result.output.splitlines()[0] == (
        "mychart/templates/debug.yaml:10:19: VM102 [error] container shell runs privileged "
        "(Pod/debug shell) [rendered by helm]"
    )


def test_stdin_filename_wins_over_the_sources() -> None:
    _, data = check("--select", "VM102", "--stdin-filename", "rendered.yaml", "-", input=STREAM)
    assert rows(data) == [("VM102", "rendered.yaml", 18, 19, None), ("VM102", "rendered.yaml", 47, 19, None)]
    assert data["summary"]["suppressed"] == 1


def test_a_stream_in_a_file_is_split_the_same_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "all.yaml").write_text(STREAM)
    _, data = check("--select", "VM102", "all.yaml")
    assert [r[1:3] for r in rows(data)] == [
        ("mychart/templates/debug.yaml", 10),
        ("mychart/templates/deployment.yaml", 12),
    ]


def test_documents_without_a_source_keep_the_stream_name_and_lines() -> None:
    pod = STREAM.split("---\n")[2].split("\n", 1)[1]  # the debug Pod without its `# Source:` line
    _, data = check("--select", "VM102", "-", input=STREAM + pod)
    assert rows(data)[0] == ("VM102", "<stdin>", 58, 19, None)  # stream line 49 + 9


def write_chart(root: Path) -> Path:
    chart = root / "charts" / "web"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: mychart\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text("replicaCount: 1\nservices:\n  web:\n    port: 80\n")
    (chart / "templates" / "deployment.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n"
    )
    return chart


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with a chart; tmp_path/bin is the only PATH entry: no helm unless a test puts one there."""
    work = tmp_path / "work"
    (work / ".git").mkdir(parents=True)
    write_chart(work)
    monkeypatch.chdir(work)
    (tmp_path / "bin").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    return work


def test_a_chart_directory_is_an_info_finding_and_a_summary_line(repo: Path) -> None:
    result = CliRunner().invoke(main, ["check", "."])
    assert result.exit_code == 0  # info does not fail with the default --fail-on warning
    assert result.output.splitlines() == [
        "charts/web/Chart.yaml:1:1: VM030 [info] Helm chart not linted as written: its templates need rendering "
        "(`helm template charts/web | vmlint check -` or --render)",
        "charts/web: Helm chart not rendered, templates not linted: `helm template charts/web | vmlint check -`",
        "help: VM030 chart-needs-rendering: Lint what Helm renders: `helm template CHART | vmlint check -`, or "
        "`vmlint check --render` (or `render: [helm]` in the config) with helm on PATH. (vmlint explain VM030)",
        "1 finding (1 info) in 1 file (0 workloads, 0 suppressed, 2 files skipped as not manifests)",
    ]
    assert CliRunner().invoke(main, ["check", "--fail-on", "info", "."]).exit_code == 1
    _, data = check(".")
    assert [(f["policy"], f["file"], f["severity"]) for f in data["findings"]] == [
        ("VM030", "charts/web/Chart.yaml", "info")
    ]  # values.yaml (with a `services:` key) is not read as a Compose file or anything else


def test_render_without_helm_on_path_is_a_warning(repo: Path) -> None:
    code, data = check("--render", ".")
    assert code == 1
    assert [(f["policy"], f["file"], f["message"]) for f in data["findings"]] == [
        (
            "VM033",
            "charts/web/Chart.yaml",
            "--render: helm is not on PATH; chart not rendered (`helm template charts/web | vmlint check -`)",
        )
    ]


def fake_helm(repo: Path, body: str) -> Path:
    """A `helm` that records its arguments and environment, then runs ``body``: it tests vmlint's side only."""
    helm = repo.parent / "bin" / "helm"
    out = repo.parent
    helm.write_text(
        f'#!/bin/sh\nprintf "%s\\n" "$@" > {out}/args\n/usr/bin/env > {out}/env\n/bin/ls -A "$PATH" > {out}/path\n'
        f"{body}\n"
    )
    helm.chmod(helm.stat().st_mode | stat.S_IEXEC)
    return helm


def test_render_runs_helm_template_offline_and_names_the_chart_files(repo: Path, monkeypatch) -> None:
    (repo.parent / "recorded.yaml").write_text(STREAM)
    fake_helm(repo, f"/bin/cat {repo.parent}/recorded.yaml")
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    code, data = check("--render", "--select", "VM102", ".")
    assert rows(data) == [
        ("VM102", "charts/web/templates/debug.yaml", 10, 19, "helm"),
        ("VM102", "charts/web/templates/deployment.yaml", 12, 19, "helm"),
    ]
    assert code == 1
    assert (repo.parent / "args").read_text().splitlines() == ["template", str(repo / "charts" / "web")]
    env = dict(line.split("=", 1) for line in (repo.parent / "env").read_text().splitlines())
    assert not {name for name in env if "proxy" in name.lower()}
    assert (repo.parent / "path").read_text() == ""  # PATH names an empty directory: no git, no curl
    assert (env["KUBECONFIG"], env["HOME"]) == (os.devnull, os.path.dirname(env["PATH"]))


def test_a_failing_helm_is_an_error_with_its_message(repo: Path) -> None:
    fake_helm(repo, "echo 'Error: template: mychart/templates/x.yaml:3:4: bad' >&2\nexit 1")
    code, data = check("--render", ".")
    assert code == 1
    assert [(f["policy"], f["file"], f["line"], f["message"]) for f in data["findings"]] == [
        ("VM031", "charts/web/Chart.yaml", 1, "helm template failed: template: mychart/templates/x.yaml:3:4: bad")
    ]


def test_a_slow_helm_is_stopped_at_the_time_limit(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_helm(repo, "exec /bin/sleep 30")
    monkeypatch.setattr(tools, "TIME_LIMIT_SECONDS", 0.5)
    _, data = check("--render", ".")
    assert [f["message"] for f in data["findings"]] == [
        "helm template failed: helm template did not finish within 0.5 s"
    ]


def test_helm_is_never_run_unless_asked(repo: Path) -> None:
    fake_helm(repo, "exit 0")
    check(".")
    assert not (repo.parent / "args").exists()


@pytest.mark.skipif(shutil.which("helm") is None, reason="helm is not installed")
def test_real_helm_renders_a_chart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chart = write_chart(tmp_path)
    (chart / "templates" / "deployment.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  containers:\n  - name: a\n"
        "    image: busybox:1.36\n    securityContext:\n      privileged: true\n"
    )
    monkeypatch.chdir(tmp_path)
    _, data = check("--render", "--select", "VM102", ".")
    assert rows(data) == [("VM102", "charts/web/templates/deployment.yaml", 9, 19, "helm")]


def test_render_in_the_config_accepts_only_known_tools(repo: Path) -> None:
    (repo / ".vmlint.yaml").write_text("render: [helm, docker]\n")
    result = CliRunner().invoke(main, ["check", "."])
    assert result.exit_code == 2
    assert "render.1: 'docker' is not one of ['helm', 'kustomize']" in result.output


def test_render_helm_in_the_config_runs_helm(repo: Path) -> None:
    fake_helm(repo, "exit 0")
    (repo / ".vmlint.yaml").write_text("render: [helm]\n")
    check(".")
    assert (repo.parent / "args").exists()


def test_a_source_comment_that_names_no_template_is_not_a_helm_stream() -> None:
    pod = STREAM.split("---\n")[2].split("\n", 1)[1]
    _, data = check("--select", "VM102", "-", input="# Source: https://example.org/debug.yaml\n" + pod)
    assert rows(data) == [("VM102", "<stdin>", 11, 19, None)]


def test_a_template_named_alone_belongs_to_its_chart(repo: Path) -> None:
    """A pre-commit run passes only the changed template: its chart is reported as needing rendering."""
    code, data = check("charts/web/templates/deployment.yaml")
    assert [(f["policy"], f["file"]) for f in data["findings"]] == [("VM030", "charts/web/Chart.yaml")]
    assert (code, data["summary"]["skipped"]) == (0, 1)
