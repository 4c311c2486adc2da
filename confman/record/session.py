"""``confman.record_run``: record a run of code that composes with ``confman.compose``.

``@confman.main`` records Hydra entrypoints. Scripts that compose themselves (a notebook, a
pipeline step, ``examples/train.py``) wrap the work instead: the record is written as
``running`` on entry and completed or failed on exit, with the keys the code read.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pydantic import BaseModel

from confman.compose import Composed
from confman.record.entrypoint import secret_paths
from confman.record.recorder import recorded, start_recording_composed

__all__ = ["record_run"]


@contextmanager
def record_run(
    composed: Composed, *, model: BaseModel | None = None, track_access: bool = True
) -> Iterator[Any]:
    """Record the run of the ``with`` block on ``composed``'s config.

    Args:
        composed: what ``confman.compose`` returned.
        model: the validated model of that config, if the code works on one (its ``SecretStr``
            fields are then stored as markers, and the record names its schema).
        track_access: yield a read-tracking view (``confman.unwrap`` gives the object back)
            and record the keys read; otherwise yield the object itself.

    Yields:
        The config to work on: ``model`` if given, else ``composed.config``.

    Example:
        >>> composed = confman.compose("train", sys.argv[1:])  # doctest: +SKIP
        >>> with confman.record_run(composed) as cfg:  # doctest: +SKIP
        ...     train(cfg)
    """
    obj: Any = composed.config if model is None else model
    recording = start_recording_composed(
        composed,
        schema=type(model) if model is not None else None,
        secret_paths=secret_paths(model) if model is not None else None,
    )
    with recorded(recording, obj, track_access=track_access) as view:
        yield view
