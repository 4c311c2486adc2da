"""Run a bisect: probe the command with subsets of the changes, judge, record, resume.

Each probe runs ``COMMAND + GOOD's overrides + the subset's overrides`` as a subprocess (``jobs``
at a time) and is judged by its exit code (bad: the exit code BAD itself gives) or by a metric
it prints (``--metric KEY --threshold X``: the last number printed after ``KEY`` on stdout).
Every probe is recorded in the run store as a run of config ``bisect`` with the bisect's id as
its ``sweep_id``; the id is a hash of GOOD, BAD, the command and the judge, so running the same
bisect again (after an interruption) reuses every probe the store holds.

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from confman.bisect.changes import Culprit, Unit, culprit, units_between
from confman.bisect.ddmin import Verdict, minimize
from confman.diff import Side
from confman.diff.render import tree_groups
from confman.errors import ConfmanError
from confman.settings import Settings
from confman.store import RunRecord, fingerprint, open_store

__all__ = ["BisectError", "BisectResult", "Judge", "Probe", "bisect"]

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


class _Session:
    def __init__(
        self,
        units: list[Unit],
        base: Sequence[str],
        command: Sequence[str],
        judge: Judge,
        settings: Settings,
        bisect_id: str,
        jobs: int,
        timeout: float | None,
        cwd: Path,
    ) -> None:
        self.units, self.base, self.command = units, list(base), list(command)
        self.judge, self.settings, self.id = judge, settings, bisect_id
        self.jobs, self.timeout, self.cwd = jobs, timeout, cwd
        self.bad_code: int | None = None
        self.log: list[Probe] = []
        self.cache: dict[tuple[str, ...], tuple[int, float | None, str | None]] = {}
        self.number = 0
        self._load()

    def overrides(self, subset: tuple[int, ...]) -> tuple[str, ...]:
        return tuple(o for i in subset for o in self.units[i].overrides)

    def output_dir(self, overrides: Sequence[str]) -> tuple[str, ...]:
        """The override giving a probe its own Hydra output folder (none when GOOD or the
        command sets that folder itself)."""
        multirun = "-m" in self.command or "--multirun" in self.command
        key = "hydra.sweep.dir" if multirun else "hydra.run.dir"
        given = [*self.command, *self.base]
        if any(arg.lstrip("+").partition("=")[0] == key for arg in given):
            return ()
        digest = hashlib.sha256("\0".join(overrides).encode()).hexdigest()[:12]
        return (f"{key}={PROBE_OUTPUTS}/{self.id}/{digest}",)

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

    def _run(self, subset: tuple[int, ...]) -> Probe:
        overrides = self.overrides(subset)
        cached = self.cache.get(overrides)
        if cached is not None:
            code, metric, run_id = cached
            return Probe(subset, overrides, code, metric, 0.0, reused=True, run_id=run_id)
        argv = [*self.command, *self.base, *overrides, *self.output_dir(overrides)]
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
        return Probe(
            subset, overrides, code, self.judge.metric_of(stdout), time.perf_counter() - start
        )

    def _record(self, probe: Probe, verdict: Verdict) -> Probe:
        if probe.reused:
            return probe
        now = time.time()
        record = RunRecord(
            config_name=CONFIG_NAME,
            overrides=[*self.base, *probe.overrides],
            argv=[*self.command, *self.base, *probe.overrides, *self.output_dir(probe.overrides)],
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
                }
            },
        )
        self.number += 1
        with open_store(settings=self.settings) as store:
            store.put(record)
        self.cache[probe.overrides] = (probe.exit_code, probe.metric, record.id)
        return Probe(
            probe.subset,
            probe.overrides,
            probe.exit_code,
            probe.metric,
            probe.seconds,
            run_id=record.id,
        )

    def test(self, subsets: Sequence[tuple[int, ...]]) -> list[Verdict]:
        with ThreadPoolExecutor(max_workers=max(1, min(self.jobs, len(subsets)))) as pool:
            probes = list(pool.map(self._run, subsets))
        verdicts: list[Verdict] = []
        for probe in probes:
            verdict = self.judge.verdict(probe.exit_code, probe.metric, self.bad_code)
            self.log.append(self._record(probe, verdict))
            verdicts.append(verdict)
        return verdicts


def bisect_id(good: Side, bad: Side, command: Sequence[str], judge: Judge) -> str:
    """Same GOOD, BAD, command and judge: same id (how an interrupted bisect resumes)."""
    return fingerprint(
        {
            "good": good.config,
            "good_overrides": list(good.overrides),
            "bad": bad.config,
            "command": list(command),
            "judge": [judge.metric, judge.threshold, judge.lower_is_better],
        }
    )[:16]


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
) -> BisectResult:
    """Find the minimal set of changes from GOOD to BAD that makes ``command`` go bad.

    Raises:
        BisectError: no changes, GOOD already bad, or BAD not bad.
    """
    judge = judge or Judge()
    units = units_between(good, bad, groups=tree_groups(settings.config_dir))
    if not units:
        raise BisectError(f"{good.label} and {bad.label} are the same config: nothing to bisect")
    ident = bisect_id(good, bad, command, judge)
    session = _Session(
        units, good.overrides, command, judge, settings, ident, jobs, timeout, cwd or Path.cwd()
    )
    everything = tuple(range(len(units)))
    ends = [(), everything]
    probes = [session._run(s) for s in ends] if jobs < 2 else None
    with ThreadPoolExecutor(max_workers=2 if jobs >= 2 else 1) as pool:
        probes = probes or list(pool.map(session._run, ends))
    session.bad_code = probes[1].exit_code if probes[1].exit_code != 0 else None
    verdicts = []
    for probe in probes:
        verdict = judge.verdict(probe.exit_code, probe.metric, session.bad_code)
        session.log.append(session._record(probe, verdict))
        verdicts.append(verdict)
    if verdicts[0] != "good":
        raise BisectError(
            f"GOOD is not good: `{' '.join([*command, *good.overrides])}` was judged "
            f"{verdicts[0]} (exit {probes[0].exit_code}, metric {probes[0].metric})",
            hint="check the command and the judge (--metric/--threshold) on GOOD first",
        )
    if verdicts[1] != "bad":
        raise BisectError(
            f"BAD is not bad: with all {len(units)} changes the command was judged "
            f"{verdicts[1]} (exit {probes[1].exit_code}, metric {probes[1].metric})",
            hint="a flaky failure cannot be bisected; check the judge",
        )
    found = minimize(len(units), session.test, jobs=jobs)
    k = max(len(found), 1)
    return BisectResult(
        id=ident,
        culprits=[culprit(units[i]) for i in found],
        changes=len(units),
        probes=session.log,
        bound=2 * k * math.log2(max(len(units), 2)) + 2,
    )
