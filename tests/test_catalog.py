"""The catalog meta-test: every policy is documented, unique and has pass and fail fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import POLICIES
from vmlint.engine import catalog
from vmlint.policy import ID_PATTERN, NAME_PATTERN, PEER_TOOLS, TRADEOFFS

FIXTURES = Path(__file__).parent / "policies"
CHECKED = [p for p in catalog(POLICIES) if p.check is not None]


def test_ids_and_names_are_unique() -> None:
    everything = catalog(POLICIES)
    assert len({p.id for p in everything}) == len(everything)
    assert len({p.name for p in everything}) == len(everything)


@pytest.mark.parametrize("policy", catalog(POLICIES), ids=lambda p: p.id)
def test_policy_metadata_is_complete(policy) -> None:
    assert ID_PATTERN.match(policy.id)
    assert NAME_PATTERN.match(policy.name)
    assert policy.tradeoff in TRADEOFFS
    for text in (policy.summary, policy.rationale, policy.remediation):
        assert text.strip() and text[0].isupper(), policy.id
    assert set(policy.related) <= set(PEER_TOOLS)


@pytest.mark.parametrize("policy", CHECKED, ids=lambda p: p.id)
def test_policy_has_examples_and_fixtures(policy) -> None:
    assert policy.examples, f"{policy.id} needs at least one bad/good example"
    folder = FIXTURES / policy.id
    names = [f.name for f in folder.iterdir()] if folder.is_dir() else []
    assert any(n.startswith("fail-") for n in names), f"{policy.id} needs a fail-* fixture"
    assert any(n.startswith("pass-") for n in names), f"{policy.id} needs a pass-* fixture"
    assert set(policy.formats) <= {"kubernetes", "compose", "kubevirt", "packer", "libvirt", "cloud-init"}


def test_generated_policy_docs_are_up_to_date() -> None:
    import subprocess
    import sys

    script = Path(__file__).resolve().parent.parent / "scripts" / "gen_docs.py"
    done = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
