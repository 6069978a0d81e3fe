#!/usr/bin/env python3
"""Regenerate linter/schema/kubernetes.json.xz from the strict schemas of ``kubernetes-validate``.

    python -m pip install kubernetes-validate==1.37.0   # into any throw-away environment
    python scripts/gen_k8s_schemas.py [--source DIR]

Only what validation needs is kept: types, properties, required fields, additionalProperties, items, enums and
the int-or-string and quantity markers; descriptions and patch metadata are dropped. Definitions that are the
same in several Kubernetes versions are stored once (a pool), so each version costs only its changes. A few
closed value sets that the API server enforces but the OpenAPI v2 documents leave as plain strings are added from
ENUMS below. See docs/decisions/0011-kubernetes-schemas.md.
"""

from __future__ import annotations

import argparse
import json
import lzma
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "linter" / "schema" / "kubernetes.json.xz"
PREFIX = "#/$defs/"
INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"

# (definition name without its package version, property) -> the values the API server accepts. From the API
# types' `+enum` markers (the OpenAPI v3 documents carry them; the v2 documents the strict schemas come from do not).
PROTOCOLS = ["TCP", "UDP", "SCTP"]
ENUMS: dict[tuple[str, str], list[str]] = {
    ("core.Container", "imagePullPolicy"): ["Always", "Never", "IfNotPresent"],
    ("core.EphemeralContainer", "imagePullPolicy"): ["Always", "Never", "IfNotPresent"],
    ("core.Container", "terminationMessagePolicy"): ["File", "FallbackToLogsOnError"],
    ("core.PodSpec", "restartPolicy"): ["Always", "OnFailure", "Never"],
    ("core.PodSpec", "dnsPolicy"): ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"],
    ("core.PodSpec", "preemptionPolicy"): ["PreemptLowerPriority", "Never"],
    ("core.ContainerPort", "protocol"): PROTOCOLS,
    ("core.ServicePort", "protocol"): PROTOCOLS,
    ("core.EndpointPort", "protocol"): PROTOCOLS,
    ("networking.NetworkPolicyPort", "protocol"): PROTOCOLS,
    ("core.ServiceSpec", "type"): ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"],
    ("core.ServiceSpec", "sessionAffinity"): ["ClientIP", "None"],
    ("core.ServiceSpec", "externalTrafficPolicy"): ["Cluster", "Local"],
    ("core.ServiceSpec", "internalTrafficPolicy"): ["Cluster", "Local"],
    ("core.ServiceSpec", "ipFamilyPolicy"): ["SingleStack", "PreferDualStack", "RequireDualStack"],
    ("core.SeccompProfile", "type"): ["Localhost", "RuntimeDefault", "Unconfined"],
    ("core.AppArmorProfile", "type"): ["Localhost", "RuntimeDefault", "Unconfined"],
    ("core.Toleration", "operator"): ["Exists", "Equal"],
    ("core.Toleration", "effect"): ["NoSchedule", "PreferNoSchedule", "NoExecute"],
    ("core.Taint", "effect"): ["NoSchedule", "PreferNoSchedule", "NoExecute"],
    ("core.NodeSelectorRequirement", "operator"): ["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"],
    ("core.PersistentVolumeClaimSpec", "volumeMode"): ["Block", "Filesystem"],
    ("core.PersistentVolumeSpec", "volumeMode"): ["Block", "Filesystem"],
    ("core.PersistentVolumeSpec", "persistentVolumeReclaimPolicy"): ["Recycle", "Delete", "Retain"],
    ("core.HostPathVolumeSource", "type"): [
        "",
        "DirectoryOrCreate",
        "Directory",
        "FileOrCreate",
        "File",
        "Socket",
        "CharDevice",
        "BlockDevice",
    ],
    ("core.TopologySpreadConstraint", "whenUnsatisfiable"): ["DoNotSchedule", "ScheduleAnyway"],
    ("apps.DeploymentStrategy", "type"): ["Recreate", "RollingUpdate"],
    ("apps.StatefulSetSpec", "podManagementPolicy"): ["OrderedReady", "Parallel"],
    ("apps.StatefulSetUpdateStrategy", "type"): ["RollingUpdate", "OnDelete"],
    ("apps.DaemonSetUpdateStrategy", "type"): ["RollingUpdate", "OnDelete"],
    ("batch.CronJobSpec", "concurrencyPolicy"): ["Allow", "Forbid", "Replace"],
    ("batch.JobSpec", "completionMode"): ["NonIndexed", "Indexed"],
    ("networking.HTTPIngressPath", "pathType"): ["Exact", "Prefix", "ImplementationSpecific"],
    ("policy.PodDisruptionBudgetSpec", "unhealthyPodEvictionPolicy"): ["IfHealthyBudget", "AlwaysAllow"],
    ("autoscaling.HPAScalingRules", "selectPolicy"): ["Max", "Min", "Disabled"],
    ("autoscaling.MetricTarget", "type"): ["Utilization", "Value", "AverageValue"],
    ("autoscaling.MetricSpec", "type"): ["ContainerResource", "External", "Object", "Pods", "Resource"],
}
ENUM_ITEMS: dict[tuple[str, str], list[str]] = {
    ("core.PersistentVolumeClaimSpec", "accessModes"): [
        "ReadWriteOnce",
        "ReadOnlyMany",
        "ReadWriteMany",
        "ReadWriteOncePod",
    ],
    ("networking.NetworkPolicySpec", "policyTypes"): ["Ingress", "Egress"],
}


def short_name(definition: str) -> str | None:
    """``io.k8s.api.core.v1.Container`` -> ``core.Container`` (the key of ENUMS)."""
    match = re.match(r"io\.k8s\.api\.([a-z0-9]+)\.v[0-9a-z]+\.([A-Za-z0-9]+)$", definition)
    return f"{match.group(1)}.{match.group(2)}" if match else None


def compact(node: Any) -> Any:
    """The parts of one schema node that validation reads."""
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].split(PREFIX, 1)[-1]
        return {"$ref": name}
    out: dict[str, Any] = {}
    types = node.get("type")
    if isinstance(types, str):
        types = [types]
    if types:
        kept = [t for t in types if t != "null"]
        out["type"] = kept[0] if len(kept) == 1 else kept
    if "oneOf" in node and all(set(branch) <= {"type"} for branch in node["oneOf"]):
        out["type"] = sorted({t for branch in node["oneOf"] for t in _types(branch) if t != "null"})
    if "properties" in node:
        out["properties"] = {key: compact(value) for key, value in node["properties"].items()}
    for key in ("required", "enum"):
        if key in node:
            out[key] = node[key]
    if isinstance(node.get("additionalProperties"), dict):
        out["additionalProperties"] = compact(node["additionalProperties"])
    elif node.get("additionalProperties") is False and "properties" in node:
        out["additionalProperties"] = False
    if "items" in node:
        out["items"] = compact(node["items"])
    if node.get("x-kubernetes-preserve-unknown-fields"):
        out["x-kubernetes-preserve-unknown-fields"] = True
    return out


def _types(branch: dict[str, Any]) -> list[str]:
    value = branch.get("type", [])
    return [value] if isinstance(value, str) else list(value)


def version_schemas(folder: Path) -> tuple[dict[str, str], dict[str, Any]]:
    """One version's kinds (``group/version/Kind`` -> definition) and compact definitions."""
    definitions = json.loads((folder / "_definitions.json").read_text())["$defs"]
    kinds: dict[str, str] = {}
    for name, body in definitions.items():
        for gvk in body.get("x-kubernetes-group-version-kind", []):
            api = f"{gvk['group']}/{gvk['version']}" if gvk["group"] else gvk["version"]
            if name.endswith("List") or gvk["kind"] in ("DeleteOptions", "WatchEvent", "Status"):
                continue
            kinds.setdefault(f"{api}/{gvk['kind']}", name)
    out = {name: compact(body) for name, body in definitions.items()}
    out[INT_OR_STRING] = {"x-kubernetes-int-or-string": True}
    out[QUANTITY] = {"format": "quantity"}
    for name, body in out.items():
        short = short_name(name)
        for (owner, prop), values in ENUMS.items():
            if owner == short and prop in body.get("properties", {}):
                body["properties"][prop]["enum"] = values
        for (owner, prop), values in ENUM_ITEMS.items():
            if owner == short and prop in body.get("properties", {}):
                body["properties"][prop]["items"]["enum"] = values
    return kinds, _reachable(out, kinds.values())


def _reachable(definitions: dict[str, Any], roots: Any) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen[name] = definitions[name]
        todo.extend(re.findall(r'"\$ref": "([^"]+)"', json.dumps(definitions[name])))
    return dict(sorted(seen.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=Path, help="the kubernetes-json-schema folder of kubernetes-validate")
    args = parser.parse_args()
    source = args.source
    if source is None:
        import kubernetes_validate  # type: ignore[import-not-found]

        source = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
    pool: list[str] = []  # JSON texts: a run parses only the definitions it reaches
    index: dict[str, int] = {}
    versions: dict[str, Any] = {}
    for folder in sorted(source.glob("v1.*.0-local-strict"), key=lambda p: int(p.name.split(".")[1])):
        release = ".".join(folder.name[1:].split(".")[:2])
        kinds, definitions = version_schemas(folder)
        refs: dict[str, int] = {}
        for name, body in definitions.items():
            text = json.dumps(body, sort_keys=True, separators=(",", ":"))
            if text not in index:
                index[text] = len(pool)
                pool.append(text)
            refs[name] = index[text]
        versions[release] = {"kinds": kinds, "definitions": refs}
    data = json.dumps({"pool": pool, "versions": versions}, sort_keys=True, separators=(",", ":")).encode()
    OUT.write_bytes(lzma.compress(data, preset=9 | lzma.PRESET_EXTREME))
    print(
        f"{len(versions)} versions, {len(pool)} distinct definitions, {len(data) / 1e6:.2f} MB -> "
        f"{OUT.stat().st_size / 1e3:.0f} kB"
    )


if __name__ == "__main__":
    main()
