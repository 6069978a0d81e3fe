"""The corpus guard: a test reading ../shared without the corpus marker fails, with the marker it passes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

TESTS = """
import subprocess, sys
from pathlib import Path

import pytest

ROOT = Path(__import__("os").environ["VMLINT_TEST_SHARED"])


def test_unmarked_read():
    assert (ROOT / "data.txt").read_text() == "x"


def test_unmarked_listing():
    assert [p.name for p in ROOT.iterdir()] == ["data.txt"]


def test_unmarked_subprocess():
    subprocess.run([sys.executable, "-c", "pass", str(ROOT / "data.txt")], check=True)


@pytest.mark.corpus
def test_marked_read():
    assert (ROOT / "data.txt").read_text() == "x"


def test_elsewhere(tmp_path):
    (tmp_path / "a").write_text("y")
    assert (tmp_path / "a").read_text() == "y"
"""


def test_unmarked_tests_over_shared_data_fail(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "data.txt").write_text("x")
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "test_guarded.py").write_text(TESTS)
    env = {**os.environ, "VMLINT_TEST_SHARED": str(shared), "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "pytest", "-p", "tests.corpus_guard", "-q", "-rA", "-p", "no:cacheprovider"]
    done = subprocess.run([*command, str(suite)], cwd=suite, env=env, capture_output=True, text=True, timeout=120)
    report = done.stdout
    assert done.returncode == 1, report + done.stderr
    for name in ("test_unmarked_read", "test_unmarked_listing", "test_unmarked_subprocess"):
        assert f"ERROR test_guarded.py::{name}" in report, report
        assert f"test_guarded.py::{name} reads {shared} but lacks @pytest.mark.corpus" in report
    assert "PASSED test_guarded.py::test_marked_read" in report
    assert "PASSED test_guarded.py::test_elsewhere" in report
