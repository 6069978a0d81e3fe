"""Running a rendering tool (helm, kustomize, kubectl) the one way vmlint allows.

The tool is run by absolute path with an environment of our own: no proxy variables, a
``PATH`` that names an empty directory (so the tool cannot start ``git`` or anything else
to fetch a remote base), a throw-away ``HOME`` and Helm directories, no kubeconfig, stdin
closed, a wall-clock time limit, and output files capped by ``RLIMIT_FSIZE``.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass

TIME_LIMIT_SECONDS = 60.0
MAX_OUTPUT_BYTES = 64 * 1024 * 1024
MAX_MESSAGE = 600
_KLOG_ERR = re.compile(r'err="((?:[^"\\]|\\.)*)"')


@dataclass(frozen=True, slots=True)
class ToolRun:
    """What a tool printed; ``error`` is None when it succeeded."""

    output: str
    error: str | None


def find_tool(name: str) -> str | None:
    """The absolute path of ``name`` on the user's PATH, or None."""
    found = shutil.which(name)
    return os.path.abspath(found) if found else None


def run_tool(command: list[str], workdir: str, *, time_limit: float | None = None) -> ToolRun:
    """Run ``command`` (its first item an absolute path) in ``workdir``; never raises."""
    time_limit = TIME_LIMIT_SECONDS if time_limit is None else time_limit
    with tempfile.TemporaryDirectory(prefix="vmlint-render-") as scratch:
        empty = os.path.join(scratch, "bin")
        os.mkdir(empty)
        env = {
            "PATH": empty,
            "HOME": scratch,
            "LC_ALL": "C",
            "KUBECONFIG": os.devnull,
            "GIT_TERMINAL_PROMPT": "0",
            "HELM_CACHE_HOME": os.path.join(scratch, "helm-cache"),
            "HELM_CONFIG_HOME": os.path.join(scratch, "helm-config"),
            "HELM_DATA_HOME": os.path.join(scratch, "helm-data"),
            "HELM_PLUGINS": empty,
        }
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            try:
                child = subprocess.Popen(
                    command,
                    cwd=workdir,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=err,
                    start_new_session=True,  # its own process group: a timeout ends everything it started
                    preexec_fn=_limit_output,  # runs before any worker process or thread exists
                )
            except OSError as error:
                return ToolRun("", f"{_name(command)} could not be started: {error.strerror or error}")
            try:
                returncode = child.wait(timeout=time_limit)
            except subprocess.TimeoutExpired:
                _kill(child)
                return ToolRun("", f"{_name(command)} did not finish within {time_limit:g} s")
            out.seek(0)
            err.seek(0)
            output = out.read(MAX_OUTPUT_BYTES + 1)
            errors = err.read(MAX_OUTPUT_BYTES).decode("utf-8", errors="replace")
    if len(output) > MAX_OUTPUT_BYTES or returncode == -signal.SIGXFSZ:
        return ToolRun("", f"{_name(command)} printed more than {MAX_OUTPUT_BYTES} bytes")
    if returncode < 0:
        return ToolRun("", f"{_name(command)} was stopped by signal {-returncode}")
    if returncode != 0:
        return ToolRun("", tool_message(errors) or f"{_name(command)} exited with status {returncode}")
    return ToolRun(output.decode("utf-8", errors="replace"), None)


def _kill(child: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except OSError:
        child.kill()
    child.wait()


def _limit_output() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_OUTPUT_BYTES + 1, MAX_OUTPUT_BYTES + 1))


def _name(command: list[str]) -> str:
    return " ".join([os.path.basename(command[0]), *command[1:2]])


def tool_message(stderr: str) -> str:
    """The tool's own error message: klog's ``err="..."`` unwrapped, ``Error:`` prefixes dropped, one line."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    if not lines:
        return ""
    last = lines[-1]
    match = _KLOG_ERR.search(last)
    if match:
        last = match.group(1).replace('\\"', '"').replace("\\\\", "\\")
    for prefix in ("Error: ", "error: "):
        last = last.removeprefix(prefix)
    return last if len(last) <= MAX_MESSAGE else last[: MAX_MESSAGE - 3] + "..."
