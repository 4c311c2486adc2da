"""The judge of a rewrite (``lint --fix``, ``confman migrate``): each reachable composition
(:mod:`confman.lint.reachable`) composed by plain ``hydra.compose``, before and after the edit.

Plain Hydra, not confman's own engine: a rewrite stands only if Hydra itself composes every run
as before, whatever confman's paths would say.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from confman.lint.reachable import Reachable

__all__ = ["compose_all", "compose_each"]


@contextmanager
def _quiet() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def compose_all(
    config_dir: Path, version_base: str | None, runs: Sequence[Reachable]
) -> dict[str, str | None]:
    """``OmegaConf.to_yaml`` of plain ``hydra.compose`` for each run (None where it fails)."""
    return dict(compose_each(config_dir, version_base, runs))


def compose_each(
    config_dir: Path, version_base: str | None, runs: Sequence[Reachable]
) -> Iterator[tuple[str, str | None]]:
    """``compose_all`` one run at a time, so a judge can stop at the first change."""
    from hydra import compose, initialize_config_dir
    from omegaconf import OmegaConf

    with _quiet(), initialize_config_dir(str(config_dir), version_base=version_base):
        for run in runs:
            try:
                cfg = compose(config_name=run.primary, overrides=list(run.overrides))
                text: str | None = OmegaConf.to_yaml(cfg)
            except Exception:  # any Hydra, OmegaConf or YAML failure: the run fails
                text = None
            yield run.label, text
