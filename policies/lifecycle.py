"""Management of a workload's lifecycle on Kubernetes: bare pods, probes aimed at no port, duplicate env names,
finished Jobs kept forever, CronJobs without a deadline or that overlap, and objects put in `default` by name.

Part of the management family (``policies/management.py`` adds these to its ``POLICIES``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from vmlint.model import Workload
from vmlint.policy import Example, Hit, Policy, Settings, policy
from vmlint.source import get

from ._facts import existing

PROBES = ("livenessProbe", "readinessProbe", "startupProbe")

_NUMBER = re.compile(r"[0-9]+")  # a port number written as a string (ASCII digits: '²'.isdigit() is true)


@policy(
    id="VM822",
    name="bare-pod",
    tradeoff="management",
    severity="info",
    summary="A Pod is written directly, with no controller (Deployment, Job ...) to replace it.",
    rationale=(
        "Nothing recreates a bare pod when its node fails, is drained or evicts it: the workload is gone until "
        "someone notices. Rollouts and rollbacks are not possible either."
    ),
    remediation="Run the pod from a Deployment, StatefulSet, DaemonSet or Job.",
    formats=("kubernetes",),
    kinds=("Pod",),
    notes="Pods with ownerReferences (written by a controller) are not reported.",
    examples=(
        Example(
            "kubernetes",
            bad="kind: Pod\nmetadata:\n  name: web",
            good="kind: Deployment\nmetadata:\n  name: web\nspec:\n  template: ...",
        ),
    ),
)
def bare_pod(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if workload.format != "kubernetes" or workload.kind != "Pod" or workload.path or workload.role == "object":
        return
    if get(workload.document, ("apiVersion",)) != "v1" or get(workload.document, ("metadata", "ownerReferences")):
        return
    yield Hit(("kind",), f"Pod {workload.name} is not managed by a controller")


@policy(
    id="VM823",
    name="probe-port-missing",
    tradeoff="management",
    severity="warning",
    summary="A probe names a port (by name) that the container does not declare.",
    rationale=(
        "A probe whose named port does not exist never succeeds: the liveness probe restarts a healthy container "
        "forever, the readiness probe keeps it out of its Service."
    ),
    remediation="Name one of the container's `ports`, or give the probe the port number.",
    formats=("kubernetes",),
    notes=(
        "Numeric probe ports are not judged: containerPort declarations are informational and a probe on an "
        "undeclared number works (ingress-nginx probes its undeclared 10254). kube-linter's liveness-port, "
        "readiness-port and startup-port also flag numbers and are not declared equivalent."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="ports:\n- name: http\n  containerPort: 8080\nlivenessProbe:\n  httpGet:\n    port: metrics",
            good="ports:\n- name: http\n  containerPort: 8080\nlivenessProbe:\n  httpGet:\n    port: http",
        ),
    ),
)
def probe_port_missing(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if workload.format != "kubernetes":
        return
    for unit in workload.containers():
        container = get(workload.document, unit.path)
        if not isinstance(container, dict) or not any(probe in container for probe in PROBES):
            continue
        names = {name for port in unit.ports if isinstance(name := get(workload.document, (*port.path, "name")), str)}
        for probe in PROBES:
            for handler in ("httpGet", "tcpSocket", "grpc"):
                where = (*unit.path, probe, handler, "port")
                port = get(workload.document, where)
                if isinstance(port, str) and not _NUMBER.fullmatch(port) and port not in names and "{{" not in port:
                    yield Hit(where, f"{probe} of container {unit.name} names port {port}, which it does not declare")


@policy(
    id="VM824",
    name="duplicate-env-var",
    tradeoff="management",
    severity="warning",
    summary="A container sets the same environment variable twice; the last one silently wins.",
    rationale=(
        "Which value the process sees depends on the order of the list: an edit to the first entry changes "
        "nothing, and a review reads the wrong value."
    ),
    remediation="Keep one entry per variable name.",
    formats=("kubernetes",),
    related={"kube-linter": ("duplicate-env-var",)},
    examples=(
        Example(
            "kubernetes",
            bad="env:\n- name: LOG_LEVEL\n  value: info\n- name: LOG_LEVEL\n  value: debug",
            good="env:\n- name: LOG_LEVEL\n  value: debug",
        ),
    ),
)
def duplicate_env_var(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if workload.format != "kubernetes":
        return
    for unit in workload.containers():
        seen: set[str] = set()
        for env in unit.env:
            if env.name and env.name in seen:
                yield Hit(env.path, f"container {unit.name} sets {env.name} again", unit=unit.name)
            seen.add(env.name)


@policy(
    id="VM825",
    name="job-ttl-missing",
    tradeoff="management",
    severity="info",
    summary="A Job does not set `ttlSecondsAfterFinished`: its finished pods stay until someone deletes them.",
    rationale=(
        "Finished Jobs and their pods accumulate in the API server and keep their logs, volumes and quota, and "
        "re-applying the manifest fails while the old Job exists."
    ),
    remediation="Set `spec.ttlSecondsAfterFinished` (for example 86400).",
    formats=("kubernetes",),
    kinds=("Job",),
    related={"kube-linter": ("job-ttl-seconds-after-finished",)},
    notes="Jobs of a CronJob are cleaned up by its history limits and are not reported.",
    examples=(
        Example(
            "kubernetes",
            bad="kind: Job\nspec:\n  template: ...",
            good="kind: Job\nspec:\n  ttlSecondsAfterFinished: 86400\n  template: ...",
        ),
    ),
)
def job_ttl_missing(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if workload.format != "kubernetes" or workload.kind != "Job" or workload.path:
        return
    spec = get(workload.document, ("spec",))
    if isinstance(spec, dict) and "ttlSecondsAfterFinished" not in spec:
        yield Hit(existing(workload, ("spec",)), f"Job {workload.name} sets no ttlSecondsAfterFinished", key=True)


def _cron_spec(workload: Workload) -> dict[str, object] | None:
    if workload.format != "kubernetes" or workload.kind != "CronJob" or workload.path:
        return None
    spec = get(workload.document, ("spec",))
    return spec if isinstance(spec, dict) else None


@policy(
    id="VM826",
    name="cronjob-deadline-missing",
    tradeoff="management",
    severity="info",
    summary="A CronJob does not set `startingDeadlineSeconds`.",
    rationale=(
        "Without a deadline a run missed while the controller was down (or the schedule blocked) may start at any "
        "later time; after 100 missed runs the CronJob stops scheduling altogether."
    ),
    remediation="Set `spec.startingDeadlineSeconds` to how late a run may still start.",
    formats=("kubernetes",),
    kinds=("CronJob",),
    related={"kics": ("192fe40b-b1c3-448a-aba2-6cc19a300fe3",)},
    examples=(
        Example(
            "kubernetes",
            bad='kind: CronJob\nspec:\n  schedule: "0 3 * * *"',
            good='kind: CronJob\nspec:\n  schedule: "0 3 * * *"\n  startingDeadlineSeconds: 600',
        ),
    ),
)
def cronjob_deadline_missing(workload: Workload, settings: Settings) -> Iterator[Hit]:
    spec = _cron_spec(workload)
    if spec is not None and "startingDeadlineSeconds" not in spec:
        yield Hit(("spec",), f"CronJob {workload.name} sets no startingDeadlineSeconds", key=True)


@policy(
    id="VM827",
    name="cronjob-concurrency-allowed",
    tradeoff="management",
    severity="info",
    summary="A CronJob lets runs overlap (`concurrencyPolicy` unset or Allow).",
    rationale=(
        "A run that takes longer than the schedule interval starts the next one beside it: two backups, "
        "migrations or reports work on the same data at once, and a slow job piles up copies of itself."
    ),
    remediation="Set `spec.concurrencyPolicy: Forbid` (or Replace) unless runs are safe to overlap.",
    formats=("kubernetes",),
    kinds=("CronJob",),
    examples=(
        Example(
            "kubernetes",
            bad='kind: CronJob\nspec:\n  schedule: "*/5 * * * *"',
            good='kind: CronJob\nspec:\n  schedule: "*/5 * * * *"\n  concurrencyPolicy: Forbid',
        ),
    ),
)
def cronjob_concurrency_allowed(workload: Workload, settings: Settings) -> Iterator[Hit]:
    spec = _cron_spec(workload)
    if spec is None or spec.get("concurrencyPolicy", "Allow") != "Allow":
        return
    where = ("spec", "concurrencyPolicy") if "concurrencyPolicy" in spec else ("spec",)
    yield Hit(where, f"CronJob {workload.name} allows overlapping runs", key=where == ("spec",))


@policy(
    id="VM829",
    name="default-namespace",
    tradeoff="management",
    severity="info",
    summary="An object names the `default` namespace explicitly.",
    rationale=(
        "The default namespace is where everything without a home lands: policies, quotas and RBAC written for "
        "an application's own namespace do not apply there, and names collide with whatever else lands there."
    ),
    remediation="Give the application a namespace of its own (or leave `namespace` to the deploy tool).",
    formats=("kubernetes",),
    objects=True,
    notes=(
        "Only an explicit `namespace: default` is reported; an omitted namespace is the deploy tool's choice. The "
        "peers' checks also fire on an omitted namespace (kube-linter use-namespace, Checkov CKV_K8S_21) or on "
        "kube-system (KICS), so none is declared equivalent."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="metadata:\n  name: web\n  namespace: default",
            good="metadata:\n  name: web\n  namespace: shop",
        ),
    ),
)
def default_namespace(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if workload.format == "kubernetes" and not workload.path and workload.namespace == "default":
        yield Hit(("metadata", "namespace"), f"{workload.kind} {workload.name} is put in the default namespace")


_LABEL_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$")
_PLAIN = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_LABEL_PREFIX = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")


def label_problem(key: str, value: object) -> str | None:
    """Why Kubernetes would reject a label (key: optional DNS-subdomain prefix and a name; value: up to 63
    characters, alphanumeric at both ends, ``-_.`` inside), or None."""
    if _PLAIN.match(key) and isinstance(value, str) and (not value or _PLAIN.match(value)):
        return None  # the common case: plain names and values
    prefix, _, name = key.rpartition("/")
    if not _LABEL_NAME.match(name) or (prefix and (len(prefix) > 253 or not _LABEL_PREFIX.match(prefix))):
        return f"key {key!r} is not a valid label key"
    if isinstance(value, bool) or value is None:
        return None if value is None else f"value of {key} is a boolean, not a string"
    text = str(value)
    if text and not _LABEL_NAME.match(text):
        return f"value of {key} is not a valid label value (up to 63 letters, digits and -_. inside)"
    return None


@policy(
    id="VM831",
    name="label-invalid",
    tradeoff="management",
    severity="warning",
    summary="A label key or value is not valid Kubernetes label syntax: the API server rejects the object.",
    rationale=(
        "Labels are what Services, NetworkPolicies, budgets and selectors match on; an invalid one fails the "
        "apply, often only in the cluster where a later manifest adds it."
    ),
    remediation="Use at most 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit.",
    formats=("kubernetes",),
    related={"kics": ("1123031a-f921-4c5b-bd86-ef354ecfd37a",)},
    notes="The object's labels and its pod template's are checked; template placeholders are not reported.",
    examples=(
        Example(
            "kubernetes",
            bad="metadata:\n  labels:\n    app: my app!",
            good="metadata:\n  labels:\n    app: my-app",
        ),
    ),
)
def label_invalid(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if workload.format != "kubernetes" or workload.path:
        return
    spec = workload.pod_spec_path
    places = [("metadata", "labels")]
    if len(spec) > 1:
        places.append((*spec[:-1], "metadata", "labels"))
    for place in places:
        labels = get(workload.document, place)
        for key, value in labels.items() if isinstance(labels, dict) else ():
            if "{{" in f"{key}{value}" or "${" in f"{key}{value}":
                continue
            problem = label_problem(str(key), value)
            if problem is not None:
                yield Hit((*place, key), f"{workload.kind} {workload.name}: label {problem}")


POLICIES: tuple[Policy, ...] = (
    bare_pod,
    probe_port_missing,
    duplicate_env_var,
    job_ttl_missing,
    cronjob_deadline_missing,
    cronjob_concurrency_allowed,
    default_namespace,
    label_invalid,
)
