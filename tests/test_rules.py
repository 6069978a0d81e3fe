"""User rules in CEL through the real CLI: one rule over three formats, suppression, errors, tests, export."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from vmlint.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "docs" / "rules"
RULE = EXAMPLES / "high-tier-no-host-paths.yaml"
FIXTURES = EXAMPLES / "fixtures"


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def findings(result) -> list[list[object]]:
    data = json.loads(result.output)
    return [[f["policy"], f["file"], f["line"], f["column"], f["message"]] for f in data["findings"]]


def rule_file(
    folder: Path, validations: str, *, extra: str = "", rule_id: str = "ORG100", name: str = "x.yaml"
) -> Path:
    path = folder / name
    path.write_text(
        "apiVersion: vmlint.io/v1alpha1\n"
        "kind: Policy\n"
        "metadata:\n"
        f"  id: {rule_id}\n"
        "  name: test-rule\n"
        "  summary: A test rule.\n"
        f"spec:\n{extra}"
        f"  validations:\n{validations}"
    )
    return path


POD = """apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  replicas: 2
  containers:
    - name: web
      image: nginx:1.27
"""


def test_one_rule_fires_on_a_pod_a_compose_service_and_a_vm_at_the_mounting_field(repo: Path) -> None:
    shutil.copytree(FIXTURES, repo / "fixtures")
    result = invoke("check", "--policy", str(RULE), "--format", "json", "--select", "ORG001", "fixtures")
    assert result.exit_code == 1
    assert findings(result) == [
        ["ORG001", "fixtures/fail-compose.yaml", 7, 9, "high-tier workload mounts host path /var/log"],
        ["ORG001", "fixtures/fail-domain.xml", 13, 20, "high-tier workload mounts host path /var/log"],
        ["ORG001", "fixtures/fail-pod.yaml", 14, 11, "high-tier workload mounts host path /var/log"],
    ]
    data = json.loads(result.output)
    first = data["findings"][0]
    assert (first["name"], first["severity"], first["tradeoff"]) == ("high-tier-no-host-paths", "error", "isolation")


def test_the_usual_comment_suppresses_a_rule_finding_in_each_format(repo: Path) -> None:
    shutil.copytree(FIXTURES, repo / "fixtures")
    pod = repo / "fixtures" / "fail-pod.yaml"
    pod.write_text(
        pod.read_text().replace(
            "        - name: host-logs\n",
            "        # vmlint: ignore[ORG001] log shipper\n        - name: host-logs\n",
            1,
        )
    )
    compose = repo / "fixtures" / "fail-compose.yaml"
    compose.write_text(
        compose.read_text().replace("      - /var/log", "      # vmlint: ignore[ORG001] reviewed\n      - /var/log")
    )
    domain = repo / "fixtures" / "fail-domain.xml"
    domain.write_text(
        domain.read_text().replace("      <source dir", "      <!-- vmlint: ignore[ORG001] -->\n      <source dir")
    )
    result = invoke("check", "--policy", str(RULE), "--format", "json", "--select", "ORG001", "fixtures")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["findings"] == []
    assert data["summary"]["suppressed"] == 3


def test_rule_findings_are_baselined_like_built_ins(repo: Path) -> None:
    shutil.copytree(FIXTURES, repo / "fixtures")
    args = ("check", "--policy", str(RULE), "--select", "ORG001", "fixtures")
    assert invoke(*args, "--write-baseline", "base.json").exit_code == 0  # reported as with --baseline
    again = invoke(*args, "--baseline", "base.json", "--format", "sarif")
    assert again.exit_code == 0
    sarif = json.loads(again.output)
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} == {"ORG001"}
    assert all(r["suppressions"][0]["kind"] == "external" for r in sarif["runs"][0]["results"])


def test_vmlint_test_passes_on_the_shipped_examples() -> None:
    result = invoke("test", str(EXAMPLES))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "4 of 4 rule tests passed"
    assert "ORG001  docs/rules/fixtures/fail-pod.yaml" in result.output.replace(str(ROOT) + "/", "")


def test_vmlint_test_exits_1_on_a_wrong_expectation(repo: Path) -> None:
    shutil.copytree(EXAMPLES, repo / "rules")
    rule = repo / "rules" / "high-tier-no-host-paths.yaml"
    rule.write_text(rule.read_text().replace("{id: ORG001, line: 7}", "{id: ORG001, line: 8}"))
    result = invoke("test", "rules")
    assert result.exit_code == 1
    row = next(line for line in result.output.splitlines() if "fail-compose" in line)
    assert row.split() == ["ORG001", "rules/fixtures/fail-compose.yaml", "ORG001:8", "ORG001:7", "FAIL"]
    assert result.output.splitlines()[-1] == "3 of 4 rule tests passed"


@pytest.mark.parametrize(
    ("validations", "extra", "message"),
    [
        (
            "    - expression: 'true'\n      mesage: typo\n",
            "",
            "x.yaml:10:7: spec.validations.0.mesage: unknown key 'mesage'",
        ),
        (
            "    - expression: 'object.spec.replicas >'\n",
            "",
            "x.yaml:9:42: expression: Syntax error: mismatched input '<EOF>'",
        ),
        ("    - expression: object.spec.replicas > object.metadata.name\n", "", ""),
        (
            "    - expression: '1 + \"a\" == 2'\n",
            "",
            "x.yaml:9:22: expression: found no matching overload for '_+_' applied to '(int, string)'\n",
        ),
        ("    - expression: 'replicas > 1'\n", "", "x.yaml:9:20: expression: undeclared reference to 'replicas'\n"),
        (
            "    - expression: object.?metadata\n",
            "",
            "x.yaml:9:19: expression must give a bool, not optional_type<dyn>\n",
        ),
        ("    - expression: \"'abc'\"\n", "", "x.yaml:9:19: expression must give a bool, not string\n"),
        (
            "    - expression: 'variables.limit > 1'\n",
            "",
            "x.yaml:9:19: unknown variable variables.limit (defined: none)\n",
        ),
        (
            "    - expression: |\n        object.spec.replicas <=\n          params.max +\n",
            "",
            "x.yaml:12:1: expression: Syntax error: mismatched input '<EOF>'",
        ),
    ],
)
def test_malformed_rules_exit_2_with_the_offending_position(
    repo: Path, validations: str, extra: str, message: str
) -> None:
    rule_file(repo, validations, extra=extra)
    (repo / "pod.yaml").write_text(POD)
    result = CliRunner().invoke(main, ["check", "--policy", "x.yaml", "pod.yaml"], catch_exceptions=False)
    if not message:  # dyn + string only fails at run time: a located VM020 finding, the run goes on
        assert result.exit_code == 1
        assert "VM020" in result.output and "pod.yaml:1:1:" in result.output
        return
    assert result.exit_code == 2
    assert message in result.stderr, result.stderr


def test_a_schema_error_names_the_key_and_its_position(repo: Path) -> None:
    (repo / "x.yaml").write_text(
        "apiVersion: vmlint.io/v1alpha1\nkind: Policy\nmetadata:\n  id: org1\n  name: x\nspec:\n  validations: []\n"
    )
    result = CliRunner().invoke(main, ["check", "--policy", "x.yaml", "."])
    assert result.exit_code == 2
    assert "vmlint: rule error: x.yaml:4:7: metadata.id: 'org1' does not match" in result.stderr


def test_duplicate_ids_name_both_sources(repo: Path) -> None:
    rule_file(repo, "    - expression: 'true'\n", name="a.yaml")
    rule_file(repo, "    - expression: 'true'\n", name="b.yaml")
    result = CliRunner().invoke(main, ["check", "--policy", "a.yaml", "--policy", "b.yaml", "."])
    assert result.exit_code == 2
    assert "b.yaml:4:7: duplicate policy id ORG100: defined in b.yaml:4:7 and in a.yaml:4:7" in result.stderr
    rule_file(repo, "    - expression: 'true'\n", rule_id="VM101", name="c.yaml")
    result = CliRunner().invoke(main, ["check", "--policy", "c.yaml", "."])
    assert result.exit_code == 2
    assert "duplicate policy id VM101: defined in c.yaml:4:7 and in the built-in policies" in result.stderr


def test_a_runtime_error_is_that_objects_finding_and_the_run_goes_on(repo: Path) -> None:
    rule_file(repo, "    - expression: object.spec.paused == false\n    - expression: object.kind == 'Pod'\n")
    (repo / "pod.yaml").write_text(POD)
    (repo / "svc.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  paused: false\n")
    result = invoke(
        "check", "--policy", "x.yaml", "--format", "json", "--select", "ORG100,VM020", "pod.yaml", "svc.yaml"
    )
    assert result.exit_code == 1
    assert findings(result) == [
        [
            "VM020",
            "pod.yaml",
            1,
            1,
            'rule ORG100 (x.yaml): expression at x.yaml:9:19 failed on this object: Key not found in map : "paused"',
        ],
        ["ORG100", "svc.yaml", 1, 1, "failed expression: object.kind == 'Pod'"],
    ]


def test_an_expression_over_the_cost_budget_is_a_located_finding(repo: Path) -> None:
    scans = "object.big.contains(i) && object.big.startsWith(i) && object.big.endsWith(i)"
    rule_file(repo, f'    - expression: "object.items.all(i, {scans})"\n')
    items = "".join(f"  - item-{i}\n" for i in range(1000))
    big = "x" * 700_000
    (repo / "cm.yaml").write_text(
        f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\nbig: {big}\nitems:\n{items}"
    )
    result = invoke("check", "--policy", "x.yaml", "--format", "json", "--select", "ORG100,VM021", "cm.yaml")
    assert result.exit_code == 1
    [[policy, file, line, column, message]] = findings(result)
    assert (policy, file, line, column) == ("VM021", "cm.yaml", 1, 1)
    assert message.startswith("rule ORG100 (x.yaml): expression at x.yaml:9:19 failed on this object: estimated cost")
    assert message.endswith("is over the budget of 10,000,000")


def test_cel_stops_runaway_iterations_with_a_finding(repo: Path) -> None:
    ten = "[1,2,3,4,5,6,7,8,9,10]"
    nested = f"{ten}.all(a, {ten}.all(b, {ten}.all(c, {ten}.all(d, {ten}.all(e, a+b+c+d+e > 0)))))"
    rule_file(repo, f'    - expression: "{nested}"\n')
    (repo / "pod.yaml").write_text(POD)
    result = invoke("check", "--policy", "x.yaml", "--format", "json", "--select", "ORG100,VM021", "pod.yaml")
    [[policy, _, _, _, message]] = findings(result)
    assert policy == "VM021"
    assert message.endswith("failed on this object: more than 10,000 comprehension iterations")


def test_a_rule_folder_inside_the_scanned_tree_is_never_loaded_unless_named(repo: Path) -> None:
    shutil.copytree(EXAMPLES, repo / "rules")
    shutil.copy(FIXTURES / "fail-pod.yaml", repo / "pod.yaml")
    plain = invoke("check", "--format", "json", ".")
    assert "ORG001" not in {f["policy"] for f in json.loads(plain.output)["findings"]}
    named = invoke("check", "--format", "json", "--policy", "rules", "--select", "ORG001", "pod.yaml")
    assert [f[:3] for f in findings(named)] == [["ORG001", "pod.yaml", 14]]


def test_config_names_rule_files_and_selects_their_ids(repo: Path) -> None:
    shutil.copytree(EXAMPLES, repo / "rules")
    shutil.copy(FIXTURES / "fail-pod.yaml", repo / "pod.yaml")
    (repo / ".vmlint.yaml").write_text("policies: [rules/]\nselect: [ORG001]\nseverity: {ORG001: warning}\n")
    result = invoke("check", "--format", "json", "pod.yaml")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert [(f["policy"], f["line"], f["severity"]) for f in data["findings"]] == [("ORG001", 14, "warning")]
    (repo / ".vmlint.yaml").write_text("policies: [missing/]\n")
    failed = CliRunner().invoke(main, ["check", "pod.yaml"])
    assert failed.exit_code == 2
    assert "missing:1:1: no such file or directory" in failed.stderr


def test_policies_json_says_where_each_policy_comes_from(repo: Path) -> None:
    result = invoke("policies", "--format", "json", "--policy", str(RULE))
    sources = {p["id"]: p["source"] for p in json.loads(result.output)["policies"]}
    assert sources["VM101"] == "builtin"
    assert sources["VM020"] == "builtin"
    assert sources["ORG001"] == str(RULE)


def test_export_vap_writes_a_policy_and_binding(repo: Path) -> None:
    rule_file(
        repo,
        "    - expression: object.spec.replicas <= int(params.maxReplicas)\n"
        "      messageExpression: \"'at most ' + params.maxReplicas + ' replicas'\"\n"
        "      fieldPath: spec.replicas\n",
        extra="  match:\n    kinds: [Deployment]\n    namespaces: [shop]\n  params: {maxReplicas: '5'}\n",
    )
    result = invoke("export-vap", "x.yaml")
    assert result.exit_code == 0, result.output
    policy, binding, params = list(yaml.safe_load_all(result.output))
    assert policy["kind"] == "ValidatingAdmissionPolicy" and policy["metadata"]["name"] == "test-rule"
    assert policy["spec"]["matchConstraints"]["resourceRules"][0]["resources"] == ["deployments"]
    assert policy["spec"]["validations"] == [
        {
            "expression": "object.spec.replicas <= int(params.data.maxReplicas)",
            "messageExpression": "'at most ' + params.data.maxReplicas + ' replicas'",
            "fieldPath": "spec.replicas",
        }
    ]
    assert binding["spec"] == {
        "policyName": "test-rule",
        "validationActions": ["Warn"],
        "paramRef": {"name": "test-rule-params", "namespace": "default", "parameterNotFoundAction": "Deny"},
    }
    assert params["data"] == {"maxReplicas": "5"}


def test_export_vap_refuses_a_rule_that_reads_the_workload_model() -> None:
    result = CliRunner().invoke(main, ["export-vap", str(RULE)])
    assert result.exit_code == 2
    assert "cannot export ORG001" in result.stderr
    assert "it reads workload, which only vmlint has" in result.stderr


def test_a_cross_object_rule_sees_every_document_of_the_run(repo: Path) -> None:
    rule_file(
        repo,
        "    - expression: objects.exists(o, o.kind == 'Service' && o.metadata.name == object.metadata.name)\n"
        "      message: no Service of the same name\n",
        extra="  match:\n    kinds: [Deployment]\n",
    )
    deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {}\nspec:\n  replicas: 1\n"
    (repo / "web.yaml").write_text(deployment.format("web"))
    (repo / "lonely.yaml").write_text(deployment.format("lonely"))
    (repo / "svc.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n")
    result = invoke("check", "--policy", "x.yaml", "--format", "json", "--select", "ORG100,VM020", ".")
    assert result.exit_code == 1
    assert findings(result) == [["ORG100", "lonely.yaml", 1, 1, "no Service of the same name"]]
