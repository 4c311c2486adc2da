"""Where configs are read from: Hydra's config sources, made fast, confined and line-aware.

Hydra resolves config names through a search path of *config sources* (the user's directory,
``pkg://hydra.conf`` for Hydra's own configs, the ConfigStore). confman keeps Hydra's repository
and its lookup rules and swaps in sources that

* parse files with :mod:`confman.yamlsource` (libyaml, cached per path+mtime+size) and attach the
  parse, with its line marks, to every ``ConfigResult`` so provenance can name lines;
* never read outside their root: a group option, config name or ``@package`` that resolves (via
  ``..`` or a symlink) outside the config dir is treated as not found;
* never import what a config names and never read a search path outside the project unless the
  project's pyproject allows it (``hydra.searchpath``: see :mod:`confman.confine`);
* reuse Hydra's own packaged configs across composes instead of re-parsing them every time;
  a user's ``pkg://`` config package that lives in a folder is read like a config dir (lines,
  mtime-checked cache), since an editable install changes while a process runs.

Building OmegaConf nodes costs more than parsing. With the cache on, each file's DictConfig is
built once and kept pickled; every compose unpickles a fresh, independent copy (much cheaper
than ``OmegaConf.create`` or a deep copy), since Hydra mutates and moves the nodes it loads.
"""

from __future__ import annotations

import importlib.resources
import os
import pathlib
import pickle
import threading
from dataclasses import dataclass
from typing import Any

from hydra._internal.config_repository import ConfigRepository
from hydra._internal.core_plugins.file_config_source import FileConfigSource
from hydra._internal.core_plugins.importlib_resources_config_source import (
    ImportlibResourcesConfigSource,
)
from hydra.core.config_search_path import ConfigSearchPath
from hydra.plugins.config_source import ConfigLoadError, ConfigResult, ConfigSource
from omegaconf import OmegaConf

from confman.caches import Bounded
from confman.confine import (
    ALLOW_HINT,
    SEARCHPATH_PROVIDERS,
    Confinement,
    confinement_for,
    locate_package,
    only_importable,
)
from confman.errors import ConfinementError, YamlSourceError
from confman.yamlsource import ParsedYaml, load_yaml_file, parse_yaml

__all__ = ["LoadedFile", "Repository", "loaded_file"]

_ATTR = "_confman_file"


@dataclass(frozen=True)
class LoadedFile:
    """The file behind a ``ConfigResult``: its name in messages and its parse (with lines)."""

    name: str
    parsed: ParsedYaml


def loaded_file(result: ConfigResult) -> LoadedFile | None:
    """The confman parse attached to a Hydra ``ConfigResult``, if it came from a file source."""
    found = getattr(result, _ATTR, None)
    return found if isinstance(found, LoadedFile) else None


class _ConfinedFileSource(FileConfigSource):
    """``file://`` source reading through confman's cached, safe YAML loader."""

    def __init__(
        self, provider: str, path: str, *, label_root: str, cache: bool, skeleton: bool = False
    ) -> None:
        super().__init__(provider=provider, path=path)
        self._root = os.path.realpath(self.path)
        self._label_root = label_root
        self._cache = cache
        self._skeleton = skeleton
        # full path -> (the parse the nodes were built from, pickled DictConfig)
        self._nodes: dict[str, tuple[ParsedYaml, bytes]] = {}
        self._lock = threading.Lock()

    def __deepcopy__(self, memo: dict[int, Any]) -> _ConfinedFileSource:
        # Hydra deep-copies the repository per compose; sources are immutable, share them.
        return self

    def _inside(self, relative: str) -> str | None:
        full = os.path.realpath(os.path.join(self._root, relative))
        if full == self._root or full.startswith(self._root + os.sep):
            return full
        return None

    def _label(self, full: str) -> str:
        rel = os.path.relpath(full, self._label_root)
        return full if rel.startswith("..") else rel.replace(os.sep, "/")

    def load_config(self, config_path: str) -> ConfigResult:
        full = self._inside(self._normalize_file_name(config_path))
        if full is None or not os.path.isfile(full):
            raise ConfigLoadError(f"Config not found : {config_path}")
        name = self._label(full)
        parsed = load_yaml_file(full, name=name, cache=self._cache)
        if parsed.duplicates:
            dup = parsed.duplicates[0]
            raise YamlSourceError(
                f"{name}:{dup.line}: duplicate key '{dup.path}' (first set at line "
                f"{dup.first_line})",
                hint="delete one of them; YAML keeps only the last and Hydra refuses the file",
            )
        result = ConfigResult(
            config=self._build(full, parsed),
            path=f"{self.scheme()}://{self.path}",
            provider=self.provider,
            header=ConfigSource._get_header_dict(parsed.header_text),
        )
        setattr(result, _ATTR, LoadedFile(name=name, parsed=parsed))
        return result

    def _build(self, full: str, parsed: ParsedYaml) -> Any:
        """A fresh OmegaConf container for ``parsed``, unpickled from the cache when possible.

        Nodes are pickled on a parse's second use, not its first: a one-shot CLI process
        composes once and would pay for a pickle it never reads.
        """
        if self._skeleton:
            return _skeleton(parsed)
        hit = None
        if self._cache:
            with self._lock:
                hit = self._nodes.get(full)
            if hit is not None and hit[0] is parsed and hit[1]:
                return pickle.loads(hit[1])
        data = parsed.data
        if data is not None and not isinstance(data, dict | list | str):
            raise YamlSourceError(
                f"{parsed.name}: a config file must hold a mapping, got {type(data).__name__}"
            )
        config = OmegaConf.create() if data is None else OmegaConf.create(data)
        if self._cache:
            seen_before = hit is not None and hit[0] is parsed
            blob = pickle.dumps(config) if seen_before else b""
            with self._lock:
                self._nodes[full] = (parsed, blob)
        return config

    def is_group(self, config_path: str) -> bool:
        full = self._inside(config_path)
        return full is not None and os.path.isdir(full)

    def is_config(self, config_path: str) -> bool:
        full = self._inside(self._normalize_file_name(config_path))
        return full is not None and os.path.isfile(full)


def _skeleton(parsed: ParsedYaml) -> Any:
    """The part of a file's config Hydra reads to build a defaults list, as a small node.

    Hydra reads a loaded config's ``defaults``, its ``hydra`` node (``hydra.searchpath`` in a
    primary) and, for ``_self_``, whether any other top-level key is set (not ``???``); the
    values of the other keys only matter to the merge. Everything else is left out.
    """
    data = parsed.data
    if isinstance(data, dict):
        data = {
            k: v if k in ("defaults", "hydra") else (v if v == "???" else None)
            for k, v in data.items()
        }
    return OmegaConf.create() if data is None else OmegaConf.create(data)


class _CachedPackageSource(ImportlibResourcesConfigSource):
    """Hydra's packaged configs (``pkg://hydra.conf``): parsed with libyaml, once per process.

    Installed package files do not change while a process runs, so each parsed config is kept
    pickled and every compose gets a fresh copy of it (Hydra mutates what it loads).
    """

    _parsed: Bounded[tuple[str, str], tuple[bytes, dict[str, str | None], str]] = Bounded(
        "Hydra's packaged configs", 4096
    )

    def __deepcopy__(self, memo: dict[int, Any]) -> _CachedPackageSource:
        return self

    def _read_config(self, res: Any) -> ConfigResult:
        raw = res.read_bytes()
        name = f"{self.scheme()}://{self.path}/{getattr(res, 'name', '')}"
        parsed = parse_yaml(raw.decode("utf-8"), name=name)
        data = parsed.data
        return ConfigResult(
            config=OmegaConf.create() if data is None else OmegaConf.create(data),
            path=f"{self.scheme()}://{self.path}",
            provider=self.provider,
            header=ConfigSource._get_header_dict(parsed.header_text),
        )

    def load_config(self, config_path: str) -> ConfigResult:
        key = (self.path, config_path)
        hit = self._parsed.get(key)
        if hit is None or not hit[0]:
            result = super().load_config(config_path)
            # Pickle on second use: a one-shot process never reads the pickle.
            blob = pickle.dumps(result.config) if hit is not None else b""
            self._parsed.put(key, (blob, result.header, result.path))
            return result
        blob, header, path = hit
        return ConfigResult(
            config=pickle.loads(blob),
            path=path,
            provider=self.provider,
            header=dict(header),
        )


class _UnavailablePackage(ImportlibResourcesConfigSource):
    """A ``pkg://`` search path naming no package folder: nothing to read and nothing imported
    (Hydra, importing it, finds nothing either; both warn that it is not available)."""

    def available(self) -> bool:
        return False

    def is_group(self, config_path: str) -> bool:
        return False

    def is_config(self, config_path: str) -> bool:
        return False

    def list(self, config_path: str, results_filter: Any) -> list[str]:
        return []

    def load_config(self, config_path: str) -> ConfigResult:
        raise ConfigLoadError(f"Config not found : {config_path}")


class Repository(ConfigRepository):
    """Hydra's config repository with confman's sources swapped in (also after a searchpath)."""

    def __init__(
        self,
        search_path: ConfigSearchPath,
        *,
        label_root: str,
        cache: bool,
        skeleton: bool = False,
    ) -> None:
        """``skeleton``: file configs hold only what Hydra reads to build defaults lists (see
        ``_skeleton``); for callers that merge the parsed data themselves, like lint."""
        self._label_root = label_root
        self._cache = cache
        self._skeleton = skeleton
        self._confinement: Confinement = confinement_for(label_root)
        self._last_loaded: ConfigResult | None = None
        super().__init__(search_path)

    def load_config(self, config_path: str) -> ConfigResult | None:
        # Hydra loads the primary config just before it re-initializes the sources from the
        # primary's hydra.searchpath: kept to name the file:line of a refused entry.
        self._last_loaded = super().load_config(config_path)
        return self._last_loaded

    def initialize_sources(self, config_search_path: ConfigSearchPath) -> None:
        super().initialize_sources(config_search_path)
        self.sources = [self._wrap(source) for source in self.sources]

    def _wrap(self, source: ConfigSource) -> ConfigSource:
        if source.provider in SEARCHPATH_PROVIDERS:
            return self._confine(source)
        return self._wrap_trusted(source)

    def _confine(self, source: ConfigSource) -> ConfigSource:
        """A search path entry a config or an override names: read only inside the project or
        an allowed folder, and packages located on disk, never imported (unless allowed)."""
        entry = f"{source.scheme()}://{source.path}"
        kind = type(source).__name__
        if kind == FileConfigSource.__name__ and source.scheme() == "file":
            folder = source.path
            if not self._confinement.inside(folder):
                raise ConfinementError(
                    f"{self._where(source)}: search path '{entry}' is outside the project "
                    f"{self._confinement.root} (it resolves to {os.path.realpath(folder)})",
                    hint=ALLOW_HINT,
                )
        elif kind == ImportlibResourcesConfigSource.__name__:
            located = locate_package(source.path)
            if located is not None:
                return _ConfinedFileSource(
                    source.provider,
                    str(located),
                    label_root=self._label_root,
                    cache=self._cache,
                    skeleton=self._skeleton,
                )
            if source.path not in self._confinement.packages:
                if not only_importable(source.path):
                    return _UnavailablePackage(source.provider, source.full_path())
                raise ConfinementError(
                    f"{self._where(source)}: search path '{entry}': package '{source.path}' is "
                    "not a folder (only an import reaches it), and confman does not import "
                    "packages a config names",
                    hint=f"install it as a plain folder, or {ALLOW_HINT} (it is then imported)",
                )
        return self._wrap_trusted(source)

    def _where(self, source: ConfigSource) -> str:
        """Where a refused search path entry was written: the primary's file:line, or the
        override."""
        if source.provider == SEARCHPATH_PROVIDERS[1]:
            return "override hydra.searchpath"
        found = loaded_file(self._last_loaded) if self._last_loaded is not None else None
        if found is None:
            return "hydra.searchpath"
        line = found.parsed.lines.get("hydra.searchpath")
        return f"{found.name}:{line}" if line else found.name

    def _wrap_trusted(self, source: ConfigSource) -> ConfigSource:
        # Compare by name: Hydra's plugin discovery re-imports its core source modules, so the
        # registered classes are not the objects this module imported.
        kind = type(source).__name__
        if kind == FileConfigSource.__name__ and source.scheme() == "file":
            return _ConfinedFileSource(
                source.provider,
                source.full_path(),
                label_root=self._label_root,
                cache=self._cache,
                skeleton=self._skeleton,
            )
        if kind == ImportlibResourcesConfigSource.__name__:
            if source.path == "hydra" or source.path.startswith("hydra."):
                return _CachedPackageSource(source.provider, source.full_path())
            folder = _package_folder(source.path)
            if folder is not None:
                # A user's package (``pkg://myproject.conf``, often an editable install): its
                # files change while a process runs, and provenance wants their lines.
                return _ConfinedFileSource(
                    source.provider,
                    folder,
                    label_root=self._label_root,
                    cache=self._cache,
                    skeleton=self._skeleton,
                )
        return source


def _package_folder(package: str) -> str | None:
    """The directory behind an importable package, if it is a plain folder on disk."""
    try:
        found = importlib.resources.files(package)
    except (ImportError, TypeError, ValueError):
        return None
    return str(found) if isinstance(found, pathlib.Path) and found.is_dir() else None
