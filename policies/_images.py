"""Every image reference of a workload: its containers' images and a KubeVirt VM's containerDisk images."""

from __future__ import annotations

from collections.abc import Iterator

from vmlint.compose.syntax import service_of
from vmlint.model import Image, Workload
from vmlint.normalize.common import parse_image
from vmlint.source import get


def images(workload: Workload) -> Iterator[tuple[Image, str]]:
    """Each image with the name of the container or VM that runs it (the VM's name for containerDisks).

    A Compose service that builds its image locally and never pulls it (``build:`` with ``pull_policy: build`` or
    ``never``) has no image reference to pin: its ``image:`` only names the local build.
    """
    if builds_locally(workload):
        return
    for unit in workload.containers():
        if unit.image is not None:
            yield unit.image, unit.name
    if workload.format != "kubevirt":
        return
    for volume in workload.volumes:
        if volume.kind == "image":
            path = volume.path + ("containerDisk", "image")
            yield parse_image(get(workload.document, workload.path + path), path), workload.name


def builds_locally(workload: Workload) -> bool:
    """A Compose service with ``build:`` whose ``pull_policy`` is ``build`` or ``never``."""
    found = service_of(workload) if workload.format == "compose" else None
    if found is None:
        return False
    service = found[0]
    return service.get("build") is not None and str(service.get("pull_policy", "")).lower() in ("build", "never")
