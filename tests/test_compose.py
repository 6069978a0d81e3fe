"""Compose projects: detection, interpolation, overrides, extends, include, validation, suppression."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import lint, triples
from vmlint.compose.detect import is_compose, looks_like_compose
from vmlint.compose.interpolate import interpolate, parse_env_file
from vmlint.compose.syntax import MountSpec, PortSpec, parse_mount, parse_port
from vmlint.parsers.yaml_tree import parse_yaml


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def rows(paths: list[str], root: Path, *select: str) -> list[list[object]]:
    return triples(lint(paths, select=select, cwd=root))


ENV = {"SET": "value", "EMPTY": ""}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", ("plain", True)),
        ("${SET}", ("value", True)),
        ("$SET/x", ("value/x", True)),
        ("${MISSING}", ("${MISSING}", False)),
        ("$MISSING/x", ("${MISSING}/x", False)),
        ("${MISSING:-fallback}", ("fallback", True)),
        ("${EMPTY:-fallback}", ("fallback", True)),
        ("${EMPTY-fallback}", ("", True)),
        ("${MISSING-fallback}", ("fallback", True)),
        ("${MISSING:-${SET}}", ("value", True)),
        ("${MISSING:-${OTHER}}", ("${OTHER}", False)),
        ("${SET:?needed}", ("value", True)),
        ("${MISSING:?needed}", ("${MISSING:?needed}", False)),
        ("${SET:+alt}", ("alt", True)),
        ("${MISSING:+alt}", ("", True)),
        ("$$SET costs $$5", ("$SET costs $5", True)),
        ("${unclosed", ("${unclosed", False)),
    ],
)
def test_interpolation_forms(text: str, expected: tuple[str, bool]) -> None:
    assert interpolate(text, ENV) == expected


def test_env_file_syntax() -> None:
    text = "# comment\nexport A=1\nB='${A} literal'\nC=\"${A}-x\"\nD=plain # trailing\nnot a line\n"
    assert parse_env_file(text) == {"A": "1", "B": "${A} literal", "C": "1-x", "D": "plain"}


def test_the_process_environment_is_never_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRIV", "true")
    write(tmp_path, {"compose.yaml": "services:\n  a:\n    image: a:1\n    privileged: ${PRIV}\n"})
    assert rows(["compose.yaml"], tmp_path, "VM102") == []
    write(tmp_path, {".env": "PRIV=true\n"})
    assert rows(["compose.yaml"], tmp_path, "VM102") == [["VM102", "compose.yaml", 4, 17]]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("compose.yaml", "services: {}\n", True),
        ("docker-compose.override.yml", "services:\n  a: {}\n", True),
        ("compose.prod.yaml", "", True),
        ("stack.yaml", "version: '3'\nservices:\n  a:\n    image: a\nx-common: {}\n", True),
        ("values.yaml", "replicaCount: 2\nservices:\n  web:\n    port: 80\n", False),
        ("pod.yaml", "apiVersion: v1\nkind: Pod\nservices: {}\n", False),
        ("compose.yaml", "apiVersion: v1\nkind: Pod\n", False),
    ],
)
def test_detection(name: str, text: str, expected: bool) -> None:
    documents, _ = parse_yaml(text)
    root = documents[0].root if documents else None
    assert is_compose(name, root) is expected


def test_content_detection_needs_a_services_mapping() -> None:
    assert not looks_like_compose({"services": ["a"]})


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (80, PortSpec((80, 80), None, None)),
        ("8080:80", PortSpec((80, 80), (8080, 8080), None)),
        ("127.0.0.1:8080:80/udp", PortSpec((80, 80), (8080, 8080), "127.0.0.1", "udp")),
        ("127.0.0.1::5000", PortSpec((5000, 5000), None, "127.0.0.1")),
        ("[::1]:53:53", PortSpec((53, 53), (53, 53), "::1")),
        ("9000-9010:80-90", PortSpec((80, 90), (9000, 9010), None)),
        ({"target": 80, "published": "8080", "host_ip": "10.0.0.1"}, PortSpec((80, 80), (8080, 8080), "10.0.0.1")),
        ("${PORT}:80", PortSpec(None, None, None, known=False)),
        ("not-a-port", None),
    ],
)
def test_port_syntax(item: object, expected: PortSpec | None) -> None:
    assert parse_port(item) == expected


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("/data", MountSpec("anonymous", None, "/data")),
        ("data:/data:ro", MountSpec("volume", "data", "/data", True)),
        ("./src:/app:rw,rshared", MountSpec("bind", "./src", "/app", False, "rshared")),
        ("C:\\data:/data", MountSpec("bind", "C:\\data", "/data")),
        ("${HOME}/x:/x", MountSpec("bind", None, "/x")),
        ({"type": "volume", "target": "/cache"}, MountSpec("anonymous", None, "/cache")),
        ({"type": "tmpfs", "target": "/tmp"}, MountSpec("tmpfs", None, "/tmp")),
    ],
)
def test_volume_syntax(item: object, expected: MountSpec) -> None:
    assert parse_mount(item) == expected


BASE = "services:\n  web:\n    image: web:1.2\n    ports: ['127.0.0.1:80:80']\n"
OVERRIDE = "services:\n  web:\n    privileged: true\n    ports: ['8080:8080']\n"


def test_override_findings_point_at_the_override_and_are_reported_once(tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": BASE, "compose.override.yaml": OVERRIDE})
    both = rows(["."], tmp_path, "VM102", "VM630")
    assert both == [["VM102", "compose.override.yaml", 3, 17], ["VM630", "compose.override.yaml", 4, 13]]
    assert rows(["compose.override.yaml"], tmp_path, "VM102", "VM630") == both
    assert rows(["compose.yaml"], tmp_path, "VM102", "VM630") == []


def test_override_settings_replace_what_the_base_wrote(tmp_path: Path) -> None:
    base = "services:\n  web:\n    image: web:1.2\n    privileged: true\n    cap_add: [NET_ADMIN]\n"
    override = "services:\n  web:\n    privileged: false\n    cap_add: [SYS_TIME]\n"
    write(tmp_path, {"docker-compose.yml": base, "docker-compose.override.yml": override})
    found = rows(["."], tmp_path, "VM102", "VM110")
    assert found == [["VM110", "docker-compose.override.yml", 4, 15], ["VM110", "docker-compose.yml", 5, 15]]


def test_inline_suppression_in_an_override_file(tmp_path: Path) -> None:
    override = "services:\n  web:\n    # vmlint: ignore[VM102] needs /dev/kvm\n    privileged: true\n"
    write(tmp_path, {"compose.yaml": BASE, "compose.override.yaml": override})
    report = lint(["."], select=["VM102"], cwd=tmp_path)
    assert triples(report) == []
    assert report.summary.suppressed == 1


def test_x_vmlint_ignore_and_tier(tmp_path: Path) -> None:
    text = (
        "services:\n"
        "  pay:\n    image: pay:1\n    x-vmlint: {tier: high}\n"
        "  sandboxed:\n    image: pay:1\n    runtime: runsc\n    labels: [vmlint.io/security-tier=high]\n"
        "  quiet:\n    image: pay:1\n    privileged: true\n    x-vmlint: {tier: high, ignore: [VM101, VM102]}\n"
    )
    write(tmp_path, {"compose.yaml": text})
    assert rows(["compose.yaml"], tmp_path, "VM101", "VM102") == [["VM101", "compose.yaml", 4, 16]]


def test_extends_cycles_missing_services_and_escaping_paths_are_reported(tmp_path: Path) -> None:
    project = tmp_path / "project"
    write(tmp_path, {"outside.yaml": "services:\n  base:\n    image: x:1\n    privileged: true\n"})
    text = (
        "services:\n"
        "  a:\n    extends: b\n"
        "  b:\n    extends: a\n"
        "  c:\n    extends: {service: base, file: ../outside.yaml}\n"
        "  d:\n    extends: nowhere\n"
        "  e:\n    extends: {service: base, file: missing.yaml}\n"
    )
    write(project, {"compose.yaml": text})
    report = lint(["compose.yaml"], cwd=project)
    problems = [(f.policy, f.line, f.message) for f in report.findings]
    assert problems == [
        ("VM008", 3, "extends cycle through service 'b'"),
        ("VM008", 5, "extends cycle through service 'a'"),
        ("VM008", 7, "extends file '../outside.yaml' not read: the path leaves the project directory"),
        ("VM008", 9, "extends names service 'nowhere', which is not defined"),
        ("VM008", 11, "extends file 'missing.yaml' not read: no such file"),
    ]
    assert report.summary.workloads == 0


def test_include_adds_services_from_another_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "compose.yaml": "include:\n  - infra/db.yaml\nservices:\n  web:\n    image: web:1\n",
            "infra/db.yaml": "services:\n  db:\n    image: postgres:16\n    privileged: true\n",
        },
    )
    assert rows(["compose.yaml"], tmp_path, "VM102") == [["VM102", "infra/db.yaml", 4, 17]]


def test_standard_input_reads_no_other_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    write(tmp_path, {"compose.override.yaml": OVERRIDE})
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(BASE.encode())))
    report = lint(["-"], select=["VM102"], cwd=tmp_path)
    assert triples(report) == []
    assert report.summary.workloads == 1


def test_schema_problems_are_located(tmp_path: Path) -> None:
    text = (
        "services:\n  web:\n    image: web:1\n    privilegd: true\n    cap_add: NET_ADMIN\n"
        "    ports:\n      - {target: 80, publish: 8080}\nunknown: 1\nx-ok: 1\n"
    )
    write(tmp_path, {"compose.yaml": text})
    found = [(f.policy, f.line, f.column, f.message) for f in lint(["compose.yaml"], select=[], cwd=tmp_path).findings]
    assert found == [
        ("VM008", 4, 5, "unknown key 'privilegd' in services.web"),
        ("VM008", 5, 14, "services.web.cap_add should be array, found string"),
        ("VM008", 7, 9, "services.web.ports.0 has neither a valid short nor a valid long form"),
        ("VM008", 8, 1, "unknown key 'unknown' in the top level"),
    ]


def test_symlinks_out_of_the_project_are_not_followed(tmp_path: Path) -> None:
    project = tmp_path / "project"
    write(tmp_path, {"secret.env": "PRIV=true\n", "outside.yaml": "services:\n  web:\n    privileged: true\n"})
    write(project, {"compose.yaml": "services:\n  web:\n    image: web:1\n    privileged: ${PRIV}\n"})
    (project / ".env").symlink_to(tmp_path / "secret.env")
    (project / "compose.override.yaml").symlink_to(tmp_path / "outside.yaml")
    assert rows(["compose.yaml"], project, "VM102") == []


def test_services_behind_profiles_are_linted_like_the_others(tmp_path: Path) -> None:
    text = (
        "services:\n  web:\n    image: web:1.2\n    restart: always\n"
        "  debug:\n    image: busybox:1.36\n    profiles: [debug]\n    privileged: true\n"
        "  tool:\n    image: busybox:1.36\n    profiles: [tools]\n    restart: 'no'\n"
    )
    write(tmp_path, {"compose.yaml": text})
    assert rows(["compose.yaml"], tmp_path, "VM102", "VM821") == [
        ["VM821", "compose.yaml", 5, 3],
        ["VM102", "compose.yaml", 8, 17],
    ]
