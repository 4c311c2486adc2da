"""Run a bisect: probe the command with subsets of the changes, judge, record, resume.

A :class:`Session` is one bisect: it probes GOOD and BAD, then delta-debugs between them
(:func:`search`), reusing every probe the store holds for this bisect and recording each new
one as a run of config ``bisect`` with the bisect's id as its ``sweep_id``. The id is a hash of
GOOD, BAD, the command and the judge, so running the same bisect again (after an
interruption) resumes. How a batch of probes runs is a :class:`ProbeRunner`:

- :class:`SubprocessProbes`: ``COMMAND + GOOD's overrides + the subset's overrides`` as a
  subprocess (``jobs`` at a time), judged by its exit code (bad: the exit code BAD itself
  gives) or by a metric it prints (``--metric KEY --threshold X``: the last number printed
  after ``KEY`` on stdout).
- :class:`confman.bisect.launcher.LauncherProbes`: jobs of the Hydra app's own launcher, from
  confman's sweeper inside one multirun of the app (``bisect(..., launcher=True)``).

Each probe writes Hydra's outputs to a folder of its own, ``outputs/bisect/<id>/<changes>``
(a ``hydra.run.dir`` override, or ``hydra.sweep.dir`` for a ``-m`` command, unless GOOD or the
command already sets it): Hydra's default folder is named to the second, so probes started
together would otherwise write their logs and ``.hydra`` files into one folder.
"""

from __future__ import annotations

import hashlib
import math
import os
import subprocess
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from confman.bisect.changes import Culprit, culprit, units_between
from confman.bisect.ddmin import Verdict, minimize
from confman.diff import Side
from confman.diff.render import tree_groups
from confman.errors import ConfmanError
from confman.settings import Settings
from confman.store import RunRecord, fingerprint, open_store

__all__ = [
    "BisectError",
    "BisectResult",
    "Judge",
    "Outcome",
    "Probe",
    "ProbeRunner",
    "Session",
    "SubprocessProbes",
    "bisect",
    "search",
    "sets",
]

CONFIG_NAME = "bisect"
#: where the probes' own output folders go, relative to the folder the command runs in
PROBE_OUTPUTS = "outputs/bisect"


class BisectError(ConfmanError):
    """A bisect cannot start or cannot go on (GOOD is bad, BAD is good, no changes)."""


@dataclass(frozen=True)
class Judge:
    """How a probe's outcome is judged: exit code, or a metric against a threshold."""

    metric: str | None = None
    threshold: float | None = None
    lower_is_better: bool = False

    def metric_of(self, stdout: str) -> float | None:
        """The last number printed right after ``metric`` (``acc 0.9``, ``acc=0.9``, JSON)."""
        if self.metric is None:
            return None
        words = stdout.replace(":", " ").replace("=", " ").replace(",", " ").replace('"', " ")
        tokens = words.split()
        value = None
        for i, token in enumerate(tokens[:-1]):
            if token == self.metric:
                try:
                    value = float(tokens[i + 1])
                except ValueError:
                    continue
        return value

    def verdict(self, code: int, metric: float | None, bad_code: int | None) -> Verdict:
        if self.metric is not None and self.threshold is not None:
            if metric is None or math.isnan(metric):
                return "bad" if code != 0 and code == bad_code else "unresolved"
            worse = metric > self.threshold if self.lower_is_better else metric < self.threshold
            return "bad" if worse else "good"
        if code == 0:
            return "good"
        return "bad" if bad_code is None or code == bad_code else "unresolved"


@dataclass(frozen=True)
class Probe:
    """One run of the command."""

    subset: tuple[int, ...]
    overrides: tuple[str, ...]
    exit_code: int
    metric: float | None
    seconds: float
    reused: bool = False
    run_id: str | None = None


@dataclass
class BisectResult:
    """What a bisect found."""

    id: str
    culprits: list[Culprit]
    changes: int
    probes: list[Probe] = field(default_factory=list)
    bound: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "culprits": [c.to_json() for c in self.culprits],
            "probes": len(self.probes),
            "probes_run": sum(not p.reused for p in self.probes),
            "probes_reused": sum(p.reused for p in self.probes),
            "changes": self.changes,
            "bound": round(self.bound, 1),
            "runs": [p.run_id for p in self.probes if p.run_id],
        }


@dataclass(frozen=True)
class Outcome:
    """What running one probe gave: its exit code, the metric it reported, how long it took."""

    exit_code: int
    metric: float | None
    seconds: float


class ProbeRunner(Protocol):
    """How a batch of probes runs: a subprocess each (:class:`SubprocessProbes`), or jobs of the
    project's Hydra launcher (:class:`confman.bisect.launcher.LauncherProbes`)."""

    #: the two probes of a split are sent together (else the second only when needed)
    parallel: bool

    def run(self, batch: Sequence[tuple[str, ...]], number: int) -> list[Outcome]:
        """Run every probe of ``batch`` (each the subset's overrides), numbered from ``number``."""
        ...

    def argv(self, overrides: Sequence[str]) -> list[str]:
        """The command line recorded for the probe of ``overrides``."""
        ...


def sets(key: str, given: Sequence[str]) -> bool:
    """Whether the command line ``given`` sets ``key`` (``key=``, ``+key=``, ``++key=``)."""
    return any(arg.lstrip("+").partition("=")[0] == key for arg in given)


def output_override(
    key: str, given: Sequence[str], bisect_id: str, overrides: Sequence[str], prefix: str = ""
) -> tuple[str, ...]:
    """The override giving a probe its own Hydra output folder, ``<prefix><digest>`` for ``key``
    (none when ``given``, the command line and GOOD's overrides, already sets ``key``)."""
    if sets(key, given):
        return ()
    digest = hashlib.sha256("\0".join(overrides).encode()).hexdigest()[:12]
    return (f"{key}={prefix}{digest}",)


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

    def output_dir(self, overrides: Sequence[str]) -> tuple[str, ...]:
        """The override giving a probe its own Hydra output folder (none when GOOD or the
        command sets that folder itself)."""
        multirun = "-m" in self.command or "--multirun" in self.command
        key = "hydra.sweep.dir" if multirun else "hydra.run.dir"
        prefix = f"{PROBE_OUTPUTS}/{self.id}/"
        return output_override(key, [*self.command, *self.base], self.id, overrides, prefix)

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


class Session:
    """One bisect's probes: reused from the store when this bisect ran them before, else run
    (a batch at a time, by ``probes``), judged, and recorded as runs with the bisect's id."""

    def __init__(
        self,
        units: Sequence[Sequence[str]],
        base: Sequence[str],
        judge: Judge,
        settings: Settings,
        bisect_id: str,
        probes: ProbeRunner,
        cwd: Path,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.units = [tuple(unit) for unit in units]
        self.base, self.judge, self.settings, self.id = list(base), judge, settings, bisect_id
        self.probes, self.cwd, self.extra = probes, cwd, extra or {}
        self.bad_code: int | None = None
        self.log: list[Probe] = []
        self.cache: dict[tuple[str, ...], tuple[int, float | None, str | None]] = {}
        self.number = 0
        self._load()

    def overrides(self, subset: tuple[int, ...]) -> tuple[str, ...]:
        return tuple(o for i in subset for o in self.units[i])

    def _load(self) -> None:
        """Probes this bisect already ran, from the store."""
        from confman.store import store_url

        url = store_url(self.settings)
        if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
            return
        with open_store(url, settings=self.settings) as store:
            for record in store.query(config_name=CONFIG_NAME):
                info = record.extra.get("bisect", {})
                if record.sweep_id == self.id and isinstance(info, dict):
                    key = tuple(info.get("changes", []))
                    self.cache[key] = (int(info["exit_code"]), info.get("metric"), record.id)
                    self.number = max(self.number, (record.job_num or 0) + 1)

    def run(self, subsets: Sequence[tuple[int, ...]]) -> list[Probe]:
        """The probes of ``subsets``: from the store, or run together in one batch."""
        keys = [self.overrides(subset) for subset in subsets]
        todo = list(dict.fromkeys(k for k in keys if k not in self.cache))
        done = dict(zip(todo, self.probes.run(todo, self.number), strict=True)) if todo else {}
        probes = []
        for subset, key in zip(subsets, keys, strict=True):
            if key in done:
                out = done.pop(key)
                probes.append(Probe(subset, key, out.exit_code, out.metric, out.seconds))
            else:
                code, metric, run_id = self.cache[key]
                probes.append(Probe(subset, key, code, metric, 0.0, reused=True, run_id=run_id))
        return probes

    def _record(self, probe: Probe, verdict: Verdict) -> Probe:
        if probe.reused:
            return probe
        now = time.time()
        record = RunRecord(
            config_name=CONFIG_NAME,
            overrides=[*self.base, *probe.overrides],
            argv=self.probes.argv(probe.overrides),
            cwd=str(self.cwd),
            started=now - probe.seconds,
            ended=now,
            status="completed" if probe.exit_code == 0 else "failed",
            sweep_id=self.id,
            job_num=self.number,
            extra={
                "bisect": {
                    "id": self.id,
                    "changes": list(probe.overrides),
                    "exit_code": probe.exit_code,
                    "metric": probe.metric,
                    "verdict": verdict,
                    **self.extra,
                }
            },
        )
        self.number += 1
        with open_store(settings=self.settings) as store:
            store.put(record)
        self.cache[probe.overrides] = (probe.exit_code, probe.metric, record.id)
        return replace(probe, run_id=record.id)

    def judged(self, probes: Sequence[Probe]) -> list[Verdict]:
        """Judge ``probes``, record each new one, and add them to the log."""
        verdicts: list[Verdict] = []
        for probe in probes:
            verdict = self.judge.verdict(probe.exit_code, probe.metric, self.bad_code)
            self.log.append(self._record(probe, verdict))
            verdicts.append(verdict)
        return verdicts

    def test(self, subsets: Sequence[tuple[int, ...]]) -> list[Verdict]:
        """The tester :func:`minimize` calls: one batch of probes, their verdicts in order."""
        return self.judged(self.run(subsets))


def search(session: Session, command: Sequence[str]) -> tuple[int, ...]:
    """Probe GOOD and BAD (together), check they are good and bad, then delta-debug between.

    Raises:
        BisectError: GOOD is not good, or BAD is not bad.
    """
    n = len(session.units)
    probes = session.run([(), tuple(range(n))])
    session.bad_code = probes[1].exit_code if probes[1].exit_code != 0 else None
    verdicts = session.judged(probes)
    if verdicts[0] != "good":
        raise BisectError(
            f"GOOD is not good: `{' '.join([*command, *session.base])}` was judged "
            f"{verdicts[0]} (exit {probes[0].exit_code}, metric {probes[0].metric})",
            hint="check the command and the judge (--metric/--threshold) on GOOD first",
        )
    if verdicts[1] != "bad":
        raise BisectError(
            f"BAD is not bad: with all {n} changes the command was judged "
            f"{verdicts[1]} (exit {probes[1].exit_code}, metric {probes[1].metric})",
            hint="a flaky failure cannot be bisected; check the judge",
        )
    return minimize(n, session.test, jobs=2 if session.probes.parallel else 1)


def bisect_id(
    good: Side, bad: Side, command: Sequence[str], judge: Judge, *, launcher: bool = False
) -> str:
    """Same GOOD, BAD, command, judge and way of running probes: same id (how an interrupted
    bisect resumes). A launcher's probes read the metric from the task's return value, not
    from what it prints, so they are not mixed with subprocess probes."""
    key: dict[str, Any] = {
        "good": good.config,
        "good_overrides": list(good.overrides),
        "bad": bad.config,
        "command": list(command),
        "judge": [judge.metric, judge.threshold, judge.lower_is_better],
    }
    if launcher:
        key["launcher"] = True
    return fingerprint(key)[:16]


def bisect(
    good: Side,
    bad: Side,
    command: Sequence[str],
    settings: Settings,
    *,
    judge: Judge | None = None,
    jobs: int = 1,
    timeout: float | None = None,
    cwd: Path | None = None,
    launcher: bool = False,
) -> BisectResult:
    """Find the minimal set of changes from GOOD to BAD that makes ``command`` go bad.

    Args:
        good: the side whose run is good.
        bad: the side whose run is bad.
        command: the command probed (a Hydra app when ``launcher``).
        settings: the project's settings (the run store, the config dir).
        judge: how a probe is judged (default: by exit code).
        jobs: subprocess probes run at once.
        timeout: seconds a subprocess probe may take before it is unresolved.
        cwd: the folder the command runs in (default: the current one).
        launcher: run ``command`` once as a Hydra multirun whose sweeper, confman's
            ``hydra/sweeper=confman_bisect``, sends the probes to the app's Hydra launcher
            (:mod:`confman.bisect.launcher`) instead of running a subprocess per probe.

    Raises:
        BisectError: no changes, GOOD already bad, BAD not bad, or (``launcher``) the command
            is not a Hydra app that can run confman's sweeper.
    """
    judge = judge or Judge()
    units = units_between(good, bad, groups=tree_groups(settings.config_dir))
    if not units:
        raise BisectError(f"{good.label} and {bad.label} are the same config: nothing to bisect")
    ident = bisect_id(good, bad, command, judge, launcher=launcher)
    here = cwd or Path.cwd()
    overrides = [unit.overrides for unit in units]
    if launcher:
        from confman.bisect.launcher import through_launcher

        found, probes = through_launcher(
            overrides, good.overrides, command, judge, settings, ident, here
        )
    else:
        runner = SubprocessProbes(
            command, good.overrides, judge, ident, jobs=jobs, timeout=timeout, cwd=here
        )
        session = Session(overrides, good.overrides, judge, settings, ident, runner, here)
        found, probes = search(session, command), session.log
    k = max(len(found), 1)
    return BisectResult(
        id=ident,
        culprits=[culprit(units[i]) for i in found],
        changes=len(units),
        probes=probes,
        bound=2 * k * math.log2(max(len(units), 2)) + 2,
    )
