"""Probes as subprocesses: ``COMMAND + GOOD's overrides + the subset's overrides``, ``jobs`` at
a time, each judged by its exit code (bad: the exit code BAD itself gives) or by a metric it
prints (``--metric KEY --threshold X``: the last number printed after ``KEY`` on stdout).

A probe of a Hydra app gets its own output folder: a ``hydra.run.dir`` override, or
``hydra.sweep.dir`` for a ``-m`` command, unless GOOD or the command already sets it.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from confman.bisect.session import PROBE_OUTPUTS, BisectError, Judge, Outcome, output_override

__all__ = ["SubprocessProbes", "app_arguments"]

_PYTHON = re.compile(r"python[0-9.]*$")
#: the interpreter's options that take the next argument as their value
_VALUED = frozenset({"-X", "-W"})


def app_arguments(command: Sequence[str]) -> list[str]:
    """The arguments COMMAND gives the app itself: after ``python [options] script`` or
    ``python [options] -m module`` (the interpreter's ``-m`` is not Hydra's multirun flag),
    after the program's name otherwise."""
    if not command or not _PYTHON.match(Path(command[0]).name):
        return list(command[1:])
    i = 1
    while i < len(command):
        arg = command[i]
        if arg in ("-m", "-c"):
            return list(command[i + 2 :])
        if arg in _VALUED:
            i += 2
        elif arg.startswith("-") and arg != "-":
            i += 1
        else:
            return list(command[i + 1 :])
    return []


class SubprocessProbes:
    """Each probe a subprocess, ``jobs`` at a time, judged by exit code or a metric printed."""

    def __init__(
        self,
        command: Sequence[str],
        base: Sequence[str],
        judge: Judge,
        bisect_id: str,
        *,
        jobs: int = 1,
        timeout: float | None = None,
        cwd: Path,
    ) -> None:
        self.command, self.base, self.judge, self.id = list(command), list(base), judge, bisect_id
        self.jobs, self.timeout, self.cwd = jobs, timeout, cwd
        self.parallel = jobs >= 2
        arguments = app_arguments(self.command)
        multirun = "-m" in arguments or "--multirun" in arguments
        #: the Hydra key that names a probe's output folder (a multirun's is its sweep dir)
        self.output_key = "hydra.sweep.dir" if multirun else "hydra.run.dir"

    def output_dir(self, overrides: Sequence[str]) -> tuple[str, ...]:
        """The override giving a probe its own Hydra output folder (none when GOOD or the
        command sets that folder itself)."""
        prefix = f"{PROBE_OUTPUTS}/{self.id}/"
        return output_override(
            self.output_key, [*self.command, *self.base], self.id, overrides, prefix
        )

    def argv(self, overrides: Sequence[str]) -> list[str]:
        return [*self.command, *self.base, *overrides, *self.output_dir(overrides)]

    def _run(self, overrides: tuple[str, ...]) -> Outcome:
        argv = self.argv(overrides)
        env = {**os.environ, "CONFMAN_BISECT": self.id}
        start = time.perf_counter()
        try:
            done = subprocess.run(
                argv, cwd=self.cwd, env=env, capture_output=True, text=True, timeout=self.timeout
            )
            code, stdout = done.returncode, done.stdout
        except subprocess.TimeoutExpired:
            code, stdout = -1, ""
        except OSError as exc:
            raise BisectError(f"cannot run {argv[0]!r}: {exc.strerror}") from exc
        return Outcome(code, self.judge.metric_of(stdout), time.perf_counter() - start)

    def run(self, batch: Sequence[tuple[str, ...]], number: int) -> list[Outcome]:
        if len(batch) < 2 or self.jobs < 2:
            return [self._run(overrides) for overrides in batch]
        with ThreadPoolExecutor(max_workers=min(self.jobs, len(batch))) as pool:
            return list(pool.map(self._run, batch))
