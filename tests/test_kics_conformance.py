"""Agreement with KICS's own labelled Kubernetes cases, and a clean run over the real Kubernetes corpus.

Every KICS query a policy declares in ``related.kics`` must agree with KICS on all of its positive and negative
test cases (../shared/conformance/agreement.py prints one row per query).
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys

import pytest

from tests.conftest import REPO, SHARED

AGREEMENT = SHARED / "conformance" / "agreement.py"
KICS_K8S = SHARED / "corpus" / "conformance" / "kics" / "k8s"
REAL_K8S = SHARED / "corpus" / "real" / "k8s"
VMLINT = f"{shlex.quote(sys.executable)} -m vmlint"
MAPPED_AT_LEAST = 60
ROW = re.compile(r"^(ok |BAD)\s+(\d+)/(\d+)\s+(.+)$")
LAST = re.compile(r"^agreement: (\d+)/(\d+) \([\d.]+%\), checks mapped: (\d+)/(\d+), lines: (\d+)/(\d+)$")
PARSE_ERRORS = {"VM001", "VM005", "VM006", "VM008"}


@pytest.mark.corpus
def test_every_mapped_kics_query_agrees_on_all_its_cases() -> None:
    done = subprocess.run(
        [sys.executable, str(AGREEMENT), "kics", str(KICS_K8S), "--vmlint", VMLINT],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    rows = [match.groups() for match in map(ROW.match, lines) if match]
    bad = [f"{name}: {ok}/{total}" for status, ok, total, name in rows if status != "ok "]
    assert not bad, f"queries where vmlint and KICS disagree: {bad}"
    last = LAST.match(lines[-1])
    assert last, lines[-1]
    agree, cases, mapped = int(last[1]), int(last[2]), int(last[3])
    assert agree == cases
    assert mapped == len(rows) >= MAPPED_AT_LEAST


@pytest.mark.corpus
def test_real_kubernetes_corpus_lints_without_internal_or_parse_errors() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "vmlint", "check", str(REAL_K8S), "--format", "json", "--fail-on", "never"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["errors"] == []
    assert [f for f in report["findings"] if f["policy"] in PARSE_ERRORS] == []
    assert report["summary"]["workloads"] > 200
