"""Secrets in data (issue 11 point 4): no report ever prints a secret value, in any format."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from vmlint.cli import main
from vmlint.reporters import REPORTERS

POLICIES = Path(__file__).parent / "policies"
FIXTURES = [
    POLICIES / "VM611" / "fail-config-maps.yaml",
    POLICIES / "VM612" / "fail-secret.yaml",
    POLICIES / "VM601" / "fail-private-key.yaml",
    POLICIES / "VM601" / "fail-compose-default.yaml",
]
VALUES = ("hunter2", "s3cr3t-value", "MIIEowIBAAKCAQEAu1SU1", "AKIAIOSFODNN7EXAMPLE", "b3BlbnNzaC1rZXkt", "postgres}")


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_no_report_prints_a_secret_value(fmt: str) -> None:
    args = ["check", "--select", "VM601,VM611,VM612", "--format", fmt, *map(str, FIXTURES)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    assert "VM611" in result.output and "VM612" in result.output and "VM601" in result.output
    leaked = [value for value in VALUES if value in result.output]
    assert leaked == []
