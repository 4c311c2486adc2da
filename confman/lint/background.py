"""Run one function in a forked child process while this process goes on with other work.

Lint's two big jobs are independent: reading every YAML and Python file, and composing the
primary and every experiment (which reads only the files those compositions select). On a
machine with two or more cores, the compositions run in a forked child while the parent reads
the tree, and whichever of the two is free first takes over the other's remaining work from the
other end of its list (:class:`Claims`: the parent the runs not yet made, the child the files not
yet read); later, a second forked child shares the rules with the parent the same way, each
taking the next rule from its end of a list (the parent keeps the rules that read the run
store). Each child inherits what the parent built, and only its
result is pickled back (:class:`Background`). Fork is used only where it is safe and cheap: a
POSIX system, a process with a single thread (forking a threaded process can deadlock), and at
least two usable cores of which one is idle (no more runnable processes than cores - 1 besides
this one, as Linux counts them now; elsewhere the 1-minute load average below cores - 1): on a
busy machine the child only competes with this process and the pickling is pure cost. Anything
that goes wrong in the child makes ``result`` return None, and the caller does the work itself,
so the outcome never depends on this module.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["Background", "Claims", "can_fork"]


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _idle_core(cores: int, loadavg: Path = Path("/proc/loadavg")) -> bool:
    """Whether a core is free for a child now. Linux's ``/proc/loadavg`` says how many
    processes are runnable at this moment (this one included); the 1-minute average, the only
    measure elsewhere, lags a minute behind (and counts this process's own recent work)."""
    try:
        runnable = int(loadavg.read_text().split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        runnable = None
    if runnable is not None:
        return runnable - 1 <= cores - 2
    try:
        return os.getloadavg()[0] < cores - 1
    except (AttributeError, OSError):
        return False


def can_fork() -> bool:
    """Whether a forked helper process can run alongside this one, safely and in parallel."""
    cores = _cores()
    return (
        os.name == "posix"
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
        and cores >= 2
        and _idle_core(cores)
    )


class Background:
    """``fn(*args)`` running in a forked child that inherits this process's memory: nothing is
    pickled but the result. ``result()`` waits for it (None if it failed).

    With ``tells``, the child can also say one thing before it is done: ``fn`` is called as
    ``fn(tell, *args)``, and ``told()`` waits for what it passed to ``tell`` (None if the child
    finished or died without telling). The child sends it from a thread of its own, so a large
    message never stalls the child's work while this process is still busy.

    The parent's objects are frozen out of the garbage collector across the fork, so the
    child's collections do not walk (and so copy) every inherited page; the child collects
    nothing and only sends its result.
    """

    def __init__(self, fn: Callable[..., Any], *args: Any, tells: bool = False) -> None:
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self._early: list[Any] = []  # the result, when it came where a told value was awaited
        gc.freeze()
        try:
            self._process = context.Process(target=_send_result, args=(send, fn, args, tells))
            self._process.start()
        finally:
            gc.unfreeze()
        send.close()

    def told(self) -> Any:
        try:
            kind, value = self._receive.recv()
        except Exception:  # the child died: result() says so
            return None
        if kind == "told":
            return value
        self._early.append(value)
        return None

    def result(self) -> Any:
        try:
            if self._early:
                return self._early[0]
            while True:
                kind, value = self._receive.recv()
                if kind == "result":
                    return value
        except Exception:  # the child died before sending: the caller does the work itself
            return None
        finally:
            self._receive.close()
            self._process.join()


def _send_result(send: Any, fn: Callable[..., Any], args: tuple[Any, ...], tells: bool) -> None:
    gc.disable()
    telling: list[threading.Thread] = []

    def tell(value: Any) -> None:
        for thread in telling:  # one message at a time on the pipe
            thread.join()
        telling.append(threading.Thread(target=send.send, args=(("told", value),)))
        telling[-1].start()

    try:
        result = fn(tell, *args) if tells else fn(*args)
    except BaseException:  # said by the parent doing the work itself, once
        result = None
    for thread in telling:
        thread.join()
    send.send(("result", result))
    send.close()


class Claims:
    """Positions 0..n-1 of a list of work shared by a process and its forked child, one taking
    them from the front and the other from the back: each position is taken exactly once, by
    one of them. The two ends live in shared memory made before the fork; whichever process
    first knows how long the list is opens it (until then neither finds anything to take).
    Lint's runs are opened by the child, which lists them; its YAML files by the parent."""

    def __init__(self) -> None:
        self._ends = multiprocessing.get_context("fork").Array("q", 3)  # [front, end), count

    def open(self, count: int) -> None:
        with self._ends.get_lock():
            self._ends[1] = self._ends[2] = count

    def first(self) -> int | None:
        """The next position from the front (None when none is left)."""
        with self._ends.get_lock():
            position = self._ends[0]
            if position >= self._ends[1]:
                return None
            self._ends[0] = position + 1
            return int(position)

    def last(self) -> int | None:
        """The next position from the back (None when none is left)."""
        with self._ends.get_lock():
            if self._ends[1] <= self._ends[0]:
                return None
            self._ends[1] -= 1
            return int(self._ends[1])

    def front(self) -> int:
        """How many positions were taken from the front (0..front-1)."""
        with self._ends.get_lock():
            return int(self._ends[0])

    def taken(self) -> int:
        """How many positions either process has taken so far."""
        with self._ends.get_lock():
            return int(self._ends[0] + self._ends[2] - self._ends[1])
