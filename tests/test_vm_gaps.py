"""VM facts behind the boot-time, scalability, dependencies and backup policies, and the fixes to the VM readers:
chpasswd entries on their own lines, Packer fields of the wrong type, VM302's wording for VMs."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import lint, triples
from vmlint.facts import vm_facts
from vmlint.formats import load
from vmlint.model import Workload
from vmlint.normalize.common import Classifier
from vmlint.vm_context import namespace_backed_up


def load_text(tmp_path: Path, name: str, text: str) -> list[Workload]:
    path = tmp_path / name
    path.write_text(text)
    loaded = load(path.read_bytes(), str(path), Classifier(), str(path))
    assert loaded.problems == []
    return loaded.workloads


VMI = """apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata:
  name: web
spec:
  domain:
    devices: {}
"""


def test_chpasswd_list_block_entries_are_reported_on_their_own_lines(tmp_path: Path) -> None:
    (tmp_path / "user-data").write_text(
        "#cloud-config\nchpasswd:\n  expire: false\n  list: |\n    root:toor\n    admin:$6$salt$hash\n"
        "    ops:  s3cret\n"
    )
    assert triples(lint([tmp_path / "user-data"], select=["VM650"], cwd=tmp_path)) == [
        ["VM650", "user-data", 5, 10],  # toor
        ["VM650", "user-data", 7, 11],  # s3cret, after the two spaces
    ]


def test_chpasswd_list_that_cannot_be_mapped_line_by_line_points_at_the_field(tmp_path: Path) -> None:
    # A folded block joins the lines: its entries are not one per line, so the finding stays on the field.
    (tmp_path / "user-data").write_text("#cloud-config\nchpasswd:\n  list: >\n    root:toor\n\n    ops:pw\n")
    assert triples(lint([tmp_path / "user-data"], select=["VM650"], cwd=tmp_path)) == [
        ["VM650", "user-data", 3, 9],
        ["VM650", "user-data", 3, 9],
    ]


def test_liveness_budget_defaults_and_unknowns(tmp_path: Path) -> None:
    (plain,) = load_text(tmp_path, "a.yaml", VMI)
    assert plain.vm is not None and plain.vm.liveness_budget is None
    (defaults,) = load_text(tmp_path, "b.yaml", VMI + "  livenessProbe:\n    tcpSocket:\n      port: 22\n")
    assert defaults.vm is not None and defaults.vm.liveness_budget is not None
    assert (defaults.vm.liveness_budget.value, defaults.vm.liveness_budget.explicit) == (30, False)
    (param,) = load_text(tmp_path, "c.yaml", VMI + "  livenessProbe:\n    periodSeconds: ${PERIOD}\n")
    assert param.vm is not None and param.vm.liveness_budget is not None
    assert param.vm.liveness_budget.value is None
    assert triples(lint([tmp_path / "c.yaml"], select=["VM402"], cwd=tmp_path)) == []


def test_liveness_probe_option_sets_the_boot_time(tmp_path: Path) -> None:
    (tmp_path / "vmi.yaml").write_text(VMI + "  livenessProbe:\n    initialDelaySeconds: 100\n")
    assert triples(lint([tmp_path / "vmi.yaml"], select=["VM402"], cwd=tmp_path)) == []
    report = lint([tmp_path / "vmi.yaml"], select=["VM402"], cwd=tmp_path, options={"VM402": {"boot_seconds": 300}})
    assert triples(report) == [["VM402", "vmi.yaml", 9, 26]]
    assert report.findings[0].message == (
        "the liveness probe restarts the VM after 130 s without an answer, less than the 300 s a VM needs to boot"
    )


def test_pool_scaling_and_identity_facts(tmp_path: Path) -> None:
    (pool,) = load_text(tmp_path, "pool.yaml", (Path(__file__).parent / "vm" / "pool.yaml").read_text())
    assert pool.scaling is not None and pool.scaling.replicas.value == 3
    (vmi,) = load_text(tmp_path, "vmi.yaml", VMI)
    assert vmi.scaling is None and vmi.vm is not None and vmi.vm.identity == ()


def test_base64_cloud_init_hostname_points_at_the_field(tmp_path: Path) -> None:
    import base64

    encoded = base64.b64encode(b"#cloud-config\nhostname: same\n").decode()
    text = (
        "apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstanceReplicaSet\nmetadata:\n  name: rs\nspec:\n"
        "  replicas: 2\n  template:\n    spec:\n      domain:\n        devices: {}\n      volumes:\n"
        f"      - name: ci\n        cloudInitNoCloud:\n          userDataBase64: {encoded}\n"
    )
    (tmp_path / "rs.yaml").write_text(text)
    assert triples(lint([tmp_path / "rs.yaml"], select=["VM540"], cwd=tmp_path)) == [["VM540", "rs.yaml", 14, 27]]


def test_libvirt_host_shares_only_for_mount_filesystems(tmp_path: Path) -> None:
    (domain,) = load_text(
        tmp_path,
        "d.xml",
        "<domain type='kvm'>\n  <name>d</name>\n  <devices>\n    <filesystem type='mount'>\n"
        "      <source dir='/srv'/>\n      <target dir='srv'/>\n    </filesystem>\n"
        "    <filesystem type='block'>\n      <source dev='/dev/sdb'/>\n      <target dir='b'/>\n"
        "    </filesystem>\n    <filesystem>\n      <target dir='nosource'/>\n    </filesystem>\n"
        "  </devices>\n</domain>\n",
    )
    assert domain.vm is not None
    assert [fact.value for fact in domain.vm.host_shares] == ["/srv", ""]


def test_velero_and_snapshot_context_facts() -> None:
    def facts(obj: dict[str, object]) -> list[tuple[str, ...]]:
        return list(vm_facts(obj))

    schedule = {"apiVersion": "velero.io/v1", "kind": "Schedule", "metadata": {"name": "s"}}
    assert facts({**schedule, "spec": {"template": {}}}) == [namespace_backed_up("*")]
    assert facts(
        {**schedule, "spec": {"template": {"includedNamespaces": ["a", "b"], "excludedNamespaces": ["b"]}}}
    ) == [namespace_backed_up("a")]
    # A wildcard with exclusions cannot be represented: it provides nothing (findings stay, none is withdrawn wrongly).
    assert facts({**schedule, "spec": {"template": {"excludedNamespaces": ["kube-system"]}}}) == []
    assert facts({**schedule, "spec": {"template": {"snapshotVolumes": False}}}) == []
    assert facts({**schedule, "spec": {"template": {"snapshotVolumes": False, "defaultVolumesToFsBackup": True}}}) == [
        namespace_backed_up("*")
    ]
    backup = {"apiVersion": "velero.io/v1", "kind": "Backup", "spec": {"includedNamespaces": ["x"]}}
    assert facts(backup) == [namespace_backed_up("x")]
    snapshot = {
        "apiVersion": "snapshot.kubevirt.io/v1beta1",
        "kind": "VirtualMachineSnapshot",
        "metadata": {"namespace": "n"},
        "spec": {"source": {"kind": "VirtualMachine", "name": "vm"}},
    }
    assert facts(snapshot) == [("backed-up", "n", "VirtualMachine", "vm")]
    assert facts({"apiVersion": "example.org/v1", "kind": "Schedule", "spec": {"template": {}}}) == []
    assert facts({"apiVersion": "velero.io/v1", "kind": "Schedule", "metadata": 5, "spec": [1]}) == []


def test_packer_hcl_fields_of_the_wrong_type_are_vm008(tmp_path: Path) -> None:
    (tmp_path / "build.pkr.hcl").write_text(
        'source "qemu" "base" {\n  iso_url          = "https://example.org/os.iso"\n'
        '  iso_checksum     = ["sha256:abc"]\n  ssh_password     = { a = 1 }\n  vnc_use_password = "maybe"\n'
        '  iso_urls         = "https://example.org/b.iso"\n  tags             = "x"\n'
        "  vnc_bind_address = var.address\n}\n"
    )
    report = lint([tmp_path / "build.pkr.hcl"], select=["VM008"], cwd=tmp_path)
    assert triples(report) == [["VM008", "build.pkr.hcl", line, 22] for line in (3, 4, 5, 6, 7)]
    assert [f.message for f in report.findings] == [
        "source.0.iso_checksum should be a string, found list",
        "source.0.ssh_password should be a string, found mapping",
        "source.0.vnc_use_password should be a boolean, found string",
        "source.0.iso_urls should be a list, found string",
        "source.0.tags should be a mapping, found string",
    ]
    # The wrong-typed checksum is unknown, not missing: no weak-checksum finding rests on it.
    checksum = lint([tmp_path / "build.pkr.hcl"], select=["VM654"], cwd=tmp_path)
    assert [f for f in checksum.findings if f.policy == "VM654"] == []


def test_node_name_message_names_a_vm(tmp_path: Path) -> None:
    (tmp_path / "vmi.yaml").write_text(VMI.replace("spec:\n", "spec:\n  nodeName: worker-3\n", 1))
    report = lint([tmp_path / "vmi.yaml"], select=["VM302"], cwd=tmp_path)
    assert [f.message for f in report.findings] == ["the VM is pinned to node worker-3"]


def test_hits_that_need_an_autoscaler_are_not_made_where_none_can_name_the_pool(tmp_path: Path) -> None:
    template = (
        "apiVersion: pool.kubevirt.io/v1alpha1\nkind: VirtualMachinePool\nmetadata: {}\nspec:\n  replicas: 1\n"
        "  virtualMachineTemplate:\n    spec:\n      template:\n        spec:\n          domain:\n"
        "            devices:\n              interfaces:\n              - name: a\n"
        '                macAddress: "02:00:00:00:00:01"\n'
    )
    (tmp_path / "unnamed.yaml").write_text(template)
    wrapped = "".join(
        "      " + line + "\n" for line in template.replace("metadata: {}", "metadata:\n  name: p").splitlines()
    )
    (tmp_path / "template.yaml").write_text(
        "apiVersion: template.openshift.io/v1\nkind: Template\nmetadata:\n  name: t\nobjects:\n    -\n" + wrapped
    )
    report = lint([tmp_path], select=["VM401", "VM540"], cwd=tmp_path)
    assert report.summary.workloads == 2 and triples(report) == []


def test_a_field_read_for_several_facts_is_reported_once(tmp_path: Path) -> None:
    (tmp_path / "pool.yaml").write_text(
        "apiVersion: pool.kubevirt.io/v1alpha1\nkind: VirtualMachinePool\nmetadata:\n  name: p\nspec: 5\n"
    )
    assert triples(lint([tmp_path / "pool.yaml"], select=["VM008"], cwd=tmp_path)) == [["VM008", "pool.yaml", 5, 7]]
