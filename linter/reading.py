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


READ_AHEAD_BYTES = 64 * 1024 * 1024


class ReadAhead:
    """Reads that happen before the lint (user rules gathering the run's documents, the schema stage's look for
    CRDs), kept for it up to a byte budget.

    Each kept file is taken once: the lint then reads it from memory instead of opening it a second time.
    Forked workers inherit what was kept, and take their own files from it.
    """

    def __init__(self, max_file_size: int, budget: int = READ_AHEAD_BYTES) -> None:
        self.max_file_size = max_file_size
        self.room = budget
        self.kept: dict[str, tuple[bytes | None, Problem | None]] = {}

    def read(self, candidate: Candidate) -> tuple[bytes | None, Problem | None]:
        """Read ``candidate`` now (or give what an earlier look-ahead read), keeping it while the budget has room."""
        kept = self.kept.get(candidate.path)
        if kept is not None:
            return kept
        result = read_candidate(candidate, self.max_file_size)
        size = len(result[0] or b"")
        if size <= self.room:
            self.room -= size
            self.kept[candidate.path] = result
        return result

    def take(self, candidate: Candidate) -> tuple[bytes | None, Problem | None]:
        """What reading ``candidate`` gave before, or a read now."""
        kept = self.kept.pop(candidate.path, None)
        return kept if kept is not None else read_candidate(candidate, self.max_file_size)
