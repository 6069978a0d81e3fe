"""Issue 9, class 3: total time grows linearly with input — double the input, at most 2.2 times the time.

Each case builds an input of size n and 2n in tmp_path and lints it in a fresh process (jobs=1). Times are
CPU time of the timed lint in that process (``time.process_time``, after a warm-up run), not wall time,
and the best of several runs, so a loaded 2-core machine (or the test runner's own grown heap) does not
make the test flaky; sizes are large enough that each run takes a measurable quarter of a second or more.
Every case was superlinear before: Packer siblings parsed for every file (quadratic), includes that fan out
prepared once per path (exponential), a directory's real path resolved from the root at every level
(quadratic), findings built past the cap.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

MAX_RATIO = 2.2
RUNS = 4  # the best of four alternating runs of each size


def _packer(root: Path, n: int) -> None:
    """n templates in one folder, each with a variable, a source and a build (the others see all of them)."""
    for i in range(n):
        (root / f"t{i:04}.pkr.hcl").write_text(
            f'variable "v{i}" {{\n  default = "x"\n}}\n'
            f'source "qemu" "s{i}" {{\n  iso_url = "https://example.com/${{var.v{i}}}.iso"\n'
            f'  iso_checksum = "sha256:{"a" * 64}"\n}}\n'
            f'build {{\n  sources = ["source.qemu.s{i}"]\n}}\n',
            encoding="utf-8",
        )


def _include_ladder(root: Path, n: int) -> None:
    """n projects, each a ladder 8 levels deep of two files that both include both files of the next level."""
    for project in range(n):
        folder = root / f"p{project}"
        folder.mkdir()
        (folder / "compose.yaml").write_text("include: [l0a.yaml, l0b.yaml]\nservices: {top: {image: x}}\n")
        for level in range(8):
            for side in "ab":
                below = f"include: [l{level + 1}a.yaml, l{level + 1}b.yaml]\n" if level < 7 else ""
                services = "".join(f"  s{level}{side}{k}: {{image: 'nginx:1'}}\n" for k in range(3))
                (folder / f"l{level}{side}.yaml").write_text(f"{below}services:\n{services}")


def _deep_tree(root: Path, n: int) -> None:
    """A directory tree n levels deep with twelve Pods at every level."""
    pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: 'nginx:1'}]}\n"
    here = root
    for _ in range(n):
        here = here / "d"
        here.mkdir()
        for k in range(12):
            (here / f"pod{k}.yaml").write_text(pod, encoding="utf-8")


def _findings(root: Path, n: int) -> None:
    """n files of 80 Pods each: some 1,600 findings a file, below the run cap at 2n."""
    pod = "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: x}]}\n"
    for i in range(n):
        (root / f"f{i}.yaml").write_text(pod * 80, encoding="utf-8")


CASES: dict[str, tuple[Callable[[Path, int], None], int]] = {
    "packer-folder": (_packer, 120),  # large enough that a run takes about 0.3 s, well above timer noise
    "compose-include-fan-out": (_include_ladder, 4),
    "directory-depth": (_deep_tree, 40),  # 960 Pods at 2n, some 24 findings each: below the run cap
    "findings": (_findings, 6),
}


_MEASURE = """
import gc, os, sys, time
from vmlint.config import Config
from vmlint.engine import Engine
from vmlint.policy import load_policies
from pathlib import Path
root = Path(sys.argv[1])
os.chdir(root)
engine = Engine(Config(root=root), load_policies())
engine.lint(["."], jobs=1)  # warm: imports and lazily built tables
gc.collect()
gc.disable()
start = time.process_time()
report = engine.lint(["."], jobs=1)
used = time.process_time() - start
vm006 = [f.message for f in report.findings if f.policy == "VM006"]
print(used, len(report.errors), len(vm006))
"""


def _cpu_seconds(root: Path) -> float:
    """CPU time of one run over ``root``, in a process of its own: the test runner's grown heap and caches
    (hundreds of tests before this one) must not weigh on one size more than on the other."""
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(root)], capture_output=True, text=True, check=True, timeout=120
    ).stdout.split()
    used, errors, vm006 = float(out[0]), int(out[1]), int(out[2])
    assert errors == 0
    assert vm006 == 0
    return used


@pytest.mark.parametrize("name", sorted(CASES))
def test_double_the_input_at_most_2_2_times_the_time(tmp_path: Path, name: str) -> None:
    build, n = CASES[name]
    small, large = tmp_path / "small", tmp_path / "large"
    small.mkdir()
    large.mkdir()
    build(small, n)
    build(large, 2 * n)
    # Small and large alternate, the best of each kept: a neighbour's load drifts over both alike. A
    # measurement that a passing disturbance spoils is taken again (up to three times); a superlinear
    # cost (twice the input, four times the time) fails every one of them.
    measured = []
    for _ in range(3):
        small_s = large_s = float("inf")
        for _ in range(RUNS):
            small_s = min(small_s, _cpu_seconds(small))
            large_s = min(large_s, _cpu_seconds(large))
        measured.append(f"{small_s:.3f} s -> {large_s:.3f} s ({large_s / small_s:.2f}x)")
        print(f"{name}: {measured[-1]}")
        if large_s / small_s <= MAX_RATIO:
            return
    pytest.fail(f"{name}: above {MAX_RATIO} times in every measurement: {'; '.join(measured)}")
