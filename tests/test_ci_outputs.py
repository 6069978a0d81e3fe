"""Reports for CI through the CLI: output paths checked first, several --format in one run, JUnit and SARIF as CI
systems read them (issue 10, items 6 and 8)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.conftest import SHARED
from tests.junit_schema import junit_errors
from vmlint.cli import main
from vmlint.reporters import sarif

POD = """apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: prod
spec:
  containers:
  - name: nginx
    image: nginx:1.27
    securityContext:
      privileged: true
"""
SELECT = "VM102,VM301,VM303"  # error, warning, info
POD_WITH_LEVELS = POD.replace("image: nginx:1.27", "image: nginx").replace(
    "  containers:", "  volumes:\n  - name: logs\n    hostPath: {path: /srv/logs}\n  containers:"
)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "web.yaml").write_text(POD_WITH_LEVELS)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sarif, "POLICY_DOCS_URI", "https://example.org/vmlint/policies")
    return tmp_path


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, ["check", "--select", SELECT, *args], catch_exceptions=False)


# Item 6: the output path is checked before anything is linted.


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "/nonexistent/dir/out.txt"], "-o: cannot write the report to /nonexistent/dir/out.txt: the directory "),
        (["-o", "k8s"], "-o: cannot write the report to k8s: it is a directory"),
        (
            ["--format", "sarif=k8s/web.yaml/x.sarif"],
            "--format sarif: cannot write the report to k8s/web.yaml/x.sarif: k8s/web.yaml is not a directory",
        ),
    ],
)
def test_unwritable_output_is_a_usage_error_before_linting(
    repo: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    linted: list[object] = []
    monkeypatch.setattr("vmlint.cli.Engine.lint", lambda *a, **k: linted.append(a))
    result = invoke(*args, "k8s")
    assert result.exit_code == 2
    assert f"Error: {message}" in result.stderr
    assert "internal error" not in result.output
    assert linted == []


# Item 8: several reports in one run.


def test_several_formats_in_one_run(repo: Path) -> None:
    result = invoke("--format", "text", "--format", "sarif=out/vmlint.sarif", "--format", "junit=junit.xml", "k8s")
    assert result.exit_code == 2  # out/ does not exist: nothing is linted
    (repo / "out").mkdir()
    result = invoke("--format", "text", "--format", "sarif=out/vmlint.sarif", "--format", "junit=junit.xml", "k8s")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("k8s/web.yaml:9:22: VM303 [info] ")
    assert lines[-1].startswith("3 findings (1 error, 1 warning, 1 info) in 1 file ")
    assert result.stderr == ""  # the text report on stdout has the summary
    results = json.loads((repo / "out" / "vmlint.sarif").read_text())["runs"][0]["results"]
    assert sorted(r["ruleId"] for r in results) == ["VM102", "VM301", "VM303"]
    assert junit_errors((repo / "junit.xml").read_text()) == [[]]


def test_bare_format_goes_to_output_file_and_summary_to_stderr(repo: Path) -> None:
    result = invoke("--format", "json", "--format", "junit=junit.xml", "-o", "report.json", "k8s")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "vmlint: 3 findings (1 error, 1 warning, 1 info) in 1 file "
        "(1 workload, 0 suppressed, 0 files skipped as not manifests)\n"
    )
    assert len(json.loads((repo / "report.json").read_text())["findings"]) == 3
    assert (repo / "junit.xml").read_text().startswith("<?xml")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "text", "--format", "json"], "--format: text and json would both go to stdout"),
        (["--format", "sarif", "--format", "sarif"], "--format: sarif and sarif would both go to stdout"),
        (["--format", "json", "-o", "a", "--format", "html"], "--format: json and html would both go to a"),
        (["--format", "sarif=a.x", "--format", "junit=./a.x"], "--format: sarif and junit would both be written to"),
        (["--format", "yaml"], "--format: unknown format 'yaml' (formats: github, html, json, junit, sarif, text)"),
        (["--format", "sarif="], "--format sarif=: the file after '=' is missing"),
        (["--format", "sarif=x.sarif", "-o", "y"], "-o y: every --format names its own file, so -o would stay empty"),
    ],
)
def test_format_combinations_that_would_drop_a_report_are_usage_errors(
    repo: Path, args: list[str], message: str
) -> None:
    result = invoke(*args, "k8s")
    assert result.exit_code == 2
    assert f"Error: {message}" in result.stderr


def _junit(repo: Path, *args: str) -> ET.Element:
    return ET.fromstring(invoke("--format", "junit", *args, "k8s").stdout)


def test_junit_fails_only_at_or_above_fail_on_and_names_cases_by_object(repo: Path) -> None:
    text = invoke("--format", "junit", "--fail-on", "error", "k8s").stdout
    assert junit_errors(text) == [[]]
    root = ET.fromstring(text)
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert sorted(cases) == [
        "VM102 privileged-container Pod/prod/web nginx",
        "VM301 image-tag-mutable Pod/prod/web nginx",
        "VM303 host-path-volume Pod/prod/web",
    ]
    assert {c.get("classname") for c in cases.values()} == {"k8s/web.yaml"}
    failing = {name for name, case in cases.items() if case.find("failure") is not None}
    assert failing == {"VM102 privileged-container Pod/prod/web nginx"}
    passing = cases["VM301 image-tag-mutable Pod/prod/web nginx"]
    assert (passing.findtext("system-out") or "").startswith("k8s/web.yaml:12:12: VM301 [warning] ")
    assert root.get("failures") == "1"
    assert _junit(repo, "--fail-on", "info").get("failures") == "3"
    assert _junit(repo, "--fail-on", "never").get("failures") == "0"


def test_junit_case_names_survive_a_line_shift(repo: Path) -> None:
    before = sorted(c.get("name") or "" for c in _junit(repo).iter("testcase"))
    (repo / "k8s" / "web.yaml").write_text("# a comment\n# another\n" + POD_WITH_LEVELS)
    after = sorted(c.get("name") or "" for c in _junit(repo).iter("testcase"))
    assert before == after


def test_sarif_security_rules_help_and_repository_relative_uris(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "sub").mkdir()
    monkeypatch.chdir(repo / "sub")  # linting ../k8s from a subdirectory
    result = invoke("--format", "sarif", "../k8s")
    run = json.loads(result.stdout)["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["VM102"]["properties"]["tags"] == ["isolation", "security"]
    assert rules["VM102"]["properties"]["security-severity"] == "8.0"
    assert rules["VM102"]["helpUri"] == "https://example.org/vmlint/policies#vm102"
    assert rules["VM301"]["properties"]["tags"] == ["portability"]
    assert "security-severity" not in rules["VM301"]["properties"]
    locations = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert locations == {"k8s/web.yaml"}
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] for r in run["results"]} == {
        "%SRCROOT%"
    }


def test_sarif_security_severity_follows_configured_severity(repo: Path) -> None:
    (repo / ".vmlint.yaml").write_text("severity: {VM102: warning}\n")
    run = json.loads(invoke("--format", "sarif", "k8s").stdout)["runs"][0]
    vm102 = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "VM102")
    assert vm102["properties"]["security-severity"] == "5.5"
    assert vm102["defaultConfiguration"] == {"level": "warning"}


@pytest.mark.corpus
def test_sarif_of_a_multi_format_run_is_valid_against_the_official_schema(repo: Path) -> None:
    from jsonschema.validators import validator_for
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    schema = json.loads((SHARED / "reference" / "sarif-schema-2.1.0.json").read_text())
    registry = Registry().with_resource(schema["id"], Resource.from_contents(schema, default_specification=DRAFT4))
    validator = validator_for(schema)(schema, registry=registry)
    invoke("--format", "text", "--format", "sarif=vmlint.sarif", "k8s")
    document = json.loads((repo / "vmlint.sarif").read_text())
    assert [e.message for e in validator.iter_errors(document)] == []


def test_junit_xsd_accepts_the_golden_report_and_rejects_a_malformed_one() -> None:
    golden = (Path(__file__).parent / "golden" / "report.junit.xml").read_text()
    malformed = '<testsuites><testsuite name="x"><testcase><failure/><bogus/></testcase></testsuite></testsuites>'
    valid, invalid = junit_errors(golden, malformed)
    assert valid == []
    assert invalid  # testsuite without tests, testcase without name, an unknown element
