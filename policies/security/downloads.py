"""Security: image build and boot downloads (weak checksums, unverified or plain-HTTP downloads)."""

from __future__ import annotations

from collections.abc import Iterator

from vmlint.model import Fact, Workload
from vmlint.policy import Example, Hit, Policy, Settings, policy

WEAK_CHECKSUMS = ("md5", "sha1")
STRONG_HEX = {64: "sha256", 96: "sha384", 128: "sha512"}


def _checksum_kind(value: str) -> str:
    """sha256/…, md5, sha1, none, file (a checksum file URL) or unknown, for an iso_checksum value."""
    text = value.strip().lower()
    if text == "none":
        return "none"
    kind, sep, _ = text.partition(":")
    if sep and kind == "file":
        return "file"
    if sep:
        return kind
    return {32: "md5", 40: "sha1"}.get(len(text)) or STRONG_HEX.get(len(text), "unknown")


@policy(
    id="VM654",
    name="weak-iso-checksum",
    tradeoff="security",
    severity="error",
    summary='A Packer build downloads an ISO with no checksum, iso_checksum = "none", or an MD5/SHA-1 checksum.',
    rationale=(
        "The installer ISO becomes every VM built from the image. Without a strong checksum a tampered mirror, a "
        "proxy or a truncated download goes into the golden image unnoticed; MD5 and SHA-1 collisions can be "
        "manufactured."
    ),
    remediation=(
        'Set iso_checksum to the distribution\'s SHA-256 ("sha256:…") or to its checksum file over https '
        '("file:https://…/SHA256SUMS").'
    ),
    formats=("packer",),
    examples=(
        Example(
            "packer",
            bad='source "qemu" "base" {\n  iso_url      = "https://example.org/os.iso"\n  iso_checksum = "none"\n}',
            good='source "qemu" "base" {\n  iso_url      = "https://example.org/os.iso"\n'
            '  iso_checksum = "sha256:4c5f..."\n}',
        ),
    ),
)
def weak_iso_checksum(workload: Workload, settings: Settings) -> Iterator[Hit]:
    downloads = workload.vm.downloads if workload.vm else ()
    if not downloads:
        return
    checksum = downloads[0].checksum
    if not checksum.explicit:
        yield Hit(checksum.path, "the ISO download has no iso_checksum")
        return
    if checksum.value is None:
        return
    kind = _checksum_kind(checksum.value)
    if kind == "none":
        yield Hit(checksum.path, 'iso_checksum = "none" turns off verification of the ISO')
    elif kind in WEAK_CHECKSUMS:
        yield Hit(checksum.path, f"iso_checksum uses {kind}, which is broken for integrity")


def _verified(checksum: Fact[str]) -> bool:
    if checksum.value is None:
        return False
    kind = _checksum_kind(checksum.value)
    if kind == "file":
        return checksum.value.strip().lower().startswith("file:https://")
    return kind not in ("none", "unknown", *WEAK_CHECKSUMS)


@policy(
    id="VM655",
    name="insecure-download",
    tradeoff="security",
    severity="warning",
    summary="A VM image or ISO is downloaded over plain http without a strong checksum to verify it.",
    rationale=(
        "Plain http can be read and rewritten by anyone on the path. Without a strong checksum fetched over a "
        "trusted channel, the VM boots whatever the network delivered."
    ),
    remediation=(
        "Download over https, and give Packer a SHA-256 iso_checksum; KubeVirt/CDI http sources have no checksum, "
        "so use an https URL or a registry source pinned by digest."
    ),
    formats=("packer", "kubevirt"),
    examples=(
        Example(
            "packer",
            bad='source "qemu" "base" {\n  iso_url      = "http://example.org/os.iso"\n'
            '  iso_checksum = "file:http://example.org/SHA256SUMS"\n}',
            good='source "qemu" "base" {\n  iso_url      = "https://example.org/os.iso"\n'
            '  iso_checksum = "file:https://example.org/SHA256SUMS"\n}',
        ),
        Example(
            "kubevirt",
            bad="dataVolumeTemplates:\n- spec:\n    source:\n      http:\n        url: http://example.org/disk.img",
            good="dataVolumeTemplates:\n- spec:\n    source:\n      http:\n        url: https://example.org/disk.img",
        ),
    ),
)
def insecure_download(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for download in workload.vm.downloads if workload.vm else ():
        url = download.url.value
        if url is None or not url.strip().lower().startswith("http://"):
            continue
        if download.checksum.explicit and download.checksum.value is None:
            continue  # a checksum rests on a variable we cannot resolve
        if not _verified(download.checksum):
            yield Hit(download.url.path, f"{url} is fetched over plain http without a strong checksum")


POLICIES: tuple[Policy, ...] = (
    weak_iso_checksum,
    insecure_download,
)
