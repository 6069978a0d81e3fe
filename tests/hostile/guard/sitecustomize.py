"""Loaded by every CLI run of the hostile-input tests (PYTHONPATH=tests/hostile/guard).

An audit hook refuses and records network use, process creation and execution, and any
open of a path under ``VMLINT_GUARD_FORBIDDEN`` (a directory outside the scanned tree);
at exit the run's peak RSS, CPU time and the refusals are written to ``VMLINT_GUARD_REPORT``.
"""

from __future__ import annotations

import atexit
import json
import os
import resource
import sys
import time

_REPORT = os.environ.get("VMLINT_GUARD_REPORT")
_FORBIDDEN = os.environ.get("VMLINT_GUARD_FORBIDDEN")
_SCANNED = os.environ.get("VMLINT_GUARD_SCANNED")
_REFUSED_EVENTS = {
    "socket.connect",
    "socket.bind",
    "socket.getaddrinfo",
    "socket.gethostbyname",
    "socket.sendto",
    "urllib.Request",
    "http.client.connect",
    "subprocess.Popen",
    "os.system",
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "pty.spawn",
    "ctypes.dlopen",
}
_violations: list[str] = []
_started = time.perf_counter()


def _under(path: object, root: str | None) -> bool:
    if not root or not isinstance(path, (str, bytes, os.PathLike)):
        return False
    try:
        real = os.path.realpath(os.fsdecode(path))
    except (TypeError, ValueError):
        return False
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def _code_from(filename: object) -> bool:
    """Code compiled from a real file in the scanned tree (not ``<frozen ...>`` or ``<string>``)."""
    return isinstance(filename, str) and os.path.isfile(filename) and _under(filename, _SCANNED)


def _hook(event: str, args: tuple[object, ...]) -> None:
    refused = None
    if event in _REFUSED_EVENTS:
        refused = f"{event} {args!r:.200}"
    elif event == "open" and _under(args[0], _FORBIDDEN):
        refused = f"open {args[0]!r}"
    elif event == "compile" and len(args) > 1 and _code_from(args[1]):
        refused = f"compile {args[1]!r}"
    elif event == "exec" and _code_from(getattr(args[0], "co_filename", None)):
        refused = f"exec {getattr(args[0], 'co_filename', None)!r}"
    if refused is not None:
        _violations.append(refused)
        raise RuntimeError(f"refused by the hostile-input guard: {refused}")


def _peak_rss_kb(fallback: int) -> int:
    """This process's own peak RSS: ``VmHWM`` of its memory map.

    ``ru_maxrss`` survives ``execve``: after subprocess's vfork it starts at the parent's peak, so a test process
    that has grown (pytest after hundreds of in-process tests) would be measured instead of vmlint.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return fallback


def _write_report() -> None:
    if not _REPORT:
        return
    usage = resource.getrusage(resource.RUSAGE_SELF)
    with open(_REPORT, "w", encoding="utf-8") as handle:
        json.dump(
            {
                "violations": _violations,
                "max_rss_kb": _peak_rss_kb(usage.ru_maxrss),
                "cpu_s": usage.ru_utime + usage.ru_stime,
                "wall_s": time.perf_counter() - _started,
            },
            handle,
        )


atexit.register(_write_report)
sys.addaudithook(_hook)
