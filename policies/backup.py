"""Backup and disaster recovery: state with no way back."""

from __future__ import annotations

from collections.abc import Iterator

from vmlint.model import Volume, Workload
from vmlint.policy import Example, Hit, Option, Policy, Settings, policy
from vmlint.source import get
from vmlint.vm_context import backup_facts_for

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


def repository_name(repository: str) -> str:
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
        if repository_name(unit.image.repository) not in images:
            continue
        if any(volume.kind in ("persistent", "host") for volume in workload.volumes):
            continue
        yield Hit(unit.image.path, f"database image {unit.image.repository} has no named volume for its data")


# Compose-only policies (docs/decisions/0007-compose-projects.md).
POLICIES += (database_without_named_volume,)


BACKUP_MARKS = (
    "vmlint.io/backup",
    "backup.velero.io/backup-volumes",
    "backup.velero.io/backup-volumes-excludes",
    "velero.io/exclude-from-backup",
)
_BACKUP_MARKS_OPTION = Option(
    list(BACKUP_MARKS),
    "Label or annotation keys that record a backup decision (any value, opting out included).",
)
_BACKUP_NOTES = (
    "Backed up means: a label or annotation of the `marks` option on the object or its pod/VMI template, a "
    "KubeVirt VirtualMachineSnapshot or VirtualMachineExport of it in the run, or a Velero Schedule or Backup in "
    "the run that includes its namespace (none listed or `*` means all; a Schedule that turns volume snapshots "
    "off without file-system backup does not count, and label selectors are not matched)."
)


def _marked(workload: Workload, settings: Settings) -> bool:
    marks = set(settings["marks"])
    return any(key in marks for key in (*workload.labels, *workload.annotations))


@policy(
    id="VM920",
    name="vm-disk-without-backup",
    tradeoff="backup",
    severity="info",
    summary="A KubeVirt VM keeps state on a DataVolume or PVC, and nothing in the run backs it up.",
    rationale=(
        "A VM's persistent disk holds a whole OS plus its data, configured by hand over years more often than not: "
        "exactly the state a VM was chosen for. Kubernetes re-creates pods, not disks; a deleted namespace, a "
        "broken storage class or a bad upgrade inside the guest loses it unless something snapshots or exports it."
    ),
    remediation=(
        "Back the VM up (a Velero Schedule for its namespace with the KubeVirt plugin, or VirtualMachineSnapshots) "
        "and record it: label the VM `vmlint.io/backup: velero` (or `none` when the disk is disposable)."
    ),
    formats=("kubevirt",),
    options={"marks": _BACKUP_MARKS_OPTION},
    examples=(
        Example(
            "kubevirt",
            bad="kind: VirtualMachine\nmetadata:\n  name: db\nspec:\n  template:\n    spec:\n      volumes:\n"
            "      - name: root\n        dataVolume:\n          name: db-root",
            good="kind: VirtualMachine\nmetadata:\n  name: db\n  labels:\n    vmlint.io/backup: velero-daily\n...",
        ),
    ),
    notes=_BACKUP_NOTES,
)
def vm_disk_without_backup(workload: Workload, settings: Settings) -> Iterator[Hit]:
    persistent = [volume for volume in workload.volumes if volume.kind == "persistent"]
    if not persistent or _marked(workload, settings):
        return
    names = ", ".join(volume.name for volume in persistent)
    yield Hit(
        persistent[0].path,
        f"{workload.kind} {workload.name} keeps state on volumes {names}, with no backup recorded",
        unless=backup_facts_for(workload.namespace, workload.kind, workload.name),
    )


def _written_claim(workload: Workload, volume: Volume) -> bool:
    """A PersistentVolumeClaim volume that some container mounts writable (generic ephemeral volumes are not)."""
    claim = get(workload.document, (*volume.path, "persistentVolumeClaim"))
    if not isinstance(claim, dict) or claim.get("readOnly") is True:
        return False
    mounts = [mount for unit in workload.containers() for mount in unit.mounts if mount.volume == volume.name]
    return any(not mount.read_only for mount in mounts)


@policy(
    id="VM940",
    name="stateful-workload-without-backup",
    tradeoff="backup",
    severity="info",
    summary="A long-running Kubernetes workload keeps data in PersistentVolumeClaims, and nothing backs them up.",
    rationale=(
        "Replicas and restarts protect a workload from losing pods, not from losing its volumes: a deleted "
        "namespace or PVC, a failed storage backend or a bad migration destroys the data of every replica at once. "
        "A StatefulSet's volumeClaimTemplates are where such data lives."
    ),
    remediation=(
        "Back the volumes up (a Velero Schedule for the namespace, CSI VolumeSnapshots, the database's own dumps) "
        "and record it with a `vmlint.io/backup` label, or Velero's backup.velero.io/backup-volumes annotation on "
        "the pod template."
    ),
    formats=("kubernetes",),
    options={"marks": _BACKUP_MARKS_OPTION},
    examples=(
        Example(
            "kubernetes",
            bad="kind: StatefulSet\nspec:\n  volumeClaimTemplates:\n  - metadata:\n      name: data",
            good="kind: StatefulSet\nmetadata:\n  labels:\n    vmlint.io/backup: velero-daily\nspec:\n"
            "  volumeClaimTemplates:\n  - metadata:\n      name: data",
        ),
    ),
    notes=_BACKUP_NOTES
    + " Jobs and CronJobs are not judged; generic ephemeral volumes are not state, nor claims that no container "
    "mounts writable.",
)
def stateful_workload_without_backup(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if workload.role != "service" or _marked(workload, settings):
        return
    templates = get(workload.document, ("spec", "volumeClaimTemplates")) if workload.acts_as == "StatefulSet" else None
    claims = [volume for volume in workload.volumes if volume.kind == "persistent" and _written_claim(workload, volume)]
    if isinstance(templates, list) and templates:
        path, what = ("spec", "volumeClaimTemplates"), "volumeClaimTemplates"
    elif claims:
        path, what = claims[0].path, "PersistentVolumeClaim " + ", ".join(volume.name for volume in claims)
    else:
        return
    yield Hit(
        path,
        f"{workload.kind} {workload.name} keeps data in {what}, with no backup recorded",
        key=path[-1] == "volumeClaimTemplates",
        unless=backup_facts_for(workload.namespace, workload.kind, workload.name),
    )


POLICIES += (
    vm_disk_without_backup,
    stateful_workload_without_backup,
)
