"""RBAC: the cross-object ServiceAccount finding (VM168) through the real CLI, and the role facts it rests on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from vmlint.cli import main
from vmlint.rbac_context import derived_facts

FIXTURES = Path(__file__).parent / "policies" / "VM168"


def test_the_workload_finding_names_the_binding_its_file_and_line_and_is_an_error_when_high_tier(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(FIXTURES / "fail-bound")
    result = CliRunner().invoke(main, ["check", "--select", "VM168", "--format", "json", "."])
    assert result.exit_code == 1
    found = [
        (f["file"], f["line"], f["column"], f["severity"], f["message"]) for f in json.loads(result.output)["findings"]
    ]
    assert found == [
        (
            "web.yaml",
            18,
            27,
            "error",
            "Deployment web runs as service account web: RoleBinding web-secrets (rbac.yaml:17) binds it to "
            "Role secret-reader, which can read Secrets",
        ),
        (
            "web.yaml",
            30,
            5,
            "warning",
            "Job report runs as service account default: RoleBinding default-edit (rbac.yaml:30) binds it to "
            "ClusterRole edit, which can read Secrets, create pods or workloads",
        ),
    ]


def test_a_binding_without_a_powerful_role_or_in_another_namespace_derives_nothing() -> None:
    bound = ("account-bound", "shop", "web", "shop", "Role", "reader", "RoleBinding x (r.yaml:3) binds it")
    assert derived_facts({bound}) == set()
    assert derived_facts({bound, ("role-power", "other", "Role", "reader", "read-secrets")}) == set()
    assert derived_facts({bound, ("role-power", "shop", "Role", "reader", "read-secrets")}) == {
        (
            "account-powers",
            "shop",
            "web",
            "RoleBinding x (r.yaml:3) binds it to Role reader, which can read Secrets",
        )
    }
