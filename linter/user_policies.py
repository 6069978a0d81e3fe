"""User policies of a run: rule files and admission policies named by config or the command line.

Nothing else becomes a rule: a rule folder inside the scanned tree is input like any other file.
Loading compiles every expression once; ``prepare`` is the engine's hook that, before files are
linted, gathers the run's documents when a rule needs them and reports load-time notices (VM022).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .findings import FileResult, Finding
from .policy import Policy
from .rules.errors import RuleFileError

if TYPE_CHECKING:
    from .admission.load import AdmissionSet
    from .rules.evaluate import RunContext
    from .rules.model import Rule

UNSUPPORTED = "VM022"


@dataclass(frozen=True, slots=True)
class UserPolicies:
    """What the rule and admission-policy files gave."""

    policies: tuple[Policy, ...] = ()
    rules: tuple[Rule, ...] = ()
    admission: AdmissionSet | None = None
    needs_documents: bool = False
    notices: tuple[tuple[str, int, int, str], ...] = field(default=())  # (file, line, column, message)
    context: RunContext | None = None  # what ``prepare`` gathers for the policies' runs


def load_user_policies(
    rule_paths: Sequence[str], admission_paths: Sequence[str], known: Sequence[Policy]
) -> UserPolicies:
    """Load, compile and check ids against ``known`` (built-ins and packs); ``RuleFileError`` on problems."""
    if not rule_paths and not admission_paths:
        return UserPolicies()
    from .rules import cel

    try:
        cel.available()
    except cel.CelUnavailable as error:
        raise RuleFileError((list(rule_paths) + list(admission_paths))[0], 1, 1, str(error)) from None
    from .rules.evaluate import RunContext
    from .rules.load import load_rules
    from .rules.policies import rule_policies

    context = RunContext()
    rules = load_rules(rule_paths)
    policies = list(rule_policies(rules, context))
    needs = any("objects" in rule.reads() for rule in rules)
    notices: list[tuple[str, int, int, str]] = []
    admission = None
    if admission_paths:
        from .admission.load import load_admission
        from .admission.policies import admission_policies

        admission = load_admission(admission_paths)
        policies.extend(admission_policies(admission, context))
        needs = needs or bool(admission.policies)
        for policy in admission.policies:
            for what, where in policy.unsupported:
                message = (
                    f"VAP/{policy.name}: {what} reads `authorizer`, which offline evaluation cannot answer; skipped"
                )
                notices.append((where.file, where.line, where.column, message))
    _check_duplicates(policies, known, rules)
    return UserPolicies(tuple(policies), rules, admission, needs, tuple(notices), context)


def _check_duplicates(policies: Sequence[Policy], known: Sequence[Policy], rules: Sequence[Rule]) -> None:
    """Ids unique across built-ins, packs, rule files and admission policies; an error names both places."""
    origin: dict[str, str] = {p.id: _describe(p) for p in known}
    places = iter(rule.where for rule in rules)  # rule policies come first, in the order of ``rules``
    for policy in policies:
        here = next(places, None) if policy.source != "builtin" and not policy.id.startswith("VAP/") else None
        where = here if here is not None else _first_line(policy.source)
        described = str(where) if here is not None else policy.source
        if policy.id in origin:
            raise RuleFileError(
                where.file,
                where.line,
                where.column,
                f"duplicate policy id {policy.id}: defined in {described} and in {origin[policy.id]}",
            )
        origin[policy.id] = described


def _first_line(file: str) -> Any:
    from .rules.model import Where

    return Where(file, 1, 1)


def _describe(policy: Policy) -> str:
    return "the built-in policies" if policy.source == "builtin" else f"policy pack {policy.source!r}"


def prepare(user: UserPolicies) -> Any:
    """The engine hook for each run: gather the run's documents into the policies' context if they need them,
    and the notices as findings."""
    from .engine import Engine

    def hook(engine: Engine, candidates: list[Any]) -> list[FileResult]:
        from .rules.gather import gather

        if user.context is not None:
            ahead = engine.ahead
            assert ahead is not None  # the engine calls its hook during a run, with the run's look-ahead
            gathered = gather(candidates, ahead.read) if user.needs_documents else None
            user.context.start(gathered)
        active = engine.by_id.get(UNSUPPORTED)
        if active is None or not user.notices:
            return []
        results: dict[str, list[Finding]] = {}
        for file, line, column, message in user.notices:
            finding = Finding(
                file=file,
                line=line,
                column=column,
                policy=UNSUPPORTED,
                name=active.policy.name,
                severity=active.severity,
                tradeoff=active.policy.tradeoff,
                message=message,
            )
            results.setdefault(file, []).append(finding)
        return [FileResult(file, findings=tuple(found), linted=False) for file, found in results.items()]

    return hook
