"""real_paths resolves as os.path.realpath does, a directory's real path looked up once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from vmlint.discovery import Candidate, Excluder, discover
from vmlint.render.real import candidate_reals, real_paths


def test_same_as_realpath_through_linked_directories_and_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "real" / "sub").mkdir(parents=True)
    (tmp_path / "real" / "sub" / "a.yaml").write_text("a: 1\n")
    (tmp_path / "real" / "b.yaml").write_text("b: 1\n")
    (tmp_path / "linked").symlink_to(tmp_path / "real")
    (tmp_path / "real" / "c.yaml").symlink_to(tmp_path / "real" / "sub" / "a.yaml")
    monkeypatch.chdir(tmp_path)
    paths = [
        "linked/sub/a.yaml",
        "linked/b.yaml",
        "real/c.yaml",
        "real/../real/b.yaml",
        "b.yaml",
        str(tmp_path / "linked" / "sub" / "a.yaml"),
        "linked/sub/..",
        "missing/x.yaml",
        "linked/sub/../b.yaml",
    ]
    assert real_paths(paths) == [os.path.realpath(p) for p in paths]


def test_a_walked_candidate_keeps_the_real_path_its_walk_resolved(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "a.yaml").write_text("a: 1\n")
    (tmp_path / "linked").symlink_to(tmp_path / "real", target_is_directory=True)
    walked = list(discover([str(tmp_path / "linked")], Excluder((), tmp_path)))
    assert [c.real for c in walked] == [os.path.realpath(tmp_path / "real" / "a.yaml")]
    named = Candidate(str(tmp_path / "linked" / "a.yaml"), "a.yaml")
    assert candidate_reals([*walked, named]) == [os.path.realpath(tmp_path / "real" / "a.yaml")] * 2
