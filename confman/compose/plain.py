"""Many compositions of one config dir, fast, each equal to ``confman.compose``'s result.

Lint composes the primary, every experiment and every option swapped in (hundreds of
compositions on a real tree); ``validate`` composes every point of a sweep. A full
``confman.compose`` spends almost all its time on OmegaConf node work these callers throw away
(figures in ``benchmarks/RESULTS.md``): Hydra builds a ``known_choices`` DictConfig for every
node of the defaults tree, and every ``merge_with`` re-parents the whole growing result. These
callers need the composed data, its provenance and the group choices, not nodes, so this module
keeps what decides the result with Hydra and drops the node work:

* the defaults list (which files, in which order, at which package; who chose each option) is
  Hydra's own ``create_defaults_list``, run over one caching repository shared by all the
  compositions of a primary (Hydra only reads the configs while building defaults lists), whose
  file configs are skeletons holding just what Hydra reads there (``sources._skeleton``);
* four pure costs inside Hydra's defaults-list build are skipped with identical results, by
  running Hydra's own code over confman's helpers (:mod:`confman.compose.hydrafast`; nothing of
  Hydra is patched): a ``known_choices`` map nothing reads, re-parsing version strings, an
  OmegaConf node built per entry to ask whether its name holds ``${``, and a generic deep copy
  of each config's defaults list;
* the merge of the loaded files is done on plain data by :mod:`confman.compose.plainmerge`, which
  refuses every case where OmegaConf's merge is not the plain one;
* provenance is recorded by the same code as ``confman.compose`` (``hydrapath.record_loaded``).

Whenever the fast path does not apply (CLI config overrides, a ConfigStore schema for a file,
structured configs, a merge that is not plain, any error), the composition is made by
``confman.compose`` itself, so a result or an error is always the real one. The same holds the
first time a composition writes Hydra's own ``hydra`` node (``hydra.run.dir`` in a primary, a
user option of a ``hydra/`` group): Hydra checks that node against its schema, so the real
compose makes it; later compositions whose configs write the node with the same files in the
same order take the fast path, since Hydra would compose the same node for them.
``tests/lint/test_composer.py`` checks both paths give the same data,
provenance and choices on the example system, the compose corpus and generated trees.
"""

from __future__ import annotations

import copy
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, cast

from hydra._internal.config_repository import CachingConfigRepository
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException
from hydra.plugins.config_source import ConfigSource
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from confman import projectcode
from confman.compose import hydrapath
from confman.compose.describe import describe_defaults
from confman.compose.errors import translate
from confman.compose.hydrafast import FastRepository, check_hydra_version, create_defaults_list
from confman.compose.hydrapath import compose
from confman.compose.model import Choice, Composed, DefaultsNode
from confman.compose.plainmerge import MISSING, NotPlain, check_plain, embed, merge_into
from confman.errors import ConfmanError, YamlSourceError
from confman.provenance import Provenance, Write
from confman.sources import loaded_file

__all__ = ["Composer", "PlainComposed", "plain_node", "select"]


#: ``Composer._repos`` key of the repository shared by primaries without a search path
_SHARED = object()


@dataclass
class PlainComposed:
    """A composition as plain data, with the same reading surface as :class:`Composed`.

    ``config`` is built on first use only (lint rules rarely need nodes).
    """

    config_name: str | None
    config_dir: Path
    overrides: tuple[str, ...]
    choices: dict[str, Choice]
    defaults_tree: DefaultsNode
    container: dict[str, Any]
    #: the merged files' recorded writes, in merge order (see ``_replay``)
    _writes: list[list[tuple[str, Write]]] = field(repr=False, compare=False)
    #: a merged file has a key holding a dot: its writes are recorded one by one
    _dotted: bool = field(default=False, repr=False, compare=False)

    @cached_property
    def provenance(self) -> dict[str, tuple[Write, ...]]:
        """Every leaf's write history, oldest first and the winner last."""
        return _replay(self._writes, self.container, gather=not self._dotted)

    @cached_property
    def config(self) -> DictConfig:
        """The composed config as OmegaConf nodes, in struct mode like ``Composed.config``."""
        cfg = OmegaConf.create(self.container)
        OmegaConf.set_struct(cfg, True)
        return cfg

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without the recording once the provenance is finished (half the bytes)."""
        state = dict(self.__dict__)
        state.pop("config", None)
        if "provenance" in state:
            state["_writes"] = None
        return state

    @property
    def deleted(self) -> dict[str, tuple[Write, ...]]:
        """Always empty: compositions with ``~key`` overrides take the real path."""
        return {}

    def to_container(self, *, resolve: bool = False) -> dict[str, Any]:
        """The config as plain dicts and lists (a fresh copy)."""
        if resolve:
            data = OmegaConf.to_container(self.config, resolve=True)
            assert isinstance(data, dict)
            return cast(dict[str, Any], data)
        return copy.deepcopy(self.container)


_DOTTED = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")


def plain_node(composed: Composed | PlainComposed, key: str) -> tuple[bool, Any]:
    """The node at the dotted ``key`` read off the plain data: ``(True, node)`` when a walk of
    mappings answers it (``node`` None when a mapping on the way lacks the key), ``(False,
    None)`` when only OmegaConf can (not plain data, not a dotted key, a list or a value on the
    way). The node is the plain container's own, not a copy."""
    if not isinstance(composed, PlainComposed) or not _DOTTED.match(key):
        return False, None
    node: Any = composed.container
    for part in key.split("."):
        if not isinstance(node, dict):
            return False, None
        if part not in node:
            return True, None
        node = node[part]
    return True, node


def select(composed: Composed | PlainComposed, key: str) -> Any:
    """``OmegaConf.select(composed.config, key, default=None)``, read off the plain data when
    the answer there is plainly the same (dict keys all the way, a value that is neither an
    interpolation nor ``???``), so lint does not build nodes to look up one key."""
    found, node = plain_node(composed, key)
    if found:
        special = isinstance(node, str) and ("${" in node or node == "???")
        if not special and not isinstance(node, dict | list):
            return node
    return OmegaConf.select(composed.config, key, default=None)


class _NotApplicable(Exception):
    """The fast path cannot prove its result equal to ``confman.compose``'s."""


class Composer:
    """Composes configs of one config dir, reusing Hydra's repository across compositions: the
    entry point of every caller that makes many compositions (lint, ``validate``'s sweeps).
    Each composition takes the plain path when it provably gives ``confman.compose``'s result,
    and is made by ``confman.compose`` otherwise.

    Args:
        config_dir: the config tree.
        version_base: Hydra version base (None: confman's default, as ``compose`` uses).
        fast: False to always use ``confman.compose`` (tests compare the two).
        check_hydra: False to compose on the fast path also when the user's configs write under
            Hydra's own ``hydra`` node (``hydra.run.dir``; most real trees do): those keys are
            dropped, as ``confman.compose`` drops the node, without Hydra's schema check of
            them. Lint composes each primary once with the check, then its variants without.
        hydra_warnings: True to show Hydra's own warnings (a defaults list without ``_self_``,
            1.0-style headers) as ``confman.compose`` does; lint leaves them out.
    """

    def __init__(
        self,
        config_dir: Path,
        version_base: str | None,
        *,
        fast: bool = True,
        check_hydra: bool = True,
        hydra_warnings: bool = False,
    ) -> None:
        if fast:
            check_hydra_version()
        self.config_dir = config_dir.resolve()
        self.version_base = version_base
        #: ``[tool.confman] search_paths`` (and the modules and resolvers it opts into, run once),
        #: as ``confman.compose`` gets them: the fast path's loader and repositories search them too
        self.search_paths = projectcode.prepare(self.config_dir)
        self.fast = fast
        self.check_hydra = check_hydra
        self.hydra_warnings = hydra_warnings
        #: caching repositories by primary (``_SHARED``: the one of primaries without a search path)
        self._repos: dict[object, CachingConfigRepository] = {}
        self._writes: dict[tuple[str, str], list[tuple[str, Write]]] = {}
        #: files checked plain, and whether a key in each holds a dot (see ``_merge``)
        self._checked: dict[str, bool] = {}
        #: Hydra's own node: the inputs that write it (``hydrapath.hydra_inputs``, by repository)
        #: of every composition the real compose made without error; another composition with
        #: the same inputs composes the same node, so it may take the fast path
        self._hydra_checked: set[tuple[object, ...]] = set()
        self._hydra_pending: tuple[object, ...] | None = None
        #: how many compositions took each path (for tests and benchmarks)
        self.counts = {"fast": 0, "real": 0}

    def compose(self, config_name: str | None, overrides: Sequence[str] = ()) -> Any:
        """The composition of ``config_name`` with ``overrides``: a ``PlainComposed`` or, when the
        fast path does not apply, ``confman.compose``'s ``Composed`` (or its error).

        Hydra's own warnings (a defaults list without ``_self_``, 1.0-style headers) are shown
        only with ``hydra_warnings``: lint makes hundreds of compositions, and what they warn
        about is the tree's.
        """
        if self.hydra_warnings:
            return self._compose(config_name, overrides)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return self._compose(config_name, overrides)

    def _compose(self, config_name: str | None, overrides: Sequence[str]) -> Any:
        self._hydra_pending = None
        if self.fast:
            try:
                result = self._fast(config_name, list(overrides))
            except _Failed as failed:
                self.counts["fast"] += 1
                raise failed.error from failed.__cause__
            except YamlSourceError:
                self.counts["fast"] += 1
                raise  # a file that does not parse: the real compose reads it the same way
            except Exception:  # anything unusual: the real compose decides, or raises
                result = None
            if result is not None:
                self.counts["fast"] += 1
                return result
        self.counts["real"] += 1
        composed: Composed = compose(
            config_name,
            list(overrides),
            config_dir=self.config_dir,
            version_base=self.version_base,
        )
        if self._hydra_pending is not None:
            self._hydra_checked.add(self._hydra_pending)
        return composed

    def _repository(
        self, loader: Any, config_name: str | None, parsed: list[Any]
    ) -> CachingConfigRepository | None:
        """The caching repository ``config_name``'s compositions share.

        Primaries that add no ``hydra.searchpath`` see the same sources, so they share one
        repository and its cache of loaded configs (Hydra's own ConfigStore nodes included),
        which Hydra only reads while it builds defaults lists. A primary with a search path of
        its own gets a repository re-initialised for it, as ``hydra.compose`` makes one.
        """
        repo = self._repos.get(config_name)
        if repo is not None:
            return repo
        shared = self._repos.get(_SHARED)
        if shared is None:
            shared = self._repos[_SHARED] = self._new_repository(loader)
        loaded = shared.load_config(config_name) if config_name is not None else None
        if loaded is not None and not isinstance(loaded.config, DictConfig):
            return None  # Hydra's own error, from the real compose
        if loaded is None or OmegaConf.select(loaded.config, "hydra.searchpath") is None:
            repo = shared
        else:
            repo = self._new_repository(loader)
            loader._process_config_searchpath(config_name, parsed, repo)
        self._repos[config_name] = repo
        return repo

    def _new_repository(self, loader: Any) -> CachingConfigRepository:
        """A repository over the loader's search path: the config dir, then the project's."""
        return CachingConfigRepository(
            FastRepository(
                copy.deepcopy(loader.config_search_path),
                label_root=str(self.config_dir),
                cache=True,
                skeleton=True,
            )
        )

    def _fast(self, config_name: str | None, overrides: list[str]) -> PlainComposed | None:
        base = self.version_base or hydrapath.DEFAULT_VERSION_BASE
        with hydrapath.LOCK, hydrapath.using_version_base(base):
            loader = hydrapath.loader_for(str(self.config_dir), True, self.search_paths)
            parsed = OverridesParser.create().parse_overrides(overrides=overrides)
            if any(o.is_hydra_override() for o in parsed):
                return None  # may change the search path the shared repository was built for
            repo = self._repository(loader, config_name, parsed)
            if repo is None:
                return None
            loader.validate_sweep_overrides_legal(parsed, run_mode=RunMode.RUN, from_shell=False)
            try:
                defaults = create_defaults_list(repo, config_name, parsed)
            except (HydraException, OmegaConfBaseException) as exc:
                # the real compose builds the same defaults list with the same Hydra code
                # and would fail the same way: say it as it would, now
                raise _Failed(
                    translate(
                        exc, root=self.config_dir, config_name=config_name, overrides=overrides
                    )
                ) from exc
            tree, choices = describe_defaults(defaults, parsed, repo)
            if defaults.config_overrides:
                return None
            if self.check_hydra and hydrapath.touches_hydra(defaults, repo, parsed):
                inputs = (id(repo), *hydrapath.hydra_inputs(defaults, repo))
                if inputs not in self._hydra_checked:
                    self._hydra_pending = inputs  # the real compose checks the node once
                    return None
            try:
                container, merged, dotted = _merge(
                    defaults.defaults, repo, self._writes, self._checked
                )
            except (NotPlain, _NotApplicable):
                return None
        return PlainComposed(
            config_name=config_name,
            config_dir=self.config_dir,
            overrides=tuple(overrides),
            choices=choices,
            defaults_tree=tree,
            container=container,
            _writes=merged,
            _dotted=dotted,
        )


class _Failed(Exception):
    """The fast path's defaults-list build failed: ``error`` is what ``compose`` raises for it."""

    def __init__(self, error: ConfmanError) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass
class _Recorder(Provenance):
    """Keeps the ``record`` calls ``hydrapath.record_loaded`` makes, to replay them into many
    compositions' provenance (the calls depend only on the file and its package)."""

    calls: list[tuple[str, Write]] = field(default_factory=list)

    def record(self, path: str, write: Write, *, assign: bool = False) -> None:
        assert not assign  # loaded files are merged, never assigned
        self.calls.append((path, write))


def _merge(
    defaults: list[Any],
    repo: CachingConfigRepository,
    writes: dict[tuple[str, str], list[tuple[str, Write]]],
    checked: dict[str, bool],
) -> tuple[dict[str, Any], list[list[tuple[str, Write]]], bool]:
    """Hydra's ``_compose_config_from_defaults_list`` on plain data, with each merged file's
    recorded writes (for ``_replay``).

    ``writes`` keeps each (file, package)'s recorded writes across the compositions, and
    ``checked`` the files that no ConfigStore schema matches and whose data passed
    ``check_plain`` (one lint's compositions share one ConfigStore), each with whether a key of
    it holds a dot; the third result says whether any merged file has one.
    """
    dotted = False
    schema = repo.get_schema_source()
    container: dict[str, Any] = {}
    merged: list[list[tuple[str, Write]]] = []
    for default in defaults:
        if hydrapath.is_hydra_package(default.package):
            continue  # Hydra's own node: confman.compose drops it when nothing touches it
        path = default.config_path
        if path is None or default.package is None:
            raise _NotApplicable(f"unplaced default {default!r}")
        if path not in checked and schema.is_config(ConfigSource._normalize_file_name(path)):
            raise _NotApplicable(f"'{path}' is matched by a ConfigStore schema")
        loaded = repo.load_config(path)
        found = loaded_file(loaded) if loaded is not None else None
        if loaded is None or found is None:
            raise _NotApplicable(f"'{path}' is not a YAML file")
        data = found.parsed.data
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise _NotApplicable(f"'{path}' does not hold a mapping")
        if "defaults" in data or (not default.package and "hydra" in data):
            # Hydra's own node is composed apart and dropped from the result
            drop = ("defaults", "hydra") if not default.package else ("defaults",)
            data = {k: v for k, v in data.items() if k not in drop}
        if path not in checked:
            checked[path] = check_plain(data)
        dotted = dotted or checked[path]
        merge_into(container, embed(data, default.package))
        calls = writes.get((path, default.package))
        if calls is None:
            recorder = _Recorder()
            hydrapath.record_loaded(recorder, default, loaded)
            calls = [(p, w) for p, w in recorder.calls if p != "hydra" and p[:6] != "hydra."]
            writes[(path, default.package)] = calls
        merged.append(calls)
    return container, merged, dotted


def _replay(
    merged: list[list[tuple[str, Write]]], final: dict[str, Any], *, gather: bool = True
) -> dict[str, tuple[Write, ...]]:
    """What ``Provenance.record`` of every merged write, in order, then ``finish`` would give.

    ``record`` checks each write for a change of shape (a leaf written over by a mapping, or the
    reverse) and for ``???`` over a value; compositions here have ~100k writes between them, and
    those checks were most of composing them. Where no key holds a dot (``gather``), a dotted
    path names one key path, a change of shape always leaves a written path that is not a leaf
    of ``final``, and ``merge_into`` refuses ``???`` over a value. So the writes are gathered per
    path in order; when the gathered paths are exactly ``final``'s leaves, those are the
    histories. Otherwise (a key holding a dot) the writes are recorded one by one.
    """
    if gather:
        histories: dict[str, list[Write]] = {}
        exact = True
        for calls in merged:
            for path, write in calls:
                found = histories.get(path)
                if found is None:
                    histories[path] = [write]
                else:
                    found.append(write)
                    exact = exact and not (isinstance(write.value, str) and write.value == MISSING)
        result = Provenance(writes=histories).finish(final)
        if exact and result.keys() == histories.keys():
            return result
    provenance = Provenance()
    for calls in merged:
        for path, write in calls:
            provenance.record(path, write)
    return provenance.finish(final)
