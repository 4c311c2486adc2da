"""Sweep expansion with Hydra's own grammar and BasicSweeper, for validating every point.

``a=1,2``, ``range()``, ``choice()``, ``glob()`` are parsed by Hydra's ``OverridesParser`` (with
a config loader, so ``glob`` sees the group's options) and the grid is built by
``BasicSweeper.split_arguments``, exactly as ``--multirun`` would launch it.
"""

from __future__ import annotations

from pathlib import Path

from hydra._internal.config_loader_impl import ConfigLoaderImpl
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra._internal.utils import create_config_search_path
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException

from confman.errors import OverrideError

__all__ = ["expand"]


def expand(overrides: list[str], config_dir: Path) -> list[list[str]]:
    """Every point of the sweep, each a list of plain overrides (one point if nothing sweeps).

    Raises:
        OverrideError: the override does not parse, or a sweep kind BasicSweeper refuses.
    """
    loader = ConfigLoaderImpl(config_search_path=create_config_search_path(str(config_dir)))
    parser = OverridesParser.create(config_loader=loader)
    try:
        parsed = parser.parse_overrides(overrides)
        batches = BasicSweeper.split_arguments(parsed, None)
    except HydraException as exc:
        raise OverrideError(
            str(exc).split("\n")[0], hint="see Hydra's override grammar (a=1,2  range(0,3))"
        ) from exc
    return [list(point) for batch in batches for point in batch]
