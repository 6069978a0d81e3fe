"""Suppressions as a user writes them (issue 10 items 2 and 9): vmlint.io/ignore on a workload and its pod template
both count; a bare or unknown suppression is a warning (VM040); a suppression that suppresses nothing is VM009,
off unless selected; ids and names in any case."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from vmlint.cli import main

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: agent
  annotations:
    vmlint.io/ignore: "VM105"
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata:
      labels: {app: agent}
      annotations:
        vmlint.io/ignore: "VM102"
    spec:
      hostPID: true
      containers:
      - name: agent
        image: agent:1.0
        securityContext:
          privileged: true
"""
POD = """apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: app
    image: app:1.0
    securityContext:
      privileged: true{comment}
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(*args: str) -> Result:
    return CliRunner().invoke(main, ["check", "--format", "json", *args], catch_exceptions=False)


def rows(result: Result) -> list[tuple[str, int, int, str]]:
    return [(f["policy"], f["line"], f["column"], f["message"]) for f in json.loads(result.stdout)["findings"]]


def test_ignore_on_the_workload_and_on_its_pod_template_both_count(repo: Path) -> None:
    (repo / "agent.yaml").write_text(DEPLOYMENT)
    result = check("--select", "VM102,VM105", "agent.yaml")
    assert rows(result) == []
    assert json.loads(result.stdout)["summary"]["suppressed"] == 2


def test_bare_suppression_comment_is_a_warning_and_suppresses_nothing(repo: Path) -> None:
    (repo / "pod.yaml").write_text(POD.format(comment="  # vmlint: ignore"))
    result = check("--select", "VM102,VM040", "pod.yaml")
    assert rows(result) == [
        ("VM102", 10, 19, "container app runs privileged"),
        (
            "VM040",
            10,
            25,
            "the suppression comment names no policy, so it suppresses nothing: name the policies, as in "
            "`# vmlint: ignore[VM102] reason`",
        ),
    ]
    assert result.exit_code == 1


@pytest.mark.parametrize(
    ("comment", "message"),
    [
        ("  # vmlint: ignore[VM999] wrong id", "the suppression comment: unknown policy id VM999"),
        (
            "  # vmlint: ignore[privileged-contaner]",
            "the suppression comment: unknown policy 'privileged-contaner' (did you mean privileged-container?)",
        ),
        ("  # vmlint: ignore[]", "the suppression comment names no policy, so it suppresses nothing: name the"),
    ],
)
def test_unknown_policy_in_a_comment_is_a_warning(repo: Path, comment: str, message: str) -> None:
    (repo / "pod.yaml").write_text(POD.format(comment=comment))
    found = rows(check("--select", "VM102,VM040", "pod.yaml"))
    assert [f[0] for f in found] == ["VM102", "VM040"]
    assert found[1][3].startswith(message)


def test_unknown_policy_in_an_annotation_is_a_warning_at_the_annotation(repo: Path) -> None:
    (repo / "agent.yaml").write_text(DEPLOYMENT.replace('"VM105"', '"VM105,VM-105"'))
    found = rows(check("--select", "VM102,VM105,VM040", "agent.yaml"))
    assert found == [("VM040", 6, 23, "vmlint.io/ignore: unknown policy 'VM-105' (did you mean VM105?)")]


def test_ids_and_names_in_any_case_suppress(repo: Path) -> None:
    for comment in ("  # vmlint: ignore[vm102]", "  # vmlint: ignore[Privileged-Container] reason"):
        (repo / "pod.yaml").write_text(POD.format(comment=comment))
        result = check("--select", "VM102,VM040", "pod.yaml")
        assert rows(result) == [], comment
    (repo / "agent.yaml").write_text(DEPLOYMENT.replace('"VM105"', '"host-pid"').replace('"VM102"', '"vm102"'))
    assert rows(check("--select", "VM102,VM105,VM040", "agent.yaml")) == []


def test_unused_suppression_is_off_unless_selected(repo: Path) -> None:
    clean = POD.format(comment="").replace("privileged: true", "privileged: false  # vmlint: ignore[VM102] old")
    (repo / "pod.yaml").write_text(clean)
    assert rows(check("--select", "VM102", "pod.yaml")) == []
    assert rows(check("pod.yaml")) == [r for r in rows(check("pod.yaml")) if r[0] != "VM009"]  # not on by default
    unused = (
        "VM009",
        10,
        26,
        "the suppression comment names VM102, but no VM102 finding on this line or the next is suppressed; remove it",
    )
    assert rows(check("--select", "VM102,VM009", "pod.yaml")) == [unused]
    assert unused in rows(check("--select", "ALL", "pod.yaml"))
    # A policy that did not run cannot be judged: no VM009 for it.
    assert rows(check("--select", "VM105,VM009", "pod.yaml")) == []


def test_unused_annotation_entry_is_reported_when_selected(repo: Path) -> None:
    (repo / "agent.yaml").write_text(DEPLOYMENT.replace("hostPID: true", "hostPID: false"))
    assert rows(check("--select", "VM102,VM105,VM009", "agent.yaml")) == [
        (
            "VM009",
            6,
            23,
            "vmlint.io/ignore names VM105, but no VM105 finding of this workload is suppressed; remove it",
        )
    ]
