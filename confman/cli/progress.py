"""A one-line progress report on stderr for long commands, shown only to a person.

Nothing is written when stderr is not a terminal (CI logs, pipes, editors) or when the work
ends within ``DELAY`` seconds: short runs stay silent, as ruff's do.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

__all__ = ["DELAY", "LineProgress", "progress_line"]

#: Seconds before the first report.
DELAY = 1.0


class LineProgress:
    """Callable as ``(done, total)``; redraws one stderr line at most ten times a second."""

    def __init__(self, what: str, stream: TextIO, *, delay: float = DELAY) -> None:
        self.what = what
        self.stream = stream
        self.start = time.monotonic()
        self.delay = delay
        self.last = 0.0
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.start < self.delay or now - self.last < 0.1:
            return
        self.last = now
        self.shown = True
        self.stream.write(f"\r{self.what} {done}/{total}")
        self.stream.flush()

    def clear(self) -> None:
        """Erase the line if it may have been drawn: by this process, or by a forked child
        reporting through this object (lint's compositions), whose drawing this process does
        not see, once the delay has passed."""
        if self.shown or time.monotonic() - self.start >= self.delay:
            self.stream.write("\r\033[K")
            self.stream.flush()


@contextmanager
def progress_line(what: str, stream: TextIO | None = None) -> Iterator[LineProgress | None]:
    """A :class:`LineProgress` when ``stream`` (stderr by default) is a terminal, else None;
    its line is cleared on exit."""
    stream = stream or sys.stderr
    if not stream.isatty():
        yield None
        return
    reporter = LineProgress(what, stream)
    try:
        yield reporter
    finally:
        reporter.clear()
