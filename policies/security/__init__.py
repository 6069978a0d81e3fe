"""Security: weak secrets, authentication and exposure. One module per topic."""

from __future__ import annotations

from vmlint.policy import Policy

from . import accounts, components, data_secrets, downloads, exposure, logins, named_objects, references, secrets

POLICIES: tuple[Policy, ...] = tuple(
    p
    for topic in (secrets, data_secrets, accounts, exposure, logins, downloads, references, named_objects, components)
    for p in topic.POLICIES
)
