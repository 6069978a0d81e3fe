"""Small readings of model facts that several policy families share."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator

from vmlint.fixes import Edit, Fix
from vmlint.model import Fact, Unit, Volume, Workload
from vmlint.policy import Hit
from vmlint.source import Path, get, present


def capability(fact: Fact[str]) -> str | None:
    """A capability name as the kernel spells it without prefix (``cap_sys_admin`` -> ``SYS_ADMIN``)."""
    if fact.value is None:
        return None
    name = fact.value.strip().upper()
    return name[4:] if name.startswith("CAP_") else name


def added(unit: Unit, names: Iterable[str]) -> Iterator[tuple[Fact[str], str]]:
    """The unit's added capabilities that are among ``names`` (normalised), with their facts."""
    wanted = {name.upper().removeprefix("CAP_") for name in names}
    for fact in unit.cap_add:
        name = capability(fact)
        if name is not None and name in wanted:
            yield fact, name


def drops(unit: Unit, name: str) -> bool:
    """True when the unit drops ``name`` or ALL."""
    dropped = {capability(fact) for fact in unit.cap_drop}
    return name in dropped or "ALL" in dropped


def drops_unknown(unit: Unit) -> bool:
    """True when some dropped capability rests on an unresolved value."""
    return any(fact.value is None for fact in unit.cap_drop)


def missing(fact: Fact[object]) -> bool:
    """The manifest does not write the fact at all (an unresolved value is written, just unknown)."""
    return not fact.explicit


def existing(workload: Workload, path: Path) -> Path:
    """The longest prefix of ``path`` that the workload's document has."""
    return present(workload.document, path)


def hit(workload: Workload, fact: Fact[object], message: str, unit: str | None = None) -> Hit:
    """A hit on a fact: on its value when written, else on the key of the nearest parent that exists."""
    if fact.explicit:
        return Hit(fact.path, message, unit=unit)
    return Hit(existing(workload, fact.path), message, unit=unit, key=True)


def fixing(found: Hit, fix: Fix, *edits: Edit) -> Hit:
    """``found`` offering ``fix`` made of ``edits``, whose paths start at the workload as facts' paths do.

    Built field by field (``dataclasses.replace`` looks the fields up on every call, and every hit of the
    policies with fixes comes through here); a test holds it to ``replace``.
    """
    return Hit(
        path=found.path,
        message=found.message,
        unit=found.unit,
        key=found.key,
        unless=found.unless,
        needs=found.needs,
        severity=found.severity,
        once=found.once,
        policy=found.policy,
        fix=fix.at(found.path, *edits),
    )


def clean_path(path: str) -> str:
    """A host path without trailing slashes or dot segments (``/var/run/`` -> ``/var/run``)."""
    cleaned = posixpath.normpath(path.strip())
    return "/" if cleaned.startswith("//") and cleaned.strip("/") == "" else cleaned


def under(path: str, directories: Iterable[str]) -> str | None:
    """The first of ``directories`` that ``path`` is, or lies below."""
    cleaned = clean_path(path)
    for directory in directories:
        root = clean_path(directory)
        if cleaned == root or (root != "/" and cleaned.startswith(root + "/")):
            return root
    return None


def host_volumes(workload: Workload) -> Iterator[tuple[Volume, str]]:
    """Host-path volumes with a known absolute path."""
    for volume in workload.volumes:
        if volume.kind == "host" and volume.host_path and volume.host_path.startswith("/"):
            yield volume, clean_path(volume.host_path)


def autoscalable(workload: Workload) -> bool:
    """A named pool or replica set outside any Template: the one an autoscaler's scaleTargetRef can name.

    Only those provide the presumption ``absent(autoscaled(...))`` that a hit requiring an autoscaler relies on.
    """
    return (
        workload.scaling is not None
        and not workload.path
        and isinstance(get(workload.document, ("metadata", "name")), str)
    )
