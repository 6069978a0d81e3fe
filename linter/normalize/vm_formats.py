"""Format detection and loading for the VM formats that are not YAML manifests.

Packer HCL2 (``*.hcl``), libvirt domain XML (``<domain>`` root) and standalone
``#cloud-config`` user-data.  KubeVirt objects and legacy Packer JSON come through the
YAML loader; see ``kubevirt`` and ``packer``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import Workload
from ..parsers.yaml_tree import YamlProblem
from .cloud_init import is_cloud_config, load_cloud_config
from .common import Classifier
from .libvirt import is_domain_xml, load_domain
from .packer import load_hcl

PACKER_SUFFIXES = (".pkr.hcl", ".pkrvars.hcl")
NAMED_SUFFIXES = (".yaml", ".yml", ".json", ".hcl", ".xml")  # a name that says its format wins over content
# A Packer template's own top-level blocks: `source "qemu" "x" {`, `build {`, `packer {` at the start of a line.
_PACKER_BLOCK = re.compile(r'^[ \t]*(?:source|build|packer)[ \t]*(?:"[^"\n]*"[ \t]*)*\{', re.M)


def looks_like_packer(text: str) -> bool:
    """Content detection of Packer HCL2 (for stdin): one of its top-level blocks opens a line."""
    return _PACKER_BLOCK.search(text) is not None


@dataclass(slots=True)
class VmLoad:
    """Workloads and located problems of one VM-format file."""

    workloads: list[Workload] = field(default_factory=list)
    problems: list[YamlProblem] = field(default_factory=list)
    documents: int = 0
    is_manifest: bool = False


def load_vm_file(text: str, file: str, classifier: Classifier, path: str | None = None) -> VmLoad | None:
    """The file read as a VM format, or None when it is YAML/JSON for the manifest loader.

    ``path`` is where the file is on disk (None for stdin): Packer reads its directory's other files from there.
    """
    lowered = file.lower()
    if lowered.endswith(".hcl"):
        workloads, problems, is_packer = load_hcl(text, file, classifier, path)
        if not lowered.endswith(PACKER_SUFFIXES) and (problems or not is_packer):
            return VmLoad()  # some other HCL dialect (Terraform, Nomad, ...): not ours to judge
        return VmLoad(workloads, problems, 1, True)
    if not lowered.endswith(NAMED_SUFFIXES) and looks_like_packer(text):  # stdin, or a file named otherwise
        workloads, problems, is_packer = load_hcl(text, file, classifier, path)
        if is_packer and not problems:
            return VmLoad(workloads, problems, 1, True)
    if text.lstrip("\ufeff \t\r\n").startswith("<"):
        if not is_domain_xml(text):
            return VmLoad()
        workloads, problems = load_domain(text, file)
        return VmLoad(workloads, problems, max(1, len(workloads)), True)
    if is_cloud_config(text):
        workloads, problems, documents = load_cloud_config(text, file, classifier)
        return VmLoad(workloads, problems, documents, True)
    return None
