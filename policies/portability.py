"""Portability: manifests bound to one host, hypervisor or registry."""

from __future__ import annotations

from collections.abc import Iterator

from vmlint.model import Workload
from vmlint.policy import Example, Hit, Policy, Settings, policy

from ._facts import host_volumes


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
    formats=("kubernetes", "compose"),
    related={
        "kics": ("583053b7-e632-46f0-b989-f81ff8045385",),
        "polaris": ("tagNotSpecified",),
        "kube-linter": ("latest-tag",),
        "checkov": ("CKV_K8S_14",),
        "trivy": ("KSV-0013",),
    },
    examples=(Example("kubernetes", bad="image: nginx:latest", good="image: nginx:1.27.2"),),
)
def image_tag_mutable(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for unit in workload.containers():
        image = unit.image
        if image is None or image.ref is None or image.digest:
            continue
        if image.tag is None:
            yield Hit(image.path, f"image {image.ref} of {unit.name} has no tag (means latest)", unit=unit.name)
        elif image.tag.lower() == "latest":
            yield Hit(image.path, f"image {image.ref} of {unit.name} uses the mutable tag latest", unit=unit.name)


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
        yield Hit(fact.path, f"the pod is pinned to node {fact.value}")


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
        yield Hit(volume.path, f"volume {volume.name} mounts the host path {path}")


POLICIES: tuple[Policy, ...] = (image_tag_mutable, node_name_pinned, host_path_volume)
