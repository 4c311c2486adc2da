"""What ``confman init`` finds in a repository: config dirs, version base, sources, groups.

The config dirs come from the entrypoints the Python names (``@hydra.main(config_path=...)``
and friends, see :mod:`confman.init.scan`); a repository whose entrypoints compute the path
(``str(constants.CONFIG_PATH)``) falls back to folders named like config trees. The version
base is the one those entrypoints pass, as Hydra reads it: nothing -> 1.1, ``None`` -> Hydra's
own (1.3), else the string.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from confman.errors import ConfmanError
from confman.init.scan import SKIP_DIRS, Entrypoint, SourceScan, scan_sources
from confman.lint.reachable import experiment_like_groups
from confman.yamlsource import load_yaml_file

__all__ = ["Adoption", "ConfigTree", "detect", "with_tree"]

#: Folder names a config tree goes by when no entrypoint names it.
_TREE_NAMES = {"conf", "config", "configs", "cfg", "cfgs", "hydra-configs", "hydra_configs"}


@dataclass(frozen=True)
class ConfigTree:
    """One config dir and the entrypoints that compose from it.

    Attributes:
        path: the config dir (absolute).
        entrypoints: where the Python names it (empty when found by its folder name).
        yaml_files: how many ``*.yaml`` files it holds.
    """

    path: Path
    entrypoints: tuple[Entrypoint, ...]
    yaml_files: int

    @property
    def version_bases(self) -> list[str]:
        """The version bases its entrypoints compose under, most used first."""
        counts = Counter(e.effective_version_base for e in self.entrypoints)
        return [v for v, _ in counts.most_common()]

    @property
    def config_names(self) -> list[str]:
        """Primary configs its entrypoints name that exist, most used first."""
        counts = Counter(
            e.config_name
            for e in self.entrypoints
            if e.config_name and (self.path / f"{e.config_name}.yaml").is_file()
        )
        return [n for n, _ in counts.most_common()]


@dataclass
class Adoption:
    """What ``confman init`` will write, and why.

    Attributes:
        root: the repository (where pyproject.toml is or will be).
        trees: every config dir found, the chosen one first.
        src: source folders and files (relative to ``root``) that use Hydra or OmegaConf.
        experiment_groups: experiment-like groups of the chosen tree (run one option at a time).
        scan: the raw source scan (ConfigStore registrations, resolvers, search paths).
    """

    root: Path
    trees: list[ConfigTree]
    src: list[str]
    experiment_groups: list[str]
    scan: SourceScan = field(repr=False)

    @property
    def tree(self) -> ConfigTree | None:
        """The config dir written as ``config_dir``."""
        return self.trees[0] if self.trees else None

    @property
    def version_base(self) -> str | None:
        """The chosen tree's version base (the most used one when its entrypoints differ);
        with no entrypoint, 1.1 for a tree of ``@package _group_`` files (Hydra 1.0 style)."""
        tree = self.tree
        if tree and tree.entrypoints:
            return tree.version_bases[0]
        return "1.1" if tree and _group_headers(tree.path) else None

    @property
    def tree_search_paths(self) -> list[tuple[str, str]]:
        """Folders the chosen tree's primaries add with ``hydra.searchpath`` (``pkg://conf/base``,
        a package beside the entrypoint that Hydra finds from the script's folder), as
        ``(folder relative to the root, where it is named)``; only folders in the project."""
        tree = self.tree
        if tree is None:
            return []
        bases = [e.file.parent for e in tree.entrypoints] + [tree.path.parent, self.root]
        found: dict[str, str] = {}
        for path in sorted(tree.path.glob("*.yaml")):
            for line, url in _searchpath_entries(path):
                name = url.split("://", 1)[-1].strip("/")
                rel = Path(*[p for p in re.split(r"[./]", name) if p]) if name else None
                folder = next(
                    (b / rel for b in bases if rel and (b / rel).is_dir()),
                    None,
                )
                if folder is not None and _inside(folder.resolve(), self.root):
                    where = f"{self.rel(path)}:{line} {url}"
                    found.setdefault(self.rel(folder.resolve()), where)
        return sorted(found.items())

    def rel(self, path: Path) -> str:
        """``path`` relative to the root, with forward slashes."""
        try:
            return path.relative_to(self.root).as_posix() or "."
        except ValueError:
            return path.as_posix()


def _group_headers(folder: Path) -> bool:
    """Whether an option file starts with ``# @package _group_`` (read up to its first key)."""
    for path in folder.rglob("*.yaml"):
        try:
            with path.open(encoding="utf-8") as handle:
                head = handle.read(512)
        except (OSError, UnicodeDecodeError):
            continue
        if "@package _group_" in head:
            return True
    return False


def _searchpath_entries(path: Path) -> list[tuple[int, str]]:
    """``hydra.searchpath`` entries of a primary config, with the line naming them."""
    try:
        parsed = load_yaml_file(path, name=path.name)
    except ConfmanError:
        return []
    data = parsed.data if isinstance(parsed.data, dict) else {}
    hydra = data.get("hydra")
    entries = hydra.get("searchpath") if isinstance(hydra, dict) else None
    if not isinstance(entries, list):
        return []
    line = parsed.lines.get("hydra.searchpath", 0)
    return [(line, e) for e in entries if isinstance(e, str) and "://" in e]


def _yaml_count(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.yaml"))


def _named_trees(root: Path) -> list[Path]:
    """Folders named like config trees holding YAML at their top, outermost only."""
    found: list[Path] = []
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            children = sorted(p for p in folder.iterdir() if p.is_dir())
        except OSError:
            continue
        for child in children:
            if child.name in SKIP_DIRS or child.name.startswith("."):
                continue
            if child.name in _TREE_NAMES and any(child.glob("*.yaml")):
                found.append(child)
            else:
                stack.append(child)
    return found


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def detect(root: Path) -> Adoption:
    """Read ``root``'s Python and folders and say what ``[tool.confman]`` should hold."""
    root = root.resolve()
    scan = scan_sources(root)
    by_dir: dict[Path, list[Entrypoint]] = {}
    for entry in scan.entrypoints:
        if entry.config_dir is not None and _inside(entry.config_dir, root):
            by_dir.setdefault(entry.config_dir, []).append(entry)
    if not by_dir:
        by_dir = {folder: [] for folder in _named_trees(root)}
    trees = [ConfigTree(p, tuple(found), _yaml_count(p)) for p, found in by_dir.items()]
    trees = [t for t in trees if t.yaml_files]
    trees.sort(key=lambda t: (-len(t.entrypoints), -t.yaml_files, t.path.as_posix()))
    src = sorted(
        {
            path.relative_to(root).parts[0]
            for path in scan.hydra_files
            if _inside(path, root) and path != root
        }
    )
    groups = _outermost(experiment_like_groups(trees[0].path)) if trees else []
    return Adoption(root, trees, src, groups, scan)


def _outermost(groups: dict[str, list[str]]) -> list[str]:
    """Group paths not nested in another one (``experiment``, not also ``experiment/cifar``)."""
    return [g for g in sorted(groups) if not any(g.startswith(f"{o}/") for o in groups)]


def with_tree(adoption: Adoption, config_dir: Path) -> Adoption:
    """``adoption`` with ``config_dir`` as the chosen tree (``confman init --config-dir``)."""
    config_dir = config_dir.resolve()
    rest = [t for t in adoption.trees if t.path != config_dir]
    found = [t for t in adoption.trees if t.path == config_dir]
    tree = found[0] if found else ConfigTree(config_dir, (), _yaml_count(config_dir))
    groups = _outermost(experiment_like_groups(config_dir))
    return Adoption(adoption.root, [tree, *rest], adoption.src, groups, adoption.scan)
