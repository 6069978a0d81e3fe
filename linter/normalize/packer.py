"""Packer templates onto the workload model: one image-build workload per source (or builder).

HCL2 (``*.pkr.hcl``): ``var.NAME`` references resolve from ``variable`` defaults in the
``*.pkr.hcl`` files of the same directory, overridden by the ``*.pkrvars.hcl`` files there
(a variable two var-files disagree on is unknown).  Build blocks anywhere in that directory
count for the patch step.  Legacy JSON (``builders``): ``{{user `NAME`}}`` resolves from
``variables``.  Anything else that is computed stays unknown.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

from ..model import Access, Download, Exposure, Fact, VmSpec, Workload, unset
from ..parsers.hcl import LABELS, parse_hcl
from ..parsers.yaml_tree import YamlProblem
from ..source import Path, locate
from .common import Classifier
from .guest import guest_unit, is_public, patches, strings_in
from .reader import Reader, ShapeProblem, is_unresolved

_HCL_REF = re.compile(r"\$\{\s*var\.([A-Za-z_][\w-]*)\s*\}")
_JSON_REF = re.compile(r"\{\{\s*user\s+`([^`]+)`\s*\}\}")
MAX_SIBLING_BYTES = 1_000_000
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


def _read_sibling(path: str) -> str | None:
    try:
        if os.path.getsize(path) > MAX_SIBLING_BYTES:
            return None
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError):
        return None


def _siblings(file: str | None, suffix: str) -> Iterator[str]:
    if file is None:
        return
    directory = os.path.dirname(file) or "."
    if not os.path.isdir(directory):
        return
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return
    for name in names:
        path = os.path.join(directory, name)
        if name.endswith(suffix) and os.path.isfile(path) and not os.path.islink(path):
            yield path


def _same(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _variables(body: dict[str, Any], file: str | None) -> dict[str, Any]:
    bodies: list[dict[str, Any]] = [body]
    for sibling in _siblings(file, ".pkr.hcl"):
        if file is not None and not _same(sibling, file):
            text = _read_sibling(sibling)
            sibling_body = parse_hcl(text)[0] if text is not None else None
            if sibling_body is not None:
                bodies.append(sibling_body)
    values: dict[str, Any] = {}
    for parsed in bodies:
        for block in _blocks(parsed, "variable"):
            labels = block.get(LABELS) or []
            if labels and "default" in block:
                values[str(labels[0])] = block["default"]
    overrides: dict[str, Any] = {}
    for var_file in _siblings(file, ".pkrvars.hcl"):
        text = _read_sibling(var_file)
        var_body = parse_hcl(text)[0] if text is not None else None
        for key, value in (var_body or {}).items():
            overrides[key] = value if key not in overrides or overrides[key] == value else None
    values.update(overrides)
    return values


def _blocks(body: Any, kind: str) -> list[dict[str, Any]]:
    found = body.get(kind) if isinstance(body, dict) else None
    return [item for item in found if isinstance(item, dict)] if isinstance(found, list) else []


def _other_builds(file: str | None) -> tuple[bool, bool]:
    """Whether other ``*.pkr.hcl`` files of the directory hold build blocks, and whether one patches."""
    found = False
    for sibling in _siblings(file, ".pkr.hcl"):
        if file is not None and not _same(sibling, file):
            text = _read_sibling(sibling)
            builds = _blocks(parse_hcl(text)[0] if text is not None else None, "build")
            found = found or bool(builds)
            if any(_patches(build, sibling) for build in builds):
                return True, True
    return found, False


def _patches(build: Any, file: str | None = None) -> bool:
    provisioners = build.get("provisioner") if isinstance(build, dict) else None
    return _provisioners_patch(provisioners, file)


def _provisioners_patch(provisioners: Any, file: str | None) -> bool:
    """An upgrade command or script name in the provisioners, or in a script file they name (read as text)."""
    if any(patches(text) for text in strings_in(provisioners)):
        return True
    return any(patches(text) for text in _script_texts(provisioners, file))


def _script_texts(provisioners: Any, file: str | None) -> Iterator[str]:
    """The text of each ``script``/``scripts`` file a provisioner names, inside the template's repository."""
    if file is None or not isinstance(provisioners, list):
        return
    directory = os.path.dirname(os.path.abspath(file))
    root = _repository_root(directory)
    for provisioner in provisioners:
        if not isinstance(provisioner, dict):
            continue
        scripts = provisioner.get("scripts")
        for name in [provisioner.get("script"), *(scripts if isinstance(scripts, list) else [])]:
            if not isinstance(name, str):
                continue
            relative = name.replace("${path.root}/", "").replace("{{template_dir}}/", "")
            if is_unresolved(relative):
                continue
            target = os.path.realpath(os.path.join(directory, relative))
            if target.startswith(root + os.sep) and os.path.isfile(target):
                text = _read_sibling(target)
                if text is not None:
                    yield text


def _repository_root(directory: str) -> str:
    """The nearest ancestor holding ``.git`` (the template's own directory when there is none)."""
    real = os.path.realpath(directory)
    current = real
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return real
        current = parent


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
    resolver = _Resolver(_variables(body, path), _HCL_REF)
    builds = _blocks(body, "build")
    build_index = next((i for i, b in enumerate(body.get("build") or []) if isinstance(b, dict)), None)
    patched_here = any(_patches(b, path) for b in builds)
    elsewhere, patched_elsewhere = (False, False) if patched_here else _other_builds(path)
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
    if _provisioners_patch(provisioners, path):
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
