"""Each file of a run is read once: what the look-ahead (user rules, the CRD look) read is what the lint takes."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from vmlint.config import load_config
from vmlint.discovery import Candidate
from vmlint.engine import Engine
from vmlint.policy import load_policies
from vmlint.reading import ReadAhead

POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: nginx:1.27}]}\n"


def test_a_kept_read_is_taken_once_then_the_file_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("a: 1\n")
    candidate = Candidate(str(path), "a.yaml")
    ahead = ReadAhead(1000)
    assert ahead.read(candidate) == (b"a: 1\n", None)
    path.write_text("a: 2\n")
    assert ahead.read(candidate) == (b"a: 1\n", None)  # a second look-ahead gets what the first read
    assert ahead.take(candidate) == (b"a: 1\n", None)
    assert ahead.take(candidate) == (b"a: 2\n", None)  # taken: read as it is now


def test_files_past_the_budget_are_not_kept(tmp_path: Path) -> None:
    small, large = tmp_path / "s.yaml", tmp_path / "l.yaml"
    small.write_text("a: 1\n")
    large.write_text("b: " + "x" * 100 + "\n")
    ahead = ReadAhead(1000, budget=50)
    for path in (small, large):
        ahead.read(Candidate(str(path), path.name))
    assert sorted(Path(p).name for p in ahead.kept) == ["s.yaml"]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_run_opens_each_file_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int) -> None:
    for index in range(40):
        (tmp_path / f"pod{index}.yaml").write_text(POD.replace("name: p", f"name: p{index}"))
    opened: Counter[str] = Counter()
    real_open = os.open

    def counting_open(path: str, *args: object, **kwargs: object) -> int:
        if str(path).startswith(str(tmp_path)):
            opened[str(path)] += 1
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", counting_open)
    policies = load_policies()
    engine = Engine(load_config(None, policies), policies)
    report = engine.lint([str(tmp_path)], jobs=jobs)
    assert report.summary.files == 40
    assert engine.ahead is None
    if jobs == 1:  # forked workers open in their own process, not counted here
        assert set(opened.values()) == {1} and len(opened) == 40
    else:
        assert max(opened.values()) == 1
