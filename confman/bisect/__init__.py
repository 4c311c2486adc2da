"""``confman bisect``: the smallest set of changed settings that turns a good run bad.

:mod:`confman.bisect.changes` turns GOOD and BAD into override units (the diff's overrides),
:mod:`confman.bisect.ddmin` is delta debugging over them, :mod:`confman.bisect.session` judges
the probes, records each in the run store and resumes from it, and a probe runs as a
subprocess (:mod:`confman.bisect.processes`) or as a job of the Hydra app's own launcher
(:mod:`confman.bisect.launcher`, from the ``hydra/sweeper=confman_bisect`` plugin);
:mod:`confman.bisect.run` puts them together.
"""

from __future__ import annotations

from confman.bisect.changes import Culprit, Unit, load_sides, units_between
from confman.bisect.ddmin import minimize
from confman.bisect.run import BisectError, BisectResult, Judge, Probe, bisect

__all__ = [
    "BisectError",
    "BisectResult",
    "Culprit",
    "Judge",
    "Probe",
    "Unit",
    "bisect",
    "load_sides",
    "minimize",
    "units_between",
]
