"""Portability: manifests bound to one host, hypervisor or registry."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from vmlint.fixes import set_
from vmlint.model import Workload
from vmlint.policy import Example, Hit, Option, Policy, Settings, policy
from vmlint.schema.lifecycle import API_LIFECYCLE, Lifecycle
from vmlint.source import get

from . import _fixes as fixes
from ._facts import fixing, host_volumes
from ._images import images
from ._terms import host_mount


@policy(
    id="VM301",
    name="image-tag-mutable",
    tradeoff="portability",
    severity="warning",
    summary="An image has no tag or the tag `latest`, and no digest.",
    rationale=(
        "The tag `latest` (or no tag, which means latest) names whatever was pushed last: two nodes, or a restart "
        "next week, run different code from the same manifest, and a rollback has nothing to roll back to."
    ),
    remediation="Pin a version tag (`nginx:1.27.2`), or better a digest (`nginx@sha256:...`).",
    formats=("kubernetes", "compose", "kubevirt"),
    related={
        "kics": ("583053b7-e632-46f0-b989-f81ff8045385",),
        "polaris": ("tagNotSpecified",),
        "kube-linter": ("latest-tag",),
        "checkov": ("CKV_K8S_14",),
        "trivy": ("KSV-0013",),
    },
    examples=(
        Example("kubernetes", bad="image: nginx:latest", good="image: nginx:1.27.2"),
        Example(
            "kubevirt",
            bad="volumes:\n- name: root\n  containerDisk:\n    image: quay.io/containerdisks/fedora:latest",
            good="volumes:\n- name: root\n  containerDisk:\n    image: quay.io/containerdisks/fedora:40",
        ),
    ),
    notes=(
        "KubeVirt: every containerDisk image of the VM is checked, not only the boot disk's. Compose services that "
        "build their image locally and never pull it (`build:` with `pull_policy: build` or `never`) are not."
    ),
)
def image_tag_mutable(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for image, unit in images(workload):
        if image.ref is None or image.digest:
            continue
        if image.tag is None:
            yield Hit(image.path, f"image {image.ref} of {unit} has no tag (means latest)", unit=unit)
        elif image.tag.lower() == "latest":
            yield Hit(image.path, f"image {image.ref} of {unit} uses the mutable tag latest", unit=unit)


# Tags that name a channel, not a release: the image behind them changes with every push to the channel.
FLOATING_TAGS = (
    "lts",
    "stable",
    "mainline",
    "edge",
    "nightly",
    "rolling",
    "current",
    "canary",
    "beta",
    "alpha",
    "dev",
    "develop",
    "main",
    "master",
    "next",
    "snapshot",
    "unstable",
    "testing",
    "alpine",
    "slim",
)


@lru_cache(maxsize=8)
def _names(tags: tuple[object, ...]) -> frozenset[str]:
    return frozenset(str(name).lower() for name in tags)


def _floating(tag: str, names: frozenset[str]) -> bool:
    """A tag made only of channel names (``stable``, ``lts-alpine``, ``edge-slim``), with no version in it."""
    parts = tag.lower().replace("_", "-").split("-")
    return all(part in names for part in parts) and not any(char.isdigit() for char in tag)  # Unicode-wide


@policy(
    id="VM306",
    name="image-tag-floating",
    tradeoff="portability",
    severity="warning",
    summary="An image tag names a channel (stable, lts, nightly, edge, alpine ...) rather than a release.",
    rationale=(
        "A channel tag is moved on every release of its channel, as `latest` is: nodes pull different code from "
        "the same manifest, and there is no version to roll back to."
    ),
    remediation="Pin a release tag (`nginx:1.27.2-alpine`), or better a digest.",
    formats=("kubernetes", "compose", "kubevirt"),
    options={"tags": Option(list(FLOATING_TAGS), "Tags (or `-`-joined parts of tags) that name a channel.")},
    notes=(
        "Tags with a version number are not reported, bare majors such as `redis:7` included: they move only "
        "within a release line (patches), which is how most images are meant to be followed, and "
        "image-without-digest (VM801) covers pinning exactly. `latest` is image-tag-mutable (VM301)."
    ),
    examples=(Example("kubernetes", bad="image: nginx:stable-alpine", good="image: nginx:1.27.2-alpine"),),
)
def image_tag_floating(workload: Workload, settings: Settings) -> Iterator[Hit]:
    names = _names(tuple(settings["tags"]))
    for image, unit in images(workload):
        if image.ref is None or image.digest or image.tag is None or image.tag.lower() == "latest":
            continue
        if _floating(image.tag, names):
            yield Hit(image.path, f"image {image.ref} of {unit} uses the channel tag {image.tag}", unit=unit)


@policy(
    id="VM302",
    name="node-name-pinned",
    tradeoff="portability",
    severity="warning",
    summary="The pod is pinned to one node by name (nodeName).",
    rationale=(
        "Setting nodeName bypasses the scheduler: the pod runs on that node or nowhere, survives no node replacement "
        "and ignores resources, taints and affinity. It is a VM-style host binding in a manifest meant to be "
        "portable."
    ),
    remediation="Remove `nodeName`; select nodes by labels with `nodeSelector` or node affinity.",
    formats=("kubernetes", "kubevirt"),
    fix=fixes.REMOVE_NODE_NAME,
    examples=(
        Example(
            "kubernetes",
            bad="spec:\n  nodeName: worker-3",
            good="spec:\n  nodeSelector:\n    disktype: ssd",
        ),
    ),
)
def node_name_pinned(workload: Workload, settings: Settings) -> Iterator[Hit]:
    fact = workload.node_name
    if fact is not None and fact.explicit and fact.value:
        what = "VM" if workload.format == "kubevirt" else "pod"
        yield Hit(fact.path, f"the {what} is pinned to node {fact.value}")


@policy(
    id="VM303",
    name="host-path-volume",
    tradeoff="portability",
    severity="info",
    summary="The workload mounts a directory of the host it runs on (hostPath or an absolute bind mount).",
    rationale=(
        "A host path ties the workload's data to one machine: it is lost or different when the pod moves, and it "
        "reaches past the container's filesystem into the node's."
    ),
    remediation="Use a PersistentVolumeClaim or a named volume; keep host paths for node agents only.",
    formats=("kubernetes", "compose"),
    related={"polaris": ("hostPathSet",), "trivy": ("KSV-0023",)},
    notes="System directories and runtime sockets are reported with error severity by VM108 and VM109 as well.",
    examples=(
        Example(
            "kubernetes",
            bad="volumes:\n- name: data\n  hostPath:\n    path: /srv/data",
            good="volumes:\n- name: data\n  persistentVolumeClaim:\n    claimName: data",
        ),
    ),
)
def host_path_volume(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for volume, path in host_volumes(workload):
        yield Hit(volume.path, f"{host_mount(workload, volume)} the host path {path}")


POLICIES: tuple[Policy, ...] = (image_tag_mutable, image_tag_floating, node_name_pinned, host_path_volume)


@policy(
    id="VM304",
    name="removed-api-version",
    tradeoff="portability",
    severity="error",
    summary="An object uses an apiVersion that the target Kubernetes version no longer serves.",
    rationale=(
        "Kubernetes removes beta APIs a few releases after their stable versions ship (extensions/v1beta1 "
        "Deployments in 1.16, networking.k8s.io/v1beta1 Ingress in 1.22, batch/v1beta1 CronJob and policy/v1beta1 "
        "PodDisruptionBudget in 1.25, autoscaling/v2beta2 HorizontalPodAutoscaler in 1.26 ...). A manifest written "
        "against one is rejected by a cluster of the target version: it cannot move to it as it is."
    ),
    remediation=(
        "Move the object to the replacement apiVersion the message names (`kubectl convert` helps); check the "
        "fields that changed between versions (an Ingress backend, a Deployment's required selector)."
    ),
    formats=("kubernetes",),
    objects=True,
    related={"kics": ("94b76ea5-e074-4ca2-8a03-c5a606e30645",)},
    notes=(
        "The target version is `--kubernetes-version` or the config's `kubernetes-version` (default the newest "
        "bundled). The table follows the Kubernetes deprecated API migration guide (APIs removed up to 1.32). "
        "Trivy's KSV-0107 and kube-linter's no-extensions-v1beta keep their own tables (kube-linter's covers "
        "extensions/v1beta* only), so they are not declared equivalent."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="apiVersion: extensions/v1beta1\nkind: Ingress",
            good="apiVersion: networking.k8s.io/v1\nkind: Ingress",
        ),
    ),
)
def removed_api_version(workload: Workload, settings: Settings) -> Iterator[Hit]:
    found = _lifecycle(workload)
    if found is not None and found[1].removed_by(settings.kubernetes_version):
        version, api = found
        instead = "it has no replacement" if api.replacement == "-" else f"use {api.replacement}"
        yield Hit(
            ("apiVersion",),
            f"{workload.kind} {version} was removed in Kubernetes {api.removed} "
            f"(target {settings.kubernetes_version}); {instead}",
        )


@policy(
    id="VM305",
    name="deprecated-api-version",
    tradeoff="portability",
    severity="info",
    summary="An object uses an apiVersion that the target Kubernetes version still serves but has deprecated.",
    rationale=(
        "A deprecated API is removed a few releases later (the message says when): the manifest deploys today and "
        "is rejected after the upgrade that removes it, often found only then."
    ),
    remediation="Move the object to the replacement apiVersion the message names before upgrading to that release.",
    formats=("kubernetes",),
    objects=True,
    notes="Follows the target version like VM304: from the removal release on, VM304 reports the object instead.",
    examples=(
        Example(
            "kubernetes",
            bad="apiVersion: autoscaling/v2beta2   # with --kubernetes-version 1.25\nkind: HorizontalPodAutoscaler",
            good="apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler",
        ),
    ),
)
def deprecated_api_version(workload: Workload, settings: Settings) -> Iterator[Hit]:
    found = _lifecycle(workload)
    if found is not None and found[1].deprecated_by(settings.kubernetes_version):
        version, api = found
        yield Hit(
            ("apiVersion",),
            f"{workload.kind} {version} is deprecated since Kubernetes {api.deprecated} and removed in "
            f"{api.removed}; use {api.replacement}",
        )


def _lifecycle(workload: Workload) -> tuple[str, Lifecycle] | None:
    version = get(workload.document, workload.path + ("apiVersion",))
    found = API_LIFECYCLE.get((version, workload.kind)) if isinstance(version, str) else None
    return (version, found) if isinstance(version, str) and found is not None else None


POLICIES += (removed_api_version, deprecated_api_version)


@policy(
    id="VM330",
    name="host-passthrough-cpu",
    tradeoff="portability",
    severity="warning",
    summary="The VM uses the host's exact CPU model (host-passthrough).",
    rationale=(
        "The host-passthrough CPU mode exposes the physical CPU's model and flags to the guest. The VM can then "
        "only be migrated or restarted on hosts with an identical CPU, which ties it to one kind of hardware "
        "and breaks live migration across a mixed fleet."
    ),
    remediation=(
        "Use a named CPU model (or host-model in libvirt) that every target host supports; keep host-passthrough "
        "for VMs pinned to one host on purpose."
    ),
    formats=("kubevirt", "libvirt"),
    fix=fixes.HOST_MODEL_CPU,
    examples=(
        Example(
            "kubevirt", bad="domain:\n  cpu:\n    model: host-passthrough", good="domain:\n  cpu:\n    model: Haswell"
        ),
        Example(
            "libvirt",
            bad="<cpu mode='host-passthrough'/>",
            good="<cpu mode='custom'><model>Haswell-noTSX</model></cpu>",
        ),
    ),
)
def host_passthrough_cpu(workload: Workload, settings: Settings) -> Iterator[Hit]:
    mode = workload.vm.cpu_mode if workload.vm else None
    if mode is not None and mode.explicit and mode.is_("host-passthrough"):
        found = Hit(mode.path, "CPU model host-passthrough ties the VM to hosts with the same CPU")
        edit = fixes.in_format(workload, "kubevirt", set_(mode.path, "host-model"))
        yield fixing(found, fixes.HOST_MODEL_CPU, edit) if edit else found


POLICIES += (host_passthrough_cpu,)


PER_POD_MODES = ("ReadWriteOnce", "ReadWriteOncePod")


@policy(
    id="VM307",
    name="statefulset-claim-shared-access",
    tradeoff="portability",
    severity="warning",
    summary="A StatefulSet's volumeClaimTemplate asks for shared access (no ReadWriteOnce or ReadWriteOncePod).",
    rationale=(
        "A StatefulSet gives every replica a claim of its own, so shared access buys nothing; it only binds the "
        "manifest to storage classes that offer it (NFS, CephFS, cloud file shares). On the block storage most "
        "clusters default to, the claims are never provisioned and the replicas stay Pending."
    ),
    remediation="Ask for `accessModes: [ReadWriteOnce]` (or ReadWriteOncePod) in each volumeClaimTemplate.",
    formats=("kubernetes",),
    related={"kics": ("3878dc92-8e5d-47cf-9cdd-7590f71d21b9",)},
    notes=(
        "Each template is judged on its own (KICS reports the StatefulSet when none has ReadWriteOnce); a template "
        "without accessModes is left to schema validation."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="kind: StatefulSet\nspec:\n  volumeClaimTemplates:\n  - spec:\n      accessModes: [ReadWriteMany]",
            good="kind: StatefulSet\nspec:\n  volumeClaimTemplates:\n  - spec:\n      accessModes: [ReadWriteOnce]",
        ),
    ),
)
def statefulset_claim_shared_access(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if workload.format != "kubernetes" or workload.acts_as != "StatefulSet" or workload.path:
        return
    templates = get(workload.document, ("spec", "volumeClaimTemplates"))
    for index, template in enumerate(templates if isinstance(templates, list) else []):
        modes = get(template, ("spec", "accessModes"))
        if not isinstance(modes, list) or not modes or any(mode in PER_POD_MODES for mode in modes):
            continue
        name = get(template, ("metadata", "name"))
        yield Hit(
            ("spec", "volumeClaimTemplates", index, "spec", "accessModes"),
            f"{workload.kind} {workload.name}: claim template {name} asks for {', '.join(map(str, modes))}, not "
            "ReadWriteOnce, though every replica gets a claim of its own",
        )


POLICIES += (statefulset_claim_shared_access,)
