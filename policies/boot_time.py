"""Boot time: slow-booting VMs placed where fast start is assumed."""

from __future__ import annotations

from collections.abc import Iterator

from vmlint.context import absent, autoscaled
from vmlint.model import Workload
from vmlint.policy import Example, Hit, Option, Policy, Settings, policy

from ._facts import autoscalable

POLICIES: tuple[Policy, ...] = ()


@policy(
    id="VM401",
    name="vm-pool-autoscaled",
    tradeoff="boot-time",
    severity="info",
    summary="A HorizontalPodAutoscaler scales a VirtualMachinePool or VirtualMachineInstanceReplicaSet.",
    rationale=(
        "An autoscaler adds capacity on the assumption that a new replica serves within seconds, as a container "
        "does. A VM boots a kernel, an init system and cloud-init first: minutes, during which the load that "
        "triggered the scale-up stays high, so the autoscaler keeps adding VMs it will remove again later, and "
        "the spike is over before the first new VM takes traffic."
    ),
    remediation=(
        "Keep enough running VMs for expected peaks (a higher minReplicas) and slow the autoscaler down to VM "
        "time: spec.behavior.scaleUp with a stabilizationWindowSeconds and a policy of a few VMs per period longer "
        "than the boot time. Workloads that must follow load in seconds belong in containers."
    ),
    formats=("kubevirt",),
    examples=(
        Example(
            "kubevirt",
            bad="kind: VirtualMachinePool\nmetadata:\n  name: web\n---\nkind: HorizontalPodAutoscaler\n"
            "spec:\n  scaleTargetRef:\n    kind: VirtualMachinePool\n    name: web",
            good="kind: VirtualMachinePool\nmetadata:\n  name: web\nspec:\n  replicas: 4",
        ),
    ),
    notes=(
        "Judged over the run: the autoscaler may be in any linted file (same namespace, kind and name). The "
        "autoscaler's scale-up behaviour is not read, so a tuned one is reported too; the severity is info."
    ),
)
def vm_pool_autoscaled(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if not autoscalable(workload):
        return
    yield Hit(
        ("metadata", "name"),
        f"{workload.kind} {workload.name} is autoscaled, but its VMs take minutes, not seconds, to boot",
        unless=(absent(autoscaled(workload.namespace, workload.kind, workload.name)),),
    )


@policy(
    id="VM402",
    name="liveness-probe-shorter-than-boot",
    tradeoff="boot-time",
    severity="warning",
    summary="A KubeVirt liveness probe restarts the VM before a VM can have booted.",
    rationale=(
        "KubeVirt starts a VMI's probes when the VMI starts, not when the guest has booted. With the container "
        "defaults (no initial delay, three failures ten seconds apart) a guest that needs a minute to boot and "
        "start its service fails the probe, is restarted, boots again and is restarted again: a VM that never "
        "comes up. Container probe timings do not fit VMs."
    ),
    remediation=(
        "Set livenessProbe.initialDelaySeconds to at least the guest's boot time (plus cloud-init on first boot), "
        "or raise failureThreshold x periodSeconds; keep the readinessProbe for taking traffic."
    ),
    formats=("kubevirt",),
    options={
        "boot_seconds": Option(
            60,
            "Seconds a VM needs from start until its service answers (kernel, init system, cloud-init).",
            minimum=1,
            maximum=86_400,
        )
    },
    examples=(
        Example(
            "kubevirt",
            bad="livenessProbe:\n  tcpSocket:\n    port: 22",
            good="livenessProbe:\n  initialDelaySeconds: 120\n  tcpSocket:\n    port: 22",
        ),
    ),
    notes=(
        "The time to restart is taken as initialDelaySeconds + failureThreshold x periodSeconds (defaults 0, 3, "
        "10), the longest a guest can stay silent. Readiness probes are not judged: failing them only delays traffic."
    ),
)
def liveness_probe_shorter_than_boot(workload: Workload, settings: Settings) -> Iterator[Hit]:
    budget = workload.vm.liveness_budget if workload.vm else None
    if budget is None or budget.value is None or budget.value >= settings["boot_seconds"]:
        return
    yield Hit(
        budget.path,
        f"the liveness probe restarts the VM after {budget.value} s without an answer, "
        f"less than the {settings['boot_seconds']} s a VM needs to boot",
        key=not budget.explicit,
    )


POLICIES += (
    vm_pool_autoscaled,
    liveness_probe_shorter_than_boot,
)
