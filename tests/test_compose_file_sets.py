"""Declared Compose file sets (`compose-projects`): merged as `docker compose -f ... -f ...`, located per file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from vmlint.cli import main

BASE = """services:
  web:
    image: nginx:1.27
    ports:
      - "8080:80"
"""
PROD = """services:
  web:
    privileged: ${PRIVILEGED:-true}
    volumes:
      - /srv/web:/usr/share/nginx/html
"""
SET = "compose-projects:\n- files: [compose.yaml, compose.prod.yaml]\n"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "compose.yaml").write_text(BASE)
    (tmp_path / "compose.prod.yaml").write_text(PROD)
    (tmp_path / ".vmlint.yaml").write_text(SET)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(*args: str) -> tuple[int, dict, str]:
    result = CliRunner().invoke(main, ["check", "--format", "json", *args], catch_exceptions=False)
    text = CliRunner().invoke(main, ["check", *args], catch_exceptions=False).output
    return result.exit_code, json.loads(result.output), text


def rows(data: dict) -> list[tuple]:
    return [(f["policy"], f["file"], f["line"], f["column"]) for f in data["findings"]]


SELECT = ("--select", "VM102,VM303,VM630,VM802")


def test_a_set_is_merged_and_each_finding_is_in_the_file_that_wrote_it(repo: Path) -> None:
    code, data, _ = check(*SELECT, ".")
    assert rows(data) == [
        ("VM102", "compose.prod.yaml", 3, 17),  # privileged: written by the production file
        ("VM303", "compose.prod.yaml", 5, 9),
        ("VM802", "compose.yaml", 2, 3),  # no healthcheck anywhere: the service where it is first defined
        ("VM630", "compose.yaml", 5, 9),  # the port: written by the base
    ]
    # compose.prod.yaml is not linted alone: one project of one service, each finding once.
    assert (data["summary"]["files"], data["summary"]["workloads"], code) == (1, 1, 1)


def test_without_the_declaration_the_production_file_is_linted_alone(repo: Path) -> None:
    (repo / ".vmlint.yaml").write_text("{}\n")
    _, data, _ = check(*SELECT, ".")
    assert ("VM630", "compose.yaml", 5, 9) in rows(data)
    assert ("VM802", "compose.prod.yaml", 2, 3) in rows(data)  # the partial file judged on its own
    assert data["summary"]["workloads"] == 2


def test_a_run_on_one_member_reports_that_member_judged_on_the_whole_set(repo: Path) -> None:
    _, data, _ = check(*SELECT, "compose.prod.yaml")
    assert rows(data) == [("VM102", "compose.prod.yaml", 3, 17), ("VM303", "compose.prod.yaml", 5, 9)]


def test_the_sets_env_file_interpolates_and_comments_in_any_member_suppress(repo: Path) -> None:
    (repo / "prod.env").write_text("PRIVILEGED=false\n")
    (repo / ".vmlint.yaml").write_text(SET.rstrip() + "\n  env-file: prod.env\n")
    _, data, _ = check(*SELECT, ".")
    assert ("VM102", "compose.prod.yaml", 3, 17) not in rows(data)
    (repo / "compose.yaml").write_text(BASE.replace('"8080:80"', '"8080:80"  # vmlint: ignore[VM630] behind the LB'))
    _, data, _ = check(*SELECT, ".")
    assert ("VM630", "compose.yaml", 5, 9) not in rows(data) and data["summary"]["suppressed"] == 1


def test_git_ignored_members_and_env_files_are_not_read_and_the_summary_says_so(repo: Path) -> None:
    (repo / ".gitignore").write_text("compose.override.yaml\nprod.env\n")
    (repo / "compose.override.yaml").write_text("services:\n  web:\n    cap_add: [SYS_ADMIN]\n")
    (repo / "prod.env").write_text("PRIVILEGED=false\n")
    (repo / ".vmlint.yaml").write_text(
        "compose-projects:\n- files: [compose.yaml, compose.override.yaml, compose.prod.yaml]\n  env-file: prod.env\n"
    )
    _, data, text = check("--select", "VM102,VM111", ".")
    assert rows(data) == [("VM102", "compose.prod.yaml", 3, 17)]  # neither SYS_ADMIN nor PRIVILEGED=false
    assert "prod.env: git-ignored env file, not read (compose.yaml)" in text.splitlines()
    assert "compose.override.yaml: git-ignored, not merged into the Compose file set (compose.yaml)" in text


def test_a_git_ignored_default_override_is_not_merged_into_its_base(repo: Path) -> None:
    (repo / ".vmlint.yaml").write_text("{}\n")
    (repo / ".gitignore").write_text("compose.override.yaml\n")
    (repo / "compose.override.yaml").write_text("services:\n  web:\n    privileged: true\n")
    _, data, _ = check("--select", "VM102", "compose.yaml")
    assert rows(data) == []
    _, data, _ = check("--select", "VM102", "compose.override.yaml")  # linted by name: judged on its base
    assert rows(data) == [("VM102", "compose.override.yaml", 3, 17)]


@pytest.mark.parametrize("files", ["[/etc/compose.yaml]", "[../compose.yaml]"])
def test_set_members_outside_the_configurations_directory_are_a_config_error(repo: Path, files: str) -> None:
    (repo / ".vmlint.yaml").write_text(f"compose-projects:\n- files: {files}\n")
    result = CliRunner().invoke(main, ["check", "."])
    assert result.exit_code == 2
    assert "is outside the configuration's directory" in result.output


def test_a_missing_member_is_a_located_error(repo: Path) -> None:
    (repo / ".vmlint.yaml").write_text("compose-projects:\n- files: [compose.yaml, compose.staging.yaml]\n")
    _, data, _ = check("--select", "VM007", ".")
    assert [(f["policy"], f["file"], f["message"]) for f in data["findings"]] == [
        ("VM007", "compose.staging.yaml", "Compose file set member not read: no such file")
    ]
