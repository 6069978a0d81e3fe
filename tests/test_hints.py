"""Fix hints in the text report and messages that say what would be right (issue 10 item 7)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from vmlint.cli import main

POD = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: app
        image: app:1.0
        securityContext:
          privileged: true
"""
COMPOSE = 'services:\n  web:\n    image: web:1.2\n    ports: ["8080:80", "9000"]\n'


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "web.yaml").write_text(POD)
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(*args: str) -> Result:
    return CliRunner().invoke(main, ["check", *args], catch_exceptions=False)


def test_text_report_ends_with_one_fix_hint_per_policy_naming_explain(repo: Path) -> None:
    lines = check("--select", "VM102,VM501", "web.yaml").stdout.splitlines()
    assert lines[2:] == [
        "help: VM102 privileged-container: Remove `privileged: true`; add only the capabilities the process needs, "
        "or run it in a VM. (vmlint explain VM102)",
        "help: VM501 single-replica: Set `replicas` to at least 2 (with a PodDisruptionBudget), or manage the "
        "workload with a HorizontalPodAutoscaler whose minReplicas is at least 2. (vmlint explain VM501)",
        "2 findings (1 error, 1 warning) in 1 file (1 workload, 0 suppressed, 0 files skipped as not manifests)",
    ]


def test_no_hints_and_quiet_leave_them_out(repo: Path) -> None:
    assert "help:" not in check("--no-hints", "--select", "VM102", "web.yaml").stdout
    assert "help:" not in check("--quiet", "--select", "VM102", "web.yaml").stdout
    assert "help:" not in check("--format", "json", "--select", "VM102", "web.yaml").stdout


@pytest.mark.parametrize(
    ("policy", "file", "message"),
    [
        (
            "VM501",
            "web.yaml",
            "Deployment web runs 1 replica; set replicas: 2 or more (or autoscale it) so that one restart or node "
            "drain does not take it down (Deployment/web)",
        ),
        (
            "VM115",
            "web.yaml",
            "container app: seccomp profile is not set; set seccompProfile.type: RuntimeDefault (or Localhost) "
            "(Deployment/web app)",
        ),
        (
            "VM117",
            "web.yaml",
            "container app: AppArmor profile is not set; set appArmorProfile.type: RuntimeDefault (or Localhost) "
            "(Deployment/web app)",
        ),
        (
            "VM630",
            "compose.yaml",
            "port 8080:80 is published on all host interfaces; bind it to one address, as in 127.0.0.1:8080:80 "
            "(service/web)",
        ),
    ],
)
def test_messages_say_what_would_be_right(repo: Path, policy: str, file: str, message: str) -> None:
    first = check("--no-hints", "--select", policy, file).stdout.splitlines()[0]
    assert first.split(f" {policy} ", 1)[1].split("] ", 1)[1] == message


def test_a_bare_container_port_names_an_example_address(repo: Path) -> None:
    lines = check("--no-hints", "--select", "VM630", "compose.yaml").stdout.splitlines()
    assert lines[1].endswith(
        "port 9000 is published on all host interfaces; bind it to one address, as in 127.0.0.1:9000:9000 (service/web)"
    )
