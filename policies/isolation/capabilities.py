"""Isolation: Linux capabilities added, dangerous ones, and those not dropped."""

from __future__ import annotations

from collections.abc import Iterator

from vmlint.model import Workload
from vmlint.policy import Example, Hit, Option, Policy, Settings, policy

from .. import _fixes as fixes
from .._facts import added, capability, drops, drops_unknown, existing, fixing
from .._terms import named_unit
from ._common import CONTAINER_FORMATS


@policy(
    id="VM110",
    name="capabilities-added",
    tradeoff="isolation",
    severity="warning",
    summary="A container adds Linux capabilities beyond the allowed ones (by default only NET_BIND_SERVICE).",
    rationale=(
        "Every added capability is kernel attack surface the default container profile keeps closed; most "
        "services need none, and the few that bind low ports need only NET_BIND_SERVICE."
    ),
    remediation="Remove `capabilities.add` (Compose: `cap_add`), or justify each capability and suppress the finding.",
    formats=CONTAINER_FORMATS,
    fix=fixes.REMOVE_CAPABILITY,
    options={"allowed": Option(["NET_BIND_SERVICE"], "Capabilities that may be added without a finding.")},
    related={
        "kics": ("19ebaa28-fc86-4a58-bcfa-015c9e22fe40", "ce76b7d0-9e77-464d-b86f-c5c48e03e22d"),
        "checkov": ("CKV_K8S_25",),
        "trivy": ("KSV-0022",),
    },
    examples=(
        Example(
            "kubernetes",
            bad="securityContext:\n  capabilities:\n    add: [NET_ADMIN]",
            good="securityContext:\n  capabilities:\n    drop: [ALL]\n    add: [NET_BIND_SERVICE]",
        ),
    ),
)
def capabilities_added(workload: Workload, settings: Settings) -> Iterator[Hit]:
    allowed = {name.upper().removeprefix("CAP_") for name in settings["allowed"]}
    for unit in workload.containers():
        for fact in unit.cap_add:
            name = capability(fact)
            if name is not None and name not in allowed:
                yield Hit(fact.path, f"{named_unit(workload, unit.name)} adds capability {name}", unit=unit.name)


DANGEROUS_CAPABILITIES = (
    "ALL",
    "SYS_ADMIN",
    "NET_ADMIN",
    "NET_RAW",
    "SYS_PTRACE",
    "SYS_RAWIO",
    "SYS_BOOT",
    "SYS_TIME",
    "DAC_READ_SEARCH",
    "BPF",
    "PERFMON",
)


@policy(
    id="VM111",
    name="dangerous-capability",
    tradeoff="isolation",
    severity="error",
    summary="A container adds a capability that breaks container isolation (SYS_ADMIN, NET_ADMIN, ALL ...).",
    rationale=(
        "SYS_ADMIN alone allows mounting filesystems and most known container escapes; NET_ADMIN and NET_RAW let a "
        "container rewrite or spoof node traffic; SYS_PTRACE, BPF and DAC_READ_SEARCH read other processes and "
        "files. A workload that needs them needs a kernel of its own: a VM."
    ),
    remediation="Remove the capability; if the workload cannot work without it, run it in a VM or a sandbox runtime.",
    formats=CONTAINER_FORMATS,
    fix=fixes.REMOVE_CAPABILITY,
    options={"capabilities": Option(list(DANGEROUS_CAPABILITIES), "Capabilities reported by this policy.")},
    notes=(
        "KICS (235236ee, SYS_ADMIN only), Checkov CKV_K8S_39 and Trivy KSV-0005 flag SYS_ADMIN alone, and Polaris "
        "dangerousCapabilities flags SYS_ADMIN, NET_ADMIN and ALL; this policy flags a configurable list, so it "
        "declares none of them. SYS_MODULE is reported by kernel-module-capability (VM701)."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="securityContext:\n  capabilities:\n    add: [SYS_ADMIN]",
            good="securityContext:\n  capabilities:\n    drop: [ALL]",
        ),
    ),
)
def dangerous_capability(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for unit in workload.containers():
        for fact, name in added(unit, settings["capabilities"]):
            message = f"{named_unit(workload, unit.name)} adds the dangerous capability {name}"
            yield Hit(fact.path, message, unit=unit.name)


@policy(
    id="VM112",
    name="capabilities-not-dropped",
    tradeoff="isolation",
    severity="warning",
    summary="A container does not drop ALL capabilities.",
    rationale=(
        "The default capability set of a container runtime still includes CHOWN, SETUID, NET_RAW, MKNOD and more. "
        "Dropping ALL and adding back the one or two a process needs shrinks the kernel surface an attacker can use."
    ),
    remediation="Set `capabilities.drop: [ALL]` (Compose: `cap_drop: [ALL]`) and add back only what is needed.",
    formats=CONTAINER_FORMATS,
    fix=fixes.DROP_ALL,
    related={"kics": ("ce76b7d0-9e77-464d-b86f-c5c48e03e22d",), "checkov": ("CKV_K8S_37",), "trivy": ("KSV-0003",)},
    notes=(
        "KICS No Drop Capabilities (268ca686) passes any non-empty drop list; vmlint asks for ALL, so it does not "
        "declare that query. KICS Compose Container Capabilities Unrestricted (ce76b7d0: `cap_add` present or no "
        "`cap_drop`) is declared here and on capabilities-added (VM110), which together flag it; they differ on "
        "`cap_drop: [ALL]` with only allowed additions (passed) and a partial `cap_drop` (flagged)."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="securityContext:\n  capabilities:\n    drop: [NET_RAW]",
            good="securityContext:\n  capabilities:\n    drop: [ALL]",
        ),
    ),
)
def capabilities_not_dropped(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for unit in workload.containers():
        if drops(unit, "ALL") or drops_unknown(unit):
            continue
        where = existing(workload, unit.capabilities_path + ("drop",))
        found = Hit(
            where, f"{named_unit(workload, unit.name)} does not drop ALL capabilities", unit=unit.name, key=True
        )
        yield fixing(found, fixes.DROP_ALL, fixes.drop(workload, unit, "ALL"))


@policy(
    id="VM113",
    name="net-raw-not-dropped",
    tradeoff="isolation",
    severity="warning",
    summary="A container keeps NET_RAW: it drops neither NET_RAW nor ALL.",
    rationale=(
        "NET_RAW is in the runtime's default set and lets a container craft packets: ARP and DNS spoofing of its "
        "neighbours on the node's network. Almost no application needs it."
    ),
    remediation="Drop NET_RAW, or better ALL (`capabilities.drop: [ALL]`; Compose: `cap_drop: [ALL]`).",
    formats=CONTAINER_FORMATS,
    fix=fixes.DROP_NET_RAW,
    related={"kics": ("dbbc6705-d541-43b0-b166-dd4be8208b54",), "checkov": ("CKV_K8S_28",)},
    examples=(
        Example(
            "kubernetes",
            bad="securityContext:\n  capabilities:\n    drop: [SYS_ADMIN]",
            good="securityContext:\n  capabilities:\n    drop: [NET_RAW]",
        ),
    ),
)
def net_raw_not_dropped(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for unit in workload.containers():
        if drops(unit, "NET_RAW") or drops_unknown(unit):
            continue
        where = existing(workload, unit.capabilities_path + ("drop",))
        found = Hit(
            where, f"{named_unit(workload, unit.name)} does not drop NET_RAW (or ALL)", unit=unit.name, key=True
        )
        yield fixing(found, fixes.DROP_NET_RAW, fixes.drop(workload, unit, "NET_RAW"))


POLICIES: tuple[Policy, ...] = (
    capabilities_added,
    dangerous_capability,
    capabilities_not_dropped,
    net_raw_not_dropped,
)
