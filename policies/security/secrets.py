"""Security: secrets written in plain text in environment variables; the detectors other secret policies share."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from vmlint.model import Workload
from vmlint.policy import Example, Hit, Option, Policy, Settings, policy

from .._facts import existing
from .._terms import named_unit

SECRET_NAME_PARTS = (
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "APIKEY",
    "API_KEY",
    "ACCESS_KEY",
    "PRIVATE_KEY",
    "CREDENTIAL",
    "CLIENT_KEY",
)
NOT_SECRET_SUFFIXES = (
    "_FILE",
    "_PATH",
    "_DIR",
    "_NAME",
    "_ID",
    "_REF",
    "_KEY_REF",
    "_ENABLED",
    "_TTL",
    "_TIMEOUT",
    "_EXPIRY",
    "_LENGTH",
    "_HEADER",
    "_URL",
    "_URI",
    "_ENDPOINT",
    "_TYPE",
    "_MODE",
    "_POLICY",
)
_NOT_A_VALUE = re.compile(r"^(|true|false|yes|no|on|off|none|null|changeme)$", re.IGNORECASE)
_REFERENCE = re.compile(r"\$\(|\$\{|\{\{")
# Values that are credentials whatever their name: private keys and the token formats their issuers document,
# each with a substring that must be in the value before the pattern is tried (most values have none).
SECRET_VALUES: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...] = (
    ("a PEM private key", ("PRIVATE KEY",), re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")),
    ("an AWS access key id", ("AKIA", "ASIA"), re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    (
        "a GitHub token",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
        re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b"),
    ),
    ("a Slack token", ("xox",), re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a Google API key", ("AIza",), re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    ("a Stripe secret key", ("_live_",), re.compile(r"\b(?:sk|rk)_live_[0-9A-Za-z]{16,}\b")),
)


def secret_value(value: str) -> str | None:
    """What kind of credential ``value`` holds by its shape (a private key, a token), or None."""
    for what, needles, pattern in SECRET_VALUES:
        if any(needle in value for needle in needles) and pattern.search(value):
            return what
    return None


def secret_like(name: str, value: str, parts: list[str], suffixes: tuple[str, ...]) -> bool:
    """A literal value under a secret-like name (not a placeholder, reference, boolean or file path)."""
    normalised = _normalised(name)
    if not any(part in normalised for part in parts) or normalised.endswith(suffixes):
        return False
    value = value.strip()
    return not (_NOT_A_VALUE.match(value) or _is_reference(value) or value.startswith("/"))


@lru_cache(maxsize=64)
def _is_reference(value: str) -> bool:
    """Whether a value is a placeholder; a big value shared by many variables is searched once (issue 9)."""
    return bool(_REFERENCE.search(value))


def _normalised(name: str) -> str:
    """``dbPassword`` and ``db-password`` -> ``DB_PASSWORD``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).replace("-", "_").replace(".", "_").upper()


@policy(
    id="VM601",
    name="plaintext-secret-in-env",
    tradeoff="security",
    severity="error",
    summary=(
        "An environment variable with a secret-like name (PASSWORD, TOKEN, API_KEY ...) has a literal value, or any "
        "variable holds a private key or a token."
    ),
    rationale=(
        "A literal in the manifest is a secret in version control, in every clone and CI log, and visible to "
        "anyone who can read the object. It cannot be rotated without a commit."
    ),
    remediation=(
        "Keep the value in a Secret and mount it as a file (or reference it with `secretKeyRef`); "
        "in Compose use `secrets:` or an untracked env_file."
    ),
    formats=("kubernetes", "compose"),
    options={
        "names": Option(list(SECRET_NAME_PARTS), "Name parts that make a variable secret-like (case-insensitive)."),
        "ignore_suffixes": Option(list(NOT_SECRET_SUFFIXES), "Name endings that mark a reference, not a secret."),
    },
    related={"polaris": ("sensitiveContainerEnvVar",), "kube-linter": ("env-var-secret",)},
    notes=(
        "Values that are empty, booleans, placeholders such as $(VAR) or ${VAR}, or absolute paths (a file that "
        "holds the secret) are not reported. A PEM private key or a token of a documented format (AWS access key "
        "id, GitHub, Slack, Google API, Stripe) is reported whatever the variable's name. Compose `${VAR:-literal}` "
        "defaults are reported when nothing in the repository sets the variable (the default is then the value, "
        "and it is in git either way). Messages never show any part of a value."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="env:\n- name: DB_PASSWORD\n  value: hunter2",
            good="env:\n- name: DB_PASSWORD\n  valueFrom:\n    secretKeyRef:\n      name: db\n      key: password",
        ),
    ),
)
def plaintext_secret_in_env(workload: Workload, settings: Settings) -> Iterator[Hit]:
    parts = [str(part).upper() for part in settings["names"]]
    suffixes = tuple(str(suffix).upper() for suffix in settings["ignore_suffixes"])
    for unit in workload.containers():
        for env in unit.env:
            if env.literal is None or not env.name:
                continue
            kind = secret_value(env.literal)
            if kind is not None:
                yield Hit(env.path, f"{named_unit(workload, unit.name)} sets {env.name} to {kind}", unit=unit.name)
            elif secret_like(env.name, env.literal, parts, suffixes):
                yield Hit(
                    env.path, f"{named_unit(workload, unit.name)} sets {env.name} to a literal value", unit=unit.name
                )


@policy(
    id="VM602",
    name="secret-in-env-var",
    tradeoff="security",
    severity="info",
    summary="A Secret is passed to a container through environment variables (secretKeyRef or envFrom secretRef).",
    rationale=(
        "Environment variables leak: into crash dumps, debug endpoints, child processes and `kubectl describe`. "
        "Secrets mounted as files can be read-protected and updated without a restart."
    ),
    remediation="Mount the Secret as a volume and read it from the file.",
    formats=("kubernetes",),
    related={
        "kics": ("3d658f8b-d988-41a0-a841-40043121de1e",),
        "kube-linter": ("read-secret-from-env-var",),
        "checkov": ("CKV_K8S_35",),
    },
    examples=(
        Example(
            "kubernetes",
            bad="envFrom:\n- secretRef:\n    name: db",
            good="volumeMounts:\n- name: db\n  mountPath: /run/secrets/db\n  readOnly: true",
        ),
    ),
)
def secret_in_env_var(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for unit in workload.containers():
        for env in unit.env:
            if env.from_secret:
                shown = f"variable {env.name}" if env.name else "its environment (envFrom)"
                where = existing(workload, env.path + (("valueFrom", "secretKeyRef") if env.name else ("secretRef",)))
                yield Hit(where, f"container {unit.name} reads a Secret into {shown}", unit=unit.name, key=True)


POLICIES: tuple[Policy, ...] = (
    plaintext_secret_in_env,
    secret_in_env_var,
)
