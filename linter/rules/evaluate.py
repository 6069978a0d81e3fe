"""Evaluating compiled validations on one workload: variables, cost estimate, violations as hits.

A violation is a ``Hit`` at the validation's field path (relative to ``object``); an expression that
fails on this object (no such key, wrong type) is a ``VM020`` hit at the object, one whose estimated
cost is over the budget, or that cel-expr-python stops after 10,000 iterations, a ``VM021`` hit.
Rules that read only ``object`` and ``workload`` are evaluated together (see ``batch``); the others,
and admission policies, share the workload's whole views.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..model import Workload
from ..policy import Hit
from . import ast
from .cel import COST_BUDGET, EvalError, Program, activation
from .fieldpath import FieldPathError, parse
from .model import Validation
from .needs import Plan, prune
from .views import object_of, plain_sized, workload_view

EVALUATION_ERROR, COST_EXCEEDED = "VM020", "VM021"


class Subject:
    """One workload's whole ``object`` and ``workload`` views, computed on first use and shared by the rules and
    admission policies that read them whole; ``hits`` holds what the run's batch of simple rules found."""

    __slots__ = ("_length", "_object", "_objects", "_sizes", "_view", "hits", "workload")

    def __init__(self, workload: Workload, objects: int = 0) -> None:
        self.workload = workload
        self.hits: dict[int, dict[str, list[Hit]]] = {}  # per batch (by id): rule id -> its hits
        self._objects = objects
        self._object: Any = None
        self._length = 0
        self._view: Any = None
        self._sizes: ast.Sizes | None = None

    @property
    def object(self) -> Any:
        if self._object is None:
            self._object, self._length = plain_sized(object_of(self.workload))
        return self._object

    @property
    def view(self) -> Any:
        if self._view is None:
            self._view = workload_view(self.workload)
        return self._view

    @property
    def sizes(self) -> ast.Sizes:
        """The longest collection and string of the document (the view is derived from it)."""
        if self._sizes is None:
            self.object  # noqa: B018 - converting it measures it
            self._sizes = bounds(self._length, self.workload, self._objects)
        return self._sizes


def bounds(length: int, workload: Workload, objects: int) -> ast.Sizes:
    """Sizes for data whose JSON text is ``length`` long: that bounds every list, map and string in it; rounded
    up to a power of two it stays a bound and the estimates can be cached."""
    bound = _ceil2(max(length, len(workload.units)))
    return ast.Sizes(bound, bound, objects)


@dataclass(slots=True)
class RunContext:
    """What one run shares with its rules and admission policies: the run's Kubernetes documents (plain,
    gathered by the engine's prepare hook before files are linted; see ``gather``), and the workload being
    checked (the engine runs every policy on one workload before the next)."""

    objects: list[Any] = field(default_factory=list)
    current: Subject | None = None
    _copies: dict[int, tuple[Plan, list[Any]]] = field(default_factory=dict)

    def start(self, objects: list[Any] | None = None) -> None:
        """A new run: its documents (None: none gathered), nothing of the last run's."""
        self.objects, self.current = objects or [], None
        self._copies.clear()

    def objects_for(self, how: Plan | None) -> list[Any]:
        """The run's documents with only what ``how`` keeps, copied once per run (and worker) and shared by
        every workload: converting them into CEL for each workload then costs what the rule reads of them."""
        if how is None:
            return self.objects
        found = self._copies.get(id(how))
        if found is None:
            found = self._copies[id(how)] = (how, prune(self.objects, how))
        return found[1]

    def subject(self, workload: Workload) -> Subject:
        """The subject for ``workload``."""
        if self.current is None or self.current.workload is not workload:
            self.current = Subject(workload, len(self.objects))
        return self.current


def _ceil2(value: int) -> int:
    return 1 << max(value - 1, 0).bit_length()


_ESTIMATES: dict[tuple[int, int, int, int], int] = {}


def cost_of(program: Program, sizes: ast.Sizes, variables: dict[str, tuple[int, int]]) -> int:
    if variables:
        return ast.estimate(program.tree, sizes, variables)[0]
    key = (id(program.tree), sizes.document, sizes.text, sizes.objects)
    if key not in _ESTIMATES:
        if len(_ESTIMATES) > 100_000:
            _ESTIMATES.clear()
        _ESTIMATES[key] = ast.estimate(program.tree, sizes)[0]
    return _ESTIMATES[key]


class Bindings:
    """The variables of one evaluation, as an activation made on first use (or one given, shared by others)."""

    __slots__ = ("_activation", "_measure", "_sizes", "data")

    def __init__(self, data: dict[str, Any], sizes: ast.Sizes | Callable[[], ast.Sizes], bound: Any = None) -> None:
        self.data, self._activation = data, bound
        self._sizes: ast.Sizes | None = sizes if isinstance(sizes, ast.Sizes) else None
        self._measure: Callable[[], ast.Sizes] | None = None if isinstance(sizes, ast.Sizes) else sizes

    @property
    def sizes(self) -> ast.Sizes:
        """Bounds on the data (measured on first use: only expressions that need an estimate ask)."""
        if self._sizes is None:
            assert self._measure is not None
            self._sizes = self._measure()
        return self._sizes

    def activation(self, program: Program) -> Any:
        if self._activation is None:
            self._activation = activation(program.env, self.data)
        return self._activation


def run(program: Program, bindings: Bindings, costs: dict[str, tuple[int, int]] | None = None) -> Any:
    """The program's value, or an ``EvalError`` (also when its estimated cost is over budget)."""
    if program.loops:
        cost = cost_of(program, bindings.sizes, costs or {})
        if cost > COST_BUDGET:
            return EvalError(f"estimated cost {cost:,} is over the budget of {COST_BUDGET:,}", cost=True)
    return program.evaluate(bindings.activation(program))


def evaluate(
    label: str,
    bindings: Bindings,
    variables: Sequence[tuple[str, Program]],
    validations: Sequence[Validation],
) -> Iterator[Hit]:
    """Hits for one object; ``label`` names the rule in error messages."""
    costs: dict[str, tuple[int, int]] = {}
    if variables:
        computed: dict[str, Any] = {}
        for name, program in variables:
            value = run(program, Bindings({**bindings.data, "variables": dict(computed)}, bindings.sizes), costs)
            if isinstance(value, EvalError):
                yield error_hit(label, f"variable {name!r}", value)
                return
            computed[name] = value
            costs[name] = ast.estimate(program.tree, bindings.sizes, costs)
        bindings = Bindings({**bindings.data, "variables": computed}, bindings.sizes)
    for validation in validations:
        result = run(validation.expression, bindings, costs)
        if result is not True:
            yield violation(label, validation, bindings, costs, result)


def violation(
    label: str, validation: Validation, bindings: Bindings, costs: dict[str, tuple[int, int]], result: Any
) -> Hit:
    """The hit for a validation whose value was not ``true``: an error, a wrong type, or a violation."""
    if isinstance(result, EvalError):
        return error_hit(label, f"expression at {validation.where}", result)
    if not isinstance(result, bool):
        message = f"must be a bool, not {type(result).__name__}"
        return error_hit(label, f"expression at {validation.where}", EvalError(message))
    message = _message(validation, bindings, costs)
    if validation.reason:
        message += f" (reason: {validation.reason})"
    return Hit(_field_path(validation, bindings, costs), message)


def _message(validation: Validation, bindings: Bindings, costs: dict[str, tuple[int, int]]) -> str:
    if validation.message_expression is not None:
        value = run(validation.message_expression, bindings, costs)
        if isinstance(value, str) and value.strip() and "\n" not in value:
            return value
    if validation.message:
        return validation.message
    return f"failed expression: {validation.expression.text.strip()}"


def _field_path(validation: Validation, bindings: Bindings, costs: dict[str, tuple[int, int]]) -> tuple[Any, ...]:
    if validation.field_path_expression is not None:
        value = run(validation.field_path_expression, bindings, costs)
        if isinstance(value, str):
            try:
                return parse(value)
            except FieldPathError:
                pass
    return validation.field_path or ()


def error_hit(label: str, what: str, error: EvalError) -> Hit:
    policy = COST_EXCEEDED if error.cost else EVALUATION_ERROR
    return Hit((), f"{label}: {what} failed on this object: {error.message}", policy=policy)


def rule_bindings(
    reads: frozenset[str], current: Subject, params: Any, context: RunContext, objects: Plan | None = None
) -> Bindings:
    """The variables a rule reads, bound for the subject's workload; ``objects``: what the rule reads of them."""
    data: dict[str, Any] = {}
    if "object" in reads:
        data["object"] = current.object
    if "workload" in reads:
        data["workload"] = current.view
    if "objects" in reads:
        data["objects"] = context.objects_for(objects)
    if "params" in reads:
        data["params"] = params
    return Bindings(data, lambda: current.sizes)
