"""A per-file CPU-time budget: a runaway file becomes a finding instead of holding up the run.

The budget is a one-shot ``ITIMER_PROF`` timer (CPU time of this process, so a busy
machine does not turn slow wall-clock time into false alarms).  Its signal raises
``BudgetExceeded``, a ``BaseException``, so the ``except Exception`` guards around parsers
and policies cannot swallow it.  Signals only reach the main thread, so elsewhere (and
where ``setitimer`` does not exist) the budget is not enforced.  ``usable_cpus`` is the other
side of a run's CPU: how many cores the workers may share.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

FILE_CPU_SECONDS = 2.0
# The timer fires this share of the budget early: dropping what the file built (unwinding) fits in the rest,
# so a file that runs out ends near its budget, not a tenth of a second or more after it.
UNWIND_SHARE = 0.05


class BudgetExceeded(BaseException):
    """The file's CPU-time budget ran out."""


def _expire(signum: int, frame: Any) -> None:
    raise BudgetExceeded


def enforceable() -> bool:
    """Whether a budget can interrupt work here (main thread, POSIX timers)."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def within_budget(seconds: float, work: Callable[[], T]) -> T | None:
    """``work()``, or None when it used more than ``seconds`` of CPU time (0 disables)."""
    if seconds <= 0 or not enforceable():
        return work()
    previous = signal.signal(signal.SIGPROF, _expire)
    try:
        signal.setitimer(signal.ITIMER_PROF, seconds * (1 - UNWIND_SHARE))
        try:
            return work()
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
    except BudgetExceeded:  # also when the timer fires while the inner ``finally`` disarms it
        return None
    finally:
        signal.signal(signal.SIGPROF, previous)


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity where the platform says, else the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1
