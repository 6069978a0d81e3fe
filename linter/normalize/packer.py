"""Packer templates onto the workload model: one image-build workload per source (or builder).

HCL2 (``*.pkr.hcl``): ``var.NAME`` references resolve from ``variable`` defaults in the
``*.pkr.hcl`` files of the same directory, overridden by the ``*.pkrvars.hcl`` files there
(a variable two var-files disagree on is unknown).  Build blocks anywhere in that directory
count for the patch step.  Legacy JSON (``builders``): ``{{user `NAME`}}`` resolves from
``variables``.  Anything else that is computed stays unknown.
"""

from __future__ import annotations

import re
from typing import Any

from ..model import Access, Download, Exposure, Fact, VmSpec, Workload, unset
from ..parsers.hcl import LABELS, parse_hcl
from ..parsers.yaml_tree import YamlProblem
from ..source import Path, locate
from .common import Classifier
from .guest import guest_unit, is_public
from .packer_dir import blocks, build_patches, other_builds, provisioners_patch, variables
from .reader import Reader, ShapeProblem, is_unresolved

_HCL_REF = re.compile(r"\$\{\s*var\.([A-Za-z_][\w-]*)\s*\}")
_JSON_REF = re.compile(r"\{\{\s*user\s+`([^`]+)`\s*\}\}")
PASSWORD_KEYS = ("ssh_password", "winrm_password")
UNKNOWN = object()


class _Resolver:
    """Substitutes variable references in strings; None when any part stays unresolved.

    Attributes of the wrong type are recorded in ``reader.problems`` (VM008) and read as unknown.
    """

    def __init__(self, values: dict[str, Any], pattern: re.Pattern[str]) -> None:
        self.values = values
        self.pattern = pattern
        self.reader = Reader()

    def text(self, value: Any) -> str | None:
        if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
            return None
        text = str(value)

        def sub(match: re.Match[str]) -> str:
            found = self.values.get(match.group(1), UNKNOWN)
            if found is UNKNOWN or isinstance(found, (dict, list)) or found is None:
                raise LookupError(match.group(1))
            return str(found).lower() if isinstance(found, bool) else str(found)

        try:
            text = self.pattern.sub(sub, text)
        except LookupError:
            return None
        return None if "${" in text or "{{" in text else text

    def fact(self, node: Any, path: Path, key: str) -> Fact[str]:
        if not isinstance(node, dict) or key not in node or node[key] is None:
            return unset(None, (*path, key))
        if isinstance(node[key], (bool, dict, list)):
            self.reader.wrong((*path, key), "string", node[key])
            return Fact(None, (*path, key))
        return Fact(self.text(node[key]), (*path, key))

    def boolean(self, node: Any, path: Path, key: str) -> Fact[bool]:
        if not isinstance(node, dict) or key not in node:
            return unset(None, (*path, key))
        value = node[key]
        if isinstance(value, bool):
            return Fact(value, (*path, key))
        text = self.text(value)
        lowered = text.lower() if text is not None else None
        if lowered in ("true", "false"):
            return Fact(lowered == "true", (*path, key))
        if text is not None:  # a literal that is no boolean (unresolved references stay unknown)
            self.reader.wrong((*path, key), "boolean", value)
        return Fact(None, (*path, key))

    def located(self, document: Any, file: str) -> list[YamlProblem]:
        """The recorded shape problems as located VM008 problems."""
        out = []
        for problem in self.shapes():
            where = locate(document, problem.path, file)
            out.append(YamlProblem("VM008", problem.message, where.line, where.column))
        return out

    def shapes(self) -> list[ShapeProblem]:
        """The recorded shape problems, each once (a field read for several facts is reported once)."""
        return list(dict.fromkeys(self.reader.problems))


def load_hcl(
    text: str, file: str, classifier: Classifier, path: str | None
) -> tuple[list[Workload], list[YamlProblem], bool]:
    """Workloads of a Packer HCL2 file; var-files give no workloads but are still syntax-checked.

    ``path`` locates the directory whose other files belong to the same configuration (None: this file alone).
    """
    body, problems = parse_hcl(text)
    if body is None:
        return [], problems, True
    if file.endswith(".pkrvars.hcl"):
        return [], problems, True
    resolver = _Resolver(variables(body, path), _HCL_REF)
    builds = blocks(body, "build")
    build_index = next((i for i, b in enumerate(body.get("build") or []) if isinstance(b, dict)), None)
    patched_here = any(build_patches(b, path) for b in builds)
    elsewhere, patched_elsewhere = (False, False) if patched_here else other_builds(path)
    if patched_elsewhere or patched_here:
        patch: Fact[bool] = Fact(True, ("build",))
    elif build_index is not None:
        patch = Fact(False, ("build", build_index, "provisioner"))
    elif elsewhere:
        patch = Fact(False, ("source", 0))
    else:
        patch = Fact(None, ())
    workloads: list[Workload] = []
    reported = False
    sources = body.get("source")
    for index, source in enumerate(sources if isinstance(sources, list) else []):
        labels = source.get(LABELS) or []
        kind = str(labels[0]) if labels else "source"
        name = str(labels[1]) if len(labels) > 1 else kind
        # The build is shared: its patch-step finding goes with the first source only, not once per source;
        # a null source builds no image.
        step = patch if not reported and kind != "null" else Fact(None, ())
        reported = reported or kind != "null"
        workloads.append(_workload(body, ("source", index), source, kind, name, file, resolver, step, classifier))
    if not workloads and not any(key in body for key in ("variable", "build", "locals", "packer", "data")):
        return [], problems, False
    return workloads, problems + resolver.located(body, file), True


def legacy_template(
    root: dict[str, Any], file: str, classifier: Classifier, path: str | None = None
) -> tuple[list[Workload], list[ShapeProblem]]:
    """Workloads of a legacy JSON template, one per builder, and its fields of the wrong type."""
    resolver = _Resolver({}, _JSON_REF)
    resolver.values = dict(resolver.reader.map(root, (), "variables"))
    provisioners = resolver.reader.seq(root, (), "provisioners")
    if provisioners_patch(provisioners, path):
        patch: Fact[bool] = Fact(True, ("provisioners",))
    elif root.get("provisioners") is not None and not isinstance(root["provisioners"], list):
        patch = Fact(None, ("provisioners",))
    else:
        patch = Fact(False, ("provisioners",), explicit="provisioners" in root)
    out: list[Workload] = []
    reported = False
    for index, builder in enumerate(root["builders"]):
        if not isinstance(builder, dict):
            resolver.reader.wrong(("builders", index), "mapping", builder)
            continue
        kind = str(builder.get("type", "builder"))
        name = resolver.text(builder.get("name")) or kind
        step = patch if not reported and kind != "null" else Fact(None, ())
        reported = reported or kind != "null"
        out.append(_workload(root, ("builders", index), builder, kind, name, file, resolver, step, classifier))
    return out, resolver.shapes()


def is_legacy_template(root: Any) -> bool:
    """A legacy Packer JSON template: a mapping whose ``builders`` is a list of mappings."""
    return (
        isinstance(root, dict)
        and isinstance(root.get("builders"), list)
        and any(isinstance(b, dict) and "type" in b for b in root["builders"])
    )


def _tier(source: dict[str, Any], base: Path, classifier: Classifier, reader: Reader) -> Fact[str]:
    """The tier from the source's ``tags``/``labels``/``run_tags`` maps (literal values only)."""
    for key in ("tags", "labels", "run_tags"):
        reader.map(source, base, key)  # records a tag map of the wrong type
    maps = [(source[key], (*base, key)) for key in ("tags", "labels", "run_tags") if isinstance(source.get(key), dict)]
    return classifier.tier(maps) if maps else unset(None, base)


def _workload(
    document: dict[str, Any],
    base: Path,
    source: dict[str, Any],
    kind: str,
    name: str,
    file: str,
    resolver: _Resolver,
    patch: Fact[bool],
    classifier: Classifier,
) -> Workload:
    passwords = []
    for key in PASSWORD_KEYS:
        fact = resolver.fact(source, base, key)
        if fact.explicit and fact.value:
            passwords.append(fact)
    username = resolver.fact(source, base, "ssh_username")
    downloads = []
    if "iso_url" in source or "iso_urls" in source or "iso_checksum" in source:
        checksum = resolver.fact(source, base, "iso_checksum")
        if "iso_url" in source:
            downloads.append(Download(resolver.fact(source, base, "iso_url"), checksum))
        urls = [] if is_unresolved(source.get("iso_urls")) else resolver.reader.seq(source, base, "iso_urls")
        for index, url in enumerate(urls):
            downloads.append(Download(Fact(resolver.text(url), (*base, "iso_urls", index)), checksum))
        if not downloads:
            downloads.append(Download(unset(None, base), checksum))
    graphics = []
    if kind == "qemu" or "vnc_bind_address" in source:
        bind = resolver.fact(source, base, "vnc_bind_address")
        address = bind.value if bind.explicit else "127.0.0.1"
        use_password = resolver.boolean(source, base, "vnc_use_password")
        graphics.append(
            Exposure(
                port=None,
                path=bind.path if bind.explicit else base,
                kind="vnc",
                bind_address=address,
                public=is_public(address),
                authenticated=use_password if use_password.explicit else unset(False, base),
            )
        )
    return Workload(
        format="packer",
        kind=f"source {kind}" if base[0] == "source" else f"builder {kind}",
        name=name,
        namespace=None,
        file=file,
        document=document,
        path=(),
        role="image-build",
        tier=_tier(source, base, classifier, resolver.reader),
        isolation="vm",
        runtime=Fact(kind, (*base, "type") if base[0] == "builders" else base),
        units=(guest_unit(name, base),),
        exposure=tuple(graphics),
        access=Access(
            password_auth=Fact(True, passwords[0].path) if passwords else unset(False, base),
            root_login=Fact(username.value == "root", username.path) if username.value else unset(False, base),
            plaintext_passwords=tuple(passwords),
        ),
        vm=VmSpec(
            cpu_mode=unset(None, base),
            graphics=tuple(graphics),
            patch_step=patch if patch.known else Fact(None, base),
            downloads=tuple(downloads),
        ),
    )
