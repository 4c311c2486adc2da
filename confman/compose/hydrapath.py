"""Compose a Hydra config exactly as ``hydra.compose`` does, and record where every value came from.

confman does not re-implement Hydra. It replays the few top-level steps of Hydra's
``ConfigLoaderImpl._load_configuration_impl`` and calls Hydra for each of them: override parsing
and ``hydra.searchpath`` handling, ``create_defaults_list`` (groups, packages, ``_self_``,
``override``, ``optional``, deletions, appends, interpolated defaults), ``_load_single_config``
(loading and ``@package`` embedding), OmegaConf's merge, and ``_apply_overrides_to_config``.
Between those calls it records each loaded config's leaves with their file:line, so the result
carries per-key provenance.

Two things make it faster than ``hydra.compose`` while returning the same config:

* files are parsed with libyaml and cached per path+mtime+size (see :mod:`confman.sources`);
* Hydra's own ``hydra`` node is only composed when something in the user's configs or overrides
  touches it, or the caller asks for it: ``hydra.compose`` deletes that node from its result, so
  composing it is pure cost otherwise.

No ``GlobalHydra`` is needed or touched: a confman compose works from several threads, many times
in one process, and inside a running ``@hydra.main`` app without disturbing it. The only global
Hydra reads is its version base; it is set for the duration of a compose, under a lock, and put
back.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hydra import version as hydra_version
from hydra._internal.config_loader_impl import ConfigLoaderImpl
from hydra._internal.config_repository import CachingConfigRepository
from hydra._internal.defaults_list import DefaultsList, create_defaults_list
from hydra._internal.utils import create_config_search_path
from hydra.core.config_search_path import SearchPathQuery
from hydra.core.default_element import (
    ResultDefault,
)
from hydra.core.override_parser.types import Override
from hydra.errors import HydraException
from hydra.plugins.config_source import ConfigResult
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf, flag_override, open_dict
from omegaconf.errors import OmegaConfBaseException
from packaging.version import Version

from confman import projectcode
from confman.caches import Bounded
from confman.compose.describe import describe_defaults
from confman.compose.entryerrors import cycle_error
from confman.compose.errors import keyless_override, translate
from confman.compose.model import Composed
from confman.errors import CompositionError, ConfigDirError, ConfmanError
from confman.provenance import Provenance, Write
from confman.settings import load_settings
from confman.sources import Repository, loaded_file
from confman.versionbase import hint_version_base

__all__ = [
    "DEFAULT_VERSION_BASE",
    "LOCK",
    "MAX_LOADERS",
    "compose",
    "hydra_inputs",
    "is_hydra_package",
    "loader_for",
    "record_loaded",
    "touches_hydra",
    "using_version_base",
]

DEFAULT_VERSION_BASE = "1.3"
#: Config dirs whose loaders (and cached nodes) are kept between composes.
MAX_LOADERS = 16

# One lock for every compose: Hydra's version base and plugin registry are process globals.
LOCK = threading.RLock()
_loaders: Bounded[tuple[str, bool, tuple[str, ...]], _ConfigLoader] = Bounded(
    "Hydra loaders per config dir", MAX_LOADERS
)


class _ConfigLoader(ConfigLoaderImpl):
    """Hydra's config loader over confman's repository; built once per config dir."""

    def __init__(self, config_dir: str, cache: bool, extra: tuple[str, ...] = ()) -> None:
        search_path = create_config_search_path(config_dir)
        after = SearchPathQuery(provider="main")
        for url in extra:  # [tool.confman] search_paths, right after the config dir
            search_path.append(provider="confman", path=url, anchor=after)
            after = SearchPathQuery(provider="confman", path=url)
        super().__init__(config_search_path=search_path)
        self.repository = Repository(search_path, label_root=config_dir, cache=cache)
        self.embedded: set[int] = set()
        self.provenance: Provenance | None = None

    def _load_single_config(self, default: ResultDefault, repo: Any) -> ConfigResult:
        """Hydra's loader, recording the loaded config's leaves just before Hydra merges it."""
        loaded = super()._load_single_config(default=default, repo=repo)
        if self.provenance is not None:
            record_loaded(self.provenance, default, loaded)
        return loaded

    def _embed_result_config(  # type: ignore[override]
        self, ret: ConfigResult, package_override: str | None
    ) -> ConfigResult:
        """Hydra's embedding of a loaded config at its package, without the defensive copy.

        Hydra places the loaded node under its package with ``OmegaConf.update``, which deep-
        copies it: the single largest cost of a compose. confman's sources hand out a fresh
        node on every load, so the first embedding of a node in a compose can move it instead.
        A node embedded a second time in the same compose (one option selected under two
        packages) goes through Hydra's copying implementation.
        """
        package = ret.header["package"] if package_override is None else package_override
        if not package or id(ret.config) in self.embedded:
            return ConfigLoaderImpl._embed_result_config(ret, package_override)
        self.embedded.add(id(ret.config))
        cfg = OmegaConf.create()
        with flag_override(cfg, "no_deepcopy_set_nodes", True):
            OmegaConf.update(cfg, package, ret.config, merge=False)
        embedded = copy.copy(ret)
        embedded.config = cfg
        return embedded


def loader_for(config_dir: str, cache: bool, extra: tuple[str, ...] = ()) -> _ConfigLoader:
    """The loader for ``config_dir``; the most recently used few are kept (called under LOCK).

    Each loader holds its sources' pickled nodes, so a process composing many config dirs
    (a test suite, a sweep over generated trees) must not keep them all.
    """
    key = (config_dir, cache, extra)
    loader = _loaders.get(key) or _ConfigLoader(config_dir, cache, extra)
    _loaders.put(key, loader)
    return loader


@contextmanager
def using_version_base(base: str) -> Iterator[None]:
    """Compose under ``base`` and give the caller back whatever version base it had."""
    instance = hydra_version.VersionBase.instance()
    saved = instance.version_base
    instance.setbase(Version(base))
    try:
        yield
    finally:
        instance.version_base = saved


def compose(
    config_name: str | None = None,
    overrides: Sequence[str] = (),
    *,
    config_dir: str | Path | None = None,
    return_hydra_config: bool = False,
    cache: bool = True,
    version_base: str | None = None,
) -> Composed:
    """Compose ``config_name`` with Hydra overrides, recording per-key provenance.

    Args:
        config_name: primary config (file name without ``.yaml``), or None for an empty primary.
        overrides: Hydra command-line overrides (``a.b=1``, ``+x=1``, ``~k``, ``group=opt``...).
        config_dir: the config tree; default: ``[tool.confman] config_dir`` or ``./conf``.
        return_hydra_config: keep Hydra's own ``hydra`` node in the result.
        cache: reuse parsed files across composes (keyed on path, mtime and size).
        version_base: Hydra version base; default: the project's setting when ``config_dir`` comes
            from the project settings, else Hydra's newest (1.3).

    Returns:
        The config exactly as ``hydra.compose`` returns it, with choices and provenance
        (``confman.compose(..., schema=)`` in :mod:`confman.typed` validates it too).

    Raises:
        ConfmanError: a subclass per problem (missing dir/config/option, bad override, YAML
            error, composition error), with a message naming the file:line or override.
    """
    if isinstance(overrides, str):
        raise TypeError("overrides must be a sequence of strings, not a single string")
    if config_dir is None:
        settings = load_settings()
        config_dir = settings.config_dir
        version_base = version_base or settings.version_base
    root = Path(config_dir).resolve()
    if not root.is_dir():
        raise ConfigDirError(
            f"config directory not found: {root}",
            hint="pass --config-dir DIR or set config_dir in [tool.confman] of pyproject.toml",
        )
    override_list = list(overrides)
    extra = projectcode.prepare(root)
    with LOCK, using_version_base(version_base or DEFAULT_VERSION_BASE):
        try:
            composed = _compose(
                loader_for(str(root), cache, extra),
                root,
                config_name,
                override_list,
                return_hydra_config,
            )
            hint_version_base(composed, version_base or DEFAULT_VERSION_BASE)
            return composed
        except ConfmanError as exc:
            raise projectcode.explain(exc, root) from None
        except RecursionError as exc:  # Hydra recurses without end on a cyclic defaults list
            raise cycle_error(root, config_name) from exc
        except (HydraException, OmegaConfBaseException, ValueError, OSError) as exc:
            raise projectcode.explain(
                translate(exc, root=root, config_name=config_name, overrides=override_list), root
            ) from exc
        except (TypeError, KeyError, AttributeError, IndexError, AssertionError) as exc:
            if any(keyless_override(o) for o in override_list):
                raise translate(
                    exc, root=root, config_name=config_name, overrides=override_list
                ) from exc
            # Hydra's own internals fail this way on some inputs, e.g. a list given to a
            # group that is not multi-select ('db=[a,b]' when the defaults say 'db: a').
            shown = " ".join(override_list) or "no overrides"
            raise CompositionError(
                f"Hydra cannot compose '{config_name}' with {shown}: {type(exc).__name__}: {exc}",
                hint="check the overrides against the defaults list; CONFMAN_DEBUG=1 shows "
                "Hydra's traceback",
            ) from exc


def _compose(
    loader: _ConfigLoader,
    root: Path,
    config_name: str | None,
    overrides: list[str],
    return_hydra_config: bool,
) -> Composed:
    loader.embedded.clear()
    parsed, repo = loader._parse_overrides_and_create_caching_repo(config_name, overrides)
    defaults = _defaults_list(loader, repo, config_name, parsed)
    with_hydra = return_hydra_config or touches_hydra(defaults, repo, parsed)
    merged = [d for d in defaults.defaults if with_hydra or not is_hydra_package(d.package)]
    provenance = Provenance()
    loader.provenance = provenance
    try:
        cfg = loader._compose_config_from_defaults_list(defaults=merged, repo=repo)
    finally:
        loader.provenance = None
    OmegaConf.set_struct(cfg, True)
    if "hydra" in cfg:
        OmegaConf.set_readonly(cfg.hydra, False)
    try:
        ConfigLoaderImpl._apply_overrides_to_config(defaults.config_overrides, cfg)
    except (HydraException, OmegaConfBaseException) as exc:
        raise translate(exc, root=root, config_name=config_name, cfg=cfg) from exc
    _record_overrides(provenance, defaults.config_overrides)
    if return_hydra_config:
        _fill_hydra_runtime(cfg, defaults, parsed)
    elif "hydra" in cfg:
        with open_dict(cfg):
            del cfg["hydra"]
    tree, choices = describe_defaults(defaults, parsed, repo)
    return Composed(
        config_name=config_name,
        config_dir=root,
        overrides=tuple(overrides),
        config=cfg,
        choices=choices,
        defaults_tree=tree,
        _provenance=provenance,
    )


def is_hydra_package(package: str | None) -> bool:
    return package is not None and (package == "hydra" or package.startswith("hydra."))


def touches_hydra(
    defaults: DefaultsList, repo: CachingConfigRepository, overrides: list[Override]
) -> bool:
    """Whether anything the user wrote reaches Hydra's own ``hydra`` node.

    If nothing does, that node is composed from Hydra's packaged configs alone and then deleted
    by ``hydra.compose``, so confman can skip composing it with an identical result. A user
    config that writes under ``hydra`` (an experiment setting ``hydra.run.dir``, an option of a
    ``hydra/...`` group) may fail Hydra's schema; then it must be composed for real.
    """
    if any(o.is_hydra_override() for o in overrides):
        return True
    for default in defaults.defaults:
        if default.config_path is None:
            continue
        if is_hydra_package(default.package):
            loaded = repo.load_config(default.config_path)
            if loaded is not None and loaded.provider != "hydra":
                return True  # the user's own option for one of Hydra's groups
        elif not default.package:
            loaded = repo.load_config(default.config_path)
            config = loaded.config if loaded is not None else None
            if isinstance(config, DictConfig) and "hydra" in config:
                return True  # e.g. an experiment setting hydra.run.dir
    return False


def hydra_inputs(
    defaults: DefaultsList, repo: CachingConfigRepository
) -> tuple[tuple[str, str], ...]:
    """The entries that write Hydra's own ``hydra`` node, in merge order, as (config path,
    package): every option of a ``hydra`` group (Hydra's or the user's) and every config at the
    root package holding a ``hydra`` key. Without ``hydra.*`` overrides, two compositions with
    the same inputs over one repository give Hydra the same node to compose and check.
    """
    found: list[tuple[str, str]] = []
    for default in defaults.defaults:
        if default.config_path is None:
            continue
        if is_hydra_package(default.package):
            found.append((default.config_path, default.package or ""))
        elif not default.package:
            loaded = repo.load_config(default.config_path)
            config = loaded.config if loaded is not None else None
            if isinstance(config, DictConfig) and "hydra" in config:
                found.append((default.config_path, ""))
    return tuple(found)


def _source_name(default: ResultDefault, loaded: ConfigResult) -> str:
    found = loaded_file(loaded)
    if found is not None:
        return found.name
    return f"{loaded.path}/{default.config_path}"


def _defaults_list(
    loader: _ConfigLoader,
    repo: CachingConfigRepository,
    config_name: str | None,
    parsed: list[Override],
) -> DefaultsList:
    """Hydra's defaults list for one run of ``config_name`` with ``parsed`` overrides, as
    ``hydra.compose`` builds it (sweep syntax refused, Hydra's own defaults prepended)."""
    loader.validate_sweep_overrides_legal(parsed, run_mode=RunMode.RUN, from_shell=False)
    return create_defaults_list(
        repo=repo,
        config_name=config_name,
        overrides_list=parsed,
        prepend_hydra=True,
        skip_missing=False,
    )


def record_loaded(prov: Provenance, default: ResultDefault, loaded: ConfigResult) -> None:
    """Record the leaves of one loaded config, at its package, with their file lines."""
    package = default.package
    if package is None:
        package = loaded.header.get("package") or ""
    prefix = f"{package}." if package else ""
    found = loaded_file(loaded)
    if found is not None:
        data = found.parsed.data
        if data is None:
            data = {}  # an empty file loads as an empty mapping, like OmegaConf.create()
        if isinstance(data, dict) and "defaults" in data:
            data = {k: v for k, v in data.items() if k != "defaults"}
        lines = found.parsed.lines
        name = found.name

        def make(rel: str, value: Any) -> Write:
            return Write(value=value, file=name, line=lines.get(rel))

        prov.record_mapping(data, prefix, make)
        return
    # Structured configs (ConfigStore) and other sources have no lines to offer. Their loaded
    # config is already embedded at its package (Hydra's _load_single_config did that).
    container = OmegaConf.to_container(loaded.config, resolve=False)
    where = _source_name(default, loaded)

    def make_nolines(rel: str, value: Any) -> Write:
        return Write(value=value, file=where)

    prov.record_mapping(container, "", make_nolines)


def _record_overrides(prov: Provenance, overrides: list[Override]) -> None:
    for override in overrides:
        key = override.key_or_group
        line = override.input_line
        if override.is_delete():
            prov.delete(key, Write(value=None, kind="delete", override=line))
            continue
        value = override.value()

        def make(rel: str, leaf: Any, line: str | None = line) -> Write:
            return Write(value=leaf, kind="override", override=line)

        if isinstance(value, dict) and value:
            prov.record_mapping(value, f"{key}.", make)
        else:
            # OmegaConf.update assigns a non-mapping value (even '???') rather than merging it.
            prov.record(key, make("", value), assign=True)


def _fill_hydra_runtime(cfg: DictConfig, defaults: DefaultsList, parsed: list[Override]) -> None:
    """Fill the ``hydra.overrides``/``hydra.runtime.choices`` fields a caller of the hydra node
    reads most; the run-time fields (cwd, output dir) belong to a real run, not a compose."""
    for override in parsed:
        target = "hydra" if override.is_hydra_override() else "task"
        cfg.hydra.overrides[target].append(override.input_line)
    with open_dict(cfg.hydra):
        cfg.hydra.runtime.choices.update(defaults.overrides.known_choices)
