"""The built-in policies' fixes: what each one changes, and whether that keeps what the workload does.

``safe`` fixes keep the workload's behaviour (a setting the runtime's default already implies, or one that only
forbids what the process never needs); ``unsafe`` ones may stop it working (a process that writes to its root
filesystem, needs a capability, root, the host's network) and only apply with ``--unsafe-fixes``.  Edits' paths
start at the workload, as model facts' paths do; ``_facts.fixing`` makes them relative to the hit.  A setting
written as a legacy annotation is fixed in the annotation's own vocabulary.
"""

from __future__ import annotations

from vmlint.fixes import Edit, Fix, add, remove, set_
from vmlint.model import Fact, Unit, Workload
from vmlint.source import Path, get

NO_NEW_PRIVILEGES = "no-new-privileges:true"
LOCALHOST = "127.0.0.1"

# Removing the setting the finding names (the hit's own path).
REMOVE_PRIVILEGED = Fix("unsafe", "removes `privileged: true`", (remove(),))
REMOVE_HOST_PID = Fix("unsafe", "removes `hostPID: true` (Compose: `pid: host`)", (remove(),))
REMOVE_HOST_IPC = Fix("unsafe", "removes `hostIPC: true` (Compose: `ipc: host`)", (remove(),))
REMOVE_HOST_NETWORK = Fix("unsafe", "removes `hostNetwork: true` (Compose: `network_mode: host`)", (remove(),))
REMOVE_USERNS_HOST = Fix("unsafe", "removes `userns_mode: host`", (remove(),))
REMOVE_HOST_PORT = Fix("unsafe", "removes the `hostPort`", (remove(),))
REMOVE_CAPABILITY = Fix("unsafe", "removes the capability from `capabilities.add` (Compose: `cap_add`)", (remove(),))
REMOVE_NODE_NAME = Fix("unsafe", "removes `nodeName` (the scheduler places the pod or VM)", (remove(),))

# Setting a value; the hits carry the edits, since the path depends on the format and on what is written.
NO_ESCALATION = Fix(
    "safe", "sets `allowPrivilegeEscalation: false` (Compose: adds `no-new-privileges:true` to `security_opt`)"
)
DROP_NET_RAW = Fix("safe", "adds NET_RAW to `capabilities.drop` (Compose: `cap_drop`)")
DROP_ALL = Fix("unsafe", "adds ALL to `capabilities.drop` (Compose: `cap_drop`)")
SECCOMP_DEFAULT = Fix("safe", "sets the pod's `securityContext.seccompProfile.type: RuntimeDefault` where none is set")
SECCOMP_CONFINED = Fix(
    "unsafe", "sets the seccomp profile to RuntimeDefault (Compose: removes `seccomp:unconfined` from `security_opt`)"
)
APPARMOR_DEFAULT = Fix(
    "safe", "sets the pod's `securityContext.appArmorProfile.type: RuntimeDefault` where none is set"
)
APPARMOR_CONFINED = Fix(
    "unsafe", "sets the AppArmor profile to RuntimeDefault (Compose: removes `apparmor:unconfined` from `security_opt`)"
)
READ_ONLY_ROOT = Fix("unsafe", "sets `readOnlyRootFilesystem: true` (Compose: `read_only: true`)")
RUN_AS_NON_ROOT = Fix("unsafe", "sets the pod's `securityContext.runAsNonRoot: true` where no user is set")
NO_TOKEN = Fix("unsafe", "sets the pod's `automountServiceAccountToken: false`")
PULL_ALWAYS = Fix("safe", "sets `imagePullPolicy: Always`", (set_((), "Always"),))
LOCALHOST_PORT = Fix("unsafe", "binds the published port to 127.0.0.1 (`127.0.0.1:8080:80`, or `host_ip:`)")
HOST_MODEL_CPU = Fix("unsafe", "sets the KubeVirt CPU model to `host-model`")
NO_LIVE_MIGRATION = Fix("unsafe", "sets `evictionStrategy: None`", (set_((), "None"),))
NO_SSH_PASSWORDS = Fix("unsafe", "sets `ssh_pwauth: false` in a cloud-config file")
NO_ROOT_LOGIN = Fix("unsafe", "sets `disable_root: true` in a cloud-config file")
RESTART_UNLESS_STOPPED = Fix("unsafe", "sets `restart: unless-stopped`", (set_(("restart",), "unless-stopped"),))


def no_escalation(workload: Workload, fact: Fact[bool]) -> Edit:
    """``allowPrivilegeEscalation: false``, or Compose's ``no-new-privileges:true`` option."""
    if workload.format == "kubernetes":
        return set_(fact.path, False)
    return set_(fact.path, NO_NEW_PRIVILEGES) if fact.explicit else add(fact.path, NO_NEW_PRIVILEGES)


def drop(workload: Workload, unit: Unit, capability: str) -> Edit:
    """``capability`` added to the unit's list of dropped capabilities."""
    key = "drop" if workload.format == "kubernetes" else "cap_drop"
    return add((*unit.capabilities_path, key), capability)


def pod_setting(workload: Workload, fact: Fact[object], *path: str, value: object) -> Edit | None:
    """A pod-level securityContext (or pod spec) setting for an unset fact; None when the fact is written."""
    if fact.explicit or workload.format != "kubernetes":
        return None
    return set_((*workload.pod_spec_path, *path), value)


def confined(workload: Workload, fact: Fact[str], legacy: str) -> Edit | None:
    """An explicit unconfined profile made RuntimeDefault: the field, a legacy annotation, or a Compose option."""
    if not fact.explicit:
        return None
    if workload.format == "compose":
        return remove(fact.path)
    if "annotations" in fact.path:
        return set_(fact.path, legacy)
    return set_(fact.path, "RuntimeDefault")


def read_only_root(fact: Fact[bool]) -> Edit:
    """``readOnlyRootFilesystem: true`` (Compose: ``read_only: true``)."""
    return set_(fact.path, True)


def in_format(workload: Workload, format: str, edit: Edit) -> Edit | None:  # noqa: A002 - the model's word
    """``edit`` for workloads of ``format`` only (a setting embedded in another document is not fixed)."""
    return edit if workload.format == format else None


def bind_localhost(workload: Workload, path: Path) -> Edit | None:
    """A published Compose port bound to 127.0.0.1: ``127.0.0.1:8080:80``, or ``host_ip`` in the long syntax."""
    item = get(workload.document, workload.path + path)
    if isinstance(item, dict):
        return set_((*path, "host_ip"), LOCALHOST)
    if isinstance(item, int) and not isinstance(item, bool):
        return set_(path, f"{LOCALHOST}::{item}")
    if not isinstance(item, str) or "$" in item:
        return None
    text = item.strip()
    for wildcard in ("0.0.0.0:", "[::]:", ":::"):
        if text.startswith(wildcard):
            return set_(path, LOCALHOST + ":" + text[len(wildcard) :])
    parts = text.split(":")
    if len(parts) == 1:
        return set_(path, f"{LOCALHOST}::{text}")
    if len(parts) == 2:
        return set_(path, f"{LOCALHOST}:{text}")
    return None
