"""Hydra's own defaults-list build, run with three of its helpers replaced by confman's.

Lint builds hundreds of defaults lists per tree (every experiment, every option swapped in),
and four pure costs inside Hydra's build were most of it:

* Hydra builds its ``known_choices`` map (a DictConfig of every choice so far) for every node of
  the defaults tree, but reads it only to resolve the node's interpolated entries
  (``db: ${platform}``), which are entries of the same list. Without one, the map is never read;
  ``None`` stands in.
* ``hydra.version.base_at_least`` parses version strings on every call (tens of thousands per
  defaults list); its answer depends only on its argument and the current version base, so it
  is remembered per (argument, base).
  The entries' own methods ask it too (an entry's final package, every time it is read).
* ``ConfigDefault.is_interpolation`` and ``GroupDefault.is_interpolation`` build an OmegaConf
  ``AnyNode`` around a string only to ask whether it holds ``${``, which is all OmegaConf's
  (non-strict) check does; they are asked that of every entry, several times.
* Each node of the defaults tree deep-copies its config's defaults list, a list of flat
  dataclasses whose fields are strings, flags and lists of strings: copying each entry and its
  lists gives the same copy without ``copy.deepcopy``'s generic walk.

Nothing of Hydra is patched: the functions of ``hydra._internal.defaults_list`` (and the
repository method that reads a config's defaults list) are re-created from Hydra's own code over
a copy of their module's names in which those helpers are confman's, so only the builds made
here see them, and any other caller (another thread, ``hydra.compose``) runs Hydra unchanged.
The replaced helpers compute what Hydra's do (``tests/lint/test_hydrafast.py`` pins every
build of the compose corpus and the example system to Hydra's own, and each helper to Hydra's
answers). The code is Hydra 1.3's: another Hydra is refused by :func:`check_hydra_version`.
"""

from __future__ import annotations

import copy
import types
from collections.abc import Callable
from typing import Any

import hydra
from hydra import version as hydra_version
from hydra._internal import config_repository as hydra_repository
from hydra._internal import defaults_list as hydra_defaults
from hydra._internal.defaults_list import DefaultsList
from hydra.core import default_element as hydra_elements
from hydra.core.default_element import InputDefault
from hydra.core.override_parser.types import Override
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from confman.errors import ConfmanError
from confman.sources import Repository

__all__ = ["TESTED_HYDRA", "FastRepository", "check_hydra_version", "create_defaults_list"]

#: the Hydra releases whose defaults-list code this module re-runs (pyproject pins the same)
TESTED_HYDRA = SpecifierSet(">=1.3.2,<1.4")


def check_hydra_version(found: str = hydra.__version__) -> None:
    """Refuse a Hydra whose internals this module has not been tested against."""
    if Version(found) not in TESTED_HYDRA:
        raise ConfmanError(
            f"hydra-core {found} is not supported by confman's lint (tested: {TESTED_HYDRA})",
            hint="pip install 'hydra-core>=1.3.2,<1.4'",
        )


class ConfigDefault(hydra_elements.ConfigDefault):
    """A config entry that answers ``is_interpolation`` without building a node (named as
    Hydra's, whose ``repr`` and messages show the class name)."""

    def is_interpolation(self) -> bool:
        path = self.get_config_path()
        return "${" in path if isinstance(path, str) else super().is_interpolation()


class GroupDefault(hydra_elements.GroupDefault):
    """A group entry that answers ``is_interpolation`` without building a node (named as
    Hydra's)."""

    def is_interpolation(self) -> bool:
        if not self.is_name():
            return False
        name = self.get_name()
        return isinstance(name, str) and "${" in name


class _Version:
    """``hydra.version`` with ``base_at_least`` remembered per (argument, current base)."""

    def __init__(self) -> None:
        self._answers: dict[tuple[str, Version], bool] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(hydra_version, name)

    def base_at_least(self, ver: str) -> bool:
        base = hydra_version.VersionBase.instance().getbase()
        if not isinstance(base, Version):
            return hydra_version.base_at_least(ver)  # unset: Hydra sets its default, let it
        answer = self._answers.get((ver, base))
        if answer is None:
            answer = self._answers[(ver, base)] = hydra_version.base_at_least(ver)
        return answer


class _Copy:
    """``copy`` with ``deepcopy`` of a defaults list (flat entries) done entry by entry."""

    copy = staticmethod(copy.copy)

    @staticmethod
    def deepcopy(value: Any) -> Any:
        if isinstance(value, list) and all(_flat(entry) for entry in value):
            return [_entry_copy(entry) for entry in value]
        return copy.deepcopy(value)


def _flat(entry: Any) -> bool:
    """Whether a defaults entry holds only strings, flags and lists of strings."""
    if not isinstance(entry, InputDefault):
        return False
    for value in vars(entry).values():
        if isinstance(value, list):
            if not all(isinstance(item, str) for item in value):
                return False
        elif value is not None and not isinstance(value, (str, bool, int)):
            return False
    return True


def _entry_copy(entry: InputDefault) -> InputDefault:
    made = copy.copy(entry)
    for name, value in vars(made).items():
        if isinstance(value, list):
            setattr(made, name, list(value))
    return made


def _may_interpolate(default: Any) -> bool:
    """False only when no string field of a defaults entry holds ``${`` (then Hydra's
    ``is_interpolation`` must say False too, and the map is never read)."""
    for value in vars(default).values():
        if isinstance(value, str) and "${" in value:
            return True
        if isinstance(value, list) and any(isinstance(x, str) and "${" in x for x in value):
            return True
    return False


def _interpolation_map(overrides: Any, defaults_list: list[InputDefault], self_added: bool) -> Any:
    if any(_may_interpolate(d) for d in defaults_list):
        return hydra_defaults._create_interpolation_map(overrides, defaults_list, self_added)
    return None


def _rebound(module: types.ModuleType, replacing: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``module``'s names in which each function defined there is re-created from
    its code over the copy (so they call each other there), then ``replacing`` applied."""
    scope = dict(vars(module))
    for name, value in vars(module).items():
        if isinstance(value, types.FunctionType) and value.__module__ == module.__name__:
            scope[name] = _copy(value, scope)
    scope.update(replacing)
    return scope


def _copy(fn: types.FunctionType, scope: dict[str, Any]) -> types.FunctionType:
    copied = types.FunctionType(fn.__code__, scope, fn.__name__, fn.__defaults__, fn.__closure__)
    copied.__kwdefaults__ = fn.__kwdefaults__
    copied.__qualname__ = fn.__qualname__
    return copied


def _remembering_version(cls: type, scope: dict[str, Any]) -> None:
    """Give ``cls`` copies, over ``scope``, of the methods it inherits from Hydra that ask
    ``hydra.version`` (its own methods are left as written)."""
    for name in dir(cls):
        if name in vars(cls):
            continue
        method = getattr(cls, name)
        if isinstance(method, types.FunctionType) and "version" in method.__code__.co_names:
            setattr(cls, name, _copy(method, scope))


_VERSION = _Version()
_ELEMENTS = {**vars(hydra_elements), "version": _VERSION}
_remembering_version(ConfigDefault, _ELEMENTS)
_remembering_version(GroupDefault, _ELEMENTS)
_DEFAULTS = _rebound(
    hydra_defaults,
    {"_create_interpolation_map": _interpolation_map, "version": _VERSION, "copy": _Copy},
)
_REPOSITORY = _rebound(
    hydra_repository,
    {"ConfigDefault": ConfigDefault, "GroupDefault": GroupDefault, "version": _VERSION},
)
_read_defaults: Callable[..., list[InputDefault]] = _copy(
    hydra_repository.ConfigRepository._create_defaults_list,  # type: ignore[arg-type]
    _REPOSITORY,
)


class FastRepository(Repository):
    """confman's repository whose configs' defaults entries answer ``is_interpolation``
    without building a node (everything else as :class:`confman.sources.Repository`)."""

    def _create_defaults_list(self, config_path: str, defaults: Any) -> list[InputDefault]:
        return _read_defaults(self, config_path, defaults)


def create_defaults_list(
    repo: Any, config_name: str | None, overrides: list[Override]
) -> DefaultsList:
    """Hydra's ``create_defaults_list`` as ``hydra.compose`` calls it (Hydra's own defaults
    prepended, nothing skipped), over the helpers above."""
    build: Callable[..., DefaultsList] = _DEFAULTS["create_defaults_list"]
    return build(
        repo=repo,
        config_name=config_name,
        overrides_list=overrides,
        prepend_hydra=True,
        skip_missing=False,
    )
