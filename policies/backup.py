"""Backup and disaster recovery: state with no way back."""

from __future__ import annotations

from collections.abc import Iterator

from vmlint.model import Workload
from vmlint.policy import Example, Hit, Option, Policy, Settings, policy

POLICIES: tuple[Policy, ...] = ()

DATABASE_IMAGES = (
    "postgres",
    "postgis/postgis",
    "mysql",
    "mariadb",
    "mongo",
    "redis",
    "elasticsearch",
    "opensearchproject/opensearch",
    "cassandra",
    "couchdb",
    "influxdb",
    "neo4j",
    "clickhouse/clickhouse-server",
    "cockroachdb/cockroach",
    "mcr.microsoft.com/mssql/server",
    "timescale/timescaledb",
    "rabbitmq",
    "minio/minio",
)


def _repository_name(repository: str) -> str:
    """``docker.io/library/postgres`` -> ``postgres``; registries other than Docker Hub are kept."""
    for prefix in ("docker.io/library/", "docker.io/", "library/", "index.docker.io/library/"):
        if repository.startswith(prefix):
            return repository[len(prefix) :]
    return repository


@policy(
    id="VM901",
    name="database-without-named-volume",
    tradeoff="backup",
    severity="warning",
    summary="A Compose database service keeps its data in no named volume or host directory.",
    rationale=(
        "Without a named volume the database writes into an anonymous volume or the container layer: "
        "`docker compose down -v`, a recreated container or `--renew-anon-volumes` deletes the data, and there is "
        "no stable name to back up."
    ),
    remediation="Mount a named volume at the data directory (e.g. `db-data:/var/lib/postgresql/data`) and back it up.",
    formats=("compose",),
    options={"images": Option(list(DATABASE_IMAGES), "Image repositories that hold state.")},
    examples=(
        Example(
            "compose",
            bad="services:\n  db:\n    image: postgres:16",
            good="services:\n  db:\n    image: postgres:16\n    volumes: [db-data:/var/lib/postgresql/data]\n"
            "volumes:\n  db-data:",
        ),
    ),
)
def database_without_named_volume(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if workload.format != "compose" or workload.kind != "service":
        return
    images = set(settings["images"])
    for unit in workload.containers():
        if unit.image is None or unit.image.repository is None:
            continue
        if _repository_name(unit.image.repository) not in images:
            continue
        if any(volume.kind in ("persistent", "host") for volume in workload.volumes):
            continue
        yield Hit(unit.image.path, f"database image {unit.image.repository} has no named volume for its data")


# Compose-only policies (docs/decisions/0007-compose-projects.md).
POLICIES += (database_without_named_volume,)
