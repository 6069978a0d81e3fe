"""Every numeric field the normalisers read, fed every number shape of issue 9 class 1.

Each field is a template with ``{N}`` where the number goes; each shape is written either as a
YAML scalar or inside a string (``'{N}:80'``, an XML attribute).  Wrong numbers must be one VM008
at the value's line (VM011 where the Kubernetes schema types the field), never an internal error.
Two guards keep the list complete: every call of the safe conversion in linter/ and policies/ must
be reached by some field here, and no other code converts user data with ``int()`` or trusts
``str.isdigit()``.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from vmlint import numbers
from vmlint.config import Config
from vmlint.engine import Engine
from vmlint.normalize import reader
from vmlint.policy import load_policies

ROOT = Path(__file__).resolve().parent.parent
ENGINE = Engine(Config(root=Path.cwd()), load_policies())

# (id, YAML scalar, text inside a string): the shapes of class 1 and a few more that int() or isdigit() accept.
SHAPES = [
    ("huge", "9" * 5000, "9" * 5000),
    ("huge-hex", "0x" + "f" * 5000, "0x" + "f" * 5000),
    ("superscript-two", "'²'", "²"),
    ("superscript-three", "'³'", "³"),
    ("digit-then-superscript", "'1²'", "1²"),
    ("arabic-indic", "'٣'", "٣"),
    ("fullwidth", "'\uff18\uff10'", "\uff18\uff10"),
    ("float", "1.5", "1.5"),
    ("negative", "-5", "-5"),
    ("bool", "true", "true"),
    ("int64-overflow", "9223372036854775808", "9223372036854775808"),
    ("underscores", "'1_000'", "1_000"),
]

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {{name: d}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{a: b}}}}
  template:
    metadata: {{labels: {{a: b}}}}
    spec:
      securityContext: {{runAsUser: {pod_user}}}
      containers:
      - name: c
        image: nginx:1.25
        securityContext: {{runAsUser: {user}}}
        ports: [{{containerPort: {port}, hostPort: {host_port}}}]
"""
POOL = """apiVersion: pool.kubevirt.io/v1alpha1
kind: VirtualMachinePool
metadata: {{name: pool}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: pool}}}}
  virtualMachineTemplate:
    metadata: {{labels: {{app: pool}}}}
    spec:
      runStrategy: Always
      template:
        metadata: {{labels: {{app: pool}}}}
        spec:
          domain: {{devices: {{}}}}
          livenessProbe: {{tcpSocket: {{port: 22}}, initialDelaySeconds: {delay}, periodSeconds: {period},
            failureThreshold: {failures}}}
          volumes: [{{name: root, containerDisk: {{image: 'quay.io/containerdisks/fedora:40'}}}}]
"""
COMPOSE = """services:
  web:
    image: nginx:1.25
    user: "{user}"
    scale: {scale}
    restart: "on-failure:{restart}"
    ports: ["{published}:80", "8080:{target}", "7000-{range_end}", {short}, {{target: {long_target}}}]
  worker:
    image: nginx:1.25
    deploy:
      replicas: {replicas}
      restart_policy: {{condition: on-failure, max_attempts: {attempts}}}
"""
DOMAIN = """<domain type='kvm'>
  <name>vm</name>
  <devices>
    <graphics type='vnc' port='{port}'/>
  </devices>
</domain>
"""
VALID: dict[str, str] = {
    "replicas": "3",
    "pod_user": "1000",
    "user": "1000",
    "port": "8080",
    "host_port": "0",
    "delay": "30",
    "period": "10",
    "failures": "3",
    "scale": "2",
    "restart": "5",
    "published": "8080",
    "target": "80",
    "range_end": "7001",
    "short": "80",
    "long_target": "80",
    "attempts": "5",
}


@dataclass(frozen=True)
class Field:
    """A numeric field: the template it sits in, its placeholder, its line, and how the value is written."""

    name: str
    file: str
    template: str
    key: str
    line: int
    in_string: bool = False
    shapes: frozenset[str] | None = None  # the shapes that must be VM008 (None: all of them)
    schema: bool = False  # the bundled Kubernetes schema types the field (see SCHEMA_RANGE_SHAPES)


# A field the Kubernetes schema types: a value of the wrong type is the schema's VM011, which replaces the
# normaliser's VM008 at that position (linter/schema); an integer out of the field's range stays VM008.
SCHEMA_RANGE_SHAPES = frozenset({"negative", "int64-overflow"})


# Compose `user:` is a name or an id: only shapes made of digits are ids Docker would have to read.
DIGIT_SHAPES = frozenset(
    {
        "huge",
        "int64-overflow",
        "superscript-two",
        "superscript-three",
        "digit-then-superscript",
        "arabic-indic",
        "fullwidth",
    }
)
FIELDS = [
    Field("kubernetes-replicas", "d.yaml", DEPLOYMENT, "replicas", 5, schema=True),
    Field("kubernetes-pod-run-as-user", "d.yaml", DEPLOYMENT, "pod_user", 10, schema=True),
    Field("kubernetes-run-as-user", "d.yaml", DEPLOYMENT, "user", 14, schema=True),
    Field("kubernetes-container-port", "d.yaml", DEPLOYMENT, "port", 15, schema=True),
    Field("kubernetes-host-port", "d.yaml", DEPLOYMENT, "host_port", 15, schema=True),
    Field("kubevirt-pool-replicas", "pool.yaml", POOL, "replicas", 5),
    Field("kubevirt-probe-delay", "pool.yaml", POOL, "delay", 15),
    Field("kubevirt-probe-period", "pool.yaml", POOL, "period", 15),
    Field("kubevirt-probe-failures", "pool.yaml", POOL, "failures", 16),
    Field("compose-user", "compose.yaml", COMPOSE, "user", 4, True, DIGIT_SHAPES),
    Field("compose-scale", "compose.yaml", COMPOSE, "scale", 5),
    Field("compose-restart-count", "compose.yaml", COMPOSE, "restart", 6, True),
    Field("compose-published-port", "compose.yaml", COMPOSE, "published", 7, True),
    Field("compose-target-port", "compose.yaml", COMPOSE, "target", 7, True),
    Field("compose-port-range-end", "compose.yaml", COMPOSE, "range_end", 7, True),
    Field("compose-port-number", "compose.yaml", COMPOSE, "short", 7),
    Field("compose-long-target", "compose.yaml", COMPOSE, "long_target", 7),
    Field("compose-replicas", "compose.yaml", COMPOSE, "replicas", 11),
    Field("compose-max-attempts", "compose.yaml", COMPOSE, "attempts", 12),
    Field("libvirt-graphics-port", "domain.xml", DOMAIN, "port", 4, True),
]


def _text(field: Field, number: str) -> str:
    values = dict(VALID)
    values[field.key] = number
    return field.template.format(**values)


def _lint(field: Field, text: str) -> Any:
    return ENGINE.lint_bytes(text.encode(), field.file)


@pytest.mark.parametrize("field", FIELDS, ids=[f.name for f in FIELDS])
def test_valid_number_is_read_without_problems(field: Field) -> None:
    result = _lint(field, _text(field, VALID[field.key]))
    assert result.errors == ()
    assert [f for f in result.findings if f.policy.startswith("VM00") or f.policy == "VM011"] == []


@pytest.mark.parametrize("shape", SHAPES, ids=[s[0] for s in SHAPES])
@pytest.mark.parametrize("field", FIELDS, ids=[f.name for f in FIELDS])
def test_every_number_shape_in_every_field(field: Field, shape: tuple[str, str, str]) -> None:
    name, scalar, embedded = shape
    result = _lint(field, _text(field, embedded if field.in_string else scalar))
    assert result.errors == (), result.errors
    rows = [(f.policy, f.line) for f in result.findings if f.policy.startswith("VM00") or f.policy == "VM011"]
    if field.shapes is None or name in field.shapes:
        code = "VM011" if field.schema and name not in SCHEMA_RANGE_SHAPES else "VM008"
        assert rows == [(code, field.line)], rows
    else:
        assert rows == []


# --- completeness -------------------------------------------------------------------------------------------

CONVERSIONS = {"to_int", "int_or_none", "integer"}
DEFINITIONS = {Path(numbers.__file__).resolve(), Path(reader.__file__).resolve()}


def _conversion_calls() -> Iterator[tuple[Path, int, int]]:
    """(file, first line, last line) of every call of the safe conversion outside its own modules."""
    for folder in ("linter", "policies"):
        for file in sorted((ROOT / folder).rglob("*.py")):
            if file.resolve() in {ROOT / "linter" / "numbers.py", ROOT / "linter" / "normalize" / "reader.py"}:
                continue
            for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call):
                    func = node.func
                    name = (
                        func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
                    )
                    if name in CONVERSIONS:
                        yield file.resolve(), node.lineno, node.end_lineno or node.lineno


def _sites_reached() -> set[tuple[Path, int]]:
    """Where the walk above entered the conversion from (the first frame outside numbers.py and reader.py)."""
    targets = {numbers.to_int.__code__, numbers.int_or_none.__code__, reader.Reader.integer.__code__}
    reached: set[tuple[Path, int]] = set()

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        if event == "call" and frame.f_code in targets:
            caller = frame.f_back
            while caller is not None and Path(caller.f_code.co_filename).resolve() in DEFINITIONS:
                caller = caller.f_back
            if caller is not None:
                reached.add((Path(caller.f_code.co_filename).resolve(), caller.f_lineno))

    sys.setprofile(profile)
    try:
        for field in FIELDS:
            _lint(field, _text(field, VALID[field.key]))
            _lint(field, _text(field, "'²'" if not field.in_string else "²"))
    finally:
        sys.setprofile(None)
    return reached


def test_the_walk_reaches_every_numeric_field() -> None:
    reached = _sites_reached()
    calls = list(_conversion_calls())
    assert calls
    missing = [
        (str(file.relative_to(ROOT)), first)
        for file, first, last in calls
        if not any(site == file and first <= line <= last for site, line in reached)
    ]
    assert missing == [], f"numeric fields no template in FIELDS exercises: {missing}"


# Calls of int() on user data that remain, each converting text a regular expression already bounded.
ALLOWED_INT = {
    "linter/parsers/yaml_tree.py",  # literals of at most numbers.MAX_LITERAL characters
    "linter/parsers/hcl.py",  # lark's own line and column numbers
    "linter/fix/edit.py",  # the YAML parser's own marks
    "linter/render/origins.py",  # JSON patch list indexes of at most four ASCII digits (_INDEX)
    "linter/rules/cel.py",  # the CEL compiler's own line and column numbers
    "linter/rules/fieldpath.py",  # list indexes of at most nine ASCII digits (_STEP)
    "linter/rules/k8s_library.py",  # exponents of quantities of at most 64 characters, Decimals, booleans
    "linter/rules/load.py",  # expected lines the rule schema already checked are integers
    "linter/schema/bundle.py",  # the bundled schemas' own version list
    "linter/schema/custom.py",  # $ref list indexes of at most nine ASCII digits (_INDEX)
    "linter/schema/versions.py",  # minor versions _VERSION bounded to two digits, or already normalised
}


def test_no_other_code_converts_user_data_with_int_or_isdigit() -> None:
    offenders = []
    for folder in ("linter", "policies"):
        for file in sorted((ROOT / folder).rglob("*.py")):
            relative = file.relative_to(ROOT).as_posix()
            if relative in {"linter/numbers.py", *ALLOWED_INT} or relative.startswith("linter/reporters/"):
                continue
            for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                if isinstance(func, ast.Name) and func.id == "int":
                    argument = ast.unparse(node.args[0]) if node.args else ""
                    if not argument.startswith("settings["):  # policy options: configuration (linter/config.py)
                        offenders.append(f"{relative}:{node.lineno}: int({argument})")
                elif isinstance(func, ast.Attribute) and func.attr in {"isdigit", "isnumeric", "isdecimal"}:
                    line = file.read_text(encoding="utf-8").splitlines()[node.lineno - 1]
                    if "Unicode-wide" not in line:  # a test for any digit at all, said so where it is done
                        offenders.append(f"{relative}:{node.lineno}: .{func.attr}()")
    assert offenders == []
