"""Which workloads a policy's check sees: its formats; plain objects only by kind or with ``objects=True``."""

from __future__ import annotations

from collections.abc import Iterator

from vmlint.checking import ActivePolicy, Checks
from vmlint.config import load_config
from vmlint.formats import load
from vmlint.model import Workload
from vmlint.policy import Hit, Settings, load_policies, policy

MANIFEST = b"""\
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{port: 80}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: app, image: nginx:1.27}]}
"""


def _every(workload: Workload, settings: Settings) -> Iterator[Hit]:
    yield Hit((), workload.kind)


def _active(**declared: object) -> ActivePolicy:
    made = policy(
        id="VM999",
        name="sees-everything",
        tradeoff="management",
        severity="info",
        summary="s",
        rationale="r",
        remediation="f",
        formats=("kubernetes",),
        **declared,  # type: ignore[arg-type]
    )(_every)
    return ActivePolicy(made, "info", Settings())


def _seen(active: ActivePolicy) -> list[str]:
    classifier = load_config(None, load_policies()).classifier()
    workloads = load(MANIFEST, "m.yaml", classifier).workloads
    checks = Checks([active])
    return [w.kind for w in workloads for a in checks.applicable(w) for _ in a.policy.check(w, a.settings)]  # type: ignore[misc]


def test_a_policy_over_workloads_does_not_see_plain_objects() -> None:
    assert _seen(_active()) == ["Deployment"]


def test_a_policy_that_judges_objects_sees_them_too() -> None:
    assert _seen(_active(objects=True)) == ["Service", "Deployment"]


def test_declared_kinds_are_seen_whatever_their_role() -> None:
    assert _seen(_active(kinds=("Service",))) == ["Service"]
