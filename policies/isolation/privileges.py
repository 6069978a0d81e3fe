"""Isolation: privileged containers, privilege escalation, root and low user ids, writable root filesystems."""

from __future__ import annotations

from collections.abc import Iterator

from vmlint.model import Fact, Workload
from vmlint.policy import Example, Hit, Option, Policy, Settings, policy

from .. import _fixes as fixes
from .._facts import fixing, hit
from .._terms import named_unit, term
from ._common import CONTAINER_FORMATS


def _container_flag(
    workload: Workload, attribute: str, message: str, *, bad: bool = True, unset_is_bad: bool = False
) -> Iterator[Hit]:
    for unit in workload.containers():
        fact: Fact[bool] = getattr(unit, attribute)
        if fact.value is bad and (fact.explicit or unset_is_bad):
            yield Hit(fact.path, message.format(unit=named_unit(workload, unit.name)), unit=unit.name)


@policy(
    id="VM102",
    name="privileged-container",
    tradeoff="isolation",
    severity="error",
    summary="A container runs privileged: it has every capability and every host device.",
    rationale=(
        "A privileged container is root on the host in all but name: it can load kernel modules, mount the host's "
        "disks and escape its namespaces. Nothing is left of container isolation."
    ),
    remediation="Remove `privileged: true`; add only the capabilities the process needs, or run it in a VM.",
    formats=CONTAINER_FORMATS,
    fix=fixes.REMOVE_PRIVILEGED,
    related={
        "kics": ("dd29336b-fe57-445b-a26e-e6aa867ae609", "ae5b6871-7f45-42e0-bb4c-ab300c4d2026"),
        "polaris": ("runAsPrivileged",),
        "kube-linter": ("privileged-container",),
        "checkov": ("CKV_K8S_16",),
        "trivy": ("KSV-0017",),
    },
    examples=(
        Example(
            "kubernetes",
            bad="containers:\n- name: app\n  securityContext:\n    privileged: true",
            good="containers:\n- name: app\n  securityContext:\n    privileged: false",
        ),
    ),
)
def privileged_container(workload: Workload, settings: Settings) -> Iterator[Hit]:
    yield from _container_flag(workload, "privileged", "{unit} runs privileged")


@policy(
    id="VM103",
    name="privilege-escalation-allowed",
    tradeoff="isolation",
    severity="warning",
    summary="A container does not set allowPrivilegeEscalation: false, so setuid binaries can gain privileges.",
    rationale=(
        "Without no_new_privs a process can gain more privileges than its parent through setuid or file "
        "capabilities; an attacker inside the container uses that to become root and reach the shared kernel."
    ),
    remediation=(
        "Set `securityContext.allowPrivilegeEscalation: false` on every container "
        "(Compose: `security_opt: [no-new-privileges:true]`)."
    ),
    formats=CONTAINER_FORMATS,
    related={
        "kics": (
            "5572cc5e-1e4c-4113-92a6-7a8a3bd25e6d",
            "27fcc7d6-c49b-46e0-98f1-6c082a6a2750",
            "610e266e-6c12-4bca-9925-1ed0cd29742b",
        ),
        "polaris": ("privilegeEscalationAllowed",),
        "checkov": ("CKV_K8S_20",),
        "trivy": ("KSV-0001",),
    },
    notes=(
        "KICS looks only at pods whose spec holds the containers directly; vmlint checks every pod template "
        "(Deployment, CronJob ...) the same way. kube-linter's check passes an unset field and is not related. "
        "Compose: a service without `no-new-privileges:true` in `security_opt` is flagged. KICS splits that into "
        "No New Privileges Not Set (27fcc7d6, only when `security_opt` exists) and Security Opt Not Set (610e266e, "
        "no `security_opt` at all); vmlint also flags a `security_opt` that sets only AppArmor or SELinux options, "
        "which the latter passes."
    ),
    fix=fixes.NO_ESCALATION,
    examples=(
        Example(
            "kubernetes",
            bad="containers:\n- name: app\n  image: app:1.2",
            good="containers:\n- name: app\n  image: app:1.2\n  securityContext:\n    allowPrivilegeEscalation: false",
        ),
    ),
)
def privilege_escalation_allowed(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for unit in workload.containers():
        fact = unit.allow_privilege_escalation
        if fact.value is False or (fact.value is None and fact.explicit):
            continue
        who = named_unit(workload, unit.name)
        if fact.explicit:
            message = f"{who} sets {term(workload, 'allowPrivilegeEscalation: true')}"
        else:
            message = f"{who} does not set {term(workload, 'allowPrivilegeEscalation: false')}"
        yield fixing(hit(workload, fact, message, unit.name), fixes.NO_ESCALATION, fixes.no_escalation(workload, fact))


@policy(
    id="VM104",
    name="run-as-root",
    tradeoff="isolation",
    severity="warning",
    summary="A container may run as root: runAsUser is 0, or neither a non-zero runAsUser nor runAsNonRoot is set.",
    rationale=(
        "Root inside a container is root on the shared kernel's objects: one escape or one writable host mount "
        "and the attacker is root on the node. A non-root UID takes most escape paths away."
    ),
    remediation=(
        "Set `runAsNonRoot: true` and a non-zero `runAsUser` in the pod or container securityContext "
        "(Compose: `user: '10001'`), and build the image with a non-root USER."
    ),
    formats=CONTAINER_FORMATS,
    fix=fixes.RUN_AS_NON_ROOT,
    related={
        "kics": ("cf34805e-3872-4c08-bf92-6ff7bb0cfadb",),
        "polaris": ("runAsRootAllowed",),
        "checkov": ("CKV_K8S_23",),
    },
    notes=(
        "A container setting overrides the pod's. KICS skips init containers; vmlint checks them too, since they "
        "run on the same kernel."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="containers:\n- name: app\n  securityContext:\n    runAsUser: 0",
            good="securityContext:\n  runAsNonRoot: true\n  runAsUser: 10001\ncontainers:\n- name: app",
        ),
    ),
)
def run_as_root(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for unit in workload.containers():
        user, non_root = unit.run_as_user, unit.run_as_non_root
        if user.value == 0:
            yield Hit(user.path, f"{named_unit(workload, unit.name)} runs as UID 0 (root)", unit=unit.name)
        elif user.value is None and not user.explicit and non_root.value is False:
            if workload.format == "kubernetes":
                message = f"container {unit.name} may run as root: no non-zero runAsUser and no runAsNonRoot: true"
            else:
                message = f"service {unit.name} may run as root: no `user:` is set (the image's user, often root)"
            found = hit(workload, non_root, message, unit.name)
            edit = fixes.pod_setting(workload, non_root, "securityContext", "runAsNonRoot", value=True)
            yield fixing(found, fixes.RUN_AS_NON_ROOT, edit) if edit else found


@policy(
    id="VM118",
    name="writable-root-filesystem",
    tradeoff="isolation",
    severity="warning",
    summary="A container's root filesystem is writable (readOnlyRootFilesystem is not true).",
    rationale=(
        "A writable image layer lets an intruder drop tools and persist changes inside the container, and hides "
        "state in a layer nobody backs up; a read-only root with explicit volumes for scratch space prevents both."
    ),
    remediation=(
        "Set `securityContext.readOnlyRootFilesystem: true` (Compose: `read_only: true`) and mount an emptyDir or "
        "tmpfs where the process must write."
    ),
    formats=CONTAINER_FORMATS,
    fix=fixes.READ_ONLY_ROOT,
    related={
        "kics": ("a9c2f49d-0671-4fc9-9ece-f4e261e128d0",),
        "polaris": ("notReadOnlyRootFilesystem",),
        "kube-linter": ("no-read-only-root-fs",),
        "checkov": ("CKV_K8S_22",),
        "trivy": ("KSV-0014",),
    },
    examples=(
        Example(
            "kubernetes",
            bad="containers:\n- name: app\n  image: app:1.2",
            good="containers:\n- name: app\n  image: app:1.2\n  securityContext:\n    readOnlyRootFilesystem: true",
        ),
    ),
)
def writable_root_filesystem(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for unit in workload.containers():
        fact = unit.read_only_root
        if fact.value is True or (fact.value is None and fact.explicit):
            continue
        setting = term(workload, "readOnlyRootFilesystem")
        shown = f"sets {setting}: false" if fact.explicit else f"does not set {setting}: true"
        found = hit(workload, fact, f"{named_unit(workload, unit.name)} {shown}", unit.name)
        yield fixing(found, fixes.READ_ONLY_ROOT, fixes.read_only_root(fact))


@policy(
    id="VM120",
    name="low-uid",
    tradeoff="isolation",
    severity="info",
    summary="A container runs with a UID below 10000, or with no runAsUser at all (the image decides).",
    rationale=(
        "Without user namespaces a container's UID is the host's UID: low UIDs are the ones host accounts and "
        "system daemons own, so a process that escapes or writes to a host mount acts as one of them. A high, "
        "unshared UID owns nothing on the node."
    ),
    remediation="Set `runAsUser` to 10000 or above in the pod or container securityContext.",
    formats=("kubernetes",),
    options={"minimum": Option(10000, "The lowest UID that passes.", minimum=0, maximum=2**32 - 1)},
    related={"kics": ("02323c00-cdc3-4fdc-a310-4f2b3e7a1660",), "checkov": ("CKV_K8S_40",)},
    notes=(
        "UID 0 is also reported by run-as-root (VM104). Trivy KSV-0020 also flags UID 10000 itself, so it is "
        "not declared."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="securityContext:\n  runAsUser: 1000",
            good="securityContext:\n  runAsUser: 10001",
        ),
    ),
)
def low_uid(workload: Workload, settings: Settings) -> Iterator[Hit]:
    minimum = int(settings["minimum"])
    for unit in workload.containers():
        user = unit.run_as_user
        if user.value is None and user.explicit:
            continue
        if user.value is None:
            yield hit(workload, user, f"container {unit.name} sets no runAsUser (the image decides)", unit.name)
        elif user.value < minimum:
            yield Hit(user.path, f"container {unit.name} runs as the low UID {user.value}", unit=unit.name)


POLICIES: tuple[Policy, ...] = (
    privileged_container,
    privilege_escalation_allowed,
    run_as_root,
    writable_root_filesystem,
    low_uid,
)
