"""Development workflow: development settings shipped to production."""

from __future__ import annotations

from collections.abc import Iterator

from vmlint.compose.syntax import service_mounts, service_of
from vmlint.model import Workload
from vmlint.policy import Example, Hit, Policy, Settings, policy

from ._facts import under
from .backup import DATABASE_IMAGES, repository_name

# Where database and queue images keep their data: a host directory mounted there is state, not source code.
DATA_DIRECTORIES = (
    "/var/lib/postgresql",
    "/var/lib/mysql",
    "/var/lib/mariadb",
    "/var/lib/mongodb",
    "/data/db",
    "/data/configdb",
    "/var/lib/redis",
    "/usr/share/elasticsearch/data",
    "/usr/share/opensearch/data",
    "/var/lib/cassandra",
    "/opt/couchdb/data",
    "/var/lib/influxdb",
    "/var/lib/influxdb2",
    "/var/lib/neo4j",
    "/var/lib/clickhouse",
    "/cockroach/cockroach-data",
    "/var/opt/mssql",
    "/var/lib/rabbitmq",
    "/bitnami",
)
# Image data directories too generic to list above, state only when the image is a database's.
DATABASE_DATA_ROOTS = ("/data", "/var/lib")

POLICIES: tuple[Policy, ...] = ()


@policy(
    id="VM951",
    name="build-without-image",
    tradeoff="workflow",
    severity="info",
    summary="A Compose service is built from source (`build:`) and names no `image:` to tag and ship.",
    rationale=(
        "A service that only builds locally is rebuilt on every host from whatever source is checked out there: "
        "what runs in production is not the image that was tested, and there is nothing to pin, scan or roll back."
    ),
    remediation="Add `image: registry/name:version` so the built image is tagged, pushed and deployed by reference.",
    formats=("compose",),
    examples=(
        Example(
            "compose",
            bad="services:\n  app:\n    build: .",
            good="services:\n  app:\n    build: .\n    image: registry.example.com/app:1.4.2",
        ),
    ),
)
def build_without_image(workload: Workload, settings: Settings) -> Iterator[Hit]:
    found = service_of(workload)
    if found is not None and found[0].get("build") is not None and found[0].get("image") is None:
        yield Hit((*found[1], "build"), f"service {workload.name} is built from source but has no image name", key=True)


def _is_source_directory(source: str) -> bool:
    """A relative host directory that is not obviously a single file (no extension on its last part)."""
    if not source.startswith("."):
        return False
    last = source.rstrip("/").rsplit("/", 1)[-1]
    return last in (".", "..") or "." not in last.lstrip(".")


@policy(
    id="VM952",
    name="source-code-bind-mount",
    tradeoff="workflow",
    severity="warning",
    summary="A Compose service bind-mounts a project directory read-write (a development setup).",
    rationale=(
        "Mounting the checkout (`.:/app`, `./src:/usr/src/app`) runs whatever code is on the host, not the image: "
        "the container is no longer reproducible, and a compromised container can rewrite the source."
    ),
    remediation="Copy the code into the image at build time; keep source mounts in a development override file.",
    formats=("compose",),
    notes=(
        "Single files (`./nginx.conf`), read-only mounts and mounts onto a data directory (a database image's, "
        "such as `./postgres14:/var/lib/postgresql/data`, or `/data` of a database image such as redis) are not "
        "flagged: those hold state, not code."
    ),
    examples=(
        Example(
            "compose",
            bad="services:\n  app:\n    image: app:1.2\n    volumes: [.:/app]",
            good="services:\n  app:\n    image: app:1.2\n    volumes: [./config:/etc/app:ro]",
        ),
    ),
)
def source_code_bind_mount(workload: Workload, settings: Settings) -> Iterator[Hit]:
    database = any(
        unit.image is not None
        and unit.image.repository is not None
        and repository_name(unit.image.repository) in DATABASE_IMAGES
        for unit in workload.containers()
    )
    for spec, _, where in service_mounts(workload):
        if spec.target and (
            under(spec.target, DATA_DIRECTORIES) or (database and under(spec.target, DATABASE_DATA_ROOTS))
        ):
            continue  # a data directory: state, which backup policies judge
        if spec.kind == "bind" and spec.source and not spec.read_only and _is_source_directory(spec.source):
            yield Hit(where, f"{spec.source} is mounted read-write at {spec.target}")


# Compose-only policies (docs/decisions/0007-compose-projects.md).
POLICIES += (build_without_image, source_code_bind_mount)
