"""A failing policy is an internal error of that policy alone; files outside the scanned tree are never read."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from tests.hostile_run import GOOD, GOOD_ROW, run_cli
from vmlint.config import Config
from vmlint.engine import Engine
from vmlint.model import Workload
from vmlint.policy import Hit, Policy, Settings, load_policies


def _exploding(workload: Workload, settings: Settings) -> Iterator[Hit]:
    if workload.name == "boom":
        raise ZeroDivisionError("deliberate failure")
    yield Hit((), f"saw {workload.name}")


FAILING = Policy(
    id="XT001",
    name="explodes-on-boom",
    tradeoff="isolation",
    severity="warning",
    summary="Test policy that fails on the workload named boom.",
    rationale="Proves one failing policy does not stop others.",
    remediation="None.",
    check=_exploding,
    formats=frozenset({"kubernetes"}),
)

BOOM = GOOD.replace("name: good", "name: boom")


def _files(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "good.yaml").write_text(GOOD, encoding="utf-8")
    (repo / "boom.yaml").write_text(BOOM + "---\n" + GOOD.replace("name: good", "name: after"), encoding="utf-8")
    return repo


def test_failing_policy_is_reported_with_its_id_and_the_rest_goes_on(tmp_path: Path) -> None:
    repo = _files(tmp_path)
    report = Engine(Config(root=repo), (*load_policies(), FAILING)).lint([str(repo)], jobs=1)
    (error,) = report.errors
    assert error.policy == "XT001"
    assert error.file.endswith("boom.yaml")
    assert error.message == "XT001 failed on Pod/boom: ZeroDivisionError: deliberate failure"
    seen = sorted(f.message for f in report.findings if f.policy == "XT001")
    assert seen == ["saw after", "saw good"]  # the same policy on the next workload and the next file
    boom_policies = {f.policy for f in report.findings if f.file.endswith("boom.yaml") and f.object}
    assert {"VM201", "VM802"} <= boom_policies  # other policies on the failing workload itself


BOOTSTRAP = """
import sys
sys.path.insert(0, {tests!r})
import vmlint.cli as cli
from tests.test_hostile_isolation import FAILING
real = cli.load_policies
cli.load_policies = lambda: (*real(), FAILING)
cli.run()
"""


def test_failing_policy_through_the_cli_exits_2_with_an_errors_entry(tmp_path: Path) -> None:
    repo = _files(tmp_path)
    bootstrap = BOOTSTRAP.format(tests=str(Path(__file__).parent.parent))
    run = run_cli(["."], repo, bootstrap=bootstrap)
    assert run.code == 2
    assert run.report["errors"] == [
        {
            "file": "boom.yaml",
            "message": "XT001 failed on Pod/boom: ZeroDivisionError: deliberate failure",
            "policy": "XT001",
        }
    ]
    assert GOOD_ROW in run.rows()
    assert ["XT001", "good.yaml", 1, 1] in run.rows()


def test_compose_files_outside_the_project_are_not_read(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    outside = tmp_path / "outside"
    repo.mkdir()
    outside.mkdir()
    (outside / "secret.env").write_text("TOKEN=s3cr3t-outside\n", encoding="utf-8")
    (outside / "base.yaml").write_text("services:\n  base:\n    image: evil:1\n    privileged: true\n")
    (outside / ".env").write_text("TAG=s3cr3t-outside\n", encoding="utf-8")
    (repo / "compose.yaml").write_text(
        "include:\n"
        "  - ../outside/base.yaml\n"
        "services:\n"
        "  web:\n"
        "    image: nginx:${TAG:-1.25}\n"
        "    env_file:\n"
        "      - ../outside/secret.env\n"
        f"      - {outside}/secret.env\n"
        "    extends:\n"
        "      file: ../outside/base.yaml\n"
        "      service: base\n",
        encoding="utf-8",
    )
    run = run_cli(["--fail-on", "never", "."], repo, forbidden=outside)  # the guard refuses any open in outside/
    assert "s3cr3t-outside" not in str(run.report)
    assert [(f["policy"], f["line"], f["column"]) for f in run.report["findings"]] == [
        ("VM008", 2, 5),  # include leaving the project
        ("VM008", 7, 9),  # env_file leaving the project
        ("VM008", 8, 9),  # env_file with an absolute path
        ("VM008", 10, 13),  # extends leaving the project
    ]
    assert not any(f["policy"] == "VM102" for f in run.report["findings"])  # base's privileged never merged
    assert run.report["errors"] == []


def test_packer_scripts_are_not_read_or_run(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    outside = tmp_path / "outside"
    repo.mkdir()
    outside.mkdir()
    (outside / "setup.sh").write_text("#!/bin/sh\ntouch PWNED\n", encoding="utf-8")
    os.chmod(outside / "setup.sh", 0o755)
    (repo / "local.sh").write_text("#!/bin/sh\ntouch PWNED\n", encoding="utf-8")
    (repo / "image.pkr.hcl").write_text(
        'source "qemu" "base" {\n'
        '  iso_url      = "https://example.com/x.iso"\n'
        '  iso_checksum = "sha256:0000"\n'
        "}\n"
        'build {\n  sources = ["source.qemu.base"]\n'
        '  provisioner "shell" {\n'
        '    script  = "../outside/setup.sh"\n'
        f'    scripts = ["{outside}/setup.sh", "local.sh"]\n'
        "  }\n"
        '  provisioner "shell-local" {\n    inline = ["touch PWNED"]\n  }\n'
        "}\n",
        encoding="utf-8",
    )
    run = run_cli(["--fail-on", "never", "."], repo, forbidden=outside)  # the guard also refuses any process
    assert any(f["file"] == "image.pkr.hcl" for f in run.report["findings"])
    assert run.report["errors"] == []
    assert not (repo / "PWNED").exists()
    assert not (outside / "PWNED").exists()
