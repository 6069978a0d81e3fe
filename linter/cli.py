"""The command line: wiring only.  Exit codes: 0 clean, 1 findings, 2 usage/config/internal error."""

from __future__ import annotations

import gc
import json
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import __version__
from .baseline import Baseline, BaselineError, baseline_text, load_baseline
from .config import Config, starts_of
from .engine import Engine, catalog
from .findings import FileResult, Report
from .outputs import COLOR_MODES, Output, OutputError, check_writable, parse_outputs, repository_root, use_color
from .policy import Policy, PolicyLoadError, load_policies
from .reporters import REPORTERS, RenderOptions, render
from .reporters.text_reporter import posture_section
from .reporters.wording import summary_line
from .rules_cli import engine_hook, export_vap_command, load_with_rules, test_command
from .schema.versions import parse_version
from .selectors import Selectors, UnknownSelector

if TYPE_CHECKING:
    from .fix.run import Outcome

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FAIL_LEVELS = ("error", "warning", "info", "never")


def _ids(value: str | None, selectors: Selectors, option: str) -> frozenset[str] | None:
    """The policy ids a comma-separated ``--select``/``--ignore`` names (ids, names, families, ALL)."""
    if value is None:
        return None
    try:
        return selectors.resolve(part for part in value.split(",") if part.strip())
    except UnknownSelector as error:
        raise click.BadParameter(str(error), param_hint=option) from error


def _policies_or_exit() -> tuple[Policy, ...]:
    try:
        return load_policies()
    except PolicyLoadError as error:
        click.echo(f"vmlint: {error}", err=True)
        sys.exit(EXIT_ERROR)


def _version_option(context: click.Context, parameter: click.Parameter, value: str | None) -> str | None:
    version, why = parse_version(value) if value is not None else (None, None)
    if why:
        raise click.BadParameter(why)
    return version


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vmlint")
def main() -> None:
    """Lint Kubernetes, Compose and VM manifests against the tradeoffs between VMs and containers."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--format",
    "formats",
    multiple=True,
    metavar="FORMAT[=FILE]",
    help=f"Report format ({'|'.join(sorted(REPORTERS))}), to FILE or stdout; repeatable (default: text).",
)
@click.option("-o", "--output", help="Write the report of the --format without =FILE to FILE.")
@click.option("--color", "color_mode", type=click.Choice(COLOR_MODES), default="auto", show_default=True)
@click.option("-q", "--quiet", is_flag=True, help="Text report: findings only, no summary line.")
@click.option("--statistics", is_flag=True, help="Text report: the number of findings per policy instead of each.")
@click.option("--no-hints", is_flag=True, help="Text report: no `help:` line with each policy's fix.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Use this configuration file.")
@click.option("--select", help="Comma-separated policy ids or names, family names or ALL: only these run.")
@click.option("--ignore", help="Comma-separated policy ids or names, family names or ALL: these never run.")
@click.option("--fail-on", type=click.Choice(FAIL_LEVELS), help="Lowest severity that makes the exit code 1.")
@click.option("--jobs", type=click.IntRange(min=0), default=0, help="Worker processes (0: automatic).")
@click.option("--stdin-filename", help="Name to report for input read from '-'.")
@click.option("--render", is_flag=True, help="Render Helm charts and build kustomizations with the tools on PATH.")
@click.option("--kubernetes-version", callback=_version_option, help="Check against Kubernetes 1.NN (default: newest).")
@click.option(
    "--baseline",
    "baseline_path",
    type=click.Path(dir_okay=False),
    help="Do not report findings recorded in this baseline file; they count as suppressed.",
)
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False, writable=True),
    help="Record every current finding in FILE, then report as with --baseline FILE.",
)
@click.option(
    "--posture",
    "show_posture",
    is_flag=True,
    help="Also print the tier x isolation matrix and findings by family (on stderr unless text goes to stdout).",
)
@click.option("--policy", "rule_paths", multiple=True, help="A rule file or folder of rule files (repeatable).")
@click.option("--admission-policy", "admission_paths", multiple=True, help="ValidatingAdmissionPolicy file or folder.")
@click.option("--fix", "fix", is_flag=True, help="Apply the safe fixes; the report then shows what is left.")
@click.option("--diff", is_flag=True, help="Print a unified diff of the fixes instead of applying them.")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix or --diff: apply the unsafe fixes too.")
def check(
    paths: tuple[str, ...],
    formats: tuple[str, ...],
    output: str | None,
    color_mode: str,
    quiet: bool,
    statistics: bool,
    no_hints: bool,
    config_path: str | None,
    select: str | None,
    ignore: str | None,
    fail_on: str | None,
    jobs: int,
    stdin_filename: str | None,
    render: bool,
    kubernetes_version: str | None,
    baseline_path: str | None,
    write_baseline: str | None,
    show_posture: bool,
    rule_paths: tuple[str, ...],
    admission_paths: tuple[str, ...],
    fix: bool,
    diff: bool,
    unsafe_fixes: bool,
) -> None:
    """Check PATHS (files, directories, '-' for stdin; default '.')."""
    if baseline_path and write_baseline:
        raise click.UsageError("use either --baseline or --write-baseline")
    if unsafe_fixes and not (fix or diff):
        raise click.UsageError("--unsafe-fixes needs --fix or --diff")
    if write_baseline and (fix or diff):
        raise click.UsageError("--write-baseline records findings as they are: run it without --fix or --diff")
    try:
        outputs = parse_outputs(formats, output, REPORTERS)
        for o in outputs:
            if o.file is not None:
                check_writable(o.file, "-o" if o.file == output else f"--format {o.format}")
    except OutputError as error:
        raise click.UsageError(str(error)) from error
    baseline = _baseline_or_exit(Path(baseline_path)) if baseline_path else None
    policies = _policies_or_exit()
    config, user = load_with_rules(config_path, policies, rule_paths, admission_paths, starts=starts_of(paths))
    selectors = Selectors(catalog((*policies, *user.policies)))
    selected, ignored = _ids(select, selectors, "--select"), _ids(ignore, selectors, "--ignore")
    for warning in config.warnings:
        click.echo(f"vmlint: warning: {warning}", err=True)
    config = _with_cli(config, selected, ignored, fail_on)
    config = replace(config, render=frozenset({"helm", "kustomize"})) if render else config
    config = replace(config, kubernetes_version=kubernetes_version or config.kubernetes_version)
    html = any(o.format == "html" for o in outputs)
    engine = Engine(config, (*policies, *user.policies), engine_hook(user), excerpts=html)
    _tune_collector()
    if fix or diff:
        report, outcome = _fixed(
            engine, paths or (".",), stdin_filename, jobs, baseline, unsafe=unsafe_fixes, write=not diff
        )
        baseline = None  # its findings were left out of the fixes and of the report
        from .fix.run import summary  # the fix stage (and ruamel.yaml) loads only when asked for

        click.echo(f"vmlint: {summary(report, outcome, unsafe=unsafe_fixes, dry_run=diff)}", err=True)
        if diff:
            for line in outcome.not_applied:
                click.echo(f"vmlint: {line}", err=True)
            click.echo(outcome.diff(), nl=False)
            sys.exit(EXIT_ERROR if report.errors else EXIT_FINDINGS if outcome.changed() else EXIT_CLEAN)
    else:
        report = engine.lint(paths or (".",), stdin_filename=stdin_filename, jobs=jobs)
    if write_baseline:
        try:
            Path(write_baseline).write_text(baseline_text(report, Path(write_baseline)), encoding="utf-8")
        except OSError as error:
            click.echo(f"vmlint: cannot write baseline {write_baseline}: {error.strerror or error}", err=True)
            sys.exit(EXIT_ERROR)
        click.echo(f"vmlint: recorded {len(report.findings)} findings in {write_baseline}", err=True)
        baseline = _baseline_or_exit(Path(write_baseline))
    if baseline is not None:
        report = baseline.apply(report)
    options = RenderOptions(
        color=use_color(color_mode, os.environ, sys.stdout.isatty()),
        quiet=quiet,
        statistics=statistics,
        hints=not no_hints,
        fail_on=config.fail_on,
        root=repository_root(Path.cwd()),
    )
    _write_reports(outputs, report, options)
    if show_posture:
        _print_posture(report, outputs, color_mode)
    if report.errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if report.fails(config.fail_on) else EXIT_CLEAN)


def _tune_collector() -> None:
    """Set the cyclic garbage collector for one long batch of allocations.

    What is loaded by now (modules, policies, schemas) lives until the process ends: frozen, the collector no
    longer walks it again and again. And a young collection every 50,000 allocations instead of 700: a run
    allocates millions of small objects (tree nodes, findings) and frees nearly all by reference counting. On the
    4x corpus this took 8 % off the CPU time of a run (2 % of its instructions) at the same peak memory.
    """
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(50_000, older, oldest)


def _fixed(
    engine: Engine,
    paths: tuple[str, ...],
    stdin_filename: str | None,
    jobs: int,
    baseline: Baseline | None,
    *,
    unsafe: bool,
    write: bool,
) -> tuple[Report, Outcome]:
    """The fix stage: rounds over the files whose findings carry fixes (findings in the baseline are not fixed)."""
    run = engine.lint_files(paths, stdin_filename=stdin_filename, jobs=jobs, fixes=True)
    max_size = engine.config.max_file_size
    from .fix.run import Fixer

    fixer = Fixer(run.candidates, run.results, run.rendered, paths, unsafe=unsafe, write=write, max_size=max_size)

    def finish(done: list[FileResult]) -> Report:
        report = engine.report(done, run.notes, run.extra)
        return baseline.apply(report) if baseline else report

    outcome = fixer.run(engine.relint, finish, jobs)
    assert outcome.report is not None
    return outcome.report, outcome


def _print_posture(report: Report, outputs: tuple[Output, ...], color_mode: str) -> None:
    """The posture section after a text report on stdout, else on stderr."""
    to_stdout = any(o.file is None and o.format == "text" for o in outputs)
    stream = sys.stdout if to_stdout else sys.stderr
    color = use_color(color_mode, os.environ, stream.isatty())
    click.echo(posture_section(report, color), nl=False, err=not to_stdout, color=color)


def _write_reports(outputs: tuple[Output, ...], report: Report, options: RenderOptions) -> None:
    """Each report to its file or stdout; a one-line summary on stderr when none went to stdout."""
    for o in outputs:
        if o.file is None:
            click.echo(render(o.format, report, options), nl=False, color=options.color)
            continue
        try:
            Path(o.file).write_text(render(o.format, report, replace(options, color=False)), encoding="utf-8")
        except OSError as error:
            click.echo(f"vmlint: cannot write the report to {o.file}: {error.strerror or error}", err=True)
            sys.exit(EXIT_ERROR)
    if all(o.file is not None for o in outputs) and not options.quiet:
        click.echo(f"vmlint: {summary_line(report)}", err=True)


def _baseline_or_exit(path: Path) -> Baseline:
    try:
        return load_baseline(path)
    except BaselineError as error:
        click.echo(f"vmlint: baseline error: {error}", err=True)
        sys.exit(EXIT_ERROR)


def _with_cli(
    config: Config, selected: frozenset[str] | None, ignored: frozenset[str] | None, fail_on: str | None
) -> Config:
    changes: dict[str, Any] = {}
    if selected is not None:
        changes["select"] = selected
    if ignored is not None:
        changes["ignore"] = config.ignore | ignored
    if fail_on is not None:
        changes["fail_on"] = fail_on
    return replace(config, **changes)


def policy_dict(policy: Policy) -> dict[str, Any]:
    """A policy's metadata as JSON-ready data."""
    return {
        "id": policy.id,
        "name": policy.name,
        "tradeoff": policy.tradeoff,
        "severity": policy.severity,
        "summary": policy.summary,
        "rationale": policy.rationale,
        "remediation": policy.remediation,
        "formats": sorted(policy.formats),
        "related": {tool: list(ids) for tool, ids in policy.related.items()},
        "options": {
            name: {"default": o.default, "description": o.description, "schema": o.schema()}
            for name, o in policy.options.items()
        },
        "examples": [{"format": e.format, "bad": e.bad, "good": e.good} for e in policy.examples],
        "notes": policy.notes,
        "source": policy.source,
        "fix": {"applicability": policy.fix.applicability, "description": policy.fix.description}
        if policy.fix
        else None,
    }


@main.command()
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--policy", "rule_paths", multiple=True, help="Also list the rules of this file or folder.")
@click.option("--admission-policy", "admission_paths", multiple=True, help="Also list these admission policies.")
def policies(output_format: str, rule_paths: tuple[str, ...], admission_paths: tuple[str, ...]) -> None:
    """List every policy (built-in, packs, and the rule files the configuration or options name)."""
    loaded = _policies_or_exit()
    _, user = load_with_rules(None, loaded, rule_paths, admission_paths)
    items = catalog((*loaded, *user.policies))
    if output_format == "json":
        click.echo(json.dumps({"policies": [policy_dict(p) for p in items]}, indent=2))
        return
    for p in items:
        fix = p.fix.applicability if p.fix else "-"
        click.echo(f"{p.id}  {p.name:<36} {p.tradeoff:<14} {p.severity:<8} {fix:<6} {p.summary}")


@main.command()
@click.argument("policy_id")
def explain(policy_id: str) -> None:
    """Show what a policy checks, why, and how to fix it."""
    items = {p.id: p for p in catalog(_policies_or_exit())}
    by_name = {p.name.lower(): p for p in items.values()}
    found = items.get(policy_id.upper()) or by_name.get(policy_id.lower())
    if found is None:
        click.echo(f"vmlint: unknown policy {policy_id!r}; `vmlint policies` lists them", err=True)
        sys.exit(EXIT_ERROR)
    click.echo(render_explanation(found))


def render_explanation(p: Policy) -> str:
    """The docs of one policy: what, why, example, fix, options, related checks."""
    out = [
        f"{p.id} {p.name} ({p.tradeoff}, {p.severity})",
        "",
        "What it does",
        f"  {p.summary}",
        "",
        "Why",
        f"  {p.rationale}",
    ]
    for example in p.examples:
        out += ["", f"Example ({example.format}), flagged:", _indent(example.bad), "", "Fixed:", _indent(example.good)]
    out += ["", "Fix", f"  {p.remediation}"]
    if p.fix:
        out.append(f"  vmlint check --fix{fix_flag(p)} {p.fix.description}.")
    if p.options:
        out += ["", "Options"] + [
            f"  {name} (default {o.default!r}; {o.allowed()}): {o.description}" for name, o in p.options.items()
        ]
    if p.notes:
        out += ["", "Notes", f"  {p.notes}"]
    if p.related:
        out += ["", "Related checks"] + [f"  {tool}: {', '.join(ids)}" for tool, ids in p.related.items() if ids]
    return "\n".join(out)


def fix_flag(p: Policy) -> str:
    """`` --unsafe-fixes`` for a policy whose fix is unsafe."""
    return " --unsafe-fixes" if p.fix and p.fix.applicability == "unsafe" else ""


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.rstrip().splitlines())


main.add_command(test_command)
main.add_command(export_vap_command)


def run() -> None:
    """Console entry point: never a bare traceback."""
    try:
        main(standalone_mode=True)
    except SystemExit:
        raise
    except Exception as error:  # pragma: no cover - the last line of defence
        click.echo(f"vmlint: internal error: {type(error).__name__}: {error}", err=True)
        sys.exit(EXIT_ERROR)
