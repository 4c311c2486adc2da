"""Confinement: what a config tree may make confman read, import or write.

A config tree is data, and whoever writes it (or a shared run store) must not be able to make
confman run code or read files elsewhere. Only the project's own pyproject.toml widens that:

* ``hydra.searchpath`` entries (in a primary config or an override) name more places to read
  configs from. ``file://DIR`` is read only when DIR, after symlinks, lies inside the project (the
  folder of the pyproject.toml that governs the config dir, or the config dir itself when there is
  none) or under an entry of ``[tool.confman] allowed_paths``.
* ``pkg://a.b`` is read from the folder ``a/b`` found the way the import system would find it,
  without importing anything: no ``__init__`` runs. A package only an import can reach (a zip) is
  refused unless ``allowed_paths`` lists ``pkg://a.b``, then Hydra imports it as it always does;
  one that does not exist is not available, as in Hydra (which warns).
* Files reached through a symlink that leaves the project are not read (lint, validate), and
  exports never write through a symlink.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

from confman.errors import ConfinementError
from confman.settings import Settings, load_settings

__all__ = [
    "SEARCHPATH_PROVIDERS",
    "Confinement",
    "confinement",
    "confinement_for",
    "locate_package",
    "only_importable",
    "refuse_link_write",
]

#: Hydra's provider names for search path entries a config or an override adds.
SEARCHPATH_PROVIDERS = ("hydra.searchpath in main", "hydra.searchpath in command-line")

ALLOW_HINT = "list it in allowed_paths of [tool.confman] in pyproject.toml to allow it"


@dataclass(frozen=True)
class Confinement:
    """Where a project's configs may lead confman.

    Attributes:
        root: the project folder (realpath).
        allowed: realpaths of the folders ``allowed_paths`` lists.
        packages: ``pkg://`` entries of ``allowed_paths`` (dotted names), which may be imported.
    """

    root: str
    allowed: tuple[str, ...] = ()
    packages: frozenset[str] = frozenset()

    def inside(self, path: str | Path) -> bool:
        """Whether ``path``, after every symlink, is in the project or an allowed folder."""
        full = os.path.realpath(path)
        return any(
            full == top or full.startswith(top + os.sep) for top in (self.root, *self.allowed)
        )

    def outside(self, path: str | Path) -> str | None:
        """The real path of ``path`` when it leaves the project (through a symlink), else None."""
        return None if self.inside(path) else os.path.realpath(path)


def confinement(settings: Settings) -> Confinement:
    """The confinement of the project ``settings`` describe."""
    folders = tuple(os.path.realpath(p) for p in settings.allowed_paths if "://" not in p)
    packages = frozenset(
        p[len("pkg://") :].replace("/", ".").strip(".")
        for p in settings.allowed_paths
        if p.startswith("pkg://")
    )
    return Confinement(os.path.realpath(settings.root), folders, packages)


def confinement_for(config_dir: str | Path) -> Confinement:
    """The confinement of the project that governs ``config_dir`` (its nearest pyproject.toml
    with ``[tool.confman]`` at or above it; without one, the config dir is the project)."""
    return confinement(load_settings(Path(config_dir)))


def locate_package(dotted: str) -> Path | None:
    """The folder of package ``dotted`` (``a.b`` -> ``.../a/b``), found without importing.

    Only the top-level name is looked up, with ``importlib.util.find_spec``: for a top-level
    name the import system's finders (``sys.path`` entries, editable-install hooks) locate it
    without running it. ``find_spec("a.b")`` would import ``a``, so the rest of the path is
    followed as folders. ``None`` when ``a`` is a module, is missing, or lives in no folder (a zip).
    """
    parts = _parts(dotted)
    for portion in _portions(parts):
        folder = Path(portion).joinpath(*parts[1:])
        if folder.is_dir():
            return folder
    return None


def only_importable(dotted: str) -> bool:
    """Whether package ``dotted`` exists somewhere only an import reaches (a zip, a custom
    loader), as opposed to plain folders or nothing at all."""
    return any(not Path(portion).is_dir() for portion in _portions(_parts(dotted)))


def _parts(dotted: str) -> list[str]:
    parts = [p for p in dotted.split(".") if p]
    return [] if any(p == os.pardir or os.sep in p for p in parts) else parts


def _portions(parts: list[str]) -> list[str]:
    """Where the top-level package of ``parts`` lives (its ``__path__`` to be), not importing it."""
    if not parts:
        return []
    try:
        spec = importlib.util.find_spec(parts[0])
    except (ImportError, ValueError):
        return []
    return list(spec.submodule_search_locations or []) if spec is not None else []


def refuse_link_write(path: Path, *, inside: Path) -> None:
    """Refuse to write ``path`` when it, or a folder between ``inside`` and it, is a symlink.

    Raises:
        ConfinementError: naming the link.
    """
    for probe in [path, *(p for p in path.parents if inside in p.parents)]:
        if probe.is_symlink():
            raise ConfinementError(
                f"{path}: {probe} is a symbolic link (to {os.path.realpath(probe)}); "
                "confman does not write through links",
                hint="replace the link with a file, or edit its target yourself",
            )
