"""Kubernetes objects onto the workload model: one Workload per object (pod-bearing, or an ``object`` beside them)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import EnvVar, Fact, Host, Mount, Port, Resources, Scaling, ServiceAccount, Unit, Volume, Workload, unset
from ..numbers import NON_NEGATIVE_INT32, PORT
from ..source import Path
from .common import Classifier, parse_image
from .kubevirt import is_kubevirt_object, is_openshift_template
from .reader import Reader

POD_SPEC_PATHS: dict[str, Path] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "PodTemplate": ("template", "spec"),
}
# Custom resources that embed a pod spec, matched on API group and kind (never on the kind alone).
GROUP_POD_SPEC_PATHS: dict[tuple[str, str], Path] = {
    ("serving.knative.dev", "Service"): ("spec", "template", "spec"),
    ("serving.knative.dev", "Configuration"): ("spec", "template", "spec"),
    ("serving.knative.dev", "Revision"): ("spec",),
    ("sources.knative.dev", "ContainerSource"): ("spec", "template", "spec"),
    ("keda.sh", "ScaledJob"): ("spec", "jobTargetRef", "template", "spec"),
    ("apps.openshift.io", "DeploymentConfig"): ("spec", "template", "spec"),
    ("", "DeploymentConfig"): ("spec", "template", "spec"),  # OpenShift 3 served it as apiVersion v1
}
# Where a custom resource (its API group has a dot and is not Kubernetes's own ``*.k8s.io``) may carry a pod
# template: it is a workload when a ``containers`` list is there.
SHAPE_POD_SPEC_PATHS: tuple[Path, ...] = (
    ("spec", "template", "spec"),
    ("spec", "jobTemplate", "spec", "template", "spec"),
    ("spec", "jobTargetRef", "template", "spec"),
)
# Custom controllers with the semantics of a built-in one (replicas, selectors, budgets as for that kind).
ACTS_AS: dict[tuple[str, str], str] = {
    ("apps.openshift.io", "DeploymentConfig"): "Deployment",
    ("", "DeploymentConfig"): "Deployment",
    ("argoproj.io", "Rollout"): "Deployment",
    ("apps.kruise.io", "CloneSet"): "Deployment",
    ("apps.kruise.io", "StatefulSet"): "StatefulSet",
    ("apps.kruise.io", "DaemonSet"): "DaemonSet",
    ("apps.kruise.io", "BroadcastJob"): "Job",
    ("apps.kruise.io", "AdvancedCronJob"): "CronJob",
    ("keda.sh", "ScaledJob"): "Job",
}
REPLICATED_KINDS = {"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"}
JOB_KINDS = {"Job", "CronJob"}
UNIT_LISTS = (("initContainers", "init"), ("containers", "container"), ("ephemeralContainers", "ephemeral"))
APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/"
SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod"
SECCOMP_CONTAINER_ANNOTATION = "container.seccomp.security.alpha.kubernetes.io/"
LEGACY_PROFILES = {"runtime/default": "RuntimeDefault", "docker/default": "RuntimeDefault", "unconfined": "Unconfined"}


def is_kubernetes_object(root: Any) -> bool:
    """A mapping with string ``apiVersion`` and ``kind``."""
    return isinstance(root, dict) and isinstance(root.get("apiVersion"), str) and isinstance(root.get("kind"), str)


def api_group(obj: dict[str, Any]) -> str:
    """The API group of an object's apiVersion ("" for the core group)."""
    version: str = obj["apiVersion"]
    return version.rsplit("/", 1)[0] if "/" in version else ""


def pod_spec_path(obj: dict[str, Any], extra: Mapping[str, Path] | None = None) -> Path | None:
    """Where an object keeps its pod spec, or None for objects without one.

    Built-in kinds and known custom resources have a fixed place; ``extra`` (config ``pod-spec-paths``, keyed by
    ``group/Kind`` or ``Kind``) adds others; any other custom resource is a workload when one of the places of
    ``SHAPE_POD_SPEC_PATHS`` holds a ``containers`` list.
    """
    group, kind = api_group(obj), obj["kind"]
    if extra:
        configured = extra.get(f"{group}/{kind}") if group else None
        configured = configured or extra.get(kind)
        if configured is not None:
            return configured
    found = GROUP_POD_SPEC_PATHS.get((group, kind))
    if found is not None or group.endswith("knative.dev"):
        return found
    known = POD_SPEC_PATHS.get(kind)
    if known is not None:
        return known
    if "." not in group or group.endswith(".k8s.io"):
        return None
    return next((path for path in SHAPE_POD_SPEC_PATHS if _has_containers(obj, path)), None)


def _has_containers(obj: dict[str, Any], path: Path) -> bool:
    node: Any = obj
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    return isinstance(node, dict) and isinstance(node.get("containers"), list)


def acts_as(obj: dict[str, Any], spec_path: Path) -> str:
    """The built-in controller kind whose semantics the object has ("" when none is known)."""
    kind = obj["kind"]
    known = ACTS_AS.get((api_group(obj), kind))
    if known is not None:
        return known
    if kind in POD_SPEC_PATHS:
        return str(kind)
    if "jobTemplate" in spec_path:
        return "CronJob"
    if "jobTargetRef" in spec_path:
        return "Job"
    spec = obj.get("spec")
    replicated = spec_path == ("spec", "template", "spec") and isinstance(spec, dict) and "replicas" in spec
    return "Deployment" if replicated else ""


def workload_ref(obj: dict[str, Any]) -> tuple[str, str] | None:
    """The (kind, name) an Argo Rollout's ``spec.workloadRef`` takes its pod template from, if any."""
    if api_group(obj) != "argoproj.io" or obj["kind"] != "Rollout":
        return None
    spec = obj.get("spec")
    ref = spec.get("workloadRef") if isinstance(spec, dict) else None
    if not isinstance(ref, dict) or not isinstance(ref.get("kind"), str) or not isinstance(ref.get("name"), str):
        return None
    return ref["kind"], ref["name"]


AnnotationSources = list[tuple[Mapping[str, Any], Path]]


def _annotation(sources: AnnotationSources, key: str) -> tuple[Any, Path] | None:
    """An annotation's value and path, from the most specific metadata that sets it."""
    for mapping, path in sources:
        if mapping.get(key) is not None:
            return mapping[key], path + (key,)
    return None


def legacy_profile(text: str) -> str:
    """A seccomp or AppArmor annotation value in the vocabulary of the securityContext fields."""
    return LEGACY_PROFILES.get(text, "Localhost" if text.startswith("localhost/") else text)


def _inherit(container_fact: Fact[Any], pod_fact: Fact[Any]) -> Fact[Any]:
    """A container setting overrides the pod's; an unset one falls back to it."""
    return container_fact if container_fact.explicit or not pod_fact.explicit else pod_fact


class KubernetesNormalizer:
    """Builds workloads from one Kubernetes object."""

    def __init__(self, classifier: Classifier, file: str) -> None:
        self.classifier = classifier
        self.file = file
        self.reader = Reader(yaml_one_one_bools=True)

    def workloads(self, obj: dict[str, Any]) -> list[Workload]:
        """The workload of an object; KubeVirt objects and templates are left to the KubeVirt normaliser."""
        kind = obj["kind"]
        if is_kubevirt_object(obj) or is_openshift_template(obj):
            return []
        spec_path = pod_spec_path(obj, self.classifier.pod_spec_paths)
        if spec_path is None:
            return [self.object_workload(obj)]
        controller = acts_as(obj, spec_path)
        read = self.reader
        meta = read.map(obj, (), "metadata")
        node: Any = obj
        walked: Path = ()
        for part in spec_path[:-1]:
            node = read.map(node, walked, str(part))
            walked += (part,)
        pod_meta_path = walked + ("metadata",)
        pod = read.map(node, walked, str(spec_path[-1]))
        labels = read.map(meta, ("metadata",), "labels")
        annotations = read.map(meta, ("metadata",), "annotations")
        # Most specific first: the pod template's metadata, then the object's (one and the same for a bare pod spec).
        sources: AnnotationSources = [(labels, ("metadata", "labels")), (annotations, ("metadata", "annotations"))]
        pod_labels, pod_annotations = labels, annotations
        if len(spec_path) > 1:
            pod_meta = read.map(node, walked, "metadata")
            pod_labels = read.map(pod_meta, pod_meta_path, "labels")
            pod_annotations = read.map(pod_meta, pod_meta_path, "annotations")
            sources = [
                (pod_labels, pod_meta_path + ("labels",)),
                (pod_annotations, pod_meta_path + ("annotations",)),
                *sources,
            ]
        tier = self.classifier.tier(sources)
        annotation_sources = [source for source in sources if source[1][-1] == "annotations"]
        runtime = read.text(pod, spec_path, "runtimeClassName")
        name = meta.get("name")
        namespace = meta.get("namespace")
        merged_annotations = {**annotations, **pod_annotations}
        return [
            Workload(
                format="kubernetes",
                kind=kind,
                name=str(name) if name is not None else "<unnamed>",
                namespace=str(namespace) if namespace is not None else None,
                file=self.file,
                document=obj,
                path=(),
                role="job" if controller in JOB_KINDS else "service",
                tier=tier,
                isolation=self.classifier.isolation(runtime),
                runtime=runtime if runtime.explicit else unset("runc", runtime.path),
                labels={**labels, **pod_labels},
                annotations=merged_annotations,
                units=self.units(pod, spec_path, annotation_sources),
                host=self.host(pod, spec_path),
                volumes=self.volumes(pod, spec_path),
                scaling=self.scaling(obj, controller),
                service_account=ServiceAccount(
                    name=read.text(pod, spec_path, "serviceAccountName"),
                    automount_token=read.boolean(pod, spec_path, "automountServiceAccountToken", True),
                ),
                node_name=read.text(pod, spec_path, "nodeName"),
                pod_spec_path=spec_path,
                acts_as=controller,
            )
        ]

    def object_workload(self, obj: dict[str, Any]) -> Workload:
        """Any other object (Service, Ingress, NetworkPolicy, HPA, PDB, RBAC ...): no units, role ``object``.

        Policies over such objects read its document; policies over containers find nothing to check.
        """
        read = self.reader
        meta = read.map(obj, (), "metadata")
        name = meta.get("name")
        namespace = meta.get("namespace")
        return Workload(
            format="kubernetes",
            kind=obj["kind"],
            name=str(name) if name is not None else "<unnamed>",
            namespace=str(namespace) if namespace is not None else None,
            file=self.file,
            document=obj,
            path=(),
            role="object",
            tier=Fact(None, ("metadata",)),
            isolation="container",
            runtime=Fact(None, ()),
            labels=read.map(meta, ("metadata",), "labels"),
            annotations=read.map(meta, ("metadata",), "annotations"),
            scaling=self.scaling(obj, "Deployment") if workload_ref(obj) else None,
        )

    def scaling(self, obj: dict[str, Any], controller: str) -> Scaling | None:
        if controller not in REPLICATED_KINDS:
            return None
        return Scaling(
            replicas=self.reader.integer(
                self.reader.map(obj, (), "spec"), ("spec",), "replicas", 1, bounds=NON_NEGATIVE_INT32
            )
        )

    def host(self, pod: dict[str, Any], path: Path) -> Host:
        read = self.reader
        sysctls = []
        context = read.map(pod, path, "securityContext")
        for index, item in read.maps(context, path + ("securityContext",), "sysctls"):
            sysctls.append(read.text(item, path + ("securityContext", "sysctls", index), "name"))
        return Host(
            network=read.boolean(pod, path, "hostNetwork", False),
            pid=read.boolean(pod, path, "hostPID", False),
            ipc=read.boolean(pod, path, "hostIPC", False),
            uts=unset(False, path),
            userns=read.boolean(pod, path, "hostUsers", True),
            sysctls=tuple(sysctls),
        )

    def volumes(self, pod: dict[str, Any], path: Path) -> tuple[Volume, ...]:
        out = []
        for index, item in self.reader.maps(pod, path, "volumes"):
            where = path + ("volumes", index)
            name = str(item.get("name", f"volume-{index}"))
            host_path = item.get("hostPath")
            if isinstance(host_path, dict):
                raw = host_path.get("path")
                out.append(
                    Volume(name, "host", where + ("hostPath", "path"), host_path=str(raw) if raw is not None else None)
                )
            elif "emptyDir" in item:
                empty = item["emptyDir"] if isinstance(item["emptyDir"], dict) else {}
                limit = empty.get("sizeLimit")
                out.append(Volume(name, "ephemeral", where + ("emptyDir",), size_limit=str(limit) if limit else None))
            elif "persistentVolumeClaim" in item or "ephemeral" in item:
                out.append(Volume(name, "persistent", where))
            elif any(key in item for key in ("configMap", "secret", "projected", "downwardAPI")):
                out.append(Volume(name, "config", where))
            else:
                out.append(Volume(name, "other", where))
        return tuple(out)

    def units(self, pod: dict[str, Any], path: Path, annotations: AnnotationSources) -> tuple[Unit, ...]:
        read = self.reader
        pod_context_path = path + ("securityContext",)
        pod_context = read.map(pod, path, "securityContext")
        pod_facts: dict[str, Fact[Any]] = {
            "run_as_non_root": read.boolean(pod_context, pod_context_path, "runAsNonRoot", False),
            "run_as_user": read.integer(pod_context, pod_context_path, "runAsUser", bounds=NON_NEGATIVE_INT32),
            "seccomp": self.seccomp(pod_context, pod_context_path, _annotation(annotations, SECCOMP_POD_ANNOTATION)),
            "apparmor": read.text(
                read.map(pod_context, pod_context_path, "appArmorProfile"),
                pod_context_path + ("appArmorProfile",),
                "type",
            ),
        }
        units = []
        for list_key, unit_kind in UNIT_LISTS:
            for index, container in read.maps(pod, path, list_key):
                units.append(self.unit(container, path + (list_key, index), unit_kind, pod_facts, annotations))
        return tuple(units)

    def seccomp(self, context: dict[str, Any], path: Path, legacy: tuple[Any, Path] | None) -> Fact[str]:
        profile = self.reader.map(context, path, "seccompProfile")
        fact = self.reader.text(profile, path + ("seccompProfile",), "type")
        if fact.explicit or legacy is None:
            return fact
        return Fact(legacy_profile(str(legacy[0])), legacy[1])

    def unit(
        self,
        container: dict[str, Any],
        path: Path,
        kind: str,
        pod_facts: dict[str, Fact[Any]],
        annotations: AnnotationSources,
    ) -> Unit:
        read = self.reader
        name = str(container.get("name", path[-1]))
        context_path = path + ("securityContext",)
        context = read.map(container, path, "securityContext")
        caps_path = context_path + ("capabilities",)
        caps = read.map(context, context_path, "capabilities")
        resources = read.map(container, path, "resources")
        requests = read.map(resources, path + ("resources",), "requests")
        limits = read.map(resources, path + ("resources",), "limits")
        requests_path = path + ("resources", "requests")
        limits_path = path + ("resources", "limits")
        apparmor = read.text(
            read.map(context, context_path, "appArmorProfile"), context_path + ("appArmorProfile",), "type"
        )
        legacy_apparmor = _annotation(annotations, APPARMOR_ANNOTATION + name)
        if not apparmor.explicit and legacy_apparmor is not None:
            apparmor = Fact(legacy_profile(str(legacy_apparmor[0])), legacy_apparmor[1])
        seccomp = self.seccomp(context, context_path, _annotation(annotations, SECCOMP_CONTAINER_ANNOTATION + name))
        return Unit(
            name=name,
            kind=kind,  # type: ignore[arg-type]
            path=path,
            image=parse_image(container.get("image"), path + ("image",)),
            privileged=read.boolean(context, context_path, "privileged", False),
            allow_privilege_escalation=read.boolean(context, context_path, "allowPrivilegeEscalation", True),
            run_as_non_root=_inherit(
                read.boolean(context, context_path, "runAsNonRoot", False), pod_facts["run_as_non_root"]
            ),
            run_as_user=_inherit(
                read.integer(context, context_path, "runAsUser", bounds=NON_NEGATIVE_INT32), pod_facts["run_as_user"]
            ),
            read_only_root=read.boolean(context, context_path, "readOnlyRootFilesystem", False),
            cap_add=read.strings(caps, caps_path, "add"),
            cap_drop=read.strings(caps, caps_path, "drop"),
            capabilities_path=caps_path,
            seccomp=_inherit(seccomp, pod_facts["seccomp"]),
            apparmor=_inherit(apparmor, pod_facts["apparmor"]),
            resources=Resources(
                cpu_request=read.text(requests, requests_path, "cpu"),
                cpu_limit=read.text(limits, limits_path, "cpu"),
                memory_request=read.text(requests, requests_path, "memory"),
                memory_limit=read.text(limits, limits_path, "memory"),
            ),
            liveness_probe=Fact(True, path + ("livenessProbe",))
            if "livenessProbe" in container
            else unset(False, path + ("livenessProbe",)),
            readiness_probe=Fact(True, path + ("readinessProbe",))
            if "readinessProbe" in container
            else unset(False, path + ("readinessProbe",)),
            env=self.env(container, path),
            ports=self.ports(container, path),
            mounts=self.mounts(container, path),
            security_context_path=context_path,
            image_pull_policy=read.text(container, path, "imagePullPolicy"),
        )

    def env(self, container: dict[str, Any], path: Path) -> tuple[EnvVar, ...]:
        out = []
        for index, item in self.reader.maps(container, path, "env"):
            where = path + ("env", index)
            value = item.get("value")
            value_from = item.get("valueFrom")
            from_secret = isinstance(value_from, dict) and "secretKeyRef" in value_from
            out.append(
                EnvVar(
                    name=str(item.get("name", "")),
                    literal=str(value) if value is not None and not isinstance(value, (dict, list)) else None,
                    path=where,
                    from_secret=from_secret,
                )
            )
        for index, item in self.reader.maps(container, path, "envFrom"):
            if "secretRef" in item:
                out.append(EnvVar(name="", literal=None, path=path + ("envFrom", index), from_secret=True))
        return tuple(out)

    def ports(self, container: dict[str, Any], path: Path) -> tuple[Port, ...]:
        out = []
        for index, item in self.reader.maps(container, path, "ports"):
            where = path + ("ports", index)
            port = self.reader.integer(item, where, "containerPort", bounds=PORT).value
            host_port = self.reader.integer(item, where, "hostPort", bounds=(0, PORT[1])).value
            out.append(
                Port(
                    port=port,
                    path=where,
                    protocol=str(item.get("protocol", "TCP")),
                    host_port=host_port,
                    host_ip=item.get("hostIP"),
                )
            )
        return tuple(out)

    def mounts(self, container: dict[str, Any], path: Path) -> tuple[Mount, ...]:
        out = []
        for index, item in self.reader.maps(container, path, "volumeMounts"):
            target = item.get("mountPath")
            out.append(
                Mount(
                    volume=str(item.get("name", "")),
                    target=str(target) if target is not None else None,
                    path=path + ("volumeMounts", index),
                    read_only=item.get("readOnly") is True,
                )
            )
        return tuple(out)
