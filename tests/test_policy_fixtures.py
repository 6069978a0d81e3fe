"""Every policy's fixtures: exact (id, file, line, column) on fail-*, nothing on pass-*.

Layout: tests/policies/<ID>/fail-*.<ext> and pass-*.<ext> (a file, or a directory for
multi-file cases such as Compose overrides), and tests/policies/<ID>/expected.json with the
golden findings of each fail fixture.  ``pytest --update-golden`` rewrites expected.json.
An optional tests/policies/<ID>/config.json holds Config overrides for that folder (e.g. a target
``kubernetes_version``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import lint, triples

ROOT = Path(__file__).parent / "policies"


def _cases(prefix: str) -> list[tuple[str, str]]:
    return [
        (d.name, f.name)
        for d in sorted(ROOT.iterdir())
        if d.is_dir()
        for f in sorted(d.iterdir())
        if f.name.startswith(prefix)
    ]


@pytest.mark.parametrize(("policy_id", "fixture"), _cases("fail-"))
def test_fail_fixture_has_exact_findings(policy_id: str, fixture: str, update_golden: bool) -> None:
    folder = ROOT / policy_id
    got = triples(lint([fixture], select=[policy_id], cwd=folder, **_overrides(folder)))
    golden_file = folder / "expected.json"
    golden = json.loads(golden_file.read_text()) if golden_file.exists() else {}
    if update_golden:
        golden[fixture] = got
        golden_file.write_text(_golden_text(golden))
    assert fixture in golden, f"no golden expectation for {policy_id}/{fixture}; run pytest --update-golden and review"
    assert got == golden[fixture]
    assert any(row[0] == policy_id for row in got), f"{fixture} must make {policy_id} fire"
    assert all(row[0] == policy_id for row in got), f"{fixture} must be valid input: {got}"


@pytest.mark.parametrize(("policy_id", "fixture"), _cases("pass-"))
def test_pass_fixture_has_no_findings(policy_id: str, fixture: str) -> None:
    folder = ROOT / policy_id
    assert triples(lint([fixture], select=[policy_id], cwd=folder, **_overrides(folder))) == []


def _overrides(folder: Path) -> dict[str, object]:
    config = folder / "config.json"
    return json.loads(config.read_text()) if config.is_file() else {}


def _golden_text(golden: dict[str, list[list[object]]]) -> str:
    """One finding per line, so reviews read the diff row by row."""
    blocks = []
    for name, rows in sorted(golden.items()):
        inner = ",\n".join("    " + json.dumps(row) for row in rows)
        blocks.append(f"  {json.dumps(name)}: [\n{inner}\n  ]" if rows else f"  {json.dumps(name)}: []")
    return "{\n" + ",\n".join(blocks) + "\n}\n"
