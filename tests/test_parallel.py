"""The forked worker path gives byte-for-byte the same report as one process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import REPO, SHARED
from vmlint.cli import main
from vmlint.engine import PARALLEL_MIN_FILES, _worker_count


def _report(target: Path, jobs: int, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.chdir(target.parent)
    args = ["check", target.name, "--format", "json", "--fail-on", "never", "--jobs", str(jobs)]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    return result.exit_code, result.output


def test_jobs_2_equals_jobs_1_on_the_policy_fixtures(monkeypatch: pytest.MonkeyPatch) -> None:
    target = REPO / "tests" / "policies"
    serial = _report(target, 1, monkeypatch)
    parallel = _report(target, 2, monkeypatch)
    assert parallel == serial
    data = json.loads(serial[1])
    assert data["summary"]["findings"] > 10 and not data["errors"]


@pytest.mark.corpus
def test_automatic_workers_equal_jobs_1_on_the_real_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    target = SHARED / "corpus" / "real" / "k8s"
    serial = _report(target, 1, monkeypatch)
    assert _report(target, 0, monkeypatch) == serial
    assert _report(target, 2, monkeypatch) == serial


def test_worker_count() -> None:
    assert _worker_count(3, 1) == 1  # never more workers than files
    assert _worker_count(2, 100) == 2
    assert _worker_count(0, PARALLEL_MIN_FILES - 1) == 1  # small runs (pre-commit) stay in one process


def test_stdin_beside_many_files_is_read_once_under_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO / "tests")
    manifest = (REPO / "examples" / "k8s" / "payments.yaml").read_text()
    outputs = []
    for jobs in ("1", "2"):
        args = ["check", "-", "policies", "--format", "json", "--fail-on", "never", "--jobs", jobs]
        result = CliRunner().invoke(main, [*args, "--stdin-filename", "piped.yaml"], input=manifest)
        outputs.append(result.output)
    assert outputs[0] == outputs[1]
    assert any(f["file"] == "piped.yaml" for f in json.loads(outputs[1])["findings"])
