"""Context facts from Kubernetes objects and the workloads normalised from them, applied across files of one run."""

from __future__ import annotations

from vmlint.context import (
    absent,
    autoscaled,
    autoscaled_at_least,
    budgets_covering,
    contradicted,
    defined,
    disruption_budget,
    effective,
    label_pairs,
    pods_labelled,
    sandbox_class,
)
from vmlint.facts import kubernetes_facts
from vmlint.normalize.common import Classifier
from vmlint.normalize.kubernetes import KubernetesNormalizer, is_kubernetes_object


def _facts(obj: dict[str, object]) -> list[tuple[str, ...]]:
    """The object's facts, read with its workloads as a run reads them (only objects with apiVersion and kind)."""
    workloads = KubernetesNormalizer(Classifier(), "").workloads(obj) if is_kubernetes_object(obj) else []
    return list(kubernetes_facts(obj, workloads, Classifier()))


def test_hpa_provides_the_autoscaled_fact_and_contradicts_its_absence() -> None:
    hpa = {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}},
    }
    target = autoscaled("shop", "Deployment", "web")
    at_least_one = autoscaled_at_least("shop", "Deployment", "web", 1)  # minReplicas defaults to 1
    assert _facts(hpa) == [
        defined("shop", "HorizontalPodAutoscaler", "web"),
        target,
        contradicted(absent(target)),
        at_least_one,
    ]
    assert autoscaled(None, "Deployment", "web") == ("autoscaled", "default", "Deployment", "web")
    hpa["spec"]["minReplicas"] = 3  # type: ignore[index]
    assert [f for f in _facts(hpa) if f[0] == "autoscaled-at-least"] == [
        autoscaled_at_least("shop", "Deployment", "web", count) for count in (1, 2, 3)
    ]


def test_a_replicated_workload_presumes_it_is_not_autoscaled_until_an_hpa_says_so() -> None:
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {"template": {"metadata": {"labels": {"app": "web", "tier": "front"}}}},
    }
    presumed = absent(autoscaled(None, "Deployment", "web"))
    assert _facts(deployment) == [
        defined(None, "Deployment", "web"),
        presumed,
        pods_labelled(None, ("app=web",)),
        pods_labelled(None, ("tier=front",)),
        pods_labelled(None, ("app=web", "tier=front")),
    ]
    assert presumed in effective(frozenset(_facts(deployment)))
    assert presumed not in effective(frozenset([presumed, contradicted(presumed)]))


def test_pod_labels_are_offered_in_subsets_of_up_to_three() -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"labels": {"a": "1", "b": "2", "c": "3", "d": True}},
        "spec": {"containers": []},
    }
    labelled = [fact for fact in _facts(pod) if fact[0] == "pods-labelled"]
    assert len(labelled) == 4 + 6 + 4
    assert pods_labelled(None, ("a=1", "b=2", "d=true")) in labelled
    assert label_pairs({"z": "1", "a": None, "b": False}) == ("b=false", "z=1")


def test_pod_disruption_budget_selectors() -> None:
    def budget(selector: object) -> list[tuple[str, ...]]:
        pdb = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "b", "namespace": "x"}}
        pdb["spec"] = {"selector": selector}
        return [fact for fact in _facts(pdb) if fact[0] == "disruption-budget"]

    assert budget({"matchLabels": {"tier": "front", "app": "web"}}) == [
        disruption_budget("x", ("app=web", "tier=front"))
    ]
    assert budget({}) == [disruption_budget("x", ())]  # an empty selector selects every pod of the namespace
    assert budget({"matchExpressions": [{"key": "app", "operator": "Exists"}]}) == [disruption_budget("x", ())]
    assert budget(None) == []


def test_a_workload_is_covered_by_any_budget_whose_labels_are_a_subset_of_its_pod_labels() -> None:
    covering = budgets_covering("x", {"app": "web", "tier": "front"})
    assert covering == (
        disruption_budget("x", ()),
        disruption_budget("x", ("app=web",)),
        disruption_budget("x", ("tier=front",)),
        disruption_budget("x", ("app=web", "tier=front")),
    )
    assert budgets_covering(None, {f"k{i}": "v" for i in range(13)}) is None


def test_runtime_class_with_a_sandbox_handler() -> None:
    rc = {"apiVersion": "node.k8s.io/v1", "kind": "RuntimeClass", "metadata": {"name": "secure"}, "handler": "kata"}
    assert _facts(rc) == [defined(None, "RuntimeClass", "secure"), sandbox_class("secure")]
    rc["handler"] = "runc"
    assert _facts(rc) == [defined(None, "RuntimeClass", "secure")]


def test_malformed_objects_provide_nothing() -> None:
    for obj in (
        {"kind": "HorizontalPodAutoscaler", "metadata": None, "spec": {"scaleTargetRef": "web"}},
        {"kind": "HorizontalPodAutoscaler", "spec": []},
        {"kind": "RuntimeClass", "metadata": {"name": 5}, "handler": "kata"},
        {"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"template": []}},
    ):
        assert _facts(obj) == []
    # A selector that cannot be read is taken to cover the namespace: no finding rests on a misread budget.
    assert _facts({"kind": "PodDisruptionBudget", "spec": {"selector": {"matchLabels": [1]}}}) == [
        disruption_budget(None, ())
    ]
