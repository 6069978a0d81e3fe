"""The posture: JSON ``posture`` section (exact counts), ``vmlint check --posture``, and how findings are attributed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from vmlint import posture
from vmlint.cli import main
from vmlint.findings import Finding, ObjectRef, Report, Summary
from vmlint.reporters.text_reporter import posture_section

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "posture"


def check(cwd: Path, *args: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(cwd)
    return CliRunner().invoke(main, ["check", *args], catch_exceptions=False)


def matrix_of(section: dict) -> dict[str, dict[str, tuple[int, int, bool]]]:
    return {
        tier: {iso: (c["workloads"], c["findings"], c["below_minimum"]) for iso, c in row.items()}
        for tier, row in section["matrix"].items()
    }


def test_fixture_set_has_the_known_tier_by_isolation_table(monkeypatch: pytest.MonkeyPatch) -> None:
    result = check(FIXTURES, "--select", "VM101", "--format", "json", ".", monkeypatch=monkeypatch)
    assert result.exit_code == 1
    section = json.loads(result.output)["posture"]
    assert section["minimum_isolation"] == {"high": "vm", "standard": "sandbox", "low": "container"}
    assert matrix_of(section) == {
        "high": {"container": (2, 2, True), "sandbox": (1, 1, True), "vm": (1, 0, False)},
        "standard": {"container": (2, 2, True), "sandbox": (1, 0, False), "vm": (0, 0, False)},
        "low": {"container": (1, 0, False), "sandbox": (0, 0, False), "vm": (0, 0, False)},
        "unset": {"container": (1, 0, False), "sandbox": (0, 0, False), "vm": (1, 0, False)},
    }
    assert section["findings"]["total"] == 5
    assert section["findings"]["by_severity"] == {"error": 5, "warning": 0, "info": 0}
    assert section["findings"]["by_family"]["isolation"] == {"error": 5, "warning": 0, "info": 0, "total": 5}
    assert section["findings"]["outside_workloads"] == 0
    assert list(section["findings"]["by_family"])[:3] == ["isolation", "resource-usage", "portability"]
    rows = [
        (w["file"], w["line"], w["kind"], w["namespace"], w["name"], w["tier"], w["isolation"], w["runtime"])
        + (w["below_minimum"], w["findings"]["total"])
        for w in section["workloads"]
    ]
    # The Service and the RuntimeClass are objects, not workloads; web (base + override) is one workload.
    assert rows == [
        ("compose/compose.yaml", 2, "service", None, "web", "high", "container", "runc", True, 1),
        ("compose/compose.yaml", 5, "service", None, "worker", "standard", "container", "runc", True, 1),
        ("compose/compose.yaml", 9, "service", None, "search", "standard", "sandbox", "runsc", False, 0),
        ("k8s/apps.yaml", 4, "Deployment", "shop", "payments", "high", "container", "runc", True, 1),
        ("k8s/apps.yaml", 19, "Deployment", "shop", "ledger", "high", "sandbox", "gvisor", True, 1),
        ("k8s/apps.yaml", 35, "Deployment", "shop", "catalog", "standard", "container", "runc", True, 1),
        ("k8s/jobs.yaml", 4, "Job", None, "report", "low", "container", "runc", False, 0),
        ("k8s/jobs.yaml", 18, "Pod", None, "debug", "unset", "container", "runc", False, 0),
        ("vm/build.xml", 1, "domain", None, "build", "unset", "vm", "kvm", False, 0),
        ("vm/erp.yaml", 4, "VirtualMachine", None, "erp", "high", "vm", "kubevirt", False, 0),
    ]
    assert set(section["workloads"][0]) == {
        "format", "kind", "name", "namespace", "file", "line", "column", "tier", "isolation", "runtime",
        "below_minimum", "findings",
    }  # fmt: skip


def test_examples_posture_exact_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    result = check(REPO, "--format", "json", "examples", monkeypatch=monkeypatch)
    data = json.loads(result.output)
    section = data["posture"]
    assert section["minimum_isolation"] == {"high": "sandbox", "standard": "container", "low": "container"}
    assert matrix_of(section) == {
        "high": {"container": (2, 40, True), "sandbox": (0, 0, False), "vm": (1, 8, False)},
        "standard": {"container": (1, 0, False), "sandbox": (0, 0, False), "vm": (0, 0, False)},
        "low": {"container": (0, 0, False), "sandbox": (0, 0, False), "vm": (0, 0, False)},
        "unset": {"container": (2, 28, False), "sandbox": (0, 0, False), "vm": (2, 8, False)},
    }
    families = {name: counts["total"] for name, counts in section["findings"]["by_family"].items() if counts["total"]}
    assert families == {
        "isolation": 32,
        "resource-usage": 14,
        "portability": 7,
        "scalability": 1,
        "security": 11,
        "management": 14,
        "storage": 2,
        "backup": 1,
        "workflow": 2,
    }
    assert section["findings"]["by_severity"] == {"error": 16, "warning": 58, "info": 10}
    assert section["findings"]["total"] == len(data["findings"]) == 84
    assert [(w["name"], w["findings"]["error"], w["findings"]["total"]) for w in section["workloads"]] == [
        ("web", 2, 15),
        ("db", 0, 12),
        ("monitor", 3, 16),
        ("payments", 5, 25),
        ("storefront", 0, 0),
        ("legacy-erp", 1, 8),
        ("build-agent", 3, 4),
        ("ubuntu", 2, 4),
    ]


def test_posture_counts_what_is_reported_after_a_baseline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    check(FIXTURES, "--select", "VM101", "--write-baseline", str(baseline), ".", monkeypatch=monkeypatch)
    result = check(
        FIXTURES, "--select", "VM101", "--baseline", str(baseline), "--format", "json", ".", monkeypatch=monkeypatch
    )
    section = json.loads(result.output)["posture"]
    assert section["findings"]["total"] == 0
    assert matrix_of(section)["high"]["container"] == (2, 0, True)


def test_check_posture_prints_the_matrix_and_families(monkeypatch: pytest.MonkeyPatch) -> None:
    result = check(FIXTURES, "--select", "VM101", "--posture", ".", monkeypatch=monkeypatch)
    lines = result.output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("posture:"))
    assert lines[start:] == [
        "posture: 10 workloads by tier and isolation, 5 findings",
        "  tier        container    sandbox         vm   least isolation",
        "  high               2*         1*         1    vm",
        "  standard           2*         1          0    sandbox",
        "  low                1          0          0    container",
        "  unset              1          0          1    -",
        "  * less isolation than the tier's least isolation (VM101 options)",
        "  family              error  warning     info    total",
        "  isolation               5        0        0        5",
    ]
    assert "\033[" not in result.output


def test_check_posture_goes_to_stderr_beside_a_machine_format(monkeypatch: pytest.MonkeyPatch) -> None:
    result = check(FIXTURES, "--select", "VM101", "--posture", "--format", "json", ".", monkeypatch=monkeypatch)
    assert json.loads(result.stdout)["posture"]["findings"]["total"] == 5
    assert result.stderr.startswith("posture: 10 workloads by tier and isolation, 5 findings\n")


def test_posture_section_is_coloured_only_when_asked() -> None:
    finding = Finding("a.yaml", 3, 1, "VM101", "tier-isolation-mismatch", "error", "isolation", "m")
    report = Report((finding,), (), Summary(findings=1), minimum_isolation={"high": "sandbox"})
    assert "\033[31m" in posture_section(report, color=True)
    assert "\033[" not in posture_section(report, color=False)


def test_findings_without_a_known_workload_count_outside_workloads() -> None:
    on_object = Finding("s.yaml", 5, 3, "VM605", "node-port-service", "warning", "security", "m", ObjectRef(
        "kubernetes", "Service", "web", "prod"
    ))  # fmt: skip
    syntax = Finding("b.yaml", 1, 1, "VM001", "syntax-error", "error", "input", "m")
    view = posture.of(Report((syntax, on_object), (), Summary(findings=2)))
    assert view.workloads == ()
    assert view.outside_workloads == 2
    assert view.owner == (None, None)
    assert (view.families["input"].error, view.families["security"].warning) == (1, 1)
    assert all(c.workloads == 0 and not c.below_minimum for c in view.cells)


def test_unknown_minimum_values_are_not_used_for_marking() -> None:
    from tests.helpers import POLICIES
    from vmlint.engine import catalog

    minimum = posture.minimum_isolation(catalog(POLICIES), {"VM101": {"high": "VM", "low": "sandbox"}})
    assert minimum == {"standard": "container", "low": "sandbox"}


def test_excerpts_are_bounded_per_file() -> None:
    text = "\n".join(f"line {n} " + "x" * 300 for n in range(1, 201))
    findings = [Finding("a.yaml", n, 1, "VM102", "p", "error", "isolation", "m") for n in (1, 1, *range(3, 200, 2))]
    kept = posture.excerpts(findings, {"a.yaml": text, "other.yaml": "unused"})
    lines = kept["a.yaml"]
    # 50 distinct finding lines (1, 3, ..., 99), each with two lines either side, cut to 200 characters.
    assert sorted(lines) == list(range(1, 102))
    assert {len(t) for t in lines.values()} == {200}
    assert list(kept) == ["a.yaml"]
    report = Report(tuple(findings), (), Summary(findings=len(findings)), excerpts=kept)
    assert [n for n, _ in posture.excerpt(report, findings[0])] == [1, 2, 3]
    late = Finding("a.yaml", 199, 1, "VM102", "p", "error", "isolation", "m", source_line="line 199")
    assert posture.excerpt(report, late) == [(199, "line 199")]


def _on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    done = subprocess.run(
        [sys.executable, "-m", "vmlint", "check", *args],
        cwd=FIXTURES,
        stdout=follower,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal's other end is closed: all read
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert done.returncode == 1
    return b"".join(chunks).decode()


def test_check_posture_is_coloured_on_a_terminal_unless_no_color() -> None:
    import os

    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    coloured = _on_a_terminal(["--select", "VM101", "--posture", "."], env)
    assert "\033[31m\033[1m2*\033[0m" in coloured
    plain = _on_a_terminal(["--select", "VM101", "--posture", "."], {**env, "NO_COLOR": "1"})
    assert "\033[" not in plain
    assert "  high               2*         1*         1    vm" in plain.replace("\r\n", "\n")
