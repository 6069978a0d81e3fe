"""The schema policies VM010-VM017: reported by the validate stage (``linter.schema``), not by a check."""

from __future__ import annotations

from .policy import Example, Policy, Severity, engine_policy

SCHEMA_FORMATS = frozenset({"kubernetes", "kubevirt"})
NOTES = (
    "Validated against the strict schema of the object's kind in the target Kubernetes version "
    "(`--kubernetes-version` or `kubernetes-version:`, default the newest bundled); custom resources against the "
    "CRDs of the run or the `schema-dirs:` folders. Objects with no schema are counted in the summary as unvalidated."
)


def _schema(
    id: str,  # noqa: A002
    name: str,
    severity: Severity,
    summary: str,
    rationale: str,
    remediation: str,
    bad: str,
    good: str,
) -> Policy:
    example = Example("kubernetes", bad=bad, good=good)
    return engine_policy(
        id, name, severity, summary, rationale, remediation, formats=SCHEMA_FORMATS, examples=(example,), notes=NOTES
    )


SCHEMA_POLICIES: tuple[Policy, ...] = (
    _schema(
        "VM010",
        "unknown-field",
        "error",
        "A field the object's schema does not have, usually a misspelling (`securityContex`, `runAsNonroot`).",
        "The API server drops an unknown field or rejects the object (strict field validation, kubectl's default): "
        "the setting the author meant to make is silently not made, and every policy then judges a manifest that "
        "does not say what its author thinks.",
        "Spell the field as the message suggests, or move it to where the schema has it.",
        "securityContext:\n  runAsNonroot: true",
        "securityContext:\n  runAsNonRoot: true",
    ),
    _schema(
        "VM011",
        "field-type-mismatch",
        "error",
        "A field's value has the wrong type for the schema (a number where a string is required, a list for a map).",
        "The API server rejects the object (`cannot unmarshal number into ... of type string`); a quoted number, "
        "a label value of `true` or an int-or-string given a fraction all fail at deploy time.",
        "Give the value the type the message names; quote numbers meant as strings.",
        'env:\n- name: PORT\n  value: 8080\nreplicas: "3"',
        'env:\n- name: PORT\n  value: "8080"\nreplicas: 3',
    ),
    _schema(
        "VM012",
        "value-not-allowed",
        "error",
        "A field with a closed set of values has another one (`imagePullPolicy: always`).",
        "The API server rejects values outside the set (`Unsupported value`); the cases are significant.",
        "Use one of the values the message lists.",
        "imagePullPolicy: always",
        "imagePullPolicy: Always",
    ),
    _schema(
        "VM013",
        "required-field-missing",
        "error",
        "A field the schema requires is absent (a container without `name`, a Deployment without `selector`).",
        "The API server rejects the object; the manifest cannot be deployed as written.",
        "Add the field the message names.",
        "spec:\n  template:\n    metadata:\n      labels: {app: web}",
        "spec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}",
    ),
    _schema(
        "VM014",
        "invalid-quantity",
        "error",
        "A resource quantity Kubernetes cannot read (`memory: 512mb`, `cpu: 1 core`).",
        "Quantities accept a number with a binary (Ki, Mi, Gi ...) or decimal (m, k, M, G ...) suffix only; "
        "anything else is rejected, so the limit or request the author set never applies.",
        "Write the quantity with a Kubernetes suffix: `512Mi`, `0.5`, `500m`.",
        "resources:\n  limits:\n    memory: 512mb",
        "resources:\n  limits:\n    memory: 512Mi",
    ),
    _schema(
        "VM015",
        "value-out-of-bounds",
        "error",
        "A value breaks a constraint of a custom resource schema (pattern, minimum, maximum, length, item count).",
        "The API server validates custom resources against their CRD's schema and rejects such values.",
        "Change the value to meet the constraint the message names.",
        "spec:\n  replicas: 0   # the CRD says minimum: 1",
        "spec:\n  replicas: 1",
    ),
    _schema(
        "VM016",
        "unknown-api-kind",
        "error",
        "A built-in API group that has no such kind or version in the target Kubernetes version.",
        "The API server answers `no matches for kind`: a misspelt kind (`Deploymnet`), an apiVersion that never "
        "existed, or one that is not served by the target version is not deployed at all.",
        "Fix the kind or apiVersion as the message suggests, or target the Kubernetes version that serves it.",
        "apiVersion: apps/v1\nkind: Deploymnet",
        "apiVersion: apps/v1\nkind: Deployment",
    ),
    _schema(
        "VM017",
        "unusable-schema",
        "error",
        "A CustomResourceDefinition or a schema file that cannot be used to validate (malformed, unresolvable "
        "or self-referencing `$ref`, invalid pattern, too deep).",
        "Resources of that kind are not validated at all; the API server would refuse such a CRD as well.",
        "Fix the schema at the reported place (for a schema-dirs file, the message names it).",
        "openAPIV3Schema:\n  type: objekt",
        "openAPIV3Schema:\n  type: object",
    ),
)
