"""Layering: no package (or top-level module) imports another that imports it back, found by parsing imports."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = {"linter": "vmlint", "policies": "vmlint.policies"}


def _modules() -> dict[str, Path]:
    """Installed module name -> source file, for every module under linter/ and policies/."""
    out: dict[str, Path] = {}
    for folder, package in SOURCES.items():
        for file in sorted((ROOT / folder).rglob("*.py")):
            parts = list(file.relative_to(ROOT / folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join([package, *parts])] = file
    return out


MODULES = _modules()


def _node(module: str) -> str:
    """The room a module lives in: its first-level subpackage, else the top-level module itself."""
    package = "vmlint.policies" if module.startswith("vmlint.policies") else "vmlint"
    rest = module.removeprefix(package).lstrip(".").split(".")
    if rest == [""]:
        return package
    return f"{package}.{rest[0]}"


def _imports(module: str, file: Path) -> set[str]:
    is_package = file.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return {name for name in found if name in MODULES}


def _edges() -> set[tuple[str, str]]:
    edges: set[tuple[str, str]] = set()
    for module, file in MODULES.items():
        for target in _imports(module, file):
            source, dest = _node(module), _node(target)
            if source != dest and not dest.startswith(source + ".") and not source.startswith(dest + "."):
                edges.add((source, dest))
    return edges


def test_the_import_parser_sees_known_edges() -> None:
    edges = _edges()
    assert ("vmlint.formats", "vmlint.compose") in edges
    assert ("vmlint.compose", "vmlint.normalize") in edges
    assert ("vmlint.engine", "vmlint.suppress") in edges
    assert any(source.startswith("vmlint.policies") and dest == "vmlint.policy" for source, dest in edges)


def test_no_room_imports_one_that_imports_it_back() -> None:
    edges = _edges()
    pairs = sorted((a, b) for a, b in edges if (b, a) in edges and a < b)
    assert pairs == []


def test_no_policy_module_is_longer_than_a_reader_can_hold() -> None:
    lengths = {
        file.relative_to(ROOT).as_posix(): len(file.read_text(encoding="utf-8").splitlines())
        for file in (ROOT / "policies").rglob("*.py")
    }
    assert {file: n for file, n in lengths.items() if n > 700} == {}
