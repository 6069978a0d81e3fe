"""Security: weak secrets, authentication and exposure. One module per topic."""

from __future__ import annotations

from vmlint.policy import Policy

from . import accounts, downloads, exposure, logins, references, secrets

POLICIES: tuple[Policy, ...] = tuple(
    p for topic in (secrets, accounts, exposure, logins, downloads, references) for p in topic.POLICIES
)
