"""Reading a discovered file: a non-blocking open of a regular file within the size limit."""

from __future__ import annotations

import os
import stat

from .discovery import Candidate
from .formats import Problem
from .source import Position


def read_candidate(candidate: Candidate, max_file_size: int) -> tuple[bytes | None, Problem | None]:
    """The file's bytes, or the VM007/VM003 problem that kept it from being read."""
    where = Position(candidate.display, 1, 1)
    try:
        # Non-blocking open, then fstat of what was opened: a FIFO or device swapped in cannot stall the run.
        fd = os.open(candidate.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
        with open(fd, "rb") as handle:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return None, Problem("VM007", "not a regular file", where)
            if info.st_size > max_file_size:
                message = f"file is {info.st_size} bytes, above the limit of {max_file_size}"
                return None, Problem("VM003", message, where)
            data = handle.read(max_file_size + 1)
    except OSError as error:
        return None, Problem("VM007", f"cannot read: {error.strerror or error}", where)
    if len(data) > max_file_size:
        return None, Problem("VM003", f"file grew above the limit of {max_file_size} bytes", where)
    return data, None
