"""real_paths resolves as os.path.realpath does, a directory's real path looked up once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from vmlint.render.real import real_paths


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
