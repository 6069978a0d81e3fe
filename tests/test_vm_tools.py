"""Our Packer and libvirt fixtures are accepted by the real tools (a fixture the tool rejects is broken)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
PACKER_FILES = sorted(
    p
    for p in (*TESTS.glob("policies/VM*/*"), *TESTS.glob("vm/**/*"))
    if p.is_file()
    and "bad" not in p.parts  # tests/vm/bad holds deliberately broken input
    and (p.name.endswith(".pkr.hcl") or (p.suffix == ".json" and '"builders"' in p.read_text()))
)
PACKER_DIRS = sorted(
    d for d in (*TESTS.glob("policies/VM*/*"), *TESTS.glob("vm/*")) if d.is_dir() and any(d.glob("*.pkr.hcl"))
)
XML_FILES = sorted(p for p in (*TESTS.glob("policies/VM*/*.xml"), *TESTS.glob("vm/*.xml")))

needs_packer = pytest.mark.skipif(shutil.which("packer") is None, reason="packer binary not installed")
needs_virt_xml_validate = pytest.mark.skipif(
    shutil.which("virt-xml-validate") is None or shutil.which("xmllint") is None,
    reason="virt-xml-validate (libvirt-clients) or the xmllint it runs (libxml2-utils) is not installed",
)


def test_there_are_fixtures_to_validate() -> None:
    assert len(PACKER_FILES) >= 10 and len(PACKER_DIRS) >= 3 and len(XML_FILES) >= 12


@pytest.mark.slow
@needs_packer
@pytest.mark.parametrize("target", PACKER_FILES + PACKER_DIRS, ids=lambda p: str(p.relative_to(TESTS)))
def test_packer_accepts_fixture(target: Path) -> None:
    done = subprocess.run(
        ["packer", "validate", "-syntax-only", str(target)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
@needs_virt_xml_validate
@pytest.mark.parametrize("target", XML_FILES, ids=lambda p: str(p.relative_to(TESTS)))
def test_virt_xml_validate_accepts_fixture(target: Path) -> None:
    done = subprocess.run(["virt-xml-validate", str(target), "domain"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
