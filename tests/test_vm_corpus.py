"""The real VM corpus: every file lints cleanly, and the KubeVirt examples' plaintext passwords are all found."""

from __future__ import annotations

import pytest

from tests.conftest import SHARED
from tests.helpers import lint

CORPUS = SHARED / "corpus" / "real" / "vm"
KUBEVIRT = CORPUS / "kubevirt" / "kubevirt-examples" / "examples"
# Read by hand: each of these embeds `#cloud-config` user-data with `password: fedora` (one VM each).
PASSWORD_FILES = [
    "vmi-dra-pgpu.yaml",
    "vmi-fedora-isolated.yaml",
    "vmi-fedora.yaml",
    "vmi-gpu.yaml",
    "vmi-masquerade.yaml",
    "vmi-multus-multiple-net.yaml",
    "vmi-multus-ptp.yaml",
    "vmi-sriov.yaml",
    "vmi-usb.yaml",
    "vmi-with-sidecar-hook-configmap.yaml",
    "vmi-with-sidecar-hook.yaml",
]


@pytest.mark.corpus
def test_every_vm_corpus_file_lints_without_internal_or_input_errors() -> None:
    report = lint([CORPUS], cwd=CORPUS)
    assert report.errors == ()
    assert [f for f in report.findings if f.policy < "VM010"] == []
    assert (report.summary.files, report.summary.skipped, report.summary.workloads) == (219, 0, 352)


@pytest.mark.corpus
def test_plaintext_cloud_init_passwords_in_the_kubevirt_examples_are_found() -> None:
    report = lint(["."], select=["VM650"], cwd=KUBEVIRT)  # relative: ../shared may be a symlink
    found = sorted((f.file, f.line, f.column) for f in report.findings)
    assert len(found) == 11
    assert [file for file, _, _ in found] == PASSWORD_FILES
    lines = {file: (KUBEVIRT / file).read_text().splitlines() for file in PASSWORD_FILES}
    for file, line, column in found:
        assert lines[file][line - 1][column - 1 :] == "fedora", (file, line, column)
        assert lines[file][line - 1].strip() == "password: fedora"
