"""Baselines: accepted findings stay quiet across line shifts; new ones are still reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.helpers import lint
from vmlint.baseline import BaselineError, baseline_text, fingerprint, load_baseline
from vmlint.cli import main
from vmlint.findings import Finding, ObjectRef

POD = """apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: app
    image: nginx:1.27
    securityContext:
      privileged: true
"""
SIDECAR = """  - name: sidecar
    image: busybox:1.36
    securityContext:
      privileged: true
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "web.yaml").write_text(POD)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def check_json(*args: str) -> tuple[int, dict]:
    result = invoke("check", "--select", "VM102", "--format", "json", *args)
    return result.exit_code, json.loads(result.stdout)


def rows(data: dict) -> list[tuple[str, str, int]]:
    return [(f["policy"], f["file"], f["line"]) for f in data["findings"]]


def test_write_baseline_records_findings_and_applies_them(repo: Path) -> None:
    result = invoke("check", "--select", "VM102", "--write-baseline", "baseline.json", "k8s")
    assert result.exit_code == 0
    assert result.stderr == "vmlint: recorded 1 findings in baseline.json\n"
    assert result.stdout.splitlines()[-1].startswith("0 findings in 1 file (1 workload, 1 suppressed")
    data = json.loads((repo / "baseline.json").read_text())
    assert data["version"] == 1
    [entry] = data["findings"]
    assert {k: entry[k] for k in ("policy", "file", "message")} == {
        "policy": "VM102",
        "file": "k8s/web.yaml",
        "message": "container app runs privileged",
    }
    assert len(entry["fingerprint"]) == 32


def test_baselined_finding_survives_inserted_lines_and_new_ones_are_reported(repo: Path) -> None:
    assert invoke("check", "--select", "VM102", "--write-baseline", "baseline.json", "k8s").exit_code == 0
    shifted = POD.replace("metadata:\n", "metadata:\n  labels:\n    app: web\n    tier: front\n")
    (repo / "k8s" / "web.yaml").write_text(shifted + SIDECAR)
    code, data = check_json("--baseline", "baseline.json", "k8s")
    assert code == 1
    assert rows(data) == [("VM102", "k8s/web.yaml", 17)]  # the sidecar; app's finding moved from 10 to 13
    assert data["findings"][0]["message"] == "container sidecar runs privileged"
    assert data["summary"]["suppressed"] == 1
    code, data = check_json("k8s")
    assert rows(data) == [("VM102", "k8s/web.yaml", 13), ("VM102", "k8s/web.yaml", 17)]


def test_baseline_matches_from_another_working_directory(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert invoke("check", "--select", "VM102", "--write-baseline", "baseline.json", "k8s").exit_code == 0
    monkeypatch.chdir(repo / "k8s")
    code, data = check_json("--baseline", "../baseline.json", "web.yaml")
    assert (code, rows(data), data["summary"]["suppressed"]) == (0, [], 1)


def test_moved_file_and_edited_line_are_new_findings(repo: Path) -> None:
    assert invoke("check", "--select", "VM102", "--write-baseline", "baseline.json", "k8s").exit_code == 0
    (repo / "k8s" / "web.yaml").write_text(POD.replace("privileged: true", "privileged: yes"))
    assert rows(check_json("--baseline", "baseline.json", "k8s")[1]) == [("VM102", "k8s/web.yaml", 10)]
    (repo / "k8s" / "web.yaml").rename(repo / "k8s" / "app.yaml")
    (repo / "k8s" / "app.yaml").write_text(POD)
    assert rows(check_json("--baseline", "baseline.json", "k8s")[1]) == [("VM102", "k8s/app.yaml", 10)]


def test_baseline_is_a_multiset(repo: Path) -> None:
    assert invoke("check", "--select", "VM102", "--write-baseline", "baseline.json", "k8s").exit_code == 0
    (repo / "k8s" / "web.yaml").write_text(POD + "---\n" + POD)  # a second, identical finding
    code, data = check_json("--baseline", "baseline.json", "k8s")
    assert (code, rows(data), data["summary"]["suppressed"]) == (1, [("VM102", "k8s/web.yaml", 21)], 1)


def test_baselined_findings_are_external_suppressions_in_sarif(repo: Path) -> None:
    assert invoke("check", "--select", "VM102", "--write-baseline", "baseline.json", "k8s").exit_code == 0
    result = invoke("check", "--select", "VM102", "--format", "sarif", "--baseline", "baseline.json", "k8s")
    assert result.exit_code == 0
    [sarif_result] = json.loads(result.stdout)["runs"][0]["results"]
    assert sarif_result["suppressions"] == [
        {"kind": "external", "status": "accepted", "justification": "recorded in the baseline"}
    ]


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (None, "cannot read"),
        ("{", "not a JSON baseline"),
        ('{"version": 2, "findings": []}', "not a vmlint baseline"),
        ('{"version": 1, "findings": [{"policy": "VM102"}]}', "findings[0] has no fingerprint string"),
    ],
)
def test_bad_baseline_files_are_usage_errors(repo: Path, content: str | None, error: str) -> None:
    if content is not None:
        (repo / "baseline.json").write_text(content)
    result = invoke("check", "--baseline", "baseline.json", "k8s")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("vmlint: baseline error: baseline.json: ")
    assert error in result.stderr
    with pytest.raises(BaselineError):
        load_baseline(repo / "baseline.json")


def test_baseline_and_write_baseline_exclude_each_other(repo: Path) -> None:
    result = invoke("check", "--baseline", "a.json", "--write-baseline", "b.json", "k8s")
    assert result.exit_code == 2
    assert "use either --baseline or --write-baseline" in result.stderr


def test_unwritable_baseline_is_an_error(repo: Path) -> None:
    result = invoke("check", "--write-baseline", "missing/dir/b.json", "k8s")
    assert result.exit_code == 2
    assert result.stderr.startswith("vmlint: cannot write baseline missing/dir/b.json: ")


def test_fingerprint_ignores_line_numbers_and_whitespace_but_not_content() -> None:
    base = Finding(
        "a.yaml",
        10,
        7,
        "VM102",
        "privileged-container",
        "error",
        "isolation",
        "m",
        ObjectRef("kubernetes", "Pod", "web", None, "app"),
        source_line="    privileged: true",
    )
    moved = Finding(
        "a.yaml",
        30,
        9,
        "VM102",
        "privileged-container",
        "error",
        "isolation",
        "m",
        ObjectRef("kubernetes", "Pod", "web", None, "app"),
        source_line="      privileged:   true ",
    )
    other_unit = Finding(
        "a.yaml",
        10,
        7,
        "VM102",
        "privileged-container",
        "error",
        "isolation",
        "m",
        ObjectRef("kubernetes", "Pod", "web", None, "sidecar"),
        source_line="    privileged: true",
    )
    assert fingerprint(base, "a.yaml") == fingerprint(moved, "a.yaml")
    assert fingerprint(base, "a.yaml") != fingerprint(other_unit, "a.yaml")
    assert fingerprint(base, "a.yaml") != fingerprint(base, "b.yaml")


def test_baseline_text_is_sorted_and_line_free(repo: Path) -> None:
    (repo / "k8s" / "web.yaml").write_text(POD + SIDECAR)
    report = lint(["k8s"], select=["VM102"], cwd=repo)
    text = baseline_text(report, repo / "baseline.json")
    entries = json.loads(text)["findings"]
    assert [e["message"] for e in entries] == ["container app runs privileged", "container sidecar runs privileged"]
    assert "line" not in text
