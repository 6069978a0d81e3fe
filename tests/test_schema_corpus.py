"""Every schema finding on ../shared/corpus/real, each read by hand and found real (the API server rejects or
warns about it). Old API versions are expected in the archived examples; VM304 reports them."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import SHARED
from tests.helpers import lint

CORPUS = SHARED / "corpus" / "real"
ARCHIVED = "k8s/kubernetes-examples/_archived/"
SCHEMA_IDS = [f"VM01{n}" for n in range(8)]
# (policy, file under ARCHIVED, line, column): why the API server would reject or warn about it.
EXPECTED = {
    ("VM016", "cloud-controller-manager/persistent-volume-label-initializer-config.yaml", 1, 7): (
        "InitializerConfiguration (admissionregistration.k8s.io/v1alpha1) was removed in Kubernetes 1.14"
    ),
    ("VM016", "scheduler-policy/scheduler-policy-config-with-extender.json", 2, 10): (
        "a kube-scheduler Policy file, not an API object: there is no kind Policy in v1 (the legacy scheduler "
        "Policy API is gone since 1.23), so applying it fails with `no matches for kind`"
    ),
    ("VM016", "scheduler-policy/scheduler-policy-config.json", 2, 11): "the same scheduler Policy file",
    ("VM012", "volumes/aws_ebs/aws-ebs-web.yaml", 12, 21): "protocol `tcp`: only TCP, UDP, SCTP are accepted",
    ("VM012", "volumes/cinder/cinder-web.yaml", 12, 21): "protocol `tcp`: only TCP, UDP, SCTP are accepted",
    ("VM011", "volumes/fibre_channel/fc.yaml", 17, 13): "fc.lun is the placeholder string `<ADD LUN ID Here>`",
    ("VM010", "volumes/rbd/rbd.yaml", 25, 9): "imageformat is a StorageClass parameter, not an RBD volume field",
    ("VM010", "volumes/rbd/rbd.yaml", 26, 9): "imagefeatures is a StorageClass parameter, not an RBD volume field",
    ("VM010", "volumes/scaleio/pod.yaml", 17, 7): "protectionDoamin: a misspelling of protectionDomain",
    ("VM010", "volumes/storageos/storageos-pod.yaml", 35, 9): "a StorageOS volume has no pool field",
    ("VM010", "volumes/storageos/storageos-pv.yaml", 22, 5): "a StorageOS PV names its secret in secretRef",
}


def _relative(file: str) -> str:
    path = Path(file)
    return str(path.relative_to(CORPUS)) if path.is_absolute() else file


@pytest.mark.corpus
def test_every_schema_finding_on_the_real_corpus_is_a_listed_real_problem() -> None:
    report = lint([CORPUS], select=[*SCHEMA_IDS, "VM304", "VM305"], cwd=CORPUS)
    found = {(f.policy, _relative(f.file), f.line, f.column) for f in report.findings if f.policy in SCHEMA_IDS}
    assert found == {(policy, ARCHIVED + file, line, column) for policy, file, line, column in EXPECTED}
    removed = [f for f in report.findings if f.policy == "VM304"]
    # Old API versions: 11 in archived examples, 3 pre-1.22 RBAC objects in sock-shop's optional manifests.
    assert Counter(_relative(f.file).startswith(ARCHIVED) for f in removed) == {True: 11, False: 3}
    assert report.summary.unvalidated == 71  # custom resources (KubeVirt, Kustomize, ...) with no schema given
