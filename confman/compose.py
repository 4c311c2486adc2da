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
import posixpath
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast, overload

from hydra import version as hydra_version
from hydra._internal.config_loader_impl import ConfigLoaderImpl
from hydra._internal.config_repository import CachingConfigRepository
from hydra._internal.defaults_list import DefaultsList, create_defaults_list
from hydra._internal.utils import create_config_search_path
from hydra.core.default_element import (
    DefaultsTreeNode,
    GroupDefault,
    InputDefault,
    ResultDefault,
    VirtualRoot,
)
from hydra.core.config_search_path import SearchPathQuery
from hydra.core.override_parser.types import Override
from hydra.errors import HydraException
from hydra.plugins.config_source import ConfigResult
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf, flag_override, open_dict
from omegaconf.errors import OmegaConfBaseException
from packaging.version import Version

from confman import projectcode
from confman.composeerrors import cycle_error, keyless_override, translate
from confman.errors import CompositionError, ConfigDirError, ConfmanError
from confman.provenance import Provenance, Write
from confman.settings import load_settings
from confman.sources import Repository, loaded_file
from confman.versionbase import hint_version_base

__all__ = ["Choice", "Composed", "DefaultsNode", "compose"]

DEFAULT_VERSION_BASE = "1.3"
#: Config dirs whose loaders (and cached nodes) are kept between composes.
MAX_LOADERS = 16

if TYPE_CHECKING:
    from pydantic import BaseModel

_M = TypeVar("_M", bound="BaseModel")

# One lock for every compose: Hydra's version base and plugin registry are process globals.
_lock = threading.RLock()
_loaders: dict[tuple[str, bool, tuple[str, ...]], _Loader] = {}


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


class _Loader(ConfigLoaderImpl):
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
            _record_loaded(self.provenance, default, loaded)
        return loaded

    def _embed_result_config(  # type: ignore[override]
        self, ret: ConfigResult, package_override: str | None
    ) -> ConfigResult:
        """Hydra's embedding of a loaded config at its package, without the defensive copy.

        Hydra places the loaded node under its package with ``OmegaConf.update``, which deep-
        copies it: the single largest cost of a compose. confman's sources hand out a fresh
        node on every load, so the first embedding of a node in a compose can move it instead.
        A node embedded a second time in the same compose (one option selected under two
        packages) goes through Hydra's copying implementation, as before.
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


def _loader(config_dir: str, cache: bool, extra: tuple[str, ...] = ()) -> _Loader:
    """The loader for ``config_dir``; the most recently used few are kept (called under _lock).

    Each loader holds its sources' pickled nodes, so a process composing many config dirs
    (a test suite, a sweep over generated trees) must not keep them all.
    """
    key = (config_dir, cache, extra)
    loader = _loaders.pop(key, None) or _Loader(config_dir, cache, extra)
    _loaders[key] = loader
    while len(_loaders) > MAX_LOADERS:
        del _loaders[next(iter(_loaders))]
    return loader


@contextmanager
def _version_base(base: str) -> Iterator[None]:
    """Compose under ``base`` and give the caller back whatever version base it had."""
    instance = hydra_version.VersionBase.instance()
    saved = instance.version_base
    instance.setbase(Version(base))
    try:
        yield
    finally:
        instance.version_base = saved


@overload
def compose(
    config_name: str | None = None,
    overrides: Sequence[str] = (),
    *,
    config_dir: str | Path | None = None,
    return_hydra_config: bool = False,
    cache: bool = True,
    version_base: str | None = None,
    schema: None = None,
) -> Composed: ...


@overload
def compose(
    config_name: str | None = None,
    overrides: Sequence[str] = (),
    *,
    config_dir: str | Path | None = None,
    return_hydra_config: bool = False,
    cache: bool = True,
    version_base: str | None = None,
    schema: type[_M],
) -> _M: ...


def compose(
    config_name: str | None = None,
    overrides: Sequence[str] = (),
    *,
    config_dir: str | Path | None = None,
    return_hydra_config: bool = False,
    cache: bool = True,
    version_base: str | None = None,
    schema: type[_M] | None = None,
) -> Composed | _M:
    """Compose ``config_name`` with Hydra overrides, recording per-key provenance.

    Args:
        config_name: primary config (file name without ``.yaml``), or None for an empty primary.
        overrides: Hydra command-line overrides (``a.b=1``, ``+x=1``, ``~k``, ``group=opt``...).
        config_dir: the config tree; default: ``[tool.confman] config_dir`` or ``./conf``.
        return_hydra_config: keep Hydra's own ``hydra`` node in the result.
        cache: reuse parsed files across composes (keyed on path, mtime and size).
        version_base: Hydra version base; default: the project's setting when ``config_dir`` comes
            from the project settings, else Hydra's newest (1.3).

        schema: a pydantic model; the composed config is validated against it and returned as
            an instance (``confman.load_config`` returns the model bound in pyproject).

    Returns:
        The config exactly as ``hydra.compose`` returns it, with choices and provenance; with
        ``schema``, that model's instance.

    Raises:
        ValidationFailed: with ``schema``, every issue of the config, sorted by file:line.
        ConfmanError: a subclass per problem (missing dir/config/option, bad override, YAML
            error, composition error), with a message naming the file:line or override.
    """
    if isinstance(overrides, str):
        raise TypeError("overrides must be a sequence of strings, not a single string")
    if schema is not None:
        from confman.schema.api import typed_compose

        return cast(
            _M,
            typed_compose(
                config_name,
                overrides,
                schema,
                config_dir=config_dir,
                return_hydra_config=return_hydra_config,
                cache=cache,
                version_base=version_base,
            ),
        )
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
    with _lock, _version_base(version_base or DEFAULT_VERSION_BASE):
        try:
            composed = _compose(
                _loader(str(root), cache, extra),
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
    loader: _Loader,
    root: Path,
    config_name: str | None,
    overrides: list[str],
    return_hydra_config: bool,
) -> Composed:
    loader.embedded.clear()
    parsed, repo = loader._parse_overrides_and_create_caching_repo(config_name, overrides)
    defaults = _defaults_list(loader, repo, config_name, parsed)
    with_hydra = return_hydra_config or _touches_hydra(defaults, repo, parsed)
    merged = [d for d in defaults.defaults if with_hydra or not _is_hydra_package(d.package)]
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
    tree, choices = _describe_defaults(defaults, parsed, repo)
    return Composed(
        config_name=config_name,
        config_dir=root,
        overrides=tuple(overrides),
        config=cfg,
        choices=choices,
        defaults_tree=tree,
        _provenance=provenance,
    )


def _is_hydra_package(package: str | None) -> bool:
    return package is not None and (package == "hydra" or package.startswith("hydra."))


def _touches_hydra(
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
        if _is_hydra_package(default.package):
            loaded = repo.load_config(default.config_path)
            if loaded is not None and loaded.provider != "hydra":
                return True  # the user's own option for one of Hydra's groups
        elif not default.package:
            loaded = repo.load_config(default.config_path)
            config = loaded.config if loaded is not None else None
            if isinstance(config, DictConfig) and "hydra" in config:
                return True  # e.g. an experiment setting hydra.run.dir
    return False


def _source_name(default: ResultDefault, loaded: ConfigResult) -> str:
    found = loaded_file(loaded)
    if found is not None:
        return found.name
    return f"{loaded.path}/{default.config_path}"


def _defaults_list(
    loader: _Loader,
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


def _record_loaded(prov: Provenance, default: ResultDefault, loaded: ConfigResult) -> None:
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


def _describe_defaults(
    defaults: DefaultsList, parsed: list[Override], repo: CachingConfigRepository
) -> tuple[DefaultsNode, dict[str, Choice]]:
    """Convert Hydra's defaults tree into plain nodes, and say who chose each group option."""
    meta = defaults.overrides.override_metadata
    cli = {o.get_key_element(): o.input_line for o in parsed if o.input_line is not None}
    choices: dict[str, Choice] = {}
    memo: dict[tuple[Any, ...], _Placed] = {}

    def chosen_by(node: InputDefault, parent: str | None) -> str | None:
        if not isinstance(node, GroupDefault):
            return None
        key = node.get_override_key()
        if node.is_external_append():
            return f"override '{cli.get('+' + key, '+' + key)}'"
        info = meta.get(key)
        if info is not None and info.used:
            if info.external_override:
                return f"override '{cli.get(key, key)}'"
            where = _defaults_line(repo, info.containing_config_path, node, memo)
            return f"{where} via 'override /{node.get_group_path()}'"
        return _defaults_line(repo, parent, node, memo)

    def convert(tree: DefaultsTreeNode | InputDefault, parent: str | None) -> DefaultsNode:
        node = tree.node if isinstance(tree, DefaultsTreeNode) else tree
        kids = tree.children if isinstance(tree, DefaultsTreeNode) else None
        path = None if node.is_self() else node.get_config_path()
        by = chosen_by(node, parent)
        if (
            isinstance(node, GroupDefault)
            and not node.is_deleted()
            and not _is_hydra_group(node.get_group_path())
        ):
            key = node.get_override_key()
            choices[key] = Choice(
                group=key,
                option=_option(node),
                package=node.get_final_package(),
                chosen_by=by or "",
            )
        label = _label(node)
        children = tuple(
            convert(child, path) for child in kids or [] if not _is_hydra_group(_group_of(child))
        )
        return DefaultsNode(
            label=label,
            config_path=path,
            package=None
            if node.is_self() or isinstance(node, VirtualRoot)
            else (node.get_final_package()),
            chosen_by=by,
            children=children,
        )

    tree = convert(defaults.defaults_tree, None)
    # Hydra also reports the option of an ``optional`` group whose file does not exist; such a
    # group has no node in the tree, so it is added here from Hydra's own record of choices.
    for key, option in defaults.overrides.known_choices.items():
        if key in choices or _is_hydra_group(key.split("@", 1)[0]):
            continue
        info = meta.get(key)
        if info is not None and info.external_override:
            by = f"override '{cli.get(key, key)}'"
        else:
            by = "optional, no such option"
        choices[key] = Choice(group=key, option=option, package="", chosen_by=by)
    return tree, choices


def _group_of(tree: DefaultsTreeNode | InputDefault) -> str:
    node = tree.node if isinstance(tree, DefaultsTreeNode) else tree
    if node.is_self():
        return ""
    path = node.get_config_path()
    return path or ""


def _is_hydra_group(path: str) -> bool:
    return path == "hydra" or path.startswith("hydra/")


def _label(node: InputDefault) -> str:
    if node.is_self():
        return "_self_"
    if isinstance(node, VirtualRoot):
        return "<root>"
    if isinstance(node, GroupDefault):
        option = _option(node)
        # As the defaults list writes it: ``null`` for no option, ``[a, b]`` for several.
        shown = "null" if option is None else option
        if isinstance(option, list):
            shown = f"[{', '.join(option)}]"
        return f"{node.get_override_key()}: {shown}"
    return node.get_config_path() or "<root>"


def _option(node: GroupDefault) -> str | list[str] | None:
    """The chosen option; a list for multi-select groups (Hydra's ``get_name`` refuses those)."""
    value = node.value
    return list(value) if isinstance(value, list) else node.get_name()


def _defaults_line(
    repo: CachingConfigRepository,
    config_path: str | None,
    node: GroupDefault,
    memo: dict[tuple[Any, ...], _Placed] | None = None,
) -> str:
    """``file:line`` of the defaults-list entry in ``config_path`` that names ``node``'s group."""
    if config_path is None:
        return "<defaults>"
    loaded = repo.load_config(config_path)
    found = loaded_file(loaded) if loaded is not None else None
    if loaded is None or found is None:
        return config_path
    index = _entry_index(loaded, config_path, node, memo)
    if index is not None:
        line = found.parsed.lines.get(f"defaults[{index}]")
        return f"{found.name}:{line}" if line else found.name
    wanted = node.get_group_path().rsplit("/", 1)[-1]
    items = found.parsed.data.get("defaults", []) if isinstance(found.parsed.data, dict) else []
    for index, item in enumerate(items if isinstance(items, list) else []):
        if isinstance(item, dict) and len(item) == 1:
            entry = next(iter(item)).split(" ")[-1].split("@")[0].lstrip("/")
            if entry == node.get_group_path() or entry.rsplit("/", 1)[-1] == wanted:
                line = found.parsed.lines.get(f"defaults[{index}]")
                return f"{found.name}:{line}" if line else found.name
    return found.name


_Placed = list[tuple[int, Any]]


def _entry_index(
    loaded: ConfigResult,
    config_path: str,
    node: GroupDefault,
    memo: dict[tuple[Any, ...], _Placed] | None = None,
) -> int | None:
    """Index of the entry naming ``node``'s group in the defaults list Hydra parsed from ``loaded``.

    Hydra resolves each tree node from a copy of that entry placed under its parent, so the
    entry is found by placing each parsed entry under the same parent and comparing override
    keys (``db`` and ``db@backup`` are different entries). An ``override /group`` entry sits
    in another config: it is matched on its group path and explicit package.

    ``memo`` keeps the placed entries' keys per config and parent across the nodes of one
    defaults tree: placing every entry again for every node is quadratic in the list's length.
    """
    memo = {} if memo is None else memo
    entries = getattr(loaded, "defaults_list", None) or []
    found: list[int] = []
    overrides = memo.get(("override", config_path))
    if overrides is None:
        overrides = memo[("override", config_path)] = [
            (i, key)
            for i, entry in enumerate(entries)
            if isinstance(entry, GroupDefault) and entry.override
            for key in _placed_keys(entry, posixpath.dirname(config_path), "", override=True)
        ]
    plain_key = ("plain", config_path, node.parent_base_dir, node.parent_package)
    plain = memo.get(plain_key)
    if plain is None:
        plain = memo[plain_key] = [
            (i, key)
            for i, entry in enumerate(entries)
            if isinstance(entry, GroupDefault) and not entry.override
            for key in _placed_keys(
                entry, node.parent_base_dir, node.parent_package, override=False
            )
        ]
    try:
        wanted = (node.get_group_path(), node.package)
        found += [i for i, key in overrides if key == wanted][:1]
    except (AssertionError, HydraException):
        pass
    try:
        wanted_key = node.get_override_key()
        found += [i for i, key in plain if key == wanted_key][:1]
    except (AssertionError, HydraException):
        pass
    return min(found, default=None)


def _placed_keys(
    entry: GroupDefault, base_dir: str | None, package: str | None, *, override: bool
) -> list[Any]:
    """``entry`` placed under a parent: its (group path, package) for an ``override`` entry,
    its override key otherwise; nothing when Hydra cannot place it."""
    placed = copy.copy(entry)
    try:
        placed.update_parent(base_dir, package)
        if override:
            return [(placed.get_group_path(), placed.package)]
        return [placed.get_override_key()]
    except (AssertionError, HydraException):
        return []
