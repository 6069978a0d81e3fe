"""``vmlint test``: lint each fixture a rule declares and compare (id, line) with its expectations."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .policy import Policy
from .rules.evaluate import COST_EXCEEDED, EVALUATION_ERROR
from .rules.policies import rule_policies
from .user_policies import UserPolicies

ALWAYS_SHOWN = frozenset({EVALUATION_ERROR, COST_EXCEEDED} | {f"VM00{n}" for n in range(1, 9)})


@dataclass(frozen=True, slots=True)
class Outcome:
    """The printed table and whether any expectation failed."""

    table: str
    failed: bool


def _pairs(items: Sequence[tuple[str, int]]) -> str:
    return ", ".join(f"{i}:{line}" for i, line in sorted(items, key=lambda p: (p[1], p[0]))) or "-"


def run_tests(user: UserPolicies, engine_for: Callable[[Sequence[Policy], frozenset[str]], Any]) -> Outcome:
    """Every declared test of every rule, as a table; ``engine_for(policies, select)`` makes the engine."""
    rows = [("rule", "fixture", "expected", "found", "result")]
    failed = False
    for rule in user.rules:
        if not rule.tests:
            rows.append((rule.id, f"(no tests in {rule.where.file})", "-", "-", "untested"))
            continue
        assert user.context is not None  # rules were loaded
        engine = engine_for(rule_policies((rule,), user.context), frozenset({rule.id}) | ALWAYS_SHOWN)
        for test in rule.tests:
            fixture = Path(rule.where.file).parent / test.file
            if not fixture.exists():
                rows.append((rule.id, str(fixture), _pairs(test.expect), "missing file", "FAIL"))
                failed = True
                continue
            report = engine.lint([str(fixture)], jobs=1)
            found = [(f.policy, f.line) for f in report.findings]
            ok = sorted(found) == sorted(test.expect) and not report.errors
            failed = failed or not ok
            rows.append((rule.id, str(fixture), _pairs(test.expect), _pairs(found), "pass" if ok else "FAIL"))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    passed = sum(1 for row in rows[1:] if row[4] == "pass")
    total = sum(1 for row in rows[1:] if row[4] in ("pass", "FAIL"))
    lines.append(f"{passed} of {total} rule tests passed")
    return Outcome("\n".join(lines), failed)
