"""Hostile input, round two (issue 9): new variants of each class, generated into tmp_path because they
are large, deep or oddly named, run through the real CLI under the guard of tests/hostile_run.py.

Every case: exit 0 or 1 (never 2), no traceback, a located finding for the bad file, the good file's
findings intact, and at most 2.5 s of CPU time and 500 MB.  The small cases of the same classes live in
tests/hostile/cases (numbers-*, deep-*, kind-*, compose-*).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.hostile_run import GOOD, GOOD_ROW, Run, assert_bounded, run_cli
from vmlint.reporters.escape import escape_line

CPU_S = 2.5
RSS_MB = 500
POD = "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: x}]}\n"


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "good.yaml").write_text(GOOD, encoding="utf-8")
    return repo


def _run(repo: Path, *paths: str, cpu_s: float = CPU_S, **kwargs: Any) -> Run:
    run = run_cli(["--fail-on", "error", "good.yaml", *paths], repo, **kwargs)  # first: before any run cap
    assert run.code in (0, 1), run.stderr
    assert GOOD_ROW in run.rows(), "the good file of the same run must still be reported"
    assert run.input_rows("good.yaml") == []
    assert run.report["errors"] == []
    assert_bounded(run, cpu_s=cpu_s, rss_mb=RSS_MB)
    return run


def _messages(run: Run, file: str) -> list[str]:
    return [f["message"] for f in run.report["findings"] if f["file"] == file and f["policy"].startswith("VM00")]


# --- class 2: recursion ------------------------------------------------------------------------------------


def _deep_directories(top: Path, levels: int, pod_at: int) -> None:
    old = Path.cwd()
    os.chdir(top)
    try:
        for level in range(levels):
            os.mkdir("d")
            os.chdir("d")
            if level + 1 == pod_at:
                Path("pod.yaml").write_text(POD, encoding="utf-8")
    finally:
        os.chdir(old)


def _remove_deep(top: Path) -> None:
    """Remove a tree too deep for shutil.rmtree (it recurses too): down to the bottom, then up, level by level."""
    old = Path.cwd()
    os.chdir(top)
    try:
        depth = 0
        while os.path.isdir("d"):
            os.chdir("d")
            depth += 1
        for _ in range(depth):
            for name in os.listdir("."):
                os.unlink(name)
            os.chdir("..")
            os.rmdir("d")
    finally:
        os.chdir(old)


@pytest.mark.parametrize("levels", [150, 1500], ids=["150-levels", "1500-levels"])
def test_a_deep_directory_tree_is_vm007_where_the_walk_stops(tmp_path: Path, levels: int) -> None:
    repo = _repo(tmp_path)
    (repo / "tree").mkdir()
    _deep_directories(repo / "tree", levels, pod_at=60)
    try:
        run = _run(repo, "tree")
    finally:
        _remove_deep(repo / "tree")
    deep = "tree/" + "/".join(["d"] * 101)
    assert run.input_rows(deep) == [["VM007", 1, 1]]
    assert _messages(run, deep) == ["directory tree deeper than 100 levels: 1 directories not walked"]
    assert any(r[1] == "tree/" + "d/" * 60 + "pod.yaml" for r in run.rows())  # above the limit: linted
    assert run.code == 1


# --- class 3: budgets per run ------------------------------------------------------------------------------


def test_a_packer_folder_of_120_templates_is_read_once(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    folder = repo / "packer"
    folder.mkdir()
    for i in range(120):
        (folder / f"t{i:03}.pkr.hcl").write_text(
            f'variable "v{i}" {{\n  default = "x"\n}}\n'
            f'source "qemu" "s{i}" {{\n  iso_url = "http://example.com/${{var.v{i}}}.iso"\n}}\n'
            f'build {{\n  sources = ["source.qemu.s{i}"]\n}}\n',
            encoding="utf-8",
        )
    run = _run(repo, "packer")
    assert {r[1] for r in run.rows() if r[0] == "VM655"} == {f"packer/t{i:03}.pkr.hcl" for i in range(120)}
    assert run.code == 1


def test_compose_includes_that_fan_out_ten_levels_deep(tmp_path: Path) -> None:
    """Two files a level, each including both of the next: 2^10 paths, 20 files, each prepared once."""
    repo = _repo(tmp_path)
    project = repo / "project"
    project.mkdir()
    (project / "compose.yaml").write_text("include: [l0a.yaml, l0b.yaml]\nservices:\n  top:\n    image: x\n")
    for level in range(10):
        for side in "ab":
            below = f"include: [l{level + 1}a.yaml, l{level + 1}b.yaml]\n" if level < 9 else ""
            (project / f"l{level}{side}.yaml").write_text(f"{below}x-level: {level}\n")
    run = _run(repo, "project/compose.yaml")
    assert ["VM801", "project/compose.yaml", 4, 12] in run.rows()
    assert run.input_rows("project/compose.yaml") == []


def test_the_findings_cap_bounds_the_run(tmp_path: Path) -> None:
    """Eight files of 14,000 findings each: files stop at 10,000, the run at 25,000, then files are not checked."""
    repo = _repo(tmp_path)
    names = [f"flood{i}.yaml" for i in range(8)]
    for name in names:
        (repo / name).write_text(POD * 700, encoding="utf-8")
    run = _run(repo, *names)
    per_file = "more than 10000 findings; only the first 10000 are reported"
    per_run = "the run reached 25000 findings; findings of this file are not reported"
    assert _messages(run, "flood0.yaml") == [per_file]
    assert _messages(run, "flood1.yaml") == [per_file]
    assert _messages(run, "flood2.yaml") == [per_run]
    assert all(run.rows(name) == [["VM006", name, 1, 1]] for name in names[3:])
    assert len(run.report["findings"]) < 25_000 + 100
    assert run.code == 1


# --- class 4: memory ---------------------------------------------------------------------------------------


def _compose(repo: Path, services: str, env: str, env_name: str = ".env") -> None:
    (repo / "app").mkdir()
    (repo / "app" / "compose.yaml").write_text(f"services:\n{services}", encoding="utf-8")
    (repo / "app" / env_name).write_text(env, encoding="utf-8")


def _reference(i: int, prefix: str) -> str:
    """``${A}`` for the first line, ``${<prefix><i-1>}`` after it: each line builds on the one before."""
    return "${A}" if i == 0 else f"${{{prefix}{i - 1}}}"


def test_an_env_file_that_triples_a_value_each_line(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    lines = ["A=abcdefgh", *(f"V{i}=" + _reference(i, "V") * 3 for i in range(30))]
    _compose(repo, "  web:\n    image: nginx:1.25\n    environment:\n      X: ${V29}\n", "\n".join(lines) + "\n")
    run = _run(repo, "app/compose.yaml")
    rows = run.input_rows("app/.env")
    assert len(rows) == 1 and rows[0][0] == "VM006"
    assert _messages(run, "app/.env")[0].startswith("interpolating ${V")
    assert run.code == 1


def test_an_env_file_of_a_service_that_doubles_a_big_value(tmp_path: Path) -> None:
    """``env_file`` values are interpolated from ``.env``: each fits the budget alone, the doubled one does not."""
    repo = _repo(tmp_path)
    _compose(repo, "  web:\n    image: nginx:1.25\n    env_file: vars.env\n", "BIG=" + "b" * 900_000 + "\n")
    (repo / "app" / "vars.env").write_text("ONE=${BIG}\nTWO=${BIG}${BIG}\nTHREE=x${BIG}\n", encoding="utf-8")
    run = _run(repo, "app/compose.yaml")
    assert run.input_rows("app/vars.env") == [["VM006", 2, 5]]
    assert run.code == 1


def test_one_big_value_written_into_400_services(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    services = "".join(
        f"  s{i}:\n    image: nginx:1.25\n    environment:\n      URL: https://${{BIG}}/x\n" for i in range(400)
    )
    _compose(repo, services, "BIG=" + "h" * 3_000_000 + "\n")
    run = _run(repo, "app/compose.yaml")
    assert run.input_rows("app/compose.yaml") == [["VM006", 5, 12]]  # the first use: one finding per variable
    assert run.code == 1


# --- class 5: output forgery -------------------------------------------------------------------------------

FORGERS = ["nel\x85VM999 forged.yaml", "sep\u2028line.yaml", "csi\x9b31mred.yaml", "para\u2029graph.yaml"]


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_file_names_and_values_cannot_forge_report_lines(tmp_path: Path, fmt: str) -> None:
    repo = _repo(tmp_path)
    for name in FORGERS:
        (repo / name).write_text(GOOD.replace("name: c", "name: 'c\u2029VM999'"), encoding="utf-8")
    run = run_cli(["--fail-on", "error", "--format", fmt, "."], repo)
    assert run.code in (0, 1)
    lines = run.stdout.splitlines()
    assert lines == run.stdout.split("\n")[:-1]  # no line break of any kind but "\n"
    assert not any(line.startswith("VM999") for line in lines)
    assert all(escape_line(name) in run.stdout for name in FORGERS)
    assert not any(ch in run.stdout for ch in "\x85\x9b\u2028\u2029")
    assert_bounded(run, cpu_s=CPU_S, rss_mb=RSS_MB)


# --- class 8: the whole file within the budget -------------------------------------------------------------

BIG = 10 * 1024 * 1024 - 4096


def _json_list(count: int) -> str:
    item = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c"}]}}
    return json.dumps({"apiVersion": "v1", "kind": "List", "items": [item] * count})


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("list.json", lambda: _json_list(BIG // 110)),
        ("compose.yaml", lambda: "services:\n" + "".join(f"  s{i}: {{image: x}}\n" for i in range(BIG // 22))),
        ("vmis.yaml", lambda: ("---\napiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\n"
                               "metadata: {name: v}\nspec: {domain: {devices: {}}}\n") * (BIG // 110)),
    ],
    ids=["json-list", "compose-services", "kubevirt-documents"],
)  # fmt: skip
def test_a_file_that_uses_up_the_budget_ends_near_it(tmp_path: Path, name: str, make: Any) -> None:
    repo = _repo(tmp_path)
    (repo / name).write_text(make(), encoding="utf-8")
    # The whole process: the file's 2 s budget, plus interpreter start-up, the neighbour and the report
    # (as tests/test_hostile.py bounds its budget cases).
    run = _run(repo, name, cpu_s=2.8)
    assert run.input_rows(name) == [["VM006", 1, 1]]
    assert _messages(run, name) == ["checking the file used up its budget of 2 s of CPU time; it was not checked"]
    assert run.code == 1
