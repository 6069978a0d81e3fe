"""Security: secrets in data, not in env: ConfigMaps that hold credentials, Secret objects committed with their
values, and database containers told to accept connections without a password.

Reports name the key and what it holds, never any part of the value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from vmlint.model import Workload
from vmlint.policy import Example, Hit, Option, Policy, Settings, policy
from vmlint.source import get

from .._terms import named_unit
from .secrets import NOT_SECRET_SUFFIXES, SECRET_NAME_PARTS, secret_like, secret_value

# ``key: value`` / ``key=value`` lines inside a ConfigMap value (a properties, YAML or env file).
_SETTING = re.compile(r"^\s*(?:export\s+)?[\"']?([A-Za-z_][\w.-]*)[\"']?\s*[:=]\s*[\"']?([^\"'#\s][^\"'#]*?)[\"']?\s*$")
_SKIP_KINDS = ("kubernetes.io/service-account-token",)
_PLACEHOLDER = re.compile(r"^(?:<[^>]*>|x+|\*+|\.\.\.|changeme|replace[-_ ]?me|todo|example)$", re.IGNORECASE)


def _mentions(text: str, parts: list[str]) -> bool:
    """Some (upper-case, ``_``-less) name part occurs in ``text``, ignoring case and ``_``, ``-``, ``.``."""
    squashed = text.upper().replace("_", "").replace("-", "").replace(".", "")
    return any(part in squashed for part in parts)


def _config_secret(key: str, value: str, parts: list[str], suffixes: tuple[str, ...]) -> str | None:
    """What a ConfigMap entry holds that is a secret: a key, a token, or a secret-like setting (by name)."""
    kind = secret_value(value)
    if kind is not None:
        return kind
    if "\n" not in value.strip():
        return "a literal value under a secret-like key" if secret_like(key, value, parts, suffixes) else None
    squashed = [part.replace("_", "") for part in parts]
    if not _mentions(value, squashed):
        return None  # no secret-like name part anywhere in the value: decided in one pass
    for number, line in enumerate(value.splitlines(), start=1):
        if not _mentions(line, squashed):
            continue  # no secret-like name part on the line: the common case, decided cheaply
        found = _SETTING.match(line)
        if (
            found
            and secret_like(found.group(1), found.group(2), parts, suffixes)
            and not _PLACEHOLDER.match(found.group(2).strip())
        ):
            return f"a literal {found.group(1)} (line {number} of the value)"
    return None


@policy(
    id="VM611",
    name="secret-in-config-map",
    tradeoff="security",
    severity="warning",
    summary="A ConfigMap holds a private key, a token or a password (by key name or inside a config file).",
    rationale=(
        "ConfigMaps are for configuration: they are readable by everyone who can read the namespace's "
        "configuration, printed by `kubectl describe`, and kept in git as plain text. A credential in one is "
        "exposed to all of them."
    ),
    remediation="Move the value into a Secret (from an external secret store) and reference or mount it.",
    formats=("kubernetes",),
    kinds=("ConfigMap",),
    options={
        "names": Option(list(SECRET_NAME_PARTS), "Name parts that make a key secret-like (case-insensitive)."),
        "ignore_suffixes": Option(list(NOT_SECRET_SUFFIXES), "Name endings that mark a reference, not a secret."),
    },
    related={"polaris": ("sensitiveConfigmapContent",), "trivy": ("KSV-01010", "KSV-0109")},
    notes=(
        "A value is judged by its shape (PEM private keys, AWS, GitHub, Slack, Google API and Stripe tokens) "
        "whatever its key, by its key's name (as plaintext-secret-in-env, VM601), and, for multi-line values, "
        "line by line as `name: value` or `name=value` settings. Placeholders, references and paths are not "
        "reported; nor is any part of the value."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="kind: ConfigMap\ndata:\n  application.properties: |\n    db.user=app\n    db.password=hunter2",
            good="kind: ConfigMap\ndata:\n  application.properties: |\n    db.user=app\n"
            "    db.password.file=/run/secrets/db",
        ),
    ),
)
def secret_in_config_map(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if workload.format != "kubernetes" or workload.role != "object" or workload.kind != "ConfigMap":
        return
    parts = [str(part).upper() for part in settings["names"]]
    suffixes = tuple(str(suffix).upper() for suffix in settings["ignore_suffixes"])
    data = get(workload.document, ("data",))
    for key, value in data.items() if isinstance(data, dict) else ():
        if isinstance(key, str) and isinstance(value, str):
            what = _config_secret(key, value, parts, suffixes)
            if what is not None:
                yield Hit(("data", key), f"ConfigMap {workload.name} key {key} holds {what}", key=True)


def _literal_values(section: Any) -> list[str]:
    if not isinstance(section, dict):
        return []
    return [str(k) for k, v in section.items() if isinstance(v, str | int) and str(v).strip() and "{{" not in str(v)]


@policy(
    id="VM612",
    name="secret-object-committed",
    tradeoff="security",
    severity="info",
    summary="A Secret object is written with literal data or stringData: the values are in the repository.",
    rationale=(
        "A committed Secret is a plain-text (base64 is not encryption) credential in every clone, fork and CI "
        "log, and rotating it means a commit that keeps the old value in history."
    ),
    remediation=(
        "Keep the value out of git: an external secret store (External Secrets, Secrets Store CSI), an encrypted "
        "Secret (Sealed Secrets, SOPS), or a Secret created at deploy time."
    ),
    formats=("kubernetes",),
    kinds=("Secret",),
    notes=(
        "Info by default: test fixtures and examples commit Secrets on purpose. Service-account token Secrets "
        "and Secrets without values are not reported. KICS's Using Kubernetes Native Secret Management passes a "
        "Secret when the same file has a SecretProviderClass and is not declared equivalent."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="kind: Secret\nstringData:\n  password: hunter2",
            good="kind: ExternalSecret\nspec:\n  secretStoreRef:\n    name: vault\n  data:\n  - secretKey: password",
        ),
    ),
)
def secret_object_committed(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if workload.format != "kubernetes" or workload.role != "object" or workload.kind != "Secret":
        return
    if get(workload.document, ("apiVersion",)) != "v1" or get(workload.document, ("type",)) in _SKIP_KINDS:
        return
    for section in ("data", "stringData"):
        keys = _literal_values(get(workload.document, (section,)))
        if keys:
            shown = ", ".join(keys[:5]) + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")
            yield Hit((section,), f"Secret {workload.name} commits {section} values ({shown})", key=True)
            return


# Environment settings that make a database image accept connections without a password.
AUTH_DISABLED: dict[str, tuple[str, ...]] = {
    "POSTGRES_HOST_AUTH_METHOD": ("trust",),
    "MYSQL_ALLOW_EMPTY_PASSWORD": ("yes", "true", "1"),
    "MARIADB_ALLOW_EMPTY_ROOT_PASSWORD": ("yes", "true", "1"),
    "MARIADB_ALLOW_EMPTY_PASSWORD": ("yes", "true", "1"),
    "ALLOW_EMPTY_PASSWORD": ("yes", "true", "1"),  # Bitnami images
    "REDIS_DISABLE_PASSWORD": ("yes", "true", "1"),
}


@policy(
    id="VM613",
    name="database-authentication-disabled",
    tradeoff="security",
    severity="error",
    summary="A database container accepts connections without a password (POSTGRES_HOST_AUTH_METHOD=trust ...).",
    rationale=(
        "Anything that reaches the port (another container on the network, a published port, an SSRF) logs in as "
        "any user, superuser included: the data and often the host's files through the database are open."
    ),
    remediation=(
        "Remove the setting and give the database a password from a secret (MYSQL_RANDOM_ROOT_PASSWORD is fine "
        "when nothing needs the root password)."
    ),
    formats=("kubernetes", "compose"),
    notes=(
        "POSTGRES_HOST_AUTH_METHOD=trust, MYSQL_ALLOW_EMPTY_PASSWORD, MARIADB_ALLOW_EMPTY_(ROOT_)PASSWORD, Bitnami "
        "ALLOW_EMPTY_PASSWORD and REDIS_DISABLE_PASSWORD set to yes/true/1. MYSQL_RANDOM_ROOT_PASSWORD is not "
        "reported."
    ),
    examples=(
        Example(
            "compose",
            bad="services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_HOST_AUTH_METHOD: trust",
            good="services:\n  db:\n    image: postgres:16\n    environment:\n"
            "      POSTGRES_PASSWORD_FILE: /run/secrets/db",
        ),
    ),
)
def database_authentication_disabled(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for unit in workload.containers():
        for env in unit.env:
            allowed = AUTH_DISABLED.get(env.name.upper())
            if allowed and env.literal is not None and env.literal.strip().lower() in allowed:
                message = f"{named_unit(workload, unit.name)} sets {env.name}={env.literal.strip()}: no password needed"
                yield Hit(env.path, message, unit=unit.name)


POLICIES: tuple[Policy, ...] = (secret_in_config_map, secret_object_committed, database_authentication_disabled)
