"""Context facts about VMs and backups, the vocabulary (``vmlint.facts.vm`` builds them from objects)."""

from __future__ import annotations

from .context import DEFAULT_NAMESPACE

ALL_NAMESPACES = "*"


def backed_up(namespace: str | None, kind: str, name: str) -> tuple[str, ...]:
    """The fact that a snapshot or export object in the run saves ``kind/name``."""
    return ("backed-up", namespace or DEFAULT_NAMESPACE, kind, name)


def namespace_backed_up(namespace: str | None) -> tuple[str, ...]:
    """The fact that a Velero Schedule or Backup saves the volumes of ``namespace`` (``*``: every namespace)."""
    return ("namespace-backed-up", namespace or DEFAULT_NAMESPACE)


def backup_facts_for(namespace: str | None, kind: str, name: str) -> tuple[tuple[str, ...], ...]:
    """Any one of these facts means ``kind/name`` in ``namespace`` is backed up."""
    return (
        backed_up(namespace, kind, name),
        namespace_backed_up(namespace),
        namespace_backed_up(ALL_NAMESPACES),
    )
