"""The Kubernetes CEL libraries added for issue 13 (regex find/findAll, lists indexOf/lastIndexOf, sets, sort,
two-variable comprehensions), each in a user rule and in a ValidatingAdmissionPolicy through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from vmlint.cli import main
from vmlint.rules.cel import activation, compile_expression

# (name, expression that holds on POD): each is checked as "<expression> must not hold", so every one gives
# exactly one finding with its name as message when (and only when) the function returns what is expected.
CHECKS = [
    ("find", "object.metadata.name.find('[0-9]+') == '42'"),
    ("find-none", "object.metadata.name.find('[A-Z]+') == ''"),
    ("findAll", "object.metadata.name.findAll('[a-z]+') == ['web', 'x', 'y']"),
    ("findAll-n", "object.metadata.name.findAll('[a-z]+', 2) == ['web', 'x']"),
    ("findAll-empty", "'baaa'.findAll('a*') == ['', 'aaa']"),
    ("indexOf", "object.spec.containers.map(c, c.name).indexOf('db') == 1"),
    ("lastIndexOf", "[1, 2, 1].lastIndexOf(1) == 2 && [true].indexOf(1) == -1"),
    ("string-indexOf", "object.metadata.name.indexOf('x') == 5"),
    ("sets.contains", "sets.contains(object.spec.containers.map(c, c.name), ['db'])"),
    ("sets.equivalent", "sets.equivalent(['web', 'db'], object.spec.containers.map(c, c.name))"),
    ("sets.intersects", "!sets.intersects(object.spec.containers.map(c, c.name), ['cache'])"),
    ("sort", "object.spec.containers.map(c, c.name).sort() == ['db', 'web']"),
    ("two-variable all", "object.metadata.labels.all(k, v, k.size() > 1 && v != '')"),
    ("isSorted-sum-min-max", "[1, 2].isSorted() && [1, 2].sum() == 3 && [2, 1].min() == 1 && [2, 1].max() == 2"),
]

POD = """apiVersion: v1
kind: Pod
metadata:
  name: web42x-y
  labels: {app: web, tier: front}
spec:
  containers:
    - name: web
      image: nginx:1.27
    - name: db
      image: postgres:16
"""


def _validations(indent: str) -> str:
    return "".join(
        f"{indent}- expression: {json.dumps('!(' + expression + ')')}\n{indent}  message: {name}\n"
        for name, expression in CHECKS
    )


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pod.yaml").write_text(POD)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _messages(*args: str) -> list[tuple[str, int, str]]:
    result = CliRunner().invoke(main, ["check", "--format", "json", *args], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    return [(f["policy"], f["line"], f["message"]) for f in json.loads(result.output)["findings"]]


def test_each_library_function_in_a_user_rule(repo: Path) -> None:
    (repo / "lib.yaml").write_text(
        "apiVersion: vmlint.io/v1alpha1\nkind: Policy\nmetadata:\n  id: ORG200\n  name: libraries\n"
        "  summary: Library functions.\nspec:\n  validations:\n" + _validations("    ")
    )
    found = _messages("--policy", "lib.yaml", "--select", "ORG200,VM020,VM021", "pod.yaml")
    assert found == [("ORG200", 1, name) for name, _ in CHECKS]


def test_each_library_function_in_an_admission_policy(repo: Path) -> None:
    (repo / "vap.yaml").write_text(
        "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata:\n"
        "  name: libraries\nspec:\n  matchConstraints:\n    resourceRules:\n"
        "      - apiGroups: ['']\n        apiVersions: ['v1']\n        operations: ['CREATE']\n"
        "        resources: ['pods']\n  validations:\n" + _validations("    ")
    )
    found = _messages("--admission-policy", "vap.yaml", "--select", "VAP/libraries,VM020", "pod.yaml")
    assert found == [("VAP/libraries", 1, name) for name, _ in CHECKS]


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("object.metadata.name.find('(a') == ''", "invalid regular expression '(a': missing ): (a"),
        ("object.metadata.name.findAll('(?<=a)b').size() == 0", "invalid perl operator: (?<="),
    ],
)
def test_a_bad_pattern_is_that_objects_finding(repo: Path, expression: str, message: str) -> None:
    (repo / "bad.yaml").write_text(
        "apiVersion: vmlint.io/v1alpha1\nkind: Policy\nmetadata:\n  id: ORG201\n  name: bad\n  summary: Bad.\n"
        f"spec:\n  validations:\n    - expression: {json.dumps(expression)}\n"
    )
    [(policy, line, text)] = _messages("--policy", "bad.yaml", "--select", "ORG201,VM020", "pod.yaml")
    assert (policy, line) == ("VM020", 1)
    assert text.startswith("rule ORG201 (bad.yaml): expression at bad.yaml:9:19 failed on this object: ")
    assert text.endswith(message)


def test_a_validation_whose_value_is_an_optional_at_run_time_is_an_error_finding_not_a_crash(repo: Path) -> None:
    (repo / "opt.yaml").write_text(
        "apiVersion: vmlint.io/v1alpha1\nkind: Policy\nmetadata:\n  id: ORG202\n  name: opt\n  summary: Opt.\n"
        "spec:\n  validations:\n    - expression: dyn(object.?metadata)\n    - expression: object.kind == 'Service'\n"
    )
    found = _messages("--policy", "opt.yaml", "--select", "ORG202,VM020", "pod.yaml")
    assert found == [
        ("ORG202", 1, "failed expression: object.kind == 'Service'"),
        (
            "VM020",
            1,
            "rule ORG202 (opt.yaml): expression at opt.yaml:9:19 failed on this object: its value is an optional "
            "(or another value with no plain form); use .orValue(...)",
        ),
    ]


@pytest.mark.parametrize(("name", "expression"), CHECKS)
def test_each_check_holds_in_the_engine(name: str, expression: str) -> None:
    program = compile_expression(expression, frozenset({"object"}))
    data = {
        "metadata": {"name": "web42x-y", "labels": {"app": "web", "tier": "front"}},
        "spec": {"containers": [{"name": "web"}, {"name": "db"}]},
    }
    assert program.evaluate(activation(program.env, {"object": data})) is True, name
