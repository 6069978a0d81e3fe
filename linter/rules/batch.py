"""All simple rules of a run evaluated in one CEL call per workload.

A rule that defines no variables and reads only ``object`` and ``workload`` is "simple".  When rules load,
the validations of the simple ones are compiled once into one list expression whose items are guarded by
a mask (``mask[i] ? dyn(expression) : true``).  Per workload, Python decides first which rules match
(formats and kinds once per shape of workload, then tiers, isolation, namespaces and labels) and which
validations are within the cost budget; when none match, nothing is converted.  Otherwise the parts of
``object`` and ``workload`` that the matching rules read (see ``needs``) are converted once, into one
activation, and one evaluation gives every result.  If it fails (one validation errs on this object, or
all together reach the 10,000-iteration cap), each matching validation is evaluated on its own on the
same activation, so the error is reported against the rule that caused it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..model import Workload
from ..policy import Hit
from . import ast
from .cel import COST_BUDGET, CompileError, EvalError, Program, activation, compile_expression
from .evaluate import Bindings, RunContext, bounds, cost_of, error_hit, violation
from .model import Rule, Validation
from .needs import Plan, needs, plan, prune
from .views import ViewPart, object_of, workload_view

ROOTS = frozenset({"object", "workload"})
MASK = "__vmlint_mask__"  # not a variable rules may read: their expressions are compiled without it
_MAX_CACHED = 4096


def simple(rule: Rule) -> bool:
    return not rule.variables and rule.reads() <= ROOTS


def label(rule: Rule) -> str:
    """How messages name a rule."""
    return f"rule {rule.id} ({rule.where.file})"


class Batch:
    """The run's simple rules; ``hits`` evaluates those that match a workload at once."""

    def __init__(self, rules: Sequence[Rule], matches: Callable[[Rule, Workload], bool], context: RunContext) -> None:
        self.rules = tuple(rule for rule in rules if simple(rule))
        self.ids = frozenset(rule.id for rule in self.rules)
        self.context = context
        self._matches = matches
        self._dynamic = tuple(rule.match.dynamic() for rule in self.rules)
        self._validations: list[Validation] = [v for rule in self.rules for v in rule.validations]
        self._first: list[int] = [0]  # rule i's validations are _validations[_first[i]:_first[i + 1]]
        for rule in self.rules:
            self._first.append(self._first[-1] + len(rule.validations))
        self._owner = [i for i, rule in enumerate(self.rules) for _ in rule.validations]
        self.program = _combined(self._validations)
        self._env = self.program.env if self.program else next((v.expression.env for v in self._validations), None)
        self._shapes: dict[tuple[str, str], tuple[int, ...]] = {}
        self._selections: dict[tuple[int, ...], _Selection] = {}

    def hits(self, workload: Workload) -> dict[str, list[Hit]]:
        """Rule id -> its hits on ``workload`` (rules that hold or do not match are absent); computed once."""
        current = self.context.current
        if current is None or current.workload is not workload:  # the first rule to look at this workload
            current = self.context.subject(workload)
        found = current.hits.get(id(self))
        if found is None:
            found = current.hits[id(self)] = self._evaluate(workload)
        return found

    def _evaluate(self, workload: Workload) -> dict[str, list[Hit]]:
        chosen = tuple(
            i for i in self._shape(workload) if not self._dynamic[i] or self._matches(self.rules[i], workload)
        )
        if not chosen:
            return {}
        selection = self._selection(chosen)
        data: dict[str, Any] = {}
        if selection.copied is not None:
            data["object"] = prune(object_of(workload), selection.copied)
        if selection.viewed is not None:
            data["workload"] = workload_view(workload, selection.viewed)
        objects, measured = len(self.context.objects), list[ast.Sizes]()

        def sizes() -> ast.Sizes:  # bounds on what the evaluation sees, measured when an estimate needs them
            if not measured:
                measured.append(bounds(len(json.dumps(data)), workload, objects))
            return measured[0]

        mask = list(selection.mask)
        over: dict[int, EvalError] = {}
        for j in selection.loops:  # evaluated only within the cost budget
            cost = cost_of(self._validations[j].expression, sizes(), {})
            if cost > COST_BUDGET:
                over[j] = EvalError(f"estimated cost {cost:,} is over the budget of {COST_BUDGET:,}", cost=True)
            else:
                mask[j] = True
        bound = activation(self._env, {**data, MASK: mask})
        results = self._results(bound, mask)
        failed = [j for j, result in enumerate(results) if result is not True and mask[j]]
        if not failed and not over:
            return {}
        bindings = Bindings(data, sizes, bound)
        out: dict[str, list[Hit]] = {}
        for j in sorted({*failed, *over}):
            rule, validation = self.rules[self._owner[j]], self._validations[j]
            if j in over:
                hit = error_hit(label(rule), f"expression at {validation.where}", over[j])
            else:
                hit = violation(label(rule), validation, bindings, {}, results[j])
            out.setdefault(rule.id, []).append(hit)
        return out

    def _results(self, bound: Any, mask: list[bool]) -> list[Any]:
        """Each validation's value (``True`` for those masked out): one evaluation, or one each if that fails."""
        if self.program is not None:
            value = self.program.evaluate(bound)
            if isinstance(value, list):
                return value
        return [v.expression.evaluate(bound) if mask[j] else True for j, v in enumerate(self._validations)]

    def _shape(self, workload: Workload) -> tuple[int, ...]:
        """The rules whose formats and kinds select this format and kind of workload."""
        key = (workload.format, workload.kind)
        found = self._shapes.get(key)
        if found is None:
            found = self._shapes[key] = tuple(
                i
                for i, rule in enumerate(self.rules)
                if (not rule.match.formats or workload.format in rule.match.formats)
                and (not rule.match.kinds or workload.kind in rule.match.kinds)
            )
        return found

    def _selection(self, chosen: tuple[int, ...]) -> _Selection:
        """What to convert and evaluate for the chosen rules."""
        found = self._selections.get(chosen)
        if found is None:
            if len(self._selections) > _MAX_CACHED:
                self._selections.clear()
            found = self._selections[chosen] = self._select(chosen)
        return found

    def _select(self, chosen: tuple[int, ...]) -> _Selection:
        trees = [
            p.tree
            for i in chosen
            for v in self.rules[i].validations
            for p in (v.expression, v.message_expression, v.field_path_expression)
            if p is not None
        ]
        read = needs(trees, ROOTS)
        mask, loops = [False] * len(self._validations), []
        for i in chosen:
            for j in range(self._first[i], self._first[i + 1]):
                if self._validations[j].expression.loops:
                    loops.append(j)
                else:
                    mask[j] = True
        return _Selection(
            plan(read["object"]) if "object" in read else None,
            ViewPart.of(read["workload"]) if "workload" in read else None,
            tuple(mask),
            tuple(loops),
        )


@dataclass(frozen=True, slots=True)
class _Selection:
    """For a set of matching rules: how to copy ``object`` and what to build of ``workload`` (None: not read),
    the validations to evaluate, and those to evaluate only within the cost budget."""

    copied: Plan | None
    viewed: ViewPart | None
    mask: tuple[bool, ...]
    loops: tuple[int, ...]


def _combined(validations: Sequence[Validation]) -> Program | None:
    """One list expression of every validation, each behind its mask bit; None when there are none (or,
    should the combination not compile although each part does, to evaluate them one by one)."""
    if not validations:
        return None
    parts = [f"{MASK}[{j}] ? dyn(\n{v.expression.text}\n) : true" for j, v in enumerate(validations)]
    try:
        return compile_expression("[" + ",\n".join(parts) + "]", ROOTS | {MASK}, analyse=False)
    except CompileError:
        return None
