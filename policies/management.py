"""Management: patching, health and reproducibility."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vmlint.compose.syntax import service_of
from vmlint.fixes import set_
from vmlint.model import Workload
from vmlint.numbers import NON_NEGATIVE_INT32, int_or_none
from vmlint.policy import Example, Hit, Option, Policy, Settings, policy
from vmlint.source import Path

from . import _fixes as fixes
from ._facts import fixing, hit
from ._images import images
from ._terms import named_unit, term
from .lifecycle import POLICIES as LIFECYCLE_POLICIES


@policy(
    id="VM801",
    name="image-without-digest",
    tradeoff="management",
    severity="info",
    summary="An image is not pinned by a digest (`@sha256:...`).",
    rationale=(
        "Tags can be moved: the same manifest may pull different bytes tomorrow, which defeats review, "
        "provenance and rollback. A digest names exactly one image."
    ),
    remediation="Reference images as `name:tag@sha256:<digest>` (tools such as crane or Renovate keep digests fresh).",
    formats=("kubernetes", "compose", "kubevirt"),
    related={"kics": ("7c81d34c-8e5a-402b-9798-9f442630e678",), "checkov": ("CKV_K8S_43",)},
    notes=(
        "Info by default: raise its severity in the config where digests are required. Any `@digest` counts as a "
        "pin; a malformed digest fails at pull time, not silently."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="image: nginx:1.27.2",
            good="image: nginx:1.27.2@sha256:0000000000000000000000000000000000000000000000000000000000000000",
        ),
    ),
)
def image_without_digest(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for image, unit in images(workload):
        if image.ref is not None and not image.digest:
            yield Hit(image.path, f"image {image.ref} of {unit} is not pinned by digest", unit=unit)


@policy(
    id="VM802",
    name="liveness-probe-missing",
    tradeoff="management",
    severity="warning",
    summary="A long-running container has no liveness probe.",
    rationale=(
        "Without a liveness probe a hung process keeps its pod Running forever; nothing restarts it. The "
        "orchestrator can only heal what it can observe."
    ),
    remediation=(
        "Add a `livenessProbe` (HTTP, TCP or exec) that fails when the process cannot recover by itself "
        "(Compose: a `healthcheck`)."
    ),
    formats=("kubernetes", "compose"),
    related={
        "kics": ("ade74944-a674-4e00-859e-c6eab5bde441", "698ed579-b239-4f8f-a388-baa4bcb13ef8"),
        "polaris": ("livenessProbeMissing",),
        "kube-linter": ("no-liveness-probe",),
        "checkov": ("CKV_K8S_8",),
    },
    notes=(
        "Init containers and the pods of Jobs and CronJobs run to completion and are not checked. Compose: a "
        "service without `healthcheck`, or with `disable: true` or test `NONE`; a HEALTHCHECK in the image is "
        "not visible to vmlint."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="containers:\n- name: web\n  image: web:1.2",
            good="containers:\n- name: web\n  image: web:1.2\n  livenessProbe:\n    httpGet:\n      path: /healthz\n"
            "      port: 8080",
        ),
    ),
)
def liveness_probe_missing(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if workload.role != "service":
        return
    for unit in workload.units:
        if unit.kind == "container" and unit.liveness_probe.value is False:
            probe = term(workload, "liveness probe")
            shown = f"disables its {probe}" if unit.liveness_probe.explicit else f"has no {probe}"
            yield hit(workload, unit.liveness_probe, f"{named_unit(workload, unit.name)} {shown}", unit.name)


@policy(
    id="VM803",
    name="readiness-probe-missing",
    tradeoff="management",
    severity="warning",
    summary="A long-running container has no readiness probe.",
    rationale=(
        "Without a readiness probe traffic reaches a pod as soon as its process starts, and keeps reaching it "
        "while it is overloaded or draining: rollouts and restarts become visible errors."
    ),
    remediation="Add a `readinessProbe` that succeeds only when the container can serve requests.",
    formats=("kubernetes",),
    related={
        "kics": ("a659f3b5-9bf0-438a-bd9a-7d3a6427f1e3",),
        "polaris": ("readinessProbeMissing",),
        "kube-linter": ("no-readiness-probe",),
        "checkov": ("CKV_K8S_9",),
    },
    notes="Init containers and the pods of Jobs and CronJobs are not checked.",
    examples=(
        Example(
            "kubernetes",
            bad="containers:\n- name: web\n  image: web:1.2",
            good="containers:\n- name: web\n  image: web:1.2\n  readinessProbe:\n    httpGet:\n      path: /ready\n"
            "      port: 8080",
        ),
    ),
)
def readiness_probe_missing(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if workload.role != "service":
        return
    for unit in workload.units:
        if unit.kind == "container" and unit.readiness_probe.value is False:
            yield hit(workload, unit.readiness_probe, f"container {unit.name} has no readiness probe", unit.name)


POLICIES: tuple[Policy, ...] = (image_without_digest, liveness_probe_missing, readiness_probe_missing)


def _restart_counts(service: dict[str, Any], path: Path) -> Iterator[tuple[Path, str, int | None]]:
    """(path, source, retries) for each on-failure restart setting; retries None when unbounded."""
    restart = service.get("restart")
    if isinstance(restart, str) and restart.strip().startswith("on-failure") and "${" not in restart:
        _, _, count = restart.strip().partition(":")
        number = int_or_none(count, bounds=NON_NEGATIVE_INT32)
        if not count.strip() or number is not None:  # an invalid count is VM008 (the Compose normaliser)
            yield (*path, "restart"), "restart", number
    deploy = service.get("deploy")
    policy_ = deploy.get("restart_policy") if isinstance(deploy, dict) else None
    if isinstance(policy_, dict) and policy_.get("condition") == "on-failure":
        attempts = policy_.get("max_attempts")
        where = (*path, "deploy", "restart_policy", "max_attempts" if "max_attempts" in policy_ else "condition")
        number = int_or_none(attempts, bounds=NON_NEGATIVE_INT32)
        if attempts is None or number is not None:
            yield where, "deploy.restart_policy", number


@policy(
    id="VM820",
    name="on-failure-retries",
    tradeoff="management",
    severity="info",
    summary="An on-failure restart policy retries without bound, or a number of times other than the configured one.",
    rationale=(
        "A container that keeps crashing and restarting hides the failure from monitoring and burns the host's "
        "resources; a small, fixed number of retries (CIS Docker Benchmark 5.14: 5) restarts transient failures "
        "and then lets the failure show."
    ),
    remediation="Use `restart: on-failure:5` (or `deploy.restart_policy.max_attempts: 5`).",
    formats=("compose",),
    options={"retries": Option(5, "The retry count on-failure policies must use.", minimum=1, maximum=1000)},
    related={"kics": ("2fc99041-ddad-49d5-853f-e35e70a48391",)},
    notes="KICS flags counts other than 5 only; vmlint also flags `on-failure` without a count, which never stops.",
    examples=(
        Example(
            "compose",
            bad="services:\n  app:\n    image: app:1.2\n    restart: on-failure:10",
            good="services:\n  app:\n    image: app:1.2\n    restart: on-failure:5",
        ),
    ),
)
def on_failure_retries(workload: Workload, settings: Settings) -> Iterator[Hit]:
    found = service_of(workload)
    if found is None:
        return
    wanted = int(settings["retries"])
    for path, source, retries in _restart_counts(*found):
        if retries is None:
            yield Hit(path, f"{source} restarts on failure without a retry limit (use {wanted})")
        elif retries != wanted:
            yield Hit(path, f"{source} retries {retries} times on failure, not {wanted}")


def _run_to_completion(workload: Workload, name: str) -> bool:
    """Another service waits for ``name`` to exit successfully: it is a one-shot task (migration, seeding)."""
    services = workload.document.get("services") if isinstance(workload.document, dict) else None
    for other in services.values() if isinstance(services, dict) else ():
        depends = other.get("depends_on") if isinstance(other, dict) else None
        wanted = depends.get(name) if isinstance(depends, dict) else None
        if isinstance(wanted, dict) and wanted.get("condition") == "service_completed_successfully":
            return True
    return False


@policy(
    id="VM821",
    name="restart-policy-missing",
    tradeoff="management",
    severity="warning",
    summary="A Compose service sets neither `restart` nor `deploy.restart_policy`: nothing restarts it.",
    rationale=(
        "Without a restart policy a crashed container stays down, and after a daemon restart or a host reboot the "
        "whole stack stays down until someone runs `docker compose up` again. A VM's service manager restarts its "
        "services; on a Docker host the restart policy is the only supervisor."
    ),
    remediation=(
        "Set `restart: unless-stopped` (or `on-failure:5`, or `deploy.restart_policy`) on long-running services, "
        'and `restart: "no"` on one-shot tasks to say they are meant to exit.'
    ),
    formats=("compose",),
    fix=fixes.RESTART_UNLESS_STOPPED,
    notes=(
        'Exempt: any explicit `restart`, `restart: "no"` included, and services that another service waits for '
        "with `condition: service_completed_successfully` (one-shot by declaration). Services behind `profiles` "
        'are checked like the others: a tool run with `docker compose run` says so with `restart: "no"`. '
        "The finding points at the service's name."
    ),
    examples=(
        Example(
            "compose",
            bad="services:\n  app:\n    image: app:1.2",
            good="services:\n  app:\n    image: app:1.2\n    restart: unless-stopped",
        ),
    ),
)
def restart_policy_missing(workload: Workload, settings: Settings) -> Iterator[Hit]:
    found = service_of(workload)
    if found is None:
        return
    service, path = found
    deploy = service.get("deploy")
    if "restart" in service or (isinstance(deploy, dict) and "restart_policy" in deploy):
        return
    if not _run_to_completion(workload, workload.name):
        yield Hit(path, f"service {workload.name} sets no restart policy (restart or deploy.restart_policy)", key=True)


# Compose-only policies (docs/decisions/0007-compose-projects.md).
POLICIES += (on_failure_retries, restart_policy_missing)


@policy(
    id="VM804",
    name="image-pull-policy-not-always",
    tradeoff="management",
    severity="info",
    summary="A container's effective imagePullPolicy is not Always.",
    rationale=(
        "With IfNotPresent or Never the node's image cache serves the image: any pod on that node can start a "
        "private image it holds no pull credentials for, and a re-pushed tag is never fetched again."
    ),
    remediation="Set `imagePullPolicy: Always` (pulls are cheap: only the manifest is fetched when layers are cached).",
    formats=("kubernetes",),
    fix=fixes.PULL_ALWAYS,
    related={
        "kics": ("caa3479d-885d-4882-9aac-95e5e78ef5c2",),
        "polaris": ("pullPolicyNotAlways",),
        "checkov": ("CKV_K8S_15",),
    },
    notes=(
        "An unset policy is read as Kubernetes defaults it: Always for the tag latest or no tag (without a digest), "
        "IfNotPresent otherwise."
    ),
    examples=(
        Example(
            "kubernetes",
            bad="image: app:1.2\nimagePullPolicy: IfNotPresent",
            good="image: app:1.2\nimagePullPolicy: Always",
        ),
    ),
)
def image_pull_policy_not_always(workload: Workload, settings: Settings) -> Iterator[Hit]:
    for unit in workload.containers():
        fact, image = unit.image_pull_policy, unit.image
        if fact is None or image is None or (fact.value is None and fact.explicit):
            continue
        if fact.explicit:
            if fact.value != "Always":
                yield Hit(fact.path, f"container {unit.name} pulls with {fact.value}", unit=unit.name)
        elif image.ref is not None and (image.digest or (image.tag or "latest") != "latest"):
            message = f"container {unit.name} pulls with IfNotPresent (the default for a pinned image)"
            yield fixing(hit(workload, fact, message, unit.name), fixes.PULL_ALWAYS, set_(fact.path, "Always"))


POLICIES += (image_pull_policy_not_always,)


@policy(
    id="VM830",
    name="vm-without-patch-step",
    tradeoff="management",
    severity="warning",
    summary="An image build or a cloud-config never upgrades the guest's packages.",
    rationale=(
        "A VM carries a whole OS that nobody rebuilds on every release the way container images are. An image "
        "built from an installer ISO, or a guest booted from a cloud image, starts with the vulnerabilities fixed "
        "since the ISO was cut unless the build or first boot upgrades packages."
    ),
    remediation=(
        "Packer: add a provisioner that upgrades packages (apt-get -y upgrade, dnf -y update, Windows Update). "
        "cloud-init: set `package_upgrade: true`."
    ),
    formats=("packer", "cloud-init", "kubevirt"),
    examples=(
        Example(
            "cloud-init",
            bad="#cloud-config\npackages:\n  - nginx",
            good="#cloud-config\npackage_update: true\npackage_upgrade: true\npackages:\n  - nginx",
        ),
        Example(
            "packer",
            bad='build {\n  sources = ["source.qemu.base"]\n  provisioner "shell" {\n'
            '    inline = ["apt-get install -y nginx"]\n  }\n}',
            good='build {\n  sources = ["source.qemu.base"]\n  provisioner "shell" {\n'
            '    inline = ["apt-get update", "apt-get -y upgrade"]\n  }\n}',
        ),
    ),
    notes=(
        "A patch step is an upgrade command in a provisioner or runcmd/bootcmd, a script whose name says "
        "update/upgrade/patch, an upgrade command inside a provisioner's `script`/`scripts` file in the "
        "repository (read as text, never run), or cloud-init package_upgrade/apt_upgrade. Lines that turn updates "
        "off (`systemctl disable unattended-upgrades`, `dis-updates.bat`) are not. Packer builds in other "
        "*.pkr.hcl files of the same directory count; `null` builders build no image and are not reported. "
        "KubeVirt VMs are checked only when they embed a cloud-config."
    ),
)
def vm_without_patch_step(workload: Workload, settings: Settings) -> Iterator[Hit]:
    step = workload.vm.patch_step if workload.vm else None
    if step is not None and step.value is False:
        what = "the image build" if workload.role == "image-build" else "the cloud-config"
        yield Hit(step.path, f"{what} has no package upgrade step")


POLICIES += (vm_without_patch_step,)

# Kubernetes lifecycle checks of this family live in their own module (policies/lifecycle.py).
POLICIES += LIFECYCLE_POLICIES
