"""Facts from KubeVirt and backup objects (the vocabulary is ``vmlint.vm_context``).

- A VirtualMachinePool or VirtualMachineInstanceReplicaSet presumes it is not autoscaled
  (``absent(autoscaled(...))``); a HorizontalPodAutoscaler aimed at it contradicts that.
- A KubeVirt VirtualMachineSnapshot or VirtualMachineExport backs up the VirtualMachine it names.
- A Velero Schedule or Backup backs up the namespaces it includes (all of them when it lists none), unless it
  turns volume snapshots off without file-system backup: then it saves the objects but not the data.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..context import absent, autoscaled
from ..vm_context import ALL_NAMESPACES, backed_up, namespace_backed_up

SCALED_VM_KINDS = ("VirtualMachinePool", "VirtualMachineInstanceReplicaSet")
SNAPSHOT_GROUPS = ("snapshot.kubevirt.io/", "export.kubevirt.io/")
SNAPSHOT_KINDS = ("VirtualMachineSnapshot", "VirtualMachineExport")


def _velero_namespaces(spec: dict[str, Any]) -> Iterator[str]:
    if spec.get("snapshotVolumes") is False and spec.get("defaultVolumesToFsBackup") is not True:
        return
    included = spec.get("includedNamespaces")
    excluded = spec.get("excludedNamespaces")
    if included is None or included == [] or (isinstance(included, list) and ALL_NAMESPACES in included):
        if not excluded:  # a wildcard with exclusions is not represented: no fact, so no finding is withdrawn
            yield ALL_NAMESPACES
        return
    if isinstance(included, list):
        skip = set(excluded) if isinstance(excluded, list) else set()
        yield from (str(name) for name in included if isinstance(name, str) and name not in skip)


def vm_facts(obj: Any) -> Iterator[tuple[str, ...]]:
    """Facts one object provides about VM scaling and backups."""
    if not isinstance(obj, dict) or not isinstance(obj.get("apiVersion"), str):
        return
    api, kind = obj["apiVersion"], obj.get("kind")
    raw_meta, raw_spec = obj.get("metadata"), obj.get("spec")
    meta: dict[str, Any] = raw_meta if isinstance(raw_meta, dict) else {}
    spec: dict[str, Any] = raw_spec if isinstance(raw_spec, dict) else {}
    raw_namespace = meta.get("namespace")
    namespace = str(raw_namespace) if raw_namespace else None
    name = meta.get("name")
    group = api.split("/", 1)[0]
    if kind in SCALED_VM_KINDS and group in ("kubevirt.io", "pool.kubevirt.io") and isinstance(name, str):
        yield absent(autoscaled(namespace, kind, name))
    elif kind in SNAPSHOT_KINDS and api.startswith(SNAPSHOT_GROUPS):
        source = spec.get("source")
        if isinstance(source, dict) and isinstance(source.get("kind"), str) and isinstance(source.get("name"), str):
            yield backed_up(namespace, source["kind"], source["name"])
    elif kind in ("Schedule", "Backup") and api.startswith("velero.io/"):
        body = spec.get("template") if kind == "Schedule" else spec
        if isinstance(body, dict):
            yield from (namespace_backed_up(item) for item in _velero_namespaces(body))
