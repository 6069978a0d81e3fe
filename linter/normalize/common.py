"""What every normaliser shares: tier and isolation from labels and runtimes, image refs."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..model import Fact, Image, Isolation, unset
from ..source import Path
from .reader import is_unresolved

TIER_KEY = "vmlint.io/security-tier"
TIERS = ("high", "standard", "low")
DEFAULT_SANDBOX_RUNTIMES = (
    "gvisor",
    "runsc",
    "kata",
    "kata-containers",
    "kata-qemu",
    "kata-clh",
    "kata-fc",
    "firecracker",
)
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class Classifier:
    """Maps labels to a security tier and runtimes to an isolation level (from config)."""

    sandbox_runtimes: frozenset[str] = frozenset(DEFAULT_SANDBOX_RUNTIMES)
    tier_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    pod_spec_paths: Mapping[str, Path] = field(default_factory=dict)  # "group/Kind" or "Kind" -> pod spec path

    def tier(self, sources: list[tuple[Mapping[str, Any], Path]]) -> Fact[str]:
        """The tier from the first label/annotation map that sets one; unset otherwise.

        ``sources`` are (mapping, path-of-mapping) pairs, most specific first.
        """
        for mapping, path in sources:
            if TIER_KEY in mapping:
                value = mapping[TIER_KEY]
                text = str(value).strip().lower() if value is not None else ""
                return Fact(text if text in TIERS else None, path + (TIER_KEY,))
        for mapping, path in sources:
            for label, values in self.tier_labels.items():
                if label in mapping:
                    tier = values.get(str(mapping[label]).strip().lower())
                    if tier:
                        return Fact(tier, path + (label,))
        return unset(None, sources[0][1] if sources else ())

    def isolation(self, runtime: Fact[str]) -> Isolation:
        """Sandbox when the runtime names a configured sandbox class, else container."""
        if runtime.value and runtime.value.lower() in self.sandbox_runtimes:
            return "sandbox"
        return "container"


def parse_image(ref: Any, path: Path) -> Image:
    """Split an image reference into repository, tag and digest."""
    if not isinstance(ref, str) or not ref.strip() or is_unresolved(ref):
        return Image(None, path)
    text = ref.strip()
    digest = None
    if "@" in text:
        text, digest = text.split("@", 1)
    slash = text.rfind("/")
    colon = text.rfind(":")
    tag = None
    if colon > slash:
        text, tag = text[:colon], text[colon + 1 :]
    return Image(ref.strip(), path, repository=text, tag=tag or None, digest=digest if digest else None)


def digest_is_valid(image: Image) -> bool:
    """True when the image is pinned by a well-formed sha256 digest."""
    return bool(image.digest and _DIGEST.match(image.digest))
