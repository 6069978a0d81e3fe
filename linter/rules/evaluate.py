"""Evaluating compiled validations on one workload: variables, cost estimate, violations as hits.

A violation is a ``Hit`` at the validation's field path (relative to ``object``); an expression that
fails on this object (no such key, wrong type) is a ``VM020`` hit at the object, one whose estimated
cost is over the budget, or that cel-expr-python stops after 10,000 iterations, a ``VM021`` hit.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..model import Workload
from ..policy import Hit
from . import ast
from .cel import COST_BUDGET, EvalError, Program
from .fieldpath import FieldPathError, parse
from .model import Validation, Where
from .views import object_of, plain, workload_view

EVALUATION_ERROR, COST_EXCEEDED = "VM020", "VM021"


@dataclass(slots=True)
class RunDocuments:
    """The run's Kubernetes documents (plain), gathered once before files are linted; see ``gather``."""

    objects: list[Any] = field(default_factory=list)
    gathered: bool = False


RUN = RunDocuments()


class Subject:
    """One workload's views, computed on first use and shared by every rule that looks at it."""

    __slots__ = ("_object", "_size", "_view", "workload")

    def __init__(self, workload: Workload) -> None:
        self.workload = workload
        self._object: Any = None
        self._view: Any = None
        self._size: int | None = None

    @property
    def object(self) -> Any:
        if self._object is None:
            self._object = plain(object_of(self.workload))
        return self._object

    @property
    def view(self) -> Any:
        if self._view is None:
            self._view = workload_view(self.workload)
        return self._view

    @property
    def size(self) -> int:
        """The longest list, map or string in the object or its view."""
        if self._size is None:
            self._size = max(_longest(self.object), _longest(self.view))
        return self._size


_LAST: list[Subject] = []


def subject(workload: Workload) -> Subject:
    """The subject for ``workload``; the engine runs every policy on one workload before the next."""
    if _LAST and _LAST[0].workload is workload:
        return _LAST[0]
    made = Subject(workload)
    _LAST[:] = [made]
    return made


def _longest(node: Any) -> int:
    longest = 0
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            longest = max(longest, len(item))
            stack.extend(item.values())
        elif isinstance(item, list):
            longest = max(longest, len(item))
            stack.extend(item)
        elif isinstance(item, str):
            longest = max(longest, len(item))
    return longest


_ESTIMATES: dict[tuple[int, int, int], int] = {}


def _cost(program: Program, sizes: ast.Sizes, variables: dict[str, tuple[int, int]]) -> int:
    key = (id(program.tree), sizes.document, sizes.objects)
    if key not in _ESTIMATES or variables:
        if len(_ESTIMATES) > 100_000:
            _ESTIMATES.clear()
        _ESTIMATES[key] = ast.estimate(program.tree, sizes, variables)[0]
    return _ESTIMATES[key]


def evaluate(
    label: str,
    data: dict[str, Any],
    variables: Sequence[tuple[str, Program]],
    validations: Sequence[Validation],
    sizes: ast.Sizes,
    *,
    prefix: str = "",
) -> Iterator[Hit]:
    """Hits for one object: ``data`` binds the variables; ``label`` names the rule in error messages."""
    computed: dict[str, Any] = {}
    costs: dict[str, tuple[int, int]] = {}
    bound = {**data, "variables": computed}
    for name, program in variables:
        value = run(program, bound, sizes, costs)
        if isinstance(value, EvalError):
            yield _error(label, f"variable {name!r}", program, value)
            return
        computed[name] = value
        costs[name] = ast.estimate(program.tree, sizes, costs)
    for validation in validations:
        result = run(validation.expression, bound, sizes, costs)
        if isinstance(result, EvalError):
            yield _error(label, f"expression at {validation.where}", validation.expression, result)
            continue
        if not isinstance(result, bool):
            message = f"must be a bool, not {type(result).__name__}"
            yield _error(label, f"expression at {validation.where}", validation.expression, EvalError(message))
            continue
        if result:
            continue
        yield Hit(_field_path(validation, bound, sizes, costs), prefix + _message(validation, bound, sizes, costs))


def run(program: Program, data: dict[str, Any], sizes: ast.Sizes, costs: dict[str, tuple[int, int]]) -> Any:
    """The program's value on ``data``, or an ``EvalError`` (also when its estimated cost is over budget)."""
    cost = _cost(program, sizes, costs)
    if cost > COST_BUDGET:
        return EvalError(f"estimated cost {cost:,} is over the budget of {COST_BUDGET:,}", cost=True)
    return program.evaluate({name: data[name] for name in program.reads if name in data})


def _message(validation: Validation, data: dict[str, Any], sizes: ast.Sizes, costs: dict[str, tuple[int, int]]) -> str:
    if validation.message_expression is not None:
        value = run(validation.message_expression, data, sizes, costs)
        if isinstance(value, str) and value.strip() and "\n" not in value:
            return value
    if validation.message:
        return validation.message
    return f"failed expression: {validation.expression.text.strip()}"


def _field_path(
    validation: Validation, data: dict[str, Any], sizes: ast.Sizes, costs: dict[str, tuple[int, int]]
) -> tuple[Any, ...]:
    if validation.field_path_expression is not None:
        value = run(validation.field_path_expression, data, sizes, costs)
        if isinstance(value, str):
            try:
                return parse(value)
            except FieldPathError:
                pass
    return validation.field_path or ()


def _error(label: str, what: str, program: Program, error: EvalError) -> Hit:
    policy = COST_EXCEEDED if error.cost else EVALUATION_ERROR
    return Hit((), f"{label}: {what} failed on this object: {error.message}", policy=policy)


def rule_data(reads: frozenset[str], workload: Workload, params: Any) -> tuple[dict[str, Any], ast.Sizes]:
    """The variables a rule reads, bound for ``workload``, and the sizes its cost estimate uses."""
    current = subject(workload)
    data: dict[str, Any] = {}
    if "object" in reads:
        data["object"] = current.object
    if "workload" in reads:
        data["workload"] = current.view
    if "objects" in reads:
        data["objects"] = RUN.objects
    if "params" in reads:
        data["params"] = params
    return data, ast.Sizes(current.size, len(RUN.objects))


__all__ = ["RUN", "Where", "evaluate", "rule_data", "subject"]
