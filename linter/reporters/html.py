"""One self-contained HTML page: the posture at a glance, then workloads and findings with excerpts and fixes.

At the top the tier x isolation matrix (cells below VM101's least isolation marked) and an inline SVG bar chart
of findings by family and severity; clicking a cell, a bar or a severity filters the list below (buttons, so the
keyboard works; without JavaScript the whole list shows).  A Content-Security-Policy admits only this page's
own style and script by hash: nothing is fetched.  The list is capped (``MAX_*``) so a large run stays a few MB;
the matrix and chart come from the posture of the whole run, never from what is listed.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from html import escape

from .. import __version__, posture
from ..findings import Finding, Report, Suppression
from ..policy import SEVERITIES, Policy
from ..posture import ISOLATIONS, TIERS, Posture, WorkloadPosture
from . import sarif

MAX_WORKLOADS = 600  # workloads listed, taken in turn from every matrix cell
MAX_FINDINGS = 2_000  # findings listed with excerpt and fix
MAX_FINDINGS_PER_WORKLOAD = 25
OPEN_FINDINGS = 5  # shown before a workload's other findings are folded into <details>
MAX_LISTED_OTHER = 500  # suppressed findings and internal errors listed
DOCS_PAGE = "docs/policies.md"
_CODE_SPAN = re.compile(r"`([^`]+)`")

_STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5em 2em; color: #1d1d1f; }
h1 { font-size: 1.5em; margin: 0 0 .2em; } h2 { font-size: 1.2em; margin: 1.5em 0 .5em; }
h3 { font-size: 1em; margin: 0; } code, pre { font-family: ui-monospace, monospace; font-size: 12.5px; }
.meta { color: #555; margin: 0 0 1em; }
.top { display: flex; flex-wrap: wrap; gap: 2em; align-items: flex-start; }
table.matrix { border-collapse: collapse; }
.matrix th, .matrix td { padding: 4px; text-align: center; }
.matrix th[scope=row] { text-align: left; padding-right: 1em; }
.matrix td.need { color: #555; font-size: 12px; text-align: left; }
button { font: inherit; cursor: pointer; border: 1px solid #bbb; border-radius: 4px; background: #fff; }
.matrix button { width: 6.5em; padding: 3px 2px; }
.matrix button b { display: block; font-size: 1.4em; }
.matrix button small { color: #555; }
.matrix button.empty { color: #999; }
.matrix button.below { border: 2px solid #b00020; background: #fdecee; }
.matrix button.below.empty { border: 1px dashed #b00020; background: #fff; }
button[aria-pressed=true] { outline: 3px solid #1a73e8; outline-offset: 1px; }
button:focus-visible, .bar:focus-visible { outline: 3px solid #1a73e8; }
.legend { font-size: 12px; color: #555; margin-top: .4em; max-width: 28em; }
svg .bar { cursor: pointer; } svg .bar:hover .track { fill: #eef3fb; }
svg .bar[aria-pressed=true] .track { fill: #dbe7fb; } svg .bar:focus { outline: none; }
svg .bar:focus-visible .track { stroke: #1a73e8; stroke-width: 2; }
svg text { font: 12px system-ui, sans-serif; fill: #1d1d1f; }
.s-error { fill: #b00020; } .s-warning { fill: #d08700; } .s-info { fill: #2b6cb0; }
.sev { padding: 2px 8px; margin-right: .3em; }
.sev i { display: inline-block; width: .8em; height: .8em; margin-right: .3em; border-radius: 2px; }
.sev.error i { background: #b00020; } .sev.warning i { background: #d08700; } .sev.info i { background: #2b6cb0; }
.filter { padding: .4em 0; min-height: 1.6em; }
.filter.on { position: sticky; top: 0; background: #fff; z-index: 1; box-shadow: 0 2px 4px rgba(0, 0, 0, .08); }
#status { color: #333; font-weight: 600; } figure { margin: 0; } figcaption { font-weight: 600; margin-bottom: .3em; }
.matrix caption { font-weight: 600; text-align: left; padding-bottom: .3em; }
article { border: 1px solid #ddd; border-radius: 6px; padding: .6em .8em; margin: .7em 0;
  content-visibility: auto; contain-intrinsic-size: auto 320px; }
article.below { border-left: 4px solid #b00020; }
.tag { display: inline-block; padding: 0 6px; border-radius: 3px; background: #eee; font-size: 12px;
  margin-left: .3em; }
.tag.below { background: #fdecee; color: #b00020; font-weight: 600; }
.where { color: #555; font-size: 12px; }
ol.findings { list-style: none; padding: 0; margin: .5em 0 0; }
ol.findings > li { border-top: 1px solid #eee; padding: .45em 0; }
.lvl { font-weight: 700; text-transform: uppercase; font-size: 11px; }
.lvl.error { color: #b00020; } .lvl.warning { color: #9a6400; } .lvl.info { color: #2b6cb0; }
pre.x { background: #f6f8fa; border-radius: 4px; padding: 4px 8px; margin: .35em 0; overflow-x: auto; color: #444; }
pre.x mark { display: inline-block; min-width: 100%; background: #fff3c4; color: #1d1d1f; }
.fix { margin: .2em 0 0; } .fix::before { content: "Fix: "; font-weight: 600; }
.more, .capped { color: #555; font-style: italic; }
dl.policies dt { font-weight: 600; margin-top: .8em; } dl.policies dd { margin-left: 1.2em; }
table.plain { border-collapse: collapse; } .plain td { padding: 2px 8px; border-bottom: 1px solid #eee; }
"""

_SCRIPT = """
(function () {
  var state = {cell: null, fam: null, sev: null};
  var items = Array.prototype.slice.call(document.querySelectorAll("#list article"));
  var status = document.getElementById("status");
  function press(selector, on) {
    document.querySelectorAll(selector).forEach(function (el) {
      el.setAttribute("aria-pressed", String(on(el)));
    });
  }
  function apply() {
    var workloads = 0, findings = 0;
    items.forEach(function (a) {
      var cellOk = !state.cell || a.dataset.cell === state.cell;
      var shown = 0;
      a.querySelectorAll("li.f").forEach(function (li) {
        var ok = cellOk && (!state.fam || li.dataset.fam === state.fam) && (!state.sev || li.dataset.sev === state.sev);
        li.hidden = !ok;
        if (ok) { shown++; }
      });
      a.querySelectorAll("details").forEach(function (d) {
        if (state.fam || state.sev) { d.open = d.querySelector("li.f:not([hidden])") !== null; }
      });
      var visible = cellOk && (shown > 0 || (!state.fam && !state.sev && a.dataset.cell !== ""));
      a.hidden = !visible;
      if (visible && a.dataset.cell !== "") { workloads++; }
      findings += shown;
    });
    press(".matrix button", function (el) { return el.dataset.cell === state.cell; });
    press(".bar", function (el) { return el.dataset.fam === state.fam; });
    press(".sev", function (el) { return el.dataset.sev === state.sev; });
    var parts = [], pressed = document.querySelectorAll("[aria-pressed=true]");
    if (state.cell) { parts.push(state.cell.replace("/", " \\u00d7 ")); }
    if (state.fam) { parts.push(state.fam); }
    if (state.sev) { parts.push(state.sev); }
    var text = "Filtered by " + parts.join(", ") + ": " + workloads + " workloads, " + findings + " findings listed";
    if (pressed.length === 1) {
      var run = pressed[0].dataset;
      text += " (the run has " + (run.workloads ? run.workloads + " workloads, " : "") + run.findings + " findings)";
    }
    status.textContent = parts.length ? text : "";
    document.getElementById("clear").hidden = parts.length === 0;
    status.parentNode.classList.toggle("on", parts.length > 0);
  }
  function toggle(key, value) { state[key] = state[key] === value ? null : value; apply(); }
  document.querySelectorAll(".matrix button").forEach(function (el) {
    el.addEventListener("click", function () { toggle("cell", el.dataset.cell); });
  });
  document.querySelectorAll(".sev").forEach(function (el) {
    el.addEventListener("click", function () { toggle("sev", el.dataset.sev); });
  });
  document.querySelectorAll(".bar").forEach(function (el) {
    el.addEventListener("click", function () { toggle("fam", el.dataset.fam); });
    el.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); toggle("fam", el.dataset.fam); }
    });
  });
  document.getElementById("clear").addEventListener("click", function () {
    state = {cell: null, fam: null, sev: null}; apply();
  });
})();
"""


def _e(value: object) -> str:
    """Escaped text; lone surrogates (from undecodable file names) become ``\\udcxx``."""
    text = str(value).encode("utf-8", "backslashreplace").decode("utf-8")
    return escape(text, quote=True)


def _prose(value: str) -> str:
    """Escaped policy text with its `code` spans (backticks, as in docs/policies.md) set as code."""
    return _CODE_SPAN.sub(r"<code>\1</code>", _e(value))


def _hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii") + "'"


def docs_url(policy_id: str) -> str | None:
    """``<homepage>/blob/HEAD/docs/policies.md#<id>``: the id is stable, GitHub and GitLab anchor its heading so."""
    base = sarif.INFORMATION_URI
    return f"{base.rstrip('/')}/blob/HEAD/{DOCS_PAGE}#{policy_id.lower()}" if base else None


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _where(file: str, line: int, column: int | None = None) -> str:
    return _e(file) + f":{line}" + (f":{column}" if column is not None else "")


def _matrix(view: Posture) -> str:
    head = "".join(f'<th scope="col">{_e(i)}</th>' for i in ISOLATIONS)
    rows = []
    for tier in TIERS:
        cells = []
        for isolation in ISOLATIONS:
            c = view.cell(tier, isolation)
            classes = " ".join(k for k, on in (("below", c.below_minimum), ("empty", not c.workloads)) if on)
            label = f"{tier} tier, {isolation}: {c.workloads} workloads, {c.findings} findings"
            if c.below_minimum:
                label += f", less isolation than tier {tier} needs"
            cells.append(
                f'<td><button type="button" class="{classes}" data-cell="{_e(tier)}/{_e(isolation)}" '
                f'data-workloads="{c.workloads}" data-findings="{c.findings}" '
                f'aria-pressed="false" aria-label="{_e(label)}"><b>{c.workloads}</b>'
                f"<small>{_plural(c.findings, 'finding')}</small></button></td>"
            )
        need = view.minimum_isolation.get(tier)
        rows.append(
            f'<tr><th scope="row">{_e(tier)}</th>{"".join(cells)}'
            f'<td class="need">{"needs " + _e(need) if need else "no requirement"}</td></tr>'
        )
    return (
        '<div><table class="matrix"><caption>Workloads by security tier and isolation</caption>'
        f'<tr><th scope="col">tier</th>{head}<th></th></tr>{"".join(rows)}</table>'
        '<p class="legend">A red cell runs with less isolation than its tier needs (VM101 options '
        "<code>high</code>, <code>standard</code>, <code>low</code>). Choose a cell, a family bar or a "
        "severity to filter the list.</p>"
        '<noscript><p class="legend">Filtering needs JavaScript: the whole list is shown.</p></noscript></div>'
    )


def _chart(view: Posture) -> str:
    families = [(name, counts) for name, counts in view.families.items() if counts.total]
    severities = "".join(
        f'<button type="button" class="sev {_e(s)}" data-sev="{_e(s)}" '
        f'data-findings="{getattr(view.severities, s)}" aria-pressed="false">'
        f"<i></i>{_e(s)} {getattr(view.severities, s)}</button>"
        for s in SEVERITIES
    )
    legend = f'<div class="legend">{severities}</div>'
    if not families:
        return f"<figure><figcaption>No findings.</figcaption>{legend}</figure>"
    row, label_width, bar_width = 24, 130, 300
    largest = max(counts.total for _, counts in families)
    parts = []
    for index, (name, counts) in enumerate(families):
        y = index * row
        x = label_width
        segments = []
        for severity in SEVERITIES:
            value = getattr(counts, severity)
            if value:
                width = max(value / largest * bar_width, 1.5)
                segments.append(
                    f'<rect class="s-{severity}" x="{x:.1f}" y="{y + 4}" width="{width:.1f}" height="{row - 8}"/>'
                )
                x += width
        title = f"{name}: {counts.error} errors, {counts.warning} warnings, {counts.info} info"
        parts.append(
            f'<g class="bar" role="button" tabindex="0" data-fam="{_e(name)}" data-findings="{counts.total}" '
            'aria-pressed="false" '
            f'aria-label="{_e(title)}"><title>{_e(title)}</title>'
            f'<rect class="track" x="0" y="{y}" width="{label_width + bar_width + 50}" height="{row}" fill="#fff"/>'
            f'<text x="0" y="{y + 16}">{_e(name)}</text>{"".join(segments)}'
            f'<text x="{x + 6:.1f}" y="{y + 16}">{counts.total}</text></g>'
        )
    height = len(families) * row
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_width + bar_width + 50}" height="{height}" '
        f'viewBox="0 0 {label_width + bar_width + 50} {height}" role="group" '
        f'aria-label="Findings by family and severity">{"".join(parts)}</svg>'
    )
    return f"<figure><figcaption>Findings by family and severity</figcaption>{svg}{legend}</figure>"


def _excerpt(report: Report, finding: Finding) -> str:
    lines = posture.excerpt(report, finding)
    if not lines:
        return ""
    width = len(str(lines[-1][0]))
    rows = [(number, f"{number:>{width}}  {_e(text)}") for number, text in lines]  # plain text: few DOM nodes
    body = "\n".join(f"<mark>{row}</mark>" if number == finding.line else row for number, row in rows)
    return f'<pre class="x"><code>{body}</code></pre>'


def _finding(report: Report, finding: Finding, policies: dict[str, Policy]) -> str:
    policy = policies.get(finding.policy)
    unit = f" · {_e(finding.object.unit)}" if finding.object and finding.object.unit else ""
    fix = f'<p class="fix">{_prose(policy.remediation)}</p>' if policy and policy.remediation else ""
    docs = f' <a href="#policy-{finding.policy.lower()}">docs</a>' if policy else ""
    return (
        f'<li class="f" data-fam="{_e(finding.tradeoff)}" data-sev="{_e(finding.severity)}">'
        f'<span class="lvl {_e(finding.severity)}">{_e(finding.severity)}</span> '
        f"<code>{_e(finding.policy)}</code> {_e(finding.name)}{docs} — {_e(finding.message)}"
        f' <span class="where">{_where(finding.file, finding.line, finding.column)}{unit}</span>'
        f"{_excerpt(report, finding)}{fix}</li>"
    )


def _findings_list(report: Report, findings: list[Finding], total: int, policies: dict[str, Policy]) -> str:
    shown = [_finding(report, f, policies) for f in findings]
    out = '<ol class="findings">' + "".join(shown[:OPEN_FINDINGS]) + "</ol>"
    if len(shown) > OPEN_FINDINGS:
        out += (
            f"<details><summary>{_plural(len(shown) - OPEN_FINDINGS, 'more finding')}</summary>"
            f'<ol class="findings">{"".join(shown[OPEN_FINDINGS:])}</ol></details>'
        )
    if total > len(findings):
        unlisted = _plural(total - len(findings), "more finding")
        out += f'<p class="more">{unlisted} not listed (see <code>--format json</code>)</p>'
    return out


def _workload(report: Report, item: WorkloadPosture, findings: list[Finding], policies: dict[str, Policy]) -> str:
    w = item.workload
    name = f"{w.kind}/{w.namespace}/{w.name}" if w.namespace else f"{w.kind}/{w.name}"
    runtime = f" ({w.runtime})" if w.runtime else ""
    below = ""
    if item.below_minimum:
        below = f'<span class="tag below">needs {_e(report.minimum_isolation.get(w.tier, ""))}</span>'
    counts = item.findings
    return (
        f'<article data-cell="{_e(w.tier)}/{_e(w.isolation)}"{" class=below" if item.below_minimum else ""}>'
        f"<h3>{_e(name)}<span class=tag>tier {_e(w.tier)}</span><span class=tag>{_e(w.isolation)}{_e(runtime)}</span>"
        f"{below}<span class=tag>{_e(w.format)}</span></h3>"
        f'<div class="where">{_where(w.file, w.line)} · {_plural(counts.total, "finding")}: '
        f"{_plural(counts.error, 'error')}, {_plural(counts.warning, 'warning')}, {counts.info} info</div>"
        f"{_findings_list(report, findings, counts.total, policies) if findings else ''}</article>"
    )


def _chosen(view: Posture) -> list[int]:
    """Workload indices to list: taken in turn from every matrix cell (most errors first), up to MAX_WORKLOADS."""
    queues: dict[tuple[str, str], list[int]] = {}
    for i, item in enumerate(view.workloads):
        queues.setdefault((item.workload.tier, item.workload.isolation), []).append(i)
    order = sorted(
        queues,
        key=lambda cell: (not view.cell(*cell).below_minimum, TIERS.index(cell[0]), ISOLATIONS.index(cell[1])),
    )
    for cell in order:
        queues[cell].sort(key=lambda i: (-view.workloads[i].findings.error, -view.workloads[i].findings.total))
    chosen: dict[tuple[str, str], list[int]] = {cell: [] for cell in order}
    taken, depth = 0, 0
    while taken < min(MAX_WORKLOADS, len(view.workloads)):
        for cell in order:
            if depth < len(queues[cell]) and taken < MAX_WORKLOADS:
                chosen[cell].append(queues[cell][depth])
                taken += 1
        depth += 1
    return [i for cell in order for i in chosen[cell]]


def _varied(findings: list[Finding], rank: dict[str, int]) -> list[Finding]:
    """Errors first, but the first of every (severity, family) before the second of any, so a cut keeps each."""
    seen: dict[tuple[str, str], int] = {}
    keyed = []
    for f in findings:
        group = (f.severity, f.tradeoff)
        seen[group] = seen.get(group, -1) + 1
        keyed.append(((seen[group], rank.get(f.severity, 0)), f))
    keyed.sort(key=lambda pair: pair[0])  # stable: position order within equal keys
    return [f for _, f in keyed]


def _shares(sizes: list[int]) -> list[int]:
    """How many findings each listed workload shows: one more each in turn, up to the caps, within MAX_FINDINGS."""
    shares = [0] * len(sizes)
    budget = MAX_FINDINGS
    for _ in range(MAX_FINDINGS_PER_WORKLOAD):
        grew = False
        for index, size in enumerate(sizes):
            if budget and shares[index] < size:
                shares[index] += 1
                budget -= 1
                grew = True
        if not grew or not budget:
            break
    return shares


def _list(report: Report, view: Posture) -> list[str]:
    policies = {p.id: p for p in report.policies}
    per_workload: dict[int | None, list[Finding]] = {}
    for finding, owner in zip(report.findings, view.owner, strict=True):
        per_workload.setdefault(owner, []).append(finding)
    rank: dict[str, int] = {s: i for i, s in enumerate(SEVERITIES)}
    chosen = _chosen(view)
    others = per_workload.get(None, [])
    shares = _shares([len(per_workload.get(i, [])) for i in chosen] + [len(others)])
    out: list[str] = []
    for i, share in zip(chosen, shares, strict=False):
        mine = _varied(per_workload.get(i, []), rank)
        out.append(_workload(report, view.workloads[i], mine[:share], policies))
    if others:
        take = others[: shares[-1]]
        out.append(
            '<article data-cell=""><h3>Findings on no workload</h3><div class="where">input errors and '
            f"Kubernetes objects beside workloads: {_plural(len(others), 'finding')}</div>"
            f"{_findings_list(report, take, len(others), policies) if take else ''}</article>"
        )
    listed = sum(shares)
    total = len(report.findings)
    note = f"{len(chosen)} of {len(view.workloads)} workloads and {listed} of {total} findings listed"
    if len(chosen) < len(view.workloads) or listed < total:
        note += " (a large run is listed in part, in turn from every matrix cell; the JSON report has all of it)"
    head = [
        '<section id="list"><h2>Workloads and findings</h2>',
        f'<p class="capped">{note}.</p>',
    ]
    if not out:
        out = ["<p>No workloads and no findings.</p>"]
    return [*head, *out, "</section>"]


def _policies(report: Report) -> list[str]:
    used = sorted({f.policy for f in report.findings})
    known = {p.id: p for p in report.policies}
    items = []
    for policy_id in used:
        p = known.get(policy_id)
        if p is None:
            continue
        url = docs_url(p.id)
        more = f'<a href="{_e(url)}">{_e(DOCS_PAGE)}#{p.id.lower()}</a>' if url else f"{DOCS_PAGE}#{p.id.lower()}"
        items.append(
            f'<dt id="policy-{p.id.lower()}"><code>{_e(p.id)}</code> {_e(p.name)} '
            f'<span class="tag">{_e(p.tradeoff)}</span></dt>'
            f"<dd>{_prose(p.summary)}<br><b>Why:</b> {_prose(p.rationale)}<br><b>Fix:</b> {_prose(p.remediation)}<br>"
            f"More: {more}, <code>vmlint explain {_e(p.id)}</code></dd>"
        )
    return ['<section id="policies"><h2>Policies</h2><dl class="policies">', *items, "</dl></section>"] if items else []


def _suppressed(suppressions: Iterable[Suppression], count: int) -> list[str]:
    rows = []
    for s in list(suppressions)[:MAX_LISTED_OTHER]:
        f = s.finding
        why = s.via + (f": {s.justification}" if s.justification else "")
        rows.append(
            f"<tr><td>{_where(f.file, f.line, f.column)}</td><td><code>{_e(f.policy)}</code></td>"
            f"<td>{_e(f.message)}</td><td>{_e(why)}</td></tr>"
        )
    more = f'<p class="more">{count - MAX_LISTED_OTHER} more not listed</p>' if count > MAX_LISTED_OTHER else ""
    return [
        f"<details><summary>Suppressed findings ({count})</summary>",
        '<table class="plain"><tr><th>where</th><th>policy</th><th>message</th><th>suppressed by</th></tr>',
        *rows,
        f"</table>{more}</details>",
    ]


def render(report: Report, color: bool = False) -> str:
    view = posture.of(report)
    s = report.summary
    below = sum(c.workloads for c in view.cells if c.below_minimum)
    meta = (
        f"vmlint {_e(__version__)} · {s.files} files ({s.skipped} skipped as not manifests) · "
        f"{len(view.workloads)} workloads · {s.findings} findings · {s.suppressed} suppressed · "
        f"{s.unvalidated} objects not validated (no schema) · "
        f"{len(report.errors)} internal errors"
    )
    body = [
        f'<h1>vmlint report</h1><p class="meta">{meta}</p>',
        f"<h2>Isolation against risk: {below} workloads with less isolation than their tier needs</h2>",
        f'<div class="top">{_matrix(view)}{_chart(view)}</div>',
        '<div class="filter"><span id="status" aria-live="polite"></span> '
        '<button type="button" id="clear" hidden>Show all</button></div>',
        *_list(report, view),
    ]
    if report.errors:
        body.append(f"<h2>Internal errors ({len(report.errors)})</h2><ul>")
        body += [f"<li><code>{_e(e.file)}</code> {_e(e.message)}</li>" for e in report.errors[:MAX_LISTED_OTHER]]
        body.append("</ul>")
        if len(report.errors) > MAX_LISTED_OTHER:
            body.append(f'<p class="more">{len(report.errors) - MAX_LISTED_OTHER} more not listed</p>')
    if report.suppressions:
        body += _suppressed(report.suppressions, len(report.suppressions))
    body += _policies(report)
    policy = f"default-src 'none'; style-src {_hash(_STYLE)}; script-src {_hash(_SCRIPT)}; base-uri 'none'"
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>vmlint report</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + f"\n<script>{_SCRIPT}</script>\n</body>\n</html>\n"
    )
