"""The CI-facing reporters (SARIF, JUnit, GitHub, HTML): golden outputs, schema shape, escaping, CLI.

Golden files in tests/golden/ hold each reporter's output for the fixed report of
tests/golden/input; ``pytest --update-golden`` rewrites them for review.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import SHARED
from tests.helpers import lint
from vmlint import __version__
from vmlint.cli import main
from vmlint.findings import Finding, InternalError, Report, Summary
from vmlint.reporters import REPORTERS, github, sarif

GOLDEN = Path(__file__).parent / "golden"
SELECT = ["VM001", "VM102", "VM105", "VM301", "VM303"]
GOLDEN_FILES = {
    "sarif": "report.sarif",
    "junit": "report.junit.xml",
    "github": "report.github.txt",
    "html": "report.html",
}
ODD_NAME = 'app,<b>&"x":50%\nz'  # the container name in tests/golden/input/k8s/web.yaml


@pytest.fixture(autouse=True)
def fixed_homepage(monkeypatch: pytest.MonkeyPatch) -> None:
    """SARIF's informationUri comes from package metadata; fix it so outputs do not depend on the install."""
    monkeypatch.setattr(sarif, "INFORMATION_URI", "https://example.org/vmlint")
    monkeypatch.setattr(sarif, "POLICY_DOCS_URI", "https://example.org/vmlint/policies")


def golden_report() -> Report:
    """Four findings (error, warning, info; one without a workload), two suppressions, one internal error."""
    report = lint(["."], select=SELECT, cwd=GOLDEN / "input")
    error = InternalError("k8s/web.yaml", "VM999 failed on Pod/web: ValueError: boom", "VM999")
    return replace(report, errors=(error,))


def render(fmt: str, report: Report) -> str:
    return REPORTERS[fmt](report, False)


def test_golden_report_is_what_the_goldens_show() -> None:
    report = golden_report()
    assert [(f.policy, f.file, f.line, f.column) for f in report.findings] == [
        ("VM001", "broken.yaml", 3, 21),
        ("VM301", "k8s/web.yaml", 9, 12),
        ("VM102", "k8s/web.yaml", 11, 19),
        ("VM303", "k8s/web.yaml", 20, 13),
    ]
    assert [(s.finding.policy, s.finding.line, s.via, s.justification) for s in report.suppressions] == [
        ("VM105", 14, "annotation", "vmlint.io/ignore annotation"),
        ("VM102", 16, "comment", "needs iptables for the mesh"),
    ]
    assert report.summary.suppressed == 2


@pytest.mark.parametrize("fmt", sorted(GOLDEN_FILES))
def test_golden_output(fmt: str, update_golden: bool) -> None:
    got = render(fmt, golden_report()).replace(__version__, "{version}")
    path = GOLDEN / GOLDEN_FILES[fmt]
    if update_golden:
        path.write_text(got, encoding="utf-8")
    assert got == path.read_text(encoding="utf-8")


# SARIF


def test_sarif_rules_results_and_suppressions() -> None:
    run = json.loads(render("sarif", golden_report()))["runs"][0]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"], driver["informationUri"]) == (
        "vmlint",
        __version__,
        "https://example.org/vmlint",
    )
    assert [r["id"] for r in driver["rules"]] == ["VM001", "VM102", "VM105", "VM301", "VM303"]
    vm102 = driver["rules"][1]
    assert vm102["name"] == "privileged-container"
    assert vm102["shortDescription"]["text"].startswith("A container runs privileged")
    assert vm102["defaultConfiguration"] == {"level": "error"}
    assert vm102["properties"]["tags"] == ["isolation", "security"]
    assert vm102["properties"]["security-severity"] == "8.0"
    assert vm102["helpUri"] == "https://example.org/vmlint/policies#vm102"
    vm301 = driver["rules"][3]
    assert vm301["properties"]["tags"] == ["portability"]
    assert "security-severity" not in vm301["properties"]
    assert vm102["properties"]["related"]["trivy"] == ["KSV-0017"]
    results = run["results"]
    assert [(r["ruleId"], r["level"], r["locations"][0]["physicalLocation"]["region"]) for r in results] == [
        ("VM001", "error", {"startLine": 3, "startColumn": 21}),
        ("VM105", "error", {"startLine": 14, "startColumn": 16}),
        ("VM301", "warning", {"startLine": 9, "startColumn": 12}),
        ("VM102", "error", {"startLine": 11, "startColumn": 19}),
        ("VM102", "error", {"startLine": 16, "startColumn": 19}),
        ("VM303", "note", {"startLine": 20, "startColumn": 13}),
    ]
    assert all(driver["rules"][r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    assert results[3]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "k8s/web.yaml",
        "uriBaseId": "%SRCROOT%",
    }
    assert results[3]["message"]["text"] == f"container {ODD_NAME} runs privileged (Pod/prod/web {ODD_NAME})"
    assert "suppressions" not in results[3]
    assert results[1]["suppressions"] == [
        {"kind": "inSource", "status": "accepted", "justification": "vmlint.io/ignore annotation"}
    ]
    assert results[4]["suppressions"] == [
        {"kind": "inSource", "status": "accepted", "justification": "needs iptables for the mesh"}
    ]
    fingerprints = [r["partialFingerprints"]["vmlint/v1"] for r in results]
    assert len(set(fingerprints)) == len(fingerprints)
    assert run["invocations"][0]["executionSuccessful"] is False
    assert run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"] == (
        "VM999 failed on Pod/web: ValueError: boom"
    )


def test_sarif_fingerprints_survive_inserted_lines(tmp_path: Path) -> None:
    source = (GOLDEN / "input" / "k8s" / "web.yaml").read_text()
    (tmp_path / "web.yaml").write_text(source)
    before = json.loads(render("sarif", lint(["web.yaml"], select=SELECT, cwd=tmp_path)))["runs"][0]["results"]
    (tmp_path / "web.yaml").write_text("# a comment\n# another\n" + source)
    after = json.loads(render("sarif", lint(["web.yaml"], select=SELECT, cwd=tmp_path)))["runs"][0]["results"]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in after] == [
        r["locations"][0]["physicalLocation"]["region"]["startLine"] + 2 for r in before
    ]
    assert [r["partialFingerprints"] for r in after] == [r["partialFingerprints"] for r in before]


def test_sarif_fingerprints_count_identical_findings() -> None:
    same = [Finding("a.yaml", 24, 5, "VM451", "n", "warning", "hardware", "pci device", source_line="    <hostdev>")]
    report = Report((*same, replace(same[0], line=30)), (), Summary(findings=2))
    results = json.loads(render("sarif", report))["runs"][0]["results"]
    first, second = (r["partialFingerprints"]["vmlint/v1"] for r in results)
    assert (first[-2:], second[-2:]) == (":1", ":2")
    assert first[:-2] == second[:-2]


def test_sarif_absolute_and_odd_paths() -> None:
    assert sarif.artifact_location("/srv/a b.yaml") == {"uri": "file:///srv/a%20b.yaml"}
    assert sarif.artifact_location("k8s/a#b.yaml") == {"uri": "k8s/a%23b.yaml", "uriBaseId": "%SRCROOT%"}


def test_sarif_of_an_empty_run_has_no_rules_or_results() -> None:
    run = json.loads(render("sarif", Report((), (), Summary())))["runs"][0]
    assert run["tool"]["driver"]["rules"] == []
    assert run["results"] == []
    assert run["invocations"][0]["executionSuccessful"] is True


@pytest.mark.corpus
def test_sarif_is_valid_against_the_official_schema() -> None:
    from jsonschema.validators import validator_for
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    schema = json.loads((SHARED / "reference" / "sarif-schema-2.1.0.json").read_text())
    # The schema names itself by "id"; registering it under that id (and the draft-04 metaschema being
    # built in) keeps every reference local: a registry without a retriever never fetches.
    registry = Registry().with_resource(schema["id"], Resource.from_contents(schema, default_specification=DRAFT4))
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema, registry=registry)
    for report in (golden_report(), Report((), (), Summary())):
        document = json.loads(render("sarif", report))
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
        assert [f"{list(e.absolute_path)}: {e.message}" for e in errors] == []
    broken = json.loads(render("sarif", golden_report()))
    broken["runs"][0]["results"][0]["level"] = "fatal"
    assert not validator.is_valid(broken)


# JUnit

# Element -> (required attributes, allowed attributes), after the Jenkins xunit plugin's junit-10.xsd,
# which GitLab's and Jenkins' JUnit readers accept.
JUNIT_SHAPE = {
    "testsuites": (set(), {"name", "time", "tests", "failures", "errors"}),
    "testsuite": (
        {"name", "tests", "failures", "errors"},
        {"name", "tests", "failures", "errors", "group", "time", "skipped", "timestamp", "hostname", "id", "package"}
        | {"file", "log", "url"},
    ),
    "testcase": ({"name"}, {"name", "time", "classname", "group"}),
    "failure": (set(), {"type", "message"}),
    "error": (set(), {"type", "message"}),
    "skipped": (set(), {"type", "message"}),
    "system-out": (set(), set()),
}
JUNIT_CHILDREN = {
    "testsuites": {"testsuite"},
    "testsuite": {"testsuite", "properties", "testcase", "system-out", "system-err"},
    "testcase": {"skipped", "error", "failure", "system-out", "system-err"},
    "failure": set(),
    "error": set(),
    "skipped": set(),
    "system-out": set(),
}


def assert_junit_shape(element: ET.Element) -> None:
    required, allowed = JUNIT_SHAPE[element.tag]
    assert required <= set(element.attrib), (element.tag, element.attrib)
    assert set(element.attrib) <= allowed, (element.tag, element.attrib)
    for child in element:
        assert child.tag in JUNIT_CHILDREN[element.tag], (element.tag, child.tag)
        assert_junit_shape(child)


def test_junit_shape_counts_and_escaping() -> None:
    root = ET.fromstring(render("junit", golden_report()))
    assert root.tag == "testsuites"
    assert_junit_shape(root)
    suites = {s.get("name"): s for s in root}
    assert list(suites) == ["broken.yaml", "k8s/agent.yaml", "k8s/web.yaml"]
    web = suites["k8s/web.yaml"]
    assert {k: web.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "5",
        "failures": "2",  # the info finding (VM303) is below the default --fail-on warning: a passing testcase
        "errors": "1",
        "skipped": "1",
    }
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("7", "3", "1")
    # One line each: the newline in the container name is an escape (issue 9), so no report line is forged.
    odd = ODD_NAME.replace("\n", "\\x0a")
    privileged = web.find(f"testcase[@name='VM102 privileged-container Pod/prod/web {odd}']")
    assert privileged is not None
    failure = privileged.find("failure")
    assert failure is not None
    assert failure.get("message") == f"container {odd} runs privileged"
    assert failure.get("type") == "error"
    assert (failure.text or "").startswith(f"k8s/web.yaml:11:19: VM102 [error] container {odd} runs privileged")
    skipped = web.find("testcase/skipped")
    assert skipped is not None
    assert skipped.get("message") == "suppressed (comment): needs iptables for the mesh"


def test_junit_replaces_characters_xml_cannot_carry() -> None:
    finding = Finding("a\udcff.yaml", 1, 1, "VM001", "syntax-error", "error", "input", "bad \x07 byte")
    report = Report((finding,), (), Summary(findings=1))
    root = ET.fromstring(render("junit", report))
    case = root.find("testsuite/testcase")
    assert case is not None
    assert case.get("classname") == "a\\xdcff.yaml"
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("message") == "bad \\x07 byte"


def test_junit_clean_run_is_one_passing_test() -> None:
    root = ET.fromstring(render("junit", Report((), (), Summary())))
    assert_junit_shape(root)
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("1", "0", "0")
    case = root.find("testsuite/testcase")
    assert case is not None
    assert list(case) == []


# GitHub


def test_github_escaping_rules() -> None:
    assert github.escape_data("50% a\r\nb: c, d") == "50%25 a%0D%0Ab: c, d"
    assert github.escape_property("50% a\r\nb: c, d") == "50%25 a%0D%0Ab%3A c%2C d"


def test_github_commands_per_severity() -> None:
    lines = render("github", golden_report()).splitlines()
    escaped = 'app,<b>&"x":50%25%0Az'
    assert lines == [
        "::error file=broken.yaml,line=3,col=21,title=VM001 syntax-error::"
        "YAML syntax error: while parsing a flow sequence did not find expected ',' or ']'",
        "::warning file=k8s/web.yaml,line=9,col=12,title=VM301 image-tag-mutable::"
        f"image nginx of {escaped} has no tag (means latest) (Pod/prod/web {escaped})",
        "::error file=k8s/web.yaml,line=11,col=19,title=VM102 privileged-container::"
        f"container {escaped} runs privileged (Pod/prod/web {escaped})",
        "::notice file=k8s/web.yaml,line=20,col=13,title=VM303 host-path-volume::"
        "volume logs mounts the host path /srv/logs (Pod/prod/web)",
        "::error file=k8s/web.yaml,title=vmlint internal error VM999::VM999 failed on Pod/web: ValueError: boom",
        "vmlint: 4 findings in 3 files (2 suppressed)",
    ]


def test_github_escapes_commas_and_colons_in_file_properties() -> None:
    finding = Finding("a,b:c.yaml", 2, 3, "VM001", "syntax-error", "error", "input", "m")
    line = render("github", Report((finding,), (), Summary(findings=1))).splitlines()[0]
    assert line == "::error file=a%2Cb%3Ac.yaml,line=2,col=3,title=VM001 syntax-error::m"


# HTML


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_self_contained_and_escaped() -> None:
    page = render("html", golden_report())
    parser = _Collector()
    parser.feed(page)
    tags = [tag for tag, _ in parser.tags]
    assert not {"link", "img", "iframe", "object", "embed", "base"} & set(tags)
    assert tags.count("script") == 1
    assert all("src" not in attrs for _, attrs in parser.tags)
    hrefs = [attrs["href"] for _, attrs in parser.tags if "href" in attrs]
    assert hrefs == [
        "#policy-vm102",
        "#policy-vm301",
        "#policy-vm303",
        "#policy-vm001",
        "https://example.org/vmlint/blob/HEAD/docs/policies.md#vm001",
        "https://example.org/vmlint/blob/HEAD/docs/policies.md#vm102",
        "https://example.org/vmlint/blob/HEAD/docs/policies.md#vm301",
        "https://example.org/vmlint/blob/HEAD/docs/policies.md#vm303",
    ]
    csp = next(a["content"] for t, a in parser.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert csp is not None and csp.startswith("default-src 'none'; style-src 'sha256-")
    assert "<b>&" not in page
    assert "app,&lt;b&gt;&amp;&quot;x&quot;:50%" in page
    text = "".join(parser.text)
    assert f"container {ODD_NAME} runs privileged" in text
    findings = [(a.get("data-fam"), a.get("data-sev")) for t, a in parser.tags if t == "li" and a.get("class") == "f"]
    # Listed under their workload (Pod/prod/web, errors first), then the syntax error, on no workload, last.
    assert findings == [("isolation", "error"), ("portability", "warning"), ("portability", "info"), ("input", "error")]
    assert "needs iptables for the mesh" in text
    assert "Fix the syntax at the reported position." in text  # each finding shows its policy's fix


def test_html_finding_has_excerpt_fix_and_docs_link() -> None:
    page = render("html", golden_report())
    item = page[page.index('<li class="f" data-fam="isolation"') :]
    item = item[: item.index("</li>")]
    assert "<code>VM102</code> privileged-container" in item
    assert '<a href="#policy-vm102">docs</a>' in item
    assert '<span class="where">k8s/web.yaml:11:19 · app,&lt;b&gt;' in item
    excerpt = item[item.index('<pre class="x"><code>') + 21 : item.index("</code></pre>")]
    assert excerpt.split("\n") == [
        " 9      image: nginx",
        "10      securityContext:",
        "<mark>11        privileged: true</mark>",
        "12    - name: sidecar",
        "13      image: busybox:1.36",
    ]
    assert '<p class="fix">' in item


def test_html_matrix_marks_cells_below_the_least_isolation(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.test_posture import FIXTURES

    monkeypatch.chdir(FIXTURES)
    page = CliRunner().invoke(main, ["check", "--select", "VM101", "--format", "html", "."]).output
    parser = _Collector()
    parser.feed(page)
    cells = {
        a["data-cell"]: (a["class"], a["data-workloads"], a["data-findings"])
        for t, a in parser.tags
        if t == "button" and "data-cell" in a
    }
    assert cells == {
        "high/container": ("below", "2", "2"),
        "high/sandbox": ("below", "1", "1"),
        "high/vm": ("", "1", "0"),
        "standard/container": ("below", "2", "2"),
        "standard/sandbox": ("", "1", "0"),
        "standard/vm": ("empty", "0", "0"),
        "low/container": ("", "1", "0"),
        "low/sandbox": ("empty", "0", "0"),
        "low/vm": ("empty", "0", "0"),
        "unset/container": ("", "1", "0"),
        "unset/sandbox": ("empty", "0", "0"),
        "unset/vm": ("", "1", "0"),
    }
    articles = [a["data-cell"] for t, a in parser.tags if t == "article"]
    assert articles[:5] == ["high/container", "high/container", "high/sandbox", "standard/container"] + [
        "standard/container"
    ]
    assert len(articles) == 10


def test_html_of_a_clean_run() -> None:
    page = render("html", Report((), (), Summary(files=2)))
    assert "<figcaption>No findings.</figcaption>" in page
    assert "<p>No workloads and no findings.</p>" in page
    assert "<details>" not in page


# The CLI


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "web.yaml").write_text((GOLDEN / "input" / "k8s" / "web.yaml").read_text())
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("fmt", sorted(GOLDEN_FILES))
def test_cli_format_to_stdout_and_to_file(repo: Path, fmt: str) -> None:
    args = ["check", "--select", "VM102", "--format", fmt, "k8s"]
    stdout = CliRunner().invoke(main, args, catch_exceptions=False)
    assert stdout.exit_code == 1
    to_file = CliRunner().invoke(main, [*args, "-o", "out"], catch_exceptions=False)
    assert to_file.exit_code == 1
    assert to_file.stdout == ""
    assert to_file.stderr.startswith("vmlint: 1 finding (1 error) in 1 file (1 workload, 1 suppressed")
    assert (repo / "out").read_text(encoding="utf-8") == stdout.output
    expected_rows = {
        "sarif": lambda out: [r["ruleId"] for r in json.loads(out)["runs"][0]["results"]] == ["VM102", "VM102"],
        "junit": lambda out: ET.fromstring(out).get("failures") == "1",
        "github": lambda out: out.startswith("::error file=k8s/web.yaml,line=11,col=19,title=VM102 "),
        "html": lambda out: out.startswith("<!DOCTYPE html>") and out.count('"where">k8s/web.yaml:11:19') == 1,
    }
    assert expected_rows[fmt](stdout.output)


def test_json_output_keeps_only_unsuppressed_findings(repo: Path) -> None:
    result = CliRunner().invoke(main, ["check", "--select", "VM102", "--format", "json", "k8s"])
    data = json.loads(result.output)
    assert [(f["policy"], f["line"]) for f in data["findings"]] == [("VM102", 11)]
    assert data["summary"]["suppressed"] == 1
    assert "suppressions" not in data


def test_config_path_ignores_are_external_suppressions(repo: Path) -> None:
    report = lint(["k8s"], select=["VM102"], cwd=repo, per_path_ignores={"k8s/*.yaml": ("VM102",)})
    assert report.findings == ()
    assert [(s.finding.line, s.via) for s in report.suppressions] == [(11, "config"), (16, "comment")]
    run = json.loads(render("sarif", report))["runs"][0]
    assert [r["suppressions"][0]["kind"] for r in run["results"]] == ["external", "inSource"]


def test_xml_comment_reasons_drop_the_comment_end() -> None:
    from vmlint.directives import inline_reason

    assert inline_reason("  <!-- vmlint: ignore[VM150] lab VM, no sVirt -->") == "lab VM, no sVirt"
    assert inline_reason("privileged: true  # vmlint: ignore[VM102]") == ""
    assert inline_reason("# vmlint: ignore[VM102,VM103]   needs it  ") == "needs it"


def test_text_output_escapes_control_characters_in_names_and_messages() -> None:
    from vmlint.findings import Finding, Report, Summary
    from vmlint.reporters.text_reporter import render

    finding = Finding("evil\nname\x1b[2J.yaml", 1, 1, "VM001", "syntax-error", "error", "input", "bad\x07 value")
    text = render(Report((finding,), (), Summary(findings=1)))
    assert text.splitlines()[0] == "evil\\x0aname\\x1b[2J.yaml:1:1: VM001 [error] bad\\x07 value"


def test_html_lists_at_most_500_suppressed_findings_and_internal_errors() -> None:
    from vmlint.findings import Suppression

    finding = Finding("a.yaml", 1, 1, "VM102", "privileged-container", "error", "isolation", "m")
    errors = tuple(InternalError(f"f{n}.yaml", "VM999 failed") for n in range(501))
    suppressions = tuple(Suppression(finding, "comment") for _ in range(502))
    page = render("html", Report((), errors, Summary(suppressed=502), suppressions))
    assert page.count("VM999 failed") == 500
    assert '<p class="more">1 more not listed</p>' in page
    assert '<p class="more">2 more not listed</p>' in page
    assert "<summary>Suppressed findings (502)</summary>" in page
