"""examples/README.md says what `vmlint check examples/` reports: per file, the headline policies and the counts."""

from __future__ import annotations

import json
import re
from collections import Counter

from click.testing import CliRunner

from tests.conftest import REPO
from vmlint.cli import main
from vmlint.reporters.wording import SEVERITY_ORDER, count

ROW = re.compile(r"^\| `(?P<file>[^`]+)` \| (?P<what>.*) \| (?P<findings>[^|]*) \|$")


def _rows() -> dict[str, tuple[set[str], str]]:
    rows = {}
    for line in (REPO / "examples" / "README.md").read_text().splitlines():
        match = ROW.match(line)
        if match:
            rows[match["file"]] = (set(re.findall(r"\bVM\d{3}\b", match["what"])), match["findings"].strip())
    return rows


def test_examples_readme_matches_what_vmlint_reports(monkeypatch) -> None:
    monkeypatch.chdir(REPO)
    run = CliRunner().invoke(main, ["check", "--format", "json", "examples/"], catch_exceptions=False)
    findings = json.loads(run.stdout)["findings"]
    by_file: dict[str, list[dict]] = {}
    for finding in findings:
        by_file.setdefault(finding["file"].removeprefix("examples/"), []).append(finding)
    rows = _rows()
    described = sorted(p.relative_to(REPO / "examples").as_posix() for p in (REPO / "examples").rglob("*.*"))
    assert sorted(rows) == [name for name in described if name != "README.md"]
    for file, (headline, claimed) in rows.items():
        found = by_file.get(file, [])
        assert headline <= {f["policy"] for f in found}, (file, headline - {f["policy"] for f in found})
        severities = Counter(f["severity"] for f in found)
        parts = ", ".join(count(severities[s], s) for s in SEVERITY_ORDER if severities[s])
        assert claimed == (f"{len(found)}: {parts}" if found else "none"), file
    text = CliRunner().invoke(main, ["check", "examples/"], catch_exceptions=False).stdout.splitlines()[-1]
    assert f"In all: `{text}`." in (REPO / "examples" / "README.md").read_text()
