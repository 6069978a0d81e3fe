"""Context facts from non-workload objects, applied across files of one run."""

from __future__ import annotations

from vmlint.context import autoscaled, kubernetes_facts, sandbox_class
from vmlint.normalize.common import Classifier


def test_hpa_provides_the_autoscaled_fact_for_its_target() -> None:
    hpa = {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}},
    }
    assert list(kubernetes_facts(hpa, Classifier())) == [autoscaled("shop", "Deployment", "web")]
    assert autoscaled(None, "Deployment", "web") == ("autoscaled", "default", "Deployment", "web")


def test_runtime_class_with_a_sandbox_handler() -> None:
    rc = {"apiVersion": "node.k8s.io/v1", "kind": "RuntimeClass", "metadata": {"name": "secure"}, "handler": "kata"}
    assert list(kubernetes_facts(rc, Classifier())) == [sandbox_class("secure")]
    rc["handler"] = "runc"
    assert list(kubernetes_facts(rc, Classifier())) == []


def test_malformed_objects_provide_nothing() -> None:
    for obj in (
        {"kind": "HorizontalPodAutoscaler", "metadata": None, "spec": {"scaleTargetRef": "web"}},
        {"kind": "HorizontalPodAutoscaler", "spec": []},
        {"kind": "RuntimeClass", "metadata": {"name": 5}, "handler": "kata"},
    ):
        assert list(kubernetes_facts(obj, Classifier())) == []
