"""Run a bisect: the changes from GOOD to BAD, probed until the culprits are found.

:func:`bisect` takes the changes (:mod:`confman.bisect.changes`) and runs a
:class:`~confman.bisect.session.Session` over them, its probes subprocesses
(:mod:`confman.bisect.processes`), or, with ``launcher=True``, jobs of the Hydra app's own
launcher from confman's sweeper in one multirun of the app (:mod:`confman.bisect.launcher`).
The bisect's id is a hash of GOOD, BAD, the command and the judge: running the same bisect
again (after an interruption) reuses every probe the store holds for it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from confman.bisect.changes import Culprit, culprit, units_between
from confman.bisect.processes import SubprocessProbes
from confman.bisect.session import BisectError, Judge, Probe, Session, search
from confman.diff import Side
from confman.diff.render import tree_groups
from confman.settings import Settings
from confman.store import fingerprint

__all__ = ["BisectError", "BisectResult", "Judge", "Probe", "bisect", "bisect_id"]


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
