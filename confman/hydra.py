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
for it.
"""

from __future__ import annotations

from typing import Any

from hydra.core.utils import JobReturn, JobStatus
from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from confman.record.recorder import Recording, start_recording

__all__ = ["RecordRun"]


class RecordRun(Callback):
    """Hydra callback writing one run record per job to the configured store."""

    def __init__(self, **_: Any) -> None:
        self._current: Recording | None = None

    def on_job_start(self, config: DictConfig, **kwargs: Any) -> None:
        """Write the job's record as ``running``."""
        self._current = start_recording(config)

    def on_job_end(self, config: DictConfig, job_return: JobReturn, **kwargs: Any) -> None:
        """Mark the job completed or failed (with the exception type)."""
        if self._current is None:
            return
        error = None
        if job_return.status == JobStatus.FAILED:
            error = job_return._return_value
            if not isinstance(error, BaseException):
                error = RuntimeError(str(error))
        self._current.finish(error)
        self._current = None
