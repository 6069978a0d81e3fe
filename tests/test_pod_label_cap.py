"""Pods with more than MAX_ENUMERATED_LABELS labels: taken to carry any selector's labels, not enumerated (a pod with
300 labels has 4.5 million subsets of up to three; it used to spend the file's CPU budget, VM006)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tests.hostile_run import assert_bounded, run_cli
from vmlint.cli import main
from vmlint.context import MAX_ENUMERATED_LABELS

SELECT = "VM006,VM609,VM121,VM122"


def _files(labels: int) -> str:
    pod_labels = "".join(f"        l{i}: v{i}\n" for i in range(labels))
    return (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels:\n"
        f"      l0: v0\n  template:\n    metadata:\n      labels:\n{pod_labels}    spec:\n      containers:\n"
        "        - name: web\n          image: nginx:1.25\n          ports:\n            - containerPort: 80\n"
        "              name: http\n"
        "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    l5: v5\n"
        "    nope: x\n  ports:\n    - port: 80\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: api\n"
        "spec:\n  selector:\n    l5: v5\n  ports:\n    - port: 80\n      targetPort: 8080\n"
        "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np\nspec:\n"
        "  podSelector:\n    matchLabels:\n      nope: x\n  policyTypes: [Ingress]\n"
    )


def _rows(tmp_path: Path, labels: int) -> list[tuple[str, int, int, str]]:
    (tmp_path / "app.yaml").write_text(_files(labels))
    result = CliRunner().invoke(main, ["check", "--select", SELECT, "--format", "json", str(tmp_path)])
    assert result.exit_code in (0, 1), result.output
    return [(f["policy"], f["line"], f["column"], f["message"]) for f in json.loads(result.output)["findings"]]


def test_a_pod_with_up_to_the_cap_of_labels_is_matched_label_by_label(tmp_path: Path) -> None:
    start = 13 + MAX_ENUMERATED_LABELS  # the line after the pod labels
    assert _rows(tmp_path, MAX_ENUMERATED_LABELS) == [
        ("VM122", 11, 7, "Deployment web: no NetworkPolicy of namespace default (np) selects its pods"),
        ("VM609", start + 12, 3, "Service web selects pods labelled l5=v5, nope=x, and no linted pod has them"),
        ("VM609", start + 27, 19, "Service api targets port 8080, which no pod it selects declares"),
        ("VM121", start + 35, 5, "NetworkPolicy np selects pods labelled nope=x, and no linted pod has them"),
    ]


def test_a_pod_with_more_labels_than_the_cap_matches_any_selector_at_once(tmp_path: Path) -> None:
    assert _rows(tmp_path, MAX_ENUMERATED_LABELS + 1) == []
    (tmp_path / "app.yaml").write_text(_files(300))
    run = run_cli(["--select", SELECT, "app.yaml"], tmp_path)
    assert run.rows() == []  # not VM006: the 4.5 million subsets are not built
    assert_bounded(run)
