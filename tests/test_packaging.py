"""`python -m build`'s wheel and sdist, each installed in a fresh venv outside the checkout, behave like the editable
install."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from vmlint import __version__

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

FIXTURE = REPO / "examples"
SOURCES = ("pyproject.toml", "README.md", "linter", "policies", "schemas")
MAPPED = {"vmlint": "linter", "vmlint.policies": "policies", "vmlint.schemas": "schemas"}


def _packages() -> list[str]:
    with open(REPO / "pyproject.toml", "rb") as handle:
        return list(tomllib.load(handle)["tool"]["setuptools"]["packages"])


def test_every_source_package_is_listed_for_the_wheel() -> None:
    # The package list is explicit (package-dir maps linter/ to vmlint); a new subpackage must join it.
    found = set()
    for name, directory in MAPPED.items():
        for init in (REPO / directory).rglob("__init__.py"):
            parts = init.parent.relative_to(REPO / directory).parts
            if "__pycache__" not in parts:
                found.add(".".join((name, *parts)))
    assert sorted(_packages()) == sorted(found)


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def _editable_vmlint() -> str:
    beside = Path(sys.executable).parent / "vmlint"
    assert beside.exists(), "the test suite runs from the development install, which has the vmlint script"
    return str(beside)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``python -m build`` (sdist, then a wheel built from it) run on a copy of the sources."""
    root = tmp_path_factory.mktemp("packaging")
    source = root / "src"
    source.mkdir()
    for name in SOURCES:
        origin = REPO / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(origin, source / name)
    built = _run([sys.executable, "-m", "build", "-o", str(root / "dist"), str(source)], root)
    assert built.returncode == 0, built.stdout + built.stderr
    assert sorted(p.name for p in (root / "dist").iterdir()) == [
        f"vmlint-{__version__}-py3-none-any.whl",
        f"vmlint-{__version__}.tar.gz",
    ]
    return root / "dist"


@pytest.fixture(scope="module", params=["py3-none-any.whl", "tar.gz"], ids=["wheel", "sdist"])
def installed(request: pytest.FixtureRequest, dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel or the sdist installed in a new venv; returns the venv."""
    (artifact,) = dist.glob(f"vmlint-*{request.param}")
    venv = tmp_path_factory.mktemp("venv") / "venv"
    made = _run([sys.executable, "-m", "venv", str(venv)], venv.parent)
    assert made.returncode == 0, made.stderr
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    done = _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(artifact)], venv.parent, env)
    assert done.returncode == 0, done.stderr
    return venv


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """A working directory outside the checkout, holding a copy of the examples."""
    shutil.copytree(FIXTURE, tmp_path / "examples")
    return tmp_path


def _clean_env() -> dict[str, str]:
    # No PYTHONPATH or venv leaking the checkout into the installed tool.
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}


@pytest.mark.slow
def test_installed_installs_only_the_vmlint_import_package(installed: Path) -> None:
    (site,) = installed.glob("lib/python*/site-packages")
    top = {p.name for p in site.iterdir() if p.is_dir() and not p.name.endswith((".dist-info", "__pycache__"))}
    assert "vmlint" in top
    assert not top & {"linter", "policies", "schemas", "tests"}
    (record,) = site.glob("vmlint-*.dist-info/RECORD")
    roots = {line.split("/", 1)[0] for line in record.read_text().splitlines()}
    assert {r for r in roots if not r.endswith(".dist-info") and not r.startswith("..")} == {"vmlint"}
    assert (site / "vmlint" / "schemas" / "config.schema.json").is_file()


@pytest.mark.slow
def test_installed_runs_from_another_directory(installed: Path, elsewhere: Path) -> None:
    tool = str(installed / "bin" / "vmlint")
    env = _clean_env()
    version = _run([tool, "--version"], elsewhere, env)
    assert version.returncode == 0, version.stderr
    assert version.stdout == f"vmlint, version {__version__}\n"


@pytest.mark.slow
def test_installed_lists_the_same_policies_as_the_editable_install(installed: Path, elsewhere: Path) -> None:
    env = _clean_env()
    wheel = _run([str(installed / "bin" / "vmlint"), "policies", "--format", "json"], elsewhere, env)
    editable = _run([_editable_vmlint(), "policies", "--format", "json"], elsewhere, env)
    assert wheel.returncode == editable.returncode == 0, wheel.stderr + editable.stderr
    ids = [p["id"] for p in json.loads(wheel.stdout)["policies"]]
    assert ids == [p["id"] for p in json.loads(editable.stdout)["policies"]]
    assert len(ids) > 8  # the built-in pack loaded through its entry point, not only the input-error policies


@pytest.mark.slow
def test_installed_finds_what_the_editable_install_finds(installed: Path, elsewhere: Path) -> None:
    env = _clean_env()
    command = ["check", "examples", "--format", "json"]
    wheel = _run([str(installed / "bin" / "vmlint"), *command], elsewhere, env)
    editable = _run([_editable_vmlint(), *command], elsewhere, env)
    assert wheel.returncode == editable.returncode == 1, wheel.stderr + editable.stderr
    found, expected = json.loads(wheel.stdout), json.loads(editable.stdout)
    assert found["findings"] == expected["findings"]
    assert found["summary"] == expected["summary"]
    assert any(f["policy"] == "VM102" and f["file"] == "examples/k8s/payments.yaml" for f in found["findings"])
