"""Security: workloads that name a ServiceAccount, Secret or ConfigMap (key) that the run does not define.

Judged only when the run could have contained the target: the workload's namespace has ServiceAccounts (Secrets,
ConfigMaps) in the linted files; a repository that leaves them to the cluster or to a secret store is not told.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vmlint.context import defined, generated, namespace_has, object_key, object_keys_open
from vmlint.model import Workload
from vmlint.policy import Example, Hit, Policy, Settings, policy
from vmlint.source import get

# Objects every namespace has without anyone defining them.
BUILT_IN = {"ServiceAccount": ("default",), "ConfigMap": ("kube-root-ca.crt",)}
REFERENCES = {"secretKeyRef": ("Secret", "secrets"), "configMapKeyRef": ("ConfigMap", "configmaps")}


def _named(workload: Workload) -> bool:
    """A Kubernetes workload at the top of its document (the one whose namespace the run's facts speak of)."""
    return workload.format == "kubernetes" and workload.role != "object" and not workload.path


@policy(
    id="VM615",
    name="service-account-missing",
    tradeoff="security",
    severity="warning",
    summary="A workload runs as a ServiceAccount that no linted file defines (in a namespace that defines some).",
    rationale=(
        "A pod naming a missing ServiceAccount is refused by admission, so the workload never starts; and when "
        "someone later creates an account of that name for another purpose, the workload silently inherits its "
        "permissions. A typo in the account is a typo in the pod's API identity."
    ),
    remediation=(
        "Name a ServiceAccount defined beside the workload (in its namespace), or define the account it names."
    ),
    formats=("kubernetes",),
    related={"kube-linter": ("non-existent-service-account",)},
    notes=(
        "Judged over the run, only when the workload's namespace has ServiceAccounts in the linted files. "
        "`default` is never reported. The deprecated `serviceAccount` field counts when `serviceAccountName` is "
        "unset."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="kind: Deployment\nspec:\n  template:\n    spec:\n      serviceAccountName: wbe\n---\n"
            "kind: ServiceAccount\nmetadata:\n  name: web",
            good="kind: Deployment\nspec:\n  template:\n    spec:\n      serviceAccountName: web\n---\n"
            "kind: ServiceAccount\nmetadata:\n  name: web",
        ),
    ),
)
def service_account_missing(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if not _named(workload) or not workload.pod_spec_path:
        return
    path = (*workload.pod_spec_path, "serviceAccountName")
    name = get(workload.document, path)
    if not name:
        path = (*workload.pod_spec_path, "serviceAccount")
        name = get(workload.document, path)
    if not isinstance(name, str) or not name or name in BUILT_IN["ServiceAccount"]:
        return
    yield Hit(
        path,
        f"{workload.kind} {workload.name} runs as ServiceAccount {name}, which no linted file defines",
        unless=(defined(workload.namespace, "ServiceAccount", name),),
        needs=namespace_has(workload.namespace, "service-accounts"),
    )


def _env_refs(workload: Workload) -> Iterator[tuple[str, str, Any, tuple[str | int, ...]]]:
    """(unit name, reference field, reference, path) of each env ``valueFrom`` reference of the containers."""
    for unit in workload.containers():
        env = get(workload.document, (*unit.path, "env"))
        for index, item in enumerate(env if isinstance(env, list) else []):
            source = item.get("valueFrom") if isinstance(item, dict) else None
            for field in REFERENCES:
                ref = source.get(field) if isinstance(source, dict) else None
                if isinstance(ref, dict):
                    yield unit.name, field, ref, (*unit.path, "env", index, "valueFrom", field)


@policy(
    id="VM616",
    name="env-reference-missing",
    tradeoff="security",
    severity="warning",
    summary="An env `valueFrom` names a Secret or ConfigMap, or a key of one, that the run does not define.",
    rationale=(
        "A required reference to a missing Secret or ConfigMap (or key) keeps the container from starting "
        "(CreateContainerConfigError); a Secret created later under that name, for something else, hands its "
        "value to this container. Either way the manifest and the configuration it depends on have drifted apart."
    ),
    remediation=(
        "Name a Secret or ConfigMap (and key) that the linted files define in the workload's namespace, or mark "
        "the reference `optional: true` when the container copes without it."
    ),
    formats=("kubernetes",),
    related={"kube-linter": ("env-value-from",)},
    notes=(
        "Judged over the run: a missing Secret (ConfigMap) only when the workload's namespace has Secrets "
        "(ConfigMaps) in the linted files, a missing key only when the object is defined there with its keys. A "
        "SealedSecret or ExternalSecret counts as the Secret it makes (an ExternalSecret's keys are not known), a "
        "Kustomization's generators as theirs, and a Secret without data (filled in elsewhere) has any key. "
        "`optional: true` references and the `kube-root-ca.crt` ConfigMap are never reported."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="env:\n- name: DB_PASSWORD\n  valueFrom:\n    secretKeyRef:\n      name: db\n      key: pasword\n---\n"
            "kind: Secret\nmetadata:\n  name: db\nstringData:\n  password: ...",
            good="env:\n- name: DB_PASSWORD\n  valueFrom:\n    secretKeyRef:\n      name: db\n      key: password\n"
            "---\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: ...",
        ),
    ),
)
def env_reference_missing(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if not _named(workload):
        return
    namespace = workload.namespace
    for unit, field, ref, path in _env_refs(workload):
        kind, plural = REFERENCES[field]
        name, key = ref.get("name"), ref.get("key")
        if ref.get("optional") is True or not isinstance(name, str) or not name or name in BUILT_IN.get(kind, ()):
            continue
        yield Hit(
            (*path, "name"),
            f"container {unit} reads {kind} {name}, which no linted file defines",
            unit=unit,
            unless=(defined(namespace, kind, name), generated(kind, name)),
            needs=namespace_has(namespace, plural),
        )
        if isinstance(key, str):
            yield Hit(
                (*path, "key"),
                f"container {unit} reads key {key} of {kind} {name}, which has no such key",
                unit=unit,
                unless=(object_key(namespace, kind, name, key), object_keys_open(namespace, kind, name)),
                needs=defined(namespace, kind, name),
            )


POLICIES: tuple[Policy, ...] = (service_account_missing, env_reference_missing)
