"""Bisect through the Hydra app's own launcher: one multirun, confman's sweeper, the probes as jobs.

``confman bisect --launcher GOOD BAD -- python app.py`` runs the app once::

    python app.py hydra.mode=MULTIRUN hydra/sweeper=confman_bisect hydra.sweeper.plan=PLAN \\
        hydra.sweep.dir=outputs/bisect/<id> GOOD's overrides...

The sweeper (``hydra_plugins/confman_bisect``, a thin Hydra plugin calling :func:`sweep`) reads
the plan (the changes' overrides, the bisect id, the judge, where the project and its store
are), runs the same :func:`~confman.bisect.session.search` as subprocess probes do, sending each
batch of probes (GOOD and BAD first, then the two halves of each split) to the launcher the app
is configured with in one ``launch`` call, so joblib or submitit run them together, and writes
what it found to the plan's result file, which :func:`through_launcher` reads back.

A probe is a job with the sweep's arguments (GOOD's overrides and any in COMMAND) plus the
subset's overrides and its own output folder (``hydra.sweep.subdir``). A COMPLETED job exited
0; a FAILED one exited 1, or with the code the task passed to ``sys.exit`` (:class:`ExitCodeTask`
turns that ``SystemExit``, which Hydra's ``run_job`` does not catch, into a failed job). With
``--metric KEY`` the metric is the task function's return value: a number, or a mapping
holding ``KEY`` (dots reach into nested mappings), as Hydra's Optuna and Ax sweepers read it.

The sweeper imports nothing a config names: it reads the plan (plain data) and the project's
``pyproject.toml`` (for the store), and the app composes and runs its jobs as it always does.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from confman.bisect.session import (
    PROBE_OUTPUTS,
    BisectError,
    Judge,
    Outcome,
    Probe,
    Session,
    output_override,
    search,
    sets,
)
from confman.errors import ConfmanError
from confman.settings import Settings, load_settings

__all__ = [
    "ExitCodeTask",
    "LauncherProbes",
    "Plan",
    "ProbeExit",
    "sweep",
    "through_launcher",
]

SWEEPER = "hydra/sweeper=confman_bisect"
#: Hydra's exit code when composing a job's config fails (an override it rejects)
COMPOSE_FAILED = 1


class ProbeExit(Exception):
    """A job's task called ``sys.exit`` with a non-zero code."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _exit_code(exc: SystemExit) -> int:
    """The process exit code ``sys.exit(value)`` gives (None 0, an int itself, else 1)."""
    if exc.code is None:
        return 0
    return exc.code if isinstance(exc.code, int) else 1


class ExitCodeTask:
    """The app's task function as the sweeper hands it to the launcher: ``sys.exit(n)`` with
    ``n != 0`` fails the job with :class:`ProbeExit` (``n`` kept), ``sys.exit(0)`` completes it.

    A module-level class, so joblib and submitit pickle it with the task it wraps.
    """

    def __init__(self, task: Callable[[Any], Any]) -> None:
        self.task = task

    def __call__(self, cfg: Any) -> Any:
        try:
            return self.task(cfg)
        except SystemExit as exc:
            code = _exit_code(exc)
            if code == 0:
                return None
            raise ProbeExit(code) from None


@dataclass
class Plan:
    """What the sweeper needs, written by :func:`through_launcher` as JSON."""

    id: str
    units: list[list[str]]
    base: list[str]
    command: list[str]
    judge: dict[str, Any]
    root: str
    config_dir: str
    cwd: str
    result: str

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=1), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> Plan:
        return cls(**json.loads(Path(path).read_text(encoding="utf-8")))


def metric_in(judge: Judge, value: Any) -> float | None:
    """The metric in a task's return value: the value itself when it is a number, else ``KEY``
    in a mapping (``a.b``: ``value["a.b"]``, else ``value["a"]["b"]``)."""
    if judge.metric is None:
        return None
    if isinstance(value, Mapping):
        if judge.metric in value:
            value = value[judge.metric]
        else:
            for part in judge.metric.split("."):
                if not isinstance(value, Mapping) or part not in value:
                    return None
                value = value[part]
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


@dataclass
class LauncherProbes:
    """Each batch of probes as one ``launch`` call of the app's Hydra launcher.

    ``sweeper`` is the Hydra sweeper running the bisect: its ``launcher`` runs the jobs and its
    ``validate_batch_is_legal`` composes each job first, so a probe whose overrides Hydra
    rejects fails alone (exit 1, as the app would) instead of ending the whole multirun.
    """

    sweeper: Any
    arguments: list[str]
    plan: Plan
    judge: Judge
    parallel: bool = True

    def output_dir(self, overrides: Sequence[str]) -> tuple[str, ...]:
        given = [*self.plan.command, *self.arguments]
        return output_override("hydra.sweep.subdir", given, self.plan.id, overrides)

    def argv(self, overrides: Sequence[str]) -> list[str]:
        return [*self.plan.command, *self.plan.base, *overrides, *self.output_dir(overrides)]

    def _legal(self, job: list[str]) -> bool:
        try:
            self.sweeper.validate_batch_is_legal([job])
        except Exception:  # Hydra's composition errors have no common base class
            return False
        return True

    def run(self, batch: Sequence[tuple[str, ...]], number: int) -> list[Outcome]:
        jobs = [[*self.arguments, *o, *self.output_dir(o)] for o in batch]
        legal = [job for job in jobs if self._legal(job)]
        start = time.perf_counter()
        returns = list(self.sweeper.launcher.launch(legal, initial_job_idx=number)) if legal else []
        seconds = time.perf_counter() - start  # the jobs of a batch run together
        outcomes = []
        for job in jobs:
            if job not in legal:
                outcomes.append(Outcome(COMPOSE_FAILED, None, 0.0))
                continue
            ret = returns[legal.index(job)]
            # ``_return_value``, not the ``return_value`` property: for a failed job that one
            # prints "Error executing job" to stderr and raises; the exception is what we read
            if ret.status.name == "COMPLETED":
                outcomes.append(Outcome(0, metric_in(self.judge, ret._return_value), seconds))
            else:
                error = ret._return_value
                code = error.code if isinstance(error, ProbeExit) else 1
                outcomes.append(Outcome(code, None, seconds))
        return outcomes


def _sequential(launcher: Any) -> bool:
    """Hydra's basic launcher runs a batch's jobs one after the other: sending the second
    probe of a split along would run it even when the first already fails."""
    kind = type(launcher)
    return f"{kind.__module__}.{kind.__name__}" == (
        "hydra._internal.core_plugins.basic_launcher.BasicLauncher"
    )


def sweep(sweeper: Any, plan_path: str | None, arguments: Sequence[str]) -> dict[str, Any]:
    """The sweeper's work: run the bisect of the plan through ``sweeper.launcher`` and write
    what it found (or the error that stopped it) to the plan's result file."""
    if not plan_path:
        raise BisectError(
            f"{SWEEPER} needs hydra.sweeper.plan",
            hint="it is run by `confman bisect --launcher GOOD BAD -- COMMAND`",
        )
    plan = Plan.load(plan_path)
    result: dict[str, Any]
    try:
        settings = load_settings(Path(plan.root), config_dir=plan.config_dir)
        judge = Judge(**plan.judge)
        probes = LauncherProbes(sweeper, list(arguments), plan, judge)
        probes.parallel = not _sequential(sweeper.launcher)
        kind = type(sweeper.launcher)
        session = Session(
            plan.units,
            plan.base,
            judge,
            settings,
            plan.id,
            probes,
            Path(plan.cwd),
            extra={"launcher": f"{kind.__module__}.{kind.__name__}"},
        )
        found = search(session, plan.command)
        result = {"found": list(found), "probes": [asdict(p) for p in session.log]}
    except ConfmanError as exc:
        result = {"error": exc.message, "hint": exc.hint}
    Path(plan.result).write_text(json.dumps(result), encoding="utf-8")
    return result


def _diagnosis(command: Sequence[str], code: int, stderr: str) -> ConfmanError:
    """Why the app ended without the sweeper's result, as one error."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    if "HYDRA_FULL_ERROR" not in stderr and "[HYDRA]" not in stderr:
        last = f": {lines[-1]}" if lines else ""
        return BisectError(
            f"COMMAND must be a Hydra app (@hydra.main or @confman.main) for --launcher: "
            f"`{' '.join(command)}` exited {code} without running confman's sweeper{last}",
            hint="drop --launcher to run each probe as a subprocess",
        )
    missing = re.search(r"Could not find '(hydra/(?:launcher|sweeper)/[^']+)'", stderr)
    if missing and missing.group(1) == "hydra/sweeper/confman_bisect":
        return BisectError(
            "COMMAND's Hydra does not find confman's sweeper (hydra/sweeper/confman_bisect)",
            hint="install confman in the Python environment COMMAND runs in",
        )
    if missing:
        group, _, name = missing.group(1).rpartition("/")
        block = stderr.partition(f"Available options in '{group}':")[2]
        options = re.findall(r"^\t(\S+)$", block.partition("Config search path")[0], re.M)
        return BisectError(
            f"COMMAND's Hydra has no {group.removeprefix('hydra/')} {name!r}"
            f" (available: {', '.join(options) or 'none'})",
            hint="install its plugin (e.g. pip install hydra-joblib-launcher) in COMMAND's "
            "environment, or pick an available one",
        )
    first = next((line for line in lines if "HYDRA_FULL_ERROR" not in line), "")
    return BisectError(
        f"`{' '.join(command)}` ended without a bisect result (exit {code}): {first}",
        hint="probes it recorded are reused when the same bisect runs again; run COMMAND as "
        "a Hydra multirun (-m) on its own to see the whole error",
    )


def through_launcher(
    units: Sequence[Sequence[str]],
    base: Sequence[str],
    command: Sequence[str],
    judge: Judge,
    settings: Settings,
    bisect_id: str,
    cwd: Path,
) -> tuple[tuple[int, ...], list[Probe]]:
    """Run the bisect as one multirun of ``command`` with confman's sweeper.

    Returns:
        The culprits' indices into ``units`` and every probe (the sweeper's log).

    Raises:
        BisectError: COMMAND selects another sweeper, is not a Hydra app, its Hydra lacks the
            sweeper or a launcher it names, or the bisect itself failed (GOOD not good...).
    """
    if any(arg.startswith(("hydra/sweeper=", "+hydra/sweeper=")) for arg in command):
        raise BisectError(
            "COMMAND selects a Hydra sweeper; --launcher runs it with confman's",
            hint="drop the hydra/sweeper= override (the launcher, hydra/launcher=, is kept)",
        )
    with tempfile.TemporaryDirectory(prefix="confman-bisect-") as tmp:
        plan = Plan(
            id=bisect_id,
            units=[list(unit) for unit in units],
            base=list(base),
            command=list(command),
            judge={
                "metric": judge.metric,
                "threshold": judge.threshold,
                "lower_is_better": judge.lower_is_better,
            },
            root=str(settings.root),
            config_dir=str(settings.config_dir),
            cwd=str(cwd),
            result=str(Path(tmp) / "result.json"),
        )
        plan.save(Path(tmp) / "plan.json")
        # an override, not -m: Hydra's argparse takes no flag after the overrides COMMAND has
        argv = [*command, "hydra.mode=MULTIRUN", SWEEPER]
        argv.append(f"hydra.sweeper.plan={Path(tmp) / 'plan.json'}")
        if not sets("hydra.sweep.dir", [*command, *base]):
            argv.append(f"hydra.sweep.dir={PROBE_OUTPUTS}/{bisect_id}")
        argv += base
        env = {**os.environ, "CONFMAN_BISECT": bisect_id}
        try:
            done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
        except OSError as exc:
            raise BisectError(f"cannot run {argv[0]!r}: {exc.strerror}") from exc
        path = Path(plan.result)
        if not path.exists():
            raise _diagnosis(command, done.returncode, done.stderr)
        result = json.loads(path.read_text(encoding="utf-8"))
    if "error" in result:
        raise BisectError(result["error"], hint=result.get("hint"))
    probes = [
        Probe(**{**p, "subset": tuple(p["subset"]), "overrides": tuple(p["overrides"])})
        for p in result["probes"]
    ]
    return tuple(result["found"]), probes
