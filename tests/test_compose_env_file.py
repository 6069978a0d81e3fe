"""``env_file``: read inside the project only, secrets found on the env file's own line."""

from __future__ import annotations

import builtins
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import lint, triples


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def found(paths: list[str], root: Path) -> list[tuple[str, str, int, int, str]]:
    report = lint(paths, select=["VM601"], cwd=root)
    return [(f.policy, f.file, f.line, f.column, f.message) for f in report.findings]


LEAVES = "the path leaves the project directory"
SERVICE = "services:\n  db:\n    image: postgres:16\n    env_file: {ref}\n"


def test_a_secret_in_an_env_file_is_found_on_its_line(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "compose.yaml": SERVICE.format(ref="[config/db.env, {path: config/extra.env, required: false}]"),
            "config/db.env": "# database\nPOSTGRES_USER=app\nexport  POSTGRES_PASSWORD=hunter2\nAPI_TOKEN=\n",
            "config/extra.env": "REPLICA_PASSWORD='s3cret'\nVAULT_TOKEN=${FROM_ENV}\n",
        },
    )
    assert found(["compose.yaml"], tmp_path) == [
        ("VM601", "config/db.env", 3, 27, "service db sets POSTGRES_PASSWORD to a literal value"),
        ("VM601", "config/extra.env", 1, 18, "service db sets REPLICA_PASSWORD to a literal value"),
    ]


def test_environment_overrides_the_env_file_and_later_files_win(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "compose.yaml": "services:\n  db:\n    image: postgres:16\n    env_file: [a.env, b.env]\n"
            "    environment:\n      DB_PASSWORD: ${DB_PASSWORD}\n",
            "a.env": "DB_PASSWORD=one\nADMIN_PASSWORD=two\n",
            "b.env": "ADMIN_PASSWORD=three\n",
        },
    )
    assert [row[1:4] for row in found(["compose.yaml"], tmp_path)] == [("b.env", 1, 16)]


def test_a_comment_in_the_env_file_suppresses(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "compose.yaml": SERVICE.format(ref="db.env"),
            "db.env": "# vmlint: ignore[VM601] local development only\nPOSTGRES_PASSWORD=postgres\n",
        },
    )
    report = lint(["compose.yaml"], select=["VM601"], cwd=tmp_path)
    assert triples(report) == []
    assert report.summary.suppressed == 1


def test_git_ignored_env_files_are_not_read(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "compose.yaml": SERVICE.format(ref="[.env, secrets/db.env]"),
            ".gitignore": ".env\nsecrets/\n",
            ".env": "POSTGRES_PASSWORD=hunter2\n",
            "secrets/db.env": "POSTGRES_PASSWORD=hunter2\n",
        },
    )
    assert found(["compose.yaml"], tmp_path) == []


def test_env_files_outside_the_project_are_problems_and_never_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    write(tmp_path, {"outside.env": "POSTGRES_PASSWORD=hunter2\n", "linked.env": "POSTGRES_PASSWORD=hunter2\n"})
    refs = f"[../outside.env, {tmp_path}/outside.env, link.env, inside.env]"
    write(project, {"compose.yaml": SERVICE.format(ref=refs), "inside.env": "LOG_LEVEL=info\n"})
    (project / "link.env").symlink_to(tmp_path / "linked.env")
    opened: list[str] = []
    real_open = builtins.open

    def watched(file: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(file, (str, Path)):  # an int is a descriptor opened by other means
            opened.append(os.path.realpath(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", watched)
    report = lint(["compose.yaml"], select=["VM601"], cwd=project)
    rows = [(f.policy, f.line, f.column, f.message) for f in report.findings]
    assert rows == [
        ("VM008", 4, 16, f"env file '../outside.env' not read: {LEAVES}"),
        ("VM008", 4, 32, f"env file '{tmp_path}/outside.env' not read: absolute paths are not followed"),
        ("VM008", 4, 32 + len(f"{tmp_path}/outside.env, "), f"env file 'link.env' not read: {LEAVES}"),
    ]
    assert str(project / "inside.env") in opened  # the hook sees the reads
    assert [name for name in opened if not name.startswith(str(project))] == []


def test_an_unreadable_env_file_is_skipped(tmp_path: Path) -> None:
    if os.geteuid() == 0 and sys.platform != "win32":
        fifo = tmp_path / "db.env"
        os.mkfifo(fifo)  # root reads every file: a FIFO stands for what cannot be read (and must not block)
    else:
        write(tmp_path, {"db.env": "POSTGRES_PASSWORD=x\n"})
        (tmp_path / "db.env").chmod(0)
    write(tmp_path, {"compose.yaml": SERVICE.format(ref="db.env")})
    assert found(["compose.yaml"], tmp_path) == []


def test_standard_input_reads_no_env_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    write(tmp_path, {"db.env": "POSTGRES_PASSWORD=hunter2\n"})
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(SERVICE.format(ref="db.env").encode())))
    assert found(["-"], tmp_path) == []


def test_a_git_ignored_dot_env_is_not_used_for_interpolation(tmp_path: Path) -> None:
    text = "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: ${DB_PASSWORD}\n"
    write(tmp_path, {"compose.yaml": text, ".env": "DB_PASSWORD=hunter2\n"})
    assert [row[1:4] for row in found(["compose.yaml"], tmp_path)] == [("compose.yaml", 5, 26)]
    write(tmp_path, {".gitignore": "/.env\n"})
    assert found(["compose.yaml"], tmp_path) == []


def test_env_file_values_are_interpolated_from_dot_env(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "compose.yaml": SERVICE.format(ref="a.env"),
            ".env": "REAL=hunter2\n",
            "a.env": "FROM_DOT_ENV_PASSWORD=${REAL}\nUNSET_PASSWORD=${UNSET}\n",
        },
    )
    assert [row[1:4] for row in found(["compose.yaml"], tmp_path)] == [("a.env", 1, 23)]


@pytest.mark.parametrize(
    ("ignore_file", "rules"),
    [
        (".gitignore", "deploy/.env\n"),  # the repository root's .gitignore, relative to the root
        ("deploy/.gitignore", ".env\n"),  # the Compose folder's own
        ("other/.gitignore", ""),  # a .gitignore beside, not above: ignores nothing here (control below)
        (".git/info/exclude", "**/.env\n"),
    ],
)
def test_a_dot_env_that_git_ignores_anywhere_above_is_not_read(tmp_path: Path, ignore_file: str, rules: str) -> None:
    text = "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: ${DB_PASSWORD}\n"
    write(tmp_path, {"deploy/compose.yaml": text, "deploy/.env": "DB_PASSWORD=hunter2\n", ignore_file: rules})
    (tmp_path / ".git").mkdir(exist_ok=True)
    expected = [("deploy/compose.yaml", 5, 26)] if not rules else []
    assert [row[1:4] for row in found(["deploy/compose.yaml"], tmp_path)] == expected


def test_a_deeper_gitignore_can_re_include_a_dot_env(tmp_path: Path) -> None:
    text = "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: ${DB_PASSWORD}\n"
    write(
        tmp_path,
        {
            "deploy/compose.yaml": text,
            "deploy/.env": "DB_PASSWORD=hunter2\n",
            ".gitignore": ".env\n",
            "deploy/.gitignore": "!.env\n",
        },
    )
    (tmp_path / ".git").mkdir()
    assert [row[1:4] for row in found(["deploy/compose.yaml"], tmp_path)] == [("deploy/compose.yaml", 5, 26)]
