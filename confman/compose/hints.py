"""What a composition error offers the user: the options and configs on disk (a did-you-mean
and a list), the sibling keys of a mistyped one, and the Hydra plugin an option comes from.

Only what confman would read is offered: names that resolve (symlinks) outside the config dir
are left out, since confman never reads those.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from confman.errors import did_you_mean

__all__ = [
    "exists",
    "group_options",
    "list_hint",
    "listed",
    "missing_option_hint",
    "primary_configs",
    "siblings",
]


def listed(root: Path, folder: Path) -> list[str]:
    """Config names in ``folder``, leaving out any that resolve (symlinks) outside ``root``:
    confman never reads those, so it must not offer them either."""
    real_root = root.resolve()
    if not folder.is_dir() or not folder.resolve().is_relative_to(real_root):
        return []
    return sorted(
        p.stem
        for p in folder.glob("*.yaml")
        if p.is_file() and p.resolve().is_relative_to(real_root)
    )


def group_options(root: Path, group: str) -> list[str]:
    return listed(root, root / group)


def primary_configs(root: Path) -> list[str]:
    return listed(root, root)


def siblings(cfg: DictConfig | None, key: str) -> list[str]:
    if cfg is None:
        return []
    parent, _, _leaf = key.rpartition(".")
    node: Any = cfg if not parent else OmegaConf.select(cfg, parent, default=None)
    if not isinstance(node, DictConfig):
        return []
    prefix = f"{parent}." if parent else ""
    return [f"{prefix}{k!s}" for k in node]


def exists(cfg: DictConfig | None, key: str) -> bool:
    if cfg is None:
        return False
    try:
        return OmegaConf.select(cfg, key, default=_ABSENT, throw_on_missing=False) is not _ABSENT
    except OmegaConfBaseException:
        return False


_ABSENT = object()


#: Options that Hydra's plugins add to its own groups, and the package that brings each.
_PLUGIN_OPTIONS = {
    ("hydra/launcher", "submitit_local"): "hydra-submitit-launcher",
    ("hydra/launcher", "submitit_slurm"): "hydra-submitit-launcher",
    ("hydra/launcher", "joblib"): "hydra-joblib-launcher",
    ("hydra/launcher", "ray"): "hydra-ray-launcher",
    ("hydra/launcher", "ray_aws"): "hydra-ray-launcher",
    ("hydra/launcher", "rq"): "hydra-rq-launcher",
    ("hydra/sweeper", "optuna"): "hydra-optuna-sweeper",
    ("hydra/sweeper", "ax"): "hydra-ax-sweeper",
    ("hydra/sweeper", "nevergrad"): "hydra-nevergrad-sweeper",
    ("hydra/job_logging", "colorlog"): "hydra-colorlog",
    ("hydra/hydra_logging", "colorlog"): "hydra-colorlog",
}


def missing_option_hint(group: str, option: str, options: list[str]) -> str:
    """Name the plugin to install, or say the group may live in Python, before listing."""
    plugin = _PLUGIN_OPTIONS.get((group, option))
    if plugin:
        return f"'{group}={option}' comes from a Hydra plugin: pip install {plugin}"
    if not options and not group.startswith("hydra/"):
        return (
            f"the config dir has no '{group}' folder: if the project registers this group in "
            "Python with Hydra's ConfigStore, confman does not run that code to find it"
        )
    return list_hint(option, options, "options")


def list_hint(word: str, candidates: list[str], what: str) -> str:
    guess = did_you_mean(word, [c for c in candidates if c != word])
    shown = ", ".join(candidates[:20]) + (" ..." if len(candidates) > 20 else "")
    available = f"available {what}: {shown}" if candidates else f"no {what} found"
    return f"{guess} {available}" if guess else available
