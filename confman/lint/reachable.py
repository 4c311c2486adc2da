"""Which compositions a config tree can reach: the ones ``--fix`` must leave unchanged.

A config tree is run as its primary configs, and each primary with each option of an
experiment-like group it names in its defaults list (``python train.py experiment=owt/gpt2m``).
A group is experiment-like when its name starts with ``experiment`` or when every option directly
in it is a ``# @package _global_`` config (such an option rewrites the whole config, as an
experiment does). Options are every YAML file below the group's folder, nested folders included
(``experiment=owt/gpt2m``).

This reads the tree with safe YAML only and never composes: it says what to compose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from confman.errors import ConfmanError
from confman.yamlsource import load_yaml_file

__all__ = ["Reachable", "experiment_like_groups", "reachable"]

_ENTRY = re.compile(r"^(optional\s+)?/?(?P<group>[\w/.-]+?)(@(?P<package>[\w.]+))?$")
_GLOBAL_HEADER = re.compile(r"^#\s*@package\s+_global_\s*$")


@dataclass(frozen=True)
class Reachable:
    """One composition: a primary config and the command-line overrides that select it."""

    primary: str
    overrides: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """``train`` or ``train experiment=owt/gpt2m``, as messages name it."""
        return " ".join((self.primary, *self.overrides))


def _is_global(path: Path) -> bool:
    """The file's header comment declares ``# @package _global_``."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            return False
        if _GLOBAL_HEADER.match(stripped):
            return True
    return False


def _options(folder: Path) -> list[str]:
    """Every option of the group in ``folder``, nested ones as ``sub/name``, sorted."""
    found = []
    for path in folder.rglob("*.yaml"):
        rel = PurePosixPath(path.relative_to(folder).as_posix())
        found.append(str(rel.with_suffix("")))
    return sorted(found)


def experiment_like_groups(config_dir: Path) -> dict[str, list[str]]:
    """Every experiment-like group of the tree and its options (nested paths included)."""
    groups: dict[str, list[str]] = {}
    for folder in sorted(p for p in config_dir.rglob("*") if p.is_dir()):
        group = folder.relative_to(config_dir).as_posix()
        direct = sorted(folder.glob("*.yaml"))
        named = group.rsplit("/", 1)[-1].startswith("experiment")
        if named or (direct and all(_is_global(p) for p in direct)):
            options = _options(folder)
            if options:
                groups[group] = options
    return groups


def _defaults_entries(path: Path, name: str) -> list[tuple[str, str, object]]:
    """``(group, override key, value)`` of each group entry in a primary's defaults list."""
    try:
        parsed = load_yaml_file(path, name=name)
    except ConfmanError:
        return []
    data = parsed.data if parsed else None
    if not isinstance(data, dict) or not isinstance(data.get("defaults"), list):
        return []
    out = []
    for entry in data["defaults"]:
        if not isinstance(entry, dict) or len(entry) != 1:
            continue
        key, value = next(iter(entry.items()))
        match = _ENTRY.match(str(key).strip())
        if match is None:  # override entries and anything Hydra would not read as a group
            continue
        group, package = match.group("group"), match.group("package")
        out.append((group, f"{group}@{package}" if package else group, value))
    return out


def reachable(config_dir: Path) -> list[Reachable]:
    """Every reachable composition of ``config_dir``, primaries first, in a stable order.

    Each primary, then for each experiment-like group in its defaults list, the primary with
    ``group=option`` for every option but the one its defaults list already selects.
    """
    groups = experiment_like_groups(config_dir)
    out: list[Reachable] = []
    for path in sorted(config_dir.glob("*.yaml")):
        primary = path.stem
        out.append(Reachable(primary))
        for group, key, value in _defaults_entries(path, path.name):
            for option in groups.get(group, []):
                if option != value:
                    out.append(Reachable(primary, (f"{key}={option}",)))
    return out
