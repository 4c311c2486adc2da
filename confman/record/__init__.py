"""Recording runs: ``@confman.main``, ``confman.record_run``, the Hydra callback's recorder."""

from confman.record.entrypoint import main, secret_paths
from confman.record.recorder import Recording, start_recording, start_recording_composed
from confman.record.session import record_run
from confman.record.tracking import Tracked, track, unwrap

__all__ = [
    "Recording",
    "Tracked",
    "main",
    "record_run",
    "secret_paths",
    "start_recording",
    "start_recording_composed",
    "track",
    "unwrap",
]
