"""Recording runs: ``@confman.main``, the Hydra callback's recorder, environment capture."""

from confman.record.entrypoint import main, secret_paths
from confman.record.recorder import Recording, start_recording
from confman.record.tracking import Tracked, track, unwrap

__all__ = ["Recording", "Tracked", "main", "secret_paths", "start_recording", "track", "unwrap"]
