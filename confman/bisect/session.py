"""One bisect's probes: judged, reused from the store, recorded; and the search over them.

A :class:`Session` is one bisect: :func:`search` probes GOOD and BAD, then delta-debugs between
them (:func:`confman.bisect.ddmin.minimize`), reusing every probe the store holds for this
bisect and recording each new one as a run of config ``bisect`` with the bisect's id as its
``sweep_id``, so running the same bisect again (after an interruption) resumes. How a batch of
probes runs is a :class:`ProbeRunner`: :class:`confman.bisect.processes.SubprocessProbes` (a
subprocess each) or :class:`confman.bisect.launcher.LauncherProbes` (jobs of the Hydra app's
own launcher, from confman's sweeper inside one multirun of the app).

Each probe writes Hydra's outputs to a folder of its own, ``outputs/bisect/<id>/<changes>``
(:func:`output_override`): Hydra's default folder is named to the second, so probes started
together would otherwise write their logs and ``.hydra`` files into one folder.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from confman.bisect.ddmin import Verdict, minimize
from confman.errors import ConfmanError
from confman.settings import Settings
from confman.store import RunRecord, open_store, store_url

__all__ = [
    "CONFIG_NAME",
    "PROBE_OUTPUTS",
    "BisectError",
    "Judge",
    "Outcome",
    "Probe",
    "ProbeRunner",
    "Session",
    "output_override",
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


@dataclass(frozen=True)
class Outcome:
    """What running one probe gave: its exit code, the metric it reported, how long it took."""

    exit_code: int
    metric: float | None
    seconds: float


class ProbeRunner(Protocol):
    """How a batch of probes runs: a subprocess each
    (:class:`confman.bisect.processes.SubprocessProbes`), or jobs of the project's Hydra
    launcher (:class:`confman.bisect.launcher.LauncherProbes`)."""

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
