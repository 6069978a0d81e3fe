"""The CEL engine (Google's cel-expr-python, C++), imported only when a run has rules.

An environment declares the variables an expression may read (all ``dyn``: documents are
schemaless here) with the optional, strings and math extensions and the Kubernetes libraries;
compiling parses and type-checks.  Evaluation never raises: an error is a value.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from . import ast
from .k8s_library import LibraryError, library

# Per expression and object: an estimate above this is not evaluated (a Kubernetes call limit is 10^6 cost
# units; ours count every node once per iteration and are coarser).  cel-expr-python itself stops any
# evaluation after 10,000 comprehension iterations.
COST_BUDGET = 10_000_000
ITERATION_LIMIT_TEXT = "Iteration budget exceeded"
_LOCATION = re.compile(r"<input>:(\d+):(\d+): (.*?)(?:\n|$)")


class CelUnavailable(Exception):
    """No CEL engine can be imported here."""


class CompileError(Exception):
    """An expression that does not parse or type-check; ``line``/``column`` are within the expression."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


@dataclass(frozen=True, slots=True)
class EvalError:
    """An evaluation that failed: ``cost`` when a budget stopped it."""

    message: str
    cost: bool = False


@lru_cache(maxsize=1)
def _module() -> Any:
    try:
        from cel_expr_python import cel
        from cel_expr_python.ext.ext_math import ExtMath
        from cel_expr_python.ext.ext_optional import ExtOptional
        from cel_expr_python.ext.ext_strings import ExtStrings
    except ImportError as error:
        version = ".".join(map(str, sys.version_info[:2]))
        hint = "it needs Python 3.11 or later" if sys.version_info < (3, 11) else "install vmlint again"
        raise CelUnavailable(
            f"CEL rules need the cel-expr-python package, not available on Python {version}: {hint}"
        ) from error
    return cel, [ExtOptional(), ExtStrings(), ExtMath(), library(cel)]


@dataclass(frozen=True, slots=True)
class Program:
    """A compiled expression, what it reads, and its syntax tree for cost estimates."""

    text: str
    compiled: Any
    tree: ast.Node
    reads: frozenset[str]
    env: Any = None
    loops: bool = False  # whether its cost can grow faster than the data (see ``ast.needs_estimate``)

    def evaluate(self, bound: Any) -> Any:
        """The plain result on ``bound`` (an ``activation``), or an ``EvalError``."""
        try:
            value = self.compiled.eval(bound)
        except LibraryError as error:
            return EvalError(str(error))
        except RuntimeError as error:
            return _error(str(error))
        try:
            result = value.plain_value()
        except (TypeError, SystemError):  # an optional, say (alone, or in a list): no Python form
            return EvalError("its value is an optional (or another value with no plain form); use .orValue(...)")
        if result is True or result is False:  # the common case; an error's plain value is its message
            return result
        if isinstance(result, str) and value.type() == _module()[0].Type.ERROR:
            return _error(result)
        return result


def _error(text: str) -> EvalError:
    if ITERATION_LIMIT_TEXT in text:
        return EvalError("more than 10,000 comprehension iterations", cost=True)
    text = re.sub(r"^[A-Z_]+: ", "", text).replace(" [INTERNAL]", "").replace(" [INVALID_ARGUMENT]", "")
    return EvalError(text.strip())


# Built into cel-expr-python, enabled by name: the sets library (``sets.contains``, ``sets.equivalent``,
# ``sets.intersects``), the lists extension (``sort``, ``sortBy``, ``distinct``, ``flatten``, ``reverse``,
# ``slice``, ``lists.range``) and two-variable comprehensions (``all(k, v, ...)``, ``transformList``, ...).
BUILT_IN_EXTENSIONS = ("sets", "lists", "two-var-comprehensions")


@lru_cache(maxsize=16)
def _environment(variables: frozenset[str]) -> Any:
    cel, extensions = _module()
    declared = dict.fromkeys(sorted(variables), cel.Type.DYN)
    config = cel.NewEnvConfigFromYaml("extensions:\n" + "".join(f"  - name: {n}\n" for n in BUILT_IN_EXTENSIONS))
    return cel.NewEnv(config=config, variables=declared, extensions=extensions)


def activation(env: Any, data: dict[str, Any]) -> Any:
    """Variable bindings for any number of evaluations in ``env``: values are converted once, on use."""
    return env.Activation(data)


def not_bool(program: Program) -> str | None:
    """The type a compiled expression returns when it can never be a bool (None: bool, or dyn, only known when
    evaluated)."""
    types = _module()[0].Type
    returned = program.compiled.return_type()
    if returned == types.BOOL or returned == types.DYN:
        return None
    return str(returned.name()).lower()


def available() -> None:
    """Raise ``CelUnavailable`` unless the engine imports."""
    _module()


def compile_expression(text: str, variables: frozenset[str], *, analyse: bool = True) -> Program:
    """Parse and type-check ``text`` with ``variables`` declared; ``CompileError`` says where it fails.

    ``analyse=False``: no syntax tree (what it reads, its cost), for an expression made of parts already analysed."""
    env = _environment(variables)
    try:
        compiled = env.compile(text)
    except RuntimeError as error:
        raise _compile_error(str(error)) from None
    if not analyse:
        return Program(text, compiled, ast.Node(0), frozenset(), env)
    tree = ast.parse_serialized(compiled.serialize())
    return Program(text, compiled, tree, ast.references(tree) & variables, env, ast.needs_estimate(tree))


def _compile_error(text: str) -> CompileError:
    found = _LOCATION.search(text)
    if found is None:
        return CompileError(re.sub(r"^[A-Z_]+: ", "", text).split("\n")[0])
    message = found.group(3).replace(" (in container '')", "").replace(" [INVALID_ARGUMENT]", "")
    return CompileError(message, int(found.group(1)), int(found.group(2)))
