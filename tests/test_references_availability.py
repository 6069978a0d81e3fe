"""Cross-object references and autoscaler budgets (issue 11): VM512 names the autoscaler's file and line across
files, the join it rests on, and the references VM614-VM616 judged across files and namespaces."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from vmlint.cli import main
from vmlint.context import budget_blocks_at
from vmlint.derived import blocking_budgets
from vmlint.facts.availability import availability_facts

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      serviceAccountName: web
      containers:
        - name: web
          image: web:1.2
          env:
            - name: PASSWORD
              valueFrom:
                secretKeyRef:
                  name: db
                  key: password
"""
HPA = """apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
  namespace: shop
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: web
  minReplicas: 3
  maxReplicas: 9
"""
PDB = """apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
  namespace: shop
spec:
  minAvailable: {minimum}
  selector:
    matchLabels:
      app: web
"""
ACCOUNTS = """apiVersion: v1
kind: ServiceAccount
metadata:
  name: {name}
  namespace: shop
---
apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: shop
stringData:
  {key}: example
"""


def _run(tmp_path: Path, files: dict[str, str], select: str) -> list[tuple[str, str, int, int, str]]:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    result = CliRunner().invoke(main, ["check", "--select", select, "--format", "json", str(tmp_path)])
    assert result.exit_code in (0, 1), result.output
    return [
        (f["policy"], Path(f["file"]).name, f["line"], f["column"], f["message"])
        for f in json.loads(result.output)["findings"]
    ]


def test_the_budget_finding_sits_on_min_available_and_names_the_autoscaler_in_another_file(tmp_path: Path) -> None:
    found = _run(tmp_path, {"web.yaml": DEPLOYMENT, "hpa.yaml": HPA, "pdb.yaml": PDB.format(minimum=3)}, "VM512")
    assert found == [
        (
            "VM512",
            "pdb.yaml",
            7,
            17,
            "PodDisruptionBudget web keeps minAvailable 3, and HorizontalPodAutoscaler web "
            f"({tmp_path / 'hpa.yaml'}:11) scales Deployment web down to 3: at that scale no pod can be evicted",
        )
    ]


@pytest.mark.parametrize("minimum", ["2", "50%", "66%"])
def test_a_budget_that_leaves_one_pod_to_evict_at_the_minimum_passes(tmp_path: Path, minimum: str) -> None:
    files = {"web.yaml": DEPLOYMENT, "hpa.yaml": HPA, "pdb.yaml": PDB.format(minimum=minimum)}
    assert _run(tmp_path, files, "VM512") == []


@pytest.mark.parametrize(
    ("minimum", "counts"),
    [(3, [1, 2, 3]), (0, []), ("50%", [1]), ("66%", [1, 2]), ("67%", [1, 2, 3]), ("100%", []), ("1.5", [])],
)
def test_a_budget_blocks_the_replica_counts_its_minimum_leaves_nothing_to_evict_of(
    minimum: object, counts: list[int]
) -> None:
    budget = {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": "b", "namespace": "shop"},
        "spec": {"minAvailable": minimum, "selector": {"matchLabels": {"app": "web"}}},
    }
    assert sorted(availability_facts(budget, (), "b.yaml")) == [
        budget_blocks_at("shop", "b", count, ("app=web",)) for count in sorted(counts, key=str)
    ]


def test_the_join_matches_namespace_selector_target_and_count() -> None:
    pods = ("pods-of", "shop", "Deployment", "web", "app=web", "tier=front")
    scaler = ("autoscaler-minimum", "shop", "Deployment", "web", "3", "HorizontalPodAutoscaler web (h.yaml:9)")
    found = {
        (
            "budget-blocks-autoscaled",
            "shop",
            "b",
            "HorizontalPodAutoscaler web (h.yaml:9) scales Deployment web down to 3",
        )
    }
    assert blocking_budgets({pods, scaler, budget_blocks_at("shop", "b", 3, ("app=web",))}) == found
    assert blocking_budgets({pods, scaler, budget_blocks_at("shop", "b", 3, ())}) == found  # empty: all pods
    assert blocking_budgets({pods, scaler, budget_blocks_at("shop", "b", 2, ("app=web",))}) == set()
    assert blocking_budgets({pods, scaler, budget_blocks_at("other", "b", 3, ("app=web",))}) == set()
    assert blocking_budgets({pods, scaler, budget_blocks_at("shop", "b", 3, ("app=api",))}) == set()


def test_references_are_judged_across_files_in_the_workload_namespace(tmp_path: Path) -> None:
    files = {"web.yaml": DEPLOYMENT, "accounts.yaml": ACCOUNTS.format(name="api", key="pass")}
    assert _run(tmp_path, files, "VM615,VM616") == [
        ("VM615", "web.yaml", 15, 27, "Deployment web runs as ServiceAccount web, which no linted file defines"),
        ("VM616", "web.yaml", 24, 24, "container web reads key password of Secret db, which has no such key"),
    ]
    (tmp_path / "accounts.yaml").write_text(ACCOUNTS.format(name="web", key="password"))
    assert _run(tmp_path, {}, "VM615,VM616") == []


def test_references_into_a_namespace_the_run_defines_nothing_of_are_not_judged(tmp_path: Path) -> None:
    other = ACCOUNTS.format(name="api", key="pass").replace("namespace: shop", "namespace: platform")
    assert _run(tmp_path, {"web.yaml": DEPLOYMENT, "accounts.yaml": other}, "VM615,VM616") == []
