"""Isolation: seccomp and AppArmor confinement."""

from __future__ import annotations

from collections.abc import Iterator

from vmlint.model import Workload
from vmlint.policy import Example, Hit, Policy, Settings, policy

from .. import _fixes as fixes
from .._facts import fixing, hit
from .._terms import named_unit
from ._common import CONTAINER_FORMATS

CONFINED_SECCOMP = ("RuntimeDefault", "Localhost")


@policy(
    id="VM114",
    name="seccomp-unconfined",
    tradeoff="isolation",
    severity="error",
    summary="A container runs with seccomp explicitly set to Unconfined.",
    rationale=(
        "Seccomp filters the system calls a container may make; the runtime's default profile blocks the calls most "
        "kernel exploits use. Unconfined turns that off and exposes the whole shared kernel's syscall surface."
    ),
    remediation=(
        "Use `seccompProfile: {type: RuntimeDefault}` or a Localhost profile (Compose: drop `seccomp:unconfined` "
        "from `security_opt`)."
    ),
    formats=CONTAINER_FORMATS,
    fix=fixes.SECCOMP_CONFINED,
    related={"kics": ("404fde2c-bc4b-4371-9747-7054132ac953",)},
    notes=(
        "An unset profile is reported by seccomp-profile-missing (VM115), which also reports Unconfined. Compose: "
        "`security_opt: [seccomp:unconfined]` (or `seccomp=unconfined`); KICS also flags `label:seccomp:unconfined`, "
        "which is an SELinux label option, not a seccomp setting, so vmlint does not. Trivy's KSV-0104 fires on an "
        "unset profile too (measured with Trivy 0.76), so it is declared by VM115, not here."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="securityContext:\n  seccompProfile:\n    type: Unconfined",
            good="securityContext:\n  seccompProfile:\n    type: RuntimeDefault",
        ),
    ),
)
def seccomp_unconfined(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for unit in workload.containers():
        if unit.seccomp.explicit and unit.seccomp.value == "Unconfined":
            message = f"{named_unit(workload, unit.name)} runs without seccomp (Unconfined)"
            found = Hit(unit.seccomp.path, message, unit=unit.name)
            edit = fixes.confined(workload, unit.seccomp, "runtime/default")
            yield fixing(found, fixes.SECCOMP_CONFINED, edit) if edit else found


@policy(
    id="VM115",
    name="seccomp-profile-missing",
    tradeoff="isolation",
    severity="warning",
    summary="A container's seccomp profile is neither RuntimeDefault nor Localhost (unset counts).",
    rationale=(
        "Kubernetes runs containers Unconfined unless a profile is set (the kubelet's SeccompDefault is off by "
        "default), so an unset profile usually means no syscall filtering on the shared kernel."
    ),
    remediation="Set `securityContext.seccompProfile.type: RuntimeDefault` on the pod (or Localhost with a profile).",
    formats=("kubernetes",),
    fix=fixes.SECCOMP_DEFAULT,
    related={"trivy": ("KSV-0030", "KSV-0104")},
    notes=(
        "KICS Seccomp Profile Is Not Configured (f377b83e) also accepts the PodSecurityPolicy annotation "
        "seccomp.security.alpha.kubernetes.io/defaultProfileName on a pod, where Kubernetes ignores it; vmlint "
        "does not, so it does not declare that query. "
        "The legacy annotations seccomp.security.alpha.kubernetes.io/pod and container.seccomp... are read as "
        "profiles. Compose services get the runtime's default profile unless told otherwise, so this policy is "
        "Kubernetes-only; seccomp-unconfined (VM114) covers Compose."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="spec:\n  containers:\n  - name: app",
            good="spec:\n  securityContext:\n    seccompProfile:\n      type: RuntimeDefault\n"
            "  containers:\n  - name: app",
        ),
    ),
)
def seccomp_profile_missing(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for unit in workload.containers():
        fact = unit.seccomp
        if fact.value in CONFINED_SECCOMP or (fact.value is None and fact.explicit):
            continue
        shown = f"is {fact.value}" if fact.explicit else "is not set"
        message = f"container {unit.name}: seccomp profile {shown}; set seccompProfile.type: RuntimeDefault"
        found = hit(workload, fact, message + " (or Localhost)", unit.name)
        edit = fixes.pod_setting(workload, fact, "securityContext", "seccompProfile", "type", value="RuntimeDefault")
        yield fixing(found, fixes.SECCOMP_DEFAULT, edit) if edit else found


@policy(
    id="VM116",
    name="apparmor-unconfined",
    tradeoff="isolation",
    severity="error",
    summary="A container runs with AppArmor explicitly set to unconfined.",
    rationale=(
        "AppArmor's runtime profile denies writes to /proc and /sys and mounts that container escapes rely on; "
        "unconfined removes that layer on nodes that enforce AppArmor."
    ),
    remediation=(
        "Use `appArmorProfile: {type: RuntimeDefault}` (or the annotation value runtime/default); "
        "Compose: drop `apparmor:unconfined` from `security_opt`."
    ),
    formats=CONTAINER_FORMATS,
    fix=fixes.APPARMOR_CONFINED,
    examples=(
        Example(
            "kubernetes",
            bad="securityContext:\n  appArmorProfile:\n    type: Unconfined",
            good="securityContext:\n  appArmorProfile:\n    type: RuntimeDefault",
        ),
    ),
)
def apparmor_unconfined(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for unit in workload.containers():
        if unit.apparmor.explicit and unit.apparmor.value == "Unconfined":
            message = f"{named_unit(workload, unit.name)} runs without AppArmor (unconfined)"
            found = Hit(unit.apparmor.path, message, unit=unit.name)
            edit = fixes.confined(workload, unit.apparmor, "runtime/default")
            yield fixing(found, fixes.APPARMOR_CONFINED, edit) if edit else found


@policy(
    id="VM117",
    name="apparmor-profile-missing",
    tradeoff="isolation",
    severity="info",
    summary="A container has no AppArmor profile of RuntimeDefault or Localhost.",
    rationale=(
        "Most container runtimes apply their default AppArmor profile, but only where the node enforces it; "
        "declaring it makes the confinement explicit and reviewable."
    ),
    remediation=(
        "Set `securityContext.appArmorProfile.type: RuntimeDefault` (Kubernetes 1.30+) or the annotation "
        "`container.apparmor.security.beta.kubernetes.io/<container>: runtime/default`."
    ),
    formats=("kubernetes",),
    fix=fixes.APPARMOR_DEFAULT,
    related={"kics": ("8b36775e-183d-4d46-b0f7-96a6f34a723f",)},
    notes=(
        "KICS reads only the beta annotation; vmlint also accepts the appArmorProfile field that replaced it. "
        "Unconfined is also reported, with error severity, by apparmor-unconfined (VM116)."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="metadata:\n  name: web\nspec:\n  containers:\n  - name: app",
            good="metadata:\n  name: web\nspec:\n  securityContext:\n    appArmorProfile:\n      type: RuntimeDefault\n"
            "  containers:\n  - name: app",
        ),
    ),
)
def apparmor_profile_missing(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for unit in workload.containers():
        fact = unit.apparmor
        if fact.value in CONFINED_SECCOMP or (fact.value is None and fact.explicit):
            continue
        shown = f"is {fact.value}" if fact.explicit else "is not set"
        message = f"container {unit.name}: AppArmor profile {shown}; set appArmorProfile.type: RuntimeDefault"
        found = hit(workload, fact, message + " (or Localhost)", unit.name)
        edit = fixes.pod_setting(workload, fact, "securityContext", "appArmorProfile", "type", value="RuntimeDefault")
        yield fixing(found, fixes.APPARMOR_DEFAULT, edit) if edit else found


POLICIES: tuple[Policy, ...] = (
    seccomp_unconfined,
    seccomp_profile_missing,
    apparmor_unconfined,
    apparmor_profile_missing,
)
