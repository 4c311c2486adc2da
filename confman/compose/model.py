"""What a composition gives: the config, its group choices, its defaults tree and provenance.

Both composition paths (:mod:`confman.compose.hydrapath` and :mod:`confman.compose.plain`)
return these shapes (the plain path a :class:`~confman.compose.plain.PlainComposed` with the same
reading surface).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, cast

from omegaconf import DictConfig, OmegaConf

from confman.provenance import Provenance, Write

__all__ = ["Choice", "Composed", "DefaultsNode"]


@dataclass(frozen=True)
class Choice:
    """The option a config group ended up with, and who chose it.

    Attributes:
        group: the group's override key, e.g. ``model`` or ``db@backup``.
        option: the chosen option name (a list for multi-select groups, None when removed).
        package: where the option's keys land in the config (``""`` for the root).
        chosen_by: ``file:line`` of the defaults entry, ``file:line via 'override /group'`` or
            ``override 'group=x'`` for the command line.
    """

    group: str
    option: str | list[str] | None
    package: str
    chosen_by: str


@dataclass(frozen=True)
class DefaultsNode:
    """One node of the resolved defaults tree (what ``--info defaults-tree`` shows)."""

    label: str
    config_path: str | None
    package: str | None
    chosen_by: str | None
    children: tuple[DefaultsNode, ...] = ()


@dataclass(frozen=True)
class Composed:
    """A composed config with its group choices, defaults tree and per-key provenance.

    Attributes:
        config_name: the primary config composed (None for an empty primary).
        config_dir: absolute path of the config tree.
        overrides: the command-line overrides applied, as given.
        config: the composed config, identical to what ``hydra.compose`` returns.
        choices: chosen option per group, with who chose it (Hydra's own groups left out).
        defaults_tree: the resolved defaults tree, Hydra's own subtree left out.
    """

    config_name: str | None
    config_dir: Path
    overrides: tuple[str, ...]
    config: DictConfig
    choices: dict[str, Choice]
    defaults_tree: DefaultsNode
    _provenance: Provenance = field(repr=False, compare=False)

    def to_container(self, *, resolve: bool = False) -> dict[str, Any]:
        """The config as plain dicts and lists (``OmegaConf.to_container``)."""
        data = OmegaConf.to_container(self.config, resolve=resolve)
        assert isinstance(data, dict)
        return cast(dict[str, Any], data)

    @cached_property
    def provenance(self) -> dict[str, tuple[Write, ...]]:
        """Every leaf's write history, oldest first and the winner last."""
        return self._provenance.finish(self.to_container(resolve=False))

    @property
    def deleted(self) -> dict[str, tuple[Write, ...]]:
        """Histories of keys removed by ``~key`` overrides, ending with the deletion."""
        return {k: tuple(v) for k, v in self._provenance.deleted.items()}

    def history(self, key: str) -> dict[str, tuple[Write, ...]]:
        """Provenance of ``key`` if it is a leaf, or of every leaf below it."""
        prov = self.provenance
        if key in prov:
            return {key: prov[key]}
        prefix = f"{key}."
        return {k: v for k, v in prov.items() if k.startswith(prefix)}
