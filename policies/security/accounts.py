"""Security: service accounts and their automounted API tokens."""

from __future__ import annotations

from collections.abc import Iterator

from vmlint.context import token_not_automounted
from vmlint.fixes import set_
from vmlint.model import Workload
from vmlint.policy import Example, Hit, Policy, Settings, policy

from .. import _fixes as fixes
from .._facts import fixing, hit


@policy(
    id="VM603",
    name="service-account-token-automount",
    tradeoff="security",
    severity="warning",
    summary="The pod does not set automountServiceAccountToken: false, so its API token is mounted.",
    rationale=(
        "Every container gets a token for the Kubernetes API unless told otherwise; most workloads never call the "
        "API, and a stolen token is a foothold for moving through the cluster."
    ),
    remediation="Set `automountServiceAccountToken: false` in the pod spec (or on its ServiceAccount).",
    notes=(
        "A ServiceAccount object that sets automountServiceAccountToken: false covers the pods that use it and "
        "leave the field unset: one in the same file always, one elsewhere in the run unless another definition "
        "of that account mounts the token. A pod's own setting wins over its ServiceAccount's."
    ),
    formats=("kubernetes",),
    fix=fixes.NO_TOKEN,
    related={
        "kics": ("48471392-d4d0-47c0-b135-cdec95eb3eef",),
        "polaris": ("automountServiceAccountToken",),
        "checkov": ("CKV_K8S_38",),
    },
    examples=(
        Example(
            "kubernetes",
            bad="spec:\n  containers:\n  - name: app",
            good="spec:\n  automountServiceAccountToken: false\n  containers:\n  - name: app",
        ),
    ),
)
def service_account_token_automount(workload: Workload, settings: Settings) -> Iterator[Hit]:
    account = workload.service_account
    if account is None:
        return
    fact = account.automount_token
    if fact.value is False or (fact.value is None and fact.explicit):
        return
    if fact.explicit:
        found = hit(workload, fact, f"{workload.kind} {workload.name} sets automountServiceAccountToken: true")
        yield fixing(found, fixes.NO_TOKEN, set_(fact.path, False))
        return
    name = account.name.value if account.name.explicit else "default"
    if name is None:
        return
    found = hit(workload, fact, f"{workload.kind} {workload.name} mounts the token of service account {name}")
    # A ServiceAccount object in the run that disables automounting withdraws the hit.
    unless = (
        token_not_automounted(workload.namespace, name, workload.file),
        token_not_automounted(workload.namespace, name),
    )
    edit = fixes.pod_setting(workload, fact, "automountServiceAccountToken", value=False)
    found = Hit(found.path, found.message, key=found.key, unless=unless)
    yield fixing(found, fixes.NO_TOKEN, edit) if edit else found


@policy(
    id="VM604",
    name="default-service-account",
    tradeoff="security",
    severity="info",
    summary="The pod runs as the namespace's default service account (serviceAccountName unset, empty or default).",
    rationale=(
        "Every pod that does not name an account shares the default one: any permission granted to it for one "
        "workload is granted to all of them, and their API requests cannot be told apart."
    ),
    remediation="Create a ServiceAccount per workload and set `serviceAccountName`.",
    formats=("kubernetes",),
    related={"kics": ("591ade62-d6b0-4580-b1ae-209f80ba1cd9",), "kube-linter": ("default-service-account",)},
    notes="Pods that set automountServiceAccountToken: false do not use their account's token and are not reported.",
    examples=(
        Example(
            "kubernetes",
            bad="spec:\n  containers:\n  - name: app",
            good="spec:\n  serviceAccountName: app\n  containers:\n  - name: app",
        ),
    ),
)
def default_service_account(workload: Workload, settings: Settings) -> Iterator[Hit]:
    account = workload.service_account
    if account is None or (account.automount_token.is_(False) and account.automount_token.explicit):
        return
    name = account.name
    if name.value is None and name.explicit:
        return
    if not name.value or name.value == "default":
        yield hit(workload, name, f"{workload.kind} {workload.name} runs as the default service account")


POLICIES: tuple[Policy, ...] = (
    service_account_token_automount,
    default_service_account,
)
