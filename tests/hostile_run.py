"""Run the real CLI under the hostile-input guard (tests/hostile/guard/sitecustomize.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HOSTILE = Path(__file__).resolve().parent / "hostile"
GUARD = HOSTILE / "guard"
INPUT_ERRORS = {f"VM00{n}" for n in range(1, 9)}

# A clean-at-error-level Pod: only warnings, so --fail-on error exits 1 only for the other file's errors.
GOOD = """apiVersion: v1
kind: Pod
metadata:
  name: good
spec:
  containers:
  - name: c
    image: nginx:1.25
"""
GOOD_ROW = ["VM201", "good.yaml", 7, 5]

# Bounds per CLI run of one hostile file plus good.yaml: interpreter start-up included.
MAX_CPU_S = 1.5
MAX_RSS_MB = 120


@dataclass
class Run:
    code: int
    report: dict[str, Any]
    stderr: str
    guard: dict[str, Any]
    stdout: str = ""

    def rows(self, file: str | None = None) -> list[list[Any]]:
        return [
            [f["policy"], f["file"], f["line"], f["column"]]
            for f in self.report["findings"]
            if file is None or f["file"] == file
        ]

    def input_rows(self, file: str) -> list[list[Any]]:
        return [[p, line, col] for p, f, line, col in self.rows(file) if p in INPUT_ERRORS]


def run_cli(
    args: Sequence[str],
    cwd: Path,
    *,
    forbidden: Path | None = None,
    preexec: Callable[[], None] | None = None,
    timeout: float = 60,
    bootstrap: str | None = None,
) -> Run:
    """``python -m vmlint check --format json --jobs 1 ARGS`` in ``cwd``, guarded and measured.

    ARGS with a ``--format`` of their own replace the JSON one (two formats cannot share stdout).
    """
    report_path = cwd.parent / f".guard-{os.getpid()}-{cwd.name}.json"
    env = {
        **os.environ,
        "PYTHONPATH": str(GUARD),
        "VMLINT_GUARD_REPORT": str(report_path),
        "VMLINT_GUARD_SCANNED": str(cwd.resolve()),
        "VMLINT_GUARD_FORBIDDEN": str(forbidden.resolve()) if forbidden else "",
        "NO_COLOR": "1",
    }
    start = ["-c", bootstrap] if bootstrap else ["-m", "vmlint"]
    proc = subprocess.run(
        [sys.executable, *start, "check", *(() if "--format" in args else ("--format", "json")), "--jobs", "1", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        timeout=timeout,
        preexec_fn=preexec,
        check=False,
    )
    stderr = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr, stderr
    guard = json.loads(report_path.read_text(encoding="utf-8"))
    report_path.unlink()
    assert guard["violations"] == [], guard["violations"]
    stdout = proc.stdout.decode("utf-8", "replace")
    report = json.loads(stdout) if stdout.lstrip().startswith("{") else {}  # other --format: see ``stdout``
    return Run(proc.returncode, report, stderr, guard, stdout)


def assert_bounded(run: Run, *, cpu_s: float = MAX_CPU_S, rss_mb: float = MAX_RSS_MB) -> None:
    assert run.guard["cpu_s"] < cpu_s, run.guard
    assert run.guard["max_rss_kb"] / 1024 < rss_mb, run.guard
