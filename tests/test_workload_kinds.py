"""Workloads by shape: every object with a pod template at a known place, its kind as written (issue 11)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.helpers import lint, triples
from vmlint.cli import main
from vmlint.formats import load
from vmlint.normalize.common import Classifier

FIXTURES = Path(__file__).parent / "policies" / "VM102"


def _workloads(text: str, classifier: Classifier | None = None):
    loaded = load(textwrap.dedent(text).encode(), "k.yaml", classifier or Classifier())
    assert loaded.problems == []
    return loaded.workloads


@pytest.mark.parametrize(
    ("fixture", "kind", "role", "acts_as", "replicas"),
    [
        ("fail-deploymentconfig.yaml", "DeploymentConfig", "service", "Deployment", 2),
        ("fail-rollout.yaml", "Rollout", "service", "Deployment", 3),
        ("fail-scaledjob.yaml", "ScaledJob", "job", "Job", None),
        ("fail-cloneset.yaml", "CloneSet", "service", "Deployment", 2),
        ("fail-advanced-statefulset.yaml", "StatefulSet", "service", "StatefulSet", 3),
        ("fail-unknown-custom-resource.yaml", "WidgetRunner", "service", "", None),
    ],
)
def test_each_kind_is_a_workload_with_its_kind_as_written(
    fixture: str, kind: str, role: str, acts_as: str, replicas: int | None
) -> None:
    (workload,) = _workloads((FIXTURES / fixture).read_text())
    assert (workload.kind, workload.role, workload.acts_as) == (kind, role, acts_as)
    assert (workload.scaling.replicas.value if workload.scaling else None) == replicas
    assert [unit.privileged.value for unit in workload.units] == [True]


def test_core_objects_and_custom_resources_without_containers_stay_objects() -> None:
    found = _workloads(
        """
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec: {template: {spec: {containers: [{name: x, image: x}]}}}
        ---
        apiVersion: networking.k8s.io/v1
        kind: Thing
        metadata: {name: web}
        spec: {template: {spec: {containers: [{name: x, image: x}]}}}
        ---
        apiVersion: widgets.example.com/v1
        kind: Widget
        metadata: {name: web}
        spec: {template: {spec: {size: 3}}}
        """
    )
    assert [(w.kind, w.role) for w in found] == [("Service", "object"), ("Thing", "object"), ("Widget", "object")]


def test_rollout_workload_ref_manages_the_deployments_replicas() -> None:
    # The Deployment is scaled to 0 as Argo asks; the Rollout's 3 replicas run its pods: no single-replica finding.
    assert triples(lint(["fail-rollout-workload-ref.yaml"], select=["VM501"], cwd=FIXTURES)) == []


def test_replicated_custom_kinds_get_deployment_context(tmp_path: Path) -> None:
    (tmp_path / "web.yaml").write_text(
        (FIXTURES / "fail-cloneset.yaml").read_text().replace("replicas: 2", "replicas: 1")
        + "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: web\nspec:\n"
        "  scaleTargetRef:\n    apiVersion: apps.kruise.io/v1alpha1\n    kind: CloneSet\n    name: web\n"
        "  minReplicas: 2\n  maxReplicas: 4\n"
    )
    (tmp_path / "db.yaml").write_text((FIXTURES / "fail-advanced-statefulset.yaml").read_text())
    got = triples(lint(["."], select=["VM501", "VM503", "VM504"], cwd=tmp_path))
    assert got == [["VM504", "db.yaml", 6, 3], ["VM503", "web.yaml", 6, 3]]


def test_config_adds_pod_spec_locations_for_other_kinds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pipeline.yaml").write_text(
        "apiVersion: ci.example.com/v1\nkind: Pipeline\nmetadata:\n  name: build\nspec:\n  runner:\n    pod:\n"
        "      containers:\n        - name: builder\n          image: builder:1.0\n"
        "          securityContext:\n            privileged: true\n"
    )
    monkeypatch.chdir(tmp_path)
    before = CliRunner().invoke(main, ["check", "--select", "VM102", "--format", "json", "."])
    assert json.loads(before.output)["findings"] == []
    (tmp_path / ".vmlint.yaml").write_text("pod-spec-paths:\n  ci.example.com/Pipeline: spec.runner.pod\n")
    after = CliRunner().invoke(main, ["check", "--select", "VM102", "--format", "json", "."])
    found = [(f["policy"], f["line"], f["column"], f["object"]["kind"]) for f in json.loads(after.output)["findings"]]
    assert found == [("VM102", 12, 25, "Pipeline")]


def test_config_rejects_a_malformed_pod_spec_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".vmlint.yaml").write_text("pod-spec-paths:\n  Pipeline: spec..pod\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "."])
    assert result.exit_code == 2
    assert "pod-spec-paths.Pipeline" in result.output
