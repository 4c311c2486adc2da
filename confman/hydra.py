"""Record every job of an unmodified Hydra app, with one override or config line:

    python train.py +hydra.callbacks.confman._target_=confman.hydra.RecordRun

(the ``+`` because ``hydra.callbacks`` is empty by default)

or in the primary config::

    hydra:
      callbacks:
        confman:
          _target_: confman.hydra.RecordRun

The job is written as ``running`` when it starts and completed/failed when it ends. Access
tracking is not available here (the app receives Hydra's own DictConfig); use ``@confman.main``
for it. As under ``@confman.main``, the files Hydra wrote for the job (``.hydra/*.yaml``, the
sweep's ``multirun.yaml``) are rewritten with secrets as markers when the job starts, and the
job's log records are scrubbed until it ends (``confman.record.outputs``).
"""

from __future__ import annotations

import sys
from contextlib import ExitStack
from typing import Any

from hydra.core.utils import JobReturn, JobStatus
from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from confman.record.outputs import learn_project_paths, protect_job, redact_sweep_outputs
from confman.record.recorder import Recording, start_recording
from confman.secrets import Scrubber, redacted_logs

__all__ = ["RecordRun"]


class RecordRun(Callback):
    """Hydra callback writing one run record per job to the configured store."""

    def __init__(self, **_: Any) -> None:
        self._current: Recording | None = None
        self._scrub = Scrubber()
        self._logs = ExitStack()
        #: the launching command line: launchers pickle the callbacks with each job
        self._argv: list[str] | None = None
        self._sweep_logs = ExitStack()

    def __getstate__(self) -> dict[str, Any]:
        """Launchers pickle the callbacks with each job: open log scrubbing stays here."""
        state = dict(self.__dict__)
        state["_logs"], state["_sweep_logs"] = ExitStack(), ExitStack()
        return state

    def on_run_start(self, config: DictConfig, **kwargs: Any) -> None:
        """Remember the command line (the job runs in this process)."""
        self._argv = list(sys.argv)

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        """Remember the command line for jobs a launcher runs in other processes, and scrub
        what the launcher logs here (each job's overrides) until the sweep ends."""
        self._argv = list(sys.argv)
        learn_project_paths(self._scrub, config.hydra)
        self._sweep_logs.enter_context(redacted_logs(self._scrub))

    def on_job_start(self, config: DictConfig, **kwargs: Any) -> None:
        """Rewrite Hydra's files of the job with markers, write its record as ``running``."""
        protect_job(config, self._scrub)
        self._logs.enter_context(redacted_logs(self._scrub))
        self._current = start_recording(config, argv=self._argv)

    def on_job_end(self, config: DictConfig, job_return: JobReturn, **kwargs: Any) -> None:
        """Mark the job completed or failed (with the exception type)."""
        self._logs.close()
        if self._current is None:
            return
        error = None
        if job_return.status == JobStatus.FAILED:
            error = job_return._return_value
            if not isinstance(error, BaseException):
                error = RuntimeError(str(error))
        self._current.finish(error)
        self._current = None

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        """Rewrite the sweep's ``multirun.yaml`` (jobs did at their start; this covers none)."""
        self._sweep_logs.close()
        redact_sweep_outputs(self._scrub)
