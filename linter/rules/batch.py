"""All simple rules of a run evaluated in one CEL call per workload.

A rule that defines no variables and reads only ``object`` and ``workload`` is "simple".  For each
workload the validations of the simple rules that match it are evaluated together, as one list
expression compiled once per set of matching rules, on the workload's shared activation; each rule's
check then only reads its results.  One CEL call instead of one per rule saves most of the per-call
cost.  If the list fails (one validation errs on this object), every rule evaluates on its own, so the
error is reported against the rule that caused it.  Validations whose cost needs an estimate are
always evaluated on their own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..model import Workload
from .cel import CompileError, EvalError, Program, compile_expression
from .evaluate import SHAREABLE, Reads, Subject
from .load import RULE_VARIABLES
from .model import Rule, Validation

Results = dict[str, list[Any]]  # rule id -> a result per validation (None: evaluated on its own)


def simple(rule: Rule) -> bool:
    return not rule.variables and rule.reads() <= SHAREABLE


class Batch:
    """The run's simple rules; ``results`` evaluates the ones matching a workload at once."""

    def __init__(self, rules: Sequence[Rule], matches: Callable[[Rule, Workload], bool]) -> None:
        self.rules = [rule for rule in rules if simple(rule)]
        self.ids = frozenset(rule.id for rule in self.rules)
        programs = [p for rule in self.rules for v in rule.validations for p in _programs(v)]
        self.reads = Reads.of(programs)
        self.matches = matches
        self._programs: dict[tuple[str, ...], Program | None] = {}

    def results(self, current: Subject) -> Results:
        """This workload's results for the rules that match it (cached on it); None marks a validation
        to evaluate on its own (it needs a cost estimate, or the combined evaluation failed)."""
        key = id(self)
        if key in current.batches:
            found: Results = current.batches[key]
            return found
        workload = current.workload
        rules = tuple(
            rule
            for rule in self.rules
            if (not rule.match.formats or workload.format in rule.match.formats) and self.matches(rule, workload)
        )
        program = self._program(rules)
        results: Results | None = None
        if program is not None:
            value = program.evaluate(current.shared(program.env, self.reads))
            if isinstance(value, list) and not isinstance(value, EvalError):
                results, items = {}, iter(value)
                for rule in rules:
                    results[rule.id] = [None if v.expression.loops else next(items) for v in rule.validations]
        if results is None:  # evaluated one by one: keep the match, so unmatched rules still return nothing
            results = {rule.id: [None] * len(rule.validations) for rule in rules}
        current.batches[key] = results
        return results

    def _program(self, rules: tuple[Rule, ...]) -> Program | None:
        key = tuple(rule.id for rule in rules)
        if key not in self._programs:
            parts = [f"({v.expression.text})" for rule in rules for v in rule.validations if not v.expression.loops]
            try:
                self._programs[key] = (
                    compile_expression("[" + ", ".join(parts) + "]", RULE_VARIABLES) if parts else None
                )
            except CompileError:  # each part compiled alone; should the list not, evaluate one by one
                self._programs[key] = None
        return self._programs[key]


def _programs(validation: Validation) -> list[Program]:
    found = [validation.expression, validation.message_expression, validation.field_path_expression]
    return [p for p in found if p is not None]
