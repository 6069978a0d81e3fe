"""What the VM normalisers share: the guest unit, patch-command detection, console exposure."""

from __future__ import annotations

import re
from typing import Any

from ..model import Fact, Image, Resources, Unit, unset
from ..source import Path

PUBLIC_ADDRESSES = frozenset({"0.0.0.0", "::", "[::]", "*"})
_PATCH = re.compile(
    r"\b(?:apt(?:-get)?\s+(?:-\S+\s+)*(?:dist-|full-)?upgrade|(?:dnf|yum|microdnf)\s+(?:-\S+\s+)*(?:update|upgrade)"
    r"|zypper\s+(?:-\S+\s+)*(?:update|up|patch|dist-upgrade|dup)\b|apk\s+(?:-\S+\s+)*upgrade|pacman\s+-Syu"
    r"|freebsd-update|pkg\s+upgrade|Install-WindowsUpdate|Get-WindowsUpdate|unattended-upgrade)"
    r"|update[_-]?packages|(?:^|[/_-])(?:update|updates|upgrade|patch)\w*\.(?:sh|ps1|bat)\b",
    re.IGNORECASE,
)


# Lines that turn updates off (``systemctl disable unattended-upgrades``, ``dis-updates.bat``): not a patch step.
_DISABLES = re.compile(
    r"\b(?:systemctl\s+(?:disable|mask|stop)|apt(?:-get)?\s+(?:-\S+\s+)*(?:remove|purge)|(?:dnf|yum)\s+remove)\b"
    r"|(?:^|[/\\_-])(?:dis|disable|no|stop|block)[_-]?(?:auto[_-]?)?(?:windows[_-]?)?(?:update|upgrade)s?\w*\.(?:sh|ps1|bat)\b"
    r"|Set-Service\s+wuauserv\s+-StartupType\s+Disabled",
    re.IGNORECASE,
)


def patches(text: str) -> bool:
    """True when a command or script name upgrades the guest's packages (lines that disable updates do not)."""
    return any(_PATCH.search(line) and not _DISABLES.search(line) for line in text.splitlines())


def strings_in(value: Any) -> list[str]:
    """Every string inside a value (lists and mappings walked from a stack: any depth), in document order."""
    out: list[str] = []
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, dict):
            stack.extend(reversed(node.values()))
        elif isinstance(node, list):
            stack.extend(reversed(node))
    return out


def guest_unit(
    name: str,
    path: Path,
    *,
    image: Image | None = None,
    resources: Resources | None = None,
) -> Unit:
    """The VM guest as a unit: container-only facts carry their defaults, located at the VM."""
    return Unit(
        name=name,
        kind="guest",
        path=path,
        image=image,
        privileged=unset(False, path),
        allow_privilege_escalation=unset(False, path),
        run_as_non_root=unset(False, path),
        run_as_user=unset(None, path),
        read_only_root=unset(False, path),
        cap_add=(),
        cap_drop=(),
        capabilities_path=path,
        seccomp=unset(None, path),
        apparmor=unset(None, path),
        resources=resources
        or Resources(
            cpu_request=unset(None, path),
            cpu_limit=unset(None, path),
            memory_request=unset(None, path),
            memory_limit=unset(None, path),
        ),
        liveness_probe=unset(False, path),
        readiness_probe=unset(False, path),
    )


def is_public(address: Fact[str] | str | None) -> bool | None:
    """Whether a bind address listens on every interface; None when unknown."""
    value = address.value if isinstance(address, Fact) else address
    if value is None:
        return None
    return value.strip() in PUBLIC_ADDRESSES
