"""Every image reference of a workload: its containers' images and a KubeVirt VM's containerDisk images."""

from __future__ import annotations

from collections.abc import Iterator

from vmlint.model import Image, Workload
from vmlint.normalize.common import parse_image
from vmlint.source import get


def images(workload: Workload) -> Iterator[tuple[Image, str]]:
    """Each image with the name of the container or VM that runs it (the VM's name for containerDisks)."""
    for unit in workload.containers():
        if unit.image is not None:
            yield unit.image, unit.name
    if workload.format != "kubevirt":
        return
    for volume in workload.volumes:
        if volume.kind == "image":
            path = volume.path + ("containerDisk", "image")
            yield parse_image(get(workload.document, workload.path + path), path), workload.name
