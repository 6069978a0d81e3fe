"""Findings on Compose services speak Compose: no Kubernetes field names in their messages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import POLICIES, lint

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "real" / "compose"

# Every compose-format policy fires at least once on this project.
EVERYTHING = """\
services:
  web:
    image: nginx
    privileged: true
    user: "0"
    pid: host
    ipc: host
    network_mode: host
    userns_mode: host
    cap_add: [SYS_ADMIN, SYS_MODULE, NET_RAW]
    security_opt: [no-new-privileges:false, seccomp:unconfined, apparmor:unconfined]
    read_only: false
    cgroup_parent: custom
    healthcheck: {disable: true}
    restart: on-failure
    x-vmlint: {tier: high}
    sysctls: [kernel.msgmax=65536]
    environment: [DB_PASSWORD=hunter2]
    ports: ["80:80"]
    tmpfs: [/run]
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock
      - /etc:/host/etc
      - /lib/modules:/lib/modules
      - .:/app
      - type: bind
        source: /srv/media
        target: /media
        bind: {propagation: rshared}
      - shared:/data
  worker:
    image: worker:stable
    volumes: [shared:/data]
  scaled:
    image: scaled:1.0
    container_name: fixed
    ports: ["8080:80"]
    deploy: {replicas: 2}
  db:
    image: postgres:16
    environment: {POSTGRES_HOST_AUTH_METHOD: trust}
  built:
    build: .
volumes:
  shared: {}
  hostdir:
    driver_opts: {type: none, o: bind, device: /etc/app}
"""

# Kubernetes words that have a Compose equivalent (a Compose user never writes these).
KUBERNETES_WORDS = re.compile(
    r"allowPrivilegeEscalation|securityContext|(?<!deploy\.)resources\.(limits|requests)|livenessProbe|"
    r"liveness probe|readinessProbe|hostPath|hostPID|hostIPC|hostNetwork|runAsUser|runAsNonRoot|"
    r"readOnlyRootFilesystem|emptyDir|sizeLimit|\bpods?\b|^container |the workload|^volume \S+ mounts"
)


def compose_messages(report_paths: list[Path], cwd: Path) -> list[tuple[str, str]]:
    report = lint(report_paths, cwd=cwd)
    return [(f.policy, f.message) for f in report.findings if f.object is not None and f.object.format == "compose"]


def test_every_compose_policy_speaks_compose(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(EVERYTHING)
    found = compose_messages([tmp_path / "compose.yaml"], tmp_path)
    assert [(policy, message) for policy, message in found if KUBERNETES_WORDS.search(message)] == []
    compose_policies = {p.id for p in POLICIES if "compose" in p.formats and not p.id.startswith("VM00")}
    assert compose_policies - {policy for policy, _ in found} == set()


@pytest.mark.corpus
def test_real_compose_projects_speak_compose() -> None:
    found = compose_messages([CORPUS], ROOT)
    assert found
    assert [(policy, message) for policy, message in found if KUBERNETES_WORDS.search(message)] == []


def test_compose_words_for_the_common_findings(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(EVERYTHING)
    messages = {message for _, message in compose_messages([tmp_path / "compose.yaml"], tmp_path)}
    assert {
        "service web sets no-new-privileges:false",
        "service worker does not set security_opt no-new-privileges:true",
        "service web disables its healthcheck",
        "service worker has no healthcheck",
        "service web has no memory limit (deploy.resources.limits.memory or mem_limit)",
        "service web has no CPU limit (deploy.resources.limits.cpus or cpus)",
        "service web bind-mounts the container runtime socket /var/run/docker.sock",
        "service web bind-mounts the host directory /etc",
        "volume hostdir binds the host path /etc/app",
        "service web shares the host's PID namespace",
        "tmpfs mount /run has no size limit",
        "service web sets read_only: false",
    } <= messages
