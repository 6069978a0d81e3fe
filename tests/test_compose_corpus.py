"""Compose on the shared corpus: no internal errors, no schema error the official schema would not report,
and agreement with KICS's labelled Compose cases."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import SHARED
from tests.helpers import lint
from vmlint.parsers.yaml_tree import parse_yaml
from vmlint.source import locate

REAL = SHARED / "corpus" / "real" / "compose"
KICS = SHARED / "corpus" / "conformance" / "kics" / "dockerCompose"
OFFICIAL = SHARED / "reference" / "compose-spec.schema.json"


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml"))


@pytest.mark.corpus
def test_every_real_compose_file_lints_without_internal_errors() -> None:
    files = _files(REAL)
    report = lint(files, cwd=REAL.parent)
    assert len(files) >= 39
    assert report.errors == ()
    assert report.summary.workloads >= len(files)


@pytest.mark.corpus
def test_kics_compose_cases_lint_without_internal_errors() -> None:
    assert lint(_files(KICS), cwd=KICS).errors == ()


def _official_lines(path: Path) -> set[int]:
    """Lines the official Compose schema reports errors at (unknown keys at the key)."""
    import jsonschema

    validator = jsonschema.Draft7Validator(json.loads(OFFICIAL.read_text()))
    text = path.read_text()
    data = yaml.safe_load(text)
    root = parse_yaml(text)[0][0].root
    lines = set()
    for error in validator.iter_errors(data):
        where = tuple(error.absolute_path)
        lines.add(locate(root, where, str(path)).line)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            for key in error.instance:
                lines.add(locate(root, (*where, key), str(path), key=True).line)
    return lines


@pytest.mark.corpus
@pytest.mark.parametrize("path", _files(REAL) if REAL.is_dir() else [], ids=lambda p: str(p.relative_to(REAL)))
def test_no_schema_error_the_official_schema_would_not_report(path: Path) -> None:
    ours = [f for f in lint([path], cwd=path.parent).findings if f.policy == "VM008"]
    official = _official_lines(path)
    assert [(f.line, f.message) for f in ours if f.line not in official] == []


@pytest.mark.corpus
def test_kics_agreement() -> None:
    script = SHARED / "conformance" / "agreement.py"
    command = [sys.executable, str(script), "kics", str(KICS), "--vmlint", f"{sys.executable} -m vmlint"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    last = output.strip().splitlines()[-1]
    match = re.match(r"agreement: (\d+)/(\d+) \(([\d.]+)%\), checks mapped: (\d+)/(\d+)", last)
    assert match, output
    agree, cases, _, mapped, total = (float(group) for group in match.groups())
    assert total == 21
    assert mapped >= 20, output
    assert agree / cases >= 0.97, output
