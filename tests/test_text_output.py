"""The text report as a person reads it (issue 10 item 11): summary wording, object labels, --statistics,
--quiet, --color with NO_COLOR and FORCE_COLOR, and a Compose service merged from two files counted once."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from vmlint.cli import main

POD = """apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  hostPID: true
  containers:
  - name: app
    image: app:1.0
    securityContext:
      privileged: true
  - name: sidecar
    image: side:1.0
    securityContext:
      privileged: true
"""
RED = "\033[31m"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pod.yaml").write_text(POD)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    return tmp_path


def check(*args: str, env: dict[str, str] | None = None) -> Result:
    # The help: lines (tests/test_hints.py) are left out, so that these tests see the findings and the summary.
    argv = ["check", "--no-hints", "--select", "VM102,VM105", *args]
    return CliRunner(env=env).invoke(main, argv, catch_exceptions=False)


def test_summary_counts_by_severity_in_singular_and_plural(repo: Path) -> None:
    lines = check("pod.yaml").stdout.splitlines()
    assert lines[-1] == ("3 findings (3 errors) in 1 file (1 workload, 0 suppressed, 0 files skipped as not manifests)")
    (repo / "notes.yaml").write_text("title: not a manifest\n")
    lines = check("--select", "VM102", ".").stdout.splitlines()
    assert lines[-1] == "2 findings (2 errors) in 1 file (1 workload, 0 suppressed, 1 file skipped as not manifests)"


def test_object_label_does_not_repeat_the_name(repo: Path) -> None:
    (repo / "compose.yaml").write_text("services:\n  web:\n    image: nginx:1.27\n    privileged: true\n")
    out = check("--select", "VM102", "compose.yaml").stdout
    assert out.splitlines()[0] == "compose.yaml:4:17: VM102 [error] service web runs privileged (service/web)"
    assert check("--select", "VM102", "pod.yaml").stdout.splitlines()[0].endswith("(Pod/web app)")


def test_compose_service_merged_from_two_files_is_one_workload(repo: Path) -> None:
    (repo / "pod.yaml").unlink()
    (repo / "compose.yaml").write_text("services:\n  web:\n    image: nginx:1.27\n  db:\n    image: pg:16\n")
    (repo / "compose.override.yaml").write_text("services:\n  web:\n    privileged: true\n")
    lines = check("--select", "VM102", ".").stdout.splitlines()
    assert lines == [
        "compose.override.yaml:3:17: VM102 [error] service web runs privileged (service/web)",
        "1 finding (1 error) in 2 files (2 workloads, 0 suppressed, 0 files skipped as not manifests)",
    ]


def test_statistics_counts_findings_per_policy(repo: Path) -> None:
    assert check("--statistics", "pod.yaml").stdout.splitlines() == [
        "2  VM102  [error] privileged-container",
        "1  VM105  [error] host-pid",
        "3 findings (3 errors) in 1 file (1 workload, 0 suppressed, 0 files skipped as not manifests)",
    ]


def test_quiet_prints_findings_only(repo: Path) -> None:
    result = check("--quiet", "pod.yaml")
    assert result.exit_code == 1
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ["pod.yaml"] * 3
    assert check("-q", "--format", "text=out.txt", "pod.yaml").stderr == ""  # no summary on stderr either
    assert check("-q", "--select", "VM140", "pod.yaml").stdout == ""


@pytest.mark.parametrize(
    ("args", "env", "coloured"),
    [
        ([], {}, False),  # not a terminal
        (["--color", "always"], {}, True),
        (["--color", "always"], {"NO_COLOR": "1"}, True),  # the option wins over the environment
        (["--color", "never"], {"FORCE_COLOR": "1"}, False),
        ([], {"FORCE_COLOR": "1"}, True),
        ([], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
        (["--color", "auto"], {"FORCE_COLOR": ""}, False),  # empty means unset, as NO_COLOR's convention says
    ],
)
def test_color_option_and_environment(repo: Path, args: list[str], env: dict[str, str], coloured: bool) -> None:
    out = check(*args, "pod.yaml", env=env).stdout
    assert (RED in out) is coloured
    assert out.count("\033[") == (4 * 3 if coloured else 0)  # per finding: bold and reset, colour and reset


def test_color_never_reaches_report_files(repo: Path) -> None:
    check("--color", "always", "-o", "out.txt", "pod.yaml")
    assert "\033[" not in (repo / "out.txt").read_text()
