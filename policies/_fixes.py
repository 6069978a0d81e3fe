"""The built-in policies' fixes: what each one changes, and whether that keeps what the workload does.

``safe`` fixes keep the workload's behaviour; ``unsafe`` ones may stop it working (a process that writes to its
root filesystem, needs a capability or root) and only apply with ``--unsafe-fixes``.  Edits' paths start at the
workload, as model facts' paths do; ``_facts.fixing`` makes them relative to the hit.
"""

from __future__ import annotations

from vmlint.fixes import Edit, Fix, add, remove, set_
from vmlint.model import Fact, Workload

REMOVE_PRIVILEGED = Fix("unsafe", "removes `privileged: true`", (remove(),))
NO_ESCALATION = Fix(
    "safe", "sets `allowPrivilegeEscalation: false` (Compose: adds `no-new-privileges:true` to `security_opt`)"
)


def no_escalation(workload: Workload, fact: Fact[bool]) -> Edit:
    """``allowPrivilegeEscalation: false``, or Compose's ``no-new-privileges:true`` option."""
    if workload.format == "kubernetes":
        return set_(fact.path, False)
    return set_(fact.path, "no-new-privileges:true") if fact.explicit else add(fact.path, "no-new-privileges:true")
