"""Isolation through the API: RBAC roles that reach Secrets, pods and other roles, and who is bound to them.

A pod's API permissions are as much a way out of its container as ``hostPID``: a token that can read every Secret,
create a privileged pod or bind itself to cluster-admin gives whoever owns the pod the cluster.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vmlint.model import Workload
from vmlint.policy import Example, Hit, Policy, Settings, policy
from vmlint.rbac_context import (
    ANONYMOUS_SUBJECTS,
    EXEC_RESOURCES,
    POWERS,
    account_powers,
    allows,
    creates_pods,
    escalates,
    reads_secrets,
    rules,
    strings,
)
from vmlint.source import Path

from .._facts import existing
from .._objects import is_object

ROLE_EXAMPLE = 'kind: Role\nrules:\n- apiGroups: [""]\n  resources: [{resources}]\n  verbs: [{verbs}]'
BINDING_NOTES = (
    "Judged on the binding alone; which permissions the role grants is for the role policies (VM160-VM164) and, "
    "for ServiceAccounts that pods use, service-account-bound-to-powerful-role (VM168)."
)


def _roles(workload: Workload) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Each rule of a Role or ClusterRole with its path."""
    if is_object(workload, "Role") or is_object(workload, "ClusterRole"):
        for index, rule in rules(workload.document):
            yield ("rules", index), dict(rule)


def _where(workload: Workload) -> str:
    scope = "cluster-wide" if workload.kind == "ClusterRole" else f"in namespace {workload.namespace or 'default'}"
    return f"{workload.kind} {workload.name} ({scope})"


def _field(workload: Workload, rule_path: Path, name: str) -> Path:
    return existing(workload, (*rule_path, name))


@policy(
    id="VM160",
    name="rbac-wildcard",
    tradeoff="isolation",
    severity="warning",
    summary="A Role or ClusterRole rule uses `*` in apiGroups, resources or verbs.",
    rationale=(
        "A wildcard grants everything that exists and everything added later: new resource types, new verbs, "
        "subresources such as pods/exec and secrets. Least privilege cannot be reviewed when the rule does not "
        "say what it allows."
    ),
    remediation="List the API groups, resources and verbs the subject needs instead of `*`.",
    formats=("kubernetes",),
    kinds=("Role", "ClusterRole"),
    related={
        "kics": ("6b896afb-ca07-467a-b256-1a0077a1c08e",),
        "kube-linter": ("wildcard-in-rules",),
        "checkov": ("CKV_K8S_49",),
    },
    notes="One finding per field that holds `*`, at the `*`.",
    examples=(
        Example(
            "kubernetes",
            bad=ROLE_EXAMPLE.format(resources='"*"', verbs='"*"'),
            good=ROLE_EXAMPLE.format(resources='"configmaps"', verbs='"get", "list"'),
        ),
    ),
)
def rbac_wildcard(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for path, rule in _roles(workload):
        for name in ("apiGroups", "resources", "verbs"):
            values = rule.get(name)
            for index, value in enumerate(values if isinstance(values, list) else []):
                if value == "*":
                    yield Hit((*path, name, index), f"{_where(workload)} grants {name} `*`")


@policy(
    id="VM161",
    name="rbac-read-secrets",
    tradeoff="isolation",
    severity="warning",
    summary="A Role or ClusterRole can get, list or watch Secrets.",
    rationale=(
        "Reading Secrets reads every credential kept in them: database passwords, cloud keys, other "
        "ServiceAccounts' tokens. Whoever holds the role (or a pod running as an account bound to it) holds them "
        "all, in the namespace or, for a ClusterRole, in the whole cluster."
    ),
    remediation=(
        "Mount the Secrets a workload needs as volumes or env instead of reading them through the API; where the "
        "API is needed, restrict the rule with `resourceNames`."
    ),
    formats=("kubernetes",),
    kinds=("Role", "ClusterRole"),
    related={"kics": ("b7bca5c4-1dab-4c2c-8cbe-3050b9d59b14",), "trivy": ("KSV-0041", "KSV-0113")},
    notes="Rules limited by `resourceNames` are reported too: they still read those Secrets. `*` counts.",
    examples=(
        Example(
            "kubernetes",
            bad=ROLE_EXAMPLE.format(resources='"secrets"', verbs='"get", "list"'),
            good=ROLE_EXAMPLE.format(resources='"configmaps"', verbs='"get", "list"'),
        ),
    ),
)
def rbac_read_secrets(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for path, rule in _roles(workload):
        if reads_secrets(rule):
            yield Hit(_field(workload, path, "resources"), f"{_where(workload)} can read Secrets", key=True)


@policy(
    id="VM162",
    name="rbac-create-pods",
    tradeoff="isolation",
    severity="warning",
    summary="A Role or ClusterRole can create pods or workloads (Deployments, Jobs ...).",
    rationale=(
        "Creating a pod is running any image with any ServiceAccount of the namespace, any volume and, unless "
        "admission forbids it, privileged on a node: the permission is an escalation path to everything those "
        "can reach."
    ),
    remediation="Leave pod and workload creation to controllers and CI; grant people and apps narrower verbs.",
    formats=("kubernetes",),
    kinds=("Role", "ClusterRole"),
    related={"kics": ("592ad21d-ad9b-46c6-8d2d-fad09d62a942",)},
    notes=(
        "Pods and ReplicationControllers (core), Deployments, ReplicaSets, StatefulSets and DaemonSets (apps, "
        "extensions), Jobs and CronJobs (batch); `*` and, as KICS reads them, other glob patterns count."
    ),
    examples=(
        Example(
            "kubernetes",
            bad=ROLE_EXAMPLE.format(resources='"pods"', verbs='"get", "create"'),
            good=ROLE_EXAMPLE.format(resources='"pods"', verbs='"get", "list"'),
        ),
    ),
)
def rbac_create_pods(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for path, rule in _roles(workload):
        if creates_pods(rule):
            yield Hit(_field(workload, path, "verbs"), f"{_where(workload)} can create pods or workloads", key=True)


@policy(
    id="VM163",
    name="rbac-pod-exec",
    tradeoff="isolation",
    severity="warning",
    summary="A Role or ClusterRole grants pods/exec, pods/attach or pods/portforward.",
    rationale=(
        "The exec and attach subresources run commands in, and read the terminal of, any pod the role reaches, "
        "privileged ones included; portforward opens a socket into the pod past Services and NetworkPolicies."
    ),
    remediation="Grant these subresources only to break-glass roles; use logs and metrics for day-to-day access.",
    formats=("kubernetes",),
    kinds=("Role", "ClusterRole"),
    related={
        "kics": (
            "c589f42c-7924-4871-aee2-1cede9bc7cbc",
            "d45330fd-f58d-45fb-a682-6481477a0f84",
            "38fa11ef-dbcc-4da8-9680-7e1fd855b6fb",
        ),
        "polaris": ("clusterrolePodExecAttach", "rolePodExecAttach"),
        "trivy": ("KSV-0053", "KSV-0054"),
    },
    examples=(
        Example(
            "kubernetes",
            bad=ROLE_EXAMPLE.format(resources='"pods", "pods/exec"', verbs='"get", "create"'),
            good=ROLE_EXAMPLE.format(resources='"pods", "pods/log"', verbs='"get"'),
        ),
    ),
)
def rbac_pod_exec(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for path, rule in _roles(workload):
        granted = [name for name in EXEC_RESOURCES if allows(rule, ("",), (name,), ("create", "get"))]
        if granted:
            where = _field(workload, path, "resources")
            yield Hit(where, f"{_where(workload)} grants {', '.join(granted)}", key=True)


@policy(
    id="VM164",
    name="rbac-escalate",
    tradeoff="isolation",
    severity="warning",
    summary="A Role or ClusterRole grants the escalate, bind or impersonate verb.",
    rationale=(
        "The escalate verb lets a subject write roles with permissions it does not have, bind lets it bind any "
        "role, and impersonate lets it act as any user, group or ServiceAccount: each is a way to every permission "
        "in reach."
    ),
    remediation="Remove escalate, bind and impersonate; grant the specific roles a subject needs instead.",
    formats=("kubernetes",),
    kinds=("Role", "ClusterRole"),
    related={
        "kics": ("8320826e-7a9c-4b0b-9535-578333193432", "9f85c3f6-26fd-4007-938a-2e0cb0100980"),
        "checkov": ("CKV_K8S_157", "CKV_K8S_158"),
    },
    examples=(
        Example(
            "kubernetes",
            bad='kind: ClusterRole\nrules:\n- apiGroups: ["rbac.authorization.k8s.io"]\n'
            '  resources: ["clusterroles"]\n  verbs: ["bind"]',
            good='kind: ClusterRole\nrules:\n- apiGroups: ["rbac.authorization.k8s.io"]\n'
            '  resources: ["clusterroles"]\n  verbs: ["get", "list"]',
        ),
    ),
)
def rbac_escalate(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for path, rule in _roles(workload):
        if escalates(rule):
            verbs = [v for v in strings(rule.get("verbs")) if v in ("escalate", "bind", "impersonate", "*")]
            yield Hit(_field(workload, path, "verbs"), f"{_where(workload)} grants {', '.join(verbs)}", key=True)


POLICIES: tuple[Policy, ...] = (rbac_wildcard, rbac_read_secrets, rbac_create_pods, rbac_pod_exec, rbac_escalate)


def _bindings(workload: Workload) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Each subject of a RoleBinding or ClusterRoleBinding with its path."""
    if not (is_object(workload, "RoleBinding") or is_object(workload, "ClusterRoleBinding")):
        return
    subjects = workload.document.get("subjects")
    for index, subject in enumerate(subjects if isinstance(subjects, list) else []):
        if isinstance(subject, dict):
            yield ("subjects", index), subject


BINDING_EXAMPLE = (
    "kind: RoleBinding\nsubjects:\n- kind: {kind}\n  name: {name}\nroleRef:\n  kind: ClusterRole\n  name: {role}"
)


@policy(
    id="VM165",
    name="cluster-admin-binding",
    tradeoff="isolation",
    severity="warning",
    summary="A RoleBinding or ClusterRoleBinding grants the cluster-admin ClusterRole.",
    rationale=(
        "The cluster-admin role can do anything to any object; bound cluster-wide it owns the cluster, bound in a "
        "namespace it owns the namespace, its Secrets and its RBAC. An account with it is a single credential away "
        "from everything."
    ),
    remediation="Bind a role with the permissions the subject needs (admin, edit, view, or a custom Role).",
    formats=("kubernetes",),
    kinds=("RoleBinding", "ClusterRoleBinding"),
    related={"kics": ("249328b8-5f0f-409f-b1dd-029f07882e11",), "kube-linter": ("cluster-admin-role-binding",)},
    notes=BINDING_NOTES,
    examples=(
        Example(
            "kubernetes",
            bad=BINDING_EXAMPLE.format(kind="ServiceAccount", name="ci", role="cluster-admin"),
            good=BINDING_EXAMPLE.format(kind="ServiceAccount", name="ci", role="edit"),
        ),
    ),
)
def cluster_admin_binding(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if not (is_object(workload, "RoleBinding") or is_object(workload, "ClusterRoleBinding")):
        return
    ref = workload.document.get("roleRef")
    if isinstance(ref, dict) and ref.get("kind") == "ClusterRole" and ref.get("name") == "cluster-admin":
        yield Hit(("roleRef", "name"), f"{workload.kind} {workload.name} grants cluster-admin")


@policy(
    id="VM166",
    name="binding-to-anonymous",
    tradeoff="isolation",
    severity="error",
    summary="A binding grants a role to system:anonymous, system:unauthenticated or system:authenticated.",
    rationale=(
        "The groups system:anonymous and system:unauthenticated are every request without credentials, "
        "system:authenticated every holder of any credential (every ServiceAccount token of every pod): the role "
        "is granted to the whole network, or to every workload of the cluster."
    ),
    remediation="Bind the role to the users, groups or ServiceAccounts that need it.",
    formats=("kubernetes",),
    kinds=("RoleBinding", "ClusterRoleBinding"),
    notes=BINDING_NOTES + " Trivy's binding checks also cover system:masters and are not declared equivalent.",
    examples=(
        Example(
            "kubernetes",
            bad=BINDING_EXAMPLE.format(kind="Group", name="system:authenticated", role="view"),
            good=BINDING_EXAMPLE.format(kind="Group", name="dev-team", role="view"),
        ),
    ),
)
def binding_to_anonymous(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for path, subject in _bindings(workload):
        if subject.get("kind") in ("User", "Group") and subject.get("name") in ANONYMOUS_SUBJECTS:
            yield Hit((*path, "name"), f"{workload.kind} {workload.name} grants its role to {subject['name']}")


@policy(
    id="VM167",
    name="binding-to-default-service-account",
    tradeoff="isolation",
    severity="warning",
    summary="A binding grants a role to a namespace's default ServiceAccount.",
    rationale=(
        "Every pod that names no ServiceAccount runs as default: a role bound to it is granted to all of them, "
        "including pods added later for other purposes."
    ),
    remediation="Create a ServiceAccount for the workload that needs the role, bind that, and set serviceAccountName.",
    formats=("kubernetes",),
    kinds=("RoleBinding", "ClusterRoleBinding"),
    related={"kics": ("1e749bc9-fde8-471c-af0c-8254efd2dee5",), "checkov": ("CKV_K8S_42",)},
    notes=BINDING_NOTES,
    examples=(
        Example(
            "kubernetes",
            bad=BINDING_EXAMPLE.format(kind="ServiceAccount", name="default", role="view"),
            good=BINDING_EXAMPLE.format(kind="ServiceAccount", name="reporter", role="view"),
        ),
    ),
)
def binding_to_default_service_account(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for path, subject in _bindings(workload):
        if subject.get("kind") == "ServiceAccount" and subject.get("name") == "default":
            where = subject.get("namespace") or workload.namespace or "default"
            yield Hit((*path, "name"), f"{workload.kind} {workload.name} grants its role to {where}/default")


POLICIES += (cluster_admin_binding, binding_to_anonymous, binding_to_default_service_account)


@policy(
    id="VM168",
    name="service-account-bound-to-powerful-role",
    tradeoff="isolation",
    severity="warning",
    summary=(
        "A workload's ServiceAccount is bound, in the linted files, to a role that can read Secrets, create pods "
        "or escalate (an error for high-tier workloads)."
    ),
    rationale=(
        "The pod's token carries the role: whoever gets code running in the container (a dependency, an RCE, a "
        "debug shell) can read every Secret, start a privileged pod or grant itself more, and leave the container "
        "through the API instead of the kernel. For a high-tier workload that is the isolation failure the tier "
        "exists to prevent."
    ),
    remediation=(
        "Give the workload its own ServiceAccount bound to a role with only what it calls; move Secret access to "
        "mounted volumes; leave pod creation to controllers. Set automountServiceAccountToken: false if it never "
        "calls the API."
    ),
    formats=("kubernetes",),
    notes=(
        "Judged over the run: the binding and the role may be in any linted file; the built-in ClusterRoles "
        "cluster-admin, admin and edit count without a definition. The finding names each binding with its file "
        "and line. Pods that set automountServiceAccountToken: false are not reported. No peer tool joins "
        "workloads to bindings this way."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="kind: Deployment\n...\n      serviceAccountName: web\n---\nkind: RoleBinding\nsubjects:\n"
            "- kind: ServiceAccount\n  name: web\nroleRef:\n  kind: ClusterRole\n  name: edit",
            good="kind: Deployment\n...\n      serviceAccountName: web\n---\nkind: RoleBinding\nsubjects:\n"
            "- kind: ServiceAccount\n  name: web\nroleRef:\n  kind: ClusterRole\n  name: view",
        ),
    ),
)
def service_account_bound_to_powerful_role(workload: Workload, settings: Settings) -> Iterator[Hit]:
    account = workload.service_account
    if workload.format != "kubernetes" or account is None:
        return
    if account.automount_token.is_(False) and account.automount_token.explicit:
        return
    name = account.name.value if account.name.explicit else "default"
    if not name:
        return
    path = account.name.path if account.name.explicit else existing(workload, workload.pod_spec_path)
    high = workload.tier.is_("high")
    yield Hit(
        path,
        f"{workload.kind} {workload.name} runs as service account {name}: {{}}",
        key=not account.name.explicit,
        needs=account_powers(workload.namespace, name),
        severity="error" if high else None,
    )


POLICIES += (service_account_bound_to_powerful_role,)
assert set(POWERS) == {"read-secrets", "create-pods", "escalate"}
