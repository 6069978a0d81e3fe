"""The Kubernetes normaliser: which objects carry pod specs, inheritance, legacy annotations, context facts."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from vmlint.context import contradicted, defined, effective, token_not_automounted
from vmlint.facts import kubernetes_facts
from vmlint.formats import load
from vmlint.model import Fact
from vmlint.normalize.common import Classifier
from vmlint.normalize.kubernetes import legacy_profile


def _workloads(text: str):
    loaded = load(textwrap.dedent(text).encode(), "k.yaml", Classifier())
    assert loaded.problems == []
    return loaded.workloads


def test_knative_objects_are_matched_on_api_group_and_kind() -> None:
    found = _workloads(
        """
        apiVersion: serving.knative.dev/v1
        kind: Service
        metadata: {name: hello}
        spec:
          template:
            spec:
              containers: [{name: user, image: hello:1}]
        ---
        apiVersion: serving.knative.dev/v1
        kind: Revision
        metadata: {name: hello-00001}
        spec:
          containers: [{name: user, image: hello:1}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: hello}
        spec:
          template:
            spec:
              containers: [{name: not-a-pod, image: x}]
        ---
        apiVersion: serving.knative.dev/v1
        kind: Route
        metadata: {name: hello}
        spec: {containers: [{name: not-a-pod, image: x}]}
        """
    )
    assert [(w.kind, w.role, w.pod_spec_path, [u.path for u in w.units]) for w in found] == [
        ("Service", "service", ("spec", "template", "spec"), [("spec", "template", "spec", "containers", 0)]),
        ("Revision", "service", ("spec",), [("spec", "containers", 0)]),
        ("Service", "object", (), []),
        ("Route", "object", (), []),
    ]


def test_container_settings_override_the_pods_and_unset_ones_inherit() -> None:
    [workload] = _workloads(
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          template:
            spec:
              securityContext: {runAsUser: 1000, seccompProfile: {type: RuntimeDefault}}
              containers:
              - name: a
                image: a:1
              - name: b
                image: b:1
                securityContext: {runAsUser: 0}
        """
    )
    first, second = workload.units
    pod = ("spec", "template", "spec", "securityContext")
    assert first.run_as_user == Fact(1000, pod + ("runAsUser",))
    assert second.run_as_user == Fact(0, ("spec", "template", "spec", "containers", 1, "securityContext", "runAsUser"))
    assert first.seccomp == second.seccomp == Fact("RuntimeDefault", pod + ("seccompProfile", "type"))


def test_legacy_annotations_use_field_vocabulary_and_point_at_the_metadata_that_sets_them() -> None:
    [workload] = _workloads(
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          annotations:
            container.apparmor.security.beta.kubernetes.io/web: localhost/other
        spec:
          template:
            metadata:
              annotations:
                container.apparmor.security.beta.kubernetes.io/web: unconfined
                seccomp.security.alpha.kubernetes.io/pod: runtime/default
            spec:
              containers: [{name: web, image: web:1}]
        """
    )
    [unit] = workload.units
    annotations = ("spec", "template", "metadata", "annotations")
    assert unit.apparmor == Fact("Unconfined", annotations + ("container.apparmor.security.beta.kubernetes.io/web",))
    assert unit.seccomp == Fact("RuntimeDefault", annotations + ("seccomp.security.alpha.kubernetes.io/pod",))
    assert [legacy_profile(v) for v in ("docker/default", "localhost/p", "Other")] == [
        "RuntimeDefault",
        "Localhost",
        "Other",
    ]


def test_service_accounts_provide_file_scoped_and_run_wide_facts_and_contradict_each_other() -> None:
    def account(automount: object) -> dict[str, object]:
        obj: dict[str, object] = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "web"}}
        if automount is not None:
            obj["automountServiceAccountToken"] = automount
        return obj

    exists = defined(None, "ServiceAccount", "web")
    off = set(kubernetes_facts(account(False), (), Classifier(), "a.yaml"))
    assert off == {exists, token_not_automounted(None, "web"), token_not_automounted(None, "web", "a.yaml")}
    on = set(kubernetes_facts(account(True), (), Classifier(), "b.yaml"))
    assert (
        on
        == set(kubernetes_facts(account(None), (), Classifier(), "c.yaml"))
        == {exists, contradicted(token_not_automounted(None, "web"))}
    )
    assert effective(frozenset(off)) == frozenset(off)
    assert effective(frozenset(off | on)) == frozenset({exists, token_not_automounted(None, "web", "a.yaml")})


def test_objects_beside_workloads_are_object_workloads_and_not_counted_as_workloads(tmp_path: Path) -> None:
    text = """
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: shop, labels: {vmlint.io/security-tier: high}}
        spec: {type: ClusterIP}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec: {containers: [{name: web, image: "web:1.2"}]}
        """
    [service, pod] = _workloads(text)
    assert (service.kind, service.role, service.namespace, service.units, service.tier.value) == (
        "Service",
        "object",
        "shop",
        (),
        None,
    )
    assert pod.role == "service"
    path = tmp_path / "k.yaml"
    path.write_text(textwrap.dedent(text))
    done = subprocess.run(
        [sys.executable, "-m", "vmlint", "check", str(path), "--format", "json", "--fail-on", "never"],
        capture_output=True,
        text=True,
    )
    assert json.loads(done.stdout)["summary"]["workloads"] == 1
