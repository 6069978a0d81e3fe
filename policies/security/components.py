"""Security: components known to open a cluster: Helm v2's Tiller (cluster-admin, no authentication) and the
Kubernetes Dashboard."""

from __future__ import annotations

from collections.abc import Iterator

from vmlint.model import Unit, Workload
from vmlint.policy import Example, Hit, Policy, Settings, policy
from vmlint.source import get

from .._objects import is_object, spec_of

TILLER_PORT = 44134
DASHBOARD_IMAGES = ("kubernetes-dashboard", "kubernetesui/dashboard")


def _image_name(unit: Unit) -> str:
    repository = unit.image.repository if unit.image is not None else None
    return (repository or "").lower()


def _tillers(workload: Workload) -> Iterator[Unit]:
    if workload.format != "kubernetes":
        return
    for unit in workload.containers():
        if _image_name(unit).rsplit("/", 1)[-1].startswith("tiller"):
            yield unit


@policy(
    id="VM656",
    name="tiller-deployed",
    tradeoff="security",
    severity="error",
    summary="Helm v2's Tiller is deployed.",
    rationale=(
        "Tiller runs with cluster-admin rights and, by default, answers anyone who reaches its gRPC port without "
        "authentication: every pod of the cluster can install anything through it. Helm 3 removed it."
    ),
    remediation="Remove Tiller and move to Helm 3, which needs no component in the cluster.",
    formats=("kubernetes",),
    related={"kics": ("6d173be7-545a-46c6-a81d-2ae52ed1605d",), "checkov": ("CKV_K8S_34",), "trivy": ("KSV-0102",)},
    notes="Recognised by its image (a repository whose last part starts with `tiller`).",
    examples=(
        Example(
            "kubernetes",
            bad="containers:\n- name: tiller\n  image: gcr.io/kubernetes-helm/tiller:v2.16.12",
            good="# Helm 3: nothing to deploy",
        ),
    ),
)
def tiller_deployed(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for unit in _tillers(workload):
        assert unit.image is not None
        yield Hit(unit.image.path, f"container {unit.name} runs Tiller (Helm v2)", unit=unit.name)


def _listens_locally(workload: Workload, unit: Unit) -> bool:
    args = get(workload.document, (*unit.path, "args"))
    command = get(workload.document, (*unit.path, "command"))
    words = [w for part in (args, command) if isinstance(part, list) for w in part if isinstance(w, str)]
    return any(w.startswith(("--listen=127.0.0.1:", "--listen=localhost:", "--listen=[::1]:")) for w in words)


@policy(
    id="VM657",
    name="tiller-listens-cluster-wide",
    tradeoff="security",
    severity="error",
    summary="Tiller listens on every interface (no `--listen=127.0.0.1:44134`), so every pod can reach it.",
    rationale=(
        "A Tiller that listens beyond localhost takes unauthenticated install requests from every pod of the "
        "cluster, with cluster-admin rights."
    ),
    remediation="Remove Tiller; until then, run it with `--listen=127.0.0.1:44134` and talk to it by port-forward.",
    formats=("kubernetes",),
    related={"kics": ("e17fa86a-6222-4584-a914-56e8f6c87e06",), "checkov": ("CKV_K8S_45",)},
    examples=(
        Example(
            "kubernetes",
            bad="containers:\n- name: tiller\n  image: gcr.io/kubernetes-helm/tiller:v2.16.12",
            good="containers:\n- name: tiller\n  image: gcr.io/kubernetes-helm/tiller:v2.16.12\n"
            "  args: [--listen=127.0.0.1:44134]",
        ),
    ),
)
def tiller_listens_cluster_wide(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for unit in _tillers(workload):
        if not _listens_locally(workload, unit):
            yield Hit(unit.path, f"Tiller container {unit.name} listens on every interface", unit=unit.name)


@policy(
    id="VM658",
    name="tiller-service",
    tradeoff="security",
    severity="error",
    summary="A Service exposes Tiller (named tiller, selecting name=tiller, or on port 44134).",
    rationale="A Service in front of Tiller hands its unauthenticated cluster-admin API to the whole cluster.",
    remediation="Delete the Service (and Tiller); use Helm 3.",
    formats=("kubernetes",),
    kinds=("Service",),
    related={"kics": ("8b862ca9-0fbd-4959-ad72-b6609bdaa22d",), "checkov": ("CKV_K8S_44",)},
    examples=(
        Example(
            "kubernetes",
            bad="kind: Service\nmetadata:\n  name: tiller-deploy\nspec:\n  ports:\n  - port: 44134",
            good="# no Service for Tiller",
        ),
    ),
)
def tiller_service(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if not is_object(workload, "Service"):
        return
    spec = spec_of(workload)
    selector = spec.get("selector")
    ports = spec.get("ports")
    on_port = any(
        isinstance(p, dict) and TILLER_PORT in (p.get("port"), p.get("targetPort"))
        for p in (ports if isinstance(ports, list) else [])
    )
    selects = isinstance(selector, dict) and selector.get("name") == "tiller"
    if "tiller" in workload.name.lower() or selects or on_port:
        yield Hit(("metadata", "name"), f"Service {workload.name} exposes Tiller")


@policy(
    id="VM659",
    name="kubernetes-dashboard-deployed",
    tradeoff="security",
    severity="warning",
    summary="The Kubernetes Dashboard is deployed.",
    rationale=(
        "The Dashboard is a web console to the cluster's API with its ServiceAccount's rights; exposed or given "
        "broad rights (as many installs do) it has been the way into clusters."
    ),
    remediation="Remove it where kubectl or a managed console serves; otherwise keep it private and least-privileged.",
    formats=("kubernetes",),
    related={"kics": ("d2ad057f-0928-41ef-a83c-f59203bb855b",), "checkov": ("CKV_K8S_33",)},
    examples=(
        Example(
            "kubernetes",
            bad="containers:\n- name: dashboard\n  image: kubernetesui/dashboard:v2.7.0",
            good="# no dashboard in the cluster",
        ),
    ),
)
def kubernetes_dashboard_deployed(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if workload.format != "kubernetes":
        return
    for unit in workload.containers():
        if unit.image is not None and any(name in _image_name(unit) for name in DASHBOARD_IMAGES):
            yield Hit(unit.image.path, f"container {unit.name} runs the Kubernetes Dashboard", unit=unit.name)


POLICIES: tuple[Policy, ...] = (
    tiller_deployed,
    tiller_listens_cluster_wide,
    tiller_service,
    kubernetes_dashboard_deployed,
)
