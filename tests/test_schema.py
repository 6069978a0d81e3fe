"""Schema validation through the CLI: target versions, removed and deprecated APIs, custom resources, bad input."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.hostile_run import assert_bounded, run_cli
from vmlint.cli import main
from vmlint.schema.bundle import builtin, bundled_versions, served_in
from vmlint.schema.lifecycle import API_LIFECYCLE
from vmlint.schema.versions import SUPPORTED, minor

SCHEMA_IDS = "VM010,VM011,VM012,VM013,VM014,VM015,VM016,VM017"
HPA_V2BETA2 = """apiVersion: autoscaling/v2beta2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 5
  metrics:
    - type: Resource
      resource:
        name: cpu
        target: {type: Utilization, averageUtilization: 70}
"""
FLOW_SCHEMA = """apiVersion: flowcontrol.apiserver.k8s.io/v1beta2
kind: FlowSchema
metadata:
  name: system-leader-election
spec:
  priorityLevelConfiguration:
    name: leader-election
"""
CRON_JOB = """apiVersion: batch/v1beta1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: job
              image: job:1.0
"""
CRD = """apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: backups.example.com
spec:
  group: example.com
  names: {kind: Backup, plural: backups}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [schedule]
              properties:
                schedule: {type: string}
                keep: {type: integer}
                size: {x-kubernetes-int-or-string: true}
                extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
"""
GOOD_BACKUP = """apiVersion: example.com/v1
kind: Backup
metadata:
  name: good
  labels: {app: db}
spec:
  schedule: "@daily"
  keep: 7
  size: 10%
  extra: {anything: [1, 2], goes: here}
"""
BAD_BACKUP = """apiVersion: example.com/v1
kind: Backup
metadata:
  name: bad
spec:
  schedule: "@daily"
  keepp: 7
  keep: "seven"
"""


def check(tmp_path: Path, *args: str, files: dict[str, str] | None = None) -> tuple[int, list[list[object]], dict]:
    """Run ``vmlint check --format json ARGS`` in ``tmp_path``; exit code, (id, file, line, column, message) rows."""
    for name, text in (files or {}).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    (tmp_path / ".git").mkdir(exist_ok=True)
    runner = CliRunner()
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        result = runner.invoke(main, ["check", "--format", "json", *args], catch_exceptions=False)
    finally:
        os.chdir(old)
    if result.exit_code == 2 and not result.output.startswith("{"):
        return 2, [], {"output": result.output}
    data = json.loads(result.output)
    rows = [[f["policy"], f["file"], f["line"], f["column"], f["message"]] for f in data["findings"]]
    return result.exit_code, rows, data


def test_each_schema_error_kind_at_its_key_or_value_with_suggestions(tmp_path: Path) -> None:
    manifest = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: "2"
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: web:1.2
          imagePullPolicy: always
          securityContext:
            runAsNonroot: true
          resources:
            limits: {memory: 512mb}
"""
    code, rows, _ = check(tmp_path, "--select", SCHEMA_IDS, "web.yaml", files={"web.yaml": manifest})
    assert code == 1
    assert rows == [
        ["VM013", "web.yaml", 6, 3, "spec is missing the required field selector"],
        ["VM011", "web.yaml", 6, 13, 'spec.replicas must be an integer, not the string "2"'],
        [
            "VM012",
            "web.yaml",
            14,
            28,
            "spec.template.spec.containers[0].imagePullPolicy must be one of Always, Never, IfNotPresent, "
            'not the string "always"; did you mean Always?',
        ],
        [
            "VM010",
            "web.yaml",
            16,
            13,
            "spec.template.spec.containers[0].securityContext has no field runAsNonroot; did you mean runAsNonRoot?",
        ],
        [
            "VM014",
            "web.yaml",
            18,
            30,
            'spec.template.spec.containers[0].resources.limits.memory: the string "512mb" is not a quantity '
            "(e.g. 250m, 0.5, 512Mi, 2Gi)",
        ],
    ]


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        (
            "1.25",
            [
                "VM305",
                "info",
                "HorizontalPodAutoscaler autoscaling/v2beta2 is deprecated since Kubernetes 1.23 and removed in 1.26; "
                "use autoscaling/v2",
            ],
        ),
        (
            "1.26",
            [
                "VM304",
                "error",
                "HorizontalPodAutoscaler autoscaling/v2beta2 was removed in Kubernetes 1.26 (target 1.26); "
                "use autoscaling/v2",
            ],
        ),
    ],
)
def test_hpa_v2beta2_is_deprecated_for_1_25_and_removed_for_1_26(tmp_path: Path, version: str, expected) -> None:
    code, rows, data = check(
        tmp_path,
        "--kubernetes-version",
        version,
        "--select",
        f"VM304,VM305,{SCHEMA_IDS}",
        files={"hpa.yaml": HPA_V2BETA2},
    )
    findings = [[f["policy"], f["severity"], f["message"]] for f in data["findings"]]
    assert findings == [expected]
    assert [row[2:4] for row in rows] == [[1, 13]]
    assert code == (1 if expected[1] == "error" else 0)
    assert data["summary"]["unvalidated"] == (0 if version == "1.25" else 1)  # 1.25 validates it against v2beta2


@pytest.mark.parametrize(
    ("version", "policy", "message"),
    [
        (
            "1.28",
            "VM305",
            "FlowSchema flowcontrol.apiserver.k8s.io/v1beta2 is deprecated since Kubernetes 1.26 and removed in 1.29; "
            "use flowcontrol.apiserver.k8s.io/v1",
        ),
        (
            "1.29",
            "VM304",
            "FlowSchema flowcontrol.apiserver.k8s.io/v1beta2 was removed in Kubernetes 1.29 (target 1.29); "
            "use flowcontrol.apiserver.k8s.io/v1",
        ),
    ],
)
def test_flowschema_v1beta2_for_1_28_and_1_29(tmp_path: Path, version: str, policy: str, message: str) -> None:
    _, rows, _ = check(
        tmp_path,
        "--kubernetes-version",
        version,
        "--select",
        f"VM304,VM305,{SCHEMA_IDS}",
        files={"fs.yaml": FLOW_SCHEMA},
    )
    assert rows == [[policy, "fs.yaml", 1, 13, message]]


def test_cronjob_v1beta1_is_removed_in_1_25(tmp_path: Path) -> None:
    code, rows, _ = check(
        tmp_path, "--kubernetes-version", "1.25", "--select", f"VM304,VM305,{SCHEMA_IDS}", files={"cj.yaml": CRON_JOB}
    )
    assert code == 1
    assert rows == [
        [
            "VM304",
            "cj.yaml",
            1,
            13,
            "CronJob batch/v1beta1 was removed in Kubernetes 1.25 (target 1.25); use batch/v1",
        ]
    ]


@pytest.mark.parametrize("jobs", ["1", "2"])  # two: forked workers see the CRDs the run learnt first
def test_crd_and_two_custom_resources_in_one_folder(tmp_path: Path, jobs: str) -> None:
    files = {"crd.yaml": CRD, "good-backup.yaml": GOOD_BACKUP, "bad-backup.yaml": BAD_BACKUP}
    code, rows, data = check(tmp_path, "--jobs", jobs, "--select", SCHEMA_IDS, ".", files=files)
    assert code == 1
    assert rows == [
        ["VM010", "bad-backup.yaml", 7, 3, "spec has no field keepp; did you mean keep?"],
        ["VM011", "bad-backup.yaml", 8, 9, 'spec.keep must be an integer, not the string "seven"'],
    ]
    assert data["summary"]["unvalidated"] == 0


def test_custom_resources_without_a_schema_are_skipped_and_counted(tmp_path: Path) -> None:
    files = {"vm.yaml": "apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {name: a}\nspec: {bogus: 1}\n"}
    code, rows, data = check(tmp_path, "--select", SCHEMA_IDS, ".", files=files)
    assert (code, rows, data["summary"]["unvalidated"]) == (0, [], 1)


def test_schema_dirs_give_custom_resources_their_schema(tmp_path: Path) -> None:
    schema = {
        "type": "object",
        "properties": {
            "apiVersion": {"type": "string"},
            "kind": {"type": "string"},
            "metadata": {"type": "object"},
            "spec": {
                "type": "object",
                "additionalProperties": False,
                "properties": {"running": {"type": "boolean"}, "template": {"$ref": "#/definitions/template"}},
            },
        },
        "definitions": {"template": {"type": "object", "properties": {"spec": {"$ref": "#/properties/spec"}}}},
    }
    files = {
        ".vmlint.yaml": "schema-dirs: [schemas]\n",
        "schemas/kubevirt.io/virtualmachine_v1.json": json.dumps(schema),
        "vm.yaml": "apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {name: a}\n"
        "spec:\n  runing: true\n  template:\n    spec:\n      running: yes-please\n",
    }
    code, rows, data = check(tmp_path, "--select", SCHEMA_IDS, "vm.yaml", files=files)
    assert code == 1
    assert rows == [
        ["VM010", "vm.yaml", 5, 3, "spec has no field runing; did you mean running?"],
        ["VM011", "vm.yaml", 8, 16, 'spec.template.spec.running must be a boolean, not the string "yes-please"'],
    ]
    assert data["summary"]["unvalidated"] == 0


def test_a_schema_file_that_is_only_a_reference_to_itself_is_a_clear_error(tmp_path: Path) -> None:
    files = {
        ".vmlint.yaml": "schema-dirs: [schemas]\n",
        "schemas/example.com/loop_v1.json": '{"$ref": "#/definitions/a", "definitions": {"a": {"$ref": "#"}}}',
        "schemas/example.com/broken_v1.json": '{"type": "object", ',
        "cr.yaml": "apiVersion: example.com/v1\nkind: Loop\nmetadata: {name: a}\n---\n"
        "apiVersion: example.com/v1\nkind: Broken\nmetadata: {name: b}\n",
    }
    code, rows, _ = check(tmp_path, "--select", SCHEMA_IDS, "cr.yaml", files=files)
    assert code == 1
    assert [row[:4] for row in rows] == [["VM017", "cr.yaml", 1, 13], ["VM017", "cr.yaml", 5, 13]]
    assert rows[0][4].endswith("loop_v1.json cannot be used: $ref #/definitions/a refers to itself")
    assert rows[1][4].endswith(
        "broken_v1.json cannot be used: not JSON: Expecting property name enclosed in double quotes at line 1"
    )


def test_malformed_crd_is_located_and_its_resources_say_why_they_are_not_validated(tmp_path: Path) -> None:
    crd = CRD.replace("keep: {type: integer}", "keep: {type: integr}")
    files = {"crd.yaml": crd, "bad-backup.yaml": BAD_BACKUP}
    code, rows, data = check(tmp_path, "--select", SCHEMA_IDS, ".", files=files)
    where = "spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.keep"
    assert code == 1
    assert rows == [
        [
            "VM017",
            "bad-backup.yaml",
            1,
            13,
            f"the schema of example.com/v1 Backup from crd.yaml cannot be used: type ['integr'] is not a JSON Schema "
            f"type (at {where})",
        ],
        [
            "VM017",
            "crd.yaml",
            22,
            23,
            "this schema cannot be used to validate: type ['integr'] is not a JSON Schema type",
        ],
    ]
    assert data["summary"]["unvalidated"] == 1


@pytest.mark.parametrize("value", ["1.3O", "2.0", "1.24", "latest"])
def test_a_bad_kubernetes_version_on_the_command_line_exits_2(tmp_path: Path, value: str) -> None:
    result = CliRunner().invoke(main, ["check", "--kubernetes-version", value, str(tmp_path)])
    assert result.exit_code == 2
    assert "--kubernetes-version" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('kubernetes-version: "1.x"\n', "kubernetes-version: '1.x' is not a Kubernetes version of the form 1.NN"),
        ("kubernetes-version: 1.30\n", 'kubernetes-version: 1.3 is a number; quote the version ("1.30")'),
        ("kubernetes-version: [1]\n", "kubernetes-version: [1] is not of type 'string', 'number'"),
    ],
)
def test_a_bad_kubernetes_version_in_the_config_exits_2_naming_the_key(tmp_path: Path, line: str, message: str) -> None:
    (tmp_path / ".vmlint.yaml").write_text(line)
    result = CliRunner().invoke(main, ["check", "--config", str(tmp_path / ".vmlint.yaml"), str(tmp_path)])
    assert result.exit_code == 2
    assert message in result.output


def test_a_10_mb_crd_is_bounded(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".git").mkdir()
    properties = "".join(f"                f{i}: {{type: string, description: {'x' * 200}}}\n" for i in range(40_000))
    (repo / "big-crd.yaml").write_text(CRD.replace("                schedule: {type: string}\n", properties))
    assert (repo / "big-crd.yaml").stat().st_size > 9_500_000
    (repo / "backup.yaml").write_text(BAD_BACKUP)
    run = run_cli(["--fail-on", "error", "."], repo, timeout=60)
    assert run.report["errors"] == []
    assert {row[0] for row in run.rows("big-crd.yaml")} <= {"VM006"}  # too slow to check in budget, or checked
    assert_bounded(run, cpu_s=20, rss_mb=2000)


def test_bundled_versions_are_the_supported_ones() -> None:
    assert bundled_versions() == list(SUPPORTED)
    assert SUPPORTED[0] == "1.25"


def test_lifecycle_table_agrees_with_the_bundled_schemas() -> None:
    for (api_version, kind), api in API_LIFECYCLE.items():
        served = served_in(api_version, kind)
        if minor(api.removed) <= minor(SUPPORTED[0]):
            assert served == (), (api_version, kind)
        else:
            assert served and minor(served[-1]) == minor(api.removed) - 1, (api_version, kind, served)
        if api.replacement != "-" and (api.replacement, kind) not in API_LIFECYCLE:
            assert builtin(SUPPORTED[-1]).validator(api.replacement, kind) is not None, (api.replacement, kind)


def test_the_text_summary_counts_objects_without_a_schema(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "vm.yaml").write_text("apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {name: a}\n")
    result = CliRunner().invoke(main, ["check", "--select", SCHEMA_IDS, str(tmp_path / "vm.yaml")])
    assert result.output.splitlines()[-1] == (
        "0 findings in 1 file (1 workload, 0 suppressed, 0 files skipped as not manifests, "
        "1 object not validated: no schema)"
    )


def test_a_crd_serves_resources_above_it_in_its_file_and_metadata_is_checked_as_object_meta(tmp_path: Path) -> None:
    thing = (
        "apiVersion: example.com/v1\nkind: Thing\nmetadata:\n  name: t\n  lables: {a: b}\nspec:\n  size: big\n"
        "  inner:\n    apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: x}\n    data: {a: b}\n---\n"
    )
    crd = CRD.replace("Backup, plural: backups", "Thing, plural: things").replace("backups.", "things.")
    crd = (
        crd.replace(
            "                keep: {type: integer}\n",
            "                size: {type: integer, nullable: true}\n"
            "                inner: {type: object, x-kubernetes-embedded-resource: true, "
            "x-kubernetes-preserve-unknown-fields: true}\n",
        )
        .replace("                size: {x-kubernetes-int-or-string: true}\n", "")
        .replace("required: [schedule]", "")
    )
    code, rows, data = check(tmp_path, "--select", SCHEMA_IDS, "both.yaml", files={"both.yaml": thing + crd})
    assert code == 1
    assert rows == [
        ["VM010", "both.yaml", 5, 3, "metadata has no field lables; did you mean labels?"],
        ["VM011", "both.yaml", 7, 9, 'spec.size must be an integer, not the string "big"'],
    ]
    assert data["summary"]["unvalidated"] == 0


def test_a_document_cannot_steer_the_schema_lookup_out_of_the_schema_dirs(tmp_path: Path) -> None:
    outside = {"type": "object", "properties": {"spec": {"type": "string"}}}
    files = {
        ".vmlint.yaml": "schema-dirs: [schemas]\n",
        "secret/x_v1.json": json.dumps(outside),
        "cr.yaml": "apiVersion: ../secret/v1\nkind: X\nmetadata: {name: a}\nspec: {a: 1}\n",
    }
    code, rows, data = check(tmp_path, "--select", SCHEMA_IDS, "cr.yaml", files=files)
    assert (code, rows, data["summary"]["unvalidated"]) == (0, [], 1)
