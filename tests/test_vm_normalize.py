"""VM formats onto the workload model: KubeVirt, cloud-init, Packer and libvirt facts and where they point."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

from tests.helpers import lint, triples
from vmlint.formats import load
from vmlint.model import Workload
from vmlint.normalize.common import Classifier
from vmlint.source import locate

VM = Path(__file__).parent / "vm"


def workloads(name: str) -> list[Workload]:
    path = VM / name
    loaded = load(path.read_bytes(), str(path), Classifier(), str(path))
    assert loaded.problems == []
    return loaded.workloads


def at(workload: Workload, path: tuple[object, ...]) -> tuple[int, int]:
    position = locate(workload.document, workload.path + path, workload.file)  # type: ignore[arg-type]
    return position.line, position.column


def test_kubevirt_vm_is_a_vm_workload_with_tier_and_embedded_cloud_init_on_real_lines() -> None:
    (vm,) = workloads("embedded.yaml")
    assert (vm.format, vm.kind, vm.name, vm.role, vm.isolation) == (
        "kubevirt",
        "VirtualMachine",
        "embedded",
        "vm",
        "vm",
    )
    assert vm.tier.value == "high"
    assert vm.runtime.value == "kubevirt"
    assert vm.access is not None and vm.vm is not None
    (secret,) = vm.access.plaintext_passwords
    assert secret.value == "first-secret"
    assert at(vm, secret.path) == (35, 38)
    assert vm.access.password_auth.value is True
    assert at(vm, vm.access.password_auth.path) == (36, 27)
    assert vm.access.root_login.value is True
    assert at(vm, vm.access.root_login.path) == (37, 29)
    assert vm.vm.patch_step is not None and vm.vm.patch_step.value is False
    assert [(d.name, d.source, d.boot) for d in vm.vm.disk_details] == [("rootdisk", "containerDisk", True)]
    assert vm.units[0].image is not None and vm.units[0].image.tag == "40"
    assert vm.vm.long_lived is True


def test_quoted_user_data_points_at_the_field() -> None:
    (vmi,) = workloads("folded.yaml")
    assert vmi.access is not None
    (secret,) = vmi.access.plaintext_passwords
    assert (secret.value, at(vmi, secret.path)) == ("quoted-secret", (11, 19))


def test_base64_user_data_is_decoded_and_points_at_the_field(tmp_path: Path) -> None:
    encoded = base64.b64encode(b"#cloud-config\npassword: b64-secret\n").decode()
    path = tmp_path / "vmi.yaml"
    path.write_text(
        "apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\nmetadata:\n  name: b\nspec:\n  volumes:\n"
        f"    - name: ci\n      cloudInitConfigDrive:\n        userDataBase64: {encoded}\n"
    )
    (vmi,) = load(path.read_bytes(), str(path), Classifier()).workloads
    assert vmi.access is not None
    (secret,) = vmi.access.plaintext_passwords
    assert (secret.value, at(vmi, secret.path)) == ("b64-secret", (9, 25))


def test_kind_virtualmachine_outside_the_kubevirt_groups_is_not_a_vm() -> None:
    path = VM / "not-kubevirt.yaml"
    loaded = load(path.read_bytes(), str(path), Classifier())
    assert [(w.format, w.role) for w in loaded.workloads] == [("kubernetes", "object")]


def test_pool_tier_from_the_vmi_template_and_instancetype_sizing_is_unknown_not_missing() -> None:
    (pool,) = workloads("pool.yaml")
    assert (pool.kind, pool.tier.value) == ("VirtualMachinePool", "low")
    limits = pool.units[0].resources.memory_limit
    assert limits.value is None and limits.explicit
    assert limits.path == ("spec", "virtualMachineTemplate", "spec", "instancetype")
    assert triples(lint([VM / "pool.yaml"], select=["VM230"])) == []


def test_openshift_template_parameters_are_unknown(tmp_path: Path) -> None:
    fixture = Path(__file__).parent / "policies" / "VM650" / "fail-template.yaml"
    loaded = load(fixture.read_bytes(), "t.yaml", Classifier())
    first, second = loaded.workloads
    assert (first.name, first.path) == ("<unnamed>", ("objects", 0))
    assert first.access is not None and first.access.plaintext_passwords == ()
    assert second.access is not None
    assert [p.value for p in second.access.plaintext_passwords] == ["fedora"]


def test_standalone_cloud_config(tmp_path: Path) -> None:
    path = tmp_path / "user-data"
    path.write_text("#cloud-config\nchpasswd:\n  list:\n    - root:toor\n    - ops:RANDOM\npackage_upgrade: true\n")
    (guest,) = load(path.read_bytes(), str(path), Classifier()).workloads
    assert (guest.format, guest.kind, guest.role, guest.isolation) == ("cloud-init", "cloud-config", "vm", "vm")
    assert guest.access is not None and guest.vm is not None
    assert [(p.value, at(guest, p.path)) for p in guest.access.plaintext_passwords] == [("toor", (4, 7))]
    assert guest.vm.patch_step is not None and guest.vm.patch_step.value is True


def test_user_data_that_is_a_script_is_not_read_as_cloud_config(tmp_path: Path) -> None:
    path = tmp_path / "user-data"
    path.write_text("#!/bin/sh\necho hi\n")
    loaded = load(path.read_bytes(), str(path), Classifier())
    assert loaded.workloads == [] and loaded.problems == []


def test_libvirt_domain_tier_from_metadata_and_lxc_is_a_container() -> None:
    (domain,) = workloads("domain.xml")
    assert (domain.format, domain.kind, domain.name, domain.isolation) == ("libvirt", "domain", "db01", "vm")
    assert domain.tier.value == "high"
    assert at(domain, domain.tier.path) == (4, 5)
    assert domain.units[0].resources.memory_limit.value == "4 GiB"
    assert domain.vm is not None
    (disk,) = domain.vm.disk_details
    assert (disk.name, disk.source, disk.format.value, disk.boot) == ("vda", "file", "qcow2", True)
    assert at(domain, disk.format.path) == (15, 33)
    (lxc,) = workloads("lxc.xml")
    assert (lxc.isolation, lxc.runtime.value) == ("container", "lxc")


def test_packer_variables_resolve_from_defaults_and_var_files(tmp_path: Path) -> None:
    (build,) = workloads("varfile/build.pkr.hcl")
    assert (build.format, build.kind, build.name, build.role, build.isolation) == (
        "packer",
        "source qemu",
        "tagged",
        "image-build",
        "vm",
    )
    assert build.access is not None and build.vm is not None
    (secret,) = build.access.plaintext_passwords
    assert (secret.value, at(build, secret.path)) == ("from-var-file", (14, 18))
    assert build.access.root_login.value is True
    (download,) = build.vm.downloads
    assert download.checksum.value == "none"
    assert build.vm.patch_step is not None and build.vm.patch_step.value is True


def test_packer_from_stdin_reads_no_other_file() -> None:
    path = VM / "varfile" / "build.pkr.hcl"
    (build,) = load(path.read_bytes(), str(path), Classifier(), None).workloads
    assert build.access is not None
    assert [p.value for p in build.access.plaintext_passwords] == ["from-default"]
    assert build.vm is not None and build.vm.downloads[0].checksum.value is None


def test_packer_var_files_that_disagree_make_the_variable_unknown(tmp_path: Path) -> None:
    shutil.copytree(VM / "varfile", tmp_path / "cfg")
    (tmp_path / "cfg" / "other.pkrvars.hcl").write_text('password = "another"\n')
    path = tmp_path / "cfg" / "build.pkr.hcl"
    (build,) = load(path.read_bytes(), str(path), Classifier(), str(path)).workloads
    assert build.access is not None and build.access.plaintext_passwords == ()


def test_packer_syntax_error_is_a_located_finding(tmp_path: Path) -> None:
    path = tmp_path / "broken.pkr.hcl"
    path.write_text('source "qemu" "x" {\n  iso_url = "a"\n')
    assert triples(lint([path], select=[], cwd=tmp_path)) == [["VM001", "broken.pkr.hcl", 3, 1]]


def test_non_packer_hcl_and_non_domain_xml_are_skipped_quietly(tmp_path: Path) -> None:
    (tmp_path / "main.hcl").write_text("job { oops\n")
    (tmp_path / "pom.xml").write_text("<project><broken></project>\n")
    report = lint([tmp_path], cwd=tmp_path)
    assert triples(report) == []


def test_cross_format_policies_apply_to_vms(tmp_path: Path) -> None:
    path = tmp_path / "vmi.yaml"
    path.write_text(
        "apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\nmetadata:\n  name: pinned\n"
        "  labels:\n    vmlint.io/security-tier: high\nspec:\n  nodeName: worker-3\n  domain:\n    devices: {}\n"
    )
    assert triples(lint([path], select=["VM302", "VM101"], cwd=tmp_path)) == [["VM302", "vmi.yaml", 8, 13]]
    (tmp_path / "lxc.xml").write_text(
        (VM / "lxc.xml")
        .read_text()
        .replace(
            "<name>shell</name>",
            "<name>shell</name>\n  <metadata>\n    <t:security-tier xmlns:t='https://vmlint.io/xmlns/1'>high"
            "</t:security-tier>\n  </metadata>",
        )
    )
    assert triples(lint([tmp_path / "lxc.xml"], select=["VM101"], cwd=tmp_path)) == [["VM101", "lxc.xml", 4, 5]]


def test_wrong_shapes_are_located_problems_never_crashes() -> None:
    bad = VM / "bad"
    report = lint([bad], select=["VM008"], cwd=bad)
    assert report.errors == ()
    assert triples(report) == [
        ["VM008", "domain.xml", 6, 32],  # port='abc': libvirt reads only an integer (issue 9)
        ["VM008", "kubevirt.yaml", 3, 11],
        ["VM008", "kubevirt.yaml", 5, 25],
        ["VM008", "kubevirt.yaml", 5, 35],
        ["VM008", "kubevirt.yaml", 8, 25],
        ["VM008", "kubevirt.yaml", 10, 14],
        ["VM008", "kubevirt.yaml", 12, 19],
        ["VM008", "kubevirt.yaml", 13, 17],
        ["VM008", "kubevirt.yaml", 15, 11],
        # Packer JSON: wrong types are reported, not read as unknown (columns checked by hand on the one line)
        ["VM008", "packer.json", 1, 15],
        ["VM008", "packer.json", 1, 47],
        ["VM008", "packer.json", 1, 66],
        ["VM008", "packer.json", 1, 92],
        ["VM008", "packer.json", 1, 140],
        ["VM008", "packer.json", 1, 156],
        ["VM001", "user-data", 2, 7],
    ]
    assert triples(lint([bad / "user-data"], cwd=bad)) == [["VM001", "user-data", 2, 7]]


def test_unhashable_kind_is_not_a_kubevirt_object() -> None:
    from vmlint.normalize.kubevirt import is_kubevirt_object

    assert not is_kubevirt_object({"apiVersion": "kubevirt.io/v1", "kind": ["VirtualMachine"]})
    assert is_kubevirt_object({"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine"})
