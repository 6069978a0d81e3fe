"""ValidatingAdmissionPolicies run offline, as the Kubernetes documentation writes them, through the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from vmlint.cli import main
from vmlint.rules.cel import compile_expression

FIXTURES = Path(__file__).resolve().parent / "admission"
REPLICAS = "VAP/replicalimit-policy.example.com"
NONROOT = "VAP/require-run-as-nonroot"
IMAGES = "VAP/image-matches-namespace-environment.policy.example.com"
AUTHZ = "VAP/only-admins-create-privileged"
ALL = ",".join((REPLICAS, NONROOT, IMAGES, AUTHZ, "VM020", "VM022", "VM023"))


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    shutil.copytree(FIXTURES, tmp_path / "admission")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> tuple[int, list[list[object]]]:
    result = CliRunner().invoke(main, ["check", "--format", "json", *args], catch_exceptions=False)
    data = json.loads(result.output)
    return result.exit_code, [
        [f["policy"], f["severity"], f["file"], f["line"], f["message"]] for f in data["findings"]
    ]


def test_documented_policies_give_findings_with_name_line_and_message(repo: Path) -> None:
    code, found = run("--admission-policy", "admission", "--select", ALL, "admission/manifests")
    assert code == 1
    assert found == [
        [
            "VM022",
            "warning",
            "admission/authorizer.yaml",
            13,
            "VAP/only-admins-create-privileged: validation reads `authorizer`, which offline evaluation cannot "
            "answer; skipped",
        ],
        [
            REPLICAS,
            "error",
            "admission/manifests/deployments.yaml",
            1,
            "failed expression: object.spec.replicas <= params.maxReplicas (reason: Invalid)",
        ],
        [IMAGES, "error", "admission/manifests/deployments.yaml", 20, "only prod images are allowed in namespace shop"],
        [
            NONROOT,
            "warning",
            "admission/manifests/deployments.yaml",
            34,
            "Deployment api must run every container as non-root",
        ],
        [AUTHZ, "error", "admission/manifests/deployments.yaml", 41, "no host network"],
    ]


def test_the_bindings_namespace_selector_excludes_other_namespaces(repo: Path) -> None:
    _, found = run("--admission-policy", "admission/replica-limit.yaml", "admission/manifests")
    # web (staging, environment=test) has 5 replicas and is judged; api (shop, environment=prod) has 5 too but
    # the binding's namespaceSelector leaves it out.
    assert [(f[0], f[3]) for f in found if f[0] == REPLICAS] == [(REPLICAS, 1)]
    labels = repo / "admission" / "manifests" / "namespaces.yaml"
    labels.write_text(labels.read_text().replace("environment: prod", "environment: test"))
    _, found = run("--admission-policy", "admission/replica-limit.yaml", "admission/manifests")
    assert [(f[0], f[3]) for f in found if f[0] == REPLICAS] == [(REPLICAS, 1), (REPLICAS, 20)]


def test_missing_params_are_a_finding_when_the_binding_denies(repo: Path) -> None:
    namespaces = repo / "admission" / "manifests" / "namespaces.yaml"
    namespaces.write_text(namespaces.read_text().split("---\napiVersion: rules.example.com/v1")[0])
    _, found = run("--admission-policy", "admission/replica-limit.yaml", "admission/manifests")
    assert [f[:4] for f in found if f[0].startswith(("VAP/", "VM02"))] == [
        ["VM023", "error", "admission/manifests/deployments.yaml", 1]
    ]
    assert "no ReplicaLimit params found for replicalimit-binding-test.example.com" in found[0][4]


def test_params_may_live_in_the_admission_policy_files(repo: Path) -> None:
    namespaces = repo / "admission" / "manifests" / "namespaces.yaml"
    head, params = namespaces.read_text().split("---\napiVersion: rules.example.com/v1")
    namespaces.write_text(head)
    (repo / "admission" / "params.yaml").write_text("apiVersion: rules.example.com/v1" + params)
    _, found = run(
        "--admission-policy",
        "admission/replica-limit.yaml",
        "--admission-policy",
        "admission/params.yaml",
        "admission/manifests",
    )
    assert [(f[0], f[3]) for f in found if f[0].startswith(("VAP/", "VM02"))] == [(REPLICAS, 1)]


def test_vap_findings_are_suppressed_like_built_ins(repo: Path) -> None:
    deployments = repo / "admission" / "manifests" / "deployments.yaml"
    deployments.write_text(
        deployments.read_text().replace(
            "  name: web\n", f"  name: web\n  annotations:\n    vmlint.io/ignore: {REPLICAS}\n", 1
        )
    )
    _, found = run("--admission-policy", "admission/replica-limit.yaml", "admission/manifests")
    assert [f for f in found if f[0] == REPLICAS] == []


def test_an_unknown_binding_target_is_a_located_error(repo: Path) -> None:
    (repo / "admission" / "stray.yaml").write_text(
        "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\n"
        "metadata:\n  name: stray\nspec:\n  policyName: nowhere\n  validationActions: [Deny]\n"
    )
    result = CliRunner().invoke(main, ["check", "--admission-policy", "admission/stray.yaml", "admission/manifests"])
    assert result.exit_code == 2
    assert "admission/stray.yaml:6:15: binding 'stray' names policy 'nowhere'" in result.stderr


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("quantity('1Gi').isGreaterThan(quantity('500Mi'))", True),
        ("quantity('1Gi') == quantity('1024Mi')", True),
        ("quantity('1.5').add(1).compareTo(quantity('2500m'))", 0),
        ("isQuantity('1.5Gi') && !isQuantity('ten')", True),
        ("url('https://example.com:8443/a?b=c').getHostname()", "example.com"),
        ("url('https://example.com:8443/a').getPort()", "8443"),
        ("ip('10.0.0.1').family() == 4 && ip('::1').isLoopback()", True),
        ("cidr('10.0.0.0/8').containsIP('10.1.2.3') && !cidr('10.0.0.0/8').containsIP(ip('11.0.0.1'))", True),
        (
            "cidr('10.0.0.0/8').containsCIDR('10.1.0.0/16')"
            " && cidr('192.168.1.5/24').masked() == cidr('192.168.1.0/24')",
            True,
        ),
        ("[1, 2, 3].sum() == 6 && [3, 1].min() == 1 && [1, 2].isSorted()", True),
        ("object.?spec.?paused.orValue(false)", False),
        ("object.metadata.?labels[?'app'].orValue('none')", "none"),
        ("'a,b'.split(',').join('-') == 'a-b' && 'AbC'.lowerAscii() == 'abc'", True),
        ("object.metadata.name.matches('^[a-z]+$')", True),
        ("math.greatest(1, 5, 3)", 5),
    ],
)
def test_kubernetes_cel_libraries(expression: str, expected: object) -> None:
    from vmlint.rules.cel import activation

    program = compile_expression(expression, frozenset({"object"}))
    assert program.evaluate(activation(program.env, {"object": {"metadata": {"name": "web"}}})) == expected
