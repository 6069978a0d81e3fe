"""Evaluating compiled validations on one workload: variables, cost estimate, violations as hits.

A violation is a ``Hit`` at the validation's field path (relative to ``object``); an expression that
fails on this object (no such key, wrong type) is a ``VM020`` hit at the object, one whose estimated
cost is over the budget, or that cel-expr-python stops after 10,000 iterations, a ``VM021`` hit.
Bindings are converted to CEL once per workload and shared by every rule that reads only ``object``
and ``workload``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..model import Workload
from ..policy import Hit
from . import ast
from .cel import COST_BUDGET, EvalError, Program, activation
from .fieldpath import FieldPathError, parse
from .model import Validation
from .views import object_of, plain_sized, workload_view

EVALUATION_ERROR, COST_EXCEEDED = "VM020", "VM021"
SHAREABLE = frozenset({"object", "workload"})


@dataclass(slots=True)
class RunDocuments:
    """The run's Kubernetes documents (plain), gathered once before files are linted; see ``gather``."""

    objects: list[Any] = field(default_factory=list)
    gathered: bool = False


RUN = RunDocuments()


class Subject:
    """One workload's views, computed on first use and shared by every rule that looks at it."""

    __slots__ = ("_activations", "_length", "_object", "_part", "_sizes", "_view", "_view_sizes", "batches", "workload")

    def __init__(self, workload: Workload) -> None:
        self.workload = workload
        self.batches: dict[int, Any] = {}  # results of ``batch.Batch`` evaluations
        self._object: Any = None
        self._length = 0
        self._view: Any = None
        self._sizes: ast.Sizes | None = None
        self._view_sizes: ast.Sizes | None = None
        self._part: Any = None
        self._activations: dict[int, Any] = {}

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
            # The JSON text bounds every list, map and string in the object and in the view made from it; rounded up
            # to a power of two it stays a bound and the estimates can be cached.
            bound = _ceil2(max(self._length, len(self.workload.units)))
            self._sizes = ast.Sizes(bound, bound, len(RUN.objects))
        return self._sizes

    def sizes_for(self, reads: frozenset[str]) -> ast.Sizes:
        """``sizes``, or for an expression that reads only ``workload`` the (smaller) bound of the view."""
        if reads != frozenset({"workload"}):
            return self.sizes
        if self._view_sizes is None:
            view = self._part if self._part is not None else self.view  # the part holds every field rules read
            bound = _ceil2(max(len(json.dumps(view)), len(self.workload.units)))
            self._view_sizes = ast.Sizes(bound, bound, len(RUN.objects))
        return self._view_sizes

    def shared(self, env: Any, reads: Reads | None = None) -> Any:
        """One activation of ``object`` and ``workload`` per environment (only what ``reads`` says is read)."""
        key = id(env)
        if key not in self._activations:
            data = {}
            if reads is None or reads.object:
                data["object"] = self.object
            if reads is None or reads.workload:
                data["workload"] = self.view if reads is None or reads.fields is None else self.part(reads.fields)
            self._activations[key] = activation(env, data)
        return self._activations[key]

    def part(self, fields: frozenset[str]) -> Any:
        """The view with only ``fields`` (the whole view when that is already made)."""
        if self._view is not None:
            return self._view
        if self._part is None:
            self._part = workload_view(self.workload, fields)
        return self._part


@dataclass(frozen=True, slots=True)
class Reads:
    """What a run's shared activations must hold: ``object``, ``workload``, and which fields of it (None: all)."""

    object: bool
    workload: bool
    fields: frozenset[str] | None

    @classmethod
    def of(cls, programs: Sequence[Program]) -> Reads:
        fields: set[str] | None = set()
        for program in programs:
            if "workload" in program.reads:
                found = ast.fields_of(program.tree, "workload")
                fields = None if found is None or fields is None else fields | found
        return cls(
            any("object" in p.reads for p in programs),
            any("workload" in p.reads for p in programs),
            frozenset(fields) if fields is not None else None,
        )


_LAST: list[Subject] = []


def subject(workload: Workload) -> Subject:
    """The subject for ``workload``; the engine runs every policy on one workload before the next."""
    if _LAST and _LAST[0].workload is workload:
        return _LAST[0]
    made = Subject(workload)
    _LAST[:] = [made]
    return made


def _ceil2(value: int) -> int:
    return 1 << max(value - 1, 0).bit_length()


_ESTIMATES: dict[tuple[int, int, int, int], int] = {}


def _cost(program: Program, sizes: ast.Sizes, variables: dict[str, tuple[int, int]]) -> int:
    if variables:
        return ast.estimate(program.tree, sizes, variables)[0]
    key = (id(program.tree), sizes.document, sizes.text, sizes.objects)
    if key not in _ESTIMATES:
        if len(_ESTIMATES) > 100_000:
            _ESTIMATES.clear()
        _ESTIMATES[key] = ast.estimate(program.tree, sizes)[0]
    return _ESTIMATES[key]


class Bindings:
    """The variables of one evaluation, as an activation made on first use (or the workload's shared one)."""

    __slots__ = ("_activation", "_sizes", "data", "subject")

    def __init__(self, data: dict[str, Any], sizes: ast.Sizes | None, current: Subject | None = None) -> None:
        self.data, self._sizes, self.subject = data, sizes, current
        self._activation: Any = None

    @property
    def sizes(self) -> ast.Sizes:
        if self._sizes is None:
            assert self.subject is not None
            self._sizes = self.subject.sizes
        return self._sizes

    def activation(self, program: Program) -> Any:
        if self._activation is None:
            if self.subject is not None and set(self.data) <= SHAREABLE:
                self._activation = self.subject.shared(program.env)
            else:
                self._activation = activation(program.env, self.data)
        return self._activation


def run(program: Program, bindings: Bindings, costs: dict[str, tuple[int, int]] | None = None) -> Any:
    """The program's value, or an ``EvalError`` (also when its estimated cost is over budget)."""
    if program.loops:
        cost = _cost(program, bindings.sizes, costs or {})
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
                yield _error(label, f"variable {name!r}", value)
                return
            computed[name] = value
            costs[name] = ast.estimate(program.tree, bindings.sizes, costs)
        bindings = Bindings({**bindings.data, "variables": computed}, bindings.sizes)
    for validation in validations:
        result = run(validation.expression, bindings, costs)
        if result is not True:
            yield _violation(label, validation, bindings, costs, result)


def _violation(
    label: str, validation: Validation, bindings: Bindings, costs: dict[str, tuple[int, int]], result: Any
) -> Hit:
    """The hit for a validation whose value was not ``true``: an error, a wrong type, or a violation."""
    if isinstance(result, EvalError):
        return _error(label, f"expression at {validation.where}", result)
    if not isinstance(result, bool):
        message = f"must be a bool, not {type(result).__name__}"
        return _error(label, f"expression at {validation.where}", EvalError(message))
    message = _message(validation, bindings, costs)
    if validation.reason:
        message += f" (reason: {validation.reason})"
    return Hit(_field_path(validation, bindings, costs), message)


def evaluate_shared(
    label: str,
    current: Subject,
    validations: Sequence[Validation],
    known: Sequence[Any] | None = None,
    reads: Reads | None = None,
) -> Iterator[Hit]:
    """``evaluate`` for rules that read only ``object`` and ``workload`` and define no variables: the
    workload's shared activation, and no work beyond one call per validation that holds.  ``known`` are
    results already computed (see ``batch``), None for those to evaluate here."""
    shared = None
    for index, validation in enumerate(validations):
        if known is not None and known[index] is not None:
            if known[index] is not True:
                yield _violation(label, validation, Bindings({}, None, current), {}, known[index])
            continue
        program = validation.expression
        if shared is None:
            shared = current.shared(program.env, reads)
        if program.loops:
            cost = _cost(program, current.sizes_for(program.reads), {})
            if cost > COST_BUDGET:
                error = EvalError(f"estimated cost {cost:,} is over the budget of {COST_BUDGET:,}", cost=True)
                yield _error(label, f"expression at {validation.where}", error)
                continue
        result = program.evaluate(shared)
        if result is not True:
            yield _violation(label, validation, Bindings({}, None, current), {}, result)


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


def _error(label: str, what: str, error: EvalError) -> Hit:
    policy = COST_EXCEEDED if error.cost else EVALUATION_ERROR
    return Hit((), f"{label}: {what} failed on this object: {error.message}", policy=policy)


def rule_bindings(reads: frozenset[str], workload: Workload, params: Any) -> Bindings:
    """The variables a rule reads, bound for ``workload``."""
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
    return Bindings(data, None, current)
