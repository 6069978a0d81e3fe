"""Scalability: autoscalers that cannot scale, and budgets that block every eviction at an autoscaler's minimum.

Appended to the family by ``policies/scalability.py``. The budget check rests on a join made once per run
(``vmlint.derived``): a PodDisruptionBudget, the workload whose pods it selects and the autoscaler of that workload.
"""

from __future__ import annotations

from collections.abc import Iterator

from vmlint.context import budget_blocks_autoscaled
from vmlint.model import Workload
from vmlint.policy import Example, Hit, Option, Policy, Settings, policy

from ._objects import is_object, spec_of


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@policy(
    id="VM510",
    name="autoscaler-cannot-scale",
    tradeoff="scalability",
    severity="warning",
    summary="A HorizontalPodAutoscaler's maxReplicas is not above its minReplicas.",
    rationale=(
        "An autoscaler whose maximum is its minimum (or below it) never adds a replica: under load the workload "
        "stays at a fixed size while the manifest suggests it scales, and capacity planning trusts a number that "
        "does not move."
    ),
    remediation="Set `maxReplicas` above `minReplicas`, or drop the autoscaler and set the workload's replicas.",
    formats=("kubernetes",),
    kinds=("HorizontalPodAutoscaler",),
    related={"polaris": ("hpaMaxAvailability",)},
    notes="Judged only when minReplicas is written (as Polaris does); an unset minReplicas is 1.",
    examples=(
        Example(
            "kubernetes",
            bad="kind: HorizontalPodAutoscaler\nspec:\n  minReplicas: 3\n  maxReplicas: 3",
            good="kind: HorizontalPodAutoscaler\nspec:\n  minReplicas: 3\n  maxReplicas: 10",
        ),
    ),
)
def autoscaler_cannot_scale(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if not is_object(workload, "HorizontalPodAutoscaler"):
        return
    spec = spec_of(workload)
    low, high = _count(spec.get("minReplicas")), _count(spec.get("maxReplicas"))
    if low is not None and high is not None and high <= low:
        yield Hit(
            ("spec", "maxReplicas"),
            f"HorizontalPodAutoscaler {workload.name} never scales: maxReplicas {high} is not above minReplicas {low}",
        )


@policy(
    id="VM511",
    name="autoscaler-minimum-single",
    tradeoff="scalability",
    severity="warning",
    summary="A HorizontalPodAutoscaler's minReplicas is below two: when idle the workload is a single pod.",
    rationale=(
        "An autoscaler scales down to its minimum whenever load is low, which is when maintenance happens: with "
        "one replica left every node drain, rollout or crash is an outage, however many replicas the peak needs."
    ),
    remediation="Set `minReplicas` to 2 or more (and keep a PodDisruptionBudget that allows one eviction).",
    formats=("kubernetes",),
    kinds=("HorizontalPodAutoscaler",),
    options={"minimum": Option(2, "The fewest minReplicas that pass.", minimum=1, maximum=10_000)},
    related={"polaris": ("hpaMinAvailability",)},
    notes=(
        "Judged only when minReplicas is written (as Polaris does). single-replica (VM501) judges the workload's "
        "own replicas and also reports a workload whose autoscaler keeps fewer than two."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="kind: HorizontalPodAutoscaler\nspec:\n  minReplicas: 1\n  maxReplicas: 5",
            good="kind: HorizontalPodAutoscaler\nspec:\n  minReplicas: 2\n  maxReplicas: 5",
        ),
    ),
)
def autoscaler_minimum_single(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if not is_object(workload, "HorizontalPodAutoscaler"):
        return
    low = _count(spec_of(workload).get("minReplicas"))
    minimum = int(settings["minimum"])
    if low is not None and low < minimum:
        yield Hit(
            ("spec", "minReplicas"),
            f"HorizontalPodAutoscaler {workload.name} scales down to {low}; set minReplicas: {minimum} or more",
        )


@policy(
    id="VM512",
    name="budget-blocks-autoscaled-minimum",
    tradeoff="scalability",
    severity="warning",
    summary="A PodDisruptionBudget's minAvailable is at least the minReplicas of the autoscaler of the pods it "
    "selects.",
    rationale=(
        "At its minimum the autoscaler runs minReplicas pods; a budget that keeps that many available allows no "
        "eviction, so every node drain, cluster upgrade and scale-down of the nodes those pods run on waits "
        "until load happens to scale the workload up, or someone deletes the budget."
    ),
    remediation=(
        "Use `maxUnavailable: 1` instead of minAvailable, or keep minAvailable below the autoscaler's minReplicas."
    ),
    formats=("kubernetes",),
    kinds=("PodDisruptionBudget",),
    related={"polaris": ("pdbMinAvailableGreaterThanHPAMinReplicas",)},
    notes=(
        "Judged over the run: the budget (matchLabels only), a replicated workload whose pod labels include its "
        "selector, and an autoscaler targeting that workload in the same namespace. A percentage is rounded up "
        "against minReplicas, as the disruption controller rounds it; 100% is pdb-allows-no-disruption's (VM508) "
        "finding, and minReplicas above 100 are not judged. Equal counts are reported too (Polaris reports only a "
        "larger minAvailable): they also leave no pod to evict."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="kind: PodDisruptionBudget\nspec:\n  minAvailable: 2\n---\nkind: HorizontalPodAutoscaler\nspec:\n"
            "  minReplicas: 2",
            good="kind: PodDisruptionBudget\nspec:\n  maxUnavailable: 1\n---\nkind: HorizontalPodAutoscaler\nspec:\n"
            "  minReplicas: 2",
        ),
    ),
)
def budget_blocks_autoscaled_minimum(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if workload.format != "kubernetes" or workload.role != "object" or workload.kind != "PodDisruptionBudget":
        return
    minimum = spec_of(workload).get("minAvailable")
    if isinstance(minimum, bool) or not isinstance(minimum, int | str):
        return
    yield Hit(
        ("spec", "minAvailable"),
        f"PodDisruptionBudget {workload.name} keeps minAvailable {minimum}, and {{}}: at that scale no pod can be "
        "evicted",
        needs=budget_blocks_autoscaled(workload.namespace, workload.name),
    )


POLICIES: tuple[Policy, ...] = (autoscaler_cannot_scale, autoscaler_minimum_single, budget_blocks_autoscaled_minimum)
