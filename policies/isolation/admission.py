"""Isolation granted by admission: PodSecurityPolicies (removed in Kubernetes 1.25, still in many repositories)
that admit what they exist to refuse. One small policy per setting, each judging one field of the PSP.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from vmlint.model import Workload
from vmlint.policy import Example, Hit, Policy, Settings, policy
from vmlint.source import Path, get

from .._facts import existing

PSP_NOTES = (
    "PodSecurityPolicy (policy/v1beta1, extensions/v1beta1) was removed in Kubernetes 1.25 (removed-api-version, "
    "VM304, says so); where it is still applied, what it admits is what every pod of its users may do."
)
GOOD = "kind: PodSecurityPolicy\nspec:\n  privileged: false\n  allowPrivilegeEscalation: false"

Judge = Callable[[dict[str, Any]], tuple[Path, str] | None]


def _psp_spec(workload: Workload) -> dict[str, Any] | None:
    if workload.format != "kubernetes" or workload.role != "object" or workload.kind != "PodSecurityPolicy":
        return None
    version = get(workload.document, ("apiVersion",))
    spec = get(workload.document, ("spec",))
    return (
        spec
        if isinstance(version, str) and version.startswith(("policy/", "extensions/")) and isinstance(spec, dict)
        else None
    )


def _psp_policy(
    id: str,  # noqa: A002 - the metadata field is called id
    name: str,
    summary: str,
    rationale: str,
    remediation: str,
    kics: str,
    bad: str,
    judge: Judge,
    *,
    checkov: tuple[str, ...] = (),
) -> Policy:
    """One PSP setting as a policy: ``judge`` returns the path (under spec) and what it admits, or None."""
    related: dict[str, tuple[str, ...]] = {"kics": (kics,)}
    if checkov:
        related["checkov"] = checkov

    def check(workload: Workload, settings: Settings) -> Iterator[Hit]:
        spec = _psp_spec(workload)
        if spec is None:
            return
        found = judge(spec)
        if found is not None:
            path, what = found
            where = existing(workload, ("spec", *path))
            yield Hit(where, f"PodSecurityPolicy {workload.name} {what}", key=where != ("spec", *path))

    check.__name__ = name.replace("-", "_")
    return policy(
        id=id,
        name=name,
        tradeoff="isolation",
        severity="warning",
        summary=summary,
        rationale=rationale,
        remediation=remediation,
        formats=("kubernetes",),
        kinds=("PodSecurityPolicy",),
        related=related,
        notes=PSP_NOTES,
        examples=(Example("kubernetes", bad=f"kind: PodSecurityPolicy\nspec:\n{bad}", good=GOOD),),
    )(check)


def _true(field: str, what: str) -> Judge:
    return lambda spec: ((field,), what) if spec.get(field) is True else None


def _escalation(spec: dict[str, Any]) -> tuple[Path, str] | None:
    if spec.get("allowPrivilegeEscalation") is False:
        return None
    return ("allowPrivilegeEscalation",), "admits privilege escalation (allowPrivilegeEscalation is not false)"


def _drops(spec: dict[str, Any]) -> set[str]:
    items = spec.get("requiredDropCapabilities")
    return {str(item).upper().removeprefix("CAP_") for item in items} if isinstance(items, list) else set()


def _not_all_dropped(spec: dict[str, Any]) -> tuple[Path, str] | None:
    if "ALL" in _drops(spec):
        return None
    return ("requiredDropCapabilities",), "does not require dropping ALL capabilities"


def _net_raw(spec: dict[str, Any]) -> tuple[Path, str] | None:
    if _drops(spec) & {"ALL", "NET_RAW"}:
        return None
    return ("requiredDropCapabilities",), "does not require dropping NET_RAW"


def _added(spec: dict[str, Any]) -> tuple[Path, str] | None:
    caps = spec.get("allowedCapabilities")
    if isinstance(caps, list) and caps:
        return ("allowedCapabilities",), f"admits added capabilities ({', '.join(map(str, caps))})"
    return None


def _root(spec: dict[str, Any]) -> tuple[Path, str] | None:
    run_as = spec.get("runAsUser")
    rule = run_as.get("rule") if isinstance(run_as, dict) else None
    if rule == "MustRunAsNonRoot":
        return None
    ranges = run_as.get("ranges") if isinstance(run_as, dict) else None
    positive = isinstance(ranges, list) and bool(ranges)
    positive = positive and all(isinstance(r, dict) and isinstance(r.get("min"), int) and r["min"] > 0 for r in ranges)
    if rule == "MustRunAs" and positive:
        return None
    return ("runAsUser", "rule") if rule else ("runAsUser",), f"admits containers running as root (runAsUser {rule})"


def _host_paths(spec: dict[str, Any]) -> tuple[Path, str] | None:
    allowed = spec.get("allowedHostPaths")
    if not isinstance(allowed, list) or not allowed:
        return ("allowedHostPaths",), "admits any host path (no allowedHostPaths)"
    for index, item in enumerate(allowed):
        if not (isinstance(item, dict) and item.get("readOnly") is True):
            return ("allowedHostPaths", index), "admits a writable host path"
    return None


def _unmasked(spec: dict[str, Any]) -> tuple[Path, str] | None:
    types = spec.get("allowedProcMountTypes")
    if isinstance(types, list) and "Unmasked" in types:
        return ("allowedProcMountTypes", types.index("Unmasked")), "admits an unmasked /proc (procMount Unmasked)"
    return None


def _shared(field: str, what: str, sees: str) -> dict[str, Any]:
    return {
        "summary": f"A PodSecurityPolicy admits pods that share the host's {what} namespace ({field}).",
        "rationale": (
            f"Pods in the host's {what} namespace see and reach the node's {sees}, past the container boundary: "
            "admitting them admits every pod of the policy's users to do so."
        ),
        "remediation": f"Set `{field}: false`.",
        "bad": f"  {field}: true",
        "judge": _true(field, f"admits the host {what} namespace ({field})"),
    }


POLICIES: tuple[Policy, ...] = (
    _psp_policy(
        "VM170",
        "psp-privileged",
        "A PodSecurityPolicy admits privileged containers.",
        "A privileged container has every capability and every device of the node: admitting it admits leaving "
        "the container.",
        "Set `privileged: false`.",
        "c48e57d3-d642-4e0b-90db-37f807b41b91",
        "  privileged: true",
        _true("privileged", "admits privileged containers"),
        checkov=("CKV_K8S_2",),
    ),
    _psp_policy(
        "VM171",
        "psp-privilege-escalation",
        "A PodSecurityPolicy admits privilege escalation (allowPrivilegeEscalation not false; unset means true).",
        "With escalation allowed a process can gain more privileges than its parent (setuid binaries, file "
        "capabilities), so a non-root container can still become root.",
        "Set `allowPrivilegeEscalation: false`.",
        "87554eef-154d-411d-bdce-9dbd91e56851",
        "  allowPrivilegeEscalation: true",
        _escalation,
        checkov=("CKV_K8S_5",),
    ),
    _psp_policy(
        "VM172",
        "psp-host-pid",
        kics="91dacd0e-d189-4a9c-8272-5999a3cc32d9",
        checkov=("CKV_K8S_1",),
        **_shared("hostPID", "PID", "processes (and their environment and memory)"),
    ),
    _psp_policy(
        "VM173",
        "psp-host-ipc",
        kics="80f93444-b240-4ebb-a4c6-5c40b76c04ea",
        checkov=("CKV_K8S_3",),
        **_shared("hostIPC", "IPC", "shared memory and message queues"),
    ),
    _psp_policy(
        "VM174",
        "psp-host-network",
        kics="a33e9173-b674-4dfb-9d82-cf3754816e4b",
        checkov=("CKV_K8S_4",),
        **_shared("hostNetwork", "network", "interfaces, localhost services and traffic"),
    ),
    _psp_policy(
        "VM175",
        "psp-added-capabilities",
        "A PodSecurityPolicy admits containers that add capabilities (allowedCapabilities).",
        "Every allowed capability is a kernel privilege any pod of the policy's users may take; several "
        "(SYS_ADMIN, NET_ADMIN, SYS_PTRACE) are enough to leave the container.",
        "Remove `allowedCapabilities`, or list only what a reviewed workload needs.",
        "7307579a-3abb-46ad-9ce5-2a915634d5c8",
        "  allowedCapabilities: [SYS_ADMIN]",
        _added,
        checkov=("CKV_K8S_24",),
    ),
    _psp_policy(
        "VM176",
        "psp-capabilities-not-dropped",
        "A PodSecurityPolicy does not require containers to drop ALL capabilities.",
        "Containers keep the runtime's default capabilities (NET_RAW, CHOWN, SETUID ...) unless the policy makes "
        "them drop them; each is kernel attack surface most workloads never use.",
        "Set `requiredDropCapabilities: [ALL]`.",
        "caa93370-791f-4fc6-814b-ba6ce0cb4032",
        "  requiredDropCapabilities: [NET_RAW]",
        _not_all_dropped,
        checkov=("CKV_K8S_36",),
    ),
    _psp_policy(
        "VM177",
        "psp-net-raw-not-dropped",
        "A PodSecurityPolicy does not require containers to drop NET_RAW (or ALL).",
        "NET_RAW lets a container forge packets and spoof addresses on the pod network (ARP and DNS spoofing of "
        "its neighbours).",
        "Add NET_RAW (or ALL) to `requiredDropCapabilities`.",
        "2270987f-bb51-479f-b8be-3ca73e5ad648",
        "  requiredDropCapabilities: [CHOWN]",
        _net_raw,
        checkov=("CKV_K8S_7",),
    ),
    _psp_policy(
        "VM178",
        "psp-root-admitted",
        "A PodSecurityPolicy admits containers running as root (runAsUser not MustRunAsNonRoot or a range above 0).",
        "Root in a container is root on the shared kernel's view of files and devices it reaches: one bug away "
        "from root on the node.",
        "Set `runAsUser: {rule: MustRunAsNonRoot}` (or MustRunAs with ranges starting above 0).",
        "e3aa0612-4351-4a0d-983f-aefea25cf203",
        "  runAsUser:\n    rule: RunAsAny",
        _root,
        checkov=("CKV_K8S_6",),
    ),
    _psp_policy(
        "VM179",
        "psp-host-path-unrestricted",
        "A PodSecurityPolicy admits host paths without a read-only allowedHostPaths list.",
        "Without allowedHostPaths a pod may mount any directory of the node, / included, and write to it.",
        "List the host paths pods may mount in `allowedHostPaths`, each with `readOnly: true`.",
        "de4421f1-4e35-43b4-9783-737dd4e4a47e",
        "  allowedHostPaths:\n  - pathPrefix: /dev",
        _host_paths,
    ),
    _psp_policy(
        "VM180",
        "psp-unmasked-proc-mount",
        "A PodSecurityPolicy admits containers with an unmasked /proc (allowedProcMountTypes Unmasked).",
        "An unmasked /proc exposes the kernel's tunables and other processes' information that the runtime hides, "
        "and lets a container change kernel parameters at run time.",
        "Allow only `Default` in `allowedProcMountTypes`.",
        "f922827f-aab6-447c-832a-e1ff63312bd3",
        "  allowedProcMountTypes: [Unmasked]",
        _unmasked,
    ),
)
